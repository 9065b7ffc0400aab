//! The public JSON API under `/api/v1`, described by the OpenAPI document that
//! `utoipa` builds from these handlers.

mod auth;
mod error;
mod manuals;
mod model;
mod service_points;
mod staff;
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
    tags((name = "directory", description = "Service points, units and manuals"),
         (name = "accounts", description = "Staff sign-up, e-mail verification, sign-in (session cookie) and the signed-in account"),
         (name = "staff", description = "A unit's members, roles, audit and Authorize Codes; a session cookie or `Authorization: Bearer` with a personal API token"))
)]
struct ApiDoc;

/// The routes that need a session, each as documented.
fn account_routes() -> OpenApiRouter<Shared> {
    OpenApiRouter::new()
        .routes(routes!(auth::signup))
        .routes(routes!(auth::verify))
        .routes(routes!(auth::resend_verification))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::password_reset))
        .routes(routes!(auth::password_reset_confirm))
        .routes(routes!(auth::me, auth::delete_me))
        .routes(routes!(auth::bind_unit))
        .routes(routes!(auth::change_password))
        .routes(routes!(staff::create_token, staff::list_tokens))
        .routes(routes!(staff::revoke_token))
        .routes(routes!(staff::members))
        .routes(routes!(staff::set_role, staff::remove_member))
        .routes(routes!(staff::audit))
        .routes(routes!(staff::export_codes))
        .routes(routes!(staff::rotate_code, staff::revoke_code))
}

/// The public directory and the account routes, without sessions (for the document).
pub fn router() -> OpenApiRouter<Shared> {
    public_router().merge(account_routes())
}

/// The routes served: account routes behind the session layer, so that public reads
/// never touch a session.
pub(crate) fn served(state: &Shared) -> axum::Router<Shared> {
    let (public, _) = public_router().split_for_parts();
    let (accounts, _) = account_routes().split_for_parts();
    public.merge(accounts.layer(crate::auth::session_layer(state)))
}

fn public_router() -> OpenApiRouter<Shared> {
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
