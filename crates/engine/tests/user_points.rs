//! The user's own 1-D points: a few drawn points are fitted, a pasted CSV becomes the data set
//! and replays exactly, an empty set builds a run that trains nothing (and says why), and
//! chunking never changes a run on them.

use burn::tensor::Device;
use playground_engine::data::csv_table;
use playground_engine::data::UserPoints;
use playground_engine::experiment::Experiment;
use playground_engine::run::Run;
use pollster::block_on;

fn start(e: &Experiment) -> Run {
    block_on(Run::from_experiment(e, Default::default(), &Device::flex().autodiff())).expect("the experiment starts")
}

/// Five points drawn on the canvas, as the plot snaps them.
fn five_drawn() -> Experiment {
    let points = UserPoints::new(vec![[-0.8, -0.3], [-0.4, 0.5], [0.0, 0.1], [0.35, 0.7], [0.8, -0.2]]);
    Experiment { dataset: "points".into(), user_points: points, test_fraction: 0.0, ..Experiment::default() }
}

#[test]
fn five_drawn_points_are_fitted() {
    let mut run = start(&five_drawn());
    let out = block_on(run.advance(600)).unwrap();
    assert_eq!(out.steps, 600);
    let loss = out.last_loss.unwrap();
    // A 12-knot piecewise-linear synapse goes through five points.
    assert!(loss < 1e-4, "training loss after 600 steps: {loss}");
    assert!(run.nothing_to_train().is_none());
}

#[test]
fn an_empty_set_builds_a_run_that_trains_nothing_and_says_why() {
    let empty = Experiment { user_points: UserPoints::default(), ..five_drawn() };
    let mut run = start(&empty);
    let why = run.nothing_to_train().expect("nothing to train on");
    assert!(why.contains("click on the plot"), "{why}");
    let out = block_on(run.advance(10)).unwrap();
    assert_eq!((out.steps, run.steps(), out.last_loss), (0, 0, None));
    // The network can still be drawn over the empty canvas.
    let curve = run.trainer().predict(&[-1.0, 0.0, 1.0]).into_data().convert::<f32>().try_into_vec::<f32>().unwrap();
    assert!(curve.iter().all(|v| v.is_finite()), "{curve:?}");
}

#[test]
fn a_pasted_csv_trains_and_replays_bit_for_bit_in_any_chunks() {
    // Temperatures over years: data far from the unit canvas, with a bad row.
    let text = "year,temperature\n1990,14.1\n1995,14.3\n2000,14.2\n2005,14.6\noops,15\n2010,14.7\n2015,14.9\n2020,15.3\n";
    let table = csv_table::read(text.as_bytes(), &["x", "y"]).unwrap();
    assert_eq!((table.rows.len(), table.skipped.len()), (7, 1));
    let points = UserPoints::new(table.rows.iter().map(|r| [r[0] as f32, r[1] as f32]).collect());
    let e = Experiment { dataset: "points".into(), user_points: points, test_fraction: 0.3, ..Experiment::default() };
    // What the engine gets is the link (all points however many).
    let (opened, notices) = Experiment::from_link(&e.to_engine_link());
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(opened, e);
    let mut whole = start(&opened);
    let mut pieces = start(&opened);
    block_on(whole.advance(600)).unwrap();
    while pieces.steps() < 600 {
        block_on(pieces.advance(7.min(600 - pieces.steps()))).unwrap();
    }
    assert_eq!(whole.history(), pieces.history());
    let first = whole.history().first().unwrap().1;
    let last = whole.history().last().unwrap().1;
    assert!(last < first / 100.0, "loss {first} → {last}");
    // The network's domain is the data's years, not the unit canvas.
    let xs = match whole.problem() {
        playground_engine::run::Problem::Fit1d(s) => s.x_range,
        _ => unreachable!(),
    };
    assert!(xs.0 < 1990.0 && xs.0 > 1980.0 && xs.1 > 2020.0 && xs.1 < 2030.0, "{xs:?}");
}
