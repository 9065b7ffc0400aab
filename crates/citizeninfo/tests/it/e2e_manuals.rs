//! The manual form in a real headless Chromium: a department's administrator signs in,
//! opens the catalogue from the menu, starts a manual, adds a step row with the form's
//! own button (no script), saves with Enter from a text field (which must save, not add
//! a row), and sees the checks by their fields. The form is checked at a phone's width
//! (412 px) and a laptop's (1366×768): no sideways scroll of the whole page, and a
//! screenshot of each in the system temp folder. SQLite opens at the phone's width,
//! PostgreSQL at the laptop's.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use storage::Db;

use crate::browser::*;
use crate::support::{test_config, with_demo};

const DEPARTMENT: &str = "0112140000000";
const PASSWORD: &str = "Chonburi2569";
/// The page does not scroll sideways as a whole at this width; then a screenshot.
async fn fits_and_screenshot(c: &Client, (width, height): (u32, u32), name: &str) {
    c.set_window_size(width, height).await.unwrap();
    let m = eventually(&format!("{name} at {width} px"), || async {
        let m = c
            .execute(
                "const over = e => e.getBoundingClientRect().right > window.innerWidth + 1;
                 const said = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.getAttribute('name') ? '[name=' + e.getAttribute('name') + ']' : '')
                   + ' ' + Math.round(e.getBoundingClientRect().width) + ' px wide';
                 const wide = [...document.querySelectorAll('body *')].filter(over);
                 return [document.documentElement.scrollWidth, window.innerWidth,
                   wide.filter(e => !over(e.parentElement)).map(said)];",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        if m[1].as_u64() == Some(u64::from(width)) {
            Ok(m)
        } else {
            Err(format!("the window is {} px wide", m[1]))
        }
    })
    .await;
    let (scroll, inner) = (m[0].as_u64().unwrap(), m[1].as_u64().unwrap());
    assert!(
        scroll <= inner + 1,
        "{name}: the page scrolls sideways at {width} px: scrollWidth {scroll} > {inner}; \
         the outermost elements past the edge: {:#}",
        m[2]
    );
    let png = c.screenshot().await.unwrap();
    let shot = image::load_from_memory(&png).expect("a screenshot that decodes");
    assert_eq!(shot.width(), width, "{name}: the screenshot's width");
    let path = std::env::temp_dir().join(format!("citizeninfo-e2e-{name}-{width}px.png"));
    std::fs::write(&path, &png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

async fn administrator_writes_a_manual(db: Db, kind: &str, window: (u32, u32)) {
    with_demo(&db).await;
    crate::scope::person(&db, "deptadm9", false, Some((DEPARTMENT, "admin"))).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = web::AppState::new(db.clone(), test_config()).await.unwrap();
    let server = serve(listener, state);
    let driver = start_driver().await;
    let c = browser(&driver, window).await;
    let mut errors = Vec::new();

    // Sign in; the catalogue from the menu.
    c.goto(&format!("{base}/signin")).await.unwrap();
    wait_text(&c, "h1", "เข้าสู่ระบบ").await;
    fill(&c, "username", "deptadm9").await;
    fill(&c, "password", PASSWORD).await;
    click_to_next_page(&c, "//main//form//button").await;
    click_to_next_page(
        &c,
        "//nav[contains(@class,'bo-menu')]//a[@href='/staff/manuals']",
    )
    .await;
    wait_text(&c, "h1", "แคตตาล็อกคู่มือ").await;
    wait_text(&c, "main", "การลงทะเบียนผู้ผลิต").await;
    click_to_next_page(&c, "//main//a[@href='/staff/manuals/new']").await;
    wait_text(&c, "h1", "สร้างคู่มือใหม่").await;
    errors.extend(console_errors(&c).await);

    // A step row added by the form's own button: what was typed stays.
    fill(&c, "key", &format!("e2e-{kind}")).await;
    fill(&c, "title_th", "การรับรองผลิตภัณฑ์ชุมชน").await;
    fill(&c, "step0_description", "ตรวจสอบคำขอ").await;
    fill(&c, "step0_value", "2").await;
    assert!(c.find(Locator::Css("[name=step1_value]")).await.is_err());
    click_to_next_page(&c, "//button[@name='add' and @value='steps']").await;
    find(&c, "[name=step1_value]").await;
    assert_eq!(value_of(&c, "title_th").await, "การรับรองผลิตภัณฑ์ชุมชน");
    assert_eq!(value_of(&c, "step0_value").await, "2");
    fits_and_screenshot(&c, PHONE, &format!("manual-new-{kind}")).await;
    fits_and_screenshot(&c, DESKTOP, &format!("manual-new-{kind}")).await;
    c.set_window_size(window.0, window.1).await.unwrap();

    // Enter in a text field saves the draft; it does not add a row.
    let title_en = find(&c, "[name=title_en]").await;
    title_en.send_keys("Certification").await.unwrap();
    to_next_page(&c, "Enter in a text field", || async {
        title_en.send_keys(&Key::Enter.to_string()).await.unwrap();
    })
    .await;
    let url = c.current_url().await.unwrap();
    assert_eq!(
        url.path(),
        format!("/staff/manuals/e2e-{kind}/edit"),
        "{url}"
    );
    // The checks by their fields: no fee stated, no documents stated.
    wait_text(&c, "#fees-error", "ค่าธรรมเนียม").await;
    wait_text(&c, "#documents-error", "เอกสาร").await;
    let described = find(&c, "[name=no_fee]")
        .await
        .attr("aria-describedby")
        .await
        .unwrap();
    assert_eq!(
        described, None,
        "the section carries the message, not the tick"
    );
    assert!(
        c.find(Locator::Css("#publish form")).await.is_err(),
        "no publish button while an error stands"
    );
    fits_and_screenshot(&c, PHONE, &format!("manual-edit-{kind}")).await;
    fits_and_screenshot(&c, DESKTOP, &format!("manual-edit-{kind}")).await;
    errors.extend(console_errors(&c).await);

    c.close().await.unwrap();
    drop(driver);
    server.abort();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_manual_form_sqlite_phone() {
    let t = crate::support::TestDb::sqlite().await;
    administrator_writes_a_manual(t.db.clone(), "sqlite", PHONE).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_manual_form_postgres_desktop() {
    let t = crate::support::TestDb::postgres().await;
    administrator_writes_a_manual(t.db.clone(), "postgres", DESKTOP).await;
    t.finish().await;
}
