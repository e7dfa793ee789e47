//! The lesson player in a real browser: walk every step with the keyboard (each one trains), run
//! one step to its end with its Run button, and check presenter mode and a classroom link that
//! hides controls.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page};

const RIGHT: &str = "\u{E014}";
const SPACE: &str = "\u{E00D}";

/// Press a key as the user would, with the focus on the page itself.
async fn press(page: &Page, key: &str) {
    page.js("if (document.activeElement) document.activeElement.blur(); return true;").await;
    let body = page.client.active_element().await.expect("focused element");
    body.send_keys(key).await.expect("key press");
}

#[tokio::test]
async fn walk_the_whole_lesson_with_the_keyboard() {
    let page = Page::open("#kind=lesson&lesson=1&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    let total = page.js("return document.querySelector('.lesson .chapter').textContent.match(/of (\\d+)/)[1] * 1;").await.as_u64().unwrap();
    assert!(total >= 16, "{total} steps");
    assert_eq!(page.text("lesson-next").await, "Next →");
    assert_eq!(page.js("return document.querySelector(\"[data-testid='lesson-prev']\").disabled;").await.as_bool(), Some(true));
    let mut titles = Vec::new();
    for step in 1..=total {
        let title = page
            .wait_for(&format!("lesson step {step}"), Duration::from_secs(30), || async {
                let url = page.client.current_url().await.ok()?;
                let t = page.text("lesson-title").await;
                (url.as_str().contains(&format!("lesson={step}&")) && !t.is_empty() && !titles.contains(&t)).then_some(t)
            })
            .await;
        wait_ready(&page, Duration::from_secs(30)).await;
        // Space plays; the step trains; space pauses.
        press(&page, SPACE).await;
        let trained = page
            .wait_for(&format!("step {step} to train"), Duration::from_secs(60), || async {
                page.number("steps").await.filter(|s| *s >= 20.0)
            })
            .await;
        press(&page, SPACE).await;
        let loss = page.number("loss").await.expect("a loss");
        assert!(loss.is_finite(), "step {step}: loss {loss}");
        report(&format!("lesson step {step} “{title}”: {trained} steps, loss {loss:.3e}"));
        titles.push(title);
        if step < total {
            press(&page, RIGHT).await;
        }
    }
    // The last step has no "next".
    let disabled = page.js("return document.querySelector(\"[data-testid='lesson-next']\").disabled;").await;
    assert_eq!(disabled.as_bool(), Some(true));
    page.screenshot("lesson-last").await;
    page.close().await;
}

#[tokio::test]
async fn run_trains_a_step_to_its_end_and_explains() {
    let page = Page::open("#kind=lesson&lesson=4&backend=cpu&present=1&hide=optimizer,lr").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    assert!(page.text("lesson-title").await.contains("still make a line"));
    // A classroom link hides the controls it names.
    assert_eq!(page.js("return document.querySelector(\"[data-testid='lr']\") === null;").await.as_bool(), Some(true));
    assert_eq!(page.js("return document.querySelector(\"[data-testid='width']\") !== null;").await.as_bool(), Some(true));
    assert_eq!(page.js("return document.querySelector('.app.presenter') !== null;").await.as_bool(), Some(true));
    page.click("lesson-run").await;
    page.wait_for("the run to end at 200 steps", Duration::from_secs(60), || async {
        page.number("steps").await.filter(|s| *s == 200.0)
    })
    .await;
    let explain = page.wait_for("the explanation", Duration::from_secs(10), || async {
        let t = page.text("lesson-explain").await;
        (!t.is_empty()).then_some(t)
    })
    .await;
    assert!(explain.contains("W = w₂w₁"));
    // The two neurons' weights and the equivalent single neuron are spelled out.
    let weights = page.text("weights").await;
    report(&format!("lesson step 4 weights: {weights}"));
    assert!(weights.contains("w₁ =") && weights.contains("B = w₂b₁ + b₂ ="), "{weights}");
    page.screenshot("lesson-presenter").await;
    page.close().await;
}

#[tokio::test]
async fn h_refinement_keeps_the_curve_and_grows_the_network() {
    let page = Page::open("#kind=lesson&lesson=15&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.click("lesson-run").await;
    page.wait_for("the run to end", Duration::from_secs(60), || async { page.number("steps").await.filter(|s| *s == 300.0) }).await;
    let params = page.number("params").await.unwrap();
    wait_idle(&page, Duration::from_secs(30)).await;
    let curve = page.canvas_hash("plot").await;
    page.click("h-refine").await;
    page.wait_for("the refinement", Duration::from_secs(20), || async {
        page.text("message").await.contains("h-refined").then_some(())
    })
    .await;
    wait_idle(&page, Duration::from_secs(30)).await;
    assert!(page.number("params").await.unwrap() > params, "more parameters");
    assert!(page.text("share-link").await.contains("segments=4"), "the link names the refined shape");
    // Same function: the prediction curve is redrawn identically (same pixels).
    assert_eq!(page.canvas_hash("plot").await, curve, "the curve changed at refinement");
    page.close().await;
}
