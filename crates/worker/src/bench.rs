//! The benchmark workloads on the wasm CPU path, run in the worker for the page's `#bench` mode
//! (`cargo xtask bench` collects the lines in headless Chromium): the same run loop as training.

use burn::tensor::Device;
use gloo_timers::future::TimeoutFuture;
use playground_config::protocol::Report;
use playground_engine::bench::{self, Host};

use crate::outbox::Outbox;

struct Worker;

impl Host for Worker {
    fn now_s(&self) -> f64 {
        crate::engine::now_ms() / 1000.0
    }
    async fn pause(&self) {
        TimeoutFuture::new(0).await;
    }
}

pub async fn run(seconds: f64, out: &Outbox) {
    let device = Device::flex().autodiff();
    let name = "rust-wasm-cpu";
    let report = |r: Result<bench::Outcome, String>| {
        let line = match r {
            Ok(o) => o.json(name),
            Err(e) => format!("{{\"error\":{e:?}}}"),
        };
        out.send(&Report::BenchLine(line));
    };
    report(bench::fit1d_tiny(&device, &Worker).await);
    report(bench::fit1d_mlp(&device, &Worker).await);
    report(bench::fit1d_mlp_learned(&device, &Worker).await);
    report(bench::field_deep(&device, &Worker).await);
    report(bench::field_deep_tanh(&device, &Worker).await);
    report(bench::implicit_rings(&device, &Worker, seconds).await);
    out.send(&Report::BenchDone);
}
