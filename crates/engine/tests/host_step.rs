//! A piecewise-linear network stepped on the host (`host_step`) goes through exactly the weights
//! and losses of burn's autodiff step, bit for bit: with every optimiser, both losses, shared and
//! per-synapse grids, learned and fixed knots, with and without max-abs, depths 0 to 6 — and
//! when the two kinds of step alternate on one network and one optimiser (the host step leaves the
//! parameters untracked; the autodiff step must turn tracking back on). A trainer with Adam keeps
//! the weights on the host between steps (`host_mirror`): the same numbers again, through
//! checkpoints and restores.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::Device;
use playground_engine::host_step;
use playground_engine::network::{Family, Network, NetworkSpec, Normalization};
use playground_engine::optim::Optimiser;
use playground_engine::rng::{stream, Stream};
use playground_engine::snapshot::{Snapshot, Weights};
use playground_engine::train::{matrix, objective, Loss, OptimizerKind};
use rand::Rng;

mod common;

fn weights(net: &Network) -> Snapshot {
    pollster::block_on(Snapshot::take(net)).expect("the CPU backend reads its weights")
}

/// burn's step, as `Trainer::step` takes it when the host step does not apply.
fn autodiff_step(net: Network, optim: &mut Optimiser, loss: Loss, lr: f64, (xs, ys): (&[f32], &[f32]), device: &Device) -> (Network, f32) {
    let net = if net.untracked() { net.valid().train() } else { net };
    let (inputs, outputs) = (net.spec.widths[0], *net.spec.widths.last().unwrap());
    let l = objective(loss, net.forward(matrix(xs, inputs, device)), matrix(ys, outputs, device));
    let grads = GradientsParams::from_grads(l.backward(), &net);
    let value = l.clone().into_data().try_to_vec::<f32>().unwrap()[0];
    (optim.step(lr, net, grads), value)
}

/// A random mini-batch: inputs in and beyond the first layer's domain; targets in [−1, 1], or
/// one-hot rows for the cross-entropy.
fn batch(rng: &mut impl Rng, rows: usize, inputs: usize, outputs: usize, loss: Loss) -> (Vec<f32>, Vec<f32>) {
    let xs = (0..rows * inputs).map(|_| rng.random_range(-1.8..1.8)).collect();
    let ys = match loss {
        Loss::Mse => (0..rows * outputs).map(|_| rng.random_range(-1.0..1.0)).collect(),
        Loss::CrossEntropy => (0..rows).flat_map(|_| {
            let class = rng.random_range(0..outputs);
            (0..outputs).map(move |k| if k == class { 1.0 } else { 0.0 })
        }).collect(),
    };
    (xs, ys)
}

#[test]
fn host_steps_equal_autodiff_steps_bit_for_bit() {
    let device = Device::flex().autodiff();
    let mut rng = stream(15, Stream::Data);
    let cases = [
        // (hidden layers, max-abs, per synapse, learned knots, knots, loss, outputs, optimiser, batch)
        (6, Normalization::MaxAbs, false, true, 8, Loss::Mse, 1, OptimizerKind::Adam, 10),
        (0, Normalization::None, false, true, 6, Loss::Mse, 1, OptimizerKind::Adam, 7),
        (2, Normalization::MaxAbs, true, true, 4, Loss::Mse, 2, OptimizerKind::Adam, 32),
        (3, Normalization::None, false, false, 5, Loss::Mse, 1, OptimizerKind::Sgd, 16),
        (1, Normalization::MaxAbs, false, true, 7, Loss::CrossEntropy, 3, OptimizerKind::Adam, 12),
        (6, Normalization::MaxAbs, true, false, 3, Loss::CrossEntropy, 4, OptimizerKind::Lion, 9),
        (2, Normalization::MaxAbs, false, true, 8, Loss::Mse, 1, OptimizerKind::Lion, 1),
    ];
    for (depth, normalization, per_synapse, learn_positions, knots, loss, outputs, kind, rows) in cases {
        let spec = common::pwl_spec(common::widths(3, depth, 6, outputs), knots, learn_positions, per_synapse, normalization);
        let what = format!("depth {depth}, {normalization:?}, per synapse {per_synapse}, learned knots {learn_positions}, {loss:?}, {kind:?}, batch {rows}");
        let lr = 0.03;
        let (mut by_autodiff, mut by_host, mut alternating) = (Network::new(&spec, 4, &device), Network::new(&spec, 4, &device), Network::new(&spec, 4, &device));
        let (mut o_autodiff, mut o_host, mut o_alternating) = (Optimiser::new(kind), Optimiser::new(kind), Optimiser::new(kind));
        for step in 0..40 {
            let (xs, ys) = batch(&mut rng, rows, 3, outputs, loss);
            let (next, expected) = autodiff_step(by_autodiff, &mut o_autodiff, loss, lr, (&xs, &ys), &device);
            by_autodiff = next;
            let (next, got) = host_step::step(&by_host, &mut o_host, loss, lr, &xs, &ys).expect("a piecewise-linear network on the CPU steps on the host");
            by_host = next;
            assert_eq!(got.to_bits(), expected.to_bits(), "{what}: the loss of step {step}");
            alternating = if step % 3 == 1 {
                autodiff_step(alternating, &mut o_alternating, loss, lr, (&xs, &ys), &device).0
            } else {
                host_step::step(&alternating, &mut o_alternating, loss, lr, &xs, &ys).unwrap().0
            };
            if step % 8 == 7 {
                let reference = weights(&by_autodiff);
                assert_eq!(weights(&by_host), reference, "{what}: host steps' weights after step {step}");
                assert_eq!(weights(&alternating), reference, "{what}: alternating steps' weights after step {step}");
            }
        }
        assert!(by_host.untracked(), "{what}: the host step leaves the parameters untracked");
        assert!(!by_autodiff.untracked(), "{what}");
    }
}

#[test]
fn the_host_step_declines_what_it_cannot_compute_and_changes_nothing() {
    let device = Device::flex().autodiff();
    let pwl = NetworkSpec {
        family: Family::Pwl { knots: 5, learn_positions: true, per_synapse: false },
        widths: vec![2, 4, 1],
        input_domain: (-1.0, 1.0),
        normalization: Normalization::MaxAbs,
        input_segments: None,
        output_segments: None,
    };
    let net = Network::new(&pwl, 1, &device);
    let mut optim = Optimiser::new(OptimizerKind::Adam);
    // Rows that do not fit the network: no step, and the optimiser has no state yet.
    assert!(host_step::step(&net, &mut optim, Loss::Mse, 0.01, &[0.1, 0.2, 0.3], &[0.5]).is_none());
    assert!(host_step::step(&net, &mut optim, Loss::Mse, 0.01, &[0.1, 0.2], &[0.5, 0.6]).is_none());
    assert!(host_step::step(&net, &mut optim, Loss::Mse, 0.01, &[], &[]).is_none());
    // Other families keep burn's autodiff step.
    let mlp = NetworkSpec { family: Family::Mlp { activation: playground_engine::layers::Activation::Tanh, bias: true }, ..pwl.clone() };
    assert!(host_step::step(&Network::new(&mlp, 1, &device), &mut optim, Loss::Mse, 0.01, &[0.1, 0.2], &[0.5]).is_none());
    // After all that, the first real step is the same as a fresh optimiser's.
    let (a, _) = host_step::step(&net, &mut optim, Loss::Mse, 0.01, &[0.1, 0.2], &[0.5]).unwrap();
    let (b, _) = host_step::step(&net, &mut Optimiser::new(OptimizerKind::Adam), Loss::Mse, 0.01, &[0.1, 0.2], &[0.5]).unwrap();
    assert_eq!(weights(&a), weights(&b));
    assert_ne!(weights(&a), weights(&net), "a step changes the weights");
}

/// A trainer's rows for `spec`: random inputs, and targets in [−1, 1] or one-hot rows.
fn rows_for(spec: &NetworkSpec, n: usize, loss: Loss, seed: u64) -> playground_engine::train::Rows {
    let mut rng = stream(seed, Stream::Data);
    let (inputs, outputs) = (spec.widths[0], *spec.widths.last().unwrap());
    let (x, y) = batch(&mut rng, n, inputs, outputs, loss);
    playground_engine::train::Rows { x, y, inputs, outputs }
}

fn spec(hidden: usize, outputs: usize, per_synapse: bool, learn_positions: bool) -> NetworkSpec {
    common::pwl_spec(common::widths(3, hidden, 6, outputs), 7, learn_positions, per_synapse, Normalization::MaxAbs)
}

fn config(loss: Loss, batch: usize) -> playground_engine::train::TrainConfig {
    playground_engine::train::TrainConfig { optimizer: OptimizerKind::Adam, loss, learning_rate: 0.02, batch, seed: 3 }
}

/// With Adam, a trainer keeps a piecewise-linear network's weights and moments on the host between
/// steps (`host_mirror`): its losses and weights are still those of burn's autodiff steps, bit for
/// bit, and looking at the network mid-way (which builds its tensors) changes nothing.
#[test]
fn a_trainer_on_the_host_matches_autodiff_steps_bit_for_bit() {
    use playground_engine::train::Trainer;
    let device = Device::flex().autodiff();
    for (spec, loss) in [(spec(4, 1, false, true), Loss::Mse), (spec(2, 3, true, true), Loss::CrossEntropy), (spec(1, 2, false, false), Loss::Mse)] {
        let rows = rows_for(&spec, 40, loss, 8);
        let mut trainer = Trainer::new(Network::new(&spec, 5, &device), rows.clone(), config(loss, 0), &device);
        let mut reference = Network::new(&spec, 5, &device);
        let mut optim = Optimiser::new(OptimizerKind::Adam);
        for step in 1..=30 {
            let got = trainer.step().into_data().try_to_vec::<f32>().unwrap()[0];
            let (next, expected) = autodiff_step(reference, &mut optim, loss, 0.02, (&rows.x, &rows.y), &device);
            reference = next;
            assert_eq!(got.to_bits(), expected.to_bits(), "{:?} {loss:?}: the loss of step {step}", spec.widths);
            if step % 7 == 0 || step == 30 {
                assert_eq!(weights(trainer.network()), weights(&reference), "{:?} {loss:?}: the weights after step {step}", spec.widths);
            }
        }
    }
}

/// Building the tensors from the host weights and starting again from them (what a checkpoint
/// and its restore do) loses nothing: a trainer saved and restored at every step, with
/// mini-batches, goes through exactly the losses and weights of one left alone; and going back to
/// a checkpoint replays the same steps.
#[test]
fn saving_and_restoring_host_weights_changes_nothing() {
    use playground_engine::train::Trainer;
    let device = Device::flex().autodiff();
    let spec = spec(3, 1, false, true);
    let rows = rows_for(&spec, 100, Loss::Mse, 9);
    let build = || Trainer::new(Network::new(&spec, 6, &device), rows.clone(), config(Loss::Mse, 16), &device);
    let (mut alone, mut restored) = (build(), build());
    let mut checkpoint = None;
    let mut at_40 = None;
    for step in 1..=40 {
        let a = alone.step().into_data().try_to_vec::<f32>().unwrap()[0];
        let saved = restored.save();
        restored.restore(saved);
        let b = restored.step().into_data().try_to_vec::<f32>().unwrap()[0];
        assert_eq!(a.to_bits(), b.to_bits(), "the loss of step {step}");
        if step == 20 {
            checkpoint = Some(alone.save());
        }
        if step == 40 {
            at_40 = Some(weights(alone.network()));
        }
    }
    assert_eq!(weights(restored.network()), at_40.clone().unwrap());
    alone.restore(checkpoint.unwrap());
    assert_eq!(alone.steps(), 20);
    for _ in 21..=40 {
        alone.step();
    }
    assert_eq!(weights(alone.network()), at_40.unwrap(), "steps 21–40 again from the checkpoint of step 20");
}
