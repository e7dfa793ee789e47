//! Structural changes while training: the two growth schedules of the seeds ("dynamic": a knot on
//! each loss plateau; "move": move the smoothest knots every N steps) and knot insertion on demand.
//! Each keeps the network's function and replaces the trainer's network in place.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::frames;
use super::session::{generation, with_session, Problem};
use super::state::Ui;
use crate::core::experiment::{Kind, NetKind};
use crate::core::carry::Carry;
use crate::core::grow::{refine_network, Plateau, Refinement};
use crate::core::network::Family;
use crate::core::snapshot::{read, Snapshot};

/// The "dynamic" schedule: when the loss stops improving, insert a knot (up to the maximum).
pub async fn grow_on_plateau(ui: Ui) {
    let (enabled, max_knots) = ui.exp.with_untracked(|e| (e.grow && e.net == NetKind::Pwl && e.kind == Kind::Fit1d, e.max_knots));
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
pub async fn move_on_schedule(ui: Ui) {
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
            // Same shapes, knots re-placed: every parameter keeps its optimiser state.
            let plan = vec![Carry::Same; crate::core::carry::parameters(&moved).len()];
            with_session(|s| s.trainer.replace_network_carrying(moved, &plan));
        }
        Ok(_) => {}
        Err(e) => ui.message.set(Some(format!("Could not move knots: {e}"))),
    }
}

/// Grow the network by one knot per input grid, next to the worst-fitted training point. The
/// function is unchanged; the optimiser keeps its state where it can (see `core::carry`).
pub async fn insert_knot(ui: Ui) {
    let was_running = ui.running.get_untracked();
    ui.running.set(false);
    TimeoutFuture::new(0).await; // let an in-flight chunk finish first
    let gen = generation();
    let Some(Some((net, xs, ys, pred))) = with_session(|s| {
        // Knots are inserted along the 1-D studio's single input; 2-D inputs have no "worst x".
        let Problem::Fit1d(samples) = &s.problem else { return None };
        let pred = s.trainer.predict(&samples.train_x);
        Some((s.trainer.network().clone(), samples.train_x.clone(), samples.train_y.clone(), pred))
    }) else {
        ui.message.set(Some("Knot insertion at the worst point is available in 1-D fits.".into()));
        ui.running.set(was_running);
        return;
    };
    let Ok(pred) = read(pred).await else { return };
    let worst = (0..xs.len()).max_by(|&a, &b| (pred[a] - ys[a]).abs().total_cmp(&(pred[b] - ys[b]).abs()));
    let Some(worst) = worst else { return };
    match crate::core::grow::insert_knot_near(&net, xs[worst]).await {
        Ok((grown, plan)) if generation() == gen => {
            let carried = adopt(ui, grown, &plan).await;
            ui.message.set(Some(format!(
                "Inserted a knot next to x = {:.3}, where the fit was worst: the function is unchanged; {}.",
                xs[worst],
                if carried { "the optimiser keeps its momentum" } else { "the optimiser restarts" }
            )));
            frames::publish(ui, true).await;
        }
        Ok(_) => {}
        Err(e) => ui.message.set(Some(format!("Could not insert a knot: {e}"))),
    }
    ui.running.set(was_running);
}

/// h- or p-refine a piecewise-polynomial network in place: same function, more parameters; the
/// experiment (and the link) then names the refined shape.
pub async fn refine(ui: Ui, how: Refinement) {
    let was_running = ui.running.get_untracked();
    ui.running.set(false);
    TimeoutFuture::new(0).await; // let an in-flight chunk finish first
    let gen = generation();
    let Some(net) = with_session(|s| s.trainer.network().clone()) else { return };
    match refine_network(&net, how).await {
        Ok((refined, plan)) if generation() == gen => {
            let spec = refined.spec.clone();
            adopt(ui, refined, &plan).await;
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
            ui.message.set(Some(match how {
                Refinement::H => "h-refined: every segment split in two. The function is unchanged; training continues with more freedom.".into(),
                Refinement::P => "p-refined: one more point per segment. The function is unchanged; training continues with more freedom.".into(),
            }));
            frames::publish(ui, true).await;
        }
        Ok(_) => {}
        Err(e) => ui.message.set(Some(format!("Could not refine: {e}"))),
    }
    ui.running.set(was_running);
}

/// Train a grown or refined network (same function, new shape) from the current step on, with
/// the optimiser state carried over by `plan`. Older good weights have the old shape, so the new
/// network becomes the fallback for divergence.
async fn adopt(ui: Ui, net: crate::core::network::Network, plan: &[Carry]) -> bool {
    let parameters = net.spec.parameter_count();
    let good = Snapshot::take(&net).await.ok();
    let carried = with_session(|s| {
        let steps = s.trainer.steps();
        let carried = s.trainer.replace_network_carrying(net, plan);
        s.last_good = good.map(|snap| (snap, steps));
        s.pending = None;
        carried
    });
    ui.readout.update(|r| r.parameters = parameters);
    carried.unwrap_or(false)
}
