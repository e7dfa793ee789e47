//! Structural changes on request: insert a knot where the fit is worst, h- or p-refine. The run
//! does the work (`core::run`); this file pauses, asks, and tells the user what happened.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::frames;
use super::session::{acquire, generation, put_back};
use super::state::{Busy, Ui};
use crate::core::experiment::NetKind;
use crate::core::grow::Refinement;
use crate::core::network::Family;

fn momentum(carried: bool) -> &'static str {
    if carried {
        "the optimiser keeps its momentum"
    } else {
        "the optimiser restarts"
    }
}

/// Grow the network by one knot per input grid, next to the worst-fitted training point.
pub async fn insert_knot(ui: Ui) {
    let _busy = Busy::new(ui);
    let was_running = ui.running.get_untracked();
    ui.running.set(false);
    TimeoutFuture::new(0).await; // let an in-flight chunk finish first
    let gen = generation();
    let Some(mut session) = acquire().await else { return };
    let result = session.run.insert_knot().await;
    let parameters = session.run.network().spec.parameter_count();
    put_back(session, gen);
    match result {
        Ok(inserted) => {
            ui.readout.update(|r| r.parameters = parameters);
            ui.message.set(Some(format!(
                "Inserted a knot next to x = {:.3}, where the fit was worst: the function is unchanged; {}.",
                inserted.x,
                momentum(inserted.carried)
            )));
            frames::publish(ui, true).await;
        }
        Err(e) => ui.message.set(Some(format!("Could not insert a knot: {e}."))),
    }
    ui.running.set(was_running);
}

/// h- or p-refine a piecewise-polynomial network in place: same function, more parameters; the
/// experiment (and the link) then names the refined shape.
pub async fn refine(ui: Ui, how: Refinement) {
    let _busy = Busy::new(ui);
    let was_running = ui.running.get_untracked();
    ui.running.set(false);
    TimeoutFuture::new(0).await; // let an in-flight chunk finish first
    let gen = generation();
    let Some(mut session) = acquire().await else { return };
    let result = session.run.refine(how).await;
    let spec = session.run.network().spec.clone();
    put_back(session, gen);
    match result {
        Ok(carried) => {
            if let Family::Lagrange { n, segments, .. } = spec.family {
                ui.exp.update(|e| {
                    e.n = n;
                    if e.net != NetKind::Polynomial {
                        e.segments = segments;
                    }
                    e.input_segments = spec.input_segments.unwrap_or(0);
                });
                super::url::push(&ui.exp.get_untracked());
            }
            ui.readout.update(|r| r.parameters = spec.parameter_count());
            let what = match how {
                Refinement::H => "h-refined: every segment split in two",
                Refinement::P => "p-refined: one more point per segment",
            };
            ui.message.set(Some(format!(
                "{what}. The function is unchanged; training continues with more freedom ({}).",
                momentum(carried)
            )));
            frames::publish(ui, true).await;
        }
        Err(e) => ui.message.set(Some(format!("Could not refine: {e}."))),
    }
    ui.running.set(was_running);
}
