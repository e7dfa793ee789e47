//! Turning a run into frames for the page: the 1-D curve, the image lab's pictures and zoomed
//! detail, the classification heat-map, the synapse curves of every layer, and the quality numbers
//! (test loss, PSNR, accuracy). Everything here reads the run; nothing changes it but the record
//! of evaluations (test loss, PSNR or accuracy at the current step) that the plots show.

use burn::tensor::Tensor;
use playground_config::data::picture::rgba8_from_unit;
use playground_config::data::plane;
use playground_config::data::field::Labelled;
use playground_config::data::digits::{features, CLASSES, MAX_INK, PIXELS};
use playground_config::experiment::Kind;
use playground_config::metrics::{accuracy, class_accuracy, cross_entropy, mse, predicted_classes, psnr_db, softmax};
use playground_config::pieces::exact_pieces;
use playground_config::protocol::{CurvesFrame, DetailFrame, DigitsFrame, FieldFrame, Frame, Mistake, PictureFrame, SurfaceFrame, MAX_MISTAKES};
use playground_engine::network::{Family, Layer};
use playground_engine::run::{Problem, Run, FIELD_GRID};
use playground_engine::snapshot::{read, LayerWeights, Snapshot, Weights};

use playground_config::backend_pick::Engine;
use crate::slot::Slot;

/// Points of the 1-D prediction curve and of each synapse thumbnail.
const CURVE_POINTS: usize = 300;
const SYNAPSE_POINTS: usize = 32;
/// Longest side of the detail rendering.
const DETAIL_MAX_SIDE: usize = 512;
/// Rows per evaluation on the CPU path (bounds the memory of one evaluation).
const TILE_ROWS: usize = 8192;
/// Most synapses for which the diagram is computed (beyond, it would be unreadable anyway).
const DIAGRAM_MAX_SYNAPSES: usize = 2000;

/// A full frame of the slot's run, with the readout it implies.
pub async fn frame(slot: &mut Slot) -> Result<Frame, String> {
    let mut frame = match slot.run.problem() {
        Problem::Fit1d(_) => fit1d(slot).await?,
        Problem::Image(_) => image(slot).await?,
        Problem::Field(_) => field(slot).await?,
        Problem::Digits(_) => digits(slot).await?,
        Problem::Surface(_) => surface(slot).await?,
        Problem::Rows => Frame::default(),
    };
    frame.timeline = slot.run.timeline().steps();
    frame.undo = slot.undo.last().map(|u| u.what.clone());
    frame.loss_history = slot.run.history().to_vec();
    frame.test_history = slot.run.test_history().to_vec();
    frame.quality_history = slot.run.quality_history().to_vec();
    slot.readout.steps = slot.run.steps();
    slot.readout.parameters = slot.run.network().spec.parameter_count();
    frame.readout = slot.readout.clone();
    Ok(frame)
}

/// Network outputs for row-major `features` (`inputs` per row): one batch on WebGPU, tiles on
/// the CPU path.
async fn evaluate(run: &Run, gpu: bool, features: &[f32], inputs: usize) -> Result<Vec<f32>, String> {
    let total = features.len() / inputs.max(1);
    let tile = if gpu { total.max(1) } else { TILE_ROWS };
    let mut out = Vec::with_capacity(total * run.trainer().rows().outputs);
    let mut start = 0;
    while start < total {
        let end = (start + tile).min(total);
        out.extend(read(run.trainer().predict(&features[start * inputs..end * inputs])).await?);
        start = end;
    }
    Ok(out)
}

async fn read_optional<const D: usize>(t: Option<Tensor<D>>) -> Result<Option<Vec<f32>>, String> {
    match t {
        Some(t) => read(t).await.map(Some),
        None => Ok(None),
    }
}

/// The 1-D studio: prediction curve, knots and test loss.
async fn fit1d(slot: &mut Slot) -> Result<Frame, String> {
    let run = &slot.run;
    let Problem::Fit1d(samples) = run.problem() else { return Ok(Frame::default()) };
    let trainer = run.trainer();
    let (lo, hi) = samples.x_range;
    let grid: Vec<f32> = (0..CURVE_POINTS).map(|i| lo + (hi - lo) * i as f32 / (CURVE_POINTS - 1) as f32).collect();
    let pred = read(trainer.predict(&grid)).await?;
    // The 1-D studio's first layer has one input: its grid is the P knot positions.
    let knots = read_optional(trainer.network().first_layer_knots()).await?.unwrap_or_default();
    let test_loss = read_optional(trainer.loss_on(&samples.test_x, &samples.test_y)).await?.and_then(|v| v.first().copied());
    let mut frame = Frame {
        train: samples.train_x.iter().copied().zip(samples.train_y.iter().copied()).collect(),
        test: samples.test_x.iter().copied().zip(samples.test_y.iter().copied()).collect(),
        clean: samples.clean.clone(),
        x_range: samples.x_range,
        y_range: samples.y_range,
        prediction: grid.into_iter().zip(pred).collect(),
        knots,
        ..Frame::default()
    };
    frame.diagram = diagram(run).await?;
    // The exact pieces and the lessons' spelled-out weights read the same weights: one read.
    let weights = match run.network().spec.family {
        Family::Pwl { .. } | Family::Mlp { .. } => Some(Snapshot::take(run.network()).await?),
        _ => None,
    };
    frame.pieces = Some(match &weights {
        Some(w) => exact_pieces(w, lo as f64, hi as f64),
        None => Err("only piecewise-linear synapses and linear layers with ReLU or identity make a piecewise-linear network".into()),
    });
    slot.readout.weights = weights.as_ref().and_then(neuron_weights);
    slot.readout.test_loss = test_loss;
    slot.run.record_evaluation(test_loss, None);
    Ok(frame)
}

/// The weights and biases of a chain of single linear neurons (the first lessons), and for two of
/// them the equivalent single neuron W = w₂w₁, B = w₂b₁ + b₂.
fn neuron_weights(snap: &Snapshot) -> Option<String> {
    let spec = &snap.spec;
    if !(matches!(spec.family, Family::Mlp { .. }) && spec.widths.iter().all(|w| *w == 1) && spec.widths.len() <= 3) {
        return None;
    }
    let mut wb = Vec::new();
    for layer in &snap.layers {
        let LayerWeights::Linear { weight, bias, .. } = layer else { return None };
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
async fn image(slot: &mut Slot) -> Result<Frame, String> {
    let started = crate::engine::now_ms();
    let gpu = slot.backend.active == Engine::WebGpu;
    let run = &slot.run;
    let Problem::Image(p) = run.problem() else { return Ok(Frame::default()) };
    let (rgb, width, height) = (&p.picture.rgb, p.picture.width, p.picture.height);
    let pred = evaluate(run, gpu, &p.features, run.trainer().rows().inputs).await?;
    let recon: Vec<f32> = pred.iter().map(|v| ((v + 1.0) / 2.0).clamp(0.0, 1.0)).collect();
    let psnr = psnr_db(mse(&recon, rgb), 1.0);
    let mut error = Vec::with_capacity(width * height * 4);
    for (r, t) in recon.chunks_exact(3).zip(rgb.chunks_exact(3)) {
        let e = r.iter().zip(t).map(|(a, b)| (a - b).abs()).sum::<f32>() / 3.0;
        error.extend(error_colour(e));
        error.push(255);
    }
    let picture = PictureFrame { width, height, target: p.target_rgba.to_vec(), recon: rgba8_from_unit(&recon), error };
    let (curves, diagram) = curves_and_diagram(run).await?;
    slot.eval_ms = crate::engine::now_ms() - started;
    slot.readout.psnr = Some(psnr);
    slot.run.record_evaluation(None, Some(psnr));
    Ok(Frame { picture: Some(picture), curves, diagram, ..Frame::default() })
}

/// The learned picture over the zoom region at a multiple of the training resolution.
pub async fn detail(slot: &mut Slot) -> Result<Option<DetailFrame>, String> {
    let started = crate::engine::now_ms();
    let gpu = slot.backend.active == Engine::WebGpu;
    let zoom = slot.zoom;
    let run = &slot.run;
    let Problem::Image(p) = run.problem() else { return Ok(None) };
    let (w, h) = (p.picture.width, p.picture.height);
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
    let features = plane::grid_features(zoom.region, dw, dh, slot.exp.rotate);
    let pred = evaluate(run, gpu, &features, run.trainer().rows().inputs).await?;
    let unit: Vec<f32> = pred.iter().map(|v| ((v + 1.0) / 2.0).clamp(0.0, 1.0)).collect();
    slot.detail_ms = crate::engine::now_ms() - started;
    Ok(Some(DetailFrame { width: dw, height: dh, rgba: rgba8_from_unit(&unit), view: zoom }))
}

/// A classification field: heat-map of scores, accuracies, test loss.
async fn field(slot: &mut Slot) -> Result<Frame, String> {
    let gpu = slot.backend.active == Engine::WebGpu;
    let run = &slot.run;
    let Problem::Field(p) = run.problem() else { return Ok(Frame::default()) };
    let (inputs, outputs) = (run.trainer().rows().inputs, run.trainer().rows().outputs);
    let scores = evaluate(run, gpu, &p.grid_features, inputs).await?;
    let train_pred = evaluate(run, gpu, &p.train_x, inputs).await?;
    let test_pred = if p.test.is_empty() { Vec::new() } else { evaluate(run, gpu, &p.test_x, inputs).await? };
    let (curves, diagram) = curves_and_diagram(run).await?;
    let classes_of = |points: &[Labelled]| points.iter().map(|p| p.class).collect::<Vec<u32>>();
    let (train_truth, test_truth) = (classes_of(&p.train), classes_of(&p.test));
    let (train_named, test_named) = (predicted_classes(&train_pred, outputs), predicted_classes(&test_pred, outputs));
    let test_acc = (!p.test.is_empty()).then(|| 100.0 * accuracy(&test_named, &test_truth));
    let test_loss = (!p.test.is_empty()).then(|| match outputs {
        1 => mse(&test_pred, &p.test_y) as f32,
        k => cross_entropy(&test_pred, k, &test_truth) as f32,
    });
    let train_acc = 100.0 * accuracy(&train_named, &train_truth);
    let (named, truth) = if p.test.is_empty() { (&train_named, &train_truth) } else { (&test_named, &test_truth) };
    let k = outputs.max(2);
    slot.readout.class_accuracy = class_accuracy(named, truth, k).into_iter().map(|a| a.map(|a| 100.0 * a)).collect();
    let field = FieldFrame { grid: FIELD_GRID, outputs, scores, train: p.train.to_vec(), test: p.test.to_vec() };
    slot.readout.accuracy = test_acc;
    slot.readout.train_accuracy = (!p.train.is_empty()).then_some(train_acc);
    slot.readout.test_loss = test_loss;
    slot.run.record_evaluation(test_loss, test_acc);
    Ok(Frame { field: Some(field), curves, diagram, ..Frame::default() })
}

/// A 2-D regression: the network's surface on the grid beside the target's, test loss.
async fn surface(slot: &mut Slot) -> Result<Frame, String> {
    let gpu = slot.backend.active == Engine::WebGpu;
    let run = &slot.run;
    let Problem::Surface(p) = run.problem() else { return Ok(Frame::default()) };
    let inputs = run.trainer().rows().inputs;
    let prediction = evaluate(run, gpu, &p.grid_features, inputs).await?;
    let test_loss = if p.test.is_empty() { None } else { Some(mse(&evaluate(run, gpu, &p.test_x, inputs).await?, &p.test_y) as f32) };
    let (curves, diagram) = curves_and_diagram(run).await?;
    let surface = SurfaceFrame { grid: FIELD_GRID, prediction, target: p.target_grid.to_vec(), train: p.train.to_vec(), test: p.test.to_vec() };
    slot.readout.test_loss = test_loss;
    slot.run.record_evaluation(test_loss, None);
    Ok(Frame { surface: Some(surface), curves, diagram, ..Frame::default() })
}

/// Handwritten digits: accuracy (overall and per digit), test loss, the confusion matrix and the
/// most confidently misread images; the first layer's synapses as for every kind.
async fn digits(slot: &mut Slot) -> Result<Frame, String> {
    let gpu = slot.backend.active == Engine::WebGpu;
    let run = &slot.run;
    let Problem::Digits(p) = run.problem() else { return Ok(Frame::default()) };
    let (train_truth, test_truth) = (p.train_labels(), p.test_labels());
    let train_out = evaluate(run, gpu, &p.train_x, PIXELS).await?;
    let test_out = if p.test.is_empty() { Vec::new() } else { evaluate(run, gpu, &p.test_x, PIXELS).await? };
    let (curves, _) = curves_and_diagram(run).await?;
    let (train_named, test_named) = (predicted_classes(&train_out, CLASSES), predicted_classes(&test_out, CLASSES));
    let held_out = !p.test.is_empty();
    let (outputs, named, truth, images) =
        if held_out { (&test_out, &test_named, &test_truth, &p.test) } else { (&train_out, &train_named, &train_truth, &p.train) };
    let mut confusion = vec![0u32; CLASSES * CLASSES];
    let mut mistakes = Vec::new();
    for (i, (&n, &t)) in named.iter().zip(truth.iter()).enumerate() {
        confusion[t as usize * CLASSES + n as usize] += 1;
        if n != t {
            let confidence = softmax(&outputs[i * CLASSES..(i + 1) * CLASSES])[n as usize];
            let image = p.data.images[images[i]].to_vec();
            mistakes.push(Mistake { image, truth: t as u8, predicted: n as u8, confidence });
        }
    }
    mistakes.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    mistakes.truncate(MAX_MISTAKES);
    let test_acc = held_out.then(|| 100.0 * accuracy(&test_named, &test_truth));
    let test_loss = held_out.then(|| cross_entropy(&test_out, CLASSES, &test_truth) as f32);
    slot.readout.accuracy = test_acc;
    slot.readout.train_accuracy = Some(100.0 * accuracy(&train_named, &train_truth));
    slot.readout.class_accuracy = class_accuracy(named, truth, CLASSES).into_iter().map(|a| a.map(|a| 100.0 * a)).collect();
    slot.readout.test_loss = test_loss;
    slot.run.record_evaluation(test_loss, test_acc);
    Ok(Frame { digits: Some(DigitsFrame { confusion, mistakes, held_out }), curves, ..Frame::default() })
}

/// The network's probability of each digit for an image of 64 counts (a drawn digit).
pub async fn classify(slot: &Slot, image: &[u8]) -> Result<Vec<f32>, String> {
    let image: [u8; PIXELS] = image.try_into().map_err(|_| format!("an image has {PIXELS} pixels, not {}", image.len()))?;
    if slot.exp.kind != Kind::Digits {
        return Err("this run does not read digits".into());
    }
    let out = read(slot.run.trainer().predict(&features(&image.map(|v| v.min(MAX_INK))))).await?;
    Ok(softmax(&out))
}

/// The synapses of layer `l` as curves, with their knots (piecewise linear) or segment ends
/// (piecewise polynomials with few segments).
async fn layer_curves(run: &Run, l: usize, samples: usize) -> Result<Option<CurvesFrame>, String> {
    let net = run.network();
    let (Some(&inputs), Some(&outputs), Some(layer)) = (net.spec.widths.get(l), net.spec.widths.get(l + 1), net.layers.get(l)) else {
        return Ok(None);
    };
    let boundaries = match layer {
        Layer::Poly(p) if p.segments() > 1 && p.segments() <= 32 => Some(p.segments()),
        _ => None,
    };
    let domain = net.layer_domain(l);
    let values = read(run.trainer().layer_curves(l, samples)).await?;
    let knots: Vec<Vec<f32>> = match (layer, boundaries) {
        (Layer::Pwl(p), _) => {
            let flat = read(p.positions()).await?;
            flat.chunks(flat.len().max(1) / inputs.max(1)).map(|c| c.to_vec()).collect()
        }
        (_, Some(segments)) => {
            // Polynomial layers work on [−1, 1] internally; map their segment ends to the domain.
            let (lo, hi) = domain;
            let ends: Vec<f32> = (0..=segments).map(|i| lo + (hi - lo) * i as f32 / segments as f32).collect();
            vec![ends; inputs]
        }
        _ => vec![Vec::new(); inputs],
    };
    let input_names =
        if l == 0 { ["x", "y", "(x+y)/2", "(x−y)/2"].into_iter().take(inputs).map(String::from).collect() } else { vec![] };
    let linear = matches!(layer, Layer::Linear(_));
    Ok(Some(CurvesFrame { inputs, outputs, samples, values, knots, domain, linear, input_names }))
}

/// The network diagram's curves of every layer, and the first layer's for the thumbnails (taken
/// from the diagram when it was computed, so the first layer is evaluated once per frame).
async fn curves_and_diagram(run: &Run) -> Result<(Option<CurvesFrame>, Vec<CurvesFrame>), String> {
    let diagram = diagram(run).await?;
    let first = match diagram.first() {
        Some(c) => Some(c.clone()),
        None => layer_curves(run, 0, SYNAPSE_POINTS).await?,
    };
    Ok((first, diagram))
}

/// Every layer's curves for the network diagram.
async fn diagram(run: &Run) -> Result<Vec<CurvesFrame>, String> {
    let widths = run.network().spec.widths.clone();
    let synapses: usize = widths.windows(2).map(|w| w[0] * w[1]).sum();
    if synapses > DIAGRAM_MAX_SYNAPSES {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for l in 0..widths.len().saturating_sub(1) {
        match layer_curves(run, l, SYNAPSE_POINTS).await? {
            Some(c) => out.push(c),
            None => return Ok(Vec::new()),
        }
    }
    Ok(out)
}
