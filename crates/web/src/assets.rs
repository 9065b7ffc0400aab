//! Static files, embedded in the binary so it runs from any directory. File names
//! carry no hash, so they are cached for a day and revalidated, not forever.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::Shared;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "site.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../assets/site.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/app.js"),
    ),
    (
        "staff.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/staff.js"),
    ),
    (
        "vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/vendor/leaflet/leaflet.js"),
    ),
    (
        "vendor/leaflet/leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../assets/vendor/leaflet/leaflet.css"),
    ),
    (
        "vendor/leaflet/images/marker-icon.png",
        "image/png",
        include_bytes!("../../../assets/vendor/leaflet/images/marker-icon.png"),
    ),
    (
        "vendor/leaflet/images/marker-icon-2x.png",
        "image/png",
        include_bytes!("../../../assets/vendor/leaflet/images/marker-icon-2x.png"),
    ),
    (
        "vendor/leaflet/images/marker-shadow.png",
        "image/png",
        include_bytes!("../../../assets/vendor/leaflet/images/marker-shadow.png"),
    ),
    (
        "vendor/leaflet/images/layers.png",
        "image/png",
        include_bytes!("../../../assets/vendor/leaflet/images/layers.png"),
    ),
    (
        "vendor/leaflet/images/layers-2x.png",
        "image/png",
        include_bytes!("../../../assets/vendor/leaflet/images/layers-2x.png"),
    ),
    (
        "vendor/sarabun/sarabun-thai-400-normal.woff2",
        "font/woff2",
        include_bytes!("../../../assets/vendor/sarabun/sarabun-thai-400-normal.woff2"),
    ),
    (
        "vendor/sarabun/sarabun-thai-700-normal.woff2",
        "font/woff2",
        include_bytes!("../../../assets/vendor/sarabun/sarabun-thai-700-normal.woff2"),
    ),
    (
        "vendor/sarabun/sarabun-latin-400-normal.woff2",
        "font/woff2",
        include_bytes!("../../../assets/vendor/sarabun/sarabun-latin-400-normal.woff2"),
    ),
    (
        "vendor/sarabun/sarabun-latin-700-normal.woff2",
        "font/woff2",
        include_bytes!("../../../assets/vendor/sarabun/sarabun-latin-700-normal.woff2"),
    ),
];

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/assets/{*path}", get(serve))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
}

async fn serve(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == path) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
