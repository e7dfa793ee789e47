//! The exact linear pieces of a one-input, one-output network.
//!
//! A network of piecewise-linear synapses (`LayerWeights::Pwl`) or of linear layers
//! (`LayerWeights::Linear`) with ReLU or identity activations is itself a continuous piecewise
//! linear function of its input. `exact_pieces` finds its breakpoints and slopes on an interval
//! without sampling: the interval is cut into pieces on which every unit of the current layer is a
//! straight line `y(a) + s·(x − a)` (in `f64`), and each layer cuts them further only where its own
//! kinks are met:
//!
//! * a linear layer `h W + b` combines the lines and cuts nothing;
//! * a ReLU between layers cuts where a unit's line crosses zero;
//! * a piecewise-linear layer cuts where an input's line crosses one of its grid's knots — the
//!   interior ones and both ends, since outside `[p_0, p_{P−1}]` a synapse is constant (the engine
//!   extends it constantly, it never extrapolates) — and composes each synapse's segment with the
//!   line.
//!
//! Knot positions follow the engine (`layers::pwl`): per grid, the widths are
//! `softmax(width_logits)·(hi − lo)` accumulated from `lo`, where `(lo, hi)` is the layer's
//! `domain`; there is one grid per input (row `i`), or with `per_synapse` one per synapse (row
//! `i·out + o`); values are `[in, P, out]`; a sample on a knot belongs to the segment on its right,
//! and a segment's width is taken as at least `1e-12` as in the engine. A linear layer's weight is
//! `[in, out]` row-major (`y = x W + b`). Between layers the engine applies the activation of an
//! MLP family, and for the other families the normalisation (none, or max-abs); nothing follows
//! the last layer.
//!
//! Breakpoints closer than `1e-9·max(|lo|, |hi|)` are merged, and neighbouring pieces whose slopes
//! agree to a relative `1e-9` are joined, so a knot on a straight run of a synapse, a ReLU that
//! never switches or a unit that no later layer sees is not a breakpoint: the pieces are maximal.
//!
//! ## Coordinates
//! The interval is in the network's input coordinates. For the piecewise-linear and MLP families
//! these are the 1-D plot's data coordinates: the network is fed the data's x unchanged
//! (`Network::forward` rescales only the Lagrange and Fourier families, which live on [−1, 1]), and
//! its first layer's knot domain is the data's x-range (`Experiment::network_spec(samples.x_range)`
//! in `engine::build`), which is why the page can draw the first layer's knot positions on the
//! plot's x axis as they are. So `exact_pieces(net, x_lo, x_hi)` with the plot's range gives pieces
//! whose `from`/`to` are plot x values and whose `y` is the plotted prediction.

use serde::{Deserialize, Serialize};

use crate::spec::{grid_count, Activation, Family, Normalization, LEAKY_SLOPE};
use crate::weights::{LayerWeights, Snapshot};

/// Most pieces listed; more (counted before collinear neighbours are joined) is refused.
pub const MAX_PIECES: usize = 100_000;
/// Most numbers per unit and piece held at once (each of a line's value and slope): 64 MB.
const MAX_WORK: usize = 4_000_000;
/// Breakpoints closer than this (relative to the interval's largest |x|) are one.
const MERGE: f64 = 1e-9;
/// Neighbouring slopes that agree to this relative tolerance are one piece.
const SLOPE_TOLERANCE: f64 = 1e-9;

/// `y = slope·x + intercept` on `[from, to]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    pub from: f64,
    pub to: f64,
    pub slope: f64,
    pub intercept: f64,
}

impl Piece {
    pub fn at(&self, x: f64) -> f64 {
        self.slope * x + self.intercept
    }
}

/// The maximal linear pieces of a network on an interval, left to right, each ending where the
/// next begins.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pieces {
    pub pieces: Vec<Piece>,
}

impl Pieces {
    pub fn count(&self) -> usize {
        self.pieces.len()
    }

    /// The interior breakpoints (where one piece ends and the next begins), in order.
    pub fn breakpoints(&self) -> Vec<f64> {
        self.pieces.iter().skip(1).map(|p| p.from).collect()
    }

    /// The function at `x`: the piece containing it (the right one at a breakpoint), or the first
    /// or last piece's line outside the interval.
    pub fn eval(&self, x: f64) -> f64 {
        let k = self.pieces.partition_point(|p| p.from <= x).saturating_sub(1);
        self.pieces.get(k).map_or(f64::NAN, |p| p.at(x))
    }

    /// One line per piece under the header `from,to,slope,intercept,y_from,y_to`.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("from,to,slope,intercept,y_from,y_to\n");
        for p in &self.pieces {
            out.push_str(&format!("{},{},{},{},{},{}\n", p.from, p.to, p.slope, p.intercept, p.at(p.from), p.at(p.to)));
        }
        out
    }

    /// `{"pieces":[{"from":…,"to":…,"slope":…,"intercept":…},…]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("pieces serialise")
    }
}

/// The current cut of the interval: `breaks` (`n + 1` increasing points) and, on each of the `n`
/// pieces, every unit as its value at the piece's left end and its slope (`width` per piece).
struct Lines {
    breaks: Vec<f64>,
    width: usize,
    value: Vec<f64>,
    slope: Vec<f64>,
}

impl Lines {
    fn pieces(&self) -> usize {
        self.breaks.len() - 1
    }

    /// Unit `j` on piece `k` at `x`.
    fn at(&self, k: usize, j: usize, x: f64) -> f64 {
        let i = k * self.width + j;
        self.value[i] + self.slope[i] * (x - self.breaks[k])
    }

    /// Cut piece `k` at the points `cuts(k, a, b, push)` pushes (anywhere; those not inside by
    /// more than `merge` and near-duplicates are dropped), keeping every unit's line.
    fn cut(&mut self, merge: f64, mut cuts: impl FnMut(&Lines, usize, f64, f64, &mut Vec<f64>)) -> Result<(), String> {
        let w = self.width;
        let mut breaks = vec![self.breaks[0]];
        let (mut value, mut slope) = (Vec::with_capacity(self.value.len()), Vec::with_capacity(self.slope.len()));
        let mut found = Vec::new();
        for k in 0..self.pieces() {
            let (a, b) = (self.breaks[k], self.breaks[k + 1]);
            found.clear();
            cuts(self, k, a, b, &mut found);
            found.retain(|x| x.is_finite() && *x > a + merge && *x < b - merge);
            found.sort_by(f64::total_cmp);
            let mut left = a;
            for &x in found.iter().chain(std::iter::once(&b)) {
                if x < b && x - left <= merge {
                    continue;
                }
                for j in 0..w {
                    value.push(self.at(k, j, left));
                    slope.push(self.slope[k * w + j]);
                }
                breaks.push(x);
                left = x;
                if breaks.len() > MAX_PIECES + 1 {
                    return Err(too_many());
                }
                room(breaks.len(), w)?;
            }
        }
        *self = Lines { breaks, width: w, value, slope };
        Ok(())
    }
}

fn too_many() -> String {
    format!("the network has more than {MAX_PIECES} linear pieces on this interval, too many to list")
}

/// Refuses to hold a line for each of `units` units on each of `pieces` pieces when that is too much.
fn room(pieces: usize, units: usize) -> Result<(), String> {
    if pieces.saturating_mul(units) > MAX_WORK {
        return Err(format!("the network's {units} units have too many pieces between them to follow exactly"));
    }
    Ok(())
}

/// The exact pieces of a one-input, one-output network on `[lo, hi]` (in the network's input
/// coordinates, see the module doc), or why it has none (a family or activation that is not
/// piecewise linear, max-abs normalisation between layers, more than one input or output, more
/// than `MAX_PIECES` pieces).
pub fn exact_pieces(net: &Snapshot, lo: f64, hi: f64) -> Result<Pieces, String> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err("the input interval must be finite and not empty".into());
    }
    let spec = &net.spec;
    let (inputs, outputs) = (spec.widths.first().copied().unwrap_or(0), spec.widths.last().copied().unwrap_or(0));
    if (inputs, outputs) != (1, 1) {
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        return Err(format!(
            "the network has {} and {}, and only a network with one of each has linear pieces along x",
            count(inputs, "input"),
            count(outputs, "output")
        ));
    }
    if net.layers.is_empty() || net.layers.len() + 1 != spec.widths.len() {
        return Err("the network's layers do not match its layer widths".into());
    }
    match &spec.family {
        Family::Lagrange { .. } => return Err("Lagrange polynomial synapses are curved, not piecewise linear".into()),
        Family::Fourier { .. } => return Err("Fourier synapses are curved, not piecewise linear".into()),
        _ => {}
    }
    // What the engine applies between two layers (`Network::between_layers`).
    let between = match (&spec.family, spec.normalization) {
        (Family::Mlp { activation: a @ (Activation::Relu | Activation::LeakyRelu | Activation::Identity), .. }, _) => *a,
        (Family::Mlp { activation, .. }, _) if net.layers.len() > 1 => {
            return Err(format!("the {} activation is curved, so the network is not piecewise linear", activation.name()));
        }
        (Family::Mlp { .. }, _) | (_, Normalization::None) => Activation::Identity,
        (_, Normalization::MaxAbs) if net.layers.len() > 1 => {
            return Err("max-abs normalisation divides every hidden value by the largest one of its sample, which is not piecewise linear".into());
        }
        (_, Normalization::MaxAbs) => Activation::Identity,
    };

    let merge = MERGE * lo.abs().max(hi.abs());
    let mut lines = Lines { breaks: vec![lo, hi], width: 1, value: vec![lo], slope: vec![1.0] };
    for (l, layer) in net.layers.iter().enumerate() {
        if l > 0 {
            match between {
                Activation::Relu => rectify(&mut lines, merge, 0.0)?,
                Activation::LeakyRelu => rectify(&mut lines, merge, LEAKY_SLOPE)?,
                _ => {}
            }
        }
        let (inputs, outputs) = (spec.widths[l], spec.widths[l + 1]);
        let damaged = || format!("layer {} of the network is damaged (its weights do not match its shape)", l + 1);
        match layer {
            LayerWeights::Linear { weight, bias, inputs: i, outputs: o } => {
                if (*i, *o) != (inputs, outputs)
                    || weight.len() != inputs.saturating_mul(outputs)
                    || bias.as_ref().is_some_and(|b| b.len() != outputs)
                {
                    return Err(damaged());
                }
                linear(&mut lines, weight, bias.as_deref(), outputs)?;
            }
            LayerWeights::Pwl { width_logits, values, inputs: i, knots, outputs: o, domain, per_synapse, .. } => {
                let grids = grid_count(inputs, outputs, *per_synapse);
                if (*i, *o) != (inputs, outputs)
                    || *knots < 2
                    || width_logits.len() != grids.saturating_mul(knots - 1)
                    || values.len() != inputs.saturating_mul(*knots).saturating_mul(outputs)
                    || !(domain.0 < domain.1)
                {
                    return Err(damaged());
                }
                let grid = Grids::new(width_logits, *knots, *domain);
                pwl(&mut lines, &grid, values, outputs, *per_synapse, merge)?;
            }
            LayerWeights::Poly { .. } | LayerWeights::Fourier { .. } => {
                return Err(format!("layer {} has curved synapses, so the network is not piecewise linear", l + 1));
            }
        }
    }
    Ok(join(&lines))
}

/// A linear layer: every piece's lines through `h W + b`.
fn linear(lines: &mut Lines, weight: &[f32], bias: Option<&[f32]>, outputs: usize) -> Result<(), String> {
    let inputs = lines.width;
    let n = lines.pieces();
    room(n, outputs)?;
    let (mut value, mut slope) = (vec![0.0; n * outputs], vec![0.0; n * outputs]);
    for k in 0..n {
        for o in 0..outputs {
            let (mut v, mut s) = (bias.map_or(0.0, |b| b[o] as f64), 0.0);
            for i in 0..inputs {
                let w = weight[i * outputs + o] as f64;
                v += w * lines.value[k * inputs + i];
                s += w * lines.slope[k * inputs + i];
            }
            value[k * outputs + o] = v;
            slope[k * outputs + o] = s;
        }
    }
    lines.width = outputs;
    lines.value = value;
    lines.slope = slope;
    Ok(())
}

/// ReLU between layers: cut where a unit crosses zero, then zero every unit that is negative.
/// ReLU (`negative_slope` 0) or LeakyReLU on every line: a break where a line crosses zero, and
/// the pieces below zero scaled by `negative_slope`.
fn rectify(lines: &mut Lines, merge: f64, negative_slope: f64) -> Result<(), String> {
    lines.cut(merge, |lines, k, a, b, found| {
        for j in 0..lines.width {
            let (ya, yb) = (lines.at(k, j, a), lines.at(k, j, b));
            if (ya < 0.0) != (yb < 0.0) {
                found.push(a - ya / lines.slope[k * lines.width + j]);
            }
        }
    })?;
    for k in 0..lines.pieces() {
        let mid = 0.5 * (lines.breaks[k] + lines.breaks[k + 1]);
        for j in 0..lines.width {
            if lines.at(k, j, mid) <= 0.0 {
                lines.value[k * lines.width + j] *= negative_slope;
                lines.slope[k * lines.width + j] *= negative_slope;
            }
        }
    }
    Ok(())
}

/// A layer's knot positions in `f64`, as the engine derives them from the width logits.
struct Grids {
    knots: usize,
    /// `[grids, P]`.
    positions: Vec<f64>,
    /// `[grids, P−1]`, at least `1e-12`.
    widths: Vec<f64>,
}

impl Grids {
    fn new(width_logits: &[f32], knots: usize, (lo, hi): (f32, f32)) -> Self {
        let (lo, hi) = (lo as f64, hi as f64);
        let mut positions = Vec::with_capacity(width_logits.len() / (knots - 1) * knots);
        let mut widths = Vec::with_capacity(width_logits.len());
        for logits in width_logits.chunks(knots - 1) {
            let top = logits.iter().fold(f64::NEG_INFINITY, |m, &z| m.max(z as f64));
            let e: Vec<f64> = logits.iter().map(|&z| (z as f64 - top).exp()).collect();
            let total: f64 = e.iter().sum();
            let mut p = lo;
            positions.push(p);
            for e in e {
                let w = e / total * (hi - lo);
                p += w;
                positions.push(p);
                widths.push(w.max(1e-12));
            }
        }
        Grids { knots, positions, widths }
    }

    fn positions(&self, g: usize) -> &[f64] {
        &self.positions[g * self.knots..(g + 1) * self.knots]
    }
}

/// A piecewise-linear layer: cut where an input's line meets a knot of a grid it feeds, then
/// compose each synapse's segment with the line and sum over the inputs.
fn pwl(lines: &mut Lines, grids: &Grids, values: &[f32], outputs: usize, per_synapse: bool, merge: f64) -> Result<(), String> {
    let inputs = lines.width;
    let grid_of = |i: usize, o: usize| if per_synapse { i * outputs + o } else { i };
    let grid_count = if per_synapse { inputs * outputs } else { inputs };
    lines.cut(merge, |lines, k, a, b, found| {
        for g in 0..grid_count {
            let i = if per_synapse { g / outputs } else { g };
            let s = lines.slope[k * inputs + i];
            if s == 0.0 {
                continue;
            }
            let (ya, yb) = (lines.at(k, i, a), lines.at(k, i, b));
            let (low, high) = (ya.min(yb), ya.max(yb));
            let p = grids.positions(g);
            let first = p.partition_point(|&q| q <= low);
            for &q in p[first..].iter().take_while(|&&q| q < high) {
                found.push(a + (q - ya) / s);
            }
        }
    })?;
    let knots = grids.knots;
    let n = lines.pieces();
    room(n, outputs)?;
    let (mut value, mut slope) = (vec![0.0; n * outputs], vec![0.0; n * outputs]);
    for k in 0..n {
        let (a, b) = (lines.breaks[k], lines.breaks[k + 1]);
        let mid = 0.5 * (a + b);
        for i in 0..inputs {
            let (h, s) = (lines.at(k, i, mid), lines.slope[k * inputs + i]);
            let ha = lines.value[k * inputs + i];
            for o in 0..outputs {
                let g = grid_of(i, o);
                let p = grids.positions(g);
                let v = |m: usize| values[(i * knots + m) * outputs + o] as f64;
                let (va, vs) = if h < p[0] {
                    (v(0), 0.0)
                } else if h >= p[knots - 1] {
                    (v(knots - 1), 0.0)
                } else {
                    // Segment m: p_m ≤ h < p_{m+1} (interior starts at or left of h, as the engine counts).
                    let m = p[1..knots - 1].partition_point(|&q| q <= h);
                    let rate = (v(m + 1) - v(m)) / grids.widths[g * (knots - 1) + m];
                    (v(m) + (ha - p[m]) * rate, s * rate)
                };
                value[k * outputs + o] += va;
                slope[k * outputs + o] += vs;
            }
        }
    }
    lines.width = outputs;
    lines.value = value;
    lines.slope = slope;
    Ok(())
}

/// The output's pieces, neighbours with the same slope joined.
fn join(lines: &Lines) -> Pieces {
    debug_assert_eq!(lines.width, 1);
    let n = lines.pieces();
    let scale = lines.slope.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    // Slopes that differ by less than this are the same (relative, with a floor far below any
    // slope the network actually has, for slopes that are zero up to rounding).
    let same = |s: f64, t: f64| (s - t).abs() <= SLOPE_TOLERANCE * s.abs().max(t.abs()).max(1e-3 * scale);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut start = 0;
    for k in 1..=n {
        if k < n && same(lines.slope[k], lines.slope[start]) {
            continue;
        }
        // Pieces start..k form one line: through its end values (continuity makes them agree).
        let (from, to) = (lines.breaks[start], lines.breaks[k]);
        let (y_from, y_to) = (lines.value[start], lines.at(k - 1, 0, to));
        let slope = if k - start == 1 { lines.slope[start] } else { (y_to - y_from) / (to - from) };
        pieces.push(Piece { from, to, slope, intercept: y_from - slope * from });
        start = k;
    }
    Pieces { pieces }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::NetworkSpec;

    fn spec(family: Family, widths: Vec<usize>) -> NetworkSpec {
        NetworkSpec { family, widths, input_domain: (-1.0, 1.0), normalization: Normalization::None, input_segments: None, output_segments: None }
    }

    fn pwl_family() -> Family {
        Family::Pwl { knots: 3, learn_positions: true, per_synapse: false }
    }

    /// One synapse on [−1, 1] with uniform knots at the given values.
    fn synapse(values: Vec<f32>) -> LayerWeights {
        let knots = values.len();
        LayerWeights::Pwl {
            width_logits: vec![0.0; knots - 1],
            values,
            inputs: 1,
            knots,
            outputs: 1,
            domain: (-1.0, 1.0),
            learn_positions: true,
            per_synapse: false,
        }
    }

    fn slopes(p: &Pieces) -> Vec<f64> {
        p.pieces.iter().map(|p| p.slope).collect()
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    fn mlp(weights: Vec<(Vec<f32>, Option<Vec<f32>>)>, widths: Vec<usize>, activation: Activation) -> Snapshot {
        let layers = weights
            .into_iter()
            .enumerate()
            .map(|(l, (weight, bias))| LayerWeights::Linear { weight, bias, inputs: widths[l], outputs: widths[l + 1] })
            .collect();
        Snapshot { spec: spec(Family::Mlp { activation, bias: true }, widths), layers }
    }

    #[test]
    fn one_synapse_with_knots_at_half_steps_has_four_pieces() {
        // Knots −1, −0.5, 0, 0.5, 1 on the domain; x from −2 to 2 also meets the constant ends.
        let net = Snapshot { spec: spec(pwl_family(), vec![1, 1]), layers: vec![synapse(vec![0.0, 1.0, 0.0, 2.0, 1.0])] };
        let p = exact_pieces(&net, -0.75, 0.75).unwrap();
        assert_eq!(p.count(), 4);
        assert!(close(&p.breakpoints(), &[-0.5, 0.0, 0.5]), "{:?}", p.breakpoints());
        assert!(close(&slopes(&p), &[2.0, -2.0, 4.0, -2.0]), "{:?}", slopes(&p));
        assert!((p.eval(-0.75) - 0.5).abs() < 1e-12 && (p.eval(0.25) - 1.0).abs() < 1e-12);
        // Beyond the knot domain the synapse is constant: two more pieces, slope 0.
        let p = exact_pieces(&net, -2.0, 2.0).unwrap();
        assert!(close(&slopes(&p), &[0.0, 2.0, -2.0, 4.0, -2.0, 0.0]), "{:?}", slopes(&p));
        assert!(close(&p.breakpoints(), &[-1.0, -0.5, 0.0, 0.5, 1.0]));
        assert!((p.eval(-2.0) - 0.0).abs() < 1e-12 && (p.eval(2.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_collinear_knot_is_not_a_breakpoint() {
        let net = Snapshot { spec: spec(pwl_family(), vec![1, 1]), layers: vec![synapse(vec![0.0, 0.5, 1.0, 0.0])] };
        // Knots at −1, −1/3, 1/3, 1: the one at −1/3 lies on a straight run.
        let p = exact_pieces(&net, -1.0, 1.0).unwrap();
        assert_eq!(p.count(), 2);
        assert!(close(&p.breakpoints(), &[1.0 / 3.0]), "{:?}", p.breakpoints());
        assert!(close(&slopes(&p), &[0.75, -1.5]));
    }

    #[test]
    fn relu_of_x_plus_relu_of_minus_x_is_the_absolute_value() {
        let net = mlp(vec![(vec![1.0, -1.0], None), (vec![1.0, 1.0], None)], vec![1, 2, 1], Activation::Relu);
        let p = exact_pieces(&net, -1.0, 2.0).unwrap();
        assert_eq!(p.count(), 2);
        assert!(close(&p.breakpoints(), &[0.0]));
        assert!(close(&slopes(&p), &[-1.0, 1.0]));
        assert!(p.pieces.iter().all(|p| p.intercept.abs() < 1e-12));
        // The same weights without the ReLU are the zero function: one piece.
        let p = exact_pieces(&mlp(vec![(vec![1.0, -1.0], None), (vec![1.0, 1.0], None)], vec![1, 2, 1], Activation::Identity), -1.0, 2.0)
            .unwrap();
        assert!(close(&slopes(&p), &[0.0]));
    }

    #[test]
    fn a_relu_that_no_later_layer_sees_is_not_a_breakpoint() {
        // Unit 2 switches at x = 0.5 but its outgoing weight is 0; unit 1 at x = −0.25.
        let net = mlp(
            vec![(vec![2.0, 1.0], Some(vec![0.5, -0.5])), (vec![3.0, 0.0], Some(vec![1.0]))],
            vec![1, 2, 1],
            Activation::Relu,
        );
        let p = exact_pieces(&net, -1.0, 1.0).unwrap();
        assert!(close(&p.breakpoints(), &[-0.25]));
        assert!(close(&slopes(&p), &[0.0, 6.0]));
        assert!((p.eval(1.0) - 8.5).abs() < 1e-12);
    }

    #[test]
    fn stacked_synapses_compose_and_a_grid_per_synapse_is_read_per_synapse() {
        // 1 → 2 → 1 with a grid per synapse: the inner synapses are the identity on [−1, 1] with
        // knots at −1, 0, 1 and at −1, 0.5, 1 (logits ln 3 : ln 1 make widths 1.5, 0.5); the outer
        // ones are |h| and 0 on uniform grids.
        let l1 = LayerWeights::Pwl {
            width_logits: vec![0.0, 0.0, 3f32.ln(), 0.0],
            values: vec![-1.0, -1.0, 0.0, 0.5, 1.0, 1.0],
            inputs: 1,
            knots: 3,
            outputs: 2,
            domain: (-1.0, 1.0),
            learn_positions: true,
            per_synapse: true,
        };
        let l2 = LayerWeights::Pwl {
            width_logits: vec![0.0; 4],
            values: vec![1.0, 0.0, 1.0, 0.0, 0.0, 0.0],
            inputs: 2,
            knots: 3,
            outputs: 1,
            domain: (-1.0, 1.0),
            learn_positions: true,
            per_synapse: true,
        };
        let net = Snapshot {
            spec: spec(Family::Pwl { knots: 3, learn_positions: true, per_synapse: true }, vec![1, 2, 1]),
            layers: vec![l1, l2],
        };
        let p = exact_pieces(&net, -1.0, 1.0).unwrap();
        // |x|, the knot at 0.5 of the second inner synapse feeds a zero synapse.
        assert!(close(&p.breakpoints(), &[0.0]), "{:?}", p.breakpoints());
        assert!(close(&slopes(&p), &[-1.0, 1.0]));
    }

    #[test]
    fn curved_and_batch_coupled_networks_are_refused() {
        let tanh = mlp(vec![(vec![1.0], None), (vec![1.0], None)], vec![1, 1, 1], Activation::Tanh);
        let err = exact_pieces(&tanh, -1.0, 1.0).unwrap_err();
        assert!(err.contains("tanh") && !err.ends_with('.'), "{err}");
        // One layer has no activation: a line.
        let line = mlp(vec![(vec![2.0], Some(vec![1.0]))], vec![1, 1], Activation::Tanh);
        assert_eq!(slopes(&exact_pieces(&line, -1.0, 1.0).unwrap()), vec![2.0]);
        let mut maxabs = Snapshot { spec: spec(pwl_family(), vec![1, 1, 1]), layers: vec![synapse(vec![0.0, 1.0, 0.0]); 2] };
        maxabs.spec.normalization = Normalization::MaxAbs;
        assert!(exact_pieces(&maxabs, -1.0, 1.0).unwrap_err().contains("max-abs"));
        let fourier = Snapshot {
            spec: spec(Family::Fourier { n: 1 }, vec![1, 1]),
            layers: vec![LayerWeights::Fourier { weights: vec![1.0], outputs: 1, inputs: 1, n: 1 }],
        };
        assert!(exact_pieces(&fourier, -1.0, 1.0).is_err());
        let wide = mlp(vec![(vec![1.0, 1.0], None)], vec![1, 2], Activation::Relu);
        assert_eq!(
            exact_pieces(&wide, -1.0, 1.0).unwrap_err(),
            "the network has 1 input and 2 outputs, and only a network with one of each has linear pieces along x"
        );
        let one = Snapshot { spec: spec(pwl_family(), vec![1, 1]), layers: vec![synapse(vec![0.0, 1.0, 0.0])] };
        assert!(exact_pieces(&one, 1.0, 1.0).is_err());
    }

    #[test]
    fn too_many_pieces_are_refused() {
        // 256 knots per grid, a zigzag of 16 synapses wide and three layers deep.
        let knots = 256;
        let zigzag = |inputs: usize, outputs: usize| LayerWeights::Pwl {
            width_logits: vec![0.0; inputs * (knots - 1)],
            values: (0..inputs * knots * outputs).map(|n| ((n / outputs) % 2) as f32 / inputs as f32).collect(),
            inputs,
            knots,
            outputs,
            domain: (-1.0, 1.0),
            learn_positions: true,
            per_synapse: false,
        };
        let net = Snapshot {
            spec: spec(Family::Pwl { knots, learn_positions: true, per_synapse: false }, vec![1, 2, 2, 1]),
            layers: vec![zigzag(1, 2), zigzag(2, 2), zigzag(2, 1)],
        };
        let err = exact_pieces(&net, -1.0, 1.0).unwrap_err();
        assert!(err.contains("100000"), "{err}");
        // 256 synapses with 256 knots each, all on their own grid: 65 000 breakpoints of 256 units.
        let wide = Snapshot {
            spec: spec(Family::Pwl { knots, learn_positions: true, per_synapse: true }, vec![1, 256, 1]),
            layers: vec![
                LayerWeights::Pwl {
                    width_logits: (0..256 * (knots - 1)).map(|n| ((n * 7919) % 1000) as f32 * 1e-3).collect(),
                    values: (0..knots * 256).map(|n| (n / 256) as f32 / knots as f32).collect(),
                    inputs: 1,
                    knots,
                    outputs: 256,
                    domain: (-1.0, 1.0),
                    learn_positions: true,
                    per_synapse: true,
                },
                zigzag(256, 1),
            ],
        };
        let err = exact_pieces(&wide, -1.0, 1.0).unwrap_err();
        assert!(err.contains("256 units") && !err.ends_with('.'), "{err}");
    }

    #[test]
    fn csv_json_and_bincode() {
        let net = mlp(vec![(vec![1.0, -1.0], None), (vec![1.0, 1.0], None)], vec![1, 2, 1], Activation::Relu);
        let p = exact_pieces(&net, -1.0, 1.0).unwrap();
        assert_eq!(p.to_csv(), "from,to,slope,intercept,y_from,y_to\n-1,0,-1,0,1,0\n0,1,1,0,0,1\n");
        let back: Pieces = serde_json::from_str(&p.to_json()).unwrap();
        assert_eq!(back, p);
        let back: Pieces = bincode::deserialize(&bincode::serialize(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
