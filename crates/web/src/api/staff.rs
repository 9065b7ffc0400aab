//! Staff routes on a unit (`/api/v1/staff/units/{code}/…`): its members and their
//! roles, its audit, and the Authorize Codes of the units below it. Each checks the
//! caller's scope; personal API tokens, of the same JSON API, carry their owner's rights.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::UnitCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::json_body;
use crate::Shared;
use crate::auth::ClientAddress;
use crate::auth::scope::{Right, Staff};
use crate::errors::{ApiError, ApiPath};
use crate::params::FieldErrors;
use crate::sheets::{self, Cell};

impl From<storage::Member> for MemberOut {
    fn from(m: storage::Member) -> Self {
        MemberOut {
            user: m.user,
            username: m.username,
            name: format!("{} {}", m.first_name, m.last_name),
            role: m.role,
            since: m.since,
        }
    }
}

impl From<storage::TokenRow> for TokenOut {
    fn from(t: storage::TokenRow) -> Self {
        TokenOut {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        }
    }
}

fn unit_code(code: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(code.trim()).map_err(|_| {
        ApiError::invalid(FieldErrors::from([(
            "code".to_owned(),
            vec!["รหัสหน่วยงานต้องเป็นตัวเลข 13 หลัก / A unit code has 13 digits".to_owned()],
        )]))
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub user: i64,
    pub username: String,
    pub name: String,
    /// `supervisor`, `admin`, `editor` or `viewer`.
    pub role: String,
    pub since: DateTime<Utc>,
}

/// The members of a unit and their roles.
#[utoipa::path(get, path = "/api/v1/staff/units/{code}/members", tag = "staff",
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The members and their roles", body = [MemberOut]),
        (status = 400, description = "`invalid_parameter`: the unit code is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: the caller's roles give no such right on this unit", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code", body = ApiError),
    ))]
pub async fn members(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Vec<MemberOut>>, ApiError> {
    let unit = unit_code(&code)?;
    let members = app::staff::members(&state.app, &staff, &unit).await?;
    Ok(Json(members.into_iter().map(MemberOut::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleRequest {
    /// `supervisor`, `admin`, `editor` or `viewer`.
    #[schema(pattern = "^(supervisor|admin|editor|viewer)$", example = "editor")]
    pub role: String,
}

/// Change a member's role. Administrators give `admin`, `editor` and `viewer`;
/// `supervisor` only a supervisor or a system administrator. Nobody changes their own.
#[utoipa::path(put, path = "/api/v1/staff/units/{code}/members/{user}", tag = "staff", request_body = RoleRequest,
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$"), ("user" = i64, Path, description = "The member's account id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The member with the new role", body = MemberOut),
        (status = 400, description = "`invalid_parameter`: the unit code is not 13 digits or the account id not a number; `invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to manage members here, or to make a supervisor", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code, or the account is not a member of it", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: not a role, or the caller's own", body = ApiError),
    ))]
pub async fn set_role(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath((code, user)): ApiPath<(String, i64)>,
    body: Result<Json<RoleRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<MemberOut>, ApiError> {
    let unit = unit_code(&code)?;
    // The right first: without it, nothing about the body is said.
    staff.require(&state.app, &unit, Right::Administer).await?;
    let r = json_body(body)?;
    let m = app::staff::set_role(
        &state.app,
        &staff,
        &unit,
        user,
        &r.role,
        address.0.as_deref(),
    )
    .await?;
    Ok(Json(m.into()))
}

/// Remove a member from a unit.
#[utoipa::path(delete, path = "/api/v1/staff/units/{code}/members/{user}", tag = "staff",
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$"), ("user" = i64, Path, description = "The member's account id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "No longer a member"),
        (status = 400, description = "`invalid_parameter`: the unit code is not 13 digits or the account id not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: the caller's roles give no such right on this unit", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code, or the account is not a member of it", body = ApiError),
    ))]
pub async fn remove_member(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath((code, user)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_code(&code)?;
    app::staff::remove_member(&state.app, &staff, &unit, user, address.0.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    /// `authorize_code.issue`, `authorize_code.rotate`, `authorize_code.revoke`,
    /// `membership.add`, `membership.role`, `membership.remove`, …
    pub action: String,
    pub unit: Option<String>,
    pub detail: Option<String>,
    pub address: Option<String>,
}

/// The audit of a unit and every unit below it, newest first (at most 500 records).
#[utoipa::path(get, path = "/api/v1/staff/units/{code}/audit", tag = "staff",
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Audit records, newest first", body = [AuditOut]),
        (status = 400, description = "`invalid_parameter`: the unit code is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: the caller's roles give no such right on this unit", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code", body = ApiError),
    ))]
pub async fn audit(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Vec<AuditOut>>, ApiError> {
    let unit = unit_code(&code)?;
    let rows = app::staff::audit(&state.app, &staff, &unit, 500).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditOut {
                at: r.at,
                actor: r.actor,
                action: r.action,
                unit: r.unit,
                detail: r.detail,
                address: r.address,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `json` (default), `csv` (UTF-8 with a BOM, for Excel) or `xlsx`.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitCodeOut {
    pub no: usize,
    pub unit: String,
    pub name: String,
    pub authorize_code: String,
}

/// The Authorize Codes of every unit below this one, in the layout of the seed's
/// attachment 2 (no., unit, code). Units without a code get one.
#[utoipa::path(get, path = "/api/v1/staff/units/{code}/authorize-codes", tag = "staff",
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$"), ExportParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per unit below: JSON, or a CSV or XLSX attachment by `format`", content(
            (Vec<UnitCodeOut> = "application/json"),
            ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "`invalid_parameter`: the unit code is not 13 digits, or `format` is not `json`, `csv` or `xlsx`", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: the caller's roles give no such right on this unit", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code", body = ApiError),
    ))]
pub async fn export_codes(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath(code): ApiPath<String>,
    q: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let unit = unit_code(&code)?;
    let Query(q) = q.map_err(crate::errors::query_rejection)?;
    staff.require(&state.app, &unit, Right::Administer).await?;
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv" | "xlsx") {
        return Err(ApiError::invalid(FieldErrors::from([(
            "format".to_owned(),
            vec!["รูปแบบต้องเป็น json, csv หรือ xlsx / The format is json, csv or xlsx".to_owned()],
        )])));
    }
    let rows: Vec<UnitCodeOut> =
        app::staff::codes_below(&state.app, &staff, &unit, address.0.as_deref())
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, r)| UnitCodeOut {
                no: i + 1,
                unit: r.unit.as_str().to_owned(),
                name: r.name_th,
                authorize_code: r.code,
            })
            .collect();
    if format == "json" {
        return Ok(Json(rows).into_response());
    }
    let headers = ["ลำดับ", "รหัสหน่วยงาน", "หน่วยงาน", "Authorize Code"];
    let cells: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|r| {
            vec![
                Cell::Number(r.no as f64),
                Cell::Text(r.unit),
                Cell::Text(r.name),
                Cell::Text(r.authorize_code),
            ]
        })
        .collect();
    let (bytes, content_type, extension) = if format == "xlsx" {
        let widths = [(0, 8.0), (1, 16.0), (2, 48.0), (3, 20.0)];
        let bytes = sheets::xlsx("Authorize Codes", &headers, &cells, &widths)
            .map_err(ApiError::internal)?;
        (bytes, sheets::XLSX, "xlsx")
    } else {
        let bytes = sheets::csv(&headers, &cells).map_err(ApiError::internal)?;
        (bytes, sheets::CSV, "csv")
    };
    Ok(sheets::attachment(
        bytes,
        content_type,
        &format!("authorize-codes-{}.{extension}", unit.as_str()),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeOut {
    pub unit: String,
    pub authorize_code: String,
}

/// Give a unit a new Authorize Code; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/staff/units/{code}/authorize-code", tag = "staff",
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The unit's new code", body = CodeOut),
        (status = 400, description = "`invalid_parameter`: the unit code is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: codes are handed out by an administrator or supervisor of a unit above", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code, or it takes no Authorize Code", body = ApiError),
    ))]
pub async fn rotate_code(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath(code): ApiPath<String>,
) -> Result<(StatusCode, Json<CodeOut>), ApiError> {
    let unit = unit_code(&code)?;
    let new = app::staff::rotate_code(&state.app, &staff, &unit, address.0.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CodeOut {
            unit: unit.as_str().to_owned(),
            authorize_code: new.as_str().to_owned(),
        }),
    ))
}

/// Revoke a unit's Authorize Code.
#[utoipa::path(delete, path = "/api/v1/staff/units/{code}/authorize-code", tag = "staff",
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "The code no longer works"),
        (status = 400, description = "`invalid_parameter`: the unit code is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: codes are handed out by an administrator or supervisor of a unit above", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code, or it has no active code", body = ApiError),
    ))]
pub async fn revoke_code(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath(code): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_code(&code)?;
    app::staff::revoke_code(&state.app, &staff, &unit, address.0.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    /// What the token is for, to recognise it in the list: 1 to 100 characters, not all
    /// spaces.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    pub name: String,
    /// Shown this once: send it as `Authorization: Bearer …`.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Create a personal API token with the rights of its owner. Only from a signed-in
/// session: a token cannot make more tokens.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", request_body = NewToken,
    security(("session" = [])),
    responses(
        (status = 201, description = "The token, shown this once", body = TokenCreated),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: asked with an API token; tokens are made from a session only", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: the name is blank or over 100 characters", body = ApiError),
    ))]
pub async fn create_token(
    State(state): State<Shared>,
    staff: Staff,
    body: Result<Json<NewToken>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    staff.require_session()?;
    let r = json_body(body)?;
    let (id, token) = app::staff::create_token(&state.app, &staff, &r.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            id,
            name: r.name.trim().to_owned(),
            token,
        }),
    ))
}

/// The signed-in account's active tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "accounts",
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The active tokens", body = [TokenOut]),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
    ))]
pub async fn list_tokens(
    State(state): State<Shared>,
    staff: Staff,
) -> Result<Json<Vec<TokenOut>>, ApiError> {
    let rows = app::staff::tokens(&state.app, &staff).await?;
    Ok(Json(rows.into_iter().map(TokenOut::from).collect()))
}

/// Revoke one of the signed-in account's tokens. Only from a signed-in session, like
/// making one: a token in a script cannot end the owner's other tokens, nor itself.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The token's id")),
    security(("session" = [])),
    responses(
        (status = 204, description = "The token no longer works"),
        (status = 400, description = "`invalid_parameter`: the id is not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: asked with an API token; tokens are revoked from a session only", body = ApiError),
        (status = 404, description = "`not_found`: the account has no active token with this id", body = ApiError),
    ))]
pub async fn revoke_token(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    app::staff::revoke_token(&state.app, &staff, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
