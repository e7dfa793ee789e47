//! Moving a run between devices (the backend choice of `backend=auto`, and forcing a backend
//! mid-run): the move loses nothing. Both devices here are the CPU path, so "nothing lost" is
//! checkable bit for bit: a moved run continues exactly as the run that stayed.

use playground_engine::experiment::{Experiment, NetKind};
use playground_engine::spec::OptimizerKind;
use playground_engine::run::Run;
use pollster::block_on;

mod common;
use common::{advance, device, start, weights};

/// Moving knots, mini-batches and Adam: every kind of state a step depends on.
fn experiments() -> Vec<(&'static str, Experiment)> {
    let pwl = Experiment { dataset: "zigzag".into(), knots: 6, move_every: 30, batch: 16, learning_rate: 0.03, ..Experiment::default() };
    vec![
        ("piecewise linear, knots moving, Adam", pwl.clone()),
        ("ReLU net, Lion", Experiment { net: NetKind::Mlp, depth: 2, width: 6, optimizer: OptimizerKind::Lion, learning_rate: 0.003, ..pwl.clone() }),
        ("piecewise quadratic, SGD", Experiment { net: NetKind::Continuous, n: 3, segments: 4, optimizer: OptimizerKind::Sgd, ..pwl }),
    ]
}

#[test]
fn a_moved_run_continues_bit_identically() {
    for (what, e) in experiments() {
        let mut stayed = start(&e);
        advance(&mut stayed, 400);

        let mut moved = start(&e);
        advance(&mut moved, 137);
        block_on(moved.transfer(&device())).expect("the transfer reads the CPU device");
        assert_eq!(moved.steps(), 137, "{what}: the step count moved with it");
        advance(&mut moved, 263);

        assert_eq!(weights(&moved), weights(&stayed), "{what}: the weights after 400 steps");
        assert_eq!(moved.history(), stayed.history(), "{what}: the loss curve, step by step");
    }
}

/// A fresh optimiser after the move (what the page did before) changes the course: the test
/// above would notice if the moments were lost.
#[test]
fn losing_the_optimiser_state_would_be_noticed() {
    let (_, e) = experiments().remove(0);
    let mut stayed = start(&e);
    advance(&mut stayed, 200);
    let mut restarted = start(&e);
    advance(&mut restarted, 137);
    block_on(restarted.move_to(&device()));
    advance(&mut restarted, 63);
    assert_ne!(weights(&restarted), weights(&stayed));
}

/// The timeline moves too: forking the moved run at a step kept before the move continues as a
/// fork of the run that stayed.
#[test]
fn the_timeline_moves_with_the_run() {
    let (_, e) = experiments().remove(0);
    let mut stayed = start(&e);
    advance(&mut stayed, 250);
    let mut moved = start(&e);
    advance(&mut moved, 250);
    block_on(moved.transfer(&device())).unwrap();
    let steps = |r: &Run| r.timeline().marks().iter().map(|m| m.step()).collect::<Vec<_>>();
    assert_eq!(steps(&moved), steps(&stayed));
    let mut a = stayed.fork(100).expect("step 100 is kept");
    let mut b = moved.fork(100).expect("step 100 is kept after the move");
    advance(&mut a, 120);
    advance(&mut b, 120);
    assert_eq!(weights(&a), weights(&b));
}
