//! Staff sign-up, e-mail verification, sign-in and the signed-in account (`/api/v1/auth`,
//! `/api/v1/me`). The same flows back the wizard pages. Requests are JSON; the session
//! is a cookie (HttpOnly, SameSite=Lax, Secure under https).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::account::SignupForm;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;

use crate::Shared;
use crate::auth::scope::Staff;
use crate::auth::{self, ClientAddress, USER_KEY};
use crate::errors::ApiError;
use app::accounts as flows;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SignupRequest {
    /// Without a title (นาย, นาง, Mr …); letters, spaces, `-`, `'` and `.`, at most 100.
    #[schema(required, min_length = 1, max_length = 100)]
    pub first_name: String,
    /// As `first_name`.
    #[schema(required, min_length = 1, max_length = 100)]
    pub last_name: String,
    /// Optional: 13 digits with a valid check digit; Thai digits, spaces and dashes are
    /// accepted.
    pub citizen_id: String,
    /// Optional: a Thai mobile number.
    pub mobile: String,
    /// Required: the verification link goes there. At most 254 bytes.
    #[schema(required, min_length = 1, max_length = 254)]
    pub email: String,
    /// English letters or digits, 5 to 32; unique regardless of case.
    #[schema(required, pattern = "^[A-Za-z0-9]{5,32}$")]
    pub username: String,
    /// 8 to 128 printable ASCII characters with an English letter and a digit; not the
    /// username, nor one of the most common passwords.
    #[schema(required, pattern = "^[!-~]{8,128}$")]
    pub password: String,
    /// The same password again.
    #[schema(required, pattern = "^[!-~]{8,128}$")]
    pub password_confirmation: String,
}

/// The same answer whether or not the e-mail address has an account already (then that
/// address is told that someone tried to sign up with it, and nothing is created).
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub username: String,
    pub email: String,
    /// True: a verification link is on its way; sign-in waits for it.
    pub verification_sent: bool,
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// The token from the e-mailed link.
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResendRequest {
    /// The username or e-mail address of the account.
    pub account: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetConfirm {
    /// The token from the e-mailed link.
    pub token: String,
    /// 8 to 128 printable ASCII characters with an English letter and a digit; not the
    /// username, nor one of the most common passwords.
    #[schema(pattern = "^[!-~]{8,128}$")]
    pub password: String,
    /// The same password again.
    #[schema(pattern = "^[!-~]{8,128}$")]
    pub password_confirmation: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct BindUnitRequest {
    /// The unit's Authorize Code: 15 characters, 0-9 and A-F (either case).
    #[schema(required, pattern = "^[0-9A-Fa-f]{15}$", example = "0123456789ABCDE")]
    pub authorize_code: String,
    /// Name and e-mail of the person entering the code, as in the seed's form; the
    /// account's own are used when left out. A name has no title, at most 100 characters.
    #[schema(max_length = 100)]
    pub name: Option<String>,
    /// At most 254 bytes.
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitMembership {
    /// The unit's 13-digit code.
    pub unit: String,
    pub name: String,
    /// `supervisor`, `admin`, `editor` or `viewer`.
    pub role: String,
    pub since: DateTime<Utc>,
}

/// The signed-in account. The citizen ID is never returned, only its last 4 digits.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub mobile: Option<String>,
    pub citizen_id_last_digits: Option<String>,
    pub is_system_admin: bool,
    pub created_at: DateTime<Utc>,
    pub units: Vec<UnitMembership>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    pub message: String,
}

pub(crate) fn json_body<T>(
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "คำขอมีขนาดใหญ่เกินไป / The request body is too large",
            );
        }
        ApiError::status(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            &format!(
                "คำขอไม่ใช่ JSON ที่ถูกต้อง / The body is not valid JSON: {}",
                e.body_text()
            ),
        )
    })
}

/// Sign up for a staff account (the seed's wizard in one request). A verification link
/// is mailed; sign-in with the password waits until it is opened. An address that has
/// an account already gets the same answer (and a mail saying so) with nothing created.
/// Limited per network address.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "accounts", request_body = SignupRequest,
    responses(
        (status = 201, description = "Signed up, or the address has an account already (then nothing is made): the same answer", body = SignupResponse),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a field breaks a rule; `fields` names each, in Thai and English", body = ApiError),
        (status = 429, description = "`throttled`: too many sign-ups from this network address; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds until the window that refused the try ends"))),
        (status = 503, description = "`busy`: password hashing is at capacity; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn signup(
    State(state): State<Shared>,
    address: ClientAddress,
    body: Result<Json<SignupRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<SignupResponse>), ApiError> {
    let r = json_body(body)?;
    let form = SignupForm {
        first_name: r.first_name,
        last_name: r.last_name,
        citizen_id: r.citizen_id,
        mobile: r.mobile,
        email: r.email,
        username: r.username,
        password: r.password,
        password_confirmation: r.password_confirmation,
    };
    let r = flows::prepare(&state.app, &form).await?;
    flows::register(&state.app, &r, address.0.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            username: r.username,
            email: r.email,
            verification_sent: true,
            message: "ส่งลิงก์ยืนยันไปที่อีเมลแล้ว กรุณาเปิดลิงก์ก่อนเข้าสู่ระบบ / A confirmation link is on its way to the e-mail address; open it before signing in".into(),
        }),
    ))
}

/// Confirm an e-mail address with the token of the mailed link (single use).
#[utoipa::path(post, path = "/api/v1/auth/verify", tag = "accounts", request_body = TokenRequest,
    responses(
        (status = 200, description = "The address is confirmed", body = Done),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape; `invalid_token`: the link is unknown, used or expired", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
    ))]
pub async fn verify(
    State(state): State<Shared>,
    address: ClientAddress,
    body: Result<Json<TokenRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    let r = json_body(body)?;
    flows::verify(&state.app, &r.token, address.0.as_deref()).await?;
    Ok(Json(Done {
        message: "ยืนยันอีเมลแล้ว เข้าสู่ระบบได้ / E-mail address confirmed; you can sign in".into(),
    }))
}

/// Send the verification link again. Answers the same whether or not the account exists.
#[utoipa::path(post, path = "/api/v1/auth/resend-verification", tag = "accounts", request_body = ResendRequest,
    responses(
        (status = 202, description = "A link is on its way if the account exists and is unconfirmed", body = Done),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 429, description = "`throttled`: too many mails asked for this account or from this network address; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds until the window that refused the try ends"))),
    ))]
pub async fn resend_verification(
    State(state): State<Shared>,
    address: ClientAddress,
    body: Result<Json<ResendRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    let r = json_body(body)?;
    flows::resend(&state.app, &r.account, address.0.as_deref()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Done {
            message: "หากบัญชีนี้ยังไม่ได้ยืนยันอีเมล ระบบได้ส่งลิงก์ใหม่แล้ว / If this account's e-mail address is unconfirmed, a new link is on its way".into(),
        }),
    ))
}

/// Sign in with username and password: sets the session cookie. Refused with 403 while
/// the e-mail address is unconfirmed, with 429 after repeated failures.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = Me,
            headers(("Set-Cookie" = String, description = "`citizeninfo_session`, HttpOnly, SameSite=Lax"))),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 401, description = "`wrong_credentials`: wrong username or password", body = ApiError),
        (status = 403, description = "`email_unverified`: the e-mail address is not confirmed yet", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 429, description = "`throttled`: too many wrong passwords for this account or from this network address; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds until the window that refused the try ends"))),
        (status = 503, description = "`busy`: password hashing is at capacity; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn login(
    State(state): State<Shared>,
    session: Session,
    address: ClientAddress,
    body: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Me>, ApiError> {
    let r = json_body(body)?;
    let user = flows::sign_in(&state.app, &r.username, r.password, address.0.as_deref()).await?;
    // A new session id at sign-in: an id planted before it is worth nothing after.
    session.cycle_id().await.map_err(ApiError::internal)?;
    session
        .insert(USER_KEY, user.id)
        .await
        .map_err(ApiError::internal)?;
    me_of(&state, user).await.map(Json)
}

/// Sign out: ends the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    responses(
        (status = 204, description = "Signed out (also when no one was signed in)"),
    ))]
pub async fn logout(
    State(state): State<Shared>,
    session: Session,
    address: ClientAddress,
) -> Result<StatusCode, ApiError> {
    if let Some(user) = auth::signed_in(&session).await {
        flows::signed_out(&state.app, user, address.0.as_deref()).await?;
    }
    session.flush().await.map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask for a password reset link. Answers the same whether or not the address is known.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts", request_body = ResetRequest,
    responses(
        (status = 202, description = "A link is on its way if the address has an account", body = Done),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 429, description = "`throttled`: too many mails asked for this address or from this network address; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds until the window that refused the try ends"))),
    ))]
pub async fn password_reset(
    State(state): State<Shared>,
    address: ClientAddress,
    body: Result<Json<ResetRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    let r = json_body(body)?;
    flows::request_reset(&state.app, &r.email, address.0.as_deref()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Done {
            message: "หากอีเมลนี้มีบัญชี ระบบได้ส่งลิงก์ตั้งรหัสผ่านใหม่แล้ว / If this address has an account, a reset link is on its way".into(),
        }),
    ))
}

/// Choose a new password with the mailed reset token. Ends every session of the account.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "accounts", request_body = ResetConfirm,
    responses(
        (status = 200, description = "The new password is set; every session and token of the account has ended", body = Done),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape; `invalid_token`: the link is unknown, used or expired", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a field breaks a rule; `fields` names each, in Thai and English", body = ApiError),
        (status = 503, description = "`busy`: password hashing is at capacity; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn password_reset_confirm(
    State(state): State<Shared>,
    address: ClientAddress,
    body: Result<Json<ResetConfirm>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    let r = json_body(body)?;
    flows::reset(
        &state.app,
        &r.token,
        &r.password,
        &r.password_confirmation,
        address.0.as_deref(),
    )
    .await?;
    Ok(Json(Done {
        message: "ตั้งรหัสผ่านใหม่แล้ว กรุณาเข้าสู่ระบบ / New password set; please sign in".into(),
    }))
}

impl From<storage::Membership> for UnitMembership {
    fn from(m: storage::Membership) -> Self {
        UnitMembership {
            unit: m.unit.as_str().to_owned(),
            name: m.unit_name_th,
            role: m.role,
            since: m.since,
        }
    }
}

/// The account as the API shows it, from the row the caller already holds.
async fn me_of(state: &Shared, u: storage::UserRow) -> Result<Me, ApiError> {
    let units = state
        .db
        .memberships(u.id)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .map(UnitMembership::from)
        .collect();
    Ok(Me {
        id: u.id,
        username: u.username,
        first_name: u.first_name,
        last_name: u.last_name,
        email: u.email,
        email_verified: u.email_verified_at.is_some(),
        mobile: u.mobile,
        citizen_id_last_digits: u.citizen_id_last,
        is_system_admin: u.is_system_admin,
        created_at: u.created_at,
        units,
    })
}

/// The signed-in account and its units.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in account", body = Me),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
    ))]
pub async fn me(State(state): State<Shared>, staff: Staff) -> Result<Json<Me>, ApiError> {
    me_of(&state, staff.0.user).await.map(Json)
}

/// Delete the signed-in account and its personal data; audit records stay, unlinked.
/// Only from a signed-in session, not with an API token.
#[utoipa::path(delete, path = "/api/v1/me", tag = "accounts",
    security(("session" = [])),
    responses(
        (status = 204, description = "The account is deleted and the session ended"),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: asked with an API token; an account is deleted from a session only", body = ApiError),
    ))]
pub async fn delete_me(
    State(state): State<Shared>,
    staff: Staff,
    session: Session,
    address: ClientAddress,
) -> Result<StatusCode, ApiError> {
    if staff.via_token() {
        return Err(ApiError::status(
            StatusCode::FORBIDDEN,
            "forbidden",
            "ลบบัญชีได้จากการเข้าสู่ระบบเท่านั้น / An account is deleted from a signed-in session only",
        ));
    }
    flows::delete_account(&state.app, staff.user.id, address.0.as_deref()).await?;
    session.flush().await.map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Bind the signed-in, verified account to a unit with the unit's Authorize Code: the
/// account becomes an editor of that unit. Wrong codes are limited per account and per
/// address.
#[utoipa::path(post, path = "/api/v1/me/units", tag = "accounts", request_body = BindUnitRequest,
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Already a member of this unit: the membership as it is", body = UnitMembership),
        (status = 201, description = "Now an editor of the unit", body = UnitMembership),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`email_unverified`: the account's e-mail address is not confirmed yet", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a field breaks a rule, or no unit has this Authorize Code; `fields` names each", body = ApiError),
        (status = 429, description = "`throttled`: too many wrong Authorize Codes for this account or from this network address; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds until the window that refused the try ends"))),
    ))]
pub async fn bind_unit(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    body: Result<Json<BindUnitRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<UnitMembership>), ApiError> {
    let r = json_body(body)?;
    let user = &staff.user;
    let id = user.id;
    let (unit, added) = flows::bind_unit(
        &state.app,
        user,
        flows::CodeForm {
            code: &r.authorize_code,
            name: r.name.as_deref(),
            email: r.email.as_deref(),
        },
        address.0.as_deref(),
    )
    .await?;
    let m = state
        .db
        .memberships(id)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .find(|m| m.unit == unit)
        .ok_or_else(|| ApiError::internal("membership missing after insert"))?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(m.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    /// 8 to 128 printable ASCII characters with an English letter and a digit; not the
    /// username, nor one of the most common passwords.
    #[schema(pattern = "^[!-~]{8,128}$")]
    pub password: String,
    /// The same password again.
    #[schema(pattern = "^[!-~]{8,128}$")]
    pub password_confirmation: String,
}

/// Change the signed-in account's password. Every session of the account ends, this one
/// too: sign in again with the new password. Not with an API token.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", request_body = PasswordChange,
    security(("session" = [])),
    responses(
        (status = 200, description = "Changed; every session and token of the account has ended, this one too", body = Done),
        (status = 400, description = "`invalid_body`: the body is not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: asked with an API token; passwords are changed from a session only", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: the current password is wrong or the new one breaks a rule; `fields` names each", body = ApiError),
        (status = 429, description = "`throttled`: too many wrong passwords for this account or from this network address; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds until the window that refused the try ends"))),
        (status = 503, description = "`busy`: password hashing is at capacity; try again after `Retry-After` seconds", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn change_password(
    State(state): State<Shared>,
    staff: Staff,
    session: Session,
    address: ClientAddress,
    body: Result<Json<PasswordChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    if staff.via_token() {
        return Err(ApiError::status(
            StatusCode::FORBIDDEN,
            "forbidden",
            "เปลี่ยนรหัสผ่านได้จากการเข้าสู่ระบบเท่านั้น / Passwords are changed from a signed-in session only",
        ));
    }
    let r = json_body(body)?;
    flows::change_password(
        &state.app,
        &staff.user,
        r.current_password,
        &r.password,
        &r.password_confirmation,
        address.0.as_deref(),
    )
    .await?;
    session.flush().await.map_err(ApiError::internal)?;
    Ok(Json(Done {
        message: "เปลี่ยนรหัสผ่านแล้ว กรุณาเข้าสู่ระบบใหม่ / Password changed; please sign in again".into(),
    }))
}
