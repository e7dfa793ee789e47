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

/// gzip size of a file of the built page (what a server that compresses sends).
fn gzip_bytes(path: &std::path::Path) -> Option<usize> {
    use std::io::Write;
    let raw = std::fs::read(path).ok()?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&raw).ok()?;
    Some(enc.finish().ok()?.len())
}

/// The page's own wasm and the engine worker's, from the folder the test server serves.
fn wasm_sizes() -> (Option<usize>, Option<usize>) {
    let Ok(dir) = std::env::var("DIST_DIR") else { return (None, None) };
    let mut page = None;
    let mut engine = None;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".wasm") {
            if name.starts_with("engine-worker") {
                engine = gzip_bytes(&entry.path());
            } else if name.starts_with("piecewise-playground") {
                page = gzip_bytes(&entry.path());
            }
        }
    }
    (page, engine)
}

/// First visits to what `cargo xtask dist` writes (LTO profile, pre-compressed at its best), over
/// a 10 Mbit/s link with 40 ms round trips (`xtask bench` serves it paced, the engine worker's
/// download included): when the page can be used (its controls are in place) and when it can
/// train (the engine is ready). Targets: 1.5 s and 4 s.
#[tokio::test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn first_visit_over_10_mbit_s() {
    let url = std::env::var("PLAYGROUND_SLOW_URL").expect("PLAYGROUND_SLOW_URL: run with `cargo xtask bench`");
    for round in 0..5 {
        let page = Page::open_url(&format!("{url}#backend=cpu")).await;
        let ready = page
            .wait_for("the engine over 10 Mbit/s", Duration::from_secs(120), || async {
                let v = page
                    .js("const a = document.querySelector('.app');
                         return a && a.dataset.engineReadyMs ? [Number(a.dataset.mountedMs), Number(a.dataset.engineReadyMs),
                           performance.getEntriesByType('navigation')[0].transferSize
                           + performance.getEntriesByType('resource').reduce((s, e) => s + e.transferSize, 0)] : null;")
                    .await;
                v.as_array().map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect::<Vec<_>>())
            })
            .await;
        let json = serde_json::json!({
            "workload": "first_visit_10mbit", "impl": "rust-wasm-worker", "round": round,
            "usable_s": ready[0] / 1e3, "trainable_s": ready[1] / 1e3, "page_bytes_over_the_wire": ready[2],
        });
        println!("BENCH {json}");
        page.close().await;
    }
}

#[tokio::test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn page_load() {
    let (page_gz, engine_gz) = wasm_sizes();
    for round in 0..5 {
        let page = Page::open("#backend=cpu").await;
        page.watch_long_tasks_since_load().await;
        let ready = page
            .wait_for("the engine and a first frame", Duration::from_secs(60), || async {
                let v = page
                    .js("const a = document.querySelector('.app');
                         const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                         return a && a.dataset.engineReadyMs && Number(a.dataset.frames) >= 1
                           ? [fcp ? fcp.startTime : null, Number(a.dataset.mountedMs), Number(a.dataset.engineReadyMs), performance.now()] : null;")
                    .await;
                v.as_array().map(|a| a.iter().map(|x| x.as_f64()).collect::<Vec<_>>())
            })
            .await;
        let (count, longest) = page.long_tasks().await;
        let json = serde_json::json!({
            "workload": "page_load", "impl": "rust-wasm-worker", "round": round,
            "first_contentful_paint_ms": ready[0], "controls_ms": ready[1], "engine_ready_ms": ready[2],
            "long_tasks": count, "longest_task_ms": longest,
            "page_wasm_gzip_bytes": page_gz, "engine_wasm_gzip_bytes": engine_gz,
        });
        println!("BENCH {json}");
        page.close().await;
    }
}

#[tokio::test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn long_tasks_while_training() {
    let seconds: f64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60.0);
    // The batch, where examples per second are the unit compared (TF Playground's deep shape:
    // issue 15 asks that a user see it learn at least as fast as TF Playground's page).
    for (name, hash, batch) in [
        ("fit1d", "#backend=cpu", None),
        ("field", "#kind=field&dataset=spiral&backend=cpu", Some(32.0)),
        ("field_deep", "#kind=field&dataset=spiral&width=8&depth=6&knots=8&learnknots=1&batch=10&backend=cpu", Some(10.0)),
        ("image_256", "#kind=image&res=256&backend=cpu", None),
    ] {
        let page = Page::open(hash).await;
        browser_tests::wait_ready(&page, Duration::from_secs(60)).await;
        browser_tests::wait_idle(&page, Duration::from_secs(60)).await;
        page.watch_long_tasks().await;
        let frames_before = browser_tests::frames(&page).await;
        page.click("play").await;
        let started = std::time::Instant::now();
        page.wait_for("the training time", Duration::from_secs_f64(seconds + 30.0), || async {
            (started.elapsed().as_secs_f64() >= seconds).then_some(())
        })
        .await;
        let (count, longest) = page.long_tasks().await;
        let steps = page.number("steps").await.unwrap_or(0.0);
        let frames = browser_tests::frames(&page).await - frames_before;
        page.click("play").await;
        let elapsed = started.elapsed().as_secs_f64();
        let mut json = serde_json::json!({
            "workload": format!("train_{name}"), "impl": "rust-wasm-worker", "seconds": seconds,
            "steps": steps, "frames": frames, "long_tasks": count, "longest_task_ms": longest,
        });
        if let Some(batch) = batch {
            // Steps shown when Play was pressed again, over the time since the first press.
            json["examples_per_s"] = (steps * batch / elapsed).round().into();
        }
        println!("BENCH {json}");
        page.close().await;
    }
}
