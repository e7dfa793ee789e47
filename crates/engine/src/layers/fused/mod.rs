//! Fused CPU forms of the piecewise families: each layer's evaluation as one operation with a
//! hand-written backward pass, instead of the dozen small tensor operations (segment search,
//! selects, masks) of the gathered form and their autodiff nodes.
//!
//! Why: at the sizes people build by hand (a few hundred parameters, batches of 10–1,000) a step
//! on burn's CPU backend costs what its operations cost to dispatch and record, not what their
//! arithmetic costs; one pass per (sample, input) that reads only the active segment does the
//! same work as the gathered form with a twentieth of the operations. Measured in
//! docs/benchmarks.md ("Fused kernels").
//!
//! The same treatment for what sits around the layers: max-abs normalisation (`normalise`), the
//! squared error (`loss`) and the softmax cross-entropy (`cross_entropy`); and a network made only
//! of piecewise-linear layers runs as one operation altogether (`stack`).
//!
//! Only burn's CPU backend (`flex`, native and wasm) runs them: elsewhere `None` comes back and the
//! caller uses its tensor form. They compute the same values and gradients as the dense and
//! gathered forms (tests compare all three, on knots, domain ends and outside the domain).

pub mod bridge;
pub mod cross_entropy;
pub mod knots;
pub mod loss;
pub mod normalise;
pub mod poly;
pub mod pwl;
pub mod stack;

use burn::tensor::Tensor;

/// A piecewise-linear layer as it trains: `[batch, in]` through synapses whose grids come from
/// width logits `[grids, P−1]` over `(lo, hi)`, values `[in, P, out]` (see `PiecewiseLinear`);
/// `None` off the CPU backend.
pub fn learned_grid(x: Tensor<2>, logits: Tensor<2>, values: Tensor<3>, (lo, hi): (f32, f32), per_synapse: bool) -> Option<Tensor<2>> {
    let [batch, inputs] = x.dims();
    let [_, knots, outputs] = values.dims();
    let dims = pwl::Dims { batch, inputs, knots, outputs, per_synapse };
    bridge::apply_any(pwl::LogitGrid { dims, lo, hi }, [x.into(), logits.into(), values.into()])
}

/// `[batch, in]` through synapses with explicit segment starts and inverse widths (`[in, P−1]`
/// shared per input, or `[in, out, P−1]` per synapse) and values `[in, P, out]`, fused; `None`
/// off the CPU backend.
pub fn explicit_grid<const G: usize>(x: Tensor<2>, starts: Tensor<G>, inverse_widths: Tensor<G>, values: Tensor<3>) -> Option<Tensor<2>> {
    let [batch, inputs] = x.dims();
    let [_, knots, outputs] = values.dims();
    let dims = pwl::Dims { batch, inputs, knots, outputs, per_synapse: G == 3 };
    bridge::apply_any(pwl::ExplicitGrid(dims), [x.into(), starts.into(), inverse_widths.into(), values.into()])
}

/// `[batch, in]` through a stack of piecewise-linear layers given by `(width logits, values,
/// domain, per_synapse)`, with max-abs (its ε) between them or nothing, as one operation; `None`
/// off the CPU backend or beyond `stack::MAX_LAYERS` layers.
pub fn pwl_stack(x: Tensor<2>, layers: Vec<(Tensor<2>, Tensor<3>, (f32, f32), bool)>, max_abs_eps: Option<f32>) -> Option<Tensor<2>> {
    if !bridge::runs_on(&x.device()) {
        return None;
    }
    let [batch, features] = x.dims();
    let device = x.device();
    let shapes = layers.iter().map(|(_, values, domain, per_synapse)| (values.dims(), *domain, *per_synapse));
    let kernel = stack_kernel(batch, features, shapes, max_abs_eps)?;
    let mut inputs: Vec<bridge::Input> = vec![x.into()];
    for (logits, values, _, _) in layers {
        inputs.push(logits.into());
        inputs.push(values.into());
    }
    // Unused slots: constants no gradient flows to.
    while inputs.len() < stack::INPUTS {
        inputs.push(Tensor::<1>::zeros([1], &device.clone().without_autodiff()).into());
    }
    let inputs: [bridge::Input; stack::INPUTS] = inputs.try_into().ok()?;
    bridge::apply_any(kernel, inputs)
}

/// The stack operation for `[batch, features]` inputs through layers whose values are shaped
/// `[in, P, out]`, over `domain`, with or without a grid per synapse; `None` when there are no
/// layers, more than `stack::MAX_LAYERS`, or their widths do not chain.
pub fn stack_kernel(
    batch: usize,
    features: usize,
    layers: impl ExactSizeIterator<Item = ([usize; 3], (f32, f32), bool)>,
    max_abs_eps: Option<f32>,
) -> Option<stack::Stack> {
    if layers.len() == 0 || layers.len() > stack::MAX_LAYERS {
        return None;
    }
    let mut kernels = Vec::with_capacity(layers.len());
    let mut width = features;
    for ([inputs, knots, outputs], (lo, hi), per_synapse) in layers {
        if width != inputs {
            return None;
        }
        width = outputs;
        kernels.push(pwl::LogitGrid { dims: pwl::Dims { batch, inputs, knots, outputs, per_synapse }, lo, hi });
    }
    Some(stack::Stack::new(kernels, max_abs_eps))
}

/// Segment widths `[grids, P−1]` from width logits over a domain of `length`; `None` off the CPU backend.
pub fn widths(logits: Tensor<2>, length: f32) -> Option<Tensor<2>> {
    let [grids, segments] = logits.dims();
    bridge::apply(knots::Widths { grids, segments, length }, [logits])
}

/// Knot positions `[grids, P]` from width logits over `(lo, hi)`; `None` off the CPU backend.
pub fn positions(logits: Tensor<2>, (lo, hi): (f32, f32)) -> Option<Tensor<2>> {
    let [grids, segments] = logits.dims();
    bridge::apply(knots::Positions { grids, segments, lo, length: hi - lo }, [logits])
}

/// `mean((pred − target)²)` as a `[1]` tensor; `None` off the CPU backend.
pub fn mse(pred: Tensor<2>, target: Tensor<2>) -> Option<Tensor<1>> {
    let len = pred.dims().iter().product();
    if target.dims() != pred.dims() {
        return None;
    }
    bridge::apply_any(loss::MeanSquaredError { len }, [pred.into(), target.into()])
}

/// Softmax cross-entropy of `logits` against probability rows `target`, averaged over rows, as a
/// `[1]` tensor; `None` off the CPU backend.
pub fn cross_entropy(logits: Tensor<2>, target: Tensor<2>) -> Option<Tensor<1>> {
    let [rows, classes] = logits.dims();
    if target.dims() != [rows, classes] {
        return None;
    }
    bridge::apply_any(cross_entropy::SoftmaxCrossEntropy { rows, classes }, [logits.into(), target.into()])
}

/// Per row, `x / (max |x| + eps)`; `None` off the CPU backend.
pub fn max_abs(x: Tensor<2>, eps: f32) -> Option<Tensor<2>> {
    let [rows, features] = x.dims();
    bridge::apply(normalise::MaxAbs { rows, features, eps }, [x])
}

/// `[batch, in]` through piecewise Lagrange synapses with weights `[out, in, K]`, fused; `None`
/// off the CPU backend or beyond the kernel's largest order.
pub fn lagrange(x: Tensor<2>, weights: Tensor<3>, n: usize, segments: usize, continuous: bool) -> Option<Tensor<2>> {
    if n > poly::MAX_N || !bridge::runs_on(&x.device()) {
        return None;
    }
    let [batch, inputs] = x.dims();
    let [outputs, _, per_synapse] = weights.dims();
    let change = if n > 1 { super::basis::chebyshev_to_lagrange(n).into_iter().map(|v| v as f32).collect() } else { vec![1.0] };
    let kernel = poly::Lagrange {
        batch,
        inputs,
        outputs,
        n,
        segments,
        stride: if continuous { n - 1 } else { n },
        per_synapse,
        change,
    };
    bridge::apply_any(kernel, [x.into(), weights.into()])
}
