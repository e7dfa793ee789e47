//! A stack of synapse layers: the network the studio trains.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use crate::core::layers::{Activation, LinearLayer, PiecewiseLinear};
use crate::core::rng::{stream, Stream};

/// Which kind of synapse every layer uses.
#[derive(Clone, Debug, PartialEq)]
pub enum Family {
    /// Non-uniform piecewise linear with `knots` knots per input grid.
    Pwl { knots: usize, learn_positions: bool },
    /// Classic dense layers with an activation between them (not after the last).
    Mlp { activation: Activation, bias: bool },
}

/// What sits between two piecewise layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalization {
    /// Nothing: a hidden value outside the next layer's knot domain sees its constant extension.
    None,
    /// Per sample, divide by the largest |value| over the features (the originals' `max_abs`),
    /// which keeps every hidden value inside [−1, 1].
    MaxAbs,
}

/// Everything needed to build a network; part of the experiment config.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkSpec {
    pub family: Family,
    /// Widths from input to output, e.g. `[1, 8, 1]`.
    pub widths: Vec<usize>,
    /// Domain of the first layer's knots (the data's x-range); hidden layers use [−1, 1].
    pub input_domain: (f32, f32),
    pub normalization: Normalization,
}

impl NetworkSpec {
    /// Number of trainable numbers (knot positions count only when they are learned).
    pub fn parameter_count(&self) -> usize {
        self.widths
            .windows(2)
            .map(|w| match self.family {
                Family::Pwl { knots, learn_positions } => {
                    w[0] * knots * w[1] + if learn_positions { w[0] * (knots - 2) } else { 0 }
                }
                Family::Mlp { bias, .. } => w[0] * w[1] + if bias { w[1] } else { 0 },
            })
            .sum()
    }
}

#[derive(Module, Debug)]
pub enum Layer {
    Pwl(PiecewiseLinear),
    Linear(LinearLayer),
}

impl Layer {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Layer::Pwl(l) => l.forward(x),
            Layer::Linear(l) => l.forward(x),
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
                Family::Pwl { knots, learn_positions } => {
                    let domain = if l == 0 { spec.input_domain } else { (-1.0, 1.0) };
                    Layer::Pwl(PiecewiseLinear::new(w[0], w[1], knots, domain, learn_positions, &mut rng, device))
                }
                Family::Mlp { bias, .. } => Layer::Linear(LinearLayer::new(w[0], w[1], bias, &mut rng, device)),
            })
            .collect();
        Network { layers, spec: spec.clone() }
    }

    /// `[batch, in]` → `[batch, out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut h = x;
        for (l, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if l == last {
                break;
            }
            h = match (&self.spec.family, self.spec.normalization) {
                (Family::Mlp { activation, .. }, _) => activation.apply(h),
                (Family::Pwl { .. }, Normalization::MaxAbs) => {
                    let scale = h.clone().abs().max_dim(1).add_scalar(1e-6);
                    h / scale
                }
                (Family::Pwl { .. }, Normalization::None) => h,
            };
        }
        h
    }

    /// Knot positions of the first layer, `[in, P]`, when it is piecewise linear.
    pub fn first_layer_knots(&self) -> Option<Tensor<2>> {
        match self.layers.first() {
            Some(Layer::Pwl(l)) => Some(l.positions()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_weights_and_parameter_count() {
        let device = Device::flex();
        let spec = NetworkSpec {
            family: Family::Pwl { knots: 6, learn_positions: true },
            widths: vec![1, 4, 1],
            input_domain: (0.0, 6.0),
            normalization: Normalization::None,
        };
        let a = Network::new(&spec, 9, &device);
        let b = Network::new(&spec, 9, &device);
        let x = Tensor::<2>::from_floats([[0.5], [3.0], [5.5]], &device);
        let ya = a.forward(x.clone()).into_data().try_to_vec::<f32>().unwrap();
        let yb = b.forward(x).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(ya, yb);
        // 1·6·4 + 4·6·1 values, plus 4 interior knots per input grid (1 + 4 grids).
        assert_eq!(spec.parameter_count(), 24 + 24 + 4 + 16);
        let mlp = NetworkSpec { family: Family::Mlp { activation: Activation::Relu, bias: true }, ..spec };
        assert_eq!(mlp.parameter_count(), 4 + 4 + 4 + 1);
    }
}
