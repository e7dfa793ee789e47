//! 2-D regression in a real browser on the CPU path: the plane is fitted (test loss falls 10×),
//! a typed f(x, y) replaces the target, a bad one shows an error and keeps it.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page};

#[tokio::test]
async fn the_plane_is_fitted_and_a_typed_surface_replaces_it() {
    let page = Page::open("#kind=regression&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.click("step").await;
    let first = page.wait_for("a first test loss", Duration::from_secs(30), || async { page.number("test-loss").await }).await;
    // The plane's target has both signs: blue and orange on the target map.
    assert!(page.canvas_pixels_near("surface-target", (8, 119, 189)).await > 100);
    assert!(page.canvas_pixels_near("surface-target", (245, 147, 34)).await > 100);
    page.click("play").await;
    let loss = page
        .wait_for("the test loss ÷10", Duration::from_secs(90), || async { page.number("test-loss").await.filter(|l| *l < first / 10.0) })
        .await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(30)).await;
    report(&format!("surface_plane_cpu: test loss {first} → {loss} at step {}", page.text("steps").await));
    page.screenshot("surface-plane").await;
    // A typed surface replaces the target and goes into the link.
    let target_before = page.canvas_hash("surface-target").await;
    page.set_value("formula", "x*y").await;
    page.wait_for("the new target", Duration::from_secs(30), || async {
        (page.canvas_hash("surface-target").await != target_before).then_some(())
    })
    .await;
    let url = page.client.current_url().await.unwrap().to_string();
    assert!(url.contains("dataset=formula") && url.contains("formula=x*y"), "{url}");
    // A bad one says why and keeps the surface.
    wait_idle(&page, Duration::from_secs(30)).await;
    let target_now = page.canvas_hash("surface-target").await;
    page.set_value("formula", "x+z").await;
    page.wait_for("the formula's error", Duration::from_secs(10), || async {
        page.text("formula-error").await.contains("x and y").then_some(())
    })
    .await;
    assert_eq!(page.canvas_hash("surface-target").await, target_now);
    page.close().await;
}
