//! Autodiff gradients of every synapse family agree with central finite differences.

use burn::tensor::{Device, Tensor, TensorData};
use piecewise_playground::core::layers::fourier::FourierSeries;
use piecewise_playground::core::layers::lagrange::{Continuity, PiecewisePolynomial};
use piecewise_playground::core::layers::PiecewiseLinear;
use piecewise_playground::core::rng::{stream, Stream};
use rand::Rng;

const XS: [f32; 8] = [-0.83, -0.41, -0.07, 0.12, 0.36, 0.58, 0.77, 0.95];

/// d/dx of sum(f(x)) by autodiff and by central differences, at inputs away from knots/segment ends.
fn check_input_gradient(f: impl Fn(Tensor<2>) -> Tensor<2>, device: &Device) {
    let x = Tensor::<2>::from_data(TensorData::new(XS.to_vec(), [4, 2]), device).require_grad();
    let grads = f(x.clone()).sum().backward();
    let auto = x.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
    let h = 1e-3f32;
    for i in 0..XS.len() {
        let shifted = |d: f32| {
            let mut v = XS.to_vec();
            v[i] += d;
            f(Tensor::<2>::from_data(TensorData::new(v, [4, 2]), device)).sum().into_data().try_to_vec::<f32>().unwrap()[0]
        };
        let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
        assert!((auto[i] - numeric).abs() < 2e-2 * (1.0 + numeric.abs()), "x[{i}]: autodiff {} vs finite difference {numeric}", auto[i]);
    }
}

#[test]
fn every_family_matches_finite_differences() {
    let device = Device::flex().autodiff();
    let mut rng = stream(11, Stream::Init);
    let mut weights = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-1.0..1.0)).collect() };
    for continuity in [Continuity::Continuous, Continuity::Discontinuous] {
        let k = piecewise_playground::core::layers::lagrange::weights_per_synapse(4, 3, continuity);
        let layer = PiecewisePolynomial::from_weights(weights(3 * 2 * k), 3, 2, 4, 3, continuity, None, &device);
        check_input_gradient(|x| layer.forward(x), &device);
    }
    let fourier = FourierSeries::from_weights(weights(3 * 2 * 5), 3, 2, 5, &device);
    check_input_gradient(|x| fourier.forward(x), &device);
    let logits = vec![0.2, -0.3, 0.5, 0.1, -0.4, 0.3, 0.0, 0.2, 0.1, -0.2];
    let pwl = PiecewiseLinear::from_parts(logits, weights(2 * 6 * 3), 2, 6, 3, (-1.0, 1.0), true, &device);
    check_input_gradient(|x| pwl.forward(x), &device);
}
