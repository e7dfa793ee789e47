//! The default experiment trains on the CPU backend, and a seed reproduces a run bit for bit.

use burn::tensor::Device;
use piecewise_playground::core::experiment::{Experiment, NetKind};
use piecewise_playground::core::network::Network;
use piecewise_playground::core::train::Trainer;

/// Losses of the first `steps` steps of an experiment, read back after every step.
fn losses(e: &Experiment, steps: usize) -> Vec<f32> {
    let device = Device::flex().autodiff();
    let samples = e.dataset_for(e.target().unwrap()).sample();
    let net = Network::new(&e.network_spec(samples.x_range), e.init_seed, &device);
    let mut trainer = Trainer::new(net, &samples, e.train_config(), &device);
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
