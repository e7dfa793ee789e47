//! Trained models as JSON files: the weights of every layer, the network's shape, the step count
//! and the experiment's link (so importing also restores the data the model was trained on).
//! Import checks everything before anything is used: a malformed, tampered or mismatched file is
//! an `Err` with a sentence for the user, never a panic or a half-loaded network.

use serde::{Deserialize, Serialize};

use crate::experiment::Experiment;
use crate::spec::weights_per_synapse;
use crate::spec::Family;
use crate::weights::{LayerWeights, Snapshot};

pub const FORMAT: &str = "piecewise-model/1";
/// Larger files are refused before parsing (the biggest network the controls allow is far smaller).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Bounds on the sizes a file may declare, so a hostile file cannot make us allocate wildly.
const MAX_WIDTH: usize = 4096;
const MAX_PER_SYNAPSE: usize = 4096;

#[derive(Serialize, Deserialize)]
pub struct ModelFile {
    pub format: String,
    /// The experiment's share link (without `#`).
    pub link: String,
    pub steps: u64,
    pub network: Snapshot,
}

/// The JSON text of a model file.
pub fn export(exp: &Experiment, steps: u64, network: &Snapshot) -> String {
    let file = ModelFile { format: FORMAT.into(), link: exp.to_engine_link(), steps, network: network.clone() };
    serde_json::to_string(&file).expect("a model serialises")
}

/// Read a model file: its experiment, step count and weights, all checked.
pub fn import(text: &str) -> Result<(Experiment, u64, Snapshot), String> {
    if text.len() > MAX_BYTES {
        return Err(format!("the file is larger than {} MB: not a model of this playground", MAX_BYTES / (1024 * 1024)));
    }
    let file: ModelFile = serde_json::from_str(text).map_err(|e| format!("this is not a model file of the playground ({e})"))?;
    if file.format != FORMAT {
        return Err(format!("unknown model format “{}” (expected {FORMAT})", file.format.chars().take(40).collect::<String>()));
    }
    let (exp, notices) = Experiment::from_link(&file.link);
    if !notices.is_empty() {
        return Err(format!("the model's experiment link is damaged: {}", notices.join("; ")));
    }
    check(&file.network)?;
    let expected = exp.network_spec(file.network.spec.input_domain);
    let spec = &file.network.spec;
    if spec.widths != expected.widths
        || std::mem::discriminant(&spec.family) != std::mem::discriminant(&expected.family)
        || spec.normalization != expected.normalization
    {
        return Err("the weights do not belong to the experiment stored with them (different layer widths or synapse family)".into());
    }
    Ok((exp, file.steps, file.network))
}

/// Shapes chain, sizes are bounded and consistent, every number is finite.
fn check(snap: &Snapshot) -> Result<(), String> {
    let widths = &snap.spec.widths;
    if snap.layers.is_empty() || widths.len() != snap.layers.len() + 1 {
        return Err("the file's layers do not match its layer widths".into());
    }
    if widths.iter().any(|w| *w == 0 || *w > MAX_WIDTH) {
        return Err("the file declares an impossible layer width".into());
    }
    let (lo, hi) = snap.spec.input_domain;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err("the file's input domain is not an interval".into());
    }
    for (l, layer) in snap.layers.iter().enumerate() {
        let bad = |what: &str| Err(format!("layer {} of the file is damaged ({what})", l + 1));
        let (inputs, outputs, lengths_ok, values): (usize, usize, bool, Vec<&f32>) = match layer {
            LayerWeights::Pwl { width_logits, values, inputs, knots, outputs, domain, per_synapse, .. } => {
                if *knots < 2 || *knots > MAX_PER_SYNAPSE || !(domain.0 < domain.1) {
                    return bad("knots or domain");
                }
                let grids = crate::spec::grid_count(*inputs, *outputs, *per_synapse);
                let ok = width_logits.len() == grids.saturating_mul(knots - 1)
                    && values.len() == inputs.saturating_mul(*knots).saturating_mul(*outputs);
                (*inputs, *outputs, ok, width_logits.iter().chain(values).collect())
            }
            LayerWeights::Linear { weight, bias, inputs, outputs } => {
                let ok = weight.len() == inputs * outputs && bias.as_ref().is_none_or(|b| b.len() == *outputs);
                (*inputs, *outputs, ok, weight.iter().chain(bias.iter().flatten()).collect())
            }
            LayerWeights::Poly { weights, outputs, inputs, n, segments, continuity, .. } => {
                if *n == 0 || *segments == 0 || n * segments > MAX_PER_SYNAPSE {
                    return bad("points or segments");
                }
                let ok = weights.len() == outputs * inputs * weights_per_synapse(*n, *segments, *continuity);
                (*inputs, *outputs, ok, weights.iter().collect())
            }
            LayerWeights::Fourier { weights, outputs, inputs, n } => {
                if *n == 0 || *n > MAX_PER_SYNAPSE {
                    return bad("basis size");
                }
                (*inputs, *outputs, weights.len() == outputs * inputs * n, weights.iter().collect())
            }
        };
        if inputs != widths[l] || outputs != widths[l + 1] {
            return bad("its shape does not chain with its neighbours");
        }
        if !lengths_ok {
            return bad("wrong number of weights");
        }
        if values.iter().any(|v| !v.is_finite()) {
            return bad("a weight is not a finite number");
        }
        let family_matches = match (layer, &snap.spec.family) {
            (LayerWeights::Pwl { per_synapse: a, .. }, Family::Pwl { per_synapse: b, .. }) => a == b,
            (LayerWeights::Linear { .. }, Family::Mlp { .. })
            | (LayerWeights::Poly { .. }, Family::Lagrange { .. })
            | (LayerWeights::Fourier { .. }, Family::Fourier { .. }) => true,
            _ => false,
        };
        if !family_matches {
            return bad("its kind differs from the network's synapse family");
        }
    }
    Ok(())
}
