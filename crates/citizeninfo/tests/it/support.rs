use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use http_body_util::BodyExt;
use sqlx::Connection;
use std::sync::atomic::{AtomicUsize, Ordering};
use storage::Db;
use tower::ServiceExt;

/// Runs one async test body on both databases, as two tests: `NAME::sqlite` and
/// `NAME::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::support::TestDb::sqlite().await;
                super::$body(t.db.clone()).await;
                t.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = $crate::support::TestDb::postgres().await;
                super::$body(t.db.clone()).await;
                t.finish().await;
            }
        }
    };
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The PostgreSQL server the tests use; `scripts/test` makes sure it runs.
pub fn postgres_admin_url() -> String {
    std::env::var("CITIZENINFO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub struct TestDb {
    pub db: Db,
    /// The URL it was opened with, for a server started as a separate process.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(std::path::PathBuf),
    Postgres(String),
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        Utc::now().timestamp_micros() % 1_000_000
    )
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(unique("citizeninfo_test"));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/test.db", dir.display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        Self {
            db,
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    pub async fn postgres() -> Self {
        let admin = postgres_admin_url();
        let name = unique("citizeninfo_test");
        let mut conn = sqlx::PgConnection::connect(&format!("{admin}/postgres"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL at {admin} is needed for the tests (./scripts/test starts it): {e}"
                )
            });
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let url = format!("{admin}/{name}");
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        Self {
            db,
            url,
            cleanup: Cleanup::Postgres(name),
        }
    }

    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres(name) => {
                if let Ok(mut conn) =
                    sqlx::PgConnection::connect(&format!("{}/postgres", postgres_admin_url())).await
                {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            }
        }
    }
}

pub async fn with_demo(db: &Db) {
    citizeninfo::cli::seed_demo(db, None).await.unwrap();
}

pub fn test_config() -> web::Config {
    // No tiles: tests never reach beyond loopback.
    web::Config {
        base_url: "http://127.0.0.1".into(),
        tile_url: String::new(),
        tile_attribution: String::new(),
        bench_ceiling: false,
        smtp_url: None,
        mail_from: "CITIZENinfo <no-reply@citizeninfo.test>".into(),
        mail_dir: std::env::temp_dir().join(unique("citizeninfo_mail")),
        secret_key: Some("test key for citizen IDs".into()),
        oidc: None,
        media_dir: std::env::temp_dir().join(unique("citizeninfo_media")),
        task_reminder_days: 3,
    }
}

/// A real SMTP server on loopback (Python's aiosmtpd, which `scripts/test` installs),
/// keeping each message it receives in a Maildir.
pub struct SmtpSink {
    child: std::process::Child,
    dir: std::path::PathBuf,
    pub url: String,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // aiosmtpd creates the Maildir itself; an existing empty folder makes it refuse mail.
        let dir = std::env::temp_dir().join(unique("citizeninfo_smtp"));
        let mut child = std::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect(
                "python3 with aiosmtpd is needed for the mail tests (./scripts/test installs it)",
            );
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self {
                    child,
                    dir,
                    url: format!("smtp://127.0.0.1:{port}"),
                };
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the SMTP sink did not start on port {port}");
    }

    /// The (subject, plain text body) of every message received for `to`.
    pub fn messages_to(&self, to: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return out;
        };
        for e in entries.flatten() {
            let raw = std::fs::read(e.path()).unwrap();
            let mail = mailparse::parse_mail(&raw).unwrap();
            use mailparse::MailHeaderMap;
            let rcpt = mail.headers.get_first_value("To").unwrap_or_default();
            if rcpt.contains(to) {
                out.push((
                    mail.headers.get_first_value("Subject").unwrap_or_default(),
                    mail.get_body().unwrap(),
                ));
            }
        }
        out
    }

    /// Waits (up to 10 s) for a message to `to` whose body holds `marker`; returns its body.
    pub async fn wait_for(&self, to: &str, marker: &str) -> String {
        for _ in 0..100 {
            if let Some((_, body)) = self
                .messages_to(to)
                .into_iter()
                .find(|(_, b)| b.contains(marker))
            {
                return body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no mail to {to} with {marker:?} arrived");
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An app whose mail goes to a real SMTP server.
pub async fn app_with_smtp(db: &Db, smtp: &SmtpSink) -> (web::Shared, Router) {
    let config = web::Config {
        smtp_url: Some(smtp.url.clone()),
        ..test_config()
    };
    let state = web::AppState::new(db.clone(), config).await.unwrap();
    let router = web::router(state.clone());
    (state, router)
}

/// Sends a request with a JSON body (or none) and an optional cookie.
pub async fn send_json(
    app: &Router,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
    cookie: Option<&str>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    reply(app, req.unwrap()).await
}

impl Reply {
    /// The session cookie the reply sets, as a `Cookie` header value.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("citizeninfo_session="))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
}

pub async fn app(db: &Db) -> (web::Shared, Router) {
    let state = web::AppState::new(db.clone(), test_config()).await.unwrap();
    let router = web::router(state.clone());
    (state, router)
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as received (for files such as spreadsheets).
    pub raw: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    get_with(app, uri, &[]).await
}

pub async fn get_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    reply(app, req.body(Body::empty()).unwrap()).await
}

/// Sends a request with a JSON body (or none) and an optional cookie, as if from the
/// client address `from` (what the server's connection layer records for each request).
pub async fn send_from(
    app: &Router,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
    cookie: Option<&str>,
    from: &str,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let mut req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let addr: std::net::SocketAddr = format!("{from}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    reply(app, req).await
}

/// Sends a request through the router and collects the answer.
pub async fn reply(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        content_type,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        raw: bytes.to_vec(),
    }
}

/// Percent-encodes a query value (Thai text in URLs).
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The demo data plus one hidden service point (a copy of the Bang Lamung community
/// development office, pinned to a manual), imported; returns the dataset.
pub async fn with_demo_and_hidden_point(db: &Db, code: &str, name_th: &str) -> storage::Dataset {
    use domain::{Unit, UnitCode, UnitKind};
    let now = Utc::now();
    let mut ds = citizeninfo::demo::dataset(now).unwrap();
    let mut hidden = ds
        .service_points
        .iter()
        .find(|s| s.name_th == "สำนักงานพัฒนาชุมชนอำเภอบางละมุง")
        .unwrap()
        .clone();
    hidden.code = UnitCode::parse(code).unwrap();
    hidden.name_th = name_th.into();
    hidden.is_public = false;
    ds.units.push(Unit {
        code: hidden.code,
        kind: UnitKind::ServicePoint,
        parent: Some(hidden.unit),
        name_th: name_th.into(),
        name_en: "Hidden".into(),
    });
    ds.pins.push((hidden.code, "otop-registration".into()));
    ds.service_points.push(hidden);
    db.import(&ds, now).await.unwrap();
    ds
}

/// Gives every unit under `root` an Authorize Code, as its supervising office would.
pub async fn issue_codes(db: &Db, root: &str) -> Vec<storage::UnitCodeRow> {
    db.issue_codes_under(
        &domain::UnitCode::parse(root).unwrap(),
        storage::Actor {
            name: "province",
            address: None,
        },
        Utc::now(),
        || domain::account::AuthorizeCode::from_random(rand::random()),
    )
    .await
    .unwrap()
}

/// A client of a server started as a separate process, on loopback.
pub struct Http {
    base: String,
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<axum::body::Bytes>,
    >,
}

impl Http {
    pub fn to_port(port: u16) -> Self {
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: hyper_util::client::legacy::Client::builder(
                hyper_util::rt::TokioExecutor::new(),
            )
            .build_http(),
        }
    }

    /// Status, the session cookie it sets if any, and the body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        cookie: Option<&str>,
    ) -> (u16, Option<String>, String) {
        let mut headers = Vec::new();
        if let Some(c) = cookie {
            headers.push(("cookie", c));
        }
        let (status, h, body) = self.send_with(method, path, body, &headers).await;
        let cookie = h
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("citizeninfo_session="))
            .map(|c| c.split(';').next().unwrap().to_owned());
        (status, cookie, body)
    }

    pub async fn send_with(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> (u16, http::HeaderMap, String) {
        use http_body_util::{BodyExt, Full};
        let mut req = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Full::from(b.to_string())),
            None => req.body(Full::default()),
        }
        .unwrap();
        let res = self.client.request(req).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }
}

/// Deletes every photo of a service point through the staff API, so that a test starts
/// from an office without photos (the demo's have one each).
pub async fn without_photos(app: &Router, cookie: &str, point: &str) {
    let r = send_json(
        app,
        "GET",
        &format!("/api/v1/staff/service-points/{point}"),
        None,
        Some(cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for photo in r.json()["photos"].as_array().unwrap() {
        let r = send_json(
            app,
            "DELETE",
            &format!(
                "/api/v1/staff/service-points/{point}/photos/{}",
                photo["id"]
            ),
            None,
            Some(cookie),
        )
        .await;
        assert!(r.status.is_success(), "{}", r.body);
    }
}
