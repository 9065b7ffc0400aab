//! The public JSON API under `/api/v1`, described by the OpenAPI document that
//! `utoipa` builds from these handlers.

mod auth;
mod backoffice;
mod catalogue;
mod comments;
pub(crate) mod import;
mod manual_history;
mod manuals;
mod model;
mod photos;
mod points;
mod posters;
mod quality;
mod ratings;
pub(crate) mod reports;
mod service_points;
mod staff;
mod tasks;
mod units;

use axum::Json;
use axum::routing::get;
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::Shared;
pub use crate::errors::ApiError;
pub use model::*;
pub(crate) use photos::{UPLOAD_LIMIT, Upload, read_upload};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CITIZENinfo API",
        description = "The national directory of Thai government service points (จุดบริการ) and citizen manuals (คู่มือสำหรับประชาชน), and the accounts of the staff who keep it. Texts are Thai; fields ending in `_en` carry English where the agency gave it.

## Public and signed-in

- **Public, read-only, no sign-in** (tag `directory`): service points, their GeoJSON, units and manuals.
- **Needs no sign-in, changes an account** (tag `accounts`, under `/api/v1/auth/`): sign-up, e-mail verification, sign-in and sign-out, password reset.
- **Needs sign-in** (tags `accounts` and `staff`): the signed-in account under `/api/v1/me`, and a unit's members, roles, audit and Authorize Codes under `/api/v1/staff/units/{code}/`. Each staff route checks the caller's role on the unit: 404 for an unknown unit, 403 without the right.

## Authentication

Either the session cookie `citizeninfo_session` that `POST /api/v1/auth/login` sets (scheme `session`; HttpOnly, SameSite=Lax, ends after 8 idle hours), or `Authorization: Bearer <token>` with a personal API token made at `POST /api/v1/me/tokens` (scheme `bearer`). A token carries its owner's rights, but cannot make or revoke tokens, change the password or delete the account: those need the session, and answer 403 to a token. A password change or reset ends every session and token of the account. Without a valid session or token, signed-in routes answer 401.

## Errors

Every error answer is `{\"error\": {\"code\", \"message\", \"fields\": {\"name\": [\"why\", …]}}}`; `fields` names the parameters or body fields at fault. `code` is `invalid_parameter` or `invalid_body` (400: a refused query or path parameter, a body that is not JSON of the documented shape), `invalid_token` (400: a mailed link that is unknown, used or expired), `unauthenticated` or `wrong_credentials` (401), `forbidden` or `email_unverified` (403), `not_found` (404), `body_too_large` (413: a body over 2 MB), `invalid_field` (422: a body field that breaks a rule), `throttled` (429), `busy` (503) or `internal` (500). Directory messages are Thai, or English with `?lang=en`; account messages carry both.

## Lists

`{\"items\": […], \"total\", \"page\", \"per_page\"}`: `page` counts from 1 (at most 10000), `per_page` is 1 to 100 (20 unless given).

## Rate limits

Tries that can be abused are counted per account and per network address: 5 wrong passwords per account and 20 per address in 15 minutes (sign-in and password change; a right password gives its try back), the same for wrong Authorize Codes (`POST /api/v1/me/units`), 3 mails per recipient and 30 mail requests per address an hour (resend verification and password reset; a sign-up over its recipient's limit is answered as usual, without the mail), 20 sign-ups per address an hour. A refusal is 429 `throttled` with `Retry-After`: the seconds until the window that refused it ends.

## Busy

Password hashing runs one per core with a short queue. Beyond it, the routes that hash a password (sign-up, sign-in, password reset confirmation, password change) answer 503 `busy` at once, with `Retry-After` in seconds.

## Beyond this document

The server as a whole refuses a state-changing request that a browser sends from another site (403, plain text), answers 503 with `Retry-After` to connections over its limits, 503 to a request that takes over its time limit, and 408 to a body sent too slowly.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&SignIn),
    tags((name = "directory", description = "Service points, units and manuals"),
         (name = "accounts", description = "Staff sign-up, e-mail verification, sign-in (session cookie) and the signed-in account"),
         (name = "ratings", description = "The citizen's rating form behind a QR poster: no account, no cookie; a form token from the GET, sent back no sooner than a few seconds later"),
         (name = "staff", description = "A unit's members, roles, audit and Authorize Codes; a session cookie or `Authorization: Bearer` with a personal API token"))
)]
struct ApiDoc;

/// The two ways to sign in that the operations' `security` names.
struct SignIn;

impl Modify for SignIn {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "citizeninfo_session",
                "The session cookie set by `POST /api/v1/auth/login`",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token from `POST /api/v1/me/tokens`, as `Authorization: Bearer <token>`",
                    ))
                    .build(),
            ),
        );
    }
}

/// What utoipa's attributes cannot say, written into the finished document through the
/// extension maps, which are serialised as they are:
/// - `Retry-After` is always sent with the answers that document it (429, 503), so that
///   clients and contract tests may rely on it (utoipa's header has no `required`);
/// - the directory's query parameters are also those of the portal's search form, where
///   an empty field means no filter, so an empty value is taken as absent
///   (`allowEmptyValue`, which utoipa's parameter leaves out).
fn finish(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;
    for (path, item) in doc.paths.paths.iter_mut() {
        // The back office's listing takes the filters of a search form too.
        let form_like = matches!(
            path.as_str(),
            "/api/v1/staff/service-points"
                | "/api/v1/staff/quality"
                | "/api/v1/staff/posters"
                | "/api/v1/staff/tasks"
        );
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            for response in op.responses.responses.values_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if let Some(RefOr::T(header)) = response.headers.get_mut("Retry-After") {
                    header
                        .extensions
                        .get_or_insert_with(Default::default)
                        .insert("required".to_owned(), true.into());
                }
            }
            let directory = form_like || op.tags.iter().flatten().any(|t| t == "directory");
            for parameter in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = parameter
                    && directory
                    && p.parameter_in == ParameterIn::Query
                {
                    p.extensions
                        .get_or_insert_with(Default::default)
                        .insert("allowEmptyValue".to_owned(), true.into());
                }
            }
        }
    }
}

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
        .routes(routes!(backoffice::list))
        .routes(routes!(points::get_point, points::patch_point))
        .routes(routes!(points::create_point))
        .routes(routes!(points::archive))
        .routes(routes!(points::restore))
        .routes(routes!(points::verify))
        .routes(routes!(points::history))
        .routes(routes!(points::revert))
        .routes(routes!(points::locate))
        .routes(routes!(quality::quality))
        .routes(routes!(catalogue::create, manual_history::list))
        .routes(routes!(manual_history::history))
        .routes(routes!(manual_history::revert))
        .routes(routes!(catalogue::get_draft, catalogue::put_draft))
        .routes(routes!(catalogue::publish))
        .routes(routes!(catalogue::pin, catalogue::unpin))
        .routes(routes!(catalogue::pin_all))
        .routes(routes!(catalogue::expected))
        .routes(routes!(photos::update, photos::delete))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(photos::upload))
                .layer(axum::extract::DefaultBodyLimit::max(photos::UPLOAD_LIMIT)),
        )
        .merge(OpenApiRouter::new().routes(routes!(import::import)).layer(
            axum::extract::DefaultBodyLimit::max(import::IMPORT_BODY_LIMIT),
        ))
        .routes(routes!(posters::list))
        .routes(routes!(posters::bulk))
        .routes(routes!(posters::pdf))
        .routes(routes!(posters::png))
        .routes(routes!(posters::switch))
        .routes(routes!(posters::rotate))
        .routes(routes!(reports::report))
        .routes(routes!(comments::list))
        .routes(routes!(comments::reply))
        .routes(routes!(comments::publish))
        .routes(routes!(tasks::create, tasks::list))
        .routes(routes!(tasks::get, tasks::patch, tasks::discard))
        .routes(routes!(tasks::issue))
        .routes(routes!(tasks::extend))
        .routes(routes!(tasks::close))
        .routes(routes!(tasks::units))
        .routes(routes!(tasks::get_report, tasks::put_report))
        .routes(routes!(tasks::submit_report))
        .routes(routes!(tasks::accept_report))
        .routes(routes!(tasks::return_report))
        .routes(routes!(tasks::letter))
        .routes(routes!(tasks::report_pdf))
        .routes(routes!(tasks::codes))
        .routes(routes!(tasks::get_attachment, tasks::remove_attachment))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(tasks::add_attachment))
                .routes(routes!(tasks::put_photo, tasks::get_photo))
                .layer(axum::extract::DefaultBodyLimit::max(photos::UPLOAD_LIMIT)),
        )
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
        .merge(
            OpenApiRouter::new()
                .routes(routes!(ratings::form, ratings::submit))
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::pages::RATING_BODY_LIMIT,
                )),
        )
        .route("/api/v1/openapi.json", get(|| async { Json(openapi()) }))
        .route("/media/{*key}", get(photos::file))
}

/// The document, built once.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = router().split_for_parts().1;
        finish(&mut doc);
        doc
    })
}
