//! Building what an experiment describes: its data and initial network, and the trainer on them.

use burn::tensor::Device;

use crate::data::field::{self, FieldSamples};
use crate::data::picture::Picture;
use crate::data::{plane, Samples1d};
use crate::experiment::{field_rows, Experiment};
use crate::network::Network;
use crate::train::{Rows, Trainer};

/// The experiment's data, initial weights (from its init seed) and trainer on a device.
pub trait Build {
    /// Sample the 1-D data and build the initial network and its trainer on `device` (autodiff
    /// on); fails when the formula does not parse or the network is too large (`check_size`).
    fn build(&self, device: &Device) -> Result<(Samples1d, Trainer), String>;
    /// A classification field's points and the trainer on them.
    fn build_field(&self, device: &Device) -> Result<(FieldSamples, Trainer), String>;
    /// The trainer of an image experiment on `picture` (already at the training resolution).
    fn build_image(&self, picture: &Picture, device: &Device) -> Result<Trainer, String>;
}

impl Build for Experiment {
    fn build(&self, device: &Device) -> Result<(Samples1d, Trainer), String> {
        self.check_size()?;
        let samples = self.dataset_for(self.target()?).sample();
        let net = Network::new(&self.network_spec(samples.x_range), self.init_seed, device);
        let trainer = Trainer::new(net, Rows::from_1d(&samples), self.train_config(), device);
        Ok((samples, trainer))
    }

    fn build_field(&self, device: &Device) -> Result<(FieldSamples, Trainer), String> {
        self.check_size()?;
        let samples = field::sample(&self.dataset, self.points, self.noise as f32, self.test_fraction, self.data_seed, self.classes)
            .ok_or_else(|| format!("unknown classification set “{}”", self.dataset))?;
        let (inputs, outputs) = self.io();
        let (x, y) = field_rows(&samples.train, self.rotate, outputs);
        let rows = Rows { x, y, inputs, outputs };
        let net = Network::new(&self.network_spec((-1.0, 1.0)), self.init_seed, device);
        Ok((samples, Trainer::new(net, rows, self.train_config(), device)))
    }

    fn build_image(&self, picture: &Picture, device: &Device) -> Result<Trainer, String> {
        self.check_size()?;
        let x = plane::grid_features(plane::Region::FULL, picture.width, picture.height, self.rotate);
        let rows = Rows { x, y: picture.targets(), inputs: plane::feature_count(self.rotate), outputs: 3 };
        let net = Network::new(&self.network_spec((-1.0, 1.0)), self.init_seed, device);
        Ok(Trainer::new(net, rows, self.train_config(), device))
    }
}
