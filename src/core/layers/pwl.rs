//! Non-uniform piecewise-linear synapses with learnable knot positions and values.
//!
//! ## Shape of the computation (why it is fast everywhere)
//! Each input `i` owns one sorted knot grid `p[i, 0..P]` that its outgoing synapses share; each
//! synapse `(i, o)` has its own values `v[i, k, o]`. A piecewise-linear function with constant
//! extension is written in *increment form*
//!
//! ```text
//! f(x) = v_0 + Σ_{k=1}^{P-1} (v_k − v_{k−1}) · u_k(x),   u_k = clamp((x − p_{k−1}) / w_{k−1}, 0, 1)
//! ```
//!
//! so the layer is a dense basis `[batch, in·P]` (a column of ones and the ramps `u_k`) times a
//! coefficient matrix `[in·P, out]` (the value increments). That is elementwise work plus one matmul
//! forward and backward on every backend — no gather, and so no scatter-add, which browser WebGPU can
//! only do serially (no f32 atomics). Memory is `batch·in·P`, independent of the output width.
//!
//! The ramp is `1 − relu(1 − z) + relu(−z)`: its derivative is the indicator of `0 ≤ z < 1`, so at a
//! knot the slope of the segment on the *right* is used, as in the original implementation.
//!
//! ## Positions stay sorted and inside the domain by construction
//! Positions are not stored directly: each input keeps `P−1` width logits and the widths are
//! `softmax(logits)·(hi − lo)`, accumulated from `lo`. Knots can therefore never cross, never leave
//! `[lo, hi]`, and gradient steps on them need no projection (no sort on the device, which would
//! need a synchronous read on WebGPU). The first and last knots sit on the domain ends.
//! With `learn_positions = false` the grid is fixed and only structural operations move it.

use burn::module::{Module, Param};
use burn::tensor::{activation::relu, activation::softmax, Device, Tensor};
use rand::Rng;

use super::init::{constant, param};

#[derive(Module, Debug)]
pub struct PiecewiseLinear {
    /// `[in, P−1]`: log-widths of the segments (up to a per-input constant).
    pub width_logits: Param<Tensor<2>>,
    /// `[in, P, out]`: the value of synapse `(i, o)` at knot `k`.
    pub values: Param<Tensor<3>>,
    /// `[P−1, P]` upper-triangular ones: turns widths into knot offsets with a matmul.
    cumulate: Tensor<2>,
    /// Ends of the knot domain.
    lo: f32,
    hi: f32,
    /// Kept explicitly: `require_grad` reads false on a device without autodiff.
    learn_positions: bool,
}

impl PiecewiseLinear {
    /// A layer whose synapses start as random straight lines `a·ξ + b` over the domain
    /// (ξ ∈ [−1, 1] the normalised input), with uniformly spaced knots.
    ///
    /// Why not the originals' init: there every synapse starts as a random *constant*, so the
    /// untrained network ignores its input and the first steps only learn a mean. Lines give every
    /// synapse a slope to start from, scaled by 1/in so a sum of `in` synapses stays in [−1, 1]
    /// (the next layer's domain).
    pub fn new(
        inputs: usize,
        outputs: usize,
        knots: usize,
        domain: (f32, f32),
        learn_positions: bool,
        rng: &mut impl Rng,
        device: &Device,
    ) -> Self {
        let knots = knots.max(2);
        let scale = 1.0 / inputs as f32;
        let mut values = vec![0.0f32; inputs * knots * outputs];
        for i in 0..inputs {
            for o in 0..outputs {
                let slope: f32 = rng.random_range(-1.0..1.0) * scale;
                let offset: f32 = rng.random_range(-0.5..0.5) * scale;
                for k in 0..knots {
                    let xi = -1.0 + 2.0 * k as f32 / (knots - 1) as f32;
                    values[(i * knots + k) * outputs + o] = slope * xi + offset;
                }
            }
        }
        let logits = vec![0.0f32; inputs * (knots - 1)];
        Self::from_parts(logits, values, inputs, knots, outputs, domain, learn_positions, device)
    }

    /// Build from host data: width logits `[in, P−1]` and values `[in, P, out]`, row-major.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        width_logits: Vec<f32>,
        values: Vec<f32>,
        inputs: usize,
        knots: usize,
        outputs: usize,
        domain: (f32, f32),
        learn_positions: bool,
        device: &Device,
    ) -> Self {
        let mut cumulate = vec![0.0f32; (knots - 1) * knots];
        for j in 0..knots - 1 {
            for k in j + 1..knots {
                cumulate[j * knots + k] = 1.0;
            }
        }
        let width_logits = param(width_logits, [inputs, knots - 1], device).set_require_grad(learn_positions);
        PiecewiseLinear {
            width_logits,
            values: param(values, [inputs, knots, outputs], device),
            cumulate: constant(cumulate, [knots - 1, knots], device),
            lo: domain.0,
            hi: domain.1,
            learn_positions,
        }
    }

    pub fn inputs(&self) -> usize {
        self.values.dims()[0]
    }

    pub fn knots(&self) -> usize {
        self.values.dims()[1]
    }

    pub fn outputs(&self) -> usize {
        self.values.dims()[2]
    }

    pub fn domain(&self) -> (f32, f32) {
        (self.lo, self.hi)
    }

    pub fn learns_positions(&self) -> bool {
        self.learn_positions
    }

    /// Segment widths `[in, P−1]`, all positive, summing to the domain length.
    pub fn widths(&self) -> Tensor<2> {
        softmax(self.width_logits.val(), 1).mul_scalar(self.hi - self.lo)
    }

    /// Knot positions `[in, P]`, sorted, first = lo, last = hi.
    pub fn positions(&self) -> Tensor<2> {
        self.widths().matmul(self.cumulate.clone()).add_scalar(self.lo)
    }

    /// `[batch, in]` → `[batch, out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, inputs] = x.dims();
        let knots = self.knots();
        let widths = self.widths();
        let starts = self.positions().narrow(1, 0, knots - 1);
        // Ramps u_k for the P−1 segments: [batch, in, P−1].
        let z = (x.unsqueeze_dim::<3>(2) - starts.unsqueeze_dim::<3>(0))
            * widths.clamp_min(1e-12).recip().unsqueeze_dim::<3>(0);
        let ramps = ramp(z);
        let ones = Tensor::<3>::ones([batch, inputs, 1], &ramps.device());
        let basis = Tensor::cat(vec![ones, ramps], 2).reshape([batch, inputs * knots]);
        basis.matmul(self.increments().reshape([inputs * knots, self.outputs()]))
    }

    /// `[in, P, out]`: v_0 followed by v_k − v_{k−1}.
    fn increments(&self) -> Tensor<3> {
        let v = self.values.val();
        let knots = self.knots();
        let first = v.clone().narrow(1, 0, 1);
        let diffs = v.clone().narrow(1, 1, knots - 1) - v.narrow(1, 0, knots - 1);
        Tensor::cat(vec![first, diffs], 1)
    }
}

/// `clamp(z, 0, 1)` whose derivative is the indicator of `0 ≤ z < 1` (right-hand slope at knots).
fn ramp<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    relu(z.clone().neg()) - relu(z.neg().add_scalar(1.0)) + 1.0
}

/// Per-synapse knots (the originals' adaptive layer): positions and values `[in, out, P]`, each
/// synapse with its own sorted grid. The general form, `[batch, in, out, P]` in memory: used for
/// conformance with the reference vectors and as the baseline the shared-grid layer is measured
/// against. Optional mirror fold of the inputs onto [−1, 1] (the originals' `anti_periodic`).
pub fn forward_per_synapse(x: Tensor<2>, positions: Tensor<3>, values: Tensor<3>, fold: bool) -> Tensor<2> {
    let [_, _, knots] = positions.dims();
    let x = if fold { super::basis::mirror_fold(x, 2.0) } else { x };
    let starts = positions.clone().narrow(2, 0, knots - 1);
    let widths = positions.narrow(2, 1, knots - 1) - starts.clone();
    // Zero-width (duplicate) segments act as steps, taken at x ≥ the knot (half-open segments).
    let duplicate = widths.clone().lower_equal_elem(0.0).float();
    let z = (x.unsqueeze_dims::<4>(&[2, 3]) - starts.unsqueeze_dim::<4>(0) + duplicate.clone().mul_scalar(1e-30).unsqueeze_dim::<4>(0))
        * widths.clamp_min(1e-30).recip().unsqueeze_dim::<4>(0);
    let ramps = ramp(z); // [batch, in, out, P−1]
    let first = values.clone().narrow(2, 0, 1);
    let increments = values.clone().narrow(2, 1, knots - 1) - values.narrow(2, 0, knots - 1);
    let y = (ramps * increments.unsqueeze_dim::<4>(0)).sum_dim(3) + first.unsqueeze_dim::<4>(0);
    y.sum_dim(1).squeeze_dims::<2>(&[1, 3])
}

/// Host-side evaluation of one synapse from its knots (for plots and tests), same rules as `forward`.
pub fn eval_host(positions: &[f32], values: &[f32], x: f32) -> f32 {
    let n = positions.len();
    if x < positions[0] {
        return values[0];
    }
    if x >= positions[n - 1] {
        return values[n - 1];
    }
    let s = positions.partition_point(|&p| p <= x) - 1;
    let w = positions[s + 1] - positions[s];
    if w <= 0.0 {
        return values[s + 1];
    }
    values[s] + (x - positions[s]) / w * (values[s + 1] - values[s])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::{stream, Stream};
    use burn::tensor::TensorData;

    fn host(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn matches_host_evaluation_and_extends_constantly() {
        let device = Device::flex();
        let mut rng = stream(3, Stream::Init);
        let layer = PiecewiseLinear::new(2, 3, 5, (-1.0, 1.0), true, &mut rng, &device);
        // Non-uniform grid: perturb the logits.
        let layer = PiecewiseLinear::from_parts(
            vec![0.3, -0.2, 0.5, 0.0, 1.0, 0.0, -1.0, 0.2],
            layer.values.val().into_data().try_to_vec::<f32>().unwrap(),
            2, 5, 3, (-1.0, 1.0), true, &device,
        );
        let pos = host(layer.positions());
        let vals = layer.values.val().into_data().try_to_vec::<f32>().unwrap();
        let xs = [-1.5f32, -1.0, -0.7, -0.1, 0.0, 0.33, 0.9, 1.0, 2.0, 0.5];
        let batch = xs.len() / 2;
        let x = Tensor::<2>::from_data(TensorData::new(xs.to_vec(), [batch, 2]), &device);
        let y = host(layer.forward(x));
        for b in 0..batch {
            for o in 0..3 {
                let mut expect = 0.0;
                for i in 0..2 {
                    let p = &pos[i * 5..(i + 1) * 5];
                    let v: Vec<f32> = (0..5).map(|k| vals[(i * 5 + k) * 3 + o]).collect();
                    expect += eval_host(p, &v, xs[b * 2 + i]);
                }
                assert!((y[b * 3 + o] - expect).abs() < 1e-5, "b{b} o{o}: {} vs {expect}", y[b * 3 + o]);
            }
        }
        // Sorted and pinned to the domain.
        for i in 0..2 {
            let p = &pos[i * 5..(i + 1) * 5];
            assert!((p[0] + 1.0).abs() < 1e-6 && (p[4] - 1.0).abs() < 1e-5);
            assert!(p.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn gradients_reach_values_and_positions() {
        let device = Device::flex().autodiff();
        let mut rng = stream(1, Stream::Init);
        let layer = PiecewiseLinear::new(1, 1, 4, (0.0, 2.0), true, &mut rng, &device);
        let x = Tensor::<2>::from_data(TensorData::new(vec![0.3f32, 1.1, 1.9], [3, 1]), &device);
        let grads = layer.forward(x).sum().backward();
        let gv = layer.values.grad(&grads).expect("value grad");
        let gp = layer.width_logits.grad(&grads).expect("position grad");
        // dy/dv are hat weights: they sum to the batch size.
        let sum: f32 = gv.into_data().try_to_vec::<f32>().unwrap().iter().sum();
        assert!((sum - 3.0).abs() < 1e-5);
        assert_eq!(gp.dims(), [1, 3]);
    }
}
