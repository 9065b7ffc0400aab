use axum::http::StatusCode;
use serde_json::Value;
use storage::Db;

use crate::on_both_databases;
use crate::support::{app, enc, get, with_demo};

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn thai_search_finds_the_right_places(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    let search = |q: &str| format!("/api/v1/service-points?q={}&per_page=100", enc(q));

    let r = get(&app, &search("บางละมุง")).await;
    assert_eq!(r.status, StatusCode::OK);
    let found = names(&r.json());
    assert!(
        found.contains(&"สำนักงานพัฒนาชุมชนอำเภอบางละมุง".to_string()),
        "{found:?}"
    );
    assert!(found.iter().all(|n| n.contains("บางละมุง")), "{found:?}");

    let found = names(&get(&app, &search("พัฒนาชุมชน")).await.json());
    assert_eq!(
        found.len(),
        12,
        "the provincial office and the 11 district offices: {found:?}"
    );
    assert!(found.iter().all(|n| n.contains("พัฒนาชุมชน")));

    let otop = get(&app, &search("OTOP")).await.json();
    assert_eq!(otop["total"], 12);
    assert!(
        otop["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["department"]["name"] == "กรมการพัฒนาชุมชน")
    );

    let found = names(&get(&app, &search("ทำบัตรประชาชน")).await.json());
    assert_eq!(found.len(), 11, "{found:?}");
    assert!(
        found.iter().all(|n| n.starts_with("สำนักทะเบียนอำเภอ")),
        "{found:?}"
    );

    let r = get(&app, &search("ไม่มีคำนี้ในระบบแน่นอน")).await.json();
    assert_eq!(r["total"], 0);

    let manuals = get(&app, &format!("/api/v1/manuals?q={}", enc("ทำบัตรประชาชน")))
        .await
        .json();
    let first = manuals["items"][0]["title"].as_str().unwrap();
    assert!(first.contains("บัตรประจำตัวประชาชน"), "{first}");
    let manuals = get(&app, &format!("/api/v1/manuals?q={}", enc("OTOP")))
        .await
        .json();
    assert!(manuals["total"].as_u64().unwrap() >= 2);
}
on_both_databases!(thai_text_search, thai_search_finds_the_right_places);

async fn nearest_first_with_distances(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    // Pattaya city hall area, in Bang Lamung.
    let r = get(&app, "/api/v1/service-points?near=12.93,100.89&per_page=20")
        .await
        .json();
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(r["total"], 30);
    let d: Vec<f64> = items
        .iter()
        .map(|i| i["distance_km"].as_f64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert_eq!(items[0]["address"]["district"], "บางละมุง");

    let r = get(
        &app,
        "/api/v1/service-points?near=12.93,100.89&radius_km=15",
    )
    .await
    .json();
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["distance_km"].as_f64().unwrap() <= 15.0)
    );
    assert!(
        r["total"].as_u64().unwrap() >= 4 && r["total"].as_u64().unwrap() < 30,
        "{}",
        r["total"]
    );

    // Text and distance together: relevance filters, distance orders.
    let r = get(
        &app,
        &format!(
            "/api/v1/service-points?q={}&near=13.36,100.98",
            enc("โรงพยาบาล")
        ),
    )
    .await
    .json();
    assert_eq!(r["total"], 4);
    assert_eq!(r["items"][0]["name"], "โรงพยาบาลชลบุรี");
}
on_both_databases!(nearest_service_points, nearest_first_with_distances);

async fn filters_and_paging(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    let all = get(&app, "/api/v1/service-points?per_page=100")
        .await
        .json();
    assert_eq!(all["total"], 30);
    let item = &all["items"][0];
    for field in [
        "code",
        "name",
        "unit",
        "department",
        "ministry",
        "address",
        "location",
        "phones",
        "open_now",
        "gecc_level",
        "manuals_count",
    ] {
        assert!(item.get(field).is_some(), "missing {field} in {item}");
    }
    assert!(item.get("distance_km").is_none());

    let cdd = get(
        &app,
        "/api/v1/service-points?unit=0112140000000&per_page=100",
    )
    .await
    .json();
    assert_eq!(cdd["total"], 12);
    let interior = get(
        &app,
        "/api/v1/service-points?unit=0100000000000&per_page=100",
    )
    .await
    .json();
    assert!(interior["total"].as_u64().unwrap() > 12);

    let otop_id = get(&app, &format!("/api/v1/manuals?q={}", enc("OTOP")))
        .await
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let pinned = get(
        &app,
        &format!("/api/v1/service-points?manual={otop_id}&per_page=100"),
    )
    .await
    .json();
    assert_eq!(pinned["total"], 12);

    let p1 = get(&app, "/api/v1/service-points?per_page=7&page=1")
        .await
        .json();
    let p5 = get(&app, "/api/v1/service-points?per_page=7&page=5")
        .await
        .json();
    assert_eq!(p1["items"].as_array().unwrap().len(), 7);
    assert_eq!(p5["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        (p5["page"].as_u64(), p5["per_page"].as_u64()),
        (Some(5), Some(7))
    );

    // Hospitals keep their emergency room open round the clock.
    let open = get(&app, "/api/v1/service-points?open_now=true&per_page=100")
        .await
        .json();
    let open_names = names(&open);
    assert!(
        open_names
            .iter()
            .filter(|n| n.starts_with("โรงพยาบาล"))
            .count()
            == 4,
        "{open_names:?}"
    );

    let geo = get(
        &app,
        "/api/v1/service-points.geojson?unit=0112140000000&per_page=100",
    )
    .await;
    assert_eq!(geo.content_type, "application/geo+json");
    let geo = geo.json();
    assert_eq!(geo["type"], "FeatureCollection");
    assert_eq!(geo["features"].as_array().unwrap().len(), 12);
    let c = &geo["features"][0]["geometry"]["coordinates"];
    assert!(
        c[0].as_f64().unwrap() > 100.0 && c[1].as_f64().unwrap() < 14.0,
        "lon, lat order: {c}"
    );
}
on_both_databases!(search_filters_and_paging, filters_and_paging);

async fn details_units_and_manuals(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    let list = get(
        &app,
        &format!(
            "/api/v1/service-points?q={}",
            enc("สำนักงานพัฒนาชุมชนอำเภอบางละมุง")
        ),
    )
    .await
    .json();
    let code = list["items"][0]["code"].as_str().unwrap().to_owned();
    let d = get(&app, &format!("/api/v1/service-points/{code}"))
        .await
        .json();
    assert_eq!(d["name"], "สำนักงานพัฒนาชุมชนอำเภอบางละมุง");
    assert_eq!(d["ministry"]["name"], "กระทรวงมหาดไทย");
    let weekly = d["hours"]["weekly"].as_array().unwrap();
    assert_eq!(weekly.len(), 10, "Monday–Friday, morning and afternoon");
    assert_eq!(weekly[0]["opens"], "08:30");
    assert_eq!(weekly[0]["closes"], "12:00");
    assert!(d["hours"]["status"]["open_now"].is_boolean());
    assert_eq!(d["manuals"].as_array().unwrap().len(), 3);
    assert!(
        d["phones"][0]["tel"]
            .as_str()
            .unwrap()
            .starts_with("tel:+66")
    );

    let roots = get(&app, "/api/v1/units").await.json();
    assert_eq!(roots["total"], 2);
    let depts = get(&app, "/api/v1/units?parent=0100000000000").await.json();
    assert!(
        depts["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["name"] == "กรมการพัฒนาชุมชน")
    );
    let unit = get(&app, "/api/v1/units/0112140000000").await.json();
    assert_eq!(unit["kind"], "department");
    assert_eq!(unit["ancestors"][0]["code"], "0100000000000");
    // The department holds the provincial office, which holds the 11 district offices
    // and its own service point.
    assert_eq!(unit["children"].as_array().unwrap().len(), 1);
    let province = get(&app, "/api/v1/units/0112140410100").await.json();
    assert_eq!(province["children"].as_array().unwrap().len(), 12);

    let mid = d["manuals"][0]["id"].as_i64().unwrap();
    let m = get(&app, &format!("/api/v1/manuals/{mid}")).await.json();
    for field in [
        "process_name",
        "legal_bases",
        "channels",
        "criteria",
        "steps",
        "documents",
        "fees",
        "no_fee",
        "complaint_channels",
        "forms",
        "total_time",
        "service_points",
    ] {
        assert!(m.get(field).is_some(), "manual lacks {field}");
    }
    assert!(
        m["complaint_channels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["phone"].as_str().unwrap_or("").contains("1111"))
    );
    assert_eq!(m["service_points"].as_array().unwrap().len(), 12);
}
on_both_databases!(detail_endpoints, details_units_and_manuals);

async fn bad_input_gets_a_4xx_naming_the_field(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    let cases = [
        ("/api/v1/service-points?near=abc", "near"),
        ("/api/v1/service-points?near=95,100", "near"),
        (
            "/api/v1/service-points?near=13,100&radius_km=-1",
            "radius_km",
        ),
        ("/api/v1/service-points?radius_km=5", "radius_km"),
        ("/api/v1/service-points?per_page=100000", "per_page"),
        ("/api/v1/service-points?page=0", "page"),
        ("/api/v1/service-points?unit=123", "unit"),
        ("/api/v1/service-points?unit=9999999999999", "unit"),
        ("/api/v1/service-points?manual=abc", "manual"),
        ("/api/v1/service-points?open_now=maybe", "open_now"),
        ("/api/v1/service-points.geojson?near=x", "near"),
        ("/api/v1/manuals?per_page=0", "per_page"),
        ("/api/v1/units?parent=0000000000001", "parent"),
        ("/api/v1/service-points/0000000000000", "code"),
        ("/api/v1/service-points/abc", "code"),
        ("/api/v1/units/0000000000000", "code"),
        ("/api/v1/manuals/999999", "id"),
        ("/api/v1/manuals/abc", "id"),
        ("/api/v1/no-such-thing", "path"),
    ];
    for (uri, field) in cases {
        let r = get(&app, uri).await;
        assert!(r.status.is_client_error(), "{uri}: {}", r.status);
        let v = r.json();
        assert!(v["error"]["fields"][field].is_array(), "{uri}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    let r = get(&app, "/api/v1/service-points?near=abc&lang=en")
        .await
        .json();
    assert!(
        r["error"]["fields"]["near"][0]
            .as_str()
            .unwrap()
            .starts_with("The location"),
        "{r}"
    );
}
on_both_databases!(
    bad_input_is_refused_clearly,
    bad_input_gets_a_4xx_naming_the_field
);

async fn operations_endpoints(db: Db) {
    let (_, app) = app(&db).await;
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
    assert_eq!(get(&app, "/readyz").await.status, StatusCode::OK);
    let _ = get(&app, "/api/v1/service-points").await;
    let m = get(&app, "/metrics").await;
    assert!(m.body.contains("http_requests_total"), "{}", m.body);
    assert!(m.body.contains("route=\"/api/v1/service-points\""));
    db.close().await;
    assert_eq!(
        get(&app, "/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
on_both_databases!(health_readiness_metrics, operations_endpoints);

#[tokio::test]
async fn openapi_document_describes_every_endpoint() {
    let doc = serde_json::to_value(web::api::openapi()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/service-points",
        "/api/v1/service-points/{code}",
        "/api/v1/service-points.geojson",
        "/api/v1/manuals",
        "/api/v1/manuals/{id}",
        "/api/v1/units",
        "/api/v1/units/{code}",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    // The account flows, for integrations and scripts.
    for (method, path) in [
        ("post", "/api/v1/auth/signup"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/logout"),
        ("post", "/api/v1/auth/verify"),
        ("post", "/api/v1/auth/resend-verification"),
        ("post", "/api/v1/auth/password-reset"),
        ("post", "/api/v1/auth/password-reset/confirm"),
        ("get", "/api/v1/me"),
        ("delete", "/api/v1/me"),
        ("post", "/api/v1/me/units"),
        ("post", "/api/v1/me/password"),
        ("post", "/api/v1/me/tokens"),
        ("get", "/api/v1/me/tokens"),
        ("delete", "/api/v1/me/tokens/{id}"),
        ("get", "/api/v1/staff/units/{code}/members"),
        ("get", "/api/v1/staff/units/{code}/authorize-codes"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    let signup = &doc["components"]["schemas"]["SignupRequest"]["properties"];
    for field in [
        "first_name",
        "last_name",
        "citizen_id",
        "mobile",
        "email",
        "username",
        "password",
        "password_confirmation",
    ] {
        assert!(signup[field].is_object(), "SignupRequest.{field} missing");
    }
    let params: Vec<&str> = doc["paths"]["/api/v1/service-points"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "q",
        "near",
        "radius_km",
        "unit",
        "manual",
        "open_now",
        "page",
        "per_page",
    ] {
        assert!(params.contains(&p), "{p} not documented: {params:?}");
    }
    assert!(
        doc["components"]["schemas"]["ServicePointItem"]["properties"]["distance_km"].is_object()
    );
}

/// Every answer a route can give is in the document, with the ways to sign in: a route
/// added without its refusals, its `Retry-After` or its `security` fails here.
/// A parameter in the path is one the path names; every other is in the query (a
/// struct of parameters that forgets to say so is documented as in the path).
#[test]
fn openapi_parameters_are_where_the_paths_say() {
    let doc = serde_json::to_value(web::api::openapi()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    p["in"] == "path",
                    in_path,
                    "{method} {path}: `{name}` is documented in {}",
                    p["in"]
                );
            }
        }
    }
}

#[test]
fn openapi_document_lists_every_answer_and_how_to_sign_in() {
    let doc = serde_json::to_value(web::api::openapi()).unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["type"], "apiKey", "{schemes}");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "citizeninfo_session");
    assert_eq!(schemes["bearer"]["type"], "http", "{schemes}");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    let description = doc["info"]["description"].as_str().unwrap();
    for needle in [
        "read-only",
        "Bearer",
        "citizeninfo_session",
        "429",
        "503",
        "Retry-After",
    ] {
        assert!(
            description.contains(needle),
            "info.description lacks {needle}"
        );
    }

    // The account's own credentials: a token may not touch them.
    let session_only = [
        "POST /api/v1/me/tokens",
        "DELETE /api/v1/me/tokens/{id}",
        "POST /api/v1/me/password",
        "DELETE /api/v1/me",
    ];
    let throttled = [
        "POST /api/v1/auth/signup",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/resend-verification",
        "POST /api/v1/me/units",
        "POST /api/v1/me/password",
        "POST /api/v1/ratings/{token}",
    ];
    // Routes with bounded work (password hashing; photos decoded one per core; the
    // ratings queued for their commit) that
    // answer 503 when it is at capacity.
    let hashing = [
        "POST /api/v1/auth/signup",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/password-reset/confirm",
        "POST /api/v1/me/password",
        "POST /api/v1/staff/service-points/{code}/photos",
        "PUT /api/v1/staff/tasks/{id}/units/{code}/report/photos/{item}",
        // The ratings' group-commit queue.
        "POST /api/v1/ratings/{token}",
    ];
    // Bodies the server takes or refuses whole, with no rule on a single field.
    let no_field_rules = [
        "PUT /api/v1/staff/service-points/{code}/poster",
        "POST /api/v1/auth/verify",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/resend-verification",
        "POST /api/v1/auth/password-reset",
    ];

    let mut seen = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let responses = op["responses"].as_object().unwrap();
            let has = |status: &str| responses.contains_key(status);
            let missing = |status: &str| format!("{name} does not document {status}");
            for (status, r) in responses {
                assert!(
                    !r["description"].as_str().unwrap_or("").is_empty(),
                    "{name} {status} has no description"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ApiError",
                        "{name} {status} is not an ApiError"
                    );
                }
            }
            let parameters: Vec<&Value> = op["parameters"]
                .as_array()
                .map(|p| p.iter().collect())
                .unwrap_or_default();
            if !parameters.is_empty() {
                assert!(has("400"), "{}", missing("400 for its parameters"));
            }
            for p in &parameters {
                // The portal's search form sends empty fields; the API reads them as absent.
                if op["tags"][0] == "directory" && p["in"] == "query" {
                    assert_eq!(p["allowEmptyValue"], true, "{name}: {}", p["name"]);
                }
                if matches!(p["name"].as_str(), Some("code" | "unit" | "parent")) {
                    assert_eq!(
                        p["schema"]["pattern"], "^[0-9]{13}$",
                        "{name}: {} takes a 13-digit code",
                        p["name"]
                    );
                }
            }
            if op["requestBody"].is_object() {
                assert!(has("400"), "{}", missing("400 invalid_body"));
                assert!(has("413"), "{}", missing("413 body_too_large"));
                if !no_field_rules.contains(&name.as_str()) {
                    assert!(has("422"), "{}", missing("422 invalid_field"));
                }
            }

            let signed_in = path.starts_with("/api/v1/me") || path.starts_with("/api/v1/staff/");
            let security = &op["security"];
            if signed_in {
                assert!(has("401"), "{}", missing("401 unauthenticated"));
                let expected = if session_only.contains(&name.as_str()) {
                    assert!(has("403"), "{}", missing("403 for a token"));
                    serde_json::json!([{ "session": [] }])
                } else {
                    serde_json::json!([{ "session": [] }, { "bearer": [] }])
                };
                assert_eq!(security, &expected, "{name}: security");
            } else {
                assert!(security.is_null(), "{name} is public: no security");
            }
            if path.starts_with("/api/v1/staff/") {
                for status in ["400", "401", "403", "404"] {
                    assert!(has(status), "{}", missing(status));
                }
            }

            for (status, routes) in [("429", &throttled[..]), ("503", &hashing[..])] {
                assert_eq!(
                    has(status),
                    routes.contains(&name.as_str()),
                    "{name}: {status} documented where it is answered, and only there"
                );
                if has(status) {
                    let retry_after = &responses[status]["headers"]["Retry-After"];
                    assert_eq!(
                        retry_after["required"], true,
                        "{name} {status}: Retry-After"
                    );
                    assert_eq!(retry_after["schema"]["type"], "integer");
                }
            }
            seen.push(name);
        }
    }
    for name in session_only
        .iter()
        .chain(&throttled)
        .chain(&hashing)
        .chain(&no_field_rules)
    {
        assert!(
            seen.contains(&name.to_string()),
            "{name} is not in the document"
        );
    }
    for (status, route) in [
        ("200", "POST /api/v1/me/units"),
        ("201", "POST /api/v1/me/units"),
    ] {
        let (method, path) = route.split_once(' ').unwrap();
        assert!(
            doc["paths"][path][method.to_lowercase()]["responses"][status].is_object(),
            "{route} answers {status}"
        );
    }

    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["BindUnitRequest"]["properties"]["authorize_code"]["pattern"],
        "^[0-9A-Fa-f]{15}$"
    );
    for (schema, fields) in [
        ("BindUnitRequest", &["authorize_code"][..]),
        (
            "SignupRequest",
            &[
                "first_name",
                "last_name",
                "email",
                "username",
                "password",
                "password_confirmation",
            ],
        ),
        ("LoginRequest", &["username", "password"]),
        ("NewToken", &["name"]),
        ("RoleRequest", &["role"]),
    ] {
        let required = schemas[schema]["required"].as_array().unwrap();
        for f in fields {
            assert!(
                required.contains(&Value::from(*f)),
                "{schema}.{f} is required"
            );
        }
    }
}
