//! The account flows, shared by the JSON API and the pages: each takes what was typed
//! (already parsed), does the storage, mail and audit work, and says what went wrong in
//! terms both deliveries can word for their reader.

use chrono::{Duration, Utc};
use domain::UnitCode;
use domain::account::{self, AuthorizeCode, FieldError, FieldErrors};
use storage::{Actor, LinkPurpose, NewUser, Taken, UserRow};

use super::{ClientAddress, citizen_id_hash, hash_password, link_hash, new_link_token};
use crate::Shared;

/// How long an e-mail link stays valid.
pub(crate) const VERIFY_LINK_HOURS: i64 = 48;
pub(crate) const RESET_LINK_HOURS: i64 = 2;
/// Failed sign-ins (and wrong Authorize Codes) allowed per account and per address in
/// the window before further tries are refused.
pub(crate) const THROTTLE_WINDOW_MINUTES: i64 = 15;
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;

#[derive(Debug)]
pub(crate) enum FlowError {
    /// Fields refused, by form field name.
    Fields(FieldErrors),
    WrongCredentials,
    Unverified,
    Throttled,
    /// A mailed link that is unknown, used or expired.
    InvalidLink,
    /// An Authorize Code of the right form that no unit has.
    UnknownCode,
    /// Something failed on our side; the cause is logged where it happened.
    Internal(String),
}

impl FlowError {
    fn internal(e: impl std::fmt::Display) -> Self {
        FlowError::Internal(e.to_string())
    }
}

type Result<T> = std::result::Result<T, FlowError>;

fn actor<'a>(name: &'a str, address: &'a ClientAddress) -> Actor<'a> {
    Actor {
        name,
        address: address.0.as_deref(),
    }
}

/// A sign-up ready to be stored: secrets already hashed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Registration {
    pub first_name: String,
    pub last_name: String,
    pub citizen_id_hash: Option<String>,
    pub citizen_id_last: Option<String>,
    pub mobile: Option<String>,
    pub email: String,
    pub username: String,
    pub password_hash: String,
}

/// Checks a whole sign-up and hashes its secrets.
pub(crate) async fn prepare(state: &Shared, form: &account::SignupForm) -> Result<Registration> {
    let s = account::signup(form).map_err(FlowError::Fields)?;
    let password_hash = hash_password(s.password.clone())
        .await
        .map_err(FlowError::internal)?;
    Ok(Registration {
        first_name: s.first_name,
        last_name: s.last_name,
        citizen_id_hash: s
            .citizen_id
            .as_ref()
            .map(|c| citizen_id_hash(&state.citizen_key, c.digits())),
        citizen_id_last: s.citizen_id.as_ref().map(|c| c.last_digits().to_owned()),
        mobile: s.mobile,
        email: s.email.unwrap_or_default(),
        username: s.username,
        password_hash,
    })
}

/// Stores a prepared sign-up and mails the verification link; returns the account id.
pub(crate) async fn register(
    state: &Shared,
    r: &Registration,
    address: &ClientAddress,
) -> Result<i64> {
    let now = Utc::now();
    let created = state
        .db
        .create_user(
            &NewUser {
                username: &r.username,
                first_name: &r.first_name,
                last_name: &r.last_name,
                email: Some(&r.email),
                mobile: r.mobile.as_deref(),
                citizen_id_hash: r.citizen_id_hash.as_deref(),
                citizen_id_last: r.citizen_id_last.as_deref(),
                password_hash: Some(&r.password_hash),
                is_system_admin: false,
                email_verified: false,
            },
            now,
        )
        .await
        .map_err(FlowError::internal)?;
    let id = match created {
        Ok(id) => id,
        Err(Taken::Username) => {
            return Err(FlowError::Fields(vec![(
                "username",
                FieldError::UsernameTaken,
            )]));
        }
        Err(Taken::Email) => {
            return Err(FlowError::Fields(vec![("email", FieldError::EmailTaken)]));
        }
    };
    let key = r.username.to_lowercase();
    state
        .db
        .audit("signup", actor(&key, address), Some(id), None, now)
        .await
        .map_err(FlowError::internal)?;
    send_link(state, id, &r.email, LinkPurpose::Verify).await?;
    Ok(id)
}

/// Whether a username is still free (the wizard says so at its step, before the end).
pub(crate) async fn username_free(state: &Shared, username: &str) -> Result<bool> {
    Ok(state
        .db
        .user_by_username(username)
        .await
        .map_err(FlowError::internal)?
        .is_none())
}

/// Sends a link by mail: verification or password reset, Thai first, English below.
pub(crate) async fn send_link(
    state: &Shared,
    user: i64,
    email: &str,
    purpose: LinkPurpose,
) -> Result<()> {
    let now = Utc::now();
    let (token, hash) = new_link_token();
    let hours = match purpose {
        LinkPurpose::Verify => VERIFY_LINK_HOURS,
        LinkPurpose::Reset => RESET_LINK_HOURS,
    };
    state
        .db
        .add_link(user, purpose, &hash, now, now + Duration::hours(hours))
        .await
        .map_err(FlowError::internal)?;
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
    state.mailer.send(email, subject, &body).await.map_err(|e| {
        tracing::error!(error = %e, "mail not sent");
        FlowError::internal(e)
    })
}

/// Uses a verification link; returns the account it confirmed.
pub(crate) async fn verify(state: &Shared, token: &str, address: &ClientAddress) -> Result<i64> {
    let now = Utc::now();
    let user = state
        .db
        .use_link(LinkPurpose::Verify, &link_hash(token), now)
        .await
        .map_err(FlowError::internal)?
        .ok_or(FlowError::InvalidLink)?;
    state
        .db
        .mark_email_verified(user, now)
        .await
        .map_err(FlowError::internal)?;
    let name = username_of(state, user).await?;
    state
        .db
        .audit("email.verify", actor(&name, address), Some(user), None, now)
        .await
        .map_err(FlowError::internal)?;
    Ok(user)
}

async fn username_of(state: &Shared, user: i64) -> Result<String> {
    Ok(state
        .db
        .user_by_id(user)
        .await
        .map_err(FlowError::internal)?
        .map(|u| u.username.to_lowercase())
        .unwrap_or_default())
}

/// Sends the verification link again when the account (username or e-mail) exists and
/// is unconfirmed; says nothing either way.
pub(crate) async fn resend(state: &Shared, account_name: &str) -> Result<()> {
    let account_name = account_name.trim();
    let user = match state
        .db
        .user_by_username(account_name)
        .await
        .map_err(FlowError::internal)?
    {
        Some(u) => Some(u),
        None => match account::email(account_name) {
            Ok(e) => state
                .db
                .user_by_email(&e)
                .await
                .map_err(FlowError::internal)?,
            Err(_) => None,
        },
    };
    if let Some(u) = user
        && u.email_verified_at.is_none()
        && let Some(email) = u.email.as_deref()
    {
        send_link(state, u.id, email, LinkPurpose::Verify).await?;
    }
    Ok(())
}

/// Refuses further tries while an account or an address has failed too often lately.
async fn throttle(
    state: &Shared,
    action: &str,
    account: &str,
    address: &ClientAddress,
) -> Result<()> {
    let since = Utc::now() - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let (by_account, by_address) = state
        .db
        .recent_count(action, account, address.0.as_deref(), since)
        .await
        .map_err(FlowError::internal)?;
    if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Err(FlowError::Throttled);
    }
    Ok(())
}

/// Checks a username and password; the account when they match and it is confirmed.
/// The caller starts the session.
pub(crate) async fn sign_in(
    state: &Shared,
    username: &str,
    password: String,
    address: &ClientAddress,
) -> Result<UserRow> {
    let key: String = username.trim().to_lowercase().chars().take(64).collect();
    throttle(state, "signin.failed", &key, address).await?;
    let user = state
        .db
        .user_by_username(&key)
        .await
        .map_err(FlowError::internal)?;
    let ok = super::verify_password(
        user.as_ref().and_then(|u| u.password_hash.clone()),
        password,
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
                    actor(&key, address),
                    other.map(|u| u.id),
                    None,
                    now,
                )
                .await
                .map_err(FlowError::internal)?;
            return Err(FlowError::WrongCredentials);
        }
    };
    if user.email_verified_at.is_none() {
        return Err(FlowError::Unverified);
    }
    state
        .db
        .audit("signin", actor(&key, address), Some(user.id), None, now)
        .await
        .map_err(FlowError::internal)?;
    Ok(user)
}

pub(crate) async fn signed_out(state: &Shared, user: i64, address: &ClientAddress) -> Result<()> {
    let name = username_of(state, user).await?;
    state
        .db
        .audit(
            "signout",
            actor(&name, address),
            Some(user),
            None,
            Utc::now(),
        )
        .await
        .map_err(FlowError::internal)
}

/// Mails a reset link when the address has an account; says nothing either way.
pub(crate) async fn request_reset(state: &Shared, email: &str) -> Result<()> {
    if let Ok(email) = account::email(email)
        && let Some(u) = state
            .db
            .user_by_email(&email)
            .await
            .map_err(FlowError::internal)?
    {
        send_link(state, u.id, &email, LinkPurpose::Reset).await?;
    }
    Ok(())
}

/// Sets a new password with a reset link; ends every session of the account.
pub(crate) async fn reset(
    state: &Shared,
    token: &str,
    password: &str,
    confirmation: &str,
    address: &ClientAddress,
) -> Result<()> {
    // The rules first, so that a refused password does not use up the link.
    account::password(password, confirmation, "")
        .map_err(|e| FlowError::Fields(vec![("password", e)]))?;
    let now = Utc::now();
    let user = state
        .db
        .use_link(LinkPurpose::Reset, &link_hash(token), now)
        .await
        .map_err(FlowError::internal)?
        .ok_or(FlowError::InvalidLink)?;
    let u = state
        .db
        .user_by_id(user)
        .await
        .map_err(FlowError::internal)?
        .ok_or(FlowError::InvalidLink)?;
    if password.eq_ignore_ascii_case(&u.username) {
        return Err(FlowError::Fields(vec![(
            "password",
            FieldError::PasswordIsUsername,
        )]));
    }
    let hash = hash_password(password.to_owned())
        .await
        .map_err(FlowError::internal)?;
    state
        .db
        .set_password(user, &hash, now)
        .await
        .map_err(FlowError::internal)?;
    // Opening the mailed link proves the address too.
    state
        .db
        .mark_email_verified(user, now)
        .await
        .map_err(FlowError::internal)?;
    let name = u.username.to_lowercase();
    state
        .db
        .audit(
            "password.reset",
            actor(&name, address),
            Some(user),
            None,
            now,
        )
        .await
        .map_err(FlowError::internal)
}

/// What was typed on the Authorize Code form.
pub(crate) struct CodeForm<'a> {
    pub code: &'a str,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// Binds a confirmed account to the unit whose code this is, as an editor.
pub(crate) async fn bind_unit(
    state: &Shared,
    user: &UserRow,
    form: CodeForm<'_>,
    address: &ClientAddress,
) -> Result<UnitCode> {
    if user.email_verified_at.is_none() {
        return Err(FlowError::Unverified);
    }
    let name = user.username.to_lowercase();
    throttle(state, "authorize_code.failed", &name, address).await?;
    let mut errors = FieldErrors::new();
    if let Some(n) = form.name.filter(|n| !n.trim().is_empty())
        && let Err(e) = account::person_name(n)
    {
        errors.push(("name", e));
    }
    if let Some(e) = form.email.filter(|e| !e.trim().is_empty())
        && let Err(e) = account::email(e)
    {
        errors.push(("email", e));
    }
    let code = match AuthorizeCode::parse(form.code) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(("authorize_code", e));
            None
        }
    };
    let Some(code) = code.filter(|_| errors.is_empty()) else {
        return Err(FlowError::Fields(errors));
    };
    let now = Utc::now();
    let Some(unit) = state
        .db
        .unit_for_code(&code)
        .await
        .map_err(FlowError::internal)?
    else {
        state
            .db
            .audit(
                "authorize_code.failed",
                actor(&name, address),
                Some(user.id),
                None,
                now,
            )
            .await
            .map_err(FlowError::internal)?;
        return Err(FlowError::UnknownCode);
    };
    state
        .db
        .add_membership(user.id, &unit, "editor", actor(&name, address), now)
        .await
        .map_err(FlowError::internal)?;
    state
        .db
        .audit(
            "authorize_code.use",
            actor(&name, address),
            Some(user.id),
            Some(unit.as_str()),
            now,
        )
        .await
        .map_err(FlowError::internal)?;
    Ok(unit)
}

/// Deletes an account and its personal data; the audit keeps an unlinked record.
pub(crate) async fn delete_account(
    state: &Shared,
    user: i64,
    address: &ClientAddress,
) -> Result<()> {
    let name = username_of(state, user).await?;
    state
        .db
        .delete_user(user)
        .await
        .map_err(FlowError::internal)?;
    state
        .db
        .audit(
            "account.delete",
            actor(&name, address),
            None,
            None,
            Utc::now(),
        )
        .await
        .map_err(FlowError::internal)
}

/// Signs in with verified OpenID Connect claims: the account linked to the subject; else
/// the account with the same verified e-mail address, now linked; else a new account
/// made from the claims (its e-mail verified by the provider, no password).
pub(crate) async fn oidc_sign_in(
    state: &Shared,
    c: &super::oidc::Claims,
    address: &ClientAddress,
) -> Result<UserRow> {
    let now = Utc::now();
    let db = &state.db;
    if let Some(u) = db
        .user_by_oidc(&c.issuer, &c.subject)
        .await
        .map_err(FlowError::internal)?
    {
        let name = u.username.to_lowercase();
        db.audit(
            "signin",
            actor(&name, address),
            Some(u.id),
            Some("oidc"),
            now,
        )
        .await
        .map_err(FlowError::internal)?;
        return Ok(u);
    }
    let email = c
        .email
        .as_deref()
        .filter(|_| c.email_verified)
        .and_then(|e| account::email(e).ok());
    if let Some(e) = &email
        && let Some(u) = db.user_by_email(e).await.map_err(FlowError::internal)?
    {
        if !db
            .link_oidc(u.id, &c.issuer, &c.subject)
            .await
            .map_err(FlowError::internal)?
        {
            return Err(FlowError::internal(
                "the account is linked to another sign-in",
            ));
        }
        db.mark_email_verified(u.id, now)
            .await
            .map_err(FlowError::internal)?;
        let name = u.username.to_lowercase();
        db.audit("oidc.link", actor(&name, address), Some(u.id), None, now)
            .await
            .map_err(FlowError::internal)?;
        return db
            .user_by_id(u.id)
            .await
            .map_err(FlowError::internal)?
            .ok_or_else(|| FlowError::internal("linked account vanished"));
    }
    let (first, last) = names_from(c);
    let username = free_username(state, c).await?;
    let created = db
        .create_user(
            &NewUser {
                username: &username,
                first_name: &first,
                last_name: &last,
                email: email.as_deref(),
                mobile: None,
                citizen_id_hash: None,
                citizen_id_last: None,
                password_hash: None,
                is_system_admin: false,
                email_verified: email.is_some(),
            },
            now,
        )
        .await
        .map_err(FlowError::internal)?
        .map_err(|t| FlowError::internal(format!("OpenID account not created: {t:?} taken")))?;
    if !db
        .link_oidc(created, &c.issuer, &c.subject)
        .await
        .map_err(FlowError::internal)?
    {
        let _ = db.delete_user(created).await;
        return Err(FlowError::internal("the sign-in was linked meanwhile"));
    }
    let key = username.to_lowercase();
    db.audit(
        "signup",
        actor(&key, address),
        Some(created),
        Some("oidc"),
        now,
    )
    .await
    .map_err(FlowError::internal)?;
    db.user_by_id(created)
        .await
        .map_err(FlowError::internal)?
        .ok_or_else(|| FlowError::internal("new account vanished"))
}

/// First name and surname from the claims; a single `name` is split at its first space.
fn names_from(c: &super::oidc::Claims) -> (String, String) {
    let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    match (&c.given_name, &c.family_name, &c.name) {
        (Some(g), Some(f), _) => (clean(g), clean(f)),
        (_, _, Some(n)) => {
            let n = clean(n);
            match n.split_once(' ') {
                Some((g, f)) => (g.to_owned(), f.to_owned()),
                None => (n, String::new()),
            }
        }
        (Some(g), None, None) => (clean(g), String::new()),
        _ => (String::new(), String::new()),
    }
}

/// A username for an account made at sign-in: the provider's, when it follows the rules
/// and is free; else one derived from the subject.
async fn free_username(state: &Shared, c: &super::oidc::Claims) -> Result<String> {
    if let Some(p) = &c.preferred_username
        && let Ok(u) = account::username(p)
        && username_free(state, &u).await?
    {
        return Ok(u);
    }
    let digest = link_hash(&format!("{}|{}", c.issuer, c.subject));
    for n in 0..100 {
        let candidate = if n == 0 {
            format!("id{}", &digest[..10])
        } else {
            format!("id{}{n}", &digest[..10])
        };
        if username_free(state, &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(FlowError::internal("no free username"))
}

/// Changes a signed-in account's password after checking the current one; every session
/// of the account ends, this one too.
pub(crate) async fn change_password(
    state: &Shared,
    user: &UserRow,
    current: String,
    new: &str,
    confirmation: &str,
    address: &ClientAddress,
) -> Result<()> {
    let name = user.username.to_lowercase();
    throttle(state, "signin.failed", &name, address).await?;
    if !super::verify_password(user.password_hash.clone(), current).await {
        state
            .db
            .audit(
                "signin.failed",
                actor(&name, address),
                Some(user.id),
                Some("password change"),
                Utc::now(),
            )
            .await
            .map_err(FlowError::internal)?;
        return Err(FlowError::Fields(vec![(
            "current_password",
            FieldError::PasswordWrong,
        )]));
    }
    account::password(new, confirmation, &user.username)
        .map_err(|e| FlowError::Fields(vec![("password", e)]))?;
    let hash = hash_password(new.to_owned())
        .await
        .map_err(FlowError::internal)?;
    let now = Utc::now();
    state
        .db
        .set_password(user.id, &hash, now)
        .await
        .map_err(FlowError::internal)?;
    state
        .db
        .audit(
            "password.change",
            actor(&name, address),
            Some(user.id),
            None,
            now,
        )
        .await
        .map_err(FlowError::internal)
}
