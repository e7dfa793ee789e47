//! Piecewise Lagrange polynomial synapses on Chebyshev–Lobatto nodes: continuous, discontinuous,
//! and the plain polynomial (one segment).
//!
//! Weights keep the originals' layout `[out, in, K]` (K = (n−1)S+1 continuous, nS discontinuous)
//! so reference vectors load as they are. The forward pass is matmul-shaped on every backend:
//! per (sample, input) the segment index and local coordinate are computed once, the n Lagrange
//! values are spread over the S segments with a one-hot mask (`[batch, in·S·n]`), and contracted
//! with the weights expanded to `[in·S·n, out]` (a batch-independent matmul with a fixed 0/1
//! matrix; neighbouring continuous segments read the same boundary weight). That dense form is
//! what GPUs run; on the CPU backend the fused kernel of `fused::poly` reads only each sample's
//! segment, in one operation forward and backward (the gathered form is its tensor-op twin).

use burn::module::{Module, Param};
use burn::tensor::{Device, Int, Tensor};

use super::basis::{lagrange, mirror_fold};
use super::form::Form;
use super::init::{constant, param};

pub use playground_config::spec::{weights_per_synapse, Continuity};

#[derive(Module, Debug)]
pub struct PiecewisePolynomial {
    /// `[out, in, K]`.
    pub weights: Param<Tensor<3>>,
    /// `[K, S·n]`: weight k feeds (segment s, local node m).
    expand: Tensor<2>,
    /// `[S]`: 0, 1, …, S−1, to build the segment one-hot.
    segment_ids: Tensor<1>,
    n: usize,
    segments: usize,
    continuous: bool,
    /// Mirror-fold period applied to the inputs, if any (0 = none).
    periodicity: f32,
}


/// Index of the weight used by local node `m` of segment `s`.
pub fn weight_index(n: usize, s: usize, m: usize, continuity: Continuity) -> usize {
    match continuity {
        Continuity::Continuous => s * (n - 1) + m,
        Continuity::Discontinuous => s * n + m,
    }
}

impl PiecewisePolynomial {
    /// From host weights `[out, in, K]` (row-major).
    #[allow(clippy::too_many_arguments)]
    pub fn from_weights(
        weights: Vec<f32>,
        outputs: usize,
        inputs: usize,
        n: usize,
        segments: usize,
        continuity: Continuity,
        periodicity: Option<f32>,
        device: &Device,
    ) -> Self {
        let n = n.max(1);
        let segments = segments.max(1);
        let k = weights_per_synapse(n, segments, continuity);
        let mut expand = vec![0.0f32; k * segments * n];
        for s in 0..segments {
            for m in 0..n {
                expand[weight_index(n, s, m, continuity) * segments * n + s * n + m] = 1.0;
            }
        }
        PiecewisePolynomial {
            weights: param(weights, [outputs, inputs, k], device),
            expand: constant(expand, [k, segments * n], device),
            segment_ids: constant((0..segments).map(|s| s as f32).collect(), [segments], device),
            n,
            segments,
            continuous: continuity == Continuity::Continuous,
            periodicity: periodicity.unwrap_or(0.0),
        }
    }

    pub fn continuity(&self) -> Continuity {
        if self.continuous { Continuity::Continuous } else { Continuity::Discontinuous }
    }

    pub fn n(&self) -> usize {
        self.n
    }

    pub fn segments(&self) -> usize {
        self.segments
    }

    pub fn periodicity(&self) -> Option<f32> {
        (self.periodicity > 0.0).then_some(self.periodicity)
    }

    pub fn dims(&self) -> [usize; 3] {
        self.weights.dims()
    }

    /// `[batch, in]` → `[batch, out]`, in the form that suits the device (`Form::choose`): dense
    /// on a GPU, fused on the CPU backend.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let form = Form::choose(&x.device());
        self.forward_in(x, form)
    }

    /// `forward` in a chosen form: both give the same values and gradients.
    pub fn forward_in(&self, x: Tensor<2>, form: Form) -> Tensor<2> {
        let [batch, inputs] = x.dims();
        let [outputs, _, k] = self.weights.dims();
        let (n, segments) = (self.n, self.segments);
        let x = if self.periodicity > 0.0 { mirror_fold(x, self.periodicity as f64) } else { x };
        if form == Form::Fused {
            if let Some(y) = super::fused::lagrange(x.clone(), self.weights.val(), n, segments, self.continuous) {
                return y;
            }
        }
        // Segment of each input (inputs outside [−1, 1] use the edge segments and extrapolate).
        let s = x.clone().add_scalar(1.0).mul_scalar(segments as f64 / 2.0).floor().clamp(0.0, (segments - 1) as f64).detach();
        let t = x.add_scalar(1.0).mul_scalar(segments as f64) - s.clone().mul_scalar(2.0).add_scalar(1.0);
        let phi = lagrange(t, n, &s.device()); // [batch, in, n]
        if form != Form::Dense {
            return self.contract_gathered(s, phi);
        }
        let one_hot = s.unsqueeze_dim::<3>(2).equal(self.segment_ids.clone().unsqueeze_dims::<3>(&[0, 1])).float();
        let basis = one_hot.unsqueeze_dim::<4>(3) * phi.unsqueeze_dim::<4>(2); // [batch, in, S, n]
        let basis = basis.reshape([batch, inputs * segments * n]);
        let expanded = self
            .weights
            .val()
            .reshape([outputs * inputs, k])
            .matmul(self.expand.clone())
            .reshape([outputs, inputs * segments * n])
            .transpose();
        basis.matmul(expanded)
    }

    /// The CPU form (`Form::Gathered`): each (sample, input) reads the `n` weights of its own
    /// segment — rows `i·K + first + m` of the weights laid out `[in·K, out]` — and contracts them
    /// with its Lagrange values. `segment` `[batch, in]` (whole numbers), `phi` `[batch, in, n]`.
    fn contract_gathered(&self, segment: Tensor<2>, phi: Tensor<3>) -> Tensor<2> {
        let [batch, inputs, n] = phi.dims();
        let [outputs, _, k] = self.weights.dims();
        let device = phi.device();
        let stride = if self.continuous { n - 1 } else { n };
        let first = segment.int().mul_scalar(stride as i64); // [batch, in]
        let input = Tensor::<1, Int>::arange(0..inputs as i64, &device).reshape([1, inputs]);
        let node = Tensor::<1, Int>::arange(0..n as i64, &device).reshape([1, 1, n]);
        let rows = ((input.mul_scalar(k as i64) + first).unsqueeze_dim::<3>(2) + node).reshape([batch * inputs * n]);
        let table = self.weights.val().permute([1, 2, 0]).reshape([inputs * k, outputs]);
        let picked = table.select(0, rows).reshape([batch, inputs * n, outputs]);
        phi.reshape([batch, 1, inputs * n]).matmul(picked).reshape([batch, outputs])
    }
}
