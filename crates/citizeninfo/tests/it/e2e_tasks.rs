//! End to end in a real headless Chromium, the founding letter's own case: the Chonburi
//! provincial office issues the letter's task to its 11 district offices; the Bang
//! Lamung officer signs up with the Authorize Code of the letter's attachment 2, edits
//! the service point, uploads a photo, pins the missing manual, downloads the poster
//! and sees the checklist turn done item by item; submits the report; the province sees
//! 1 of 11 submitted on time, returns it once and accepts it; the reminder mail reaches
//! the members of the offices that have not reported, over SMTP. SQLite runs it at a
//! phone's width (412 px), PostgreSQL at 1366×768.

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use storage::Db;

use crate::browser::*;
use crate::support::{SmtpSink, test_config, with_demo};

const PROVINCE: &str = "0112140410100";
const BANG_LAMUNG: &str = "0112140410104";
const POINT: &str = "0112140410304";
const SATTAHIP_OFFICE: &str = "0112140410109";
const PASSWORD: &str = "Chonburi2569";
const TITLE: &str = "การดำเนินการระบบ CITIZENinfo";

/// A same-origin request from the page, with its session: the answer's JSON, or its
/// status when it is not JSON.
async fn fetch(c: &Client, method: &str, path: &str, body: Option<Value>) -> Value {
    c.execute_async(
        "const [method, path, body, done] = arguments;
         fetch(path, { method, credentials: 'same-origin',
                       headers: body ? { 'Content-Type': 'application/json' } : {},
                       body: body ? JSON.stringify(body) : undefined })
           .then(async r => {
             const t = r.headers.get('content-type') || '';
             done(t.includes('json') ? { status: r.status, json: await r.json() }
                                     : { status: r.status, type: t });
           }, e => done({ error: String(e) }));",
        vec![json!(method), json!(path), body.unwrap_or(Value::Null)],
    )
    .await
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

async fn sign_in(c: &Client, base: &str, username: &str) {
    c.goto(&format!("{base}/signin")).await.unwrap();
    wait_text(c, "h1", "เข้าสู่ระบบ").await;
    fill(c, "username", username).await;
    fill(c, "password", PASSWORD).await;
    click_to_next_page(c, "//main//form//button").await;
    wait_text(c, "h1", "ระบบจัดการข้อมูล").await;
}

async fn sign_out(c: &Client, base: &str) {
    c.goto(&format!("{base}/account")).await.unwrap();
    click_to_next_page(c, "//form[@action='/signout']//button").await;
}

/// The unit page's "items done" count, after loading it again.
async fn items_done(c: &Client, page: &str) -> usize {
    c.goto(page).await.unwrap();
    let t = wait_text(c, "#items-done", "/").await;
    t.split('/').next().unwrap().trim().parse().unwrap()
}

async fn item_done(c: &Client, key: &str) -> bool {
    find(c, &format!("#item-{key}"))
        .await
        .attr("data-done")
        .await
        .unwrap()
        .as_deref()
        == Some("true")
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 256) as u8, 64, (y % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn seed_case(db: Db, kind: &str, window: (u32, u32)) {
    with_demo(&db).await;
    let smtp = SmtpSink::start().await;
    crate::scope::person(&db, "provsup", false, Some((PROVINCE, "supervisor"))).await;
    // A member with an e-mail at Sattahip: the reminder's reader.
    crate::scope::person(&db, "shmember", false, Some((SATTAHIP_OFFICE, "editor"))).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = web::Config {
        base_url: base.clone(),
        smtp_url: Some(smtp.url.clone()),
        ..test_config()
    };
    let state = web::AppState::new(db.clone(), config).await.unwrap();
    // The demo point has the department's three manuals; one is taken off, for the
    // officer to pin again.
    let console = app::Caller::console();
    app::manuals::unpin(&state.app, &console, &crate::scope::unit(POINT), 3)
        .await
        .unwrap();
    let server = serve(listener, state.clone());
    let driver = start_driver().await;
    let c = browser(&driver, window).await;
    let mut errors = Vec::new();
    let today = domain::task::local_date(chrono::Utc::now());
    let deadline = today + chrono::Duration::days(10);

    // 1. The province drafts the letter's task from the form and issues it.
    sign_in(&c, &base, "provsup").await;
    click_to_next_page(
        &c,
        "//nav[contains(@class,'bo-menu')]//a[@href='/staff/tasks']",
    )
    .await;
    wait_text(&c, "h1", "งานที่สั่งการ").await;
    click_to_next_page(&c, "//main//a[@href='/staff/tasks/new']").await;
    fill(&c, "title", TITLE).await;
    fill(&c, "letter_number", "ที่ ชบ ๐๐๑๘/ว๕๗๘๕").await;
    fill(
        &c,
        "body",
        "ด้วยกรมการพัฒนาชุมชนได้พัฒนาระบบ CITIZENinfo จึงขอให้ดำเนินการตามรายการ",
    )
    .await;
    fill(&c, "manual_ids", "1, 2, 3").await;
    // Dates through the script: a date input's keyboard order follows the locale.
    c.execute(
        "document.querySelector('[name=deadline]').value = arguments[0];",
        vec![json!(deadline.to_string())],
    )
    .await
    .unwrap();
    click_to_next_page(&c, "//main//form//button[normalize-space()='บันทึกร่าง']").await;
    wait_text(&c, "p[role=status]", "บันทึกร่างแล้ว").await;
    let id: i64 = c
        .current_url()
        .await
        .unwrap()
        .path()
        .trim_start_matches("/staff/tasks/")
        .parse()
        .unwrap();
    // The user guide, attached to the draft from a file on disk.
    let guide = std::env::temp_dir().join(format!(
        "citizeninfo-e2e-task-guide-{}-{kind}.pdf",
        std::process::id()
    ));
    std::fs::write(&guide, b"%PDF-1.4\n% CITIZENinfo user guide\n").unwrap();
    fill(&c, "title", "คู่มือการใช้งานระบบ CITIZENinfo").await;
    find(&c, "input[name=file]")
        .await
        .send_keys(&guide.display().to_string())
        .await
        .unwrap();
    click_to_next_page(&c, "//form[contains(@action,'/attachments')]//button").await;
    wait_text(&c, "p[role=status]", "แนบไฟล์แล้ว").await;
    wait_text(&c, "#attachments", "คู่มือการใช้งานระบบ CITIZENinfo").await;
    let _ = std::fs::remove_file(&guide);
    let letter = fetch(
        &c,
        "GET",
        &format!("/api/v1/staff/tasks/{id}/letter.pdf"),
        None,
    )
    .await;
    assert_eq!(letter["status"], 200, "{letter}");
    assert_eq!(letter["type"], "application/pdf");
    click_to_next_page(&c, "//main//form[contains(@action,'/do/issue')]//button").await;
    wait_text(&c, "p[role=status]", "สั่งการแล้ว").await;
    let totals = wait_text(&c, "p.totals", "0 / 11").await;
    assert!(totals.contains("ส่งรายงานแล้ว"), "{totals}");
    assert_eq!(
        c.find_all(Locator::Css("#units tbody tr"))
            .await
            .unwrap()
            .len(),
        11,
        "the 11 district offices"
    );
    find(&c, "svg.task-map").await;
    errors.extend(console_errors(&c).await);
    // Attachment 2: each office's Authorize Code, Bang Lamung's for its officer.
    let codes = fetch(
        &c,
        "GET",
        &format!("/api/v1/staff/tasks/{id}/authorize-codes"),
        None,
    )
    .await;
    assert_eq!(codes["status"], 200, "{codes}");
    let rows = codes["json"].as_array().unwrap();
    assert_eq!(rows.len(), 11);
    let code = rows.iter().find(|r| r["unit"] == BANG_LAMUNG).unwrap()["authorize_code"]
        .as_str()
        .unwrap()
        .to_owned();
    sign_out(&c, &base).await;

    // 2. The Bang Lamung officer signs up, opens the mailed link, signs in and binds
    // the account with the code.
    let signed = fetch(
        &c,
        "POST",
        "/api/v1/auth/signup",
        Some(json!({
            "first_name": "สมชาย", "last_name": "ใจดี", "citizen_id": "", "mobile": "",
            "email": "somchai@example.go.th", "username": "somchai1",
            "password": PASSWORD, "password_confirmation": PASSWORD,
        })),
    )
    .await;
    assert_eq!(signed["status"], 201, "{signed}");
    let mail = smtp
        .wait_for("somchai@example.go.th", "/auth/verify?token=")
        .await;
    let link = mail
        .split_whitespace()
        .find(|w| w.starts_with(&format!("{base}/auth/verify?token=")))
        .unwrap()
        .to_owned();
    c.goto(&link).await.unwrap();
    click_to_next_page(&c, "//main//form//button").await;
    wait_text(&c, "p[role=status]", "ยืนยันอีเมลเรียบร้อยแล้ว").await;
    sign_in(&c, &base, "somchai1").await;
    c.goto(&format!("{base}/account")).await.unwrap();
    fill(&c, "authorize_code", &code).await;
    click_to_next_page(&c, "//form[@action='/account/units']//button").await;
    wait_text(&c, "p[role=status]", "บางละมุง").await;

    // 3. The home lists the task with its days left; its checklist shows what is done.
    c.goto(&format!("{base}/staff")).await.unwrap();
    let open = wait_text(&c, "#open-tasks", TITLE).await;
    assert!(open.contains("เหลืออีก 10 วัน"), "{open}");
    click_to_next_page(&c, "//ul[@id='open-tasks']//a").await;
    let unit_page = format!("{base}/staff/tasks/{id}/units/{BANG_LAMUNG}");
    assert_eq!(c.current_url().await.unwrap().as_str(), unit_page);
    assert!(item_done(&c, "signed_up").await, "bound: signed up");
    let signed_up = find(&c, "#item-signed_up").await.text().await.unwrap();
    assert!(signed_up.contains("somchai1"), "{signed_up}");
    assert!(!item_done(&c, "data_checked").await);
    assert!(
        !item_done(&c, "manuals").await,
        "one of the three is not pinned"
    );
    assert!(!item_done(&c, "poster").await);
    let guide = fetch(
        &c,
        "GET",
        &format!("/api/v1/staff/tasks/{id}/attachments/1"),
        None,
    )
    .await;
    assert_eq!(guide["status"], 200, "the letter's guide: {guide}");
    let mut done = items_done(&c, &unit_page).await;
    errors.extend(console_errors(&c).await);

    // 4. The data: through the item's own link, the point's form, saved.
    click_to_next_page(&c, "//tr[@id='item-data_checked']//a").await;
    assert_eq!(
        c.current_url().await.unwrap().path(),
        format!("/staff/service-points/{POINT}")
    );
    fill(&c, "phone0_number", "038-222-999").await;
    click_to_next_page(
        &c,
        "//form[contains(@class,'bo-form')]//button[normalize-space()='บันทึก']",
    )
    .await;
    wait_text(&c, "p[role=status]", "บันทึกแล้ว").await;
    let now = items_done(&c, &unit_page).await;
    assert_eq!(now, done + 1, "data checked");
    assert!(item_done(&c, "data_checked").await);
    done = now;

    // 5. A photo up (the demo's is there already: the item stays done).
    c.goto(&format!("{base}/staff/service-points/{POINT}"))
        .await
        .unwrap();
    let file = std::env::temp_dir().join(format!(
        "citizeninfo-e2e-task-photo-{}-{kind}.png",
        std::process::id()
    ));
    std::fs::write(&file, png()).unwrap();
    find(&c, "input[name=file]")
        .await
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    find(&c, "input#alt")
        .await
        .send_keys("ป้ายหน้าสำนักงาน")
        .await
        .unwrap();
    click_to_next_page(
        &c,
        "//section[@id='photos']//button[normalize-space()='อัปโหลดรูปภาพ']",
    )
    .await;
    wait_text(&c, "p[role=status]", "บันทึกรูปภาพแล้ว").await;
    let _ = std::fs::remove_file(&file);
    assert_eq!(items_done(&c, &unit_page).await, done);
    assert!(item_done(&c, "photo").await);

    // 6. The manuals: the missing one pinned from the item's link.
    click_to_next_page(&c, "//tr[@id='item-manuals']//a").await;
    wait_text(&c, "h1", "ปักหมุดคู่มือ").await;
    click_to_next_page(
        &c,
        "//ul[contains(@class,'pins')]/li[.//button[normalize-space()='ปักหมุด']]//button",
    )
    .await;
    let now = items_done(&c, &unit_page).await;
    assert_eq!(now, done + 1, "manuals pinned");
    assert!(item_done(&c, "manuals").await);
    done = now;

    // 7. The poster downloaded (the item still waits for the office's word that it
    // hangs), then declared hung on the form, with the reporter, and submitted.
    let poster = fetch(
        &c,
        "GET",
        &format!("/staff/posters/download?code={POINT}&format=pdf"),
        None,
    )
    .await;
    assert_eq!(poster["status"], 200, "{poster}");
    assert_eq!(items_done(&c, &unit_page).await, done);
    let evidence = find(&c, "#item-poster").await.text().await.unwrap();
    assert!(evidence.contains("ดาวน์โหลดโปสเตอร์เมื่อ"), "{evidence}");
    // A photo of it on the wall, from the row's own upload.
    let hung = std::env::temp_dir().join(format!(
        "citizeninfo-e2e-task-hung-{}-{kind}.png",
        std::process::id()
    ));
    std::fs::write(&hung, png()).unwrap();
    find(&c, "#photo-poster")
        .await
        .send_keys(&hung.display().to_string())
        .await
        .unwrap();
    click_to_next_page(&c, "//button[@form='photo-form-poster']").await;
    wait_text(&c, "p[role=status]", "บันทึกรูปภาพแล้ว").await;
    let _ = std::fs::remove_file(&hung);
    find(&c, "#item-poster img.declared-photo").await;
    find(&c, "input[name=declared][value=poster]")
        .await
        .click()
        .await
        .unwrap();
    fill(&c, "reporter_name", "นายสมชาย ใจดี").await;
    fill(&c, "reporter_position", "นักวิชาการพัฒนาชุมชน").await;
    click_to_next_page(&c, "//button[@name='send'][@value='submit']").await;
    wait_text(&c, "p[role=status]", "ส่งแบบรายงานแล้ว").await;
    assert!(item_done(&c, "poster").await);
    let all = c
        .find_all(Locator::Css("tr[data-done]"))
        .await
        .unwrap()
        .len();
    assert_eq!(items_done(&c, &unit_page).await, all, "every item done");
    errors.extend(console_errors(&c).await);
    sign_out(&c, &base).await;

    // 8. The province: 1 of 11 submitted, on time, 10 not yet; returned once.
    sign_in(&c, &base, "provsup").await;
    c.goto(&format!("{base}/staff/tasks/{id}")).await.unwrap();
    let totals = wait_text(&c, "p.totals", "1 / 11").await;
    assert!(
        totals.contains("ทันกำหนด 1") && totals.contains("ยังไม่ส่ง 10"),
        "{totals}"
    );
    let row = find(
        &c,
        &format!("#units tr:has(a[href$='/units/{BANG_LAMUNG}'])"),
    )
    .await;
    assert_eq!(
        row.attr("data-state").await.unwrap().as_deref(),
        Some("submitted")
    );
    c.goto(&unit_page).await.unwrap();
    fill(&c, "comment", "กรุณาระบุหมายเหตุการติดตั้งโปสเตอร์").await;
    click_to_next_page(&c, "//button[@name='decision'][@value='return']").await;
    wait_text(&c, "p[role=status]", "ส่งคืนรายงานแล้ว").await;
    sign_out(&c, &base).await;

    // 9. The officer reads why, adds the remark and sends it again; it is accepted.
    sign_in(&c, &base, "somchai1").await;
    c.goto(&unit_page).await.unwrap();
    wait_text(&c, "#returned", "กรุณาระบุหมายเหตุการติดตั้งโปสเตอร์").await;
    fill(&c, "remark_poster", "ติดตั้งที่เคาน์เตอร์ประชาสัมพันธ์").await;
    click_to_next_page(&c, "//button[@name='send'][@value='submit']").await;
    wait_text(&c, "p[role=status]", "ส่งแบบรายงานแล้ว").await;
    let pdf = fetch(
        &c,
        "GET",
        &format!("/api/v1/staff/tasks/{id}/units/{BANG_LAMUNG}/report.pdf"),
        None,
    )
    .await;
    assert_eq!(pdf["status"], 200, "{pdf}");
    sign_out(&c, &base).await;
    sign_in(&c, &base, "provsup").await;
    c.goto(&unit_page).await.unwrap();
    click_to_next_page(&c, "//button[@name='decision'][@value='accept']").await;
    wait_text(&c, "p[role=status]", "ตรวจรับรายงานแล้ว").await;
    c.goto(&format!("{base}/staff/tasks/{id}")).await.unwrap();
    let totals = wait_text(&c, "p.totals", "1 / 11").await;
    assert!(totals.contains("ตรวจรับแล้ว 1"), "{totals}");
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        json!(false),
        "the dashboard scrolls sideways at {window:?}"
    );
    let shot = std::env::temp_dir().join(format!("citizeninfo-e2e-task-dashboard-{kind}.png"));
    std::fs::write(&shot, c.screenshot().await.unwrap()).unwrap();
    let violations = wcag_violations(&c).await;
    assert!(
        violations.is_empty(),
        "WCAG on the dashboard: {violations:?}"
    );
    c.goto(&unit_page).await.unwrap();
    let violations = wcag_violations(&c).await;
    assert!(
        violations.is_empty(),
        "WCAG on the report form: {violations:?}"
    );
    errors.extend(console_errors(&c).await);

    // 10. Two days before the deadline the reminders go: to Sattahip's member, who has
    // not reported, and not to Bang Lamung, whose report is in.
    let sent = app::task_reminders::send_due(
        &state.app,
        chrono::Utc::now() + chrono::Duration::days(8),
        3,
    )
    .await
    .unwrap();
    assert!(sent.mails >= 1, "{sent:?}");
    let reminder = smtp.wait_for("shmember@example.go.th", TITLE).await;
    assert!(
        reminder.contains(&format!("/staff/tasks/{id}/units/{SATTAHIP_OFFICE}")),
        "{reminder}"
    );
    assert!(
        smtp.messages_to("somchai@example.go.th")
            .iter()
            .all(|(_, b)| !b.contains(TITLE)),
        "no reminder for a report that is in"
    );
    // The dashboard shows who was reminded, and the offices nobody could be mailed at.
    c.goto(&format!("{base}/staff/tasks/{id}")).await.unwrap();
    let sattahip = find(
        &c,
        &format!("#units tr:has(a[href$='/units/{SATTAHIP_OFFICE}'])"),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(!sattahip.contains("ไม่มีอีเมลผู้รับ"), "{sattahip}");
    assert!(
        sattahip.contains("2569") || sattahip.contains("2570"),
        "a day: {sattahip}"
    );
    let mueang = find(&c, "#units tr:has(a[href$='/units/0112140410101'])")
        .await
        .text()
        .await
        .unwrap();
    assert!(mueang.contains("ไม่มีอีเมลผู้รับ"), "{mueang}");

    c.close().await.unwrap();
    drop(driver);
    server.abort();
    // A refused form comes back with 422, which Chromium logs as a failed load.
    let real: Vec<&String> = errors
        .iter()
        .filter(|e| !e.contains("status of 422"))
        .collect();
    assert!(real.is_empty(), "console errors: {real:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_the_letters_task_sqlite_phone() {
    let t = crate::support::TestDb::sqlite().await;
    seed_case(t.db.clone(), "sqlite", PHONE).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_the_letters_task_postgres_desktop() {
    let t = crate::support::TestDb::postgres().await;
    seed_case(t.db.clone(), "postgres", DESKTOP).await;
    t.finish().await;
}
