//! Where the image lab's pictures come from, in the worker: procedural ones are computed, the
//! photographs are fetched from the site's `images/` folder (once, then kept), uploads arrive as
//! bytes from the page. The digits' file is fetched the same way from `data/`. All decoding is `playground_config::data::picture` (pure Rust, with size
//! limits), so every browser sees the same pixels and a bad file is an error, never a crash.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use playground_config::data::digits::{self, Digits};
use playground_config::data::picture::{self, Picture, MAX_SIDE};
use playground_config::experiment::{Experiment, UPLOAD};

thread_local! {
    /// Decoded photographs at `MAX_SIDE`, by name.
    static PHOTOS: RefCell<HashMap<String, Picture>> = RefCell::new(HashMap::new());
    /// The user's last good upload at `MAX_SIDE` (a bad file never replaces it).
    static UPLOADED: RefCell<Option<Picture>> = const { RefCell::new(None) };
    /// The digits, once loaded.
    static DIGITS: RefCell<Option<Arc<Digits>>> = const { RefCell::new(None) };
}

/// The handwritten digits, fetched from the site's `data/` folder once, then kept.
pub async fn digits() -> Result<Arc<Digits>, String> {
    if let Some(d) = DIGITS.with(|d| d.borrow().clone()) {
        return Ok(d);
    }
    let loaded = Arc::new(Digits::parse(&fetch_bytes(digits::FILE).await?)?);
    DIGITS.with(|d| *d.borrow_mut() = Some(loaded.clone()));
    Ok(loaded)
}

/// Decode uploaded bytes (`picture::decode` refuses empty, oversized and damaged files); a good
/// picture becomes the upload that `image=upload` trains on.
pub fn accept_upload(bytes: &[u8]) -> Result<(), String> {
    let p = picture::decode(bytes, MAX_SIDE)?;
    UPLOADED.with(|u| *u.borrow_mut() = Some(p));
    Ok(())
}

/// The picture an experiment trains on, at its training resolution.
pub async fn picture_for(exp: &Experiment) -> Result<Picture, String> {
    if let Some(p) = exp.procedural_picture() {
        return Ok(p);
    }
    let full = if exp.image == UPLOAD {
        UPLOADED.with(|u| u.borrow().clone()).ok_or("there is no uploaded picture any more: pick or upload one")?
    } else {
        match PHOTOS.with(|c| c.borrow().get(&exp.image).cloned()) {
            Some(p) => p,
            None => {
                let bytes = fetch_bytes(&format!("images/{}.png", exp.image)).await?;
                let p = picture::decode(&bytes, MAX_SIDE)?;
                PHOTOS.with(|c| c.borrow_mut().insert(exp.image.clone(), p.clone()));
                p
            }
        }
    };
    Ok(full.fit_within(exp.resolution))
}

/// A file next to the worker script (the site's folder), as bytes.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let failed = |what: &str| format!("could not load {url} ({what})");
    let response = JsFuture::from(scope.fetch_with_str(url)).await.map_err(|_| failed("network error"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| failed("not a response"))?;
    if !response.ok() {
        return Err(failed(&format!("HTTP {}", response.status())));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| failed("no body"))?).await.map_err(|_| failed("body"))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
