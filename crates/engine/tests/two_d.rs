//! The 2-D experiments train: a picture gains PSNR, a classification field gains accuracy.

use playground_engine::build::Build;
use burn::tensor::Device;
use playground_engine::data::{picture, plane};
use playground_engine::experiment::{field_rows, Experiment, Kind, NetKind};
use playground_engine::metrics::{accuracy, mse, predicted_classes, psnr_db};

fn read(t: burn::tensor::Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn the_rings_picture_gains_psnr_on_cpu() {
    let device = Device::flex().autodiff();
    let exp = Experiment { image: "rings".into(), resolution: 64, ..Experiment::default_for(Kind::Image) };
    let pic = exp.procedural_picture().unwrap();
    let mut trainer = exp.build_image(&pic, &device).unwrap();
    let all = plane::grid_features(plane::Region::FULL, pic.width, pic.height, exp.rotate);
    let target = pic.targets();
    let before = psnr_db(mse(&read(trainer.predict(&all)), &target), 2.0);
    for _ in 0..300 {
        trainer.step();
    }
    let after = psnr_db(mse(&read(trainer.predict(&all)), &target), 2.0);
    eprintln!("rings 64 px: {before:.1} dB → {after:.1} dB in 300 steps");
    assert!(after > before + 5.0, "{before} → {after}");
}

#[test]
fn the_jumping_circle_swaps_targets_without_resetting() {
    let device = Device::flex().autodiff();
    let exp = Experiment { image: "circle".into(), resolution: 32, batch: 0, ..Experiment::default_for(Kind::Image) };
    let mut trainer = exp.build_image(&exp.procedural_picture().unwrap(), &device).unwrap();
    trainer.step();
    let moved = picture::circle(32, picture::CIRCLE_CENTRES[1]).targets();
    trainer.set_targets(moved.clone());
    assert_eq!(trainer.rows().y, moved);
    assert_eq!(trainer.steps(), 1);
    trainer.set_targets(vec![0.0; 3]); // wrong shape: ignored
    assert_eq!(trainer.rows().y, moved);
}

#[test]
fn a_piecewise_network_separates_the_spiral() {
    let device = Device::flex().autodiff();
    let exp = Experiment { dataset: "spiral".into(), ..Experiment::default_for(Kind::Field) };
    assert_eq!(exp.net, NetKind::Pwl);
    let (samples, mut trainer) = exp.build_field(&device).unwrap();
    let (test_x, _) = field_rows(&samples.test, exp.rotate, 1);
    let test_classes: Vec<u32> = samples.test.iter().map(|p| p.class).collect();
    let mut best = 0.0f64;
    for round in 0..30 {
        for _ in 0..100 {
            trainer.step();
        }
        best = best.max(accuracy(&predicted_classes(&read(trainer.predict(&test_x)), 1), &test_classes));
        if best >= 0.9 {
            eprintln!("spiral: {:.1} % test accuracy after {} steps", best * 100.0, (round + 1) * 100);
            break;
        }
    }
    assert!(best >= 0.9, "spiral test accuracy {best}");
}

#[test]
fn layer_curves_show_each_synapse() {
    let device = Device::flex();
    let exp = Experiment { net: NetKind::Mlp, bias: false, depth: 0, rotate: false, ..Experiment::default_for(Kind::Field) };
    let net = playground_engine::network::Network::new(&exp.network_spec((-1.0, 1.0)), 3, &device);
    // A linear synapse is w·x: its curve (relative to x = 0) is a line through 0 with slope w.
    let curves = read(net.layer_curves(0, 5, &device));
    assert_eq!(curves.len(), 2 * 5);
    for input in 0..2 {
        let c = &curves[input * 5..input * 5 + 5];
        assert!(c[2].abs() < 1e-6, "centre is 0: {c:?}");
        assert!((c[0] + c[4]).abs() < 1e-5 && (c[1] + c[4] / 2.0).abs() < 1e-5, "a line: {c:?}");
    }
}

#[test]
fn surfaces_are_fitted_and_their_links_round_trip() {
    use playground_engine::run::{Assets, Problem, Run};
    let device = Device::flex().autodiff();
    for (dataset, steps, factor) in [("plane", 300, 20.0), ("gaussians", 1500, 3.0), ("formula", 1500, 5.0)] {
        let exp = Experiment { dataset: dataset.into(), formula: "sin(3*x)*cos(2*y)".into(), ..Experiment::default_for(Kind::Surface) };
        let (back, notices) = Experiment::from_link(&exp.to_link());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back, exp);
        let mut run = pollster::block_on(Run::from_experiment(&exp, Assets::default(), &device)).unwrap();
        let test_mse = |run: &Run| {
            let Problem::Surface(p) = run.problem() else { panic!("a surface") };
            mse(&read(run.trainer().predict(&p.test_x)), &p.test_y)
        };
        let before = test_mse(&run);
        pollster::block_on(run.advance(steps)).unwrap();
        let after = test_mse(&run);
        eprintln!("{dataset}: test MSE {before:.4} → {after:.5} in {steps} steps");
        assert!(after < before / factor, "{dataset}: test MSE {before} → {after}");
    }
    // A formula that does not parse as f(x, y) opens the plane, with a notice.
    let (e, notices) = Experiment::from_link("kind=regression&dataset=formula&formula=x%2Bz");
    assert_eq!((e.dataset.as_str(), notices.len()), ("plane", 1), "{notices:?}");
}
