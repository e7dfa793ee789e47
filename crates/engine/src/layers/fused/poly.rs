//! The fused CPU kernel of the piecewise Lagrange layers (continuous, discontinuous, and the plain
//! polynomial, which is one segment): per (sample, input) the segment, the local coordinate and
//! the `n` basis values are computed once and contracted with that segment's `n` weights of every
//! output; the backward pass yields the input and weight gradients in one pass.
//!
//! The rules are those of `lagrange.rs` (which the tensor forms follow):
//!
//! ```text
//! s = clamp(⌊(x + 1)·S/2⌋, 0, S − 1)          (no gradient through s)
//! t = (x + 1)·S − (2s + 1)                       (dt/dx = S; outside [−1, 1] the edge segments extrapolate)
//! f(x) = Σ_m φ_m(t) · w[first(s) + m],   φ = T(t) · C   (Chebyshev terms times a change of basis)
//! ```

use super::bridge::HostKernel;

/// Inputs `x [batch, in]` (already folded when the layer is periodic) and weights `[out, in, K]`;
/// output `[batch, out]`. `change` is `C [n, n]` (`basis::chebyshev_to_lagrange`, in f32) and
/// `stride` how far apart neighbouring segments' first weights are (`n − 1` continuous, `n`
/// discontinuous).
#[derive(Clone, Debug, PartialEq)]
pub struct Lagrange {
    pub batch: usize,
    pub inputs: usize,
    pub outputs: usize,
    pub n: usize,
    pub segments: usize,
    pub stride: usize,
    /// Weights per synapse, K.
    pub per_synapse: usize,
    pub change: Vec<f32>,
}

impl Lagrange {
    /// Segment and local coordinate of `x`, computed in the same order of operations as the tensor
    /// form (so samples on segment ends fall on the same side).
    #[inline]
    fn locate(&self, x: f32) -> (usize, f32) {
        let s = ((x + 1.0) * (self.segments as f64 / 2.0) as f32).floor().clamp(0.0, (self.segments - 1) as f32);
        let t = (x + 1.0) * self.segments as f32 - (s * 2.0 + 1.0);
        (s as usize, t)
    }

    /// Basis values `φ_m(t)` into `phi`, and their derivatives into `dphi` when given.
    fn basis(&self, t: f32, phi: &mut [f32], dphi: Option<&mut [f32]>) {
        let n = self.n;
        if n == 1 {
            phi[0] = 1.0;
            if let Some(d) = dphi {
                d[0] = 0.0;
            }
            return;
        }
        // Chebyshev terms and their derivatives by the three-term recurrence.
        let mut cheb = [0.0f32; MAX_N];
        let mut dcheb = [0.0f32; MAX_N];
        cheb[0] = 1.0;
        cheb[1] = t;
        dcheb[1] = 1.0;
        for k in 2..n {
            cheb[k] = t * cheb[k - 1] * 2.0 - cheb[k - 2];
            dcheb[k] = 2.0 * cheb[k - 1] + 2.0 * t * dcheb[k - 1] - dcheb[k - 2];
        }
        for (m, p) in phi.iter_mut().enumerate().take(n) {
            *p = (0..n).map(|k| cheb[k] * self.change[k * n + m]).sum();
        }
        if let Some(d) = dphi {
            for (m, p) in d.iter_mut().enumerate().take(n) {
                *p = (0..n).map(|k| dcheb[k] * self.change[k * n + m]).sum();
            }
        }
    }

    /// The weights laid out `[in, K, out]`, so that one (input, weight) row of every output is contiguous.
    fn by_input(&self, weights: &[f32]) -> Vec<f32> {
        let (inputs, outputs, k) = (self.inputs, self.outputs, self.per_synapse);
        let mut rows = vec![0.0f32; weights.len()];
        for o in 0..outputs {
            for i in 0..inputs {
                for j in 0..k {
                    rows[(i * k + j) * outputs + o] = weights[(o * inputs + i) * k + j];
                }
            }
        }
        rows
    }
}

/// The largest order the kernel's stack buffers hold (the layer settings stop well below).
pub const MAX_N: usize = 32;

impl HostKernel<2> for Lagrange {
    fn output_shape(&self) -> Vec<usize> {
        vec![self.batch, self.outputs]
    }

    fn forward(&self, [x, weights]: [&[f32]; 2]) -> Vec<f32> {
        let (batch, inputs, outputs, n, k) = (self.batch, self.inputs, self.outputs, self.n, self.per_synapse);
        let rows = self.by_input(weights);
        let mut y = vec![0.0f32; batch * outputs];
        let mut phi = [0.0f32; MAX_N];
        for b in 0..batch {
            let out = &mut y[b * outputs..(b + 1) * outputs];
            for i in 0..inputs {
                let (s, t) = self.locate(x[b * inputs + i]);
                self.basis(t, &mut phi, None);
                let first = i * k + s * self.stride;
                for (m, &p) in phi.iter().enumerate().take(n) {
                    let w = &rows[(first + m) * outputs..(first + m + 1) * outputs];
                    for (y, &w) in out.iter_mut().zip(w) {
                        *y += p * w;
                    }
                }
            }
        }
        y
    }

    fn backward(&self, [x, weights]: [&[f32]; 2], g: &[f32], wanted: [bool; 2]) -> [Option<Vec<f32>>; 2] {
        let (batch, inputs, outputs, n, k) = (self.batch, self.inputs, self.outputs, self.n, self.per_synapse);
        let rows = self.by_input(weights);
        let mut dx = vec![0.0f32; if wanted[0] { batch * inputs } else { 0 }];
        let mut drows = vec![0.0f32; if wanted[1] { rows.len() } else { 0 }];
        let (mut phi, mut dphi) = ([0.0f32; MAX_N], [0.0f32; MAX_N]);
        let scale = self.segments as f32;
        for b in 0..batch {
            let gb = &g[b * outputs..(b + 1) * outputs];
            for i in 0..inputs {
                let (s, t) = self.locate(x[b * inputs + i]);
                self.basis(t, &mut phi, wanted[0].then_some(&mut dphi[..]));
                let first = i * k + s * self.stride;
                let mut dxi = 0.0f32;
                for m in 0..n {
                    let at = (first + m) * outputs;
                    if wanted[1] {
                        for (d, &go) in drows[at..at + outputs].iter_mut().zip(gb) {
                            *d += go * phi[m];
                        }
                    }
                    if wanted[0] {
                        let dot: f32 = gb.iter().zip(&rows[at..at + outputs]).map(|(&go, &w)| go * w).sum();
                        dxi += dphi[m] * dot;
                    }
                }
                if wanted[0] {
                    dx[b * inputs + i] = dxi * scale;
                }
            }
        }
        let dweights = wanted[1].then(|| {
            let mut d = vec![0.0f32; weights.len()];
            for o in 0..outputs {
                for i in 0..inputs {
                    for j in 0..k {
                        d[(o * inputs + i) * k + j] = drows[(i * k + j) * outputs + o];
                    }
                }
            }
            d
        });
        [wanted[0].then_some(dx), dweights]
    }
}
