//! Runs side by side, the timeline and exact pieces in a real browser: add a run and make it a
//! ReLU net of the same budget, train both; a three-run link replays all three losses; scrubbing
//! back redraws the fit and forking adds a run; undo takes an insertion back; a ReLU net's pieces
//! are counted and listed.

use std::time::Duration;

use browser_tests::{frames, report, wait_idle, wait_ready, Page};
use serde_json::Value;

/// Every run card's value of `testid`, in card order.
async fn cards(page: &Page, testid: &str) -> Vec<String> {
    let v = page
        .js(&format!(
            "return [...document.querySelectorAll(\"[data-testid='run-card']\")].map(c => c.querySelector(\"[data-testid='{testid}']\").textContent.trim());"
        ))
        .await;
    v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap_or_default().to_string()).collect()).unwrap_or_default()
}

async fn card_numbers(page: &Page, testid: &str) -> Vec<Option<f64>> {
    cards(page, testid).await.iter().map(|s| s.parse::<f64>().ok()).collect()
}

/// Click the `testid` element inside card `index` (from 0).
async fn click_in_card(page: &Page, index: usize, testid: &str) {
    let clicked = page
        .js(&format!(
            "const b = document.querySelectorAll(\"[data-testid='run-card']\")[{index}]?.querySelector(\"[data-testid='{testid}']\"); if (b) b.click(); return !!b;"
        ))
        .await;
    assert_eq!(clicked, Value::Bool(true), "no {testid} in card {index}");
}

/// Wait until every card shows at least `steps` steps.
async fn wait_all_steps(page: &Page, steps: f64, timeout: Duration) {
    page.wait_for(&format!("every run at step {steps}"), timeout, || async {
        let s = card_numbers(page, "steps").await;
        (!s.is_empty() && s.iter().all(|v| v.is_some_and(|v| v >= steps))).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_relu_run_at_equal_budget_trains_beside_the_piecewise_one() {
    let page = Page::open("#backend=cpu&dataset=zigzag").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    wait_idle(&page, Duration::from_secs(60)).await;
    assert_eq!(cards(&page, "loss").await.len(), 1, "one run, one card");
    page.click("compare-add").await;
    page.wait_for("a second card", Duration::from_secs(10), || async { (cards(&page, "loss").await.len() == 2).then_some(()) }).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    // The new run is the edited one: make it a ReLU net with a hidden layer, then match run 1's budget.
    page.set_value("net", "mlp").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    page.set_value("depth", "1").await;
    page.set_value("act", "relu").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    click_in_card(&page, 1, "equal-budget").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let params = card_numbers(&page, "params").await;
    let (p1, p2) = (params[0].unwrap(), params[1].unwrap());
    assert!((p2 - p1).abs() <= 3.0, "equal budget: {p1} vs {p2}");
    assert!(page.text("share-link").await.contains("r2.net=mlp"), "the link holds the second run");

    let loss_hash = page.canvas_hash("loss-plot").await;
    page.click("play").await;
    wait_all_steps(&page, 300.0, Duration::from_secs(120)).await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let steps = card_numbers(&page, "steps").await;
    assert_eq!(steps[0], steps[1], "lockstep: both runs at the same step");
    let losses = card_numbers(&page, "loss").await;
    let tests = card_numbers(&page, "test-loss").await;
    assert!(losses.iter().chain(&tests).all(|l| l.is_some_and(f64::is_finite)), "{losses:?} {tests:?}");
    assert_ne!(page.canvas_hash("loss-plot").await, loss_hash, "the loss plot was redrawn");
    // Both curves are drawn, each in its run's colour.
    let blue = page.canvas_pixels_near("loss-plot", (31, 119, 180)).await;
    let purple = page.canvas_pixels_near("loss-plot", (148, 103, 189)).await;
    assert!(blue > 50 && purple > 50, "loss curves: {blue} blue and {purple} purple pixels");
    let fit_purple = page.canvas_pixels_near("plot", (148, 103, 189)).await;
    assert!(fit_purple > 50, "the ReLU run's fit is overlaid ({fit_purple} px)");
    report(&format!("compare: pwl {p1} params loss {:?}; relu {p2} params loss {:?} at step {:?}", losses[0], losses[1], steps[0]));
    page.screenshot("compare-two-runs").await;

    // Closing the second card leaves one run.
    click_in_card(&page, 1, "run-remove").await;
    page.wait_for("one card again", Duration::from_secs(10), || async { (cards(&page, "loss").await.len() == 1).then_some(()) }).await;
    assert!(!page.text("share-link").await.contains("runs="));
    page.close().await;
}

/// Move the timeline's slider to stop `stop`, as dragging it would.
async fn scrub_to(page: &Page, stop: usize) {
    page.js(&format!(
        "const t = document.querySelector(\"[data-testid='timeline']\"); t.value = {stop}; t.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"
    ))
    .await;
}

/// The share link that replays to the current step.
async fn link_with_step(page: &Page) -> String {
    page.click("share-step").await;
    page.text("share-link").await
}

/// Open a comparison link that trains to its step; the losses of its runs, and its share link.
async fn replay(hash: &str, runs: usize, step: f64) -> (Vec<String>, String) {
    let page = Page::open(hash).await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for(&format!("{runs} runs"), Duration::from_secs(10), || async { (cards(&page, "loss").await.len() == runs).then_some(()) }).await;
    page.wait_for("every run at the link's step", Duration::from_secs(180), || async {
        let s = card_numbers(&page, "steps").await;
        s.iter().all(|v| *v == Some(step)).then_some(())
    })
    .await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let losses = cards(&page, "loss").await;
    let link = link_with_step(&page).await;
    page.close().await;
    (losses, link)
}

#[tokio::test]
async fn a_three_run_link_replays_all_three_losses() {
    // The backend is a run setting: each run says `cpu`, where replay is promised bit for bit.
    let hash = "#backend=cpu&dataset=zigzag&batch=16&runs=3&r2.net=mlp&r2.depth=1&r2.width=8&r2.act=relu&r2.backend=cpu&r3.knots=20&r3.move=25&r3.backend=cpu&step=150";
    let (losses, link) = replay(hash, 3, 150.0).await;
    assert!(link.contains("runs=3") && link.contains("step=150"), "{link}");
    assert_eq!(losses.iter().collect::<std::collections::HashSet<_>>().len(), 3, "three different runs: {losses:?}");
    let (again, _) = replay(&format!("#{}", link.split_once('#').unwrap().1), 3, 150.0).await;
    report(&format!("compare_replay: {losses:?} and {again:?} after 150 steps"));
    assert_eq!(losses, again, "the same link gave different losses");
}

#[tokio::test]
async fn scrubbing_back_redraws_the_fit_and_forking_adds_a_run() {
    let page = Page::open("#backend=cpu&dataset=zigzag&step=300").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    wait_all_steps(&page, 300.0, Duration::from_secs(120)).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let now = page.canvas_hash("plot").await;
    let pieces_now = page.number("pieces").await;
    // The kept steps are 0, 10 … 100, 150 … 300: step 50 is stop 5.
    let before = frames(&page).await;
    scrub_to(&page, 5).await;
    page.wait_for("the past frame", Duration::from_secs(30), || async { (frames(&page).await > before).then_some(()) }).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    assert!(page.text("timeline").await.is_empty(), "a range input has no text");
    let label = page.js("return document.querySelector('.timeline label span').textContent;").await;
    assert!(label.as_str().unwrap_or_default().contains("step 50"), "{label}");
    let past = page.canvas_hash("plot").await;
    assert_ne!(past, now, "the fit of step 50 is drawn, not the present one");
    assert_eq!(card_numbers(&page, "steps").await, vec![Some(50.0)], "the card shows the step drawn");
    report(&format!("timeline: pieces now {pieces_now:?}, at step 50 {:?}", page.number("pieces").await));
    page.screenshot("timeline-step-50").await;

    page.click("fork").await;
    page.wait_for("the forked run", Duration::from_secs(30), || async {
        let s = card_numbers(&page, "steps").await;
        (s.len() == 2 && s[1] == Some(50.0)).then_some(())
    })
    .await;
    wait_idle(&page, Duration::from_secs(60)).await;
    assert_eq!(card_numbers(&page, "steps").await, vec![Some(300.0), Some(50.0)]);
    assert_eq!(page.canvas_hash("plot").await != past, true, "back to the present");
    // The fork (the edited run now) goes on with a smaller learning rate.
    page.set_value("lr", "0.01").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    // Playing lets the fork catch up with the original first (lockstep).
    page.click("play").await;
    wait_all_steps(&page, 320.0, Duration::from_secs(120)).await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let s = card_numbers(&page, "steps").await;
    assert_eq!(s[0], s[1], "caught up: {s:?}");
    // The fork travels in the link and replays on a fresh page: the same losses at the same step.
    let losses = cards(&page, "loss").await;
    let link = link_with_step(&page).await;
    assert!(link.contains("r2.fork=1%4050") && link.contains("r2.lr=0.01"), "{link}");
    assert_ne!(losses[0], losses[1], "the fork trained differently after step 50");
    page.close().await;
    let (again, _) = replay(&format!("#{}", link.split_once('#').unwrap().1), 2, s[0].unwrap()).await;
    report(&format!("fork replay: {losses:?} and {again:?}"));
    assert_eq!(losses, again, "the forked comparison replays exactly");
}

#[tokio::test]
async fn undo_after_an_insertion_restores_the_parameter_count() {
    let page = Page::open("#backend=cpu&dataset=zigzag&step=100").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    wait_all_steps(&page, 100.0, Duration::from_secs(120)).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let params = page.number("params").await.unwrap();
    let loss = page.text("loss").await;
    let disabled = page.js("return document.querySelector(\"[data-testid='undo']\").disabled;").await;
    assert_eq!(disabled, Value::Bool(true), "nothing to undo yet");
    page.click("insert-knot").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    page.wait_for("more parameters", Duration::from_secs(20), || async {
        page.number("params").await.filter(|p| *p > params).map(|_| ())
    })
    .await;
    assert!(page.text("undo").await.contains("knot insertion"), "{}", page.text("undo").await);
    page.click("undo").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    page.wait_for("the parameter count back", Duration::from_secs(20), || async {
        (page.number("params").await == Some(params)).then_some(())
    })
    .await;
    assert_eq!(page.text("loss").await, loss, "the run is back as it was");
    assert!(page.text("message").await.contains("Undid the knot insertion"), "{}", page.text("message").await);
    page.close().await;
}

#[tokio::test]
async fn a_relu_network_has_its_pieces_counted_and_listed() {
    let page = Page::open("#backend=cpu&dataset=zigzag&net=mlp&depth=1&width=8&act=relu&bias=1&step=200").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    wait_all_steps(&page, 200.0, Duration::from_secs(120)).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let pieces = page.number("pieces").await.expect("a piece count");
    assert!((1.0..=9.0).contains(&pieces), "8 ReLU neurons make at most 9 pieces: {pieces}");
    let rows = page.js("return document.querySelectorAll(\"[data-testid='breakpoints'] tbody tr\").length;").await;
    assert_eq!(rows.as_f64(), Some(pieces), "one table row per piece");
    // The CSV download holds the same pieces.
    page.click("pieces-csv").await;
    let url = page
        .wait_for("the CSV", Duration::from_secs(20), || async {
            page.js("return document.body.getAttribute('data-last-export');").await.as_str().map(str::to_string)
        })
        .await;
    let csv = page
        .client
        .execute_async("const [url, done] = arguments; fetch(url).then(r => r.text()).then(done);", vec![url.into()])
        .await
        .expect("read the CSV");
    let csv = csv.as_str().unwrap_or_default().to_string();
    assert!(csv.starts_with("from,to,slope,intercept,y_from,y_to\n"), "{csv}");
    assert_eq!(csv.lines().count() as f64, pieces + 1.0, "{csv}");
    // A tanh network is not piecewise linear: the page says why instead of a count.
    page.set_value("act", "tanh").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    page.wait_for("the reason", Duration::from_secs(20), || async { (!page.text("pieces-why").await.is_empty()).then_some(()) }).await;
    page.close().await;
}

#[tokio::test]
async fn a_teacher_link_compares_scrubs_back_and_counts_pieces() {
    // A piecewise-linear synapse and 7 ReLU neurons (the same 22 parameters) on the zigzag.
    let page = Page::open("#backend=cpu&dataset=zigzag&runs=2&r2.net=mlp&r2.depth=1&r2.width=7&r2.act=relu&r2.bias=1&step=300").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.wait_for("both runs at step 300", Duration::from_secs(120), || async {
        (card_numbers(&page, "steps").await == vec![Some(300.0), Some(300.0)]).then_some(())
    })
    .await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let now = card_numbers(&page, "run-pieces").await;
    assert!(now.iter().all(Option::is_some), "both runs have a piece count: {now:?}");
    let before = frames(&page).await;
    scrub_to(&page, 5).await;
    page.wait_for("both past frames", Duration::from_secs(30), || async { (frames(&page).await >= before + 2).then_some(()) }).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    assert_eq!(card_numbers(&page, "steps").await, vec![Some(50.0), Some(50.0)], "both runs shown at step 50");
    let then = card_numbers(&page, "run-pieces").await;
    assert!(then.iter().all(Option::is_some), "{then:?}");
    report(&format!("teacher link: pieces at step 300 {now:?}, at step 50 {then:?}"));
    page.screenshot("compare-teacher-step-50").await;

    // A preset replaces the runs: the four families and a ReLU net.
    page.set_value("compare-preset", "families").await;
    page.wait_for("five runs", Duration::from_secs(10), || async { (cards(&page, "loss").await.len() == 5).then_some(()) }).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    assert!(page.text("share-link").await.contains("runs=5"));
    page.click("play").await;
    wait_all_steps(&page, 100.0, Duration::from_secs(120)).await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let losses = card_numbers(&page, "loss").await;
    assert!(losses.iter().all(|l| l.is_some_and(f64::is_finite)), "{losses:?}");
    page.screenshot("compare-families").await;
    page.close().await;
}

#[tokio::test]
async fn undo_after_a_refinement_restores_the_shape_and_the_link() {
    let page = Page::open("#backend=cpu&dataset=sine&net=continuous&segments=4&step=50").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    wait_all_steps(&page, 50.0, Duration::from_secs(120)).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let params = page.number("params").await.unwrap();
    assert!(page.text("share-link").await.contains("segments=4"));
    page.click("h-refine").await;
    page.wait_for("the refined shape", Duration::from_secs(30), || async {
        let link = page.text("share-link").await;
        (link.contains("segments=8") && page.number("params").await.is_some_and(|p| p > params)).then_some(())
    })
    .await;
    wait_idle(&page, Duration::from_secs(60)).await;
    page.click("undo").await;
    page.wait_for("the shape before", Duration::from_secs(30), || async {
        let link = page.text("share-link").await;
        (link.contains("segments=4") && page.number("params").await == Some(params)).then_some(())
    })
    .await;
    page.close().await;
}
