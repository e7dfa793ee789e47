//! A tiny loopback file server for the built page (the browser tests load it from here).

use std::path::{Path, PathBuf};
use std::thread;

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "application/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// Serve `root` on 127.0.0.1 on a free port, in a background thread; returns the base URL.
pub fn start(root: PathBuf) -> Result<String, String> {
    let server = tiny_http::Server::http("127.0.0.1:0").map_err(|e| format!("cannot start the test server: {e}"))?;
    let addr = server.server_addr().to_ip().ok_or("no address")?;
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let rel = request.url().split(['?', '#']).next().unwrap_or("/").trim_start_matches('/').to_string();
            let rel = if rel.is_empty() { "index.html".to_string() } else { rel };
            let path = root.join(&rel);
            let inside = path.components().all(|c| !matches!(c, std::path::Component::ParentDir));
            let response = match std::fs::read(&path) {
                Ok(bytes) if inside => {
                    let header = tiny_http::Header::from_bytes("Content-Type", content_type(&path)).expect("static header");
                    tiny_http::Response::from_data(bytes).with_header(header).boxed()
                }
                _ => tiny_http::Response::from_string("not found").with_status_code(404).boxed(),
            };
            let _ = request.respond(response);
        }
    });
    Ok(format!("http://{addr}/"))
}
