//! Everything both sides of the playground share, with no tensors and no web crates: the
//! experiment and its share link (one table of keys), the lessons, dataset recipes, picture
//! decoding, metrics, seeded randomness, the shapes of networks and training, weights as plain
//! data, model files, and the messages between the page and the engine worker. The engine (burn) builds on it; so does the page.

pub mod backend_pick;
pub mod budget;
pub mod compare;
pub mod data;
pub mod experiment;
pub mod lessons;
pub mod link;
pub mod link_fuzz;
pub mod metrics;
pub mod model_file;
pub mod pieces;
pub mod protocol;
pub mod rng;
pub mod spec;
pub mod weights;
