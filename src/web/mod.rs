//! The browser layer: Leptos components, plots, backend choice and the training-loop driver.
//! Data flows one way: controls produce a new `Experiment`; the driver builds and trains the core
//! network; the driver publishes frames; views draw them.

mod app;
mod backend;
mod bench_page;
mod controls;
mod diagram;
mod driver;
mod export;
mod field_lab;
mod frames;
mod image_lab;
mod lesson;
mod pictures;
mod plot;
mod raster;
mod session;
mod share;
mod state;
mod structure;
mod url;

pub use app::App;

use leptos::prelude::*;

/// The page: the playground, or the benchmark runner for `#bench…` links.
#[component]
pub fn Root() -> impl IntoView {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    if hash.starts_with("#bench") {
        view! { <bench_page::BenchPage seconds=bench_page::seconds_from(&hash) /> }.into_any()
    } else {
        view! { <App /> }.into_any()
    }
}
