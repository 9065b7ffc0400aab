//! The citizens' comments of a part of the tree, the office's replies, and their
//! publication on the public page of the service point.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::json_body;
use super::reports::{CommentOut, ReportParams, comment_out, parse_request};
use crate::Lang;
use crate::Shared;
use crate::auth::scope::Staff;
use crate::errors::{ApiError, ApiPath, query_rejection};
use crate::params::{FieldErrors, paging};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentParams {
    /// A service point, or any unit above points (13 digits).
    #[param(pattern = "^[0-9]{13}$")]
    pub unit: String,
    /// As the reports take it (`fy2569`, `2026-05`, …); the current fiscal year by
    /// default.
    #[param(max_length = 40)]
    pub period: Option<String>,
    /// `true`: only comments without a reply.
    #[param(value_type = Option<bool>)]
    pub unanswered: Option<String>,
    /// 1-based page number, at most 10000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub page: Option<String>,
    /// Results per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentPage {
    pub items: Vec<CommentOut>,
    /// Every comment of the period, answered or not.
    pub total: u64,
    /// Another page follows (with `unanswered`, the only way to tell).
    pub more: bool,
    pub page: usize,
    pub per_page: usize,
}

/// The comments under a unit (masked), newest first.
#[utoipa::path(get, path = "/api/v1/staff/comments", tag = "staff", params(CommentParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of comments", body = CommentPage),
        (status = 400, description = "`invalid_parameter`: no unit, a code not 13 digits, a period or page refused", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the unit or above it", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code", body = ApiError),
    ))]
pub async fn list(
    State(state): State<Shared>,
    lang: Lang,
    staff: Staff,
    params: Result<Query<CommentParams>, QueryRejection>,
) -> Result<Json<CommentPage>, ApiError> {
    let Query(p) = params.map_err(query_rejection)?;
    let (page, per_page) = paging(&p.page, &p.per_page, lang).map_err(ApiError::invalid)?;
    let unanswered = match p.unanswered.as_deref().map(str::trim) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(_) => {
            return Err(ApiError::invalid(FieldErrors::from([(
                "unanswered".to_owned(),
                vec!["true หรือ false / true or false".to_owned()],
            )])));
        }
    };
    let (unit, period, _) = parse_request(&ReportParams {
        unit: p.unit.clone(),
        period: p.period.clone(),
        from: None,
        to: None,
        by: None,
        lang: None,
        page: None,
        per_page: None,
    })?;
    let found = app::reports::comments(
        &state.app,
        &staff,
        &unit,
        period,
        unanswered,
        page as i64,
        per_page as i64,
    )
    .await?;
    Ok(Json(CommentPage {
        items: found.rows.into_iter().map(comment_out).collect(),
        total: found.total,
        more: found.more,
        page,
        per_page,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyIn {
    /// The reply, up to 2,000 characters; personal data in it is masked, since it may
    /// be published.
    #[schema(max_length = 2000)]
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyOut {
    /// Sent to the e-mail address the citizen left.
    pub mailed: bool,
    /// The citizen left an address and the mail could not be sent; the reply is saved.
    pub mail_failed: bool,
}

/// Reply to a comment (the editors of the point's office, and administrators and
/// supervisors above); a citizen who left an e-mail address gets it by mail.
#[utoipa::path(put, path = "/api/v1/staff/comments/{id}/reply", tag = "staff", request_body = ReplyIn,
    params(("id" = i64, Path, description = "The comment's id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Saved, and mailed where the citizen asked", body = ReplyOut),
        (status = 400, description = "`invalid_parameter`: the id is not a number; `invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: may read the comment, not answer it", body = ApiError),
        (status = 404, description = "`not_found`: no comment has this id in the caller's scope", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: the reply is empty or too long", body = ApiError),
    ))]
pub async fn reply(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<ReplyIn>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ReplyOut>, ApiError> {
    app::replies::may_answer(&state.app, &staff, id).await?;
    let b = json_body(body)?;
    let r = app::replies::reply(&state.app, &staff, id, &b.body).await?;
    Ok(Json(ReplyOut {
        mailed: r.mailed,
        mail_failed: r.mail_failed,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishIn {
    /// `true` shows the comment with its reply on the public page of the point.
    pub published: bool,
}

/// Show a replied comment with its reply on the public page of its service point, or
/// take it off.
#[utoipa::path(put, path = "/api/v1/staff/comments/{id}/published", tag = "staff", request_body = PublishIn,
    params(("id" = i64, Path, description = "The comment's id")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Done"),
        (status = 400, description = "`invalid_parameter`: the id is not a number; `invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: may read the comment, not answer it", body = ApiError),
        (status = 404, description = "`not_found`: no comment has this id in the caller's scope", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: the comment has no reply yet", body = ApiError),
    ))]
pub async fn publish(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<PublishIn>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    app::replies::may_answer(&state.app, &staff, id).await?;
    let b = json_body(body)?;
    app::replies::publish(&state.app, &staff, id, b.published).await?;
    state.refresh_published().await;
    Ok(StatusCode::NO_CONTENT)
}
