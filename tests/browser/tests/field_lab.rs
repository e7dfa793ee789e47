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

#[tokio::test]
async fn the_three_arm_spiral_reaches_85_percent_with_cross_entropy() {
    let page = Page::open("#kind=field&dataset=spiral3&points=600&width=8&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("a first accuracy", Duration::from_secs(30), || async { page.number("accuracy").await }).await;
    assert_eq!(page.text("classes").await, "3");
    assert!(page.text("loss-note").await.contains("cross-entropy"));
    let t0 = Instant::now();
    page.click("play").await;
    let (acc, steps) = page
        .wait_for("85 % test accuracy", Duration::from_secs(240), || async {
            let acc = page.number("accuracy").await?;
            (acc >= 85.0).then_some(acc).zip(page.number("steps").await)
        })
        .await;
    page.click("play").await;
    browser_tests::wait_idle(&page, Duration::from_secs(30)).await;
    report(&format!("field_spiral3_cpu: {acc:.1} % test accuracy at step {steps} after {:.1} s", t0.elapsed().as_secs_f64()));
    // Every class is right most of the time, and the map shows the three classes' colours.
    let per_class = page.text("class-accuracy").await;
    for c in 0..3 {
        let right: f64 = page.text(&format!("class-accuracy-{c}")).await.trim_end_matches(" %").parse().unwrap_or(0.0);
        assert!(right >= 60.0, "class {c}: {per_class}");
    }
    for colour in [(245, 147, 34), (8, 119, 189), (44, 160, 44)] {
        assert!(page.canvas_pixels_near("field", colour).await > 100, "{colour:?} on the map");
    }
    page.screenshot("field-spiral3").await;
    // Blobs: the number of classes is a setting, and travels in the link.
    page.set_value("dataset", "blobs").await;
    page.wait_for("four blob classes", Duration::from_secs(30), || async { (page.text("classes").await == "4").then_some(()) }).await;
    page.set_value("classes-k", "6").await;
    page.wait_for("six blob classes", Duration::from_secs(30), || async { (page.text("classes").await == "6").then_some(()) }).await;
    let url = page.client.current_url().await.unwrap().to_string();
    assert!(url.contains("dataset=blobs") && url.contains("classes=6") && url.contains("loss=mse"), "{url}");
    page.close().await;
}
