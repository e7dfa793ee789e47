//! `cargo xtask serve [--public-url /p/] [--watch]`: install what is missing, build the dist (as
//! `dist` does) and serve it on 127.0.0.1:8080 with its pre-compressed files; `--watch` instead
//! runs Trunk's rebuilding dev server.
//! `cargo xtask dist [--public-url /any/path/] [--out DIR]`: the folder for a static host (dist.rs).
//! `cargo xtask test`: install what is missing, run the native tests, build the page, and run the
//! browser tests in headless Chromium (CPU and WebGPU paths), ending with one summary line.
//! `cargo xtask bench [--image-seconds S]`: the benchmark workloads on the native CPU path and on
//! the wasm CPU path in headless Chromium, one JSON line each (see docs/benchmarks.md).

mod dist;
mod service_worker;
mod stamp;
mod static_server;
mod tools;
mod wasm_sections;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(workspace_root());
    c
}

/// Run a command to completion, inheriting the terminal.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    status.success().then_some(()).ok_or_else(|| format!("{cmd:?} failed ({status})"))
}

/// Pass/fail counts collected from `cargo test` output.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    suites_failed: Vec<String>,
}

impl Tally {
    /// Run `cargo test …`, echo its output, and add up its `test result:` lines.
    fn cargo_test(&mut self, label: &str, cmd: &mut Command) {
        let child = cmd.stdout(Stdio::piped()).spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                self.suites_failed.push(format!("{label} (could not start: {e})"));
                return;
            }
        };
        for line in BufReader::new(child.stdout.take().expect("piped")).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(rest) = line.trim().strip_prefix("test result: ") {
                let count = |word: &str| {
                    rest.split(';').find_map(|p| p.trim().strip_suffix(word).and_then(|n| n.trim().rsplit(' ').next()?.parse::<u64>().ok()))
                };
                self.passed += count("passed").unwrap_or(0);
                self.failed += count("failed").unwrap_or(0);
            }
        }
        match child.wait() {
            Ok(s) if s.success() => {}
            _ => self.suites_failed.push(label.to_string()),
        }
    }
}

fn dist_dir() -> PathBuf {
    workspace_root().join("target").join("playground-dist")
}

/// Where the tests build the dist for a sub-path, and that sub-path.
fn sub_path_dist() -> (PathBuf, &'static str) {
    (workspace_root().join("target").join("playground-dist-sub"), "/deep/sub/path/")
}

/// The value after `name` on the command line.
fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

/// `trunk build --release` into target/playground-dist.
fn build_page() -> Result<(), String> {
    let started = Instant::now();
    run(Command::new("trunk")
        .args(["build", "--release", "--dist"])
        .arg(dist_dir())
        .current_dir(workspace_root())
        .env("TRUNK_SKIP_VERSION_CHECK", "true"))?;
    println!("xtask: page built in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Two builds of the same sources (the second with another build name), served in turn at one
/// address by the update tests: the folder `live` is a link the tests point at one or the other.
fn update_builds() -> [PathBuf; 3] {
    let dir = workspace_root().join("target").join("playground-update");
    [dir.join("first"), dir.join("second"), dir.join("live")]
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(to);
    for file in stamp::files(from)? {
        let target = to.join(file.strip_prefix(from).map_err(|e| e.to_string())?);
        std::fs::create_dir_all(target.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
        std::fs::copy(&file, &target).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(())
}

/// What the browser tests load: the page at the top of a server, the dist built for a sub-path,
/// and a first and a second build of that dist for the offline and update tests.
fn build_pages_for_tests() -> Result<(), String> {
    build_page()?;
    let (sub_dir, sub_path) = sub_path_dist();
    dist::trunk(sub_path, &sub_dir)?;
    let [first, second, live] = update_builds();
    copy_dir(&sub_dir, &first)?;
    copy_dir(&sub_dir, &second)?;
    dist::finish(&sub_dir, dist::Effort::QUICK, "")?;
    dist::finish(&first, dist::Effort::QUICK, "")?;
    dist::finish(&second, dist::Effort::QUICK, "a second build")?;
    let _ = std::fs::remove_file(&live);
    std::os::unix::fs::symlink(&first, &live).map_err(|e| format!("{}: {e}", live.display()))
}

struct KillOnDrop(Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // The whole process group: chromedriver and every browser it started, including those of
        // a test that panicked before closing its session (they would keep training).
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.0.id())]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(9515)
}

fn start_chromedriver() -> Result<(KillOnDrop, String), String> {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start chromedriver: {e}"))?;
    let guard = KillOnDrop(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("chromedriver did not start listening".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok((guard, format!("http://127.0.0.1:{port}")))
}

fn test() -> Result<Tally, String> {
    let started = Instant::now();
    tools::ensure_build_tools()?;
    tools::ensure_chromium()?;
    let mut tally = Tally::default();
    println!("xtask: native tests");
    tally.cargo_test("native tests", cargo().args(["test", "--no-fail-fast", "--workspace", "--exclude", "browser-tests"]));
    // Build the browser test binary before the page so a compile error shows up early.
    run(cargo().args(["test", "-p", "browser-tests", "--no-run"]))?;
    build_pages_for_tests()?;
    browser_tests(&mut tally, None)?;
    println!("xtask: test run took {:.1} min", started.elapsed().as_secs_f64() / 60.0);
    Ok(tally)
}

/// Serve the built page and run the browser tests (only the file `tests/browser/tests/<only>.rs`
/// when given).
fn browser_tests(tally: &mut Tally, only: Option<&str>) -> Result<(), String> {
    let axe = tools::ensure_axe()?;
    let shots = workspace_root().join("target").join("screenshots");
    if only.is_none() {
        let _ = std::fs::remove_dir_all(&shots);
    }
    let _ = std::fs::create_dir_all(&shots);
    // Every request the test servers answer, next to the screenshots: a page whose load stalls
    // (the tests report it) can be matched with what the server saw (`static_server::log`).
    if std::env::var_os("PLAYGROUND_SERVER_LOG").is_none() {
        std::env::set_var("PLAYGROUND_SERVER_LOG", shots.join("server-requests.log"));
    }
    let base = static_server::start(dist_dir())?;
    // The dist built for a sub-path, served there (when it was built: `xtask browser` builds it too).
    let (sub_dir, sub_path) = sub_path_dist();
    let sub = static_server::start_at(sub_dir, sub_path, 0)?;
    // The same dist at the same path on another origin, whose files the update tests replace.
    let [first, second, live] = update_builds();
    let updating = static_server::start_at(live.clone(), sub_path, 0)?;
    // The first build again, as if over a school's 10 Mbit/s link with 40 ms round trips.
    let slow = static_server::start_paced(
        first.clone(),
        sub_path,
        static_server::Pace::mbit_per_s(10.0, 40),
    )?;
    let (_driver, webdriver) = start_chromedriver()?;
    println!("xtask: browser tests against {base} (screenshots in {})", shots.display());
    let mut cmd = cargo();
    cmd.args(["test", "--no-fail-fast", "-p", "browser-tests"]);
    if let Some(file) = only {
        cmd.args(["--test", file]);
    }
    cmd.arg("--");
    tally.cargo_test(
        "browser tests",
        cmd.args(["--test-threads=1", "--nocapture"])
            .env("PLAYGROUND_URL", &base)
            .env("PLAYGROUND_SUB_URL", &sub)
            .env("PLAYGROUND_LIVE_URL", &updating)
            .env("PLAYGROUND_SLOW_URL", &slow)
            .env("PLAYGROUND_LIVE_LINK", &live)
            .env("PLAYGROUND_FIRST_BUILD", &first)
            .env("PLAYGROUND_SECOND_BUILD", &second)
            .env("WEBDRIVER_URL", &webdriver)
            .env("SCREENSHOT_DIR", &shots)
            .env("AXE_JS", &axe),
    );
    Ok(())
}

/// `cargo xtask browser [FILE]`: rebuild the page and run only the browser tests, or only one
/// file of them (a quicker loop while working on the web layer).
fn browser(only: Option<&str>) -> Result<Tally, String> {
    tools::ensure_build_tools()?;
    tools::ensure_chromium()?;
    run(cargo().args(["test", "-p", "browser-tests", "--no-run"]))?;
    build_pages_for_tests()?;
    let mut tally = Tally::default();
    browser_tests(&mut tally, only)?;
    Ok(tally)
}

fn bench(seconds: &str) -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_chromium()?;
    println!("xtask: benchmarks on the native CPU path");
    run(cargo().args(["run", "--quiet", "--release", "-p", "playground-engine", "--bin", "bench", "--", "--image-seconds", seconds]))?;
    build_page()?;
    let base = static_server::start(dist_dir())?;
    let (_driver, webdriver) = start_chromedriver()?;
    println!("xtask: benchmarks on the wasm CPU path (headless Chromium)");
    // What a teacher's host would send, over a school's link: the first-visit figures.
    let dist = workspace_root().join("target").join("bench-dist");
    dist::build("/", &dist, dist::Effort::BEST)?;
    let slow = static_server::start_paced(dist, "/", static_server::Pace::mbit_per_s(10.0, 40))?;
    run(cargo()
        .args(["test", "--quiet", "-p", "browser-tests", "--test", "bench", "--", "--ignored", "--nocapture", "--test-threads=1"])
        .env("PLAYGROUND_URL", &base)
        .env("PLAYGROUND_SLOW_URL", &slow)
        .env("WEBDRIVER_URL", &webdriver)
        .env("BENCH_SECONDS", seconds)
        // Reports (a stalled first load, say) beside the tests' own, not under tests/browser/.
        .env("SCREENSHOT_DIR", workspace_root().join("target").join("screenshots"))
        .env("DIST_DIR", dist_dir()))
}

/// `cargo xtask serve`: what a teacher's server would send (the dist, pre-compressed), on
/// 127.0.0.1:8080; `--watch`: Trunk's dev server, rebuilding on every change.
fn serve(args: &[String]) -> Result<(), String> {
    tools::ensure_build_tools()?;
    let public_url = dist::normalise(option(args, "--public-url").unwrap_or("/"))?;
    if args.iter().any(|a| a == "--watch") {
        println!("xtask: Trunk's dev server at http://127.0.0.1:8080{public_url} (first build takes a while)");
        return run(Command::new("trunk")
            .args(["serve", "--release", "--address", "127.0.0.1", "--port", "8080", "--public-url", &public_url])
            .current_dir(workspace_root())
            .env("TRUNK_SKIP_VERSION_CHECK", "true"));
    }
    let out = workspace_root().join("target").join("serve-dist");
    dist::build(&public_url, &out, dist::Effort::QUICK)?;
    let url = static_server::start_at(out, &public_url, 8080)?;
    println!("xtask: serving the playground at {url} (Ctrl-C stops it)");
    loop {
        std::thread::park();
    }
}

/// `cargo xtask dist`: build the folder a static host serves (README, "Host it for a class").
fn dist_command(args: &[String]) -> Result<(), String> {
    tools::ensure_build_tools()?;
    let public_url = dist::normalise(option(args, "--public-url").unwrap_or("/"))?;
    let out = option(args, "--out").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("dist"));
    dist::build(&public_url, &out, dist::Effort::BEST)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args).map(|_| None),
        Some("dist") => dist_command(&args).map(|_| None),
        Some("test") => test().map(Some),
        Some("bench") => {
            bench(option(&args, "--image-seconds").unwrap_or("60")).map(|_| None)
        }
        Some("browser") => browser(args.get(1).map(String::as_str)).map(Some),
        Some("build") => tools::ensure_build_tools().and_then(|_| build_page()).map(|_| None),
        _ => {
            eprintln!("usage: cargo xtask serve [--public-url /p/] [--watch] | cargo xtask dist [--public-url /p/] [--out DIR] | cargo xtask test | cargo xtask bench [--image-seconds S] | cargo xtask build | cargo xtask browser [FILE]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(t)) => {
            let ok = t.failed == 0 && t.suites_failed.is_empty() && t.passed > 0;
            if !t.suites_failed.is_empty() {
                println!("xtask: failed: {}", t.suites_failed.join(", "));
            }
            println!("{} passed, {} failed", t.passed, t.failed);
            if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
