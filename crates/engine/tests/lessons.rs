//! The lessons tell the truth: each step's claim holds when its preset is trained for the step's
//! length on the CPU path, through the same run loop and with the same seeds the page uses.

use burn::tensor::Device;
use playground_engine::data::Samples1d;
use playground_engine::grow::Refinement;
use playground_engine::lessons::STEPS;
use playground_engine::run::{Event, Problem, Run};
use playground_engine::snapshot::read;
use pollster::block_on;

fn start(n: usize) -> Run {
    block_on(Run::from_experiment(&STEPS[n - 1].experiment(n), Default::default(), &Device::flex().autodiff())).unwrap()
}

fn advance(run: &mut Run, steps: u64) -> Vec<Event> {
    let out = block_on(run.advance(steps)).unwrap();
    assert!(out.diverged.is_none(), "{:?}", out.diverged);
    out.events
}

/// Lesson step `n` (from 1) trained for its length.
fn trained(n: usize) -> Run {
    let mut run = start(n);
    advance(&mut run, STEPS[n - 1].steps);
    run
}

fn samples(run: &Run) -> &Samples1d {
    let Problem::Fit1d(s) = run.problem() else { panic!("lessons are 1-D fits") };
    s
}

fn loss_on(run: &Run, xs: &[f32], ys: &[f32]) -> f32 {
    block_on(read(run.trainer().loss_on(xs, ys).unwrap())).unwrap()[0]
}

fn test_loss(run: &Run) -> f32 {
    let s = samples(run);
    loss_on(run, &s.test_x, &s.test_y)
}

fn train_loss(run: &Run) -> f32 {
    let s = samples(run);
    loss_on(run, &s.train_x, &s.train_y)
}

/// The network's outputs on 200 points across the data's range.
fn curve(run: &Run) -> Vec<f32> {
    let (lo, hi) = samples(run).x_range;
    let xs: Vec<f32> = (0..200).map(|i| lo + (hi - lo) * i as f32 / 199.0).collect();
    block_on(read(run.trainer().predict(&xs))).unwrap()
}

fn largest_change(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn every_lesson_claim_about_losses_holds() {
    let l: Vec<f32> = (1..=STEPS.len()).map(|n| test_loss(&trained(n))).collect();
    for (i, v) in l.iter().enumerate() {
        eprintln!("step {:2} {:<45} test loss {v:.3e}", i + 1, STEPS[i].title);
    }
    let at = |n: usize| l[n - 1];
    assert!(at(1) < 1e-3, "a line through zero needs no bias");
    assert!(at(2) > 10.0 * at(3), "without a bias the shifted line fails; with one it fits");
    assert!(at(4) > 5.0 * at(5), "two linear neurons stay a line; a ReLU bends it");
    assert!(at(6) > 10.0 * at(7), "one ReLU fails on the zigzag; more neurons fit it");
    assert!(at(8) < 1e-2 && at(9) < 1e-2, "wide and deep both fit the zigzag");
    assert!(at(12) < 1e-3, "one piecewise synapse fits the zigzag");
    assert!(at(13) < 1e-3, "four knots with one moved to the bend fit the elbow");
    assert!(at(17) < at(18), "at equal budgets the piecewise synapse wins");
}

#[test]
fn the_wide_network_learns_the_noise_and_the_line_does_not() {
    // Step 10: with noise of standard deviation σ, no function can do better than σ² on unseen
    // points on average; fitting the noise means a training loss below σ² and a test loss above.
    let wide = trained(10);
    let (train, test) = (train_loss(&wide), test_loss(&wide));
    let floor = (STEPS[9].experiment(10).noise as f32).powi(2);
    eprintln!("step 10: train {train:.3e}, test {test:.3e}, noise floor σ² = {floor:.3e}");
    assert!(train < floor && floor < test, "120 neurons fit the training points' noise: train {train}, σ² {floor}, test {test}");
    // Step 11: one neuron on the same data cannot chase the noise (its training loss stays above
    // σ²), misses the wave too, and ends with a worse test loss than the 120 neurons.
    let line = trained(11);
    let (line_train, line_test) = (train_loss(&line), test_loss(&line));
    eprintln!("step 11: train {line_train:.3e}, test {line_test:.3e}");
    assert_eq!(STEPS[9].experiment(10).noise, STEPS[10].experiment(11).noise, "steps 10 and 11 use the same noise");
    assert!(line_train > floor, "a line cannot fit the noise: train {line_train}, σ² {floor}");
    assert!(line_test > test, "the line underfits: test {line_test} against {test} for 120 neurons");
}

#[test]
fn growing_on_plateaus_makes_a_staircase_that_ends_lower() {
    let mut growing = start(14);
    let events = advance(&mut growing, STEPS[13].steps);
    let growths = events.iter().filter(|e| matches!(e, Event::Grew { .. })).count();
    let mut fixed = start(14);
    fixed.set_schedule(Default::default());
    advance(&mut fixed, STEPS[13].steps);
    let (grown, plain) = (test_loss(&growing), test_loss(&fixed));
    eprintln!("step 14: {growths} insertions, test loss {grown:.3e} against {plain:.3e} without growth");
    assert!(growths >= 2, "a staircase needs several insertions");
    assert!(grown < plain, "the grown network ends lower");
}

/// Train step `n`, refine, check the function did not change, train as long again.
fn refined_then_trained(n: usize, how: Option<Refinement>) -> f32 {
    let mut run = trained(n);
    if let Some(how) = how {
        let before = curve(&run);
        block_on(run.refine(how)).unwrap();
        let change = largest_change(&before, &curve(&run));
        assert!(change < 1e-5, "step {n}: {how:?}-refinement changed the function by {change}");
    }
    advance(&mut run, STEPS[n - 1].steps);
    train_loss(&run)
}

#[test]
fn refinement_keeps_the_function_then_lowers_the_loss_and_degree_wins_on_a_sine() {
    // Step 15: h-refinement, then training goes lower than without it.
    let (h, none) = (refined_then_trained(15, Some(Refinement::H)), refined_then_trained(15, None));
    eprintln!("step 15: after h-refinement {h:.3e}, without {none:.3e}");
    assert!(h < none);
    // Step 16: on the smooth sine, one more degree beats twice the pieces.
    let (p, h) = (refined_then_trained(16, Some(Refinement::P)), refined_then_trained(16, Some(Refinement::H)));
    eprintln!("step 16: after p-refinement {p:.3e}, after h-refinement {h:.3e}");
    assert!(p < h);
}
