//! The 1-D fit studio in a real browser, on the CPU path and on WebGPU.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page};

const PREDICTION_BLUE: (u8, u8, u8) = (31, 119, 180);

#[tokio::test]
async fn page_loads_and_names_its_backend() {
    let page = Page::open("").await;
    let backend = wait_ready(&page, Duration::from_secs(60)).await;
    // Milliseconds since navigation started (polled every 100 ms, so an upper bound).
    let ready = page.js("return Math.round(performance.now())").await;
    report(&format!("page_ready_ms={ready} backend={backend} reason={:?}", page.text("backend-reason").await));
    assert_eq!(page.client.title().await.unwrap(), "Piecewise Playground");
    assert!(page.number("params").await.unwrap_or(0.0) > 0.0, "parameter count shown");
    // The prediction curve is drawn before any training.
    page.wait_for("the prediction curve", Duration::from_secs(20), || async {
        (page.canvas_pixels_near("plot", PREDICTION_BLUE).await > 200).then_some(())
    })
    .await;
    page.screenshot("page-loaded").await;
    page.close().await;
}

#[tokio::test]
async fn cpu_play_makes_steps_grow_and_loss_fall() {
    let page = Page::open("#backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    assert!(page.text("backend-reason").await.contains("CPU path"));
    page.click("step").await;
    let first = page
        .wait_for("the first step's loss", Duration::from_secs(20), || async { page.number("loss").await })
        .await;
    let before = page.canvas_hash("plot").await;
    page.watch_long_tasks().await;
    page.click("play").await;
    let steps = page
        .wait_for("300 steps", Duration::from_secs(60), || async { page.number("steps").await.filter(|s| *s >= 300.0) })
        .await;
    page.click("play").await; // pause
    wait_idle(&page, Duration::from_secs(30)).await;
    let last = page.number("loss").await.expect("loss shown");
    let (count, longest) = page.long_tasks().await;
    let rate = page.text("steps-per-sec").await;
    report(&format!("cpu_fit: steps={steps} loss {first:.4e} -> {last:.4e}, steps/s={rate}, long tasks={count}, longest={longest:.0} ms"));
    page.screenshot("cpu-trained").await;
    assert!(last * 10.0 < first, "loss fell only from {first} to {last}");
    assert_ne!(before, page.canvas_hash("plot").await, "the plot was redrawn while training");
    // Paused means paused: one more step adds exactly one.
    let frozen = page.number("steps").await.expect("steps");
    page.click("step").await;
    wait_idle(&page, Duration::from_secs(30)).await;
    assert_eq!(page.number("steps").await, Some(frozen + 1.0));
    // A freeze would show up as a long task of hundreds of milliseconds.
    assert!(longest < 500.0, "the page froze for {longest} ms while training");
    page.close().await;
}

#[tokio::test]
async fn webgpu_backend_trains_a_few_steps() {
    let page = Page::open("#backend=webgpu").await;
    let backend = wait_ready(&page, Duration::from_secs(90)).await;
    let reason = page.text("backend-reason").await;
    assert_eq!(backend, "WebGPU", "WebGPU was not used: {reason}");
    assert!(reason.contains("compiling GPU kernels"), "the page says why the first steps are slow: {reason}");
    // SwiftShader compiles every pipeline on first use: keep this short.
    page.click("step").await;
    let first = page
        .wait_for("the first WebGPU step", Duration::from_secs(120), || async { page.number("loss").await })
        .await;
    page.wait_for("the kernels compiled", Duration::from_secs(60), || async {
        (!page.text("backend-reason").await.contains("compiling")).then_some(())
    })
    .await;
    let started = std::time::Instant::now();
    page.click("play").await;
    let steps = page
        .wait_for("6 WebGPU steps", Duration::from_secs(180), || async { page.number("steps").await.filter(|s| *s >= 6.0) })
        .await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(120)).await;
    let last = page.number("loss").await.expect("loss");
    report(&format!(
        "webgpu_fit ({reason}): {steps} steps in {:.1} s, loss {first:.4e} -> {last:.4e}",
        started.elapsed().as_secs_f64()
    ));
    page.screenshot("webgpu-trained").await;
    assert!(last < first, "WebGPU loss did not fall: {first} -> {last}");
    page.close().await;
}

#[tokio::test]
async fn typing_a_formula_changes_the_target_and_bad_ones_are_refused() {
    let page = Page::open("#backend=cpu").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.wait_for("the first frame", Duration::from_secs(20), || async {
        (page.canvas_pixels_near("plot", PREDICTION_BLUE).await > 200).then_some(())
    })
    .await;
    let sine = page.canvas_hash("plot").await;
    let input = page.client.find(fantoccini::Locator::Css("[data-testid='formula']")).await.unwrap();
    // A bad formula: inline error, target unchanged.
    input.clear().await.unwrap();
    input.send_keys("sin(3*x +\n").await.unwrap();
    let error = page
        .wait_for("the formula error", Duration::from_secs(10), || async {
            let t = page.text("formula-error").await;
            (!t.is_empty()).then_some(t)
        })
        .await;
    assert!(error.contains("formula"), "{error}");
    assert_eq!(page.js("return document.querySelector(\"[data-testid='dataset']\").value").await, "sine");
    // A good one replaces the target.
    input.clear().await.unwrap();
    input.send_keys("x^2 - 0.5\n").await.unwrap();
    page.wait_for("the formula target", Duration::from_secs(20), || async {
        let v = page.js("return document.querySelector(\"[data-testid='dataset']\").value").await;
        (v == "formula").then_some(())
    })
    .await;
    page.wait_for("the plot to change", Duration::from_secs(20), || async { (page.canvas_hash("plot").await != sine).then_some(()) })
        .await;
    assert!(page.text("formula-error").await.is_empty());
    let hash = page.js("return location.hash").await;
    assert!(hash.as_str().unwrap_or("").contains("formula=x"), "the link carries the formula: {hash}");
    page.screenshot("formula").await;
    page.close().await;
}

#[tokio::test]
async fn a_diverging_run_pauses_with_a_message_and_keeps_good_weights() {
    // Plain SGD at learning rate 10 on a deep ReLU net over x in [0, 10] explodes within steps.
    let page = Page::open("#backend=cpu&dataset=line0&net=mlp&depth=2&width=16&opt=sgd&lr=10").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.click("play").await;
    let message = page
        .wait_for("the divergence message", Duration::from_secs(60), || async {
            let m = page.text("message").await;
            (!m.is_empty()).then_some(m)
        })
        .await;
    assert!(message.contains("learning rate"), "{message}");
    // Paused, and what is shown is a number again (the restored weights' loss or the last good one).
    wait_idle(&page, Duration::from_secs(30)).await;
    assert!(page.text("play").await.contains("Play"), "training must pause");
    // The run went back to a checkpoint: the step counter shows the step whose weights are back.
    let back: f64 = message
        .split("the weights of step ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the message names the restored step: {message}"));
    assert_eq!(page.number("steps").await, Some(back), "{message}");
    assert!(page.text("play").await.contains("Play"));
    page.screenshot("diverged").await;
    page.close().await;
}

#[tokio::test]
async fn a_garbage_link_opens_the_defaults_with_a_notice() {
    let page = Page::open("#v=1&knots=99999&lr=banana&dataset=%FF&zzz=1&backend=cpu").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    let notice = page.text("notice").await;
    assert!(notice.contains("knots") && notice.contains("zzz"), "{notice}");
    assert!(page.number("params").await.unwrap_or(0.0) > 0.0);
    page.close().await;
}

#[tokio::test]
async fn inserting_a_knot_grows_the_network_without_a_reset() {
    let page = Page::open("#backend=cpu&knots=6").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    for _ in 0..3 {
        page.click("step").await;
    }
    let steps = page.wait_for("3 steps", Duration::from_secs(20), || async { page.number("steps").await.filter(|s| *s >= 3.0) }).await;
    let params = page.number("params").await.expect("params");
    page.click("insert-knot").await;
    let message = page
        .wait_for("the insertion message", Duration::from_secs(20), || async {
            let m = page.text("message").await;
            m.contains("Inserted a knot").then_some(m)
        })
        .await;
    // One more value and one more learned position for the single synapse; training not reset.
    assert_eq!(page.number("params").await, Some(params + 2.0), "{message}");
    assert_eq!(page.number("steps").await, Some(steps));
    page.click("step").await;
    page.wait_for("training to continue", Duration::from_secs(20), || async {
        page.number("steps").await.filter(|s| *s > steps).map(|_| ())
    })
    .await;
    page.close().await;
}

#[tokio::test]
async fn the_plateau_schedule_grows_knots_while_training() {
    // 1 → 1 synapse: parameters = knots values + (knots − 2) learned positions.
    let page = Page::open("#backend=cpu&knots=4&grow=1&maxknots=6").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    assert_eq!(page.number("params").await, Some(6.0));
    page.click("play").await;
    page.wait_for("two knots to be grown", Duration::from_secs(90), || async {
        (page.number("params").await == Some(10.0)).then_some(())
    })
    .await;
    // The plateau rule is checked every 20 steps and may grow every 100: 400 more steps prove the cap.
    let at = page.number("steps").await.expect("steps");
    page.wait_for("400 more steps", Duration::from_secs(90), || async { page.number("steps").await.filter(|s| *s >= at + 400.0) }).await;
    assert_eq!(page.number("params").await, Some(10.0), "growth must stop at maxknots");
    page.click("play").await;
    page.close().await;
}

#[tokio::test]
async fn the_move_schedule_keeps_training_healthy() {
    // Fixed knot positions, moved every 20 steps by the schedule only.
    let page = Page::open("#backend=cpu&knots=10&learnknots=0&move=20").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.click("step").await;
    let first = page.wait_for("a first loss", Duration::from_secs(20), || async { page.number("loss").await }).await;
    page.click("play").await;
    page.wait_for("300 steps", Duration::from_secs(60), || async { page.number("steps").await.filter(|s| *s >= 300.0) }).await;
    // The schedule says what it did (pausing clears the message).
    page.wait_for("a move", Duration::from_secs(30), || async {
        page.text("message").await.contains("knot per grid moved").then_some(())
    })
    .await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(30)).await;
    let last = page.number("loss").await.expect("loss");
    assert!(last * 10.0 < first, "{first} -> {last}");
    page.close().await;
}

#[tokio::test]
async fn a_gpu_failure_moves_the_run_to_the_cpu_and_keeps_its_weights() {
    let page = Page::open("#backend=webgpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(90)).await, "WebGPU");
    wait_idle(&page, Duration::from_secs(240)).await;
    for expected in [1.0, 2.0] {
        page.click("step").await;
        wait_idle(&page, Duration::from_secs(240)).await;
        assert_eq!(page.number("steps").await, Some(expected));
    }
    let on_gpu = page.number("test-loss").await.expect("a test loss on WebGPU");
    page.js("window.__playgroundSimulateGpuFailure(); return true;").await;
    page.wait_for("the CPU path", Duration::from_secs(60), || async { (page.text("backend").await == "CPU").then_some(()) }).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let message = page.text("message").await;
    assert!(message.contains("moved to the CPU") && message.contains("step 2"), "{message}");
    assert_eq!(page.number("steps").await, Some(2.0), "no step lost");
    // The same weights, evaluated on the other backend.
    let on_cpu = page.number("test-loss").await.expect("a test loss on the CPU");
    report(&format!("gpu_failure: test loss {on_gpu} on WebGPU, {on_cpu} after moving to the CPU"));
    assert!((on_gpu - on_cpu).abs() <= 1e-3 * on_gpu.abs().max(1e-9), "the weights changed: {on_gpu} → {on_cpu}");
    page.click("step").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    assert_eq!(page.number("steps").await, Some(3.0), "training goes on");
    page.close().await;
}
