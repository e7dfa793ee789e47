//! One optimisation step at a time, with seeded mini-batches.
//!
//! Nothing here reads a tensor back: the caller decides when to pay for a device → host read
//! (on WebGPU every read is a sync point), so `step` returns the loss as a tensor.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, LionConfig, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::core::data::Samples1d;
use crate::core::network::Network;
use crate::core::rng::{stream, Stream};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Adam,
    Sgd,
    Lion,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 3] = [OptimizerKind::Adam, OptimizerKind::Sgd, OptimizerKind::Lion];

    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Lion => "lion",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }

    fn build(self) -> burn::optim::ModuleOptimizer {
        match self {
            OptimizerKind::Adam => AdamConfig::new().init(),
            OptimizerKind::Sgd => SgdConfig::new().init(),
            OptimizerKind::Lion => LionConfig::new().init(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    /// Mini-batch size; 0 or anything ≥ the training set means full batch.
    pub batch: usize,
    /// Seed of the batch-order stream.
    pub seed: u64,
}

/// Drives a network through optimisation steps on a 1-D data set.
pub struct Trainer {
    net: Network,
    optim: burn::optim::ModuleOptimizer,
    config: TrainConfig,
    device: Device,
    train_x: Vec<f32>,
    train_y: Vec<f32>,
    /// Full-batch tensors, uploaded once.
    full: (Tensor<2>, Tensor<2>),
    order: Vec<usize>,
    cursor: usize,
    batch_rng: ChaCha8Rng,
    steps: u64,
}

/// `[n]` host values → a `[n, 1]` column tensor.
pub fn column(values: &[f32], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len(), 1]), device)
}

impl Trainer {
    /// `device` must have autodiff enabled; the network must live on it.
    pub fn new(net: Network, samples: &Samples1d, config: TrainConfig, device: &Device) -> Self {
        let full = (column(&samples.train_x, device), column(&samples.train_y, device));
        let n = samples.train_x.len();
        Trainer {
            net,
            optim: config.optimizer.build(),
            batch_rng: stream(config.seed, Stream::Batch),
            config,
            device: device.clone(),
            train_x: samples.train_x.clone(),
            train_y: samples.train_y.clone(),
            full,
            order: (0..n).collect(),
            cursor: n, // forces a shuffle before the first mini-batch
            steps: 0,
        }
    }

    pub fn network(&self) -> &Network {
        &self.net
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

    /// Change the learning rate without resetting anything (the optimiser state is kept).
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.config.learning_rate = lr;
    }

    /// Replace the network (e.g. restored weights) and start the optimiser state afresh: its
    /// moments belong to the weights that diverged or to another device.
    pub fn replace_network(&mut self, net: Network, steps: u64) {
        self.net = net;
        self.optim = self.config.optimizer.build();
        self.steps = steps;
    }

    fn next_batch(&mut self) -> (Tensor<2>, Tensor<2>) {
        let n = self.train_x.len();
        let b = self.config.batch;
        if b == 0 || b >= n {
            return self.full.clone();
        }
        if self.cursor + b > n {
            self.order.shuffle(&mut self.batch_rng);
            self.cursor = 0;
        }
        let idx = &self.order[self.cursor..self.cursor + b];
        self.cursor += b;
        let xs: Vec<f32> = idx.iter().map(|&i| self.train_x[i]).collect();
        let ys: Vec<f32> = idx.iter().map(|&i| self.train_y[i]).collect();
        (column(&xs, &self.device), column(&ys, &self.device))
    }

    /// One optimiser step; returns the mini-batch loss *before* the step (not read back).
    pub fn step(&mut self) -> Tensor<1> {
        let (x, y) = self.next_batch();
        let loss = mse(self.net.forward(x), y);
        let grads = GradientsParams::from_grads(loss.backward(), &self.net);
        self.net = self.optim.step(self.config.learning_rate, self.net.clone(), grads);
        self.steps += 1;
        loss.detach()
    }

    /// Mean squared error of the current network on the given points (no gradient recorded).
    pub fn loss_on(&self, xs: &[f32], ys: &[f32]) -> Option<Tensor<1>> {
        if xs.is_empty() {
            return None;
        }
        let device = self.device.clone().without_autodiff();
        let pred = self.net.valid().forward(column(xs, &device));
        Some(mse(pred, column(ys, &device)))
    }

    /// Network output at `xs` (for the prediction curve), `[n, 1]`.
    pub fn predict(&self, xs: &[f32]) -> Tensor<2> {
        let device = self.device.clone().without_autodiff();
        self.net.valid().forward(column(xs, &device))
    }
}

pub fn mse(pred: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    (pred - target).square().mean()
}

/// Why training must stop, if it must: the loss is not a number, or it exploded.
pub fn divergence(loss: f32, best: f32) -> Option<String> {
    if !loss.is_finite() {
        return Some("the loss became NaN or infinite — the learning rate is probably too high".into());
    }
    if best.is_finite() && loss > 1e4 * best.max(1e-6) && loss > 1e3 {
        return Some(format!("the loss exploded to {loss:.3e} — the learning rate is probably too high"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::divergence;

    #[test]
    fn divergence_is_caught_and_normal_noise_is_not() {
        assert!(divergence(f32::NAN, 0.1).is_some());
        assert!(divergence(f32::INFINITY, 0.1).is_some());
        assert!(divergence(5e3, 0.01).is_some());
        assert!(divergence(0.2, 0.01).is_none(), "a bumpy loss is not a divergence");
        assert!(divergence(0.5, f32::INFINITY).is_none(), "the first loss is never a divergence");
    }
}
