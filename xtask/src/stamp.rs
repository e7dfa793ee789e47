//! Which build a file belongs to. `cargo xtask dist` names every build by a hash of what Trunk
//! wrote, and writes that name where each half of the playground can read it:
//! - the page: `<meta name="playground-build" content="…" data-engine-bytes="…">` in index.html
//!   (the page asks for the engine's files with `?v=<build>`, past any HTTP cache, and shows how
//!   much of the engine has arrived out of `data-engine-bytes`);
//! - the engine: a `playground-build` custom section appended to the worker's wasm, which its
//!   loader reads after compiling (public/engine-loader.js) — so a page never trains with an engine
//!   of another build without saying so.

use std::path::{Path, PathBuf};

use sha2::Digest;

/// The engine's wasm as Trunk names it (worker files carry no content hash).
pub const ENGINE_WASM: &str = "engine-worker_bg.wasm";
/// The name of the custom section (and of the page's meta tag).
pub const SECTION: &str = "playground-build";

/// Every file under `dir`, sorted by path (so the build name does not depend on the file system's order).
pub fn files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
        for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                walk(&path, found)?;
            } else {
                found.push(path);
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    walk(dir, &mut found)?;
    found.sort();
    Ok(found)
}

/// The build's name: 12 hex digits of SHA-256 over every file's path and bytes, and `salt` (the
/// tests make a second build of the same sources with another salt).
pub fn build_name(dir: &Path, salt: &str) -> Result<String, String> {
    let mut hash = sha2::Sha256::new();
    hash.update(salt.as_bytes());
    for path in files(dir)? {
        let rel = path.strip_prefix(dir).map_err(|e| e.to_string())?;
        hash.update(rel.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update(std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    Ok(hash
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Append the build's name to the engine's wasm; returns the wasm's new size in bytes.
pub fn stamp_engine(dir: &Path, build: &str) -> Result<u64, String> {
    let path = dir.join(ENGINE_WASM);
    let mut wasm = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !wasm.starts_with(b"\0asm") {
        return Err(format!("{} is not WebAssembly", path.display()));
    }
    wasm.extend(crate::wasm_sections::custom_section(SECTION, build.as_bytes()));
    std::fs::write(&path, &wasm).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(wasm.len() as u64)
}

/// Name the build in the page's `<head>`, with the engine's size for the loading readout.
pub fn stamp_page(index: &Path, build: &str, engine_bytes: u64) -> Result<(), String> {
    let html = std::fs::read_to_string(index).map_err(|e| format!("{}: {e}", index.display()))?;
    let head = html.find("<head>").ok_or("the page has no <head>")? + "<head>".len();
    let meta = format!(
        "<meta name=\"{SECTION}\" content=\"{build}\" data-engine-bytes=\"{engine_bytes}\" />"
    );
    std::fs::write(
        index,
        format!("{}\n  {meta}{}", &html[..head], &html[head..]),
    )
    .map_err(|e| format!("{}: {e}", index.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_name_follows_the_files_and_the_salt() {
        let dir = std::env::temp_dir().join(format!("xtask-stamp-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.js"), "one").unwrap();
        std::fs::write(dir.join("sub").join("b.css"), "two").unwrap();
        let first = build_name(&dir, "").unwrap();
        assert_eq!(first.len(), 12);
        assert_eq!(
            first,
            build_name(&dir, "").unwrap(),
            "the same files, the same name"
        );
        assert_ne!(
            first,
            build_name(&dir, "second").unwrap(),
            "another salt, another name"
        );
        std::fs::write(dir.join("sub").join("b.css"), "three").unwrap();
        assert_ne!(
            first,
            build_name(&dir, "").unwrap(),
            "another file, another name"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
