//! Data sets: 1-D targets (built-in and typed formulas) split into train and test points.

pub mod formula;
pub mod targets;

pub use formula::Formula;
pub use targets::{Dataset1d, Samples1d, Target1d};
