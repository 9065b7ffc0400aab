//! Photos through the staff API, on both databases: an upload is re-encoded and served
//! with long cache headers and its size, shown on the public page at once, and gone
//! from it at once when deleted; a wrong file, a decompression bomb and an oversized
//! body are each refused with a clear error and change nothing.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use storage::Db;

use crate::on_both_databases;
use crate::scope::{cookie, person};
use crate::support::{Reply, app, get, reply, send_json, with_demo, without_photos};

const BANG_LAMUNG: &str = "0112140410104";
const POINT: &str = "0112140410304";
const BOUNDARY: &str = "citizeninfo-test-boundary";

fn multipart(file: &[u8], name: &str, alt: &str) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(file);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn upload(app: &Router, c: &str, body: Vec<u8>) -> Reply {
    reply(
        app,
        Request::post(format!("/api/v1/staff/service-points/{POINT}/photos"))
            .header("cookie", c)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// A real photo-like PNG: a gradient, 800×600.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    c.extend_from_slice(&body);
    c.extend_from_slice(&crc32(&body).to_be_bytes());
    c
}

/// A valid PNG header declaring 60,000 × 60,000 pixels over a few bytes of data.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = 60_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

async fn photos(db: Db) {
    with_demo(&db).await;
    let (_, app) = app(&db).await;
    person(&db, "editor41", false, Some((BANG_LAMUNG, "editor"))).await;
    person(&db, "viewer41", false, Some((BANG_LAMUNG, "viewer"))).await;
    let c = cookie(&app, "editor41").await;
    without_photos(&app, &c, POINT).await;

    let r = upload(&app, &c, multipart(&png(), "office.png", "หน้าสำนักงาน")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let photo = r.json()["photos"][0].clone();
    assert_eq!(photo["width"], 800);
    assert_eq!(photo["alt"], "หน้าสำนักงาน");
    assert_eq!(photo["cover"], true);
    let url = photo["url"].as_str().unwrap().to_owned();
    let thumb = photo["thumb_url"].as_str().unwrap().to_owned();

    // Served as JPEG for a year; the thumbnail is at most 400 px wide.
    let f = get(&app, &url).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.content_type, "image/jpeg");
    assert!(f.raw.starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert!(
        f.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let t = image::load_from_memory(&get(&app, &thumb).await.raw).unwrap();
    assert!(t.width() <= 400);

    // The public side at once, with the size on the page.
    let d = get(&app, &format!("/api/v1/service-points/{POINT}")).await;
    assert_eq!(d.json()["photos"][0]["url"], url.as_str());
    let p = get(&app, &format!("/sp/{POINT}")).await;
    assert!(p.body.contains(&format!("src=\"{url}\"")), "{}", p.body);
    assert!(
        p.body.contains("width=\"800\" height=\"600\""),
        "{}",
        p.body
    );

    // Refused, each with its reason, nothing stored.
    let r = upload(&app, &c, multipart(b"just some text", "photo.jpg", "x")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("JPEG"), "{}", r.body);
    let started = std::time::Instant::now();
    let r = upload(&app, &c, multipart(&png_bomb(), "bomb.png", "x")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("60,000"), "the size named: {}", r.body);
    assert!(started.elapsed().as_secs() < 5, "refused before decoding");
    let r = upload(
        &app,
        &c,
        multipart(&vec![0xFFu8; 50 * 1024 * 1024], "big.jpg", "x"),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    let v = cookie(&app, "viewer41").await;
    let r = upload(&app, &v, multipart(&png(), "office.png", "x")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/service-points/{POINT}"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.json()["photos"].as_array().unwrap().len(), 1);

    // Deleted: off the public side at once, and its files gone.
    let id = photo["id"].as_i64().unwrap();
    let r = send_json(
        &app,
        "DELETE",
        &format!("/api/v1/staff/service-points/{POINT}/photos/{id}"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = get(&app, &format!("/api/v1/service-points/{POINT}")).await;
    assert_eq!(d.json()["photos"].as_array().unwrap().len(), 0);
    assert!(!get(&app, &format!("/sp/{POINT}")).await.body.contains(&url));
    assert_eq!(get(&app, &url).await.status, StatusCode::NOT_FOUND);
    // The history has both.
    let h = send_json(
        &app,
        "GET",
        &format!("/api/v1/staff/service-points/{POINT}/history"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(h.json()[0]["action"], "photo.delete");
    assert_eq!(h.json()[1]["action"], "photo.add");
}
on_both_databases!(photos_upload_show_and_delete, photos);
