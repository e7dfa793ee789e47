//! Which compute backend runs the training, and why — in words a user understands. This runs in
//! the engine worker: WebGPU is exposed to dedicated workers (`navigator.gpu` on the worker's
//! global), and burn/wgpu create their instance from it.
//!
//! WebGPU needs an adapter granted by the browser and an asynchronous burn initialisation before
//! the first tensor. A software adapter (SwiftShader, or any "fallback" adapter) is hundreds of
//! times slower than our CPU path, so `auto` prefers the CPU there while `webgpu` still honours it.

use std::cell::RefCell;

use burn::tensor::Device;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use playground_config::experiment::BackendChoice;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Active {
    Cpu,
    WebGpu,
}

/// The backend in use, with the device to build tensors on (autodiff enabled).
#[derive(Clone)]
pub struct Chosen {
    pub device: Device,
    pub active: Active,
    /// Short label, e.g. "WebGPU" or "CPU".
    pub label: String,
    /// Why this backend, e.g. "this browser has no WebGPU".
    pub reason: String,
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
}

pub async fn choose(choice: BackendChoice) -> Chosen {
    if choice == BackendChoice::Cpu {
        return cpu("you chose the CPU path".into());
    }
    let (software, description) = match probe().await {
        Probe::NoApi => return cpu("this browser has no WebGPU".into()),
        Probe::NoAdapter => return cpu("WebGPU is present but the browser granted no adapter".into()),
        Probe::Adapter { software, description } => (software, description),
    };
    if software && choice == BackendChoice::Auto {
        return cpu(format!(
            "the WebGPU adapter is a software renderer ({description}), much slower than the CPU path; pick WebGPU to use it anyway"
        ));
    }
    match webgpu_device().await {
        Ok(device) => Chosen {
            device,
            active: Active::WebGpu,
            label: "WebGPU".into(),
            reason: if software { format!("software adapter {description}, as you asked") } else { description },
        },
        Err(e) => cpu(format!("WebGPU failed to start ({e})")),
    }
}

/// The CPU path (burn's pure-Rust `flex` backend compiled to wasm).
pub fn cpu(reason: String) -> Chosen {
    Chosen { device: Device::flex().autodiff(), active: Active::Cpu, label: "CPU".into(), reason }
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
    WEBGPU.with(|w| *w.borrow_mut() = Some(result.clone()));
    result
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
