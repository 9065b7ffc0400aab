//! A service point's photos in the staff API (multipart upload, alt text, order,
//! cover, deletion), and the public route that serves the stored files.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{Problem, UnitCode};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::json_body;
use super::points::StaffPointOut;
use crate::Shared;
use crate::auth::scope::Staff;
use crate::errors::{ApiError, ApiPath, invalid_fields};
use crate::params::FieldErrors;

/// Bodies of a photo upload may reach the photo limit and the form around it.
pub(crate) const UPLOAD_LIMIT: usize = media::MAX_BYTES + 64 * 1024;

fn point_code(code: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(code.trim()).map_err(|_| {
        ApiError::invalid(FieldErrors::from([(
            "code".to_owned(),
            vec!["รหัสต้องเป็นตัวเลข 13 หลัก / A code has 13 digits".to_owned()],
        )]))
    })
}

fn too_large() -> ApiError {
    ApiError::status(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        "ไฟล์ใหญ่เกิน 10 MB / The file is larger than 10 MB",
    )
}

/// The parts of an upload: the file, and its alt texts.
pub(crate) struct Upload {
    pub file: Option<Vec<u8>>,
    pub alt: Option<String>,
    pub alt_en: Option<String>,
    /// A task attachment's title.
    pub title: Option<String>,
}

/// Reads a multipart upload; a body over the limit is 413.
pub(crate) async fn read_upload(mut m: Multipart) -> Result<Upload, ApiError> {
    let mut up = Upload {
        file: None,
        alt: None,
        alt_en: None,
        title: None,
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
        match field.name().unwrap_or("") {
            "file" => up.file = Some(field.bytes().await.map_err(broken)?.to_vec()),
            "alt" => up.alt = Some(field.text().await.map_err(broken)?),
            "alt_en" => up.alt_en = Some(field.text().await.map_err(broken)?),
            "title" => up.title = Some(field.text().await.map_err(broken)?),
            _ => {}
        }
    }
    Ok(up)
}

/// The multipart form of an upload, for the document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// A JPEG, PNG or WebP of at most 10 MB and 40 megapixels (checked by content).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What the photo shows, for people who cannot see it; the point's name if left out.
    alt: Option<String>,
    alt_en: Option<String>,
}

/// Adds a photo to a service point. It is re-encoded (its EXIF and GPS data dropped)
/// into a display size and a thumbnail, and shown on the public page at once.
#[utoipa::path(post, path = "/api/v1/staff/service-points/{code}/photos", tag = "staff",
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The service point with the new photo", body = StaffPointOut),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits; `invalid_body`: not multipart", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit this point", body = ApiError),
        (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
        (status = 413, description = "`body_too_large`: over 10 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: no `file`; not a JPEG, PNG or WebP by its content; too many pixels (a decompression bomb); unreadable", body = ApiError),
        (status = 503, description = "`busy`: photos are being processed; try again", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn upload(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
    body: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let code = point_code(&code)?;
    // The right first: without it, nothing about the body is said.
    let p = app::points::point(&state.app, &staff, &code).await?;
    if !p.can_edit {
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
    let up = read_upload(m).await?;
    let Some(file) = up.file else {
        return Err(invalid_fields(&[Problem::new(
            "file",
            "กรุณาเลือกไฟล์รูปภาพ",
            "Choose a photo file",
        )]));
    };
    let (point, _) = app::photos::add(
        &state.app,
        &staff,
        &code,
        file,
        up.alt.as_deref(),
        up.alt_en.as_deref(),
    )
    .await?;
    state.publish().await;
    Ok(super::points::respond(StatusCode::CREATED, point, true))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PhotoChange {
    pub alt: String,
    pub alt_en: Option<String>,
    /// Its place among the point's photos, from 0.
    pub position: Option<i64>,
    /// Make it the cover.
    #[serde(default)]
    pub cover: bool,
}

/// Changes a photo's alt text, place or cover.
#[utoipa::path(patch, path = "/api/v1/staff/service-points/{code}/photos/{id}", tag = "staff", request_body = PhotoChange,
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$"),
           ("id" = i64, Path, description = "The photo's id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The service point after it", body = StaffPointOut),
        (status = 400, description = "`invalid_parameter`: the code or id; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit this point", body = ApiError),
        (status = 404, description = "`not_found`: no such point, or no such photo of it", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: the alt text or position", body = ApiError),
    ))]
pub async fn update(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((code, id)): ApiPath<(String, i64)>,
    body: Result<Json<PhotoChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let code = point_code(&code)?;
    let p = app::points::point(&state.app, &staff, &code).await?;
    if !p.can_edit {
        return Err(app::AppError::Forbidden.into());
    }
    let c = json_body(body)?;
    let point = app::photos::update(
        &state.app,
        &staff,
        &code,
        id,
        app::photos::PhotoEdit {
            alt_th: c.alt,
            alt_en: c.alt_en,
            position: c.position,
            cover: c.cover,
        },
    )
    .await?;
    state.publish().await;
    Ok(super::points::respond(StatusCode::OK, point, true))
}

/// Deletes a photo: the public page stops showing it at once.
#[utoipa::path(delete, path = "/api/v1/staff/service-points/{code}/photos/{id}", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$"),
           ("id" = i64, Path, description = "The photo's id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The service point without the photo", body = StaffPointOut),
        (status = 400, description = "`invalid_parameter`: the code or id", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit this point", body = ApiError),
        (status = 404, description = "`not_found`: no such point, or no such photo of it", body = ApiError),
    ))]
pub async fn delete(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((code, id)): ApiPath<(String, i64)>,
) -> Result<Response, ApiError> {
    let code = point_code(&code)?;
    let point = app::photos::delete(&state.app, &staff, &code, id).await?;
    state.publish().await;
    Ok(super::points::respond(StatusCode::OK, point, true))
}

/// A stored photo file. Its key names its content, so it may be cached for a year.
pub(crate) async fn file(
    State(state): State<Shared>,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Response {
    // A task's attachments are the task's readers' alone, served by its own route.
    if media::validate_key(&key).is_err() || key.starts_with(app::tasks::ATTACHMENT_PREFIX) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match state.app.media.get(&key).await {
        Ok(Some(o)) => {
            let mut r = o.bytes.into_response();
            let h = r.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&o.content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            r
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "photo not read from the store");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
