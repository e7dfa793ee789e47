//! Reports to the page: bincode bytes in a transferred `ArrayBuffer` (moved, not copied).

use playground_config::protocol::{encode, Report};

#[derive(Clone)]
pub struct Outbox {
    scope: web_sys::DedicatedWorkerGlobalScope,
}

impl Outbox {
    pub fn new(scope: web_sys::DedicatedWorkerGlobalScope) -> Self {
        Outbox { scope }
    }

    pub fn send(&self, report: &Report) {
        let bytes = js_sys::Uint8Array::from(encode(report).as_slice());
        let transfer = js_sys::Array::of1(&bytes.buffer());
        let _ = self.scope.post_message_with_transfer(&bytes, &transfer);
    }
}
