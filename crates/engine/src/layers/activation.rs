//! Activations for the classic linear layers (lessons compare them with piecewise synapses).

use burn::tensor::{activation, Tensor};

pub use playground_config::spec::Activation;
use playground_config::spec::LEAKY_SLOPE;

/// Applying an activation to a tensor (the enum itself lives in the config crate).
pub trait Apply {
    fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D>;
}

impl Apply for Activation {
    fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Identity => x,
            Activation::Relu => activation::relu(x),
            Activation::Tanh => activation::tanh(x),
            Activation::Sigmoid => activation::sigmoid(x),
            Activation::Gelu => activation::gelu(x),
            Activation::LeakyRelu => activation::leaky_relu(x, LEAKY_SLOPE),
            Activation::Softplus => activation::softplus(x, 1.0),
            Activation::Sin => x.sin(),
        }
    }
}
