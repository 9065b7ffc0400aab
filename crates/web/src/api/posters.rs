//! The QR posters of the caller's scope: the listing, the downloads (PDF, PNG, a
//! multi-page PDF or a ZIP of the checked ones), the on/off switch and the rotation.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use domain::UnitCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::json_body;
use crate::auth::ClientAddress;
use crate::auth::scope::Staff;
use crate::errors::{ApiError, ApiPath, query_rejection};
use crate::params::{FieldErrors, paging};
use crate::poster_files::{self, Format};
use crate::{Lang, Shared};

fn code_of(field: &str, s: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(s.trim()).map_err(|_| {
        ApiError::invalid(FieldErrors::from([(
            field.to_owned(),
            vec!["รหัสต้องเป็นตัวเลข 13 หลัก / A code has 13 digits".to_owned()],
        )]))
    })
}

fn filter_code(
    name: &'static str,
    v: &Option<String>,
    errors: &mut FieldErrors,
) -> Option<UnitCode> {
    let v = v.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    match UnitCode::parse(v) {
        Ok(c) => Some(c),
        Err(_) => {
            errors.insert(
                name.into(),
                vec!["รหัสต้องเป็นตัวเลข 13 หลัก / A code has 13 digits".into()],
            );
            None
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PosterParams {
    /// Only under this ministry (13-digit code).
    #[param(pattern = "^[0-9]{13}$")]
    pub ministry: Option<String>,
    /// Only under this department.
    #[param(pattern = "^[0-9]{13}$")]
    pub department: Option<String>,
    /// Only under this unit.
    #[param(pattern = "^[0-9]{13}$")]
    pub unit: Option<String>,
    /// Part of the service point's or its office's name, or of its code.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// 1-based page number, at most 10000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub page: Option<String>,
    /// Results per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PosterLineOut {
    pub code: String,
    pub name: String,
    pub ministry: Option<String>,
    pub department: Option<String>,
    pub unit: Option<String>,
    /// Taking ratings.
    pub enabled: bool,
    pub downloads: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PosterPage {
    pub items: Vec<PosterLineOut>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// A poster after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct PosterOut {
    pub code: String,
    pub enabled: bool,
    pub downloads: i64,
    /// What the QR code holds.
    pub url: String,
    /// Since when this address is printed: earlier prints no longer work.
    pub token_since: DateTime<Utc>,
}

fn poster_out(state: &Shared, p: storage::PosterRow) -> PosterOut {
    PosterOut {
        url: app::posters::rating_url(&state.config.base_url, &p.token),
        code: p.code,
        enabled: p.enabled,
        downloads: p.downloads,
        token_since: p.token_since,
    }
}

/// The posters of the caller's scope (the units they are a member of and everything
/// below), with the founding letter's filters.
#[utoipa::path(get, path = "/api/v1/staff/posters", tag = "staff", params(PosterParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of posters", body = PosterPage),
        (status = 400, description = "`invalid_parameter`: a filter or page is refused; `fields` names it", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: never for this list, which is narrowed to the caller's scope", body = ApiError),
        (status = 404, description = "`not_found`: never for this list", body = ApiError),
    ))]
pub async fn list(
    State(state): State<Shared>,
    lang: Lang,
    staff: Staff,
    params: Result<Query<PosterParams>, QueryRejection>,
) -> Result<Json<PosterPage>, ApiError> {
    let Query(p) = params.map_err(query_rejection)?;
    let (page, per_page, mut errors) = match paging(&p.page, &p.per_page, lang) {
        Ok((page, per_page)) => (page, per_page, FieldErrors::new()),
        Err(e) => (1, 1, e),
    };
    let filter = app::backoffice::Filter {
        ministry: filter_code("ministry", &p.ministry, &mut errors),
        department: filter_code("department", &p.department, &mut errors),
        unit: filter_code("unit", &p.unit, &mut errors),
        text: p.q.clone(),
    };
    if p.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        errors.insert("q".into(), vec![lang.t("err-q")]);
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let lines = app::posters::listing(&state.app, &staff, &filter).await?;
    let total = lines.len();
    let items = lines
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|l| PosterLineOut {
            code: l.point.code,
            name: l.point.name,
            ministry: l.point.ministry.map(|n| n.name),
            department: l.point.department.map(|n| n.name),
            unit: l.point.unit.map(|n| n.name),
            enabled: l.enabled,
            downloads: l.downloads,
        })
        .collect();
    Ok(Json(PosterPage {
        items,
        total,
        page,
        per_page,
    }))
}

async fn one(
    state: &Shared,
    staff: &Staff,
    code: &str,
    format: Format,
) -> Result<Response, ApiError> {
    let code = code_of("code", code)?;
    let posters = app::posters::download(&state.app, staff, &[code]).await?;
    poster_files::render(posters, format)
        .await
        .map_err(ApiError::internal)
}

/// The poster of a service point as an A4 PDF to print (Sarabun embedded); counted as a
/// download.
#[utoipa::path(get, path = "/api/v1/staff/service-points/{code}/poster.pdf", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The PDF, as an attachment", content_type = "application/pdf"),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the point's office or above", body = ApiError),
        (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
    ))]
pub async fn pdf(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
) -> Result<Response, ApiError> {
    one(&state, &staff, &code, Format::Pdf).await
}

/// The poster of a service point as a PNG (1240 px wide) for screens and chat apps;
/// counted as a download.
#[utoipa::path(get, path = "/api/v1/staff/service-points/{code}/poster.png", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The PNG, as an attachment", content_type = "image/png"),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the point's office or above", body = ApiError),
        (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
    ))]
pub async fn png(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
) -> Result<Response, ApiError> {
    one(&state, &staff, &code, Format::Png).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BulkParams {
    /// Service point codes, separated by commas (at most 500).
    #[param(pattern = "^[0-9]{13}(,[0-9]{13})*$")]
    pub codes: String,
    /// `pdf` (one page per poster, the default) or `zip` (a PNG per poster).
    #[param(pattern = "^(pdf|zip)$")]
    pub format: Option<String>,
}

/// The posters of the checked service points in one file: a multi-page PDF or a ZIP of
/// PNGs; each counted as a download.
#[utoipa::path(get, path = "/api/v1/staff/posters/download", tag = "staff", params(BulkParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The file, as an attachment", content(("application/pdf"), ("application/zip"))),
        (status = 400, description = "`invalid_parameter`: a code is not 13 digits, or the format is not pdf or zip", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the office of one of the points", body = ApiError),
        (status = 404, description = "`not_found`: a code is no service point's", body = ApiError),
        (status = 422, description = "`invalid_field`: no codes, or more than 500", body = ApiError),
    ))]
pub async fn bulk(
    State(state): State<Shared>,
    staff: Staff,
    params: Result<Query<BulkParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(p) = params.map_err(query_rejection)?;
    let format = match p.format.as_deref().map(str::trim).unwrap_or("pdf") {
        "" | "pdf" => Format::Pdf,
        "zip" => Format::Zip,
        _ => {
            return Err(ApiError::invalid(FieldErrors::from([(
                "format".to_owned(),
                vec!["รูปแบบต้องเป็น pdf หรือ zip / The format is pdf or zip".to_owned()],
            )])));
        }
    };
    let codes = p
        .codes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| code_of("codes", c))
        .collect::<Result<Vec<_>, _>>()?;
    let posters = app::posters::download(&state.app, &staff, &codes).await?;
    poster_files::render(posters, format)
        .await
        .map_err(ApiError::internal)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PosterSwitch {
    /// `true` takes ratings; `false` makes the poster's page say it is not taking them.
    pub enabled: bool,
}

/// Switch a poster on or off (the editors of the point's office, and administrators
/// and supervisors above).
#[utoipa::path(put, path = "/api/v1/staff/service-points/{code}/poster", tag = "staff", request_body = PosterSwitch,
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The poster", body = PosterOut),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits; `invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit the point", body = ApiError),
        (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
    ))]
pub async fn switch(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath(code): ApiPath<String>,
    body: Result<Json<PosterSwitch>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<PosterOut>, ApiError> {
    let code = code_of("code", &code)?;
    app::posters::may_change(&state.app, &staff, &code).await?;
    let b = json_body(body)?;
    let row = app::posters::set_enabled(&state.app, &staff, &code, b.enabled, address.0.as_deref())
        .await?;
    Ok(Json(poster_out(&state, row)))
}

/// Give a poster a new address: prints of the old one answer that the poster was
/// replaced. Download and print it again after.
#[utoipa::path(post, path = "/api/v1/staff/service-points/{code}/poster/rotate", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The poster with its new address", body = PosterOut),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit the point", body = ApiError),
        (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
    ))]
pub async fn rotate(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<PosterOut>, ApiError> {
    let code = code_of("code", &code)?;
    let row = app::posters::rotate(&state.app, &staff, &code, address.0.as_deref()).await?;
    Ok(Json(poster_out(&state, row)))
}
