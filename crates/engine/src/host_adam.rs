//! burn's Adam step, elementwise on the host, for parameters on the CPU backend.
//!
//! burn's `Adam::step` is thirteen tensor operations per parameter (moments, bias corrections,
//! square root, division, update), each allocating its result; for a network of a few hundred
//! weights that is most of an optimiser step. Here the same `f32` operations run in the same
//! order in one loop, so the numbers are bit-identical to burn's (`optim`'s test compares them
//! step for step with burn's own module optimiser), in a fraction of the time.

use burn::optim::{AdamState, AdaptiveMomentumState};
use burn::tensor::{Device, Tensor, TensorData};

use crate::layers::fused::bridge::host_values;

/// burn's `AdamConfig` defaults (`optim::Optimiser::new` builds Adam from them).
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;

/// The updated parameter and state, or `None` when the tensors are not all on the CPU backend
/// (the caller then runs burn's step). `value` and `grad` are flattened and without autodiff.
pub fn step(lr: f64, value: &Tensor<1>, grad: &Tensor<1>, state: Option<&AdamState<1>>) -> Option<(Tensor<1>, AdamState<1>)> {
    if state.is_some_and(|s| s.momentum.max_moment_2.is_some()) {
        return None;
    }
    let mut theta = host_values(value)?;
    let g = host_values(grad)?;
    let (mut m1, mut m2, time) = match state {
        Some(s) => (host_values(&s.momentum.moment_1)?, host_values(&s.momentum.moment_2)?, s.momentum.time + 1),
        None => (vec![0.0; g.len()], vec![0.0; g.len()], 1),
    };
    if m1.len() != g.len() || m2.len() != g.len() || theta.len() != g.len() {
        return None;
    }
    let (f1, f2) = (1.0 - BETA_1, 1.0 - BETA_2);
    let bias_correction2_sqrt = (1.0 - BETA_2.powi(time as i32)).sqrt();
    let combined = bias_correction2_sqrt / (1.0 - BETA_1.powi(time as i32));
    let eps = EPSILON * bias_correction2_sqrt;
    let lr = lr as f32;
    let first = state.is_none();
    for (((t, &g), m1), m2) in theta.iter_mut().zip(&g).zip(&mut m1).zip(&mut m2) {
        // burn: m1 = m1·β1 + g·(1 − β1) (just g·(1 − β1) the first time), likewise m2 with g².
        *m1 = if first { g * f1 } else { *m1 * BETA_1 + g * f1 };
        *m2 = if first { (g * g) * f2 } else { *m2 * BETA_2 + (g * g) * f2 };
        let update = (*m1 * combined) / (m2.sqrt() + eps);
        *t -= update * lr;
    }
    let device = Device::flex();
    let n = g.len();
    let tensor = |v: Vec<f32>| Tensor::<1>::from_data(TensorData::new(v, [n]), &device);
    let state = AdamState::new(AdaptiveMomentumState::new(time, tensor(m1), tensor(m2)));
    Some((tensor(theta), state))
}
