//! The handwritten-digits stage: test accuracy against steps, a pad to write a digit on with its
//! probabilities live, the confusion matrix, the misread digits, and a hidden neuron's 64 synapses
//! laid out as the 8×8 image they read.

use leptos::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::{HtmlCanvasElement, PointerEvent};

use super::plot::{self, context};
use super::state::{CurvesFrame, Ui};
use super::engine;
use playground_config::data::digits::{self, CLASSES, MAX_INK, PIXELS};

/// Side of the writing pad in pixels, and the pen's width on it.
const PAD: u32 = 224;
const PEN: f64 = 16.0;

/// An 8×8 image of counts as grey pixels (ink dark), 4 bytes each.
fn grey_rgba(image: &[u8]) -> Vec<u8> {
    image.iter().flat_map(|&v| {
        let g = 255 - (v.min(MAX_INK) as u32 * 255 / MAX_INK as u32) as u8;
        [g, g, g, 255]
    }).collect()
}

fn put_image(canvas: &HtmlCanvasElement, image: &[u8]) {
    let rgba = grey_rgba(image);
    if let (Some(ctx), Ok(data)) = (context(canvas), web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), 8, 8)) {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}

/// The pad's ink (alpha of the strokes) as values in [0, 1], row by row.
fn ink(canvas: &HtmlCanvasElement) -> Option<Vec<f32>> {
    let ctx = context(canvas)?;
    let data = ctx.get_image_data(0.0, 0.0, canvas.width() as f64, canvas.height() as f64).ok()?.data();
    Some(data.chunks_exact(4).map(|p| p[3] as f32 / 255.0).collect())
}

/// Read the pad and ask the network what it sees (nothing is sent while an answer is awaited:
/// the newest drawing goes next).
fn classify_pad(ui: Ui, canvas: &HtmlCanvasElement) {
    let Some(ink) = ink(canvas) else { return };
    let image = digits::from_ink(&ink, canvas.width() as usize, canvas.height() as usize);
    ui.drawn_digit.set(image.map(|i| i.to_vec()));
    match image {
        Some(image) => engine::classify(ui, image.to_vec()),
        None => ui.probabilities.set(None),
    }
}

#[component]
fn WritingPad(ui: Ui) -> impl IntoView {
    let pad = NodeRef::<leptos::html::Canvas>::new();
    let preview = NodeRef::<leptos::html::Canvas>::new();
    let last = StoredValue::new(None::<(f64, f64)>);
    let at = move |ev: &PointerEvent| -> Option<(f64, f64)> {
        let c = pad.get_untracked()?;
        let r = c.get_bounding_client_rect();
        Some(((ev.client_x() as f64 - r.left()) * c.width() as f64 / r.width(), (ev.client_y() as f64 - r.top()) * c.height() as f64 / r.height()))
    };
    let stroke = move |to: (f64, f64)| {
        let Some(c) = pad.get_untracked() else { return };
        let Some(ctx) = context(&c) else { return };
        let from = last.get_value().unwrap_or(to);
        ctx.set_stroke_style_str("#111");
        ctx.set_line_width(PEN);
        ctx.set_line_cap("round");
        ctx.begin_path();
        ctx.move_to(from.0, from.1);
        ctx.line_to(to.0 + 0.01, to.1);
        ctx.stroke();
        last.set_value(Some(to));
    };
    // The network changes while it trains: what it reads in the drawing follows.
    Effect::new(move |_| {
        ui.frame().track();
        if ui.drawn_digit.with_untracked(Option::is_some) {
            if let Some(c) = pad.get_untracked() {
                classify_pad(ui, &c);
            }
        }
    });
    Effect::new(move |_| {
        if let (Some(c), Some(image)) = (preview.get(), ui.drawn_digit.get()) {
            put_image(&c, &image);
        }
    });
    let probabilities = move || ui.probabilities.get();
    view! {
        <div class="digit-pad-area">
            <div>
                <canvas node_ref=pad data-testid="digit-pad" class="digit-pad" width=PAD height=PAD
                    aria-label="Writing pad: draw a digit with the mouse, a pen or a finger"
                    on:pointerdown=move |ev: PointerEvent| {
                        if let Some(c) = pad.get_untracked() { let _ = c.set_pointer_capture(ev.pointer_id()); }
                        last.set_value(None);
                        if let Some(p) = at(&ev) { stroke(p) }
                    }
                    on:pointermove=move |ev: PointerEvent| if last.get_value().is_some() { if let Some(p) = at(&ev) { stroke(p) } }
                    on:pointerup=move |_| {
                        last.set_value(None);
                        if let Some(c) = pad.get_untracked() { classify_pad(ui, &c) }
                    }></canvas>
                <div class="buttons">
                    <button data-testid="clear-pad" on:click=move |_| {
                        if let Some(c) = pad.get_untracked() {
                            if let Some(ctx) = context(&c) { ctx.clear_rect(0.0, 0.0, c.width() as f64, c.height() as f64) }
                        }
                        ui.drawn_digit.set(None);
                        ui.probabilities.set(None);
                    }>"Clear the pad"</button>
                </div>
            </div>
            <div class="digit-read">
                <p>"As the data set sees it: " <canvas node_ref=preview class="pixels digit" width="8" height="8" data-testid="digit-preview"
                    aria-label="Your digit as an 8×8 image of ink counts, the way the data set was made"></canvas></p>
                <p data-testid="digit-verdict">{move || match probabilities() {
                    Some(p) => {
                        let (d, top) = p.iter().enumerate().fold((0, 0.0f32), |b, (d, &v)| if v > b.1 { (d, v) } else { b });
                        format!("The network reads a {d} ({:.0} % sure).", top * 100.0)
                    }
                    None => "Write a digit on the pad: the network's probabilities appear here as you draw.".into(),
                }}</p>
                <div class="probabilities" data-testid="digit-probabilities" role="group" aria-label="Probability of each digit">
                    {(0..CLASSES).map(|d| view! {
                        <div class="prob-row">
                            <span class="prob-digit">{d}</span>
                            <span class="prob-bar"><span class="prob-fill" style:width=move || format!("{:.1}%", probabilities().and_then(|p| p.get(d).copied()).unwrap_or(0.0) * 100.0)></span></span>
                            <span class="prob-value" data-testid=format!("digit-probability-{d}")>{move || probabilities().and_then(|p| p.get(d).copied()).map(|v| format!("{:.1} %", v * 100.0)).unwrap_or_else(|| "–".into())}</span>
                        </div>
                    }).collect_view()}
                </div>
            </div>
        </div>
    }
}

/// The confusion matrix as a table (row: the true digit, column: what the network read), with
/// each digit's share read right.
#[component]
fn Confusion(ui: Ui) -> impl IntoView {
    let frame = move || ui.run().with_drawn(|f| f.digits.clone());
    view! {
        <div class="confusion-wrap">
        <table class="confusion" data-testid="confusion">
            <caption>{move || if frame().is_some_and(|d| d.held_out) { "Held-out digits: rows are the true digit, columns what the network read" } else { "Training digits: rows are the true digit, columns what the network read" }}</caption>
            <thead><tr><th scope="col">"true \\ read"</th>{(0..CLASSES).map(|d| view! { <th scope="col">{d}</th> }).collect_view()}<th scope="col">"right"</th></tr></thead>
            <tbody>
                {(0..CLASSES).map(|t| view! {
                    <tr>
                        <th scope="row">{t}</th>
                        {(0..CLASSES).map(move |p| {
                            let count = move || frame().map(|d| d.confusion.get(t * CLASSES + p).copied().unwrap_or(0)).unwrap_or(0);
                            let row_total = move || frame().map(|d| d.confusion[t * CLASSES..(t + 1) * CLASSES].iter().sum::<u32>()).unwrap_or(0).max(1);
                            view! {
                                <td class:diagonal=t == p
                                    style:background=move || format!("rgba({}, {:.2})", if t == p { "44, 160, 44" } else { "214, 39, 40" }, count() as f64 / row_total() as f64 * 0.8)>
                                    {count}
                                </td>
                            }
                        }).collect_view()}
                        <td data-testid=format!("class-accuracy-{t}")>{move || ui.run().shown_readout().class_accuracy.get(t).copied().flatten().map(|a| format!("{a:.0} %")).unwrap_or_else(|| "–".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// The most confidently misread digits.
#[component]
fn Mistakes(ui: Ui) -> impl IntoView {
    let mistakes = move || ui.run().with_drawn(|f| f.digits.as_ref().map(|d| d.mistakes.clone()).unwrap_or_default());
    view! {
        <div class="mistakes" data-testid="mistakes">
            {move || {
                let all = mistakes();
                if all.is_empty() {
                    return view! { <p class="hint">"No digit is misread."</p> }.into_any();
                }
                all.into_iter().map(|m| {
                    let canvas = NodeRef::<leptos::html::Canvas>::new();
                    let image = m.image.clone();
                    Effect::new(move |_| if let Some(c) = canvas.get() { put_image(&c, &image) });
                    view! {
                        <figure class="mistake">
                            <canvas node_ref=canvas class="pixels digit" width="8" height="8"
                                aria-label=format!("a {} read as {}", m.truth, m.predicted)></canvas>
                            <figcaption>{format!("{} → {} ({:.0} %)", m.truth, m.predicted, m.confidence * 100.0)}</figcaption>
                        </figure>
                    }
                }).collect_view().into_any()
            }}
        </div>
    }
}

/// One hidden neuron's 64 first-layer synapses, each drawn at the position of the pixel it reads.
fn draw_neuron(canvas: &HtmlCanvasElement, curves: &CurvesFrame, neuron: usize) -> Option<()> {
    const CELL: f64 = 40.0;
    let (n, outputs) = (curves.samples, curves.outputs);
    if curves.inputs != PIXELS || neuron >= outputs || n < 2 {
        return None;
    }
    let value = |i: usize, k: usize| curves.values.get((i * n + k) * outputs + neuron).copied().unwrap_or(0.0);
    let scale = (0..PIXELS).flat_map(|i| (0..n).map(move |k| (i, k))).fold(1e-6f32, |m, (i, k)| m.max(value(i, k).abs()));
    let side = (CELL * 8.0) as u32;
    canvas.set_width(side);
    canvas.set_height(side);
    let ctx = context(canvas)?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, side as f64, side as f64);
    for i in 0..PIXELS {
        let (left, top) = ((i % 8) as f64 * CELL, (i / 8) as f64 * CELL);
        ctx.set_stroke_style_str("#d0d7de");
        ctx.set_line_width(1.0);
        ctx.stroke_rect(left + 0.5, top + 0.5, CELL - 1.0, CELL - 1.0);
        ctx.set_stroke_style_str("#1f6feb");
        ctx.set_line_width(1.5);
        ctx.begin_path();
        for k in 0..n {
            let x = left + 3.0 + (CELL - 6.0) * k as f64 / (n - 1) as f64;
            let y = top + CELL / 2.0 - (value(i, k) / scale) as f64 * (CELL / 2.0 - 3.0);
            if k == 0 { ctx.move_to(x, y) } else { ctx.line_to(x, y) }
        }
        ctx.stroke();
    }
    Some(())
}

#[component]
fn NeuronSynapses(ui: Ui) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let neuron = RwSignal::new(0usize);
    let width = move || ui.run().with_drawn(|f| f.curves.as_ref().map_or(0, |c| c.outputs));
    Effect::new(move |_| {
        let j = neuron.get();
        ui.run().with_drawn(|f| {
            if let (Some(c), Some(curves)) = (canvas.get(), &f.curves) {
                draw_neuron(&c, curves, j.min(curves.outputs.saturating_sub(1)));
            }
        })
    });
    view! {
        <label class="field">
            <span>"Hidden neuron"</span>
            <input type="number" data-testid="neuron" min="0" max={move || width().saturating_sub(1)} step="1" prop:value={move || neuron.get().to_string()}
                on:change={move |ev| if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() { neuron.set(v.min(width().saturating_sub(1))) }} />
        </label>
        <canvas node_ref=canvas data-testid="neuron-synapses" class="neuron-synapses" width="320" height="320"
            aria-label="The chosen hidden neuron's synapses, one small curve per input pixel, laid out as the 8×8 image (x axis: the pixel's ink, from none to full)"></canvas>
    }
}

#[component]
pub fn DigitsStage(ui: Ui) -> impl IntoView {
    let accuracy_plot = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        ui.run().with_drawn(|f| {
            if let Some(c) = accuracy_plot.get() {
                plot::draw_quality(&c, &f.quality_history, "%");
            }
        })
    });
    view! {
        <div class="digits-lab">
            <h3>"Write a digit"</h3>
            <WritingPad ui=ui />
            <h3>"Test accuracy"</h3>
            <canvas node_ref=accuracy_plot data-testid="accuracy-plot" width="760" height="170" aria-label="Test accuracy in % against steps"></canvas>
            <h3>"Confusion matrix"</h3>
            <Confusion ui=ui />
            <h3>"Misread digits"</h3>
            <Mistakes ui=ui />
            <h3>"First-layer synapses"</h3>
            <NeuronSynapses ui=ui />
            <p class="credit">{digits::CREDIT}"."</p>
        </div>
    }
}
