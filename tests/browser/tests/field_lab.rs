//! 2-D classification in a real browser on the CPU path.

use std::time::{Duration, Instant};

use browser_tests::{report, wait_ready, Page};

/// Press Play and wait until the test accuracy reaches `percent`, then pause: the accuracy
/// reached, the step it was reached at, and the seconds since Play.
async fn play_until_accuracy(page: &Page, percent: f64) -> (f64, f64, f64) {
    let t0 = Instant::now();
    page.click("play").await;
    let (acc, steps) = page
        .wait_for(&format!("{percent} % test accuracy"), Duration::from_secs(240), || async {
            let acc = page.number("accuracy").await?;
            (acc >= percent).then_some(acc).zip(page.number("steps").await)
        })
        .await;
    let seconds = t0.elapsed().as_secs_f64();
    page.click("play").await;
    (acc, steps, seconds)
}

#[tokio::test]
async fn a_piecewise_network_learns_the_spiral() {
    let page = Page::open("#kind=field&dataset=spiral&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("a first accuracy", Duration::from_secs(30), || async { page.number("accuracy").await }).await;
    let heat_before = page.canvas_hash("field").await;
    page.watch_long_tasks().await;
    let (acc, steps, seconds) = play_until_accuracy(&page, 90.0).await;
    let (count, longest) = page.long_tasks().await;
    report(&format!(
        "field_spiral_cpu: {acc:.1} % test accuracy at step {steps} after {seconds:.1} s, steps/s={}, long tasks={count}, longest={longest:.0} ms",
        page.text("steps-per-sec").await
    ));
    assert_ne!(heat_before, page.canvas_hash("field").await, "the heat-map was redrawn");
    // Both classes' colours are on the map.
    assert!(page.canvas_pixels_near("field", (8, 119, 189)).await > 100);
    assert!(page.canvas_pixels_near("field", (245, 147, 34)).await > 100);
    page.screenshot("field-spiral").await;
    page.close().await;
}

/// Issue 15's user story: TF Playground's deepest shape (6 hidden layers of 8) built with
/// piecewise-linear synapses in the 2-D tab learns the spiral while the page draws — with the
/// fused CPU kernels, tens of thousands of examples a second (the figure is reported, not asserted:
/// machines differ; docs/benchmarks.md "Fused kernels" has the side-by-side numbers).
#[tokio::test]
async fn a_six_layer_piecewise_network_learns_the_spiral() {
    let page = Page::open("#kind=field&dataset=spiral&width=8&depth=6&knots=8&learnknots=1&batch=10&lr=0.005&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("a first accuracy", Duration::from_secs(30), || async { page.number("accuracy").await }).await;
    let (acc, steps, seconds) = play_until_accuracy(&page, 90.0).await;
    report(&format!(
        "field_deep_page: 4 → 6×8 → 1 piecewise linear reached {acc:.1} % test accuracy at step {steps} after {seconds:.1} s ({:.0} examples/s with the page drawing)",
        steps * 10.0 / seconds
    ));
    // Both classes' colours are on the map.
    assert!(page.canvas_pixels_near("field", (8, 119, 189)).await > 100);
    assert!(page.canvas_pixels_near("field", (245, 147, 34)).await > 100);
    page.screenshot("field-deep-spiral").await;
    page.close().await;
}

#[tokio::test]
async fn the_three_arm_spiral_reaches_85_percent_with_cross_entropy() {
    let page = Page::open("#kind=field&dataset=spiral3&points=600&width=8&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("a first accuracy", Duration::from_secs(30), || async { page.number("accuracy").await }).await;
    assert_eq!(page.text("classes").await, "3");
    assert!(page.text("loss-note").await.contains("cross-entropy"));
    let (acc, steps, seconds) = play_until_accuracy(&page, 85.0).await;
    browser_tests::wait_idle(&page, Duration::from_secs(30)).await;
    report(&format!("field_spiral3_cpu: {acc:.1} % test accuracy at step {steps} after {seconds:.1} s"));
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

/// Click the classification map at (x, y) in [−1, 1]² (`shift`: with Shift held).
async fn click_map(page: &Page, x: f64, y: f64, shift: bool) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    use fantoccini::key::Key;
    use fantoccini::Locator;
    page.js("document.querySelector(\"[data-testid='field']\").scrollIntoView({ block: 'center' }); return true;").await;
    let map = page.client.find(Locator::Css("[data-testid='field']")).await.expect("the map");
    let size = page.js("const r = document.querySelector(\"[data-testid='field']\").getBoundingClientRect(); return [r.width, r.height];").await;
    let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: map, duration: None, x: (x * w / 2.0).round(), y: (-y * h / 2.0).round() })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    if shift {
        let shift_key = Key::Shift.chars().next().unwrap();
        let keys = KeyActions::new("keys".into())
            .then(KeyAction::Down { value: shift_key })
            .then(KeyAction::Pause { duration: Duration::from_millis(10) })
            .then(KeyAction::Pause { duration: Duration::from_millis(10) })
            .then(KeyAction::Pause { duration: Duration::from_millis(10) })
            .then(KeyAction::Up { value: shift_key });
        page.client.perform_actions(fantoccini::actions::Actions::from(keys).and(mouse)).await.expect("shift-click");
    } else {
        page.client.perform_actions(mouse).await.expect("click");
    }
}

#[tokio::test]
async fn points_placed_on_the_map_and_a_labelled_csv_train() {
    let page = Page::open("#kind=field&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    browser_tests::wait_idle(&page, Duration::from_secs(30)).await;
    // A click on the circle set's map starts your own points: class 1 by default, class 0 with Shift.
    let count = |n: usize| {
        let page = &page;
        async move {
            page.wait_for(&format!("{n} points"), Duration::from_secs(30), || async { (page.text("points-count").await == n.to_string()).then_some(()) }).await;
            browser_tests::wait_idle(page, Duration::from_secs(30)).await;
        }
    };
    click_map(&page, -0.5, -0.5, false).await;
    count(1).await;
    click_map(&page, 0.5, 0.5, false).await;
    count(2).await;
    click_map(&page, -0.5, 0.5, true).await;
    count(3).await;
    click_map(&page, 0.5, -0.5, true).await;
    count(4).await;
    let url = page.client.current_url().await.unwrap().to_string();
    let fpts = url.split(['#', '&']).find_map(|p| p.strip_prefix("fpts=")).unwrap_or_default().to_string();
    let classes: Vec<&str> = fpts.split('*').filter_map(|p| p.rsplit('_').next()).collect();
    assert_eq!(classes, vec!["1", "1", "0", "0"], "{url}");
    page.click("play").await;
    page.wait_for("the four points learnt", Duration::from_secs(60), || async { page.number("train-accuracy").await.filter(|a| *a >= 100.0) }).await;
    page.click("play").await;
    browser_tests::wait_idle(&page, Duration::from_secs(30)).await;
    page.screenshot("field-points-placed").await;
    // A right click deletes one.
    {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_RIGHT};
        use fantoccini::Locator;
        let map = page.client.find(Locator::Css("[data-testid='field']")).await.unwrap();
        let size = page.js("const r = document.querySelector(\"[data-testid='field']\").getBoundingClientRect(); return [r.width, r.height];").await;
        let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement { element: map, duration: None, x: (0.5 * w / 2.0).round(), y: (-0.5 * h / 2.0).round() })
            .then(PointerAction::Down { button: MOUSE_BUTTON_RIGHT })
            .then(PointerAction::Up { button: MOUSE_BUTTON_RIGHT });
        page.client.perform_actions(mouse).await.unwrap();
    }
    count(3).await;
    // A labelled table of three classes, in other units: three classes, cross-entropy, trains.
    let rows: String = (0..150)
        .map(|i| {
            let c = i % 3;
            let a = c as f64 * 2.1 + (i / 3) as f64 * 0.01;
            format!("{:.3},{:.3},{}\n", 100.0 + 30.0 * a.cos() + (i as f64 * 0.37).sin(), 50.0 + 30.0 * a.sin(), c * 5)
        })
        .collect();
    let file = std::env::temp_dir().join(format!("piecewise-{}-labelled.csv", std::process::id()));
    std::fs::write(&file, format!("x,y,label\n{rows}")).unwrap();
    page.choose_file("upload-csv", &file).await;
    count(150).await;
    let report_text = page.text("csv-report").await;
    assert!(report_text.contains("3 classes") && report_text.contains("scaled"), "{report_text}");
    assert_eq!(page.text("classes").await, "3");
    page.click("play").await;
    page.wait_for("the table learnt", Duration::from_secs(90), || async { page.number("train-accuracy").await.filter(|a| *a >= 95.0) }).await;
    page.click("play").await;
    browser_tests::wait_idle(&page, Duration::from_secs(30)).await;
    page.screenshot("field-points-uploaded").await;
    page.close().await;
}
