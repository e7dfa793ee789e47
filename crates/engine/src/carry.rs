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
//! The plans are made here (`crate::grow`, `crate::refine`); `crate::optim::Optimiser::carried`
//! applies them to the state it holds.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::Tensor;

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
