//! A tiny loopback file server for the built page (the browser tests load it from here, and
//! `xtask serve` serves a dist folder with it): the folder appears under a path prefix
//! (`/` or a sub-path such as `/deep/sub/path/`), and a file's pre-compressed sibling
//! (`name.br`, `name.gz`) is sent when the browser accepts that encoding. Every answer carries an
//! `ETag` and `Cache-Control: no-cache`, as a well-configured host would: a browser asks again
//! and gets `304 Not Modified` for what it has (the service worker's check of a visit's files
//! costs no second download), and a redeployed folder is seen at once.
//!
//! `start_paced` serves as if over a slow link (a school's 10 Mbit/s): every answer waits a
//! round trip, and all bytes share one budget of bytes per second. Chromium's own network
//! emulation does not reach a page's workers, whose engine download is the largest, so the
//! first-visit figures are measured against this server.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

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

/// The file to send for `file` and its encoding: the `.br` or `.gz` sibling when the request
/// accepts it and it exists, else the file itself (if it exists).
fn chosen(file: &Path, accept_encoding: &str) -> Option<(PathBuf, Option<&'static str>)> {
    let accepts = |e: &str| accept_encoding.split(',').any(|a| a.split(';').next().unwrap_or("").trim() == e);
    for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
        let sibling = PathBuf::from(format!("{}.{suffix}", file.display()));
        if accepts(encoding) && sibling.is_file() {
            return Some((sibling, Some(encoding)));
        }
    }
    file.is_file().then(|| (file.to_path_buf(), None))
}

/// A validator for `file` as sent with `encoding`: its size and modification time.
fn etag(file: &Path, encoding: Option<&str>) -> Option<String> {
    let meta = std::fs::metadata(file).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!(
        "\"{:x}-{modified:x}-{}\"",
        meta.len(),
        encoding.unwrap_or("identity")
    ))
}

/// What to answer: a status, headers and a body.
struct Answer {
    status: u16,
    headers: Vec<tiny_http::Header>,
    body: Vec<u8>,
}

fn header(k: &str, v: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(k, v).expect("static header")
}

fn answer(file: Option<PathBuf>, accept: &str, if_none_match: Option<&str>) -> Answer {
    let not_found = || Answer {
        status: 404,
        headers: vec![header("Content-Type", "text/plain")],
        body: b"not found".to_vec(),
    };
    let Some(file) = file else { return not_found() };
    let Some((sent, encoding)) = chosen(&file, accept) else {
        return not_found();
    };
    let tag = etag(&file, encoding).unwrap_or_default();
    if !tag.is_empty() && if_none_match.is_some_and(|m| m.split(',').any(|t| t.trim() == tag)) {
        return Answer {
            status: 304,
            headers: vec![header("ETag", &tag)],
            body: Vec::new(),
        };
    }
    // Read only now: a revalidation answered 304 sends (and reads) nothing.
    let Ok(bytes) = std::fs::read(&sent) else { return not_found() };
    let mut headers = vec![
        header("Content-Type", content_type(&file)),
        header("Vary", "Accept-Encoding"),
        header("Cache-Control", "no-cache"),
    ];
    if !tag.is_empty() {
        headers.push(header("ETag", &tag));
    }
    if let Some(e) = encoding {
        headers.push(header("Content-Encoding", e));
    }
    Answer {
        status: 200,
        headers,
        body: bytes,
    }
}

/// A slow link shared by every answer: its bytes per second and round-trip time.
pub struct Pace {
    bytes_per_s: f64,
    round_trip: Duration,
    /// When the link is free again (answers sending at once take turns).
    free_at: Mutex<Instant>,
}

impl Pace {
    pub fn mbit_per_s(mbit: f64, round_trip_ms: u64) -> Arc<Pace> {
        Arc::new(Pace {
            bytes_per_s: mbit * 1e6 / 8.0,
            round_trip: Duration::from_millis(round_trip_ms),
            free_at: Mutex::new(Instant::now()),
        })
    }
}

/// A body read out no faster than the link allows.
struct Paced {
    body: std::io::Cursor<Vec<u8>>,
    pace: Arc<Pace>,
}

impl Read for Paced {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = buf.len().min(16 * 1024);
        let n = self.body.read(&mut buf[..len])?;
        let done = {
            let mut free_at = self.pace.free_at.lock().expect("the link's clock");
            let start = (*free_at).max(Instant::now());
            *free_at = start + Duration::from_secs_f64(n as f64 / self.pace.bytes_per_s);
            *free_at
        };
        thread::sleep(done.saturating_duration_since(Instant::now()));
        Ok(n)
    }
}

/// With `PLAYGROUND_SERVER_LOG=<file>` (`cargo xtask test` sets it), every request is logged
/// there when it arrives and when its answer is sent, with the wall clock in ms: to tell a request
/// the server never saw from an answer the browser never took.
fn log(line: std::fmt::Arguments) {
    use std::io::Write;
    static LOG: std::sync::OnceLock<Option<Mutex<std::fs::File>>> = std::sync::OnceLock::new();
    let log = LOG.get_or_init(|| {
        let path = std::env::var_os("PLAYGROUND_SERVER_LOG")?;
        std::fs::OpenOptions::new().create(true).append(true).open(path).ok().map(Mutex::new)
    });
    if let Some(file) = log {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        if let Ok(mut f) = file.lock() {
            let _ = writeln!(f, "{now} {line}");
        }
    }
}

fn respond(request: tiny_http::Request, root: &Path, prefix: &str, pace: Option<&Arc<Pace>>) {
    let url = request.url().to_string();
    let peer = request.remote_addr().map(|a| a.port()).unwrap_or(0);
    log(format_args!("in   :{peer} {url}"));
    let find = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_string())
    };
    let accept = find("Accept-Encoding").unwrap_or_default();
    let if_none_match = find("If-None-Match");
    let Answer {
        status,
        headers,
        body,
    } = answer(
        file_for(root, prefix, request.url()),
        &accept,
        if_none_match.as_deref(),
    );
    let len = body.len();
    let sent = match pace {
        None => request.respond(tiny_http::Response::new(
            status.into(),
            headers,
            std::io::Cursor::new(body),
            Some(len),
            None,
        )),
        Some(pace) => {
            thread::sleep(pace.round_trip);
            let paced = Paced {
                body: std::io::Cursor::new(body),
                pace: pace.clone(),
            };
            request.respond(tiny_http::Response::new(
                status.into(),
                headers,
                paced,
                Some(len),
                None,
            ))
        }
    };
    log(format_args!("out  :{peer} {url} {status} {len} bytes {}", if sent.is_ok() { "sent" } else { "failed" }));
}

/// Serve `root` under `prefix` on 127.0.0.1 (`port` 0: a free one), in a background thread;
/// returns the page's URL.
pub fn start_at(root: PathBuf, prefix: &str, port: u16) -> Result<String, String> {
    serve(root, prefix, port, None)
}

/// The same, as if over a slow link (`Pace`): answers are sent side by side, sharing it.
pub fn start_paced(root: PathBuf, prefix: &str, pace: Arc<Pace>) -> Result<String, String> {
    serve(root, prefix, 0, Some(pace))
}

fn serve(
    root: PathBuf,
    prefix: &str,
    port: u16,
    pace: Option<Arc<Pace>>,
) -> Result<String, String> {
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| format!("cannot start the file server: {e}"))?;
    let addr = server.server_addr().to_ip().ok_or("no address")?;
    let prefix = prefix.to_string();
    let base = format!("http://{addr}{prefix}");
    thread::spawn(move || {
        // Each answer on its own thread: a stalled or slow connection (a browser closing
        // mid-download, a paced link) never holds up the requests behind it.
        for request in server.incoming_requests() {
            let (root, prefix, pace) = (root.clone(), prefix.clone(), pace.clone());
            thread::spawn(move || respond(request, &root, &prefix, pace.as_ref()));
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
