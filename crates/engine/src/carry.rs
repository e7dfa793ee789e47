//! Carrying the optimiser's state over a structural change (knot insertion, knot moves, h/p
//! refinement), instead of restarting it.
//!
//! What we chose: every new parameter entry takes the state (Adam's or Lion's moments, the step
//! counter) of the old entries it comes from. A knot inserted between two knots mixes their
//! moments with the interpolation weights of its value; a split segment's width logit passes its
//! moments to both halves; refined polynomial weights take the moments of the nearest old node in
//! the same synapse; unchanged entries keep theirs. Mixing weights are non-negative and sum to 1, so
//! second moments stay non-negative. Without this, Adam's first steps after a change are large
//! (its bias correction restarts) and the loss jumps right after a function-preserving change.
//!
//! burn 0.22 keeps the fields of `OptimizerRecord` crate-private, so the record goes through its
//! own serialised form (burn-pack): state tensors are named `"{param id}.{state path}"` and carry
//! the parameter id; scalars (`"{id}.__rank"`, step counters) and the parameter paths are keyed
//! by the id too.

use std::collections::HashMap;

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::OptimizerRecord;
use burn::tensor::{Tensor, TensorData};

use crate::network::Network;

/// How the entries of one new parameter come from the entries of the matching old one (both
/// flattened row-major). Parameters are matched by their order in the network.
#[derive(Clone, Debug, PartialEq)]
pub enum Carry {
    /// Same shape and meaning: keep the state as it is.
    Same,
    /// For each new entry, the old entries and weights it is mixed from.
    Mix(Vec<Vec<(usize, f32)>>),
}

/// Parameter ids and shapes in visiting order.
pub fn parameters(net: &Network) -> Vec<(u64, Vec<usize>)> {
    struct Ids(Vec<(u64, Vec<usize>)>);
    impl ModuleVisitor for Ids {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
            self.0.push((p.id.val(), p.val().dims().to_vec()));
        }
    }
    let mut ids = Ids(Vec::new());
    net.visit(&mut ids);
    ids.0
}

/// Rewrite `record` (the optimiser state of `old`) for `new`, following `plan` (one entry per
/// parameter, in order). Any inconsistency is an error: the caller then restarts the optimiser.
pub fn carry_record(record: OptimizerRecord, old: &Network, new: &Network, plan: &[Carry]) -> Result<OptimizerRecord, String> {
    let (old_ids, new_ids) = (parameters(old), parameters(new));
    if old_ids.len() != new_ids.len() || plan.len() != new_ids.len() {
        return Err("the networks' parameters do not correspond".into());
    }
    let index: HashMap<u64, usize> = old_ids.iter().enumerate().map(|(k, (id, _))| (*id, k)).collect();
    let fail = |e: burn_pack::Error| format!("optimiser record: {e}");
    let reader = burn_pack::Reader::from_bytes(record.into_bytes().map_err(|e| format!("optimiser record: {e:?}"))?).map_err(fail)?;
    let renamed = |key: &str| -> Option<String> {
        let (id, rest) = key.split_once('.').unwrap_or((key, ""));
        let k = *index.get(&id.parse::<u64>().ok()?)?;
        let new_id = new_ids[k].0;
        Some(if rest.is_empty() { new_id.to_string() } else { format!("{new_id}.{rest}") })
    };
    let scalars: Vec<(String, burn_pack::Scalar)> =
        reader.scalars().iter().filter_map(|(k, v)| Some((renamed(k)?, *v))).collect();
    let metadata: Vec<(String, String)> = reader.metadata().iter().filter_map(|(k, v)| Some((renamed(k)?, v.clone()))).collect();
    let mut tensors = Vec::new();
    for t in reader.into_tensors().map_err(fail)? {
        let (name, dtype, shape, param_id, bytes) = t.into_parts().map_err(fail)?;
        let Some(k) = param_id.and_then(|id| index.get(&id).copied()) else { continue };
        let Some(new_name) = renamed(&name) else { continue };
        let (new_id, new_shape) = (new_ids[k].0, new_ids[k].1.clone());
        let (data, shape) = match &plan[k] {
            Carry::Same => (bytes, shape),
            Carry::Mix(sources) => {
                let old_values = TensorData::from_bytes(bytes, shape, dtype)
                    .convert::<f32>()
                    .try_into_vec::<f32>()
                    .map_err(|e| format!("optimiser record: {e:?}"))?;
                if sources.len() != new_shape.iter().product::<usize>() {
                    return Err("a carry plan does not match its parameter".into());
                }
                let mixed: Vec<f32> = sources
                    .iter()
                    .map(|src| src.iter().map(|(i, w)| old_values.get(*i).copied().unwrap_or(0.0) * w).sum())
                    .collect();
                let data = TensorData::new(mixed, new_shape.clone());
                let (bytes, shape, _) = data.into_parts();
                (bytes, shape)
            }
        };
        let dtype = if matches!(plan[k], Carry::Same) { dtype } else { burn::tensor::DType::F32 };
        tensors.push(burn_pack::Tensor::new(new_name, dtype, shape, Some(new_id), data));
    }
    let mut writer = burn_pack::Writer::new(tensors);
    for (k, v) in &scalars {
        writer = writer.with_scalar(k, *v);
    }
    for (k, v) in &metadata {
        writer = writer.with_metadata(k, v);
    }
    OptimizerRecord::from_bytes(writer.into_bytes().map_err(fail)?).map_err(|e| format!("optimiser record: {e:?}"))
}
