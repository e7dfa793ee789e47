//! The mean squared error as one operation: `mean((pred − target)²)` over every element, forward in
//! one loop, both gradients in another (the tensor form is three operations and their nodes).

use super::bridge::HostKernel;

/// `pred`, `target` (same shape, `len` elements) → `[1]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeanSquaredError {
    pub len: usize,
}

impl HostKernel<2> for MeanSquaredError {
    fn output_shape(&self) -> Vec<usize> {
        vec![1]
    }

    fn forward(&self, [pred, target]: [&[f32]; 2]) -> Vec<f32> {
        // Summed in f64: the order of a long sum then hardly matters.
        let total: f64 = pred.iter().zip(target).map(|(&p, &t)| ((p - t) * (p - t)) as f64).sum();
        vec![(total / self.len.max(1) as f64) as f32]
    }

    fn backward(&self, [pred, target]: [&[f32]; 2], upstream: &[f32], wanted: [bool; 2]) -> [Option<Vec<f32>>; 2] {
        let scale = upstream[0] * 2.0 / self.len.max(1) as f32;
        let dpred: Vec<f32> = pred.iter().zip(target).map(|(&p, &t)| scale * (p - t)).collect();
        let dtarget = wanted[1].then(|| dpred.iter().map(|d| -d).collect());
        [wanted[0].then_some(dpred), dtarget]
    }
}
