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
    /// `invalid_parameter`, `not_found`.
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
