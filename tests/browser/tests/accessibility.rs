//! axe-core on every view of the playground (the version `cargo xtask test` installs): no serious
//! or critical violation in a 1-D comparison with its timeline and pieces table, the image lab, a
//! classification comparison with its side-by-side maps, a lesson, and presenter mode.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page, Screen};

/// Run axe on the page as it is; the serious and critical violations as "rule: nodes".
async fn serious_violations(page: &Page) -> Vec<String> {
    let path = std::env::var("AXE_JS").expect("AXE_JS is not set: run the browser tests with `cargo xtask test`");
    let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    page.js(&format!("{axe}\nreturn true;")).await;
    let found = page
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document).then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 4).join(', '))));",
            vec![],
        )
        .await
        .expect("axe runs");
    found.as_array().map(|a| a.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn every_view_has_no_serious_accessibility_violation() {
    let views = [
        ("fit1d-compare", "#backend=cpu&dataset=zigzag&runs=2&r2.net=mlp&r2.depth=1&r2.width=7&r2.act=relu&step=60"),
        ("your-points", "#backend=cpu&dataset=points&test=0.4&pts=-0.5_0.2*0_0.8*0.5_-0.1*0.9_0.3*-0.9_0&step=20"),
        ("image", "#kind=image&image=rings&res=32&backend=cpu&step=5"),
        ("digits", "#kind=digits&backend=cpu&step=30"),
        ("three-classes", "#kind=field&dataset=spiral3&backend=cpu&step=10"),
        ("field-compare", "#kind=field&backend=cpu&runs=2&r2.net=mlp&r2.depth=1&r2.width=8&r2.act=relu&step=10"),
        ("lesson", "#kind=lesson&lesson=8&backend=cpu"),
        ("presenter", "#kind=lesson&lesson=2&backend=cpu&present=1"),
    ];
    let mut failures = Vec::new();
    for (name, hash) in views {
        let page = Page::open(hash).await;
        wait_ready(&page, Duration::from_secs(60)).await;
        wait_idle(&page, Duration::from_secs(120)).await;
        // Open what is folded away, so it is checked too.
        page.js("document.querySelectorAll('details').forEach(d => d.open = true); return true;").await;
        let found = serious_violations(&page).await;
        report(&format!("axe {name}: {} serious or critical", found.len()));
        if !found.is_empty() {
            page.screenshot(&format!("axe-{name}")).await;
            failures.push(format!("{name}: {found:?}"));
        }
        if name == "fit1d-compare" {
            // The checker really checks: a nameless button is a critical violation.
            page.js("document.querySelector('main').appendChild(document.createElement('button')); return true;").await;
            let planted = serious_violations(&page).await;
            assert!(planted.iter().any(|v| v.starts_with("button-name")), "axe missed a planted violation: {planted:?}");
        }
        page.close().await;
    }
    assert!(failures.is_empty(), "accessibility violations:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn a_phone_sized_page_has_no_serious_accessibility_violation() {
    let mut failures = Vec::new();
    for (name, hash) in [("fit1d", "#backend=cpu&dataset=zigzag&step=20"), ("lesson", "#kind=lesson&lesson=3&backend=cpu")] {
        let page = Page::open_on(hash, Screen::PHONE).await;
        wait_ready(&page, Duration::from_secs(60)).await;
        wait_idle(&page, Duration::from_secs(120)).await;
        let found = serious_violations(&page).await;
        report(&format!("axe phone {name}: {} serious or critical", found.len()));
        if !found.is_empty() {
            failures.push(format!("{name}: {found:?}"));
        }
        page.close().await;
    }
    assert!(failures.is_empty(), "accessibility violations at phone size:\n{}", failures.join("\n"));
}
