//! A piecewise-linear network trained with Adam on the CPU backend, kept on the host between
//! steps: its parameters and Adam moments as plain `f32` vectors, stepped by the same kernels and
//! the same Adam loop as every other CPU step, and turned back into burn tensors only when someone
//! looks (a frame, a checkpoint, a move).
//!
//! Why: `host_step` already computes a step without burn's autodiff, but each step still reads
//! every parameter out of its tensor and wraps the update into new tensors and optimiser states —
//! per parameter about what a small tensor operation costs, together most of a small network's
//! step. Between two frames a run takes hundreds of steps nobody looks at; here they cost only
//! their arithmetic. The numbers are those of `host_step` (and so of burn's autodiff step), bit
//! for bit: tests train the same network each way.

use burn::module::{Param, ParamId};
use burn::tensor::{Tensor, TensorData};

use crate::host_adam;
use crate::layers::fused::bridge::{host_values, runs_on, HostKernel};
use crate::layers::fused::cross_entropy::SoftmaxCrossEntropy;
use crate::layers::fused::loss::MeanSquaredError;
use crate::layers::fused::stack::{INPUTS, MAX_LAYERS};
use crate::layers::fused::stack_kernel;
use crate::network::{Layer, Network};
use crate::optim::Optimiser;
use crate::train::Loss;

/// The network's weights and Adam moments, ahead of the tensors they came from.
#[derive(Clone, Debug)]
pub struct Mirror {
    /// Each layer's values shape `[in, P, out]`, domain and whether it has a grid per synapse.
    layers: Vec<([usize; 3], (f32, f32), bool)>,
    max_abs_eps: Option<f32>,
    /// Two per layer, in order: width logits, values.
    slots: Vec<Slot>,
}

#[derive(Clone, Debug)]
struct Slot {
    id: ParamId,
    /// As `PiecewiseLinear::from_parts` configures it: values always, logits when knots move.
    trains: bool,
    values: Vec<f32>,
    /// burn's Adam state: none before the parameter's first update.
    moments: Option<Moments>,
}

#[derive(Clone, Debug)]
struct Moments {
    first: Vec<f32>,
    second: Vec<f32>,
    time: usize,
}

impl Mirror {
    /// The mirror of `net` and `optim`'s state for it, when `net` is made only of piecewise-linear
    /// layers on the CPU backend and `optim` is Adam with host-readable moments.
    pub fn of(net: &Network, optim: &Optimiser) -> Option<Mirror> {
        if !optim.is_adam() {
            return None;
        }
        let layers = net.pwl_layers()?;
        if layers.len() > MAX_LAYERS || !runs_on(&layers.first()?.values.val().device()) {
            return None;
        }
        let mut slots = Vec::with_capacity(2 * layers.len());
        for l in &layers {
            slots.push(Slot::read(&l.width_logits, l.learns_positions(), optim)?);
            slots.push(Slot::read(&l.values, true, optim)?);
        }
        let shapes = layers.iter().map(|l| (l.values.dims(), l.domain(), l.per_synapse())).collect();
        Some(Mirror { layers: shapes, max_abs_eps: net.max_abs_eps(), slots })
    }

    /// One step on the rows `x` with targets `y` (row-major); the loss before the step. `None`
    /// (nothing changed) when the rows do not fit the network.
    pub fn step(&mut self, loss: Loss, lr: f64, x: &[f32], y: &[f32]) -> Option<f32> {
        let features = self.layers.first()?.0[0];
        let outputs = self.layers.last()?.0[2];
        let rows = x.len() / features.max(1);
        if rows == 0 || x.len() != rows * features || y.len() != rows * outputs {
            return None;
        }
        let kernel = stack_kernel(rows, features, self.layers.iter().copied(), self.max_abs_eps)?;
        // The slots the stack leaves unused hold a constant, as in the tensor form.
        let unused = [0.0f32];
        let mut inputs: [&[f32]; INPUTS] = [&unused; INPUTS];
        let mut wanted = [false; INPUTS];
        inputs[0] = x;
        for (j, slot) in self.slots.iter().enumerate() {
            inputs[1 + j] = &slot.values;
            wanted[1 + j] = slot.trains;
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
        for (slot, grad) in self.slots.iter_mut().zip(grads.into_iter().skip(1)) {
            if let Some(grad) = grad {
                slot.update(lr, &grad);
            }
        }
        Some(value)
    }

    /// `net` and `optim` (the network and optimiser this mirror was taken from) with the mirror's
    /// weights and moments. The parameters keep their ids and configured training state; their
    /// tensors are left untracked, as after `host_step` (`Network::untracked`).
    pub fn materialise(&self, net: &Network, optim: &Optimiser) -> (Network, Optimiser) {
        let mut next = net.clone();
        let mut optim = optim.clone();
        let mut slots = self.slots.iter();
        for layer in &mut next.layers {
            let Layer::Pwl(l) = layer else { continue };
            if let Some(slot) = slots.next() {
                l.width_logits = slot.written(l.width_logits.clone(), &mut optim);
            }
            if let Some(slot) = slots.next() {
                l.values = slot.written(l.values.clone(), &mut optim);
            }
        }
        (next, optim)
    }
}

impl Slot {
    fn read<const D: usize>(param: &Param<Tensor<D>>, trains: bool, optim: &Optimiser) -> Option<Slot> {
        let values = host_values(&param.val())?;
        let moments = match optim.adam_moments(param.id)? {
            Some((first, second, time)) if first.len() == values.len() && second.len() == values.len() => Some(Moments { first, second, time }),
            Some(_) => return None,
            None => None,
        };
        Some(Slot { id: param.id, trains, values, moments })
    }

    /// burn's Adam update (`host_adam::update`), the moments started on the first one.
    fn update(&mut self, lr: f64, grad: &[f32]) {
        let first = self.moments.is_none();
        let n = self.values.len();
        let m = self.moments.get_or_insert_with(|| Moments { first: vec![0.0; n], second: vec![0.0; n], time: 0 });
        m.time += 1;
        host_adam::update(lr, m.time, &mut self.values, grad, &mut m.first, &mut m.second, first);
    }

    /// `param` holding this slot's numbers, and `optim` holding its moments.
    fn written<const D: usize>(&self, param: Param<Tensor<D>>, optim: &mut Optimiser) -> Param<Tensor<D>> {
        if param.id != self.id {
            // Not the network this mirror was taken from (the trainer drops its mirror whenever
            // it replaces the network, so this does not happen): leave it as it is.
            return param;
        }
        let (id, tensor, mapper) = param.consume();
        let device = tensor.device();
        let tensor = Tensor::from_data(TensorData::new(self.values.clone(), tensor.dims()), &device);
        if let Some(m) = &self.moments {
            optim.set_adam_moments(id, m.first.clone(), m.second.clone(), m.time, &device);
        }
        Param::from_mapped_value(id, tensor, mapper)
    }
}
