//! The handwritten digits: the default network (64 → 32 piecewise-linear → 10, softmax
//! cross-entropy) reaches 90 % test accuracy in a bounded number of steps, the experiment needs
//! its data, and a link opens the same split.

use std::sync::Arc;
use std::time::Instant;

use burn::tensor::Device;
use playground_engine::data::digits::Digits;
use playground_engine::experiment::{Experiment, Kind};
use playground_engine::metrics::{accuracy, predicted_classes};
use playground_engine::run::{Assets, Problem, Run};
use playground_engine::snapshot::read;
use playground_engine::spec::Loss;
use pollster::block_on;

fn digits() -> Arc<Digits> {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/data/digits.csv")).expect("public/data/digits.csv");
    Arc::new(Digits::parse(&bytes).unwrap())
}

fn test_accuracy(run: &Run) -> f64 {
    let Problem::Digits(p) = run.problem() else { panic!("a digits run") };
    let out = block_on(read(run.trainer().predict(&p.test_x))).unwrap();
    accuracy(&predicted_classes(&out, 10), &p.test_labels())
}

#[test]
fn the_default_network_reads_90_percent_of_the_held_out_digits() {
    let exp = Experiment::default_for(Kind::Digits);
    assert_eq!((exp.io(), exp.effective_loss(), exp.class_count()), ((64, 10), Loss::CrossEntropy, 10));
    let link = exp.to_link();
    assert!(link.starts_with("v=1&kind=digits") && !link.contains("dataset=") && !link.contains("rot="), "{link}");
    assert_eq!(Experiment::from_link(&link), (exp.clone(), vec![]));
    let device = Device::flex().autodiff();
    assert!(block_on(Run::from_experiment(&exp, Assets::default(), &device)).err().unwrap().contains("digits are not loaded"));
    let mut run = block_on(Run::from_experiment(&exp, Assets { digits: Some(digits()), ..Assets::default() }, &device)).unwrap();
    let Problem::Digits(p) = run.problem() else { panic!("a digits run") };
    assert_eq!((p.train.len(), p.test.len()), (1438, 359));
    let started = Instant::now();
    let mut reached = None;
    let mut best = 0.0f64;
    for _ in 0..40 {
        block_on(run.advance(100)).unwrap();
        best = best.max(test_accuracy(&run));
        if best >= 0.95 {
            reached = Some(run.steps());
            break;
        }
    }
    eprintln!(
        "digits: {:.1} % test accuracy, {} steps, {:.1} s natively (95 % reached: {reached:?})",
        best * 100.0,
        run.steps(),
        started.elapsed().as_secs_f64()
    );
    assert!(best >= 0.90, "digits test accuracy {best} after {} steps", run.steps());
}
