//! `cargo run --release -p playground-engine --example step_profile`: where a training step's time
//! goes on the native CPU backend — forward pass, backward pass, optimiser update — for the
//! `field_deep` network (TF Playground's deep shape, batch 10) and its tanh twin through burn's
//! autodiff, then `Trainer::step` as a run takes it (for the piecewise-linear network with Adam:
//! on the host between steps, `host_mirror`), and the cost of single operations for scale. The profile behind the fused
//! kernels (docs/benchmarks.md, "Fused kernels").

use std::time::Instant;

use burn::optim::GradientsParams;
use burn::tensor::Device;
use playground_engine::build::Build;
use playground_engine::experiment::NetKind;
use playground_engine::optim::Optimiser;
use playground_engine::train::{matrix, objective, Loss, OptimizerKind};

const STEPS: usize = 3000;

fn microseconds(total_s: f64) -> f64 {
    total_s / STEPS as f64 * 1e6
}

fn profile(net: NetKind, device: &Device) {
    let e = playground_engine::bench::field_deep_experiment(net);
    let (_, trainer) = e.build_field(device).expect("the spiral builds");
    let mut network = trainer.network().clone();
    let x = matrix(&(0..40).map(|i| (i as f32 * 0.37).sin()).collect::<Vec<_>>(), 4, device);
    let y = matrix(&(0..10).map(|i| (i as f32 * 0.7).cos()).collect::<Vec<_>>(), 1, device);
    let mut optimiser = Optimiser::new(OptimizerKind::Adam);
    let (mut forward, mut backward, mut update) = (0.0, 0.0, 0.0);
    for _ in 0..STEPS {
        let t = Instant::now();
        let loss = objective(Loss::Mse, network.forward(x.clone()), y.clone());
        forward += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &network);
        backward += t.elapsed().as_secs_f64();
        let t = Instant::now();
        network = optimiser.step(0.02, network, grads);
        update += t.elapsed().as_secs_f64();
    }
    let (f, b, u) = (microseconds(forward), microseconds(backward), microseconds(update));
    println!("{net:?} 4→8×6→1, batch 10: forward {f:.1} µs, backward {b:.1} µs, optimiser {u:.1} µs; {:.0} steps/s", 1e6 / (f + b + u));
    let (_, mut trainer) = e.build_field(device).expect("the spiral builds");
    let t = Instant::now();
    for _ in 0..STEPS {
        let _ = trainer.step();
    }
    println!("  Trainer::step with its mini-batches (a run's step): {:.1} µs", microseconds(t.elapsed().as_secs_f64()));
}

fn main() {
    let device = Device::flex().autodiff();
    profile(NetKind::Pwl, &device);
    profile(NetKind::Mlp, &device);
    let x = matrix(&(0..80).map(|i| (i as f32 * 0.37).sin()).collect::<Vec<_>>(), 8, &device);
    let t = Instant::now();
    for _ in 0..STEPS {
        let _ = x.clone().abs();
    }
    println!("for scale: one elementwise operation on [10, 8] with autodiff {:.2} µs", microseconds(t.elapsed().as_secs_f64()));
}
