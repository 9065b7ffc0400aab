//! The manual catalogue as its writers list it, and each manual's history with its
//! revert, in the staff API.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use domain::UnitCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::catalogue::{if_match, key_of, respond};
use super::points::{HistoryOut, HistoryParams, history_out};
use crate::Shared;
use crate::auth::scope::Staff;
use crate::errors::{ApiError, ApiPath, query_rejection};
use crate::params::FieldErrors;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueParams {
    /// Only this department's manuals (13-digit code).
    #[param(pattern = "^[0-9]{13}$")]
    pub department: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueDepartment {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LastChangeOut {
    pub at: DateTime<Utc>,
    pub by: String,
    /// `draft`, `publish` or `revert`.
    pub action: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueItem {
    pub key: String,
    /// The draft's title when there is a draft, else the newest version's.
    pub title_th: String,
    pub department: CatalogueDepartment,
    /// `draft` (never published), `published`, `published_draft` (published, with a
    /// draft of the next version) or `archived`.
    pub state: String,
    /// The id of the published version (`/api/v1/manuals/{id}`).
    pub published_id: Option<i64>,
    /// Its version number.
    pub published_version: Option<i64>,
    /// Versions published so far, archived ones too.
    pub versions: usize,
    /// When the draft was last saved.
    pub draft_updated_at: Option<DateTime<Utc>>,
    pub draft_updated_by: Option<String>,
    pub last_change: Option<LastChangeOut>,
    /// Service points the published version is pinned to.
    pub pinned: i64,
}

/// The manuals of the departments whose catalogue the caller writes (every department
/// for a system administrator): drafts and published versions, the last change, the
/// points pinned.
#[utoipa::path(get, path = "/api/v1/staff/manuals", tag = "staff", params(CatalogueParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The manuals, by department and key", body = [CatalogueItem]),
        (status = 400, description = "`invalid_parameter`: `department` is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: never for this list, which is narrowed to the departments the caller writes", body = ApiError),
        (status = 404, description = "`not_found`: never for this list", body = ApiError),
    ))]
pub async fn list(
    State(state): State<Shared>,
    staff: Staff,
    params: Result<Query<CatalogueParams>, QueryRejection>,
) -> Result<Json<Vec<CatalogueItem>>, ApiError> {
    let Query(p) = params.map_err(query_rejection)?;
    // Exactly the documented 13 digits: an empty value is no department either.
    let department = match p.department.as_deref() {
        None => None,
        Some(d) => Some(
            Some(d)
                .filter(|d| d.len() == 13 && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| UnitCode::parse(d).ok())
                .ok_or_else(|| {
                    ApiError::invalid(FieldErrors::from([(
                        "department".to_owned(),
                        vec!["รหัสต้องเป็นตัวเลข 13 หลัก / A code has 13 digits".to_owned()],
                    )]))
                })?,
        ),
    };
    let lines = app::catalogue_history::catalogue(&state.app, &staff, department.as_ref()).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|l| CatalogueItem {
                state: l.state().to_owned(),
                department: CatalogueDepartment {
                    code: l.department.to_string(),
                    name: l.department_name,
                },
                published_id: l.published.map(|p| p.0),
                published_version: l.published.map(|p| p.1),
                versions: l.versions,
                draft_updated_at: l.draft.as_ref().map(|d| d.0),
                draft_updated_by: l.draft.and_then(|d| d.1),
                last_change: l.last_change.map(|c| LastChangeOut {
                    at: c.at,
                    by: c.actor,
                    action: c.action,
                }),
                pinned: l.pinned,
                title_th: l.title_th,
                key: l.key,
            })
            .collect(),
    ))
}

/// A manual's history, newest first, 100 entries a page: who changed what when, each
/// field of the manual before and after.
#[utoipa::path(get, path = "/api/v1/staff/manuals/{key}/history", tag = "staff",
    params(("key" = String, Path, description = "The manual's key", pattern = "^[a-z0-9-]{1,60}$"), HistoryParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The entries", body = [HistoryOut]),
        (status = 400, description = "`invalid_parameter`: not a manual key, or `before` not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an administrator of its department", body = ApiError),
        (status = 404, description = "`not_found`: no manual or draft has this key", body = ApiError),
    ))]
pub async fn history(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(key): ApiPath<String>,
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Json<Vec<HistoryOut>>, ApiError> {
    let key = key_of(&key)?;
    let Query(p) = params.map_err(query_rejection)?;
    let entries =
        app::catalogue_history::manual_history(&state.app, &staff, &key, p.before).await?;
    Ok(Json(entries.into_iter().map(history_out).collect()))
}

/// Makes the state after an earlier entry of the manual's history its draft again,
/// recorded as an entry of its own; publishing it is a step of its own. With
/// `If-Match`, refused when someone saved or published since.
#[utoipa::path(post, path = "/api/v1/staff/manuals/{key}/history/{id}/revert", tag = "staff",
    params(("key" = String, Path, description = "The manual's key", pattern = "^[a-z0-9-]{1,60}$"),
           ("id" = i64, Path, description = "The history entry whose state to restore"),
           ("If-Match" = Option<String>, Header, description = "The `ETag` of the draft the revert was decided on; none to replace whatever draft is there")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The draft as restored, with what its checks say", body = super::catalogue::DraftOut,
            headers(("ETag" = String, description = "The draft's new base"))),
        (status = 400, description = "`invalid_parameter`: not a manual key, or the id not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an administrator of its department", body = ApiError),
        (status = 404, description = "`not_found`: no such manual, or no such entry with a state in its history", body = ApiError),
        (status = 412, description = "`stale`: someone saved or published the manual after the base in `If-Match`", body = ApiError),
    ))]
pub async fn revert(
    State(state): State<Shared>,
    staff: Staff,
    headers: HeaderMap,
    ApiPath((key, id)): ApiPath<(String, i64)>,
) -> Result<Response, ApiError> {
    let key = key_of(&key)?;
    let d = app::catalogue_history::revert_manual(
        &state.app,
        &staff,
        &key,
        id,
        if_match(&headers, &key),
    )
    .await?;
    Ok(respond(StatusCode::OK, d))
}
