//! The classic layers' activations through the engine, against their formulas in f64, and each
//! one trains a small MLP (the new ones — LeakyReLU, softplus, sin — included).

use burn::tensor::{Device, Tensor, TensorData};
use playground_engine::build::Build;
use playground_engine::experiment::{Experiment, NetKind};
use playground_engine::layers::activation::Apply;
use playground_engine::layers::Activation;
use playground_engine::spec::LEAKY_SLOPE;

/// Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): GELU's reference.
fn erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.3275911 * x.abs());
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    (1.0 - poly * (-x * x).exp()).copysign(x)
}

fn reference(a: Activation, x: f64) -> f64 {
    match a {
        Activation::Identity => x,
        Activation::Relu => x.max(0.0),
        Activation::LeakyRelu => if x >= 0.0 { x } else { LEAKY_SLOPE * x },
        Activation::Tanh => x.tanh(),
        Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        Activation::Gelu => 0.5 * x * (1.0 + erf(x / std::f64::consts::SQRT_2)),
        Activation::Softplus => x.exp().ln_1p(),
        Activation::Sin => x.sin(),
    }
}

#[test]
fn every_activation_is_its_formula() {
    let xs: Vec<f32> = (0..81).map(|i| -8.0 + 0.2 * i as f32).collect();
    for a in Activation::ALL {
        let x = Tensor::<1>::from_data(TensorData::new(xs.clone(), [xs.len()]), &Device::flex());
        let ys = a.apply(x).into_data().convert::<f32>().try_to_vec::<f32>().unwrap();
        for (x, y) in xs.iter().zip(ys) {
            let want = reference(a, *x as f64);
            // GELU: burn may use the tanh approximation (within 5e-4 of the erf form).
            let tolerance = if a == Activation::Gelu { 5e-4 } else { 2e-6 * want.abs().max(1.0) };
            assert!((y as f64 - want).abs() <= tolerance, "{}({x}) = {y}, expected {want}", a.name());
        }
    }
}

/// Losses of the first `steps` steps of an experiment.
fn losses(e: &Experiment, steps: usize) -> Vec<f32> {
    let (_, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
    (0..steps).map(|_| trainer.step().into_data().try_to_vec::<f32>().unwrap()[0]).collect()
}

#[test]
fn the_new_activations_train_and_round_trip_through_links() {
    for a in [Activation::LeakyRelu, Activation::Softplus, Activation::Sin] {
        let e = Experiment { net: NetKind::Mlp, activation: a, width: 8, depth: 1, learning_rate: 0.02, ..Experiment::default() };
        let link = e.to_link();
        assert!(link.contains(&format!("act={}", a.name())), "{link}");
        let (back, notices) = Experiment::from_link(&link);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back, e, "the link names the experiment");
        let l = losses(&e, 300);
        let (first, last) = (l[0], *l.last().unwrap());
        assert!(last.is_finite() && last * 3.0 < first, "{}: loss {first} → {last} in 300 steps", a.name());
    }
}
