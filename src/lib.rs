//! Piecewise Playground: train small piecewise neural networks live in the browser.

pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod web;
