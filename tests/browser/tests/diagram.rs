//! The network diagram: drawn for every network, piecewise synapses as small curves, and a click
//! on a synapse shows its function large.

use std::time::Duration;

use browser_tests::{wait_ready, Page};

#[tokio::test]
async fn clicking_a_synapse_shows_its_function() {
    // 1 → 3 → 1 piecewise linear: the diagram's layout puts synapse (input 1 → neuron 1) of the
    // first layer at (170, 58.6) in canvas pixels (see `diagram::Layout`).
    let page = Page::open("#backend=cpu&depth=1&width=3").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.wait_for("the diagram", Duration::from_secs(20), || async {
        (page.canvas_pixels_near("diagram", (31, 111, 235)).await > 30).then_some(())
    })
    .await;
    page.js(
        "const c = document.querySelector(\"[data-testid='diagram']\"); const r = c.getBoundingClientRect();
         c.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: r.left + 170 * r.width / c.width, clientY: r.top + 58.6 * r.height / c.height }));
         return true;",
    )
    .await;
    page.wait_for("the enlarged synapse", Duration::from_secs(20), || async {
        (page.canvas_pixels_near("synapse-large", (31, 111, 235)).await > 200).then_some(())
    })
    .await;
    // Its knots are marked.
    assert!(page.canvas_pixels_near("synapse-large", (255, 127, 14)).await > 10);
    page.js("document.querySelector(\"[data-testid='diagram']\").scrollIntoView(); return true;").await;
    page.screenshot("diagram").await;
    page.close().await;
}
