//! h- and p-refinement of piecewise Lagrange layers: grow the segments (h) and/or the points per
//! segment (p) of a trained layer.
//!
//! Rule: the new weights are the old link functions evaluated at the new node positions. That is
//! exact — the output does not change — whenever every new segment lies inside one old segment
//! (the new segment count is a multiple of the old) and the degree does not drop. Continuous layers
//! pick the old segment per node, as the original does; discontinuous layers (which the original
//! cannot h-refine) pick it per *new segment* (by its midpoint), so a new segment's end nodes read
//! the polynomial of the segment they belong to, not their neighbour's: exact at the jumps too.
//! Runs on host copies of the weights (refinement is rare; weights are small).

use crate::layers::basis::{lagrange_host, lobatto};
use crate::layers::lagrange::{weight_index, weights_per_synapse, Continuity};

/// Shape of a piecewise Lagrange layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolyShape {
    pub outputs: usize,
    pub inputs: usize,
    pub n: usize,
    pub segments: usize,
    pub continuity: Continuity,
}

impl PolyShape {
    pub fn k(&self) -> usize {
        weights_per_synapse(self.n, self.segments, self.continuity)
    }

    /// True when refining to `to` keeps the function exactly.
    pub fn refines_exactly_to(&self, to: &PolyShape) -> bool {
        to.segments % self.segments == 0 && to.n >= self.n
    }
}

/// Value of link (o, i) of `w` (layout `[out, in, K]`) in old segment `s` at local coordinate `t`.
fn eval_segment(w: &[f64], shape: &PolyShape, o: usize, i: usize, s: usize, t: f64, nodes: &[f64]) -> f64 {
    let base = (o * shape.inputs + i) * shape.k();
    lagrange_host(nodes, t)
        .iter()
        .enumerate()
        .map(|(m, phi)| phi * w[base + weight_index(shape.n, s, m, shape.continuity)])
        .sum()
}

fn segment_of(x: f64, segments: usize) -> usize {
    (((x + 1.0) / 2.0 * segments as f64).floor().max(0.0) as usize).min(segments - 1)
}

/// Weights of the refined layer `to` (same outputs, inputs and continuity as `from`).
pub fn refine(w: &[f64], from: &PolyShape, to: &PolyShape) -> Result<Vec<f64>, String> {
    if from.outputs != to.outputs || from.inputs != to.inputs || from.continuity != to.continuity {
        return Err("refinement keeps the layer's inputs, outputs and continuity".into());
    }
    if w.len() != from.outputs * from.inputs * from.k() {
        return Err(format!("expected {} weights, got {}", from.outputs * from.inputs * from.k(), w.len()));
    }
    if to.n == 0 || to.segments == 0 {
        return Err("a layer needs at least one point and one segment".into());
    }
    let (old_nodes, new_nodes) = (lobatto(from.n), lobatto(to.n));
    let mut out = vec![0.0; to.outputs * to.inputs * to.k()];
    for o in 0..to.outputs {
        for i in 0..to.inputs {
            let base = (o * to.inputs + i) * to.k();
            for j in 0..to.segments {
                let mid = -1.0 + 2.0 * (j as f64 + 0.5) / to.segments as f64;
                for (m, xm) in new_nodes.iter().enumerate() {
                    let xi = -1.0 + 2.0 / to.segments as f64 * (j as f64 + (xm + 1.0) / 2.0);
                    let s = match from.continuity {
                        Continuity::Continuous => segment_of(xi, from.segments),
                        Continuity::Discontinuous => segment_of(mid, from.segments),
                    };
                    let t = from.segments as f64 * (xi + 1.0) - 2.0 * s as f64 - 1.0;
                    out[base + weight_index(to.n, j, m, to.continuity)] = eval_segment(w, from, o, i, s, t, &old_nodes);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(n: usize, segments: usize, continuity: Continuity) -> PolyShape {
        PolyShape { outputs: 1, inputs: 1, n, segments, continuity }
    }

    #[test]
    fn seed_examples() {
        use Continuity::*;
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9);
        assert!(close(&refine(&[0.0, 1.0, -1.0], &shape(2, 2, Continuous), &shape(3, 2, Continuous)).unwrap(), &[0.0, 0.5, 1.0, 0.0, -1.0]));
        assert!(close(&refine(&[1.0, 2.0, 0.0], &shape(3, 1, Continuous), &shape(3, 2, Continuous)).unwrap(), &[1.0, 1.875, 2.0, 1.375, 0.0]));
        assert!(close(&refine(&[0.0, 1.0, 0.0], &shape(2, 2, Continuous), &shape(2, 3, Continuous)).unwrap(), &[0.0, 2.0 / 3.0, 2.0 / 3.0, 0.0]));
        assert!(close(&refine(&[0.0, 1.0, 5.0, 7.0], &shape(2, 2, Discontinuous), &shape(3, 2, Discontinuous)).unwrap(), &[0.0, 0.5, 1.0, 5.0, 6.0, 7.0]));
        // Discontinuous h-refinement (the original cannot): each half keeps its own jump.
        assert!(close(&refine(&[0.0, 1.0, 5.0, 7.0], &shape(2, 2, Discontinuous), &shape(2, 4, Discontinuous)).unwrap(), &[0.0, 0.5, 0.5, 1.0, 5.0, 6.0, 6.0, 7.0]));
    }
}

/// Carry plan for a refined layer's weights: each new weight takes the optimiser state of the old
/// weight whose node lies nearest to its own, in the same synapse and segment.
pub fn nearest_node_plan(from: &PolyShape, to: &PolyShape) -> Vec<Vec<(usize, f32)>> {
    let (old_nodes, new_nodes) = (lobatto(from.n), lobatto(to.n));
    let per_link_new = to.k();
    let mut link_plan = vec![0usize; per_link_new];
    for s_new in 0..to.segments {
        for (m_new, t_new) in new_nodes.iter().enumerate() {
            // Position of the new node on [−1, 1], its old segment, and the nearest old node there.
            let x = -1.0 + 2.0 / to.segments as f64 * (s_new as f64 + (t_new + 1.0) / 2.0);
            let mid = -1.0 + 2.0 / to.segments as f64 * (s_new as f64 + 0.5);
            let s_old = segment_of(mid, from.segments);
            let local = (x + 1.0) / 2.0 * from.segments as f64 - s_old as f64; // in [0, 1]
            let m_old = (0..old_nodes.len())
                .min_by(|&a, &b| {
                    let da = ((old_nodes[a] + 1.0) / 2.0 - local).abs();
                    let db = ((old_nodes[b] + 1.0) / 2.0 - local).abs();
                    da.total_cmp(&db)
                })
                .unwrap_or(0);
            link_plan[weight_index(to.n, s_new, m_new, to.continuity)] = weight_index(from.n, s_old, m_old, from.continuity);
        }
    }
    let (k_old, mut out) = (from.k(), Vec::with_capacity(to.outputs * to.inputs * per_link_new));
    for link in 0..to.outputs * to.inputs {
        out.extend(link_plan.iter().map(|&w| vec![(link * k_old + w, 1.0)]));
    }
    out
}
