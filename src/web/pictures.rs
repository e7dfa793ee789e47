//! The page's side of pictures: the photographs' credits, and reading a file the user chose or
//! dropped (pictures and CSV tables). Decoding happens in the engine worker (`playground_config::data::picture`), so every
//! browser sees the same pixels and a bad file is refused there with a sentence.

use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;

use playground_config::data::picture::MAX_FILE_BYTES;

/// Credits shown in the app (the photographs' licences).
pub const CREDITS: [(&str, &str, &str); 3] = [
    ("chelsea", "Chelsea the cat — photo by Stefan van der Walt", "CC0"),
    ("astronaut", "Astronaut Eileen Collins — NASA Great Images database", "public domain"),
    ("coffee", "Coffee cup — photo by Rachel Michetti, courtesy of Pikolo Espresso Bar", "CC0"),
];

/// The bytes of a chosen picture (too large ones are refused before reading).
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    read_at_most(file, MAX_FILE_BYTES, "pictures").await
}

/// The bytes of a chosen file of at most `max` bytes (larger ones are refused before reading,
/// with a sentence naming `what` is accepted).
pub async fn read_at_most(file: &web_sys::File, max: usize, what: &str) -> Result<Vec<u8>, String> {
    let size = file.size() as usize;
    if size > max {
        return Err(format!("“{}” is {:.1} MB; {what} up to {} MB are accepted", file.name(), size as f64 / 1e6, max / (1024 * 1024)));
    }
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| format!("“{}” could not be read", file.name()))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
