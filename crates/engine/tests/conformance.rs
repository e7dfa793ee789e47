//! The conformance runner, as a user runs it, on the reference vectors of the original Python
//! implementations (copied from the design folder into tests/data so a fresh clone has them).

use std::process::Command;

#[test]
fn every_reference_case_passes() {
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/layers.json"))
        .output()
        .expect("run the conformance binary");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(out.status.success(), "conformance failed:\n{text}");
    let last = text.lines().last().unwrap_or("");
    assert!(last.ends_with("passed, 0 failed") && !last.starts_with("0 passed"), "{last}");
}

#[test]
fn a_failing_case_is_reported_and_fails_the_run() {
    let dir = std::env::temp_dir().join(format!("conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    std::fs::write(
        &file,
        r#"{"schema":"piecewise-reference/1","cases":[
            {"name":"wrong","kind":"lobatto","n":3,"expect":[-1.0,0.1,1.0]},
            {"name":"right","kind":"lobatto","n":2,"expect":[-1.0,1.0]},
            {"name":"new","kind":"something_new"}]}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conformance")).arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(text.contains("FAIL wrong") && text.contains("ok   right") && text.contains("FAIL new"), "{text}");
    assert!(text.trim_end().ends_with("1 passed, 2 failed"), "{text}");
}
