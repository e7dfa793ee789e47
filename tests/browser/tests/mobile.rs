//! Phones and tablets: at 360 × 740, 390 × 844 and 768 × 1024 (touch) no view scrolls sideways, a
//! lesson link shows the lesson and its plot on the first screen, tapping Play trains, and axe
//! finds nothing serious at phone size; at 1280 × 800 the controls stay beside the stage.

use std::time::Duration;

use browser_tests::{report, wait_idle, wait_ready, Page, Screen};

const VIEWS: [(&str, &str); 7] = [
    ("fit1d", "#backend=cpu&dataset=zigzag&runs=2&r2.net=mlp&r2.depth=1&r2.width=7&r2.act=relu&step=20"),
    ("image", "#kind=image&image=rings&res=32&backend=cpu&step=3"),
    ("field", "#kind=field&backend=cpu&step=5"),
    ("regression", "#kind=regression&backend=cpu&step=5"),
    ("digits", "#kind=digits&backend=cpu&step=5"),
    ("lesson", "#kind=lesson&lesson=8&backend=cpu"),
    ("presenter", "#kind=lesson&lesson=2&backend=cpu&present=1"),
];

/// (page width, viewport width): the page must not be wider than the screen.
async fn widths(page: &Page) -> (f64, f64) {
    let v = page.js("return [document.documentElement.scrollWidth, window.innerWidth];").await;
    (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0))
}

/// The top of an element relative to the viewport's height (1.0 = just below the first screen).
async fn top_in_screens(page: &Page, testid: &str) -> f64 {
    let v = page.js(&format!("const e = document.querySelector(\"[data-testid='{testid}']\"); return e ? e.getBoundingClientRect().top / window.innerHeight : 99;")).await;
    v.as_f64().unwrap_or(99.0)
}

#[tokio::test]
async fn no_view_scrolls_sideways_on_a_phone_or_a_tablet() {
    for (screen, label) in [(Screen::SMALL_PHONE, "small-phone"), (Screen::PHONE, "phone"), (Screen::TABLET, "tablet")] {
        for (name, hash) in VIEWS {
            let page = Page::open_on(hash, screen).await;
            wait_ready(&page, Duration::from_secs(60)).await;
            wait_idle(&page, Duration::from_secs(120)).await;
            // A phone browser widens its layout viewport to content that overflows: compare with
            // the screen's width, not only the viewport's.
            let (scroll, viewport) = widths(&page).await;
            report(&format!("mobile {label} {name}: page {scroll} px wide in a {viewport} px viewport on a {} px screen", screen.width));
            page.screenshot(&format!("mobile-{label}-{name}")).await;
            assert!(scroll <= screen.width as f64 && viewport <= screen.width as f64, "{label} {name}: the page is {scroll} px wide on a {} px screen", screen.width);
            page.close().await;
        }
    }
}

#[tokio::test]
async fn a_lesson_on_a_phone_shows_the_lesson_and_plot_first_and_plays_by_tap() {
    let page = Page::open_on("#kind=lesson&lesson=6&backend=cpu", Screen::PHONE).await;
    wait_ready(&page, Duration::from_secs(60)).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let (title, plot) = (top_in_screens(&page, "lesson-title").await, top_in_screens(&page, "plot").await);
    report(&format!("mobile lesson: title at {title:.2} screens, plot at {plot:.2} screens"));
    assert!(title < 0.5, "the lesson title is near the top: {title}");
    assert!(plot < 0.8, "the plot starts high enough on the first screen to be seen: {plot}");
    // Play is in the bar at the bottom of the screen, within reach.
    let play = top_in_screens(&page, "play").await;
    assert!((0.8..1.0).contains(&play), "play sits at the bottom of the first screen: {play}");
    let size = page.js("const r = document.querySelector(\"[data-testid='play']\").getBoundingClientRect(); return [r.width, r.height];").await;
    assert!(size[1].as_f64().unwrap_or(0.0) >= 44.0, "a finger-sized play button: {size}");
    page.click("play").await;
    page.wait_for("steps to grow", Duration::from_secs(60), || async { page.number("steps").await.filter(|s| *s >= 20.0) }).await;
    page.click("play").await;
    wait_idle(&page, Duration::from_secs(60)).await;
    // The settings are folded away on a phone, and open with a tap.
    let open = page.js("return document.querySelector('details.settings').open;").await;
    assert_eq!(open.as_bool(), Some(false), "settings folded on a phone");
    page.js("document.querySelector('details.settings > summary').click(); return true;").await;
    let open = page.js("return document.querySelector('details.settings').open;").await;
    assert_eq!(open.as_bool(), Some(true));
    page.screenshot("mobile-phone-lesson-settings").await;
    page.close().await;
}

#[tokio::test]
async fn on_a_laptop_the_controls_stay_beside_the_stage() {
    let page = Page::open_on("#backend=cpu", Screen::LAPTOP).await;
    wait_ready(&page, Duration::from_secs(60)).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let v = page
        .js("const c = document.querySelector('aside.controls').getBoundingClientRect(), s = document.querySelector('.stage').getBoundingClientRect(); return [c.right, s.left, c.top, s.top, document.querySelector('details.settings').open];")
        .await;
    let (controls_right, stage_left) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap());
    assert!(controls_right <= stage_left, "controls left of the stage: {v}");
    assert!((v[2].as_f64().unwrap() - v[3].as_f64().unwrap()).abs() < 2.0, "side by side: {v}");
    assert_eq!(v[4].as_bool(), Some(true), "settings open on a wide screen");
    let (scroll, viewport) = widths(&page).await;
    assert!(scroll <= viewport);
    page.screenshot("mobile-laptop").await;
    page.close().await;
}

/// A one-finger horizontal swipe across the lesson panel (synthetic touch events, as a finger
/// would send them).
async fn swipe(page: &Page, dx: f64) {
    page.js(&format!(
        "const el = document.querySelector('section.lesson'); const r = el.getBoundingClientRect();
         const x = r.left + r.width / 2, y = r.top + 40;
         const touch = (cx) => new Touch({{ identifier: 1, target: el, clientX: cx, clientY: y }});
         el.dispatchEvent(new TouchEvent('touchstart', {{ touches: [touch(x)], changedTouches: [touch(x)], bubbles: true }}));
         el.dispatchEvent(new TouchEvent('touchend', {{ touches: [], changedTouches: [touch(x + {dx})], bubbles: true }}));
         return true;"
    ))
    .await;
}

#[tokio::test]
async fn swiping_changes_the_lesson_step_and_presenter_mode_fills_a_tablet() {
    let page = Page::open_on("#kind=lesson&lesson=3&backend=cpu", Screen::PHONE).await;
    wait_ready(&page, Duration::from_secs(60)).await;
    let title = page.text("lesson-title").await;
    swipe(&page, -120.0).await;
    page.wait_for("the next step", Duration::from_secs(10), || async {
        page.client.current_url().await.ok().filter(|u| u.as_str().contains("lesson=4")).map(|_| ())
    })
    .await;
    assert_ne!(page.text("lesson-title").await, title);
    swipe(&page, 120.0).await;
    page.wait_for("the previous step again", Duration::from_secs(10), || async {
        page.client.current_url().await.ok().filter(|u| u.as_str().contains("lesson=3")).map(|_| ())
    })
    .await;
    assert_eq!(page.text("lesson-title").await, title);
    page.close().await;

    // A tablet in landscape: presenter mode's lesson and plot fill the screen's width.
    let landscape = Screen { width: 1024, height: 768, touch: true };
    let page = Page::open_on("#kind=lesson&lesson=2&backend=cpu&present=1", landscape).await;
    wait_ready(&page, Duration::from_secs(60)).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let v = page.js("const l = document.querySelector('section.lesson').getBoundingClientRect(); return [l.width, window.innerWidth, document.documentElement.scrollWidth];").await;
    let (lesson, width, scroll) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap(), v[2].as_f64().unwrap());
    report(&format!("presenter on a landscape tablet: lesson {lesson} px of {width} px"));
    page.screenshot("mobile-tablet-landscape-presenter").await;
    assert!(scroll <= width, "no sideways scrolling: {scroll} > {width}");
    assert!(lesson >= 0.85 * width, "the lesson spans the screen: {lesson} of {width}");
    page.close().await;
}

#[tokio::test]
async fn spreading_two_fingers_zooms_the_image_detail() {
    let page = Page::open_on("#kind=image&image=rings&res=32&backend=cpu&step=2", Screen::PHONE).await;
    wait_ready(&page, Duration::from_secs(60)).await;
    wait_idle(&page, Duration::from_secs(60)).await;
    let zoom = || async { page.js("return document.querySelector('.zoom-bar .hint').textContent;").await.as_str().unwrap_or_default().to_string() };
    assert!(zoom().await.contains(" 1× zoom"), "{}", zoom().await);
    page.js(
        "const el = document.querySelector(\"[data-testid='image-detail']\"); el.scrollIntoView(); const r = el.getBoundingClientRect();
         const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
         const t = (id, dx) => new Touch({ identifier: id, target: el, clientX: cx + dx, clientY: cy });
         for (const d of [25, 50, 75]) {
           el.dispatchEvent(new TouchEvent('touchmove', { touches: [t(1, -d), t(2, d)], changedTouches: [t(2, d)], bubbles: true, cancelable: true }));
         }
         el.dispatchEvent(new TouchEvent('touchend', { touches: [], changedTouches: [t(1, -75), t(2, 75)], bubbles: true }));
         return true;",
    )
    .await;
    page.wait_for("the zoomed detail", Duration::from_secs(30), || async { zoom().await.contains(" 2× zoom").then_some(()) }).await;
    page.close().await;
}
