//! Staff sign-up, e-mail verification, sign-in and the signed-in account (`/api/v1/auth`,
//! `/api/v1/me`). The same flows back the wizard pages. Requests are JSON; the session
//! is a cookie (HttpOnly, SameSite=Lax, Secure under https).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use domain::account::{self, AuthorizeCode, FieldError, SignupForm};
use serde::{Deserialize, Serialize};
use storage::{Actor, LinkPurpose, NewUser, Taken};
use tower_sessions::Session;
use utoipa::ToSchema;

use super::error::ApiError;
use crate::Shared;
use crate::auth::{self, ClientAddress, USER_KEY};
use crate::params::FieldErrors;

/// How long an e-mail link stays valid.
const VERIFY_LINK_HOURS: i64 = 48;
const RESET_LINK_HOURS: i64 = 2;
/// Failed sign-ins (and wrong Authorize Codes) allowed per account and per address in
/// the window before further tries are refused.
const THROTTLE_WINDOW_MINUTES: i64 = 15;
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SignupRequest {
    /// Without a title (นาย, นาง, Mr …).
    pub first_name: String,
    pub last_name: String,
    /// Optional: 13 digits with a valid check digit; Thai digits, spaces and dashes are
    /// accepted.
    pub citizen_id: String,
    /// Optional: a Thai mobile number.
    pub mobile: String,
    /// Required: the verification link goes there.
    pub email: String,
    /// English letters or digits, at least 5; unique regardless of case.
    pub username: String,
    /// At least 8 characters with an English letter and a digit.
    pub password: String,
    pub password_confirmation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub id: i64,
    pub username: String,
    pub email: String,
    /// True: a verification link was sent; sign-in waits for it.
    pub verification_sent: bool,
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
    pub token: String,
    pub password: String,
    pub password_confirmation: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct BindUnitRequest {
    /// The unit's Authorize Code: 15 characters, 0-9 and A-F.
    pub authorize_code: String,
    /// Name and e-mail of the person entering the code, as in the seed's form; the
    /// account's own are used when left out.
    pub name: Option<String>,
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

fn unprocessable(errors: &[(&'static str, FieldError)]) -> ApiError {
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

fn unauthenticated() -> ApiError {
    ApiError::status(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "กรุณาเข้าสู่ระบบ / Please sign in",
    )
}

fn json_body<T>(
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
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

fn actor<'a>(name: &'a str, address: &'a ClientAddress) -> Actor<'a> {
    Actor {
        name,
        address: address.0.as_deref(),
    }
}

/// Refuses further tries while an account or an address has failed too often lately.
async fn throttle(
    state: &Shared,
    action: &str,
    account: &str,
    address: &ClientAddress,
) -> Result<(), ApiError> {
    let since = Utc::now() - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let (by_account, by_address) = state
        .db
        .recent_count(action, account, address.0.as_deref(), since)
        .await
        .map_err(ApiError::internal)?;
    if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Err(ApiError::status(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            &format!(
                "ลองผิดหลายครั้งเกินไป กรุณารอ {THROTTLE_WINDOW_MINUTES} นาทีแล้วลองใหม่ / Too many failed tries; wait {THROTTLE_WINDOW_MINUTES} minutes and try again"
            ),
        ));
    }
    Ok(())
}

/// Sends a link by mail: verification or password reset, Thai first, English below.
async fn send_link(
    state: &Shared,
    user: i64,
    email: &str,
    purpose: LinkPurpose,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let (token, hash) = auth::new_link_token();
    let hours = match purpose {
        LinkPurpose::Verify => VERIFY_LINK_HOURS,
        LinkPurpose::Reset => RESET_LINK_HOURS,
    };
    state
        .db
        .add_link(user, purpose, &hash, now, now + Duration::hours(hours))
        .await
        .map_err(ApiError::internal)?;
    let base = state.config.base_url.trim_end_matches('/');
    let (subject, body) = match purpose {
        LinkPurpose::Verify => (
            "ยืนยันอีเมล CITIZENinfo / Confirm your e-mail address",
            format!(
                "กรุณายืนยันอีเมลของท่านโดยเปิดลิงก์นี้ภายใน {hours} ชั่วโมง:\n{base}/auth/verify?token={token}\n\n\
                 Please confirm your e-mail address by opening this link within {hours} hours:\n{base}/auth/verify?token={token}\n\n\
                 หากท่านไม่ได้สมัครใช้งาน ไม่ต้องดำเนินการใด ๆ / If you did not sign up, ignore this message.\n"
            ),
        ),
        LinkPurpose::Reset => (
            "ตั้งรหัสผ่านใหม่ CITIZENinfo / Reset your password",
            format!(
                "เปิดลิงก์นี้ภายใน {hours} ชั่วโมงเพื่อตั้งรหัสผ่านใหม่:\n{base}/auth/reset?token={token}\n\n\
                 Open this link within {hours} hours to choose a new password:\n{base}/auth/reset?token={token}\n\n\
                 หากท่านไม่ได้ขอ ไม่ต้องดำเนินการใด ๆ / If you did not ask for this, ignore this message.\n"
            ),
        ),
    };
    state
        .mailer
        .send(email, subject, &body)
        .await
        .map_err(ApiError::internal)
}

/// Sign up for a staff account (the seed's wizard in one request). A verification link
/// is mailed; sign-in with the password waits until it is opened.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "accounts", request_body = SignupRequest,
    responses((status = 201, body = SignupResponse), (status = 422, body = ApiError), (status = 400, body = ApiError)))]
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
    let s = account::signup(&form).map_err(|e| unprocessable(&e))?;
    let email = s.email.clone().unwrap_or_default();
    let password_hash = auth::hash_password(s.password.clone())
        .await
        .map_err(ApiError::internal)?;
    let citizen_hash = s
        .citizen_id
        .as_ref()
        .map(|c| auth::citizen_id_hash(&state.citizen_key, c.digits()));
    let now = Utc::now();
    let created = state
        .db
        .create_user(
            &NewUser {
                username: &s.username,
                first_name: &s.first_name,
                last_name: &s.last_name,
                email: Some(&email),
                mobile: s.mobile.as_deref(),
                citizen_id_hash: citizen_hash.as_deref(),
                citizen_id_last: s.citizen_id.as_ref().map(|c| c.last_digits()),
                password_hash: Some(&password_hash),
                is_system_admin: false,
                email_verified: false,
            },
            now,
        )
        .await
        .map_err(ApiError::internal)?;
    let id = match created {
        Ok(id) => id,
        Err(Taken::Username) => {
            return Err(unprocessable(&[("username", FieldError::UsernameTaken)]));
        }
        Err(Taken::Email) => return Err(unprocessable(&[("email", FieldError::EmailTaken)])),
    };
    let key = s.username.to_lowercase();
    state
        .db
        .audit("signup", actor(&key, &address), Some(id), None, now)
        .await
        .map_err(ApiError::internal)?;
    send_link(&state, id, &email, LinkPurpose::Verify).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            id,
            username: s.username,
            email,
            verification_sent: true,
        }),
    ))
}

/// Confirm an e-mail address with the token of the mailed link (single use).
#[utoipa::path(post, path = "/api/v1/auth/verify", tag = "accounts", request_body = TokenRequest,
    responses((status = 200, body = Done), (status = 400, body = ApiError)))]
pub async fn verify(
    State(state): State<Shared>,
    address: ClientAddress,
    body: Result<Json<TokenRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    let r = json_body(body)?;
    verify_token(&state, &r.token, &address).await?;
    Ok(Json(Done {
        message: "ยืนยันอีเมลแล้ว เข้าสู่ระบบได้ / E-mail address confirmed; you can sign in".into(),
    }))
}

/// Uses a verification token; shared by the API and the page the mailed link opens.
pub(crate) async fn verify_token(
    state: &Shared,
    token: &str,
    address: &ClientAddress,
) -> Result<i64, ApiError> {
    let now = Utc::now();
    let user = state
        .db
        .use_link(LinkPurpose::Verify, &auth::link_hash(token), now)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(invalid_link)?;
    state
        .db
        .mark_email_verified(user, now)
        .await
        .map_err(ApiError::internal)?;
    let name = state
        .db
        .user_by_id(user)
        .await
        .map_err(ApiError::internal)?
        .map(|u| u.username.to_lowercase())
        .unwrap_or_default();
    state
        .db
        .audit("email.verify", actor(&name, address), Some(user), None, now)
        .await
        .map_err(ApiError::internal)?;
    Ok(user)
}

fn invalid_link() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_token",
        "ลิงก์นี้ใช้ไม่ได้ (ใช้ไปแล้วหรือหมดอายุ) กรุณาขอลิงก์ใหม่ / This link does not work (used or expired); ask for a new one",
        FieldErrors::from([(
            "token".to_owned(),
            vec!["ลิงก์ใช้ไม่ได้ / The link does not work".to_owned()],
        )]),
    )
}

/// Send the verification link again. Answers the same whether or not the account exists.
#[utoipa::path(post, path = "/api/v1/auth/resend-verification", tag = "accounts", request_body = ResendRequest,
    responses((status = 202, body = Done)))]
pub async fn resend_verification(
    State(state): State<Shared>,
    body: Result<Json<ResendRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    let r = json_body(body)?;
    let account = r.account.trim();
    let user = match state
        .db
        .user_by_username(account)
        .await
        .map_err(ApiError::internal)?
    {
        Some(u) => Some(u),
        None => match account::email(account) {
            Ok(e) => state
                .db
                .user_by_email(&e)
                .await
                .map_err(ApiError::internal)?,
            Err(_) => None,
        },
    };
    if let Some(u) = user
        && u.email_verified_at.is_none()
        && let Some(email) = u.email.as_deref()
    {
        send_link(&state, u.id, email, LinkPurpose::Verify).await?;
    }
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
    responses((status = 200, body = Me), (status = 401, body = ApiError), (status = 403, body = ApiError),
               (status = 429, body = ApiError)))]
pub async fn login(
    State(state): State<Shared>,
    session: Session,
    address: ClientAddress,
    body: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Me>, ApiError> {
    let r = json_body(body)?;
    let key: String = r.username.trim().to_lowercase().chars().take(64).collect();
    throttle(&state, "signin.failed", &key, &address).await?;
    let user = state
        .db
        .user_by_username(&key)
        .await
        .map_err(ApiError::internal)?;
    let ok = auth::verify_password(
        user.as_ref().and_then(|u| u.password_hash.clone()),
        r.password,
    )
    .await;
    let now = Utc::now();
    let user = match user {
        Some(u) if ok => u,
        other => {
            state
                .db
                .audit(
                    "signin.failed",
                    actor(&key, &address),
                    other.map(|u| u.id),
                    None,
                    now,
                )
                .await
                .map_err(ApiError::internal)?;
            return Err(ApiError::status(
                StatusCode::UNAUTHORIZED,
                "wrong_credentials",
                "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง / Wrong username or password",
            ));
        }
    };
    if user.email_verified_at.is_none() {
        return Err(ApiError::status(
            StatusCode::FORBIDDEN,
            "email_unverified",
            "กรุณายืนยันอีเมลก่อนเข้าสู่ระบบ (ดูลิงก์ในอีเมลที่ส่งให้ หรือขอส่งใหม่) / Confirm your e-mail address before signing in (open the mailed link, or ask for a new one)",
        ));
    }
    // A new session id at sign-in: an id planted before it is worth nothing after.
    session.cycle_id().await.map_err(ApiError::internal)?;
    session
        .insert(USER_KEY, user.id)
        .await
        .map_err(ApiError::internal)?;
    state
        .db
        .audit("signin", actor(&key, &address), Some(user.id), None, now)
        .await
        .map_err(ApiError::internal)?;
    me_of(&state, user.id).await.map(Json)
}

/// Sign out: ends the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", responses((status = 204)))]
pub async fn logout(
    State(state): State<Shared>,
    session: Session,
    address: ClientAddress,
) -> Result<StatusCode, ApiError> {
    if let Some(user) = auth::signed_in(&session).await {
        let name = state
            .db
            .user_by_id(user)
            .await
            .map_err(ApiError::internal)?
            .map(|u| u.username.to_lowercase())
            .unwrap_or_default();
        state
            .db
            .audit(
                "signout",
                actor(&name, &address),
                Some(user),
                None,
                Utc::now(),
            )
            .await
            .map_err(ApiError::internal)?;
    }
    session.flush().await.map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask for a password reset link. Answers the same whether or not the address is known.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts", request_body = ResetRequest,
    responses((status = 202, body = Done)))]
pub async fn password_reset(
    State(state): State<Shared>,
    body: Result<Json<ResetRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    let r = json_body(body)?;
    if let Ok(email) = account::email(&r.email)
        && let Some(u) = state
            .db
            .user_by_email(&email)
            .await
            .map_err(ApiError::internal)?
    {
        send_link(&state, u.id, &email, LinkPurpose::Reset).await?;
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(Done {
            message: "หากอีเมลนี้มีบัญชี ระบบได้ส่งลิงก์ตั้งรหัสผ่านใหม่แล้ว / If this address has an account, a reset link is on its way".into(),
        }),
    ))
}

/// Choose a new password with the mailed reset token. Ends every session of the account.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "accounts", request_body = ResetConfirm,
    responses((status = 200, body = Done), (status = 400, body = ApiError), (status = 422, body = ApiError)))]
pub async fn password_reset_confirm(
    State(state): State<Shared>,
    address: ClientAddress,
    body: Result<Json<ResetConfirm>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    let r = json_body(body)?;
    // The rules first, so that a refused password does not use up the link.
    let hash = auth::link_hash(&r.token);
    let now = Utc::now();
    account::password(&r.password, &r.password_confirmation, "")
        .map_err(|e| unprocessable(&[("password", e)]))?;
    let user = state
        .db
        .use_link(LinkPurpose::Reset, &hash, now)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(invalid_link)?;
    let u = state
        .db
        .user_by_id(user)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(invalid_link)?;
    if r.password.eq_ignore_ascii_case(&u.username) {
        return Err(unprocessable(&[(
            "password",
            FieldError::PasswordIsUsername,
        )]));
    }
    let password_hash = auth::hash_password(r.password)
        .await
        .map_err(ApiError::internal)?;
    state
        .db
        .set_password(user, &password_hash, now)
        .await
        .map_err(ApiError::internal)?;
    // Opening the mailed link proves the address too.
    state
        .db
        .mark_email_verified(user, now)
        .await
        .map_err(ApiError::internal)?;
    let name = u.username.to_lowercase();
    state
        .db
        .audit(
            "password.reset",
            actor(&name, &address),
            Some(user),
            None,
            now,
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(Done {
        message: "ตั้งรหัสผ่านใหม่แล้ว กรุณาเข้าสู่ระบบ / New password set; please sign in".into(),
    }))
}

async fn me_of(state: &Shared, id: i64) -> Result<Me, ApiError> {
    let u = state
        .db
        .user_by_id(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(unauthenticated)?;
    let units = state
        .db
        .memberships(id)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|m| UnitMembership {
            unit: m.unit.as_str().to_owned(),
            name: m.unit_name_th,
            role: m.role,
            since: m.since,
        })
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
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub async fn me(State(state): State<Shared>, session: Session) -> Result<Json<Me>, ApiError> {
    let id = auth::signed_in(&session)
        .await
        .ok_or_else(unauthenticated)?;
    me_of(&state, id).await.map(Json)
}

/// Delete the signed-in account and its personal data; audit records stay, unlinked.
#[utoipa::path(delete, path = "/api/v1/me", tag = "accounts",
    responses((status = 204), (status = 401, body = ApiError)))]
pub async fn delete_me(
    State(state): State<Shared>,
    session: Session,
    address: ClientAddress,
) -> Result<StatusCode, ApiError> {
    let id = auth::signed_in(&session)
        .await
        .ok_or_else(unauthenticated)?;
    let name = state
        .db
        .user_by_id(id)
        .await
        .map_err(ApiError::internal)?
        .map(|u| u.username.to_lowercase())
        .unwrap_or_default();
    state.db.delete_user(id).await.map_err(ApiError::internal)?;
    state
        .db
        .audit(
            "account.delete",
            actor(&name, &address),
            None,
            None,
            Utc::now(),
        )
        .await
        .map_err(ApiError::internal)?;
    session.flush().await.map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Bind the signed-in, verified account to a unit with the unit's Authorize Code: the
/// account becomes an editor of that unit. Wrong codes are limited per account and per
/// address.
#[utoipa::path(post, path = "/api/v1/me/units", tag = "accounts", request_body = BindUnitRequest,
    responses((status = 201, body = UnitMembership), (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 422, body = ApiError), (status = 429, body = ApiError)))]
pub async fn bind_unit(
    State(state): State<Shared>,
    session: Session,
    address: ClientAddress,
    body: Result<Json<BindUnitRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<UnitMembership>), ApiError> {
    let id = auth::signed_in(&session)
        .await
        .ok_or_else(unauthenticated)?;
    let r = json_body(body)?;
    let user = state
        .db
        .user_by_id(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(unauthenticated)?;
    if user.email_verified_at.is_none() {
        return Err(ApiError::status(
            StatusCode::FORBIDDEN,
            "email_unverified",
            "กรุณายืนยันอีเมลก่อน / Confirm your e-mail address first",
        ));
    }
    let name = user.username.to_lowercase();
    throttle(&state, "authorize_code.failed", &name, &address).await?;
    let mut errors = Vec::new();
    if let Some(n) = r.name.as_deref().filter(|n| !n.trim().is_empty())
        && let Err(e) = account::person_name(n)
    {
        errors.push(("name", e));
    }
    if let Some(e) = r.email.as_deref().filter(|e| !e.trim().is_empty())
        && let Err(e) = account::email(e)
    {
        errors.push(("email", e));
    }
    let code = AuthorizeCode::parse(&r.authorize_code);
    if let Err(e) = &code {
        errors.push(("authorize_code", *e));
    }
    if !errors.is_empty() {
        return Err(unprocessable(&errors));
    }
    let code = code.map_err(|e| unprocessable(&[("authorize_code", e)]))?;
    let now = Utc::now();
    let Some(unit) = state
        .db
        .unit_for_code(&code)
        .await
        .map_err(ApiError::internal)?
    else {
        state
            .db
            .audit(
                "authorize_code.failed",
                actor(&name, &address),
                Some(id),
                None,
                now,
            )
            .await
            .map_err(ApiError::internal)?;
        return Err(ApiError::new(
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
        ));
    };
    state
        .db
        .add_membership(id, &unit, "editor", actor(&name, &address), now)
        .await
        .map_err(ApiError::internal)?;
    state
        .db
        .audit(
            "authorize_code.use",
            actor(&name, &address),
            Some(id),
            Some(unit.as_str()),
            now,
        )
        .await
        .map_err(ApiError::internal)?;
    let m = state
        .db
        .memberships(id)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .find(|m| m.unit == unit)
        .ok_or_else(|| ApiError::internal("membership missing after insert"))?;
    Ok((
        StatusCode::CREATED,
        Json(UnitMembership {
            unit: m.unit.as_str().to_owned(),
            name: m.unit_name_th,
            role: m.role,
            since: m.since,
        }),
    ))
}
