//! The back office's table of service points and structure, as JSON, CSV or XLSX.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::UnitCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::scope::Staff;
use crate::errors::{ApiError, query_rejection};
use crate::params::{FieldErrors, paging};
use crate::sheets::{self, Cell};
use crate::{Lang, Shared};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
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
    /// Results per page, 1 to 100 (default 20); exports hold every line.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
    /// `json` (default), `csv` (UTF-8 with a BOM, for Excel) or `xlsx`.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedUnit {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffPointLine {
    pub code: String,
    pub name: String,
    pub ministry: Option<NamedUnit>,
    pub department: Option<NamedUnit>,
    pub unit: Option<NamedUnit>,
    /// `none`, `basic`, `medium` or `high`.
    pub gecc_level: String,
    /// Shown to the public.
    pub visible: bool,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    /// When staff last confirmed the data is correct.
    pub verified_at: Option<DateTime<Utc>>,
    /// Archived: out of the public directory until restored.
    pub archived: bool,
    /// The office's Authorize Code, only to those who may hand it out.
    pub authorize_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffPointPage {
    pub items: Vec<StaffPointLine>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

fn named(n: Option<app::backoffice::Named>) -> Option<NamedUnit> {
    n.map(|n| NamedUnit {
        code: n.code,
        name: n.name,
    })
}

fn code_param(
    name: &'static str,
    value: &Option<String>,
    errors: &mut FieldErrors,
    lang: Lang,
) -> Option<UnitCode> {
    let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    match UnitCode::parse(v) {
        Ok(c) => Some(c),
        Err(_) => {
            errors.insert(name.into(), vec![lang.t("err-code")]);
            None
        }
    }
}

/// The service points in the caller's scope (the units they are a member of and
/// everything below; everything for a system administrator), hidden ones too, with the
/// filters of the founding letter's table. `format=csv` or `xlsx` exports every line.
#[utoipa::path(get, path = "/api/v1/staff/service-points", tag = "staff", params(ListParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of lines (JSON), or every line as a CSV or XLSX attachment by `format`", content(
            (StaffPointPage = "application/json"),
            ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "`invalid_parameter`: a filter, page or format is refused; `fields` names it", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: never for this list, which is narrowed to the caller's scope", body = ApiError),
        (status = 404, description = "`not_found`: never for this list", body = ApiError),
    ))]
pub async fn list(
    State(state): State<Shared>,
    lang: Lang,
    staff: Staff,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(p) = params.map_err(query_rejection)?;
    let (page, per_page, mut errors) = match paging(&p.page, &p.per_page, lang) {
        Ok((page, per_page)) => (page, per_page, FieldErrors::new()),
        Err(e) => (1, 1, e),
    };
    let filter = app::backoffice::Filter {
        ministry: code_param("ministry", &p.ministry, &mut errors, lang),
        department: code_param("department", &p.department, &mut errors, lang),
        unit: code_param("unit", &p.unit, &mut errors, lang),
        text: p.q.clone(),
    };
    if p.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        errors.insert("q".into(), vec![lang.t("err-q")]);
    }
    let format = p
        .format
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or("json");
    if !matches!(format, "json" | "csv" | "xlsx") {
        errors.insert(
            "format".into(),
            vec!["รูปแบบต้องเป็น json, csv หรือ xlsx / The format is json, csv or xlsx".into()],
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let lines = app::backoffice::service_points(&state.app, &staff, &filter).await?;
    let total = lines.len();
    let items: Vec<StaffPointLine> = lines
        .into_iter()
        .map(|l| StaffPointLine {
            code: l.code,
            name: l.name,
            ministry: named(l.ministry),
            department: named(l.department),
            unit: named(l.unit),
            gecc_level: l.gecc_level,
            visible: l.visible,
            updated_at: l.updated_at,
            updated_by: l.updated_by,
            verified_at: l.verified_at,
            archived: l.archived,
            authorize_code: l.authorize_code,
        })
        .collect();
    if format == "json" {
        let items = items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        return Ok(Json(StaffPointPage {
            items,
            total,
            page,
            per_page,
        })
        .into_response());
    }
    // Every column of the point, so that the file imports back (`/api/v1/staff/import`).
    let (headers, cells) = app::backoffice::sheet(&state.app, &staff, &filter).await?;
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<Cell>> = cells
        .into_iter()
        .map(|r| r.into_iter().map(Cell::Text).collect())
        .collect();
    let (bytes, content_type, extension) = if format == "xlsx" {
        let widths = [(0, 16.0), (1, 36.0), (2, 36.0), (3, 36.0), (4, 36.0)];
        let bytes =
            sheets::xlsx("Service points", &headers, &rows, &widths).map_err(ApiError::internal)?;
        (bytes, sheets::XLSX, "xlsx")
    } else {
        let bytes = sheets::csv(&headers, &rows).map_err(ApiError::internal)?;
        (bytes, sheets::CSV, "csv")
    };
    Ok(sheets::attachment(
        bytes,
        content_type,
        &format!("service-points.{extension}"),
    ))
}
