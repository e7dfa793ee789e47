//! The benchmark workloads of DESIGN.md §3, the same as `bench/torch_reference.py` runs on the
//! original implementations, printed as the same JSON lines. They run on any `Device`, natively
//! (`cargo xtask bench` / the `bench` binary) and in the browser (the page's `#bench` mode).
//!
//! They time the page's own training loop, `crate::run::Run::advance` (per-step loss reads,
//! checkpoints and all), not a copy of it. `advance` ends each piece of work with a read of the
//! losses, which forces every recorded step to finish before the clock stops.

use std::future::Future;

use burn::tensor::Device;

use crate::data::picture::axis;
use crate::layers::lagrange::Continuity;
use crate::network::{Family, Network, NetworkSpec, Normalization};
use crate::run::{Problem, Run, Schedule};
use crate::snapshot::read;
use crate::train::{Loss, OptimizerKind, Rows, TrainConfig, Trainer};

/// Where the time comes from and how to let the host breathe (a no-op natively; a macrotask in
/// the engine worker, so the commands it receives still get their turn during a long run).
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
    /// Training examples per second (steps/s × batch), where the batch is what is compared.
    pub examples_per_s: Option<f64>,
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
        if let Some(e) = self.examples_per_s {
            v["examples_per_s"] = e.round().into();
        }
        if let Some(p) = self.psnr_db {
            v["psnr_db"] = ((p * 100.0).round() / 100.0).into();
            v["seconds_to_25db"] = self.seconds_to_25db.map_or(serde_json::Value::Null, |s| ((s * 100.0).round() / 100.0).into());
        }
        v.to_string()
    }
}

/// A run of `spec` (initialised from seed 0) on a bare training set, with Adam.
async fn run_of(spec: &NetworkSpec, rows: Rows, lr: f64, batch: usize, device: &Device) -> Result<Run, String> {
    let net = Network::new(spec, 0, device);
    let config = TrainConfig { optimizer: OptimizerKind::Adam, loss: Loss::Mse, learning_rate: lr, batch, seed: 0 };
    Run::start(Trainer::new(net, rows, config, device), Problem::Rows, Schedule::default(), 0).await
}

/// Timed steps take at least this long in all (fast workloads would otherwise be timed over a few
/// milliseconds, at the resolution of the browser's clock).
const MIN_TIMED_S: f64 = 1.0;

/// 5 warm-up steps, then `steps` timed ones — and more, until `MIN_TIMED_S` have been timed — in
/// pieces of 100 with a pause for the host between. Only the steps are timed, not the pauses (in a
/// browser worker a pause lasts up to 4 ms, as long as hundreds of small steps). Returns steps per
/// second and the loss of the `steps`th timed step (what the reference scripts report).
async fn timed(run: &mut Run, steps: u64, host: &impl Host) -> Result<(f64, f64), String> {
    run.advance(5).await?;
    let (mut elapsed, mut done) = (0.0, 0);
    let (mut last, mut reported) = (None, None);
    while done < steps || elapsed < MIN_TIMED_S {
        let piece = if done < steps { (steps - done).min(100) } else { 100 };
        let t0 = host.now_s();
        let out = run.advance(piece).await?;
        let took = host.now_s() - t0;
        if let Some(d) = out.diverged {
            if done < steps {
                return Err(format!("the benchmark diverged: {}", d.why));
            }
            // Past the reported step: the timing so far stands.
            break;
        }
        elapsed += took;
        last = out.last_loss.or(last);
        done += piece;
        if done == steps {
            reported = last;
        }
        host.pause().await;
    }
    Ok((done as f64 / elapsed.max(1e-9), reported.ok_or("no steps")? as f64))
}

fn pwl_spec(knots: usize, widths: Vec<usize>) -> NetworkSpec {
    NetworkSpec {
        family: Family::Pwl { knots, learn_positions: false, per_synapse: false },
        widths,
        input_domain: (-1.0, 1.0),
        normalization: Normalization::None,
        input_segments: None,
        output_segments: None,
    }
}

/// 1 → 1 piecewise linear, 16 knots (fixed, uniform, as the original's adaptive layer), 256
/// samples of sin(3x), Adam lr 0.05, full batch.
pub async fn fit1d_tiny(device: &Device, host: &impl Host) -> Result<Outcome, String> {
    let xs = axis(256);
    let ys: Vec<f32> = xs.iter().map(|x| (3.0 * x).sin()).collect();
    let mut run = run_of(&pwl_spec(16, vec![1, 1]), Rows { x: xs, y: ys, inputs: 1, outputs: 1 }, 0.05, 0, device).await?;
    let (sps, loss) = timed(&mut run, 500, host).await?;
    Ok(Outcome { workload: "fit1d_tiny", steps_per_s: sps, final_mse: Some(loss), psnr_db: None, seconds_to_25db: None, examples_per_s: None })
}

/// TF Playground's deep shape on its spiral (issue 15): the 2-D tab's 500 spiral points, 4 inputs
/// (x, y and the diagonals) → 6 hidden layers of 8 → 1, piecewise-linear synapses with 8 learned
/// knots, max-abs between layers, Adam lr 0.02, batches of 10 — built exactly as the page builds
/// it. Reported in examples per second, the unit TF Playground's speed is compared in.
pub async fn field_deep(device: &Device, host: &impl Host) -> Result<Outcome, String> {
    field_deep_of(crate::experiment::NetKind::Pwl, "field_deep", device, host).await
}

/// The same shape as classic dense layers with tanh (TF Playground's own network): the anchor
/// `field_deep` is compared with in the same run.
pub async fn field_deep_tanh(device: &Device, host: &impl Host) -> Result<Outcome, String> {
    field_deep_of(crate::experiment::NetKind::Mlp, "field_deep_tanh", device, host).await
}

/// The experiment `field_deep` (or, with `NetKind::Mlp`, `field_deep_tanh`) trains.
pub fn field_deep_experiment(net: crate::experiment::NetKind) -> crate::experiment::Experiment {
    use crate::experiment::{Experiment, Kind};
    Experiment {
        dataset: "spiral".into(),
        net,
        activation: crate::layers::Activation::Tanh,
        width: 8,
        depth: 6,
        knots: 8,
        learn_knots: true,
        normalization: Normalization::MaxAbs,
        batch: 10,
        ..Experiment::default_for(Kind::Field)
    }
}

async fn field_deep_of(net: crate::experiment::NetKind, workload: &'static str, device: &Device, host: &impl Host) -> Result<Outcome, String> {
    use crate::build::Build;
    let e = field_deep_experiment(net);
    let (_, trainer) = e.build_field(device)?;
    let mut run = Run::start(trainer, Problem::Rows, Schedule::default(), 0).await?;
    let (sps, loss) = timed(&mut run, 300, host).await?;
    Ok(Outcome {
        workload,
        steps_per_s: sps,
        final_mse: Some(loss),
        psnr_db: None,
        seconds_to_25db: None,
        examples_per_s: Some(sps * e.batch as f64),
    })
}

/// 1 → 16 → 1 piecewise linear, 32 knots per grid, 1024 samples of cos(1/(|x|+0.05)), Adam lr 0.01.
pub async fn fit1d_mlp(device: &Device, host: &impl Host) -> Result<Outcome, String> {
    let xs = axis(1024);
    let ys: Vec<f32> = xs.iter().map(|x| (1.0 / (x.abs() + 0.05)).cos()).collect();
    let mut run = run_of(&pwl_spec(32, vec![1, 16, 1]), Rows { x: xs, y: ys, inputs: 1, outputs: 1 }, 0.01, 0, device).await?;
    let (sps, loss) = timed(&mut run, 300, host).await?;
    Ok(Outcome { workload: "fit1d_mlp", steps_per_s: sps, final_mse: Some(loss), psnr_db: None, seconds_to_25db: None, examples_per_s: None })
}

/// `fit1d_mlp` as the TF.js and jax-js anchors of `bench/tfjs` train it: knot positions learned
/// too (width logits from 0) and max-abs between the layers — 1,551 parameters instead of 1,024.
pub async fn fit1d_mlp_learned(device: &Device, host: &impl Host) -> Result<Outcome, String> {
    let xs = axis(1024);
    let ys: Vec<f32> = xs.iter().map(|x| (1.0 / (x.abs() + 0.05)).cos()).collect();
    let spec = NetworkSpec {
        family: Family::Pwl { knots: 32, learn_positions: true, per_synapse: false },
        normalization: Normalization::MaxAbs,
        ..pwl_spec(32, vec![1, 16, 1])
    };
    let mut run = run_of(&spec, Rows { x: xs, y: ys, inputs: 1, outputs: 1 }, 0.01, 0, device).await?;
    let (sps, loss) = timed(&mut run, 300, host).await?;
    Ok(Outcome { workload: "fit1d_mlp_learned", steps_per_s: sps, final_mse: Some(loss), psnr_db: None, seconds_to_25db: None, examples_per_s: None })
}

/// The procedural 128×128 "rings" image of the reference script: coordinates (u = column,
/// v = row, both in [−1, 1]) and RGB in [0, 1], row-major.
pub fn rings_image(size: usize) -> (Vec<f32>, Vec<f32>) {
    let coords = crate::data::plane::grid_features(crate::data::plane::Region::FULL, size, size, false);
    (coords, crate::data::picture::rings(size).rgb)
}

/// The seed's implicit-image layout: 2 → 40 continuous (n = 3, 100 segments) → max-abs → 40 → 3
/// (n = 3, 2 segments).
pub fn rings_spec() -> NetworkSpec {
    NetworkSpec {
        family: Family::Lagrange { n: 3, segments: 2, continuity: Continuity::Continuous, periodicity: None },
        widths: vec![2, 40, 3],
        input_domain: (-1.0, 1.0),
        normalization: Normalization::MaxAbs,
        input_segments: Some(100),
        output_segments: None,
    }
}

/// Train on batches of 1024 pixels for `seconds`; full-image PSNR every 200 steps.
pub async fn implicit_rings(device: &Device, host: &impl Host, seconds: f64) -> Result<Outcome, String> {
    let (coords, rgb) = rings_image(128);
    let rows = Rows { x: coords.clone(), y: rgb.clone(), inputs: 2, outputs: 3 };
    let mut run = run_of(&rings_spec(), rows, 1e-3, 1024, device).await?;
    let psnr = |mse: f64| 10.0 * (1.0 / mse.max(1e-12)).log10();
    let full_mse = |run: &Run| run.trainer().loss_on(&coords, &rgb).ok_or("no pixels");
    let (t0, mut reached) = (host.now_s(), None);
    let start = run.steps();
    while host.now_s() - t0 < seconds {
        let out = run.advance(200).await?;
        if let Some(d) = out.diverged {
            return Err(format!("the benchmark diverged: {}", d.why));
        }
        let m = read(full_mse(&run)?).await?[0] as f64;
        if reached.is_none() && psnr(m) >= 25.0 {
            reached = Some(host.now_s() - t0);
        }
        host.pause().await;
    }
    let elapsed = host.now_s() - t0;
    let m = read(full_mse(&run)?).await?[0] as f64;
    let steps = run.steps() - start;
    Ok(Outcome { workload: "implicit_rings_128", steps_per_s: steps as f64 / elapsed, final_mse: None, psnr_db: Some(psnr(m)), seconds_to_25db: reached, examples_per_s: None })
}

/// One shape of the backend sweep: which network at which batch, timed on one device.
pub struct SweepCase {
    pub name: &'static str,
    pub spec: NetworkSpec,
    pub batch: usize,
    pub rows: usize,
}

/// Shapes from a 22-parameter 1-D fit to a wide image network, to find where a GPU starts to win
/// over the CPU path (issue 16's decision rule needs to know how far apart they are).
pub fn sweep_cases() -> Vec<SweepCase> {
    let pwl = |knots, widths: Vec<usize>, normalization| NetworkSpec {
        family: Family::Pwl { knots, learn_positions: false, per_synapse: false },
        widths,
        input_domain: (-1.0, 1.0),
        normalization,
        input_segments: None,
        output_segments: None,
    };
    let mlp = |widths: Vec<usize>| NetworkSpec {
        family: Family::Mlp { activation: playground_config::spec::Activation::Tanh, bias: true },
        widths,
        input_domain: (-1.0, 1.0),
        normalization: Normalization::None,
        input_segments: None,
        output_segments: None,
    };
    let image = |width| NetworkSpec { widths: vec![2, width, 3], ..rings_spec() };
    vec![
        SweepCase { name: "pwl_1-1_16knots_b256", spec: pwl(16, vec![1, 1], Normalization::None), batch: 0, rows: 256 },
        SweepCase { name: "pwl_1-16-1_32knots_b1024", spec: pwl(32, vec![1, 16, 1], Normalization::None), batch: 0, rows: 1024 },
        SweepCase { name: "field_deep_4-8x6-1_b10", spec: pwl(8, vec![4, 8, 8, 8, 8, 8, 8, 1], Normalization::MaxAbs), batch: 10, rows: 500 },
        SweepCase { name: "field_deep_4-8x6-1_b256", spec: pwl(8, vec![4, 8, 8, 8, 8, 8, 8, 1], Normalization::MaxAbs), batch: 256, rows: 1024 },
        SweepCase { name: "tanh_4-8x6-1_b10", spec: mlp(vec![4, 8, 8, 8, 8, 8, 8, 1]), batch: 10, rows: 500 },
        SweepCase { name: "tanh_2-256-256-3_b4096", spec: mlp(vec![2, 256, 256, 3]), batch: 4096, rows: 16384 },
        SweepCase { name: "rings_2-40-3_b1024", spec: rings_spec(), batch: 1024, rows: 16384 },
        SweepCase { name: "rings_2-40-3_b16384", spec: rings_spec(), batch: 16384, rows: 16384 },
        SweepCase { name: "image_2-160-3_b16384", spec: image(160), batch: 16384, rows: 65536 },
        SweepCase { name: "image_2-160-3_b65536", spec: image(160), batch: 65536, rows: 65536 },
    ]
}

/// Milliseconds per training step of `case` on `device`: warm-up steps first (shader
/// compilation on a GPU), then steps in pieces of 20 until at least `seconds` have passed.
pub async fn sweep(case: &SweepCase, device: &Device, host: &impl Host, seconds: f64) -> Result<String, String> {
    let inputs = case.spec.widths[0];
    let outputs = *case.spec.widths.last().ok_or("no layers")?;
    // Deterministic inputs spread over [−1, 1] and a smooth target: the speed does not depend on them.
    let x: Vec<f32> = (0..case.rows * inputs).map(|i| (i as f32 * 0.618_034).fract() * 2.0 - 1.0).collect();
    let y: Vec<f32> = (0..case.rows * outputs).map(|i| (i as f32 * 0.37).sin() * 0.5).collect();
    let rows = Rows { x, y, inputs, outputs };
    let mut run = run_of(&case.spec, rows, 1e-3, case.batch, device).await?;
    let t_warm = host.now_s();
    run.advance(10).await?;
    let warm_up_s = host.now_s() - t_warm;
    let t0 = host.now_s();
    let mut steps = 0u64;
    while host.now_s() - t0 < seconds || steps < 20 {
        run.advance(20).await?;
        steps += 20;
        host.pause().await;
    }
    let ms = (host.now_s() - t0) * 1e3 / steps as f64;
    let batch = if case.batch == 0 { case.rows } else { case.batch };
    Ok(serde_json::json!({
        "sweep": case.name,
        "params": case.spec.parameter_count(),
        "batch": batch,
        "ms_per_step": (ms * 1000.0).round() / 1000.0,
        "examples_per_s": (batch as f64 * 1e3 / ms).round(),
        "first_10_steps_s": (warm_up_s * 1000.0).round() / 1000.0,
    })
    .to_string())
}
