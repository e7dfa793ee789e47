//! The browser-free core: layers, networks, training, datasets and the experiment config.
//!
//! Nothing in here may depend on web-sys, js-sys or leptos: it compiles and is unit-tested natively
//! on burn's CPU backend, and the web layer drives it on whatever `Device` the browser gave us.

pub mod bench;
pub mod carry;
pub mod conformance;
pub mod data;
pub mod experiment;
pub mod grow;
pub mod knots;
pub mod layers;
pub mod lessons;
pub mod link;
pub mod link_fuzz;
pub mod metrics;
pub mod model_file;
pub mod network;
pub mod refine;
pub mod rng;
pub mod run;
pub mod snapshot;
pub mod train;
