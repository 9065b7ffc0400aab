//! End to end in a real headless Chromium: a district officer signs in, finds the
//! office's poster in the poster table and downloads its PNG, which zbar decodes to the
//! rating address; a citizen opens it on a phone-sized screen with JavaScript off and
//! rates; the officer sees the rating in the preliminary report and replies to the
//! comment; the poster switched off refuses the next citizen. The rating page passes
//! axe-core's WCAG 2.1 AA rules. SQLite runs the officer at a phone's width,
//! PostgreSQL at 1366×768.

use fantoccini::Client;
use serde_json::{Value, json};
use storage::Db;

use crate::browser::*;
use crate::support::{test_config, with_demo};

const OFFICE: &str = "0112140410104";
const POINT: &str = "0112140410304";
const PASSWORD: &str = "Chonburi2569";
const COMMENT: &str = "เจ้าหน้าที่สุภาพมาก แต่ที่จอดรถน้อย";
const REPLY: &str = "ขอบคุณครับ สำนักงานจะเพิ่มที่จอดรถด้านหลังอาคาร";

/// A file the officer's page fetches with its session, as base64.
async fn fetch_bytes(c: &Client, path: &str) -> Vec<u8> {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { credentials: 'same-origin' })
               .then(r => r.ok ? r.arrayBuffer() : Promise.reject('HTTP ' + r.status))
               .then(b => { let s = ''; new Uint8Array(b).forEach(x => s += String.fromCharCode(x));
                            done(btoa(s)); }, e => done({ error: String(e) }));",
            vec![json!(path)],
        )
        .await
        .unwrap();
    let b64 = v
        .as_str()
        .unwrap_or_else(|| panic!("GET {path}: {v}"))
        .to_owned();
    base64_decode(&b64)
}

fn base64_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for b in s.bytes().filter(|b| *b != b'=') {
        let v = ALPHABET.iter().position(|a| *a == b).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

async fn fetch_json(c: &Client, path: &str) -> Value {
    c.execute_async(
        "const done = arguments[arguments.length - 1];
         fetch(arguments[0], { credentials: 'same-origin' })
           .then(r => r.ok ? r.json() : { http_status: r.status })
           .then(done, e => done({ error: String(e) }));",
        vec![json!(path)],
    )
    .await
    .unwrap()
}

/// Clicks in a page without JavaScript and waits for the next page's heading.
async fn click_then_heading(c: &Client, css: &str, heading: &str) -> String {
    find(c, css).await.click().await.unwrap();
    wait_text(c, "h1", heading).await
}

async fn officer_and_citizen(db: Db, window: (u32, u32)) {
    with_demo(&db).await;
    crate::scope::person(&db, "officer1", false, Some((OFFICE, "editor"))).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // The poster's address must lead back to this server.
    let config = web::Config {
        base_url: base.clone(),
        ..test_config()
    };
    let _server = serve(
        listener,
        web::AppState::new(db.clone(), config).await.unwrap(),
    );
    let driver = start_driver().await;
    let c = browser(&driver, window).await;
    let citizen = browser_without_javascript(&driver, PHONE).await;

    // 1. The officer signs in and opens the poster table from the menu.
    c.goto(&format!("{base}/signin")).await.unwrap();
    wait_text(&c, "h1", "เข้าสู่ระบบ").await;
    fill(&c, "username", "officer1").await;
    fill(&c, "password", PASSWORD).await;
    click_to_next_page(&c, "//main//form//button").await;
    wait_text(&c, "h1", "ระบบจัดการข้อมูล").await;
    click_to_next_page(
        &c,
        "//nav[contains(@class,'bo-menu')]//a[@href='/staff/posters']",
    )
    .await;
    wait_text(&c, "h1", "ป้ายคิวอาร์โค้ด").await;
    let row = wait_text(&c, &format!("tr#p-{POINT}"), POINT).await;
    assert!(row.contains("สำนักงานพัฒนาชุมชนอำเภอบางละมุง"), "{row}");

    // 2. The row's PNG, as its link downloads it, decoded by zbar: the rating address.
    let href = find(&c, &format!("tr#p-{POINT} a[href*='format=png']"))
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("a PNG link");
    let png = fetch_bytes(&c, &href).await;
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let file = std::env::temp_dir().join(format!("citizeninfo-e2e-poster-{}.png", window.0));
    std::fs::write(&file, &png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&file)
        .output()
        .expect("zbarimg (scripts/install-test-deps installs zbar-tools)");
    let _ = std::fs::remove_file(&file);
    let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        url.starts_with(&format!("{base}/r/")),
        "the QR code holds {url:?}"
    );
    // Counted as a download.
    c.refresh().await.unwrap();
    let row = wait_text(&c, &format!("tr#p-{POINT}"), POINT).await;
    assert!(
        row.contains('๑') || row.contains(" 1"),
        "one download: {row}"
    );

    // 3. The rating page passes WCAG 2.1 A/AA (checked where scripts run).
    c.goto(&url).await.unwrap();
    wait_text(&c, "h1", "ให้คะแนนความพึงพอใจ").await;
    let violations = wcag_violations(&c).await;
    assert!(violations.is_empty(), "WCAG violations: {violations:#?}");

    // 4. The citizen, on a phone without JavaScript, rates.
    citizen.goto(&url).await.unwrap();
    wait_text(&citizen, "h1", "ให้คะแนนความพึงพอใจ").await;
    // Its scripts really are off: a page that says which of its two halves ran.
    let probe = |b: Client| async move {
        b.goto("data:text/html,<p id=x>off</p><script>document.getElementById('x').textContent='on'</script>")
            .await
            .unwrap();
        find(&b, "#x").await.text().await.unwrap()
    };
    assert_eq!(
        probe(citizen.clone()).await,
        "off",
        "the citizen's browser runs no script"
    );
    assert_eq!(
        probe(c.clone()).await,
        "on",
        "the officer's browser runs scripts"
    );
    citizen.goto(&url).await.unwrap();
    wait_text(&citizen, "h1", "ให้คะแนนความพึงพอใจ").await;
    // A person takes a few seconds; the form refuses less.
    tokio::time::sleep(std::time::Duration::from_millis(3_200)).await;
    find(&citizen, "input[name=overall][value='4']")
        .await
        .click()
        .await
        .unwrap();
    find(&citizen, "input[name=staff][value='5']")
        .await
        .click()
        .await
        .unwrap();
    find(&citizen, "input[name=place][value='2']")
        .await
        .click()
        .await
        .unwrap();
    let comment = find(&citizen, "textarea[name=comment]").await;
    comment.send_keys(COMMENT).await.unwrap();
    click_then_heading(&citizen, "form.rate button", "ขอบคุณ").await;
    assert_eq!(db.rating_count().await.unwrap(), 1);

    // 5. The officer sees it in the preliminary report, and its comment.
    c.goto(&format!(
        "{base}/staff/reports?unit={POINT}&kind=preliminary"
    ))
    .await
    .unwrap();
    let main = wait_text(&c, "main", COMMENT).await;
    assert!(
        main.contains("จำนวนผู้ประเมินไม่เพียงพอ"),
        "one rating has no mean: {main}"
    );
    let report = fetch_json(
        &c,
        &format!("/api/v1/staff/reports/preliminary?unit={POINT}"),
    )
    .await;
    assert_eq!(report["ratings"], 1, "{report}");
    assert_eq!(report["dimensions"][2]["count"], 1, "staff rated: {report}");
    assert_eq!(
        report["dimensions"][4]["not_applicable"], 1,
        "result left out: {report}"
    );

    // 6. And replies from the comments page.
    c.goto(&format!("{base}/staff/comments?unit={POINT}"))
        .await
        .unwrap();
    wait_text(&c, "article.rp-comment", COMMENT).await;
    fill(&c, "reply", REPLY).await;
    click_to_next_page(
        &c,
        "//article[contains(@class,'rp-comment')]//form[contains(@action,'/reply')]//button",
    )
    .await;
    wait_text(&c, "p[role=status]", "บันทึกคำตอบแล้ว").await;
    wait_text(&c, "article.rp-comment", REPLY).await;
    let mut errors = console_errors(&c).await;

    // 7. Switched off from the table, the poster refuses the next citizen.
    c.goto(&format!("{base}/staff/posters")).await.unwrap();
    click_to_next_page(&c, &format!("//button[@form='sw-{POINT}']")).await;
    wait_text(&c, "p[role=status]", "ปิดรับการประเมิน").await;
    citizen.goto(&url).await.unwrap();
    wait_text(&citizen, "h1", "ไม่ได้เปิดรับการประเมิน").await;
    assert_eq!(db.rating_count().await.unwrap(), 1);
    errors.extend(console_errors(&c).await);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    citizen.close().await.unwrap();
    c.close().await.unwrap();
}

mod an_officer_and_a_citizen_go_through_a_poster {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_at_phone_width() {
        let t = crate::support::TestDb::sqlite().await;
        officer_and_citizen(t.db.clone(), PHONE).await;
        t.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_at_desktop_width() {
        let t = crate::support::TestDb::postgres().await;
        officer_and_citizen(t.db.clone(), DESKTOP).await;
        t.finish().await;
    }
}
