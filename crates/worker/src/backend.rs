//! Which compute backend runs the training, and why — in words a user understands. This runs in
//! the engine worker: WebGPU is exposed to dedicated workers (`navigator.gpu` on the worker's
//! global), and burn/wgpu create their instance from it.
//!
//! WebGPU needs an adapter granted by the browser and an asynchronous burn initialisation before
//! the first tensor. `auto` never waits for it: runs start on the CPU path and WebGPU starts in
//! the background; which one a run stays on is measured (`crate::auto`), not guessed from the
//! adapter's name — a software adapter (SwiftShader) simply measures slow.

use std::cell::RefCell;

use burn::tensor::Device;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use playground_config::backend_pick::Engine;
use playground_config::experiment::BackendChoice;

/// The backend in use, with the device to build tensors on (autodiff enabled).
#[derive(Clone)]
pub struct Chosen {
    pub device: Device,
    pub active: Engine,
    /// Why this backend, e.g. "this browser has no WebGPU".
    pub reason: String,
    /// WebGPU has not finished a step of this run yet: its kernels are being compiled (7–25 s
    /// on a software adapter), which the page says.
    pub compiling: bool,
}

impl Chosen {
    /// The reason as the page shows it.
    pub fn shown_reason(&self) -> String {
        if self.compiling {
            format!("{} — compiling GPU kernels: the first steps take a while", self.reason)
        } else {
            self.reason.clone()
        }
    }
}

/// What the browser offers for WebGPU.
enum Probe {
    NoApi,
    NoAdapter,
    Adapter { software: bool, description: String },
}

thread_local! {
    /// burn's WebGPU runtime can be initialised once per page; keep the outcome.
    static WEBGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
    /// The adapter the browser grants (asked once): software or not, and its name.
    static ADAPTER: RefCell<Option<Result<(bool, String), String>>> = const { RefCell::new(None) };
    /// Whether the background start of WebGPU has begun.
    static STARTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Where WebGPU stands for `auto` runs, which start on the CPU and move when it is measured faster.
#[derive(Clone)]
pub enum GpuState {
    /// Still being asked for or initialised (in the background).
    Starting,
    /// Ready: the device, and the adapter's name.
    Ready { device: Device, adapter: String },
    /// Not available here, and why (in words).
    Absent(String),
}

/// The state of the background WebGPU start (`start_webgpu`).
pub fn webgpu_state() -> GpuState {
    match (ADAPTER.with(|a| a.borrow().clone()), WEBGPU.with(|w| w.borrow().clone())) {
        (Some(Err(why)), _) => GpuState::Absent(why),
        (_, Some(Err(e))) => GpuState::Absent(format!("WebGPU failed to start ({e})")),
        (Some(Ok((_, adapter))), Some(Ok(device))) => GpuState::Ready { device, adapter },
        _ => GpuState::Starting,
    }
}

/// Ask for an adapter and initialise burn's WebGPU runtime in the background (once per worker):
/// the CPU path trains meanwhile.
pub fn start_webgpu() {
    if STARTING.with(|s| s.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        if adapter().await.is_ok() {
            let _ = webgpu_device().await;
        }
    });
}

/// The adapter, asked for once.
async fn adapter() -> Result<(bool, String), String> {
    if let Some(known) = ADAPTER.with(|a| a.borrow().clone()) {
        return known;
    }
    let found = match probe().await {
        Probe::NoApi => Err("this browser has no WebGPU".to_string()),
        Probe::NoAdapter => Err("WebGPU is present but the browser granted no adapter".to_string()),
        Probe::Adapter { software, description } => Ok((software, description)),
    };
    ADAPTER.with(|a| *a.borrow_mut() = Some(found.clone()));
    found
}

/// The backend a new run starts on. `auto` always starts on the CPU path (ready at once) and
/// starts WebGPU in the background; the worker measures both and moves the run when WebGPU is
/// faster (`crate::auto`). `webgpu` waits for WebGPU (the CPU path if there is none).
pub async fn choose(choice: BackendChoice) -> Chosen {
    match choice {
        BackendChoice::Cpu => cpu("you chose the CPU path".into()),
        BackendChoice::Auto => {
            start_webgpu();
            cpu("auto: starts on the CPU path; WebGPU is measured on this run while it trains".into())
        }
        BackendChoice::WebGpu => webgpu().await,
    }
}

/// WebGPU for a run the user put there, or the CPU path with the reason it cannot be.
pub async fn webgpu() -> Chosen {
    let (software, description) = match adapter().await {
        Ok(found) => found,
        Err(why) => return cpu(why),
    };
    match webgpu_device().await {
        Ok(device) => Chosen {
            compiling: true,
            ..gpu(device, &if software { format!("software adapter {description}, as you asked") } else { format!("{description}, as you asked") })
        },
        Err(e) => cpu(format!("WebGPU failed to start ({e})")),
    }
}

/// A run on the WebGPU device, and why.
pub fn gpu(device: Device, reason: &str) -> Chosen {
    Chosen { device, active: Engine::WebGpu, reason: reason.into(), compiling: false }
}

/// The CPU path (burn's pure-Rust `flex` backend compiled to wasm).
pub fn cpu(reason: String) -> Chosen {
    Chosen { device: Device::flex().autodiff(), active: Engine::Cpu, reason, compiling: false }
}

async fn webgpu_device() -> Result<Device, String> {
    if let Some(done) = WEBGPU.with(|w| w.borrow().clone()) {
        return done;
    }
    let result = Device::wgpu_options()
        .init_async()
        .await
        .map(|d| d.autodiff())
        .map_err(|e| format!("{e:?}"));
    // A forced run and the background start may both have waited: the first outcome stays.
    WEBGPU.with(|w| w.borrow_mut().get_or_insert(result).clone())
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(target: &JsValue, key: &str) -> String {
    get(target, key).as_string().unwrap_or_default()
}

async fn probe() -> Probe {
    let navigator = get(&js_sys::global(), "navigator");
    let gpu = get(&navigator, "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Probe::NoApi;
    }
    let Ok(request) = get(&gpu, "requestAdapter").dyn_into::<Function>() else { return Probe::NoApi };
    let Ok(promise) = request.call0(&gpu).and_then(|p| p.dyn_into::<Promise>().map_err(JsValue::from)) else {
        return Probe::NoAdapter;
    };
    let adapter = match JsFuture::from(promise).await {
        Ok(a) if !a.is_null() && !a.is_undefined() => a,
        _ => return Probe::NoAdapter,
    };
    let info = get(&adapter, "info");
    let (vendor, architecture, description) = (text(&info, "vendor"), text(&info, "architecture"), text(&info, "description"));
    let fallback = get(&info, "isFallbackAdapter").as_bool().or_else(|| get(&adapter, "isFallbackAdapter").as_bool());
    let software = fallback.unwrap_or(false) || architecture.to_lowercase().contains("swiftshader");
    let description = [vendor, architecture, description].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    Probe::Adapter { software, description: if description.is_empty() { "unnamed adapter".into() } else { description } }
}
