//! The training-loop driver: owns the running session and advances it in time-budgeted chunks.
//!
//! The page must never freeze: on the CPU path each chunk of steps stops after a few milliseconds
//! and the loop yields a real macrotask (`setTimeout(0)`), so input and painting get their turn.
//! WebGPU steps only enqueue work; the chunk ends with one asynchronous loss read, the only sync
//! point. Results are read with `into_data_async`, the one read that works on every backend.

use std::cell::{Cell, RefCell};

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::backend::{self, Active, Chosen};
use super::state::{BackendStatus, Frame, Readout, Ui};
use crate::core::data::Samples1d;
use crate::core::experiment::{Experiment, NetKind};
use crate::core::grow::Plateau;
use crate::core::network::Family;
use crate::core::network::Network;
use crate::core::snapshot::{read, Snapshot};
use crate::core::train::{divergence, Trainer};

/// Target length of one chunk of CPU training, read-back included; leaves room for drawing
/// inside the 50 ms long-task limit.
const CPU_BUDGET_MS: f64 = 12.0;
/// Target length of a WebGPU chunk. The GPU works asynchronously, so this bounds latency (how
/// soon a click is seen), not main-thread blocking.
const GPU_BUDGET_MS: f64 = 60.0;
/// Most steps in one chunk.
const MAX_CHUNK: usize = 2048;
/// How often the plots are refreshed while training.
const FRAME_EVERY_MS: f64 = 80.0;
/// How often the last good weights are copied to the host.
const SNAPSHOT_EVERY_MS: f64 = 500.0;
/// Points of the prediction curve.
const CURVE_POINTS: usize = 300;
/// Longest loss history kept for the plot (older points are thinned).
const HISTORY_MAX: usize = 2000;

struct Session {
    trainer: Trainer,
    samples: Samples1d,
    backend: Chosen,
    /// Weights known to be good — a later loss computed from them (or from their successors)
    /// was finite and not exploding — and the step they belong to.
    last_good: Option<(Snapshot, u64)>,
    /// The most recent copy, not yet vouched for by a later loss.
    pending: Option<(Snapshot, u64)>,
    best_loss: f32,
    history: Vec<(u64, f32)>,
    test_history: Vec<(u64, f32)>,
    /// Step of the last automatic growth (plateau schedule).
    last_growth: u64,
    /// Step of the last knot move, and the seeded coin for the side of each move.
    last_move: u64,
    move_coin: rand_chacha::ChaCha8Rng,
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// Bumped whenever the session is replaced, so results of an old session are dropped.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// Steps per chunk, adapted to the measured time per step. Timing the `step()` calls alone
    /// is not enough: burn's backends record work lazily and compute it at the read, so a chunk
    /// is only measurable end to end.
    static CHUNK: Cell<usize> = const { Cell::new(1) };
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

fn generation() -> u64 {
    GENERATION.with(Cell::get)
}

fn with_session<R>(f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    SESSION.with(|s| s.borrow_mut().as_mut().map(f))
}

/// Build a fresh session from the experiment: data, initial weights (from the init seed, so a
/// reset gives the same network), optimiser. A bad formula keeps the current session.
pub async fn rebuild(ui: Ui) {
    let exp = ui.exp.get_untracked();
    if let Err(msg) = exp.target() {
        ui.formula_error.set(Some(msg));
        return;
    }
    ui.formula_error.set(None);
    let wanted_generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    let chosen = backend::choose(exp.backend).await;
    if generation() != wanted_generation {
        return; // a newer rebuild started while we waited for the GPU
    }
    ui.backend.set(BackendStatus { label: chosen.label.clone(), reason: chosen.reason.clone() });
    let Ok((samples, trainer)) = exp.build(&chosen.device) else { return }; // the formula was checked above
    let parameters = trainer.network().spec.parameter_count();
    // The initial weights are the first "good" state a divergence can fall back to.
    let initial = Snapshot::take(trainer.network()).await.ok().map(|snap| (snap, 0));
    if generation() != wanted_generation {
        return;
    }
    SESSION.with(|s| {
        *s.borrow_mut() = Some(Session {
            trainer,
            samples,
            backend: chosen,
            last_good: initial,
            pending: None,
            best_loss: f32::INFINITY,
            history: Vec::new(),
            test_history: Vec::new(),
            last_growth: 0,
            last_move: 0,
            move_coin: crate::core::rng::stream(exp.batch_seed, crate::core::rng::Stream::Structure),
        })
    });
    // Chunk sizes measured on another session or backend mean nothing here: start small.
    CHUNK.with(|c| c.set(1));
    ui.message.set(None);
    ui.readout.set(Readout { parameters, ..Readout::default() });
    publish_frame(ui).await;
}

/// Keep training going with a changed learning rate (no reset).
pub fn set_learning_rate(lr: f64) {
    with_session(|s| s.trainer.set_learning_rate(lr));
}

/// Run exactly one step and refresh the views.
pub async fn single_step(ui: Ui) {
    advance(ui, Some(1)).await;
    publish_frame(ui).await;
}

/// The forever loop started once at mount.
pub async fn run(ui: Ui) {
    let mut last_frame = 0.0;
    loop {
        if !ui.running.get_untracked() || SESSION.with(|s| s.borrow().is_none()) {
            TimeoutFuture::new(40).await;
            continue;
        }
        advance(ui, None).await;
        grow_on_plateau(ui).await;
        move_on_schedule(ui).await;
        if now_ms() - last_frame > FRAME_EVERY_MS {
            publish_frame(ui).await;
            last_frame = now_ms();
        }
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
        while done < planned && !(target > 0 && s.trainer.steps() >= target) {
            last = Some(s.trainer.step());
            done += 1;
        }
        (last, s.trainer.steps(), done, s.backend.active)
    });
    let Some((last, steps, done, active)) = chunk else { return };
    if target > 0 && steps >= target {
        ui.running.set(false);
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
        publish_frame(ui).await;
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
        let config = s.trainer.config().clone();
        s.trainer = Trainer::new(net.clone(), &s.samples, config, &chosen.device);
        s.trainer.replace_network(net, at);
        s.backend = chosen.clone();
        at
    });
    ui.message.set(Some(format!(
        "The GPU stopped working; training moved to the CPU and kept the weights of step {}. Press play to continue.",
        resumed.unwrap_or(0)
    )));
    publish_frame(ui).await;
}

/// Read the prediction curve, knots and test loss, and hand a new frame to the views.
async fn publish_frame(ui: Ui) {
    let gen = generation();
    let Some((pred, knots, test, grid, mut frame)) = with_session(|s| {
        let (lo, hi) = s.samples.x_range;
        let grid: Vec<f32> = (0..CURVE_POINTS).map(|i| lo + (hi - lo) * i as f32 / (CURVE_POINTS - 1) as f32).collect();
        let pred = s.trainer.predict(&grid);
        let knots = s.trainer.network().first_layer_knots();
        let test = s.trainer.loss_on(&s.samples.test_x, &s.samples.test_y);
        let frame = Frame {
            train: s.samples.train_x.iter().copied().zip(s.samples.train_y.iter().copied()).collect(),
            test: s.samples.test_x.iter().copied().zip(s.samples.test_y.iter().copied()).collect(),
            clean: s.samples.clean.clone(),
            x_range: s.samples.x_range,
            ..Frame::default()
        };
        (pred, knots, test, grid, frame)
    }) else {
        return;
    };
    let Ok(pred) = read(pred).await else { return };
    let knots = match knots {
        Some(k) => read(k).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let test_loss = match test {
        Some(t) => read(t).await.ok().and_then(|v| v.first().copied()),
        None => None,
    };
    if generation() != gen {
        return;
    }
    let steps = ui.readout.with_untracked(|r| r.steps);
    let histories = with_session(|s| {
        if let Some(t) = test_loss.filter(|t| t.is_finite()) {
            if s.test_history.last().map(|(at, _)| *at) != Some(steps) {
                s.test_history.push((steps, t));
            }
        }
        (s.history.clone(), s.test_history.clone())
    });
    frame.prediction = grid.into_iter().zip(pred).collect();
    // The 1-D studio's first layer has one input: its grid is the P knot positions.
    frame.knots = knots;
    if let Some((h, t)) = histories {
        frame.loss_history = h;
        frame.test_history = t;
    }
    ui.readout.update(|r| r.test_loss = test_loss);
    ui.frame.set(frame);
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
    super::url::write(&new);
    if live_only {
        set_learning_rate(new.learning_rate);
        return;
    }
    ui.running.set(false);
    rebuild(ui).await;
}

/// The "dynamic" schedule: when the loss stops improving, insert a knot (up to the maximum).
async fn grow_on_plateau(ui: Ui) {
    let (enabled, max_knots) = ui.exp.with_untracked(|e| (e.grow && e.net == NetKind::Pwl, e.max_knots));
    if !enabled {
        return;
    }
    let rule = Plateau { window: Plateau::DEFAULT_WINDOW, threshold: Plateau::DEFAULT_THRESHOLD, max_knots };
    let due = with_session(|s| match s.trainer.network().spec.family {
        Family::Pwl { knots, .. } if rule.should_grow(&s.history, knots, s.last_growth) => {
            s.last_growth = s.trainer.steps();
            true
        }
        _ => false,
    });
    if due == Some(true) {
        insert_knot(ui).await;
    }
}

/// The "move" schedule: every N steps, move the smoothest knot of every grid (count conserved).
async fn move_on_schedule(ui: Ui) {
    let every = ui.exp.with_untracked(|e| if e.net == NetKind::Pwl { e.move_every } else { 0 });
    if every == 0 {
        return;
    }
    let gen = generation();
    let Some(Some((net, sides))) = with_session(|s| {
        let steps = s.trainer.steps();
        if steps < s.last_move + every {
            return None;
        }
        s.last_move = steps;
        // Draw the coin flips now, from the seeded stream, so a link replays the same moves.
        use rand::Rng;
        let sides: Vec<bool> = (0..256).map(|_| s.move_coin.random_bool(0.5)).collect();
        Some((s.trainer.network().clone(), sides))
    }) else {
        return;
    };
    let coin = move |i: usize| sides[i % sides.len()];
    match crate::core::grow::move_knots(&net, coin).await {
        Ok(moved) if generation() == gen => {
            with_session(|s| {
                let steps = s.trainer.steps();
                s.trainer.replace_network(moved, steps);
            });
        }
        Ok(_) => {}
        Err(e) => ui.message.set(Some(format!("Could not move knots: {e}"))),
    }
}

/// Grow the network by one knot per input grid, next to the worst-fitted training point. The
/// function is unchanged; the optimiser restarts (see `core::grow`).
pub async fn insert_knot(ui: Ui) {
    let was_running = ui.running.get_untracked();
    ui.running.set(false);
    TimeoutFuture::new(0).await; // let an in-flight chunk finish first
    let gen = generation();
    let Some((net, xs, ys, pred)) = with_session(|s| {
        let pred = s.trainer.predict(&s.samples.train_x);
        (s.trainer.network().clone(), s.samples.train_x.clone(), s.samples.train_y.clone(), pred)
    }) else {
        return;
    };
    let Ok(pred) = read(pred).await else { return };
    let worst = (0..xs.len()).max_by(|&a, &b| (pred[a] - ys[a]).abs().total_cmp(&(pred[b] - ys[b]).abs()));
    let Some(worst) = worst else { return };
    match crate::core::grow::insert_knot_near(&net, xs[worst]).await {
        Ok(grown) if generation() == gen => {
            let parameters = grown.spec.parameter_count();
            // Older good weights have the old shape: the grown network (same function) replaces them.
            let good = Snapshot::take(&grown).await.ok();
            with_session(|s| {
                let steps = s.trainer.steps();
                s.trainer.replace_network(grown, steps);
                s.last_good = good.map(|snap| (snap, steps));
                s.pending = None;
            });
            ui.readout.update(|r| r.parameters = parameters);
            ui.message.set(Some(format!(
                "Inserted a knot next to x = {:.3}, where the fit was worst: the function is unchanged, the optimiser restarts.",
                xs[worst]
            )));
            publish_frame(ui).await;
        }
        Ok(_) => {}
        Err(e) => ui.message.set(Some(format!("Could not insert a knot: {e}"))),
    }
    ui.running.set(was_running);
}
