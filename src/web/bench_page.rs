//! `#bench&seconds=S`: the benchmark workloads on the wasm CPU path, run by the engine worker
//! (the same run loop as training), one JSON line each in the format of
//! bench/torch_reference.py. `cargo xtask bench` opens it in headless Chromium and collects the
//! lines.

use leptos::prelude::*;

use playground_config::experiment::Experiment;

use super::engine;
use super::state::Ui;

/// The image workload's duration from the hash (`seconds=`), default 60 s like the reference.
pub fn seconds_from(hash: &str) -> f64 {
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix("seconds="))
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(60.0, |s| s.min(600.0))
}

#[component]
pub fn BenchPage(seconds: f64) -> impl IntoView {
    let ui = Ui::new(playground_config::compare::Comparison::single(Experiment::default()), Vec::new());
    engine::start(ui);
    engine::bench(ui, seconds);
    view! {
        <header><h1>"Piecewise Playground — benchmarks (wasm CPU path)"</h1></header>
        <main class="bench">
            <pre data-testid="bench-output">{move || ui.bench.with(|b| b.0.join("\n"))}</pre>
            <p data-testid="bench-done">{move || if ui.bench.with(|b| b.1) { "done" } else { "running…" }}</p>
        </main>
    }
}
