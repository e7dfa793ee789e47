//! The experiment lives in the URL hash, so the address bar is always a share link.

use crate::core::experiment::Experiment;

/// The experiment from the current hash, with notices about anything that was off.
pub fn read() -> (Experiment, Vec<String>) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    Experiment::from_link(&hash)
}

/// Replace the hash without adding a history entry.
pub fn write(exp: &Experiment) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(history) = window.history() {
        let url = format!("#{}", exp.to_link());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
