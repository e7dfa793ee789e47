//! The runs side by side: what editing, adding, removing, forking and presets do to the list of
//! runs. The comparison (`playground_config::compare`) decides which settings are shared; this
//! module only applies its result to the runs' signals and tells the engine.

use leptos::prelude::*;

use playground_config::budget::{equal_budget, parameter_count};
use playground_config::compare::{merge, Comparison, Preset, MAX_RUNS};
use playground_config::experiment::{Experiment, Fork};
use playground_config::protocol::RunId;

use super::state::{RunView, Ui};
use super::{engine, url};

/// Apply an edit to the edited run's experiment: its run settings change that run; shared
/// settings (the data) change every run. Each changed run is adjusted or rebuilt.
pub fn edit(ui: Ui, edit: impl FnOnce(&mut Experiment)) {
    let before = ui.comparison_untracked();
    let current = ui.run_untracked();
    let index = ui.index_of_untracked(current.id);
    let mut edited = before.runs[index].clone();
    edit(&mut edited);
    if edited == before.runs[index] {
        return;
    }
    let mut after = before.clone();
    after.edit(index, edited);
    commit(ui, &before, &after);
}

/// Give every run its experiment in `after` (the runs are the same ones, in the same order).
fn commit(ui: Ui, before: &Comparison, after: &Comparison) {
    let runs = ui.runs.get_untracked();
    for ((run, old), new) in runs.iter().zip(&before.runs).zip(&after.runs) {
        if old != new {
            let mut new = new.clone();
            // Rebuilt with another network or seeds, a fork no longer continues its parent (new
            // data alone keep it: it replays its parent on them).
            if !engine::live_only(&merge(&new, old), &new) {
                new.fork = None;
            }
            run.exp.set(new.clone());
            engine::apply(ui, *run, old, &new);
        }
    }
    url::push(&ui.comparison_untracked());
}

/// Replace the whole comparison (a link followed, a preset): runs are added or removed to match,
/// and every run is rebuilt.
pub fn replace(ui: Ui, comparison: Comparison, play: bool) {
    ui.scrub.set(None);
    let mut runs = ui.runs.get_untracked();
    while runs.len() > comparison.runs.len() {
        if let Some(gone) = runs.pop() {
            engine::remove(ui, gone.id);
        }
    }
    for (i, exp) in comparison.runs.into_iter().enumerate() {
        match runs.get(i) {
            Some(run) => run.exp.set(exp),
            None => runs.push(RunView::new(ui.new_id(), exp)),
        }
    }
    if !runs.iter().any(|r| r.id == ui.current.get_untracked()) {
        ui.current.set(runs[0].id);
    }
    ui.runs.set(runs);
    engine::open(ui, play);
}

/// "Compare": a new run that starts as a copy of the edited run's experiment (from step 0; it
/// catches up with the others in lockstep when playing). The new run becomes the edited one.
pub fn add_copy(ui: Ui) {
    let mut comparison = ui.comparison_untracked();
    if !comparison.add_copy(ui.index_of_untracked(ui.current.get_untracked())) {
        return;
    }
    let Some(copy) = comparison.runs.pop() else { return };
    let run = RunView::new(ui.new_id(), Experiment { step: 0, ..copy });
    ui.runs.update(|r| r.push(run));
    ui.current.set(run.id);
    engine::open_run(ui, run, ui.running.get_untracked());
    url::push(&ui.comparison_untracked());
}

/// Close a run's card (never the last one); forks that name runs by number follow
/// (`Comparison::remove`).
pub fn remove(ui: Ui, id: RunId) {
    let mut comparison = ui.comparison_untracked();
    let index = ui.index_of_untracked(id);
    if comparison.runs.len() <= 1 || ui.find(id).is_none() {
        return;
    }
    comparison.remove(index);
    ui.runs.update(|r| {
        r.remove(index);
    });
    for (run, exp) in ui.runs.get_untracked().into_iter().zip(comparison.runs) {
        if run.exp.with_untracked(|e| *e != exp) {
            run.exp.set(exp);
        }
    }
    if ui.current.get_untracked() == id {
        ui.current.set(ui.runs.with_untracked(|r| r[0].id));
    }
    engine::remove(ui, id);
    url::push(&ui.comparison_untracked());
}

/// Set run `id`'s width or knots so its parameter count is as close as possible to the first run's.
pub fn match_budget(ui: Ui, id: RunId) {
    if ui.find(id).is_none() {
        return;
    }
    let before = ui.comparison_untracked();
    let index = ui.index_of_untracked(id);
    let mut after = before.clone();
    after.runs[index] = equal_budget(&before.runs[index], parameter_count(&before.runs[0]));
    if after != before {
        commit(ui, &before, &after);
    }
    ui.current.set(id);
}

/// Replace the runs by a preset comparison on the current data.
pub fn preset(ui: Ui, preset: Preset) {
    let base = ui.runs.with_untracked(|r| r[0].exp.get_untracked());
    let comparison = preset.comparison(&base);
    replace(ui, comparison, false);
    url::push(&ui.comparison_untracked());
}

/// "Continue from here": a new run continuing from the edited run at the shown kept step.
pub fn fork(ui: Ui) {
    let Some(step) = ui.scrub.get_untracked() else { return };
    if ui.runs.with_untracked(Vec::len) >= MAX_RUNS {
        ui.message.set(Some(format!("A comparison holds at most {MAX_RUNS} runs: close one to fork.")));
        return;
    }
    let from = ui.run_untracked();
    // The step shown is the newest kept step at or before the scrubbed one.
    let kept = from.with_drawn(|f| f.readout.steps);
    let at = kept.min(step);
    let parent = ui.index_of_untracked(from.id) + 1;
    // The link says where the run comes from (`r3.fork=1@500`), so it replays.
    let exp = Experiment { step: 0, fork: Some(Fork { parent, step: at }), ..from.exp.get_untracked() };
    let run = RunView::new(ui.new_id(), exp);
    ui.runs.update(|r| r.push(run));
    ui.current.set(run.id);
    engine::fork(ui, run.id, from.id, at);
    engine::show(ui, None);
    url::push(&ui.comparison_untracked());
}
