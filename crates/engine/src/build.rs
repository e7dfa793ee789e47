//! Building what an experiment describes: its data and initial network, and the trainer on them.

use burn::tensor::Device;

use std::sync::Arc;

use crate::data::digits::{self, Digits};
use crate::data::field::{self, FieldSamples};
use crate::data::split::seeded_split;
use crate::data::picture::Picture;
use crate::data::{plane, Samples1d};
use crate::experiment::{field_rows, Experiment};
use crate::network::Network;
use crate::data::surface::{Surface, Valued};
use crate::run::{DigitsProblem, SurfaceProblem, FIELD_GRID};
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
    /// A 2-D regression's points, grid and target, and the trainer on the training points; fails
    /// when the formula does not parse.
    fn build_surface(&self, device: &Device) -> Result<(SurfaceProblem, Trainer), String>;
    /// The digits' split and inputs, and the trainer on the training images (one-hot targets).
    fn build_digits(&self, data: Arc<Digits>, device: &Device) -> Result<(DigitsProblem, Trainer), String>;
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
        let samples = if self.on_field_points() {
            let all = self.field_points.as_slice();
            let (train, test) = seeded_split(all.len(), self.test_fraction, self.data_seed);
            FieldSamples { train: train.iter().map(|&i| all[i]).collect(), test: test.iter().map(|&i| all[i]).collect() }
        } else {
            field::sample(&self.dataset, self.points, self.noise as f32, self.test_fraction, self.data_seed, self.classes)
                .ok_or_else(|| format!("unknown classification set “{}”", self.dataset))?
        };
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

    fn build_surface(&self, device: &Device) -> Result<(SurfaceProblem, Trainer), String> {
        self.check_size()?;
        let surface = Surface::of(&self.dataset, &self.formula)?;
        let samples = surface.sample(self.points, self.noise, self.test_fraction, self.data_seed);
        let rows_of = |points: &[Valued]| {
            let mut x = Vec::with_capacity(points.len() * plane::feature_count(self.rotate));
            for p in points {
                plane::push_features(&mut x, p.x, p.y, self.rotate);
            }
            (x, points.iter().map(|p| p.value).collect::<Vec<f32>>())
        };
        let ((train_x, train_y), (test_x, test_y)) = (rows_of(&samples.train), rows_of(&samples.test));
        let rows = Rows { x: train_x, y: train_y, inputs: plane::feature_count(self.rotate), outputs: 1 };
        let net = Network::new(&self.network_spec((-1.0, 1.0)), self.init_seed, device);
        let problem = SurfaceProblem {
            train: Arc::new(samples.train),
            test: Arc::new(samples.test),
            test_x: Arc::new(test_x),
            test_y,
            grid_features: Arc::new(plane::grid_features(plane::Region::FULL, FIELD_GRID, FIELD_GRID, self.rotate)),
            target_grid: Arc::new(surface.grid(FIELD_GRID)),
        };
        Ok((problem, Trainer::new(net, rows, self.train_config(), device)))
    }

    fn build_digits(&self, data: Arc<Digits>, device: &Device) -> Result<(DigitsProblem, Trainer), String> {
        self.check_size()?;
        let (train, test) = data.split(self.test_fraction, self.data_seed);
        let inputs = |which: &[usize]| which.iter().flat_map(|&i| digits::features(&data.images[i])).collect::<Vec<f32>>();
        let (train_x, test_x) = (inputs(&train), inputs(&test));
        let y = train.iter().flat_map(|&i| (0..digits::CLASSES as u8).map(|c| if c == data.labels[i] { 1.0 } else { 0.0 }).collect::<Vec<f32>>()).collect();
        let rows = Rows { x: train_x.clone(), y, inputs: digits::PIXELS, outputs: digits::CLASSES };
        let net = Network::new(&self.network_spec((-1.0, 1.0)), self.init_seed, device);
        let problem = DigitsProblem { data, train: Arc::new(train), test: Arc::new(test), train_x: Arc::new(train_x), test_x: Arc::new(test_x) };
        Ok((problem, Trainer::new(net, rows, self.train_config(), device)))
    }
}
