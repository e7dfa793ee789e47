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
//! so the layer is a dense basis `[batch, in·(P−1)]` (the ramps `u_k`) times a coefficient matrix
//! `[in·(P−1), out]` (the value increments), plus the constants `Σ_i v_0`. That is elementwise work plus one matmul
//! forward and backward on every backend — no gather, and so no scatter-add, which browser WebGPU can
//! only do serially (no f32 atomics). Memory is `batch·in·P`, independent of the output width.
//!
//! That dense form is what GPUs run; on burn's CPU backend `forward` uses the fused kernel of
//! `fused::pwl` (segment index, then two knots per synapse, in one operation), which computes
//! what the gathered form of `pwl_gather` computes with tensor operations (`Form::choose`).
//! `forward_in` runs any of the three; they agree in values and gradients.
//!
//! Each sample has one segment of its own, found by comparing it with the segment starts (`ramps`):
//! its ramp is `clamp(z, 0, 1)` with derivative the indicator of `0 ≤ z < 1`, the ramps left of it
//! are 1 and those right of it 0, so at a knot the slope of the segment on the *right* is used, as
//! in the original implementation.
//!
//! ## Knots per synapse (the originals' layers)
//! With `per_synapse`, every synapse `(i, o)` has its own knot grid, as in the originals' adaptive
//! layer (positions changed only by insert/remove/move) and their learned layer (positions trained
//! by gradient). A sample then meets `in·out` different grids, so no basis can be shared between
//! the outputs: the ramps are `[batch, in, out, P−1]`, multiplied by the increments and summed over
//! inputs and knots — still elementwise work and reductions forward and backward (no gather, no
//! scatter), but `out` times the memory and work of the shared grid. Measured in
//! docs/benchmarks.md; the shared grid stays the default.
//!
//! ## Positions stay sorted and inside the domain by construction
//! Positions are not stored directly: each input keeps `P−1` width logits and the widths are
//! `softmax(logits)·(hi − lo)`, accumulated from `lo`. Knots can therefore never cross, never leave
//! `[lo, hi]`, and gradient steps on them need no projection (no sort on the device, which would
//! need a synchronous read on WebGPU). The first and last knots sit on the domain ends.
//! With `learn_positions = false` the grid is fixed and only structural operations move it.

use burn::module::{Module, Param};
use burn::tensor::{activation::softmax, Device, Tensor};
use rand::Rng;

use super::init::{constant, param};
use super::{fused, pwl_gather};
pub use super::form::Form;

#[derive(Module, Debug)]
pub struct PiecewiseLinear {
    /// `[grids, P−1]`: log-widths of the segments (up to a per-grid constant). One grid per input
    /// (`grids = in`), or one per synapse (`grids = in·out`, synapse `(i, o)` at row `i·out + o`).
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
    /// One knot grid per synapse instead of one per input.
    per_synapse: bool,
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
        per_synapse: bool,
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
        let logits = vec![0.0f32; grid_count(inputs, outputs, per_synapse) * (knots - 1)];
        Self::from_parts(logits, values, inputs, knots, outputs, domain, learn_positions, per_synapse, device)
    }

    /// Build from host data: width logits `[grids, P−1]` and values `[in, P, out]`, row-major.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        width_logits: Vec<f32>,
        values: Vec<f32>,
        inputs: usize,
        knots: usize,
        outputs: usize,
        domain: (f32, f32),
        learn_positions: bool,
        per_synapse: bool,
        device: &Device,
    ) -> Self {
        let grids = grid_count(inputs, outputs, per_synapse);
        let mut cumulate = vec![0.0f32; (knots - 1) * knots];
        for j in 0..knots - 1 {
            for k in j + 1..knots {
                cumulate[j * knots + k] = 1.0;
            }
        }
        let width_logits = param(width_logits, [grids, knots - 1], device).set_require_grad(learn_positions);
        PiecewiseLinear {
            width_logits,
            values: param(values, [inputs, knots, outputs], device),
            cumulate: constant(cumulate, [knots - 1, knots], device),
            lo: domain.0,
            hi: domain.1,
            learn_positions,
            per_synapse,
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

    pub fn per_synapse(&self) -> bool {
        self.per_synapse
    }

    /// Number of knot grids: `in`, or `in·out` with knots per synapse.
    pub fn grids(&self) -> usize {
        self.width_logits.dims()[0]
    }

    /// Segment widths `[grids, P−1]`, all positive, summing to the domain length. On the CPU
    /// backend from the host functions the fused kernel uses (`fused::knots`), so that every form
    /// there sees bit-identical knots.
    pub fn widths(&self) -> Tensor<2> {
        let logits = self.width_logits.val();
        fused::widths(logits.clone(), self.hi - self.lo).unwrap_or_else(|| softmax(logits, 1).mul_scalar(self.hi - self.lo))
    }

    /// Knot positions `[grids, P]`, sorted, first = lo, last = hi.
    pub fn positions(&self) -> Tensor<2> {
        let logits = self.width_logits.val();
        fused::positions(logits, (self.lo, self.hi)).unwrap_or_else(|| self.positions_of(self.widths()))
    }

    fn positions_of(&self, widths: Tensor<2>) -> Tensor<2> {
        widths.matmul(self.cumulate.clone()).add_scalar(self.lo)
    }

    /// Segment starts and inverse widths, both `[grids, P−1]`, for the tensor forms.
    fn segments(&self) -> (Tensor<2>, Tensor<2>) {
        let widths = self.widths();
        let positions = if fused::bridge::runs_on(&widths.device()) { self.positions() } else { self.positions_of(widths.clone()) };
        (positions.narrow(1, 0, self.knots() - 1), widths.clamp_min(1e-12).recip())
    }

    /// `[batch, in]` → `[batch, out]`, in the form that suits the device (`Form::choose`).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let form = Form::choose(&x.device());
        self.forward_in(x, form)
    }

    /// `forward` in a chosen form: all give the same values and gradients.
    pub fn forward_in(&self, x: Tensor<2>, form: Form) -> Tensor<2> {
        if form == Form::Fused {
            // The grid is built inside the fused operation: one operation for the whole layer.
            let fused = fused::learned_grid(x.clone(), self.width_logits.val(), self.values.val(), (self.lo, self.hi), self.per_synapse);
            if let Some(y) = fused {
                return y;
            }
        }
        let (starts, inverse) = self.segments();
        if !self.per_synapse {
            return match form {
                Form::Dense => self.forward_dense(x, starts, inverse),
                Form::Gathered | Form::Fused => pwl_gather::shared_grid(x, starts, inverse, self.values.val()),
            };
        }
        let shape = [self.inputs(), self.outputs(), self.knots() - 1];
        let (starts, inverse) = (starts.reshape(shape), inverse.reshape(shape));
        match form {
            // Every synapse's ramps against its own grid.
            Form::Dense => sum_of_synapses(x, starts, inverse, self.values.val().swap_dims(1, 2)),
            Form::Gathered | Form::Fused => pwl_gather::per_synapse(x, starts, inverse, self.values.val()),
        }
    }

    /// The shared-grid dense form: ramp basis times value increments.
    fn forward_dense(&self, x: Tensor<2>, starts: Tensor<2>, inverse_widths: Tensor<2>) -> Tensor<2> {
        let [batch, inputs] = x.dims();
        let knots = self.knots();
        // Ramps u_k for the P−1 segments: [batch, in, P−1].
        let basis = ramps(x.unsqueeze_dim::<3>(2), starts.unsqueeze_dim::<3>(0), inverse_widths.unsqueeze_dim::<3>(0));
        let basis = basis.reshape([batch, inputs * (knots - 1)]);
        // The constant v_0 of every synapse is added once per output instead of through a column
        // of ones in the basis: one big concatenation (and its backward slice) fewer per step.
        let v = self.values.val();
        let first = v.clone().narrow(1, 0, 1).sum_dim(0).reshape([1, self.outputs()]);
        let increments = v.clone().narrow(1, 1, knots - 1) - v.narrow(1, 0, knots - 1);
        basis.matmul(increments.reshape([inputs * (knots - 1), self.outputs()])) + first
    }
}

pub use playground_config::spec::grid_count;


/// The ramps `u_k` of every segment (segments on the last axis of `starts`, `x` broadcasting
/// against it): 1 on the segments left of the sample's own, `clamp(z_k, 0, 1)` on its own (slope
/// only where `0 ≤ z < 1`), 0 right of it. The sample's segment is the gathered form's — the last
/// one whose start is `≤ x`, so a sample on a knot takes the segment on its right and duplicate
/// knots are steps taken at `x ≥` the knot — and it is decided by comparing `x` with the starts,
/// not by `z`: rounding in `z = (x − p_k)/w_k` could otherwise give both segments at a knot a
/// slope. Every form thus computes the same function and gradients, knots included.
fn ramps<const D: usize>(x: Tensor<D>, starts: Tensor<D>, inverse_widths: Tensor<D>) -> Tensor<D> {
    let segments = starts.dims()[D - 1];
    let z = (x.clone() - starts.clone()) * inverse_widths;
    let (x, starts) = (x.detach(), starts.detach());
    // Bounds of segment k as seen by the comparisons: reached from its start (segment 0 from −∞),
    // left at the next start (the last segment never).
    let below = starts.clone().narrow(D - 1, 0, 1).full_like(f32::MIN);
    let above = starts.clone().narrow(D - 1, 0, 1).full_like(f32::MAX);
    let (reached_from, left_at) = if segments == 1 {
        (below, above)
    } else {
        let interior = starts.narrow(D - 1, 1, segments - 1);
        (Tensor::cat(vec![below, interior.clone()], D - 1), Tensor::cat(vec![interior, above], D - 1))
    };
    let past = x.clone().greater_equal(left_at).float();
    // Sorted starts: a segment left behind was also reached, so reached − past is 1 on the sample's own.
    let own = x.greater_equal(reached_from).float() - past.clone();
    pwl_gather::unit_clamp(z) * own + past
}

/// Per-synapse knots (the originals' adaptive layer) from explicit positions and values
/// `[in, out, P]`, each synapse with its own sorted grid, duplicates allowed: the reference form
/// the conformance runner checks. Optional mirror fold of the inputs onto [−1, 1] (the originals'
/// `anti_periodic`).
pub fn forward_per_synapse(x: Tensor<2>, positions: Tensor<3>, values: Tensor<3>, fold: bool, form: Form) -> Tensor<2> {
    let [_, _, knots] = positions.dims();
    let x = if fold { super::basis::mirror_fold(x, 2.0) } else { x };
    let starts = positions.clone().narrow(2, 0, knots - 1);
    let widths = positions.narrow(2, 1, knots - 1) - starts.clone();
    if form != Form::Dense {
        // Duplicate knots need no nudge here: the segment index already skips zero-width segments.
        let (inverse, values) = (widths.clamp_min(1e-30).recip(), values.swap_dims(1, 2));
        if form == Form::Fused {
            if let Some(y) = fused::explicit_grid(x.clone(), starts.clone(), inverse.clone(), values.clone()) {
                return y;
            }
        }
        return pwl_gather::per_synapse(x, starts, inverse, values);
    }
    // Zero-width (duplicate) segments are never a sample's own segment (`ramps`): steps.
    sum_of_synapses(x, starts, widths.clamp_min(1e-30).recip(), values)
}

/// `y[b, o] = Σ_i f_io(x[b, i])` for synapses given by segment starts and inverse widths
/// `[in, out, P−1]` and knot values `[in, out, P]`, in increment form.
fn sum_of_synapses(x: Tensor<2>, starts: Tensor<3>, inverse_widths: Tensor<3>, values: Tensor<3>) -> Tensor<2> {
    let [_, _, knots] = values.dims();
    let ramps = ramps(x.unsqueeze_dims::<4>(&[2, 3]), starts.unsqueeze_dim::<4>(0), inverse_widths.unsqueeze_dim::<4>(0)); // [batch, in, out, P−1]
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
    use crate::rng::{stream, Stream};
    use burn::tensor::TensorData;

    fn host(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn matches_host_evaluation_and_extends_constantly() {
        let device = Device::flex();
        let mut rng = stream(3, Stream::Init);
        let layer = PiecewiseLinear::new(2, 3, 5, (-1.0, 1.0), true, false, &mut rng, &device);
        // Non-uniform grid: perturb the logits.
        let layer = PiecewiseLinear::from_parts(
            vec![0.3, -0.2, 0.5, 0.0, 1.0, 0.0, -1.0, 0.2],
            layer.values.val().into_data().try_to_vec::<f32>().unwrap(),
            2, 5, 3, (-1.0, 1.0), true, false, &device,
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
        let layer = PiecewiseLinear::new(1, 1, 4, (0.0, 2.0), true, false, &mut rng, &device);
        let x = Tensor::<2>::from_data(TensorData::new(vec![0.3f32, 1.1, 1.9], [3, 1]), &device);
        let grads = layer.forward(x).sum().backward();
        let gv = layer.values.grad(&grads).expect("value grad");
        let gp = layer.width_logits.grad(&grads).expect("position grad");
        // dy/dv are hat weights: they sum to the batch size.
        let sum: f32 = gv.into_data().try_to_vec::<f32>().unwrap().iter().sum();
        assert!((sum - 3.0).abs() < 1e-5);
        assert_eq!(gp.dims(), [1, 3]);
    }

    #[test]
    fn per_synapse_grids_match_host_evaluation() {
        let device = Device::flex();
        let (inputs, knots, outputs) = (2, 4, 3);
        let mut rng = stream(5, Stream::Init);
        let logits: Vec<f32> = (0..inputs * outputs * (knots - 1)).map(|_| rng.random_range(-1.0..1.0)).collect();
        let vals: Vec<f32> = (0..inputs * knots * outputs).map(|_| rng.random_range(-1.0..1.0)).collect();
        let layer = PiecewiseLinear::from_parts(logits, vals.clone(), inputs, knots, outputs, (-1.0, 1.0), true, true, &device);
        assert_eq!(layer.grids(), inputs * outputs);
        let pos = host(layer.positions());
        // Every synapse has its own grid: they differ.
        assert_ne!(pos[0..knots], pos[knots..2 * knots]);
        let xs = [-1.2f32, -0.9, -0.5, -0.05, 0.2, 0.31, 0.7, 0.99, 1.0, 1.4];
        let batch = xs.len() / inputs;
        let x = Tensor::<2>::from_data(TensorData::new(xs.to_vec(), [batch, inputs]), &device);
        let y = host(layer.forward(x));
        for b in 0..batch {
            for o in 0..outputs {
                let mut expect = 0.0;
                for i in 0..inputs {
                    let g = i * outputs + o;
                    let p = &pos[g * knots..(g + 1) * knots];
                    let v: Vec<f32> = (0..knots).map(|k| vals[(i * knots + k) * outputs + o]).collect();
                    expect += eval_host(p, &v, xs[b * inputs + i]);
                }
                assert!((y[b * outputs + o] - expect).abs() < 1e-5, "b{b} o{o}: {} vs {expect}", y[b * outputs + o]);
            }
        }
    }

    #[test]
    fn per_synapse_positions_learn_and_stay_sorted_inside_the_domain() {
        use burn::optim::{AdamConfig, GradientsParams};
        let device = Device::flex().autodiff();
        let mut rng = stream(2, Stream::Init);
        let mut layer = PiecewiseLinear::new(1, 2, 6, (-1.0, 1.0), true, true, &mut rng, &device);
        let before = host(layer.positions());
        // Two different targets for the two synapses: |x| and a step at 0.3 (sharp features that
        // pull knots towards 0 and 0.3 respectively).
        let xs: Vec<f32> = (0..64).map(|k| -1.0 + 2.0 * k as f32 / 63.0).collect();
        let ys: Vec<f32> = xs.iter().flat_map(|&x| [x.abs(), if x > 0.3 { 1.0 } else { 0.0 }]).collect();
        let x = Tensor::<2>::from_data(TensorData::new(xs.clone(), [64, 1]), &device);
        let y = Tensor::<2>::from_data(TensorData::new(ys, [64, 2]), &device);
        let mut optim = AdamConfig::new().init();
        for _ in 0..300 {
            let loss = (layer.forward(x.clone()) - y.clone()).powf_scalar(2.0).mean();
            let grads = GradientsParams::from_grads(loss.backward(), &layer);
            layer = optim.step(0.05, layer, grads);
            let p = host(layer.positions());
            for grid in p.chunks(6) {
                assert!(grid.windows(2).all(|w| w[0] <= w[1]), "knots crossed: {grid:?}");
                assert!(grid.iter().all(|&q| (-1.0 - 1e-6..=1.0 + 1e-6).contains(&q)), "left the domain: {grid:?}");
            }
        }
        let after = host(layer.positions());
        assert_ne!(after[0..6], after[6..12], "the two synapses learned different grids");
        assert!(before.iter().zip(&after).any(|(a, b)| (a - b).abs() > 1e-2), "positions moved");
    }

    #[test]
    fn dense_and_gathered_forms_agree_in_values_and_gradients() {
        let device = Device::flex().autodiff();
        let mut rng = stream(8, Stream::Init);
        for (per_synapse, knots) in [(false, 2), (false, 7), (true, 2), (true, 6)] {
            let (inputs, outputs) = (3, 4);
            let grids = if per_synapse { inputs * outputs } else { inputs };
            let logits: Vec<f32> = (0..grids * (knots - 1)).map(|_| rng.random_range(-1.0..1.0)).collect();
            let vals: Vec<f32> = (0..inputs * knots * outputs).map(|_| rng.random_range(-1.0..1.0)).collect();
            let layer = PiecewiseLinear::from_parts(logits, vals, inputs, knots, outputs, (-1.0, 1.0), true, per_synapse, &device);
            // Samples inside, outside, on the domain ends and exactly on interior knots.
            let pos = host(layer.positions());
            let mut xs: Vec<f32> = (0..30).map(|_| rng.random_range(-1.3..1.3)).collect();
            xs.extend([-1.0, 1.0, pos[1], pos[knots - 2], pos[pos.len() - 2], 1.0, -1.0, 0.0, -1.0]);
            let batch = xs.len() / inputs;
            xs.truncate(batch * inputs);
            let upstream: Vec<f32> = (0..batch * outputs).map(|_| rng.random_range(-1.0..1.0)).collect();
            let upstream = Tensor::<2>::from_data(TensorData::new(upstream, [batch, outputs]), &device);
            let mut seen = Vec::new();
            for form in [Form::Dense, Form::Gathered] {
                let x = Tensor::<2>::from_data(TensorData::new(xs.clone(), [batch, inputs]), &device).require_grad();
                let y = layer.forward_in(x.clone(), form);
                let grads = (y.clone() * upstream.clone()).sum().backward();
                seen.push([
                    host(y.inner()),
                    host(x.grad(&grads).unwrap()),
                    layer.values.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap(),
                    host(layer.width_logits.grad(&grads).unwrap()),
                ]);
            }
            for (what, (a, b)) in ["y", "dy/dx", "dy/dvalues", "dy/dlogits"].iter().zip(seen[0].iter().zip(&seen[1])) {
                let worst = a.iter().zip(b).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
                assert!(worst < 1e-5, "{what} per_synapse={per_synapse} knots={knots}: forms differ by {worst}");
            }
        }
    }
}
