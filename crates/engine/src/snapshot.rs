//! Host-side copies of a network's weights.
//!
//! A snapshot is what survives a lost GPU device (training continues on the CPU from it), what
//! "back to the last good weights" restores after a divergence, and later what a model export
//! writes. Reads go through `into_data_async`, which is the only read that works on WebGPU in a
//! browser (a synchronous read panics there).

use burn::tensor::{Device, Tensor};

use crate::layers::fourier::FourierSeries;
use crate::layers::lagrange::PiecewisePolynomial;
use crate::layers::{LinearLayer, PiecewiseLinear};
use crate::network::{Layer, Network};

pub use playground_config::weights::{LayerWeights, Snapshot};

/// Read a tensor back to the host on any backend, as f32 (a device running in another float
/// precision is cast; f32 data are not copied).
pub async fn read<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading from the device failed: {e:?}"))?;
    let data = data.try_cast_as::<f32>().map_err(|e| format!("unexpected tensor data: {e:?}"))?;
    data.try_to_vec::<f32>().map_err(|e| format!("unexpected tensor data: {e:?}"))
}

/// Reading a snapshot from a network, and building a network from one (the snapshot itself is
/// plain data, `playground_config::weights`).
#[allow(async_fn_in_trait)]
pub trait Weights: Sized {
    async fn take(net: &Network) -> Result<Self, String>;
    fn restore(&self, device: &Device) -> Network;
}

impl Weights for Snapshot {
    async fn take(net: &Network) -> Result<Self, String> {
        let mut layers = Vec::with_capacity(net.layers.len());
        for layer in &net.layers {
            layers.push(match layer {
                Layer::Pwl(l) => LayerWeights::Pwl {
                    width_logits: read(l.width_logits.val()).await?,
                    values: read(l.values.val()).await?,
                    inputs: l.inputs(),
                    knots: l.knots(),
                    outputs: l.outputs(),
                    domain: l.domain(),
                    learn_positions: l.learns_positions(),
                    per_synapse: l.per_synapse(),
                },
                Layer::Linear(l) => LayerWeights::Linear {
                    weight: read(l.weight.val()).await?,
                    bias: match &l.bias {
                        Some(b) => Some(read(b.val()).await?),
                        None => None,
                    },
                    inputs: l.inputs(),
                    outputs: l.outputs(),
                },
                Layer::Poly(l) => {
                    let [outputs, inputs, _] = l.dims();
                    LayerWeights::Poly {
                        weights: read(l.weights.val()).await?,
                        outputs,
                        inputs,
                        n: l.n(),
                        segments: l.segments(),
                        continuity: l.continuity(),
                        periodicity: l.periodicity(),
                    }
                }
                Layer::Fourier(l) => {
                    let [outputs, inputs, n] = l.weights.dims();
                    LayerWeights::Fourier { weights: read(l.weights.val()).await?, outputs, inputs, n }
                }
            });
        }
        Ok(Snapshot { spec: net.spec.clone(), layers })
    }

    /// Rebuild the network on `device` (any backend, with or without autodiff).
    fn restore(&self, device: &Device) -> Network {
        let layers = self
            .layers
            .iter()
            .map(|w| match w {
                LayerWeights::Pwl { width_logits, values, inputs, knots, outputs, domain, learn_positions, per_synapse } => {
                    Layer::Pwl(PiecewiseLinear::from_parts(
                        width_logits.clone(), values.clone(), *inputs, *knots, *outputs, *domain, *learn_positions, *per_synapse, device,
                    ))
                }
                LayerWeights::Linear { weight, bias, inputs, outputs } => Layer::Linear(LinearLayer {
                    weight: crate::layers::init::param(weight.clone(), [*inputs, *outputs], device),
                    bias: bias.as_ref().map(|b| crate::layers::init::param(b.clone(), [*outputs], device)),
                }),
                LayerWeights::Poly { weights, outputs, inputs, n, segments, continuity, periodicity } => Layer::Poly(
                    PiecewisePolynomial::from_weights(weights.clone(), *outputs, *inputs, *n, *segments, *continuity, *periodicity, device),
                ),
                LayerWeights::Fourier { weights, outputs, inputs, n } => {
                    Layer::Fourier(FourierSeries::from_weights(weights.clone(), *outputs, *inputs, *n, device))
                }
            })
            .collect();
        Network { layers, spec: self.spec.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Activation;
    use crate::network::{Continuity, Family, NetworkSpec, Normalization};

    #[test]
    fn snapshot_round_trips_exactly() {
        let device = Device::flex().autodiff();
        for family in [
            Family::Pwl { knots: 5, learn_positions: true, per_synapse: false },
            Family::Lagrange { n: 3, segments: 4, continuity: Continuity::Discontinuous, periodicity: None },
            Family::Fourier { n: 5 },
            Family::Mlp { activation: Activation::Tanh, bias: true },
        ] {
            let spec = NetworkSpec { family, widths: vec![1, 3, 1], input_domain: (-1.0, 1.0), normalization: Normalization::None, input_segments: None, output_segments: None };
            let net = Network::new(&spec, 4, &device);
            let snap = pollster::block_on(Snapshot::take(&net)).unwrap();
            let back = snap.restore(&Device::flex());
            assert_eq!(pollster::block_on(Snapshot::take(&back)).unwrap(), snap);
        }
    }
}
