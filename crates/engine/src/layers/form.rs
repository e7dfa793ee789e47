//! Which of three equivalent evaluations a piecewise layer uses on a device.
//!
//! The *dense* form evaluates every basis function of every segment for every sample and
//! contracts with a matmul: no gather, so no scatter-add in the backward pass, which browser WebGPU
//! can only do serially (no f32 atomics). On a CPU most of that work multiplies zeros. The
//! *gathered* form finds each sample's segment and reads only that segment's coefficients with
//! `select`; its backward is a scatter-add, one cheap loop on a CPU. The *fused* form is the
//! gathered computation as one hand-written CPU operation (`layers::fused`), forward and backward.
//! All three compute the same values and gradients (tests compare them); only the speed differs.

use burn::tensor::Device;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Dense,
    Gathered,
    Fused,
}

impl Form {
    /// Dense on every GPU backend; fused on burn's CPU backend (`flex`, native or wasm), where it
    /// was faster than both tensor forms at every shape measured, from a 1→1 fit to the image
    /// network (docs/benchmarks.md, "Fused kernels").
    pub fn choose(device: &Device) -> Form {
        if super::fused::bridge::runs_on(device) {
            Form::Fused
        } else {
            Form::Dense
        }
    }

    pub const ALL: [Form; 3] = [Form::Dense, Form::Gathered, Form::Fused];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_on_the_cpu_backend_with_or_without_autodiff() {
        assert_eq!(Form::choose(&Device::flex().autodiff()), Form::Fused);
        assert_eq!(Form::choose(&Device::flex()), Form::Fused);
    }
}
