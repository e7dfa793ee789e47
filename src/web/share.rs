//! "Copy link": the experiment's full address, optionally with the current step so that opening
//! it trains to exactly that step and pauses.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use super::state::Ui;
use super::url;
use playground_config::data::points::LINK_POINTS;
use playground_config::experiment::{BackendChoice, UPLOAD};

#[component]
pub fn SharePanel(ui: Ui) -> impl IntoView {
    let with_step = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    let link = move || {
        let mut c = ui.comparison();
        // Runs in lockstep share their step count; a run that has not caught up yet replays less.
        let step = if with_step.get() { ui.runs.with(|r| r.iter().map(|r| r.readout.with(|r| r.steps)).min().unwrap_or(0)) } else { 0 };
        for e in &mut c.runs {
            e.step = step;
        }
        url::absolute(&c)
    };
    let copy = move |_| {
        let text = link();
        spawn_local(async move {
            let copied = match web_sys::window() {
                Some(w) => JsFuture::from(w.navigator().clipboard().write_text(&text)).await.is_ok(),
                None => false,
            };
            status.set(if copied {
                "Copied. Whoever opens it gets this experiment, seeds included.".into()
            } else {
                "The browser did not allow copying: select the link above and copy it.".into()
            });
        });
    };
    view! {
        <section class="panel" aria-label="Share">
            <h2>"Share"</h2>
            <button data-testid="share" class="wide" on:click=copy>"Copy link"</button>
            <label class="field check">
                <input type="checkbox" data-testid="share-step" prop:checked=move || with_step.get()
                    on:change=move |ev| with_step.set(event_target_checked(&ev)) />
                <span>"Replay to the current step"</span>
            </label>
            <p class="share-link" data-testid="share-link">{link}</p>
            <p class="hint" role="status">{move || status.get()}</p>
            <p class="hint" data-testid="replay-promise">{move || {
                let all_cpu = ui.runs.with(|r| r.iter().all(|r| r.exp.with(|e| e.backend == BackendChoice::Cpu)));
                if all_cpu {
                    "On the CPU path (backend=cpu) the link replays bit for bit, on any machine."
                } else {
                    "Bit-for-bit replay is promised on the CPU path (choose Backend: CPU). With auto or WebGPU part of the training may run on a GPU, whose rounding differs: the replay then comes close, not exactly the same."
                }
            }}</p>
            <Show when=move || ui.exp().with(|e| e.on_user_points() && !e.user_points.fit_in_link())>
                <p class="hint" data-testid="points-not-in-link">{move || format!(
                    "Your {} points are too many for a link (at most {LINK_POINTS}): whoever opens it gets an empty plot and a note to load the same CSV.",
                    ui.exp().with(|e| e.user_points.len())
                )}</p>
            </Show>
            <Show when=move || ui.exp().with(|e| e.image == UPLOAD && e.kind == playground_config::experiment::Kind::Image)>
                <p class="hint">"An uploaded picture cannot travel in a link: whoever opens it sees the cat."</p>
            </Show>
        </section>
    }
}
