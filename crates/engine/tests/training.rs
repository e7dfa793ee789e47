//! The default experiment trains on the CPU backend, and a seed reproduces a run bit for bit.

use playground_engine::build::Build;
use burn::tensor::Device;
use playground_engine::experiment::{Experiment, NetKind};

/// Losses of the first `steps` steps of an experiment, read back after every step.
fn losses(e: &Experiment, steps: usize) -> Vec<f32> {
    let (_, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
    (0..steps).map(|_| trainer.step().into_data().try_to_vec::<f32>().unwrap()[0]).collect()
}

#[test]
fn default_experiment_loss_falls_tenfold() {
    let l = losses(&Experiment::default(), 300);
    let (first, last) = (l[0], *l.last().unwrap());
    println!("default experiment: loss {first:.4e} -> {last:.4e} in 300 steps");
    assert!(last * 10.0 < first, "loss only went from {first} to {last}");
}

#[test]
fn every_builtin_dataset_and_both_families_train() {
    for dataset in ["sine", "square", "zigzag", "elbow", "line", "line0", "noisy"] {
        for net in [NetKind::Pwl, NetKind::Mlp] {
            let e = Experiment {
                dataset: dataset.into(),
                net,
                width: 8,
                depth: 1,
                learning_rate: if net == NetKind::Pwl { 0.05 } else { 0.02 },
                ..Experiment::default()
            };
            let l = losses(&e, 200);
            let (first, last) = (l[0], *l.last().unwrap());
            assert!(last.is_finite() && last < first, "{dataset}/{net:?}: {first} -> {last}");
        }
    }
}

#[test]
fn same_seed_gives_bit_identical_losses() {
    let e = Experiment { batch: 16, noise: 0.1, width: 4, depth: 1, ..Experiment::default() };
    let a = losses(&e, 40);
    let b = losses(&e, 40);
    assert_eq!(a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), b.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    let c = losses(&Experiment { init_seed: 2, ..e }, 40);
    assert_ne!(a, c, "a different init seed must change the run");
}

#[test]
fn every_family_fits_a_sine_a_hundredfold() {
    // fit1d_tiny-like: sin(3x) on [−1, 1], 256 points, full batch, Adam.
    let base = Experiment {
        dataset: "formula".into(),
        formula: "sin(3*x)".into(),
        points: 256,
        test_fraction: 0.0,
        ..Experiment::default()
    };
    let cases = [
        (NetKind::Pwl, 16, 0, 0.05),
        (NetKind::Continuous, 3, 8, 0.05),
        (NetKind::Discontinuous, 3, 8, 0.05),
        (NetKind::Polynomial, 8, 1, 0.05),
        (NetKind::Fourier, 21, 1, 0.05),
    ];
    for (net, n, segments, lr) in cases {
        let e = Experiment { net, knots: 16, n, segments, learning_rate: lr, ..base.clone() };
        let l = losses(&e, 500);
        let (first, best) = (l[0], l.iter().cloned().fold(f32::INFINITY, f32::min));
        println!("{net:?}: loss {first:.3e} -> {best:.3e}");
        assert!(best * 100.0 < first, "{net:?}: loss only went from {first} to {best}");
    }
    // The originals' layouts: a knot grid per synapse, learned (the legacy layer) and fixed (the
    // adaptive layer, whose positions only structural operations change), in a 1 → 4 → 1 network.
    for learn in [true, false] {
        let e = Experiment { synapse_knots: true, learn_knots: learn, knots: 16, depth: 1, width: 4, learning_rate: 0.02, ..base.clone() };
        let l = losses(&e, 500);
        let (first, best) = (l[0], l.iter().cloned().fold(f32::INFINITY, f32::min));
        println!("per-synapse knots (learned positions: {learn}): loss {first:.3e} -> {best:.3e}");
        assert!(best * 100.0 < first, "per-synapse (learn {learn}): loss only went from {first} to {best}");
    }
}
