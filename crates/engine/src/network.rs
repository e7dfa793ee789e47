//! A stack of synapse layers: the network the studio trains.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use crate::layers::basis::max_abs;
use crate::layers::fourier::FourierSeries;
use crate::layers::lagrange::PiecewisePolynomial;
use crate::layers::activation::Apply;
use crate::layers::{LinearLayer, PiecewiseLinear};
pub use playground_config::spec::{Continuity, Family, NetworkSpec, Normalization};
use crate::rng::{stream, Stream};

/// The ε of max-abs normalisation between layers: `h / (max |h| + ε)`.
const MAX_ABS_EPS: f64 = 1e-6;

#[derive(Module, Debug)]
pub enum Layer {
    Pwl(PiecewiseLinear),
    Linear(LinearLayer),
    Poly(PiecewisePolynomial),
    Fourier(FourierSeries),
}

impl Layer {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Layer::Pwl(l) => l.forward(x),
            Layer::Linear(l) => l.forward(x),
            Layer::Poly(l) => l.forward(x),
            Layer::Fourier(l) => l.forward(x),
        }
    }
}

#[derive(Module, Debug)]
pub struct Network {
    pub layers: Vec<Layer>,
    #[module(skip)]
    pub spec: NetworkSpec,
}

impl Network {
    /// Build with initial weights drawn from the init stream of `seed`: the same seed always gives
    /// the same network (this is what "reset" relies on).
    pub fn new(spec: &NetworkSpec, seed: u64, device: &Device) -> Self {
        let mut rng = stream(seed, Stream::Init);
        let layers = spec
            .widths
            .windows(2)
            .enumerate()
            .map(|(l, w)| match spec.family {
                Family::Pwl { knots, learn_positions, per_synapse } => {
                    let domain = if l == 0 { spec.input_domain } else { (-1.0, 1.0) };
                    Layer::Pwl(PiecewiseLinear::new(w[0], w[1], knots, domain, learn_positions, per_synapse, &mut rng, device))
                }
                Family::Mlp { bias, .. } => Layer::Linear(LinearLayer::new(w[0], w[1], bias, &mut rng, device)),
                Family::Lagrange { n, segments, continuity, periodicity } => {
                    let segments = spec.segments_of_layer(l, segments);
                    Layer::Poly(lagrange_lines(w[0], w[1], n, segments, continuity, periodicity, &mut rng, device))
                }
                Family::Fourier { n } => Layer::Fourier(fourier_init(w[0], w[1], n, &mut rng, device)),
            })
            .collect();
        Network { layers, spec: spec.clone() }
    }

    /// `[batch, in]` → `[batch, out]`. On the CPU backend a piecewise-linear network runs as one
    /// fused operation (`layers::fused::stack`); otherwise layer by layer.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        if let Some(y) = self.forward_fused_stack(x.clone()) {
            return y;
        }
        self.forward_layers(x)
    }

    /// The whole piecewise-linear stack as one operation, where the backend and the network allow.
    pub fn forward_fused_stack(&self, x: Tensor<2>) -> Option<Tensor<2>> {
        if !crate::layers::fused::bridge::runs_on(&x.device()) {
            return None;
        }
        let layers = self.pwl_layers()?.into_iter().map(|l| (l.width_logits.val(), l.values.val(), l.domain(), l.per_synapse())).collect();
        crate::layers::fused::pwl_stack(x, layers, self.max_abs_eps())
    }

    /// The layers, when the network is made only of piecewise-linear ones (what the stack
    /// operation and the host step take).
    pub fn pwl_layers(&self) -> Option<Vec<&PiecewiseLinear>> {
        if !matches!(self.spec.family, Family::Pwl { .. }) {
            return None;
        }
        self.layers.iter().map(|layer| if let Layer::Pwl(l) = layer { Some(l) } else { None }).collect()
    }

    /// Whether the parameters' tensors are left untracked by a host step (`Optimiser::step_host`),
    /// so that autodiff would see no parameter: the knot values of a piecewise-linear layer always
    /// train, so their tensor tells.
    pub fn untracked(&self) -> bool {
        let values = match self.layers.first() {
            Some(Layer::Pwl(l)) => l.values.val(),
            _ => return false,
        };
        values.is_autodiff() && !values.is_require_grad()
    }

    /// The ε of max-abs between layers, or nothing when the layers are not normalised.
    pub fn max_abs_eps(&self) -> Option<f32> {
        match self.spec.normalization {
            Normalization::MaxAbs => Some(MAX_ABS_EPS as f32),
            Normalization::None => None,
        }
    }

    /// `forward` layer by layer (each layer in the form `Form::choose` gives it).
    pub fn forward_layers(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut h = self.normalise_input(x);
        for (l, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if l < last {
                h = self.between_layers(h);
            }
        }
        h
    }

    /// The input of every layer for the batch `x` (after the previous layer's normalisation or
    /// activation), in order.
    pub fn layer_inputs(&self, x: Tensor<2>) -> Vec<Tensor<2>> {
        let mut inputs = Vec::with_capacity(self.layers.len());
        let mut h = self.normalise_input(x);
        for (l, layer) in self.layers.iter().enumerate() {
            inputs.push(h.clone());
            if l + 1 < self.layers.len() {
                h = self.between_layers(layer.forward(h));
            }
        }
        inputs
    }

    fn normalise_input(&self, x: Tensor<2>) -> Tensor<2> {
        if self.spec.family.on_unit_interval() {
            let (lo, hi) = self.spec.input_domain;
            x.sub_scalar(lo).mul_scalar(2.0 / (hi - lo).max(1e-12)).sub_scalar(1.0)
        } else {
            x
        }
    }

    fn between_layers(&self, h: Tensor<2>) -> Tensor<2> {
        match (&self.spec.family, self.spec.normalization) {
            (Family::Mlp { activation, .. }, _) => activation.apply(h),
            (_, Normalization::MaxAbs) => max_abs(h, MAX_ABS_EPS),
            (_, Normalization::None) => h,
        }
    }

    /// Every synapse of layer `l` as a curve (the KAN-style thumbnails and the network diagram):
    /// row `i·samples + k` holds, for each output j, f_ji at the k-th of `samples` points spread
    /// over the layer's input domain, minus f_ji at the domain's centre. A layer only exposes the
    /// sum over its inputs, so a synapse is seen by varying one input with the others held at the
    /// centre; the constant is unknowable from outside and irrelevant to the curve's shape. The
    /// first layer's domain is the data's; later layers see [−1, 1]. Returns `[in·samples, out]`.
    pub fn layer_curves(&self, l: usize, samples: usize, device: &Device) -> Tensor<2> {
        let inputs = self.spec.widths[l];
        let (lo, hi) = self.layer_domain(l);
        let centre = 0.5 * (lo + hi);
        let samples = samples.max(2);
        let mut x = vec![centre; (inputs * samples + 1) * inputs];
        for i in 0..inputs {
            for k in 0..samples {
                x[(i * samples + k) * inputs + i] = lo + (hi - lo) * k as f32 / (samples - 1) as f32;
            }
        }
        let rows = inputs * samples + 1;
        let batch = Tensor::<2>::from_data(burn::tensor::TensorData::new(x, [rows, inputs]), device);
        let batch = if l == 0 { self.normalise_input(batch) } else { batch };
        let out = self.layers[l].forward(batch);
        let base = out.clone().slice([rows - 1..rows]);
        out.slice([0..rows - 1]) - base
    }

    /// The input interval layer `l`'s synapses are drawn over.
    pub fn layer_domain(&self, l: usize) -> (f32, f32) {
        if l == 0 {
            self.spec.input_domain
        } else {
            (-1.0, 1.0)
        }
    }

    /// Knot positions of the first layer, `[in, P]`, when it is piecewise linear.
    pub fn first_layer_knots(&self) -> Option<Tensor<2>> {
        match self.layers.first() {
            Some(Layer::Pwl(l)) => Some(l.positions()),
            _ => None,
        }
    }
}

/// Lagrange synapses start as random lines `a·ξ + b` sampled at their nodes (the originals' optional
/// linear init; their default makes every synapse a constant), scaled by 1/in.
pub fn lagrange_lines(
    inputs: usize,
    outputs: usize,
    n: usize,
    segments: usize,
    continuity: Continuity,
    periodicity: Option<f32>,
    rng: &mut impl rand::Rng,
    device: &Device,
) -> PiecewisePolynomial {
    let nodes = crate::layers::basis::lobatto(n.max(1));
    let k = crate::layers::lagrange::weights_per_synapse(n.max(1), segments.max(1), continuity);
    let mut w = vec![0.0f32; outputs * inputs * k];
    for link in 0..outputs * inputs {
        let a: f32 = rng.random_range(-1.0..1.0) / inputs as f32;
        let b: f32 = rng.random_range(-0.5..0.5) / inputs as f32;
        for s in 0..segments.max(1) {
            for (m, xm) in nodes.iter().enumerate() {
                let xi = -1.0 + 2.0 / segments.max(1) as f64 * (s as f64 + (xm + 1.0) / 2.0);
                let idx = crate::layers::lagrange::weight_index(n.max(1), s, m, continuity);
                w[link * k + idx] = a * xi as f32 + b;
            }
        }
    }
    PiecewisePolynomial::from_weights(w, outputs, inputs, n, segments, continuity, periodicity, device)
}

/// Fourier synapses start with a random constant and a random first sine (a slope through the
/// middle), and small higher harmonics that shrink with frequency.
fn fourier_init(inputs: usize, outputs: usize, n: usize, rng: &mut impl rand::Rng, device: &Device) -> FourierSeries {
    let scale = 1.0 / inputs as f32;
    let w = (0..outputs * inputs * n)
        .map(|idx| {
            let j = idx % n;
            let freq = ((j + 1) / 2).max(1) as f32;
            let amplitude = match j {
                0 | 1 => 1.0,
                _ => 0.1 / freq,
            };
            rng.random_range(-amplitude..amplitude) * scale
        })
        .collect();
    FourierSeries::from_weights(w, outputs, inputs, n, device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_weights_and_parameter_count() {
        let device = Device::flex();
        let spec = NetworkSpec {
            family: Family::Pwl { knots: 6, learn_positions: true, per_synapse: false },
            widths: vec![1, 4, 1],
            input_domain: (0.0, 6.0),
            normalization: Normalization::None,
            input_segments: None,
            output_segments: None,
        };
        let a = Network::new(&spec, 9, &device);
        let b = Network::new(&spec, 9, &device);
        let x = Tensor::<2>::from_floats([[0.5], [3.0], [5.5]], &device);
        let ya = a.forward(x.clone()).into_data().try_to_vec::<f32>().unwrap();
        let yb = b.forward(x).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(ya, yb);
        // 1·6·4 + 4·6·1 values, plus 4 interior knots per input grid (1 + 4 grids).
        assert_eq!(spec.parameter_count(), 24 + 24 + 4 + 16);
        let mlp = NetworkSpec { family: Family::Mlp { activation: crate::layers::Activation::Relu, bias: true }, ..spec };
        assert_eq!(mlp.parameter_count(), 4 + 4 + 4 + 1);
    }
}
