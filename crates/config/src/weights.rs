//! Host copies of a network's weights as plain data: what survives a lost GPU, what a rollback
//! restores, what a model file holds (the engine reads them from and writes them to tensors).

use crate::spec::{Continuity, NetworkSpec};

/// One layer's parameters as flat row-major vectors.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum LayerWeights {
    /// Width logits `[grids, P−1]` (grids = in, or in·out with `per_synapse`), values `[in, P, out]`.
    Pwl {
        width_logits: Vec<f32>,
        values: Vec<f32>,
        inputs: usize,
        knots: usize,
        outputs: usize,
        domain: (f32, f32),
        learn_positions: bool,
        #[serde(default)]
        per_synapse: bool,
    },
    Linear { weight: Vec<f32>, bias: Option<Vec<f32>>, inputs: usize, outputs: usize },
    /// Weights `[out, in, K]`.
    Poly { weights: Vec<f32>, outputs: usize, inputs: usize, n: usize, segments: usize, continuity: Continuity, periodicity: Option<f32> },
    /// Weights `[out, in, n]`.
    Fourier { weights: Vec<f32>, outputs: usize, inputs: usize, n: usize },
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    pub spec: NetworkSpec,
    pub layers: Vec<LayerWeights>,
}
