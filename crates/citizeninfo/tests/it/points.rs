//! Keeping a service point right through the staff API, on both databases: the ETag and
//! If-Match that stop a silent overwrite, each rule of a save with its message, the pin
//! inside the address's district, the public side following at once, the history and
//! its revert, creating, archiving, and who may do what.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use storage::Db;

use crate::on_both_databases;
use crate::scope::{cookie, person};
use crate::support::{Reply, app, get, reply, send_json, with_demo, without_photos};

const BANG_LAMUNG: &str = "0112140410104";
const POINT: &str = "0112140410304";
/// Inside Bang Lamung and Sattahip districts (their interior points).
const IN_BANG_LAMUNG: (f64, f64) = (12.9226, 100.98501);
const IN_SATTAHIP: (f64, f64) = (12.71874, 100.92883);
/// The Gulf of Thailand, west of Pattaya.
const AT_SEA: (f64, f64) = (12.95, 100.55);

async fn patch(app: &Router, cookie: &str, etag: Option<&str>, body: Value) -> Reply {
    let mut req = Request::patch(format!("/api/v1/staff/service-points/{POINT}"))
        .header("cookie", cookie)
        .header("content-type", "application/json");
    if let Some(t) = etag {
        req = req.header("if-match", t);
    }
    reply(app, req.body(Body::from(body.to_string())).unwrap()).await
}

fn etag(r: &Reply) -> String {
    r.headers
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_owned()
}

fn fields(r: &Reply) -> Vec<String> {
    r.json()["error"]["fields"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

async fn staff_get(app: &Router, c: &str) -> Reply {
    send_json(
        app,
        "GET",
        &format!("/api/v1/staff/service-points/{POINT}"),
        None,
        Some(c),
    )
    .await
}

async fn editing(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "editor21", false, Some((BANG_LAMUNG, "editor"))).await;
    person(&db, "viewer21", false, Some((BANG_LAMUNG, "viewer"))).await;
    person(&db, "editor22", false, Some(("0112140410109", "editor"))).await;
    let c = cookie(&app, "editor21").await;

    let r = staff_get(&app, &c).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["pin_district"]["code"], "2004", "{}", r.body);
    assert_eq!(r.json()["can_edit"], true);
    let first = etag(&r);

    // Without If-Match: refused, nothing written.
    let r = patch(&app, &c, None, json!({"name_en": "x"})).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.body);

    // The hours with a lunch break and a phone with an extension.
    let weekly: Vec<Value> = [1, 2, 3, 4, 5]
        .iter()
        .flat_map(|d| {
            [
                json!({"weekday": d, "opens": "08:00", "closes": "12:00"}),
                json!({"weekday": d, "opens": "13:00", "closes": "17:00"}),
            ]
        })
        .collect();
    let hours = json!({
        "weekly": weekly,
        "open_on_holidays": false,
        "exceptions": [{"date": "2027-01-04", "until": "2027-01-05", "periods": [], "note": "ปิดปรับปรุง"}],
        "note": "พักเที่ยง 12.00–13.00 น.",
        "note_en": null
    });
    let r = patch(
        &app,
        &c,
        Some(&first),
        json!({"hours": hours, "phones": [{"number": "038-221-999", "ext": "12", "label": "งานทั่วไป"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second = etag(&r);
    assert_ne!(first, second);
    assert_eq!(r.json()["phones"][0]["number"], "038221999");
    assert_eq!(r.json()["hours"]["exceptions"].as_array().unwrap().len(), 2);

    // The public side shows it on the next request.
    let p = get(&app, &format!("/api/v1/service-points/{POINT}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["phones"][0]["number"], "038221999", "{}", p.body);
    assert_eq!(p.json()["phones"][0]["ext"], "12");
    assert_eq!(
        p.json()["hours"]["weekly"][1]["opens"],
        "13:00",
        "{}",
        p.body
    );

    // A save on the older revision is refused; nothing changes.
    let r = patch(&app, &c, Some(&first), json!({"name_en": "Stale"})).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "stale");
    assert_ne!(staff_get(&app, &c).await.json()["name_en"], "Stale");

    // Each bad field is named, and nothing is saved.
    let cases = [
        (
            json!({"location": {"lat": AT_SEA.0, "lon": AT_SEA.1}}),
            "location",
        ),
        (json!({"name": "ก".repeat(201)}), "name"),
        (json!({"phones": [{"number": "12345"}]}), "phones[0].number"),
        (json!({"email": "not-mail"}), "email"),
        (json!({"gecc_level": "gold"}), "gecc_level"),
        (
            json!({"hours": {"weekly": [
                {"weekday": 1, "opens": "08:30", "closes": "12:00"},
                {"weekday": 1, "opens": "11:00", "closes": "16:30"}],
                "open_on_holidays": false, "note": null, "note_en": null}}),
            "hours.weekly[1]",
        ),
        (
            json!({"hours": {"weekly": [{"weekday": 1, "opens": "25:00", "closes": "12:00"}],
                "open_on_holidays": false, "note": null, "note_en": null}}),
            "hours.weekly[0]",
        ),
        (
            json!({"address": {"subdistrict": "นาเกลือ", "district": "ไม่มีอำเภอนี้", "province": "ชลบุรี", "postcode": "20150"}}),
            "address.district",
        ),
    ];
    for (body, field) in cases {
        let r = patch(&app, &c, Some(&second), body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert!(
            fields(&r).contains(&field.to_owned()),
            "{field}: {}",
            r.body
        );
    }
    assert_eq!(etag(&staff_get(&app, &c).await), second, "nothing saved");

    // A pin in another district names it, unless confirmed as a border office.
    let moved = json!({"location": {"lat": IN_SATTAHIP.0, "lon": IN_SATTAHIP.1}});
    let r = patch(&app, &c, Some(&second), moved.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("สัตหีบ") && r.body.contains("Sattahip"),
        "{}",
        r.body
    );
    let mut confirmed = moved;
    confirmed["confirm_district"] = json!(true);
    let r = patch(&app, &c, Some(&second), confirmed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["pin_confirmed_district"], "2009");
    let third = etag(&r);
    // Back inside its district: no confirmation needed.
    let r = patch(
        &app,
        &c,
        Some(&third),
        json!({"location": {"lat": IN_BANG_LAMUNG.0, "lon": IN_BANG_LAMUNG.1}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["pin_confirmed_district"], Value::Null);
    let fourth = etag(&r);

    // Hidden: gone from the public side at once; shown again.
    let r = patch(&app, &c, Some(&fourth), json!({"visible": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = get(&app, &format!("/api/v1/service-points/{POINT}")).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let r = patch(&app, &c, Some(&etag(&r)), json!({"visible": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        get(&app, &format!("/api/v1/service-points/{POINT}"))
            .await
            .status,
        StatusCode::OK
    );

    // The history: newest first, who and each field; the border note recorded.
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/service-points/{POINT}/history"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let h = r.json();
    let entries = h.as_array().unwrap();
    assert_eq!(entries.len(), 5, "{}", r.body);
    assert_eq!(entries[0]["by"], "editor21");
    assert_eq!(entries[0]["fields"][0]["field"], "visible");
    assert!(r.body.contains("ยืนยันหมุด"), "{}", r.body);
    let first_change = entries.last().unwrap()["id"].as_i64().unwrap();
    assert_eq!(entries.last().unwrap()["fields"][0]["field"], "phones");

    // Revert to the state after the first change, with a stale ETag first.
    let revert = |tag: String| {
        let app = app.clone();
        let c = c.clone();
        async move {
            reply(
                &app,
                Request::post(format!(
                    "/api/v1/staff/service-points/{POINT}/history/{first_change}/revert"
                ))
                .header("cookie", c)
                .header("if-match", tag)
                .body(Body::empty())
                .unwrap(),
            )
            .await
        }
    };
    assert_eq!(
        revert(first.clone()).await.status,
        StatusCode::PRECONDITION_FAILED
    );
    // Moving the pin back and showing the point again restored that state: change a
    // name so that the revert has something to undo.
    let current = etag(&staff_get(&app, &c).await);
    let r = patch(&app, &c, Some(&current), json!({"name_en": "Renamed"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = revert(etag(&r)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["name_en"],
        "Bang Lamung District Community Development Office"
    );
    assert_eq!(r.json()["phones"][0]["number"], "038221999");
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/service-points/{POINT}/history"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.json()[0]["action"], "revert");

    // A viewer reads and cannot write; another office's editor cannot read.
    let v = cookie(&app, "viewer21").await;
    let r = staff_get(&app, &v).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["can_edit"], false);
    let r = patch(&app, &v, Some(&etag(&r)), json!({"name_en": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let o = cookie(&app, "editor22").await;
    assert_eq!(staff_get(&app, &o).await.status, StatusCode::FORBIDDEN);
}
on_both_databases!(editing_a_service_point, editing);

async fn creating_and_archiving(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "editor23", false, Some((BANG_LAMUNG, "editor"))).await;
    let c = cookie(&app, "editor23").await;
    let body = json!({
        "name": "จุดบริการเคลื่อนที่ นาเกลือ",
        "address": {"subdistrict": "นาเกลือ", "district": "บางละมุง", "province": "ชลบุรี", "postcode": "20150"},
        "location": {"lat": IN_BANG_LAMUNG.0, "lon": IN_BANG_LAMUNG.1},
        "phones": [{"number": "0812345678"}],
    });
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/units/{BANG_LAMUNG}/service-points"),
        Some(body.clone()),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let code = r.json()["code"].as_str().unwrap().to_owned();
    assert_eq!(code, "0112140413001");
    assert_eq!(
        r.headers.get("location").unwrap(),
        &format!("/api/v1/staff/service-points/{code}")
    );
    // Hidden until shown.
    assert_eq!(
        get(&app, &format!("/api/v1/service-points/{code}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A second one gets the next code; one without a name is refused.
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/units/{BANG_LAMUNG}/service-points"),
        Some(json!({"address": body["address"], "location": body["location"]})),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&r).contains(&"name".to_owned()));
    // Not under another office.
    let r = send_json(
        &app,
        "POST",
        "/api/v1/staff/units/0112140410109/service-points",
        Some(body),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Archived: gone from the public side although shown; restored: back.
    let action = |what: &'static str| {
        let (app, c, code) = (app.clone(), c.clone(), code.clone());
        async move {
            send_json(
                &app,
                "POST",
                &format!("/api/v1/staff/service-points/{code}/{what}"),
                None,
                Some(&c),
            )
            .await
        }
    };
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/service-points/{code}"),
        None,
        Some(&c),
    )
    .await;
    let r = reply(
        &app,
        Request::patch(format!("/api/v1/staff/service-points/{code}"))
            .header("cookie", &c)
            .header("content-type", "application/json")
            .header("if-match", etag(&r))
            .body(Body::from(json!({"visible": true}).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let public = format!("/api/v1/service-points/{code}");
    assert_eq!(get(&app, &public).await.status, StatusCode::OK);
    let r = action("archive").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["archived"], true);
    assert_eq!(get(&app, &public).await.status, StatusCode::NOT_FOUND);
    assert_eq!(action("restore").await.status, StatusCode::OK);
    assert_eq!(get(&app, &public).await.status, StatusCode::OK);
    // "The data is correct": the date on the public side.
    let r = action("verify").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["verified_at"].is_string());
    assert!(get(&app, &public).await.json()["verified_at"].is_string());
    // The page says so, with the date in the Buddhist era.
    let page = get(&app, &format!("/sp/{code}")).await;
    assert!(
        page.body.contains("ยืนยันความถูกต้องของข้อมูลเมื่อ"),
        "{}",
        page.body
    );
    let be = chrono::Datelike::year(&domain::hours::bangkok_now(chrono::Utc::now())) + 543;
    assert!(
        page.body.contains(&be.to_string()),
        "a BE year: {}",
        page.body
    );
}
on_both_databases!(
    creating_and_archiving_a_service_point,
    creating_and_archiving
);

async fn quality(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "editor24", false, Some((BANG_LAMUNG, "editor"))).await;
    let c = cookie(&app, "editor24").await;
    let report = |check: &'static str| {
        let (app, c) = (app.clone(), c.clone());
        async move {
            let r = send_json(
                &app,
                "GET",
                &format!("/api/v1/staff/quality?check={check}&per_page=100"),
                None,
                Some(&c),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()
        }
    };
    // The office's one point without its photo; its pin is where it should be.
    assert_eq!(report("missing_photo").await["total"], 0);
    without_photos(&app, &c, POINT).await;
    let r = report("missing_photo").await;
    assert_eq!(r["total"], 1, "{r}");
    assert_eq!(r["items"][0]["code"], POINT);
    assert_eq!(
        r["items"][0]["fix_url"],
        format!("/staff/service-points/{POINT}")
    );
    assert_eq!(report("pin_outside_district").await["total"], 0);
    // A second point a few metres away with nearly the same name: a likely duplicate.
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/units/{BANG_LAMUNG}/service-points"),
        Some(json!({
            "name": "สำนักงานพัฒนาชุมชน อำเภอบางละมุง",
            "address": {"subdistrict": "นาเกลือ", "district": "บางละมุง", "province": "ชลบุรี", "postcode": "20150"},
            "location": staff_get(&app, &c).await.json()["location"],
        })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = report("likely_duplicate").await;
    assert_eq!(r["total"], 1, "{r}");
    // A confirmed border office is not reported; the counts name every check.
    let tag = etag(&staff_get(&app, &c).await);
    let r = patch(
        &app,
        &c,
        Some(&tag),
        json!({"location": {"lat": IN_SATTAHIP.0, "lon": IN_SATTAHIP.1}, "confirm_district": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = report("pin_outside_district").await;
    assert_eq!(r["total"], 0, "{r}");
    assert_eq!(r["counts"].as_array().unwrap().len(), 8);
    let r = send_json(
        &app,
        "GET",
        "/api/v1/staff/quality?check=nonsense",
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
on_both_databases!(data_quality_in_the_callers_scope, quality);
