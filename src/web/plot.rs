//! Plots drawn with plotters-canvas: the fit (data, target, prediction, knots) and the loss curve.
//!
//! plotters maps coordinates and draws the line series (about 1 ms each). Axes, tick labels, point
//! clouds and knot ticks are drawn straight on the 2-D context, one path per series: measured in
//! headless Chromium, plotters-canvas spends ~0.9 ms per point marker (140 training points =
//! 122 ms) and its labels measure every string by appending a `<span>` to the page (a forced
//! layout per label). Together that froze the page for ~200 ms a frame while training.

use plotters::coord::types::RangedCoordf32;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::state::Frame;
use crate::ticks::labelled_ticks;

const TRAIN: &str = "rgba(120, 120, 120, 0.55)";
/// The user's own training points (draggable handles) and the one being dragged.
const HANDLE: &str = "rgba(87, 96, 106, 0.9)";
const DRAGGED: &str = "rgba(255, 127, 14, 0.9)";
const TEST: &str = "rgb(214, 39, 40)";
const TEST_LINE: RGBColor = RGBColor(214, 39, 40);
const KNOT: &str = "rgb(255, 127, 14)";
const CLEAN: RGBColor = RGBColor(44, 160, 44);
const PREDICTION: RGBColor = RGBColor(31, 119, 180);
const AXIS: &str = "#57606a";
const MARKER: &str = "rgba(36, 41, 47, 0.75)";
const BREAKPOINT: &str = "rgba(31, 119, 180, 0.9)";

/// One colour per run of a comparison (none of them the data's grey, the target's green, the test
/// red or the knots' orange); the first run keeps the single-run blue.
pub const RUN_COLOURS: [RGBColor; 5] =
    [RGBColor(31, 119, 180), RGBColor(148, 103, 189), RGBColor(140, 86, 75), RGBColor(227, 119, 194), RGBColor(23, 190, 207)];

/// A run's colour as CSS.
pub fn run_css(index: usize) -> String {
    let RGBColor(r, g, b) = RUN_COLOURS[index % RUN_COLOURS.len()];
    format!("rgb({r}, {g}, {b})")
}

/// A curve of one run on a plot.
pub struct RunCurve<'a> {
    pub points: &'a [(f32, f32)],
    pub colour: RGBColor,
    /// The edited run is drawn thicker.
    pub thick: bool,
}

/// Margins of the plotting area in pixels: left, right, top, bottom.
const MARGIN: (u32, u32, u32, u32) = (58, 14, 12, 30);

/// The 2-D drawing context of a canvas (shared by every drawing module).
pub(super) fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()
}

/// "Nice" tick positions (1, 2 or 5 × 10^k apart) covering [lo, hi].
/// Ticks of a step axis (whole steps only) at the pixel positions `x_of` gives.
fn step_ticks(last_step: u64, x_of: impl Fn(u64) -> f64) -> Vec<(f64, String)> {
    labelled_ticks(0.0, last_step as f64, 6).into_iter().filter(|(v, _)| v.fract() == 0.0).map(|(v, l)| (x_of(v as u64), l)).collect()
}

/// Frame, ticks and labels, given pixel positions of the ticks.
fn axes(ctx: &CanvasRenderingContext2d, k: f64, w: f64, h: f64, xs: &[(f64, String)], ys: &[(f64, String)], x_title: &str) {
    let (l, r, t, b) = (MARGIN.0 as f64 * k, MARGIN.1 as f64 * k, MARGIN.2 as f64 * k, MARGIN.3 as f64 * k);
    ctx.set_stroke_style_str(AXIS);
    ctx.set_fill_style_str(AXIS);
    ctx.set_line_width(k);
    ctx.begin_path();
    ctx.move_to(l, t);
    ctx.line_to(l, h - b);
    ctx.line_to(w - r, h - b);
    for (px, _) in xs {
        ctx.move_to(*px, h - b);
        ctx.line_to(*px, h - b + 4.0 * k);
    }
    for (py, _) in ys {
        ctx.move_to(l - 4.0 * k, *py);
        ctx.line_to(l, *py);
    }
    ctx.stroke();
    ctx.set_font(&format!("{}px sans-serif", (12.0 * k).round()));
    ctx.set_text_align("center");
    ctx.set_text_baseline("top");
    for (px, text) in xs {
        let _ = ctx.fill_text(text, *px, h - b + 6.0 * k);
    }
    if !x_title.is_empty() {
        ctx.set_text_align("right");
        let _ = ctx.fill_text(x_title, l - 7.0 * k, h - b + 6.0 * k);
    }
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    for (py, text) in ys {
        let _ = ctx.fill_text(text, l - 7.0 * k, *py);
    }
}

/// Filled dots of radius `r` at pixel positions, as a single path.
fn dots(ctx: &CanvasRenderingContext2d, points: impl Iterator<Item = (i32, i32)>, colour: &str, r: f64) {
    ctx.set_fill_style_str(colour);
    ctx.begin_path();
    for (x, y) in points {
        ctx.move_to(x as f64 + r, y as f64);
        let _ = ctx.arc(x as f64, y as f64, r, 0.0, std::f64::consts::TAU);
    }
    ctx.fill();
}

/// Give the canvas the pixels of the width it is shown at (at most its designed width, the height
/// in proportion) times the screen's pixel ratio, and return that ratio: every length of the
/// drawing is multiplied by it. So on a phone the labels keep their size instead of shrinking with
/// a scaled-down 760-pixel drawing, and on a high-density screen lines and text stay sharp. The
/// designed size is remembered in `data-w`/`data-h`.
fn fit_to_width(canvas: &HtmlCanvasElement) -> f64 {
    let ratio = pixel_ratio();
    let designed = |name: &str, now: u32| {
        canvas.get_attribute(name).and_then(|v| v.parse::<u32>().ok()).unwrap_or_else(|| {
            let _ = canvas.set_attribute(name, &now.to_string());
            now
        })
    };
    let (w0, h0) = (designed("data-w", canvas.width()), designed("data-h", canvas.height()));
    let shown = canvas.client_width().max(0) as u32;
    // The stylesheet caps the shown width at the designed one, except in presenter mode.
    let css_w = if shown >= 200 { shown.min(2 * w0) } else { w0 };
    let css_h = (h0 as f64 * (css_w as f64 / w0.max(1) as f64).clamp(0.6, 2.0)).round();
    let (w, h) = ((css_w as f64 * ratio).round() as u32, (css_h * ratio).round() as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    ratio
}

/// Device pixels per CSS pixel of the drawings (the screen's, within [1, 3]).
fn pixel_ratio() -> f64 {
    web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).clamp(1.0, 3.0)
}

/// The canvas fitted to its width, its plotting area inside the margins, and the pixel ratio.
fn plotting_area(canvas: &HtmlCanvasElement) -> Option<(DrawingArea<CanvasBackend, plotters::coord::Shift>, f64)> {
    let k = fit_to_width(canvas);
    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let m = |v: u32| (v as f64 * k).round() as u32;
    Some((root.margin(m(MARGIN.2), m(MARGIN.3), m(MARGIN.0), m(MARGIN.1)), k))
}

/// A line width of `px` CSS pixels in plotters' whole device pixels.
fn px(k: f64, px: f64) -> u32 {
    (px * k).round().max(1.0) as u32
}

fn y_bounds(frame: &Frame) -> (f32, f32) {
    if let Some(fixed) = frame.y_range {
        return fixed;
    }
    let ys = frame.train.iter().chain(&frame.test).chain(&frame.clean).map(|p| p.1);
    let (lo, hi) = ys.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), y| (lo.min(y), hi.max(y)));
    if !lo.is_finite() || !hi.is_finite() {
        return (-1.0, 1.0);
    }
    let pad = ((hi - lo) * 0.15).max(0.05);
    (lo - pad, hi + pad)
}

/// The user's own points on the plot: drawn as handles, and the one being dragged.
pub struct Handles {
    /// (from, to) of a point being dragged; `to` is `None` when it would be dropped off the plot.
    pub dragged: Option<((f32, f32), Option<(f32, f32)>)>,
}

/// The data ranges of the fit plot: x is the data set's, y fixed by it or fitted to the data.
fn fit_ranges(frame: &Frame) -> Option<((f32, f32), (f32, f32))> {
    let (x0, x1) = frame.x_range;
    (x1 > x0).then(|| ((x0, x1), y_bounds(frame)))
}

/// The plotting area of the fit plot in device pixels (left, top, right, bottom) and the data
/// ranges it spans, as `draw_fit` lays them out.
fn fit_geometry(canvas: &HtmlCanvasElement, frame: &Frame) -> Option<([f64; 4], (f32, f32), (f32, f32))> {
    let (xs, ys) = fit_ranges(frame)?;
    let k = pixel_ratio();
    let m = |v: u32| (v as f64 * k).round();
    let rect = [m(MARGIN.0), m(MARGIN.2), canvas.width() as f64 - m(MARGIN.1) - 1.0, canvas.height() as f64 - m(MARGIN.3) - 1.0];
    Some((rect, xs, ys))
}

/// The data point under a pointer at client coordinates, with the spans of both axes (for
/// snapping), or `None` outside the plotting area.
pub fn fit_point_at(canvas: &HtmlCanvasElement, frame: &Frame, client_x: f64, client_y: f64) -> Option<((f32, f32), (f32, f32))> {
    let (rect, (x0, x1), (y0, y1)) = fit_geometry(canvas, frame)?;
    let shown = canvas.get_bounding_client_rect();
    if shown.width() <= 0.0 || shown.height() <= 0.0 {
        return None;
    }
    let px = (client_x - shown.left()) * canvas.width() as f64 / shown.width();
    let py = (client_y - shown.top()) * canvas.height() as f64 / shown.height();
    let u = (px - rect[0]) / (rect[2] - rect[0]);
    let v = (py - rect[1]) / (rect[3] - rect[1]);
    if !(0.0..=1.0).contains(&u) || !(0.0..=1.0).contains(&v) {
        return None;
    }
    let x = x0 as f64 + u * (x1 - x0) as f64;
    let y = y1 as f64 - v * (y1 - y0) as f64;
    Some(((x as f32, y as f32), (x1 - x0, y1 - y0)))
}

/// Where a data point is drawn, in client coordinates (to find the point under a pointer).
pub fn fit_client_xy(canvas: &HtmlCanvasElement, frame: &Frame, (x, y): (f32, f32)) -> Option<(f64, f64)> {
    let (rect, (x0, x1), (y0, y1)) = fit_geometry(canvas, frame)?;
    let shown = canvas.get_bounding_client_rect();
    let px = rect[0] + (x - x0) as f64 / (x1 - x0) as f64 * (rect[2] - rect[0]);
    let py = rect[1] + (y1 - y) as f64 / (y1 - y0) as f64 * (rect[3] - rect[1]);
    Some((shown.left() + px * shown.width() / canvas.width().max(1) as f64, shown.top() + py * shown.height() / canvas.height().max(1) as f64))
}

/// The data, the clean target, each run's prediction, the edited run's knots as ticks at the
/// bottom and its exact breakpoints (x positions) as dots on its curve; the user's own points
/// as handles when `handles` is given.
pub fn draw_fit(canvas: &HtmlCanvasElement, frame: &Frame, runs: &[RunCurve], breakpoints: &[(f64, f64)], handles: Option<&Handles>) -> Option<()> {
    let (area, k) = plotting_area(canvas)?;
    let Some(((x0, x1), (y0, y1))) = fit_ranges(frame) else { return Some(()) };
    let mut chart: ChartContext<_, Cartesian2d<RangedCoordf32, RangedCoordf32>> =
        ChartBuilder::on(&area).build_cartesian_2d(x0..x1, y0..y1).ok()?;
    chart.draw_series(LineSeries::new(frame.clean.iter().copied(), CLEAN.mix(0.5).stroke_width(px(k, 1.0)))).ok()?;
    for run in runs {
        let pred = run.points.iter().copied().filter(|p| p.1.is_finite()).map(|(x, y)| (x, y.clamp(y0, y1)));
        chart.draw_series(LineSeries::new(pred, run.colour.stroke_width(px(k, if run.thick { 3.0 } else { 2.0 })))).ok()?;
    }
    area.present().ok()?;
    let ctx = context(canvas)?;
    ctx.set_stroke_style_str(BREAKPOINT);
    ctx.set_fill_style_str("white");
    ctx.set_line_width(1.5 * k);
    for &(x, y) in breakpoints {
        let (bx, by) = chart.backend_coord(&(x as f32, (y as f32).clamp(y0, y1)));
        ctx.begin_path();
        let _ = ctx.arc(bx as f64, by as f64, 3.5 * k, 0.0, std::f64::consts::TAU);
        ctx.fill();
        ctx.stroke();
    }
    match handles {
        Some(h) => {
            // Large enough to grab with a finger; the dragged one shown where it would land.
            dots(&ctx, frame.train.iter().map(|p| chart.backend_coord(p)), HANDLE, 5.0 * k);
            dots(&ctx, frame.test.iter().map(|p| chart.backend_coord(p)), TEST, 5.0 * k);
            if let Some((from, to)) = h.dragged {
                dots(&ctx, std::iter::once(chart.backend_coord(&from)), "white", 4.0 * k);
                if let Some(to) = to {
                    dots(&ctx, std::iter::once(chart.backend_coord(&to)), DRAGGED, 6.0 * k);
                }
            }
        }
        None => {
            dots(&ctx, frame.train.iter().map(|p| chart.backend_coord(p)), TRAIN, 2.0 * k);
            dots(&ctx, frame.test.iter().map(|p| chart.backend_coord(p)), TEST, 2.0 * k);
        }
    }
    ctx.set_stroke_style_str(KNOT);
    ctx.set_line_width(2.0 * k);
    ctx.begin_path();
    for &knot in &frame.knots {
        let (x, y) = chart.backend_coord(&(knot, y0));
        ctx.move_to(x as f64, y as f64);
        ctx.line_to(x as f64, y as f64 - 12.0 * k);
    }
    ctx.stroke();
    let at = |x: f64, y: f64| chart.backend_coord(&(x as f32, y as f32));
    let xs: Vec<(f64, String)> = labelled_ticks(x0 as f64, x1 as f64, 6).into_iter().map(|(v, l)| (at(v, y0 as f64).0 as f64, l)).collect();
    let ys: Vec<(f64, String)> = labelled_ticks(y0 as f64, y1 as f64, 5).into_iter().map(|(v, l)| (at(x0 as f64, v).1 as f64, l)).collect();
    axes(&ctx, k, canvas.width() as f64, canvas.height() as f64, &xs, &ys, "");
    expose_geometry(canvas, frame);
    Some(())
}

/// The plotting area (in the canvas's own pixels: left top right bottom) and the data ranges it
/// spans, on the canvas's `data-area`, `data-x-range` and `data-y-range`: scripts and tests place
/// points by data coordinates with them.
fn expose_geometry(canvas: &HtmlCanvasElement, frame: &Frame) {
    let Some((rect, (x0, x1), (y0, y1))) = fit_geometry(canvas, frame) else { return };
    let area: Vec<String> = rect.iter().map(|v| v.to_string()).collect();
    let _ = canvas.set_attribute("data-area", &area.join(" "));
    let _ = canvas.set_attribute("data-x-range", &format!("{x0} {x1}"));
    let _ = canvas.set_attribute("data-y-range", &format!("{y0} {y1}"));
}

/// Training and test loss of every run against steps, on a log axis, and a marker at the step
/// the timeline shows. One run: training blue, test red; several: a colour per run, training
/// thick and test thin.
pub fn draw_loss(canvas: &HtmlCanvasElement, runs: &[(&Frame, RGBColor)], marker: Option<u64>) -> Option<()> {
    let (area, k) = plotting_area(canvas)?;
    let all = runs.iter().flat_map(|(f, _)| f.loss_history.iter().chain(&f.test_history));
    let positive: Vec<f32> = all.clone().map(|p| p.1).filter(|v| v.is_finite() && *v > 0.0).collect();
    let last_step = all.map(|p| p.0).max().unwrap_or(0).max(1);
    let lo = positive.iter().cloned().fold(f32::INFINITY, f32::min);
    let hi = positive.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    // Whole decades, so the axis only moves when the loss crosses one.
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (10f32.powf(lo.log10().floor()), 10f32.powf(hi.log10().ceil()))
    } else {
        (1e-4, 1.0)
    };
    let mut chart = ChartBuilder::on(&area).build_cartesian_2d(0u64..last_step, (lo..hi).log_scale()).ok()?;
    let keep = |p: &&(u64, f32)| p.1.is_finite() && p.1 > 0.0;
    let single = runs.len() == 1;
    for (frame, colour) in runs {
        let (train, test) = if single { (PREDICTION.stroke_width(px(k, 2.0)), TEST_LINE.stroke_width(px(k, 2.0))) } else { (colour.stroke_width(px(k, 2.0)), colour.mix(0.6).stroke_width(px(k, 1.0))) };
        chart.draw_series(LineSeries::new(frame.loss_history.iter().filter(keep).copied(), train)).ok()?;
        chart.draw_series(LineSeries::new(frame.test_history.iter().filter(keep).copied(), test)).ok()?;
    }
    area.present().ok()?;
    let ctx = context(canvas)?;
    if let Some(step) = marker {
        let (x, top) = chart.backend_coord(&(step, hi));
        let (_, bottom) = chart.backend_coord(&(step, lo));
        ctx.set_stroke_style_str(MARKER);
        ctx.set_line_width(1.5 * k);
        ctx.begin_path();
        ctx.move_to(x as f64, top as f64);
        ctx.line_to(x as f64, bottom as f64);
        ctx.stroke();
    }
    let xs = step_ticks(last_step, |v| chart.backend_coord(&(v, lo)).0 as f64);
    let (d0, d1) = (lo.log10().round() as i32, hi.log10().round() as i32);
    let every = ((d1 - d0) / 5).max(1);
    let ys: Vec<(f64, String)> = (d0..=d1)
        .step_by(every as usize)
        .map(|d| (chart.backend_coord(&(0u64, 10f32.powi(d))).1 as f64, format!("1e{d}")))
        .collect();
    axes(&ctx, k, canvas.width() as f64, canvas.height() as f64, &xs, &ys, "step");
    Some(())
}

/// A quality number (PSNR in dB, accuracy in %) against steps, on a linear axis.
pub fn draw_quality(canvas: &HtmlCanvasElement, history: &[(u64, f64)], unit: &str) -> Option<()> {
    let (area, k) = plotting_area(canvas)?;
    let last_step = history.iter().map(|p| p.0).max().unwrap_or(0).max(1);
    let finite = history.iter().map(|p| p.1).filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if lo.is_finite() && hi > lo { (lo.floor(), hi.ceil()) } else if lo.is_finite() { (lo - 1.0, lo + 1.0) } else { (0.0, 1.0) };
    let mut chart = ChartBuilder::on(&area).build_cartesian_2d(0u64..last_step, lo..hi).ok()?;
    chart.draw_series(LineSeries::new(history.iter().copied().filter(|p| p.1.is_finite()), PREDICTION.stroke_width(px(k, 2.0)))).ok()?;
    area.present().ok()?;
    let ctx = context(canvas)?;
    let xs = step_ticks(last_step, |v| chart.backend_coord(&(v, lo)).0 as f64);
    let ys: Vec<(f64, String)> =
        labelled_ticks(lo, hi, 4).into_iter().map(|(v, l)| (chart.backend_coord(&(0u64, v)).1 as f64, format!("{l} {unit}"))).collect();
    axes(&ctx, k, canvas.width() as f64, canvas.height() as f64, &xs, &ys, "step");
    Some(())
}
