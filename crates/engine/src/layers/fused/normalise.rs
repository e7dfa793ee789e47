//! Max-abs normalisation between layers as one operation: per sample `y = x / (max_j |x_j| + ε)`.
//! The tensor form (`basis::max_abs`) takes four operations and their autodiff nodes, as many as
//! a fused layer costs in all; here the forward pass is one loop and the backward pass another.

use super::bridge::HostKernel;

/// `x [rows, features]` → the same shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MaxAbs {
    pub rows: usize,
    pub features: usize,
    pub eps: f32,
}

impl MaxAbs {
    /// The scale of a row and where its largest magnitude is (the first, on ties — as burn's
    /// `max_dim` picks it, so its gradient goes to the same feature).
    fn scale(&self, row: &[f32]) -> (f32, usize) {
        let mut at = 0;
        for (j, v) in row.iter().enumerate() {
            if v.abs() > row[at].abs() {
                at = j;
            }
        }
        (row[at].abs() + self.eps, at)
    }
}

impl HostKernel<1> for MaxAbs {
    fn output_shape(&self) -> Vec<usize> {
        vec![self.rows, self.features]
    }

    fn forward(&self, [x]: [&[f32]; 1]) -> Vec<f32> {
        let mut y = x.to_vec();
        for row in y.chunks_exact_mut(self.features) {
            let (scale, _) = self.scale(row);
            row.iter_mut().for_each(|v| *v /= scale);
        }
        y
    }

    fn backward(&self, [x]: [&[f32]; 1], g: &[f32], _wanted: [bool; 1]) -> [Option<Vec<f32>>; 1] {
        let mut dx = vec![0.0f32; x.len()];
        for ((row, gr), dr) in x.chunks_exact(self.features).zip(g.chunks_exact(self.features)).zip(dx.chunks_exact_mut(self.features)) {
            let (scale, at) = self.scale(row);
            // y_j = x_j / s with s = |x_at| + ε: dx_j = g_j / s, and the scale's own share
            // −Σ_j g_j x_j / s² reaches x_at through |·| (sign 0 at 0, as burn's abs).
            let mut dscale = 0.0f32;
            for ((d, &g), &v) in dr.iter_mut().zip(gr).zip(row) {
                *d = g / scale;
                dscale -= g * v / (scale * scale);
            }
            let sign = if row[at] > 0.0 { 1.0 } else if row[at] < 0.0 { -1.0 } else { 0.0 };
            dr[at] += dscale * sign;
        }
        [Some(dx)]
    }
}
