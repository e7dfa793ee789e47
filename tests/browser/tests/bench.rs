//! Not a test of correctness: `cargo xtask bench` runs this (it is ignored otherwise) to collect
//! the wasm CPU path's benchmark lines from the page's `#bench` mode.

use std::time::Duration;

use browser_tests::Page;

#[tokio::test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn wasm_cpu_benchmarks() {
    let seconds: f64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60.0);
    let page = Page::open(&format!("#bench&seconds={seconds}")).await;
    page.wait_for("the benchmarks", Duration::from_secs_f64(seconds + 300.0), || async {
        (page.text("bench-done").await == "done").then_some(())
    })
    .await;
    for line in page.text("bench-output").await.lines() {
        println!("BENCH {line}");
    }
    page.close().await;
}
