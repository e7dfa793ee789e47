//! One optimisation step at a time, with seeded mini-batches.
//!
//! Nothing here reads a tensor back: the caller decides when to pay for a device → host read
//! (on WebGPU every read is a sync point), so `step` returns the loss as a tensor.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use std::sync::OnceLock;

use crate::host_mirror::Mirror;
use crate::network::Network;
use crate::optim::Optimiser;
use crate::snapshot::Weights;
use crate::rng::{stream, Stream};

pub use playground_config::spec::{Loss, OptimizerKind, Rows, TrainConfig};

/// Where the mini-batch order stands: with the weights and the step count, everything the next
/// step depends on. A run keeps it in its checkpoints so that rolling back replays exactly.
#[derive(Clone, Debug)]
pub struct BatchState {
    order: Vec<usize>,
    cursor: usize,
    rng: ChaCha8Rng,
}

/// A trainer at one step (`Trainer::save`): restoring it continues bit-identically.
#[derive(Clone)]
pub struct TrainerState {
    net: Network,
    optim: Optimiser,
    batch: BatchState,
    steps: u64,
}

impl TrainerState {
    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The same state on `device` (weights and optimiser moments read asynchronously).
    pub async fn to_device(&self, device: &Device) -> Result<TrainerState, String> {
        let net = crate::snapshot::Snapshot::take(&self.net).await?.restore(device);
        let optim = self.optim.moved(&self.net, &net, device).await?;
        Ok(TrainerState { net, optim, batch: self.batch.clone(), steps: self.steps })
    }
}

/// Drives a network through optimisation steps on a data set of rows. A clone shares its tensors
/// with the original (burn's tensors are immutable values), so cloning is cheap.
#[derive(Clone)]
pub struct Trainer {
    net: Network,
    optim: Optimiser,
    /// A piecewise-linear network trained with Adam on the CPU steps on the host (`host_mirror`):
    /// while this is set, it holds the weights and moments as they are, and `net` and `optim` are
    /// those of the step it started from.
    mirror: Option<Mirror>,
    /// `net` and `optim` brought up to the mirror, built when someone looks.
    synced: OnceLock<(Network, Optimiser)>,
    config: TrainConfig,
    device: Device,
    rows: Rows,
    /// Full-batch tensors, uploaded once.
    full: (Tensor<2>, Tensor<2>),
    order: Vec<usize>,
    cursor: usize,
    batch_rng: ChaCha8Rng,
    steps: u64,
}

/// `[n]` host values → a `[n, 1]` column tensor.
pub fn column(values: &[f32], device: &Device) -> Tensor<2> {
    matrix(values, 1, device)
}

/// Row-major host values with `cols` columns → a `[rows, cols]` tensor.
pub fn matrix(values: &[f32], cols: usize, device: &Device) -> Tensor<2> {
    let cols = cols.max(1);
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len() / cols, cols]), device)
}

impl Trainer {
    /// `device` must have autodiff enabled; the network must live on it.
    pub fn new(net: Network, rows: Rows, config: TrainConfig, device: &Device) -> Self {
        let full = (matrix(&rows.x, rows.inputs, device), matrix(&rows.y, rows.outputs, device));
        let n = rows.len();
        Trainer {
            net,
            optim: Optimiser::new(config.optimizer),
            mirror: None,
            synced: OnceLock::new(),
            batch_rng: stream(config.seed, Stream::Batch),
            config,
            device: device.clone(),
            rows,
            full,
            order: (0..n).collect(),
            cursor: n, // forces a shuffle before the first mini-batch
            steps: 0,
        }
    }

    pub fn network(&self) -> &Network {
        self.current().0
    }

    /// The network and optimiser as they are now.
    fn current(&self) -> (&Network, &Optimiser) {
        match &self.mirror {
            Some(mirror) => {
                let (net, optim) = self.synced.get_or_init(|| mirror.materialise(&self.net, &self.optim));
                (net, optim)
            }
            None => (&self.net, &self.optim),
        }
    }

    /// `net` and `optim` as they are now, the mirror dropped (before they are replaced or
    /// rewritten, or a step the mirror cannot take).
    fn settle(&mut self) {
        if let Some(mirror) = self.mirror.take() {
            let (net, optim) = self.synced.take().unwrap_or_else(|| mirror.materialise(&self.net, &self.optim));
            (self.net, self.optim) = (net, optim);
        }
        self.synced = OnceLock::new();
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn rows(&self) -> &Rows {
        &self.rows
    }

    /// The same training set with `net` (the weights of step `steps`) and the batch order of
    /// that step on another device (after a GPU failure); the optimiser starts afresh there.
    pub fn moved_to(&self, net: Network, steps: u64, batch: BatchState, device: &Device) -> Trainer {
        let mut moved = Trainer::new(net, self.rows.clone(), self.config.clone(), device);
        moved.steps = steps;
        if batch.order.len() == moved.order.len() {
            (moved.order, moved.cursor, moved.batch_rng) = (batch.order, batch.cursor, batch.rng);
        }
        moved
    }

    /// This trainer on `device` with nothing lost: weights, optimiser state, batch order and step
    /// count, read asynchronously from the device it is on. Continuing there computes the same
    /// steps (bit for bit when both devices are the CPU path).
    pub async fn transferred(&self, device: &Device) -> Result<Trainer, String> {
        let TrainerState { net, optim, batch, steps } = self.save().to_device(device).await?;
        let mut moved = self.moved_to(net, steps, batch, device);
        moved.optim = optim;
        Ok(moved)
    }

    /// New targets for the same inputs (a picture that changes during training), keeping the
    /// weights, the optimiser state and the batch order. Ignored unless the shape matches.
    pub fn set_targets(&mut self, y: Vec<f32>) {
        if y.len() == self.rows.y.len() {
            self.full.1 = matrix(&y, self.rows.outputs, &self.device);
            self.rows.y = y;
        }
    }

    /// Change the learning rate without resetting anything (the optimiser state is kept).
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.config.learning_rate = lr;
    }

    /// Everything the next steps depend on besides the data: weights, optimiser state, batch order
    /// and step count, as clones (no read from the device).
    pub fn save(&self) -> TrainerState {
        let (net, optim) = self.current();
        TrainerState { net: net.clone(), optim: optim.clone(), batch: self.batch_state(), steps: self.steps }
    }

    /// Go back (or forward) to a saved state of this trainer, on the same device.
    pub fn restore(&mut self, saved: TrainerState) {
        (self.mirror, self.synced) = (None, OnceLock::new());
        self.net = saved.net;
        self.optim = saved.optim;
        (self.order, self.cursor, self.batch_rng) = (saved.batch.order, saved.batch.cursor, saved.batch.rng);
        self.steps = saved.steps;
    }

    pub fn batch_state(&self) -> BatchState {
        BatchState { order: self.order.clone(), cursor: self.cursor, rng: self.batch_rng.clone() }
    }

    /// Replace the network (e.g. restored weights) and start the optimiser state afresh: its
    /// moments belong to the weights that diverged or to another device.
    pub fn replace_network(&mut self, net: Network, steps: u64) {
        (self.mirror, self.synced) = (None, OnceLock::new());
        self.net = net;
        self.optim = Optimiser::new(self.config.optimizer);
        self.steps = steps;
    }

    /// Replace the network by a grown, moved or refined one computing the same function, moving
    /// the optimiser's state onto the new parameters as `plan` says (see `crate::carry`). Returns
    /// whether the state was carried; if the plan does not fit, the optimiser restarts.
    pub async fn replace_network_carrying(&mut self, net: Network, plan: &[crate::carry::Carry]) -> bool {
        self.settle();
        let carried = self.optim.carried(&self.net, &net, plan, &self.device).await;
        self.net = net;
        match carried {
            Ok(optim) => {
                self.optim = optim;
                true
            }
            Err(_) => {
                self.optim = Optimiser::new(self.config.optimizer);
                false
            }
        }
    }

    /// The next mini-batch's inputs and targets, row-major; `None` for the whole training set.
    fn next_batch(&mut self) -> Option<(Vec<f32>, Vec<f32>)> {
        let n = self.rows.len();
        let b = self.config.batch;
        if b == 0 || b >= n {
            return None;
        }
        if self.cursor + b > n {
            self.order.shuffle(&mut self.batch_rng);
            self.cursor = 0;
        }
        let idx = &self.order[self.cursor..self.cursor + b];
        self.cursor += b;
        let (ni, no) = (self.rows.inputs, self.rows.outputs);
        let xs: Vec<f32> = idx.iter().flat_map(|&i| self.rows.x[i * ni..(i + 1) * ni].iter().copied()).collect();
        let ys: Vec<f32> = idx.iter().flat_map(|&i| self.rows.y[i * no..(i + 1) * no].iter().copied()).collect();
        Some((xs, ys))
    }

    /// One optimiser step; returns the mini-batch loss *before* the step (not read back).
    pub fn step(&mut self) -> Tensor<1> {
        match self.take_step() {
            StepLoss::Host(loss) => Tensor::from_data(TensorData::new(vec![loss], [1]), &self.device),
            StepLoss::Device(loss) => loss,
        }
    }

    /// `step`, its loss as the step left it: a number when the step ran on the host.
    pub fn take_step(&mut self) -> StepLoss {
        let batch = self.next_batch();
        let (xs, ys) = batch_rows(&batch, &self.rows);
        // A piecewise-linear network on the CPU backend steps on the host, without burn's
        // autodiff bookkeeping: the same numbers. With Adam, its weights stay on the host between
        // steps (`host_mirror`); with another rule, each step goes back to tensors (`host_step`).
        if self.mirror.is_none() {
            self.mirror = Mirror::of(&self.net, &self.optim);
        }
        if let Some(mirror) = &mut self.mirror {
            if let Some(loss) = mirror.step(self.config.loss, self.config.learning_rate, xs, ys) {
                self.synced = OnceLock::new();
                self.steps += 1;
                return StepLoss::Host(loss);
            }
        }
        self.settle();
        let (xs, ys) = batch_rows(&batch, &self.rows);
        if let Some((net, loss)) = crate::host_step::step(&self.net, &mut self.optim, self.config.loss, self.config.learning_rate, xs, ys) {
            self.net = net;
            self.steps += 1;
            return StepLoss::Host(loss);
        }
        let (x, y) = match batch {
            Some((xs, ys)) => (matrix(&xs, self.rows.inputs, &self.device), matrix(&ys, self.rows.outputs, &self.device)),
            None => self.full.clone(),
        };
        if self.net.untracked() {
            // Stepped on the host before: autodiff tracking back on, as configured.
            self.net = self.net.clone().valid().train();
        }
        let loss = objective(self.config.loss, self.net.forward(x), y);
        let grads = GradientsParams::from_grads(loss.backward(), &self.net);
        self.net = self.optim.step(self.config.learning_rate, self.net.clone(), grads);
        self.steps += 1;
        StepLoss::Device(loss.detach())
    }

    /// The training loss (mean squared error or cross-entropy) of the current network on the
    /// given rows (no gradient recorded).
    pub fn loss_on(&self, xs: &[f32], ys: &[f32]) -> Option<Tensor<1>> {
        if xs.is_empty() {
            return None;
        }
        let device = self.device.clone().without_autodiff();
        Some(objective(self.config.loss, self.predict(xs), matrix(ys, self.rows.outputs, &device)))
    }

    /// Network output for row-major inputs `xs` (`[n, inputs]` flattened), `[n, outputs]`.
    pub fn predict(&self, xs: &[f32]) -> Tensor<2> {
        let device = self.device.clone().without_autodiff();
        self.network().valid().forward(matrix(xs, self.rows.inputs, &device))
    }

    /// The synapse curves of layer `l` (see `Network::layer_curves`).
    pub fn layer_curves(&self, l: usize, samples: usize) -> Tensor<2> {
        let device = self.device.clone().without_autodiff();
        self.network().valid().layer_curves(l, samples, &device)
    }
}

/// A mini-batch's rows (`Trainer::next_batch`), or the whole training set's.
fn batch_rows<'a>(batch: &'a Option<(Vec<f32>, Vec<f32>)>, rows: &'a Rows) -> (&'a [f32], &'a [f32]) {
    match batch {
        Some((xs, ys)) => (xs, ys),
        None => (&rows.x, &rows.y),
    }
}

/// A step's loss: already a number (the host steps), or a tensor on the device, to be read.
pub enum StepLoss {
    Host(f32),
    Device(Tensor<1>),
}

/// Mean squared error (one fused operation on the CPU backend, `layers::fused::loss`).
pub fn mse(pred: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    crate::layers::fused::mse(pred.clone(), target.clone()).unwrap_or_else(|| (pred - target).square().mean())
}

/// Softmax cross-entropy of `logits` against one-hot (or any probability) rows `target`, averaged
/// over rows: −Σ target·log softmax(logits). `log_softmax` subtracts each row's maximum, so large
/// logits do not overflow.
pub fn cross_entropy(logits: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    // One fused operation on the CPU backend (`layers::fused::cross_entropy`).
    if let Some(loss) = crate::layers::fused::cross_entropy(logits.clone(), target.clone()) {
        return loss;
    }
    let rows = logits.dims()[0].max(1) as f64;
    (burn::tensor::activation::log_softmax(logits, 1) * target).sum().neg().div_scalar(rows)
}

/// The loss a training configuration minimises.
pub fn objective(loss: Loss, out: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    match loss {
        Loss::Mse => mse(out, target),
        Loss::CrossEntropy => cross_entropy(out, target),
    }
}
