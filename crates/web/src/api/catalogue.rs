//! The manual catalogue and pins in the staff API: drafts, publishing, the manuals a
//! department expects, and pinning manuals to points one by one or under a unit.

use app::manuals::DraftBase;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::UnitCode;
use domain::manual::Manual;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::json_body;
use crate::Shared;
use crate::auth::scope::Staff;
use crate::errors::{ApiError, ApiPath};
use crate::params::FieldErrors;

fn code_of(code: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(code.trim()).map_err(|_| {
        ApiError::invalid(FieldErrors::from([(
            "code".to_owned(),
            vec!["รหัสต้องเป็นตัวเลข 13 หลัก / A code has 13 digits".to_owned()],
        )]))
    })
}

/// A manual key as the path gives it: lower-case letters, digits and dashes.
pub(crate) fn key_of(key: &str) -> Result<String, ApiError> {
    let ok = !key.is_empty()
        && key.len() <= 60
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(key.to_owned())
    } else {
        Err(ApiError::invalid(FieldErrors::from([(
            "key".to_owned(),
            vec!["รหัสคู่มือใช้ได้เฉพาะอักษรภาษาอังกฤษตัวเล็ก ตัวเลข และ - / A manual key has lower-case letters, digits and dashes".to_owned()],
        )])))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDraft {
    /// The department that owns the manual (13 digits).
    #[schema(pattern = "^[0-9]{13}$")]
    pub department: String,
    /// The manual's key (lower-case letters, digits, dashes); made up when left out.
    pub key: Option<String>,
    /// Every field of the national template, as in the public manual detail.
    pub manual: Manual,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftChange {
    pub manual: Manual,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckOut {
    /// The form field it concerns: `steps[2].duration`, `fees`, `documents`…
    pub field: String,
    /// `error` blocks publishing; `warning` does not.
    pub severity: String,
    pub message: String,
    pub message_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftOut {
    pub key: String,
    /// The base this draft is at (`version.revision`), as the `ETag` holds it.
    pub revision: String,
    pub manual: Manual,
    pub checks: Vec<CheckOut>,
    /// No check blocks publishing.
    pub publishable: bool,
}

/// `"otop-registration-3.2"`: the key, the newest version and the draft's revision.
fn etag(key: &str, base: DraftBase) -> String {
    format!("\"{key}-{}\"", base.token())
}

/// The base an optional `If-Match` names: none without it or with `*`; one that can
/// never be current for an ETag of another manual or of nothing.
pub(crate) fn if_match(headers: &HeaderMap, key: &str) -> Option<DraftBase> {
    let v = headers.get(header::IF_MATCH)?.to_str().unwrap_or("").trim();
    if v == "*" {
        return None;
    }
    let tag = v.trim_start_matches("W/").trim_matches('"');
    Some(
        tag.strip_prefix(key)
            .and_then(|t| t.strip_prefix('-'))
            .and_then(DraftBase::parse)
            .unwrap_or(DraftBase {
                version: -1,
                revision: -1,
            }),
    )
}

/// The draft as JSON with its `ETag`.
pub(crate) fn respond(status: StatusCode, d: app::manuals::Draft) -> Response {
    let tag = etag(&d.row.key, d.base);
    let mut r = (status, Json(draft_out(d))).into_response();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn draft_out(d: app::manuals::Draft) -> DraftOut {
    let checks: Vec<CheckOut> = d
        .problems
        .iter()
        .map(|p| CheckOut {
            field: p.field(),
            severity: if p.is_error() { "error" } else { "warning" }.to_owned(),
            message: p.th(),
            message_en: p.en(),
        })
        .collect();
    DraftOut {
        publishable: !checks.iter().any(|c| c.severity == "error"),
        revision: d.base.token(),
        key: d.row.key,
        manual: d.manual,
        checks,
    }
}

/// Starts a manual of a department as a draft; its administrators only.
#[utoipa::path(post, path = "/api/v1/staff/manuals", tag = "staff", request_body = NewDraft,
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The draft with what its checks say", body = DraftOut,
            headers(("ETag" = String, description = "The draft's base, for `If-Match`"))),
        (status = 400, description = "`invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an administrator of the department, or the key is another department's", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: the key or title", body = ApiError),
    ))]
pub async fn create(
    State(state): State<Shared>,
    staff: Staff,
    body: Result<Json<NewDraft>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let n = json_body(body)?;
    let department = code_of(&n.department)?;
    let d = app::manuals::save_draft(
        &state.app,
        &staff,
        &department,
        n.key.as_deref(),
        n.manual,
        None,
    )
    .await?;
    Ok(respond(StatusCode::CREATED, d))
}

/// A manual's draft.
#[utoipa::path(get, path = "/api/v1/staff/manuals/{key}/draft", tag = "staff",
    params(("key" = String, Path, description = "The manual's key", pattern = "^[a-z0-9-]{1,60}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The draft", body = DraftOut,
            headers(("ETag" = String, description = "The draft's base, for `If-Match`"))),
        (status = 400, description = "`invalid_parameter`: not a manual key (lower-case letters, digits, dashes, at most 60)", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an administrator of its department", body = ApiError),
        (status = 404, description = "`not_found`: no draft has this key", body = ApiError),
    ))]
pub async fn get_draft(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(key): ApiPath<String>,
) -> Result<Response, ApiError> {
    let key = key_of(&key)?;
    Ok(respond(
        StatusCode::OK,
        app::manuals::draft(&state.app, &staff, &key).await?,
    ))
}

/// Replaces a manual's draft (or starts one from a published manual's key). With
/// `If-Match`, refused when someone saved or published since.
#[utoipa::path(put, path = "/api/v1/staff/manuals/{key}/draft", tag = "staff", request_body = DraftChange,
    params(("key" = String, Path, description = "The manual's key", pattern = "^[a-z0-9-]{1,60}$"),
           ("If-Match" = Option<String>, Header, description = "The `ETag` of the draft (or of the manual's history) the change was made on; `*` or none to replace whatever is there")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The draft with what its checks say", body = DraftOut,
            headers(("ETag" = String, description = "The draft's new base"))),
        (status = 400, description = "`invalid_parameter`: not a manual key; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an administrator of its department", body = ApiError),
        (status = 404, description = "`not_found`: no manual or draft has this key", body = ApiError),
        (status = 412, description = "`stale`: someone saved or published the manual after the base in `If-Match`", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: the title", body = ApiError),
    ))]
pub async fn put_draft(
    State(state): State<Shared>,
    staff: Staff,
    headers: HeaderMap,
    ApiPath(key): ApiPath<String>,
    body: Result<Json<DraftChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let key = key_of(&key)?;
    // The right before the body: who may not write the catalogue learns nothing.
    app::manuals::may_write(&state.app, &staff, &key).await?;
    let c = json_body(body)?;
    let d =
        app::manuals::update_draft(&state.app, &staff, &key, c.manual, if_match(&headers, &key))
            .await?;
    Ok(respond(StatusCode::OK, d))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    /// The id of the new version; the public manual is `/api/v1/manuals/{id}`.
    pub id: i64,
}

/// Publishes a draft as the manual's next version, when no check blocks it. Its
/// previous version is archived and its pins move to the new one. With `If-Match`,
/// refused when the draft changed since.
#[utoipa::path(post, path = "/api/v1/staff/manuals/{key}/publish", tag = "staff",
    params(("key" = String, Path, description = "The manual's key", pattern = "^[a-z0-9-]{1,60}$"),
           ("If-Match" = Option<String>, Header, description = "The `ETag` of the draft to publish; none to publish the draft as it is")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Published", body = Published),
        (status = 400, description = "`invalid_parameter`: not a manual key (lower-case letters, digits, dashes, at most 60)", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an administrator of its department", body = ApiError),
        (status = 404, description = "`not_found`: no draft has this key", body = ApiError),
        (status = 412, description = "`stale`: the draft changed after the base in `If-Match`", body = ApiError),
        (status = 422, description = "`invalid_field`: a check blocks publishing (steps over the statutory time, fees or documents not stated…); `fields` names each", body = ApiError),
    ))]
pub async fn publish(
    State(state): State<Shared>,
    staff: Staff,
    headers: HeaderMap,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<Published>, ApiError> {
    let key = key_of(&key)?;
    let id = app::manuals::publish(&state.app, &staff, &key, if_match(&headers, &key)).await?;
    state.publish().await;
    Ok(Json(Published { id }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PinOut {
    /// Whether this call changed anything.
    pub changed: bool,
}

/// Pins a published manual to a service point.
#[utoipa::path(put, path = "/api/v1/staff/service-points/{code}/manuals/{id}", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$"),
           ("id" = i64, Path, description = "The published manual's id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Pinned", body = PinOut),
        (status = 400, description = "`invalid_parameter`: the code or id", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit this point", body = ApiError),
        (status = 404, description = "`not_found`: no such point, or no published manual has this id", body = ApiError),
    ))]
pub async fn pin(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((code, id)): ApiPath<(String, i64)>,
) -> Result<Json<PinOut>, ApiError> {
    let code = code_of(&code)?;
    let changed = app::manuals::pin(&state.app, &staff, &code, id).await?;
    state.publish().await;
    Ok(Json(PinOut { changed }))
}

/// Unpins a manual from a service point.
#[utoipa::path(delete, path = "/api/v1/staff/service-points/{code}/manuals/{id}", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$"),
           ("id" = i64, Path, description = "The manual's id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Unpinned", body = PinOut),
        (status = 400, description = "`invalid_parameter`: the code or id", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit this point", body = ApiError),
        (status = 404, description = "`not_found`: no such point, or no published manual has this id", body = ApiError),
    ))]
pub async fn unpin(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((code, id)): ApiPath<(String, i64)>,
) -> Result<Json<PinOut>, ApiError> {
    let code = code_of(&code)?;
    let changed = app::manuals::unpin(&state.app, &staff, &code, id).await?;
    state.publish().await;
    Ok(Json(PinOut { changed }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PinAllOut {
    /// Points newly pinned.
    pub pinned: usize,
    /// Points under the unit that the caller edits.
    pub points: usize,
}

/// Pins a manual to every service point under a unit that the caller edits (the
/// department's three manuals to all district offices of a province, say), in one
/// transaction.
#[utoipa::path(post, path = "/api/v1/staff/units/{code}/manuals/{id}/pin-all", tag = "staff",
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$"),
           ("id" = i64, Path, description = "The published manual's id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Pinned", body = PinAllOut),
        (status = 400, description = "`invalid_parameter`: the code or id", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit under this unit", body = ApiError),
        (status = 404, description = "`not_found`: no such unit, or no published manual has this id", body = ApiError),
    ))]
pub async fn pin_all(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((code, id)): ApiPath<(String, i64)>,
) -> Result<Json<PinAllOut>, ApiError> {
    let code = code_of(&code)?;
    let (pinned, points) = app::manuals::pin_under(&state.app, &staff, &code, id).await?;
    state.publish().await;
    Ok(Json(PinAllOut { pinned, points }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ExpectedManuals {
    /// Keys of the manuals each of the department's points should carry.
    pub keys: Vec<String>,
}

/// Names the manuals a department's service points should carry; data quality then
/// reports "2 of 3 expected manuals pinned".
#[utoipa::path(put, path = "/api/v1/staff/units/{code}/expected-manuals", tag = "staff", request_body = ExpectedManuals,
    params(("code" = String, Path, description = "The department's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The keys now expected", body = ExpectedManuals),
        (status = 400, description = "`invalid_parameter`: the code; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an administrator of the department", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a key is not a manual key", body = ApiError),
    ))]
pub async fn expected(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
    body: Result<Json<ExpectedManuals>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ExpectedManuals>, ApiError> {
    let code = code_of(&code)?;
    staff
        .require(&state.app, &code, domain::roles::Right::Catalogue)
        .await?;
    let b = json_body(body)?;
    let keys = app::manuals::set_expected(&state.app, &staff, &code, b.keys).await?;
    Ok(Json(ExpectedManuals { keys }))
}
