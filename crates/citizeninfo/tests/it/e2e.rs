//! End to end in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
//! installed by `scripts/test`): a citizen searches in Thai, opens a service point and
//! one of its manuals, and the browser reports no console error on the way.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use storage::Db;

use crate::on_both_databases;
use crate::support::{test_config, with_demo};

struct Driver {
    child: Child,
    port: u16,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> Driver {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
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
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

async fn browser(driver: &Driver) -> Client {
    let caps = json!({
        "browserName": "chrome",
        "goog:loggingPrefs": {"browser": "ALL"},
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--lang=th", "--window-size=412,915",
                format!("--user-data-dir={}", driver.profile.display()),
            ],
        },
    });
    let caps = match caps {
        Value::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("WebDriver session")
}

/// Chromedriver's log endpoint (outside W3C WebDriver, which has none).
#[derive(Debug)]
struct BrowserLog;

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

async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(BrowserLog).await.expect("browser log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn citizen_finds_a_service(db: Db) {
    with_demo(&db).await;
    let state = web::AppState::new(db.clone(), test_config()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, web::router(state)).await });

    let driver = start_driver().await;
    let c = browser(&driver).await;
    let mut errors = Vec::new();

    c.goto(&format!("{base}/")).await.unwrap();
    let q = c.find(Locator::Css("input[name=q]")).await.unwrap();
    q.send_keys("พัฒนาชุมชน").await.unwrap();
    c.find(Locator::Css("form.search button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("ol.results"))
        .await
        .unwrap();
    let status = c
        .find(Locator::Css("p[role=status]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("12"), "{status}");
    // The map script ran and placed markers.
    c.wait()
        .for_element(Locator::Css("#map .leaflet-marker-icon"))
        .await
        .expect("map markers");
    errors.extend(console_errors(&c).await);

    c.find(Locator::LinkText("สำนักงานพัฒนาชุมชนอำเภอบางละมุง"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "สำนักงานพัฒนาชุมชนอำเภอบางละมุง");
    let tel = c
        .find(Locator::Css("a[href^='tel:']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(tel.starts_with("tel:+66"), "{tel}");
    c.wait()
        .for_element(Locator::Css("#map .leaflet-marker-icon"))
        .await
        .expect("map marker");
    errors.extend(console_errors(&c).await);

    c.find(Locator::Css("a[href^='/manuals/']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("article h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.starts_with("คู่มือสำหรับประชาชน:"), "{h1}");
    let body = c
        .find(Locator::Css("article"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("ขั้นตอน ระยะเวลา และส่วนงานที่รับผิดชอบ") && body.contains("1111"));
    assert!(
        c.find(Locator::Css("[data-print]"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap(),
        "print button shown by script"
    );
    errors.extend(console_errors(&c).await);

    c.close().await.unwrap();
    drop(driver);
    server.abort();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}
on_both_databases!(browser_search_service_point_manual, citizen_finds_a_service);
