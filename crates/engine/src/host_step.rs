//! One training step of a piecewise-linear network on the CPU backend, computed on the host from
//! start to end: the stack's forward pass, the loss, their backward passes and the optimiser's
//! update, without burn's autodiff graph or its gradient map.
//!
//! Why: with the whole network one fused operation (`layers::fused::stack`), what was left of a
//! small network's step was bookkeeping around it — autodiff nodes for the batch, the network and
//! the loss, their gradients registered and gathered into `GradientsParams`, each parameter's
//! gradient looked up by hashing — each item costing about one small operation, together most of
//! the step (`--example step_profile`). Here the same kernels run in the same order on the same
//! numbers, and the update is the optimiser's own (`Optimiser::update_host`), so the weights after a
//! step are bit-identical to the autodiff step's (a test trains both side by side); only the
//! bookkeeping is gone.
//!
//! With Adam (the default) a trainer goes further and keeps the weights on the host between steps
//! (`host_mirror`); this step, which starts from and returns tensors, serves the other rules.

use burn::module::ParamId;

use crate::layers::fused::bridge::{host_values, runs_on, HostKernel};
use crate::layers::fused::cross_entropy::SoftmaxCrossEntropy;
use crate::layers::fused::loss::MeanSquaredError;
use crate::layers::fused::stack::INPUTS;
use crate::layers::fused::stack_kernel;
use crate::layers::PiecewiseLinear;
use crate::network::{Layer, Network};
use crate::optim::Optimiser;
use crate::train::Loss;

/// A stack's layers as the host computes them: each layer's values shape `[in, P, out]`, its domain
/// and whether it has a grid per synapse.
pub type Shapes = Vec<([usize; 3], (f32, f32), bool)>;

/// The shapes of `layers`.
pub fn shapes(layers: &[&PiecewiseLinear]) -> Shapes {
    layers.iter().map(|l| (l.values.dims(), l.domain(), l.per_synapse())).collect()
}

/// Every parameter of `layers` in the stack's order — each layer's width logits, then its values —
/// with its numbers and whether it trains, as `PiecewiseLinear::from_parts` configures it: the
/// values always, the logits when the knots move (read from the layer, not the tensor: host steps
/// leave tensors untracked). `None` off the CPU backend.
pub fn parameters(layers: &[&PiecewiseLinear]) -> Option<Vec<(ParamId, Vec<f32>, bool)>> {
    let mut params = Vec::with_capacity(2 * layers.len());
    for l in layers {
        if !runs_on(&l.values.val().device()) {
            return None;
        }
        params.push((l.width_logits.id, host_values(&l.width_logits.val())?, l.learns_positions()));
        params.push((l.values.id, host_values(&l.values.val())?, true));
    }
    Some(params)
}

/// The loss of the stack `layers` (with max-abs of ε `max_abs_eps` between them, or nothing) on the
/// rows `x` (row-major) with targets `y`, and the gradient of each parameter in `params` (in
/// `parameters`' order, each with whether it trains; `None` for one that does not): the forward
/// pass, the loss and both backward passes on the host. `None` when the rows do not fit.
pub fn loss_and_gradients(layers: &[([usize; 3], (f32, f32), bool)], max_abs_eps: Option<f32>, loss: Loss, x: &[f32], y: &[f32], params: &[(&[f32], bool)]) -> Option<(f32, Vec<Option<Vec<f32>>>)> {
    let features = layers.first()?.0[0];
    let outputs = layers.last()?.0[2];
    let rows = x.len() / features.max(1);
    if rows == 0 || x.len() != rows * features || y.len() != rows * outputs || params.len() != 2 * layers.len() {
        return None;
    }
    let kernel = stack_kernel(rows, features, layers.iter().copied(), max_abs_eps)?;
    // The slots the stack leaves unused hold a constant, as in the tensor form (`fused::pwl_stack`).
    let unused = [0.0f32];
    let mut inputs: [&[f32]; INPUTS] = [&unused; INPUTS];
    let mut wanted = [false; INPUTS];
    inputs[0] = x;
    for (j, (numbers, trains)) in params.iter().enumerate() {
        inputs[1 + j] = numbers;
        wanted[1 + j] = *trains;
    }
    let pred = kernel.forward(inputs);
    // The loss's backward pass starts from 1, as `Tensor::backward` does.
    let (value, [dpred, _]) = match loss {
        Loss::Mse => {
            let k = MeanSquaredError { len: pred.len() };
            (k.forward([&pred, y])[0], k.backward([&pred, y], &[1.0], [true, false]))
        }
        Loss::CrossEntropy => {
            let k = SoftmaxCrossEntropy { rows, classes: outputs };
            (k.forward([&pred, y])[0], k.backward([&pred, y], &[1.0], [true, false]))
        }
    };
    let grads = kernel.backward(inputs, &dpred?, wanted);
    Some((value, grads.into_iter().skip(1).take(params.len()).collect()))
}

/// The network after one step of `optim` on the rows `x` (row-major, `[rows, inputs]`) with
/// targets `y`, and the loss before the step; `None` (nothing changed) unless the network is made
/// only of piecewise-linear layers on the CPU backend and the rows fit it.
pub fn step(net: &Network, optim: &mut Optimiser, loss: Loss, lr: f64, x: &[f32], y: &[f32]) -> Option<(Network, f32)> {
    let layers = net.pwl_layers()?;
    let params = parameters(&layers)?;
    let numbers: Vec<(&[f32], bool)> = params.iter().map(|(_, v, trains)| (&v[..], *trains)).collect();
    let (value, grads) = loss_and_gradients(&shapes(&layers), net.max_abs_eps(), loss, x, y, &numbers)?;
    // The update, parameter by parameter in place (a module map would move every layer through
    // it several times; burn's tensors are large values).
    let mut next = net.clone();
    let mut grads = grads.into_iter();
    for layer in &mut next.layers {
        let Layer::Pwl(l) = layer else { unreachable!("pwl_layers checked every layer") };
        if let Some(g) = grads.next().flatten() {
            l.width_logits = optim.update_host(lr, l.width_logits.clone(), g);
        }
        if let Some(g) = grads.next().flatten() {
            l.values = optim.update_host(lr, l.values.clone(), g);
        }
    }
    Some((next, value))
}
