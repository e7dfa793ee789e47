//! The benchmark workloads of DESIGN.md §3, the same as `bench/torch_reference.py` runs on the
//! original implementations, printed as the same JSON lines. They run on any `Device`, natively
//! (`cargo xtask bench` / the `bench` binary) and in the browser (the page's `#bench` mode).
//!
//! Timing: burn records work lazily, so a timed run ends with a read of the loss, which forces
//! every recorded step to finish before the clock stops.

use std::future::Future;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;

use crate::core::data::picture::axis;
use crate::core::layers::basis::max_abs;
use crate::core::layers::lagrange::{Continuity, PiecewisePolynomial};
use crate::core::layers::PiecewiseLinear;
use crate::core::network::{lagrange_lines, Family, Network, NetworkSpec, Normalization};
use crate::core::rng::{stream, Stream};
use crate::core::snapshot::read;
use crate::core::train::{column, mse};

/// Where the time comes from and how to let the host breathe (a no-op natively; a macrotask in
/// the browser, so the page and the test driver stay responsive during a long run).
pub trait Host {
    fn now_s(&self) -> f64;
    fn pause(&self) -> impl Future<Output = ()>;
}

#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub workload: &'static str,
    pub steps_per_s: f64,
    pub final_mse: Option<f64>,
    pub psnr_db: Option<f64>,
    pub seconds_to_25db: Option<f64>,
}

impl Outcome {
    /// One JSON line in the torch reference's format; `implementation` names our path.
    pub fn json(&self, implementation: &str) -> String {
        let mut v = serde_json::json!({
            "workload": self.workload,
            "impl": implementation,
            "threads": 1,
            "steps_per_s": (self.steps_per_s * 10.0).round() / 10.0,
        });
        if let Some(m) = self.final_mse {
            v["final_mse"] = m.into();
        }
        if let Some(p) = self.psnr_db {
            v["psnr_db"] = ((p * 100.0).round() / 100.0).into();
            v["seconds_to_25db"] = self.seconds_to_25db.map_or(serde_json::Value::Null, |s| ((s * 100.0).round() / 100.0).into());
        }
        v.to_string()
    }
}

/// Adam steps on a full batch: 5 warm-up steps, then `steps` timed ones.
async fn timed_full_batch<M: Module + Clone>(
    mut model: M,
    forward: impl Fn(&M, Tensor<2>) -> Tensor<2>,
    x: Tensor<2>,
    y: Tensor<2>,
    steps: usize,
    lr: f64,
    host: &impl Host,
) -> Result<(f64, f64), String> {
    let mut optim = AdamConfig::new().init();
    let mut step = |model: M| -> (M, Tensor<1>) {
        let loss = mse(forward(&model, x.clone()), y.clone());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        (optim.step(lr, model, grads), loss.detach())
    };
    for _ in 0..5 {
        model = step(model).0;
    }
    read(forward(&model, x.clone()).detach()).await?;
    let t0 = host.now_s();
    let mut last = None;
    for i in 0..steps {
        let (m, loss) = step(model);
        model = m;
        last = Some(loss);
        if i % 100 == 99 {
            host.pause().await;
        }
    }
    let loss = read(last.ok_or("no steps")?).await?[0] as f64;
    Ok((steps as f64 / (host.now_s() - t0).max(1e-9), loss))
}

/// 1 → 1 piecewise linear, 16 knots (fixed, uniform, as the original's adaptive layer), 256
/// samples of sin(3x), Adam lr 0.05, full batch.
pub async fn fit1d_tiny(device: &Device, host: &impl Host) -> Result<Outcome, String> {
    let xs = axis(256);
    let ys: Vec<f32> = xs.iter().map(|x| (3.0 * x).sin()).collect();
    let layer = PiecewiseLinear::new(1, 1, 16, (-1.0, 1.0), false, false, &mut stream(0, Stream::Init), device);
    let (sps, loss) =
        timed_full_batch(layer, |m, x| m.forward(x), column(&xs, device), column(&ys, device), 500, 0.05, host).await?;
    Ok(Outcome { workload: "fit1d_tiny", steps_per_s: sps, final_mse: Some(loss), psnr_db: None, seconds_to_25db: None })
}

/// 1 → 16 → 1 piecewise linear, 32 knots per grid, 1024 samples of cos(1/(|x|+0.05)), Adam lr 0.01.
pub async fn fit1d_mlp(device: &Device, host: &impl Host) -> Result<Outcome, String> {
    let xs = axis(1024);
    let ys: Vec<f32> = xs.iter().map(|x| (1.0 / (x.abs() + 0.05)).cos()).collect();
    let spec = NetworkSpec {
        family: Family::Pwl { knots: 32, learn_positions: false, per_synapse: false },
        widths: vec![1, 16, 1],
        input_domain: (-1.0, 1.0),
        normalization: Normalization::None,
        input_segments: None,
    };
    let net = Network::new(&spec, 0, device);
    let (sps, loss) =
        timed_full_batch(net, |m, x| m.forward(x), column(&xs, device), column(&ys, device), 300, 0.01, host).await?;
    Ok(Outcome { workload: "fit1d_mlp", steps_per_s: sps, final_mse: Some(loss), psnr_db: None, seconds_to_25db: None })
}

/// The procedural 128×128 "rings" image of the reference script: coordinates (u = column,
/// v = row, both in [−1, 1]) and RGB in [0, 1], row-major.
pub fn rings_image(size: usize) -> (Vec<f32>, Vec<f32>) {
    let coords = crate::core::data::plane::grid_features(crate::core::data::plane::Region::FULL, size, size, false);
    (coords, crate::core::data::picture::rings(size).rgb)
}

/// The seed's implicit-image layout: 2 → 40 continuous (n = 3, 100 segments) → max-abs → 40 → 3
/// (n = 3, 2 segments).
#[derive(Module, Debug)]
pub struct RingsNet {
    a: PiecewisePolynomial,
    b: PiecewisePolynomial,
}

impl RingsNet {
    pub fn new(device: &Device) -> Self {
        let mut rng = stream(0, Stream::Init);
        RingsNet {
            a: lagrange_lines(2, 40, 3, 100, Continuity::Continuous, &mut rng, device),
            b: lagrange_lines(40, 3, 3, 2, Continuity::Continuous, &mut rng, device),
        }
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.b.forward(max_abs(self.a.forward(x), 1e-6))
    }
}

/// Train on random batches of 1024 pixels for `seconds`; full-image PSNR every 200 steps.
pub async fn implicit_rings(device: &Device, host: &impl Host, seconds: f64) -> Result<Outcome, String> {
    let size = 128;
    let (coords, rgb) = rings_image(size);
    let pixels = size * size;
    let all_x = Tensor::<2>::from_data(TensorData::new(coords.clone(), [pixels, 2]), device);
    let all_y = Tensor::<2>::from_data(TensorData::new(rgb.clone(), [pixels, 3]), device);
    let mut model = RingsNet::new(device);
    let mut optim = AdamConfig::new().init();
    let mut rng = stream(0, Stream::Batch);
    let psnr = |mse: f64| 10.0 * (1.0 / mse.max(1e-12)).log10();
    let full_mse = |m: &RingsNet| mse(m.valid().forward(all_x.clone().detach()), all_y.clone().detach());
    let (t0, mut steps, mut reached) = (host.now_s(), 0usize, None);
    while host.now_s() - t0 < seconds {
        let idx: Vec<usize> = (0..1024).map(|_| rng.random_range(0..pixels)).collect();
        let bx: Vec<f32> = idx.iter().flat_map(|&i| [coords[2 * i], coords[2 * i + 1]]).collect();
        let by: Vec<f32> = idx.iter().flat_map(|&i| [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]]).collect();
        let x = Tensor::<2>::from_data(TensorData::new(bx, [1024, 2]), device);
        let y = Tensor::<2>::from_data(TensorData::new(by, [1024, 3]), device);
        let loss = mse(model.forward(x), y);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(1e-3, model, grads);
        steps += 1;
        if steps % 200 == 0 {
            let m = read(full_mse(&model)).await?[0] as f64;
            if reached.is_none() && psnr(m) >= 25.0 {
                reached = Some(host.now_s() - t0);
            }
            host.pause().await;
        }
    }
    let m = read(full_mse(&model)).await?[0] as f64;
    let elapsed = host.now_s() - t0;
    Ok(Outcome { workload: "implicit_rings_128", steps_per_s: steps as f64 / elapsed, final_mse: None, psnr_db: Some(psnr(m)), seconds_to_25db: reached })
}
