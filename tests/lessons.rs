//! The lessons tell the truth: each step's claim holds when its preset is trained for the step's
//! length on the CPU path (the same seeds the page uses).

use burn::tensor::Device;
use piecewise_playground::core::lessons::STEPS;

/// Test loss after training lesson step `n` (from 1) for its length.
fn test_loss(n: usize) -> f32 {
    let e = STEPS[n - 1].experiment(n);
    let (samples, mut trainer) = e.build(&Device::flex().autodiff()).unwrap();
    for _ in 0..STEPS[n - 1].steps {
        trainer.step();
    }
    let loss = trainer.loss_on(&samples.test_x, &samples.test_y).unwrap();
    loss.into_data().try_to_vec::<f32>().unwrap()[0]
}

#[test]
fn every_lesson_claim_holds() {
    let l: Vec<f32> = (1..=STEPS.len()).map(test_loss).collect();
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

