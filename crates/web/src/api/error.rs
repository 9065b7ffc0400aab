use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::params::FieldErrors;

/// `{"error": {"code", "message", "fields": {"name": ["why"]}}}`
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid_parameter`, `not_found`, `invalid_field` (422), `unauthenticated`,
    /// `email_unverified`, `throttled`, `invalid_token`, `internal`.
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
            error: ErrorBody {
                code,
                message: message.to_owned(),
                fields,
            },
        }
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
        (self.status, Json(self)).into_response()
    }
}

/// Query strings that cannot even be split into fields (e.g. a repeated key).
pub fn query_rejection(e: axum::extract::rejection::QueryRejection) -> ApiError {
    ApiError::invalid(FieldErrors::from([(
        "query".to_owned(),
        vec![e.body_text()],
    )]))
}
