//! Knot grids from width logits, on the host: the positions every CPU form of the piecewise-linear
//! layer uses (the fused kernel computes them inside its one operation; `PiecewiseLinear::widths`
//! and `positions` call the same functions through [`Widths`] and [`Positions`]), so that every
//! form sees bit-identical knots and a sample placed on a knot lands on it in all of them.
//!
//! `widths[g, j] = softmax(logits[g, ·])_j · L` and `p[g, k] = lo + Σ_{j<k} widths[g, j]` (summed
//! in order, so `p[g, 0] = lo` exactly and the grid never decreases).

use super::bridge::HostKernel;

/// Widths `[grids, S]` from logits `[grids, S]` over a domain of length `length`.
pub fn widths(logits: &[f32], segments: usize, length: f32) -> Vec<f32> {
    let mut out = vec![0.0f32; logits.len()];
    for (row, w) in logits.chunks_exact(segments).zip(out.chunks_exact_mut(segments)) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut total = 0.0f32;
        for (w, &l) in w.iter_mut().zip(row) {
            *w = (l - max).exp();
            total += *w;
        }
        for w in w.iter_mut() {
            *w = *w / total * length;
        }
    }
    out
}

/// One grid's knots `p_0 … p_S` from its widths: `lo`, then `lo` plus the running sum (the one
/// summation the positions and the segment starts share, so they agree bit for bit).
fn knots_of(widths: &[f32], lo: f32) -> impl Iterator<Item = f32> + '_ {
    std::iter::once(0.0f32).chain(widths.iter().scan(0.0f32, |offset, &w| {
        *offset += w;
        Some(*offset)
    }))
    .map(move |offset| lo + offset)
}

/// Knot positions `[grids, S + 1]` from widths `[grids, S]`.
pub fn positions(widths: &[f32], segments: usize, lo: f32) -> Vec<f32> {
    let mut out = Vec::with_capacity(widths.len() / segments * (segments + 1));
    for row in widths.chunks_exact(segments) {
        out.extend(knots_of(row, lo));
    }
    out
}

/// Segment starts and inverse widths `[grids, S]` (widths below 1e-12 count as 1e-12): the
/// positions without each grid's last knot.
pub fn segments(widths: &[f32], segments: usize, lo: f32) -> (Vec<f32>, Vec<f32>) {
    let mut starts = Vec::with_capacity(widths.len());
    for row in widths.chunks_exact(segments) {
        starts.extend(knots_of(row, lo).take(segments));
    }
    let inverse = widths.iter().map(|&w| 1.0 / w.max(1e-12)).collect();
    (starts, inverse)
}

/// The logits' gradient from the widths' (softmax backward, times the domain length).
pub fn widths_backward(widths: &[f32], dwidths: &[f32], segments: usize, length: f32) -> Vec<f32> {
    let mut out = vec![0.0f32; widths.len()];
    for ((w, dw), dl) in widths.chunks_exact(segments).zip(dwidths.chunks_exact(segments)).zip(out.chunks_exact_mut(segments)) {
        // With s = w / L: dlogit_j = s_j (L·dw_j − Σ_m s_m L·dw_m) = w_j (dw_j − Σ_m s_m dw_m).
        let mean: f32 = w.iter().zip(dw).map(|(&w, &d)| w / length * d).sum();
        for ((dl, &w), &d) in dl.iter_mut().zip(w).zip(dw) {
            *dl = w * (d - mean);
        }
    }
    out
}

/// The widths' gradient from the gradients of the segment starts and inverse widths.
pub fn segments_backward(widths: &[f32], dstarts: &[f32], dinverse: &[f32], segments: usize) -> Vec<f32> {
    let mut dwidths = vec![0.0f32; widths.len()];
    for (((w, ds), di), dw) in widths
        .chunks_exact(segments)
        .zip(dstarts.chunks_exact(segments))
        .zip(dinverse.chunks_exact(segments))
        .zip(dwidths.chunks_exact_mut(segments))
    {
        // start_k = lo + Σ_{j<k} w_j: width j moves every later start.
        let mut later = 0.0f32;
        for j in (0..segments).rev() {
            dw[j] = later;
            later += ds[j];
            if w[j] > 1e-12 {
                dw[j] -= di[j] / (w[j] * w[j]);
            }
        }
    }
    dwidths
}

/// `logits [grids, S]` → widths `[grids, S]`, as one operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Widths {
    pub grids: usize,
    pub segments: usize,
    pub length: f32,
}

impl HostKernel<1> for Widths {
    fn output_shape(&self) -> Vec<usize> {
        vec![self.grids, self.segments]
    }

    fn forward(&self, [logits]: [&[f32]; 1]) -> Vec<f32> {
        widths(logits, self.segments, self.length)
    }

    fn backward(&self, [logits]: [&[f32]; 1], upstream: &[f32], _wanted: [bool; 1]) -> [Option<Vec<f32>>; 1] {
        let w = widths(logits, self.segments, self.length);
        [Some(widths_backward(&w, upstream, self.segments, self.length))]
    }
}

/// `logits [grids, S]` → positions `[grids, S + 1]`, as one operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Positions {
    pub grids: usize,
    pub segments: usize,
    pub lo: f32,
    pub length: f32,
}

impl HostKernel<1> for Positions {
    fn output_shape(&self) -> Vec<usize> {
        vec![self.grids, self.segments + 1]
    }

    fn forward(&self, [logits]: [&[f32]; 1]) -> Vec<f32> {
        positions(&widths(logits, self.segments, self.length), self.segments, self.lo)
    }

    fn backward(&self, [logits]: [&[f32]; 1], upstream: &[f32], _wanted: [bool; 1]) -> [Option<Vec<f32>>; 1] {
        let w = widths(logits, self.segments, self.length);
        let s = self.segments;
        // p_k = lo + Σ_{j<k} w_j: dw_j = Σ_{k>j} dp_k.
        let mut dw = vec![0.0f32; w.len()];
        for (dp, dw) in upstream.chunks_exact(s + 1).zip(dw.chunks_exact_mut(s)) {
            let mut later = 0.0f32;
            for j in (0..s).rev() {
                later += dp[j + 1];
                dw[j] = later;
            }
        }
        [Some(widths_backward(&w, &dw, s, self.length))]
    }
}
