//! Where the image lab's pictures come from: procedural ones are computed, the photographs are
//! fetched from the page's `images/` folder (once, then cached), uploads are read from a file.
//! All decoding is the core's (`core::data::picture`), so every browser sees the same pixels.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::core::data::picture::{self, Picture, MAX_SIDE};
use crate::core::experiment::{Experiment, UPLOAD};

thread_local! {
    /// Decoded photographs at `MAX_SIDE`, by name.
    static PHOTOS: RefCell<HashMap<String, Picture>> = RefCell::new(HashMap::new());
    /// The user's last good upload at `MAX_SIDE` (a bad file never replaces it).
    static UPLOADED: RefCell<Option<(String, Picture)>> = const { RefCell::new(None) };
}

/// Credits shown in the app (the photographs' licences).
pub const CREDITS: [(&str, &str, &str); 3] = [
    ("chelsea", "Chelsea the cat — photo by Stefan van der Walt", "CC0"),
    ("astronaut", "Astronaut Eileen Collins — NASA Great Images database", "public domain"),
    ("coffee", "Coffee cup — photo by Rachel Michetti, courtesy of Pikolo Espresso Bar", "CC0"),
];

/// The picture an experiment trains on, at its training resolution.
pub async fn picture_for(exp: &Experiment) -> Result<Picture, String> {
    if let Some(p) = exp.procedural_picture() {
        return Ok(p);
    }
    let full = if exp.image == UPLOAD {
        UPLOADED.with(|u| u.borrow().as_ref().map(|(_, p)| p.clone())).ok_or("there is no uploaded picture any more: pick or upload one")?
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

/// Name of the uploaded file, if any.
pub fn uploaded_name() -> Option<String> {
    UPLOADED.with(|u| u.borrow().as_ref().map(|(name, _)| name.clone()))
}

/// Read and decode a file the user chose or dropped; on success it becomes the upload.
pub async fn read_upload(file: web_sys::File) -> Result<(), String> {
    let size = file.size() as usize;
    if size > picture::MAX_FILE_BYTES {
        return Err(format!(
            "“{}” is {:.1} MB; pictures up to {} MB are accepted",
            file.name(),
            size as f64 / 1e6,
            picture::MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| format!("“{}” could not be read", file.name()))?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    let p = picture::decode(&bytes, MAX_SIDE).map_err(|e| format!("“{}” was not used: {e}", file.name()))?;
    UPLOADED.with(|u| *u.borrow_mut() = Some((file.name(), p)));
    Ok(())
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let failed = |what: &str| format!("could not load {url} ({what})");
    let response = JsFuture::from(window.fetch_with_str(url)).await.map_err(|_| failed("network error"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| failed("not a response"))?;
    if !response.ok() {
        return Err(failed(&format!("HTTP {}", response.status())));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| failed("no body"))?).await.map_err(|_| failed("body"))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
