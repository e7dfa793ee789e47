//! Knot insertion grows a trained network without changing its function, and training goes on.

use playground_engine::build::Build;
use burn::tensor::Device;
use playground_engine::experiment::Experiment;
use playground_engine::grow::insert_knot_near;
use playground_engine::network::{Family, Network};

fn outputs(net: &Network, xs: &[f32]) -> Vec<f32> {
    use burn::module::Module;
    let device = Device::flex();
    net.valid().forward(playground_engine::train::column(xs, &device)).into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn inserting_a_knot_keeps_the_function_and_training_continues() {
    for (depth, width) in [(0, 1), (1, 6)] {
        let e = Experiment { depth, width, knots: 6, ..Experiment::default() };
        let (samples, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
        for _ in 0..150 {
            trainer.step();
        }
        let before_loss = trainer.loss_on(&samples.train_x, &samples.train_y).unwrap().into_data().try_to_vec::<f32>().unwrap()[0];
        let grid: Vec<f32> = (0..200).map(|i| samples.x_range.0 + (samples.x_range.1 - samples.x_range.0) * i as f32 / 199.0).collect();
        let before = outputs(trainer.network(), &grid);
        let (grown, plan) = pollster::block_on(insert_knot_near(trainer.network(), 2.0)).unwrap();
        assert_eq!(grown.spec.family, Family::Pwl { knots: 7, learn_positions: true, per_synapse: false });
        let after = outputs(&grown, &grid);
        let worst = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "depth {depth}: the function moved by {worst}");
        assert!(pollster::block_on(trainer.replace_network_carrying(grown, &plan)), "the optimiser state was carried over");
        for _ in 0..150 {
            trainer.step();
        }
        let after_loss = trainer.loss_on(&samples.train_x, &samples.train_y).unwrap().into_data().try_to_vec::<f32>().unwrap()[0];
        println!("depth {depth}: loss {before_loss:.3e} -> {after_loss:.3e} after growing and 150 more steps; max change {worst:.1e}");
        assert!(after_loss < before_loss, "depth {depth}: {before_loss} -> {after_loss}");
    }
}

#[test]
fn per_synapse_grids_grow_and_move_like_the_originals() {
    use playground_engine::grow::move_knots;
    use playground_engine::layers::PiecewiseLinear;
    use playground_engine::network::Layer;
    let e = Experiment { depth: 1, width: 3, knots: 6, synapse_knots: true, ..Experiment::default() };
    let (samples, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
    for _ in 0..150 {
        trainer.step();
    }
    let grid: Vec<f32> = (0..200).map(|i| samples.x_range.0 + (samples.x_range.1 - samples.x_range.0) * i as f32 / 199.0).collect();
    let before = outputs(trainer.network(), &grid);
    let (grown, plan) = pollster::block_on(insert_knot_near(trainer.network(), 0.4)).unwrap();
    assert_eq!(grown.spec.family, Family::Pwl { knots: 7, learn_positions: true, per_synapse: true });
    let worst = before.iter().zip(outputs(&grown, &grid)).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!("per-synapse insertion: max change {worst:.1e}");
    assert!(worst < 1e-5, "the function moved by {worst}");
    assert!(pollster::block_on(trainer.replace_network_carrying(grown, &plan)), "the optimiser state was carried over");
    for _ in 0..20 {
        trainer.step();
    }
    // Moving keeps every synapse's knot count, and its grids stay sorted inside the domain.
    let moved = pollster::block_on(move_knots(trainer.network(), |pair| pair % 2 == 0)).unwrap();
    for layer in &moved.layers {
        let Layer::Pwl(l) = layer else { panic!("piecewise linear") };
        let l: &PiecewiseLinear = l;
        assert_eq!((l.knots(), l.grids()), (7, l.inputs() * l.outputs()));
        let p = l.positions().into_data().try_to_vec::<f32>().unwrap();
        let (lo, hi) = l.domain();
        for g in p.chunks(7) {
            assert!(g.windows(2).all(|w| w[0] <= w[1]) && g[0] >= lo - 1e-5 && g[6] <= hi + 1e-5, "{g:?}");
        }
    }
}

#[test]
fn moving_knots_conserves_the_count_and_goes_where_the_function_bends() {
    use playground_engine::knots::move_shared;
    // One input, two outputs sharing the grid; both are straight except a kink at 0.5, and the
    // knot at −0.5 is redundant for both: it must move next to the kink.
    let positions = vec![-1.0, -0.5, 0.0, 0.5, 1.0];
    let line = |x: f64| 0.2 * x;
    let kinked = |x: f64| if x < 0.5 { x } else { 1.0 - x };
    let mut values = Vec::new();
    for &x in &positions {
        values.extend([line(x), kinked(x)]);
    }
    let (mut p, mut v) = (positions.clone(), values.clone());
    move_shared(&mut p, &mut v, 1, 5, 2, |_| true);
    assert_eq!(p.len(), 5);
    assert!(!p.contains(&-0.5), "the redundant knot moved: {p:?}");
    assert!(p.contains(&0.25) || p.contains(&0.75), "a knot went next to the kink: {p:?}");
    assert!(p.windows(2).all(|w| w[0] < w[1]));
    // Both synapses are unchanged (the removed knot was collinear, the new one interpolated).
    let eval = |p: &[f64], v: &[f64], o: usize, x: f64| {
        let vals: Vec<f32> = (0..5).map(|k| v[k * 2 + o] as f32).collect();
        let pos: Vec<f32> = p.iter().map(|&q| q as f32).collect();
        playground_engine::layers::pwl::eval_host(&pos, &vals, x as f32)
    };
    for x in [-0.9, -0.3, 0.1, 0.4, 0.6, 0.9] {
        assert!((eval(&p, &v, 0, x) - line(x) as f32).abs() < 1e-6);
        assert!((eval(&p, &v, 1, x) - kinked(x) as f32).abs() < 1e-6);
    }
}

#[test]
fn moving_knots_in_a_trained_network_keeps_it_close() {
    let e = Experiment { depth: 1, width: 4, knots: 10, ..Experiment::default() };
    let (samples, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
    for _ in 0..200 {
        trainer.step();
    }
    let moved = pollster::block_on(playground_engine::grow::move_knots(trainer.network(), |_| true)).unwrap();
    assert_eq!(moved.spec, trainer.network().spec, "same knot count");
    let before = outputs(trainer.network(), &samples.train_x);
    let after = outputs(&moved, &samples.train_x);
    let worst = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!("moving one knot per grid changed the trained network by at most {worst:.2e}");
    assert!(worst < 0.2, "{worst}");
}

#[test]
fn h_and_p_refinement_of_a_trained_network_keep_its_function() {
    use playground_engine::experiment::NetKind;
    use playground_engine::grow::{refine_network, Refinement};
    for net_kind in [NetKind::Continuous, NetKind::Discontinuous] {
        let e = Experiment { net: net_kind, n: 2, segments: 3, depth: 1, width: 3, normalization: playground_engine::network::Normalization::MaxAbs, ..Experiment::default() };
        let (_, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
        for _ in 0..100 {
            trainer.step();
        }
        let xs: Vec<f32> = (0..97).map(|i| -1.0 + 2.0 * i as f32 / 96.0).collect();
        let before = outputs(trainer.network(), &xs);
        for how in [Refinement::H, Refinement::P] {
            let (refined, _) = pollster::block_on(refine_network(trainer.network(), how)).unwrap();
            let after = outputs(&refined, &xs);
            let worst = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            assert!(worst < 1e-5, "{net_kind:?} {how:?}: changed by {worst}");
            let Family::Lagrange { n, segments, .. } = refined.spec.family else { panic!() };
            assert_eq!((n, segments), if how == Refinement::H { (2, 6) } else { (3, 3) });
            assert!(refined.spec.parameter_count() > trainer.network().spec.parameter_count());
        }
    }
}

/// Loss of the full training set.
fn full_loss(trainer: &playground_engine::train::Trainer, samples: &playground_engine::data::Samples1d) -> f32 {
    trainer.loss_on(&samples.train_x, &samples.train_y).unwrap().into_data().try_to_vec::<f32>().unwrap()[0]
}

/// (loss before the change, after 1 step, after 10 steps) of a trained run, with the network
/// changed by `what` (or not at all), the optimiser state carried or restarted.
fn after_change(e: &Experiment, what: &str, carry: bool) -> (f32, f32, f32) {
    use playground_engine::grow::{refine_network, Refinement};
    let (samples, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
    for _ in 0..300 {
        trainer.step();
    }
    let before = full_loss(&trainer, &samples);
    let change = match what {
        "control" => None,
        "h-refine" => Some(pollster::block_on(refine_network(trainer.network(), Refinement::H)).unwrap()),
        "p-refine" => Some(pollster::block_on(refine_network(trainer.network(), Refinement::P)).unwrap()),
        _ => Some(pollster::block_on(insert_knot_near(trainer.network(), 0.3)).unwrap()),
    };
    if let Some((net, plan)) = change {
        if carry {
            assert!(pollster::block_on(trainer.replace_network_carrying(net, &plan)), "{what}: the state was carried");
        } else {
            let steps = trainer.steps();
            trainer.replace_network(net, steps);
        }
    }
    trainer.step();
    let one = full_loss(&trainer, &samples);
    for _ in 0..9 {
        trainer.step();
    }
    let ten = full_loss(&trainer, &samples);
    println!("{what:<13} carry {carry:<5}: loss {before:.3e} -> {one:.3e} after 1 step -> {ten:.3e} after 10");
    (before, one, ten)
}

#[test]
fn carrying_the_optimiser_state_avoids_a_restart_jump() {
    use playground_engine::experiment::NetKind;
    let fixed = Experiment { depth: 1, width: 4, knots: 6, learn_knots: false, ..Experiment::default() };
    let learned = Experiment { learn_knots: true, ..fixed.clone() };
    // Fixed knots: carrying makes the insertion invisible to training; a restart jumps ~500×.
    let control = after_change(&fixed, "control", true);
    let (before, carried_one, carried_ten) = after_change(&fixed, "insert", true);
    let (_, restarted_one, _) = after_change(&fixed, "insert", false);
    assert!((carried_ten - control.2).abs() <= 0.1 * control.2, "{carried_ten} vs control {}", control.2);
    assert!(restarted_one > 100.0 * before && carried_one <= 1.01 * before);
    // Learned positions: far smaller than a restart's jump, though not invisible.
    let (_, carried_one, _) = after_change(&learned, "insert", true);
    let (_, restarted_one, _) = after_change(&learned, "insert", false);
    assert!(carried_one * 100.0 < restarted_one, "{carried_one} vs {restarted_one}");
    // Refinement: the loss only goes down.
    for (what, e) in [
        ("h-refine", Experiment { net: NetKind::Continuous, n: 3, segments: 2, ..Experiment::default() }),
        ("p-refine", Experiment { net: NetKind::Continuous, n: 2, segments: 4, ..Experiment::default() }),
    ] {
        let (before, one, ten) = after_change(&e, what, true);
        assert!(one <= before && ten < before, "{what}: {before} -> {one} -> {ten}");
        after_change(&e, what, false);
    }
}
