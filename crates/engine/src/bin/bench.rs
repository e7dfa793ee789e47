//! `cargo run --release --bin bench -- [--image-seconds S] [--backend cpu|vulkan|webgpu] [--sweep S] [--only WORKLOAD]`:
//! the benchmark workloads, one JSON line each, like bench/torch_reference.py; with `--sweep S`
//! instead, ms/step of network shapes from tiny to wide (where does a GPU start to win?).
//!
//! `cpu` (the default) is burn's flex backend on one thread, the same code the page runs in wasm.
//! `vulkan` and `webgpu` are burn's wgpu runtime on the machine's GPU (SPIR-V shaders, or the WGSL
//! shaders a browser's WebGPU gets); they need `--features gpu-bench`.

use std::time::Instant;

use burn::tensor::Device;
use playground_engine::bench::{self, Host};

struct Native(Instant);

impl Host for Native {
    fn now_s(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
    async fn pause(&self) {}
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// The device for `--backend`, and the name its JSON lines carry.
fn device(backend: &str) -> Result<(Device, &'static str), String> {
    match backend {
        "cpu" => Ok((Device::flex(), "rust-native-cpu")),
        #[cfg(feature = "gpu-bench")]
        "vulkan" => Ok((Device::vulkan(burn::tensor::DeviceKind::DefaultDevice), "rust-native-vulkan")),
        #[cfg(feature = "gpu-bench")]
        "webgpu" => Ok((Device::webgpu(burn::tensor::DeviceKind::DefaultDevice), "rust-native-wgsl")),
        #[cfg(not(feature = "gpu-bench"))]
        "vulkan" | "webgpu" => Err(format!("--backend {backend} needs a build with --features gpu-bench")),
        other => Err(format!("unknown backend {other:?}: cpu, vulkan or webgpu")),
    }
}

/// `--sweep S`: every shape of `bench::sweep_cases` for about S seconds each, one JSON line each.
fn sweep(device: &Device, host: &Native, name: &str, seconds: f64) -> std::process::ExitCode {
    let mut failed = false;
    for case in bench::sweep_cases() {
        match pollster::block_on(bench::sweep(&case, device, host, seconds)) {
            Ok(line) => println!("{{\"impl\":\"{name}\",{}", &line[1..]),
            Err(e) => {
                eprintln!("{}: {e}", case.name);
                failed = true;
            }
        }
    }
    if failed { std::process::ExitCode::FAILURE } else { std::process::ExitCode::SUCCESS }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let seconds = arg(&args, "--image-seconds").and_then(|s| s.parse::<f64>().ok()).unwrap_or(60.0);
    let backend = arg(&args, "--backend").unwrap_or_else(|| "cpu".into());
    let (device, name) = match device(&backend) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let device = device.autodiff();
    let host = Native(Instant::now());
    if let Some(seconds) = arg(&args, "--sweep").and_then(|s| s.parse::<f64>().ok()) {
        return sweep(&device, &host, name, seconds);
    }
    // `--only NAME` runs one workload (for a profiler's sake).
    let only = arg(&args, "--only");
    let wanted = |workload: &str| only.as_deref().is_none_or(|o| o == workload);
    let results = pollster::block_on(async {
        let mut results = Vec::new();
        if wanted("fit1d_tiny") {
            results.push(bench::fit1d_tiny(&device, &host).await);
        }
        if wanted("fit1d_mlp") {
            results.push(bench::fit1d_mlp(&device, &host).await);
        }
        if wanted("fit1d_mlp_learned") {
            results.push(bench::fit1d_mlp_learned(&device, &host).await);
        }
        if wanted("field_deep") {
            results.push(bench::field_deep(&device, &host).await);
        }
        if wanted("field_deep_tanh") {
            results.push(bench::field_deep_tanh(&device, &host).await);
        }
        if wanted("implicit_rings_128") {
            results.push(bench::implicit_rings(&device, &host, seconds).await);
        }
        if results.is_empty() {
            results.push(Err(format!("--only {}: no such workload", only.as_deref().unwrap_or(""))));
        }
        results
    });
    let mut failed = false;
    for r in results {
        match r {
            Ok(o) => println!("{}", o.json(name)),
            Err(e) => {
                eprintln!("benchmark failed: {e}");
                failed = true;
            }
        }
    }
    if failed { std::process::ExitCode::FAILURE } else { std::process::ExitCode::SUCCESS }
}
