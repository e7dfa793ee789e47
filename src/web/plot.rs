//! Plots drawn with plotters-canvas: the fit (data, target, prediction, knots) and the loss curve.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::state::Frame;

const TRAIN: RGBColor = RGBColor(120, 120, 120);
const TEST: RGBColor = RGBColor(214, 39, 40);
const CLEAN: RGBColor = RGBColor(44, 160, 44);
const PREDICTION: RGBColor = RGBColor(31, 119, 180);
const KNOT: RGBColor = RGBColor(255, 127, 14);

fn y_bounds(frame: &Frame) -> (f32, f32) {
    let ys = frame.train.iter().chain(&frame.test).chain(&frame.clean).map(|p| p.1);
    let (lo, hi) = ys.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), y| (lo.min(y), hi.max(y)));
    if !lo.is_finite() || !hi.is_finite() {
        return (-1.0, 1.0);
    }
    let pad = ((hi - lo) * 0.15).max(0.05);
    (lo - pad, hi + pad)
}

/// The data, the clean target, the network's prediction, and the knots as ticks at the bottom.
pub fn draw_fit(canvas: &HtmlCanvasElement, frame: &Frame) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let (x0, x1) = frame.x_range;
    if x1 <= x0 {
        return Some(());
    }
    let (y0, y1) = y_bounds(frame);
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(x0..x1, y0..y1)
        .ok()?;
    chart.configure_mesh().light_line_style(WHITE.mix(0.0)).label_style(("sans-serif", 13)).draw().ok()?;
    chart.draw_series(frame.train.iter().map(|&p| Circle::new(p, 2, TRAIN.mix(0.55).filled()))).ok()?;
    chart.draw_series(frame.test.iter().map(|&p| Circle::new(p, 2, TEST.filled()))).ok()?;
    chart.draw_series(LineSeries::new(frame.clean.iter().copied(), CLEAN.mix(0.5).stroke_width(1))).ok()?;
    let pred = frame.prediction.iter().copied().filter(|p| p.1.is_finite()).map(|(x, y)| (x, y.clamp(y0, y1)));
    chart.draw_series(LineSeries::new(pred, PREDICTION.stroke_width(3))).ok()?;
    let tick = (y1 - y0) * 0.05;
    chart
        .draw_series(frame.knots.iter().map(|&k| PathElement::new(vec![(k, y0), (k, y0 + tick)], KNOT.stroke_width(2))))
        .ok()?;
    root.present().ok()
}

/// Training and test loss against steps, on a log axis.
pub fn draw_loss(canvas: &HtmlCanvasElement, frame: &Frame) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let all = frame.loss_history.iter().chain(&frame.test_history);
    let positive: Vec<f32> = all.clone().map(|p| p.1).filter(|v| v.is_finite() && *v > 0.0).collect();
    let last_step = all.map(|p| p.0).max().unwrap_or(0).max(1);
    let lo = positive.iter().cloned().fold(f32::INFINITY, f32::min);
    let hi = positive.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let (lo, hi) = if lo.is_finite() && hi > lo { (lo * 0.8, hi * 1.25) } else { (1e-4, 1.0) };
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .x_label_area_size(26)
        .y_label_area_size(56)
        .build_cartesian_2d(0u64..last_step, (lo..hi).log_scale())
        .ok()?;
    chart
        .configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .label_style(("sans-serif", 12))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .x_desc("step")
        .draw()
        .ok()?;
    let keep = |p: &&(u64, f32)| p.1.is_finite() && p.1 > 0.0;
    chart.draw_series(LineSeries::new(frame.loss_history.iter().filter(keep).copied(), PREDICTION.stroke_width(2))).ok()?;
    chart.draw_series(LineSeries::new(frame.test_history.iter().filter(keep).copied(), TEST.stroke_width(2))).ok()?;
    root.present().ok()
}
