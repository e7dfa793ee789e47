//! The lesson player: one step of a lesson at a time — text, a "predict, then run" question, a
//! Run button that trains the step's preset to its length and pauses, what the run shows, and for
//! single neurons their weights. ←/→ move between steps, space plays or pauses; presenter mode
//! enlarges everything for a projector. Each step is its own link.

use leptos::prelude::*;
use playground_config::compare::Comparison;
use playground_config::experiment::NetKind;
use playground_config::spec::Activation;
use wasm_bindgen::prelude::*;

use super::controls::change;
use super::engine;
use super::state::Ui;
use playground_config::lessons::{self, STEPS};

/// Open lesson step `number` (clamped to the lesson), keeping the viewer's backend, hidden
/// controls and presenter mode.
pub fn go(ui: Ui, number: usize) {
    let number = number.clamp(1, STEPS.len());
    let mut e = STEPS[number - 1].experiment(number);
    ui.exp().with_untracked(|now| (e.backend, e.hide, e.present) = (now.backend, now.hide.clone(), now.present));
    if ui.runs.with_untracked(Vec::len) > 1 || ui.exp().with_untracked(|now| now.lesson == 0) {
        // A lesson step is one run.
        super::runs::replace(ui, Comparison::single(e), false);
        super::url::push(&ui.comparison_untracked());
    } else {
        change(ui, |now| *now = e);
    }
}

/// Train the current step from its initial weights to the step's length, then pause.
fn run(ui: Ui) {
    let Some(step) = lessons::step(ui.exp().with_untracked(|e| e.lesson)) else { return };
    let length = step.steps;
    ui.running.set(false);
    for r in ui.runs.get_untracked() {
        r.exp.update(|e| e.step = length);
    }
    engine::open(ui, true);
}

fn typing_in_a_field(ev: &web_sys::KeyboardEvent) -> bool {
    let tag = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.tag_name().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(tag.as_str(), "input" | "select" | "textarea")
}

/// Keyboard: space plays/pauses everywhere; ←/→ change the lesson step while in a lesson.
pub fn listen_keys(ui: Ui) {
    let Some(window) = web_sys::window() else { return };
    let on_key = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
        if typing_in_a_field(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let lesson = ui.exp().with_untracked(|e| e.lesson);
        match ev.key().as_str() {
            " " => {
                ev.prevent_default();
                ui.message.set(None);
                engine::play(ui, !ui.running.get_untracked());
            }
            "ArrowRight" if lesson > 0 => {
                ev.prevent_default();
                go(ui, lesson + 1);
            }
            "ArrowLeft" if lesson > 0 => {
                ev.prevent_default();
                go(ui, lesson.saturating_sub(1));
            }
            _ => {}
        }
    });
    let _ = window.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    // Lives as long as the page.
    on_key.forget();
}

#[component]
pub fn LessonPanel(ui: Ui) -> impl IntoView {
    let number = move || ui.exp().with(|e| e.lesson);
    let step = move || lessons::step(number());
    let text = move |f: fn(&lessons::LessonStep) -> &'static str| move || step().map(f).unwrap_or_default();
    let length = move || step().map(|s| s.steps).unwrap_or(0);
    let done = move || ui.readout().with(|r| r.steps) >= length() && length() > 0;
    // A horizontal swipe across the lesson changes the step, as ← and → do.
    let touch_start = StoredValue::new(None::<(f64, f64)>);
    let on_touch_start = move |ev: web_sys::TouchEvent| {
        let t = ev.touches().get(0);
        touch_start.set_value(t.map(|t| (t.client_x() as f64, t.client_y() as f64)));
    };
    let on_touch_end = move |ev: web_sys::TouchEvent| {
        let (Some((x0, y0)), Some(t)) = (touch_start.get_value(), ev.changed_touches().get(0)) else { return };
        touch_start.set_value(None);
        let (dx, dy) = (t.client_x() as f64 - x0, t.client_y() as f64 - y0);
        if dx.abs() > 60.0 && dx.abs() > 2.0 * dy.abs() {
            let n = number();
            if dx < 0.0 && n < STEPS.len() {
                go(ui, n + 1);
            } else if dx > 0.0 && n > 1 {
                go(ui, n - 1);
            }
        }
    };
    view! {
        <section class="lesson" aria-label="Lesson" aria-live="polite" on:touchstart=on_touch_start on:touchend=on_touch_end>
            <p class="chapter">{text(|s| s.chapter)} " · step " {number} " of " {STEPS.len()}</p>
            <h2 data-testid="lesson-title">{text(|s| s.title)}</h2>
            <p>{text(|s| s.text)}</p>
            <p class="predict"><strong>"Predict, then run: "</strong>{text(|s| s.predict)}</p>
            <div class="lesson-bar">
                <button data-testid="lesson-prev" disabled=move || { number() <= 1 } on:click=move |_| go(ui, number() - 1)>"← Previous"</button>
                <button data-testid="lesson-run" class="primary" on:click=move |_| run(ui)>{move || format!("Run {} steps", length())}</button>
                <button data-testid="lesson-next" disabled=move || { number() >= STEPS.len() } on:click=move |_| go(ui, number() + 1)>"Next →"</button>
                <button data-testid="presenter" aria-pressed=move || ui.exp().with(|e| e.present).to_string()
                    on:click=move |_| {
                        let on = !ui.exp().with_untracked(|e| e.present);
                        for r in ui.runs.get_untracked() { r.exp.update(|e| e.present = on) }
                        super::url::write(&ui.comparison_untracked());
                    }>"Presenter mode"</button>
            </div>
            <Show when=move || ui.readout().with(|r| r.weights.is_some())>
                <p class="weights" data-testid="weights">{move || ui.readout().with(|r| r.weights.clone())}</p>
            </Show>
            {move || ui.frame().with(|f| match (&f.pieces, ui.exp().with(|e| e.net == NetKind::Mlp && e.activation == Activation::Relu)) {
                (Some(Ok(p)), true) => Some(view! {
                    <p class="regions">"Linear regions of this ReLU network on the data's x range: "
                        <strong data-testid="lesson-regions">{p.count()}</strong>
                        " — each hidden neuron can add a kink; a second layer can fold them into more."</p>
                }),
                _ => None,
            })}
            <Show when=done>
                <p class="explain" data-testid="lesson-explain"><strong>"What happened: "</strong>{text(|s| s.explain)}</p>
            </Show>
            <p class="hint keys-hint">"Keys: ← → change step, space plays or pauses."</p>
            <p class="hint touch-hint">"Swipe across the lesson to change step."</p>
        </section>
    }
}
