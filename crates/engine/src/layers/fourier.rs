//! Fourier-series synapses: `f(x) = Σ_j w_j ψ_j(x)` with ψ = [1/2, sin πx, cos πx, sin 2πx, …]
//! (period 2, n basis functions — the originals' convention, where n counts functions, not
//! frequencies). Weights `[out, in, n]`.

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};

use super::init::param;

#[derive(Module, Debug)]
pub struct FourierSeries {
    /// `[out, in, n]`.
    pub weights: Param<Tensor<3>>,
}

impl FourierSeries {
    pub fn from_weights(weights: Vec<f32>, outputs: usize, inputs: usize, n: usize, device: &Device) -> Self {
        FourierSeries { weights: param(weights, [outputs, inputs, n.max(1)], device) }
    }

    /// `[batch, in]` → `[batch, in, n]`.
    pub fn basis(x: Tensor<2>, n: usize) -> Tensor<3> {
        let x = x.unsqueeze_dim::<3>(2);
        let mut terms = vec![x.clone().ones_like().mul_scalar(0.5)];
        for j in 1..n {
            let k = ((j + 1) / 2) as f64;
            let arg = x.clone().mul_scalar(std::f64::consts::PI * k);
            terms.push(if j % 2 == 1 { arg.sin() } else { arg.cos() });
        }
        Tensor::cat(terms, 2)
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, inputs] = x.dims();
        let [outputs, _, n] = self.weights.dims();
        let psi = Self::basis(x, n).reshape([batch, inputs * n]);
        psi.matmul(self.weights.val().permute([1, 2, 0]).reshape([inputs * n, outputs]))
    }
}
