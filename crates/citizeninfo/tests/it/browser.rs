//! What the browser tests share: chromedriver and a headless Chromium started for a
//! test and ended with it, the browser's console errors, the app served as the binary
//! serves it, and waits that poll rather than sleep.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A slow, shared machine: every wait for the browser is this long at most.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);
/// The widths the form is checked at: a phone's, and a laptop's.
/// The widths pages are checked at: a phone's, and a laptop's.
pub(crate) const PHONE: (u32, u32) = (412, 915);
pub(crate) const DESKTOP: (u32, u32) = (1366, 768);

pub(crate) struct Driver {
    child: Child,
    pub(crate) port: u16,
    pub(crate) profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Chromedriver and the Chromium it started share a process group of their own:
        // ending the group ends the browser too, also when a failed assertion left the
        // session open.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A browser process still exiting may write the profile once more.
        for profile in [self.profile.clone(), self.profile.with_extension("nojs")] {
            for _ in 0..20 {
                let _ = std::fs::remove_dir_all(&profile);
                if !profile.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn start_driver() -> Driver {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin} ({e}); ./scripts/test installs chromium and chromium-driver")
        });
    let profile = std::env::temp_dir().join(format!("citizeninfo-chrome-{port}"));
    let driver = Driver {
        child,
        port,
        profile,
    };
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

pub(crate) async fn browser(driver: &Driver, size: (u32, u32)) -> Client {
    browser_with(driver, size, true).await
}

/// A second browser on the same driver, with JavaScript switched off: a citizen on a
/// phone that runs no script. It keeps its own profile beside the first one's.
pub(crate) async fn browser_without_javascript(driver: &Driver, size: (u32, u32)) -> Client {
    browser_with(driver, size, false).await
}

async fn browser_with(driver: &Driver, (width, height): (u32, u32), javascript: bool) -> Client {
    let profile = if javascript {
        driver.profile.clone()
    } else {
        driver.profile.with_extension("nojs")
    };
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--hide-scrollbars".into(),
        "--force-device-scale-factor=1".into(),
        "--lang=th".into(),
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.display()),
    ];
    if !javascript {
        // Blink's own switch: the page's scripts never run (WebDriver's still do).
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let caps = json!({
        "browserName": "chrome",
        "goog:loggingPrefs": {"browser": "ALL"},
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": args,
        },
    });
    let caps = match caps {
        Value::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    };
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("WebDriver session");
    // Chromium keeps a window at least 500 px wide when started with a smaller
    // --window-size; resizing the running window gives the width asked for.
    c.set_window_size(width, height).await.unwrap();
    c
}

/// Chromedriver's log endpoint (outside W3C WebDriver, which has none).
#[derive(Debug)]
pub(crate) struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

pub(crate) async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(BrowserLog).await.expect("browser log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Serves the app on `listener` as the binary does.
pub(crate) fn serve(
    listener: tokio::net::TcpListener,
    state: web::Shared,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        web::server::serve(
            listener,
            web::router(state),
            web::server::ConnectionLimits::default(),
            std::future::pending(),
        )
        .await
    })
}

/// Polls `check` every 100 ms until it gives a value, for up to [`PATIENCE`].
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match check().await {
            Ok(v) => return v,
            Err(last) if start.elapsed() > PATIENCE => {
                panic!("{what}: not after {PATIENCE:?}; last: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

pub(crate) async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    eventually(&format!("element {css}"), || async {
        c.find(Locator::Css(css)).await.map_err(|e| e.to_string())
    })
    .await
}

/// Waits until the element's text holds `expected`; gives the whole text.
pub(crate) async fn wait_text(c: &Client, css: &str, expected: &str) -> String {
    eventually(&format!("{css} showing {expected:?}"), || async {
        let t = c
            .find(Locator::Css(css))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        if t.contains(expected) {
            Ok(t)
        } else {
            Err(format!("{t:?}"))
        }
    })
    .await
}

pub(crate) async fn value_of(c: &Client, name: &str) -> String {
    find(c, &format!("[name={name}]"))
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

pub(crate) async fn fill(c: &Client, name: &str, value: &str) {
    let input = find(c, &format!("[name={name}]")).await;
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
    assert_eq!(value_of(c, name).await, value, "typed into {name}");
}

/// Marks the page, runs `act`, and waits until another page has loaded: the old and
/// the new page share most of their elements, so looking for one of them right after
/// the action could find it on the old page.
pub(crate) async fn to_next_page<F, Fut>(c: &Client, what: &str, act: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    c.execute("window.__e2e_old_page = true;", vec![])
        .await
        .unwrap();
    act().await;
    eventually(&format!("the page after {what}"), || async {
        let v = c
            .execute(
                "return window.__e2e_old_page !== true && document.readyState === 'complete';",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        if v == json!(true) {
            Ok(())
        } else {
            Err("still the old page, or loading".to_owned())
        }
    })
    .await;
}

/// Clicks what `xpath` finds and waits until the browser has loaded the next page.
pub(crate) async fn click_to_next_page(c: &Client, xpath: &str) {
    let target = eventually(&format!("element {xpath}"), || async {
        c.find(Locator::XPath(xpath))
            .await
            .map_err(|e| e.to_string())
    })
    .await;
    to_next_page(c, xpath, || async {
        target
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {xpath}: {e}"));
    })
    .await;
}

/// axe-core, vendored from npm (`tests/vendor/axe-core`).
const AXE: &str = include_str!("../../../../tests/vendor/axe-core/axe.min.js");

/// The WCAG 2.1 A and AA violations axe-core finds on the current page: one line each,
/// with the rule, its help text and the elements at fault.
pub(crate) async fn wcag_violations(c: &Client) -> Vec<String> {
    c.execute(AXE, vec![]).await.expect("axe-core loads");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
               .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at '
                 + v.nodes.map(n => n.target.join(' ')).join('; '))),
                 e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}
