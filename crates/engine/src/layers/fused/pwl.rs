//! The fused CPU kernels of the piecewise-linear layers: one pass per (sample, input) finds the
//! segment and the local coordinate and accumulates every output; one pass back produces the
//! gradients for the inputs, the segment starts, the inverse widths and the knot values.
//!
//! They compute exactly what `pwl_gather` computes with a dozen tensor operations (and their
//! autodiff nodes) per layer, with the same rules:
//!
//! ```text
//! k = #{ interior starts p_j (j ≥ 1) with p_j ≤ x }      (no gradient through k)
//! z = (x − p_k) · r_k,   t = clamp(z, 0, 1),   f(x) = v_k + t · (v_{k+1} − v_k)
//! ```
//!
//! and `dt/dz = 1` on `0 ≤ z < 1`, 0 elsewhere: a sample on a knot takes the slope on its right;
//! outside `[p_0, p_{P−1})` the function is constant. Segments are counted rather than searched
//! so that duplicate knots (reference data) resolve as the tensor forms resolve them.

use super::bridge::HostKernel;
use super::knots;

/// The sizes of a layer's evaluation: `x [batch, in]`, values `[in, P, out]`, and the grid of each
/// input (`per_synapse = false`, starts and inverse widths `[in, P−1]`) or of each synapse
/// (`[in, out, P−1]`, synapse `(i, o)` at row `i·out + o`); output `[batch, out]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub batch: usize,
    pub inputs: usize,
    pub knots: usize,
    pub outputs: usize,
    pub per_synapse: bool,
}

impl Dims {
    fn grids(&self) -> usize {
        if self.per_synapse { self.inputs * self.outputs } else { self.inputs }
    }
}

/// Segment index of `x` on a grid given by its segment starts: how many starts after the first
/// are `≤ x`.
#[inline]
fn segment(starts: &[f32], x: f32) -> usize {
    starts[1..].iter().filter(|&&p| p <= x).count()
}

/// Local coordinate clamped to [0, 1], and whether it lies on the sloped part (`0 ≤ z < 1`).
#[inline]
fn coordinate(x: f32, start: f32, inverse: f32) -> (f32, bool) {
    let z = (x - start) * inverse;
    if z < 0.0 {
        (0.0, false)
    } else if z >= 1.0 {
        (1.0, false)
    } else {
        (z, true)
    }
}

/// The layer's output for explicit segment starts and inverse widths.
pub fn forward(d: Dims, x: &[f32], starts: &[f32], inverse: &[f32], values: &[f32]) -> Vec<f32> {
    let Dims { batch, inputs, knots, outputs, per_synapse } = d;
    let segments = knots - 1;
    let mut y = vec![0.0f32; batch * outputs];
    for b in 0..batch {
        let row = &mut y[b * outputs..(b + 1) * outputs];
        for i in 0..inputs {
            let xi = x[b * inputs + i];
            if per_synapse {
                for (o, y) in row.iter_mut().enumerate() {
                    let grid_at = (i * outputs + o) * segments;
                    let grid = &starts[grid_at..grid_at + segments];
                    let k = segment(grid, xi);
                    let (t, _) = coordinate(xi, grid[k], inverse[grid_at + k]);
                    let l = values[(i * knots + k) * outputs + o];
                    let r = values[(i * knots + k + 1) * outputs + o];
                    *y += l + t * (r - l);
                }
            } else {
                let grid = &starts[i * segments..(i + 1) * segments];
                let k = segment(grid, xi);
                let (t, _) = coordinate(xi, grid[k], inverse[i * segments + k]);
                let left = &values[(i * knots + k) * outputs..(i * knots + k + 1) * outputs];
                let right = &values[(i * knots + k + 1) * outputs..(i * knots + k + 2) * outputs];
                for ((y, &l), &r) in row.iter_mut().zip(left).zip(right) {
                    *y += l + t * (r - l);
                }
            }
        }
    }
    y
}

/// Gradients of `Σ g·y` with respect to `x`, the starts, the inverse widths and the values
/// (`x`'s and the values' only where wanted: empty otherwise).
pub struct Gradients {
    pub x: Vec<f32>,
    pub starts: Vec<f32>,
    pub inverse: Vec<f32>,
    pub values: Vec<f32>,
}

pub fn backward(d: Dims, x: &[f32], starts: &[f32], inverse: &[f32], values: &[f32], g: &[f32], want_x: bool, want_values: bool) -> Gradients {
    let Dims { batch, inputs, knots, outputs, per_synapse } = d;
    let segments = knots - 1;
    let mut dx = vec![0.0f32; if want_x { batch * inputs } else { 0 }];
    let mut dstarts = vec![0.0f32; d.grids() * segments];
    let mut dinverse = vec![0.0f32; d.grids() * segments];
    let mut dvalues = vec![0.0f32; if want_values { values.len() } else { 0 }];
    for b in 0..batch {
        let gb = &g[b * outputs..(b + 1) * outputs];
        for i in 0..inputs {
            let xi = x[b * inputs + i];
            let mut dxi = 0.0f32;
            if per_synapse {
                for (o, &go) in gb.iter().enumerate() {
                    let grid_at = (i * outputs + o) * segments;
                    let grid = &starts[grid_at..grid_at + segments];
                    let k = segment(grid, xi);
                    let r = inverse[grid_at + k];
                    let (t, sloped) = coordinate(xi, grid[k], r);
                    let left_at = (i * knots + k) * outputs + o;
                    if want_values {
                        dvalues[left_at] += go - go * t;
                        dvalues[left_at + outputs] += go * t;
                    }
                    if sloped {
                        let dt = go * (values[left_at + outputs] - values[left_at]);
                        dxi += dt * r;
                        dstarts[grid_at + k] -= dt * r;
                        dinverse[grid_at + k] += dt * (xi - grid[k]);
                    }
                }
            } else {
                let grid = &starts[i * segments..(i + 1) * segments];
                let k = segment(grid, xi);
                let r = inverse[i * segments + k];
                let (t, sloped) = coordinate(xi, grid[k], r);
                let left_at = (i * knots + k) * outputs;
                if want_values {
                    let (head, tail) = dvalues.split_at_mut(left_at + outputs);
                    for ((dl, dr), &go) in head[left_at..].iter_mut().zip(&mut tail[..outputs]).zip(gb) {
                        *dl += go - go * t;
                        *dr += go * t;
                    }
                }
                if sloped {
                    // dL/dt = Σ_o g_o (v_{k+1,o} − v_{k,o}).
                    let left = &values[left_at..left_at + outputs];
                    let right = &values[left_at + outputs..left_at + 2 * outputs];
                    let dt: f32 = gb.iter().zip(left).zip(right).map(|((&go, &l), &r)| go * (r - l)).sum();
                    dxi = dt * r;
                    dstarts[i * segments + k] -= dt * r;
                    dinverse[i * segments + k] += dt * (xi - grid[k]);
                }
            }
            if want_x {
                dx[b * inputs + i] = dxi;
            }
        }
    }
    Gradients { x: dx, starts: dstarts, inverse: dinverse, values: dvalues }
}

/// Explicit grids: inputs `x`, segment starts, inverse widths, values (the reference form, whose
/// knots come as positions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExplicitGrid(pub Dims);

impl HostKernel<4> for ExplicitGrid {
    fn output_shape(&self) -> Vec<usize> {
        vec![self.0.batch, self.0.outputs]
    }

    fn forward(&self, [x, starts, inverse, values]: [&[f32]; 4]) -> Vec<f32> {
        forward(self.0, x, starts, inverse, values)
    }

    fn backward(&self, [x, starts, inverse, values]: [&[f32]; 4], g: &[f32], wanted: [bool; 4]) -> [Option<Vec<f32>>; 4] {
        let grads = backward(self.0, x, starts, inverse, values, g, wanted[0], wanted[3]);
        [
            wanted[0].then_some(grads.x),
            wanted[1].then_some(grads.starts),
            wanted[2].then_some(grads.inverse),
            wanted[3].then_some(grads.values),
        ]
    }
}

/// The layer as it trains: inputs `x`, width logits `[grids, P−1]`, values; the grid is built
/// from the logits inside the operation (`knots::widths`, `knots::segments`) and the logits'
/// gradient chained back through it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogitGrid {
    pub dims: Dims,
    pub lo: f32,
    pub hi: f32,
}

/// A layer's knot grid as its kernels read it: segment widths, starts and inverse widths.
#[derive(Clone, Debug)]
pub struct Grid {
    widths: Vec<f32>,
    starts: Vec<f32>,
    inverse: Vec<f32>,
}

impl LogitGrid {
    /// The grid the logits give (a stack computes it once per step for both passes).
    pub fn grid(&self, logits: &[f32]) -> Grid {
        let segments = self.dims.knots - 1;
        let widths = knots::widths(logits, segments, self.hi - self.lo);
        let (starts, inverse) = knots::segments(&widths, segments, self.lo);
        Grid { widths, starts, inverse }
    }

    /// The layer's output.
    pub fn apply(&self, x: &[f32], logits: &[f32], values: &[f32]) -> Vec<f32> {
        self.apply_on(&self.grid(logits), x, values)
    }

    /// The layer's output on a grid already computed from its logits.
    pub fn apply_on(&self, grid: &Grid, x: &[f32], values: &[f32]) -> Vec<f32> {
        forward(self.dims, x, &grid.starts, &grid.inverse, values)
    }

    /// Gradients for `x`, the logits and the values (each only where wanted).
    pub fn gradients(&self, x: &[f32], logits: &[f32], values: &[f32], g: &[f32], wanted: [bool; 3]) -> [Option<Vec<f32>>; 3] {
        self.gradients_on(&self.grid(logits), x, values, g, wanted)
    }

    /// `gradients` on a grid already computed from the logits.
    pub fn gradients_on(&self, grid: &Grid, x: &[f32], values: &[f32], g: &[f32], [want_x, want_logits, want_values]: [bool; 3]) -> [Option<Vec<f32>>; 3] {
        let Grid { widths, starts, inverse } = grid;
        let grads = backward(self.dims, x, starts, inverse, values, g, want_x, want_values);
        let dlogits = want_logits.then(|| {
            let segments = self.dims.knots - 1;
            let dwidths = knots::segments_backward(widths, &grads.starts, &grads.inverse, segments);
            knots::widths_backward(widths, &dwidths, segments, self.hi - self.lo)
        });
        [want_x.then_some(grads.x), dlogits, want_values.then_some(grads.values)]
    }
}

impl HostKernel<3> for LogitGrid {
    fn output_shape(&self) -> Vec<usize> {
        vec![self.dims.batch, self.dims.outputs]
    }

    fn forward(&self, [x, logits, values]: [&[f32]; 3]) -> Vec<f32> {
        self.apply(x, logits, values)
    }

    fn backward(&self, [x, logits, values]: [&[f32]; 3], g: &[f32], wanted: [bool; 3]) -> [Option<Vec<f32>>; 3] {
        self.gradients(x, logits, values, g, wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central differences of the forward pass against the hand-written backward, on a grid with
    /// samples away from knots (where the function is differentiable).
    #[test]
    fn shared_grid_gradients_match_finite_differences() {
        let kernel = ExplicitGrid(Dims { batch: 3, inputs: 2, knots: 4, outputs: 2, per_synapse: false });
        let x = [-0.7f32, 0.1, 0.35, -0.2, 0.8, 0.55];
        let starts = [-1.0f32, -0.4, 0.2, -1.0, 0.0, 0.5];
        let inverse = [1.0 / 0.6f32, 1.0 / 0.6, 1.0 / 0.8, 1.0, 2.0, 2.0];
        let values: Vec<f32> = (0..2 * 4 * 2).map(|j| ((j * 7 % 5) as f32 - 2.0) * 0.3).collect();
        let g = [0.3f32, -1.0, 0.5, 0.2, -0.4, 0.9];
        let inputs: [Vec<f32>; 4] = [x.to_vec(), starts.to_vec(), inverse.to_vec(), values.clone()];
        let loss = |inp: &[Vec<f32>; 4]| -> f64 {
            let y = kernel.forward([&inp[0], &inp[1], &inp[2], &inp[3]]);
            y.iter().zip(&g).map(|(a, b)| (*a as f64) * (*b as f64)).sum()
        };
        let grads = kernel.backward([&inputs[0], &inputs[1], &inputs[2], &inputs[3]], &g, [true; 4]);
        for (which, grad) in grads.iter().enumerate() {
            let grad = grad.as_ref().expect("wanted");
            for j in 0..inputs[which].len() {
                // The first start of each grid is never read by the forward pass except as p_0.
                let h = 1e-3f32;
                let mut up = inputs.clone();
                up[which][j] += h;
                let mut down = inputs.clone();
                down[which][j] -= h;
                let numeric = (loss(&up) - loss(&down)) / (2.0 * h as f64);
                assert!((numeric - grad[j] as f64).abs() < 2e-3, "input {which}[{j}]: {numeric} vs {}", grad[j]);
            }
        }
    }
}
