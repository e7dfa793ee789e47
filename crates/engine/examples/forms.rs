//! `cargo run --release --example forms`: training steps per second of single piecewise layers on
//! the native CPU backend in each form (`layers::form`), the measurements behind `Form::choose`.
//! One line per layer shape; results in docs/benchmarks.md ("Dense or gathered", "Fused kernels").

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use playground_engine::layers::form::Form;
use playground_engine::layers::lagrange::{weights_per_synapse, Continuity, PiecewisePolynomial};
use playground_engine::layers::pwl::PiecewiseLinear;
use playground_engine::rng::{stream, Stream};
use rand::Rng;
use std::time::Instant;

/// Adam steps per second over about a second of training `layer` towards zero.
fn steps_per_second<M: Module + Clone>(
    mut layer: M,
    forward: impl Fn(&M, Tensor<2>) -> Tensor<2>,
    batch: usize,
    inputs: usize,
    outputs: usize,
    device: &Device,
) -> f64 {
    let xs: Vec<f32> = (0..batch * inputs).map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0).collect();
    let x = Tensor::<2>::from_data(TensorData::new(xs, [batch, inputs]), device);
    let y = Tensor::<2>::zeros([batch, outputs], device);
    let mut optim = AdamConfig::new().init();
    let (t, mut steps) = (Instant::now(), 0);
    while t.elapsed().as_secs_f64() < 1.0 {
        let loss = (forward(&layer, x.clone()) - y.clone()).powf_scalar(2.0).mean();
        let grads = GradientsParams::from_grads(loss.backward(), &layer);
        layer = optim.step(0.01, layer, grads);
        steps += 1;
    }
    steps as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    let device = Device::flex().autodiff();
    println!("piecewise linear (batch, in → out, knots, grids):");
    for (batch, inputs, outputs, knots, per_synapse) in [
        (256, 1, 1, 16, false),
        (1024, 1, 16, 32, false),
        (1024, 16, 1, 32, false),
        (1024, 16, 16, 12, false),
        (200, 1, 8, 12, false),
        (1024, 2, 64, 8, false),
        (1024, 2, 40, 4, false),
        (1024, 1, 16, 32, true),
        (1024, 16, 1, 32, true),
        (200, 4, 4, 6, true),
    ] {
        let mut line = format!(
            "  {batch:>5}, {inputs:>2} → {outputs:<2}, P = {knots:<2} {}:",
            if per_synapse { "per synapse" } else { "per input  " }
        );
        for form in Form::ALL {
            let layer = PiecewiseLinear::new(inputs, outputs, knots, (-1.0, 1.0), true, per_synapse, &mut stream(1, Stream::Init), &device);
            let sps = steps_per_second(layer, |l, x| l.forward_in(x, form), batch, inputs, outputs, &device);
            line += &format!("  {form:?} {sps:>6.0}/s");
        }
        println!("{line}");
    }
    println!("continuous piecewise Lagrange (batch, in → out, n, segments):");
    for (batch, inputs, outputs, n, segments) in
        [(1024, 2, 40, 3, 100), (1024, 40, 3, 3, 2), (1024, 2, 40, 5, 4), (200, 1, 16, 3, 8), (1024, 8, 64, 3, 2)]
    {
        let mut line = format!("  {batch:>5}, {inputs:>2} → {outputs:<2}, n = {n}, S = {segments:<3}:");
        let k = weights_per_synapse(n, segments, Continuity::Continuous);
        let mut rng = stream(1, Stream::Init);
        let w: Vec<f32> = (0..outputs * inputs * k).map(|_| rng.random_range(-0.5..0.5)).collect();
        for form in Form::ALL {
            let layer = PiecewisePolynomial::from_weights(w.clone(), outputs, inputs, n, segments, Continuity::Continuous, None, &device);
            let sps = steps_per_second(layer, |l, x| l.forward_in(x, form), batch, inputs, outputs, &device);
            line += &format!("  {form:?} {sps:>6.0}/s");
        }
        println!("{line}");
    }
}
