//! Ordinary dense layer `y = x W + b`, for lessons and comparisons with piecewise synapses.

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};
use rand::Rng;

use super::init::param;

#[derive(Module, Debug)]
pub struct LinearLayer {
    /// `[in, out]`.
    pub weight: Param<Tensor<2>>,
    /// `[out]`, absent for the notebook's bias-free neurons.
    pub bias: Option<Param<Tensor<1>>>,
}

impl LinearLayer {
    /// PyTorch's default: weight and bias uniform in ±1/√in (the lessons retell a PyTorch notebook).
    pub fn new(inputs: usize, outputs: usize, bias: bool, rng: &mut impl Rng, device: &Device) -> Self {
        let bound = 1.0 / (inputs as f32).sqrt();
        let mut draw = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-bound..bound)).collect() };
        let weight = param(draw(inputs * outputs), [inputs, outputs], device);
        let bias = bias.then(|| param(draw(outputs), [outputs], device));
        LinearLayer { weight, bias }
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let y = x.matmul(self.weight.val());
        match &self.bias {
            Some(b) => y + b.val().unsqueeze_dim(0),
            None => y,
        }
    }

    pub fn inputs(&self) -> usize {
        self.weight.dims()[0]
    }

    pub fn outputs(&self) -> usize {
        self.weight.dims()[1]
    }
}
