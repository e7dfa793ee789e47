//! Synapse families, one file each. Every layer maps `[batch, in]` to `[batch, out]` and sums its
//! synapses over the inputs (a KAN-style edge sum), so families can be stacked freely.

pub mod activation;
pub mod basis;
pub mod form;
pub mod fourier;
pub mod fused;
pub mod init;
pub mod lagrange;
pub mod linear;
pub mod pwl;
pub mod pwl_gather;

pub use activation::Activation;
pub use linear::LinearLayer;
pub use pwl::PiecewiseLinear;
