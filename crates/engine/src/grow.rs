//! Growing a trained piecewise-linear network without changing what it computes: insert a knot,
//! in every layer, halfway across the interval that holds the worst-fitted sample's activation
//! (the originals' "insert nearby" growth, on our shared per-input knot grids, or with a grid per
//! synapse exactly as the originals do it: the midpoint is taken in output 0's grid and inserted,
//! with interpolated values, into every synapse of that input).
//!
//! Each operation also returns a carry plan (`crate::carry`) that tells the trainer how the
//! optimiser's moments map onto the new parameters, so training resumes where it was instead of
//! restarting Adam.

use burn::module::Module;

use crate::carry::Carry;
use crate::knots::{insert_shared, logits_from_positions, positions_from_logits, synapse_knots};
use crate::network::{Family, Layer, Network};
use crate::snapshot::{read, LayerWeights, Snapshot, Weights};
use crate::train::column;

/// A copy of `net` with one more knot per input grid in every layer, placed next to the
/// activations that the input `x` produces. The output is unchanged (up to f32 rounding).
pub async fn insert_knot_near(net: &Network, x: f32) -> Result<(Network, Vec<Carry>), String> {
    let Family::Pwl { knots, learn_positions, per_synapse } = net.spec.family else {
        return Err("knot insertion applies to piecewise-linear networks".into());
    };
    let Some(Layer::Pwl(first)) = net.layers.first() else { return Err("the network has no layers".into()) };
    let device = first.values.val().device();
    let plain = net.valid();
    let inputs = plain.layer_inputs(column(&[x], &device.clone().without_autodiff()));
    let mut snap = Snapshot::take(net).await?;
    let mut plan = Vec::new();
    for (layer, input) in snap.layers.iter_mut().zip(inputs) {
        let LayerWeights::Pwl { width_logits, values, inputs, knots: p, outputs, domain, per_synapse, .. } = layer else {
            return Err("every layer must be piecewise linear".into());
        };
        let at: Vec<f64> = read(input).await?.into_iter().map(f64::from).collect();
        if *per_synapse {
            let mut k = synapse_knots(width_logits, values, *inputs, *p, *outputs, *domain);
            let old = k.positions.concat();
            let clamped: Vec<f64> = at.iter().map(|x| x.clamp(k.domain.0, k.domain.1)).collect();
            k.insert_nearby(&clamped)?;
            plan.extend(insertion_plan(&old, &k.positions.concat(), *inputs, *p, *outputs, true));
            (*width_logits, *values) = k.to_layer(*domain);
        } else {
            let positions = positions_from_logits(width_logits, *inputs, *p, *domain);
            let v: Vec<f64> = values.iter().map(|&v| v as f64).collect();
            let (new_positions, new_values) = insert_shared(&positions, &v, *inputs, *p, *outputs, &at);
            plan.extend(insertion_plan(&positions, &new_positions, *inputs, *p, *outputs, false));
            *width_logits = logits_from_positions(&new_positions, *inputs, *p + 1, *domain);
            *values = new_values.into_iter().map(|v| v as f32).collect();
        }
        *p += 1;
    }
    snap.spec.family = Family::Pwl { knots: knots + 1, learn_positions, per_synapse };
    Ok((snap.restore(&device), plan))
}

/// Carry plans for one layer's `[width_logits, values]` after one knot per grid was inserted
/// (`old` `[grids, P]` and `new` `[grids, P+1]` positions; a grid per input, or per synapse
/// `(i, o)` at row `i·out + o`): the new knot's value moments mix its two neighbours' with the
/// interpolation weights of its value; the split segment's width-logit moments go to both halves;
/// everything else keeps its own.
fn insertion_plan(old: &[f64], new: &[f64], inputs: usize, p: usize, outputs: usize, per_synapse: bool) -> [Carry; 2] {
    let grids = old.len() / p;
    // Per grid: the index of the new knot and its interpolation weight between its neighbours.
    let split: Vec<(usize, f32)> = (0..grids)
        .map(|g| {
            let (o, n) = (&old[g * p..(g + 1) * p], &new[g * (p + 1)..(g + 1) * (p + 1)]);
            let k = (0..p).find(|&k| n[k] != o[k]).unwrap_or(p).max(1);
            let t = if k < p { ((n[k] - o[k - 1]) / (o[k] - o[k - 1]).max(1e-12)).clamp(0.0, 1.0) as f32 } else { 0.5 };
            (k, t)
        })
        .collect();
    let mut logits = Vec::with_capacity(grids * p);
    for (g, &(k, _)) in split.iter().enumerate() {
        for j in 0..p {
            let from = if j < k { j.min(k - 1) } else { j - 1 };
            logits.push(vec![(g * (p - 1) + from.min(p - 2), 1.0)]);
        }
    }
    let mut values = Vec::with_capacity(inputs * (p + 1) * outputs);
    for i in 0..inputs {
        for j in 0..=p {
            for out in 0..outputs {
                let (k, t) = split[if per_synapse { i * outputs + out } else { i }];
                let at = |knot: usize| (i * p + knot) * outputs + out;
                values.push(match j.cmp(&k) {
                    std::cmp::Ordering::Less => vec![(at(j), 1.0)],
                    std::cmp::Ordering::Equal if k < p => vec![(at(k - 1), 1.0 - t), (at(k), t)],
                    std::cmp::Ordering::Equal => vec![(at(p - 1), 1.0)],
                    std::cmp::Ordering::Greater => vec![(at(j - 1), 1.0)],
                });
            }
        }
    }
    [Carry::Mix(logits), Carry::Mix(values)]
}

/// The originals' "dynamic" growth rule, in steps instead of epochs: grow when the loss improved
/// by less than `threshold` (relative) over the last `window` steps, at least `window` steps after
/// the previous growth, while the network has fewer than `max_knots` knots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plateau {
    pub window: u64,
    pub threshold: f32,
    pub max_knots: usize,
}

impl Plateau {
    pub const DEFAULT_WINDOW: u64 = 100;
    pub const DEFAULT_THRESHOLD: f32 = 0.1;

    /// `history` holds (step, loss) in step order.
    pub fn should_grow(&self, history: &[(u64, f32)], knots: usize, last_growth: u64) -> bool {
        let Some(&(now, latest)) = history.last() else { return false };
        if knots >= self.max_knots || now < last_growth + self.window || now < self.window {
            return false;
        }
        let Some(&(_, earlier)) = history.iter().rev().find(|(s, _)| *s + self.window <= now) else { return false };
        earlier.is_finite() && latest.is_finite() && earlier > 0.0 && (earlier - latest) / earlier < self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::Plateau;

    #[test]
    fn grows_only_on_a_plateau_with_room_and_spacing() {
        let rule = Plateau { window: 100, threshold: 0.1, max_knots: 10 };
        let falling: Vec<(u64, f32)> = (0..=300).map(|s| (s, 1.0 / (1.0 + s as f32))).collect();
        assert!(!rule.should_grow(&falling, 5, 0), "still improving fast");
        let flat: Vec<(u64, f32)> = (0..=300).map(|s| (s, 0.5 - s as f32 * 1e-5)).collect();
        assert!(rule.should_grow(&flat, 5, 0));
        assert!(!rule.should_grow(&flat, 10, 0), "at the maximum");
        assert!(!rule.should_grow(&flat, 5, 250), "too soon after the last growth");
        assert!(!rule.should_grow(&flat[..50], 5, 0), "too early");
    }
}

/// A copy of `net` with one knot per grid moved (see `knots::move_shared`, or
/// `Knots::move_smoothest` with a grid per synapse); `left` decides the side of each insertion
/// (the originals flip a coin), indexed by grid. Same knot count.
pub async fn move_knots(net: &Network, left: impl FnMut(usize) -> bool + Clone) -> Result<Network, String> {
    if !matches!(net.spec.family, Family::Pwl { .. }) {
        return Err("moving knots applies to piecewise-linear networks".into());
    }
    let Some(Layer::Pwl(first)) = net.layers.first() else { return Err("the network has no layers".into()) };
    let device = first.values.val().device();
    let mut snap = Snapshot::take(net).await?;
    for layer in snap.layers.iter_mut() {
        let LayerWeights::Pwl { width_logits, values, inputs, knots, outputs, domain, per_synapse, .. } = layer else {
            return Err("every layer must be piecewise linear".into());
        };
        if *per_synapse {
            // The originals' move, synapse by synapse (a coin per synapse).
            let mut k = synapse_knots(width_logits, values, *inputs, *knots, *outputs, *domain);
            k.move_smoothest(true, left.clone())?;
            (*width_logits, *values) = k.to_layer(*domain);
            continue;
        }
        let mut positions = positions_from_logits(width_logits, *inputs, *knots, *domain);
        let mut v: Vec<f64> = values.iter().map(|&v| v as f64).collect();
        crate::knots::move_shared(&mut positions, &mut v, *inputs, *knots, *outputs, left.clone());
        *width_logits = logits_from_positions(&positions, *inputs, *knots, *domain);
        *values = v.into_iter().map(|v| v as f32).collect();
    }
    Ok(snap.restore(&device))
}

/// Which refinement to apply to every piecewise-polynomial layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refinement {
    /// Twice the segments (h).
    H,
    /// One more point per segment (p).
    P,
}

/// A copy of a piecewise-polynomial network with every layer h- or p-refined: exactly the same
/// function (see `crate::refine`), more freedom to train.
pub async fn refine_network(net: &Network, how: Refinement) -> Result<(Network, Vec<Carry>), String> {
    let Family::Lagrange { n, segments, continuity, periodicity } = net.spec.family else {
        return Err("refinement applies to piecewise-polynomial networks".into());
    };
    if how == Refinement::P && n >= crate::experiment::limits::N.1 {
        return Err(format!("already at the most points per segment ({n})"));
    }
    let Some(Layer::Poly(first)) = net.layers.first() else { return Err("the network has no polynomial layers".into()) };
    let device = first.weights.val().device();
    let mut snap = Snapshot::take(net).await?;
    let mut plan = Vec::new();
    for layer in snap.layers.iter_mut() {
        let LayerWeights::Poly { weights, outputs, inputs, n: ln, segments: ls, continuity: lc, .. } = layer else {
            return Err("every layer must be piecewise polynomial".into());
        };
        let from = crate::refine::PolyShape { outputs: *outputs, inputs: *inputs, n: *ln, segments: *ls, continuity: *lc };
        let to = match how {
            Refinement::H => crate::refine::PolyShape { segments: from.segments * 2, ..from },
            Refinement::P => crate::refine::PolyShape { n: from.n + 1, ..from },
        };
        if to.segments > crate::experiment::limits::SEGMENTS.1 {
            return Err(format!("already at the most segments ({})", from.segments));
        }
        let old: Vec<f64> = weights.iter().map(|&w| w as f64).collect();
        *weights = crate::refine::refine(&old, &from, &to)?.into_iter().map(|w| w as f32).collect();
        plan.push(Carry::Mix(crate::refine::nearest_node_plan(&from, &to)));
        *ln = to.n;
        *ls = to.segments;
    }
    snap.spec.family = match how {
        Refinement::H => Family::Lagrange { n, segments: segments * 2, continuity, periodicity },
        Refinement::P => Family::Lagrange { n: n + 1, segments, continuity, periodicity },
    };
    if how == Refinement::H {
        snap.spec.input_segments = snap.spec.input_segments.map(|s| s * 2);
        snap.spec.output_segments = snap.spec.output_segments.map(|s| s * 2);
    }
    Ok((snap.restore(&device), plan))
}
