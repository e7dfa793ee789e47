//! Data sets: 1-D targets (built-in and typed formulas) split into train and test points; pictures
//! and classification fields for the 2-D experiments.

pub mod field;
pub mod formula;
pub mod picture;
pub mod plane;
pub mod targets;

pub use formula::Formula;
pub use targets::{Dataset1d, Samples1d, Target1d};
