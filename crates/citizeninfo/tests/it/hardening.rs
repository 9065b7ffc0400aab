//! The account paths under concurrency and abuse, on both databases: parallel writes
//! that must all commit, throttles that must hold however many tries arrive at once,
//! mail that cannot be used to flood, and the smaller defences of the API.

use axum::Router;
use axum::http::StatusCode;
use serde_json::json;
use storage::Db;
use tokio::task::JoinSet;

use crate::on_both_databases;
use crate::scope::{cookie, person};
use crate::support::{
    Reply, SmtpSink, app, app_with_smtp, issue_codes, send_from, send_json, with_demo,
};

const PASSWORD: &str = "Chonburi2569";
const BANG_LAMUNG: &str = "0112140410104";
const DEPARTMENT: &str = "0112140000000";

fn signup_body(username: &str, email: &str) -> serde_json::Value {
    json!({
        "first_name": "สมศรี",
        "last_name": "ใจดี",
        "citizen_id": "",
        "mobile": "",
        "email": email,
        "username": username,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    })
}

/// Sends `n` requests at once, the i-th made by `make(i)`: (method, uri, body, cookie,
/// client address). Returns the replies in the order they were asked.
async fn at_once(
    app: &Router,
    n: usize,
    make: impl Fn(
        usize,
    ) -> (
        &'static str,
        String,
        Option<serde_json::Value>,
        Option<String>,
        String,
    ),
) -> Vec<Reply> {
    let mut set = JoinSet::new();
    for i in 0..n {
        let (method, uri, body, cookie, from) = make(i);
        let app = app.clone();
        set.spawn(async move {
            let r = send_from(&app, method, &uri, body, cookie.as_deref(), &from).await;
            (i, r)
        });
    }
    let mut out: Vec<(usize, Reply)> = set.join_all().await;
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

fn count(replies: &[Reply], status: StatusCode) -> usize {
    replies.iter().filter(|r| r.status == status).count()
}

fn assert_retry_after_on_429(replies: &[Reply]) {
    for r in replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
    {
        let secs: u64 = r
            .headers
            .get("retry-after")
            .unwrap_or_else(|| panic!("429 without Retry-After: {}", r.body))
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=3600).contains(&secs), "Retry-After {secs}");
    }
}

async fn parallel_sign_ups(db: Db) {
    let (_, app) = app(&db).await;
    // Each from its own address, so that only the database is in the way.
    let replies = at_once(&app, 100, |i| {
        (
            "POST",
            "/api/v1/auth/signup".into(),
            Some(signup_body(
                &format!("staff{i:03}"),
                &format!("staff{i:03}@example.go.th"),
            )),
            None,
            format!("127.0.1.{}", i + 1),
        )
    })
    .await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let users = db.raw_strings("SELECT username FROM users").await.unwrap();
    assert_eq!(users.len(), 100);
    // Mixed: sign-ups and sign-ins together, none fails on our side.
    let replies = at_once(&app, 60, |i| {
        if i % 2 == 0 {
            (
                "POST",
                "/api/v1/auth/signup".into(),
                Some(signup_body(
                    &format!("mixed{i:03}"),
                    &format!("mixed{i:03}@example.go.th"),
                )),
                None,
                format!("127.0.2.{}", i + 1),
            )
        } else {
            (
                "POST",
                "/api/v1/auth/login".into(),
                Some(json!({"username": format!("staff{i:03}"), "password": PASSWORD})),
                None,
                format!("127.0.3.{}", i + 1),
            )
        }
    })
    .await;
    for r in &replies {
        assert!(r.status.as_u16() < 500, "{} {}", r.status, r.body);
    }
    // The accounts are unconfirmed: the right password answers 403, and a sign-up 201.
    assert_eq!(count(&replies, StatusCode::CREATED), 30);
    assert_eq!(count(&replies, StatusCode::FORBIDDEN), 30);
}
on_both_databases!(a_hundred_parallel_sign_ups_all_commit, parallel_sign_ups);

async fn racing_wrong_passwords(db: Db) {
    let (_, app) = app(&db).await;
    person(&db, "anong01", false, None).await;
    // One account, forty wrong passwords at once from forty addresses: the account's
    // limit (5) holds.
    let replies = at_once(&app, 40, |i| {
        (
            "POST",
            "/api/v1/auth/login".into(),
            Some(json!({"username": "anong01", "password": "Wrong12345"})),
            None,
            format!("127.0.4.{}", i + 1),
        )
    })
    .await;
    assert_eq!(count(&replies, StatusCode::UNAUTHORIZED), 5);
    assert_eq!(count(&replies, StatusCode::TOO_MANY_REQUESTS), 35);
    assert_retry_after_on_429(&replies);
    // One address, thirty made-up accounts at once: the address's limit (20) holds.
    let replies = at_once(&app, 30, |i| {
        (
            "POST",
            "/api/v1/auth/login".into(),
            Some(json!({"username": format!("nobody{i}"), "password": "x"})),
            None,
            "127.0.5.1".into(),
        )
    })
    .await;
    assert_eq!(count(&replies, StatusCode::UNAUTHORIZED), 20);
    assert_eq!(count(&replies, StatusCode::TOO_MANY_REQUESTS), 10);
    assert_retry_after_on_429(&replies);
    // The right password does not use up the allowance: a person who signs in often is
    // never throttled.
    person(&db, "busy0001", false, None).await;
    for _ in 0..8 {
        let r = send_from(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": "busy0001", "password": PASSWORD})),
            None,
            "127.0.6.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}
on_both_databases!(
    sign_in_limits_hold_under_concurrency,
    racing_wrong_passwords
);

async fn racing_codes(db: Db) {
    with_demo(&db).await;
    let codes = issue_codes(&db, DEPARTMENT).await;
    let (_, app) = app(&db).await;
    person(&db, "guess001", false, None).await;
    let c = cookie(&app, "guess001").await;
    let replies = at_once(&app, 60, |i| {
        (
            "POST",
            "/api/v1/me/units".into(),
            Some(json!({"authorize_code": "0123456789ABCDE"})),
            Some(c.clone()),
            format!("127.0.7.{}", i + 1),
        )
    })
    .await;
    assert_eq!(count(&replies, StatusCode::UNPROCESSABLE_ENTITY), 5);
    assert_eq!(count(&replies, StatusCode::TOO_MANY_REQUESTS), 55);
    assert_retry_after_on_429(&replies);

    // Twenty bindings of one person with the right code at once: one membership, one
    // audit record; one answer 201, the others 200, or 429 for those beyond the
    // account's limit of tries in flight (a try is handed back only once checked).
    let code = codes
        .iter()
        .find(|r| r.unit.as_str() == BANG_LAMUNG)
        .unwrap()
        .code
        .clone();
    person(&db, "binder01", false, None).await;
    let c = cookie(&app, "binder01").await;
    let replies = at_once(&app, 20, |i| {
        (
            "POST",
            "/api/v1/me/units".into(),
            Some(json!({"authorize_code": code})),
            Some(c.clone()),
            format!("127.0.8.{}", i + 1),
        )
    })
    .await;
    assert_eq!(count(&replies, StatusCode::CREATED), 1);
    assert_eq!(
        count(&replies, StatusCode::OK) + count(&replies, StatusCode::TOO_MANY_REQUESTS),
        19
    );
    assert_retry_after_on_429(&replies);
    let memberships = db
        .raw_strings(
            "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.username = 'binder01'",
        )
        .await
        .unwrap();
    assert_eq!(memberships, vec!["editor".to_owned()]);
    let records = db
        .raw_strings(
            "SELECT l.action FROM audit_log l JOIN users u ON u.id = l.user_id \
             WHERE u.username = 'binder01' AND l.action LIKE 'membership.%'",
        )
        .await
        .unwrap();
    assert_eq!(records, vec!["membership.add".to_owned()]);

    // A supervisor who types the unit's code again stays a supervisor.
    person(&db, "super001", false, Some((BANG_LAMUNG, "supervisor"))).await;
    let c = cookie(&app, "super001").await;
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/units",
        Some(json!({"authorize_code": code})),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["role"], "supervisor");
}
on_both_databases!(authorize_code_limits_and_concurrent_bindings, racing_codes);

/// How many mails reached `to`.
fn mails(smtp: &SmtpSink, to: &str) -> usize {
    smtp.messages_to(to).len()
}

/// Waits until the sink has settled (mail is delivered before the request answers, but
/// the sink writes its files on its own).
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
}

async fn mail_flood(db: Db) {
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;
    person(&db, "malee001", false, None).await;
    // Thirty reset requests for one address: three mails, then 429 with Retry-After.
    let mut known = Vec::new();
    for i in 0..30 {
        known.push(
            send_from(
                &app,
                "POST",
                "/api/v1/auth/password-reset",
                Some(json!({"email": "malee001@example.go.th"})),
                None,
                &format!("127.0.9.{}", i + 1),
            )
            .await,
        );
    }
    settle().await;
    assert_eq!(mails(&smtp, "malee001@example.go.th"), 3);
    assert_eq!(count(&known, StatusCode::ACCEPTED), 3);
    assert_eq!(count(&known, StatusCode::TOO_MANY_REQUESTS), 27);
    assert_retry_after_on_429(&known);
    // An unknown address gets exactly the same answers.
    let mut unknown = Vec::new();
    for i in 0..30 {
        unknown.push(
            send_from(
                &app,
                "POST",
                "/api/v1/auth/password-reset",
                Some(json!({"email": "nobody@example.go.th"})),
                None,
                &format!("127.0.10.{}", i + 1),
            )
            .await,
        );
    }
    let statuses = |rs: &[Reply]| rs.iter().map(|r| r.status).collect::<Vec<_>>();
    assert_eq!(statuses(&known), statuses(&unknown));
    assert_eq!(known[0].body, unknown[0].body);
    assert_eq!(known[29].body, unknown[29].body);

    // Re-sends for one unconfirmed account, by username: three are taken, and the
    // mailbox gets them besides its first link.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/signup",
        Some(signup_body("pending1", "pending1@example.go.th")),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    for i in 0..30 {
        send_from(
            &app,
            "POST",
            "/api/v1/auth/resend-verification",
            Some(json!({"account": "pending1"})),
            None,
            &format!("127.0.11.{}", i + 1),
        )
        .await;
    }
    settle().await;
    assert_eq!(mails(&smtp, "pending1@example.go.th"), 4);
    // By e-mail address now: the requests are counted apart, the mailbox is full at 5.
    for i in 0..3 {
        let r = send_from(
            &app,
            "POST",
            "/api/v1/auth/resend-verification",
            Some(json!({"account": "pending1@example.go.th"})),
            None,
            &format!("127.0.15.{}", i + 1),
        )
        .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    }
    settle().await;
    assert_eq!(mails(&smtp, "pending1@example.go.th"), 5);

    // Requests for mail from one address, to many recipients, are limited too.
    let mut from_one = Vec::new();
    for i in 0..35 {
        from_one.push(
            send_from(
                &app,
                "POST",
                "/api/v1/auth/password-reset",
                Some(json!({"email": format!("someone{i}@example.go.th")})),
                None,
                "127.0.12.1",
            )
            .await,
        );
    }
    assert_eq!(count(&from_one, StatusCode::ACCEPTED), 30);
    assert_eq!(count(&from_one, StatusCode::TOO_MANY_REQUESTS), 5);

    // Sign-ups from one address: twenty an hour.
    let mut signups = Vec::new();
    for i in 0..25 {
        signups.push(
            send_from(
                &app,
                "POST",
                "/api/v1/auth/signup",
                Some(signup_body(
                    &format!("room{i:04}"),
                    &format!("room{i:04}@example.go.th"),
                )),
                None,
                "127.0.13.1",
            )
            .await,
        );
    }
    assert_eq!(count(&signups, StatusCode::CREATED), 20);
    assert_eq!(count(&signups, StatusCode::TOO_MANY_REQUESTS), 5);
    assert_retry_after_on_429(&signups);
}
on_both_databases!(mail_cannot_be_used_to_flood, mail_flood);

async fn taken_address(db: Db) {
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;
    let first = send_json(
        &app,
        "POST",
        "/api/v1/auth/signup",
        Some(signup_body("alice001", "alice@example.go.th")),
        None,
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    smtp.wait_for("alice@example.go.th", "/auth/verify?token=")
        .await;
    // The same mailbox in capitals: the same answer as a new address, no account made,
    // and the owner is told.
    let second = send_json(
        &app,
        "POST",
        "/api/v1/auth/signup",
        Some(signup_body("alice002", "ALICE@Example.go.th")),
        None,
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(
        first.json()["verification_sent"],
        second.json()["verification_sent"]
    );
    assert_eq!(first.json()["message"], second.json()["message"]);
    assert!(!second.body.contains("another account"), "{}", second.body);
    let users = db.raw_strings("SELECT username FROM users").await.unwrap();
    assert_eq!(users, vec!["alice001".to_owned()]);
    let told = smtp
        .wait_for("alice@example.go.th", "Someone tried to sign up")
        .await;
    assert!(told.contains("alice001"), "{told}");
    // A reset asked for in other capitals reaches the account.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/password-reset",
        Some(json!({"email": "Alice@EXAMPLE.go.th"})),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    smtp.wait_for("alice@example.go.th", "/auth/reset?token=")
        .await;
}
on_both_databases!(
    e_mail_addresses_are_unique_in_any_case_and_not_revealed,
    taken_address
);

async fn tokens_end_with_the_password(db: Db) {
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;
    person(&db, "token001", false, None).await;
    let c = cookie(&app, "token001").await;
    let make = |name: &'static str| {
        let (app, c) = (app.clone(), c.clone());
        async move {
            let r = send_json(
                &app,
                "POST",
                "/api/v1/me/tokens",
                Some(json!({"name": name})),
                Some(&c),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["token"].as_str().unwrap().to_owned()
        }
    };
    let token = make("script").await;
    let me = |t: String, scheme: &'static str| {
        let app = app.clone();
        async move {
            crate::support::get_with(
                &app,
                "/api/v1/me",
                &[("authorization", &format!("{scheme} {t}"))],
            )
            .await
        }
    };
    // The scheme in any case.
    for scheme in ["Bearer", "bearer", "BEARER"] {
        assert_eq!(me(token.clone(), scheme).await.status, StatusCode::OK);
    }
    // A token cannot revoke tokens nor delete the account.
    let id = send_json(&app, "GET", "/api/v1/me/tokens", None, Some(&c))
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();
    let auth = format!("Bearer {token}");
    let r = crate::support::reply(
        &app,
        axum::http::Request::delete(format!("/api/v1/me/tokens/{id}"))
            .header("authorization", &auth)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = crate::support::reply(
        &app,
        axum::http::Request::delete("/api/v1/me")
            .header("authorization", &auth)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // A password change ends the account's tokens.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(json!({"current_password": PASSWORD, "password": "Pattaya2570", "password_confirmation": "Pattaya2570"})),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(me(token, "Bearer").await.status, StatusCode::UNAUTHORIZED);

    // So does a reset by mail; and a refused new password leaves the link usable.
    let c = {
        let r = send_json(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": "token001", "password": "Pattaya2570"})),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.session_cookie().unwrap()
    };
    let token = {
        let r = send_json(
            &app,
            "POST",
            "/api/v1/me/tokens",
            Some(json!({"name": "again"})),
            Some(&c),
        )
        .await;
        r.json()["token"].as_str().unwrap().to_owned()
    };
    send_json(
        &app,
        "POST",
        "/api/v1/auth/password-reset",
        Some(json!({"email": "token001@example.go.th"})),
        None,
    )
    .await;
    let mail = smtp
        .wait_for("token001@example.go.th", "/auth/reset?token=")
        .await;
    let start = mail.find("/auth/reset?token=").unwrap() + "/auth/reset?token=".len();
    let link: String = mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    let confirm = |password: &'static str| {
        let (app, link) = (app.clone(), link.clone());
        async move {
            send_json(
                &app,
                "POST",
                "/api/v1/auth/password-reset/confirm",
                Some(
                    json!({"token": link, "password": password, "password_confirmation": password}),
                ),
                None,
            )
            .await
        }
    };
    // Equal to the username: refused, and the link still works after.
    let r = confirm("token001").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = confirm("Rayong2570x").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(me(token, "Bearer").await.status, StatusCode::UNAUTHORIZED);
    // Used once.
    let r = confirm("Rayong2571x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}
on_both_databases!(
    api_tokens_end_with_a_password_change_or_reset,
    tokens_end_with_the_password
);

async fn api_edges(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    // A JSON body over the limit: 413 in the API's error format.
    let big = json!({"username": "x".repeat(3 * 1024 * 1024), "password": "x"});
    let r = send_json(&app, "POST", "/api/v1/auth/login", Some(big), None).await;
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &r.body[..r.body.len().min(200)]
    );
    assert_eq!(r.json()["error"]["code"], "body_too_large");
    // A path segment of the wrong type: 400 in the API's error format.
    person(&db, "sysadm01", true, None).await;
    let c = cookie(&app, "sysadm01").await;
    let r = send_json(
        &app,
        "DELETE",
        &format!("/api/v1/staff/units/{BANG_LAMUNG}/members/notanumber"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "invalid_parameter");
    // A repeated query key too.
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{DEPARTMENT}/authorize-codes?format=csv&format=csv"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "invalid_parameter");

    // Made-up methods do not add series to /metrics.
    for i in 0..50 {
        let method = format!("XQZ{i:04}{}", "Q".repeat(200));
        crate::support::reply(
            &app,
            axum::http::Request::builder()
                .method(method.as_str())
                .uri("/")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    }
    let m = crate::support::get(&app, "/metrics").await.body;
    assert!(!m.contains("XQZ"), "made-up methods in /metrics");
    assert!(m.contains("method=\"other\""), "{m}");
}
on_both_databases!(api_errors_and_metrics_stay_in_shape, api_edges);

async fn addresses_in_the_audit(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "unitadm1", false, Some((BANG_LAMUNG, "admin"))).await;
    person(&db, "member01", false, Some((BANG_LAMUNG, "editor"))).await;
    person(&db, "sysadm02", true, None).await;
    let r = send_from(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({"username": "member01", "password": PASSWORD})),
        None,
        "127.0.14.9",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let audit = |who: &'static str| {
        let app = app.clone();
        async move {
            let c = cookie(&app, who).await;
            send_json(
                &app,
                "GET",
                &format!("/api/v1/staff/units/{BANG_LAMUNG}/audit"),
                None,
                Some(&c),
            )
            .await
        }
    };
    let unit_admin = audit("unitadm1").await;
    assert_eq!(unit_admin.status, StatusCode::OK, "{}", unit_admin.body);
    assert!(
        unit_admin
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "signin"),
        "{}",
        unit_admin.body
    );
    assert!(
        !unit_admin.body.contains("127.0.14.9"),
        "{}",
        unit_admin.body
    );
    let system_admin = audit("sysadm02").await;
    assert!(
        system_admin.body.contains("127.0.14.9"),
        "{}",
        system_admin.body
    );
}
on_both_databases!(
    only_system_administrators_see_addresses_in_the_audit,
    addresses_in_the_audit
);

async fn https_headers(db: Db) {
    let config = web::Config {
        base_url: "https://citizeninfo.example".into(),
        ..crate::support::test_config()
    };
    let state = web::AppState::new(db.clone(), config).await.unwrap();
    let app = web::router(state);
    let r = crate::support::get(&app, "/").await;
    assert_eq!(
        r.headers.get("strict-transport-security").unwrap(),
        "max-age=31536000"
    );
    // A form posted from the same host over plain http is another site.
    let post = |origin: &'static str| {
        let app = app.clone();
        async move {
            crate::support::reply(
                &app,
                axum::http::Request::post("/api/v1/auth/login")
                    .header("host", "citizeninfo.example")
                    .header("origin", origin)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(
                        json!({"username": "nobody01", "password": "x"}).to_string(),
                    ))
                    .unwrap(),
            )
            .await
        }
    };
    assert_eq!(
        post("http://citizeninfo.example").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post("https://citizeninfo.example").await.status,
        StatusCode::UNAUTHORIZED
    );
    // Over plain http, no HSTS.
    let (_, plain) = crate::support::app(&db).await;
    let r = crate::support::get(&plain, "/").await;
    assert!(r.headers.get("strict-transport-security").is_none());
}
on_both_databases!(hsts_and_the_scheme_under_https, https_headers);

async fn throttled_sign_in_page(db: Db) {
    let (_, app) = crate::support::app(&db).await;
    let post = |password: &'static str| {
        let app = app.clone();
        async move {
            crate::support::reply(
                &app,
                axum::http::Request::post("/signin")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from(format!(
                        "username=nobody01&password={password}&next=%2Faccount"
                    )))
                    .unwrap(),
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_eq!(post("wrong").await.status, StatusCode::UNAUTHORIZED);
    }
    // The form again, saying how long to wait, with the header.
    let r = post("wrong").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get("retry-after").is_some());
    assert!(r.body.contains("name=\"password\""), "{}", r.body);
    assert!(r.body.contains("15"), "{}", r.body);
}
on_both_databases!(
    a_throttled_sign_in_page_keeps_the_form,
    throttled_sign_in_page
);

async fn control_characters_in_a_username(db: Db) {
    let (_, app) = app(&db).await;
    for name in ["\u{0}nobody%", "no\u{0}body", "\u{b}x\u{7f}"] {
        let r = send_json(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": name, "password": "wrong"})),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name:?}: {}", r.body);
    }
}
on_both_databases!(
    a_username_with_control_characters_is_nobody,
    control_characters_in_a_username
);

async fn staff_listing(db: Db) {
    with_demo(&db).await;
    let (_, app) = crate::support::app(&db).await;
    issue_codes(&db, DEPARTMENT).await;
    // The province office's administrator: the eleven district offices' points, each
    // with its office's code; a district's editor: their own point, no code.
    person(&db, "provadm9", false, Some(("0112140410100", "admin"))).await;
    person(&db, "editor09", false, Some((BANG_LAMUNG, "editor"))).await;
    let c = cookie(&app, "provadm9").await;
    let r = send_json(
        &app,
        "GET",
        "/api/v1/staff/service-points?per_page=100",
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 12, "{}", r.body);
    for i in &items {
        // The province office's own code is handed out from above it, not by itself.
        if i["unit"]["code"] == "0112140410100" {
            assert!(i["authorize_code"].is_null(), "{i}");
        } else {
            assert_eq!(i["authorize_code"].as_str().map(str::len), Some(15), "{i}");
        }
    }
    let c = cookie(&app, "editor09").await;
    let r = send_json(&app, "GET", "/api/v1/staff/service-points", None, Some(&c)).await;
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{}", r.body);
    assert_eq!(items[0]["unit"]["code"], BANG_LAMUNG);
    assert!(items[0]["authorize_code"].is_null());
    // Filters and a refused one.
    let c = cookie(&app, "provadm9").await;
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/service-points?unit={BANG_LAMUNG}&q=%E0%B8%9A%E0%B8%B2%E0%B8%87"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.json()["total"], 1, "{}", r.body);
    let r = send_json(
        &app,
        "GET",
        "/api/v1/staff/service-points?unit=12",
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"]["fields"]["unit"].is_array(), "{}", r.body);
    // The export: every line, UTF-8 with a BOM for Excel; and as XLSX.
    let r = send_json(
        &app,
        "GET",
        "/api/v1/staff/service-points?format=csv",
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.raw.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(r.body.contains("จุดบริการ"), "{}", r.body);
    // The header and the twelve points; dates in the Buddhist era.
    assert_eq!(r.body.lines().count(), 13, "{}", r.body);
    assert!(r.body.contains(" 25"), "{}", r.body);
    let r = send_json(
        &app,
        "GET",
        "/api/v1/staff/service-points?format=xlsx",
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.raw.starts_with(b"PK"), "not a zip");
    // Without a session: 401.
    let r = send_json(&app, "GET", "/api/v1/staff/service-points", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
on_both_databases!(the_staff_listing_keeps_to_the_callers_scope, staff_listing);
