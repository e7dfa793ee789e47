//! Helpers to turn host vectors drawn from our seeded streams into parameters.

use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData};

/// A trainable parameter with the given host values and shape.
pub fn param<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Param<Tensor<D>> {
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}

/// A constant tensor (no gradient) from host values.
pub fn constant<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), device)
}
