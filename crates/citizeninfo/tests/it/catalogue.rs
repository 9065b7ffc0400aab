//! The manual catalogue and pins through the staff API, on both databases: a
//! department's administrator writes a draft, the checks block a bad one, publishing
//! makes a new version that the pinned points carry; pins one by one and under a unit;
//! expected manuals feed data quality.

use axum::http::StatusCode;
use serde_json::{Value, json};
use storage::Db;

use crate::on_both_databases;
use crate::scope::{cookie, person};
use crate::support::{app, get, send_json, with_demo};

const DEPARTMENT: &str = "0112140000000";
const PROVINCE: &str = "0112140410100";
const BANG_LAMUNG: &str = "0112140410104";
const POINT: &str = "0112140410304";

async fn catalogue(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "deptadm1", false, Some((DEPARTMENT, "admin"))).await;
    person(&db, "provadm1", false, Some((PROVINCE, "admin"))).await;
    person(&db, "editor51", false, Some((BANG_LAMUNG, "editor"))).await;
    let dept = cookie(&app, "deptadm1").await;

    // A published demo manual of the department, pinned to the Bang Lamung point.
    let m = get(&app, &format!("/api/v1/service-points/{POINT}"))
        .await
        .json()["manuals"][0]["id"]
        .as_i64()
        .unwrap();
    let public = get(&app, &format!("/api/v1/manuals/{m}")).await.json();
    let key = public["key"].as_str().unwrap().to_owned();
    let mut manual: Value = public.clone();
    for extra in ["total_time", "service_points"] {
        manual.as_object_mut().unwrap().remove(extra);
    }
    manual["title_th"] = json!(format!(
        "{} (ฉบับปรับปรุง)",
        public["title_th"].as_str().unwrap()
    ));

    // An editor cannot write the catalogue.
    let e = cookie(&app, "editor51").await;
    let r = send_json(
        &app,
        "PUT",
        &format!("/api/v1/staff/manuals/{key}/draft"),
        Some(json!({"manual": manual})),
        Some(&e),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // A draft that breaks a check: fees neither listed nor "no fee".
    let mut bad = manual.clone();
    bad["fees"] = json!([]);
    bad["no_fee"] = json!(false);
    let r = send_json(
        &app,
        "PUT",
        &format!("/api/v1/staff/manuals/{key}/draft"),
        Some(json!({"manual": bad})),
        Some(&dept),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["publishable"], false, "{}", r.body);
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/manuals/{key}/publish"),
        None,
        Some(&dept),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The public manual is unchanged.
    assert_eq!(
        get(&app, &format!("/api/v1/manuals/{m}")).await.status,
        StatusCode::OK
    );

    // Corrected and published: a new version, the pins follow it.
    let r = send_json(
        &app,
        "PUT",
        &format!("/api/v1/staff/manuals/{key}/draft"),
        Some(json!({"manual": manual})),
        Some(&dept),
    )
    .await;
    assert_eq!(r.json()["publishable"], true, "{}", r.body);
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/manuals/{key}/publish"),
        None,
        Some(&dept),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new_id = r.json()["id"].as_i64().unwrap();
    assert_ne!(new_id, m);
    let p = get(&app, &format!("/api/v1/manuals/{new_id}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["version"], 2);
    assert!(p.json()["title_th"].as_str().unwrap().contains("ฉบับปรับปรุง"));
    assert_eq!(
        get(&app, &format!("/api/v1/manuals/{m}")).await.status,
        StatusCode::NOT_FOUND
    );
    let d = get(&app, &format!("/api/v1/service-points/{POINT}"))
        .await
        .json();
    assert!(
        d["manuals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == new_id),
        "{d}"
    );

    // Unpin and pin on the editor's own point; the public side follows.
    let path = format!("/api/v1/staff/service-points/{POINT}/manuals/{new_id}");
    let r = send_json(&app, "DELETE", &path, None, Some(&e)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["changed"], true);
    let d = get(&app, &format!("/api/v1/service-points/{POINT}"))
        .await
        .json();
    assert!(
        !d["manuals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == new_id)
    );
    let r = send_json(&app, "PUT", &path, None, Some(&e)).await;
    assert_eq!(r.json()["changed"], true);
    let r = send_json(&app, "PUT", &path, None, Some(&e)).await;
    assert_eq!(r.json()["changed"], false, "pinning twice changes nothing");
    // Another office's point: refused.
    let r = send_json(
        &app,
        "PUT",
        &format!("/api/v1/staff/service-points/0112140410309/manuals/{new_id}"),
        None,
        Some(&e),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The province office pins it to every point under it in one action (the demo
    // pinned it everywhere but where it was just taken off).
    let r = send_json(&app, "DELETE", &path, None, Some(&e)).await;
    assert_eq!(r.json()["changed"], true);
    let prov = cookie(&app, "provadm1").await;
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/units/{PROVINCE}/manuals/{new_id}/pin-all"),
        None,
        Some(&prov),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let points = r.json()["points"].as_u64().unwrap();
    // The province office's own point and the eleven district offices'.
    assert_eq!(points, 12, "{}", r.body);
    assert_eq!(r.json()["pinned"], 1, "{}", r.body);
    let pinned = get(&app, &format!("/api/v1/manuals/{new_id}")).await.json()["service_points"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(pinned as u64, points);

    // Expected manuals: a key nobody pinned shows up as "1 of 2" in data quality.
    let r = send_json(
        &app,
        "PUT",
        &format!("/api/v1/staff/units/{DEPARTMENT}/expected-manuals"),
        Some(json!({"keys": [key, "not-pinned-anywhere"]})),
        Some(&dept),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let q = send_json(
        &app,
        "GET",
        "/api/v1/staff/quality?check=expected_manuals_missing&per_page=100",
        None,
        Some(&e),
    )
    .await
    .json();
    assert_eq!(q["total"], 1, "{q}");
    assert!(
        q["items"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("1 จาก 2"),
        "{q}"
    );
}
on_both_databases!(the_manual_catalogue_and_pins, catalogue);
