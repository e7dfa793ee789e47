//! Keeping the playground for offline use, and knowing which build is running.
//!
//! `cargo xtask dist` names each build and writes `sw.js`, a service worker that keeps every file
//! of that build in one cache (xtask/src/service_worker.js). Here the page:
//! - reads its build's name from `<meta name="playground-build">` (absent in a development build:
//!   then nothing here applies);
//! - registers the service worker once the engine is ready, so a first visit's downloads are not
//!   slowed down by it, and shows whether the playground works offline;
//! - offers a newer build when one has been deployed ("Reload to update"): the running page keeps
//!   its own build until the user chooses, so page and engine never come from two builds.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::state::Ui;

/// The build this page belongs to, as `cargo xtask dist` wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct PageBuild {
    pub name: String,
    /// The size of the engine's wasm, for the loading readout.
    pub engine_bytes: u64,
}

impl PageBuild {
    pub fn of_this_page() -> Option<PageBuild> {
        let meta = web_sys::window()?
            .document()?
            .query_selector("meta[name=\"playground-build\"]")
            .ok()??;
        Some(PageBuild {
            name: meta.get_attribute("content")?,
            engine_bytes: meta
                .get_attribute("data-engine-bytes")
                .and_then(|b| b.parse().ok())
                .unwrap_or(0),
        })
    }
}

/// Where offline use stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Offline {
    /// A development build (no service worker), or not yet asked.
    Unknown,
    /// The browser offers no service workers here (an `http://` address other than localhost).
    Unsupported,
    /// The service worker is keeping this build's files.
    Saving,
    /// Every file of this build is kept: the playground works without a network.
    Ready,
    /// A newer build has been kept and waits for the user to reload.
    UpdateReady,
    Failed(String),
}

impl Offline {
    /// The status line, if there is anything to say.
    pub fn text(&self) -> Option<String> {
        match self {
            Offline::Unknown => None,
            Offline::Unsupported => {
                Some("Offline use needs an https:// address (or localhost).".into())
            }
            Offline::Saving => Some("Saving the playground for offline use…".into()),
            Offline::Ready => Some("Works offline".into()),
            Offline::UpdateReady => Some("Works offline · a new version is ready".into()),
            Offline::Failed(why) => Some(format!(
                "Could not save the playground for offline use ({why}); it still works online."
            )),
        }
    }
}

const SCRIPT: &str = "./sw.js";

fn error_text(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Follow a service worker until it is installed (`on_installed`) or gone (`on_redundant`).
fn follow(
    worker: web_sys::ServiceWorker,
    on_installed: impl Fn() + 'static,
    on_redundant: impl Fn() + 'static,
) {
    let watched = worker.clone();
    let on_change = Closure::<dyn Fn()>::new(move || match watched.state() {
        web_sys::ServiceWorkerState::Installed | web_sys::ServiceWorkerState::Activated => {
            on_installed()
        }
        web_sys::ServiceWorkerState::Redundant => on_redundant(),
        _ => {}
    });
    worker.set_onstatechange(Some(on_change.as_ref().unchecked_ref()));
    // Lives as long as the worker it watches.
    on_change.forget();
}

/// Register the service worker (once, when the engine is ready) and keep `ui.offline` current.
pub fn register(ui: Ui) {
    if ui.page_build.get_value().is_none() || ui.offline.get_untracked() != Offline::Unknown {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        ui.offline.set(Offline::Unsupported);
        return;
    }
    let container = navigator.service_worker();
    // A page that asked for the newer build reloads once that build controls it.
    let on_controller = Closure::<dyn Fn()>::new(move || {
        if ui.updating.get_value() {
            let _ = web_sys::window().map(|w| w.location().reload());
        }
    });
    container.set_oncontrollerchange(Some(on_controller.as_ref().unchecked_ref()));
    on_controller.forget();
    ui.offline.set(Offline::Saving);
    wasm_bindgen_futures::spawn_local(async move {
        let registration = match JsFuture::from(container.register(SCRIPT)).await {
            Ok(r) => r.unchecked_into::<web_sys::ServiceWorkerRegistration>(),
            Err(e) => return ui.offline.set(Offline::Failed(error_text(e))),
        };
        ui.registration.set_value(Some(registration.clone()));
        let controlled = container.controller().is_some();
        if registration.waiting().is_some() && controlled {
            ui.offline.set(Offline::UpdateReady);
        } else if let Some(active) = registration.active().filter(|_| controlled) {
            ui.offline.set(
                if active.state() == web_sys::ServiceWorkerState::Activated {
                    Offline::Ready
                } else {
                    Offline::Saving
                },
            );
        }
        // The first install, or one begun by the browser's own check on this visit.
        if let Some(installing) = registration.installing() {
            watch_install(ui, installing, controlled);
        }
        let found = registration.clone();
        let on_update = Closure::<dyn Fn()>::new(move || {
            if let Some(installing) = found.installing() {
                let controlled = web_sys::window()
                    .map(|w| w.navigator().service_worker().controller().is_some())
                    .unwrap_or(false);
                watch_install(ui, installing, controlled);
            }
        });
        registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
        on_update.forget();
        // Ask the server whether a newer build was deployed since this one was kept.
        if let Ok(check) = registration.update() {
            let _ = JsFuture::from(check).await;
        }
    });
}

/// A service worker being installed: this build's first (the page is not yet controlled), or a
/// newer build's (it will wait for "Reload to update").
fn watch_install(ui: Ui, worker: web_sys::ServiceWorker, update: bool) {
    if !update {
        ui.offline.set(Offline::Saving);
    }
    follow(
        worker,
        move || {
            ui.offline.set(if update {
                Offline::UpdateReady
            } else {
                Offline::Ready
            })
        },
        move || {
            if !update {
                ui.offline.set(Offline::Failed(
                    "the service worker could not keep every file".into(),
                ));
            }
        },
    );
}

/// "Reload to update": let the waiting build take over, then reload (`register`'s controller
/// listener) — the experiment is in the address, so the reloaded page shows it again.
pub fn take_update(ui: Ui) {
    let waiting = ui
        .registration
        .with_value(|r| r.as_ref().and_then(|r| r.waiting()));
    match waiting {
        Some(worker) => {
            ui.updating.set_value(true);
            let _ = worker.post_message(&"skip-waiting".into());
        }
        None => {
            let _ = web_sys::window().map(|w| w.location().reload());
        }
    }
}

/// The status line under the header, and the update offer.
#[component]
pub fn OfflineStatus(ui: Ui) -> impl IntoView {
    view! {
        <div class="offline-status" role="status">
            <span data-testid="offline-status">{move || ui.offline.get().text().unwrap_or_default()}</span>
            <Show when=move || ui.offline.get() == Offline::UpdateReady>
                " "<button data-testid="reload-update" on:click=move |_| take_update(ui)>"Reload to update"</button>
            </Show>
            <span class="build" data-testid="build"
                data-page-build=move || ui.page_build.with_value(|b| b.as_ref().map(|b| b.name.clone()))
                data-engine-build=move || ui.engine_build.get()>
                {move || ui.page_build.with_value(|b| b.as_ref().map(|b| format!(" · build {}", b.name))).unwrap_or_default()}
            </span>
        </div>
    }
}
