//! The page shell: header, controls, plots and readouts.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::controls::{Buttons, Controls};
use super::state::Ui;
use super::{driver, plot, url};

/// A loss as a plain number (shortest text that reads back to the same f32), for people and tests.
fn plain(v: Option<f32>) -> String {
    v.map(|l| l.to_string()).unwrap_or_else(|| "–".into())
}

#[component]
pub fn App() -> impl IntoView {
    let (exp, notices) = url::read();
    let train_to_step = exp.step > 0;
    let ui = Ui::new(exp, notices);
    let fit_canvas = NodeRef::<leptos::html::Canvas>::new();
    let loss_canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let frame = ui.frame.get();
        if let Some(c) = fit_canvas.get() {
            plot::draw_fit(&c, &frame);
        }
        if let Some(c) = loss_canvas.get() {
            plot::draw_loss(&c, &frame);
        }
    });
    spawn_local(async move {
        driver::rebuild(ui).await;
        if train_to_step {
            ui.running.set(true);
        }
    });
    spawn_local(driver::run(ui));

    view! {
        <header>
            <h1>"Piecewise Playground"</h1>
            <p class="tagline">"Every synapse is a learnable function. Train a small network live, right here."</p>
        </header>
        <div class="notices" data-testid="notice" role="status">
            {move || ui.notices.get().into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
        </div>
        <main>
            <aside class="controls">
                <Buttons ui=ui />
                <Controls ui=ui />
            </aside>
            <section class="stage">
                <div class="readouts">
                    <div class="backend-badge">
                        <span class="k">"Backend "</span>
                        <strong data-testid="backend">{move || ui.backend.get().label}</strong>
                        <span class="why" data-testid="backend-reason">{move || format!(" — {}", ui.backend.get().reason)}</span>
                    </div>
                    <div><span class="k">"Step "</span><strong data-testid="steps">{move || ui.readout.get().steps}</strong></div>
                    <div><span class="k">"Train loss "</span><strong data-testid="loss">{move || plain(ui.readout.get().loss)}</strong></div>
                    <div><span class="k">"Test loss "</span><strong data-testid="test-loss">{move || plain(ui.readout.get().test_loss)}</strong></div>
                    <div><span class="k">"Steps/s "</span><strong data-testid="steps-per-sec">{move || format!("{:.0}", ui.readout.get().steps_per_sec)}</strong></div>
                    <div><span class="k">"Parameters "</span><strong data-testid="params">{move || ui.readout.get().parameters}</strong></div>
                </div>
                <p class="message" role="alert" data-testid="message">{move || ui.message.get()}</p>
                <canvas node_ref=fit_canvas data-testid="plot" width="760" height="420"
                    aria-label="Training points (grey), test points (red), target (green), network prediction (blue), knots (orange ticks)"></canvas>
                <p class="legend">
                    <span class="sw train"></span>"train " <span class="sw test"></span>"test " <span class="sw clean"></span>"target "
                    <span class="sw pred"></span>"prediction " <span class="sw knot"></span>"knots"
                </p>
                <canvas node_ref=loss_canvas data-testid="loss-plot" width="760" height="200"
                    aria-label="Training loss (blue) and test loss (red) against steps, log scale"></canvas>
            </section>
        </main>
        <footer>
            <p>"Runs entirely in your browser: Rust compiled to WebAssembly, burn for tensors, WebGPU when available. The address bar always holds a link to this exact experiment."</p>
        </footer>
    }
}
