//! The network diagram: drawn for every network, piecewise synapses as small curves, and a click
//! on a synapse shows its function large.

use std::time::Duration;

use browser_tests::{wait_ready, Page};

#[tokio::test]
async fn clicking_a_synapse_shows_its_function() {
    // 1 → 3 → 1 piecewise linear; the page publishes where it drew each synapse.
    let page = Page::open("#backend=cpu&depth=1&width=3").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.wait_for("the diagram", Duration::from_secs(20), || async {
        (page.canvas_pixels_near("diagram", (31, 111, 235)).await > 30).then_some(())
    })
    .await;
    let synapses = page.js("return document.querySelector(\"[data-testid='diagram']\").dataset.synapseMidpoints;").await;
    let synapses = synapses.as_str().unwrap_or_default().to_string();
    assert_eq!(synapses.split(';').count(), 3 + 3, "1 → 3 → 1 has six synapses: {synapses}");
    // The first layer's synapse from input 1 to neuron 2.
    let second: Vec<f64> = synapses.split(';').nth(1).unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    assert_eq!(&second[..3], &[0.0, 0.0, 1.0]);
    page.js(&format!(
        "const c = document.querySelector(\"[data-testid='diagram']\"); const r = c.getBoundingClientRect();
         const units = r.width / Number(c.dataset.layoutWidth);
         c.dispatchEvent(new MouseEvent('click', {{ bubbles: true, clientX: r.left + {x} * units, clientY: r.top + {y} * units }}));
         return true;",
        x = second[3],
        y = second[4]
    ))
    .await;
    page.wait_for("the enlarged synapse", Duration::from_secs(20), || async {
        page.text("synapse-caption").await.contains("input 1 → neuron 2").then_some(())
    })
    .await;
    page.wait_for("the enlarged synapse's curve", Duration::from_secs(20), || async {
        (page.canvas_pixels_near("synapse-large", (31, 111, 235)).await > 200).then_some(())
    })
    .await;
    // Its knots are marked.
    assert!(page.canvas_pixels_near("synapse-large", (255, 127, 14)).await > 10);
    page.js("document.querySelector(\"[data-testid='diagram']\").scrollIntoView(); return true;").await;
    page.screenshot("diagram").await;
    page.close().await;
}
