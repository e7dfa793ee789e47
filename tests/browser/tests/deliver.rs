//! The playground as a teacher hosts it: `cargo xtask dist --public-url /deep/sub/path/` served
//! from that sub-path by a plain static server sending the pre-compressed files, under the
//! page's content security policy.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page};
use serde_json::Value;

/// Every resource the page loaded, with how many bytes came over the wire and how many they
/// decoded to (the worker's own loads are in the worker's timeline, checked through its results).
async fn resources(page: &Page) -> Vec<(String, f64, f64)> {
    let v = page
        .js("return performance.getEntriesByType('resource').map(e => [e.name, e.encodedBodySize, e.decodedBodySize]);")
        .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| Some((e[0].as_str()?.to_string(), e[1].as_f64().unwrap_or(0.0), e[2].as_f64().unwrap_or(0.0))))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_dist_under_a_sub_path_loads_trains_and_keeps_to_its_policy() {
    let page = Page::open_sub_path("#backend=cpu&dataset=zigzag&step=100").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("step 100", Duration::from_secs(120), || async { page.number("steps").await.filter(|s| *s == 100.0) }).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    assert!(page.number("loss").await.is_some_and(|l| l < 0.1), "trained under the sub-path");

    // A picture: the worker fetches it relative to itself, under the sub-path too.
    page.click("kind-image").await;
    page.wait_for("the picture's first PSNR", Duration::from_secs(120), || async { page.number("psnr").await }).await;
    wait_idle(&page, Duration::from_secs(120)).await;
    page.click("step").await;
    wait_idle(&page, Duration::from_secs(120)).await;
    assert_eq!(page.number("steps").await, Some(1.0), "the picture loaded and a step trained");
    assert_eq!(page.text("message").await.contains("could not"), false, "{}", page.text("message").await);

    let origin = page.js_text("return location.origin;").await;
    let sub = page.js_text("return location.pathname;").await;
    assert_eq!(sub, "/deep/sub/path/");
    let loaded = resources(&page).await;
    assert!(!loaded.is_empty());
    for (url, _, _) in &loaded {
        assert!(url.starts_with(&format!("{origin}/deep/sub/path/")), "a request outside the sub-path or the origin: {url}");
    }
    // The engine worker's own requests (its engine, the picture): the same origin and sub-path.
    page.js("window.__playgroundWorkerRequests(); return true;").await;
    let worker: Vec<String> = page
        .wait_for("the worker's list of requests", Duration::from_secs(30), || async {
            let listed = page.js_text("return document.documentElement.dataset.workerRequests || '';").await;
            serde_json::from_str::<Vec<String>>(&listed).ok()
        })
        .await;
    assert!(worker.iter().any(|u| u.contains("engine-worker_bg.wasm")), "the engine's wasm: {worker:?}");
    assert!(worker.iter().any(|u| u.contains("/images/")), "the picture: {worker:?}");
    for url in &worker {
        assert!(url.starts_with(&format!("{origin}/deep/sub/path/")), "the worker asked outside the sub-path or the origin: {url}");
    }
    report(&format!("deliver: the page made {} requests and its engine worker {}, all under {origin}{sub}", loaded.len(), worker.len()));
    // The big file came pre-compressed (the server sends `.br` or `.gz` siblings).
    let (wasm, wire, decoded) = loaded.iter().filter(|(u, _, _)| u.ends_with(".wasm")).max_by(|a, b| a.2.total_cmp(&b.2)).cloned().expect("the page's wasm");
    report(&format!("deliver: {} resources under {sub}, the page's wasm {:.0} KB over the wire for {:.0} KB ({wasm})", loaded.len(), wire / 1e3, decoded / 1e3));
    assert!(wire > 0.0 && wire < decoded * 0.5, "the wasm was not sent compressed: {wire} of {decoded} bytes");

    // The policy is in the page, strict, and blocked nothing the page needed.
    let policy = page.js_text("const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); return m ? m.content : '';").await;
    for must in ["default-src 'self'", "connect-src 'self'", "'wasm-unsafe-eval'", "'sha256-"] {
        assert!(policy.contains(must), "{must} missing from {policy}");
    }
    assert!(!policy.contains("'unsafe-eval'") && !policy.contains("'unsafe-inline'"), "{policy}");
    let violations = page.js_text("return document.documentElement.dataset.cspViolations || 'none';").await;
    let blocked = page.js_text("return document.documentElement.dataset.cspBlocked || '';").await;
    assert_eq!(violations, "0", "the policy blocked {blocked}");
    page.screenshot("deliver-sub-path").await;
    page.close().await;
}

/// The policy really binds: a script the page did not ship is refused and counted.
#[tokio::test]
async fn the_policy_blocks_what_the_page_did_not_ship() {
    let page = Page::open_sub_path("#backend=cpu").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.js("const s = document.createElement('script'); s.textContent = 'window.__injected = 1'; document.body.appendChild(s); return true;").await;
    page.js("const i = document.createElement('img'); i.src = 'https://example.org/pixel.png'; document.body.appendChild(i); return true;").await;
    page.wait_for("the violations counted", Duration::from_secs(20), || async {
        let n = page.js_text("return document.documentElement.dataset.cspViolations || '0';").await;
        (n.parse::<u32>().unwrap_or(0) >= 2).then_some(())
    })
    .await;
    assert_eq!(page.js("return window.__injected === undefined;").await, Value::Bool(true), "an injected inline script ran");
    page.close().await;
}
