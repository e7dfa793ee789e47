//! Checks the layer mathematics against reference vectors (schema `piecewise-reference/1`,
//! produced by the original Python implementations). Every case gets one line with its largest
//! error; unknown or not-yet-supported kinds count as failures, so a new vector file cannot pass
//! by being ignored.

use burn::tensor::{Device, Tensor, TensorData};
use serde_json::Value;

use crate::layers::basis::{lobatto, max_abs, mirror_fold};
use crate::layers::fourier::FourierSeries;
use crate::layers::lagrange::{Continuity, PiecewisePolynomial};
use crate::knots::Knots;
use crate::layers::basis::mirror_fold_host;
use crate::layers::pwl::{forward_per_synapse, Form};
use crate::refine::{refine, PolyShape};

/// Absolute and relative tolerance (f32 against float64 references).
pub const TOLERANCE: f64 = 1e-5;

pub struct CaseResult {
    pub name: String,
    pub kind: String,
    /// `Ok(max error)` or `Err(why it failed)`.
    pub outcome: Result<f64, String>,
}

pub struct Report {
    pub cases: Vec<CaseResult>,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.outcome.is_ok()).count()
    }
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .cases
            .iter()
            .map(|c| match &c.outcome {
                Ok(err) => format!("ok   {:<40} {:<22} max error {err:.2e}", c.name, c.kind),
                Err(why) => format!("FAIL {:<40} {:<22} {why}", c.name, c.kind),
            })
            .collect();
        out.push(format!("{} passed, {} failed", self.passed(), self.failed()));
        out
    }
}

/// A nested JSON array of numbers, flattened, with its shape.
fn array(v: &Value) -> Result<(Vec<f64>, Vec<usize>), String> {
    fn walk(v: &Value, depth: usize, flat: &mut Vec<f64>, shape: &mut Vec<usize>) -> Result<(), String> {
        match v {
            Value::Array(items) => {
                if shape.len() <= depth {
                    shape.push(items.len());
                } else if shape[depth] != items.len() {
                    return Err("ragged array".into());
                }
                items.iter().try_for_each(|i| walk(i, depth + 1, flat, shape))
            }
            Value::Number(n) => {
                flat.push(n.as_f64().ok_or("bad number")?);
                Ok(())
            }
            _ => Err(format!("expected numbers, found {v}")),
        }
    }
    let (mut flat, mut shape) = (Vec::new(), Vec::new());
    walk(v, 0, &mut flat, &mut shape)?;
    Ok((flat, shape))
}

fn field<'a>(case: &'a Value, key: &str) -> Result<&'a Value, String> {
    case.get(key).ok_or_else(|| format!("missing field {key}"))
}

fn usize_field(case: &Value, key: &str) -> Result<usize, String> {
    field(case, key)?.as_u64().map(|v| v as usize).ok_or_else(|| format!("{key} is not a whole number"))
}

fn tensor<const D: usize>(case: &Value, key: &str, device: &Device) -> Result<Tensor<D>, String> {
    let (flat, shape) = array(field(case, key)?)?;
    let shape: [usize; D] = shape.try_into().map_err(|s: Vec<usize>| format!("{key} has rank {}, expected {D}", s.len()))?;
    Ok(Tensor::from_data(TensorData::new(flat.into_iter().map(|v| v as f32).collect::<Vec<f32>>(), shape), device))
}

/// Largest error of `got` against the expected field, or an error when over tolerance.
fn compare<const D: usize>(got: Tensor<D>, case: &Value, key: &str) -> Result<f64, String> {
    let (_, shape) = array(field(case, key)?)?;
    if got.dims().to_vec() != shape {
        return Err(format!("{key}: shape {:?}, expected {shape:?}", got.dims()));
    }
    let got = got.into_data().try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
    compare_host(&got.iter().map(|&v| v as f64).collect::<Vec<_>>(), case, key)
}

fn check_layer(case: &Value, device: &Device) -> Result<f64, String> {
    let kind = field(case, "layer")?.as_str().unwrap_or("");
    let (n, inputs, outputs) = (usize_field(case, "n")?, usize_field(case, "in")?, usize_field(case, "out")?);
    let periodicity = case.get("periodicity").and_then(Value::as_f64).map(|p| p as f32);
    let (w, _) = array(field(case, "w")?)?;
    let w: Vec<f32> = w.into_iter().map(|v| v as f32).collect();
    // Piecewise polynomials in every form (GPU, CPU tensor ops, fused CPU kernel) against the same reference.
    let forms: &[Option<Form>] = if kind == "fourier" { &[None] } else { &[Some(Form::Dense), Some(Form::Gathered), Some(Form::Fused)] };
    let mut worst = 0.0f64;
    for &form in forms {
        let error = check_layer_form(case, kind, (n, inputs, outputs), periodicity, w.clone(), form, device);
        worst = worst.max(error.map_err(|e| match form {
            Some(form) => format!("{form:?} form: {e}"),
            None => e,
        })?);
    }
    Ok(worst)
}

fn check_layer_form(
    case: &Value,
    kind: &str,
    (n, inputs, outputs): (usize, usize, usize),
    periodicity: Option<f32>,
    w: Vec<f32>,
    form: Option<Form>,
    device: &Device,
) -> Result<f64, String> {
    let x = tensor::<2>(case, "x", device)?.require_grad();
    let (y, weights) = match kind {
        "continuous" | "discontinuous" | "polynomial" => {
            let segments = if kind == "polynomial" { 1 } else { usize_field(case, "segments")? };
            let continuity = if kind == "discontinuous" { Continuity::Discontinuous } else { Continuity::Continuous };
            let layer = PiecewisePolynomial::from_weights(w, outputs, inputs, n, segments, continuity, periodicity, device);
            let y = match form {
                Some(form) => layer.forward_in(x.clone(), form),
                None => layer.forward(x.clone()),
            };
            (y, layer.weights)
        }
        "fourier" => {
            let layer = FourierSeries::from_weights(w, outputs, inputs, n, device);
            (layer.forward(x.clone()), layer.weights)
        }
        other => return Err(format!("unknown layer {other}")),
    };
    let upstream = tensor::<2>(case, "upstream", device)?;
    let grads = (y.clone() * upstream).sum().backward();
    let mut worst = compare(y, case, "y")?;
    let gw = weights.grad(&grads).ok_or("no weight gradient")?;
    worst = worst.max(compare(gw, case, "grad_w")?);
    // With n = 1 the output does not depend on x at all: no gradient is recorded, i.e. zero.
    let gx = x.grad(&grads).unwrap_or_else(|| x.clone().inner().zeros_like());
    Ok(worst.max(compare(gx, case, "grad_x")?))
}

fn check_pwl_forward(case: &Value, device: &Device) -> Result<f64, String> {
    let fold = case.get("anti_periodic").and_then(Value::as_bool).unwrap_or(true);
    let positions = tensor::<3>(case, "positions", device)?;
    let x = tensor::<2>(case, "x", device)?;
    // Every form (GPU, CPU tensor ops, fused CPU kernel) against the same reference.
    let mut worst = 0.0f64;
    for form in Form::ALL {
        let values = tensor::<3>(case, "values", device)?.require_grad();
        let y = forward_per_synapse(x.clone(), positions.clone(), values.clone(), fold, form);
        let grads = (y.clone() * tensor::<2>(case, "upstream", device)?).sum().backward();
        worst = worst.max(compare(y, case, "y").map_err(|e| format!("{form:?} form: {e}"))?);
        let gv = values.grad(&grads).ok_or("no value gradient")?;
        worst = worst.max(compare(gv, case, "grad_values").map_err(|e| format!("{form:?} form: {e}"))?);
    }
    Ok(worst)
}

/// Host values against an expected field: every value within `TOLERANCE` absolute + relative.
fn compare_host(got: &[f64], case: &Value, key: &str) -> Result<f64, String> {
    let (expect, _) = array(field(case, key)?)?;
    if got.len() != expect.len() {
        return Err(format!("{key}: {} values, expected {}", got.len(), expect.len()));
    }
    let mut worst = 0.0f64;
    for (i, (&g, &e)) in got.iter().zip(&expect).enumerate() {
        let err = (g - e).abs();
        if !(err <= TOLERANCE + TOLERANCE * e.abs()) {
            return Err(format!("{key}[{i}] = {g}, expected {e} (error {err:.2e})"));
        }
        worst = worst.max(err);
    }
    Ok(worst)
}

fn check_refine(case: &Value, device: &Device) -> Result<f64, String> {
    let continuity = match field(case, "layer")?.as_str() {
        Some("continuous") => Continuity::Continuous,
        Some("discontinuous") => Continuity::Discontinuous,
        other => return Err(format!("cannot refine layer {other:?}")),
    };
    let (outputs, inputs) = (usize_field(case, "out")?, usize_field(case, "in")?);
    let from = PolyShape { outputs, inputs, n: usize_field(case, "n")?, segments: usize_field(case, "segments")?, continuity };
    let to = PolyShape { n: usize_field(case, "n_new")?, segments: usize_field(case, "segments_new")?, ..from };
    let (w, _) = array(field(case, "w")?)?;
    let new = refine(&w, &from, &to)?;
    let mut worst = compare_host(&new, case, "expect_w_new")?;
    let layer = PiecewisePolynomial::from_weights(new.iter().map(|&v| v as f32).collect(), outputs, inputs, to.n, to.segments, continuity, None, device);
    let x = tensor::<2>(case, "x", device)?;
    let y = layer.forward(x);
    worst = worst.max(compare(y.clone(), case, "y_after")?);
    let preserved = case.get("function_preserved").and_then(Value::as_bool).unwrap_or(false);
    if preserved != from.refines_exactly_to(&to) {
        return Err(format!("the reference says function_preserved = {preserved}, our rule says otherwise"));
    }
    if preserved {
        worst = worst.max(compare(y, case, "y_before")?);
    }
    Ok(worst)
}

fn knots(case: &Value) -> Result<Knots, String> {
    let (p, shape) = array(field(case, "positions")?)?;
    let (v, vshape) = array(field(case, "values")?)?;
    if shape.len() != 3 || shape != vshape {
        return Err("positions and values must both be [in][out][points]".into());
    }
    let points = shape[2];
    Ok(Knots {
        inputs: shape[0],
        outputs: shape[1],
        positions: p.chunks(points).map(<[f64]>::to_vec).collect(),
        values: v.chunks(points).map(<[f64]>::to_vec).collect(),
        domain: (-1.0, 1.0),
    })
}

fn flat(rows: &[Vec<f64>]) -> Vec<f64> {
    rows.iter().flatten().copied().collect()
}

fn check_knots(kind: &str, case: &Value) -> Result<f64, String> {
    let mut k = knots(case)?;
    let weighted = case.get("weighted").and_then(Value::as_bool).unwrap_or(true);
    match kind {
        "pwl_insert_points" => {
            let (points, _) = array(field(case, "points")?)?;
            k.insert_points(&points)?;
        }
        "pwl_insert_nearby" => {
            let (x, _) = array(field(case, "x")?)?;
            let fold = case.get("anti_periodic").and_then(Value::as_bool).unwrap_or(true);
            let x: Vec<f64> = x.into_iter().map(|v| if fold { mirror_fold_host(v, 2.0) } else { v }).collect();
            k.insert_nearby(&x)?;
        }
        "pwl_removal_errors" => return compare_host(&flat(&k.removal_errors(weighted)), case, "expect_errors"),
        "pwl_remove_smoothest" => k.remove_smoothest(weighted)?,
        "pwl_move_smoothest" => {
            // The original flips a coin per synapse: each of our synapses must match that synapse
            // in one of the recorded outcomes, for one of the two directions.
            let outcomes: Vec<Knots> = field(case, "outcomes")?
                .as_array()
                .ok_or("outcomes is not a list")?
                .iter()
                .map(knots)
                .collect::<Result<_, _>>()?;
            let (mut left, mut right) = (k.clone(), k);
            left.move_smoothest(weighted, |_| true)?;
            right.move_smoothest(weighted, |_| false)?;
            let same = |a: &Knots, b: &Knots, pair: usize| {
                let close = |x: &[f64], y: &[f64]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| (p - q).abs() <= TOLERANCE * (1.0 + q.abs()));
                close(&a.positions[pair], &b.positions[pair]) && close(&a.values[pair], &b.values[pair])
            };
            for pair in 0..left.positions.len() {
                let ok = outcomes.iter().any(|o| same(&left, o, pair) || same(&right, o, pair));
                if !ok {
                    return Err(format!("synapse {pair} matches no recorded outcome"));
                }
            }
            return Ok(0.0);
        }
        other => return Err(format!("kind “{other}” is not implemented yet")),
    }
    let worst = compare_host(&flat(&k.positions), case, "expect_positions")?;
    Ok(worst.max(compare_host(&flat(&k.values), case, "expect_values")?))
}

fn check(case: &Value, device: &Device) -> Result<f64, String> {
    match field(case, "kind")?.as_str().unwrap_or("") {
        "lobatto" => {
            let n = usize_field(case, "n")?;
            let got = lobatto(n).into_iter().map(|v| v as f32).collect::<Vec<f32>>();
            compare(Tensor::<1>::from_data(TensorData::new(got, [n]), device), case, "expect")
        }
        "mirror_fold" => {
            let p = field(case, "periodicity")?.as_f64().ok_or("periodicity")?;
            let x = tensor::<1>(case, "x", device)?;
            let len = x.dims()[0];
            compare(mirror_fold(x.reshape([len, 1]), p).reshape([len]), case, "expect")
        }
        "max_abs" => {
            let eps = field(case, "eps")?.as_f64().ok_or("eps")?;
            compare(max_abs(tensor::<2>(case, "x", device)?, eps), case, "expect")
        }
        "layer" => check_layer(case, device),
        "pwl_forward" => check_pwl_forward(case, device),
        "p_refine" | "h_refine" => check_refine(case, device),
        kind if kind.starts_with("pwl_") => check_knots(kind, case),
        other => Err(format!("kind “{other}” is not implemented yet")),
    }
}

/// Check every case of a reference file on `device` (which must have autodiff enabled).
pub fn run(json: &str, device: &Device) -> Result<Report, String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    match doc.get("schema").and_then(Value::as_str) {
        Some("piecewise-reference/1") => {}
        other => return Err(format!("unsupported schema {other:?}: expected piecewise-reference/1")),
    }
    let cases = doc.get("cases").and_then(Value::as_array).ok_or("no cases")?;
    Ok(Report {
        cases: cases
            .iter()
            .map(|case| CaseResult {
                name: case.get("name").and_then(Value::as_str).unwrap_or("?").to_string(),
                kind: case.get("kind").and_then(Value::as_str).unwrap_or("?").to_string(),
                outcome: check(case, device),
            })
            .collect(),
    })
}
