//! The timeline: a scrubber over the steps the runs keep (more early, fewer later), showing every
//! run as it was there; "Continue from here" forks the edited run at the shown step; "Undo" takes
//! back the edited run's newest structural change.

use leptos::prelude::*;

use super::state::Ui;
use super::{engine, runs};

/// The kept steps of all runs, merged (runs in lockstep keep the same ones).
fn stops(ui: Ui) -> Vec<u64> {
    let mut steps: Vec<u64> = ui.runs.with(|runs| runs.iter().flat_map(|r| r.frame.with(|f| f.timeline.clone())).collect());
    steps.sort_unstable();
    steps.dedup();
    steps
}

#[component]
pub fn Timeline(ui: Ui) -> impl IntoView {
    let stops = Memo::new(move |_| stops(ui));
    // The slider's last position is "now"; the others are the kept steps.
    let position = move || match ui.scrub.get() {
        Some(step) => stops.with(|s| s.partition_point(|&k| k <= step).saturating_sub(1)),
        None => stops.with(Vec::len),
    };
    let on_input = move |ev| {
        let Ok(i) = event_target_value(&ev).parse::<usize>() else { return };
        let step = stops.with_untracked(|s| s.get(i).copied());
        engine::show(ui, step);
    };
    let label = move || match ui.scrub.get() {
        Some(step) => format!("Showing step {step} — press play to go on from the present"),
        None => "Showing the present".into(),
    };
    let undo_what = move || ui.frame().with(|f| f.undo.clone());
    view! {
        <section class="timeline" aria-label="Timeline">
            <label class="field wide">
                <span>{label}</span>
                <input type="range" data-testid="timeline" min="0" max=move || stops.with(Vec::len) step="1"
                    prop:value=move || position().to_string() on:input=on_input
                    aria-valuetext=move || ui.scrub.get().map(|s| format!("step {s}")).unwrap_or_else(|| "now".into()) />
            </label>
            <div class="buttons">
                <button data-testid="fork" disabled=move || ui.scrub.get().is_none()
                    title="A new run that continues the edited run from the step shown"
                    on:click=move |_| runs::fork(ui)>"Continue from here"</button>
                <button data-testid="undo" disabled=move || undo_what().is_none()
                    title=move || undo_what().map(|w| format!("Undo {w}")).unwrap_or_else(|| "Nothing to undo".into())
                    on:click=move |_| engine::undo(ui)>{move || match undo_what() { Some(w) => format!("Undo {w}"), None => "Undo".into() }}</button>
            </div>
        </section>
    }
}
