//! Helpers the run tests share: runs on the CPU path, advanced and read synchronously.
#![allow(dead_code)] // each test file uses its own subset

use burn::tensor::Device;
use playground_engine::experiment::Experiment;
use playground_engine::run::Run;
use playground_engine::snapshot::{Snapshot, Weights};
use pollster::block_on;

/// The CPU path with autodiff, as the page's CPU runs use it.
pub fn device() -> Device {
    Device::flex().autodiff()
}

pub fn start(e: &Experiment) -> Run {
    block_on(Run::from_experiment(e, Default::default(), &device())).expect("the experiment starts")
}

pub fn weights(run: &Run) -> Snapshot {
    block_on(Snapshot::take(run.network())).unwrap()
}

/// `n` steps that must neither fail nor diverge.
pub fn advance(run: &mut Run, n: u64) {
    let out = block_on(run.advance(n)).expect("no device failure on the CPU");
    assert!(out.diverged.is_none());
}

/// `inputs` → `hidden` layers of `width` → `outputs`.
pub fn widths(inputs: usize, hidden: usize, width: usize, outputs: usize) -> Vec<usize> {
    let mut widths = vec![inputs];
    widths.extend(std::iter::repeat_n(width, hidden));
    widths.push(outputs);
    widths
}

/// A piecewise-linear network of these widths, its first layer's knots over (−1.5, 1.5) (the
/// samples the tests draw reach beyond it).
pub fn pwl_spec(widths: Vec<usize>, knots: usize, learn_positions: bool, per_synapse: bool, normalization: playground_engine::network::Normalization) -> playground_engine::network::NetworkSpec {
    playground_engine::network::NetworkSpec {
        family: playground_engine::network::Family::Pwl { knots, learn_positions, per_synapse },
        widths,
        input_domain: (-1.5, 1.5),
        normalization,
        input_segments: None,
        output_segments: None,
    }
}
