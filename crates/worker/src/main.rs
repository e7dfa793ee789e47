//! The engine's Web Worker (Trunk builds it as `engine-worker`, `data-type="worker"`): it owns the
//! runs and trains them off the page's main thread. Commands arrive as bincode bytes
//! (`playground_config::protocol`), reports leave the same way with their buffers transferred.

#[cfg(target_arch = "wasm32")]
mod auto;
#[cfg(target_arch = "wasm32")]
mod backend;
#[cfg(target_arch = "wasm32")]
mod bench;
#[cfg(target_arch = "wasm32")]
mod engine;
#[cfg(target_arch = "wasm32")]
mod frames;
#[cfg(target_arch = "wasm32")]
mod outbox;
#[cfg(target_arch = "wasm32")]
mod pictures;
#[cfg(target_arch = "wasm32")]
mod slot;

#[cfg(target_arch = "wasm32")]
fn main() {
    use futures::channel::mpsc;
    use playground_config::protocol::{decode, Command};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    console_error_panic_hook::set_once();
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let (commands, inbox) = mpsc::unbounded::<Command>();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let bytes = js_sys::Uint8Array::new(&event.data()).to_vec();
        // Bytes that are not a command (another script posting here) are ignored.
        if let Some(command) = decode::<Command>(&bytes) {
            let _ = commands.unbounded_send(command);
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as its handler: leaking the closure is the intended lifetime.
    on_message.forget();
    wasm_bindgen_futures::spawn_local(engine::serve(inbox, outbox::Outbox::new(scope)));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The engine worker runs in a browser, started by the page (`cargo xtask serve`).");
}
