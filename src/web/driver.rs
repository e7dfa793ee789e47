//! The training-loop driver: advances the session's run in time-budgeted chunks.
//!
//! The page must never freeze: on the CPU path each chunk of steps stops after a few milliseconds
//! and the loop yields a real macrotask (`setTimeout(0)`), so input and painting get their turn.
//! Chunk sizes follow the machine's speed, but they only decide when the page gets a frame: the
//! run itself fires every step-indexed event (schedules, checkpoints, the circle's jump) at its
//! exact step, so a link replays the same run however it is chunked (see `core::run`).

use std::cell::Cell;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::backend::{self, Active};
use super::frames;
use super::session::{generation, has_session, now_ms, put_back, rebuild, take_session, with_session};
use super::state::{BackendStatus, Busy, Ui};
use crate::core::experiment::Experiment;
use crate::core::run::{Advanced, Schedule};

/// Target length of one chunk of CPU training, read-back included; leaves room for drawing
/// inside the 50 ms long-task limit.
const CPU_BUDGET_MS: f64 = 12.0;
/// Target length of a WebGPU chunk. The GPU works asynchronously, so this bounds latency (how
/// soon a click is seen), not main-thread blocking.
const GPU_BUDGET_MS: f64 = 60.0;
/// Most steps in one chunk.
const MAX_CHUNK: u64 = 2048;

thread_local! {
    /// Steps per chunk, adapted to the measured time per step. Timing the `step()` calls alone
    /// is not enough: burn's backends record work lazily and compute it at the read, so a chunk
    /// is only measurable end to end.
    static CHUNK: Cell<u64> = const { Cell::new(1) };
}

/// Chunk sizes measured on another session or backend mean nothing for a new one: start small.
pub fn reset_chunk() {
    CHUNK.with(|c| c.set(1));
}

/// Run exactly one step and refresh the views.
pub async fn single_step(ui: Ui) {
    advance(ui, Some(1)).await;
    frames::publish(ui, true).await;
}

/// The forever loop started once at mount.
pub async fn run(ui: Ui) {
    // Held from the first chunk until the final frame after a pause is drawn.
    let mut training: Option<Busy> = None;
    loop {
        if !ui.running.get_untracked() || !has_session() {
            if training.is_some() {
                // Paused: show the final state in full (the detail view included).
                frames::publish(ui, true).await;
                training = None;
            }
            TimeoutFuture::new(40).await;
            continue;
        }
        training.get_or_insert_with(|| Busy::new(ui));
        advance(ui, None).await;
        frames::publish(ui, false).await;
        // A real macrotask: lets the browser handle input and paint between chunks.
        TimeoutFuture::new(0).await;
    }
}

/// Train one chunk (or exactly `count` steps), stopping at the link's step target.
async fn advance(ui: Ui, count: Option<u64>) {
    let _busy = Busy::new(ui);
    let gen = generation();
    let target = ui.exp.with_untracked(|e| e.step);
    let Some(mut session) = take_session() else { return };
    // Live settings flow from the experiment into the run before every chunk (never written
    // into the run from a click, which could find it taken out by this very function).
    ui.exp.with_untracked(|e| {
        session.run.set_learning_rate(e.learning_rate);
        session.run.set_schedule(Schedule::of(e));
    });
    let mut planned = count.unwrap_or_else(|| CHUNK.with(Cell::get));
    if target > 0 {
        planned = planned.min(target.saturating_sub(session.run.steps()));
    }
    let started = now_ms();
    let result = if planned > 0 { session.run.advance(planned).await } else { Ok(Advanced::default()) };
    let elapsed = (now_ms() - started).max(0.001);
    let (steps, active) = (session.run.steps(), session.backend.active);
    put_back(session, gen);
    if generation() != gen {
        return; // the experiment was replaced meanwhile
    }
    if target > 0 && steps >= target {
        // The link's step is reached: pause there, and drop the target so play goes on from here.
        ui.running.set(false);
        ui.exp.update(|e| e.step = 0);
        super::url::write(&ui.exp.get_untracked());
    }
    match result {
        Ok(out) => {
            if count.is_none() && out.steps > 0 {
                adapt_chunk(elapsed / out.steps as f64, active);
            }
            report(ui, out, steps, elapsed).await;
        }
        Err(e) => fall_back_to_cpu(ui, e).await,
    }
}

fn adapt_chunk(per_step_ms: f64, active: Active) {
    let budget = if active == Active::WebGpu { GPU_BUDGET_MS } else { CPU_BUDGET_MS };
    let next = (budget / per_step_ms).clamp(1.0, MAX_CHUNK as f64);
    // Grow gently (a slow first step must not cause a giant chunk), shrink at once.
    let current = CHUNK.with(Cell::get) as f64;
    let next = if next > current { next.min(current * 2.0 + 1.0) } else { next };
    CHUNK.with(|c| c.set(next as u64));
}

/// Show what a chunk did: the loss and speed, its events, or the divergence it ran into.
async fn report(ui: Ui, out: Advanced, steps: u64, elapsed_ms: f64) {
    if let Some(last) = out.events.last() {
        ui.message.set(Some(last.describe()));
        let parameters = with_session(|s| s.run.network().spec.parameter_count());
        ui.readout.update(|r| r.parameters = parameters.unwrap_or(r.parameters));
    }
    if let Some(d) = out.diverged {
        ui.running.set(false);
        ui.readout.update(|r| {
            r.steps = steps;
            r.loss = None;
        });
        ui.message.set(Some(format!(
            "Stopped: {} (step {}). Training is paused and the weights of step {} are back. Try a smaller learning rate.",
            d.why, d.at, d.restored_to
        )));
        frames::publish(ui, true).await;
        return;
    }
    ui.readout.update(|r| {
        r.steps = steps;
        if out.last_loss.is_some() {
            r.loss = out.last_loss;
        }
        if out.steps > 0 {
            let rate = (out.steps as f64 / elapsed_ms * 1000.0) as f32;
            r.steps_per_sec = if r.steps_per_sec == 0.0 { rate } else { 0.9 * r.steps_per_sec + 0.1 * rate };
        }
    });
}

/// A GPU error or lost device: continue on the CPU from the run's newest checkpoint.
async fn fall_back_to_cpu(ui: Ui, error: String) {
    ui.running.set(false);
    reset_chunk();
    let chosen = backend::cpu(format!("WebGPU failed during training ({error}); switched to the CPU path"));
    ui.backend.set(BackendStatus { label: chosen.label.clone(), reason: chosen.reason.clone() });
    let resumed = with_session(|s| {
        let at = s.run.fall_back(&chosen.device);
        s.backend = chosen.clone();
        at
    });
    ui.readout.update(|r| r.steps = resumed.unwrap_or(0));
    ui.message.set(Some(format!(
        "The GPU stopped working; training moved to the CPU and kept the weights of step {}. Press play to continue.",
        resumed.unwrap_or(0)
    )));
    frames::publish(ui, true).await;
}

/// Used by the views when the experiment changes: decide what must be rebuilt. The learning rate
/// and the schedules change without a rebuild.
pub async fn apply(ui: Ui, old: Experiment, new: Experiment) {
    // Settings that apply to the running session without rebuilding it.
    let live_only = Experiment {
        learning_rate: old.learning_rate,
        grow: old.grow,
        max_knots: old.max_knots,
        move_every: old.move_every,
        ..new.clone()
    } == old;
    super::url::push(&new);
    if live_only {
        return; // the driver hands them to the run before its next chunk
    }
    ui.running.set(false);
    rebuild(ui).await;
}
