//! burn's Adam step, elementwise on the host, for parameters on the CPU backend.
//!
//! burn's `Adam::step` is thirteen tensor operations per parameter (moments, bias corrections,
//! square root, division, update), each allocating its result; for a network of a few hundred
//! weights that is most of an optimiser step. Here the same `f32` operations run in the same
//! order in one loop, so the numbers are bit-identical to burn's (`optim`'s test compares them
//! step for step with burn's own module optimiser), in a fraction of the time.

use burn::backend::flex::FlexTensor;
use burn::backend::Flex;
use burn::optim::{AdamState, AdaptiveMomentumState};
use burn::tensor::{DType, Tensor};

use crate::layers::fused::bridge::runs_on;

/// burn's `AdamConfig` defaults (`optim::Optimiser::new` builds Adam from them).
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;

/// The updated parameter (same shape as `value`) and state, from the gradient's numbers in
/// row-major order; the state back, untouched, when the tensors are not all contiguous `f32`
/// tensors on the CPU backend or the sizes differ (the caller then runs burn's step). `value` is
/// without autodiff; the moments are kept flattened, as burn's step over a flattened parameter
/// keeps them.
pub fn step<const D: usize>(lr: f64, value: &Tensor<D>, grad: &[f32], state: Option<AdamState<1>>) -> Result<(Tensor<D>, AdamState<1>), Option<AdamState<1>>> {
    let moments_usable = state.as_ref().is_none_or(|s| {
        s.momentum.max_moment_2.is_none() && usable(&s.momentum.moment_1) && usable(&s.momentum.moment_2)
    });
    if !usable(value) || !moments_usable {
        return Err(state);
    }
    let Some(mut theta) = flex(value.clone()) else { return Err(state) };
    let n = grad.len();
    if theta.layout().num_elements() != n || state.as_ref().is_some_and(|s| s.momentum.moment_1.dims() != [n] || s.momentum.moment_2.dims() != [n]) {
        return Err(state);
    }
    let first = state.is_none();
    // The moments are taken over (not cloned), so they are written in place unless a timeline
    // mark still holds them (then `storage_mut` copies them first). The parameter's storage is
    // still the network's, so `storage_mut` copies it: the old weights stay as they were.
    let (m1, m2, time) = match state {
        Some(s) => (flex(s.momentum.moment_1), flex(s.momentum.moment_2), s.momentum.time + 1),
        None => (Some(FlexTensor::zeros(vec![n].into(), DType::F32)), Some(FlexTensor::zeros(vec![n].into(), DType::F32)), 1),
    };
    let (Some(mut m1), Some(mut m2)) = (m1, m2) else { return Err(None) };
    let (theta_s, m1_s, m2_s) = (theta.storage_mut::<f32>(), m1.storage_mut::<f32>(), m2.storage_mut::<f32>());
    if theta_s.len() != n || m1_s.len() != n || m2_s.len() != n {
        return Err(None);
    }
    update(lr, time, theta_s, grad, m1_s, m2_s, first);
    let moment = |t: FlexTensor| Tensor::<1>::from_primitive::<Flex>(t);
    let state = AdamState::new(AdaptiveMomentumState::new(time, moment(m1), moment(m2)));
    Ok((Tensor::from_primitive::<Flex>(theta), state))
}

/// burn's Adam update of `theta` in place, at step `time` (1 for the first), with its moments
/// (ignored and overwritten on the first step, which starts them from zero).
pub fn update(lr: f64, time: usize, theta: &mut [f32], grad: &[f32], m1: &mut [f32], m2: &mut [f32], first: bool) {
    let (f1, f2) = (1.0 - BETA_1, 1.0 - BETA_2);
    let bias_correction2_sqrt = (1.0 - BETA_2.powi(time as i32)).sqrt();
    let combined = bias_correction2_sqrt / (1.0 - BETA_1.powi(time as i32));
    let eps = EPSILON * bias_correction2_sqrt;
    let lr = lr as f32;
    for (((t, &g), m1), m2) in theta.iter_mut().zip(grad).zip(m1.iter_mut()).zip(m2.iter_mut()) {
        // burn: m1 = m1·β1 + g·(1 − β1) (just g·(1 − β1) the first time), likewise m2 with g².
        *m1 = if first { g * f1 } else { *m1 * BETA_1 + g * f1 };
        *m2 = if first { (g * g) * f2 } else { *m2 * BETA_2 + (g * g) * f2 };
        let update = (*m1 * combined) / (m2.sqrt() + eps);
        *t -= update * lr;
    }
}

fn usable<const D: usize>(t: &Tensor<D>) -> bool {
    !t.is_autodiff() && runs_on(&t.device()) && t.dtype() == DType::F32
}

/// The flex tensor behind `t`: its storage, not a copy, when that holds exactly its numbers in
/// order (`storage_mut` is the whole buffer); otherwise a compact copy.
fn flex<const D: usize>(t: Tensor<D>) -> Option<FlexTensor> {
    let p = t.try_into_primitive::<Flex>().ok()?;
    let layout = p.layout();
    let exact = p.is_contiguous() && layout.start_offset() == 0 && p.bytes().len() == layout.num_elements() * 4;
    Some(if exact { p } else { FlexTensor::from_data(p.into_data()) })
}
