//! The timeline and runs side by side: runs in lockstep compute what each computes alone; a fork
//! continues bit-identically; an undo brings back the run as it was; the marks stay within their
//! bounds over a long run.

use playground_engine::experiment::{Experiment, NetKind};
use playground_engine::run::{lockstep, Pace, MAX_MARKS};
use pollster::block_on;

mod common;
use common::{advance, start, weights};

/// Knots moved every 30 steps, mini-batches (the batch order matters), a zigzag.
fn piecewise() -> Experiment {
    Experiment { dataset: "zigzag".into(), knots: 6, move_every: 30, batch: 16, learning_rate: 0.03, ..Experiment::default() }
}

fn relu() -> Experiment {
    Experiment { net: NetKind::Mlp, depth: 1, width: 8, init_seed: 7, batch_seed: 3, ..piecewise() }
}

#[test]
fn runs_in_lockstep_compute_what_each_computes_alone() {
    let (a, b) = (piecewise(), relu());
    let mut alone_a = start(&a);
    let mut alone_b = start(&b);
    advance(&mut alone_a, 400);
    advance(&mut alone_b, 400);

    // Side by side, the second run added 150 steps late: it catches up, then both go together.
    let mut runs = vec![start(&a)];
    advance(&mut runs[0], 150);
    runs.push(start(&b));
    let mut chunk = 1;
    loop {
        let paces: Vec<Pace> = runs.iter().map(|r| Pace { steps: r.steps(), stop_at: Some(400) }).collect();
        let plan = lockstep(&paces, chunk);
        if plan.iter().all(|&n| n == 0) {
            break;
        }
        for (run, n) in runs.iter_mut().zip(plan) {
            if n > 0 {
                advance(run, n);
            }
        }
        let (s0, s1) = (runs[0].steps(), runs[1].steps());
        assert!(s1 <= 150 || s0 == s1, "once caught up they stay together: {s0} vs {s1}");
        chunk = chunk % 37 + 5; // uneven chunks
    }
    assert_eq!(runs[0].steps(), 400);
    assert_eq!(weights(&runs[0]), weights(&alone_a));
    assert_eq!(weights(&runs[1]), weights(&alone_b));
    assert_eq!(runs[1].history(), alone_b.history());
}

#[test]
fn a_fork_continues_bit_identically_and_an_undo_restores_the_run() {
    let mut original = start(&piecewise());
    advance(&mut original, 230);
    let steps = original.timeline().steps();
    assert!(steps.contains(&0) && steps.contains(&100) && steps.contains(&200), "{steps:?}");
    let mut fork = original.fork(100).expect("step 100 is kept");
    assert_eq!(fork.steps(), 100);
    assert!(fork.timeline().steps().iter().all(|&s| s <= 100));
    advance(&mut original, 270);
    advance(&mut fork, 400);
    assert_eq!(fork.steps(), original.steps());
    assert_eq!(weights(&fork), weights(&original), "nothing changed: the fork is the original");
    assert_eq!(fork.history(), original.history());
    assert!(original.fork(55).is_none(), "step 55 is not kept");

    // An insertion is undone by rewinding to the mark taken before it.
    let before = original.mark();
    let (params, shape) = (original.network().spec.parameter_count(), weights(&original));
    block_on(original.insert_knot()).expect("a 1-D fit can grow");
    assert!(original.network().spec.parameter_count() > params);
    advance(&mut original, 20);
    original.rewind(before);
    assert_eq!(original.network().spec.parameter_count(), params);
    assert_eq!(weights(&original), shape);
    assert_eq!(original.steps(), 500);
    assert!(original.timeline().steps().iter().all(|&s| s <= 500), "marks of the undone branch are gone");
    // …and training after the undo is the training the run would have done.
    advance(&mut original, 30);
    advance(&mut fork, 30);
    assert_eq!(weights(&original), weights(&fork));
}

#[test]
fn the_timeline_stays_within_its_bounds() {
    let tiny = Experiment { dataset: "sine".into(), knots: 4, points: 32, batch: 0, ..Experiment::default() };
    let mut run = start(&tiny);
    advance(&mut run, 3_000);
    // A third of what the marks take without a limit (late marks hold longer loss histories).
    let unlimited = run.timeline().marks().len();
    let budget = run.timeline().bytes() / 3;
    run.set_timeline_budget(budget);
    advance(&mut run, 1_000);
    let t = run.timeline();
    assert!(t.marks().len() < unlimited, "{} marks", t.marks().len());
    assert!(t.bytes() <= budget, "{} bytes over {budget}", t.bytes());
    let steps = t.steps();
    assert_eq!(steps[0], 0, "the start stays");
    assert_eq!(*steps.last().unwrap(), 4_000, "the newest stays");

    // With room for all, the count bound holds on a long run, and spacing grows.
    let mut run = start(&tiny);
    run.set_timeline_budget(usize::MAX);
    advance(&mut run, 60_000);
    let steps = run.timeline().steps();
    assert!(steps.len() <= MAX_MARKS, "{}", steps.len());
    assert!(steps.windows(2).all(|w| w[0] < w[1]));
    let early = steps.iter().filter(|&&s| s <= 1_000).count();
    let late = steps.iter().filter(|&&s| s > 50_000).count();
    assert!(early > late, "more marks early ({early}) than late ({late}): {steps:?}");
    // The view of a kept step: restoring a mark and then the present gives the present back.
    let now = weights(&run);
    let present = run.mark();
    let past = run.timeline().at_or_before(1_000).unwrap().clone();
    run.restore(past);
    assert_eq!(run.steps(), 1_000);
    run.restore(present);
    assert_eq!(weights(&run), now);
    assert_eq!(run.steps(), 60_000);
}
