//! The network diagram: nodes in columns, one link per synapse. Classic linear synapses are
//! coloured by sign (blue positive, orange negative) and sized by magnitude; piecewise synapses
//! carry a small drawing of their function. Click a link to see its function large, with knots.

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use super::plot::context;
use super::state::{CurvesFrame, Ui};

const W: f64 = 760.0;
const MARGIN: f64 = 30.0;
/// Most nodes drawn per column (the rest are summarised by "+N").
const MAX_NODES: usize = 16;
/// Above this many links per layer, piecewise links are drawn as lines without glyphs.
const MAX_GLYPHS: usize = 48;

/// Which synapse is selected: (layer, input, output).
type Pick = (usize, usize, usize);

struct Layout {
    columns: Vec<usize>,
    height: f64,
}

impl Layout {
    fn new(diagram: &[CurvesFrame]) -> Layout {
        let mut columns: Vec<usize> = diagram.iter().map(|c| c.inputs.min(MAX_NODES)).collect();
        columns.push(diagram.last().map_or(0, |c| c.outputs.min(MAX_NODES)));
        let tallest = columns.iter().copied().max().unwrap_or(1).max(1);
        Layout { columns, height: (tallest as f64 * 26.0 + 2.0 * MARGIN).clamp(120.0, 480.0) }
    }

    fn node(&self, column: usize, i: usize) -> (f64, f64) {
        let n = self.columns[column].max(1);
        let x = MARGIN + (W - 2.0 * MARGIN) * column as f64 / (self.columns.len() - 1).max(1) as f64;
        let step = ((self.height - 2.0 * MARGIN) / n as f64).min(40.0);
        let top = self.height / 2.0 - step * (n as f64 - 1.0) / 2.0;
        (x, top + step * i as f64)
    }

    fn midpoint(&self, (l, i, j): Pick) -> (f64, f64) {
        let (a, b) = (self.node(l, i), self.node(l + 1, j));
        // Glyphs sit a third of the way along, so links into one node do not pile up at its middle.
        (a.0 + (b.0 - a.0) * 0.4, a.1 + (b.1 - a.1) * 0.4)
    }
}

fn curve(c: &CurvesFrame, i: usize, j: usize) -> Vec<f32> {
    (0..c.samples).map(|k| c.values.get((i * c.samples + k) * c.outputs + j).copied().unwrap_or(0.0)).collect()
}

fn draw(canvas: &HtmlCanvasElement, diagram: &[CurvesFrame], picked: Option<Pick>) -> Option<()> {
    if diagram.is_empty() {
        return None;
    }
    let layout = Layout::new(diagram);
    // Laid out in 760 units; the canvas gets the pixels of the width it is shown at times the
    // screen's pixel ratio, and the drawing is scaled to them (sharp on any screen).
    let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).clamp(1.0, 3.0);
    let shown = match canvas.client_width() {
        w if w > 0 => w as f64,
        _ => W,
    };
    let k = shown * ratio / W;
    let (bw, bh) = ((W * k).round() as u32, (layout.height * k).round() as u32);
    if canvas.width() != bw || canvas.height() != bh {
        canvas.set_width(bw);
        canvas.set_height(bh);
    }
    let g = context(canvas)?;
    let _ = g.set_transform(k, 0.0, 0.0, k, 0.0, 0.0);
    g.set_fill_style_str("#ffffff");
    g.fill_rect(0.0, 0.0, W, layout.height);
    for (l, c) in diagram.iter().enumerate() {
        let amax = c.values.iter().fold(1e-9f32, |m, v| m.max(v.abs()));
        let glyphs = !c.linear && c.inputs.min(MAX_NODES) * c.outputs.min(MAX_NODES) <= MAX_GLYPHS;
        for i in 0..c.inputs.min(MAX_NODES) {
            for j in 0..c.outputs.min(MAX_NODES) {
                let f = curve(c, i, j);
                let (a, b) = (layout.node(l, i), layout.node(l + 1, j));
                let size = f.iter().fold(0.0f32, |m, v| m.max(v.abs())) / amax;
                let rising = f.last().copied().unwrap_or(0.0) >= f.first().copied().unwrap_or(0.0);
                g.set_stroke_style_str(if c.linear { if rising { "#0877bd" } else { "#f59322" } } else { "#8c959f" });
                g.set_line_width(if c.linear { 0.5 + 4.0 * size as f64 } else { 1.0 });
                if picked == Some((l, i, j)) {
                    g.set_stroke_style_str("#d1242f");
                    g.set_line_width(3.0);
                }
                g.begin_path();
                g.move_to(a.0, a.1);
                g.line_to(b.0, b.1);
                g.stroke();
                if glyphs {
                    let (mx, my) = layout.midpoint((l, i, j));
                    let (gw, gh) = (26.0, 14.0);
                    g.set_fill_style_str("#ffffff");
                    g.fill_rect(mx - gw / 2.0, my - gh / 2.0, gw, gh);
                    g.set_stroke_style_str("#1f6feb");
                    g.set_line_width(1.3);
                    g.begin_path();
                    for (k, v) in f.iter().enumerate() {
                        let x = mx - gw / 2.0 + gw * k as f64 / (f.len() - 1).max(1) as f64;
                        let y = my - (v / amax) as f64 * (gh / 2.0 - 1.0);
                        if k == 0 { g.move_to(x, y) } else { g.line_to(x, y) }
                    }
                    g.stroke();
                }
            }
        }
    }
    // The drawing is 760 units wide whatever width it is shown at: on a phone its labels grow so
    // that they still read at 11 px.
    let shrink = (W / canvas.client_width().max(1) as f64).clamp(1.0, 3.0);
    g.set_font(&format!("{}px system-ui, sans-serif", (11.0 * shrink).round()));
    for (column, &n) in layout.columns.iter().enumerate() {
        let total = if column < diagram.len() { diagram[column].inputs } else { diagram[column - 1].outputs };
        for i in 0..n {
            let (x, y) = layout.node(column, i);
            g.set_fill_style_str("#1f2328");
            g.begin_path();
            let _ = g.arc(x, y, 5.0, 0.0, std::f64::consts::TAU);
            g.fill();
        }
        if total > n {
            let (x, y) = layout.node(column, n - 1);
            let _ = g.fill_text(&format!("+{}", total - n), x - 10.0, y + 18.0);
        }
    }
    Some(())
}

/// The picked synapse's function over its domain, with axes labels and knots.
fn draw_large(canvas: &HtmlCanvasElement, c: &CurvesFrame, (_, i, j): Pick) -> Option<()> {
    let g = context(canvas)?;
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    g.set_fill_style_str("#ffffff");
    g.fill_rect(0.0, 0.0, w, h);
    let f = curve(c, i, j);
    let (lo, hi) = f.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    let pad = ((hi - lo) * 0.1).max(1e-6);
    let (lo, hi) = (lo - pad, hi + pad);
    let px = |k: usize| 40.0 + (w - 60.0) * k as f64 / (f.len() - 1).max(1) as f64;
    let py = |v: f32| 10.0 + (h - 40.0) * ((hi - v) / (hi - lo)) as f64;
    g.set_stroke_style_str("#d0d7de");
    g.stroke_rect(40.0, 10.0, w - 60.0, h - 40.0);
    g.set_stroke_style_str("#1f6feb");
    g.set_line_width(2.5);
    g.begin_path();
    for (k, v) in f.iter().enumerate() {
        if k == 0 { g.move_to(px(k), py(*v)) } else { g.line_to(px(k), py(*v)) }
    }
    g.stroke();
    let (d0, d1) = c.domain;
    g.set_stroke_style_str("rgb(255, 127, 14)");
    g.set_line_width(2.0);
    g.begin_path();
    for &k in c.knots.get(i).map(Vec::as_slice).unwrap_or(&[]) {
        let x = 40.0 + (w - 60.0) * (((k - d0) / (d1 - d0).max(1e-9)) as f64).clamp(0.0, 1.0);
        g.move_to(x, h - 30.0);
        g.line_to(x, h - 40.0);
    }
    g.stroke();
    g.set_fill_style_str("#57606a");
    g.set_font("12px system-ui, sans-serif");
    let _ = g.fill_text(&format!("{d0:.2}"), 36.0, h - 12.0);
    let _ = g.fill_text(&format!("{d1:.2}"), w - 44.0, h - 12.0);
    Some(())
}

#[component]
pub fn NetworkDiagram(ui: Ui) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let large = NodeRef::<leptos::html::Canvas>::new();
    let picked = RwSignal::new(None::<Pick>);
    Effect::new(move |_| {
        let p = picked.get();
        ui.frame().with(|f| {
            if let Some(c) = canvas.get() {
                draw(&c, &f.diagram, p);
            }
            if let (Some(c), Some(pick)) = (large.get(), p) {
                if let Some(layer) = f.diagram.get(pick.0) {
                    draw_large(&c, layer, pick);
                }
            }
        })
    });
    // A new network shape invalidates the pick.
    Effect::new(move |_| {
        ui.exp().track();
        picked.set(None);
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(c) = canvas.get() else { return };
        let scale = W / c.client_width().max(1) as f64;
        let (x, y) = (ev.offset_x() as f64 * scale, ev.offset_y() as f64 * scale);
        let best = ui.frame().with_untracked(|f| {
            let layout = Layout::new(&f.diagram);
            let mut best: Option<(f64, Pick)> = None;
            for (l, c) in f.diagram.iter().enumerate() {
                for i in 0..c.inputs.min(MAX_NODES) {
                    for j in 0..c.outputs.min(MAX_NODES) {
                        let (mx, my) = layout.midpoint((l, i, j));
                        let d = (mx - x).hypot(my - y);
                        // A finger-sized target: 22 CSS pixels around a synapse's midpoint.
                        if d < 22.0 * scale.max(1.0) && best.is_none_or(|(bd, _)| d < bd) {
                            best = Some((d, (l, i, j)));
                        }
                    }
                }
            }
            best.map(|(_, p)| p)
        });
        picked.set(best);
    };
    // Where each drawn synapse's glyph is, in the drawing's units ("layer,input,output,x,y;…";
    // `data-layout-width` units across, whatever width the canvas is shown at): what the page
    // itself uses to hit-test clicks, published for tests and assistive scripts.
    let midpoints = move || {
        ui.frame().with(|f| {
            let layout = Layout::new(&f.diagram);
            let mut out = Vec::new();
            for (l, c) in f.diagram.iter().enumerate() {
                for i in 0..c.inputs.min(MAX_NODES) {
                    for j in 0..c.outputs.min(MAX_NODES) {
                        let (x, y) = layout.midpoint((l, i, j));
                        out.push(format!("{l},{i},{j},{x:.1},{y:.1}"));
                    }
                }
            }
            out.join(";")
        })
    };
    let caption = move || {
        picked.get().map(|(l, i, j)| format!("Layer {}: input {} → neuron {} (relative to its value at the middle of the interval)", l + 1, i + 1, j + 1))
    };
    view! {
        <canvas node_ref=canvas data-testid="diagram" width="760" height="160" class="diagram" on:click=on_click
            data-synapse-midpoints=midpoints data-layout-width=W
            aria-label="The network: nodes in columns, one link per synapse; click a link to see its function"></canvas>
        <Show when=move || picked.get().is_some()>
            <p class="hint" data-testid="synapse-caption">{caption}</p>
            <canvas node_ref=large data-testid="synapse-large" width="560" height="220" aria-label="The selected synapse's function; orange ticks are knots"></canvas>
        </Show>
        <Show when=move || ui.frame().with(|f| f.diagram.is_empty())>
            <p class="hint">"The network is too large to draw synapse by synapse."</p>
        </Show>
    }
}
