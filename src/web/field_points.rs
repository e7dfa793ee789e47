//! Your own classification points: a click on the map places a point of the class picked (with
//! Shift, of class 0: the "other" class of two), a right click deletes the point under it. A click
//! on the map of a built-in set starts your own points there. The panel shows how many there are,
//! the class picker and "Clear".

use leptos::prelude::*;
use web_sys::{HtmlCanvasElement, MouseEvent};

use super::state::Ui;
use super::point_editing::edit_own_data;
use playground_config::data::field::{Labelled, MAX_CLASSES};
use playground_config::data::labelled_points::UserLabelled;
use playground_config::data::points::snap;

/// How near (CSS pixels) a right click must be to a point to delete it.
const GRAB_RADIUS: f64 = 10.0;

/// Change the user's points (starting them from a built-in set: an empty map, all for training).
fn edit(ui: Ui, change: impl FnOnce(&UserLabelled) -> UserLabelled) {
    edit_own_data(ui, |e| {
        if !e.on_field_points() {
            e.dataset = "points".into();
            e.field_points = UserLabelled::default();
            e.test_fraction = 0.0;
        }
        e.field_points = change(&e.field_points);
    });
}

/// The user's classification points become `points` (a table, or none after "Clear").
pub fn replace(ui: Ui, points: UserLabelled) {
    edit(ui, move |_| points);
}

/// The map's [−1, 1]² point under a mouse event (y up), snapped as the 1-D plot snaps.
fn map_point(canvas: &HtmlCanvasElement, ev: &MouseEvent) -> Option<(f32, f32)> {
    let r = canvas.get_bounding_client_rect();
    if r.width() <= 0.0 || r.height() <= 0.0 {
        return None;
    }
    let u = (ev.client_x() as f64 - r.left()) / r.width();
    let v = (ev.client_y() as f64 - r.top()) / r.height();
    ((0.0..=1.0).contains(&u) && (0.0..=1.0).contains(&v)).then(|| (snap((2.0 * u - 1.0) as f32, 2.0), snap((1.0 - 2.0 * v) as f32, 2.0)))
}

/// A press on the map: where it started, to tell a click from a swipe.
pub type Press = Option<(f64, f64)>;

pub fn pointer_down(ev: &MouseEvent, press: RwSignal<Press>) {
    press.set((ev.button() == 0).then(|| (ev.client_x() as f64, ev.client_y() as f64)));
}

/// A click (not a swipe) places a point: of the picked class, or of class 0 with Shift.
pub fn pointer_up(ui: Ui, canvas: &HtmlCanvasElement, ev: &MouseEvent, press: RwSignal<Press>) {
    let Some(start) = press.get_untracked() else { return };
    press.set(None);
    let moved = ((ev.client_x() as f64 - start.0).powi(2) + (ev.client_y() as f64 - start.1).powi(2)).sqrt() > 5.0;
    if moved || ui.exp().with_untracked(|e| e.lesson > 0) {
        return;
    }
    if let Some((x, y)) = map_point(canvas, ev) {
        let class = if ev.shift_key() { 0 } else { ui.point_class.get_untracked() };
        edit(ui, |pts| pts.with(Labelled { x, y, class }));
    }
}

/// A right click on one of your points deletes it (and opens no menu).
pub fn context_menu(ui: Ui, canvas: &HtmlCanvasElement, ev: &MouseEvent) {
    let exp = ui.exp().get_untracked();
    if !exp.on_field_points() {
        return;
    }
    let r = canvas.get_bounding_client_rect();
    let at = |p: &Labelled| (r.left() + (p.x as f64 + 1.0) / 2.0 * r.width(), r.top() + (1.0 - p.y as f64) / 2.0 * r.height());
    let (cx, cy) = (ev.client_x() as f64, ev.client_y() as f64);
    let nearest = exp
        .field_points
        .as_slice()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (px, py) = at(p);
            (((px - cx).powi(2) + (py - cy).powi(2)).sqrt(), i)
        })
        .filter(|(d, _)| *d <= GRAB_RADIUS)
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, i)) = nearest {
        ev.prevent_default();
        edit(ui, |pts| pts.without(i));
    }
}

/// How many points, which class a click places, and "Clear".
#[component]
pub fn FieldPointsPanel(ui: Ui) -> impl IntoView {
    let count = move || ui.exp().with(|e| e.field_points.len());
    // The classes present and one more (up to the most a set may have).
    let offered = move || (ui.exp().with(|e| e.field_points.class_count()) + 1).min(MAX_CLASSES);
    let name = move |c: usize| match (c, offered() <= 3) {
        (1, true) => "class 1 (+1, blue)".to_string(),
        (0, true) => "class 0 (−1, orange)".to_string(),
        (c, _) => format!("class {c}"),
    };
    view! {
        <p class="points-line">
            <strong data-testid="points-count">{count}</strong>
            {move || if count() == 1 { " point · " } else { " points · " }}
            "click the map to add one of the class below (Shift-click: class 0), right-click one to delete it "
            <button data-testid="clear-points" disabled=move || count() == 0 on:click=move |_| replace(ui, UserLabelled::default())>"Clear"</button>
        </p>
        <label class="field">
            <span>"A click places"</span>
            <select data-testid="point-class" on:change={move |ev| if let Ok(c) = event_target_value(&ev).parse::<u32>() { ui.point_class.set(c) }}>
                {move || (0..offered()).map(|c| view! {
                    <option value=c.to_string() selected={move || ui.point_class.get() as usize == c}>{name(c)}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
