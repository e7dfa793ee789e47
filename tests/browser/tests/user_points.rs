//! Your own 1-D points in a real browser (CPU path): clicking on the plot draws points and
//! training fits them, dragging moves one and a right click deletes one; a pasted or uploaded
//! CSV replaces the data, a bad one changes nothing, and the data export reads back as the same
//! data.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page};
use fantoccini::actions::{MOUSE_BUTTON_LEFT, MOUSE_BUTTON_RIGHT};

async fn count(page: &Page) -> Option<usize> {
    page.text("points-count").await.trim().parse().ok()
}

async fn wait_count(page: &Page, n: usize) {
    page.wait_for(&format!("{n} points"), Duration::from_secs(30), || async { (count(page).await == Some(n)).then_some(()) }).await;
    wait_idle(page, Duration::from_secs(30)).await;
}

async fn address(page: &Page) -> String {
    page.client.current_url().await.unwrap().to_string()
}

/// The points the address carries (`pts=x_y*x_y…`).
async fn linked_points(page: &Page) -> Vec<(f64, f64)> {
    let url = address(page).await;
    let Some(value) = url.split(['#', '&']).find_map(|p| p.strip_prefix("pts=")) else { return Vec::new() };
    value
        .split('*')
        .filter_map(|p| {
            let (x, y) = p.split_once('_')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

async fn click(page: &Page, at: (f64, f64)) {
    page.plot_press(at, at, MOUSE_BUTTON_LEFT).await;
}

#[tokio::test]
async fn clicking_on_the_plot_draws_points_and_training_fits_them() {
    // Start on the sine wave: a click there starts your own points.
    let page = Page::open("#backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    wait_idle(&page, Duration::from_secs(30)).await;
    let (x0, x1) = {
        let v = page.js("return document.querySelector(\"[data-testid='plot']\").dataset.xRange.split(' ').map(Number);").await;
        (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
    };
    // A quarter of the way along the sine plot's x axis, at its middle height: on the canvas
    // your points start on ([−1, 1]²) that is x = −0.5.
    let sine_mid_y = {
        let v = page.js("return document.querySelector(\"[data-testid='plot']\").dataset.yRange.split(' ').map(Number);").await;
        (v[0].as_f64().unwrap() + v[1].as_f64().unwrap()) / 2.0
    };
    click(&page, (x0 + 0.25 * (x1 - x0), sine_mid_y)).await;
    wait_count(&page, 1).await;
    let url = address(&page).await;
    assert!(url.contains("dataset=points") && url.contains("test=0"), "{url}");
    let first = linked_points(&page).await;
    assert_eq!(first.len(), 1, "{url}");
    assert!((first[0].0 + 0.5).abs() < 0.02 && first[0].1.abs() < 0.02, "the first point is where it was clicked: {first:?}");
    // Four more on the [−1, 1] canvas.
    let wanted = [(-0.8, -0.3), (0.0, 0.1), (0.35, 0.7), (0.8, -0.2)];
    for (i, at) in wanted.into_iter().enumerate() {
        click(&page, at).await;
        wait_count(&page, i + 2).await;
    }
    let drawn = linked_points(&page).await;
    for (got, want) in drawn[1..].iter().zip(wanted) {
        assert!((got.0 - want.0).abs() < 0.01 && (got.1 - want.1).abs() < 0.01, "drawn {drawn:?}, clicked {wanted:?}");
    }
    // Training fits all five.
    page.click("play").await;
    let loss = page
        .wait_for("the five points fitted", Duration::from_secs(90), || async { page.number("loss").await.filter(|l| *l < 1e-3) })
        .await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(30)).await;
    report(&format!("five drawn points: loss {loss} after {} steps", page.text("steps").await));
    page.screenshot("user-points-drawn").await;
    // Drag the point at (0.35, 0.7) down to (0.35, −0.6).
    page.plot_press((0.35, 0.7), (0.35, -0.6), MOUSE_BUTTON_LEFT).await;
    page.wait_for("the dragged point", Duration::from_secs(30), || async {
        let pts = linked_points(&page).await;
        (pts.len() == 5 && pts[3].1 < -0.55 && (pts[3].0 - 0.35).abs() < 0.01).then_some(())
    })
    .await;
    // A right click deletes the point under it; a click on empty space adds one.
    page.plot_press((0.8, -0.2), (0.8, -0.2), MOUSE_BUTTON_RIGHT).await;
    wait_count(&page, 4).await;
    assert!(linked_points(&page).await.iter().all(|p| (p.0 - 0.8).abs() > 0.01), "{:?}", linked_points(&page).await);
    // "Clear" empties the set; play then says what to do instead of training.
    page.click("clear-points").await;
    wait_count(&page, 0).await;
    page.click("play").await;
    page.wait_for("the empty set's message", Duration::from_secs(30), || async {
        page.text("message").await.contains("click on the plot").then_some(())
    })
    .await;
    wait_idle(&page, Duration::from_secs(30)).await;
    assert_eq!(page.number("steps").await, Some(0.0));
    page.close().await;
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("piecewise-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The points section of a data export (before the loss history).
fn points_section(csv: &[u8]) -> String {
    String::from_utf8_lossy(csv).split("\n\n").next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_csv_replaces_the_data_and_a_bad_one_changes_nothing() {
    let page = Page::open("#dataset=points&backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    wait_count(&page, 0).await;
    // Pasted, with a header, a bad row and a semicolon table's decimal commas.
    page.js(
        "const t = document.querySelector(\"[data-testid='paste-csv']\");
         t.value = 'x;y\\n-0,5;0,25\\noops;1\\n0;0,5\\n0,5;-0,25\\n';
         t.dispatchEvent(new Event('input', { bubbles: true })); return true;",
    )
    .await;
    page.click("use-csv").await;
    wait_count(&page, 3).await;
    let pasted = page.text("csv-report").await;
    assert!(pasted.starts_with("Read 3 points") && pasted.contains("line 3"), "{pasted}");
    assert_eq!(linked_points(&page).await, vec![(-0.5, 0.25), (0.0, 0.5), (0.5, -0.25)]);
    // An uploaded file of 150 rows replaces them (too many for a link: the page says so).
    let rows: String = (0..150).map(|i| { let x = -1.0 + 2.0 * i as f64 / 149.0; format!("{x},{}\n", (3.0 * x).sin()) }).collect();
    let good = temp_file("sine.csv", format!("x,y\n{rows}").as_bytes());
    page.choose_file("upload-csv", &good).await;
    wait_count(&page, 150).await;
    assert!(page.text("csv-report").await.starts_with("Read 150 points"));
    assert!(address(&page).await.contains("pts=n150"), "{}", address(&page).await);
    assert!(page.text("points-not-in-link").await.contains("150 points"));
    // A binary file and a table without a usable row change nothing.
    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    for (name, bytes) in [("picture.csv", binary.as_slice()), ("words.csv", b"x,y\nfoo,bar\n".as_slice())] {
        page.choose_file("upload-csv", &temp_file(name, bytes)).await;
        page.wait_for("the refusal", Duration::from_secs(30), || async { (!page.text("csv-error").await.is_empty()).then_some(()) }).await;
        assert!(page.text("csv-error").await.contains("unchanged"), "{}", page.text("csv-error").await);
        assert_eq!(count(&page).await, Some(150));
        // The good file again: nothing changes, and the message goes.
        page.choose_file("upload-csv", &good).await;
        page.wait_for("the message cleared", Duration::from_secs(30), || async { page.text("csv-error").await.is_empty().then_some(()) }).await;
    }
    // Training fits the uploaded curve.
    page.click("step").await;
    let first = page.wait_for("a first loss", Duration::from_secs(30), || async { page.number("loss").await }).await;
    page.click("play").await;
    let loss = page
        .wait_for("the upload fitted", Duration::from_secs(90), || async { page.number("loss").await.filter(|l| *l < first / 10.0) })
        .await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(30)).await;
    report(&format!("150 uploaded points: loss {first} → {loss} after {} steps", page.text("steps").await));
    // The data export reads back as the same data set: same points, same order, same split.
    page.click("export-csv").await;
    let (url, exported) = page.last_export(None).await;
    page.choose_file("upload-csv", &temp_file("export.csv", &exported)).await;
    page.wait_for("the export read back", Duration::from_secs(30), || async {
        page.text("csv-report").await.contains("the table ends").then_some(())
    })
    .await;
    wait_count(&page, 150).await;
    page.click("export-csv").await;
    let (_, again) = page.last_export(Some(&url)).await;
    assert_eq!(points_section(&again), points_section(&exported));
    assert!(points_section(&exported).lines().count() == 151);
    page.screenshot("user-points-uploaded").await;
    page.close().await;
}
