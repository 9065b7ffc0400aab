//! The back office's table of service points and structure, as JSON, CSV or XLSX.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::UnitCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::scope::Staff;
use crate::errors::{ApiError, query_rejection};
use crate::params::{FieldErrors, paging};
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
    let mut errors = match paging(&p.page, &p.per_page, lang) {
        Ok(_) => FieldErrors::new(),
        Err(e) => e,
    };
    let filter = app::backoffice::Filter {
        ministry: code_param("ministry", &p.ministry, &mut errors, lang),
        department: code_param("department", &p.department, &mut errors, lang),
        unit: code_param("unit", &p.unit, &mut errors, lang),
        text: p.q.clone().filter(|q| q.chars().count() <= 200),
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
    let (page, per_page) = paging(&p.page, &p.per_page, lang).map_err(ApiError::invalid)?;
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
    let headers = [
        "รหัสจุดบริการ",
        "กระทรวง",
        "กรม",
        "หน่วยงาน",
        "จุดบริการ",
        "ระดับศูนย์ราชการสะดวก",
        "แสดงต่อสาธารณะ",
        "แก้ไขล่าสุด",
        "แก้ไขโดย",
        "Authorize Code",
    ];
    let rows: Vec<[String; 10]> = items
        .iter()
        .map(|l| {
            let name =
                |n: &Option<NamedUnit>| n.as_ref().map(|n| n.name.clone()).unwrap_or_default();
            [
                l.code.clone(),
                name(&l.ministry),
                name(&l.department),
                name(&l.unit),
                l.name.clone(),
                l.gecc_level.clone(),
                if l.visible {
                    "แสดง"
                } else {
                    "ไม่แสดง"
                }
                .into(),
                // The date in Asia/Bangkok (UTC+7, no daylight saving), Buddhist era.
                domain::thai_date::short_th(
                    (l.updated_at + chrono::Duration::hours(7)).date_naive(),
                ),
                l.updated_by.clone().unwrap_or_default(),
                l.authorize_code.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let (bytes, content_type, extension) = if format == "xlsx" {
        (
            table_xlsx(&headers, &rows).map_err(ApiError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (
            table_csv(&headers, &rows).map_err(ApiError::internal)?,
            "text/csv; charset=utf-8",
            "csv",
        )
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"service-points.{extension}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// CSV with a UTF-8 byte order mark: without it Excel on a Thai Windows PC shows
/// mojibake.
fn table_csv<const N: usize>(
    headers: &[&str; N],
    rows: &[[String; N]],
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(headers)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn table_xlsx<const N: usize>(
    headers: &[&str; N],
    rows: &[[String; N]],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Service points")?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            sheet.write_string(i as u32 + 1, c as u16, v)?;
        }
    }
    sheet.set_column_width(0, 16.0)?;
    for c in 1..5u16 {
        sheet.set_column_width(c, 36.0)?;
    }
    book.save_to_buffer()
}
