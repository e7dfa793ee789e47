//! The gathered form of the piecewise-linear layers: find each sample's segment, then read two
//! knots, in tensor operations. The CPU runs the same computation as one fused operation
//! (`fused::pwl`); this form stays as its twin in tensor operations, which the tests compare the
//! fused and dense forms against, and as the fallback should the fused one not apply.
//!
//! The dense form in `pwl.rs` evaluates every ramp of every grid for every sample — `P−1` numbers
//! per (sample, input), or per (sample, synapse) with knots per synapse — and its backward pass
//! repeats that work several times over. That is the right trade on a GPU (a matmul and
//! elementwise kernels, no scatter-add, which browser WebGPU can only do serially), but on a CPU
//! it is mostly wasted: only one segment per grid is active.
//!
//! Here the segment index `k` comes from one comparison of `x` against the interior knots (no
//! gradient flows through it), and the output is
//!
//! ```text
//! f(x) = v_k + t · (v_{k+1} − v_k),   t = clamp((x − p_k) / w_k, 0, 1)
//! ```
//!
//! with `p_k`, `1/w_k`, `v_k` and `v_{k+1}` picked by `select` on flattened parameters. Forward
//! and backward then touch `batch·in·out` numbers instead of `batch·in·out·P` (a scatter-add on
//! the way back, which is a cheap loop on a CPU).
//!
//! The rules match the dense form exactly, gradients included: a sample on a knot belongs to the
//! segment on its right (derivative = right-hand slope); outside `[p_0, p_{P−1})` the function is
//! constant and its derivative zero (so at `x = p_{P−1}` too); a zero-width segment (duplicate
//! knots, only in reference data) is a step taken at `x ≥` the knot.

use burn::tensor::{Int, Tensor};

/// Shared grid per input: `x [batch, in]`, segment starts and inverse widths `[in, P−1]`, values
/// `[in, P, out]` → `[batch, out]`.
pub fn shared_grid(x: Tensor<2>, starts: Tensor<2>, inverse_widths: Tensor<2>, values: Tensor<3>) -> Tensor<2> {
    let [batch, inputs] = x.dims();
    let [_, knots, outputs] = values.dims();
    let segments = knots - 1;
    // k[b, i]: interior knots at or left of x, 0 ..= P−2.
    let k = segment_index(x.clone().unsqueeze_dim::<3>(2), starts.clone().unsqueeze_dim::<3>(0)).reshape([batch, inputs]);
    let input = Tensor::<1, Int>::arange(0..inputs as i64, &x.device()).reshape([1, inputs]);
    let grid_row = (input.clone().mul_scalar(segments as i64) + k.clone()).reshape([batch * inputs]);
    let start = starts.reshape([inputs * segments]).select(0, grid_row.clone()).reshape([batch, inputs]);
    let inverse = inverse_widths.reshape([inputs * segments]).select(0, grid_row).reshape([batch, inputs]);
    let t = unit_clamp((x - start) * inverse).unsqueeze_dim::<3>(2); // [batch, in, 1]
    // Values as rows [in·P, out]: knot k of input i is row i·P + k, the next knot the next row.
    let left_row = (input.mul_scalar(knots as i64) + k).reshape([batch * inputs]);
    interpolate(values.reshape([inputs * knots, outputs]), left_row, 1, t, [batch, inputs, outputs])
}

/// A grid per synapse: `x [batch, in]`, starts and inverse widths `[in, out, P−1]`, values
/// `[in, P, out]` → `[batch, out]`.
pub fn per_synapse(x: Tensor<2>, starts: Tensor<3>, inverse_widths: Tensor<3>, values: Tensor<3>) -> Tensor<2> {
    let [batch, inputs] = x.dims();
    let [_, knots, outputs] = values.dims();
    let segments = knots - 1;
    let device = x.device();
    let x = x.unsqueeze_dims::<4>(&[2, 3]); // [batch, in, 1, 1]
    let k = segment_index(x.clone(), starts.clone().unsqueeze_dim::<4>(0)).reshape([batch, inputs, outputs]);
    let input = Tensor::<1, Int>::arange(0..inputs as i64, &device).reshape([1, inputs, 1]);
    let output = Tensor::<1, Int>::arange(0..outputs as i64, &device).reshape([1, 1, outputs]);
    let flat = batch * inputs * outputs;
    // Grid of synapse (i, o) is row i·out + o of the `[in·out, P−1]` starts.
    let grid_row = ((input.clone().mul_scalar(outputs as i64) + output.clone()).mul_scalar(segments as i64) + k.clone())
        .reshape([flat]);
    let start = starts.reshape([inputs * outputs * segments]).select(0, grid_row.clone());
    let inverse = inverse_widths.reshape([inputs * outputs * segments]).select(0, grid_row);
    let t = unit_clamp((x.reshape([batch, inputs, 1]) - start.reshape([batch, inputs, outputs])) * inverse.reshape([batch, inputs, outputs]));
    // One value per row: v[i, k, o] is row (i·P + k)·out + o, the next knot `out` rows on.
    let left_row = ((input.mul_scalar(knots as i64) + k).mul_scalar(outputs as i64) + output).reshape([flat]);
    interpolate(values.reshape([inputs * knots * outputs, 1]), left_row, outputs, t, [batch, inputs, outputs])
}

/// `Σ_i (v_left + t·(v_right − v_left))` → `[batch, out]`: `v_left` are the `table` rows at
/// `left_row`, `v_right` the rows `step` further on, both reshaped to `[batch, in, out]`; `t`
/// broadcasts against that shape.
fn interpolate(table: Tensor<2>, left_row: Tensor<1, Int>, step: usize, t: Tensor<3>, [batch, inputs, outputs]: [usize; 3]) -> Tensor<2> {
    let left = table.clone().select(0, left_row.clone()).reshape([batch, inputs, outputs]);
    let right = table.select(0, left_row.add_scalar(step as i64)).reshape([batch, inputs, outputs]);
    (left.clone() + t * (right - left)).sum_dim(1).reshape([batch, outputs])
}

/// How many interior knots (segment starts after the first) are `≤ x`, with a trailing size-1 axis:
/// `x` and `starts` broadcast against each other, segments on the last axis of `starts`.
fn segment_index<const D: usize>(x: Tensor<D>, starts: Tensor<D>) -> Tensor<D, Int> {
    let segments = starts.dims()[D - 1];
    if segments == 1 {
        let mut shape = x.dims();
        for (axis, size) in shape.iter_mut().enumerate() {
            *size = (*size).max(starts.dims()[axis]);
        }
        shape[D - 1] = 1;
        return Tensor::<D, Int>::zeros(shape, &x.device());
    }
    let interior = starts.detach().narrow(D - 1, 1, segments - 1);
    x.detach().greater_equal(interior).int().sum_dim(D - 1)
}

/// `clamp(z, 0, 1)` with derivative 1 on `0 ≤ z < 1` and 0 elsewhere (constant extension at and
/// beyond the last knot; right-hand slope at a knot).
pub fn unit_clamp<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    let below = z.clone().lower_elem(0.0);
    let above = z.clone().greater_equal_elem(1.0);
    z.mask_fill(below, 0.0).mask_fill(above, 1.0)
}
