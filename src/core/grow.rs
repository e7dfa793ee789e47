//! Growing a trained piecewise-linear network without changing what it computes: insert a knot,
//! in every layer, halfway across the interval that holds the worst-fitted sample's activation
//! (the originals' "insert nearby" growth, on our shared per-input knot grids).
//!
//! The optimiser state is *not* carried over: the value tensors change shape, and Adam's moment
//! estimates for a new knot have no meaningful source. The trainer restarts its optimiser
//! (as the originals' examples do); the weights, and so the function, are kept exactly.

use burn::module::Module;

use crate::core::knots::{insert_shared, logits_from_positions, positions_from_logits};
use crate::core::network::{Family, Layer, Network};
use crate::core::snapshot::{read, LayerWeights, Snapshot};
use crate::core::train::column;

/// A copy of `net` with one more knot per input grid in every layer, placed next to the
/// activations that the input `x` produces. The output is unchanged (up to f32 rounding).
pub async fn insert_knot_near(net: &Network, x: f32) -> Result<Network, String> {
    let Family::Pwl { knots, learn_positions } = net.spec.family else {
        return Err("knot insertion applies to piecewise-linear networks".into());
    };
    let Some(Layer::Pwl(first)) = net.layers.first() else { return Err("the network has no layers".into()) };
    let device = first.values.val().device();
    let plain = net.valid();
    let inputs = plain.layer_inputs(column(&[x], &device.clone().without_autodiff()));
    let mut snap = Snapshot::take(net).await?;
    for (layer, input) in snap.layers.iter_mut().zip(inputs) {
        let LayerWeights::Pwl { width_logits, values, inputs, knots: p, outputs, domain, .. } = layer else {
            return Err("every layer must be piecewise linear".into());
        };
        let at: Vec<f64> = read(input).await?.into_iter().map(f64::from).collect();
        let positions = positions_from_logits(width_logits, *inputs, *p, *domain);
        let v: Vec<f64> = values.iter().map(|&v| v as f64).collect();
        let (new_positions, new_values) = insert_shared(&positions, &v, *inputs, *p, *outputs, &at);
        *p += 1;
        *width_logits = logits_from_positions(&new_positions, *inputs, *p, *domain);
        *values = new_values.into_iter().map(|v| v as f32).collect();
    }
    snap.spec.family = Family::Pwl { knots: knots + 1, learn_positions };
    Ok(snap.restore(&device))
}
