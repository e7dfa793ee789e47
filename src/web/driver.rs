//! The training-loop driver: owns the running session and advances it in time-budgeted chunks.
//!
//! The page must never freeze: on the CPU path each chunk of steps stops after a few milliseconds
//! and the loop yields a real macrotask (`setTimeout(0)`), so input and painting get their turn.
//! WebGPU steps only enqueue work; the chunk ends with one asynchronous loss read, the only sync
//! point. Results are read with `into_data_async`, the one read that works on every backend.

use std::cell::Cell;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::backend::{self, Active};
use super::frames;
use super::schedules;
use super::session::{generation, has_session, now_ms, rebuild, with_session};
use super::state::{BackendStatus, Ui};
use crate::core::experiment::Experiment;
use crate::core::network::Network;
use crate::core::snapshot::{read, Snapshot};
use crate::core::train::divergence;

/// Target length of one chunk of CPU training, read-back included; leaves room for drawing
/// inside the 50 ms long-task limit.
const CPU_BUDGET_MS: f64 = 12.0;
/// Target length of a WebGPU chunk. The GPU works asynchronously, so this bounds latency (how
/// soon a click is seen), not main-thread blocking.
const GPU_BUDGET_MS: f64 = 60.0;
/// Most steps in one chunk.
const MAX_CHUNK: usize = 2048;
/// How often the last good weights are copied to the host.
const SNAPSHOT_EVERY_MS: f64 = 500.0;
/// Longest loss history kept for the plot (older points are thinned).
const HISTORY_MAX: usize = 2000;

thread_local! {
    /// Steps per chunk, adapted to the measured time per step. Timing the `step()` calls alone
    /// is not enough: burn's backends record work lazily and compute it at the read, so a chunk
    /// is only measurable end to end.
    static CHUNK: Cell<usize> = const { Cell::new(1) };
}

/// Chunk sizes measured on another session or backend mean nothing for a new one: start small.
pub fn reset_chunk() {
    CHUNK.with(|c| c.set(1));
}

/// Keep training going with a changed learning rate (no reset).
pub fn set_learning_rate(lr: f64) {
    with_session(|s| s.trainer.set_learning_rate(lr));
}

/// Run exactly one step and refresh the views.
pub async fn single_step(ui: Ui) {
    advance(ui, Some(1)).await;
    frames::publish(ui, true).await;
}

/// The forever loop started once at mount.
pub async fn run(ui: Ui) {
    let mut was_running = false;
    loop {
        if !ui.running.get_untracked() || !has_session() {
            if was_running {
                // Paused: show the final state in full (the detail view included).
                frames::publish(ui, true).await;
                was_running = false;
            }
            TimeoutFuture::new(40).await;
            continue;
        }
        was_running = true;
        advance(ui, None).await;
        schedules::grow_on_plateau(ui).await;
        schedules::move_on_schedule(ui).await;
        frames::publish(ui, false).await;
        // A real macrotask: lets the browser handle input and paint between chunks.
        TimeoutFuture::new(0).await;
    }
}

/// Train one chunk (or exactly `count` steps), then read the loss and check it.
async fn advance(ui: Ui, count: Option<usize>) {
    let gen = generation();
    let target = ui.exp.with_untracked(|e| e.step);
    let started = now_ms();
    let planned = count.unwrap_or_else(|| CHUNK.with(Cell::get));
    let chunk = with_session(|s| {
        let mut last = None;
        let mut done = 0usize;
        let mut news = None;
        while done < planned && !(target > 0 && s.trainer.steps() >= target) {
            last = Some(s.trainer.step());
            done += 1;
            news = s.after_step().or(news);
        }
        (last, s.trainer.steps(), done, s.backend.active, news)
    });
    let Some((last, steps, done, active, news)) = chunk else { return };
    if news.is_some() {
        ui.message.set(news);
    }
    if target > 0 && steps >= target {
        // The link's step is reached: pause there, and drop the target so play goes on from here.
        ui.running.set(false);
        ui.exp.update(|e| e.step = 0);
        super::url::write(&ui.exp.get_untracked());
    }
    let Some(loss_tensor) = last else { return };
    let loss = read(loss_tensor).await;
    if generation() != gen {
        return;
    }
    let elapsed = (now_ms() - started).max(0.001);
    if count.is_none() && done > 0 {
        let budget = if active == Active::WebGpu { GPU_BUDGET_MS } else { CPU_BUDGET_MS };
        let per_step = elapsed / done as f64;
        let next = (budget / per_step).clamp(1.0, MAX_CHUNK as f64);
        // Grow gently (a slow first step must not cause a giant chunk), shrink at once.
        let current = CHUNK.with(Cell::get) as f64;
        let next = if next > current { next.min(current * 2.0 + 1.0) } else { next };
        CHUNK.with(|c| c.set(next as usize));
    }
    match loss {
        Ok(values) => check_and_record(ui, values.first().copied().unwrap_or(f32::NAN), steps, done, elapsed).await,
        Err(e) => fall_back_to_cpu(ui, e).await,
    }
}

async fn check_and_record(ui: Ui, loss: f32, steps: u64, done: usize, elapsed_ms: f64) {
    let best = with_session(|s| s.best_loss).unwrap_or(f32::INFINITY);
    if let Some(why) = divergence(loss, best) {
        ui.running.set(false);
        let restored = with_session(|s| match s.last_good.clone() {
            Some((snap, at)) => {
                let net = snap.restore(&s.backend.device);
                s.trainer.replace_network(net, at);
                // The history after the restored step belongs to weights that no longer exist.
                s.history.retain(|(step, _)| *step <= at);
                s.test_history.retain(|(step, _)| *step <= at);
                Some(at)
            }
            None => None,
        })
        .flatten();
        if let Some(at) = restored {
            ui.readout.update(|r| {
                r.steps = at;
                r.loss = None;
            });
        }
        let tail = match restored {
            Some(at) => format!(" Training is paused and the weights of step {at} are back."),
            None => " Training is paused; press reset to start again.".into(),
        };
        ui.message.set(Some(format!("Stopped: {why}.{tail} Try a smaller learning rate.")));
        frames::publish(ui, true).await;
        return;
    }
    let snapshot_due = with_session(|s| {
        s.best_loss = s.best_loss.min(loss);
        s.history.push((steps, loss));
        if s.history.len() > HISTORY_MAX {
            // Thin the oldest half so long runs keep their shape at bounded cost.
            let keep: Vec<_> = s.history.iter().step_by(2).copied().collect();
            s.history = keep;
        }
        // The loss just read was computed from weights at or after the pending copy: vouch for it.
        if let Some(p) = s.pending.take() {
            s.last_good = Some(p);
        }
        true
    })
    .unwrap_or(false);
    ui.readout.update(|r| {
        r.steps = steps;
        r.loss = Some(loss);
        let rate = (done as f64 / elapsed_ms * 1000.0) as f32;
        r.steps_per_sec = if r.steps_per_sec == 0.0 { rate } else { 0.9 * r.steps_per_sec + 0.1 * rate };
    });
    if snapshot_due {
        remember_good_weights().await;
    }
}

thread_local! {
    static LAST_SNAPSHOT_AT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
}

/// Copy the current weights to the host, at most every `SNAPSHOT_EVERY_MS`. The copy only becomes
/// "last good" once a later loss has been checked (see `check_and_record`).
async fn remember_good_weights() {
    if now_ms() - LAST_SNAPSHOT_AT.with(Cell::get) < SNAPSHOT_EVERY_MS {
        return;
    }
    LAST_SNAPSHOT_AT.with(|c| c.set(now_ms()));
    let gen = generation();
    let Some((net, steps)) = with_session(|s| (s.trainer.network().clone(), s.trainer.steps())) else { return };
    if let Ok(snap) = Snapshot::take(&net).await {
        if generation() == gen {
            with_session(|s| s.pending = Some((snap, steps)));
        }
    }
}

/// A GPU error or lost device: continue on the CPU from the last weights we hold on the host.
async fn fall_back_to_cpu(ui: Ui, error: String) {
    ui.running.set(false);
    CHUNK.with(|c| c.set(1));
    let chosen = backend::cpu(format!("WebGPU failed during training ({error}); switched to the CPU path"));
    ui.backend.set(BackendStatus { label: chosen.label.clone(), reason: chosen.reason.clone() });
    let resumed = with_session(|s| {
        // A GPU failure says nothing against the newest copy: prefer it to the vouched one.
        let (net, at) = match s.pending.as_ref().or(s.last_good.as_ref()) {
            Some((snap, at)) => (snap.restore(&chosen.device), *at),
            None => (Network::new(&s.trainer.network().spec, ui.exp.with_untracked(|e| e.init_seed), &chosen.device), 0),
        };
        s.trainer = s.trainer.moved_to(net, at, &chosen.device);
        s.backend = chosen.clone();
        at
    });
    ui.message.set(Some(format!(
        "The GPU stopped working; training moved to the CPU and kept the weights of step {}. Press play to continue.",
        resumed.unwrap_or(0)
    )));
    frames::publish(ui, true).await;
}

/// Used by the views when the experiment changes: decide what must be rebuilt.
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
        set_learning_rate(new.learning_rate);
        return;
    }
    ui.running.set(false);
    rebuild(ui).await;
}

