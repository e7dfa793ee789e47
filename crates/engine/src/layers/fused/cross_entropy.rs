//! Softmax cross-entropy as one operation: `−Σ target·log softmax(logits) / rows`, the log-softmax
//! taken with each row's maximum subtracted (large logits do not overflow), and its gradient
//! `(Σ_k t_k · softmax − t) / rows` for the logits in one pass (the tensor form is seven
//! operations: `log_softmax`'s four, the product, the sum and the scaling).

use super::bridge::HostKernel;

/// `logits`, `target` (`[rows, classes]`) → `[1]`. Only the logits get a gradient: the targets are data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy {
    pub rows: usize,
    pub classes: usize,
}

impl SoftmaxCrossEntropy {
    /// A row's maximum and log of the sum of `exp(z − max)`.
    fn log_normaliser(row: &[f32]) -> (f32, f32) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let total: f32 = row.iter().map(|&z| (z - max).exp()).sum();
        (max, total.ln())
    }
}

impl HostKernel<2> for SoftmaxCrossEntropy {
    fn output_shape(&self) -> Vec<usize> {
        vec![1]
    }

    fn forward(&self, [logits, target]: [&[f32]; 2]) -> Vec<f32> {
        let mut loss = 0.0f64;
        for (z, t) in logits.chunks_exact(self.classes).zip(target.chunks_exact(self.classes)) {
            let (max, log_total) = Self::log_normaliser(z);
            loss -= z.iter().zip(t).map(|(&z, &t)| (t * (z - max - log_total)) as f64).sum::<f64>();
        }
        vec![(loss / self.rows.max(1) as f64) as f32]
    }

    fn backward(&self, [logits, target]: [&[f32]; 2], upstream: &[f32], wanted: [bool; 2]) -> [Option<Vec<f32>>; 2] {
        let scale = upstream[0] / self.rows.max(1) as f32;
        let dlogits = wanted[0].then(|| {
            let mut d = vec![0.0f32; logits.len()];
            for ((z, t), d) in logits.chunks_exact(self.classes).zip(target.chunks_exact(self.classes)).zip(d.chunks_exact_mut(self.classes)) {
                let (max, log_total) = Self::log_normaliser(z);
                let mass: f32 = t.iter().sum();
                for ((d, &z), &t) in d.iter_mut().zip(z).zip(t) {
                    *d = scale * (mass * (z - max - log_total).exp() - t);
                }
            }
            d
        });
        // d/dtarget = −log softmax / rows (kept for completeness: targets are data, never tracked).
        let dtarget = wanted[1].then(|| {
            let mut d = vec![0.0f32; target.len()];
            for (z, d) in logits.chunks_exact(self.classes).zip(d.chunks_exact_mut(self.classes)) {
                let (max, log_total) = Self::log_normaliser(z);
                for (d, &z) in d.iter_mut().zip(z) {
                    *d = -scale * (z - max - log_total);
                }
            }
            d
        });
        [dlogits, dtarget]
    }
}
