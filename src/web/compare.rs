//! The runs side by side as cards in one table: what each run is, how far it got and how well it
//! does, with "Compare" (a copy of the edited run), presets, "equal budget" and closing a card.
//! Clicking a card makes it the run the controls edit.

use leptos::prelude::*;

use playground_config::compare::{Preset, MAX_RUNS};
use playground_config::experiment::{Experiment, Kind, NetKind};

use super::plot::run_css;
use super::runs;
use super::state::{RunView, Ui};

/// A short name of a run's network, e.g. "PWL, 12 knots" or "ReLU 1×8".
fn summary(e: &Experiment) -> String {
    let origin = e.fork.map(|f| format!(" — continues run {} from step {}", f.parent, f.step)).unwrap_or_default();
    format!("{}{origin}", network(e))
}

fn network(e: &Experiment) -> String {
    let hidden = if e.depth > 0 { format!(", {}×{}", e.depth, e.width) } else { String::new() };
    // What the polynomial families' extra options change, when they are on.
    let mut extras = String::new();
    if e.net.has_segments() && e.input_segments > 0 {
        extras += &format!(", first layer {} seg", e.input_segments);
    }
    if e.net.has_segments() && e.output_segments > 0 {
        extras += &format!(", output layer {} seg", e.output_segments);
    }
    if e.net.is_lagrange() && e.periodicity > 0.0 {
        extras += &format!(", mirror period {}", e.periodicity);
    }
    let hidden = format!("{hidden}{extras}");
    match e.net {
        NetKind::Pwl => format!("PWL, {} knots{hidden}{}", e.knots, if e.move_every > 0 { format!(", moves every {}", e.move_every) } else { String::new() }),
        NetKind::Mlp => format!("{} MLP{hidden}", e.activation.name()),
        NetKind::Continuous => format!("continuous, {} seg × n={}{hidden}", e.segments, e.n),
        NetKind::Discontinuous => format!("discontinuous, {} seg × n={}{hidden}", e.segments, e.n),
        NetKind::Polynomial => format!("polynomial, n={}{hidden}", e.n),
        NetKind::Fourier => format!("Fourier, n={}{hidden}", e.n),
    }
}

/// A loss, exactly (the shortest text that reads back to the same f32), in scientific notation
/// when small so that the table stays narrow.
fn plain(v: Option<f32>) -> String {
    match v {
        Some(l) if l != 0.0 && l.abs() < 1e-3 => format!("{l:e}"),
        Some(l) => l.to_string(),
        None => "–".into(),
    }
}

#[component]
fn RunCard(ui: Ui, run: RunView) -> impl IntoView {
    let index = move || ui.index_of(run.id);
    let edited = move || ui.current.get() == run.id;
    let kind = move || run.exp.with(|e| e.kind);
    let shown = move || run.shown_readout();
    let quality = move || {
        let r = shown();
        match kind() {
            Kind::Image => r.psnr.map(|p| format!("{p:.2} dB")),
            Kind::Field | Kind::Digits => r.accuracy.map(|a| format!("{a:.1} %")),
            Kind::Fit1d | Kind::Surface => None,
        }
        .unwrap_or_else(|| "–".into())
    };
    let pieces = move || run.with_drawn(|f| match &f.pieces {
        Some(Ok(p)) => p.count().to_string(),
        _ => "–".into(),
    });
    let ms_per_step = move || run.readout.with(|r| if r.steps_per_sec > 0.0 { format!("{:.2}", 1000.0 / r.steps_per_sec) } else { "–".into() });
    view! {
        <tr data-testid="run-card" class:edited=edited on:click=move |_| ui.current.set(run.id)>
            <th scope="row">
                <span class="swatch" style:background=move || run_css(index())></span>
                <button class="link" aria-pressed=move || edited().to_string() title="Edit this run with the controls">
                    {move || format!("Run {}", index() + 1)}
                </button>
            </th>
            <td class="net">{move || run.exp.with(summary)}</td>
            <td data-testid="params">{move || shown().parameters}</td>
            <td data-testid="steps">{move || shown().steps}</td>
            <td data-testid="loss">{move || plain(shown().loss)}</td>
            <td data-testid="test-loss">{move || plain(shown().test_loss)}</td>
            <Show when=move || kind() == Kind::Fit1d>
                <td data-testid="run-pieces">{pieces}</td>
            </Show>
            <Show when=move || kind() != Kind::Fit1d>
                <td data-testid="quality">{quality}</td>
            </Show>
            <td data-testid="ms-per-step">{ms_per_step}</td>
            <td class="actions">
                <Show when=move || { index() > 0 }>
                    <button data-testid="equal-budget" title="Set this run's width or knots so its parameter count matches run 1's"
                        on:click=move |ev| { ev.stop_propagation(); runs::match_budget(ui, run.id) }>"Equal budget"</button>
                </Show>
                <Show when=move || ui.runs.with(|r| r.len() > 1)>
                    <button data-testid="run-remove" aria-label=move || format!("Close run {}", index() + 1)
                        on:click=move |ev| { ev.stop_propagation(); runs::remove(ui, run.id) }>"✕"</button>
                </Show>
            </td>
        </tr>
    }
}

#[component]
pub fn RunCards(ui: Ui) -> impl IntoView {
    let quality_head = move || match ui.exp().with(|e| e.kind) {
        Kind::Image => Some("PSNR"),
        Kind::Field | Kind::Digits => Some("Test accuracy"),
        Kind::Fit1d | Kind::Surface => None,
    };
    let full = move || ui.runs.with(|r| r.len() >= MAX_RUNS);
    view! {
        <section class="compare" aria-label="Runs side by side">
            <div class="compare-bar">
                <button data-testid="compare-add" disabled=full
                    title="Add a run that starts as a copy of the edited one; the data are shared, everything else is its own"
                    on:click=move |_| runs::add_copy(ui)>"+ Compare"</button>
                <label class="field inline">
                    <span>"Preset"</span>
                    <select data-testid="compare-preset" on:change=move |ev| {
                        let name = event_target_value(&ev);
                        if let Some(p) = Preset::from_name(&name) { runs::preset(ui, p) }
                    }>
                        <option value="" selected=true>"choose…"</option>
                        {Preset::ALL.into_iter().map(|p| view! { <option value=p.name() title=p.description()>{p.label()}</option> }).collect_view()}
                    </select>
                </label>
                <span class="hint">{move || if full() { format!("{MAX_RUNS} runs at most.") } else { "Runs train in lockstep on the same data.".into() }}</span>
            </div>
            <div class="runs-scroll">
            <table class="runs">
                <thead><tr>
                    <th scope="col">"Run"</th><th scope="col">"Network"</th><th scope="col">"Parameters"</th><th scope="col">"Step"</th>
                    <th scope="col">"Train loss"</th><th scope="col">"Test loss"</th>{move || (ui.exp().with(|e| e.kind) == Kind::Fit1d).then(|| view! { <th scope="col">"Pieces"</th> })}{move || quality_head().map(|h| view! { <th scope="col">{h}</th> })}
                    <th scope="col">"ms/step"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    <For each=move || ui.runs.get() key=|r| r.id let:run>
                        <RunCard ui=ui run=run />
                    </For>
                </tbody>
            </table>
            </div>
        </section>
    }
}
