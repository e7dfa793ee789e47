//! Drawing the user's own points on the 1-D plot, with a mouse, a pen or a finger: a click (or
//! tap) adds a point, dragging a point moves it, dragging it off the plot, a right click or a
//! Shift-click deletes it. Clicking on the plot of a built-in target starts a set of your own
//! points there. Every edit is an ordinary change of the experiment (a new history entry, so
//! Back undoes it); training that was running goes on with the new data.

use leptos::prelude::*;
use web_sys::{HtmlCanvasElement, PointerEvent};

use super::state::{Frame, Ui};
use super::{controls, engine, plot};
use playground_config::data::points::snap;
use playground_config::data::UserPoints;
use playground_config::experiment::{Experiment, Kind};

/// How near (CSS pixels) a pointer must be to a point to grab it.
const GRAB_RADIUS: f64 = 12.0;
/// How far (CSS pixels) a pointer may move and still count as a click.
const CLICK_SLOP: f64 = 5.0;

/// A press on the plot, until it is released.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Press {
    /// Where it started, in client coordinates.
    start: (f64, f64),
    /// The point under it when it started (index into the user's points) and where that point is.
    grabbed: Option<(usize, (f32, f32))>,
    /// Where a grabbed point would land now (`None`: off the plot, it would be deleted).
    to: Option<(f32, f32)>,
    moved: bool,
}

/// What the plot should show of a press: the grabbed point and where it would land.
pub fn handles(press: Option<Press>) -> plot::Handles {
    plot::Handles { dragged: press.and_then(|p| p.moved.then_some(p.grabbed?.1).map(|from| (from, p.to))) }
}

/// Whether clicks on this experiment's plot edit points: a 1-D fit outside the lessons (whose
/// plots belong to the lesson's own data).
pub fn editable(e: &Experiment) -> bool {
    e.kind == Kind::Fit1d && e.lesson == 0
}

/// The snapped data point under the pointer, if it is on the plotting area.
fn point_at(canvas: &HtmlCanvasElement, frame: &Frame, ev: &PointerEvent) -> Option<(f32, f32)> {
    let ((x, y), (span_x, span_y)) = plot::fit_point_at(canvas, frame, ev.client_x() as f64, ev.client_y() as f64)?;
    Some((snap(x, span_x), snap(y, span_y)))
}

/// The user's point nearest to client position (x, y) within `GRAB_RADIUS`, and where it is.
fn nearest(canvas: &HtmlCanvasElement, frame: &Frame, points: &UserPoints, (x, y): (f64, f64)) -> Option<(usize, (f32, f32))> {
    points
        .as_slice()
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (px, py) = plot::fit_client_xy(canvas, frame, (p[0], p[1]))?;
            let d = ((px - x).powi(2) + (py - y).powi(2)).sqrt();
            (d <= GRAB_RADIUS).then_some((d, i, (p[0], p[1])))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, i, p)| (i, p))
}

fn client(ev: &web_sys::MouseEvent) -> (f64, f64) {
    (ev.client_x() as f64, ev.client_y() as f64)
}

/// Change the user's own data (1-D or labelled points): an ordinary change of the experiment, but
/// training that was running goes on with the new data instead of stopping for the rebuild.
pub fn edit_own_data(ui: Ui, edit: impl FnOnce(&mut Experiment)) {
    let was_running = ui.running.get_untracked();
    controls::change(ui, edit);
    if was_running {
        engine::play(ui, true);
    }
}

/// Apply an edit of the user's points.
fn edit_points(ui: Ui, edit: impl FnOnce(&UserPoints) -> UserPoints) {
    edit_own_data(ui, |e| {
        if !e.on_user_points() {
            // Starting your own points from another target: an empty canvas, everything trains.
            e.dataset = "points".into();
            e.user_points = UserPoints::default();
            e.test_fraction = 0.0;
        }
        e.user_points = edit(&e.user_points);
    });
}

/// The user's points become `points` (a table, or none after "Clear").
pub fn replace_points(ui: Ui, points: UserPoints) {
    edit_points(ui, move |_| points);
}

pub fn pointer_down(ui: Ui, canvas: &HtmlCanvasElement, ev: &PointerEvent, press: RwSignal<Option<Press>>) {
    let exp = ui.exp().get_untracked();
    if !editable(&exp) || ev.button() != 0 {
        return;
    }
    let grabbed = ui.frame().with_untracked(|f| if exp.on_user_points() { nearest(canvas, f, &exp.user_points, client(ev)) } else { None });
    if grabbed.is_some() {
        // Keep the pointer's events while dragging, even off the canvas.
        let _ = canvas.set_pointer_capture(ev.pointer_id());
        ev.prevent_default();
    }
    press.set(Some(Press { start: client(ev), grabbed, to: grabbed.map(|g| g.1), moved: false }));
}

pub fn pointer_move(ui: Ui, canvas: &HtmlCanvasElement, ev: &PointerEvent, press: RwSignal<Option<Press>>) {
    let Some(mut p) = press.get_untracked() else { return };
    let (x, y) = client(ev);
    let far = ((x - p.start.0).powi(2) + (y - p.start.1).powi(2)).sqrt() > CLICK_SLOP;
    if p.grabbed.is_none() {
        if far {
            // A swipe over the plot (scrolling on a phone) is not a click.
            press.set(None);
        }
        return;
    }
    p.moved |= far;
    p.to = ui.frame().with_untracked(|f| point_at(canvas, f, ev));
    press.set(Some(p));
}

pub fn pointer_up(ui: Ui, canvas: &HtmlCanvasElement, ev: &PointerEvent, press: RwSignal<Option<Press>>) {
    let Some(p) = press.get_untracked() else { return };
    press.set(None);
    match p.grabbed {
        Some((i, _)) if p.moved => match p.to {
            Some(to) => edit_points(ui, |pts| pts.moved(i, [to.0, to.1])),
            None => edit_points(ui, |pts| pts.without(i)),
        },
        Some((i, _)) if ev.shift_key() || ev.alt_key() => edit_points(ui, |pts| pts.without(i)),
        // A click on a point without moving it changes nothing.
        Some(_) => {}
        None => {
            // On another target's plot the point goes where it was clicked on the canvas your
            // points start on ([−1, 1] on both axes), not at that target's coordinates.
            let on_points = ui.exp().with_untracked(Experiment::on_user_points);
            let at = if on_points {
                ui.frame().with_untracked(|f| point_at(canvas, f, ev))
            } else {
                point_at(canvas, &Frame { x_range: (-1.0, 1.0), y_range: Some((-1.0, 1.0)), ..Frame::default() }, ev)
            };
            if let Some(at) = at {
                edit_points(ui, |pts| pts.with([at.0, at.1]));
            }
        }
    }
}

/// A right click on a point deletes it (and opens no menu); elsewhere the menu is the browser's.
pub fn context_menu(ui: Ui, canvas: &HtmlCanvasElement, ev: &web_sys::MouseEvent) {
    let exp = ui.exp().get_untracked();
    if !(editable(&exp) && exp.on_user_points()) {
        return;
    }
    if let Some((i, _)) = ui.frame().with_untracked(|f| nearest(canvas, f, &exp.user_points, client(ev))) {
        ev.prevent_default();
        edit_points(ui, |pts| pts.without(i));
    }
}
