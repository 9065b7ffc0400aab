//! End to end in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
//! installed by `scripts/test`): a citizen searches in Thai, opens a service point and
//! one of its manuals, and the browser reports no console error on the way.

use fantoccini::{Client, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use storage::Db;

use crate::browser::{PHONE, browser, console_errors, free_port, serve, start_driver};
use crate::on_both_databases;
use crate::support::{test_config, with_demo};

async fn citizen_finds_a_service(db: Db) {
    with_demo(&db).await;
    let state = web::AppState::new(db.clone(), test_config()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = serve(listener, state);

    let driver = start_driver().await;
    let c = browser(&driver, PHONE).await;
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

async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Waits (up to 10 s) until the element's text holds `expected`: after a click the old
/// page can still be showing for a moment, with the same elements.
async fn wait_text(c: &Client, css: &str, expected: &str) -> String {
    let mut last = String::new();
    // Up to 30 s: the suite runs beside tests that keep both cores busy.
    for _ in 0..300 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if t.contains(expected) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {expected:?}; last: {last:?}");
}

async fn fill(c: &Client, name: &str, value: &str) {
    let input = c
        .find(Locator::Css(&format!("input[name={name}]")))
        .await
        .unwrap_or_else(|e| panic!("input {name}: {e}"));
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

async fn press(c: &Client, action: &str) {
    c.find(Locator::Css(&format!("button[value={action}]")))
        .await
        .unwrap_or_else(|e| panic!("button {action}: {e}"))
        .click()
        .await
        .unwrap();
}

/// A district officer signs up through the wizard (a refused title, back, skip), confirms
/// the address from the mail an SMTP server received, signs in and binds the account to
/// the office with its Authorize Code.
async fn officer_signs_up(db: Db) {
    with_demo(&db).await;
    let smtp = crate::support::SmtpSink::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = web::Config {
        base_url: base.clone(),
        smtp_url: Some(smtp.url.clone()),
        ..test_config()
    };
    let server = serve(
        listener,
        web::AppState::new(db.clone(), config).await.unwrap(),
    );
    let codes = crate::support::issue_codes(&db, "0112140000000").await;
    let office = codes
        .iter()
        .find(|c| c.name_th.contains("บางละมุง"))
        .unwrap();

    let driver = start_driver().await;
    let c = browser(&driver, PHONE).await;
    let mut errors = Vec::new();

    // Step 1, with a title typed into the name: refused, saying why.
    c.goto(&format!("{base}/signup")).await.unwrap();
    wait_text(&c, "h2", "ขั้นที่ 1 จาก 5").await;
    fill(&c, "first_name", "นายสมชาย").await;
    fill(&c, "last_name", "รักถิ่น").await;
    press(&c, "next").await;
    let why = text_of(&c, "#first_name-error").await;
    assert!(why.contains("คำนำหน้า"), "{why}");
    fill(&c, "first_name", "สมชาย").await;
    press(&c, "next").await;
    wait_text(&c, "h2", "ขั้นที่ 2 จาก 5").await;

    // Back keeps what was typed; then the citizen ID step is skipped.
    press(&c, "back").await;
    wait_text(&c, "h2", "ขั้นที่ 1 จาก 5").await;
    let kept = c
        .find(Locator::Css("input[name=first_name]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("สมชาย"));
    press(&c, "next").await;
    wait_text(&c, "h2", "ขั้นที่ 2 จาก 5").await;
    fill(&c, "citizen_id", "1101700207367").await;
    press(&c, "next").await;
    assert!(
        text_of(&c, "#citizen_id-error")
            .await
            .contains("หลักตรวจสอบ")
    );
    press(&c, "skip").await;

    // Step 3: contact; step 4: username and password, typed twice.
    wait_text(&c, "h2", "ขั้นที่ 3 จาก 5").await;
    fill(&c, "mobile", "081 234 5678").await;
    fill(&c, "email", "somchai@example.go.th").await;
    press(&c, "next").await;
    wait_text(&c, "h2", "ขั้นที่ 4 จาก 5").await;
    fill(&c, "username", "somchai1").await;
    fill(&c, "password", "Chonburi2569").await;
    fill(&c, "password_confirmation", "Chonburi2568").await;
    press(&c, "next").await;
    assert!(text_of(&c, "#password-error").await.contains("ไม่ตรงกัน"));
    fill(&c, "password", "Chonburi2569").await;
    fill(&c, "password_confirmation", "Chonburi2569").await;
    press(&c, "next").await;

    // The summary: the password masked as the seed shows it, the skipped ID not given.
    wait_text(&c, "h2", "ขั้นที่ 5 จาก 5").await;
    let summary = text_of(&c, "dl.facts").await;
    assert!(summary.contains("Ch********69"), "{summary}");
    assert!(!summary.contains("Chonburi2569"), "{summary}");
    assert!(
        summary.contains("ไม่ระบุ") && summary.contains("0812345678"),
        "{summary}"
    );
    errors.extend(console_errors(&c).await);
    press(&c, "register").await;
    wait_text(&c, "h1", "ตรวจสอบอีเมลของท่าน").await;

    // The mailed link opens a page whose button confirms the address.
    let mail = smtp
        .wait_for("somchai@example.go.th", "/auth/verify?token=")
        .await;
    let link = mail
        .split_whitespace()
        .find(|w| w.starts_with(&format!("{base}/auth/verify?token=")))
        .expect("a link to this server")
        .to_owned();
    c.goto(&link).await.unwrap();
    c.find(Locator::Css("main form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "p[role=status]", "ยืนยันอีเมลเรียบร้อยแล้ว").await;

    // Sign in, then bind the account to the office.
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_text(&c, "h1", "เข้าสู่ระบบ").await;
    fill(&c, "username", "SOMCHAI1").await;
    fill(&c, "password", "Chonburi2569").await;
    c.find(Locator::Css("main form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "h1", "บัญชีของฉัน").await;
    fill(&c, "authorize_code", "0123456789ABCDE").await;
    c.find(Locator::Css("form[action='/account/units'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        text_of(&c, "#authorize_code-error")
            .await
            .contains("ไม่พบหน่วยงาน")
    );
    fill(&c, "authorize_code", &office.code).await;
    c.find(Locator::Css("form[action='/account/units'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "p[role=status]", "บางละมุง").await;
    assert!(text_of(&c, "ul.units").await.contains("ผู้แก้ไขข้อมูล"));
    errors.extend(console_errors(&c).await);

    // Sign-out ends it: the account page asks to sign in again.
    c.find(Locator::Css("form[action='/signout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Sign-out lands on the home page; going on before it has would race its redirect.
    wait_text(&c, "h1", "ค้นหาจุดบริการ").await;
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_text(&c, "h1", "เข้าสู่ระบบ").await;

    c.close().await.unwrap();
    drop(driver);
    server.abort();
    // Refused forms come back with 422 by design, which Chromium logs as a failed load;
    // anything else is an error.
    let refused = |e: &String| e.contains("status of 422 (Unprocessable Entity)");
    assert_eq!(
        errors.iter().filter(|e| refused(e)).count(),
        4,
        "{errors:#?}"
    );
    errors.retain(|e| !refused(e));
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}
on_both_databases!(browser_sign_up_wizard_verify_and_bind, officer_signs_up);

/// The OpenID provider of the tests (`tests/oidc/provider.mjs`, npm's oidc-provider,
/// installed by `scripts/install-test-deps`), on a free loopback port.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_provider(secret: &str, auth_method: &str, base: &str) -> Provider {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc");
    let port = free_port();
    let mut child = Command::new("node")
        .current_dir(&dir)
        .arg("provider.mjs")
        .arg(port.to_string())
        .arg("citizeninfo-test")
        .arg(secret)
        .arg(auth_method)
        .arg(format!("{base}/auth/oidc/callback"))
        .arg(format!("{base}/"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node, with tests/oidc/node_modules (./scripts/install-test-deps)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Provider {
                child,
                issuer: format!("http://127.0.0.1:{port}"),
            };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the OpenID provider did not start on port {port}");
}

/// Through the provider's own login and consent pages, back to the staff home, then
/// the account page.
async fn provider_login(c: &Client, base: &str, login: &str) {
    c.goto(&format!("{base}/signin")).await.unwrap();
    c.find(Locator::Css("a[href='/auth/oidc/start']"))
        .await
        .expect("the provider's sign-in button")
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys(login)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("anything")
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The consent page, when the provider asks.
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        if url.as_str().starts_with(base) {
            break;
        }
        if let Ok(b) = c
            .find(Locator::Css(
                "button[type=submit][autofocus], form button[type=submit]",
            ))
            .await
        {
            let _ = b.click().await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Signed in, the staff home; the account page from there.
    wait_text(c, "h1", "ระบบจัดการข้อมูล").await;
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_text(c, "h1", "บัญชีของฉัน").await;
}

/// Staff sign in with OpenID Connect (code + PKCE): the first sign-in makes the account
/// from the verified claims, the second finds it again, and sign-out ends the provider's
/// session too. SQLite runs it with the Digital ID's secret transformation and
/// `client_secret_basic`, PostgreSQL with the plain secret and `client_secret_post`.
async fn officer_signs_in_with_digital_id(db: Db, dga: bool, auth_method: &str) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let secret = "s3cret-of-the-test-client";
    // The provider knows the secret in the form it will receive.
    let expected = if dga {
        web::dga_secret(secret)
    } else {
        secret.to_owned()
    };
    let provider = start_provider(&expected, auth_method, &base).await;
    let config = web::Config {
        base_url: base.clone(),
        oidc: Some(web::OidcConfig {
            issuer: provider.issuer.clone(),
            client_id: "citizeninfo-test".into(),
            client_secret: secret.into(),
            dga_secret: dga,
            auth_method: auth_method.into(),
            display_name: "Digital ID".into(),
        }),
        ..test_config()
    };
    let server = serve(
        listener,
        web::AppState::new(db.clone(), config).await.unwrap(),
    );
    let driver = start_driver().await;
    let c = browser(&driver, PHONE).await;

    provider_login(&c, &base, "officer42").await;
    let facts = text_of(&c, "dl.facts").await;
    assert!(facts.contains("ประเสริฐ ดิจิทัล"), "{facts}");
    assert!(facts.contains("officer42@digitalid.example"), "{facts}");
    let user = db
        .user_by_username("officer42")
        .await
        .unwrap()
        .expect("an account from the claims");
    assert!(user.email_verified_at.is_some(), "verified by the provider");
    assert!(user.password_hash.is_none());

    // Sign-out goes through the provider's end-session and comes back home.
    c.find(Locator::Css("form[action='/signout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        if url.as_str() == format!("{base}/") {
            break;
        }
        if let Ok(b) = c
            .find(Locator::Css("form button[type=submit], button[autofocus]"))
            .await
        {
            let _ = b.click().await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(c.current_url().await.unwrap().as_str(), format!("{base}/"));
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_text(&c, "h1", "เข้าสู่ระบบ").await;

    // Signing in again finds the same account.
    provider_login(&c, &base, "officer42").await;
    let all = db.raw_strings("SELECT username FROM users").await.unwrap();
    assert_eq!(all, ["officer42"]);
    let actions = db
        .raw_strings("SELECT action FROM audit_log")
        .await
        .unwrap();
    assert!(
        actions.iter().filter(|a| *a == "signin").count() >= 1,
        "{actions:?}"
    );

    c.close().await.unwrap();
    drop(driver);
    drop(provider);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_digital_id_sign_in_sqlite() {
    let t = crate::support::TestDb::sqlite().await;
    officer_signs_in_with_digital_id(t.db.clone(), true, "client_secret_basic").await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_digital_id_sign_in_postgres() {
    let t = crate::support::TestDb::postgres().await;
    officer_signs_in_with_digital_id(t.db.clone(), false, "client_secret_post").await;
    t.finish().await;
}
