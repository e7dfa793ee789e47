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

/// The updated parameter and state; the state back, untouched, when the tensors are not all
/// contiguous `f32` tensors on the CPU backend (the caller then runs burn's step). `value` and
/// `grad` are flattened and without autodiff.
pub fn step(lr: f64, value: &Tensor<1>, grad: &Tensor<1>, state: Option<AdamState<1>>) -> Result<(Tensor<1>, AdamState<1>), Option<AdamState<1>>> {
    let usable = |t: &Tensor<1>| !t.is_autodiff() && runs_on(&t.device()) && t.dtype() == DType::F32;
    let moments_usable = state.as_ref().is_none_or(|s| {
        s.momentum.max_moment_2.is_none() && usable(&s.momentum.moment_1) && usable(&s.momentum.moment_2)
    });
    if !usable(value) || !usable(grad) || !moments_usable {
        return Err(state);
    }
    let (Some(mut theta), Some(g)) = (flex(value.clone()), flex(grad.clone())) else { return Err(state) };
    let n = g.layout().shape().num_elements();
    let first = state.is_none();
    // The moments are taken over (not cloned), so they are written in place unless a timeline
    // mark still holds them (then `storage_mut` copies them first).
    let (m1, m2, time) = match state {
        Some(s) => (flex(s.momentum.moment_1), flex(s.momentum.moment_2), s.momentum.time + 1),
        None => (Some(FlexTensor::zeros(vec![n].into(), DType::F32)), Some(FlexTensor::zeros(vec![n].into(), DType::F32)), 1),
    };
    let (Some(mut m1), Some(mut m2)) = (m1, m2) else { return Err(None) };
    let Some(g) = g.as_slice::<f32>() else { return Err(None) };
    let (theta_s, m1_s, m2_s) = (theta.storage_mut::<f32>(), m1.storage_mut::<f32>(), m2.storage_mut::<f32>());
    if theta_s.len() != n || m1_s.len() != n || m2_s.len() != n {
        return Err(None);
    }
    let (f1, f2) = (1.0 - BETA_1, 1.0 - BETA_2);
    let bias_correction2_sqrt = (1.0 - BETA_2.powi(time as i32)).sqrt();
    let combined = bias_correction2_sqrt / (1.0 - BETA_1.powi(time as i32));
    let eps = EPSILON * bias_correction2_sqrt;
    let lr = lr as f32;
    for (((t, &g), m1), m2) in theta_s.iter_mut().zip(g).zip(m1_s.iter_mut()).zip(m2_s.iter_mut()) {
        // burn: m1 = m1·β1 + g·(1 − β1) (just g·(1 − β1) the first time), likewise m2 with g².
        *m1 = if first { g * f1 } else { *m1 * BETA_1 + g * f1 };
        *m2 = if first { (g * g) * f2 } else { *m2 * BETA_2 + (g * g) * f2 };
        let update = (*m1 * combined) / (m2.sqrt() + eps);
        *t -= update * lr;
    }
    let tensor = |t: FlexTensor| Tensor::<1>::from_primitive::<Flex>(t);
    let state = AdamState::new(AdaptiveMomentumState::new(time, tensor(m1), tensor(m2)));
    Ok((tensor(theta), state))
}

/// The flex tensor behind `t`: its storage, not a copy, when that holds exactly its numbers in
/// order (`storage_mut` is the whole buffer); otherwise a compact copy.
fn flex(t: Tensor<1>) -> Option<FlexTensor> {
    let p = t.try_into_primitive::<Flex>().ok()?;
    let layout = p.layout();
    let exact = p.is_contiguous() && layout.start_offset() == 0 && p.bytes().len() == layout.num_elements() * 4;
    Some(if exact { p } else { FlexTensor::from_data(p.into_data()) })
}
