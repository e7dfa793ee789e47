//! The browser layer: Leptos components, plots, backend choice and the training-loop driver.
//! Data flows one way: controls produce a new `Experiment`; the driver builds and trains the core
//! network; the driver publishes frames; views draw them.

mod app;
mod backend;
mod controls;
mod driver;
mod plot;
mod state;
mod url;

pub use app::App;
