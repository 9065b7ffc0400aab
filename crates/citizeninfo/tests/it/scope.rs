//! Roles and scope: every staff route of the API (read from the OpenAPI document, so a
//! new route is walked too) refuses a member of one office for another office's data;
//! each role can do what it should; personal API tokens carry their owner's rights.

use axum::Router;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use storage::{Actor, Db, NewUser};

use crate::on_both_databases;
use crate::support::{app, send_json, with_demo};

const DEPARTMENT: &str = "0112140000000";
const PROVINCE: &str = "0112140410100";
/// A district office of another department (the Department of Provincial Administration).
const OTHER_DEPARTMENTS_OFFICE: &str = "0110030201101";
const BANG_LAMUNG: &str = "0112140410104";
const SATTAHIP: &str = "0112140410109";
/// The service points of the two offices.
const SATTAHIP_POINT: &str = "0112140410309";
const BANG_LAMUNG_POINT: &str = "0112140410304";
/// A manual of the department, whose catalogue no office writes.
const DEMO_MANUAL_KEY: &str = "otop-registration";
const PASSWORD: &str = "Chonburi2569";

pub(crate) fn unit(code: &str) -> domain::UnitCode {
    domain::UnitCode::parse(code).unwrap()
}

fn actor() -> Actor<'static> {
    Actor {
        name: "test",
        address: None,
    }
}

/// A confirmed account, optionally with a role on a unit.
pub(crate) async fn person(
    db: &Db,
    username: &str,
    system_admin: bool,
    role: Option<(&str, &str)>,
) -> i64 {
    let hash = web::hash_password(PASSWORD.into()).await.unwrap();
    let email = format!("{username}@example.go.th");
    let id = db
        .create_user(
            &NewUser {
                username,
                first_name: "ทดสอบ",
                last_name: username,
                email: Some(&email),
                mobile: None,
                citizen_id_hash: None,
                citizen_id_last: None,
                password_hash: Some(&hash),
                is_system_admin: system_admin,
                email_verified: true,
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    if let Some((code, role)) = role {
        db.add_membership(id, &unit(code), role, actor(), Utc::now())
            .await
            .unwrap();
    }
    id
}

pub(crate) async fn cookie(app: &Router, username: &str) -> String {
    let r = send_json(
        app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({ "username": username, "password": PASSWORD })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.session_cookie().unwrap()
}

/// The bulk import, whose body is a file rather than JSON.
const IMPORT: &str = "/api/v1/staff/import";

/// Every (method, path) under `/api/v1/staff/` in the OpenAPI document.
fn staff_routes() -> Vec<(String, String)> {
    let doc = serde_json::to_value(web::api::openapi()).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/staff/") {
            continue;
        }
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// A route of the document with its parameters filled in for one office: a point's
/// routes get the office's service point, a unit's the office.
fn concrete(path: &str, office: &str, point: &str, member: i64, comment: i64, task: i64) -> String {
    let code = if path.starts_with("/api/v1/staff/service-points/{code}") {
        point
    } else {
        office
    };
    let uri = path
        .replace("{code}", code)
        .replace("{user}", &member.to_string())
        .replace(
            "{id}",
            &if path.starts_with("/api/v1/staff/comments/") {
                comment.to_string()
            } else if path.starts_with("/api/v1/staff/tasks/") {
                task.to_string()
            } else {
                "1".to_owned()
            },
        )
        .replace("{report}", "preliminary")
        .replace("{n}", "1")
        .replace("{item}", "poster")
        .replace("{key}", DEMO_MANUAL_KEY);
    // Routes that name their unit or points in the query.
    if uri.starts_with("/api/v1/staff/reports/") || uri == "/api/v1/staff/comments" {
        return format!("{uri}?unit={office}");
    }
    if uri == "/api/v1/staff/posters/download" {
        return format!("{uri}?codes={point}");
    }
    // The one list that needs parameters: where a dropped pin is.
    if uri == "/api/v1/staff/locate" {
        return format!("{uri}?lat=12.9226&lon=100.98501");
    }
    uri
}

/// A body for a write route: a manual draft naming `unit` as its department for the
/// catalogue, a role otherwise.
async fn body_for(app: &Router, method: &str, path: &str, unit: &str) -> Option<serde_json::Value> {
    if !matches!(method, "PUT" | "POST" | "PATCH") {
        return None;
    }
    if path == "/api/v1/staff/manuals" || path.ends_with("/draft") {
        let mut m = crate::support::get(app, "/api/v1/manuals/1").await.json();
        m.as_object_mut().unwrap().remove("total_time");
        m.as_object_mut().unwrap().remove("service_points");
        return Some(json!({ "department": unit, "manual": m }));
    }
    if path == "/api/v1/staff/tasks" {
        return Some(task_body(unit));
    }
    Some(json!({ "role": "viewer" }))
}

/// A task from `issuer` to every unit below it, due in ten days.
fn task_body(issuer: &str) -> serde_json::Value {
    let today = domain::task::local_date(Utc::now());
    json!({
        "issuer": issuer,
        "title": "การดำเนินการระบบ CITIZENinfo",
        "letter_number": "ที่ ชบ ๐๐๑๘/ว๕๗๘๕",
        "letter_date": today,
        "body": "ขอให้ดำเนินการตามรายการ",
        "deadline": today + chrono::Duration::days(10),
        "targets": { "by": "subtree", "root": issuer },
        "checklist": [{ "kind": "signed_up" }, { "kind": "poster" }],
    })
}

async fn walk(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    // Codes for every office, as the department hands them out.
    crate::support::issue_codes(&db, DEPARTMENT).await;
    let editor_a = person(&db, "editora", false, Some((BANG_LAMUNG, "editor"))).await;
    let _admin_a = person(&db, "admina1", false, Some((BANG_LAMUNG, "admin"))).await;
    let member_b = person(&db, "editorb", false, Some((SATTAHIP, "editor"))).await;
    let _supervisor = person(&db, "superv1", false, Some((DEPARTMENT, "supervisor"))).await;
    let _root = person(&db, "sysadmin", true, None).await;

    let routes = staff_routes();
    assert!(routes.len() >= 7, "{routes:?}");
    // A citizen's comment at each office, for the routes that answer one.
    let comment_b = crate::ratings::seed_comment(&db, SATTAHIP_POINT, "รอนานมาก").await;
    let comment_a = crate::ratings::seed_comment(&db, BANG_LAMUNG_POINT, "บริการดี").await;
    // A task of the province to office B alone: office A has no part in it.
    let province_sup = person(&db, "provsup1", false, Some((PROVINCE, "supervisor"))).await;
    let task = {
        let c = cookie(&app, "provsup1").await;
        let mut body = task_body(PROVINCE);
        body["targets"] = json!({ "by": "pick", "units": [SATTAHIP] });
        let r = send_json(&app, "POST", "/api/v1/staff/tasks", Some(body), Some(&c)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let r = send_json(
            &app,
            "POST",
            &format!("/api/v1/staff/tasks/{id}/issue"),
            None,
            Some(&c),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        id
    };
    let _ = province_sup;

    // Unit A's editor and administrator get 403 or 404 on every staff route of unit B;
    // without a session, 401.
    for who in ["editora", "admina1"] {
        let c = cookie(&app, who).await;
        for (method, path) in &routes {
            let uri = concrete(path, SATTAHIP, SATTAHIP_POINT, member_b, comment_b, task);
            let body = body_for(&app, method, path, SATTAHIP).await;
            if path == IMPORT {
                // A file is checked line by line: B's point is refused on its line.
                let sheet = crate::import::rename_sheet(SATTAHIP_POINT, SATTAHIP);
                let r = crate::import::upload(&app, Some(&c), &sheet, "b.csv", false).await;
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{who}: {}",
                    r.body
                );
                assert!(r.body.contains("not in your scope"), "{who}: {}", r.body);
                let r = crate::import::upload(&app, None, &sheet, "b.csv", false).await;
                assert_eq!(r.status, StatusCode::UNAUTHORIZED);
                continue;
            }
            let r = send_json(&app, method, &uri, body.clone(), Some(&c)).await;
            // A route that names B: by its path, its query, or the department its
            // body names.
            let names_b = uri
                .split_once('?')
                .is_some_and(|(_, q)| q.contains("0112140410"));
            if path.contains('{') || method != "GET" || names_b {
                assert!(
                    r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
                    "{who}: {method} {uri} gave {} {}",
                    r.status,
                    r.body
                );
            } else {
                // A list of the caller's scope: answered, without anything of unit B.
                assert_eq!(
                    r.status,
                    StatusCode::OK,
                    "{who}: {method} {uri}: {}",
                    r.body
                );
                assert!(
                    !r.body.contains(SATTAHIP),
                    "{who}: {method} {uri}: {}",
                    r.body
                );
            }
            let r = send_json(&app, method, &uri, body, None).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} without a session"
            );
        }
    }
    // A viewer of A reads and writes nothing: every write route on A is refused.
    let viewer = person(&db, "viewera", false, Some((BANG_LAMUNG, "viewer"))).await;
    let c = cookie(&app, "viewera").await;
    for (method, path) in routes.iter().filter(|(m, p)| m != "GET" && p.contains('{')) {
        let uri = concrete(
            path,
            BANG_LAMUNG,
            BANG_LAMUNG_POINT,
            viewer,
            comment_a,
            task,
        );
        let r = send_json(
            &app,
            method,
            &uri,
            Some(json!({ "role": "viewer" })),
            Some(&c),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "viewer: {method} {uri}: {}",
            r.body
        );
    }
    // Nor imports: a viewer edits no unit.
    let sheet = crate::import::rename_sheet(BANG_LAMUNG_POINT, BANG_LAMUNG);
    let r = crate::import::upload(&app, Some(&c), &sheet, "a.csv", false).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "viewer: import: {}",
        r.body
    );
    // Nothing changed at B.
    assert_eq!(db.members(&unit(SATTAHIP)).await.unwrap()[0].role, "editor");
    assert!(
        db.unit_for_code(&code_of(&db, SATTAHIP).await)
            .await
            .unwrap()
            .is_some()
    );

    // An editor sees the members of their office, and changes nothing.
    let c = cookie(&app, "editora").await;
    let path = format!("/api/v1/staff/units/{BANG_LAMUNG}/members");
    let r = send_json(&app, "GET", &path, None, Some(&c)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json().as_array().unwrap().len(),
        3,
        "editor, administrator, viewer"
    );
    let r = send_json(
        &app,
        "PUT",
        &format!("{path}/{editor_a}"),
        Some(json!({ "role": "admin" })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{BANG_LAMUNG}/audit"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The office's administrator manages its members, but cannot make a supervisor
    // nor change their own office's code.
    let c = cookie(&app, "admina1").await;
    let r = send_json(
        &app,
        "PUT",
        &format!("{path}/{editor_a}"),
        Some(json!({ "role": "viewer" })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["role"], "viewer");
    let r = send_json(
        &app,
        "PUT",
        &format!("{path}/{editor_a}"),
        Some(json!({ "role": "owner" })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["role"].is_array());
    let r = send_json(
        &app,
        "PUT",
        &format!("{path}/{editor_a}"),
        Some(json!({ "role": "supervisor" })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/units/{BANG_LAMUNG}/authorize-code"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{BANG_LAMUNG}/audit"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("membership.role"), "{}", r.body);

    // The department's supervisor rotates an office's code (the old one stops working),
    // exports the codes as CSV, and reads the whole subtree's audit.
    let c = cookie(&app, "superv1").await;
    let old = code_of(&db, BANG_LAMUNG).await;
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/units/{BANG_LAMUNG}/authorize-code"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let new = r.json()["authorize_code"].as_str().unwrap().to_owned();
    assert_ne!(new, old.as_str());
    assert!(db.unit_for_code(&old).await.unwrap().is_none());
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{DEPARTMENT}/authorize-codes?format=csv"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type.starts_with("text/csv"));
    assert!(r.body.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        r.body.contains("สำนักงานพัฒนาชุมชนอำเภอบางละมุง") && r.body.contains(&new),
        "{}",
        r.body
    );
    assert_eq!(
        r.body.lines().count(),
        13,
        "a header and the 12 offices: {}",
        r.body
    );
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{DEPARTMENT}/authorize-codes?format=xlsx"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.content_type.contains("spreadsheetml"),
        "{}",
        r.content_type
    );
    let rows = read_xlsx(&r.raw);
    assert_eq!(rows.len(), 13, "{rows:?}");
    assert_eq!(rows[0], ["ลำดับ", "รหัสหน่วยงาน", "หน่วยงาน", "Authorize Code"]);
    let row = rows
        .iter()
        .find(|r| r[2] == "สำนักงานพัฒนาชุมชนอำเภอบางละมุง")
        .expect("Bang Lamung's row");
    assert_eq!(row[1], BANG_LAMUNG, "the code keeps its leading zero");
    assert_eq!(row[3], new);
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{DEPARTMENT}/audit"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let actions: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        actions.contains(&"authorize_code.rotate".to_owned()),
        "{actions:?}"
    );
    // The sign-ins of the offices' members are the supervisor's to see too.
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "signin" && a["actor"] == "editora"),
        "{}",
        r.body
    );
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{DEPARTMENT}/authorize-codes?format=xml"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // The provincial office's administrator hands out its districts' codes, and no
    // other department's.
    person(&db, "provadm1", false, Some((PROVINCE, "admin"))).await;
    let c = cookie(&app, "provadm1").await;
    for (unit, expected) in [
        (SATTAHIP, StatusCode::CREATED),
        (BANG_LAMUNG, StatusCode::CREATED),
        (OTHER_DEPARTMENTS_OFFICE, StatusCode::FORBIDDEN),
        (PROVINCE, StatusCode::FORBIDDEN),
    ] {
        let r = send_json(
            &app,
            "POST",
            &format!("/api/v1/staff/units/{unit}/authorize-code"),
            None,
            Some(&c),
        )
        .await;
        assert_eq!(r.status, expected, "{unit}: {}", r.body);
    }
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{PROVINCE}/authorize-codes"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json().as_array().unwrap().len(),
        11,
        "the 11 district offices: {}",
        r.body
    );
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/units/{DEPARTMENT}/authorize-codes"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The system administrator revokes anywhere; unknown units are 404.
    let c = cookie(&app, "sysadmin").await;
    let r = send_json(
        &app,
        "DELETE",
        &format!("/api/v1/staff/units/{SATTAHIP}/authorize-code"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send_json(
        &app,
        "GET",
        "/api/v1/staff/units/0999999999999/members",
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
on_both_databases!(every_staff_route_keeps_to_its_scope, walk);

async fn code_of(db: &Db, code: &str) -> domain::account::AuthorizeCode {
    let rows = crate::support::issue_codes(db, code).await;
    domain::account::AuthorizeCode::parse(&rows[0].code).unwrap()
}

async fn tokens(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "editora", false, Some((BANG_LAMUNG, "editor"))).await;
    let c = cookie(&app, "editora").await;
    let r = send_json(
        &app,
        "POST",
        "/api/v1/me/tokens",
        Some(json!({ "name": "สคริปต์รายงาน" })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let id = r.json()["id"].as_i64().unwrap();
    let bearer = |t: &str| format!("Bearer {t}");
    let with_token = |method: &'static str, uri: String, t: String| {
        let app = app.clone();
        async move {
            let res = tower::ServiceExt::oneshot(
                app,
                axum::http::Request::builder()
                    .method(method)
                    .uri(uri)
                    .header("authorization", bearer(&t))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(r#"{"name":"more"}"#))
                    .unwrap(),
            )
            .await
            .unwrap();
            res.status()
        }
    };
    // The token acts as its owner, and no more.
    assert_eq!(
        with_token("GET", "/api/v1/me".into(), token.clone()).await,
        StatusCode::OK
    );
    assert_eq!(
        with_token(
            "GET",
            format!("/api/v1/staff/units/{BANG_LAMUNG}/members"),
            token.clone()
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        with_token(
            "GET",
            format!("/api/v1/staff/units/{SATTAHIP}/members"),
            token.clone()
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        with_token("POST", "/api/v1/me/tokens".into(), token.clone()).await,
        StatusCode::FORBIDDEN,
        "a token makes no tokens"
    );
    // Listed without the secret; stored only as a hash.
    let r = send_json(&app, "GET", "/api/v1/me/tokens", None, Some(&c)).await;
    assert_eq!(r.json()[0]["name"], "สคริปต์รายงาน");
    assert!(!r.body.contains(&token));
    let stored = db
        .raw_strings("SELECT token_hash FROM api_tokens")
        .await
        .unwrap();
    assert!(!stored[0].contains(&token[4..]));
    // Revoked: it stops working at once.
    let r = send_json(
        &app,
        "DELETE",
        &format!("/api/v1/me/tokens/{id}"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        with_token("GET", "/api/v1/me".into(), token.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        with_token("GET", "/api/v1/me".into(), "cit_not-a-token".into()).await,
        StatusCode::UNAUTHORIZED
    );
}
on_both_databases!(personal_api_tokens_carry_their_owners_rights, tokens);

/// The cells of a spreadsheet's first sheet as text, read back by openpyxl (which
/// `scripts/test` installs): an independent reader of the file format.
pub(crate) fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    let path =
        std::env::temp_dir().join(format!("citizeninfo-codes-{}.xlsx", rand::random::<u64>()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import json, sys, openpyxl\n\
             ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]\n\
             print(json.dumps([[('' if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]))",
        )
        .arg(&path)
        .output()
        .expect("python3 with openpyxl (./scripts/test installs it)");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| c.trim_end_matches(".0").to_owned())
                .collect()
        })
        .collect()
}
