//! The fused CPU kernels compute exactly what the dense (GPU) and gathered (CPU tensor-op) forms
//! compute: values and every gradient (inputs, knot values, knot positions through the width
//! logits, polynomial weights) within 1e-6 relative, on random layers, with samples on knots,
//! on the domain ends and outside the domain. "Relative" is taken over each result vector: the
//! largest difference divided by the largest magnitude (a sum of many terms that happens to be
//! near zero is still compared at the scale of its terms' results).

use burn::tensor::{Device, Tensor, TensorData};
use playground_engine::layers::form::Form;
use playground_engine::layers::lagrange::{weights_per_synapse, Continuity, PiecewisePolynomial};
use playground_engine::layers::pwl::{forward_per_synapse, PiecewiseLinear};
use playground_engine::rng::{stream, Stream};
use rand::Rng;

mod common;

const RELATIVE: f32 = 1e-6;

fn host<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// Every form's results against the first's (the dense form's), by name.
fn assert_forms_agree(what: &str, results: &[(Form, Vec<(&str, Vec<f32>)>)]) {
    let (reference_form, reference) = &results[0];
    for (form, got) in &results[1..] {
        for ((name, a), (_, b)) in reference.iter().zip(got) {
            assert_eq!(a.len(), b.len(), "{what}: {name} has another length in the {form:?} form");
            let scale = a.iter().chain(b).fold(0.0f32, |m, v| m.max(v.abs()));
            let worst = a.iter().zip(b).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
            assert!(
                worst <= RELATIVE * scale.max(f32::MIN_POSITIVE),
                "{what}: {name} of the {form:?} form differs from the {reference_form:?} form by {worst} (scale {scale})"
            );
            assert!(a.iter().chain(b).all(|v| v.is_finite()), "{what}: {name} is not finite");
        }
    }
}

/// Random samples in and beyond the domain, plus the domain ends and the given knots exactly.
fn samples(rng: &mut impl Rng, inputs: usize, knots_on: &[f32]) -> (Vec<f32>, usize) {
    let mut xs: Vec<f32> = (0..36).map(|_| rng.random_range(-1.4..1.4)).collect();
    xs.extend([-1.0, 1.0, 0.0, -1.0, 1.0]);
    xs.extend_from_slice(knots_on);
    let batch = xs.len() / inputs;
    xs.truncate(batch * inputs);
    (xs, batch)
}

/// A layer's output, input gradient and parameter gradients (`params`) in every form, for the
/// samples `xs` and a random weighting of the outputs. An input gradient that was never recorded
/// (an output that does not depend on the input) counts as zero.
fn in_every_form<'a>(
    rng: &mut impl Rng,
    xs: &[f32],
    [batch, inputs]: [usize; 2],
    outputs: usize,
    forward: impl Fn(Tensor<2>, Form) -> Tensor<2>,
    params: impl Fn(&burn::tensor::Gradients, Form) -> Vec<(&'a str, Vec<f32>)>,
) -> Vec<(Form, Vec<(&'a str, Vec<f32>)>)> {
    let device = Device::flex().autodiff();
    let upstream: Vec<f32> = (0..batch * outputs).map(|_| rng.random_range(-1.0..1.0)).collect();
    let upstream = Tensor::<2>::from_data(TensorData::new(upstream, [batch, outputs]), &device);
    Form::ALL
        .into_iter()
        .map(|form| {
            let x = Tensor::<2>::from_data(TensorData::new(xs.to_vec(), [batch, inputs]), &device).require_grad();
            let y = forward(x.clone(), form);
            let grads = (y.clone() * upstream.clone()).sum().backward();
            let dx = x.grad(&grads).map(host).unwrap_or_else(|| vec![0.0; batch * inputs]);
            let mut seen = vec![("y", host(y.inner())), ("dy/dx", dx)];
            seen.extend(params(&grads, form));
            (form, seen)
        })
        .collect()
}

#[test]
fn piecewise_linear_forms_agree_in_values_and_all_gradients() {
    let device = Device::flex().autodiff();
    let mut rng = stream(21, Stream::Init);
    for (per_synapse, learn_positions, knots, inputs, outputs) in [
        (false, true, 2, 3, 4),
        (false, true, 8, 4, 8),
        (false, false, 16, 1, 1),
        (false, true, 33, 2, 16),
        (true, true, 2, 2, 3),
        (true, true, 6, 3, 4),
        (true, false, 9, 2, 5),
    ] {
        let grids = if per_synapse { inputs * outputs } else { inputs };
        let logits: Vec<f32> = (0..grids * (knots - 1)).map(|_| rng.random_range(-1.0..1.0)).collect();
        let values: Vec<f32> = (0..inputs * knots * outputs).map(|_| rng.random_range(-1.0..1.0)).collect();
        let layer = PiecewiseLinear::from_parts(logits, values, inputs, knots, outputs, (-1.0, 1.0), learn_positions, per_synapse, &device);
        // Samples exactly on interior knots of several grids.
        let positions = host(layer.positions());
        let on_knots: Vec<f32> = positions.iter().copied().step_by(3).collect();
        let (xs, batch) = samples(&mut rng, inputs, &on_knots);
        let results = in_every_form(&mut rng, &xs, [batch, inputs], outputs, |x, form| layer.forward_in(x, form), |grads, form| {
            let mut seen = vec![("dy/dvalues", host(layer.values.grad(grads).unwrap()))];
            if learn_positions {
                seen.push(("dy/dlogits", host(layer.width_logits.grad(grads).unwrap())));
            } else {
                assert!(layer.width_logits.grad(grads).is_none(), "fixed positions got a gradient in the {form:?} form");
            }
            seen
        });
        let what = format!("pwl per_synapse={per_synapse} learn={learn_positions} P={knots} {inputs}→{outputs}");
        assert_forms_agree(&what, &results);
    }
}

/// The reference form (explicit positions per synapse, duplicate knots allowed, optional fold).
#[test]
fn explicit_knots_with_duplicates_agree_in_every_form() {
    let device = Device::flex().autodiff();
    let (inputs, outputs, knots) = (2, 3, 6);
    let mut rng = stream(22, Stream::Init);
    let mut positions = Vec::new();
    for _ in 0..inputs * outputs {
        let mut grid: Vec<f32> = (0..knots).map(|_| rng.random_range(-1.0..1.0)).collect();
        grid.sort_by(f32::total_cmp);
        grid[2] = grid[3]; // a duplicate knot: a step
        positions.extend(grid);
    }
    let values: Vec<f32> = (0..inputs * outputs * knots).map(|_| rng.random_range(-1.0..1.0)).collect();
    let (xs, batch) = samples(&mut rng, inputs, &positions[..8]);
    for fold in [false, true] {
        let results: Vec<_> = Form::ALL
            .into_iter()
            .map(|form| {
                let p = Tensor::<3>::from_data(TensorData::new(positions.clone(), [inputs, outputs, knots]), &device);
                let v = Tensor::<3>::from_data(TensorData::new(values.clone(), [inputs, outputs, knots]), &device).require_grad();
                let x = Tensor::<2>::from_data(TensorData::new(xs.clone(), [batch, inputs]), &device);
                let y = forward_per_synapse(x, p, v.clone(), fold, form);
                let grads = y.clone().sum().backward();
                (form, vec![("y", host(y.inner())), ("dy/dvalues", host(v.grad(&grads).unwrap()))])
            })
            .collect();
        assert_forms_agree(&format!("explicit knots fold={fold}"), &results);
    }
}

#[test]
fn lagrange_forms_agree_in_values_and_all_gradients() {
    let device = Device::flex().autodiff();
    let mut rng = stream(23, Stream::Init);
    for (n, segments, continuity, periodicity, inputs, outputs) in [
        (3, 100, Continuity::Continuous, None, 2, 40),
        (3, 2, Continuity::Continuous, None, 5, 3),
        (5, 4, Continuity::Discontinuous, None, 3, 2),
        (1, 6, Continuity::Discontinuous, None, 2, 2),
        (2, 3, Continuity::Continuous, Some(2.0), 2, 3),
        (7, 1, Continuity::Continuous, None, 3, 4), // a plain polynomial
        (12, 2, Continuity::Discontinuous, None, 1, 2),
    ] {
        let k = weights_per_synapse(n, segments, continuity);
        let w: Vec<f32> = (0..outputs * inputs * k).map(|_| rng.random_range(-1.0..1.0)).collect();
        let layer = PiecewisePolynomial::from_weights(w, outputs, inputs, n, segments, continuity, periodicity, &device);
        // Segment ends exactly, the domain ends, and outside.
        let ends: Vec<f32> = (0..=segments.min(12)).map(|s| -1.0 + 2.0 * s as f32 / segments as f32).collect();
        let (xs, batch) = samples(&mut rng, inputs, &ends);
        let results = in_every_form(&mut rng, &xs, [batch, inputs], outputs, |x, form| layer.forward_in(x, form), |grads, _| {
            vec![("dy/dweights", host(layer.weights.grad(grads).unwrap()))]
        });
        assert_forms_agree(&format!("lagrange n={n} S={segments} {continuity:?} periodic={periodicity:?}"), &results);
    }
}

/// Without autodiff (plots, predictions) the fused form gives the same values, and the layer's own
/// `forward` picks it on the CPU backend.
#[test]
fn inference_without_autodiff_uses_the_fused_form_and_agrees() {
    let device = Device::flex();
    assert_eq!(Form::choose(&device), Form::Fused);
    let mut rng = stream(24, Stream::Init);
    let layer = PiecewiseLinear::new(3, 5, 7, (-1.0, 1.0), true, false, &mut rng, &device);
    let (xs, batch) = samples(&mut rng, 3, &[]);
    let x = Tensor::<2>::from_data(TensorData::new(xs, [batch, 3]), &device);
    let results: Vec<_> = [Form::Dense, Form::Gathered, Form::Fused]
        .into_iter()
        .map(|form| (form, vec![("y", host(layer.forward_in(x.clone(), form)))]))
        .collect();
    assert_forms_agree("inference", &results);
    assert_eq!(host(layer.forward(x.clone())), results[2].1[0].1);
}

/// A fused operation against its tensor formula on the same `[rows, cols]` inputs: the output and
/// the gradient of every input marked as tracked, through a random weighting of the output.
fn fused_against_formula<const D: usize>(
    what: &str,
    inputs: &[(Vec<f32>, [usize; 2], bool)],
    fused: impl Fn(Vec<Tensor<2>>) -> Option<Tensor<D>>,
    formula: impl Fn(Vec<Tensor<2>>) -> Tensor<D>,
) {
    let device = Device::flex().autodiff();
    let mut rng = stream(29, Stream::Init);
    let mut weights = None;
    let results: Vec<_> = [Form::Dense, Form::Fused]
        .into_iter()
        .map(|form| {
            let tensors: Vec<Tensor<2>> = inputs
                .iter()
                .map(|(v, shape, tracked)| {
                    let t = Tensor::<2>::from_data(TensorData::new(v.clone(), *shape), &device);
                    if *tracked { t.require_grad() } else { t }
                })
                .collect();
            let y = match form {
                Form::Fused => fused(tensors.clone()).expect("the CPU backend"),
                _ => formula(tensors.clone()),
            };
            let shape = y.dims();
            let w = weights.get_or_insert_with(|| {
                let n = shape.iter().product::<usize>();
                let w: Vec<f32> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
                Tensor::<D>::from_data(TensorData::new(w, shape), &device)
            });
            let grads = (y.clone() * w.clone()).sum().backward();
            let mut seen = vec![("output", host(y.inner()))];
            for (t, (_, _, tracked)) in tensors.iter().zip(inputs) {
                if *tracked {
                    seen.push(("an input's gradient", host(t.grad(&grads).unwrap())));
                }
            }
            (form, seen)
        })
        .collect();
    assert_forms_agree(what, &results);
}

/// Max-abs normalisation, with a row of zeros, a row whose largest magnitude appears twice, and a
/// negative maximum.
#[test]
fn fused_max_abs_agrees_with_the_tensor_formula() {
    use playground_engine::layers::fused;
    let mut rng = stream(25, Stream::Init);
    let mut xs: Vec<f32> = (0..8 * 6).map(|_| rng.random_range(-2.0..2.0)).collect();
    xs[..6].fill(0.0);
    xs[6..12].copy_from_slice(&[0.5, -1.5, 1.5, 0.2, 0.0, -0.3]);
    xs[12..18].copy_from_slice(&[-3.0, 1.0, 2.0, -0.5, 0.25, 2.5]);
    fused_against_formula(
        "max-abs",
        &[(xs, [8, 6], true)],
        |t| fused::max_abs(t[0].clone(), 1e-6),
        |t| t[0].clone() / t[0].clone().abs().max_dim(1).add_scalar(1e-6),
    );
}

/// The mean squared error, both gradients.
#[test]
fn fused_mean_squared_error_agrees_with_the_tensor_formula() {
    use playground_engine::layers::fused;
    let mut rng = stream(26, Stream::Init);
    let p: Vec<f32> = (0..30).map(|_| rng.random_range(-2.0..2.0)).collect();
    let t: Vec<f32> = (0..30).map(|_| rng.random_range(-2.0..2.0)).collect();
    fused_against_formula(
        "mse",
        &[(p, [10, 3], true), (t, [10, 3], true)],
        |t| fused::mse(t[0].clone(), t[1].clone()),
        |t| (t[0].clone() - t[1].clone()).square().mean(),
    );
}

/// The softmax cross-entropy (against `log_softmax`), with one-hot rows, a soft row, and logits
/// large enough to overflow a naive `exp`.
#[test]
fn fused_cross_entropy_agrees_with_the_tensor_formula() {
    use playground_engine::layers::fused;
    let mut rng = stream(27, Stream::Init);
    let mut z: Vec<f32> = (0..6 * 4).map(|_| rng.random_range(-3.0..3.0)).collect();
    z[4..8].copy_from_slice(&[120.0, -80.0, 119.5, 0.0]);
    let mut t = vec![0.0f32; 6 * 4];
    for row in 0..6 {
        t[row * 4 + row % 4] = 1.0;
    }
    t[20..24].copy_from_slice(&[0.25, 0.25, 0.5, 0.0]);
    fused_against_formula(
        "cross-entropy",
        &[(z, [6, 4], true), (t, [6, 4], false)],
        |t| fused::cross_entropy(t[0].clone(), t[1].clone()),
        |t| (burn::tensor::activation::log_softmax(t[0].clone(), 1) * t[1].clone()).sum().neg().div_scalar(6.0),
    );
}

/// A whole piecewise-linear network as one fused operation (`Network::forward` on the CPU) against
/// the same network layer by layer: output, input gradient and every parameter's gradient, for
/// depths 0 to 6, with and without max-abs, shared and per-synapse grids, learned and fixed knots.
#[test]
fn the_fused_stack_agrees_with_the_network_layer_by_layer() {
    use burn::module::Module;
    use playground_engine::network::{Network, Normalization};
    let device = Device::flex().autodiff();
    let mut rng = stream(28, Stream::Init);
    for (depth, normalization, per_synapse, learn_positions, knots) in [
        (0, Normalization::None, false, true, 6),
        (1, Normalization::MaxAbs, false, true, 8),
        (6, Normalization::MaxAbs, false, true, 8),
        (3, Normalization::None, false, false, 5),
        (2, Normalization::MaxAbs, true, true, 4),
        (6, Normalization::MaxAbs, true, false, 3),
    ] {
        let spec = common::pwl_spec(common::widths(4, depth, 8, 2), knots, learn_positions, per_synapse, normalization);
        let net = Network::new(&spec, 7, &device);
        let (xs, batch) = samples(&mut rng, 4, &[]);
        let upstream: Vec<f32> = (0..batch * 2).map(|_| rng.random_range(-1.0..1.0)).collect();
        let upstream = Tensor::<2>::from_data(TensorData::new(upstream, [batch, 2]), &device);
        let results: Vec<_> = [Form::Fused, Form::Gathered]
            .into_iter()
            .map(|form| {
                let x = Tensor::<2>::from_data(TensorData::new(xs.clone(), [batch, 4]), &device).require_grad();
                // "Fused" here: the whole stack; "Gathered": layer by layer (each layer fused).
                let y = if form == Form::Fused { net.forward_fused_stack(x.clone()).expect("the stack runs on the CPU") } else { net.forward_layers(x.clone()) };
                let grads = (y.clone() * upstream.clone()).sum().backward();
                let mut seen = vec![("y", host(y.inner())), ("dy/dx", host(x.grad(&grads).unwrap()))];
                let mut params = Vec::new();
                net.visit(&mut Collect { grads: &grads, out: &mut params });
                seen.extend(params.into_iter().map(|p| ("a parameter's gradient", p)));
                (form, seen)
            })
            .collect();
        assert_eq!(results[0].1.len(), results[1].1.len());
        assert_forms_agree(&format!("stack depth={depth} {normalization:?} per_synapse={per_synapse} learn={learn_positions}"), &results);
    }

    struct Collect<'a> {
        grads: &'a burn::tensor::Gradients,
        out: &'a mut Vec<Vec<f32>>,
    }
    impl burn::module::ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
            if let Some(g) = param.grad(self.grads) {
                self.out.push(g.into_data().try_to_vec::<f32>().unwrap());
            }
        }
    }
}
