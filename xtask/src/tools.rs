//! Installs what the build needs, by package name only (no binary downloads: they fail on
//! machines that reach only the package registries).

use std::process::Command;

use crate::{cargo, run, workspace_root};

/// Trunk 0.21.14 is the newest release that builds with rustc 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";
pub const TARGET: &str = "wasm32-unknown-unknown";

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The `wasm-bindgen` version pinned in Cargo.lock: the CLI must match it exactly.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("no wasm-bindgen in Cargo.lock".into())
}

pub fn ensure_build_tools() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == TARGET) {
        println!("xtask: adding the {TARGET} target");
        run(Command::new("rustup").args(["target", "add", TARGET]))?;
    }
    let trunk = output("trunk", &["--version"]).unwrap_or_default();
    if !trunk.contains(TRUNK_VERSION) {
        println!("xtask: installing trunk {TRUNK_VERSION} (a few minutes, once)");
        run(cargo().args(["install", "--locked", &format!("trunk@{TRUNK_VERSION}")]))?;
    }
    let wanted = wasm_bindgen_version()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if !have.split_whitespace().any(|w| w == wanted) {
        println!("xtask: installing wasm-bindgen-cli {wanted} (must equal Cargo.lock's wasm-bindgen)");
        // `--locked` can fail on a yanked dependency of the CLI; fall back to a fresh resolution.
        if run(cargo().args(["install", "--locked", "--force", &format!("wasm-bindgen-cli@{wanted}")])).is_err() {
            run(cargo().args(["install", "--force", &format!("wasm-bindgen-cli@{wanted}")]))?;
        }
    }
    Ok(())
}

fn is_root() -> bool {
    output("id", &["-u"]).map(|s| s.trim() == "0").unwrap_or(false)
}

/// Debian's Chromium and ChromeDriver, for the browser tests.
pub fn ensure_chromium() -> Result<(), String> {
    if which("chromium") && which("chromedriver") {
        return Ok(());
    }
    if !is_root() || !which("apt-get") {
        return Err("the browser tests need Chromium and ChromeDriver: run `sudo apt-get install chromium chromium-driver` (Debian) and try again".into());
    }
    println!("xtask: installing Debian's chromium and chromium-driver");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]).env("DEBIAN_FRONTEND", "noninteractive"))
}

pub fn which(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(cmd).is_file()))
        .unwrap_or(false)
}

/// axe-core, the accessibility checker the browser tests inject into every view: a pinned
/// version from the npm registry (by package name), installed once under target/axe. Debian's
/// npm is installed first when the machine has none.
pub const AXE_VERSION: &str = "4.10.3";

pub fn ensure_axe() -> Result<std::path::PathBuf, String> {
    let prefix = workspace_root().join("target").join("axe");
    let script = prefix.join("node_modules").join("axe-core").join("axe.min.js");
    let installed = std::fs::read_to_string(prefix.join("node_modules").join("axe-core").join("package.json"))
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
    if installed && script.is_file() {
        return Ok(script);
    }
    if !which("npm") {
        if !is_root() || !which("apt-get") {
            return Err("the accessibility tests need npm: run `sudo apt-get install npm` (Debian) and try again".into());
        }
        println!("xtask: installing Debian's npm (for axe-core)");
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "npm"]).env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    println!("xtask: installing axe-core {AXE_VERSION} from the npm registry");
    std::fs::create_dir_all(&prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
        .arg(&prefix)
        .arg(format!("axe-core@{AXE_VERSION}")))?;
    if script.is_file() {
        Ok(script)
    } else {
        Err(format!("axe-core installed but {} is missing", script.display()))
    }
}
