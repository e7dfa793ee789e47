//! Entry point of the web page (built by Trunk for wasm32).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    count_policy_violations();
    leptos::mount::mount_to_body(piecewise_playground::web::Root);
    // The plain-HTML skeleton of index.html has done its job.
    if let Some(loading) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("loading")) {
        loading.remove();
    }
}

/// The page's content policy (written by `cargo xtask dist`) blocks anything from another origin
/// and any inline script it does not know: count what it blocked on `<html>`
/// (`data-csp-violations`, and the last one in `data-csp-blocked`) so tests can check it is zero.
#[cfg(target_arch = "wasm32")]
fn count_policy_violations() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(html) = document.document_element() else { return };
    let _ = html.set_attribute("data-csp-violations", "0");
    let on_violation = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let field = |k: &str| js_sys::Reflect::get(&event, &JsValue::from_str(k)).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let count = html.get_attribute("data-csp-violations").and_then(|c| c.parse::<u32>().ok()).unwrap_or(0) + 1;
        let _ = html.set_attribute("data-csp-violations", &count.to_string());
        let _ = html.set_attribute("data-csp-blocked", &format!("{} ({})", field("blockedURI"), field("violatedDirective")));
    });
    let _ = document.add_event_listener_with_callback("securitypolicyviolation", on_violation.as_ref().unchecked_ref());
    // Listens for the page's lifetime.
    on_violation.forget();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The playground runs in a browser: use `cargo xtask serve` and open the printed URL.");
}
