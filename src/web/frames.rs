//! Turning the session into frames for the views: the 1-D curve, the image lab's pictures and
//! zoomed detail, the classification heat-map, the first layer's synapse curves, and the quality
//! numbers (test loss, PSNR, accuracy).
//!
//! Evaluating a whole picture is many times the work of one training step, so on the CPU path it
//! runs in tiles sized by measured time, each its own task (the page stays responsive), and image
//! frames are spaced so evaluation takes about a fifth of the time. On WebGPU a picture is one
//! batch and one read.

use std::cell::Cell;
use std::sync::Arc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::backend::Active;
use super::session::{generation, now_ms, with_session};
use super::state::{Busy, CurvesFrame, DetailFrame, FieldFrame, Frame, PictureFrame, Ui};
use crate::core::data::picture::rgba8_from_unit;
use crate::core::data::plane;
use crate::core::experiment::Kind;
use crate::core::metrics::{accuracy, mse, psnr_db};
use crate::core::network::{Family, Layer};
use crate::core::run::{Problem, FIELD_GRID};
use crate::core::snapshot::read;

/// How often the 1-D and field plots are refreshed while training.
const FRAME_EVERY_MS: f64 = 80.0;
/// Least time between two whole-picture evaluations while training.
const IMAGE_EVERY_MS: f64 = 400.0;
/// Least time between two detail renderings while training.
const DETAIL_EVERY_MS: f64 = 2500.0;
/// Target time of one evaluation tile on the CPU path.
const TILE_BUDGET_MS: f64 = 15.0;
/// Points of the 1-D prediction curve and of each synapse thumbnail.
const CURVE_POINTS: usize = 300;
const SYNAPSE_POINTS: usize = 32;
/// Longest side of the detail rendering.
pub const DETAIL_MAX_SIDE: usize = 512;

thread_local! {
    static LAST_FRAME: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    /// Duration of the last whole-picture evaluation and of the last detail rendering.
    static EVAL_MS: Cell<f64> = const { Cell::new(0.0) };
    static DETAIL_AT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    static DETAIL_MS: Cell<f64> = const { Cell::new(0.0) };
    /// Rows per evaluation tile on the CPU path, adapted to the measured time per row.
    static TILE_ROWS: Cell<usize> = const { Cell::new(1024) };
}

/// Publish a frame if one is due (`force`: now, e.g. after a step, a reset or a pause).
pub async fn publish(ui: Ui, force: bool) {
    let _busy = Busy::new(ui);
    let Some(Some(kind)) = with_session(|s| s.run.problem().kind()) else { return };
    let interval = match kind {
        Kind::Image => IMAGE_EVERY_MS.max(4.0 * EVAL_MS.with(Cell::get)),
        _ => FRAME_EVERY_MS,
    };
    if !force && now_ms() - LAST_FRAME.with(Cell::get) < interval {
        return;
    }
    LAST_FRAME.with(|c| c.set(now_ms()));
    match kind {
        Kind::Fit1d => publish_fit1d(ui).await,
        Kind::Image => {
            publish_image(ui).await;
            render_detail(ui, force).await;
        }
        Kind::Field => publish_field(ui).await,
    }
}

/// Network outputs for row-major `features` (`inputs` per row), tile by tile on the CPU path.
/// `None` when the session changed meanwhile or a read failed.
async fn evaluate(features: Arc<Vec<f32>>, inputs: usize) -> Option<Vec<f32>> {
    let gen = generation();
    let gpu = with_session(|s| s.backend.active == Active::WebGpu)?;
    let total = features.len() / inputs.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    while start < total {
        let end = if gpu { total } else { (start + TILE_ROWS.with(Cell::get)).min(total) };
        let t0 = now_ms();
        let pred = with_session(|s| s.run.trainer().predict(&features[start * inputs..end * inputs]))?;
        let values = read(pred).await.ok()?;
        if generation() != gen {
            return None;
        }
        out.extend(values);
        if !gpu {
            let per_row = (now_ms() - t0).max(0.01) / (end - start) as f64;
            TILE_ROWS.with(|c| c.set(((TILE_BUDGET_MS / per_row) as usize).clamp(128, 1 << 16)));
            TimeoutFuture::new(0).await;
        }
        start = end;
    }
    Some(out)
}

fn histories(frame: &mut Frame) {
    if let Some((h, t, q)) = with_session(|s| (s.run.history().to_vec(), s.run.test_history().to_vec(), s.run.quality_history().to_vec())) {
        frame.loss_history = h;
        frame.test_history = t;
        frame.quality_history = q;
    }
}

/// Record a quality number (and a test loss) for the run's current step.
fn record(quality: Option<f64>, test_loss: Option<f32>) {
    with_session(|s| s.run.record_evaluation(test_loss, quality));
}

/// The 1-D studio: prediction curve, knots and test loss.
async fn publish_fit1d(ui: Ui) {
    let gen = generation();
    let Some(Some((pred, knots, test, grid, mut frame))) = with_session(|s| {
        let Problem::Fit1d(samples) = s.run.problem() else { return None };
        let trainer = s.run.trainer();
        let (lo, hi) = samples.x_range;
        let grid: Vec<f32> = (0..CURVE_POINTS).map(|i| lo + (hi - lo) * i as f32 / (CURVE_POINTS - 1) as f32).collect();
        let pred = trainer.predict(&grid);
        let knots = trainer.network().first_layer_knots();
        let test = trainer.loss_on(&samples.test_x, &samples.test_y);
        let frame = Frame {
            train: samples.train_x.iter().copied().zip(samples.train_y.iter().copied()).collect(),
            test: samples.test_x.iter().copied().zip(samples.test_y.iter().copied()).collect(),
            clean: samples.clean.clone(),
            x_range: samples.x_range,
            ..Frame::default()
        };
        Some((pred, knots, test, grid, frame))
    }) else {
        return;
    };
    let Ok(pred) = read(pred).await else { return };
    let knots = match knots {
        Some(k) => read(k).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let test_loss = match test {
        Some(t) => read(t).await.ok().and_then(|v| v.first().copied()),
        None => None,
    };
    let weights = neuron_weights().await;
    frame.diagram = diagram().await;
    if generation() != gen {
        return;
    }
    record(None, test_loss);
    histories(&mut frame);
    frame.prediction = grid.into_iter().zip(pred).collect();
    // The 1-D studio's first layer has one input: its grid is the P knot positions.
    frame.knots = knots;
    ui.readout.update(|r| {
        r.test_loss = test_loss;
        r.weights = weights;
    });
    ui.frame.set(frame);
}

/// The weights and biases of a chain of single linear neurons (the first lessons), and for two of
/// them the equivalent single neuron W = w₂w₁, B = w₂b₁ + b₂.
async fn neuron_weights() -> Option<String> {
    let net = with_session(|s| {
        let spec = &s.run.network().spec;
        (matches!(spec.family, Family::Mlp { .. }) && spec.widths.iter().all(|w| *w == 1) && spec.widths.len() <= 3)
            .then(|| s.run.network().clone())
    })??;
    let snap = crate::core::snapshot::Snapshot::take(&net).await.ok()?;
    let mut wb = Vec::new();
    for layer in &snap.layers {
        let crate::core::snapshot::LayerWeights::Linear { weight, bias, .. } = layer else { return None };
        wb.push((weight[0], bias.as_ref().map(|b| b[0])));
    }
    let fmt = |v: f32| format!("{v:.3}");
    let mut parts = Vec::new();
    let sub = |i: usize| if wb.len() > 1 { ["₁", "₂"][i] } else { "" };
    for (i, (w, b)) in wb.iter().enumerate() {
        parts.push(format!("w{} = {}", sub(i), fmt(*w)));
        if let Some(b) = b {
            parts.push(format!("b{} = {}", sub(i), fmt(*b)));
        }
    }
    if let [(w1, b1), (w2, b2)] = wb[..] {
        let (b1, b2) = (b1.unwrap_or(0.0), b2.unwrap_or(0.0));
        parts.push(format!("→ W = w₂w₁ = {}, B = w₂b₁ + b₂ = {}", fmt(w2 * w1), fmt(w2 * b1 + b2)));
    }
    Some(parts.join(", "))
}

/// Colour of a reconstruction error (mean absolute channel error in [0, 1]): black for none,
/// through red to yellow at 25 % (errors are amplified four times to be visible).
fn error_colour(e: f32) -> [u8; 3] {
    let t = (4.0 * e).clamp(0.0, 1.0);
    [(255.0 * (2.0 * t).min(1.0)) as u8, (255.0 * (2.0 * t - 1.0).max(0.0)) as u8, 0]
}

/// The image lab: reconstruction, error map, PSNR and the synapse curves.
async fn publish_image(ui: Ui) {
    let started = now_ms();
    let Some(Some((features, inputs, picture, target))) = with_session(|s| match s.run.problem() {
        Problem::Image(p) => Some((p.features.clone(), s.run.trainer().rows().inputs, p.picture.clone(), p.target_rgba.clone())),
        _ => None,
    }) else {
        return;
    };
    let (rgb, width, height) = (&picture.rgb, picture.width, picture.height);
    let gen = generation();
    let Some(pred) = evaluate(features, inputs).await else { return };
    let recon: Vec<f32> = pred.iter().map(|v| ((v + 1.0) / 2.0).clamp(0.0, 1.0)).collect();
    let psnr = psnr_db(mse(&recon, rgb), 1.0);
    let mut error = Vec::with_capacity(width * height * 4);
    for (r, t) in recon.chunks_exact(3).zip(rgb.chunks_exact(3)) {
        let e = r.iter().zip(t).map(|(a, b)| (a - b).abs()).sum::<f32>() / 3.0;
        error.extend(error_colour(e));
        error.push(255);
    }
    let (curves, diagram) = curves_and_diagram().await;
    if generation() != gen {
        return;
    }
    EVAL_MS.with(|c| c.set(now_ms() - started));
    record(Some(psnr), None);
    let mut frame = Frame {
        picture: Some(PictureFrame { width, height, target, recon: rgba8_from_unit(&recon), error }),
        curves,
        diagram,
        ..Frame::default()
    };
    histories(&mut frame);
    ui.readout.update(|r| r.psnr = Some(psnr));
    ui.frame.set(frame);
}

/// Render the learned picture over the zoom region at a multiple of the training resolution,
/// when the view changed, when asked (`force`), or now and then while training.
pub async fn render_detail(ui: Ui, force: bool) {
    let _busy = Busy::new(ui);
    let zoom = ui.zoom.get_untracked();
    let shown = ui.detail.with_untracked(|d| d.as_ref().map(|d| d.view));
    let stale = now_ms() - DETAIL_AT.with(Cell::get) > DETAIL_EVERY_MS.max(5.0 * DETAIL_MS.with(Cell::get));
    if !(force || shown != Some(zoom) || stale) {
        return;
    }
    let Some(Some((w, h, inputs))) = with_session(|s| match s.run.problem() {
        Problem::Image(p) => Some((p.picture.width, p.picture.height, s.run.trainer().rows().inputs)),
        _ => None,
    }) else {
        return;
    };
    let started = now_ms();
    DETAIL_AT.with(|c| c.set(started));
    // The region's share of the picture, rendered at `scale` × the training pixel density.
    let fw = zoom.region.width() / 2.0;
    let fh = (zoom.region.y1 - zoom.region.y0) / 2.0;
    let (mut dw, mut dh) = ((w as f32 * fw * zoom.scale as f32).round() as usize, (h as f32 * fh * zoom.scale as f32).round() as usize);
    let longest = dw.max(dh).max(1);
    if longest > DETAIL_MAX_SIDE {
        dw = dw * DETAIL_MAX_SIDE / longest;
        dh = dh * DETAIL_MAX_SIDE / longest;
    }
    let (dw, dh) = (dw.max(8), dh.max(8));
    let rotate = ui.exp.with_untracked(|e| e.rotate);
    let features = Arc::new(plane::grid_features(zoom.region, dw, dh, rotate));
    let Some(pred) = evaluate(features, inputs).await else { return };
    let unit: Vec<f32> = pred.iter().map(|v| ((v + 1.0) / 2.0).clamp(0.0, 1.0)).collect();
    DETAIL_MS.with(|c| c.set(now_ms() - started));
    if ui.zoom.get_untracked() == zoom {
        ui.detail.set(Some(DetailFrame { width: dw, height: dh, rgba: rgba8_from_unit(&unit), view: zoom }));
    }
}

/// A classification field: heat-map of scores, accuracies, test loss.
async fn publish_field(ui: Ui) {
    let gen = generation();
    let Some(Some((grid, inputs, train, test, train_x, train_y, test_x, test_y))) = with_session(|s| match s.run.problem() {
        Problem::Field(p) => Some((
            p.grid_features.clone(),
            s.run.trainer().rows().inputs,
            p.train.clone(),
            p.test.clone(),
            p.train_x.clone(),
            p.train_y.clone(),
            p.test_x.clone(),
            p.test_y.clone(),
        )),
        _ => None,
    }) else {
        return;
    };
    let Some(scores) = evaluate(grid, inputs).await else { return };
    let Some(train_pred) = evaluate(train_x, inputs).await else { return };
    let test_pred = if test_y.is_empty() { Some(Vec::new()) } else { evaluate(test_x, inputs).await };
    let Some(test_pred) = test_pred else { return };
    let (curves, diagram) = curves_and_diagram().await;
    if generation() != gen {
        return;
    }
    let test_acc = (!test_y.is_empty()).then(|| 100.0 * accuracy(&test_pred, &test_y));
    let test_loss = (!test_y.is_empty()).then(|| mse(&test_pred, &test_y) as f32);
    record(test_acc, test_loss);
    let mut frame = Frame { field: Some(FieldFrame { grid: FIELD_GRID, scores, train, test }), curves, diagram, ..Frame::default() };
    histories(&mut frame);
    ui.readout.update(|r| {
        r.accuracy = test_acc;
        r.train_accuracy = Some(100.0 * accuracy(&train_pred, &train_y));
        r.test_loss = test_loss;
    });
    ui.frame.set(frame);
}

/// The synapses of layer `l` as curves, with their knots (piecewise linear) or segment ends
/// (piecewise polynomials with few segments).
async fn layer_curves(l: usize, samples: usize) -> Option<CurvesFrame> {
    let (values, knots, inputs, outputs, boundaries, domain, linear) = with_session(|s| {
        let net = s.run.network();
        let (inputs, outputs) = (*net.spec.widths.get(l)?, *net.spec.widths.get(l + 1)?);
        let layer = net.layers.get(l)?;
        let boundaries = match layer {
            Layer::Poly(p) if p.segments() > 1 && p.segments() <= 32 => Some(p.segments()),
            _ => None,
        };
        let knots = match layer {
            Layer::Pwl(p) => Some(p.positions()),
            _ => None,
        };
        let linear = matches!(layer, Layer::Linear(_));
        Some((s.run.trainer().layer_curves(l, samples), knots, inputs, outputs, boundaries, net.layer_domain(l), linear))
    })??;
    let values = read(values).await.ok()?;
    let knots: Vec<Vec<f32>> = match (knots, boundaries) {
        (Some(k), _) => {
            let flat = read(k).await.ok()?;
            flat.chunks(flat.len() / inputs.max(1)).map(|c| c.to_vec()).collect()
        }
        (None, Some(segments)) => {
            // Polynomial layers work on [−1, 1] internally; map their segment ends to the domain.
            let (lo, hi) = domain;
            let ends: Vec<f32> = (0..=segments).map(|i| lo + (hi - lo) * i as f32 / segments as f32).collect();
            vec![ends; inputs]
        }
        _ => vec![Vec::new(); inputs],
    };
    let input_names = if l == 0 { ["x", "y", "(x+y)/2", "(x−y)/2"].into_iter().take(inputs).collect() } else { vec![] };
    Some(CurvesFrame { inputs, outputs, samples, values, knots, domain, linear, input_names })
}

/// Most synapses for which the diagram is computed (beyond, it would be unreadable anyway).
const DIAGRAM_MAX_SYNAPSES: usize = 2000;

/// The network diagram's curves of every layer, and the first layer's for the thumbnails (taken
/// from the diagram when it was computed, so the first layer is evaluated once per frame).
async fn curves_and_diagram() -> (Option<CurvesFrame>, Vec<CurvesFrame>) {
    let diagram = diagram().await;
    let first = match diagram.first() {
        Some(c) => Some(c.clone()),
        None => layer_curves(0, SYNAPSE_POINTS).await,
    };
    (first, diagram)
}

/// Every layer's curves for the network diagram.
async fn diagram() -> Vec<CurvesFrame> {
    let Some(widths) = with_session(|s| s.run.network().spec.widths.clone()) else { return Vec::new() };
    let synapses: usize = widths.windows(2).map(|w| w[0] * w[1]).sum();
    if synapses > DIAGRAM_MAX_SYNAPSES {
        return Vec::new();
    }
    let mut out = Vec::new();
    for l in 0..widths.len() - 1 {
        match layer_curves(l, SYNAPSE_POINTS).await {
            Some(c) => out.push(c),
            None => return Vec::new(),
        }
    }
    out
}
