//! Personal data never reaches the log: the real binary serves with every log level on
//! (SQL statements included) while a whole account life goes through it over HTTP —
//! sign-up with a citizen ID, the mailed link, sign-in, a wrong and a right Authorize
//! Code, a password reset — and then its log is searched for each secret.

use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{Http, SmtpSink, TestDb};

const CITIZEN_ID: &str = "1101700207366";
const PASSWORD: &str = "Chonburi2569";
const NEW_PASSWORD: &str = "Sattahip2570";
/// What a citizen typed into a rating: a phone number in the comment, an e-mail address
/// for a reply.
const RATER_PHONE: &str = "0899998888";
const RATER_EMAIL: &str = "citizen.private@example.com";

fn token_in(mail: &str, path: &str) -> String {
    let start = mail.find(path).unwrap() + path.len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

async fn secrets_stay_out_of_the_log(t: &TestDb) {
    crate::support::with_demo(&t.db).await;
    let codes = crate::support::issue_codes(&t.db, "0112140000000").await;
    let code = codes[0].code.clone();
    let smtp = SmtpSink::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_path = std::env::temp_dir().join(format!("citizeninfo-privacy-{port}.log"));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_citizeninfo"))
        .args(["--database-url", &t.url, "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--tile-url", "", "--smtp-url", &smtp.url])
        .args(["--mail-dir", std::env::temp_dir().to_str().unwrap()])
        .env("CITIZENINFO_LOG", "trace")
        .env("CITIZENINFO_SECRET_KEY", "privacy test key")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let http = Http::to_port(port);
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let signup = json!({
        "first_name": "สมศรี", "last_name": "ใจดี", "citizen_id": CITIZEN_ID, "mobile": "0812345678",
        "email": "somsri@example.go.th", "username": "somsri01",
        "password": PASSWORD, "password_confirmation": PASSWORD,
    });
    let (status, _, body) = http
        .send("POST", "/api/v1/auth/signup", Some(signup), None)
        .await;
    assert_eq!(status, 201, "{body}");
    let verify = token_in(
        &smtp.wait_for("somsri@example.go.th", "token=").await,
        "/auth/verify?token=",
    );
    // The page the link opens, then the API that uses it.
    let (status, _, page) = http
        .send("GET", &format!("/auth/verify?token={verify}"), None, None)
        .await;
    assert_eq!(status, 200);
    assert!(!page.contains(CITIZEN_ID));
    let (status, _, _) = http
        .send(
            "POST",
            "/api/v1/auth/verify",
            Some(json!({ "token": verify })),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _, _) = http
        .send(
            "POST",
            "/api/v1/auth/login",
            Some(json!({ "username": "somsri01", "password": "Wrong12345" })),
            None,
        )
        .await;
    assert_eq!(status, 401);
    let (status, cookie, _) = http
        .send(
            "POST",
            "/api/v1/auth/login",
            Some(json!({ "username": "somsri01", "password": PASSWORD })),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    let (status, _, _) = http
        .send(
            "POST",
            "/api/v1/me/units",
            Some(json!({ "authorize_code": "ABCDEF012345678" })),
            Some(&cookie),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _, _) = http
        .send(
            "POST",
            "/api/v1/me/units",
            Some(json!({ "authorize_code": code })),
            Some(&cookie),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _, me) = http.send("GET", "/api/v1/me", None, Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(!me.contains(CITIZEN_ID));
    let (status, _, _) = http
        .send(
            "POST",
            "/api/v1/auth/password-reset",
            Some(json!({ "email": "somsri@example.go.th" })),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let reset = token_in(
        &smtp
            .wait_for("somsri@example.go.th", "/auth/reset?token=")
            .await,
        "/auth/reset?token=",
    );
    let (status, _, _) = http
        .send(
            "POST",
            "/api/v1/auth/password-reset/confirm",
            Some(json!({ "token": reset, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD })),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // A citizen's rating with a phone number in its comment and an e-mail address for a
    // reply: neither is logged, nor shown.
    let point = crate::scope::unit("0112140410304");
    let chain = t.db.unit_chain(&point).await.unwrap().unwrap();
    let poster =
        t.db.ensure_posters(
            &[chain[0].0],
            &mut app::posters::fresh_token,
            chrono::Utc::now(),
        )
        .await
        .unwrap()
        .remove(0);
    let (status, _, form) = http
        .send(
            "GET",
            &format!("/api/v1/ratings/{}", poster.token),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{form}");
    let form: serde_json::Value = serde_json::from_str(&form).unwrap();
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    let (status, _, body) = http
        .send(
            "POST",
            &format!("/api/v1/ratings/{}", poster.token),
            Some(json!({
                "form_token": form["form_token"], "overall": 2,
                "comment": format!("โทรหาผมที่ {RATER_PHONE} ด่วน"), "contact": RATER_EMAIL,
            })),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Public pages of the directory carry none of it either.
    for path in [
        "/",
        "/search?q=%E0%B8%9E%E0%B8%B1%E0%B8%92%E0%B8%99%E0%B8%B2",
        "/api/v1/service-points?per_page=100",
        "/sp/0112140410304",
    ] {
        let (status, _, body) = http.send("GET", path, None, None).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains("somsri")
                && !body.contains(CITIZEN_ID)
                && !body.contains(&code)
                && !body.contains(RATER_PHONE)
                && !body.contains(RATER_EMAIL),
            "{path}"
        );
    }

    stop(&mut server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    assert!(log.contains("serving"), "the log was written: {log}");
    assert!(
        log.lines().count() > 20,
        "with every level on, the log says much: {log}"
    );
    let session = cookie.trim_start_matches("citizeninfo_session=");
    for (what, secret) in [
        ("citizen ID", CITIZEN_ID),
        ("password", PASSWORD),
        ("wrong password", "Wrong12345"),
        ("new password", NEW_PASSWORD),
        ("verification token", verify.as_str()),
        ("reset token", reset.as_str()),
        ("Authorize Code", code.as_str()),
        ("session id", session),
        ("rater's phone", RATER_PHONE),
        ("rater's e-mail", RATER_EMAIL),
    ] {
        assert!(!log.contains(secret), "the {what} is in the log");
    }
}

/// Stops the server (a kill is enough: the log is written as it goes).
fn stop(child: &mut std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_the_log_sqlite() {
    let t = TestDb::sqlite().await;
    secrets_stay_out_of_the_log(&t).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_the_log_postgres() {
    let t = TestDb::postgres().await;
    secrets_stay_out_of_the_log(&t).await;
    t.finish().await;
}
