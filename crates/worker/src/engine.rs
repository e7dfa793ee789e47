//! The worker's loop: take the page's commands in order, advance every playing run by one chunk
//! (all playing runs in lockstep), send frames at a steady pace, and say when each command's work
//! is done. One owner of the runs, no shared state: the page only ever sees reports.

use std::collections::BTreeMap;

use futures::channel::mpsc::{TryRecvError, UnboundedReceiver};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use playground_config::experiment::{Experiment, Kind, UPLOAD};
use playground_config::model_file;
use playground_config::protocol::{Command, Report, RunId, Stage, Upload};
use playground_engine::grow::Refinement;
use playground_engine::network::Family;
use playground_engine::run::{lockstep, Advanced, Assets, Pace, Run, Schedule};
use playground_engine::snapshot::{Snapshot, Weights};
use wasm_bindgen::JsCast;

use crate::outbox::Outbox;
use crate::slot::Slot;
use crate::{auto, backend, frames, pictures};

/// Memory the timelines of all runs may keep alive together, shared equally.
const TIMELINE_BYTES: usize = 32 << 20;

/// Milliseconds on the worker's clock.
pub fn now_ms() -> f64 {
    js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>().performance().map(|p| p.now()).unwrap_or(0.0)
}

pub async fn serve(mut inbox: UnboundedReceiver<Command>, out: Outbox) {
    let mut runs: BTreeMap<RunId, Slot> = BTreeMap::new();
    out.send(&Report::Ready);
    loop {
        let playing = runs.values().any(|s| s.playing);
        let command = if playing {
            match inbox.try_recv() {
                Ok(c) => Some(c),
                Err(TryRecvError::Closed) => return, // the page is gone
                Err(TryRecvError::Empty) => None,    // nothing waiting
            }
        } else {
            match inbox.next().await {
                Some(c) => Some(c),
                None => return,
            }
        };
        if let Some(command) = command {
            handle(&mut runs, command, &out).await;
            continue;
        }
        train_round(&mut runs, &out).await;
        // A real macrotask: lets the worker's event loop deliver the page's messages.
        TimeoutFuture::new(0).await;
    }
}

async fn handle(runs: &mut BTreeMap<RunId, Slot>, command: Command, out: &Outbox) {
    let Some(run) = command.run() else {
        if let Command::Bench { seconds } = command {
            crate::bench::run(seconds, out).await;
        }
        return;
    };
    match command {
        Command::Open { link, upload, before, .. } => open(runs, run, &link, upload, &before, out).await,
        Command::Remove { .. } => {
            runs.remove(&run);
            share_timeline_budget(runs);
        }
        Command::Fork { from, step, .. } => fork(runs, run, from, step, out).await,
        // Commands about a run that does not exist (yet) change nothing.
        command => {
            if let Some(slot) = runs.get_mut(&run) {
                on_run(run, slot, command, out).await;
            }
        }
    }
    out.send(&Report::Done { run });
}

/// A command about an existing run.
async fn on_run(run: RunId, slot: &mut Slot, command: Command, out: &Outbox) {
    match command {
        Command::Adjust { link, .. } => {
            let (exp, _) = Experiment::from_link(&link);
            slot.run.set_learning_rate(exp.learning_rate);
            slot.run.set_schedule(Schedule::of(&exp));
            let (before, choice) = (slot.exp.backend, exp.backend);
            slot.exp = exp;
            if choice != before {
                auto::set_choice(run, slot, choice, out).await;
            }
        }
        Command::Play { .. } => slot.playing = true,
        Command::Show { step, .. } => show(run, slot, step, out).await,
        Command::Undo { .. } => undo(run, slot, out).await,
        Command::Pause { .. } => {
            slot.playing = false;
            publish(run, slot, out, true).await;
        }
        Command::Step { .. } => {
            slot.playing = false;
            step(run, slot, 1, out).await;
            publish(run, slot, out, true).await;
        }
        Command::InsertKnot { .. } => insert_knot(run, slot, out).await,
        Command::Refine { h, .. } => refine(run, slot, if h { Refinement::H } else { Refinement::P }, out).await,
        Command::Zoom { zoom, .. } => {
            slot.zoom = zoom;
            send_detail(run, slot, out).await;
        }
        Command::Export { .. } => match Snapshot::take(slot.run.network()).await {
            Ok(weights) => {
                let model = model_file::export(&slot.exp, slot.run.steps(), &weights);
                out.send(&Report::Exported { run, model });
            }
            Err(e) => out.send(&Report::Message { run, text: format!("The model could not be read: {e}.") }),
        },
        Command::Load { model, name, .. } => match model_file::import(&model) {
            Ok((_, steps, weights)) => {
                slot.before_change(&format!("loading “{name}”"));
                slot.run.load_weights(weights, steps);
                slot.readout = Default::default();
                publish(run, slot, out, true).await;
                out.send(&Report::Message { run, text: format!("Loaded “{name}”: trained for {steps} steps.") });
            }
            Err(e) => out.send(&Report::Message { run, text: format!("“{name}” was not loaded: {e}.") }),
        },
        Command::SimulateGpuFailure { .. } => fall_back_to_cpu(run, slot, "a simulated device loss".into(), out).await,
        Command::Classify { image, .. } => match frames::classify(slot, &image).await {
            Ok(probabilities) => out.send(&Report::Probabilities { run, probabilities }),
            Err(e) => out.send(&Report::Message { run, text: format!("The drawn digit could not be read: {e}.") }),
        },
        // Handled by `handle`: they need no existing run, or are about the run list.
        Command::Open { .. } | Command::Bench { .. } | Command::Remove { .. } | Command::Fork { .. } => {}
    }
}

/// Build a run from a link — first trained through the `before` stages when it continues another
/// run. Bad input (a formula that does not parse, a picture that cannot be used, a network too
/// large) keeps the current run and says why.
async fn open(runs: &mut BTreeMap<RunId, Slot>, run: RunId, link: &str, upload: Upload, before: &[Stage], out: &Outbox) {
    let (mut exp, _) = Experiment::from_link(link);
    if upload != Upload::None {
        exp.image = UPLOAD.into();
    }
    let refuse = |why: String, formula: bool| out.send(&Report::Refused { run, why, formula });
    if exp.kind == Kind::Fit1d {
        if let Err(msg) = exp.target() {
            return refuse(msg, true);
        }
    }
    if exp.kind == Kind::Surface {
        if let Err(msg) = playground_config::data::surface::Surface::of(&exp.dataset, &exp.formula) {
            return refuse(msg, true);
        }
    }
    if let Upload::New(bytes) = upload {
        if let Err(e) = pictures::accept_upload(&bytes) {
            return refuse(format!("the file was not used: {e}. The current picture and its training are kept"), false);
        }
    }
    let mut assets = Assets::default();
    match exp.kind {
        Kind::Image => match pictures::picture_for(&exp).await {
            Ok(p) => assets.picture = Some(p),
            Err(e) => return refuse(format!("the picture could not be used: {e}. The previous experiment is kept"), false),
        },
        Kind::Digits => match pictures::digits().await {
            Ok(d) => assets.digits = Some(d),
            Err(e) => return refuse(format!("the digits could not be loaded: {e}. Check the connection and try again"), false),
        },
        Kind::Fit1d | Kind::Field | Kind::Surface => {}
    }
    let chosen = backend::choose(exp.backend).await;
    // A fork is built as the run it continues: the same shape, seeds and data.
    let origin = before.first().map(|s| Experiment::from_link(&s.link).0).unwrap_or_else(|| exp.clone());
    let built = Run::from_experiment(&origin, assets, &chosen.device).await;
    let mut new = match built {
        Ok(r) => r,
        Err(e) => return refuse(format!("this experiment cannot start: {e}"), false),
    };
    if let Err(why) = replay_stages(&mut new, before).await {
        return refuse(format!("the run it continues could not be replayed: {why}"), false);
    }
    new.set_learning_rate(exp.learning_rate);
    new.set_schedule(Schedule::of(&exp));
    install(runs, run, Slot::new(new, chosen, exp), out).await;
}

/// A new or rebuilt run takes its place: the page hears of its backend, its size and its first
/// frame, and the timelines share the memory budget again.
async fn install(runs: &mut BTreeMap<RunId, Slot>, run: RunId, mut slot: Slot, out: &Outbox) {
    auto::report(run, &slot, out);
    out.send(&Report::Opened { run, parameters: slot.readout.parameters });
    publish(run, &mut slot, out, true).await;
    runs.insert(run, slot);
    share_timeline_budget(runs);
}

/// Train `run` through the stages of the runs it continues, each with its settings until its step.
async fn replay_stages(run: &mut Run, stages: &[Stage]) -> Result<(), String> {
    for stage in stages {
        let (exp, _) = Experiment::from_link(&stage.link);
        run.set_learning_rate(exp.learning_rate);
        run.set_schedule(Schedule::of(&exp));
        while run.steps() < stage.until {
            let advanced = run.advance((stage.until - run.steps()).min(4096)).await?;
            if let Some(d) = advanced.diverged {
                return Err(format!("{} at step {}", d.why, d.at));
            }
        }
    }
    Ok(())
}

/// Every run's timeline gets an equal share of the memory budget.
fn share_timeline_budget(runs: &mut BTreeMap<RunId, Slot>) {
    let share = TIMELINE_BYTES / runs.len().max(1);
    for slot in runs.values_mut() {
        slot.run.set_timeline_budget(share);
    }
}

/// A new run `run` continuing from run `from` at its kept step `step` (same experiment and
/// backend; it then lives on its own).
async fn fork(runs: &mut BTreeMap<RunId, Slot>, run: RunId, from: RunId, step: u64, out: &Outbox) {
    let Some(parent) = runs.get(&from) else { return };
    let Some(forked) = parent.run.fork(step) else {
        out.send(&Report::Refused { run, why: format!("step {step} is no longer kept in the timeline"), formula: false });
        return;
    };
    let mut exp = parent.exp.clone();
    exp.step = 0;
    let mut slot = Slot::new(forked, parent.backend.clone(), exp);
    slot.auto = parent.auto.for_fork(slot.exp.backend, slot.backend.active);
    install(runs, run, slot, out).await;
}

/// One lockstep round: the playing runs furthest behind advance one chunk, none passes them.
async fn train_round(runs: &mut BTreeMap<RunId, Slot>, out: &Outbox) {
    let playing: Vec<RunId> = runs.iter().filter(|(_, s)| s.playing).map(|(&id, _)| id).collect();
    let sharing = playing.len();
    let paces: Vec<Pace> = playing.iter().map(|id| Pace { steps: runs[id].run.steps(), stop_at: runs[id].stop_at() }).collect();
    let chunk = playing.iter().map(|id| runs[id].chunk).min().unwrap_or(1);
    let plan = lockstep(&paces, chunk);
    for (id, n) in playing.into_iter().zip(plan) {
        let Some(slot) = runs.get_mut(&id) else { continue };
        if slot.stop_at().is_some_and(|s| slot.run.steps() >= s) {
            target_reached(id, slot, out).await;
        } else if n > 0 {
            train_chunk(id, slot, n, sharing, out).await;
        }
    }
}

/// `n` steps of a playing run (one of `sharing` in lockstep), then a frame if one is due.
async fn train_chunk(run: RunId, slot: &mut Slot, n: u64, sharing: usize, out: &Outbox) {
    let started = now_ms();
    let done = step(run, slot, n, out).await;
    let took = now_ms() - started;
    if done > 0 {
        slot.adapt_chunk(took / done as f64, sharing);
    }
    if slot.playing {
        auto::after_chunk(run, slot, done, took, out).await;
    }
    if !slot.playing {
        return; // stopped by itself: `step` said why and sent the final frame
    }
    if slot.exp.step > 0 && slot.run.steps() >= slot.exp.step {
        target_reached(run, slot, out).await;
        return;
    }
    publish(run, slot, out, false).await;
}

/// The link's step is reached: pause there and drop the target, so play goes on from here.
async fn target_reached(run: RunId, slot: &mut Slot, out: &Outbox) {
    slot.playing = false;
    slot.exp.step = 0;
    publish(run, slot, out, true).await;
    out.send(&Report::Paused { run, at: slot.run.steps(), target_reached: true });
}

/// Advance by `n` steps and say what happened; returns the steps taken.
async fn step(run: RunId, slot: &mut Slot, n: u64, out: &Outbox) -> u64 {
    if let Some(why) = slot.run.nothing_to_train() {
        slot.playing = false;
        out.send(&Report::Message { run, text: why.into() });
        out.send(&Report::Paused { run, at: slot.run.steps(), target_reached: false });
        return 0;
    }
    let started = now_ms();
    match slot.run.advance(n).await {
        Ok(advanced) => {
            if slot.backend.compiling && advanced.steps > 0 {
                slot.backend.compiling = false;
                auto::report(run, slot, out);
            }
            report(run, slot, &advanced, now_ms() - started, out).await;
            advanced.steps
        }
        Err(e) => {
            fall_back_to_cpu(run, slot, e, out).await;
            0
        }
    }
}

/// Tell the page what a piece of training did: its events, a divergence (the run stops and says
/// which weights are back), or the new loss and speed.
async fn report(run: RunId, slot: &mut Slot, advanced: &Advanced, elapsed_ms: f64, out: &Outbox) {
    for event in &advanced.events {
        out.send(&Report::Message { run, text: event.describe() });
    }
    slot.readout.steps = slot.run.steps();
    if let Some(d) = &advanced.diverged {
        slot.playing = false;
        slot.readout.loss = None;
        out.send(&Report::Message {
            run,
            text: format!(
                "Stopped: {} (step {}). Training is paused and the weights of step {} are back. Try a smaller learning rate.",
                d.why, d.at, d.restored_to
            ),
        });
        publish(run, slot, out, true).await;
        out.send(&Report::Paused { run, at: slot.run.steps(), target_reached: false });
        return;
    }
    if advanced.last_loss.is_some() {
        slot.readout.loss = advanced.last_loss;
    }
    if advanced.steps > 0 {
        let rate = (advanced.steps as f64 / elapsed_ms.max(0.001) * 1000.0) as f32;
        let r = &mut slot.readout.steps_per_sec;
        *r = if *r == 0.0 { rate } else { 0.9 * *r + 0.1 * rate };
    }
}

/// A GPU error or lost device: continue on the CPU with the run's whole state when the GPU can
/// still be read (the same move as forcing the CPU), else from its newest checkpoint.
async fn fall_back_to_cpu(run: RunId, slot: &mut Slot, error: String, out: &Outbox) {
    slot.playing = false;
    slot.chunk = 1;
    let chosen = backend::cpu(format!("WebGPU failed during training ({error}); switched to the CPU path"));
    let text = match slot.transfer(&chosen.device).await {
        Ok(()) => format!(
            "The GPU stopped working; training moved to the CPU at step {} with its weights and optimiser state. Press play to continue.",
            slot.run.steps()
        ),
        Err(_) => {
            // The undo marks hold tensors of the lost device.
            slot.undo.clear();
            format!(
                "The GPU stopped working; training moved to the CPU and kept the weights of step {}. Press play to continue.",
                slot.run.move_to(&chosen.device).await
            )
        }
    };
    slot.backend = chosen;
    slot.auto.phase = auto::Phase::Settled;
    slot.auto.timings.webgpu_ms = Some(f64::INFINITY);
    auto::report(run, slot, out);
    out.send(&Report::Message { run, text });
    publish(run, slot, out, true).await;
    out.send(&Report::Paused { run, at: slot.run.steps(), target_reached: false });
}

/// Send a frame if one is due (`force`: now), and the detail view of pictures when stale.
async fn publish(run: RunId, slot: &mut Slot, out: &Outbox, force: bool) {
    let now = now_ms();
    if !force && !slot.frame_due(now) {
        if slot.readout_due(now) {
            slot.readout_at = now;
            out.send(&Report::Readout { run, readout: slot.readout.clone() });
        }
        return;
    }
    slot.frame_at = now;
    match frames::frame(slot).await {
        Ok(frame) => out.send(&Report::Frame { run, frame: Box::new(frame) }),
        Err(e) => out.send(&Report::Message { run, text: format!("The view could not be drawn: {e}.") }),
    }
    if slot.exp.kind == Kind::Image && (force || slot.detail_due(now_ms())) {
        send_detail(run, slot, out).await;
    }
}

async fn send_detail(run: RunId, slot: &mut Slot, out: &Outbox) {
    slot.detail_at = now_ms();
    if let Ok(Some(detail)) = frames::detail(slot).await {
        out.send(&Report::Detail { run, detail });
    }
}

fn momentum(carried: bool) -> &'static str {
    if carried {
        "the optimiser keeps its momentum"
    } else {
        "the optimiser restarts"
    }
}

/// Grow the network by one knot per input grid, next to the worst-fitted training point.
async fn insert_knot(run: RunId, slot: &mut Slot, out: &Outbox) {
    slot.before_change("the knot insertion");
    let text = match slot.run.insert_knot().await {
        Ok(inserted) => format!(
            "Inserted a knot next to x = {:.3}, where the fit was worst: the function is unchanged; {}.",
            inserted.x,
            momentum(inserted.carried)
        ),
        Err(e) => {
            slot.undo.pop();
            format!("Could not insert a knot: {e}.")
        }
    };
    out.send(&Report::Message { run, text });
    publish(run, slot, out, true).await;
}

/// h- or p-refine a piecewise-polynomial network in place: same function, more parameters; the
/// experiment (and the page's link) then names the refined shape.
async fn refine(run: RunId, slot: &mut Slot, how: Refinement, out: &Outbox) {
    slot.before_change(match how {
        Refinement::H => "the h-refinement",
        Refinement::P => "the p-refinement",
    });
    match slot.run.refine(how).await {
        Ok(carried) => {
            let spec = slot.run.network().spec.clone();
            if let Family::Lagrange { n, segments, .. } = spec.family {
                slot.exp.n = n;
                if slot.exp.net != playground_config::experiment::NetKind::Polynomial {
                    slot.exp.segments = segments;
                }
                slot.exp.input_segments = spec.input_segments.unwrap_or(0);
                slot.exp.output_segments = spec.output_segments.unwrap_or(0);
                out.send(&Report::Reshaped { run, link: slot.exp.to_engine_link() });
            }
            let what = match how {
                Refinement::H => "h-refined: every segment split in two",
                Refinement::P => "p-refined: one more point per segment",
            };
            out.send(&Report::Message {
                run,
                text: format!("{what}. The function is unchanged; training continues with more freedom ({}).", momentum(carried)),
            });
        }
        Err(e) => {
            slot.undo.pop();
            out.send(&Report::Message { run, text: format!("Could not refine: {e}.") })
        }
    }
    publish(run, slot, out, true).await;
}

/// Go back to the run as it was before its newest structural change (weights, optimiser state,
/// shape, histories): the marks after it belong to the undone branch.
async fn undo(run: RunId, slot: &mut Slot, out: &Outbox) {
    let Some(undo) = slot.undo.pop() else {
        out.send(&Report::Message { run, text: "There is nothing to undo.".into() });
        return;
    };
    slot.playing = false;
    let reshaped = undo.exp != slot.exp;
    slot.run.rewind(undo.mark);
    slot.exp = undo.exp;
    slot.readout = undo.readout;
    if reshaped {
        out.send(&Report::Reshaped { run, link: slot.exp.to_engine_link() });
    }
    out.send(&Report::Message { run, text: format!("Undid {}: the run is back as it was before it (step {}).", undo.what, slot.run.steps()) });
    publish(run, slot, out, true).await;
    out.send(&Report::Paused { run, at: slot.run.steps(), target_reached: false });
}

/// Draw the run as it was at the newest kept step at or before `step`. The run is put in that
/// state only while the frame is computed, then back to the present.
async fn show(run: RunId, slot: &mut Slot, step: u64, out: &Outbox) {
    slot.playing = false;
    let Some(past) = slot.run.timeline().at_or_before(step).cloned() else { return };
    let present = slot.run.mark();
    let readout = slot.readout.clone();
    slot.readout.loss = past.loss();
    slot.run.restore(past);
    let frame = frames::frame(slot).await;
    slot.run.restore(present);
    slot.readout = readout;
    match frame {
        Ok(frame) => out.send(&Report::Past { run, frame: Box::new(frame) }),
        Err(e) => out.send(&Report::Message { run, text: format!("That step could not be drawn: {e}.") }),
    }
}
