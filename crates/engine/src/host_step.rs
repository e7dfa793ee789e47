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

use std::borrow::Cow;

use burn::backend::flex::FlexTensor;
use burn::backend::Flex;
use burn::module::Param;
use burn::tensor::{DType, Tensor};

use crate::layers::fused::bridge::{runs_on, HostKernel};
use crate::layers::fused::cross_entropy::SoftmaxCrossEntropy;
use crate::layers::fused::loss::MeanSquaredError;
use crate::layers::fused::stack::INPUTS;
use crate::layers::fused::stack_kernel;
use crate::network::{Layer, Network};
use crate::optim::Optimiser;
use crate::train::Loss;

/// One parameter as the host step reads it.
struct HostParam {
    /// Whether it trains: burn's step computes no gradient for a parameter that does not require
    /// one. Read from the layer, not the tensor: the host step leaves tensors untracked.
    trains: bool,
    values: FlexTensor,
}

impl HostParam {
    fn read<const D: usize>(param: &Param<Tensor<D>>, trains: bool) -> Option<HostParam> {
        let tensor = param.val();
        if !runs_on(&tensor.device()) || tensor.dtype() != DType::F32 {
            return None;
        }
        let tensor = if tensor.is_autodiff() { tensor.inner() } else { tensor };
        let values = tensor.try_into_primitive::<Flex>().ok()?;
        Some(HostParam { trains, values })
    }

    fn numbers(&self) -> Cow<'_, [f32]> {
        match self.values.as_slice::<f32>() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(self.values.to_contiguous().as_slice::<f32>().map(<[f32]>::to_vec).unwrap_or_default()),
        }
    }
}

/// The network after one step of `optim` on the rows `x` (row-major, `[rows, inputs]`) with
/// targets `y`, and the loss before the step; `None` (nothing changed) unless the network is made
/// only of piecewise-linear layers on the CPU backend and the rows fit it.
pub fn step(net: &Network, optim: &mut Optimiser, loss: Loss, lr: f64, x: &[f32], y: &[f32]) -> Option<(Network, f32)> {
    let layers = net.pwl_layers()?;
    let features = layers.first()?.inputs();
    let outputs = layers.last()?.outputs();
    let rows = x.len() / features.max(1);
    if rows == 0 || x.len() != rows * features || y.len() != rows * outputs {
        return None;
    }
    let mut params = Vec::with_capacity(2 * layers.len());
    for layer in &layers {
        // As `PiecewiseLinear::from_parts` configures them: the knot values always train, the
        // width logits when the knots move.
        params.push(HostParam::read(&layer.width_logits, layer.learns_positions())?);
        params.push(HostParam::read(&layer.values, true)?);
    }
    let shapes = layers.iter().map(|l| (l.values.dims(), l.domain(), l.per_synapse()));
    let kernel = stack_kernel(rows, features, shapes, net.max_abs_eps())?;

    let numbers: Vec<Cow<'_, [f32]>> = params.iter().map(HostParam::numbers).collect();
    // The slots the stack leaves unused hold a constant, as in the tensor form (`fused::pwl_stack`).
    let unused = [0.0f32];
    let mut inputs: [&[f32]; INPUTS] = [&unused; INPUTS];
    let mut wanted = [false; INPUTS];
    inputs[0] = x;
    for (j, (p, n)) in params.iter().zip(&numbers).enumerate() {
        inputs[1 + j] = n;
        wanted[1 + j] = p.trains;
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
    drop(numbers);
    drop(params);
    // The update, parameter by parameter in place (a module map would move every layer through
    // it several times; burn's tensors are large values).
    let mut next = net.clone();
    let mut grads = grads.into_iter().skip(1);
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
