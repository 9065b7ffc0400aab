//! The back office's pages, on both databases: the staff home and its menu, the table
//! of service points, and the service point form with its save, its refusals, the
//! stale form, the history and the revert.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use storage::Db;

use crate::on_both_databases;
use crate::scope::{cookie, person};
use crate::support::{Reply, app, enc, get, reply, send_json, with_demo};

const BANG_LAMUNG: &str = "0112140410104";
const POINT: &str = "0112140410304";

async fn page(app: &Router, c: &str, uri: &str) -> Reply {
    reply(
        app,
        Request::get(uri)
            .header("cookie", c)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn post_form(app: &Router, c: &str, uri: &str, fields: &[(String, String)]) -> Reply {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    reply(
        app,
        Request::post(uri)
            .header("cookie", c)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The form's fields for the point as the staff API gives it.
fn form_of(p: &Value) -> Vec<(String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let mut f: Vec<(String, String)> = vec![
        ("revision".into(), p["revision"].to_string()),
        ("name".into(), s(&p["name"])),
        ("name_en".into(), s(&p["name_en"])),
        ("description".into(), s(&p["description"])),
        ("description_en".into(), s(&p["description_en"])),
        ("lat".into(), p["location"]["lat"].to_string()),
        ("lon".into(), p["location"]["lon"].to_string()),
        ("email".into(), s(&p["email"])),
        ("website".into(), s(&p["website"])),
        ("gecc_level".into(), s(&p["gecc_level"])),
        ("hours_note".into(), s(&p["hours"]["note"])),
        ("hours_note_en".into(), s(&p["hours"]["note_en"])),
    ];
    for k in [
        "house_no",
        "moo",
        "building",
        "road",
        "subdistrict",
        "district",
        "province",
        "postcode",
    ] {
        f.push((k.into(), s(&p["address"][k])));
    }
    if p["visible"] == true {
        f.push(("visible".into(), "on".into()));
    }
    for (i, ph) in p["phones"].as_array().unwrap().iter().enumerate() {
        f.push((format!("phone{i}_number"), s(&ph["number"])));
        f.push((format!("phone{i}_ext"), s(&ph["ext"])));
        f.push((format!("phone{i}_label"), s(&ph["label"])));
    }
    let mut seen = std::collections::HashMap::<u64, usize>::new();
    for w in p["hours"]["weekly"].as_array().unwrap() {
        let d = w["weekday"].as_u64().unwrap();
        let j = seen.entry(d).or_default();
        *j += 1;
        f.push((format!("d{d}_o{j}"), s(&w["opens"])));
        f.push((format!("d{d}_c{j}"), s(&w["closes"])));
    }
    f
}

fn set(f: &mut Vec<(String, String)>, k: &str, v: &str) {
    f.retain(|(n, _)| n != k);
    f.push((k.into(), v.into()));
}

async fn staff_json(app: &Router, c: &str) -> Value {
    send_json(
        app,
        "GET",
        &format!("/api/v1/staff/service-points/{POINT}"),
        None,
        Some(c),
    )
    .await
    .json()
}

async fn pages(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "editor31", false, Some((BANG_LAMUNG, "editor"))).await;
    person(&db, "viewer31", false, Some((BANG_LAMUNG, "viewer"))).await;
    let c = cookie(&app, "editor31").await;

    // Without a session: to the sign-in page.
    let r = get(&app, "/staff").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The home: the menu, the unit and role, and nothing needs attention in the demo.
    let r = page(&app, &c, "/staff").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("จุดบริการและโครงสร้าง"), "{}", r.body);
    assert!(r.body.contains("ผู้แก้ไขข้อมูล"), "{}", r.body);
    assert!(r.body.contains("ไม่มีรายการที่ต้องดำเนินการ"), "{}", r.body);
    // Without its photo, the office needs attention: the home and data quality say
    // so, and link to the form.
    let photo = staff_json(&app, &c).await["photos"][0]["id"].clone();
    let r = send_json(
        &app,
        "DELETE",
        &format!("/api/v1/staff/service-points/{POINT}/photos/{photo}"),
        None,
        Some(&c),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.body);
    let r = page(&app, &c, "/staff").await;
    assert!(
        r.body.contains("/staff/quality?check=missing_photo"),
        "{}",
        r.body
    );
    let r = page(&app, &c, "/staff/quality?check=missing_photo").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(&format!("/staff/service-points/{POINT}")),
        "{}",
        r.body
    );

    // The table: the office's point, with the export links; a filter narrows it.
    let r = page(&app, &c, "/staff/service-points").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("/staff/service-points/{POINT}")));
    assert!(r.body.contains("format=csv") && r.body.contains("format=xlsx"));
    let r = page(
        &app,
        &c,
        &format!("/staff/service-points?q={}", enc("ไม่มีชื่อนี้")),
    )
    .await;
    assert!(!r.body.contains(&format!("/staff/service-points/{POINT}\"")));

    // The form shows every field; a save changes the public page at once.
    let r = page(&app, &c, &format!("/staff/service-points/{POINT}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for name in [
        "name=\"name\"",
        "name=\"lat\"",
        "name=\"phone0_number\"",
        "name=\"d1_o2\"",
        "name=\"exceptions\"",
        "id=\"pin-map\"",
    ] {
        assert!(r.body.contains(name), "{name}");
    }
    let before = staff_json(&app, &c).await;
    let mut f = form_of(&before);
    set(&mut f, "phone0_number", "038-222-999");
    set(&mut f, "d5_c2", "15:30");
    set(
        &mut f,
        "exceptions",
        "2027-01-04..2027-01-05 ปิด ปรับปรุงสำนักงาน",
    );
    let r = post_form(&app, &c, &format!("/staff/service-points/{POINT}"), &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = get(&app, &format!("/sp/{POINT}")).await;
    assert!(p.body.contains("0 3822 2999"), "{}", p.body);
    let after = staff_json(&app, &c).await;
    assert_eq!(after["hours"]["exceptions"].as_array().unwrap().len(), 2);

    // Bad input: the form again with the message by the field, nothing saved.
    let mut bad = form_of(&after);
    set(&mut bad, "lat", "12.95");
    set(&mut bad, "lon", "100.55");
    set(&mut bad, "d1_o1", "8 โมง");
    let r = post_form(&app, &c, &format!("/staff/service-points/{POINT}"), &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("8 โมง") && r.body.contains("aria-invalid"),
        "{}",
        r.body
    );
    let mut sea = form_of(&after);
    set(&mut sea, "lat", "12.95");
    set(&mut sea, "lon", "100.55");
    let r = post_form(&app, &c, &format!("/staff/service-points/{POINT}"), &sea).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("ทะเล"), "{}", r.body);
    assert_eq!(staff_json(&app, &c).await["revision"], after["revision"]);

    // A stale form: the other person's change is shown, nothing overwritten.
    let stale = form_of(&before);
    let r = post_form(&app, &c, &format!("/staff/service-points/{POINT}"), &stale).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("0 3822 2999"),
        "the current phone: {}",
        r.body
    );
    assert_eq!(
        staff_json(&app, &c).await["phones"][0]["number"],
        "038222999"
    );

    // The history, and a revert to the state before the save (the demo's).
    let r = page(&app, &c, &format!("/staff/service-points/{POINT}/history")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("editor31") && r.body.contains("0 3822 2016"),
        "{}",
        r.body
    );
    // The archive and "data is correct" buttons work; the verified date shows.
    let r = post_form(
        &app,
        &c,
        &format!("/staff/service-points/{POINT}/verify"),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = page(
        &app,
        &c,
        &format!("/staff/service-points/{POINT}?done=verify"),
    )
    .await;
    assert!(r.body.contains("ยืนยันความถูกต้องของข้อมูลแล้ว"), "{}", r.body);

    // Pin manuals: the table with each point's count, the point's manuals to tick.
    let r = page(&app, &c, "/staff/pins").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains(&format!("/staff/service-points/{POINT}/manuals")),
        "{}",
        r.body
    );
    let r = page(&app, &c, &format!("/staff/service-points/{POINT}/manuals")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let manual = get(&app, &format!("/api/v1/service-points/{POINT}"))
        .await
        .json()["manuals"][0]["id"]
        .as_i64()
        .unwrap();
    assert!(
        r.body.contains(&format!("/manuals/{manual}/unpin")),
        "{}",
        r.body
    );
    let r = post_form(
        &app,
        &c,
        &format!("/staff/service-points/{POINT}/manuals/{manual}/unpin"),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = get(&app, &format!("/api/v1/service-points/{POINT}"))
        .await
        .json();
    assert!(
        !d["manuals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == manual),
        "{d}"
    );
    let r = post_form(
        &app,
        &c,
        "/staff/pins",
        &[
            ("unit".into(), BANG_LAMUNG.into()),
            ("manual".into(), manual.to_string()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = get(&app, &format!("/api/v1/service-points/{POINT}"))
        .await
        .json();
    assert!(
        d["manuals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == manual),
        "{d}"
    );

    // A viewer sees the form read-only, and a save is refused.
    let v = cookie(&app, "viewer31").await;
    let r = page(&app, &v, &format!("/staff/service-points/{POINT}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("readonly") && !r.body.contains("<button>บันทึก</button>"));
    let r = post_form(
        &app,
        &v,
        &format!("/staff/service-points/{POINT}"),
        &form_of(&after),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
on_both_databases!(the_back_office_pages, pages);

/// The demo is what good data looks like: every check of data quality passes on it.
async fn demo_without_findings(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "admin31", true, None).await;
    let c = cookie(&app, "admin31").await;
    let r = send_json(
        &app,
        "GET",
        "/api/v1/staff/quality?per_page=100",
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["total"], 0, "{}", r.body);
    // The public page shows the office's photo, served from the binary.
    let r = get(&app, &format!("/sp/{POINT}")).await;
    let src = r
        .body
        .split("src=\"/media/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("a photo on the page: {}", r.body))
        .to_owned();
    let r = get(&app, &format!("/media/{src}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "image/jpeg");
}

on_both_databases!(the_demo_data_has_no_findings, demo_without_findings);
