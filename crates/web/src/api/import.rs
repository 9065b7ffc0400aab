//! Bulk import of service points from the back office's spreadsheet (CSV or XLSX), as
//! multipart: the same use case as the upload page and the command line.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Problem;
use serde::Serialize;
use utoipa::ToSchema;

use crate::Shared;
use crate::auth::scope::Staff;
use crate::errors::{ApiError, invalid_fields};
use crate::params::FieldErrors;
use app::import::{Format, Limits, Report};

/// Bodies of an import may reach the file limit and the form around it.
pub(crate) const IMPORT_BODY_LIMIT: usize = Limits::WEB.max_bytes + 64 * 1024;

/// The multipart form of an import, for the document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The spreadsheet, as `GET /api/v1/staff/service-points?format=csv|xlsx` writes it
    /// (at most 20 MB and 50,000 lines). Its kind is read from its content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `csv` or `xlsx`; read from the content when left out.
    #[schema(value_type = String, required = false, pattern = "^(csv|xlsx)$")]
    format: Option<String>,
    /// `true` checks every line and writes nothing.
    #[schema(value_type = bool, required = false)]
    dry_run: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRefusal {
    /// The row as the spreadsheet numbers it (the header is row 1).
    pub row: usize,
    /// The column's header.
    pub column: String,
    pub th: String,
    pub en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewPointCode {
    pub row: usize,
    pub code: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// Lines read, the header and empty lines aside.
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused_rows: usize,
    pub refusals: Vec<ImportRefusal>,
    /// The codes the new points got (would get, in a dry run).
    pub new_codes: Vec<NewPointCode>,
    pub dry_run: bool,
    /// Whether anything was written.
    pub applied: bool,
}

impl From<Report> for ImportReport {
    fn from(r: Report) -> Self {
        ImportReport {
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            refused_rows: r.refused_rows,
            refusals: r
                .refusals
                .into_iter()
                .map(|f| ImportRefusal {
                    row: f.row,
                    column: f.column,
                    th: f.th,
                    en: f.en,
                })
                .collect(),
            new_codes: r
                .new_codes
                .into_iter()
                .map(|(row, code)| NewPointCode {
                    row,
                    code: code.to_string(),
                })
                .collect(),
            dry_run: r.dry_run,
            applied: r.applied,
        }
    }
}

/// The refusals of a report as the API's error: each under `row N: column`.
pub(crate) fn refused(r: &Report) -> ApiError {
    let mut fields = FieldErrors::new();
    for f in &r.refusals {
        fields
            .entry(format!("row {}: {}", f.row, f.column))
            .or_default()
            .extend([f.th.clone(), f.en.clone()]);
    }
    let message = format!(
        "นำเข้าไม่ได้: {} แถวไม่ผ่านการตรวจสอบ จึงไม่ได้บันทึกแถวใด / Not imported: {} of {} rows refused, so no row was written",
        r.refused_rows, r.refused_rows, r.rows
    );
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        &message,
        fields,
    )
}

fn too_large() -> ApiError {
    ApiError::status(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        "ไฟล์ใหญ่เกิน 20 MB / The file is larger than 20 MB",
    )
}

/// The parts of an import form.
pub(crate) struct ImportForm {
    pub file: Option<Vec<u8>>,
    /// The format the file's name declares (`.csv`, `.xlsx`), checked against its content.
    pub named: Option<Format>,
    pub format: Option<String>,
    pub dry_run: Option<String>,
    /// Fields of the upload page.
    pub other: Vec<(String, String)>,
}

pub(crate) async fn read_form(mut m: Multipart) -> Result<ImportForm, ApiError> {
    let mut f = ImportForm {
        file: None,
        named: None,
        format: None,
        dry_run: None,
        other: Vec::new(),
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::status(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                &format!(
                    "คำขอไม่ใช่ multipart/form-data ที่ถูกต้อง / The body is not valid multipart/form-data: {}",
                    e.body_text()
                ),
            )
        }
    };
    while let Some(field) = m.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                f.named = field
                    .file_name()
                    .and_then(|n| n.rsplit_once('.'))
                    .and_then(|(_, ext)| Format::parse(ext));
                f.file = Some(field.bytes().await.map_err(broken)?.to_vec());
            }
            "format" => f.format = Some(field.text().await.map_err(broken)?),
            "dry_run" => f.dry_run = Some(field.text().await.map_err(broken)?),
            _ => {
                let v = field.text().await.map_err(broken)?;
                if f.other.len() < 16 && v.len() < 200 {
                    f.other.push((name, v));
                }
            }
        }
    }
    Ok(f)
}

/// `true`/`false` as forms and scripts write them.
pub(crate) fn flag(v: Option<&str>) -> Option<bool> {
    match v.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("false") | Some("0") | Some("no") | Some("off") => Some(false),
        Some("true") | Some("1") | Some("yes") | Some("on") => Some(true),
        _ => None,
    }
}

/// Creates or updates service points from a spreadsheet: a line without a code makes a
/// new point under its unit code; a line with a code updates that point, when its
/// revision is still the exported one. Every line is checked as the form checks a save
/// (the pin's district included) and must lie in the caller's scope. Nothing is written
/// unless every line passes; a dry run writes nothing in any case.
#[utoipa::path(post, path = "/api/v1/staff/import", tag = "staff",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Every line passed: what was written (or, in a dry run, would be)", body = ImportReport),
        (status = 400, description = "`invalid_body`: not multipart/form-data", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: the caller edits no unit (a viewer); lines outside the caller's scope are refused line by line (422)", body = ApiError),
        (status = 404, description = "`not_found`: never for this route; an unknown code is refused on its line (422)", body = ApiError),
        (status = 413, description = "`body_too_large`: the file is over 20 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: no `file`, a wrong `format` or `dry_run`, not a CSV or XLSX by its content, too many lines; or lines refused, each under `row N: column` with why in Thai and English, and nothing written", body = ApiError),
    ))]
pub async fn import(
    State(state): State<Shared>,
    staff: Staff,
    body: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    // The right first: without it, nothing about the body is said.
    if !app::import::may_import(&staff) {
        return Err(app::AppError::Forbidden.into());
    }
    let m = body.map_err(|e| {
        ApiError::status(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            &format!(
                "คำขอไม่ใช่ multipart/form-data / The body is not multipart/form-data: {}",
                e.body_text()
            ),
        )
    })?;
    let form = read_form(m).await?;
    let mut problems = Vec::new();
    let format = match form.format.as_deref().map(str::trim) {
        None | Some("") => form.named,
        Some(f) => match Format::parse(f) {
            Some(f) => Some(f),
            None => {
                problems.push(Problem::new(
                    "format",
                    "รูปแบบต้องเป็น csv หรือ xlsx",
                    "The format is csv or xlsx",
                ));
                None
            }
        },
    };
    let dry_run = flag(form.dry_run.as_deref()).unwrap_or_else(|| {
        problems.push(Problem::new(
            "dry_run",
            "dry_run ต้องเป็น true หรือ false",
            "dry_run is true or false",
        ));
        true
    });
    let Some(file) = form.file.filter(|f| !f.is_empty()) else {
        problems.push(Problem::new(
            "file",
            "กรุณาเลือกไฟล์ CSV หรือ XLSX",
            "Choose a CSV or XLSX file",
        ));
        return Err(invalid_fields(&problems));
    };
    if !problems.is_empty() {
        return Err(invalid_fields(&problems));
    }
    let report = app::import::run(
        &state.app,
        &staff,
        &file,
        format,
        dry_run,
        Limits::WEB,
        &mut |_, _| {},
    )
    .await?;
    if report.applied {
        state.publish().await;
    }
    if !report.refusals.is_empty() {
        return Err(refused(&report));
    }
    Ok(Json(ImportReport::from(report)).into_response())
}
