//! The running session (data, trainer, backend, histories) and how it is built from the
//! experiment. One session at a time, owned by this thread; a generation counter lets async work
//! notice that the session it started on has been replaced.

//! The running session: one `core::run::Run` on the chosen backend, and how it is built from the
//! experiment. One session at a time, owned by this thread; a generation counter lets async work
//! notice that the session it started on has been replaced. Work that awaits (advancing, knot
//! insertion, refinement) takes the session out and puts it back, so no borrow is held across an
//! await; other tasks meanwhile see no session and skip or wait.

use std::cell::{Cell, RefCell};

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::backend::{self, Chosen};
use super::state::{BackendStatus, Busy, Readout, Ui};
use super::{frames, pictures};
use crate::core::experiment::Kind;
use crate::core::run::Run;

pub struct Session {
    pub run: Run,
    pub backend: Chosen,
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// Bumped whenever the session is replaced, so results of an old session are dropped.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

pub fn generation() -> u64 {
    GENERATION.with(Cell::get)
}

pub fn has_session() -> bool {
    SESSION.with(|s| s.borrow().is_some())
}

pub fn with_session<R>(f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    SESSION.with(|s| s.borrow_mut().as_mut().map(f))
}

/// Take the session out for work that awaits; give it back with `put_back`.
pub fn take_session() -> Option<Session> {
    SESSION.with(|s| s.borrow_mut().take())
}

/// Give back a session taken at generation `gen`, unless a newer one replaced it meanwhile.
pub fn put_back(session: Session, gen: u64) {
    if generation() == gen {
        SESSION.with(|s| *s.borrow_mut() = Some(session));
    }
}

/// Wait until no other task has the session out, then take it (`None` when it was replaced or
/// there is none).
pub async fn acquire() -> Option<Session> {
    let gen = generation();
    for _ in 0..2000 {
        if generation() != gen {
            return None;
        }
        if let Some(s) = take_session() {
            return Some(s);
        }
        TimeoutFuture::new(5).await;
    }
    None
}

/// Build a fresh session from the experiment: data, initial weights (from the init seed, so a
/// reset gives the same network), optimiser. Bad input (a formula that does not parse, a picture
/// that cannot be loaded) keeps the current session and says why.
pub async fn rebuild(ui: Ui) {
    let _busy = Busy::new(ui);
    let exp = ui.exp.get_untracked();
    if exp.kind == Kind::Fit1d {
        if let Err(msg) = exp.target() {
            ui.formula_error.set(Some(msg));
            return;
        }
    }
    ui.formula_error.set(None);
    let wanted_generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    let picture = match exp.kind {
        Kind::Image => match pictures::picture_for(&exp).await {
            Ok(p) => Some(p),
            Err(e) => {
                ui.message.set(Some(format!("The picture could not be used: {e}. The previous experiment is kept.")));
                return;
            }
        },
        _ => None,
    };
    let chosen = backend::choose(exp.backend).await;
    if generation() != wanted_generation {
        return; // a newer rebuild started while we waited
    }
    ui.backend.set(BackendStatus { label: chosen.label.clone(), reason: chosen.reason.clone() });
    let run = match Run::from_experiment(&exp, picture, &chosen.device).await {
        Ok(run) => run,
        Err(e) => {
            ui.message.set(Some(format!("This experiment cannot start: {e}.")));
            return;
        }
    };
    if generation() != wanted_generation {
        return;
    }
    let parameters = run.network().spec.parameter_count();
    SESSION.with(|s| *s.borrow_mut() = Some(Session { run, backend: chosen }));
    super::driver::reset_chunk();
    ui.message.set(None);
    ui.detail.set(None);
    ui.readout.set(Readout { parameters, ..Readout::default() });
    frames::publish(ui, true).await;
}
