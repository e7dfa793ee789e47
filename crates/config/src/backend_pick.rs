//! Choosing the backend of a run by measuring it (`backend=auto`): the rule, and the figures the
//! page shows. The engine worker measures; this decides and says it in words.
//!
//! A run starts on the CPU path (ready at once). When WebGPU is warm, the same run trains a few
//! hundred milliseconds on each; it stays on the one it is on unless the other was faster by more
//! than `MARGIN` — so two backends of nearly the same speed do not flap on the noise of a busy
//! machine, and a later measurement must beat the margin again to move it back.

use serde::{Deserialize, Serialize};

/// The other backend must be at least this many times faster for a run to move to it.
pub const MARGIN: f64 = 1.25;

/// A compute backend a run can be on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Engine {
    Cpu,
    WebGpu,
}

impl Engine {
    /// The name the page shows.
    pub fn label(self) -> &'static str {
        match self {
            Engine::Cpu => "CPU",
            Engine::WebGpu => "WebGPU",
        }
    }

    pub fn other(self) -> Engine {
        match self {
            Engine::Cpu => Engine::WebGpu,
            Engine::WebGpu => Engine::Cpu,
        }
    }
}

/// Measured milliseconds per training step of one run, per backend (`None`: not measured).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub cpu_ms: Option<f64>,
    pub webgpu_ms: Option<f64>,
}

impl Timings {
    pub fn of(&self, engine: Engine) -> Option<f64> {
        match engine {
            Engine::Cpu => self.cpu_ms,
            Engine::WebGpu => self.webgpu_ms,
        }
    }

    pub fn set(&mut self, engine: Engine, ms: f64) {
        match engine {
            Engine::Cpu => self.cpu_ms = Some(ms),
            Engine::WebGpu => self.webgpu_ms = Some(ms),
        }
    }

    /// The backend a run on `current` should be on: the other one only when both are measured
    /// and the other is faster by more than `MARGIN`.
    pub fn pick(&self, current: Engine) -> Engine {
        match (self.of(current), self.of(current.other())) {
            (Some(here), Some(there)) if there.is_finite() && here > there * MARGIN => current.other(),
            _ => current,
        }
    }

    /// One line per measured backend, "CPU 0.31 ms/step" (the page's `backend-timings`).
    pub fn lines(&self) -> Vec<String> {
        [Engine::Cpu, Engine::WebGpu]
            .into_iter()
            .filter_map(|e| self.of(e).map(|ms| format!("{} {} ms/step", e.label(), figure(ms))))
            .collect()
    }

    /// "CPU 0.31 ms/step, WebGPU 4.2 ms/step → CPU" once both are measured (the page's
    /// `backend-timings`), the figures measured so far before that.
    pub fn summary(&self, on: Engine) -> String {
        let figures = self.lines().join(", ");
        if self.cpu_ms.is_some() && self.webgpu_ms.is_some() {
            format!("{figures} → {}", on.label())
        } else {
            figures
        }
    }

    /// Why the run is where it is, in words: "the CPU path is 14× faster", "WebGPU is 3.1×
    /// faster", or "within 1.25× of each other: the run stays where it started".
    pub fn comparison(&self) -> Option<String> {
        let (cpu, gpu) = (self.cpu_ms?, self.webgpu_ms?);
        if !gpu.is_finite() {
            return Some("WebGPU could not train it".into());
        }
        Some(match self.pick(Engine::Cpu) {
            Engine::WebGpu => format!("WebGPU is {}× faster", figure(cpu / gpu)),
            Engine::Cpu if gpu > cpu => format!("the CPU path is {}× faster", figure(gpu / cpu)),
            Engine::Cpu => format!("within {MARGIN}× of each other: the run stays on the CPU path"),
        })
    }
}

/// Two significant figures, at least one decimal below 10 ("0.31", "4.2", "57").
fn figure(ms: f64) -> String {
    if !ms.is_finite() {
        return "∞".into();
    }
    let digits = if ms >= 10.0 { 0 } else { (1 - ms.abs().max(1e-9).log10().floor() as i32).max(1) as usize };
    format!("{ms:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timings(cpu: f64, gpu: f64) -> Timings {
        Timings { cpu_ms: Some(cpu), webgpu_ms: Some(gpu) }
    }

    #[test]
    fn the_clearly_faster_backend_is_picked() {
        assert_eq!(timings(0.31, 4.2).pick(Engine::Cpu), Engine::Cpu);
        assert_eq!(timings(0.31, 4.2).pick(Engine::WebGpu), Engine::Cpu);
        assert_eq!(timings(12.0, 2.0).pick(Engine::Cpu), Engine::WebGpu);
        assert_eq!(timings(12.0, 2.0).pick(Engine::WebGpu), Engine::WebGpu);
    }

    #[test]
    fn unmeasured_or_failed_backends_do_not_move_a_run() {
        assert_eq!(Timings { cpu_ms: Some(5.0), webgpu_ms: None }.pick(Engine::Cpu), Engine::Cpu);
        assert_eq!(Timings { cpu_ms: None, webgpu_ms: Some(0.1) }.pick(Engine::Cpu), Engine::Cpu);
        assert_eq!(timings(5.0, f64::INFINITY).pick(Engine::Cpu), Engine::Cpu);
        assert_eq!(timings(5.0, f64::NAN).pick(Engine::Cpu), Engine::Cpu);
    }

    /// Two backends of the same speed, each measurement jittering by up to ±10 % (medians of a few
    /// hundred milliseconds of steps jitter less on a busy machine here): the run never moves,
    /// whichever it is on; a real difference moves it, once.
    #[test]
    fn noise_does_not_make_the_choice_flap() {
        let jitter = [1.0, 1.1, 0.91, 1.08, 0.9, 1.05, 0.95, 1.09, 0.92, 1.0];
        for start in [Engine::Cpu, Engine::WebGpu] {
            let mut on = start;
            for (k, a) in jitter.iter().enumerate() {
                let b = jitter[(k * 7 + 3) % jitter.len()];
                on = timings(2.0 * a, 2.0 * b).pick(on);
                assert_eq!(on, start, "measurement {k} moved the run");
            }
        }
        let mut on = Engine::Cpu;
        let mut moves = 0;
        for a in jitter {
            let next = timings(3.0 * a, 1.0 / a).pick(on);
            moves += usize::from(next != on);
            on = next;
        }
        assert_eq!((on, moves), (Engine::WebGpu, 1));
    }

    #[test]
    fn figures_read_as_the_issue_writes_them() {
        let t = timings(0.3124, 4.21);
        assert_eq!(t.lines(), vec!["CPU 0.31 ms/step", "WebGPU 4.2 ms/step"]);
        assert_eq!(t.summary(Engine::Cpu), "CPU 0.31 ms/step, WebGPU 4.2 ms/step → CPU");
        assert_eq!(t.comparison().unwrap(), "the CPU path is 13× faster");
        assert_eq!(timings(12.0, 2.0).comparison().unwrap(), "WebGPU is 6.0× faster");
        assert_eq!(timings(2.2, 2.0).comparison().unwrap(), "within 1.25× of each other: the run stays on the CPU path");
        assert_eq!(figure(57.4), "57");
        assert_eq!(figure(0.0421), "0.042");
        assert_eq!(Timings { cpu_ms: Some(1.0), webgpu_ms: None }.summary(Engine::Cpu), "CPU 1.0 ms/step");
        assert_eq!(Timings { cpu_ms: Some(1.0), webgpu_ms: None }.comparison(), None);
    }
}
