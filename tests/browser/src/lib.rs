//! Helpers for the browser tests: one headless Chromium session per test, opened on the page that
//! `cargo xtask test` built and serves (URLs come from the environment it sets).

use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Chromium flags that work on machines with no network and no GPU (WebGPU runs on SwiftShader).
const CHROME_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--enable-unsafe-webgpu",
    "--window-size=1280,1100",
];

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run the browser tests with `cargo xtask test`"))
}

/// The address of the server `serve_build` switches.
pub fn live_url() -> String {
    env("PLAYGROUND_LIVE_URL")
}

/// What the switched server has in its folder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Build {
    First,
    Second,
    /// Nothing: every request fails (404), as if the host were gone.
    Gone,
}

/// Point the live server at a build (the folder is a link `cargo xtask test` made).
pub fn serve_build(build: Build) {
    let link = std::path::PathBuf::from(env("PLAYGROUND_LIVE_LINK"));
    let target = match build {
        Build::First => std::path::PathBuf::from(env("PLAYGROUND_FIRST_BUILD")),
        Build::Second => std::path::PathBuf::from(env("PLAYGROUND_SECOND_BUILD")),
        Build::Gone => link.with_file_name("gone"),
    };
    let fresh = link.with_file_name("live.next");
    let _ = std::fs::remove_file(&fresh);
    std::os::unix::fs::symlink(&target, &fresh).expect("link the build");
    // A rename replaces the link in one step: the server never sees it missing.
    std::fs::rename(&fresh, &link).expect("switch the build");
}

/// A network for Chromium to emulate.
#[derive(Clone, Copy, Debug)]
pub enum Network {
    Online,
    Offline,
    /// A link of this many megabits per second each way, with this round-trip latency.
    Throttled {
        mbit_per_s: f64,
        latency_ms: u32,
    },
}

/// chromedriver's `POST /session/{id}/chromium/network_conditions`.
#[derive(Debug)]
struct NetworkConditions(Network);

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/chromium/network_conditions",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        // Throughput in bytes per second; a huge one means "not throttled".
        let (offline, latency, bytes_per_s) = match self.0 {
            Network::Online => (false, 0, 1e12),
            Network::Offline => (true, 0, 1e12),
            Network::Throttled {
                mbit_per_s,
                latency_ms,
            } => (false, latency_ms, mbit_per_s * 1e6 / 8.0),
        };
        let body = json!({ "network_conditions": {
            "offline": offline, "latency": latency, "download_throughput": bytes_per_s, "upload_throughput": bytes_per_s } });
        (http::Method::POST, Some(body.to_string()))
    }
}

pub struct Page {
    pub client: Client,
}

/// A screen to emulate (Chromium's device emulation: viewport, pixel ratio, touch).
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    pub width: u32,
    pub height: u32,
    pub touch: bool,
}

impl Screen {
    pub const SMALL_PHONE: Screen = Screen { width: 360, height: 740, touch: true };
    pub const PHONE: Screen = Screen { width: 390, height: 844, touch: true };
    pub const TABLET: Screen = Screen { width: 768, height: 1024, touch: true };
    pub const LAPTOP: Screen = Screen { width: 1280, height: 800, touch: false };
}

impl Page {
    /// A new browser session showing the playground with the given URL hash.
    pub async fn open(hash: &str) -> Page {
        Page::open_with(hash, None).await
    }

    /// The same, on an emulated screen.
    pub async fn open_on(hash: &str, screen: Screen) -> Page {
        Page::open_with(hash, Some(screen)).await
    }

    /// The playground built for a sub-path (`cargo xtask dist --public-url /deep/sub/path/`),
    /// served there by `cargo xtask test`.
    pub async fn open_sub_path(hash: &str) -> Page {
        Page::open_at(&format!("{}{hash}", env("PLAYGROUND_SUB_URL")), None).await
    }

    /// The sub-path dist on a server whose folder the tests switch between two builds
    /// (`serve_build`): for offline use and updates.
    pub async fn open_live(hash: &str) -> Page {
        Page::open_at(&format!("{}{hash}", live_url()), None).await
    }

    /// The first build of the sub-path dist served as if over a 10 Mbit/s link with 40 ms round
    /// trips (the test server paces every byte, the engine worker's included).
    pub async fn open_slow(hash: &str) -> Page {
        Page::open_at(&format!("{}{hash}", env("PLAYGROUND_SLOW_URL")), None).await
    }

    /// A new browser session on any address.
    pub async fn open_url(url: &str) -> Page {
        Page::open_at(url, None).await
    }

    /// A browser on an empty page, to set its network up before the first visit.
    pub async fn blank() -> Page {
        Page::open_at("about:blank", None).await
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("open the page");
    }

    /// Chromium's network emulation for this browser (`Network::Online` lifts it).
    pub async fn network(&self, network: Network) {
        self.client
            .issue_cmd(NetworkConditions(network))
            .await
            .expect("chromium network conditions");
    }

    async fn open_with(hash: &str, screen: Option<Screen>) -> Page {
        Page::open_at(&format!("{}{}", env("PLAYGROUND_URL"), hash), screen).await
    }

    async fn open_at(url: &str, screen: Option<Screen>) -> Page {
        let mut caps = serde_json::Map::new();
        let mut options = json!({ "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()), "args": CHROME_ARGS });
        if let Some(s) = screen {
            options["mobileEmulation"] = json!({ "deviceMetrics": {
                "width": s.width, "height": s.height, "pixelRatio": if s.touch { 2.0 } else { 1.0 }, "touch": s.touch, "mobile": s.touch } });
        }
        caps.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&env("WEBDRIVER_URL"))
            .await
            .expect("connect to chromedriver");
        client.goto(url).await.expect("open the page");
        let page = Page { client };
        page.recover_a_stalled_first_load().await;
        page
    }

    /// Twice in CI runs (never here), a fresh browser's page stayed on its loading skeleton for a
    /// whole minute with not one byte of the page's wasm counted: its module script never ran. If
    /// that happens (20 s without the app or a byte of progress), say so with what the browser
    /// fetched by then, and reload once — as a user would.
    async fn recover_a_stalled_first_load(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let probe = "const l = document.getElementById('loading'), b = document.getElementById('loading-bar');
                     return !l || !!document.querySelector('.app') || (b && Number(b.value) > 0);";
        loop {
            if self.js(probe).await.as_bool().unwrap_or(true) {
                return;
            }
            if Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let fetched = self
            .js("const t = document.getElementById('loading-text');
                 return JSON.stringify({ now: Date.now(), url: location.href, ready: document.readyState, text: t ? t.textContent : null, resources: performance.getEntriesByType('resource')
                   .map(e => [e.name.split('/').pop(), Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize]) });")
            .await;
        report(&format!(
            "stalled first load: no progress in 20 s, reloading once; the browser had fetched {fetched} (the servers' side: target/screenshots/server-requests.log)"
        ));
        let _ = self.client.refresh().await;
    }

    pub async fn text(&self, testid: &str) -> String {
        match self.client.find(Locator::Css(&format!("[data-testid='{testid}']"))).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn number(&self, testid: &str) -> Option<f64> {
        self.text(testid).await.trim().parse::<f64>().ok()
    }

    pub async fn click(&self, testid: &str) {
        let el = self.client.find(Locator::Css(&format!("[data-testid='{testid}']"))).await.expect(testid);
        el.click().await.expect("click");
    }

    /// Poll `probe` until it returns Some, or panic with `what` after `timeout`.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, timeout: Duration, mut probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = probe().await {
                return v;
            }
            if Instant::now() > deadline {
                // What the page says about itself first (the head of its source is mostly the
                // loader script), then the start of its body.
                let state = self
                    .client
                    .execute(
                        "const a = document.querySelector('.app'); const t = id => { const e = document.querySelector(`[data-testid='${id}']`); return e ? e.textContent : null; };
                         return JSON.stringify({ app: a ? Object.assign({}, a.dataset) : null, backend: t('backend'), reason: t('backend-reason'),
                           loading: t('engine-loading'), message: t('message'), offline: t('offline-status'), csp: document.documentElement.dataset.cspBlocked || null });",
                        vec![],
                    )
                    .await
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                let shown = self.client.source().await.unwrap_or_default();
                let body: String = shown.split("<body").nth(1).unwrap_or(&shown).chars().take(2000).collect();
                panic!("timed out after {timeout:?} waiting for {what}; the page's state: {state}; its body: {body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Set a form control's value and fire `change`, as picking it by hand would.
    pub async fn set_value(&self, testid: &str, value: &str) {
        self.js(&format!(
            "const s = document.querySelector(\"[data-testid='{testid}']\"); s.value = '{value}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true;"
        ))
        .await;
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    /// A script's string result ("" when it returns anything else, null included).
    pub async fn js_text(&self, script: &str) -> String {
        self.js(script).await.as_str().unwrap_or_default().to_string()
    }

    /// Save a PNG screenshot under the directory `cargo xtask test` names.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::path::PathBuf::from(std::env::var("SCREENSHOT_DIR").unwrap_or_else(|_| "target/screenshots".into()));
        let _ = std::fs::create_dir_all(&dir);
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// How many pixels of the canvas are close to the given colour (what the plot really drew).
    pub async fn canvas_pixels_near(&self, testid: &str, rgb: (u8, u8, u8)) -> u64 {
        let script = format!(
            "const c = document.querySelector(\"[data-testid='{testid}']\");
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             let n = 0;
             for (let i = 0; i < d.length; i += 4) {{
               if (Math.abs(d[i]-{r}) + Math.abs(d[i+1]-{g}) + Math.abs(d[i+2]-{b}) < 40) n++;
             }}
             return n;",
            r = rgb.0, g = rgb.1, b = rgb.2
        );
        self.js(&script).await.as_u64().unwrap_or(0)
    }

    /// A cheap fingerprint of a canvas's pixels, to see whether a drawing changed.
    pub async fn canvas_hash(&self, testid: &str) -> u64 {
        let script = format!(
            "const c = document.querySelector(\"[data-testid='{testid}']\");
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             let h = 0;
             for (let i = 0; i < d.length; i += 4) {{ h = (h * 31 + d[i] + 7 * d[i+1] + 13 * d[i+2]) % 2147483647; }}
             return h;"
        );
        self.js(&script).await.as_u64().unwrap_or(0)
    }

    /// Start counting main-thread long tasks from now.
    pub async fn watch_long_tasks(&self) {
        self.observe_long_tasks(false).await;
    }

    /// Start counting main-thread long tasks, those since the page started loading included.
    pub async fn watch_long_tasks_since_load(&self) {
        self.observe_long_tasks(true).await;
    }

    async fn observe_long_tasks(&self, since_load: bool) {
        self.js(&format!(
            "window.__longest = 0; window.__longtasks = 0;
             new PerformanceObserver(l => {{ for (const e of l.getEntries()) {{
                 window.__longtasks++; window.__longest = Math.max(window.__longest, e.duration); }} }})
               .observe({{ type: 'longtask', buffered: {since_load} }});
             return true;"
        ))
        .await;
    }

    /// (count, longest ms) of long tasks since `watch_long_tasks`.
    pub async fn long_tasks(&self) -> (u64, f64) {
        let v = self.js("return [window.__longtasks || 0, window.__longest || 0];").await;
        (v[0].as_u64().unwrap_or(0), v[1].as_f64().unwrap_or(0.0))
    }

    /// Bytes of the newest export (the Blob URL the page notes on `<body data-last-export>`),
    /// once it differs from `previous`.
    pub async fn last_export(&self, previous: Option<&str>) -> (String, Vec<u8>) {
        let url = self
            .wait_for("an export", Duration::from_secs(60), || async {
                let u = self.js("return document.body.getAttribute('data-last-export');").await;
                u.as_str().filter(|u| Some(*u) != previous).map(str::to_string)
            })
            .await;
        let bytes = self
            .client
            .execute_async(
                "const [url, done] = arguments; fetch(url).then(r => r.arrayBuffer()).then(b => done(Array.from(new Uint8Array(b))));",
                vec![url.clone().into()],
            )
            .await
            .expect("read the export");
        let bytes = bytes.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u8).collect();
        (url, bytes)
    }

    /// Choose a file in a file input, as the file dialog would.
    pub async fn choose_file(&self, testid: &str, path: &std::path::Path) {
        let input = self.client.find(Locator::Css(&format!("[data-testid='{testid}']"))).await.expect(testid);
        input.send_keys(&path.display().to_string()).await.expect("choose a file");
    }

    /// Where data point (x, y) is on the 1-D plot, as an offset from the canvas's centre in CSS
    /// pixels (what WebDriver's pointer moves take), from the geometry the plot exposes
    /// (`data-area`, `data-x-range`, `data-y-range`). Scrolls the plot into view first.
    pub async fn plot_offset(&self, x: f64, y: f64) -> (f64, f64) {
        let v = self
            .js(&format!(
                "const c = document.querySelector(\"[data-testid='plot']\"); c.scrollIntoView({{ block: 'center' }});
                 const r = c.getBoundingClientRect(); const s = r.width / c.width;
                 const [l, t, rt, b] = c.dataset.area.split(' ').map(Number);
                 const [x0, x1] = c.dataset.xRange.split(' ').map(Number); const [y0, y1] = c.dataset.yRange.split(' ').map(Number);
                 const px = (l + ({x} - x0) / (x1 - x0) * (rt - l)) * s, py = (t + (y1 - {y}) / (y1 - y0) * (b - t)) * s;
                 return [px - r.width / 2, py - r.height / 2];"
            ))
            .await;
        (v[0].as_f64().expect("plot geometry"), v[1].as_f64().expect("plot geometry"))
    }

    /// Press the mouse `button` at data point `from` on the 1-D plot and release it at `to` (the
    /// same point: a click).
    pub async fn plot_press(&self, from: (f64, f64), to: (f64, f64), button: u64) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction};
        let canvas = self.client.find(Locator::Css("[data-testid='plot']")).await.expect("the plot");
        let (ax, ay) = self.plot_offset(from.0, from.1).await;
        let (bx, by) = self.plot_offset(to.0, to.1).await;
        let mut mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement { element: canvas.clone(), duration: None, x: ax.round(), y: ay.round() })
            .then(PointerAction::Down { button });
        if (ax, ay) != (bx, by) {
            for i in 1..=4 {
                let f = i as f64 / 4.0;
                mouse = mouse.then(PointerAction::MoveToElement {
                    element: canvas.clone(),
                    duration: Some(Duration::from_millis(20)),
                    x: (ax + f * (bx - ax)).round(),
                    y: (ay + f * (by - ay)).round(),
                });
            }
        }
        mouse = mouse.then(PointerAction::Up { button });
        self.client.perform_actions(mouse).await.expect("pointer actions");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Wait until the engine worker has named the backend of the run it built.
pub async fn wait_ready(page: &Page, timeout: Duration) -> String {
    page.wait_for("a backend to be chosen", timeout, || async {
        let b = page.text("backend").await;
        (b == "CPU" || b == "WebGPU").then_some(b)
    })
    .await
}

/// Wait until the page says it is idle (`data-idle`): nothing training, building or drawing, so
/// what it shows is final. Returns the page's frame counter then.
pub async fn wait_idle(page: &Page, timeout: Duration) -> u64 {
    page.wait_for("the page to be idle", timeout, || async {
        let v = page.js("const a = document.querySelector('.app'); return a ? [a.dataset.idle, a.dataset.frames] : null;").await;
        (v[0].as_str() == Some("true")).then(|| v[1].as_str().and_then(|f| f.parse().ok()).unwrap_or(0))
    })
    .await
}

/// The page's frame counter (`data-frames`): how many frames it has drawn.
pub async fn frames(page: &Page) -> u64 {
    let v = page.js("return document.querySelector('.app').dataset.frames;").await;
    v.as_str().and_then(|f| f.parse().ok()).unwrap_or(0)
}

/// Append a line of measurements to target/browser-report.txt (numbers for the README).
pub fn report(line: &str) {
    println!("REPORT {line}");
    let dir = std::path::PathBuf::from(std::env::var("SCREENSHOT_DIR").unwrap_or_else(|_| "target/screenshots".into()));
    let _ = std::fs::create_dir_all(&dir);
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("report.txt")) {
        let _ = writeln!(f, "{line}");
    }
}
