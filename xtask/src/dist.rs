//! `cargo xtask dist [--public-url /any/path/]`: the playground as one folder for any static host
//! (a school's web server, GitHub Pages, a USB stick served by `python3 -m http.server`).
//!
//! Trunk builds it with every link under the public URL, with the release profile the tests use
//! (link-time optimisation was measured and not kept: docs/benchmarks.md, "Delivery"); then what
//! Trunk does not do:
//! - the wasm files lose their function names (`strip_names`), 30 % of their size;
//! - a strict Content Security Policy in the page (`csp`): its one inline script allowed by hash,
//!   wasm compilation allowed, nothing from other origins;
//! - the build's name in the page and in the engine (stamp.rs), so neither runs with the other
//!   half of another build;
//! - a service worker that keeps this build for offline use (service_worker.rs);
//! - `.gz` and `.br` siblings of every text and wasm file (`compress`), for servers that send
//!   pre-compressed files (the test server and `xtask serve` do).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use base64::Engine as _;
use sha2::Digest;

use crate::{service_worker, stamp, wasm_sections};

/// Files worth compressing (the pictures are PNG/JPEG already).
const COMPRESSIBLE: &[&str] = &["html", "js", "css", "wasm", "svg", "json", "txt", "webmanifest"];

/// A public URL as Trunk wants it: an absolute path with a slash at both ends.
pub fn normalise(public_url: &str) -> Result<String, String> {
    let trimmed = public_url.trim().trim_matches('/');
    if public_url.trim().starts_with("//") || trimmed.contains("//") || trimmed.contains("..") || trimmed.contains(['?', '#', ' ', '"', '\'']) || public_url.contains("://") {
        return Err(format!("--public-url {public_url:?}: give a path such as /playground/ (no scheme, no host)"));
    }
    Ok(if trimmed.is_empty() { "/".into() } else { format!("/{trimmed}/") })
}

/// How hard to compress: brotli quality 11 takes minutes for the engine and saves 20-30 % over
/// quality 5, which takes seconds.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Effort {
    /// Brotli quality of the `.br` siblings; the `.gz` siblings are best or fast to match.
    pub brotli: u32,
}

impl Effort {
    /// `cargo xtask dist`: a folder a host will serve to a class.
    pub const BEST: Effort = Effort { brotli: 11 };
    /// The tests' sub-path builds and `xtask serve`: the same files, policy, service worker and
    /// encodings, compressed in seconds.
    pub const QUICK: Effort = Effort { brotli: 5 };
}

/// Build the folder: Trunk, then `finish`.
pub fn build(public_url: &str, out: &Path, effort: Effort) -> Result<(), String> {
    let started = Instant::now();
    trunk(public_url, out)?;
    finish(out, effort, "")?;
    println!("xtask: {} for {public_url} in {:.0} s", out.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// Trunk's release build of the page and its engine, every link under `public_url`.
pub fn trunk(public_url: &str, out: &Path) -> Result<(), String> {
    crate::run(
        Command::new("trunk")
            .args(["build", "--release", "--public-url", public_url, "--dist"])
            .arg(out)
            .current_dir(crate::workspace_root())
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
    )
}

/// Turn Trunk's output in `out` into the folder a host serves: policy, build name (from the files
/// and `salt`), service worker, compressed siblings.
pub fn finish(out: &Path, effort: Effort, salt: &str) -> Result<String, String> {
    let (before, after) = strip_names(out)?;
    println!("xtask: function names dropped: {:.2} → {:.2} MB of wasm", before as f64 / 1e6, after as f64 / 1e6);
    let build = stamp::build_name(out, salt)?;
    csp(&out.join("index.html"))?;
    let engine_bytes = stamp::stamp_engine(out, &build)?;
    stamp::stamp_page(&out.join("index.html"), &build, engine_bytes)?;
    // GitHub Pages would otherwise run the folder through Jekyll.
    std::fs::write(out.join(".nojekyll"), "").map_err(|e| e.to_string())?;
    service_worker::write(out, &build)?;
    let (raw, gz, br) = compress(out, effort)?;
    println!(
        "xtask: build {build} — {:.2} MB, {:.2} MB as gzip, {:.2} MB as brotli",
        raw as f64 / 1e6,
        gz as f64 / 1e6,
        br as f64 / 1e6
    );
    Ok(build)
}

/// A digest as the web writes it (`integrity="sha384-…"`, a policy's `'sha256-…'`): standard base64.
pub fn digest_base64<D: Digest>(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(D::digest(bytes))
}

fn sha384(bytes: &[u8]) -> String {
    digest_base64::<sha2::Sha384>(bytes)
}

/// Drop the `name` section of every wasm file (wasm_sections.rs): Trunk names the page's wasm in
/// index.html with its SHA-384 (`integrity`) and its size (the loading readout's total), both
/// rewritten for the smaller file. Returns the wasm bytes before and after.
fn strip_names(dir: &Path) -> Result<(u64, u64), String> {
    let index = dir.join("index.html");
    let mut html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let (mut before, mut after) = (0u64, 0u64);
    for path in stamp::files(dir)? {
        if path.extension().and_then(|e| e.to_str()) != Some("wasm") {
            continue;
        }
        let old = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let new = wasm_sections::without_custom(&old, &["name"]).map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::write(&path, &new).map_err(|e| format!("{}: {e}", path.display()))?;
        html = html.replace(&sha384(&old), &sha384(&new));
        // The loading readout's total (Trunk's initializer call names the wasm's size).
        html = html.replace(&format!("_bg.wasm', {}, initializer()", old.len()), &format!("_bg.wasm', {}, initializer()", new.len()));
        before += old.len() as u64;
        after += new.len() as u64;
    }
    std::fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))?;
    Ok((before, after))
}

/// The policy: only this origin, WebAssembly compilation allowed (`wasm-unsafe-eval`, not
/// `unsafe-eval`), the page's inline scripts allowed by their SHA-256 and nothing else inline.
fn policy(script_hashes: &[String]) -> String {
    let scripts: String = script_hashes.iter().map(|h| format!(" 'sha256-{h}'")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; worker-src 'self'; connect-src 'self'; \
         img-src 'self' data: blob:; style-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'"
    )
}

/// Write the policy into the page, first in its `<head>` (before any script it governs).
fn csp(index: &Path) -> Result<(), String> {
    let html = std::fs::read_to_string(index).map_err(|e| format!("{}: {e}", index.display()))?;
    let mut hashes = Vec::new();
    let mut rest = html.as_str();
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let body_start = after.find('>').ok_or("an unclosed <script> tag")? + 1;
        let body_end = after.find("</script>").ok_or("a <script> without </script>")?;
        let body = &after[body_start..body_end];
        if !body.trim().is_empty() {
            hashes.push(digest_base64::<sha2::Sha256>(body.as_bytes()));
        }
        rest = &after[body_end + "</script>".len()..];
    }
    let meta = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />", policy(&hashes));
    let head = html.find("<head>").ok_or("the page has no <head>")? + "<head>".len();
    let with_policy = format!("{}\n  {meta}{}", &html[..head], &html[head..]);
    std::fs::write(index, with_policy).map_err(|e| format!("{}: {e}", index.display()))
}

/// `name.gz` (gzip) and `name.br` (brotli) beside every compressible file;
/// returns the total raw, gzip and brotli bytes of those files.
fn compress(dir: &Path, effort: Effort) -> Result<(u64, u64, u64), String> {
    let all = stamp::files(dir)?;
    let (mut raw, mut gz, mut br) = (0u64, 0u64, 0u64);
    for path in all {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let level = if effort.brotli >= 9 { flate2::Compression::best() } else { flate2::Compression::fast() };
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
        encoder.write_all(&bytes).map_err(|e| e.to_string())?;
        let gzipped = encoder.finish().map_err(|e| e.to_string())?;
        let mut brotlied = Vec::new();
        {
            let params = brotli::enc::BrotliEncoderParams { quality: effort.brotli as i32, lgwin: 22, ..Default::default() };
            brotli::BrotliCompress(&mut bytes.as_slice(), &mut brotlied, &params).map_err(|e| e.to_string())?;
        }
        let sibling = |suffix: &str| PathBuf::from(format!("{}.{suffix}", path.display()));
        std::fs::write(sibling("gz"), &gzipped).map_err(|e| e.to_string())?;
        std::fs::write(sibling("br"), &brotlied).map_err(|e| e.to_string())?;
        raw += bytes.len() as u64;
        gz += gzipped.len() as u64;
        br += brotlied.len() as u64;
    }
    Ok((raw, gz, br))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_digest_is_the_one_trunk_writes() {
        // Trunk's `integrity="sha384-…"`: standard base64 of the SHA-384 of the file's bytes.
        assert_eq!(sha384(b""), "OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb");
    }

    #[test]
    fn dropping_names_rewrites_the_pages_digest_and_size_of_its_wasm() {
        let dir = std::env::temp_dir().join(format!("xtask-names-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wasm = [b"\0asm\x01\0\0\0".to_vec(), vec![1, 1, 0], wasm_sections::custom_section("name", &[5u8; 100])].concat();
        std::fs::write(dir.join("p_bg.wasm"), &wasm).unwrap();
        let html = format!(
            "<html><head><script type=\"module\">await __trunkInitializer(init, '/p_bg.wasm', {}, initializer(), true);</script>\
             <link rel=\"preload\" href=\"/p_bg.wasm\" integrity=\"sha384-{}\"></head></html>",
            wasm.len(),
            sha384(&wasm)
        );
        std::fs::write(dir.join("index.html"), html).unwrap();
        let (before, after) = strip_names(&dir).unwrap();
        assert_eq!((before, after), (wasm.len() as u64, 11));
        let stripped = std::fs::read(dir.join("p_bg.wasm")).unwrap();
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert!(html.contains(&format!("'/p_bg.wasm', {}, initializer()", stripped.len())), "{html}");
        assert!(html.contains(&sha384(&stripped)) && !html.contains(&sha384(&wasm)), "{html}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn public_urls_are_paths_with_slashes_at_both_ends() {
        assert_eq!(normalise("").unwrap(), "/");
        assert_eq!(normalise("/").unwrap(), "/");
        assert_eq!(normalise("deep/sub/path").unwrap(), "/deep/sub/path/");
        assert_eq!(normalise("/deep/sub/path/").unwrap(), "/deep/sub/path/");
        for bad in ["https://example.org/x/", "/a/../b/", "/a b/", "//host/x"] {
            assert!(normalise(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_policy_allows_the_inline_script_by_hash_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("xtask-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let index = dir.join("index.html");
        let script = "\nimport init from '/p/x.js';\nawait init();\n";
        std::fs::write(&index, format!("<html><head><title>t</title><script type=\"module\">{script}</script></head><body></body></html>")).unwrap();
        csp(&index).unwrap();
        let html = std::fs::read_to_string(&index).unwrap();
        let expected = digest_base64::<sha2::Sha256>(script.as_bytes());
        assert!(html.find("Content-Security-Policy").unwrap() < html.find("<script").unwrap(), "the policy comes first");
        assert!(html.contains(&format!("'sha256-{expected}'")));
        assert!(html.contains("'wasm-unsafe-eval'") && !html.contains("'unsafe-eval'") && !html.contains("'unsafe-inline'"));
        assert!(html.contains("connect-src 'self'"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
