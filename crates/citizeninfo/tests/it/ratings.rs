//! QR posters and citizen ratings through the HTTP routes, on both databases: the
//! poster's address, the rating form and its abuse checks, the reports read from the
//! rollups, replies and their publication.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use serde_json::json;
use storage::{Counted, Db, NewRating, Submission};

use crate::on_both_databases;
use crate::scope::{cookie, person, unit};
use crate::support::{Reply, app, app_with_smtp, get, reply, send_json, with_demo};

const BANG_LAMUNG: &str = "0112140410104";
const BANG_LAMUNG_POINT: &str = "0112140410304";
const SATTAHIP_POINT: &str = "0112140410309";
const DEPARTMENT: &str = "0112140000000";
const UA: &str = "Mozilla/5.0 (Linux; Android 10) test";

/// A rating with a comment stored straight through the storage layer (for tests
/// that need one to exist): its id.
pub(crate) async fn seed_comment(db: &Db, point: &str, text: &str) -> i64 {
    let chain = db.unit_chain(&unit(point)).await.unwrap().unwrap();
    let out = db
        .store_submissions(&[Submission::Rating(NewRating {
            at: Counted {
                point_id: chain[0].0,
                chain: chain.iter().map(|c| c.0).collect(),
                area: "ชลบุรี/บางละมุง".into(),
                day: app::ratings::bangkok_day(Utc::now()),
            },
            received_at: Utc::now(),
            scores: [Some(4), None, None, None, None, None],
            manual_id: None,
            comment: Some(text.into()),
            email: None,
            phone: None,
            guards: vec![],
        })])
        .await
        .unwrap();
    match out[0] {
        storage::Outcome::Stored(id) => id,
        o => panic!("{o:?}"),
    }
}

/// Posts the rating form as a browser does, from an address and a browser.
async fn post_form(app: &Router, uri: &str, fields: &[(&str, &str)], from: &str) -> Reply {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut req = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", UA)
        .body(Body::from(body))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{from}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    reply(app, req).await
}

fn form_token_of(page: &str) -> String {
    let start = page
        .find("name=\"form_token\" value=\"")
        .expect("a form token")
        + 25;
    page[start..].split('"').next().unwrap().to_owned()
}

/// The poster's token, from the address its QR code holds.
async fn token_of(app: &Router, cookie: &str, point: &str) -> String {
    let r = send_json(
        app,
        "PUT",
        &format!("/api/v1/staff/service-points/{point}/poster"),
        Some(json!({ "enabled": true })),
        Some(cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let url = r.json()["url"].as_str().unwrap().to_owned();
    url.rsplit('/').next().unwrap().to_owned()
}

async fn wait_fill_time() {
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
}

async fn report(app: &Router, cookie: &str, kind: &str, unit: &str) -> serde_json::Value {
    let r = send_json(
        app,
        "GET",
        &format!("/api/v1/staff/reports/{kind}?unit={unit}"),
        None,
        Some(cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

async fn flow(db: Db) {
    with_demo(&db).await;
    let smtp = crate::support::SmtpSink::start().await;
    let (state, app) = app_with_smtp(&db, &smtp).await;
    person(&db, "editora", false, Some((BANG_LAMUNG, "editor"))).await;
    person(&db, "superv1", false, Some((DEPARTMENT, "supervisor"))).await;
    let c = cookie(&app, "editora").await;

    // The listing has the office's poster, not yet downloaded, on.
    let r = send_json(&app, "GET", "/api/v1/staff/posters", None, Some(&c)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    let line = items
        .iter()
        .find(|i| i["code"] == BANG_LAMUNG_POINT)
        .expect("the office's point");
    assert_eq!(line["downloads"], 0);
    assert_eq!(line["enabled"], true);
    assert!(!r.body.contains(SATTAHIP_POINT));

    // Its PDF, counted.
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/service-points/{BANG_LAMUNG_POINT}/poster.pdf"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "application/pdf");
    assert!(r.raw.starts_with(b"%PDF"));
    let r = send_json(&app, "GET", "/api/v1/staff/posters", None, Some(&c)).await;
    let line = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == BANG_LAMUNG_POINT)
        .cloned()
        .unwrap();
    assert_eq!(line["downloads"], 1);

    // The rating page: small, without scripts it needs, and with the Thai scale.
    let token = token_of(&app, &c, BANG_LAMUNG_POINT).await;
    let page = get(&app, &format!("/r/{token}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.headers.get("set-cookie").is_none(),
        "no cookie follows the citizen"
    );
    for word in ["พอใจมากที่สุด", "ไม่พอใจ", "ไม่เกี่ยวข้อง", "ขั้นตอนและระยะเวลารอคอย"]
    {
        assert!(page.body.contains(word), "{word}");
    }
    let css = get(&app, "/assets/site.css").await;
    assert!(
        page.raw.len() + css.raw.len() <= 30 * 1024,
        "page {} + CSS {} bytes",
        page.raw.len(),
        css.raw.len()
    );
    let form_token = form_token_of(&page.body);
    wait_fill_time().await;
    let uri = format!("/r/{token}");
    let comment = "รอนานมาก โทรกลับที่ 081-234-5678 หรือ somchai@example.com";
    let r = post_form(
        &app,
        &uri,
        &[
            ("form_token", &form_token),
            ("overall", "4"),
            ("process", "2"),
            ("staff", "5"),
            ("place", "na"),
            ("service", "other"),
            ("comment", comment),
            ("contact", "citizen@example.com"),
            ("website", ""),
        ],
        "10.1.1.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let thanks = get(&app, &format!("/r/{token}/thanks")).await;
    assert!(thanks.body.contains("ขอบคุณ"), "{}", thanks.body);
    assert_eq!(db.rating_count().await.unwrap(), 1);

    // The masked comment is what staff read; the contact is nowhere in it.
    let stored = db.raw_strings("SELECT comment FROM ratings").await.unwrap();
    assert!(!stored[0].contains("081-234-5678"), "{stored:?}");
    assert!(!stored[0].contains("somchai@example.com"), "{stored:?}");
    assert!(stored[0].contains(domain::mask::PHONE_PLACEHOLDER));

    // The preliminary report has it, counted and not averaged (fewer than 5).
    let p = report(&app, &c, "preliminary", BANG_LAMUNG_POINT).await;
    assert_eq!(p["ratings"], 1);
    assert_eq!(p["dimensions"][0]["count"], 1);
    assert!(p["dimensions"][0]["mean"].is_null());
    assert_eq!(p["dimensions"][0]["enough"], false);
    assert_eq!(p["distribution"][1]["count"], 1, "one 'very satisfied'");
    assert_eq!(p["comments"][0]["comment"].as_str().unwrap(), stored[0]);
    assert_eq!(p["comments"][0]["can_mail"], true);
    assert_eq!(p["comment_total"], 1, "counted from the rollups");
    assert!(!p.to_string().contains("citizen@example.com"));
    // And so do the office's and the department's, from their own rollups.
    let office = report(&app, &c, "preliminary", BANG_LAMUNG).await;
    assert_eq!(office["ratings"], 1);
    let s = cookie(&app, "superv1").await;
    let dept = report(&app, &s, "summary", DEPARTMENT).await;
    assert_eq!(dept["ratings"], 1);
    assert!(
        dept["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["ratings"] == 1)
    );
    // Paged one child at a time, the children come in code order, each once, and
    // the rated one among them; the files list them all.
    let total = dept["children_total"].as_u64().unwrap();
    assert_eq!(total as usize, dept["children"].as_array().unwrap().len());
    let mut codes = Vec::new();
    let mut rated = 0;
    for page in 1..=total + 1 {
        let one = report(
            &app,
            &s,
            "summary",
            &format!("{DEPARTMENT}&per_page=1&page={page}"),
        )
        .await;
        assert_eq!(one["children_total"].as_u64(), Some(total));
        let rows = one["children"].as_array().unwrap();
        assert_eq!(rows.len(), usize::from(page <= total), "page {page}");
        for c in rows {
            codes.push(c["code"].as_str().unwrap().to_owned());
            rated += usize::from(c["ratings"] == 1);
        }
    }
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(codes, sorted);
    assert_eq!(rated, 1);
    for bad in ["per_page=0", "per_page=101", "page=0", "page=x"] {
        let r = send_json(
            &app,
            "GET",
            &format!("/api/v1/staff/reports/summary?unit={DEPARTMENT}&{bad}"),
            None,
            Some(&s),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    let csv = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/reports/summary.csv?unit={DEPARTMENT}&per_page=1"),
        None,
        Some(&s),
    )
    .await;
    let csv = String::from_utf8(csv.raw).unwrap();
    assert!(codes.iter().all(|c| csv.contains(c.as_str())), "{csv}");
    let perf = report(&app, &s, "performance", DEPARTMENT).await;
    assert_eq!(perf["total"]["ratings"], 1);
    assert_eq!(perf["first_rank"], 1);
    let second = report(
        &app,
        &s,
        "performance",
        &format!("{DEPARTMENT}&per_page=1&page=2"),
    )
    .await;
    assert_eq!(second["children_total"], perf["children_total"]);
    if perf["children_total"].as_u64().unwrap() >= 2 {
        assert_eq!(second["first_rank"], 2);
        assert_eq!(second["children"][0]["code"], perf["children"][1]["code"]);
    }
    assert!(perf["total"]["posters_downloaded"].as_u64().unwrap() >= 1);
    // The files: CSV with a BOM, XLSX, PDF.
    for (ext, starts) in [
        ("csv", &b"\xEF\xBB\xBF"[..]),
        ("xlsx", b"PK"),
        ("pdf", b"%PDF"),
    ] {
        let r = send_json(
            &app,
            "GET",
            &format!("/api/v1/staff/reports/preliminary.{ext}?unit={BANG_LAMUNG}"),
            None,
            Some(&c),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{ext}: {}", r.body);
        assert!(r.raw.starts_with(starts), "{ext}");
    }

    // The office replies; the citizen gets it by mail; it is published.
    let id = p["comments"][0]["id"].as_i64().unwrap();
    let r = send_json(
        &app,
        "PUT",
        &format!("/api/v1/staff/comments/{id}/reply"),
        Some(json!({ "body": "ขออภัยในความล่าช้า เราได้เพิ่มเจ้าหน้าที่ช่วงเช้าแล้ว" })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["mailed"], true);
    let mail = smtp
        .wait_for("citizen@example.com", "เพิ่มเจ้าหน้าที่ช่วงเช้า")
        .await;
    assert!(mail.contains("เพิ่มเจ้าหน้าที่ช่วงเช้า"));
    let public = get(&app, &format!("/sp/{BANG_LAMUNG_POINT}")).await;
    assert!(
        !public.body.contains("เพิ่มเจ้าหน้าที่ช่วงเช้า"),
        "not yet published"
    );
    let r = send_json(
        &app,
        "PUT",
        &format!("/api/v1/staff/comments/{id}/published"),
        Some(json!({ "published": true })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let public = get(&app, &format!("/sp/{BANG_LAMUNG_POINT}")).await;
    assert!(public.body.contains("เพิ่มเจ้าหน้าที่ช่วงเช้า"), "published");
    assert!(public.body.contains(domain::mask::PHONE_PLACEHOLDER));
    assert!(!public.body.contains("081-234-5678"));
    assert!(!public.body.contains("citizen@example.com"));
    drop(state);
}

on_both_databases!(a_poster_rating_reaches_the_reports_and_is_answered, flow);

async fn refusals(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "editora", false, Some((BANG_LAMUNG, "editor"))).await;
    let c = cookie(&app, "editora").await;
    let token = token_of(&app, &c, BANG_LAMUNG_POINT).await;
    let uri = format!("/r/{token}");
    let form_token = form_token_of(&get(&app, &uri).await.body);
    let good = |ft: &str| {
        vec![
            ("form_token".to_owned(), ft.to_owned()),
            ("overall".to_owned(), "5".to_owned()),
        ]
    };
    let send = |fields: Vec<(String, String)>, from: &'static str| {
        let app = app.clone();
        let uri = uri.clone();
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            post_form(&app, &uri, &f, from).await
        }
    };

    // Too soon after the form was served: refused, the answers kept in a fresh form.
    let r = send(good(&form_token), "10.2.0.1").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("ส่งเร็วเกินไป"), "{}", r.body);
    wait_fill_time().await;
    // No form token, or a forged one.
    let r = send(vec![("overall".into(), "5".into())], "10.2.0.1").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = send(
        good("1790000000.00112233445566778899aabbccddeeff"),
        "10.2.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Scores out of range, an unknown aspect's value, a comment of 1 MB.
    for (field, value) in [
        ("overall", "6"),
        ("overall", "0"),
        ("staff", "9"),
        ("service", "999999"),
    ] {
        let mut f = good(&form_token);
        f.retain(|(k, _)| k != field);
        f.push((field.into(), value.into()));
        let r = send(f, "10.2.0.1").await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {}",
            r.body
        );
        assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    }
    // Longer than the limit, and far too long to be read at all.
    let mut f = good(&form_token);
    f.push(("comment".into(), "ก".repeat(2_001)));
    let r = send(f, "10.2.0.1").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("2000") || r.body.contains("2,000"),
        "says the limit: {}",
        r.body
    );
    let mut f = good(&form_token);
    f.push(("comment".into(), "a".repeat(1 << 20)));
    let r = send(f, "10.2.0.1").await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("2,000"), "says the limit: {}", r.body);
    // The trap field.
    let mut f = good(&form_token);
    f.push(("website".into(), "http://spam.example".into()));
    assert_eq!(
        send(f, "10.2.0.2").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        db.rating_count().await.unwrap(),
        0,
        "bad input stores nothing"
    );

    // Behind one address, many browsers: at most the address's hourly share.
    let mut stored = 0;
    for i in 0..30 {
        let f = good(&form_token);
        let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&f)
            .finish();
        let mut req = Request::post(&uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("user-agent", format!("browser {i}"))
            .body(Body::from(body))
            .unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(
            "10.2.0.4:40000".parse::<std::net::SocketAddr>().unwrap(),
        ));
        if reply(&app, req).await.status == StatusCode::SEE_OTHER {
            stored += 1;
        }
    }
    assert_eq!(stored, domain::rating_guard::PER_ADDRESS_PER_HOUR);
    assert_eq!(db.rating_count().await.unwrap(), stored);

    // The same phone sending again and again: one rating counts, the rest are dropped.
    let first = send(good(&form_token), "10.2.0.3").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    for _ in 0..20 {
        let r = send(good(&form_token), "10.2.0.3").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(db.rating_count().await.unwrap(), stored + 1);
    let stored = stored + 1;
    // The report says how many were refused, and why.
    let p = report(&app, &c, "preliminary", BANG_LAMUNG_POINT).await;
    let refused = |key: &str| {
        p["refused"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(refused("too_fast"), 1);
    assert_eq!(refused("form"), 2);
    assert_eq!(refused("trap"), 1);
    assert_eq!(refused("repeat"), 20);
    assert_eq!(
        refused("limit"),
        30 - domain::rating_guard::PER_ADDRESS_PER_HOUR as u64
    );
    assert_eq!(p["ratings"], stored);

    // The JSON submission answers the same way; 201 when stored.
    let f = send_json(&app, "GET", &format!("/api/v1/ratings/{token}"), None, None).await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.body);
    let ft = f.json()["form_token"].as_str().unwrap().to_owned();
    wait_fill_time().await;
    let r = crate::support::send_from(
        &app,
        "POST",
        &format!("/api/v1/ratings/{token}"),
        Some(json!({ "form_token": ft, "overall": 7 })),
        None,
        "10.2.0.9",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["overall"].is_array(),
        "{}",
        r.body
    );
    let r = crate::support::send_from(
        &app,
        "POST",
        &format!("/api/v1/ratings/{token}"),
        Some(
            json!({ "form_token": ft, "overall": 5, "dimensions": { "staff": 4, "place": "na" } }),
        ),
        None,
        "10.2.0.9",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(db.rating_count().await.unwrap(), stored + 1);
}

on_both_databases!(abuse_and_bad_input_are_refused_and_counted, refusals);

async fn retired(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "editora", false, Some((BANG_LAMUNG, "editor"))).await;
    let c = cookie(&app, "editora").await;
    let old = token_of(&app, &c, BANG_LAMUNG_POINT).await;
    let form_token = form_token_of(&get(&app, &format!("/r/{old}")).await.body);

    // Rotated: the old print answers that it was replaced, and takes nothing.
    let r = send_json(
        &app,
        "POST",
        &format!("/api/v1/staff/service-points/{BANG_LAMUNG_POINT}/poster/rotate"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new = r.json()["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    let r = get(&app, &format!("/r/{old}")).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(r.body.contains("ถูกแทนที่"), "{}", r.body);
    wait_fill_time().await;
    let r = post_form(
        &app,
        &format!("/r/{old}"),
        &[("form_token", &form_token), ("overall", "5")],
        "10.3.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(get(&app, &format!("/r/{new}")).await.status, StatusCode::OK);

    // Switched off: its page says it is not taking ratings, and refuses them.
    let r = send_json(
        &app,
        "PUT",
        &format!("/api/v1/staff/service-points/{BANG_LAMUNG_POINT}/poster"),
        Some(json!({ "enabled": false })),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["enabled"], false);
    let page = get(&app, &format!("/r/{new}")).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("ไม่ได้เปิดรับการประเมิน"), "{}", page.body);
    // The poster's state is checked before the form token: any token will do.
    let ft = "1790000000.00112233445566778899aabbccddeeff";
    let r = post_form(
        &app,
        &format!("/r/{new}"),
        &[("form_token", ft), ("overall", "5")],
        "10.3.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // An unknown token.
    assert_eq!(
        get(&app, "/r/abcdefghijkmnpqrstuvwxyz22").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(db.rating_count().await.unwrap(), 0);
    // Audited.
    let actions = db
        .raw_strings("SELECT action FROM audit_log WHERE action LIKE 'poster.%' ORDER BY id")
        .await
        .unwrap();
    assert_eq!(actions, ["poster.on", "poster.rotate", "poster.off"]);
}

on_both_databases!(rotated_and_switched_off_posters_refuse, retired);

async fn forgetting(db: Db) {
    with_demo(&db).await;
    let now = Utc::now();
    let today = app::ratings::bangkok_day(now);
    let yesterday = today.pred_opt().unwrap();
    let chain = db
        .unit_chain(&unit(BANG_LAMUNG_POINT))
        .await
        .unwrap()
        .unwrap();
    let at = |day| Counted {
        point_id: chain[0].0,
        chain: chain.iter().map(|c| c.0).collect(),
        area: "ชลบุรี/บางละมุง".into(),
        day,
    };
    let guard = |key: &str| domain::rating_guard::Guard {
        key: key.into(),
        max_per_day: 3,
        repeat_within: None,
    };
    let rating = |day, received_at, email: &str, key: &str| {
        Submission::Rating(NewRating {
            at: at(day),
            received_at,
            scores: [Some(5), None, None, None, None, None],
            manual_id: None,
            comment: Some("ขอบคุณ".into()),
            email: Some(email.into()),
            phone: None,
            guards: vec![guard(key)],
        })
    };
    db.store_submissions(&[
        rating(
            yesterday,
            now - chrono::Duration::days(91),
            "old@example.com",
            "yesterday-client",
        ),
        rating(
            today,
            now - chrono::Duration::days(89),
            "recent@example.com",
            "today-client",
        ),
    ])
    .await
    .unwrap();
    let yesterdays_key = db.rating_day_key(yesterday, "k1").await.unwrap();
    let todays_key = db.rating_day_key(today, "k2").await.unwrap();
    // The first caller of a day makes its key; later ones get the same.
    assert_eq!(db.rating_day_key(today, "other").await.unwrap(), todays_key);
    assert_ne!(yesterdays_key, todays_key);

    let deleted = db
        .rating_housekeeping(
            today,
            now - chrono::Duration::days(app::ratings::CONTACT_DAYS),
        )
        .await
        .unwrap();
    assert_eq!(deleted, 1, "the contact given 91 days ago");
    let contacts = db
        .raw_strings("SELECT email FROM rating_contacts")
        .await
        .unwrap();
    assert_eq!(contacts, ["recent@example.com"]);
    let days = db
        .raw_strings("SELECT CAST(day AS TEXT) FROM rating_day_keys")
        .await
        .unwrap();
    assert_eq!(days, [today.to_string()], "yesterday's key is gone");
    let clients = db
        .raw_strings("SELECT key FROM rating_clients")
        .await
        .unwrap();
    assert_eq!(clients, ["today-client"], "yesterday's counters are gone");
    // The ratings themselves stay: append-only.
    assert_eq!(db.rating_count().await.unwrap(), 2);
}

on_both_databases!(contacts_day_keys_and_counters_are_forgotten, forgetting);
