//! The connection to the engine worker: posting commands as bincode bytes in a transferred
//! `ArrayBuffer`, and keeping them in order until the worker says it is ready (messages posted
//! before its wasm runs would be lost).

use playground_config::protocol::{encode, Command};

#[derive(Default)]
pub struct Link {
    worker: Option<web_sys::Worker>,
    ready: bool,
    queue: Vec<Command>,
}

impl Link {
    pub fn connect(&mut self, worker: web_sys::Worker) {
        self.worker = Some(worker);
    }

    /// Post now, or keep for when the worker is ready.
    pub fn send(&mut self, command: Command) {
        match (&self.worker, self.ready) {
            (Some(w), true) => post(w, &command),
            _ => self.queue.push(command),
        }
    }

    /// A plain message for the worker's loader (public/engine-loader.js), not the engine.
    pub fn tell_loader(&self, message: &wasm_bindgen::JsValue) {
        if let Some(w) = &self.worker {
            let _ = w.post_message(message);
        }
    }

    /// The worker is running: post what waited, in order.
    pub fn ready(&mut self) {
        self.ready = true;
        if let Some(w) = &self.worker {
            for command in self.queue.drain(..) {
                post(w, &command);
            }
        }
    }
}

fn post(worker: &web_sys::Worker, command: &Command) {
    let bytes = js_sys::Uint8Array::from(encode(command).as_slice());
    let _ = worker.post_message_with_transfer(&bytes, &js_sys::Array::of1(&bytes.buffer()));
}
