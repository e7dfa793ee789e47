//! `cargo run --release --bin bench -- [--image-seconds S]`: the benchmark workloads on the native
//! CPU path (burn's flex backend, one thread), one JSON line each, like bench/torch_reference.py.

use std::time::Instant;

use piecewise_playground::core::bench::{self, Host};

struct Native(Instant);

impl Host for Native {
    fn now_s(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
    async fn pause(&self) {}
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = args
        .iter()
        .position(|a| a == "--image-seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(60.0);
    let device = burn::tensor::Device::flex().autodiff();
    let host = Native(Instant::now());
    let name = "rust-native-cpu";
    let results = pollster::block_on(async {
        vec![
            bench::fit1d_tiny(&device, &host).await,
            bench::fit1d_mlp(&device, &host).await,
            bench::implicit_rings(&device, &host, seconds).await,
        ]
    });
    for r in results {
        match r {
            Ok(o) => println!("{}", o.json(name)),
            Err(e) => eprintln!("benchmark failed: {e}"),
        }
    }
}
