//! The optimiser of a run: burn's own per-tensor Adam, SGD and Lion steps
//! (`burn::optim::Optimizer::step`), with their state held here, by parameter, instead of inside
//! burn's `ModuleOptimizer`.
//!
//! Why not `ModuleOptimizer`: a run must move its optimiser state between devices (the CPU path
//! and WebGPU, both ways) and carry it over structural changes (knot insertion, refinement). The
//! module optimiser's only way in and out is its record, which reads every tensor synchronously
//! (a panic on a wasm WebGPU device) and loads onto `Device::default()` (WebGPU in a wasm build,
//! possibly not started). Holding the states here lets every move and carry read them
//! asynchronously and build them on the device the run is on.
//!
//! Each parameter's state is kept flattened to one dimension: the steps are elementwise, so the
//! numbers are exactly those of burn's module optimiser (a test checks it step for step).

use std::collections::HashMap;

use burn::module::{Module, ModuleMapper, Param, ParamId};
use burn::optim::{Adam, AdamConfig, AdamState, AdaptiveMomentumState, GradientsParams, Lion, LionConfig, LionState, Optimizer, Sgd, SgdConfig, SgdState};
use burn::tensor::{Device, Tensor, TensorData};

use crate::carry::{self, Carry};
use crate::network::Network;
use crate::snapshot::read;
use crate::train::OptimizerKind;

/// The update rule, as burn builds it from its default configuration.
#[derive(Clone)]
enum Rule {
    Adam(Adam),
    Sgd(Sgd),
    Lion(Lion),
}

/// One parameter's state (flattened).
#[derive(Clone)]
enum Moments {
    Adam(AdamState<1>),
    Sgd(SgdState<1>),
    Lion(LionState<1>),
}

impl Moments {
    /// The state's tensors, in a fixed order (`with_tensors` takes them back in that order).
    fn tensors(&self) -> Vec<Tensor<1>> {
        match self {
            Moments::Adam(s) => {
                let m = &s.momentum;
                let mut t = vec![m.moment_1.clone(), m.moment_2.clone()];
                t.extend(m.max_moment_2.clone());
                t
            }
            // Plain SGD (no momentum configured) keeps no tensor.
            Moments::Sgd(_) => Vec::new(),
            Moments::Lion(s) => vec![s.momentum.clone()],
        }
    }

    fn with_tensors(&self, mut t: Vec<Tensor<1>>) -> Moments {
        match self {
            Moments::Adam(s) => {
                let max_moment_2 = (t.len() > 2).then(|| t.remove(2));
                let moment_2 = t.remove(1);
                let moment_1 = t.remove(0);
                let time = s.momentum.time;
                Moments::Adam(AdamState::new(AdaptiveMomentumState { time, moment_1, moment_2, max_moment_2 }))
            }
            Moments::Sgd(s) => Moments::Sgd(s.clone()),
            Moments::Lion(_) => Moments::Lion(LionState::new(t.remove(0))),
        }
    }
}

/// The optimiser of one trainer. Cloning is cheap (burn's tensors are immutable values).
#[derive(Clone)]
pub struct Optimiser {
    rule: Rule,
    states: HashMap<ParamId, Moments>,
}

impl Optimiser {
    /// A fresh optimiser of the chosen kind, with burn's default hyper-parameters.
    pub fn new(kind: OptimizerKind) -> Optimiser {
        let rule = match kind {
            OptimizerKind::Adam => Rule::Adam(AdamConfig::new().build()),
            OptimizerKind::Sgd => Rule::Sgd(SgdConfig::new().build()),
            OptimizerKind::Lion => Rule::Lion(LionConfig::new().build()),
        };
        Optimiser { rule, states: HashMap::new() }
    }

    /// Whether the rule is Adam (what `host_mirror` steps on the host).
    pub fn is_adam(&self) -> bool {
        matches!(self.rule, Rule::Adam(_))
    }

    /// Parameter `id`'s Adam moments and step count as host numbers: `Some(None)` before its first
    /// update, `None` when its state cannot be read without a device read (another rule, another
    /// backend, AMSGrad's extra moment).
    #[allow(clippy::type_complexity)]
    pub fn adam_moments(&self, id: ParamId) -> Option<Option<(Vec<f32>, Vec<f32>, usize)>> {
        match self.states.get(&id) {
            None => Some(None),
            Some(Moments::Adam(s)) if s.momentum.max_moment_2.is_none() => {
                let m = &s.momentum;
                Some(Some((crate::layers::fused::bridge::host_values(&m.moment_1)?, crate::layers::fused::bridge::host_values(&m.moment_2)?, m.time)))
            }
            Some(_) => None,
        }
    }

    /// Set parameter `id`'s Adam moments and step count (kept flattened, as `step` keeps them).
    pub fn set_adam_moments(&mut self, id: ParamId, first: Vec<f32>, second: Vec<f32>, time: usize, device: &Device) {
        let tensor = |v: Vec<f32>| {
            let n = v.len();
            Tensor::<1>::from_data(TensorData::new(v, [n]), &device.clone().without_autodiff())
        };
        let state = AdamState::new(AdaptiveMomentumState::new(time, tensor(first), tensor(second)));
        self.states.insert(id, Moments::Adam(state));
    }

    /// One update of every parameter of `net` that has a gradient.
    pub fn step(&mut self, lr: f64, net: Network, mut grads: GradientsParams) -> Network {
        net.map(&mut Stepper { optimiser: self, grads: Grads::Burn(&mut grads), lr })
    }

    /// One parameter's update from its gradient computed on the host (`crate::host_step`), its
    /// numbers row-major: the same update as `step` gives it from the same numbers as a tensor.
    ///
    /// The updated parameter comes back without autodiff tracking (its configured training state
    /// is kept: `Module::train` restores it): registering a tracked tensor costs about as much as
    /// updating a small parameter, and the host step does not need it.
    pub fn update_host<const D: usize>(&mut self, lr: f64, param: Param<Tensor<D>>, grad: Vec<f32>) -> Param<Tensor<D>> {
        let mut grads = vec![(param.id, grad)];
        Stepper { optimiser: self, grads: Grads::Host(&mut grads), lr }.map_float(param)
    }

    /// The state of `old`'s parameters for `new`, the same network rebuilt on `device` (its
    /// parameters have new ids): every tensor is read asynchronously (a WebGPU read must not
    /// block) and built again there.
    pub async fn moved(&self, old: &Network, new: &Network, device: &Device) -> Result<Optimiser, String> {
        let plan = vec![Carry::Same; carry::parameters(new).len()];
        self.rewritten(old, new, &plan, device, true).await
    }

    /// The state of `old`'s parameters rewritten for `new`'s, following `plan` (one entry per
    /// parameter, matched by their order in the networks; see `crate::carry`). Any inconsistency
    /// is an error: the caller then starts a fresh optimiser.
    pub async fn carried(&self, old: &Network, new: &Network, plan: &[Carry], device: &Device) -> Result<Optimiser, String> {
        self.rewritten(old, new, plan, device, false).await
    }

    async fn rewritten(&self, old: &Network, new: &Network, plan: &[Carry], device: &Device, rebuild: bool) -> Result<Optimiser, String> {
        let (old_ids, new_ids) = (carry::parameters(old), carry::parameters(new));
        if old_ids.len() != new_ids.len() || plan.len() != new_ids.len() {
            return Err("the networks' parameters do not correspond".into());
        }
        let mut states = HashMap::new();
        for (((old_id, _), (new_id, new_shape)), how) in old_ids.iter().zip(&new_ids).zip(plan) {
            let Some(moments) = self.states.get(&ParamId::from(*old_id)) else { continue };
            let sources = match how {
                Carry::Same if !rebuild => {
                    states.insert(ParamId::from(*new_id), moments.clone());
                    continue;
                }
                Carry::Same => None,
                Carry::Mix(sources) if sources.len() == new_shape.iter().product::<usize>() => Some(sources),
                Carry::Mix(_) => return Err("a carry plan does not match its parameter".into()),
            };
            let mut rebuilt = Vec::new();
            for t in moments.tensors() {
                let old_values = read(t).await?;
                let values: Vec<f32> = match sources {
                    None => old_values,
                    Some(sources) => sources
                        .iter()
                        .map(|src| src.iter().map(|(i, w)| old_values.get(*i).copied().unwrap_or(0.0) * w).sum())
                        .collect(),
                };
                let n = values.len();
                rebuilt.push(Tensor::from_data(TensorData::new(values, [n]), device));
            }
            states.insert(ParamId::from(*new_id), moments.with_tensors(rebuilt));
        }
        Ok(Optimiser { rule: self.rule.clone(), states })
    }
}

/// Where a step's gradients come from.
enum Grads<'a> {
    /// burn's autodiff, by parameter.
    Burn(&'a mut GradientsParams),
    /// The host, by parameter (a handful: a linear search beats hashing).
    Host(&'a mut Vec<(ParamId, Vec<f32>)>),
}

impl Grads<'_> {
    /// The gradient of parameter `id` as a tensor (burn's) or as numbers (the host's).
    fn take<const D: usize>(&mut self, id: ParamId) -> Option<Gradient<D>> {
        match self {
            Grads::Burn(g) => g.remove::<D>(id).map(Gradient::Tensor),
            Grads::Host(g) => {
                let at = g.iter().position(|(p, _)| *p == id)?;
                Some(Gradient::Host(g.swap_remove(at).1))
            }
        }
    }
}

enum Gradient<const D: usize> {
    Tensor(Tensor<D>),
    Host(Vec<f32>),
}

impl<const D: usize> Gradient<D> {
    /// Its numbers, row-major, when they can be read without a device read (host gradients, and
    /// burn's on the CPU backend).
    fn host(&self) -> Option<std::borrow::Cow<'_, [f32]>> {
        match self {
            Gradient::Host(v) => Some(std::borrow::Cow::Borrowed(v)),
            Gradient::Tensor(t) => crate::layers::fused::bridge::host_values(t).map(std::borrow::Cow::Owned),
        }
    }

    /// As a tensor shaped `dims` on `device`.
    fn tensor(self, dims: [usize; D], device: &burn::tensor::Device) -> Tensor<D> {
        match self {
            Gradient::Tensor(t) => t,
            Gradient::Host(v) => Tensor::from_data(TensorData::new(v, dims), device),
        }
    }
}

/// Visits the parameters of a network and replaces each by its updated value.
struct Stepper<'a> {
    optimiser: &'a mut Optimiser,
    grads: Grads<'a>,
    lr: f64,
}

impl ModuleMapper for Stepper<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.take::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let require_grad = tensor.is_require_grad();
        let dims = tensor.dims();
        let value = tensor.inner();
        let state = self.optimiser.states.remove(&id);
        // On the CPU backend, burn's Adam in one host loop (same numbers, `host_adam`); the state
        // comes back from a host step that cannot run, and burn's own step takes it.
        let (hosted, state) = match (&self.optimiser.rule, state) {
            (Rule::Adam(_), state @ (None | Some(Moments::Adam(_)))) => {
                let adam = if let Some(Moments::Adam(s)) = state { Some(s) } else { None };
                match grad.host() {
                    Some(g) => match crate::host_adam::step(self.lr, &value, &g, adam) {
                        Ok((t, s)) => (Some(t), Some(Moments::Adam(s))),
                        Err(s) => (None, s.map(Moments::Adam)),
                    },
                    None => (None, adam.map(Moments::Adam)),
                }
            }
            (_, state) => (None, state),
        };
        let (updated, state) = match hosted {
            Some(t) => (t, state),
            None => {
                let n = dims.iter().product::<usize>();
                let grad = grad.tensor(dims, &value.device()).reshape([n]);
                let (updated, state) = self.tensor_step(value.reshape([n]), grad, state);
                (updated.reshape(dims), state)
            }
        };
        if let Some(state) = state {
            self.optimiser.states.insert(id, state);
        }
        let updated = Tensor::from_inner(updated);
        let track = require_grad && matches!(self.grads, Grads::Burn(_));
        Param::from_mapped_value(id, if track { updated.require_grad() } else { updated }, mapper)
    }
}

impl Stepper<'_> {
    /// burn's own step of the rule on a flattened parameter and gradient.
    fn tensor_step(&self, value: Tensor<1>, grad: Tensor<1>, state: Option<Moments>) -> (Tensor<1>, Option<Moments>) {
        match (&self.optimiser.rule, state) {
            (Rule::Adam(o), s) => {
                let (t, s2) = o.step(self.lr, value, grad, s.and_then(|s| if let Moments::Adam(s) = s { Some(s) } else { None }));
                (t, s2.map(Moments::Adam))
            }
            (Rule::Sgd(o), s) => {
                let (t, s2) = o.step(self.lr, value, grad, s.and_then(|s| if let Moments::Sgd(s) = s { Some(s) } else { None }));
                (t, s2.map(Moments::Sgd))
            }
            (Rule::Lion(o), s) => {
                let (t, s2) = o.step(self.lr, value, grad, s.and_then(|s| if let Moments::Lion(s) = s { Some(s) } else { None }));
                (t, s2.map(Moments::Lion))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::optim::{AdamConfig, GradientsParams, LionConfig, SgdConfig};
    use burn::tensor::Device;

    use super::*;
    use crate::network::{Family, NetworkSpec, Normalization};
    use crate::snapshot::{Snapshot, Weights};
    use crate::train::{matrix, mse};

    fn weights(net: &Network) -> Snapshot {
        pollster::block_on(Snapshot::take(net)).unwrap()
    }

    /// Step for step, the same weights as burn's module optimiser with the same rule.
    #[test]
    fn steps_equal_burns_module_optimiser() {
        let device = Device::flex().autodiff();
        let x = matrix(&(0..64).map(|i| (i as f32 / 32.0) - 1.0).collect::<Vec<_>>(), 1, &device);
        let y = matrix(&(0..64).map(|i| (i as f32 / 10.0).sin()).collect::<Vec<_>>(), 1, &device);
        for family in [
            Family::Pwl { knots: 6, learn_positions: true, per_synapse: false },
            Family::Mlp { activation: crate::layers::Activation::Tanh, bias: true },
        ] {
            let spec = NetworkSpec { family, widths: vec![1, 4, 1], input_domain: (-1.0, 1.0), normalization: Normalization::None, input_segments: None, output_segments: None };
            for kind in [OptimizerKind::Adam, OptimizerKind::Sgd, OptimizerKind::Lion] {
                let mut burns = match kind {
                    OptimizerKind::Adam => AdamConfig::new().init(),
                    OptimizerKind::Sgd => SgdConfig::new().init(),
                    OptimizerKind::Lion => LionConfig::new().init(),
                };
                let mut ours = Optimiser::new(kind);
                let (mut a, mut b) = (Network::new(&spec, 3, &device), Network::new(&spec, 3, &device));
                for _ in 0..25 {
                    let grads = GradientsParams::from_grads(mse(a.forward(x.clone()), y.clone()).backward(), &a);
                    a = burns.step(0.01, a, grads);
                    let grads = GradientsParams::from_grads(mse(b.forward(x.clone()), y.clone()).backward(), &b);
                    b = ours.step(0.01, b, grads);
                }
                assert_eq!(weights(&a), weights(&b), "{kind:?} on {:?}", spec.family);
            }
        }
    }
}
