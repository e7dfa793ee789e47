//! A tiny loopback file server for the built page (the browser tests load it from here, and
//! `xtask serve --dist` serves a dist folder with it): the folder appears under a path prefix
//! (`/` or a sub-path such as `/deep/sub/path/`), and a file's pre-compressed sibling
//! (`name.br`, `name.gz`) is sent when the browser accepts that encoding.

use std::path::{Component, Path, PathBuf};
use std::thread;

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "application/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// The file a request path names under `prefix`, if it stays inside `root`.
fn file_for(root: &Path, prefix: &str, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let rest = path.strip_prefix(prefix.trim_end_matches('/'))?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None; // `/deep/subway` is not under `/deep/sub/`
    }
    let rel = rest.trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let file = root.join(rel);
    file.components().all(|c| !matches!(c, Component::ParentDir)).then_some(file)
}

/// The bytes to send for `file` and their encoding: the `.br` or `.gz` sibling when the request
/// accepts it and it exists, else the file itself.
fn body(file: &Path, accept_encoding: &str) -> Option<(Vec<u8>, Option<&'static str>)> {
    let accepts = |e: &str| accept_encoding.split(',').any(|a| a.split(';').next().unwrap_or("").trim() == e);
    for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
        if accepts(encoding) {
            if let Ok(bytes) = std::fs::read(format!("{}.{suffix}", file.display())) {
                return Some((bytes, Some(encoding)));
            }
        }
    }
    std::fs::read(file).ok().map(|b| (b, None))
}

/// Serve `root` under `prefix` on 127.0.0.1 (`port` 0: a free one), in a background thread;
/// returns the page's URL.
pub fn start_at(root: PathBuf, prefix: &str, port: u16) -> Result<String, String> {
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| format!("cannot start the file server: {e}"))?;
    let addr = server.server_addr().to_ip().ok_or("no address")?;
    let prefix = prefix.to_string();
    let base = format!("http://{addr}{prefix}");
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let accept = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Accept-Encoding"))
                .map(|h| h.value.as_str().to_string())
                .unwrap_or_default();
            let found = file_for(&root, &prefix, request.url()).and_then(|f| body(&f, &accept).map(|b| (f, b)));
            let response = match found {
                Some((file, (bytes, encoding))) => {
                    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k, v).expect("static header");
                    let mut r = tiny_http::Response::from_data(bytes)
                        .with_header(header("Content-Type", content_type(&file)))
                        .with_header(header("Vary", "Accept-Encoding"));
                    if let Some(e) = encoding {
                        r = r.with_header(header("Content-Encoding", e));
                    }
                    r.boxed()
                }
                None => tiny_http::Response::from_string("not found").with_status_code(404).boxed(),
            };
            let _ = request.respond(response);
        }
    });
    Ok(base)
}

/// Serve `root` at the top of a free loopback port.
pub fn start(root: PathBuf) -> Result<String, String> {
    start_at(root, "/", 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_map_to_files_under_the_prefix_only() {
        let root = PathBuf::from("/srv/dist");
        assert_eq!(file_for(&root, "/", "/"), Some(root.join("index.html")));
        assert_eq!(file_for(&root, "/deep/sub/", "/deep/sub/"), Some(root.join("index.html")));
        assert_eq!(file_for(&root, "/deep/sub/", "/deep/sub/a.js?x=1"), Some(root.join("a.js")));
        assert_eq!(file_for(&root, "/deep/sub/", "/a.js"), None);
        assert_eq!(file_for(&root, "/deep/sub/", "/deep/subway/a.js"), None);
        assert_eq!(file_for(&root, "/", "/../etc/passwd"), None);
    }
}
