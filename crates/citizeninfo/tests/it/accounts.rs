//! Staff accounts through the JSON API, on both databases, with mail delivered to a real
//! SMTP server on loopback.

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use storage::Db;

use crate::on_both_databases;
use crate::support::{SmtpSink, app_with_smtp, send_json, with_demo};

const CITIZEN_ID: &str = "1-1017-00207-36-6";

fn signup_body(username: &str, email: &str) -> serde_json::Value {
    json!({
        "first_name": "สมศรี",
        "last_name": "ใจดี",
        "citizen_id": CITIZEN_ID,
        "mobile": "081-234-5678",
        "email": email,
        "username": username,
        "password": "Chonburi2569",
        "password_confirmation": "Chonburi2569",
    })
}

/// The token of the link in a mail body.
fn token_in(body: &str, path: &str) -> String {
    let start = body
        .find(path)
        .unwrap_or_else(|| panic!("no {path} link in {body}"))
        + path.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

async fn sign_up_and_verify(app: &axum::Router, smtp: &SmtpSink, username: &str, email: &str) {
    let r = send_json(
        app,
        "POST",
        "/api/v1/auth/signup",
        Some(signup_body(username, email)),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mail = smtp.wait_for(email, "/auth/verify?token=").await;
    let token = token_in(&mail, "/auth/verify?token=");
    let r = send_json(
        app,
        "POST",
        "/api/v1/auth/verify",
        Some(json!({ "token": token })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn sign_in(app: &axum::Router, username: &str, password: &str) -> String {
    let r = send_json(
        app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "username": username, "password": password })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.session_cookie().expect("a session cookie")
}

async fn sign_up_verify_sign_in_and_bind(db: Db) {
    with_demo(&db).await;
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;

    // Refusals name the field, in Thai and English, with 422.
    let mut bad = signup_body("somsri01", "somsri@example.go.th");
    bad["first_name"] = json!("นางสมศรี");
    bad["password_confirmation"] = json!("Chonburi2570");
    let r = send_json(&app, "POST", "/api/v1/auth/signup", Some(bad), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields = &r.json()["error"]["fields"];
    assert!(
        fields["first_name"][0]
            .as_str()
            .unwrap()
            .contains("คำนำหน้า"),
        "{fields}"
    );
    assert!(
        fields["first_name"][1].as_str().unwrap().contains("title"),
        "{fields}"
    );
    assert!(fields["password"].is_array(), "{fields}");
    assert!(fields.get("username").is_none(), "{fields}");

    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/signup",
        Some(signup_body("Somsri01", "somsri@example.go.th")),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["verification_sent"], true);
    assert!(!r.body.contains("1101700207366"));

    // The same username in another case is taken.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/signup",
        Some(signup_body("SOMSRI01", "other@example.go.th")),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["fields"]["username"].is_array(),
        "{}",
        r.body
    );

    // No sign-in before the address is confirmed.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "username": "somsri01", "password": "Chonburi2569" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "email_unverified");

    // The link came over SMTP, built from the base URL; it works once.
    let mail = smtp
        .wait_for("somsri@example.go.th", "/auth/verify?token=")
        .await;
    assert!(
        mail.contains("http://127.0.0.1/auth/verify?token="),
        "{mail}"
    );
    assert!(mail.contains("ยืนยัน") && mail.contains("confirm"), "{mail}");
    let token = token_in(&mail, "/auth/verify?token=");
    assert_eq!(token.len(), 64);
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/verify",
        Some(json!({ "token": token })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/verify",
        Some(json!({ "token": token })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "invalid_token");

    // Wrong password: 401, without saying which part was wrong.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "username": "somsri01", "password": "Chonburi2560" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.session_cookie().is_none());

    // Signed in: the cookie is HttpOnly and SameSite=Lax.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "username": "SomSri01", "password": "Chonburi2569" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let set_cookie = r
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Secure"),
        "plain http in tests: {set_cookie}"
    );
    let cookie = r.session_cookie().unwrap();

    let r = send_json(&app, "GET", "/api/v1/me", None, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let me = r.json();
    assert_eq!(me["username"], "Somsri01");
    assert_eq!(me["citizen_id_last_digits"], "7366");
    assert_eq!(me["mobile"], "0812345678");
    assert!(!r.body.contains("1101700207366"), "{}", r.body);
    assert_eq!(me["units"].as_array().unwrap().len(), 0);

    // The citizen ID is stored only as a keyed hash and its last digits.
    let stored: Vec<String> = db
        .raw_strings("SELECT citizen_id_hash FROM users")
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].len(), 64);
    assert!(!stored[0].contains("1101700207366"));

    // Authorize Codes: a wrong one is refused on the field; the unit's own binds.
    let codes = crate::support::issue_codes(&db, "0112140000000").await;
    let bang_lamung = codes
        .iter()
        .find(|c| c.name_th.contains("บางละมุง"))
        .expect("the Bang Lamung office has a code");
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/units",
        Some(json!({ "authorize_code": "0123456789ABCDE" })),
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["authorize_code"].is_array());
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/units",
        Some(json!({ "authorize_code": "not a code" })),
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/units",
        Some(json!({
            "authorize_code": bang_lamung.code.to_lowercase(),
            "name": "สมศรี ใจดี",
            "email": "somsri@example.go.th",
        })),
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["role"], "editor");
    assert_eq!(r.json()["unit"], bang_lamung.unit.as_str());
    let r = send_json(&app, "GET", "/api/v1/me", None, Some(&cookie)).await;
    assert_eq!(r.json()["units"][0]["unit"], bang_lamung.unit.as_str());
    let actions: Vec<String> = db
        .audit_for_unit(&bang_lamung.unit)
        .await
        .unwrap()
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert!(
        actions.contains(&"authorize_code.issue".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"membership.add".to_owned()),
        "{actions:?}"
    );

    // Without a session: 401.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/units",
        Some(json!({ "authorize_code": bang_lamung.code })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Sign-out ends the session for good.
    let r = send_json(&app, "POST", "/api/v1/auth/logout", None, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send_json(&app, "GET", "/api/v1/me", None, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
on_both_databases!(
    sign_up_verify_sign_in_and_bind_a_unit,
    sign_up_verify_sign_in_and_bind
);

async fn throttled(db: Db) {
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;
    sign_up_and_verify(&app, &smtp, "anong01", "anong@example.go.th").await;
    for _ in 0..5 {
        let r = send_json(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({ "username": "anong01", "password": "Wrong12345" })),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits, with a message that says so.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "username": "anong01", "password": "Chonburi2569" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("15")
    );
    // Failed sign-ins are in the audit log, without the password typed.
    let failed = db
        .raw_strings("SELECT action FROM audit_log WHERE action = 'signin.failed'")
        .await
        .unwrap();
    assert_eq!(failed.len(), 5);
    let all = db
        .raw_strings("SELECT COALESCE(detail, '') || COALESCE(actor, '') FROM audit_log")
        .await
        .unwrap();
    assert!(all.iter().all(|d| !d.contains("Wrong12345")), "{all:?}");
}
on_both_databases!(sign_in_is_throttled_per_account, throttled);

async fn password_reset(db: Db) {
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;
    sign_up_and_verify(&app, &smtp, "prasert1", "prasert@example.go.th").await;
    let cookie = sign_in(&app, "prasert1", "Chonburi2569").await;
    let user = db.user_by_username("prasert1").await.unwrap().unwrap();
    assert_eq!(db.session_count(user.id).await.unwrap(), 1);

    // Unknown addresses get the same answer.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/password-reset",
        Some(json!({ "email": "nobody@example.go.th" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/password-reset",
        Some(json!({ "email": "prasert@example.go.th" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let mail = smtp
        .wait_for("prasert@example.go.th", "/auth/reset?token=")
        .await;
    let token = token_in(&mail, "/auth/reset?token=");

    // A weak password is refused without using up the link.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/password-reset/confirm",
        Some(json!({ "token": token, "password": "password123", "password_confirmation": "password123" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/password-reset/confirm",
        Some(json!({ "token": token, "password": "Sattahip2570", "password_confirmation": "Sattahip2570" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Every session ended; the old password no longer works, the new one does.
    assert_eq!(db.session_count(user.id).await.unwrap(), 0);
    let r = send_json(&app, "GET", "/api/v1/me", None, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "username": "prasert1", "password": "Chonburi2569" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    sign_in(&app, "prasert1", "Sattahip2570").await;
    // The link was single-use.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/password-reset/confirm",
        Some(json!({ "token": token, "password": "Sattahip2571", "password_confirmation": "Sattahip2571" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
on_both_databases!(password_reset_by_mail_ends_sessions, password_reset);

async fn links_expire_and_resend(db: Db) {
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/signup",
        Some(signup_body("malee01", "malee@example.go.th")),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let first = token_in(
        &smtp
            .wait_for("malee@example.go.th", "/auth/verify?token=")
            .await,
        "/auth/verify?token=",
    );
    // A re-sent link replaces the first.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/resend-verification",
        Some(json!({ "account": "malee01" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let mut second = first.clone();
    for _ in 0..100 {
        if let Some(t) = smtp
            .messages_to("malee@example.go.th")
            .iter()
            .map(|(_, b)| token_in(b, "/auth/verify?token="))
            .find(|t| *t != first)
        {
            second = t;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(first, second, "a second mail arrived");
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/verify",
        Some(json!({ "token": first })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // An expired link does not work, at the storage layer's clock.
    let user = db.user_by_username("malee01").await.unwrap().unwrap();
    let hash = "0".repeat(64);
    let then = Utc::now() - chrono::Duration::hours(50);
    db.add_link(
        user.id,
        storage::LinkPurpose::Verify,
        &hash,
        then,
        then + chrono::Duration::hours(48),
    )
    .await
    .unwrap();
    assert_eq!(
        db.use_link(storage::LinkPurpose::Verify, &hash, Utc::now())
            .await
            .unwrap(),
        None
    );
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/verify",
        Some(json!({ "token": second })),
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "the newer link was voided too"
    );
}
on_both_databases!(
    verification_links_expire_and_can_be_resent,
    links_expire_and_resend
);

async fn delete_account(db: Db) {
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;
    sign_up_and_verify(&app, &smtp, "wichai01", "wichai@example.go.th").await;
    let cookie = sign_in(&app, "wichai01", "Chonburi2569").await;
    let r = send_json(&app, "DELETE", "/api/v1/me", None, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(db.user_by_username("wichai01").await.unwrap().is_none());
    let r = send_json(&app, "GET", "/api/v1/me", None, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The same from the account page.
    sign_up_and_verify(&app, &smtp, "wichai02", "wichai2@example.go.th").await;
    let cookie = sign_in(&app, "wichai02", "Chonburi2569").await;
    let r = send_json(&app, "GET", "/account/delete", None, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("ลบบัญชีถาวร"));
    let r = send_json(&app, "POST", "/account/delete", None, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(db.user_by_username("wichai02").await.unwrap().is_none());
    // The record of the deletion stays, without personal data.
    let actions = db
        .raw_strings("SELECT action FROM audit_log")
        .await
        .unwrap();
    assert!(
        actions.contains(&"account.delete".to_owned()),
        "{actions:?}"
    );
}
on_both_databases!(a_user_deletes_their_account, delete_account);

async fn cross_site(db: Db) {
    let (_, app) = crate::support::app(&db).await;
    // A form elsewhere posting to the sign-in, as a browser would send it.
    let res = tower::ServiceExt::oneshot(
        app.clone(),
        axum::http::Request::post("/api/v1/auth/login")
            .header("host", "127.0.0.1")
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(r#"{"username":"x","password":"y"}"#))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The same request from the site itself reaches the handler.
    let res = tower::ServiceExt::oneshot(
        app,
        axum::http::Request::post("/api/v1/auth/login")
            .header("host", "127.0.0.1")
            .header("origin", "http://127.0.0.1")
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(r#"{"username":"x","password":"y"}"#))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
on_both_databases!(cross_site_posts_are_refused, cross_site);

async fn first_admin(db: Db) {
    // The rules of sign-up hold on the command line too.
    let weak = citizeninfo::cli::create_admin(
        &db,
        "admin01",
        "admin@example.go.th",
        "ผู้ดูแล",
        "ระบบ",
        "password123",
    )
    .await;
    assert!(weak.unwrap_err().to_string().contains("password"));
    let id = citizeninfo::cli::create_admin(
        &db,
        "admin01",
        "admin@example.go.th",
        "ผู้ดูแล",
        "ระบบ",
        "Chonburi2569",
    )
    .await
    .unwrap();
    let again = citizeninfo::cli::create_admin(
        &db,
        "ADMIN01",
        "admin2@example.go.th",
        "ผู้ดูแล",
        "ระบบ",
        "Chonburi2569",
    )
    .await;
    assert!(again.unwrap_err().to_string().contains("taken"));
    let (_, app) = crate::support::app(&db).await;
    let cookie = sign_in(&app, "admin01", "Chonburi2569").await;
    let r = send_json(&app, "GET", "/api/v1/me", None, Some(&cookie)).await;
    assert_eq!(r.json()["id"], id);
    assert_eq!(r.json()["is_system_admin"], true);
    assert_eq!(r.json()["email_verified"], true);
}
on_both_databases!(
    create_admin_makes_a_verified_system_administrator,
    first_admin
);

async fn change_password(db: Db) {
    let smtp = SmtpSink::start().await;
    let (_, app) = app_with_smtp(&db, &smtp).await;
    sign_up_and_verify(&app, &smtp, "kannika1", "kannika@example.go.th").await;
    let first = sign_in(&app, "kannika1", "Chonburi2569").await;
    let second = sign_in(&app, "kannika1", "Chonburi2569").await;
    let change = |current: &str, new: &str| json!({ "current_password": current, "password": new, "password_confirmation": new });
    // The current password is checked, and the new one follows the rules.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(change("Wrong12345", "Bangsaen2570")),
        Some(&first),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["current_password"].is_array());
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(change("Chonburi2569", "kannika1")),
        Some(&first),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["password"].is_array());
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(change("Chonburi2569", "Bangsaen2570")),
        Some(&first),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Every session of the account ended, the other browser's too.
    for c in [&first, &second] {
        let r = send_json(&app, "GET", "/api/v1/me", None, Some(c)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    sign_in(&app, "kannika1", "Bangsaen2570").await;
}
on_both_databases!(a_password_change_ends_every_session, change_password);

async fn secure_cookie(db: Db) {
    citizeninfo::cli::create_admin(
        &db,
        "admin01",
        "admin@example.go.th",
        "ผู้ดูแล",
        "ระบบ",
        "Chonburi2569",
    )
    .await
    .unwrap();
    let config = web::Config {
        base_url: "https://citizeninfo.example".into(),
        ..crate::support::test_config()
    };
    let state = web::AppState::new(db.clone(), config).await.unwrap();
    let app = web::router(state);
    let r = send_json(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "username": "admin01", "password": "Chonburi2569" })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let set_cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
}
on_both_databases!(session_cookies_are_secure_under_https, secure_cookie);
