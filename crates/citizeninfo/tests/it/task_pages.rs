//! Rollout tasks in the back office's pages, on both databases: the task form with its
//! refusals, the draft issued, the dashboard with its map, a unit's checklist with the
//! links that fix it and its report form, the office's return and acceptance, and the
//! open tasks on the staff home.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use storage::Db;

use crate::on_both_databases;
use crate::scope::{cookie, person};
use crate::support::{Reply, app, enc, reply, with_demo};

const PROVINCE: &str = "0112140410100";
const BANG_LAMUNG: &str = "0112140410104";
const BANG_LAMUNG_POINT: &str = "0112140410304";
const SATTAHIP: &str = "0112140410109";

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

async fn post_form(app: &Router, c: &str, uri: &str, fields: &[(&str, String)]) -> Reply {
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

fn location(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.headers["location"].to_str().unwrap().to_owned()
}

fn task_form(deadline: chrono::NaiveDate) -> Vec<(&'static str, String)> {
    let today = domain::task::local_date(Utc::now());
    vec![
        ("issuer", PROVINCE.into()),
        ("title", "การดำเนินการระบบ CITIZENinfo".into()),
        ("letter_number", "ที่ ชบ ๐๐๑๘/ว๕๗๘๕".into()),
        ("letter_date", today.to_string()),
        ("body", "ขอให้ดำเนินการตามรายการ และรายงานผลภายในกำหนด".into()),
        ("deadline", deadline.to_string()),
        ("target_by", "pick".into()),
        ("unit", BANG_LAMUNG.into()),
        ("unit", SATTAHIP.into()),
        ("item", "signed_up".into()),
        ("item", "data_checked".into()),
        ("item", "photo".into()),
        ("item", "poster".into()),
        ("others", "ประชาสัมพันธ์ให้ประชาชนทราบ".into()),
    ]
}

async fn pages(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "provsup", false, Some((PROVINCE, "supervisor"))).await;
    person(&db, "blediter", false, Some((BANG_LAMUNG, "editor"))).await;
    let sup = cookie(&app, "provsup").await;
    let ed = cookie(&app, "blediter").await;
    let today = domain::task::local_date(Utc::now());

    // The form offers the province and its district offices to pick.
    let r = page(&app, &sup, "/staff/tasks/new").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(&format!("value=\"{SATTAHIP}\"")),
        "{}",
        r.body
    );
    // An editor of a district is told they cannot set tasks.
    let r = page(&app, &ed, "/staff/tasks/new").await;
    assert!(r.body.contains("ผู้ดูแลหรือผู้กำกับ"), "{}", r.body);

    // A deadline in the past: the form again, the field named, nothing saved.
    let r = post_form(
        &app,
        &sup,
        "/staff/tasks/new",
        &task_form(today - chrono::Duration::days(1)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("href=\"#deadline\""), "{}", r.body);
    assert!(
        r.body.contains("ประชาสัมพันธ์ให้ประชาชนทราบ"),
        "what was typed stays"
    );
    let r = page(&app, &sup, "/staff/tasks").await;
    assert!(r.body.contains("ยังไม่มีงาน"), "{}", r.body);

    let to = location(
        &post_form(
            &app,
            &sup,
            "/staff/tasks/new",
            &task_form(today + chrono::Duration::days(10)),
        )
        .await,
    );
    let id: i64 = to
        .trim_start_matches("/staff/tasks/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let r = page(&app, &sup, &to).await;
    assert!(r.body.contains("บันทึกร่างแล้ว"), "{}", r.body);
    assert!(r.body.contains("/do/issue"), "a draft offers to issue");
    // A draft is not the district's to see.
    let r = page(&app, &ed, &format!("/staff/tasks/{id}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let to = location(&post_form(&app, &sup, &format!("/staff/tasks/{id}/do/issue"), &[]).await);
    let r = page(&app, &sup, &to).await;
    assert!(r.body.contains("สั่งการแล้ว"), "{}", r.body);
    assert!(
        r.body.contains("0 / 2"),
        "nothing submitted yet: {}",
        r.body
    );
    assert!(
        r.body.contains("<svg class=\"task-map\""),
        "the map: {}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("/staff/tasks/{id}/units/{BANG_LAMUNG}"))
    );

    // The district's home lists the task with the days left.
    let r = page(&app, &ed, "/staff").await;
    assert!(r.body.contains("id=\"open-tasks\""), "{}", r.body);
    assert!(r.body.contains("เหลืออีก 10 วัน"), "{}", r.body);

    // Its checklist: each item not done links to the page that fixes it.
    let unit_page = format!("/staff/tasks/{id}/units/{BANG_LAMUNG}");
    let r = page(&app, &ed, &unit_page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("ชื่อผู้ใช้งาน: blediter"),
        "signed up: {}",
        r.body
    );
    assert!(
        r.body.contains(&format!(
            "href=\"/staff/service-points/{BANG_LAMUNG_POINT}\""
        )),
        "data to check: {}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("/staff/posters?unit={BANG_LAMUNG}"))
    );
    // Another district's row is not its to read.
    let r = page(&app, &ed, &format!("/staff/tasks/{id}/units/{SATTAHIP}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Submitted without a name: refused with the field named.
    let mut form = vec![
        ("seen", "not_started".to_owned()),
        ("declared", "poster".to_owned()),
        ("declared", "declared_1".to_owned()),
        ("remark_photo", "รูปเดิม".to_owned()),
        ("reporter_name", String::new()),
        ("reporter_position", "ปลัดอำเภอ".to_owned()),
        ("send", "submit".to_owned()),
    ];
    let r = post_form(&app, &ed, &unit_page, &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("href=\"#reporter_name\""), "{}", r.body);
    form[4].1 = "นายสมชาย ใจดี".into();
    let to = location(&post_form(&app, &ed, &unit_page, &form).await);
    let r = page(&app, &ed, &to).await;
    assert!(r.body.contains("ส่งแบบรายงานแล้ว"), "{}", r.body);
    assert!(r.body.contains("data-state=\"submitted\""), "{}", r.body);

    // The province returns it with a comment; the district reads why.
    let r = page(&app, &sup, &unit_page).await;
    assert!(r.body.contains("/review"), "the office reviews: {}", r.body);
    let review = format!("{unit_page}/review");
    let r = post_form(
        &app,
        &sup,
        &review,
        &[("decision", "return".into()), ("comment", "".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    location(
        &post_form(
            &app,
            &sup,
            &review,
            &[
                ("decision", "return".into()),
                ("comment", "กรุณาอัปโหลดรูปภาพสำนักงานใหม่".into()),
            ],
        )
        .await,
    );
    let r = page(&app, &ed, &unit_page).await;
    assert!(r.body.contains("กรุณาอัปโหลดรูปภาพสำนักงานใหม่"), "{}", r.body);
    // Sent again from the form as it was read (returned), then accepted.
    form[0].1 = "returned".into();
    location(&post_form(&app, &ed, &unit_page, &form).await);
    location(&post_form(&app, &sup, &review, &[("decision", "accept".into())]).await);
    let r = page(&app, &ed, &unit_page).await;
    assert!(r.body.contains("data-state=\"accepted\""), "{}", r.body);
    assert!(
        !r.body.contains("name=\"send\""),
        "an accepted report is final"
    );
    let r = page(&app, &sup, &format!("/staff/tasks/{id}")).await;
    assert!(r.body.contains("1 / 2"), "{}", r.body);
    assert!(r.body.contains("data-state=\"accepted\""), "{}", r.body);
    assert_eq!(r.body.matches("<tr data-state=").count(), 2);
    // The rows of one state alone, as the legend links them.
    let r = page(&app, &sup, &format!("/staff/tasks/{id}?state=accepted")).await;
    assert_eq!(r.body.matches("<tr data-state=").count(), 1, "{}", r.body);
    assert!(r.body.contains("หน่วยงานที่ 1–1 จาก 1"), "{}", r.body);
}

on_both_databases!(tasks_in_the_back_office_pages, pages);
