//! Interpolation nodes and bases shared by the polynomial synapse families.
//!
//! The Lagrange basis on Chebyshev–Lobatto nodes is evaluated as Chebyshev polynomials
//! `T_0..T_{n−1}(t)` (a three-term recurrence: cheap, stable elementwise ops) times a fixed
//! `n × n` change-of-basis matrix (one matmul). The naive product formula needs n(n−1) tensor ops;
//! the monomial/Vandermonde route loses digits in f32 as n grows. Both bases span the same
//! polynomials, so the result is the exact Lagrange basis up to rounding.

use burn::tensor::{Device, Tensor};

use super::init::constant;

/// Chebyshev–Lobatto nodes `−cos(π i/(n−1))` on [−1, 1], ascending; `[0]` when n = 1.
pub fn lobatto(n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![0.0],
        _ => (0..n).map(|i| -(std::f64::consts::PI * i as f64 / (n - 1) as f64).cos()).collect(),
    }
}

/// Lagrange basis functions on `nodes`, evaluated at `t` (host, f64): for plots, refinement and tests.
pub fn lagrange_host(nodes: &[f64], t: f64) -> Vec<f64> {
    (0..nodes.len())
        .map(|m| {
            nodes.iter().enumerate().filter(|(j, _)| *j != m).map(|(_, &xj)| (t - xj) / (nodes[m] - xj)).product()
        })
        .collect()
}

/// Chebyshev polynomials `T_0..T_{n−1}` at `t` (host).
fn chebyshev_host(n: usize, t: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        out.push(match k {
            0 => 1.0,
            1 => t,
            _ => 2.0 * t * out[k - 1] - out[k - 2],
        });
    }
    out
}

/// Solve `A X = B` for square `A` (Gauss–Jordan with partial pivoting), row-major, f64.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>, n: usize, cols: usize) -> Vec<f64> {
    for c in 0..n {
        let pivot = (c..n).max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs())).unwrap_or(c);
        for k in 0..n {
            a.swap(c * n + k, pivot * n + k);
        }
        for k in 0..cols {
            b.swap(c * cols + k, pivot * cols + k);
        }
        let d = a[c * n + c];
        for r in 0..n {
            if r == c {
                continue;
            }
            let f = a[r * n + c] / d;
            for k in 0..n {
                a[r * n + k] -= f * a[c * n + k];
            }
            for k in 0..cols {
                b[r * cols + k] -= f * b[c * cols + k];
            }
        }
    }
    for r in 0..n {
        let d = a[r * n + r];
        for k in 0..cols {
            b[r * cols + k] /= d;
        }
    }
    b
}

/// `C [n, n]` with `lagrange(t) = chebyshev(t) · C` for the Lobatto nodes of order n.
pub fn chebyshev_to_lagrange(n: usize) -> Vec<f64> {
    let nodes = lobatto(n);
    // Row m of V holds T_k(X_m); the Lagrange basis is T(t)·V⁻¹.
    let v: Vec<f64> = nodes.iter().flat_map(|&x| chebyshev_host(n, x)).collect();
    let identity: Vec<f64> = (0..n * n).map(|i| if i / n == i % n { 1.0 } else { 0.0 }).collect();
    solve(v, identity, n, n)
}

/// Lagrange basis on the order-n Lobatto nodes at local coordinates `t` (`[batch, in]`):
/// returns `[batch, in, n]`. Differentiable in `t`.
pub fn lagrange(t: Tensor<2>, n: usize, device: &Device) -> Tensor<3> {
    let [batch, inputs] = t.dims();
    if n == 1 {
        return Tensor::ones([batch, inputs, 1], device);
    }
    let cheb = chebyshev(t, n);
    let c: Vec<f32> = chebyshev_to_lagrange(n).into_iter().map(|v| v as f32).collect();
    cheb.reshape([batch * inputs, n]).matmul(constant(c, [n, n], device)).reshape([batch, inputs, n])
}

/// `T_0..T_{n−1}(t)` stacked on a new last axis: `[batch, in, n]`.
pub fn chebyshev(t: Tensor<2>, n: usize) -> Tensor<3> {
    let t = t.unsqueeze_dim::<3>(2);
    let mut terms: Vec<Tensor<3>> = Vec::with_capacity(n);
    terms.push(t.clone().ones_like());
    if n > 1 {
        terms.push(t.clone());
    }
    for k in 2..n {
        let next = t.clone().mul(terms[k - 1].clone()).mul_scalar(2.0) - terms[k - 2].clone();
        terms.push(next);
    }
    Tensor::cat(terms, 2)
}

/// Mirror (triangle-wave) fold of the real line onto [−p/2, p/2], reflecting at the ends.
/// `u = (x + p/2) mod 2p; if u > p { u = 2p − u }; u − p/2`. Differentiable (slope ±1).
pub fn mirror_fold(x: Tensor<2>, period: f64) -> Tensor<2> {
    let u = (x.add_scalar(period / 2.0)).remainder_scalar(2.0 * period);
    let reflected = u.clone().neg().add_scalar(2.0 * period);
    let over = u.clone().greater_elem(period);
    u.mask_where(over, reflected).sub_scalar(period / 2.0)
}

/// Host version of [`mirror_fold`].
pub fn mirror_fold_host(x: f64, period: f64) -> f64 {
    let mut u = (x + period / 2.0).rem_euclid(2.0 * period);
    if u > period {
        u = 2.0 * period - u;
    }
    u - period / 2.0
}

/// Per sample, `x / (max |x| + eps)` over the features (the originals' max-abs normalisation);
/// one fused operation on the CPU backend (`fused::normalise`).
pub fn max_abs(x: Tensor<2>, eps: f64) -> Tensor<2> {
    if let Some(y) = super::fused::max_abs(x.clone(), eps as f32) {
        return y;
    }
    let scale = x.clone().abs().max_dim(1).add_scalar(eps);
    x / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lobatto_nodes_and_lagrange_are_interpolating() {
        assert_eq!(lobatto(1), vec![0.0]);
        let n4 = lobatto(4);
        assert!((n4[1] + 0.5).abs() < 1e-12 && (n4[2] - 0.5).abs() < 1e-12);
        let device = Device::flex();
        for n in 2..=9 {
            let nodes = lobatto(n);
            let t = constant(nodes.iter().map(|&v| v as f32).collect(), [n, 1], &device);
            let phi = lagrange(t, n, &device).into_data().try_to_vec::<f32>().unwrap();
            for m in 0..n {
                for k in 0..n {
                    let expect = if m == k { 1.0 } else { 0.0 };
                    assert!((phi[m * n + k] - expect).abs() < 2e-5, "n{n} node{m} basis{k}: {}", phi[m * n + k]);
                }
            }
            // Off the nodes it agrees with the product formula.
            let host = lagrange_host(&nodes, 0.123);
            let t = constant(vec![0.123f32], [1, 1], &device);
            let phi = lagrange(t, n, &device).into_data().try_to_vec::<f32>().unwrap();
            for m in 0..n {
                assert!((phi[m] as f64 - host[m]).abs() < 2e-5);
            }
        }
    }

    #[test]
    fn fold_matches_the_seed_examples() {
        let xs = [-3.0, -1.5, -1.0, 0.3, 1.0, 1.5, 2.0, 3.0, 4.2];
        let expect = [1.0, -0.5, -1.0, 0.3, 1.0, 0.5, 0.0, -1.0, 0.2];
        let device = Device::flex();
        let t = constant(xs.iter().map(|&v| v as f32).collect(), [9, 1], &device);
        let got = mirror_fold(t, 2.0).into_data().try_to_vec::<f32>().unwrap();
        for i in 0..9 {
            assert!((mirror_fold_host(xs[i], 2.0) - expect[i]).abs() < 1e-12);
            assert!((got[i] as f64 - expect[i]).abs() < 1e-6, "{} -> {}", xs[i], got[i]);
        }
    }
}
