//! Activations for the classic linear layers (lessons compare them with piecewise synapses).

use burn::tensor::{activation, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Activation {
    Identity,
    Relu,
    Tanh,
    Sigmoid,
    Gelu,
}

impl Activation {
    pub const ALL: [Activation; 5] =
        [Activation::Relu, Activation::Tanh, Activation::Sigmoid, Activation::Gelu, Activation::Identity];

    pub fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Identity => x,
            Activation::Relu => activation::relu(x),
            Activation::Tanh => activation::tanh(x),
            Activation::Sigmoid => activation::sigmoid(x),
            Activation::Gelu => activation::gelu(x),
        }
    }

    /// The URL name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}
