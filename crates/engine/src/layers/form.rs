//! Which of two equivalent evaluations a piecewise layer uses on a device.
//!
//! The *dense* form evaluates every basis function of every segment for every sample and
//! contracts with a matmul: no gather, so no scatter-add in the backward pass, which browser WebGPU
//! can only do serially (no f32 atomics). On a CPU most of that work multiplies zeros. The
//! *gathered* form finds each sample's segment and reads only that segment's coefficients with
//! `select`; its backward is a scatter-add, one cheap loop on a CPU. Both compute the same values
//! and gradients (tests compare them); only the speed differs.

use burn::tensor::Device;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Dense,
    Gathered,
}

impl Form {
    /// Dense on every GPU backend. On burn's CPU backend (`flex`, native or wasm) gathered, unless
    /// it would touch more numbers per (sample, input) than the dense form: `dense` and `gathered`
    /// are those counts (e.g. `P−1` ramps against `out` knot values). Its extra small ops (indices,
    /// selects, masks) make a tie a wash, not a win (docs/benchmarks.md, "Dense or gathered").
    pub fn choose(device: &Device, dense: usize, gathered: usize) -> Form {
        let cpu = device.clone().without_autodiff() == Device::flex();
        if cpu && gathered <= dense {
            Form::Gathered
        } else {
            Form::Dense
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathered_on_the_cpu_backend_while_it_does_less_work() {
        let cpu = Device::flex().autodiff();
        assert_eq!(Form::choose(&cpu, 31, 16), Form::Gathered);
        assert_eq!(Form::choose(&Device::flex(), 11, 16), Form::Dense);
    }
}
