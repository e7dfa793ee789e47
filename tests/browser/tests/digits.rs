//! Handwritten digits in a real browser on the CPU path: 95 % test accuracy within 30 s of
//! pressing Play, the confusion matrix and the misread digits, and a digit written on the pad is
//! read live.

use std::time::{Duration, Instant};

use browser_tests::{report, wait_idle, wait_ready, Page};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Locator;

/// Draw a stroke on the writing pad through the given points (offsets from its centre, in CSS
/// pixels of a 224-pixel pad).
async fn stroke(page: &Page, points: &[(f64, f64)]) {
    page.js("document.querySelector(\"[data-testid='digit-pad']\").scrollIntoView({ block: 'center' }); return true;").await;
    let pad = page.client.find(Locator::Css("[data-testid='digit-pad']")).await.expect("the pad");
    let mut mouse = MouseActions::new("pen".into())
        .then(PointerAction::MoveToElement { element: pad.clone(), duration: None, x: points[0].0, y: points[0].1 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT });
    for &(x, y) in &points[1..] {
        mouse = mouse.then(PointerAction::MoveToElement { element: pad.clone(), duration: Some(Duration::from_millis(30)), x, y });
    }
    mouse = mouse.then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    page.client.perform_actions(mouse).await.expect("draw on the pad");
}

/// The ten probabilities shown, in %.
async fn probabilities(page: &Page) -> Option<Vec<f64>> {
    let mut out = Vec::new();
    for d in 0..10 {
        out.push(page.text(&format!("digit-probability-{d}")).await.trim_end_matches(" %").parse().ok()?);
    }
    Some(out)
}

#[tokio::test]
async fn digits_reach_95_percent_within_30_s_and_a_written_digit_is_read_live() {
    let page = Page::open("#kind=digits&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("a first accuracy", Duration::from_secs(60), || async { page.number("accuracy").await }).await;
    let t0 = Instant::now();
    page.click("play").await;
    let (acc, steps) = page
        .wait_for("95 % test accuracy", Duration::from_secs(120), || async {
            let acc = page.number("accuracy").await?;
            (acc >= 95.0).then_some(acc).zip(page.number("steps").await)
        })
        .await;
    let took = t0.elapsed().as_secs_f64();
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(30)).await;
    report(&format!("digits_cpu: {acc:.1} % test accuracy at step {steps}, {took:.1} s after Play, steps/s={}", page.text("steps-per-sec").await));
    assert!(took <= 30.0, "95 % took {took:.1} s");
    // The confusion matrix counts the 359 held-out images; its diagonal holds most of them.
    let cells = page
        .js("return Array.from(document.querySelectorAll(\"[data-testid='confusion'] tbody tr\")).map(r => Array.from(r.querySelectorAll('td')).slice(0, 10).map(c => Number(c.textContent)));")
        .await;
    let rows: Vec<Vec<u64>> = cells.as_array().unwrap().iter().map(|r| r.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 10);
    let total: u64 = rows.iter().flatten().sum();
    let diagonal: u64 = (0..10).map(|d| rows[d][d]).sum();
    assert_eq!(total, 359);
    // The matrix is of the step shown (after pausing), whose accuracy is the readout's.
    let shown = page.number("accuracy").await.unwrap();
    assert!((diagonal as f64 / 359.0 * 100.0 - shown).abs() < 0.1, "{diagonal} of {total} on the diagonal, accuracy shown {shown} %");
    assert!(shown >= 90.0, "{shown} % once paused");
    let mistakes = page.js("return document.querySelectorAll(\"[data-testid='mistakes'] figure\").length;").await.as_u64().unwrap();
    assert_eq!(mistakes, (total - diagonal).min(24), "one picture per misread digit");
    // Write a 1: a vertical stroke. The probabilities appear and add up to 100 %.
    assert!(probabilities(&page).await.is_none(), "nothing drawn yet");
    stroke(&page, &[(5.0, -80.0), (2.0, -20.0), (0.0, 40.0), (-2.0, 80.0)]).await;
    let first = page.wait_for("the digit's probabilities", Duration::from_secs(30), || async { probabilities(&page).await }).await;
    let sum: f64 = first.iter().sum();
    assert!((sum - 100.0).abs() < 1.0, "{first:?}");
    assert!(page.text("digit-verdict").await.starts_with("The network reads a"));
    // More ink changes what it reads, live.
    stroke(&page, &[(-60.0, -60.0), (60.0, -60.0), (60.0, -10.0), (-50.0, 70.0), (60.0, 70.0)]).await;
    page.wait_for("new probabilities", Duration::from_secs(30), || async {
        probabilities(&page).await.filter(|p| p != &first).map(|_| ())
    })
    .await;
    page.screenshot("digits").await;
    page.click("clear-pad").await;
    page.wait_for("a cleared pad", Duration::from_secs(10), || async { probabilities(&page).await.is_none().then_some(()) }).await;
    page.close().await;
}
