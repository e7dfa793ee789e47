//! A whole stack of piecewise-linear layers as one operation: every layer and the max-abs
//! normalisation between layers, forward in one call and backward in one call.
//!
//! Why a second level of fusion: with each layer fused, a step of TF Playground's deepest shape
//! (7 layers, batch 10) still records 13 autodiff nodes for its forward pass — each layer, each
//! normalisation — and each node costs about as much as the layer's arithmetic. Here the network's
//! forward pass is one node. The pieces are the per-layer kernels' own (`pwl::LogitGrid`,
//! `normalise::MaxAbs`), so the numbers are those of the layer-by-layer fused form (a test
//! compares them).

use std::sync::OnceLock;

use super::bridge::HostKernel;
use super::normalise::MaxAbs;
use super::pwl::{Grid, LogitGrid};

/// Most layers a stack kernel takes (the 2-D tab allows 6 hidden layers: 7 layers).
pub const MAX_LAYERS: usize = 7;
/// Inputs of the operation: `x`, then width logits and values of each layer, padded to a fixed
/// count (burn's backward steps have a fixed number of parents) with unused constants.
pub const INPUTS: usize = 1 + 2 * MAX_LAYERS;

#[derive(Clone, Debug)]
pub struct Stack {
    pub layers: Vec<LogitGrid>,
    /// Max-abs between layers (its ε), or nothing.
    pub max_abs_eps: Option<f32>,
    /// Every layer's input, output and grid, kept by the forward pass for the backward pass
    /// (which otherwise computes them again: a whole second forward pass at large batches).
    kept: OnceLock<Activations>,
}

/// Each layer's input, output and knot grid for one batch.
#[derive(Clone, Debug)]
struct Activations {
    inputs: Vec<Vec<f32>>,
    outputs: Vec<Vec<f32>>,
    grids: Vec<Grid>,
}

impl Stack {
    pub fn new(layers: Vec<LogitGrid>, max_abs_eps: Option<f32>) -> Self {
        Stack { layers, max_abs_eps, kept: OnceLock::new() }
    }

    fn normaliser(&self, l: usize, eps: f32) -> MaxAbs {
        let d = self.layers[l].dims;
        MaxAbs { rows: d.batch, features: d.outputs, eps }
    }

    /// Every layer's input, output and grid for the batch.
    fn activations(&self, inputs: &[&[f32]; INPUTS]) -> Activations {
        let mut layer_inputs = Vec::with_capacity(self.layers.len());
        let mut layer_outputs = Vec::with_capacity(self.layers.len());
        let mut grids = Vec::with_capacity(self.layers.len());
        let mut h: Vec<f32> = inputs[0].to_vec();
        for (l, layer) in self.layers.iter().enumerate() {
            let grid = layer.grid(inputs[1 + 2 * l]);
            let y = layer.apply_on(&grid, &h, inputs[2 + 2 * l]);
            grids.push(grid);
            layer_inputs.push(h);
            h = match self.max_abs_eps {
                Some(eps) if l + 1 < self.layers.len() => self.normaliser(l, eps).forward([&y]),
                _ => y.clone(),
            };
            layer_outputs.push(y);
        }
        Activations { inputs: layer_inputs, outputs: layer_outputs, grids }
    }
}

impl HostKernel<INPUTS> for Stack {
    fn output_shape(&self) -> Vec<usize> {
        let last = self.layers.last().map(|l| l.dims).expect("a stack has layers");
        vec![last.batch, last.outputs]
    }

    fn forward(&self, inputs: [&[f32]; INPUTS]) -> Vec<f32> {
        let kept = self.kept.get_or_init(|| self.activations(&inputs));
        kept.outputs.last().cloned().unwrap_or_default()
    }

    fn backward(&self, inputs: [&[f32]; INPUTS], upstream: &[f32], wanted: [bool; INPUTS]) -> [Option<Vec<f32>>; INPUTS] {
        let Activations { inputs: layer_inputs, outputs: layer_outputs, grids } = self.kept.get_or_init(|| self.activations(&inputs));
        let mut grads: [Option<Vec<f32>>; INPUTS] = std::array::from_fn(|_| None);
        let mut g = upstream.to_vec();
        for l in (0..self.layers.len()).rev() {
            let want_x = l > 0 || wanted[0];
            let [dx, dlogits, dvalues] = self.layers[l].gradients_on(
                &grids[l],
                &layer_inputs[l],
                inputs[2 + 2 * l],
                &g,
                [want_x, wanted[1 + 2 * l], wanted[2 + 2 * l]],
            );
            grads[1 + 2 * l] = dlogits;
            grads[2 + 2 * l] = dvalues;
            let Some(dx) = dx else { break };
            g = match self.max_abs_eps {
                Some(eps) if l > 0 => {
                    let [d] = self.normaliser(l - 1, eps).backward([&layer_outputs[l - 1]], &dx, [true]);
                    d.unwrap_or_default()
                }
                _ => dx,
            };
            if l == 0 {
                grads[0] = wanted[0].then(|| std::mem::take(&mut g));
            }
        }
        grads
    }
}
