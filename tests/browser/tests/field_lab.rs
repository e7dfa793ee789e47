//! 2-D classification in a real browser on the CPU path.

use std::time::{Duration, Instant};

use browser_tests::{report, wait_ready, Page};

#[tokio::test]
async fn a_piecewise_network_learns_the_spiral() {
    let page = Page::open("#kind=field&dataset=spiral&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("a first accuracy", Duration::from_secs(30), || async { page.number("accuracy").await }).await;
    let heat_before = page.canvas_hash("field").await;
    page.watch_long_tasks().await;
    let t0 = Instant::now();
    page.click("play").await;
    let (acc, steps) = page
        .wait_for("90 % test accuracy", Duration::from_secs(240), || async {
            let acc = page.number("accuracy").await?;
            (acc >= 90.0).then_some(acc).zip(page.number("steps").await)
        })
        .await;
    page.click("play").await;
    let (count, longest) = page.long_tasks().await;
    report(&format!(
        "field_spiral_cpu: {acc:.1} % test accuracy at step {steps} after {:.1} s, steps/s={}, long tasks={count}, longest={longest:.0} ms",
        t0.elapsed().as_secs_f64(),
        page.text("steps-per-sec").await
    ));
    assert_ne!(heat_before, page.canvas_hash("field").await, "the heat-map was redrawn");
    // Both classes' colours are on the map.
    assert!(page.canvas_pixels_near("field", (8, 119, 189)).await > 100);
    assert!(page.canvas_pixels_near("field", (245, 147, 34)).await > 100);
    page.screenshot("field-spiral").await;
    page.close().await;
}
