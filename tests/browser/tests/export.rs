//! Export and import in a real browser (CPU path): a model file round-trips to the same
//! predictions, bad files change nothing, and the PNG, CSV and WebM exports produce real files.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page};

#[tokio::test]
async fn an_exported_model_imports_to_the_same_predictions() {
    let page = Page::open("#backend=cpu&dataset=zigzag&step=120").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.wait_for("step 120", Duration::from_secs(60), || async { page.number("steps").await.filter(|s| *s == 120.0) }).await;
    wait_idle(&page, Duration::from_secs(30)).await;
    let test_loss = page.text("test-loss").await;
    page.click("export-model").await;
    let (_, bytes) = page.last_export(None).await;
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("{\"format\":\"piecewise-model/1\""), "{}", &text[..60.min(text.len())]);
    page.close().await;
    let file = std::env::temp_dir().join(format!("piecewise-model-{}.json", std::process::id()));
    std::fs::write(&file, &text).unwrap();

    // A fresh page with another experiment loads the model: its data, weights and step count.
    let page = Page::open("#backend=cpu&dataset=sine").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.choose_file("import-model", &file).await;
    page.wait_for("the model to load", Duration::from_secs(30), || async {
        page.text("message").await.contains("Loaded").then_some(())
    })
    .await;
    let again = page.wait_for("the test loss", Duration::from_secs(20), || async {
        let t = page.text("test-loss").await;
        (t != "–").then_some(t)
    })
    .await;
    assert_eq!(page.number("steps").await, Some(120.0));
    assert_eq!(again, test_loss, "the imported model predicts differently");
    report(&format!("model export/import: {} bytes, test loss {test_loss} before and after", text.len()));

    // A file that is not a model changes nothing.
    let bad = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corrupt.png").canonicalize().unwrap();
    page.choose_file("import-model", &bad).await;
    page.wait_for("a refusal", Duration::from_secs(20), || async {
        page.text("message").await.contains("was not loaded").then_some(())
    })
    .await;
    assert_eq!(page.number("steps").await, Some(120.0));
    assert_eq!(page.text("test-loss").await, test_loss);
    let _ = std::fs::remove_file(file);
    page.close().await;
}

#[tokio::test]
async fn png_csv_and_video_exports_are_real_files() {
    let page = Page::open("#backend=cpu").await;
    assert_eq!(wait_ready(&page, Duration::from_secs(60)).await, "CPU");
    page.click("export-png").await;
    let (png_url, png) = page.last_export(None).await;
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    page.click("step").await;
    page.click("export-csv").await;
    let (csv_url, csv) = page.last_export(Some(&png_url)).await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("set,x,y\ntrain,") && csv.contains("step,train_loss\n1,"), "{}", &csv[..80.min(csv.len())]);
    page.set_value("video-steps", "150").await;
    page.click("export-video").await;
    let (_, webm) = page.last_export(Some(&csv_url)).await;
    report(&format!("exports: PNG {} bytes, CSV {} bytes, WebM {} bytes ({})", png.len(), csv.len(), webm.len(), page.text("export-status").await));
    assert!(webm.len() > 1000, "a tiny video: {} bytes", webm.len());
    assert_eq!(&webm[..4], &[0x1A, 0x45, 0xDF, 0xA3], "WebM (EBML) header");
    assert!(page.number("steps").await.unwrap() >= 151.0, "the video recorded training");
    page.close().await;
}

#[tokio::test]
async fn an_import_can_be_undone() {
    let page = Page::open("#backend=cpu&dataset=zigzag&step=120").await;
    wait_ready(&page, Duration::from_secs(60)).await;
    page.wait_for("step 120", Duration::from_secs(60), || async { page.number("steps").await.filter(|s| *s == 120.0) }).await;
    wait_idle(&page, Duration::from_secs(30)).await;
    page.click("export-model").await;
    let (_, bytes) = page.last_export(None).await;
    let file = std::env::temp_dir().join(format!("piecewise-undo-{}.json", std::process::id()));
    std::fs::write(&file, &bytes).unwrap();
    // Train on past the exported step, then load the step-120 model into the same experiment.
    page.click("play").await;
    page.wait_for("step 200", Duration::from_secs(60), || async { page.number("steps").await.filter(|s| *s >= 200.0) }).await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(30)).await;
    let (steps, loss) = (page.number("steps").await, page.text("loss").await);
    page.choose_file("import-model", &file).await;
    page.wait_for("the model to load", Duration::from_secs(30), || async { page.text("message").await.contains("Loaded").then_some(()) }).await;
    wait_idle(&page, Duration::from_secs(30)).await;
    assert_eq!(page.number("steps").await, Some(120.0), "the model's step count");
    assert!(page.text("undo").await.contains("loading"), "{}", page.text("undo").await);
    page.click("undo").await;
    page.wait_for("the run before the import", Duration::from_secs(30), || async { (page.number("steps").await == steps).then_some(()) }).await;
    wait_idle(&page, Duration::from_secs(30)).await;
    assert_eq!(page.text("loss").await, loss, "the weights before the import are back");
    let _ = std::fs::remove_file(&file);
    page.close().await;
}
