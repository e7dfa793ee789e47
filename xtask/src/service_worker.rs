//! `sw.js` for the dist folder: the template (service_worker.js) with this build's name and the
//! list of files to keep for offline use, each with the address the page asks for, the key it is
//! kept under and its SHA-256 (checked by the browser when the service worker fetches it).

use std::path::Path;

use crate::dist::digest_base64;
use crate::stamp;

pub const FILE: &str = "sw.js";
const TEMPLATE: &str = include_str!("service_worker.js");

/// Files the page asks for with `?v=<build>` (src/web/engine.rs and public/engine-loader.js):
/// Trunk gives worker files no content hash, so the query keeps HTTP caches from mixing builds.
const VERSIONED: &[&str] = &["engine-loader.js", "engine-worker.js", stamp::ENGINE_WASM];

/// Write `sw.js` into `dir` (after every other file of the build is final).
pub fn write(dir: &Path, build: &str) -> Result<(), String> {
    let mut entries = Vec::new();
    for path in stamp::files(dir)? {
        let rel = path
            .strip_prefix(dir)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .replace('\\', "/");
        if rel == FILE || rel.starts_with('.') || rel.ends_with(".br") || rel.ends_with(".gz") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let integrity = format!("sha256-{}", digest_base64::<sha2::Sha256>(&bytes));
        // The page itself is kept under the folder's address, which is what a visit asks for.
        let key = if rel == "index.html" {
            "./".to_string()
        } else {
            rel.clone()
        };
        let address = if VERSIONED.contains(&rel.as_str()) {
            format!("{rel}?v={build}")
        } else {
            key.clone()
        };
        entries.push(serde_json::json!([address, key, integrity]));
    }
    let script = TEMPLATE.replace("__BUILD__", build).replace(
        "__FILES__",
        &serde_json::to_string_pretty(&entries).map_err(|e| e.to_string())?,
    );
    std::fs::write(dir.join(FILE), script).map_err(|e| format!("{FILE}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_file_once_with_its_hash_and_the_engine_with_its_build() {
        let dir = std::env::temp_dir().join(format!("xtask-sw-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("images")).unwrap();
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
        std::fs::write(dir.join("index.html.br"), "x").unwrap();
        std::fs::write(dir.join(".nojekyll"), "").unwrap();
        std::fs::write(dir.join(stamp::ENGINE_WASM), "\0asm").unwrap();
        std::fs::write(dir.join("images").join("cat.png"), "png").unwrap();
        write(&dir, "abc123").unwrap();
        let sw = std::fs::read_to_string(dir.join(FILE)).unwrap();
        assert!(sw.contains("const BUILD = \"abc123\""));
        assert!(
            sw.contains("\"./\"") && !sw.contains("\"index.html\""),
            "the page is kept under ./"
        );
        assert!(sw.contains("\"engine-worker_bg.wasm?v=abc123\""));
        assert!(sw.contains("\"images/cat.png\""));
        assert!(!sw.contains(".br\"") && !sw.contains("nojekyll") && !sw.contains("\"sw.js\""));
        let digest = digest_base64::<sha2::Sha256>(b"png");
        assert!(sw.contains(&format!("sha256-{digest}")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
