//! `backend=auto`: a run starts on the CPU path at once, WebGPU starts and compiles its kernels in
//! the background, then the same run trains a few hundred milliseconds on each and stays on the
//! faster (`playground_config::backend_pick`). The steps timed count towards training; the run
//! moves between devices with its whole state (`Run::transfer`), so its loss curve goes on.
//!
//! What was measured for a network shape, batch and row count is remembered for this worker's
//! lifetime: a new run of a shape already found faster on the CPU (a new seed, other noise) skips
//! the WebGPU trial.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use playground_config::backend_pick::{Engine, Timings};
use playground_config::experiment::BackendChoice;
use playground_config::protocol::{Report, RunId};
use playground_engine::snapshot::read;

use crate::backend::{self, GpuState};
use crate::outbox::Outbox;
use crate::slot::Slot;

/// How long each backend is timed (ms of training) before the figure counts.
const MEASURE_MS: f64 = 300.0;
/// Chunks on WebGPU not timed after the move (the views' kernels compile on first use).
const SKIP_ON_GPU: u32 = 2;
/// Steps the background copy takes on WebGPU to compile the training kernels.
const WARM_STEPS: usize = 3;

thread_local! {
    /// Timings measured per shape (`shape_key`), for later runs of the same shape.
    static MEASURED: RefCell<HashMap<String, Timings>> = RefCell::new(HashMap::new());
}

pub enum Phase {
    /// Nothing to measure: the backend was forced, WebGPU is absent, or the choice is made.
    Settled,
    /// On the CPU path, timing its chunks while WebGPU starts.
    Timing,
    /// A copy of the run takes a few steps on WebGPU in the background (compiling its kernels);
    /// the run trains on meanwhile. The cell says when the copy is done.
    Warming(Rc<RefCell<Option<Result<(), String>>>>),
    /// The run trains on WebGPU; its chunks are timed there.
    Trying { skipped: u32 },
}

pub struct Auto {
    pub phase: Phase,
    pub timings: Timings,
    /// The parameter count the choice was made for: a refinement or knot insertions that double
    /// (or halve) it while the run lives make `auto` measure again — one inserted knot does not.
    decided_for: Option<usize>,
    /// Per-step times (ms) of the chunks timed on the current backend, and their total time.
    samples: Vec<f64>,
    sampled_ms: f64,
}

impl Auto {
    /// The state of a new run on `active`, chosen by `choice`.
    pub fn new(choice: BackendChoice, active: Engine) -> Auto {
        let phase = if choice == BackendChoice::Auto && active == Engine::Cpu { Phase::Timing } else { Phase::Settled };
        Auto { phase, timings: Timings::default(), decided_for: None, samples: Vec::new(), sampled_ms: 0.0 }
    }

    /// A copy of a run's state for its fork (same shape): the figures carry over; a decision in
    /// progress starts again on the fork's backend.
    pub fn for_fork(&self, choice: BackendChoice, active: Engine) -> Auto {
        let mut fork = Auto::new(choice, active);
        fork.timings = self.timings;
        if matches!(self.phase, Phase::Settled) {
            fork.phase = Phase::Settled;
            fork.decided_for = self.decided_for;
        }
        fork
    }

    fn sample(&mut self, per_step_ms: f64, chunk_ms: f64) {
        self.samples.push(per_step_ms);
        self.sampled_ms += chunk_ms;
        // A rolling window: the figure follows the machine's load while the CPU waits for WebGPU.
        if self.samples.len() > 64 {
            self.samples.remove(0);
        }
    }

    fn median(&self) -> Option<f64> {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        s.get(s.len() / 2).copied()
    }

    fn restart_sampling(&mut self) {
        self.samples.clear();
        self.sampled_ms = 0.0;
    }
}

/// The key of what makes the backends' speeds differ: the network's shape, the batch and the
/// number of training rows.
fn shape_key(slot: &Slot) -> String {
    let t = slot.run.trainer();
    format!("{:?}|{}|{}", slot.run.network().spec, t.config().batch, t.rows().len())
}

/// The page hears the run's backend, why, and the figures measured so far.
pub fn report(run: RunId, slot: &Slot, out: &Outbox) {
    out.send(&Report::Backend { run, engine: slot.backend.active, reason: slot.backend.shown_reason(), timings: slot.auto.timings });
}

/// After a chunk of `steps` that took `chunk_ms`: time it, and move the decision on.
pub async fn after_chunk(run: RunId, slot: &mut Slot, steps: u64, chunk_ms: f64, out: &Outbox) {
    if steps == 0 {
        return;
    }
    if matches!(slot.auto.phase, Phase::Settled) {
        let now = slot.run.network().spec.parameter_count() as f64;
        let reshaped = slot.auto.decided_for.is_some_and(|p| now > 2.0 * p as f64 || now < 0.5 * p as f64);
        if !(reshaped && slot.exp.backend == BackendChoice::Auto) {
            return;
        }
        // The network grew or shrank a lot: its speeds on the two backends are not those measured.
        slot.auto.timings = Timings::default();
        slot.auto.decided_for = None;
        slot.auto.restart_sampling();
        slot.auto.phase = if slot.backend.active == Engine::WebGpu { Phase::Trying { skipped: 0 } } else { Phase::Timing };
    }
    let per_step = chunk_ms / steps as f64;
    match &slot.auto.phase {
        Phase::Settled => {}
        Phase::Timing => {
            slot.auto.sample(per_step, chunk_ms);
            if slot.auto.sampled_ms < MEASURE_MS {
                return;
            }
            slot.auto.timings.cpu_ms = slot.auto.median();
            if let Some(known) = MEASURED.with(|m| m.borrow().get(&shape_key(slot)).copied()) {
                if known.pick(Engine::Cpu) == Engine::Cpu {
                    slot.auto.timings.webgpu_ms = known.webgpu_ms;
                    return settle(run, slot, "measured earlier for this network and batch", out).await;
                }
            }
            match backend::webgpu_state() {
                GpuState::Starting => {}
                GpuState::Absent(why) => {
                    slot.auto.phase = Phase::Settled;
                    slot.backend.reason = format!("auto: {why}");
                    report(run, slot, out);
                }
                GpuState::Ready { device, .. } => {
                    let done = Rc::new(RefCell::new(None));
                    let cell = done.clone();
                    let trainer = slot.run.trainer().clone();
                    // The copy's steps compile the training kernels; their results are dropped.
                    wasm_bindgen_futures::spawn_local(async move {
                        let warmed = async {
                            let mut copy = trainer.transferred(&device).await?;
                            let mut loss = None;
                            for _ in 0..WARM_STEPS {
                                loss = Some(copy.step());
                            }
                            read(loss.ok_or("no step")?).await.map(|_| ())
                        };
                        *cell.borrow_mut() = Some(warmed.await);
                    });
                    slot.auto.phase = Phase::Warming(done);
                    slot.backend.reason = "auto: training on the CPU path while WebGPU compiles its kernels in the background".into();
                    report(run, slot, out);
                }
            }
        }
        Phase::Warming(done) => {
            let outcome = done.borrow().clone();
            slot.auto.sample(per_step, chunk_ms);
            slot.auto.timings.cpu_ms = slot.auto.median();
            match outcome {
                None => {}
                Some(Err(e)) => {
                    slot.auto.timings.webgpu_ms = Some(f64::INFINITY);
                    slot.auto.phase = Phase::Settled;
                    slot.backend.reason = format!("auto: WebGPU could not train this network ({e}); the CPU path");
                    report(run, slot, out);
                }
                Some(Ok(())) => {
                    let GpuState::Ready { device, adapter } = backend::webgpu_state() else { return };
                    match slot.transfer(&device).await {
                        Ok(()) => {
                            slot.backend = backend::gpu(device, &format!("auto: measuring WebGPU ({adapter}) on this run"));
                            slot.auto.phase = Phase::Trying { skipped: 0 };
                            slot.auto.restart_sampling();
                            report(run, slot, out);
                        }
                        Err(e) => {
                            slot.auto.phase = Phase::Settled;
                            slot.backend.reason = format!("auto: the run could not move to WebGPU ({e}); the CPU path");
                            report(run, slot, out);
                        }
                    }
                }
            }
        }
        Phase::Trying { skipped } => {
            if *skipped < SKIP_ON_GPU {
                slot.auto.phase = Phase::Trying { skipped: skipped + 1 };
                return;
            }
            slot.auto.sample(per_step, chunk_ms);
            if slot.auto.sampled_ms < MEASURE_MS {
                return;
            }
            slot.auto.timings.webgpu_ms = slot.auto.median();
            if slot.auto.timings.cpu_ms.is_some() {
                MEASURED.with(|m| m.borrow_mut().insert(shape_key(slot), slot.auto.timings));
                settle(run, slot, "", out).await;
            } else {
                // Reshaped while on WebGPU: time the CPU path too before choosing.
                let moved = move_to_cpu(slot, "auto: timing the CPU path on this run".into()).await;
                slot.auto.restart_sampling();
                slot.auto.phase = if moved.is_ok() { Phase::Timing } else { Phase::Settled };
                report(run, slot, out);
            }
        }
    }
}

/// Put the run on the backend its figures pick (from the CPU's point of view: WebGPU must beat
/// it by the margin), and say so.
async fn settle(run: RunId, slot: &mut Slot, note: &str, out: &Outbox) {
    slot.auto.phase = Phase::Settled;
    slot.auto.decided_for = Some(slot.run.network().spec.parameter_count());
    let choice = slot.auto.timings.pick(Engine::Cpu);
    if choice != slot.backend.active {
        let moved = match choice {
            Engine::Cpu => move_to_cpu(slot, String::new()).await,
            Engine::WebGpu => match backend::webgpu_state() {
                GpuState::Ready { device, .. } => move_to_gpu(slot, device, String::new()).await,
                _ => Err("WebGPU is not ready".into()),
            },
        };
        if let Err(e) = moved {
            out.send(&Report::Message { run, text: format!("The run could not change backend ({e}); it stays on {}.", slot.backend.active.label()) });
        }
    }
    let why = slot.auto.timings.comparison().unwrap_or_default();
    slot.backend.reason = if note.is_empty() { format!("auto, measured on this run: {why}") } else { format!("auto, {note}: {why}") };
    report(run, slot, out);
}

async fn move_to_cpu(slot: &mut Slot, reason: String) -> Result<(), String> {
    let chosen = backend::cpu(reason);
    slot.transfer(&chosen.device).await?;
    slot.backend = chosen;
    Ok(())
}

async fn move_to_gpu(slot: &mut Slot, device: burn::tensor::Device, reason: String) -> Result<(), String> {
    slot.transfer(&device).await?;
    slot.backend = backend::gpu(device, &reason);
    Ok(())
}

/// The backend setting changed while the run lives: move it (with its whole state) and say so.
/// Forcing wins over any measurement; back to `auto`, a run on the CPU measures again.
pub async fn set_choice(run: RunId, slot: &mut Slot, choice: BackendChoice, out: &Outbox) {
    let moved = match choice {
        BackendChoice::Cpu => {
            slot.auto.phase = Phase::Settled;
            if slot.backend.active == Engine::Cpu {
                slot.backend.reason = "you chose the CPU path".into();
                Ok(())
            } else {
                move_to_cpu(slot, "you chose the CPU path".into()).await
            }
        }
        BackendChoice::WebGpu => {
            slot.auto.phase = Phase::Settled;
            let wanted = backend::webgpu().await;
            if wanted.active != Engine::WebGpu {
                Err(wanted.reason)
            } else if slot.backend.active == Engine::WebGpu {
                slot.backend.reason = wanted.reason;
                Ok(())
            } else {
                let moved = move_to_gpu(slot, wanted.device, wanted.reason).await;
                slot.backend.compiling = moved.is_ok();
                moved
            }
        }
        BackendChoice::Auto => {
            backend::start_webgpu();
            slot.auto = Auto::new(choice, slot.backend.active);
            if slot.backend.active == Engine::WebGpu {
                slot.auto.phase = Phase::Trying { skipped: 0 };
                slot.backend.reason = "auto: measuring WebGPU on this run".into();
            } else {
                slot.backend.reason = "auto: on the CPU path; WebGPU is measured on this run while it trains".into();
            }
            Ok(())
        }
    };
    match moved {
        Ok(()) => out.send(&Report::Message {
            run,
            text: format!("Training is on {} now, at step {}: weights, optimiser state and history came along.", slot.backend.active.label(), slot.run.steps()),
        }),
        Err(e) => out.send(&Report::Message { run, text: format!("The run stays on {}: {e}.", slot.backend.active.label()) }),
    }
    report(run, slot, out);
}
