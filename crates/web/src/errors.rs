//! The JSON API's error answer, and how a use case's error is worded in it. Apart from
//! the API's routes, so that the extractor of the caller (in `auth`) and the API can
//! both use it without depending on each other.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use app::AppError;

use domain::account::FieldError;

use crate::params::FieldErrors;

/// `{"error": {"code", "message", "fields": {"name": ["why"]}}}`
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    /// Seconds for the `Retry-After` header of a 429 or 503.
    #[serde(skip)]
    retry_after: Option<u64>,
    error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid_parameter`, `invalid_body`, `body_too_large` (413), `not_found`,
    /// `invalid_field` (422), `unauthenticated`, `forbidden`, `email_unverified`,
    /// `wrong_credentials`, `throttled` (429), `busy` (503), `invalid_token`, `internal`.
    code: &'static str,
    message: String,
    fields: FieldErrors,
}

impl ApiError {
    pub fn invalid(fields: FieldErrors) -> Self {
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        let message = format!("Invalid parameter: {}", names.join(", "));
        Self {
            status: StatusCode::BAD_REQUEST,
            retry_after: None,
            error: ErrorBody {
                code: "invalid_parameter",
                message,
                fields,
            },
        }
    }

    pub fn new(status: StatusCode, code: &'static str, message: &str, fields: FieldErrors) -> Self {
        Self {
            status,
            retry_after: None,
            error: ErrorBody {
                code,
                message: message.to_owned(),
                fields,
            },
        }
    }

    /// The same error, telling the client when to try again.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// A refusal of the request as a whole, with no field to blame.
    pub fn status(status: StatusCode, code: &'static str, message: &str) -> Self {
        Self::new(status, code, message, FieldErrors::new())
    }

    /// Something failed on our side; the cause goes to the log, not to the client.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "request failed");
        Self::status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "ขออภัย ระบบขัดข้อง กรุณาลองใหม่ / Something went wrong on our side; please try again",
        )
    }

    pub fn not_found(field: &str, message: &str) -> Self {
        let fields = FieldErrors::from([(field.to_owned(), vec![message.to_owned()])]);
        Self {
            status: StatusCode::NOT_FOUND,
            retry_after: None,
            error: ErrorBody {
                code: "not_found",
                message: message.to_owned(),
                fields,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let mut res = (self.status, Json(self)).into_response();
        if let Some(s) = retry_after {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(s),
            );
        }
        res
    }
}

/// Query strings that cannot even be split into fields (e.g. a repeated key).
pub fn query_rejection(e: axum::extract::rejection::QueryRejection) -> ApiError {
    ApiError::invalid(FieldErrors::from([(
        "query".to_owned(),
        vec![e.body_text()],
    )]))
}

/// `axum::extract::Path` whose refusals (a segment that is not a number, say) answer in
/// the API's error format rather than as plain text.
pub struct ApiPath<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| ApiPath(t))
            .map_err(|e| {
                ApiError::invalid(FieldErrors::from([(
                    "path".to_owned(),
                    vec![e.body_text()],
                )]))
            })
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Fields(f) => unprocessable(&f),
            AppError::Invalid(problems) => invalid_fields(&problems),
            AppError::Stale => ApiError::status(
                StatusCode::PRECONDITION_FAILED,
                "stale",
                "มีผู้อื่นบันทึกการแก้ไขก่อนหน้านี้ กรุณาโหลดข้อมูลล่าสุด (GET) แล้วแก้ไขอีกครั้ง / Someone saved a change in between; fetch the current data (GET) and make your change on it",
            ),
            AppError::WrongCredentials => ApiError::status(
                StatusCode::UNAUTHORIZED,
                "wrong_credentials",
                "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง / Wrong username or password",
            ),
            AppError::Unverified => ApiError::status(
                StatusCode::FORBIDDEN,
                "email_unverified",
                "กรุณายืนยันอีเมลก่อน (ดูลิงก์ในอีเมลที่ส่งให้ หรือขอส่งใหม่) / Confirm your e-mail address first (open the mailed link, or ask for a new one)",
            ),
            AppError::Throttled { retry_after } => {
                let minutes = retry_after.div_ceil(60);
                ApiError::status(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    &format!(
                        "ทำรายการนี้บ่อยเกินไป กรุณารอ {minutes} นาทีแล้วลองใหม่ / Too many tries; wait {minutes} minutes and try again"
                    ),
                )
                .retry_after(retry_after)
            }
            AppError::Busy { retry_after } => ApiError::status(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "ระบบมีผู้ใช้งานมาก กรุณาลองใหม่ในอีกสักครู่ / The system is busy; please try again in a moment",
            )
            .retry_after(retry_after),
            AppError::InvalidLink => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_token",
                "ลิงก์นี้ใช้ไม่ได้ (ใช้ไปแล้วหรือหมดอายุ) กรุณาขอลิงก์ใหม่ / This link does not work (used or expired); ask for a new one",
                FieldErrors::from([(
                    "token".to_owned(),
                    vec!["ลิงก์ใช้ไม่ได้ / The link does not work".to_owned()],
                )]),
            ),
            AppError::UnknownCode => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "รหัส Authorize Code ไม่ถูกต้อง / This Authorize Code is not valid",
                FieldErrors::from([(
                    "authorize_code".to_owned(),
                    vec![
                        "ไม่พบหน่วยงานของรหัสนี้ กรุณาตรวจสอบกับหน่วยงานต้นสังกัด".to_owned(),
                        "No unit has this code; check it with your supervising office".to_owned(),
                    ],
                )]),
            ),
            AppError::Unauthenticated => ApiError::status(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "กรุณาเข้าสู่ระบบ / Please sign in",
            ),
            AppError::Forbidden => ApiError::status(
                StatusCode::FORBIDDEN,
                "forbidden",
                "ท่านไม่มีสิทธิ์ทำรายการนี้ / You have no right to do this here",
            ),
            AppError::NotFound(field) => ApiError::not_found(
                field,
                match field {
                    "code" => "ไม่พบหน่วยงานหรือรหัสนี้ / No unit, or no active code, has this code",
                    "user" => "ไม่ใช่สมาชิกของหน่วยงานนี้ / Not a member of this unit",
                    "id" => "ไม่พบโทเคนนี้ / No such token",
                    "change" => "ไม่พบรายการแก้ไขนี้ในประวัติของจุดบริการนี้ / No such change in this service point's history",
                    _ => "ไม่พบสิ่งที่ระบุ / Nothing has this name",
                },
            ),
            AppError::Internal(e) => ApiError::internal(e),
        }
    }
}

fn both(e: FieldError) -> Vec<String> {
    vec![e.th().to_owned(), e.en().to_owned()]
}

fn field_errors(errors: &[(&'static str, FieldError)]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, e) in errors {
        out.entry((*field).to_owned()).or_default().extend(both(*e));
    }
    out
}

pub(crate) fn unprocessable(errors: &[(&'static str, FieldError)]) -> ApiError {
    let fields = field_errors(errors);
    let names: Vec<&str> = fields.keys().map(String::as_str).collect();
    let message = format!("กรุณาแก้ไขข้อมูล / Please correct: {}", names.join(", "));
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        &message,
        fields,
    )
}

/// 422 with each problem under its field, in Thai and English.
pub(crate) fn invalid_fields(problems: &[domain::Problem]) -> ApiError {
    let mut fields = FieldErrors::new();
    for p in problems {
        fields
            .entry(p.field.clone())
            .or_default()
            .extend([p.th.clone(), p.en.clone()]);
    }
    let names: Vec<&str> = fields.keys().map(String::as_str).collect();
    let message = format!("กรุณาแก้ไขข้อมูล / Please correct: {}", names.join(", "));
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        &message,
        fields,
    )
}
