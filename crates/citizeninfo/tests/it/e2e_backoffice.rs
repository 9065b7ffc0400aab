//! End to end in a real headless Chromium: a district officer, editor of the Bang Lamung
//! office, signs in through the form, finds the office's service point in the back
//! office, changes its Friday hours, its phone and its pin, adds a photo and deletes it
//! again, pins a manual, and sees each change on the public page at once; a pin in the sea is refused
//! by the field and changes nothing. SQLite runs it at a phone's width (412 px),
//! PostgreSQL at 1366×768, and both check the form at the two widths: no sideways
//! scroll of the whole page, and a screenshot of each in the system temp folder.

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use storage::Db;

use crate::browser::*;
use crate::support::{test_config, with_demo};

const OFFICE: &str = "0112140410104";
const POINT: &str = "0112140410304";
const PASSWORD: &str = "Chonburi2569";
const POINT_NAME: &str = "สำนักงานพัฒนาชุมชนอำเภอบางละมุง";
/// The photo the officer uploads, by its alternative text.
const MINE: &str = "img[alt='ด้านหน้าสำนักงาน']";
/// A staff API answer, fetched by the page itself with its session.
async fn fetch_json(c: &Client, path: &str) -> Value {
    c.execute_async(
        "const done = arguments[arguments.length - 1];
         fetch(arguments[0], { credentials: 'same-origin' })
           .then(r => r.ok ? r.json() : { http_status: r.status })
           .then(done, e => done({ error: String(e) }));",
        vec![json!(path)],
    )
    .await
    .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// The text of the public page's hours row whose day name holds `day`.
async fn hours_of(c: &Client, day: &str) -> String {
    for row in c.find_all(Locator::Css("table tbody tr")).await.unwrap() {
        let th = row
            .find(Locator::Css("th"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if th.contains(day) {
            return row
                .find(Locator::Css("td"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
        }
    }
    panic!("no hours row for {day}");
}

async fn public_page(c: &Client, base: &str) -> String {
    c.goto(&format!("{base}/sp/{POINT}")).await.unwrap();
    wait_text(c, "h1", POINT_NAME).await;
    find(c, "main").await.text().await.unwrap()
}

/// Waits until the image has loaded from the server; gives its natural size.
async fn loaded(c: &Client, css: &str) -> (u64, u64) {
    let img = find(c, css).await;
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![serde_json::to_value(&img).unwrap()],
    )
    .await
    .unwrap();
    eventually(&format!("{css} loaded"), || async {
        let v = c
            .execute(
                "const i = arguments[0]; return [i.complete, i.naturalWidth, i.naturalHeight];",
                vec![serde_json::to_value(&img).unwrap()],
            )
            .await
            .map_err(|e| e.to_string())?;
        match (v[0].as_bool(), v[1].as_u64(), v[2].as_u64()) {
            (Some(true), Some(w), Some(h)) if w > 0 && h > 0 => Ok((w, h)),
            _ => Err(v.to_string()),
        }
    })
    .await
}

/// The uploaded gradient's shape, give or take a pixel of rounding.
fn four_by_three(w: u64, h: u64) -> bool {
    w > 0 && (w * 3).abs_diff(h * 4) <= 4
}

fn size_attr(value: Option<String>, which: &str) -> u64 {
    value
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("the photo has no numeric {which} attribute"))
}

/// The window is as wide as asked, and the page does not scroll sideways as a whole
/// (a wide table may scroll in its own box); then a screenshot, kept in the temp folder.
async fn fits_and_screenshot(c: &Client, (width, _): (u32, u32), name: &str) {
    let m = c
        .execute(
            "const over = e => e.getBoundingClientRect().right > window.innerWidth + 1;
             const said = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
               + (e.getAttribute('name') ? '[name=' + e.getAttribute('name') + ']' : '')
               + ' ' + Math.round(e.getBoundingClientRect().width) + ' px wide, '
               + JSON.stringify((e.textContent || '').trim().slice(0, 30));
             const wide = [...document.querySelectorAll('body *')].filter(over);
             return [document.documentElement.scrollWidth, window.innerWidth,
               wide.filter(e => !over(e.parentElement)).map(said), wide.slice(0, 10).map(said)];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (m[0].as_u64().unwrap(), m[1].as_u64().unwrap());
    assert_eq!(inner, u64::from(width), "the window is {width} px wide");
    assert!(
        scroll <= inner + 1,
        "{name}: the page scrolls sideways at {width} px: scrollWidth {scroll} > innerWidth {inner}; \
         the outermost elements past the window's edge: {:#}; all of them: {:#}",
        m[2],
        m[3]
    );
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
    let shot = image::load_from_memory(&png).expect("a screenshot that decodes");
    assert_eq!(shot.width(), width, "{name}: the screenshot's width");
    let path = std::env::temp_dir().join(format!("citizeninfo-e2e-{name}-{width}px.png"));
    std::fs::write(&path, &png).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 0);
    eprintln!("screenshot: {}", path.display());
}

/// A real photo-like PNG: a gradient, 800×600 (as the photo tests upload).
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A file of the test, removed when it ends, pass or fail.
struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn officer_edits_a_point(db: Db, kind: &str, window: (u32, u32)) {
    with_demo(&db).await;
    crate::scope::person(&db, "officer1", false, Some((OFFICE, "editor"))).await;
    let config = test_config();
    let media_dir = config.media_dir.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = serve(
        listener,
        web::AppState::new(db.clone(), config).await.unwrap(),
    );
    let driver = start_driver().await;
    let c = browser(&driver, window).await;
    let mut errors = Vec::new();
    let form_url = format!("{base}/staff/service-points/{POINT}");

    // Before: the demo's phone and hours, its one photo (a drawing of the office).
    let before = public_page(&c, &base).await;
    assert!(before.contains("0 3822 2016"), "{before}");
    assert!(!before.contains("0 3822 2999"), "{before}");
    assert!(!hours_of(&c, "ศุกร์").await.contains("15:30"), "{before}");
    assert!(before.contains("พิกัด") && !before.contains("12.93000, 100.90000"));
    assert_eq!(
        c.find_all(Locator::Css(".photos img")).await.unwrap().len(),
        1
    );
    assert!(c.find_all(Locator::Css(MINE)).await.unwrap().is_empty());

    // 1. Sign in through the form: the staff home.
    c.goto(&format!("{base}/signin")).await.unwrap();
    wait_text(&c, "h1", "เข้าสู่ระบบ").await;
    fill(&c, "username", "officer1").await;
    fill(&c, "password", PASSWORD).await;
    click_to_next_page(&c, "//main//form//button").await;
    wait_text(&c, "h1", "ระบบจัดการข้อมูล").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/staff");
    errors.extend(console_errors(&c).await);

    // 2. The listing from the menu, the point from the table.
    click_to_next_page(
        &c,
        "//nav[contains(@class,'bo-menu')]//a[@href='/staff/service-points']",
    )
    .await;
    wait_text(&c, "h1", "จุดบริการและโครงสร้าง").await;
    assert_eq!(
        c.current_url().await.unwrap().path(),
        "/staff/service-points"
    );
    let row = wait_text(&c, "table.bo-table tbody", POINT).await;
    assert!(row.contains(POINT_NAME), "{row}");
    click_to_next_page(
        &c,
        &format!("//table[contains(@class,'bo-table')]//a[@href='/staff/service-points/{POINT}']"),
    )
    .await;
    wait_text(&c, "h1", POINT_NAME).await;
    assert_eq!(
        c.current_url().await.unwrap().path(),
        format!("/staff/service-points/{POINT}")
    );
    errors.extend(console_errors(&c).await);

    // 3. Friday's afternoon closing, the first phone and the pin; the pin is checked
    // with the API first, as the signed-in officer. The map's script placed the pin.
    let script = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/assets/staff.js').then(r => done([r.status, r.headers.get('content-type')]),
               e => done([0, String(e)]));",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        script[0] == 200 && script[1].as_str().is_some_and(|t| t.contains("javascript")),
        "the form's map script /assets/staff.js is not served: {script}"
    );
    find(&c, "#pin-map .leaflet-marker-icon").await;
    assert_eq!(value_of(&c, "d5_c2").await, "16:30");
    assert_eq!(value_of(&c, "phone0_number").await, "038222016");
    let district = fetch_json(&c, "/api/v1/staff/locate?lat=12.9300&lon=100.9000").await;
    assert_eq!(district["code"], "2004", "{district}");
    assert_eq!(district["name"], "บางละมุง", "{district}");
    let sea = fetch_json(&c, "/api/v1/staff/locate?lat=12.95&lon=100.55").await;
    assert_eq!(
        sea,
        Value::Null,
        "a pin in the sea is in no district: {sea}"
    );
    fill(&c, "d5_c2", "15:30").await;
    fill(&c, "phone0_number", "038-222-999").await;
    fill(&c, "lat", "12.9300").await;
    fill(&c, "lon", "100.9000").await;
    click_to_next_page(
        &c,
        "//form[contains(@class,'bo-form')]//button[normalize-space()='บันทึก']",
    )
    .await;
    wait_text(&c, "p[role=status]", "บันทึกแล้ว").await;
    assert!(
        c.find_all(Locator::Css("#errors"))
            .await
            .unwrap()
            .is_empty(),
        "no error summary after a save"
    );
    // The form shows what was saved, the pin still in Bang Lamung.
    assert_eq!(value_of(&c, "d5_c2").await, "15:30");
    assert_eq!(value_of(&c, "d5_c1").await, "12:00");
    assert_eq!(value_of(&c, "d5_o2").await, "13:00");
    assert_eq!(value_of(&c, "d4_c2").await, "16:30", "Thursday unchanged");
    assert_eq!(
        value_of(&c, "phone0_number")
            .await
            .replace(|ch: char| !ch.is_ascii_digit(), ""),
        "038222999"
    );
    assert_eq!(value_of(&c, "phone1_number").await, "038222017");
    assert_eq!(value_of(&c, "lat").await, "12.930000");
    assert_eq!(value_of(&c, "lon").await, "100.900000");
    wait_text(&c, "#pin-in", "อำเภอบางละมุง").await;
    let revision = find(&c, "input[name=revision]")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    errors.extend(console_errors(&c).await);

    // 4. A photo, from a file on disk through the upload form.
    let file = TempFile(std::env::temp_dir().join(format!(
        "citizeninfo-e2e-photo-{}-{kind}.png",
        std::process::id()
    )));
    std::fs::write(&file.0, png()).unwrap();
    assert_eq!(
        c.find_all(Locator::Css("#photos img")).await.unwrap().len(),
        1,
        "the demo's photo only"
    );
    find(&c, "input[name=file]")
        .await
        .send_keys(&file.0.display().to_string())
        .await
        .unwrap();
    // The upload form's field: each photo above has its own `alt` too.
    let alt = find(&c, "input#alt").await;
    alt.send_keys("ด้านหน้าสำนักงาน").await.unwrap();
    click_to_next_page(
        &c,
        "//section[@id='photos']//button[normalize-space()='อัปโหลดรูปภาพ']",
    )
    .await;
    wait_text(&c, "p[role=status]", "บันทึกรูปภาพแล้ว").await;
    let thumb = &format!("#photos {MINE}");
    find(&c, thumb).await;
    let (tw, th) = loaded(&c, thumb).await;
    assert!(four_by_three(tw, th), "the thumbnail keeps 4:3: {tw}×{th}");
    errors.extend(console_errors(&c).await);

    // 5. The public page: the new phone, Friday until 15:30, the pin, the photo with its
    // size.
    let after = public_page(&c, &base).await;
    assert!(after.contains("0 3822 2999"), "{after}");
    assert!(!after.contains("0 3822 2016"), "{after}");
    assert!(
        after.contains("0 3822 2017"),
        "the second phone stays: {after}"
    );
    let friday = hours_of(&c, "ศุกร์").await;
    assert!(
        friday.contains("15:30") && friday.contains("08:30"),
        "{friday}"
    );
    assert!(!friday.contains("16:30"), "{friday}");
    assert!(hours_of(&c, "พฤหัส").await.contains("16:30"));
    assert!(after.contains("12.93000, 100.90000"), "{after}");
    let tel = find(&c, "a[href^='tel:']")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(tel.contains("38222999"), "{tel}");
    let public_photo = &format!(".photos {MINE}");
    let photo = find(&c, public_photo).await;
    let w = size_attr(photo.attr("width").await.unwrap(), "width");
    let h = size_attr(photo.attr("height").await.unwrap(), "height");
    assert!(four_by_three(w, h), "the photo keeps 4:3: {w}×{h}");
    assert_eq!(
        loaded(&c, public_photo).await,
        (w, h),
        "the width and height attributes are the served image's"
    );
    errors.extend(console_errors(&c).await);

    // 6. Deleted from the form, gone from the public page.
    c.goto(&form_url).await.unwrap();
    wait_text(&c, "h1", POINT_NAME).await;
    find(&c, thumb).await;
    click_to_next_page(
        &c,
        "//section[@id='photos']//li[img[@alt='ด้านหน้าสำนักงาน']]//button[normalize-space()='ลบรูปภาพ']",
    )
    .await;
    wait_text(&c, "p[role=status]", "บันทึกรูปภาพแล้ว").await;
    assert!(
        c.find_all(Locator::Css(thumb)).await.unwrap().is_empty(),
        "the photo is gone from the form"
    );
    assert_eq!(
        c.find_all(Locator::Css("#photos img")).await.unwrap().len(),
        1
    );
    public_page(&c, &base).await;
    assert!(
        c.find_all(Locator::Css(public_photo))
            .await
            .unwrap()
            .is_empty(),
        "the photo is gone from the public page"
    );
    assert_eq!(
        c.find_all(Locator::Css(".photos img")).await.unwrap().len(),
        1
    );
    errors.extend(console_errors(&c).await);

    // 6b. A manual pinned from the point's pins page: on the public page at once.
    c.goto(&format!("{base}/staff/service-points/{POINT}/manuals"))
        .await
        .unwrap();
    wait_text(&c, "h1", "ปักหมุดคู่มือ").await;
    let unpinned = "//ul[contains(@class,'pins')]/li[.//button[normalize-space()='ปักหมุด']]";
    let title = c
        .find(Locator::XPath(&format!("{unpinned}/a")))
        .await
        .expect("a manual not pinned here yet")
        .text()
        .await
        .unwrap();
    assert!(!public_page(&c, &base).await.contains(&title), "{title}");
    c.goto(&format!("{base}/staff/service-points/{POINT}/manuals"))
        .await
        .unwrap();
    wait_text(&c, "h1", "ปักหมุดคู่มือ").await;
    click_to_next_page(
        &c,
        &format!("//ul[contains(@class,'pins')]/li[a[normalize-space()='{title}']]//button"),
    )
    .await;
    let line = wait_text(&c, "ul.pins", &format!("{title} · ปักหมุดแล้ว")).await;
    assert!(line.contains(&title), "{line}");
    let shown = public_page(&c, &base).await;
    assert!(
        shown.contains(&title),
        "the pinned manual is listed: {shown}"
    );
    errors.extend(console_errors(&c).await);

    // 7. A pin in the sea: refused by the field, what was typed kept, nothing saved.
    c.goto(&form_url).await.unwrap();
    wait_text(&c, "h1", POINT_NAME).await;
    wait_text(&c, "#pin-in", "อำเภอบางละมุง").await;
    // The longitude first: on the way, too, the pin is at sea, so the script's answers
    // for either field agree in whatever order they come.
    fill(&c, "lon", "100.55").await;
    fill(&c, "lat", "12.95").await;
    // Leaving the field moves the pin and asks where it is: nowhere.
    find(&c, "input[name=lat]")
        .await
        .send_keys("\u{e004}")
        .await
        .unwrap();
    wait_text(&c, "#pin-in", "-").await;
    assert!(
        !find(&c, "#pin-in")
            .await
            .text()
            .await
            .unwrap()
            .contains("บางละมุง"),
        "the script shows that the pin left the district"
    );
    click_to_next_page(
        &c,
        "//form[contains(@class,'bo-form')]//button[normalize-space()='บันทึก']",
    )
    .await;
    let summary = wait_text(&c, "#errors", "ทะเล").await;
    assert!(summary.contains("กรุณาแก้ไขข้อมูลที่ระบุ"), "{summary}");
    let lat = find(&c, "input[name=lat]").await;
    assert_eq!(
        lat.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        lat.attr("aria-describedby").await.unwrap().as_deref(),
        Some("lat-error")
    );
    assert!(wait_text(&c, "#lat-error", "ทะเล").await.contains("ทะเล"));
    assert_eq!(value_of(&c, "lat").await, "12.95", "what was typed stays");
    assert_eq!(value_of(&c, "lon").await, "100.55");
    assert!(
        c.find_all(Locator::Css("p[role=status]"))
            .await
            .unwrap()
            .is_empty(),
        "no 'saved' notice"
    );
    // The refused form, too, fits the window.
    fits_and_screenshot(&c, window, &format!("backoffice-refused-{kind}")).await;
    errors.extend(console_errors(&c).await);
    let still = public_page(&c, &base).await;
    assert!(still.contains("12.93000, 100.90000"), "{still}");
    assert!(!still.contains("12.95000"), "{still}");
    c.goto(&form_url).await.unwrap();
    wait_text(&c, "h1", POINT_NAME).await;
    assert_eq!(value_of(&c, "lat").await, "12.930000");
    assert_eq!(
        find(&c, "input[name=revision]")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap(),
        revision,
        "no new revision"
    );

    // 8. The form at a phone's width and at a laptop's, from this test's start width.
    let widths = if window == PHONE {
        [PHONE, DESKTOP]
    } else {
        [DESKTOP, PHONE]
    };
    for size in widths {
        c.set_window_size(size.0, size.1).await.unwrap();
        c.goto(&form_url).await.unwrap();
        wait_text(&c, "h1", POINT_NAME).await;
        fits_and_screenshot(&c, size, &format!("backoffice-form-{kind}")).await;
    }
    errors.extend(console_errors(&c).await);

    // 9. The import page at both widths, with the report of a refused line: the
    // office's export, its line's pin moved to the sea. Nothing is written.
    let export = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/api/v1/staff/service-points?format=csv').then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let export = export.as_str().expect("the export as text");
    let mut lines = csv::Reader::from_reader(export.trim_start_matches('\u{feff}').as_bytes());
    let headers = lines.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h.contains(name)).unwrap();
    let (lat, lon) = (column("Latitude"), column("Longitude"));
    let mut line: Vec<String> = lines
        .records()
        .next()
        .expect("the office's line")
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    line[lat] = "12.95".into();
    line[lon] = "100.55".into();
    let mut sheet = csv::Writer::from_writer(Vec::new());
    sheet.write_record(&headers).unwrap();
    sheet.write_record(&line).unwrap();
    let sheet_file = TempFile(std::env::temp_dir().join(format!(
        "citizeninfo-e2e-import-{}-{kind}.csv",
        std::process::id()
    )));
    std::fs::write(&sheet_file.0, sheet.into_inner().unwrap()).unwrap();
    for size in widths {
        c.set_window_size(size.0, size.1).await.unwrap();
        c.goto(&format!("{base}/staff/import")).await.unwrap();
        wait_text(&c, "h1", "นำเข้าจากไฟล์").await;
        fits_and_screenshot(&c, size, &format!("backoffice-import-{kind}")).await;
        find(&c, "input#file")
            .await
            .send_keys(&sheet_file.0.display().to_string())
            .await
            .unwrap();
        click_to_next_page(&c, "//main//form[.//input[@id='file']]//button").await;
        let report = wait_text(&c, "table.bo-table", "2").await;
        assert!(report.contains("ละติจูด"), "the pin's column: {report}");
        fits_and_screenshot(&c, size, &format!("backoffice-import-refused-{kind}")).await;
    }
    errors.extend(console_errors(&c).await);
    let now = fetch_json(&c, &format!("/api/v1/staff/service-points/{POINT}")).await;
    assert_ne!(now["location"]["lat"], 12.95, "nothing written: {now}");

    c.close().await.unwrap();
    drop(driver);
    server.abort();
    let _ = std::fs::remove_dir_all(media_dir);
    // The refused save and the two refused imports come back with 422 by design,
    // which Chromium logs as a failed load; anything else is an error.
    let refused = |e: &String| e.contains("status of 422 (Unprocessable Entity)");
    assert_eq!(
        errors.iter().filter(|e| refused(e)).count(),
        3,
        "{errors:#?}"
    );
    errors.retain(|e| !refused(e));
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_officer_edits_a_point_sqlite_phone() {
    let t = crate::support::TestDb::sqlite().await;
    officer_edits_a_point(t.db.clone(), "sqlite", PHONE).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_officer_edits_a_point_postgres_desktop() {
    let t = crate::support::TestDb::postgres().await;
    officer_edits_a_point(t.db.clone(), "postgres", DESKTOP).await;
    t.finish().await;
}
