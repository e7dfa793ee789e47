//! The experiment lives in the URL hash, so the address bar is always a share link.
//!
//! Committed changes (a number typed and confirmed, a choice picked) add a history entry, so the
//! browser's Back button undoes them; transient updates replace the current entry.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::runs;
use super::state::Ui;
use playground_config::compare::Comparison;

/// The runs from the current hash, with notices about anything that was off.
pub fn read() -> (Comparison, Vec<String>) {
    Comparison::from_link(&current_hash())
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Replace the hash without adding a history entry.
pub fn write(comparison: &Comparison) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(history) = window.history() {
        let url = format!("#{}", comparison.to_link());
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Record a committed change as a new history entry (nothing when the link did not change).
pub fn push(comparison: &Comparison) {
    let Some(window) = web_sys::window() else { return };
    let url = format!("#{}", comparison.to_link());
    if current_hash() == url {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The full address of the runs (what "copy link" copies).
pub fn absolute(comparison: &Comparison) -> String {
    let location = web_sys::window().map(|w| w.location());
    let base = location
        .map(|l| format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default()))
        .unwrap_or_default();
    format!("{base}#{}", comparison.to_link())
}

/// Keep the address bar on the experiment whatever changed it (a refinement, a reached step
/// target, a refused upload): a replaced entry, no new history entry. Committed changes push
/// their own entry first (`push`), so this finds nothing to do for them.
pub fn keep_in_sync(ui: Ui) {
    Effect::new(move |_| write(&ui.comparison()));
}

/// Back and Forward (and a hand-edited hash) reopen the experiment of that entry.
pub fn follow_history(ui: Ui) {
    let Some(window) = web_sys::window() else { return };
    let on_change = Closure::<dyn Fn()>::new(move || {
        let (comparison, notices) = read();
        if comparison.to_link() != ui.comparison_untracked().to_link() {
            ui.running.set(false);
            ui.notices.set(notices);
            runs::replace(ui, comparison, false);
        }
    });
    let f = on_change.as_ref().unchecked_ref();
    let _ = window.add_event_listener_with_callback("popstate", f);
    let _ = window.add_event_listener_with_callback("hashchange", f);
    // The page lives as long as the listener: leaking the closure is the intended lifetime.
    on_change.forget();
}
