//! Piecewise Playground: train small piecewise neural networks live in the browser.

pub mod core;
pub mod ticks;
#[cfg(target_arch = "wasm32")]
pub mod web;
