//! `cargo run --release --bin conformance -- FILE.json`: check the layer maths against a
//! reference-vector file; one line per case, then `N passed, M failed`; non-zero exit on failure.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: conformance FILE.json   (schema piecewise-reference/1)");
        return ExitCode::from(2);
    };
    let json = match std::fs::read_to_string(&path) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let device = burn::tensor::Device::flex().autodiff();
    match playground_engine::conformance::run(&json, &device) {
        Ok(report) => {
            for line in report.lines() {
                println!("{line}");
            }
            if report.failed() == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::from(2)
        }
    }
}
