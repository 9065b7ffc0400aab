//! Two instances of the real binary on one database, as a deployment behind a load
//! balancer runs them: what staff save on one shows on the public side of the same
//! instance at once (it updates its read model before answering) and on the other
//! within its refresh interval (it notices the data version move), on SQLite and on
//! PostgreSQL.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::scope::person;
use crate::support::{Http, TestDb, with_demo};

const BANG_LAMUNG: &str = "0112140410104";
const POINT: &str = "0112140410304";
const PASSWORD: &str = "Chonburi2569";
/// The second instance's refresh interval, in seconds.
const REFRESH_SECONDS: u64 = 1;

struct Instance {
    child: Child,
    http: Http,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(t: &TestDb, media: &std::path::Path) -> Instance {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_citizeninfo"))
        .args(["--database-url", &t.url, "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--tile-url", ""])
        .arg("--media-dir")
        .arg(media)
        .args(["--mail-dir", std::env::temp_dir().to_str().unwrap()])
        .env("CITIZENINFO_REFRESH_SECONDS", REFRESH_SECONDS.to_string())
        .env("CITIZENINFO_SECRET_KEY", "instances test key")
        .env("CITIZENINFO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let instance = Instance {
        child,
        http: Http::to_port(port),
    };
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return instance;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the instance on port {port} did not start");
}

async fn public(i: &Instance) -> (u16, Value) {
    let (status, _, body) = i
        .http
        .send(
            "GET",
            &format!("/api/v1/service-points/{POINT}"),
            None,
            None,
        )
        .await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Polls the second instance until `seen` holds; the time it took. The bound is ten
/// refresh intervals, so a busy machine does not fail the test, while an instance that
/// never refreshes does.
async fn follows(i: &Instance, what: &str, seen: impl Fn(u16, &Value) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let (status, body) = public(i).await;
        if seen(status, &body) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10 * REFRESH_SECONDS),
            "the second instance never showed {what}: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn etag(i: &Instance, cookie: &str) -> String {
    let (status, headers, body) = i
        .http
        .send_with(
            "GET",
            &format!("/api/v1/staff/service-points/{POINT}"),
            None,
            &[("cookie", cookie)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    headers["etag"].to_str().unwrap().to_owned()
}

async fn patch(i: &Instance, cookie: &str, body: Value) {
    let tag = etag(i, cookie).await;
    let (status, _, reply) = i
        .http
        .send_with(
            "PATCH",
            &format!("/api/v1/staff/service-points/{POINT}"),
            Some(body),
            &[("cookie", cookie), ("if-match", &tag)],
        )
        .await;
    assert_eq!(status, 200, "{reply}");
}

async fn second_instance_follows(t: &TestDb) {
    with_demo(&t.db).await;
    person(&t.db, "editor31", false, Some((BANG_LAMUNG, "editor"))).await;
    let media = std::env::temp_dir().join(format!("citizeninfo-instances-{}", rand_suffix()));
    let a = start(t, &media).await;
    let b = start(t, &media).await;
    let (status, before) = public(&b).await;
    assert_eq!(status, 200, "{before}");
    let manuals_before = before["manuals"].as_array().unwrap().len();
    assert!(
        manuals_before > 0,
        "the demo point carries manuals: {before}"
    );

    let (status, cookie, body) = a
        .http
        .send(
            "POST",
            "/api/v1/auth/login",
            Some(json!({ "username": "editor31", "password": PASSWORD })),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let cookie = cookie.unwrap();

    // A new name: the instance that saved shows it as soon as it answers.
    let name = "ที่ว่าการอำเภอบางละมุง (อาคารใหม่)";
    patch(&a, &cookie, json!({ "name": name })).await;
    let (_, on_a) = public(&a).await;
    assert_eq!(on_a["name"], name, "{on_a}");
    follows(&b, "the new name", |s, v| s == 200 && v["name"] == name).await;

    // An unpinned manual.
    let id = before["manuals"][0]["id"].as_i64().unwrap();
    let (status, _, body) = a
        .http
        .send(
            "DELETE",
            &format!("/api/v1/staff/service-points/{POINT}/manuals/{id}"),
            None,
            Some(&cookie),
        )
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");
    let (_, on_a) = public(&a).await;
    assert_eq!(
        on_a["manuals"].as_array().unwrap().len(),
        manuals_before - 1
    );
    follows(&b, "the unpinned manual", |s, v| {
        s == 200 && v["manuals"].as_array().map(Vec::len) == Some(manuals_before - 1)
    })
    .await;

    // Hidden: gone from both.
    patch(&a, &cookie, json!({ "visible": false })).await;
    assert_eq!(public(&a).await.0, 404);
    follows(&b, "the point hidden", |s, _| s == 404).await;
    let (_, _, listing) = b
        .http
        .send("GET", "/api/v1/service-points?per_page=100", None, None)
        .await;
    assert!(!listing.contains(POINT), "{listing}");

    drop((a, b));
    let _ = std::fs::remove_dir_all(media);
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_instance_follows_sqlite() {
    let t = TestDb::sqlite().await;
    second_instance_follows(&t).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_instance_follows_postgres() {
    let t = TestDb::postgres().await;
    second_instance_follows(&t).await;
    t.finish().await;
}
