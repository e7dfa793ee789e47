//! `#bench&seconds=S`: the benchmark workloads on the wasm CPU path (burn's flex backend in this
//! page), one JSON line each, in the format of bench/torch_reference.py. `cargo xtask bench`
//! opens it in headless Chromium and collects the lines.

use burn::tensor::Device;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::core::bench::{self, Host};

struct Browser;

impl Host for Browser {
    fn now_s(&self) -> f64 {
        web_sys::window().and_then(|w| w.performance()).map(|p| p.now() / 1000.0).unwrap_or(0.0)
    }
    async fn pause(&self) {
        TimeoutFuture::new(0).await;
    }
}

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
    let lines = RwSignal::new(Vec::<String>::new());
    let done = RwSignal::new(false);
    spawn_local(async move {
        let device = Device::flex().autodiff();
        let host = Browser;
        let name = "rust-wasm-cpu";
        TimeoutFuture::new(50).await; // let the page paint first
        let report = |r: Result<bench::Outcome, String>| match r {
            Ok(o) => lines.update(|l| l.push(o.json(name))),
            Err(e) => lines.update(|l| l.push(format!("{{\"error\":{:?}}}", e))),
        };
        report(bench::fit1d_tiny(&device, &host).await);
        TimeoutFuture::new(0).await;
        report(bench::fit1d_mlp(&device, &host).await);
        TimeoutFuture::new(0).await;
        report(bench::implicit_rings(&device, &host, seconds).await);
        done.set(true);
    });
    view! {
        <header><h1>"Piecewise Playground — benchmarks (wasm CPU path)"</h1></header>
        <main class="bench">
            <pre data-testid="bench-output">{move || lines.get().join("\n")}</pre>
            <p data-testid="bench-done">{move || if done.get() { "done" } else { "running…" }}</p>
        </main>
    }
}
