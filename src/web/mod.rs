//! The page: Leptos components, plots and rasters over signals fed by the engine worker's reports.
//! Data flows one way: controls or the URL produce a new `Experiment`; a command goes to the
//! worker (`engine.rs`); its run trains and reports frames; the views draw them.

mod app;
mod bench_page;
mod compare;
mod controls;
mod diagram;
mod digits_lab;
mod engine;
mod export;
mod field_lab;
mod field_points;
mod gallery;
mod image_lab;
mod lesson;
mod offline;
mod pictures;
mod pieces;
mod plot;
mod point_editing;
mod points_panel;
mod raster;
mod runs;
mod share;
mod state;
mod surface_lab;
mod timeline;
mod url;
mod worker_link;

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
