//! Pixel pictures on canvases: RGBA buffers through `ImageData`/`putImageData` (never per-pixel
//! drawing calls), the classification heat-map, and the synapse thumbnails.

use wasm_bindgen::Clamped;
use web_sys::{HtmlCanvasElement, ImageData};

use super::plot::context;

use super::state::{CurvesFrame, FieldFrame};
use playground_config::data::field::Labelled;
use playground_config::data::surface::Valued;

/// Show an RGBA buffer at its own size (the canvas takes that size; CSS scales it on screen).
pub fn put_rgba(canvas: &HtmlCanvasElement, width: usize, height: usize, rgba: &[u8]) -> Option<()> {
    if width == 0 || height == 0 || rgba.len() != width * height * 4 {
        return None;
    }
    // Resizing clears a canvas and costs a reallocation: only when the size changes.
    if canvas.width() != width as u32 || canvas.height() != height as u32 {
        canvas.set_width(width as u32);
        canvas.set_height(height as u32);
    }
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width as u32, height as u32).ok()?;
    context(canvas)?.put_image_data(&data, 0.0, 0.0).ok()
}

/// TF Playground's palette: orange for negative scores (class 0), blue for positive (class 1),
/// white at 0; then one colour per further class.
pub const CLASS_COLOURS: [[u8; 3]; 10] = [
    [245, 147, 34],
    [8, 119, 189],
    [44, 160, 44],
    [148, 103, 189],
    [214, 39, 40],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
];

/// A class's colour as CSS.
pub fn class_css(class: usize) -> String {
    let [r, g, b] = CLASS_COLOURS[class % CLASS_COLOURS.len()];
    format!("rgb({r}, {g}, {b})")
}

/// A `w` × `h` RGBA picture of `values` on a `g` × `g` grid (`k` numbers per node, row by row
/// from y = −1): each pixel interpolates the nodes around it bilinearly (screen row 0 is y = +1,
/// the mathematical orientation) and `colour` turns the `k` numbers into a colour.
fn paint_grid(w: usize, h: usize, g: usize, k: usize, values: &[f32], mut colour: impl FnMut(&[f32]) -> [u8; 3]) -> Vec<u8> {
    let mut rgba = Vec::with_capacity(w * h * 4);
    let mut here = vec![0.0f32; k];
    for py in 0..h {
        let gy = (1.0 - py as f32 / (h - 1) as f32) * (g - 1) as f32;
        let (y0, fy) = ((gy.floor() as usize).min(g - 2), gy - gy.floor().min((g - 2) as f32));
        for px in 0..w {
            let gx = px as f32 / (w - 1) as f32 * (g - 1) as f32;
            let (x0, fx) = ((gx.floor() as usize).min(g - 2), gx - gx.floor().min((g - 2) as f32));
            for (c, v) in here.iter_mut().enumerate() {
                let at = |r: usize, col: usize| values[(r * g + col) * k + c];
                *v = (1.0 - fy) * ((1.0 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1.0 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
            }
            rgba.extend(colour(&here));
            rgba.push(255);
        }
    }
    rgba
}

/// White blended towards `colour` by `t` in [0, 1].
fn tint(colour: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    colour.map(|c| (255.0 + (c as f32 - 255.0) * t) as u8)
}

/// A pixel of the map from the outputs there: a ±1 score in TF Playground's colours, or the
/// winning class's colour, lighter the less sure the network is (white at an even split).
fn map_colour(outputs: &[f32]) -> [u8; 3] {
    match outputs {
        [score] => tint(CLASS_COLOURS[usize::from(*score >= 0.0)], score.abs() * 0.8),
        logits => {
            // The winner's softmax probability is 1 / Σ exp(logit − the largest logit).
            let (winner, max) = logits.iter().enumerate().fold((0, f32::NEG_INFINITY), |best, (c, &v)| if v > best.1 { (c, v) } else { best });
            let top = 1.0 / logits.iter().map(|v| (v - max).exp()).sum::<f32>();
            let even = 1.0 / logits.len() as f32;
            tint(CLASS_COLOURS[winner % CLASS_COLOURS.len()], (top - even) / (1.0 - even) * 0.8)
        }
    }
}

/// Heat-map of the network's outputs (bilinear between grid nodes, y up) with the training points
/// (white rim) and test points (dark rim) on top, coloured by class.
pub fn draw_field(canvas: &HtmlCanvasElement, frame: &FieldFrame, show_test: bool) -> Option<()> {
    let (w, h) = (canvas.width() as usize, canvas.height() as usize);
    let (g, k) = (frame.grid, frame.outputs.max(1));
    if g < 2 || frame.scores.len() != g * g * k || w == 0 {
        return None;
    }
    let rgba = paint_grid(w, h, g, k, &frame.scores, map_colour);
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w as u32, h as u32).ok()?;
    let ctx = context(canvas)?;
    ctx.put_image_data(&data, 0.0, 0.0).ok()?;
    let to_px = |x: f32, y: f32| (((x + 1.0) / 2.0) as f64 * w as f64, ((1.0 - y) / 2.0) as f64 * h as f64);
    let classes = frame.train.iter().chain(&frame.test).map(|p| p.class as usize + 1).max().unwrap_or(0);
    let draw = |points: &[Labelled], rim: &str| {
        for class in 0..classes {
            ctx.set_fill_style_str(&class_css(class));
            ctx.set_stroke_style_str(rim);
            ctx.set_line_width(1.0);
            ctx.begin_path();
            for p in points.iter().filter(|p| p.class as usize == class) {
                let (x, y) = to_px(p.x, p.y);
                ctx.move_to(x + 3.5, y);
                let _ = ctx.arc(x, y, 3.5, 0.0, std::f64::consts::TAU);
            }
            ctx.fill();
            ctx.stroke();
        }
    };
    draw(&frame.train, "#ffffff");
    if show_test {
        draw(&frame.test, "#1f2328");
    }
    Some(())
}

/// Values on a grid (row by row from y = −1) as a heat-map over the canvas, bilinear between
/// nodes, y up: signed values in TF Playground's colours (orange below 0, blue above, white at 0,
/// full colour from ±`scale`), or with `error` the size of an error (white at 0, red at `scale`).
/// NaN (a formula undefined there) is grey. The points are drawn on top in the colour of their
/// value, with a white rim.
pub fn draw_surface(canvas: &HtmlCanvasElement, grid: usize, values: &[f32], scale: f32, points: &[Valued], error: bool) -> Option<()> {
    let (w, h) = (canvas.width() as usize, canvas.height() as usize);
    let g = grid;
    if g < 2 || values.len() != g * g || w == 0 {
        return None;
    }
    let scale = scale.max(1e-6);
    let colour = |v: f32| -> [u8; 3] {
        if v.is_nan() {
            [200, 200, 200]
        } else if error {
            tint([214, 39, 40], v.abs() / scale)
        } else {
            tint(CLASS_COLOURS[usize::from(v >= 0.0)], v.abs() / scale)
        }
    };
    let rgba = paint_grid(w, h, g, 1, values, |v| colour(v[0]));
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w as u32, h as u32).ok()?;
    let ctx = context(canvas)?;
    ctx.put_image_data(&data, 0.0, 0.0).ok()?;
    ctx.set_stroke_style_str("#ffffff");
    ctx.set_line_width(1.0);
    for p in points {
        let (x, y) = (((p.x + 1.0) / 2.0) as f64 * w as f64, ((1.0 - p.y) / 2.0) as f64 * h as f64);
        let [r, g, b] = tint(CLASS_COLOURS[usize::from(p.value >= 0.0)], p.value.abs() / scale);
        ctx.set_fill_style_str(&format!("rgb({r}, {g}, {b})"));
        ctx.begin_path();
        let _ = ctx.arc(x, y, 3.0, 0.0, std::f64::consts::TAU);
        ctx.fill();
        ctx.stroke();
    }
    Some(())
}

/// Cell size of a synapse thumbnail and the label column.
const CELL: (f64, f64) = (58.0, 44.0);
const LABEL_W: f64 = 64.0;
/// Most neurons shown (the first ones).
pub const MAX_THUMB_OUTPUTS: usize = 12;

/// The first layer's synapses, one row per input and one column per neuron (the first
/// `MAX_THUMB_OUTPUTS`), on a common vertical scale so sizes compare; knots as orange ticks.
pub fn draw_curves(canvas: &HtmlCanvasElement, curves: &CurvesFrame) -> Option<()> {
    let shown = curves.outputs.min(MAX_THUMB_OUTPUTS);
    let width = (LABEL_W + CELL.0 * shown as f64).ceil() as u32;
    let height = (CELL.1 * curves.inputs as f64 + 4.0).ceil() as u32;
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    let ctx = context(canvas)?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, width as f64, height as f64);
    let n = curves.samples;
    let value = |i: usize, k: usize, j: usize| curves.values.get((i * n + k) * curves.outputs + j).copied().unwrap_or(0.0);
    let mut scale = 1e-6f32;
    for i in 0..curves.inputs {
        for k in 0..n {
            for j in 0..shown {
                scale = scale.max(value(i, k, j).abs());
            }
        }
    }
    ctx.set_font("12px system-ui, sans-serif");
    for i in 0..curves.inputs {
        let top = 2.0 + CELL.1 * i as f64;
        ctx.set_fill_style_str("#1f2328");
        let _ = ctx.fill_text(curves.input_names.get(i).map_or("in", String::as_str), 4.0, top + CELL.1 / 2.0 + 4.0);
        for j in 0..shown {
            let left = LABEL_W + CELL.0 * j as f64;
            let (cw, ch) = (CELL.0 - 6.0, CELL.1 - 8.0);
            ctx.set_stroke_style_str("#d0d7de");
            ctx.set_line_width(1.0);
            ctx.stroke_rect(left + 0.5, top + 0.5, cw, ch);
            let mid = top + ch / 2.0;
            ctx.set_stroke_style_str("#1f6feb");
            ctx.set_line_width(1.5);
            ctx.begin_path();
            for k in 0..n {
                let x = left + cw * k as f64 / (n - 1).max(1) as f64;
                let y = mid - (value(i, k, j) / scale) as f64 * (ch / 2.0 - 2.0);
                if k == 0 {
                    ctx.move_to(x, y);
                } else {
                    ctx.line_to(x, y);
                }
            }
            ctx.stroke();
            ctx.set_stroke_style_str("rgb(255, 127, 14)");
            ctx.begin_path();
            let (lo, hi) = curves.domain;
            for &knot in curves.knots.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                let x = left + cw * (((knot - lo) / (hi - lo).max(1e-9)) as f64).clamp(0.0, 1.0);
                ctx.move_to(x, top + ch);
                ctx.line_to(x, top + ch - 5.0);
            }
            ctx.stroke();
        }
    }
    Some(())
}
