//! Share links in a real browser: a copied link replays the same run bit for bit on the CPU path,
//! and Back undoes a committed change.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page};

/// Open `hash`, let the link train to its step, and return (loss, share link with the step).
async fn run_to_step(hash: &str, step: f64) -> (String, String) {
    let page = Page::open(hash).await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("the link's step", Duration::from_secs(120), || async {
        page.number("steps").await.filter(|s| *s == step)
    })
    .await;
    wait_idle(&page, Duration::from_secs(60)).await;
    assert_eq!(page.number("steps").await, Some(step), "paused at the link's step");
    let loss = page.text("loss").await;
    page.click("share-step").await;
    let link = page.text("share-link").await;
    page.close().await;
    (loss, link)
}

#[tokio::test]
async fn a_shared_link_replays_the_same_loss() {
    for hash in ["#backend=cpu&dataset=zigzag&batch=16&step=150", "#kind=field&dataset=xor&backend=cpu&step=80"] {
        let step: f64 = hash.rsplit("step=").next().unwrap().parse().unwrap();
        let (loss, link) = run_to_step(hash, step).await;
        assert!(link.contains(&format!("step={step}")), "{link}");
        // Open the copied link (the page's own address for this run) in a fresh browser.
        let hash2 = format!("#{}", link.split_once('#').unwrap().1);
        let (again, _) = run_to_step(&hash2, step).await;
        report(&format!("share_replay {hash}: loss {loss} and {again} after {step} steps"));
        assert_eq!(loss, again, "the same link gave different losses");
    }
}

#[tokio::test]
async fn back_undoes_a_committed_change() {
    let page = Page::open("#backend=cpu").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.set_value("dataset", "zigzag").await;
    page.wait_for("the link to change", Duration::from_secs(10), || async {
        page.client.current_url().await.ok().filter(|u| u.as_str().contains("dataset=zigzag")).map(|_| ())
    })
    .await;
    page.client.back().await.expect("back");
    page.wait_for("the sine again", Duration::from_secs(20), || async {
        let v = page.js("return document.querySelector(\"[data-testid='dataset']\").value;").await;
        (v.as_str() == Some("sine")).then_some(())
    })
    .await;
    assert!(page.text("share-link").await.contains("dataset=sine"));
    page.close().await;
}

#[tokio::test]
async fn a_shared_link_replays_on_webgpu_within_tolerance() {
    // WebGPU (here SwiftShader) may order floating-point reductions differently from run to run:
    // the stated tolerance is a relative difference of 1e-3 in the loss after the same steps.
    let mut losses = Vec::new();
    for _ in 0..2 {
        let page = Page::open("#backend=webgpu&step=4").await;
        assert_eq!(wait_ready(&page, Duration::from_secs(90)).await, "WebGPU");
        page.wait_for("step 4 on WebGPU", Duration::from_secs(240), || async {
            page.number("steps").await.filter(|s| *s == 4.0)
        })
        .await;
        wait_idle(&page, Duration::from_secs(120)).await;
        losses.push(page.number("loss").await.expect("a loss"));
        page.close().await;
    }
    let rel = (losses[0] - losses[1]).abs() / losses[0].abs().max(1e-12);
    report(&format!("share_replay_webgpu: losses {:?}, relative difference {rel:.2e}", losses));
    assert!(rel <= 1e-3, "{losses:?}");
}

/// Keep both cores busy while alive (the page then gets fewer steps per chunk).
struct Load(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Load {
    fn start() -> Load {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for _ in 0..2 {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 1u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                }
                std::hint::black_box(x);
            });
        }
        Load(stop)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[tokio::test]
async fn links_with_schedules_replay_exactly_even_on_a_loaded_machine() {
    // Knots moved every 20 steps; knots grown on plateaus; an image fit. Chunk sizes follow the
    // machine's speed, which the load changes: the runs must not.
    for hash in [
        "#v=1&kind=fit1d&dataset=square&backend=cpu&seed=99&move=20&step=300",
        "#v=1&kind=fit1d&dataset=zigzag&backend=cpu&seed=5&grow=1&maxknots=30&step=600",
        "#kind=image&image=rings&res=32&batch=64&backend=cpu&step=120",
    ] {
        let step: f64 = hash.rsplit("step=").next().unwrap().parse().unwrap();
        let (quiet, _) = run_to_step(hash, step).await;
        let load = Load::start();
        let (loaded, _) = run_to_step(hash, step).await;
        drop(load);
        report(&format!("schedule_replay {hash}: loss {quiet} quiet, {loaded} under load"));
        assert_eq!(quiet, loaded, "{hash} replayed to another loss under load");
    }
}
