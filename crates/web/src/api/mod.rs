//! The public JSON API under `/api/v1`, described by the OpenAPI document that
//! `utoipa` builds from these handlers.

mod error;
mod manuals;
mod model;
mod service_points;
mod units;

use axum::Json;
use axum::routing::get;
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::Shared;
pub use error::ApiError;
pub use model::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CITIZENinfo public API",
        description = "The public directory of Thai government service points and citizen manuals. Read-only, no authentication. Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`; lists are `{\"items\", \"total\", \"page\", \"per_page\"}`. Texts are Thai; fields ending in `_en` carry English where the agency gave it.",
        license(name = "AGPL-3.0-or-later")
    ),
    tags((name = "directory", description = "Service points, units and manuals"))
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(service_points::list))
        .routes(routes!(service_points::geojson))
        .routes(routes!(service_points::detail))
        .routes(routes!(manuals::list))
        .routes(routes!(manuals::detail))
        .routes(routes!(units::list))
        .routes(routes!(units::detail))
        .route("/api/v1/openapi.json", get(|| async { Json(openapi()) }))
}

/// The document, built once.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| router().split_for_parts().1)
}
