//! Autodiff gradients of every synapse family agree with central finite differences.

use burn::tensor::{Device, Tensor, TensorData};
use playground_engine::layers::fourier::FourierSeries;
use playground_engine::layers::lagrange::{Continuity, PiecewisePolynomial};
use playground_engine::layers::PiecewiseLinear;
use playground_engine::rng::{stream, Stream};
use rand::Rng;

const XS: [f32; 8] = [-0.83, -0.41, -0.07, 0.12, 0.36, 0.58, 0.77, 0.95];

/// d/dx of sum(f(x)) by autodiff and by central differences, at inputs away from knots/segment ends.
fn check_input_gradient(f: impl Fn(Tensor<2>) -> Tensor<2>, device: &Device) {
    let x = Tensor::<2>::from_data(TensorData::new(XS.to_vec(), [4, 2]), device).require_grad();
    let grads = f(x.clone()).sum().backward();
    let auto = x.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
    let total = |v: &[f32]| {
        f(Tensor::<2>::from_data(TensorData::new(v.to_vec(), [4, 2]), device)).sum().into_data().try_to_vec::<f32>().unwrap()[0]
    };
    agrees_with_central_differences("x", &auto, &XS, 2e-2, total);
}

#[test]
fn every_family_matches_finite_differences() {
    let device = Device::flex().autodiff();
    let mut rng = stream(11, Stream::Init);
    let mut weights = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-1.0..1.0)).collect() };
    for continuity in [Continuity::Continuous, Continuity::Discontinuous] {
        let k = playground_engine::layers::lagrange::weights_per_synapse(4, 3, continuity);
        let layer = PiecewisePolynomial::from_weights(weights(3 * 2 * k), 3, 2, 4, 3, continuity, None, &device);
        check_input_gradient(|x| layer.forward(x), &device);
    }
    let fourier = FourierSeries::from_weights(weights(3 * 2 * 5), 3, 2, 5, &device);
    check_input_gradient(|x| fourier.forward(x), &device);
    let logits = vec![0.2, -0.3, 0.5, 0.1, -0.4, 0.3, 0.0, 0.2, 0.1, -0.2];
    let pwl = PiecewiseLinear::from_parts(logits, weights(2 * 6 * 3), 2, 6, 3, (-1.0, 1.0), true, false, &device);
    check_input_gradient(|x| pwl.forward(x), &device);
    let logits: Vec<f32> = weights(2 * 3 * 5);
    let per_synapse = PiecewiseLinear::from_parts(logits, weights(2 * 6 * 3), 2, 6, 3, (-1.0, 1.0), true, true, &device);
    check_input_gradient(|x| per_synapse.forward(x), &device);
}

/// Gradients of the knot positions (through the width logits) and values of a layer with a grid
/// per synapse agree with central differences.
#[test]
fn per_synapse_knot_gradients_match_finite_differences() {
    let device = Device::flex().autodiff();
    let mut rng = stream(12, Stream::Init);
    let (inputs, knots, outputs) = (2, 5, 2);
    let logits: Vec<f32> = (0..inputs * outputs * (knots - 1)).map(|_| rng.random_range(-0.5..0.5)).collect();
    let values: Vec<f32> = (0..inputs * knots * outputs).map(|_| rng.random_range(-1.0..1.0)).collect();
    let x = |d: &Device| Tensor::<2>::from_data(TensorData::new(XS.to_vec(), [4, 2]), d);
    let total = |l: &[f32], v: &[f32]| -> f32 {
        let layer = PiecewiseLinear::from_parts(l.to_vec(), v.to_vec(), inputs, knots, outputs, (-1.0, 1.0), true, true, &Device::flex());
        // A weighted sum so that every output matters differently.
        let y = layer.forward(x(&Device::flex())).into_data().try_to_vec::<f32>().unwrap();
        y.iter().enumerate().map(|(k, v)| v * (1.0 + 0.1 * k as f32)).sum()
    };
    let layer = PiecewiseLinear::from_parts(logits.clone(), values.clone(), inputs, knots, outputs, (-1.0, 1.0), true, true, &device);
    let y = layer.forward(x(&device));
    let w: Vec<f32> = (0..8).map(|k| 1.0 + 0.1 * k as f32).collect();
    let grads = (y * Tensor::<2>::from_data(TensorData::new(w, [4, 2]), &device)).sum().backward();
    let auto_l = layer.width_logits.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
    let auto_v = layer.values.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
    let logit_total = |l: &[f32]| total(l, &values);
    let value_total = |v: &[f32]| total(&logits, v);
    agrees_with_central_differences("logit", &auto_l, &logits, 2e-2, logit_total);
    agrees_with_central_differences("value", &auto_v, &values, 1e-2, value_total);
}

/// Every entry of `auto` (an autodiff gradient of `f` at `params`) within `tolerance·(1 + |numeric|)`
/// of the central difference with step 1e-3.
fn agrees_with_central_differences(what: &str, auto: &[f32], params: &[f32], tolerance: f32, f: impl Fn(&[f32]) -> f32) {
    let h = 1e-3f32;
    for k in 0..params.len() {
        let (mut up, mut down) = (params.to_vec(), params.to_vec());
        up[k] += h;
        down[k] -= h;
        let numeric = (f(&up) - f(&down)) / (2.0 * h);
        assert!((auto[k] - numeric).abs() < tolerance * (1.0 + numeric.abs()), "{what} {k}: {} vs {numeric}", auto[k]);
    }
}
