//! Structural operations on piecewise-linear synapses with per-synapse knots (the originals'
//! adaptive layer): insert a knot without changing the function, insert halfway across the
//! interval holding a given input, measure how much removing each knot would change the function,
//! remove the smoothest knot, and move the smoothest knot to where the function bends most.
//! Host-side (they run rarely, between steps); positions and values are `[in][out][P]`.

/// `isclose` with the originals' tolerances (rtol 1e-5, atol 1e-8).
fn isclose(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-8 + 1e-5 * b.abs()
}

/// Knots of every synapse of one layer; pair `(i, o)` is at index `i * outputs + o`.
#[derive(Clone, Debug, PartialEq)]
pub struct Knots {
    pub inputs: usize,
    pub outputs: usize,
    pub positions: Vec<Vec<f64>>,
    pub values: Vec<Vec<f64>>,
    /// Domain of the knots; the end knots stay pinned to it.
    pub domain: (f64, f64),
}

/// Value of the piecewise-linear function with knots `(p, v)` at `x`, the way insertion defines it:
/// the first knot close to `x` gives its value; otherwise interpolate between the neighbours.
fn value_at(p: &[f64], v: &[f64], x: f64) -> f64 {
    if let Some(k) = p.iter().position(|&pk| isclose(x, pk)) {
        return v[k];
    }
    let left = p.iter().rposition(|&pk| pk < x);
    let right = p.iter().position(|&pk| pk > x);
    match (left, right) {
        (Some(l), Some(r)) => v[l] + (x - p[l]) / (p[r] - p[l]) * (v[r] - v[l]),
        (Some(l), None) => v[l],
        (None, Some(r)) => v[r],
        (None, None) => 0.0,
    }
}

impl Knots {
    pub fn points(&self) -> usize {
        self.positions.first().map_or(0, Vec::len)
    }

    fn pin_ends(&mut self) {
        let (lo, hi) = self.domain;
        for p in &mut self.positions {
            if let Some(first) = p.first_mut() {
                *first = lo;
            }
            if let Some(last) = p.last_mut() {
                *last = hi;
            }
        }
    }

    /// Insert `points[i]` into every synapse of input `i`; the functions do not change.
    pub fn insert_points(&mut self, points: &[f64]) -> Result<(), String> {
        if points.len() != self.inputs {
            return Err(format!("expected one point per input ({}), got {}", self.inputs, points.len()));
        }
        if let Some(x) = points.iter().find(|&&x| !(x >= self.domain.0 && x <= self.domain.1)) {
            return Err(format!("{x} is outside the knot domain [{}, {}]", self.domain.0, self.domain.1));
        }
        for i in 0..self.inputs {
            for o in 0..self.outputs {
                let pair = i * self.outputs + o;
                let (p, v) = (&self.positions[pair], &self.values[pair]);
                let mut new_p = p.clone();
                let at = new_p.partition_point(|&q| q <= points[i]);
                new_p.insert(at, points[i]);
                let new_v = new_p.iter().map(|&q| value_at(p, v, q)).collect();
                self.positions[pair] = new_p;
                self.values[pair] = new_v;
            }
        }
        self.pin_ends();
        Ok(())
    }

    /// For each input, insert the midpoint of the interval (of output 0's knots) that holds `x[i]`.
    pub fn insert_nearby(&mut self, x: &[f64]) -> Result<(), String> {
        if x.len() != self.inputs {
            return Err(format!("expected one value per input ({}), got {}", self.inputs, x.len()));
        }
        let mids: Vec<f64> = (0..self.inputs)
            .map(|i| {
                let r = &self.positions[i * self.outputs];
                let l = r.iter().rposition(|&q| q <= x[i]).unwrap_or(0);
                let h = r.iter().position(|&q| q >= x[i]).unwrap_or(r.len() - 1);
                (r[l] + r[h]) / 2.0
            })
            .collect();
        self.insert_points(&mids)
    }

    /// Per synapse, for each interior knot: how far the function moves if it is removed
    /// (times the span of its neighbours when `weighted`; 0 for duplicated knots).
    pub fn removal_errors(&self, weighted: bool) -> Vec<Vec<f64>> {
        self.positions
            .iter()
            .zip(&self.values)
            .map(|(p, v)| {
                (1..p.len().saturating_sub(1))
                    .map(|k| {
                        if p.iter().enumerate().any(|(j, &q)| j != k && isclose(p[k], q)) {
                            return 0.0;
                        }
                        let span = p[k + 1] - p[k - 1];
                        let t = if span != 0.0 { (p[k] - p[k - 1]) / span } else { 0.0 };
                        let e = (v[k - 1] + t * (v[k + 1] - v[k - 1]) - v[k]).abs();
                        if weighted { e * span.abs() } else { e }
                    })
                    .collect()
            })
            .collect()
    }

    /// Remove, per synapse, the interior knot whose removal changes the function least.
    pub fn remove_smoothest(&mut self, weighted: bool) -> Result<(), String> {
        if self.points() <= 2 {
            return Err("a synapse needs at least two knots".into());
        }
        for (pair, e) in self.removal_errors(weighted).into_iter().enumerate() {
            let k = 1 + argmin(&e);
            self.positions[pair].remove(k);
            self.values[pair].remove(k);
        }
        Ok(())
    }

    /// Per synapse: remove the smoothest interior knot and add one halfway into a segment next to
    /// the roughest knot — on its left when `left(pair)` says so, else on its right. The count is
    /// conserved and, past the removal, the function is unchanged.
    pub fn move_smoothest(&mut self, weighted: bool, mut left: impl FnMut(usize) -> bool) -> Result<(), String> {
        let n = self.points();
        if n <= 2 {
            return Ok(());
        }
        for (pair, e) in self.removal_errors(weighted).into_iter().enumerate() {
            let (r, m) = (1 + argmin(&e), 1 + argmax(&e));
            let (p, v) = (&mut self.positions[pair], &mut self.values[pair]);
            p.remove(r);
            v.remove(r);
            let m = if r < m { m - 1 } else { m };
            let (a, b) = if m == 0 {
                (0, 1)
            } else if m == n - 2 {
                (n - 3, n - 2)
            } else if left(pair) {
                (m - 1, m)
            } else {
                (m, m + 1)
            };
            p.insert(a + 1, (p[a] + p[b]) / 2.0);
            v.insert(a + 1, (v[a] + v[b]) / 2.0);
        }
        Ok(())
    }
}

fn argmin(e: &[f64]) -> usize {
    e.iter().enumerate().fold(0, |best, (k, &x)| if x < e[best] { k } else { best })
}

fn argmax(e: &[f64]) -> usize {
    e.iter().enumerate().fold(0, |best, (k, &x)| if x > e[best] { k } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(positions: &[f64], values: &[f64]) -> Knots {
        Knots { inputs: 1, outputs: 1, positions: vec![positions.to_vec()], values: vec![values.to_vec()], domain: (-1.0, 1.0) }
    }

    #[test]
    fn seed_examples() {
        let k = one(&[-1.0, -0.2, 0.4, 1.0], &[0.0, 1.0, -0.5, 0.5]);
        let e = k.removal_errors(false);
        assert!((e[0][0] - 1.2857143).abs() < 1e-6 && (e[0][1] - 1.25).abs() < 1e-9);
        let w = k.removal_errors(true);
        assert!((w[0][0] - 1.8).abs() < 1e-9 && (w[0][1] - 1.5).abs() < 1e-9);
        // remove_add(0.3): drop the knot at −0.5 (error 0), add the midpoint of [0, 0.5].
        let mut k = one(&[-1.0, -0.5, 0.0, 0.5, 1.0], &[0.0, 0.5, 1.0, 0.0, -1.0]);
        k.remove_smoothest(false).unwrap();
        k.insert_nearby(&[0.3]).unwrap();
        assert_eq!(k.positions[0], vec![-1.0, 0.0, 0.25, 0.5, 1.0]);
        assert_eq!(k.values[0], vec![0.0, 1.0, 0.5, 0.0, -1.0]);
        assert!(k.insert_points(&[1.5]).is_err());
    }
}

/// The knots of a layer with a grid per synapse, from its width logits `[in·out, P−1]` and values
/// `[in, P, out]` (the layer's storage), for the per-synapse operations above.
pub fn synapse_knots(logits: &[f32], values: &[f32], inputs: usize, knots: usize, outputs: usize, domain: (f32, f32)) -> Knots {
    let positions = positions_from_logits(logits, inputs * outputs, knots, domain);
    let pairs = inputs * outputs;
    Knots {
        inputs,
        outputs,
        positions: (0..pairs).map(|g| positions[g * knots..(g + 1) * knots].to_vec()).collect(),
        values: (0..pairs)
            .map(|g| (0..knots).map(|k| values[((g / outputs) * knots + k) * outputs + g % outputs] as f64).collect())
            .collect(),
        domain: (domain.0 as f64, domain.1 as f64),
    }
}

impl Knots {
    /// Back to a layer's storage: width logits `[in·out, P−1]` and values `[in, P, out]`.
    pub fn to_layer(&self, domain: (f32, f32)) -> (Vec<f32>, Vec<f32>) {
        let knots = self.points();
        let flat: Vec<f64> = self.positions.concat();
        let logits = logits_from_positions(&flat, self.inputs * self.outputs, knots, domain);
        let mut values = vec![0.0f32; self.inputs * knots * self.outputs];
        for (g, v) in self.values.iter().enumerate() {
            let (i, o) = (g / self.outputs, g % self.outputs);
            for (k, &val) in v.iter().enumerate() {
                values[(i * knots + k) * self.outputs + o] = val as f32;
            }
        }
        (logits, values)
    }
}

/// Knot positions `[in, P]` of a shared-grid layer from its width logits `[in, P−1]`
/// (softmax-normalised widths accumulated from the domain start, as the layer computes them).
pub fn positions_from_logits(logits: &[f32], inputs: usize, knots: usize, domain: (f32, f32)) -> Vec<f64> {
    let (lo, hi) = (domain.0 as f64, domain.1 as f64);
    let mut out = Vec::with_capacity(inputs * knots);
    for row in logits.chunks(knots - 1).take(inputs) {
        let max = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max) as f64;
        let exp: Vec<f64> = row.iter().map(|&l| (l as f64 - max).exp()).collect();
        let total: f64 = exp.iter().sum();
        let mut p = lo;
        out.push(p);
        for e in &exp {
            p += (hi - lo) * e / total;
            out.push(p);
        }
        *out.last_mut().expect("a knot") = hi;
    }
    out
}

/// Width logits `[in, P−1]` that reproduce sorted positions `[in, P]`. A zero-width segment (a
/// duplicated knot) gets the width 1e-9 of the domain: invisible at f32 precision.
pub fn logits_from_positions(positions: &[f64], inputs: usize, knots: usize, domain: (f32, f32)) -> Vec<f32> {
    let span = (domain.1 - domain.0) as f64;
    positions
        .chunks(knots)
        .take(inputs)
        .flat_map(|p| p.windows(2).map(|w| ((w[1] - w[0]).max(1e-9 * span) / span).ln() as f32).collect::<Vec<_>>())
        .collect()
}

/// Insert, in each input's shared grid, the midpoint of the interval holding `x[i]`; every
/// outgoing synapse takes its own interpolated value there, so the layer's function is unchanged.
/// `positions` is `[in, P]`, `values` `[in, P, out]`; returns the new arrays (P + 1 knots).
pub fn insert_shared(positions: &[f64], values: &[f64], inputs: usize, knots: usize, outputs: usize, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut new_p = Vec::with_capacity(inputs * (knots + 1));
    let mut new_v = Vec::with_capacity(inputs * (knots + 1) * outputs);
    for i in 0..inputs {
        let r = &positions[i * knots..(i + 1) * knots];
        let xi = x[i].clamp(r[0], r[knots - 1]);
        let l = r.iter().rposition(|&q| q <= xi).unwrap_or(0);
        let h = r.iter().position(|&q| q >= xi).unwrap_or(knots - 1);
        let mid = (r[l] + r[h]) / 2.0;
        let at = r.partition_point(|&q| q <= mid);
        let column = |o: usize| -> Vec<f64> { (0..knots).map(|k| values[(i * knots + k) * outputs + o]).collect() };
        let inserted: Vec<f64> = (0..outputs).map(|o| value_at(r, &column(o), mid)).collect();
        for k in 0..=knots {
            let (pos, vals): (f64, Vec<f64>) = match k.cmp(&at) {
                std::cmp::Ordering::Less => (r[k], (0..outputs).map(|o| values[(i * knots + k) * outputs + o]).collect()),
                std::cmp::Ordering::Equal => (mid, inserted.clone()),
                std::cmp::Ordering::Greater => (r[k - 1], (0..outputs).map(|o| values[(i * knots + k - 1) * outputs + o]).collect()),
            };
            new_p.push(pos);
            new_v.extend(vals);
        }
    }
    (new_p, new_v)
}

/// Move one knot per input grid: remove the interior knot whose removal changes the outgoing
/// synapses least (removal errors summed over outputs, weighted by the neighbour span), and
/// insert a knot halfway into a segment next to the knot where they bend most (`left` picks the
/// side). The count is conserved; only the removal changes the functions.
/// `positions` `[in, P]`, `values` `[in, P, out]`.
pub fn move_shared(
    positions: &mut [f64],
    values: &mut [f64],
    inputs: usize,
    knots: usize,
    outputs: usize,
    mut left: impl FnMut(usize) -> bool,
) {
    if knots <= 3 {
        return;
    }
    for i in 0..inputs {
        let grid: Vec<f64> = positions[i * knots..(i + 1) * knots].to_vec();
        let synapse = |o: usize, vals: &[f64]| -> Vec<f64> { (0..knots).map(|k| vals[(i * knots + k) * outputs + o]).collect() };
        let per_output: Vec<Vec<f64>> = (0..outputs)
            .map(|o| {
                let one = Knots { inputs: 1, outputs: 1, positions: vec![grid.clone()], values: vec![synapse(o, values)], domain: (grid[0], grid[knots - 1]) };
                one.removal_errors(true).remove(0)
            })
            .collect();
        let total: Vec<f64> = (0..knots - 2).map(|k| per_output.iter().map(|e| e[k]).sum()).collect();
        let (r, m) = (1 + argmin(&total), 1 + argmax(&total));
        let mut p = grid.clone();
        p.remove(r);
        let m = if r < m { m - 1 } else { m };
        let (a, b) = if m >= knots - 2 { (knots - 3, knots - 2) } else if left(i) { (m - 1, m) } else { (m, m + 1) };
        let mid = (p[a] + p[b]) / 2.0;
        p.insert(a + 1, mid);
        for o in 0..outputs {
            let mut v = synapse(o, values);
            v.remove(r);
            v.insert(a + 1, (v[a] + v[b]) / 2.0);
            for (k, val) in v.into_iter().enumerate() {
                values[(i * knots + k) * outputs + o] = val;
            }
        }
        positions[i * knots..(i + 1) * knots].copy_from_slice(&p);
    }
}
