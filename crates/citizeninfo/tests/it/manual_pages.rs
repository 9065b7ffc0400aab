//! The manual catalogue's pages, on both databases: a department's administrator
//! creates a manual through the form, sees each check by its field and cannot publish
//! until the errors are fixed, publishes, edits a published manual into its next
//! version (the pins follow), reads the history field by field and reverts; a stale
//! form is refused with the other person's change shown; another department's
//! administrator is refused everywhere.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use storage::Db;

use crate::on_both_databases;
use crate::scope::{cookie, person};
use crate::support::{Reply, app, enc, get, reply, send_json, with_demo};

const DEPARTMENT: &str = "0112140000000";
const OTHER_DEPARTMENT: &str = "0110030000000";
const BANG_LAMUNG: &str = "0112140410104";
const POINT: &str = "0112140410304";
const DEMO_KEY: &str = "otop-registration";

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

/// Posts a form as a browser on this site does (same-origin, so the cross-site check
/// lets it through).
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
            .header("origin", "http://127.0.0.1")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

/// A valueless attribute; `tag` runs up to, not including, its `>`.
fn has_attr(tag: &str, name: &str) -> bool {
    tag.ends_with(&format!(" {name}")) || tag.contains(&format!(" {name} "))
}

/// The fields the form with this action sends as it is shown: inputs (ticked boxes
/// only), textareas and the chosen option of each select; no buttons.
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form {action}: {html}"));
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        if tag.starts_with("<input") {
            let name = attr(tag, "name").unwrap_or_default();
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            if !name.is_empty() && (kind != "checkbox" || has_attr(tag, "checked")) {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            let name = attr(tag, "name").unwrap();
            let close = rest.find("</textarea>").unwrap();
            out.push((name, unescape(&rest[end + 1..close])));
        } else if tag.starts_with("<select") {
            let name = attr(tag, "name").unwrap();
            let close = rest.find("</select>").unwrap();
            let options = &rest[end + 1..close];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option").nth(1))
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            out.push((name, chosen));
        }
        rest = &rest[end..];
    }
    out
}

fn set(f: &mut Vec<(String, String)>, k: &str, v: &str) {
    f.retain(|(n, _)| n != k);
    f.push((k.into(), v.into()));
}

fn unset(f: &mut Vec<(String, String)>, k: &str) {
    f.retain(|(n, _)| n != k);
}

fn field(f: &[(String, String)], k: &str) -> String {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn location(r: &Reply) -> String {
    r.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn catalogue_item(app: &Router, c: &str, key: &str) -> Option<Value> {
    let r = send_json(app, "GET", "/api/v1/staff/manuals", None, Some(c)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == key)
        .cloned()
}

async fn manual_pages(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "deptadm1", false, Some((DEPARTMENT, "admin"))).await;
    person(&db, "deptadm2", false, Some((DEPARTMENT, "admin"))).await;
    person(&db, "otheradm", false, Some((OTHER_DEPARTMENT, "admin"))).await;
    person(&db, "editor61", false, Some((BANG_LAMUNG, "editor"))).await;
    let c = cookie(&app, "deptadm1").await;

    // The menu offers the catalogue to a department's administrator, not to an editor.
    let r = page(&app, &c, "/staff").await;
    assert!(r.body.contains("href=\"/staff/manuals\""), "{}", r.body);
    let e = cookie(&app, "editor61").await;
    let r = page(&app, &e, "/staff").await;
    assert!(!r.body.contains("href=\"/staff/manuals\""), "{}", r.body);
    let r = page(&app, &e, "/staff/manuals/new").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The catalogue: the department's demo manuals, published, with their pins.
    let r = page(&app, &c, "/staff/manuals").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("/staff/manuals/{DEMO_KEY}/edit")));
    assert!(r.body.contains("/staff/manuals/new"));
    let demo = catalogue_item(&app, &c, DEMO_KEY).await.unwrap();
    assert_eq!(demo["state"], "published", "{demo}");
    assert!(demo["pinned"].as_i64().unwrap() > 0, "{demo}");

    // A new manual: every field of the template is on the form.
    let r = page(&app, &c, "/staff/manuals/new").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for name in [
        "title_th",
        "title_en",
        "process_name",
        "owning_agency",
        "service_type",
        "category",
        "legal0_name",
        "legal0_year",
        "impact_level",
        "area_regional",
        "statutory_time_law",
        "statutory_value",
        "statutory_unit",
        "stats_avg",
        "reference_name",
        "channel0_place",
        "channel0_hours",
        "criteria",
        "step0_kind",
        "step0_value",
        "step0_unit",
        "step0_responsible",
        "simplified",
        "doc0_name",
        "doc0_issuer",
        "doc0_originals",
        "doc0_copies",
        "doc0_id_copy",
        "no_documents",
        "fee0_amount",
        "fee0_unit",
        "no_fee",
        "complaint0_channel",
        "form0_name",
        "remarks",
        "prepared_by",
        "approved_by",
    ] {
        assert!(r.body.contains(&format!("name=\"{name}\"")), "{name}");
    }
    // A row is added by a button, without script; what was typed stays.
    let mut f = form_fields(&r.body, "/staff/manuals/new");
    set(&mut f, "title_th", "การขอรับรองผลิตภัณฑ์ชุมชน");
    set(&mut f, "add", "steps");
    let r = post_form(&app, &c, "/staff/manuals/new", &f).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("name=\"step1_value\"") && !r.body.contains("name=\"step2_value\""));
    assert!(r.body.contains("การขอรับรองผลิตภัณฑ์ชุมชน"));
    let mut f = form_fields(&r.body, "/staff/manuals/new");
    unset(&mut f, "add");
    set(&mut f, "key", "community-product");
    set(&mut f, "department", DEPARTMENT);
    set(&mut f, "statutory_value", "1");
    set(&mut f, "statutory_unit", "working_days");
    set(&mut f, "step0_kind", "การพิจารณา");
    set(&mut f, "step0_description", "ตรวจสอบคำขอ");
    set(&mut f, "step0_value", "5");
    set(&mut f, "step0_unit", "hours");
    set(&mut f, "step1_kind", "การลงนาม");
    set(&mut f, "step1_description", "ลงนามหนังสือรับรอง");
    set(&mut f, "step1_value", "3");
    set(&mut f, "step1_unit", "hours");
    set(&mut f, "doc0_name", "สำเนาทะเบียนบ้าน");
    set(&mut f, "doc0_copies", "1");
    set(&mut f, "doc0_id_copy", "on");
    // A word where a number goes: refused by the field, nothing saved.
    set(&mut f, "stats_avg", "สิบ");
    let r = post_form(&app, &c, "/staff/manuals/new", &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"stats_avg-error\""), "{}", r.body);
    assert!(
        catalogue_item(&app, &c, "community-product")
            .await
            .is_none()
    );
    // Another site's page posting the form with the administrator's cookie: refused.
    set(&mut f, "stats_avg", "10");
    let forged = f
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let r = reply(
        &app,
        Request::post("/staff/manuals/new")
            .header("cookie", &c)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://elsewhere.example")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from(forged))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        catalogue_item(&app, &c, "community-product")
            .await
            .is_none()
    );
    // Saved as a draft, though its checks fail: 8 hours of steps against a statutory
    // day of 7, and fees neither listed nor "no fee".
    let r = post_form(&app, &c, "/staff/manuals/new", &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let edit = "/staff/manuals/community-product/edit";
    assert_eq!(location(&r), format!("{edit}?done=saved"));
    let r = page(&app, &c, edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("กรมการพัฒนาชุมชน"),
        "its department: {}",
        r.body
    );
    // Each check by its field: the errors, and the ID copy flagged as a warning.
    assert!(r.body.contains("id=\"fees-error\""), "{}", r.body);
    assert!(r.body.contains("กรุณาระบุค่าธรรมเนียม"), "{}", r.body);
    assert!(r.body.contains("id=\"steps-error\""), "{}", r.body);
    assert!(r.body.contains("เกินระยะเวลาที่กฎหมายกำหนด"), "{}", r.body);
    assert!(r.body.contains("id=\"doc0_name-warning\""), "{}", r.body);
    assert!(r.body.contains("สำเนาบัตรประจำตัวประชาชนหรือสำเนาทะเบียนบ้าน"));
    assert!(
        !r.body
            .contains("action=\"/staff/manuals/community-product/publish\""),
        "no publish button while an error stands"
    );
    let f = form_fields(&r.body, edit);
    let r = post_form(
        &app,
        &c,
        "/staff/manuals/community-product/publish",
        &[("base".into(), field(&f, "base"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let item = catalogue_item(&app, &c, "community-product").await.unwrap();
    assert_eq!(item["state"], "draft", "{item}");

    // Fixed (no fee, the steps within the day) and published: the public page shows it.
    let mut f = f;
    set(&mut f, "no_fee", "on");
    set(&mut f, "step1_value", "2");
    let r = post_form(&app, &c, edit, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = page(&app, &c, edit).await;
    assert!(!r.body.contains("id=\"fees-error\""), "{}", r.body);
    assert!(
        r.body.contains("id=\"doc0_name-warning\""),
        "a warning stays"
    );
    let publish = form_fields(&r.body, "/staff/manuals/community-product/publish");
    let r = post_form(
        &app,
        &c,
        "/staff/manuals/community-product/publish",
        &publish,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let item = catalogue_item(&app, &c, "community-product").await.unwrap();
    assert_eq!(item["state"], "published", "{item}");
    assert_eq!(item["published_version"], 1);
    let first = item["published_id"].as_i64().unwrap();
    let p = get(&app, &format!("/manuals/{first}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("การขอรับรองผลิตภัณฑ์ชุมชน"), "{}", p.body);
    assert!(p.body.contains("ลงนามหนังสือรับรอง"));

    // The published demo manual, edited: version 2, and the pins move to it.
    let demo_edit = format!("/staff/manuals/{DEMO_KEY}/edit");
    let r = page(&app, &c, &demo_edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut f = form_fields(&r.body, &demo_edit);
    let old_title = field(&f, "title_th");
    let new_title = format!("{old_title} (ฉบับปรับปรุง)");
    set(&mut f, "title_th", &new_title);
    let r = post_form(&app, &c, &demo_edit, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = page(&app, &c, &demo_edit).await;
    let publish = form_fields(&r.body, &format!("/staff/manuals/{DEMO_KEY}/publish"));
    let r = post_form(
        &app,
        &c,
        &format!("/staff/manuals/{DEMO_KEY}/publish"),
        &publish,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let item = catalogue_item(&app, &c, DEMO_KEY).await.unwrap();
    assert_eq!(item["published_version"], 2, "{item}");
    let v2 = item["published_id"].as_i64().unwrap();
    assert_ne!(v2, demo["published_id"].as_i64().unwrap());
    assert_eq!(item["pinned"], demo["pinned"], "the pins moved: {item}");
    let d = get(&app, &format!("/api/v1/service-points/{POINT}"))
        .await
        .json();
    assert!(
        d["manuals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == v2),
        "{d}"
    );
    let r = page(&app, &c, &demo_edit).await;
    assert!(
        r.body.contains(&format!("href=\"/manuals/{v2}\"")),
        "{}",
        r.body
    );

    // The history: each field before and after, the publication with its versions.
    let history = format!("/staff/manuals/{DEMO_KEY}/history");
    let r = page(&app, &c, &history).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("ชื่อคู่มือ (ภาษาไทย)"), "{}", r.body);
    assert!(r.body.contains(&old_title) && r.body.contains(&new_title));
    let h = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/manuals/{DEMO_KEY}/history"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.body);
    let entries = h.json();
    let actions: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["publish", "draft"], "{entries}");
    let title = entries[1]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "title_th")
        .unwrap_or_else(|| panic!("{entries}"));
    assert_eq!(title["before"], old_title.as_str());
    assert_eq!(title["after"], new_title.as_str());

    // Revert: the state after the first publication of the new manual becomes its
    // draft again, recorded as a change of its own; the public version stays.
    let cp_edit = edit;
    let r = page(&app, &c, cp_edit).await;
    let mut f = form_fields(&r.body, cp_edit);
    set(&mut f, "title_th", "ชื่อที่พิมพ์ผิด");
    set(&mut f, "criteria", "เงื่อนไขใหม่");
    let r = post_form(&app, &c, cp_edit, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let h = send_json(
        &app,
        "GET",
        "/api/v1/staff/manuals/community-product/history",
        None,
        Some(&c),
    )
    .await
    .json();
    let published = h
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "publish")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = page(&app, &c, "/staff/manuals/community-product/history").await;
    let revert = form_fields(&r.body, "/staff/manuals/community-product/revert");
    assert!(!field(&revert, "base").is_empty());
    let mut revert = revert;
    set(&mut revert, "change", &published.to_string());
    let r = post_form(&app, &c, "/staff/manuals/community-product/revert", &revert).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(location(&r), format!("{cp_edit}?done=revert"));
    let r = page(&app, &c, cp_edit).await;
    let f = form_fields(&r.body, cp_edit);
    assert_eq!(field(&f, "title_th"), "การขอรับรองผลิตภัณฑ์ชุมชน");
    assert_eq!(field(&f, "criteria"), "");
    let h = send_json(
        &app,
        "GET",
        "/api/v1/staff/manuals/community-product/history",
        None,
        Some(&c),
    )
    .await
    .json();
    assert_eq!(h[0]["action"], "revert", "{h}");
    assert!(
        h[0]["note"]
            .as_str()
            .unwrap()
            .contains(&format!("#{published}")),
        "{h}"
    );
    assert!(
        h[0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["field"] == "title_th" && x["before"] == "ชื่อที่พิมพ์ผิด"),
        "{h}"
    );
    let p = get(&app, &format!("/manuals/{first}")).await;
    assert!(
        p.status == StatusCode::OK && !p.body.contains("ชื่อที่พิมพ์ผิด"),
        "the public version stays"
    );

    // Two people on one draft: the second save on the old base is refused, showing
    // what the first saved; nothing of it is overwritten.
    let c2 = cookie(&app, "deptadm2").await;
    let mine = form_fields(&page(&app, &c, cp_edit).await.body, cp_edit);
    let mut theirs = form_fields(&page(&app, &c2, cp_edit).await.body, cp_edit);
    set(
        &mut theirs,
        "title_en",
        "Certification of community products",
    );
    let r = post_form(&app, &c2, cp_edit, &theirs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut mine = mine;
    set(&mut mine, "remarks", "หมายเหตุของผู้ที่สอง");
    let r = post_form(&app, &c, cp_edit, &mine).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("มีผู้อื่นบันทึกคู่มือนี้ก่อนท่าน"), "{}", r.body);
    assert!(r.body.contains("Certification of community products"));
    assert!(r.body.contains("หมายเหตุของผู้ที่สอง"), "what was typed stays");
    let r = page(&app, &c, cp_edit).await;
    let now = form_fields(&r.body, cp_edit);
    assert_eq!(
        field(&now, "title_en"),
        "Certification of community products"
    );
    assert_eq!(field(&now, "remarks"), "");
    // The API refuses a stale If-Match the same way.
    let d = send_json(
        &app,
        "GET",
        "/api/v1/staff/manuals/community-product/draft",
        None,
        Some(&c),
    )
    .await;
    let tag = d.headers["etag"].to_str().unwrap().to_owned();
    let res = tower::ServiceExt::oneshot(
        app.clone(),
        Request::put("/api/v1/staff/manuals/community-product/draft")
            .header("cookie", &c)
            .header("content-type", "application/json")
            .header("if-match", "\"community-product-1.1\"")
            .body(Body::from(
                json!({"manual": d.json()["manual"]}).to_string(),
            ))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let mut m = d.json()["manual"].clone();
    m["remarks"] = json!("ผ่าน API");
    let res = tower::ServiceExt::oneshot(
        app.clone(),
        Request::put("/api/v1/staff/manuals/community-product/draft")
            .header("cookie", &c)
            .header("content-type", "application/json")
            .header("if-match", &tag)
            .body(Body::from(json!({ "manual": m }).to_string()))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Another department's administrator: refused on every page and route of the
    // manual, and its catalogue does not list it.
    let o = cookie(&app, "otheradm").await;
    for uri in [
        cp_edit.to_owned(),
        "/staff/manuals/community-product/history".to_owned(),
    ] {
        let r = page(&app, &o, &uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.body);
        assert!(!r.body.contains("การขอรับรองผลิตภัณฑ์ชุมชน"), "{uri}");
    }
    for uri in [
        cp_edit,
        "/staff/manuals/community-product/publish",
        "/staff/manuals/community-product/revert",
    ] {
        let r = post_form(&app, &o, uri, &mine).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.body);
    }
    let r = page(&app, &o, "/staff/manuals/no-such-manual/edit").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = page(&app, &o, "/staff/manuals").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("community-product"), "{}", r.body);
    assert!(
        r.body.contains("/staff/manuals/"),
        "its own department's manuals"
    );
    assert!(
        catalogue_item(&app, &o, "community-product")
            .await
            .is_none()
    );
    for (method, uri) in [
        ("GET", "/api/v1/staff/manuals/community-product/history"),
        (
            "POST",
            &*format!("/api/v1/staff/manuals/community-product/history/{published}/revert"),
        ),
    ] {
        let r = send_json(&app, method, uri, None, Some(&o)).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {uri}: {}",
            r.body
        );
    }
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/manuals?department={DEPARTMENT}"),
        None,
        Some(&o),
    )
    .await;
    assert_eq!(r.json(), json!([]), "{}", r.body);
    for bad in ["", "0112", "011214000000x"] {
        let r = send_json(
            &app,
            "GET",
            &format!("/api/v1/staff/manuals?department={bad}"),
            None,
            Some(&o),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad:?}: {}", r.body);
    }
    // The draft stayed as the department left it.
    let d = send_json(
        &app,
        "GET",
        "/api/v1/staff/manuals/community-product/draft",
        None,
        Some(&c),
    )
    .await;
    assert_eq!(d.json()["manual"]["remarks"], "ผ่าน API");
}
on_both_databases!(the_manual_catalogue_in_the_back_office, manual_pages);
