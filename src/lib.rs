//! Piecewise Playground: train small piecewise neural networks live in the browser. This crate is
//! the page; the engine is `crates/engine`, what both share is `crates/config`.

pub mod ticks;
#[cfg(target_arch = "wasm32")]
pub mod web;
