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
use crate::host_step::{loss_and_gradients, parameters, shapes, Shapes};
use crate::layers::fused::stack::MAX_LAYERS;
use crate::network::{Layer, Network};
use crate::optim::Optimiser;
use crate::train::Loss;

/// The network's weights and Adam moments, ahead of the tensors they came from.
#[derive(Clone, Debug)]
pub struct Mirror {
    layers: Shapes,
    max_abs_eps: Option<f32>,
    /// Two per layer, in order: width logits, values.
    slots: Vec<Slot>,
}

#[derive(Clone, Debug)]
struct Slot {
    id: ParamId,
    /// Whether it trains (`host_step::parameters`).
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
        if layers.len() > MAX_LAYERS {
            return None;
        }
        let slots = parameters(&layers)?
            .into_iter()
            .map(|(id, values, trains)| {
                let moments = match optim.adam_moments(id)? {
                    Some((first, second, time)) if first.len() == values.len() && second.len() == values.len() => Some(Moments { first, second, time }),
                    Some(_) => return None,
                    None => None,
                };
                Some(Slot { id, trains, values, moments })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Mirror { layers: shapes(&layers), max_abs_eps: net.max_abs_eps(), slots })
    }

    /// One step on the rows `x` with targets `y` (row-major); the loss before the step. `None`
    /// (nothing changed) when the rows do not fit the network.
    pub fn step(&mut self, loss: Loss, lr: f64, x: &[f32], y: &[f32]) -> Option<f32> {
        let params: Vec<(&[f32], bool)> = self.slots.iter().map(|s| (&s.values[..], s.trains)).collect();
        let (value, grads) = loss_and_gradients(&self.layers, self.max_abs_eps, loss, x, y, &params)?;
        for (slot, grad) in self.slots.iter_mut().zip(grads) {
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
