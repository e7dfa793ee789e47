//! The run loop is step-exact: how a run is chunked never changes what it computes, with every
//! schedule on; a divergence goes back to the weights of a good step; the move schedule moves
//! knots at its exact steps.

use burn::tensor::Device;
use playground_engine::experiment::{Experiment, Kind};
use playground_engine::run::{Event, Run, CHECKPOINT_EVERY};
use playground_engine::snapshot::{LayerWeights, Snapshot, Weights};
use pollster::block_on;

fn device() -> Device {
    Device::flex().autodiff()
}

fn start(e: &Experiment) -> Run {
    block_on(Run::from_experiment(e, Default::default(), &device())).expect("the experiment starts")
}

/// Advance `run` by `total` steps in pieces of `chunk`, collecting the events.
fn advance_in_chunks(run: &mut Run, total: u64, chunk: u64) -> Vec<Event> {
    let mut events = Vec::new();
    let end = run.steps() + total;
    while run.steps() < end {
        let out = block_on(run.advance(chunk.min(end - run.steps()))).expect("no device failure on the CPU");
        assert!(out.diverged.is_none(), "this run must not diverge: {:?}", out.diverged);
        events.extend(out.events);
    }
    events
}

fn weights(run: &Run) -> Snapshot {
    block_on(Snapshot::take(run.network())).unwrap()
}

/// A zigzag that 6 knots cannot fit (the loss reaches plateaus, so knots grow), knots moved every
/// 30 steps, mini-batches of 16 (so the batch order matters).
fn every_schedule() -> Experiment {
    Experiment {
        dataset: "zigzag".into(),
        knots: 6,
        grow: true,
        max_knots: 12,
        move_every: 30,
        batch: 16,
        learning_rate: 0.03,
        ..Experiment::default()
    }
}

#[test]
fn chunking_never_changes_the_run() {
    let e = every_schedule();
    let total = 700;
    let mut reference: Option<(Snapshot, Vec<Event>, Vec<(u64, f32)>)> = None;
    for chunk in [1, 7, 64] {
        let mut run = start(&e);
        let events = advance_in_chunks(&mut run, total, chunk);
        let grew = events.iter().filter(|e| matches!(e, Event::Grew { .. })).count();
        let moved = events.iter().filter(|e| matches!(e, Event::Moved { .. })).count();
        println!("chunks of {chunk}: {grew} growths, {moved} moves, final loss {:?}", run.history().last());
        assert!(grew >= 1, "the plateau schedule must have grown the network at least once");
        assert_eq!(moved as u64, total / 30, "a move at every multiple of 30 steps");
        let now = (weights(&run), events, run.history().to_vec());
        match &reference {
            None => reference = Some(now),
            Some(first) => {
                assert_eq!(first.1, now.1, "chunks of {chunk}: the same events at the same steps");
                assert_eq!(first.2, now.2, "chunks of {chunk}: the same loss at every step");
                assert!(first.0 == now.0, "chunks of {chunk}: the weights differ from chunks of 1");
            }
        }
    }
}

#[test]
fn a_divergence_goes_back_to_the_weights_of_a_good_step() {
    let e = Experiment { dataset: "sine".into(), ..Experiment::default() };
    let mut run = start(&e);
    advance_in_chunks(&mut run, 150, 50);
    // A learning rate that makes the next steps explode.
    run.set_learning_rate(1e6);
    let out = block_on(run.advance(50)).unwrap();
    let diverged = out.diverged.expect("a learning rate of 1e6 diverges");
    println!("diverged at step {} ({}), back to step {}", diverged.at, diverged.why, diverged.restored_to);
    assert!(diverged.at > 150);
    assert_eq!(diverged.restored_to, CHECKPOINT_EVERY, "the newest checkpoint before the blow-up");
    assert_eq!(run.steps(), diverged.restored_to);
    assert!(run.history().iter().all(|(s, _)| *s <= diverged.restored_to), "the history after it is gone");

    // The restored weights are exactly those the run had at that step.
    let mut replay = start(&e);
    advance_in_chunks(&mut replay, diverged.restored_to, 1);
    assert!(weights(&run) == weights(&replay), "the restored weights are not the weights of step {}", diverged.restored_to);

    // And training goes on from there at a sane learning rate.
    run.set_learning_rate(0.05);
    let out = block_on(run.advance(100)).unwrap();
    assert!(out.diverged.is_none() && out.last_loss.is_some_and(f32::is_finite));
}

/// Knot positions of the first layer, one vector per grid.
fn first_layer_positions(run: &Run) -> Vec<f32> {
    let snap = weights(run);
    let LayerWeights::Pwl { width_logits, inputs, knots, domain, .. } = &snap.layers[0] else { panic!("a piecewise-linear layer") };
    playground_engine::knots::positions_from_logits(width_logits, *inputs, *knots, *domain).into_iter().map(|p| p as f32).collect()
}

#[test]
fn the_move_schedule_moves_knots_at_its_steps_and_keeps_their_number() {
    // Fixed knot positions: only the schedule can move them.
    let e = Experiment { dataset: "elbow".into(), knots: 8, learn_knots: false, move_every: 40, ..Experiment::default() };
    let mut run = start(&e);
    advance_in_chunks(&mut run, 39, 13);
    let before = first_layer_positions(&run);
    let out = block_on(run.advance(1)).unwrap();
    assert_eq!(out.events, vec![Event::Moved { step: 40 }]);
    let after = first_layer_positions(&run);
    assert_eq!(before.len(), after.len(), "the knot count is kept");
    assert!(before != after, "the knots did not move: {before:?}");
    // Between moves nothing moves them.
    advance_in_chunks(&mut run, 39, 39);
    assert_eq!(after, first_layer_positions(&run));
}

#[test]
fn the_jumping_circle_jumps_at_its_step_whatever_the_chunking() {
    let e = Experiment { kind: Kind::Image, image: "circle".into(), resolution: 32, batch: 64, width: 4, segments: 4, input_segments: 0, ..Experiment::default_for(Kind::Image) };
    for chunk in [1000, 333] {
        let mut run = start(&e);
        let events = advance_in_chunks(&mut run, 1600, chunk);
        assert_eq!(events.iter().filter(|e| matches!(e, Event::Jumped { .. })).collect::<Vec<_>>(), vec![&Event::Jumped { step: 1500 }]);
    }
}
