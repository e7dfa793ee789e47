//! Data sets: 1-D targets (built-in, typed formulas and the user's own points) split into train and test points; pictures
//! and classification fields for the 2-D experiments.

pub mod csv_table;
pub mod digits;
pub mod field;
pub mod formula;
pub mod labelled_points;
pub mod picture;
pub mod plane;
pub mod points;
pub mod split;
pub mod surface;
pub mod targets;

pub use formula::Formula;
pub use points::UserPoints;
pub use targets::{Dataset1d, Samples1d, Target1d};
