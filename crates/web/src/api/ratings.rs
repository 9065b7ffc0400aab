//! The rating form as JSON, for apps and kiosks: what the poster's form asks, and the
//! submission, with the same checks as the page.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use domain::rating::{Dimension, Score};
use domain::rating_guard::{MIN_FILL, Refusal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::auth::json_body;
use crate::Shared;
use crate::auth::ClientAddress;
use crate::errors::{ApiError, ApiPath, invalid_fields};
use app::ratings::{self, Client, Poster, Refused, Sent};

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingPoint {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    /// The office the point belongs to.
    pub office_th: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingLevel {
    pub score: u8,
    pub word_th: &'static str,
    pub word_en: &'static str,
    pub face: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingAspect {
    /// The key in `dimensions` of a submission.
    pub key: &'static str,
    pub label_th: &'static str,
    pub label_en: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingService {
    /// The value of `service` in a submission.
    pub id: String,
    pub title_th: String,
    pub title_en: String,
}

/// What the form asks, with a form token to send back.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingFormOut {
    pub point: RatingPoint,
    /// Most satisfied first.
    pub scale: Vec<RatingLevel>,
    /// The aspects after the overall score: each 1–5 or `na`.
    pub aspects: Vec<RatingAspect>,
    /// The services of the point, and `other`.
    pub services: Vec<RatingService>,
    /// Send it back as `form_token`, no sooner than `min_fill_seconds` from now.
    pub form_token: String,
    pub min_fill_seconds: i64,
}

/// A rating. Every field but `form_token` and `overall` may be left out.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RatingIn {
    /// From `GET /api/v1/ratings/{token}`.
    #[schema(max_length = 200)]
    pub form_token: Option<String>,
    /// 1 (ไม่พอใจ) to 5 (พอใจมากที่สุด).
    #[schema(minimum = 1, maximum = 5)]
    pub overall: Option<serde_json::Value>,
    /// Aspect key → 1 to 5, or `"na"` (also null, or left out) for not applicable.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub dimensions: BTreeMap<String, serde_json::Value>,
    /// A service id from the form, or `other` (the default).
    #[schema(max_length = 20)]
    pub service: Option<serde_json::Value>,
    /// Up to 2,000 characters; phone numbers, citizen IDs and e-mail addresses in it
    /// are masked before it is stored.
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
    /// A Thai phone number or an e-mail address for a reply: kept apart from the
    /// rating, never shown, deleted after 90 days.
    #[schema(max_length = 254)]
    pub contact: Option<String>,
    /// Leave out: only robots fill it.
    pub website: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingStored {
    pub stored: bool,
    pub message: String,
}

/// A JSON value as the form would have sent it.
fn as_form_value(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

fn poster_refusal(p: &Refused) -> Option<ApiError> {
    Some(match p {
        Refused::Unknown => ApiError::not_found("token", "ไม่พบป้ายนี้ / There is no such poster"),
        Refused::Retired => ApiError::status(
            StatusCode::GONE,
            "poster_replaced",
            "ป้ายนี้ถูกแทนที่ด้วยป้ายใหม่แล้ว / This poster was replaced by a new one",
        ),
        Refused::Off => ApiError::status(
            StatusCode::CONFLICT,
            "not_taking_ratings",
            "จุดบริการนี้ไม่ได้เปิดรับการประเมินในขณะนี้ / This service point is not taking ratings",
        ),
        _ => return None,
    })
}

fn token_param(token: &str) -> Result<(), ApiError> {
    if ratings::plausible_token(token) {
        Ok(())
    } else {
        Err(ApiError::invalid(crate::params::FieldErrors::from([(
            "token".to_owned(),
            vec!["โทเค็นของป้ายคือตัวอักษรและตัวเลข 10–64 ตัว / A poster token is 10 to 64 letters and digits".to_owned()],
        )])))
    }
}

/// The rating form of a poster: the point, the scale, the aspects, its services and a
/// form token.
#[utoipa::path(get, path = "/api/v1/ratings/{token}", tag = "ratings",
    params(("token" = String, Path, description = "The poster's token, from the address its QR code holds", pattern = "^[a-z0-9]{10,64}$")),
    responses(
        (status = 200, description = "The form", body = RatingFormOut),
        (status = 400, description = "`invalid_parameter`: the token is not 10 to 64 letters and digits", body = ApiError),
        (status = 404, description = "`not_found`: no poster has this token", body = ApiError),
        (status = 409, description = "`not_taking_ratings`: the poster is switched off", body = ApiError),
        (status = 410, description = "`poster_replaced`: the poster was replaced by a new print", body = ApiError),
    ))]
pub async fn form(
    State(state): State<Shared>,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, ApiError> {
    token_param(&token)?;
    let target = match ratings::open(&state.app, &token).await? {
        Poster::Open(t) => t,
        Poster::Off(_) => return Err(poster_refusal(&Refused::Off).expect("a refusal")),
        Poster::Retired => return Err(poster_refusal(&Refused::Retired).expect("a refusal")),
        Poster::Unknown => return Err(poster_refusal(&Refused::Unknown).expect("a refusal")),
    };
    let out = RatingFormOut {
        point: RatingPoint {
            code: target.code,
            name_th: target.name_th,
            name_en: target.name_en,
            office_th: target.office_th,
        },
        scale: Score::ALL
            .iter()
            .map(|s| RatingLevel {
                score: s.get(),
                word_th: s.word_th(),
                word_en: s.word_en(),
                face: s.face().emoji,
            })
            .collect(),
        aspects: Dimension::ASPECTS
            .iter()
            .map(|d| RatingAspect {
                key: d.key(),
                label_th: d.label_th(),
                label_en: d.label_en(),
            })
            .collect(),
        services: target
            .manuals
            .into_iter()
            .map(|(id, th, en)| RatingService {
                id: id.to_string(),
                title_th: th,
                title_en: en,
            })
            .chain(std::iter::once(RatingService {
                id: "other".into(),
                title_th: "อื่น ๆ".into(),
                title_en: "Other".into(),
            }))
            .collect(),
        form_token: ratings::form_token(&state.app, &token, Utc::now()),
        min_fill_seconds: MIN_FILL.num_seconds(),
    };
    let mut res = Json(out).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// Rate a service point. 201 only once the rating is durably stored.
#[utoipa::path(post, path = "/api/v1/ratings/{token}", tag = "ratings", request_body = RatingIn,
    params(("token" = String, Path, description = "The poster's token", pattern = "^[a-z0-9]{10,64}$")),
    responses(
        (status = 201, description = "Stored", body = RatingStored),
        (status = 400, description = "`invalid_parameter`: the token is not 10 to 64 letters and digits; `invalid_body`: not JSON of this shape; `invalid_form_token`: no form token, a forged one, or one older than 12 hours", body = ApiError),
        (status = 404, description = "`not_found`: no poster has this token", body = ApiError),
        (status = 409, description = "`not_taking_ratings`: the poster is switched off", body = ApiError),
        (status = 410, description = "`poster_replaced`: the poster was replaced by a new print", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 64 KB", body = ApiError),
        (status = 422, description = "`invalid_field`: a score out of range, an unknown aspect or service, a comment too long; `too_fast`: sent sooner than `min_fill_seconds` after the form; `refused`: the `website` field was filled", body = ApiError),
        (status = 429, description = "`throttled`: this client rated this poster minutes ago, or too often today", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`busy`: too many ratings queued; try again in a moment", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn submit(
    State(state): State<Shared>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ApiPath(token): ApiPath<String>,
    body: Result<Json<RatingIn>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    token_param(&token)?;
    let r = json_body(body)?;
    let sent = Sent {
        form: domain::rating::RatingForm {
            overall: r.overall.as_ref().and_then(as_form_value),
            dimensions: r
                .dimensions
                .iter()
                .map(|(k, v)| (k.clone(), as_form_value(v).unwrap_or_default()))
                .collect(),
            service: r.service.as_ref().and_then(as_form_value),
            comment: r.comment.clone(),
            contact: r.contact.clone(),
        },
        form_token: r.form_token.clone(),
        trap: r.website.clone(),
    };
    let client = Client {
        address: address.as_deref(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    };
    match ratings::submit(&state.app, &token, client, &sent).await {
        Ok(_) => Ok((
            StatusCode::CREATED,
            Json(RatingStored {
                stored: true,
                message: "ขอบคุณที่ร่วมประเมินความพึงพอใจ / Thank you for rating the service".into(),
            }),
        )
            .into_response()),
        Err(e) => Err(refusal(e)),
    }
}

fn refusal(e: Refused) -> ApiError {
    if let Some(p) = poster_refusal(&e) {
        return p;
    }
    match e {
        Refused::Invalid(problems) => invalid_fields(&problems),
        Refused::Guarded(Refusal::Form) => ApiError::status(
            StatusCode::BAD_REQUEST,
            "invalid_form_token",
            "ไม่มีโทเค็นแบบฟอร์ม หรือหมดอายุ กรุณาขอแบบฟอร์มใหม่ / The form token is missing, wrong or expired; get the form again",
        ),
        Refused::Guarded(Refusal::TooFast) => ApiError::status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_fast",
            "ส่งเร็วเกินไป กรุณาลองใหม่ / Sent too soon after the form; send again",
        ),
        Refused::Guarded(Refusal::Trap) => ApiError::status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "refused",
            "ไม่สามารถรับแบบประเมินนี้ได้ / This rating cannot be taken",
        ),
        Refused::Guarded(why @ (Refusal::Repeat | Refusal::Limit)) => ApiError::status(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "ท่านได้ประเมินจุดบริการนี้ไปแล้ว / You have already rated this service point",
        )
        .retry_after(if why == Refusal::Repeat {
            domain::rating_guard::REPEAT_WITHIN.num_seconds() as u64
        } else {
            3600
        }),
        Refused::Busy => ApiError::status(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "ระบบมีผู้ใช้งานมาก กรุณาลองใหม่ในอีกสักครู่ / Busy; try again in a moment",
        )
        .retry_after(1),
        Refused::Internal(cause) => ApiError::internal(cause),
        Refused::Unknown | Refused::Retired | Refused::Off => unreachable!("answered above"),
    }
}
