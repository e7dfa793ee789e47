//! Knot insertion grows a trained network without changing its function, and training goes on.

use burn::tensor::Device;
use piecewise_playground::core::experiment::Experiment;
use piecewise_playground::core::grow::insert_knot_near;
use piecewise_playground::core::network::{Family, Network};
use piecewise_playground::core::train::Trainer;

fn outputs(net: &Network, xs: &[f32]) -> Vec<f32> {
    use burn::module::Module;
    let device = Device::flex();
    net.valid().forward(piecewise_playground::core::train::column(xs, &device)).into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn inserting_a_knot_keeps_the_function_and_training_continues() {
    for (depth, width) in [(0, 1), (1, 6)] {
        let e = Experiment { depth, width, knots: 6, ..Experiment::default() };
        let device = Device::flex().autodiff();
        let samples = e.dataset_for(e.target().unwrap()).sample();
        let net = Network::new(&e.network_spec(samples.x_range), e.init_seed, &device);
        let mut trainer = Trainer::new(net, &samples, e.train_config(), &device);
        for _ in 0..150 {
            trainer.step();
        }
        let before_loss = trainer.loss_on(&samples.train_x, &samples.train_y).unwrap().into_data().try_to_vec::<f32>().unwrap()[0];
        let grid: Vec<f32> = (0..200).map(|i| samples.x_range.0 + (samples.x_range.1 - samples.x_range.0) * i as f32 / 199.0).collect();
        let before = outputs(trainer.network(), &grid);
        let grown = pollster::block_on(insert_knot_near(trainer.network(), 2.0)).unwrap();
        assert_eq!(grown.spec.family, Family::Pwl { knots: 7, learn_positions: true });
        let after = outputs(&grown, &grid);
        let worst = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "depth {depth}: the function moved by {worst}");
        let steps = trainer.steps();
        trainer.replace_network(grown, steps);
        for _ in 0..150 {
            trainer.step();
        }
        let after_loss = trainer.loss_on(&samples.train_x, &samples.train_y).unwrap().into_data().try_to_vec::<f32>().unwrap()[0];
        println!("depth {depth}: loss {before_loss:.3e} -> {after_loss:.3e} after growing and 150 more steps; max change {worst:.1e}");
        assert!(after_loss < before_loss, "depth {depth}: {before_loss} -> {after_loss}");
    }
}
