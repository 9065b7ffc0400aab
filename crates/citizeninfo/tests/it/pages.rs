use axum::http::StatusCode;
use storage::Db;

use crate::on_both_databases;
use crate::support::{app, enc, get, get_with, with_demo};

const BANG_LAMUNG_CDD: &str = "สำนักงานพัฒนาชุมชนอำเภอบางละมุง";

async fn point_code(app: &axum::Router, name: &str) -> String {
    let v = get(app, &format!("/api/v1/service-points?q={}", enc(name)))
        .await
        .json();
    v["items"][0]["code"].as_str().unwrap().to_owned()
}

async fn portal_pages(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;

    let home = get(&app, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.content_type.starts_with("text/html"));
    assert!(home.body.contains("<html lang=\"th\">"));
    assert!(home.body.contains("name=\"q\"") && home.body.contains("id=\"near-me\""));
    assert!(
        home.body.contains("<option>ชลบุรี</option>"),
        "province choice for when location is refused"
    );

    let results = get(&app, &format!("/search?q={}", enc("พัฒนาชุมชน"))).await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(results.body.contains("พบ 12 จุดบริการ"), "{}", results.body);
    assert!(results.body.contains(BANG_LAMUNG_CDD));
    assert!(results.body.contains("id=\"map\""));

    let near = get(&app, "/search?near=12.93,100.89").await;
    assert!(near.body.contains("ห่าง "), "distances shown");
    let place = get(
        &app,
        &format!(
            "/search?province={}&district={}",
            enc("ชลบุรี"),
            enc("บางละมุง")
        ),
    )
    .await;
    assert!(place.body.contains("พบ 4 จุดบริการ"), "{}", place.body);
    let bad = get(&app, "/search?near=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("role=\"alert\""));

    let code = point_code(&app, BANG_LAMUNG_CDD).await;
    let sp = get(&app, &format!("/sp/{code}")).await;
    assert_eq!(sp.status, StatusCode::OK);
    for expected in [
        "กระทรวงมหาดไทย",
        "กรมการพัฒนาชุมชน",
        BANG_LAMUNG_CDD,
        "href=\"tel:+66",
        "08:30–12:00, 13:00–16:30 น.",
        "ปิดวันหยุดราชการ",
        "/manuals/",
        "พ.ศ.",
        "id=\"map\"",
    ] {
        if expected == "พ.ศ." {
            // Buddhist-era year of the last update: 25xx.
            assert!(
                sp.body.contains(" 256") || sp.body.contains(" 257"),
                "no Buddhist-era date"
            );
            continue;
        }
        assert!(
            sp.body.contains(expected),
            "service point page lacks {expected}"
        );
    }
    assert!(sp.body.contains("เปิดอยู่") || sp.body.contains("ปิดอยู่"));
    let css = get(&app, "/assets/site.css").await;
    assert!(
        sp.body.len() + css.body.len() <= 30 * 1024,
        "page {} B + CSS {} B over 30 KB",
        sp.body.len(),
        css.body.len()
    );

    let manual_path = sp
        .body
        .split("href=\"/manuals/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let manual = get(&app, &format!("/manuals/{manual_path}")).await;
    assert_eq!(manual.status, StatusCode::OK);
    for n in 1..=19 {
        assert!(
            manual.body.contains(&format!("{n}. ")),
            "manual page lacks section {n}"
        );
    }
    for expected in [
        "หลักเกณฑ์ วิธีการ เงื่อนไข",
        "ขั้นตอน ระยะเวลา",
        "รายการเอกสารหลักฐาน",
        "ค่าธรรมเนียม",
        "1111",
        "ระยะเวลาดำเนินการรวม",
        "@media print",
    ] {
        if expected == "@media print" {
            assert!(css.body.contains(expected));
            continue;
        }
        assert!(
            manual.body.contains(expected),
            "manual page lacks {expected}"
        );
    }

    let units = get(&app, "/units").await;
    assert!(units.body.contains("กระทรวงมหาดไทย") && units.body.contains("กระทรวงสาธารณสุข"));
    let dept = get(&app, "/units/0112140000000").await;
    assert!(dept.body.contains("สำนักงานพัฒนาชุมชนจังหวัดชลบุรี"));
    let province = get(&app, "/units/0112140410100").await;
    assert!(province.body.contains(BANG_LAMUNG_CDD));
    assert_eq!(
        get(&app, "/units/0000000000000").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/sp/0000000000000").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&app, "/manuals/0").await.status, StatusCode::NOT_FOUND);
    let missing = get(&app, "/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("ไม่พบหน้าที่ต้องการ"));

    for asset in [
        "/assets/app.js",
        "/assets/vendor/leaflet/leaflet.js",
        "/assets/vendor/leaflet/leaflet.css",
        "/assets/vendor/sarabun/sarabun-thai-400-normal.woff2",
    ] {
        assert_eq!(get(&app, asset).await.status, StatusCode::OK, "{asset}");
    }
}
on_both_databases!(public_portal_pages, portal_pages);

async fn english_switch(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    let sw = get(&app, "/lang/en?next=/units").await;
    assert_eq!(sw.status, StatusCode::SEE_OTHER);
    assert_eq!(sw.headers["location"], "/units");
    let cookie = sw.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    let en = get_with(&app, "/units", &[("cookie", "lang=en")]).await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(
        en.body.contains("Ministry of Interior"),
        "English names when the agency gave them"
    );
    assert!(en.body.contains("Government agencies"));
    let code = point_code(&app, BANG_LAMUNG_CDD).await;
    let sp = get(&app, &format!("/sp/{code}?lang=en")).await;
    assert!(
        sp.body.contains("Opening hours") && sp.body.contains("BE ("),
        "English page with Buddhist-era dates"
    );
    // The switch leads back to the same page without the old language in its address.
    assert!(
        sp.body.contains(&format!("/lang/th?next=/sp/{code}\"")),
        "switch link keeps the page"
    );
    // Only local paths are followed.
    let evil = get(&app, "/lang/th?next=//evil.example/").await;
    assert_eq!(evil.headers["location"], "/");
    for odd in ["/lang/en?next=/%E0%B8%81", "/lang/th?next=/a%0Ab"] {
        let r = get(&app, odd).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{odd}");
        assert_eq!(r.headers["location"], "/", "{odd}");
    }
}
on_both_databases!(english_language_switch, english_switch);

async fn hidden_points_never_appear_publicly(db: Db) {
    crate::support::with_demo_and_hidden_point(&db, "0112140499998", "จุดบริการลับเฉพาะเจ้าหน้าที่").await;
    let (_, app) = app(&db).await;
    for uri in [
        "/api/v1/service-points/0112140499998".to_string(),
        "/sp/0112140499998".to_string(),
        "/units/0112140499998".to_string(),
        "/api/v1/units/0112140499998".to_string(),
    ] {
        assert_eq!(get(&app, &uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    for uri in [
        format!("/api/v1/service-points?q={}&per_page=100", enc("ลับเฉพาะ")),
        "/api/v1/service-points?per_page=100".to_string(),
        "/api/v1/service-points.geojson?per_page=100".to_string(),
        "/api/v1/units?parent=0112140410104".to_string(),
        format!("/search?q={}", enc("บางละมุง")),
        "/units/0112140000000".to_string(),
        "/manuals/1".to_string(),
        "/api/v1/manuals/1".to_string(),
    ] {
        let r = get(&app, &uri).await;
        assert!(
            !r.body.contains("0112140499998") && !r.body.contains("ลับเฉพาะเจ้าหน้าที่"),
            "{uri} shows the hidden point"
        );
    }
}
on_both_databases!(
    hidden_points_stay_out_of_every_public_view,
    hidden_points_never_appear_publicly
);
