//! The training engine (burn): synapse layers, networks, training, knot operations, refinement, and
//! the run loop (`run::Run`). Nothing in here depends on web-sys, js-sys or leptos: it compiles and
//! is tested natively on burn's CPU backend, and the page drives it on whatever `Device` the
//! browser gave.
//!
//! The config crate's modules are re-exported so that one path names each thing.

pub use playground_config::{data, experiment, lessons, link, link_fuzz, metrics, model_file, rng, spec, weights};

pub mod bench;
pub mod build;
pub mod carry;
pub mod conformance;
pub mod grow;
pub mod host_adam;
pub mod host_mirror;
pub mod host_step;
pub mod knots;
pub mod layers;
pub mod network;
pub mod optim;
pub mod refine;
pub mod run;
pub mod snapshot;
pub mod train;
