//! The page shell: header, experiment tabs, controls, the stage of the current kind, readouts.

use leptos::prelude::*;

use super::controls::{Buttons, Controls};
use super::digits_lab::DigitsStage;
use super::field_lab::FieldStage;
use super::surface_lab::SurfaceStage;
use super::image_lab::ImageStage;
use super::diagram::NetworkDiagram;
use super::export::ExportPanel;
use super::share::SharePanel;
use super::state::Ui;
use super::lesson::{self, LessonPanel};
use super::compare::RunCards;
use super::offline::OfflineStatus;
use super::pieces::PiecesPanel;
use super::point_editing;
use super::points_panel::PointsLine;
use super::state::Frame;
use super::timeline::Timeline;
use super::{engine, plot, url};
use playground_config::compare::Comparison;
use playground_config::experiment::{Experiment, Kind};
use plotters::style::RGBColor;

/// A loss as a plain number (shortest text that reads back to the same f32), for people and tests.
fn plain(v: Option<f32>) -> String {
    v.map(|l| l.to_string()).unwrap_or_else(|| "–".into())
}

/// Training and test loss of every run against steps (every kind has one), with the timeline's
/// step marked.
#[component]
fn LossPlot(ui: Ui) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let runs = ui.runs.get();
        let frames: Vec<Frame> = runs.iter().map(|r| r.frame.get()).collect();
        let series: Vec<(&Frame, RGBColor)> = frames.iter().enumerate().map(|(i, f)| (f, plot::RUN_COLOURS[i % plot::RUN_COLOURS.len()])).collect();
        if let Some(c) = canvas.get() {
            plot::draw_loss(&c, &series, ui.scrub.get());
        }
    });
    let label = move || {
        if ui.runs.with(|r| r.len() > 1) {
            "Training loss (thick) and test loss (thin) of every run against steps, log scale, in the runs' colours"
        } else {
            "Training loss (blue) and test loss (red) against steps, log scale"
        }
    };
    view! {
        <canvas node_ref=canvas data-testid="loss-plot" width="760" height="200" aria-label=label></canvas>
    }
}

/// The 1-D studio's plot of data, target, every run's prediction, the edited run's knots and
/// exact breakpoints.
#[component]
fn FitStage(ui: Ui) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let press = RwSignal::new(None::<point_editing::Press>);
    Effect::new(move |_| {
        let handles = ui.exp().with(|e| point_editing::editable(e) && e.on_user_points()).then(|| point_editing::handles(press.get()));
        let runs = ui.runs.get();
        let current = ui.current.get();
        let predictions: Vec<Vec<(f32, f32)>> = runs.iter().map(|r| r.with_drawn(|f| f.prediction.clone())).collect();
        let curves: Vec<plot::RunCurve> = predictions
            .iter()
            .zip(&runs)
            .enumerate()
            .map(|(i, (points, r))| plot::RunCurve { points, colour: plot::RUN_COLOURS[i % plot::RUN_COLOURS.len()], thick: r.id == current })
            .collect();
        ui.run().with_drawn(|f| {
            let breakpoints: Vec<(f64, f64)> = match &f.pieces {
                Some(Ok(p)) => p.pieces.iter().skip(1).map(|piece| (piece.from, piece.at(piece.from))).collect(),
                _ => Vec::new(),
            };
            if let Some(c) = canvas.get() {
                plot::draw_fit(&c, f, &curves, &breakpoints, handles.as_ref());
            }
        })
    });
    let several = move || ui.runs.with(|r| r.len() > 1);
    view! {
        <canvas node_ref=canvas data-testid="plot" width="760" height="420"
            class:drawing=move || ui.exp().with(|e| point_editing::editable(e) && e.on_user_points())
            aria-label="Training points (grey), test points (red), target (green), network predictions (a colour per run), knots (orange ticks), exact breakpoints (dots)"
            on:pointerdown=move |ev| if let Some(c) = canvas.get_untracked() { point_editing::pointer_down(ui, &c, &ev, press) }
            on:pointermove=move |ev| if let Some(c) = canvas.get_untracked() { point_editing::pointer_move(ui, &c, &ev, press) }
            on:pointerup=move |ev| if let Some(c) = canvas.get_untracked() { point_editing::pointer_up(ui, &c, &ev, press) }
            on:pointercancel=move |_| press.set(None)
            on:contextmenu=move |ev| if let Some(c) = canvas.get_untracked() { point_editing::context_menu(ui, &c, &ev) }></canvas>
        <PointsLine ui=ui />
        <p class="legend">
            <span class="sw train"></span>"train " <span class="sw test"></span>"test " <span class="sw clean"></span>"target "
            {move || if several() {
                ui.runs.get().iter().enumerate().map(|(i, _)| view! {
                    <span class="sw" style:background=plot::run_css(i)></span>{format!("run {} ", i + 1)}
                }).collect_view().into_any()
            } else {
                view! { <span class="sw pred"></span>"prediction " }.into_any()
            }}
            <span class="sw knot"></span>"knots"
        </p>
        <PiecesPanel ui=ui />
    }
}

/// Whether the page opened on a screen wide enough for the controls beside the stage (the same
/// width as the stylesheet's breakpoint).
fn wide_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(min-width: 901px)").ok().flatten())
        .is_none_or(|m| m.matches())
}

#[component]
fn KindTabs(ui: Ui) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Experiment kind">
            {Kind::ALL.into_iter().map(|kind| view! {
                <button data-testid=format!("kind-{}", kind.name()) aria-pressed=move || ui.exp().with(|e| e.kind == kind && e.lesson == 0).to_string()
                    on:click=move |_| {
                        let now = ui.exp().get_untracked();
                        if now.kind != kind || now.lesson > 0 {
                            // Another kind starts as one run with that kind's defaults.
                            let fresh = Experiment { backend: now.backend, ..Experiment::default_for(kind) };
                            super::runs::replace(ui, Comparison::single(fresh), false);
                            url::push(&ui.comparison_untracked());
                        }
                    }>
                    <span class="long-label">{kind.label()}</span><span class="short-label">{kind.short_label()}</span>
                </button>
            }).collect_view()}
            <button data-testid="kind-lesson" aria-pressed=move || (ui.exp().with(|e| e.lesson) > 0).to_string()
                on:click=move |_| if ui.exp().with_untracked(|e| e.lesson) == 0 { lesson::go(ui, 1) }>"Lessons"</button>
        </nav>
    }
}

/// How much of the engine has arrived, while it loads.
fn engine_loading(ui: Ui) -> String {
    let loaded = ui.engine_loaded.get() as f64 / 1e6;
    match ui
        .page_build
        .with_value(|b| b.as_ref().map(|b| b.engine_bytes as f64 / 1e6))
        .filter(|t| *t > 0.0)
    {
        Some(total) => format!(" ({loaded:.1} of {total:.1} MB)"),
        None if loaded > 0.0 => format!(" ({loaded:.1} MB)"),
        None => String::new(),
    }
}

#[component]
pub fn App() -> impl IntoView {
    let (comparison, notices) = url::read();
    let train_to_step = comparison.runs[0].step > 0;
    let ui = Ui::new(comparison, notices);
    // The engine loads in its worker while this page paints; commands wait for it.
    engine::start(ui);
    engine::open(ui, train_to_step);
    // The controls are in place once the first render is done.
    Effect::new(move |_| ui.mounted_ms.set(Some(engine::now_ms())));
    url::keep_in_sync(ui);
    url::follow_history(ui);
    lesson::listen_keys(ui);
    let kind = move || ui.exp().with(|e| e.kind);
    view! {
        <div class="app" class:presenter=move || ui.exp().with(|e| e.present)
            data-frames=move || ui.frames.get() data-idle=move || ui.idle().to_string()
            data-mounted-ms=move || ui.mounted_ms.get().map(|t| format!("{t:.1}"))
            data-engine-ready-ms=move || ui.engine_ready_ms.get().map(|t| format!("{t:.1}"))>
        <header>
            <h1>"Piecewise Playground"</h1>
            <p class="tagline">"Every synapse is a learnable function. Train a small network live, right here."</p>
        </header>
        <OfflineStatus ui=ui />
        <KindTabs ui=ui />
        <div class="notices" data-testid="notice" role="status">
            {move || ui.notices.get().into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
        </div>
        <main>
            <aside class="controls">
                <Buttons ui=ui />
                // On a phone the stage comes first and the settings fold away (`wide_screen`).
                <details class="settings" open=wide_screen()>
                    <summary>"Settings: data, network, training, share, export"</summary>
                    <div class="settings-body">
                        <Controls ui=ui />
                        <SharePanel ui=ui />
                        <ExportPanel ui=ui />
                    </div>
                </details>
            </aside>
            <section class="stage">
                <Show when=move || ui.exp().with(|e| e.lesson > 0)>
                    <LessonPanel ui=ui />
                </Show>
                <div class="readouts">
                    <div class="backend-badge">
                        <span class="k">"Backend "</span>
                        <strong data-testid="backend">{move || ui.backend().get().label}</strong>
                        <span class="why" data-testid="backend-reason">{move || format!(" — {}", ui.backend().get().reason)}</span>
                        <Show when=move || ui.engine_ready_ms.get().is_none()>
                            <span class="loading-engine" data-testid="engine-loading">{move || engine_loading(ui)}</span>
                        </Show>
                        <span class="timings" data-testid="backend-timings">{move || ui.backend().with(|b| b.engine.map(|e| b.timings.summary(e)).unwrap_or_default())}</span>
                    </div>
                    <div><span class="k">"Step "</span><strong data-testid="steps">{move || ui.run().shown_readout().steps}</strong></div>
                    <div><span class="k">"Train loss "</span><strong data-testid="loss">{move || plain(ui.run().shown_readout().loss)}</strong></div>
                    <Show when=move || kind() != Kind::Image>
                        <div><span class="k">"Test loss "</span><strong data-testid="test-loss">{move || plain(ui.run().shown_readout().test_loss)}</strong></div>
                    </Show>
                    <Show when=move || kind() == Kind::Image>
                        <div><span class="k">"PSNR (dB) "</span><strong data-testid="psnr">{move || ui.run().shown_readout().psnr.map(|p| format!("{p:.2}")).unwrap_or_else(|| "–".into())}</strong></div>
                    </Show>
                    <Show when=move || kind() == Kind::Field>
                        <div><span class="k">"Classes "</span><strong data-testid="classes">{move || ui.exp().with(|e| e.class_count())}</strong></div>
                    </Show>
                    <Show when=move || matches!(kind(), Kind::Field | Kind::Digits)>
                        <div><span class="k">"Test accuracy (%) "</span><strong data-testid="accuracy">{move || ui.run().shown_readout().accuracy.map(|a| format!("{a:.1}")).unwrap_or_else(|| "–".into())}</strong></div>
                        <div><span class="k">"Train accuracy (%) "</span><strong data-testid="train-accuracy">{move || ui.run().shown_readout().train_accuracy.map(|a| format!("{a:.1}")).unwrap_or_else(|| "–".into())}</strong></div>
                    </Show>
                    <div><span class="k">"Steps/s "</span><strong data-testid="steps-per-sec">{move || format!("{:.0}", ui.run().shown_readout().steps_per_sec)}</strong></div>
                    <div><span class="k">"Parameters "</span><strong data-testid="params">{move || ui.run().shown_readout().parameters}</strong></div>
                </div>
                <p class="message" role="alert" data-testid="message">{move || ui.message.get()}</p>
                {move || match kind() {
                    Kind::Fit1d => view! { <FitStage ui=ui /> }.into_any(),
                    Kind::Image => view! { <ImageStage ui=ui /> }.into_any(),
                    Kind::Field => view! { <FieldStage ui=ui /> }.into_any(),
                    Kind::Digits => view! { <DigitsStage ui=ui /> }.into_any(),
                    Kind::Surface => view! { <SurfaceStage ui=ui /> }.into_any(),
                }}
                // Under the picture, like a video's scrubber: the timeline, then the runs.
                <Timeline ui=ui />
                <RunCards ui=ui />
                <h3>"Loss"</h3>
                <LossPlot ui=ui />
                <h3>"Network"</h3>
                <NetworkDiagram ui=ui />
            </section>
        </main>
        <footer>
            <p>"Runs entirely in your browser: Rust compiled to WebAssembly, burn for tensors, WebGPU when available. The address bar always holds a link to this exact experiment."</p>
        </footer>
        </div>
    }
}
