//! The account flows, shared by the JSON API and the pages: each takes what was typed
//! (already parsed), does the storage, mail and audit work, and says what went wrong in
//! terms both deliveries can word for their reader.

use chrono::{Duration, Utc};
use domain::UnitCode;
use domain::account::{self, AuthorizeCode, FieldError, FieldErrors};
use domain::limits::{self, Limit};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use storage::{Actor, LinkPurpose, NewUser, Taken, UserRow};

use super::{ClientAddress, HashError, citizen_id_hash, hash_password, link_hash, new_link_token};
use crate::Shared;

/// How long an e-mail link stays valid.
pub(crate) const VERIFY_LINK_HOURS: i64 = 48;
pub(crate) const RESET_LINK_HOURS: i64 = 2;

#[derive(Debug)]
pub(crate) enum FlowError {
    /// Fields refused, by form field name.
    Fields(FieldErrors),
    WrongCredentials,
    Unverified,
    /// Too many tries lately; the seconds until the window that refused ends.
    Throttled {
        retry_after: u64,
    },
    /// Password hashing is at capacity; try again in a moment.
    Busy {
        retry_after: u64,
    },
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

impl From<HashError> for FlowError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => FlowError::Busy {
                retry_after: super::HASH_BUSY_RETRY_SECONDS,
            },
            HashError::Failed(e) => FlowError::Internal(e),
        }
    }
}

type Result<T> = std::result::Result<T, FlowError>;

/// The key a limit counts under: a keyed hash of the limit's name and its subject (an
/// account name, a network address, an e-mail address), so that the counters name no
/// one.
fn limit_key(state: &Shared, limit: &Limit, subject: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&state.citizen_key).expect("HMAC takes any key length");
    mac.update(limit.name.as_bytes());
    mac.update(b"\n");
    mac.update(subject.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Counts one try against each limit, atomically with the check, and refuses it when
/// any limit is over: however many tries arrive at once, at most the limit pass. The
/// keys are returned to hand the try back when it turns out not to count.
async fn take(state: &Shared, tries: &[(Limit, &str)]) -> Result<Vec<String>> {
    let now = Utc::now();
    let keys: Vec<String> = tries
        .iter()
        .map(|(l, subject)| limit_key(state, l, subject))
        .collect();
    let counted: Vec<(&str, Duration)> = keys
        .iter()
        .zip(tries)
        .map(|(k, (l, _))| (k.as_str(), l.window()))
        .collect();
    let hits = state
        .db
        .hit_limits(&counted, now)
        .await
        .map_err(FlowError::internal)?;
    let wait = tries
        .iter()
        .zip(&hits)
        .filter(|((l, _), h)| !l.allows(h.count))
        .map(|((l, _), h)| l.retry_after(h.window_start, now))
        .max();
    match wait {
        Some(retry_after) => Err(FlowError::Throttled { retry_after }),
        None => Ok(keys),
    }
}

/// Hands back tries that turned out not to be failures (the right password).
async fn refund(state: &Shared, keys: &[String]) -> Result<()> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    state
        .db
        .refund_limits(&keys)
        .await
        .map_err(FlowError::internal)
}

/// One limit on the account and, when the request has one, one on its address.
fn per_account_and_address<'a>(
    account: (Limit, &'a str),
    by_address: Limit,
    address: &'a ClientAddress,
) -> Vec<(Limit, &'a str)> {
    let mut tries = vec![account];
    if let Some(a) = address.0.as_deref() {
        tries.push((by_address, a));
    }
    tries
}

/// Whether one more mail may go to this recipient this hour; counts it when so. Mail
/// refused here is dropped without a word to the requester, who is told the same as
/// for any other address.
async fn mail_allowed(state: &Shared, recipient: &str) -> Result<bool> {
    let key = account::email_key(recipient);
    match take(state, &[(limits::MAIL_PER_RECIPIENT, &key)]).await {
        Ok(_) => Ok(true),
        Err(FlowError::Throttled { .. }) => {
            tracing::info!("mail to a recipient over its hourly limit not sent");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

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
    let password_hash = hash_password(s.password.clone()).await?;
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

/// Stores a prepared sign-up and mails the verification link. When the e-mail address
/// belongs to an account already, nothing is stored and that address is told that
/// someone tried to sign up with it: the answer is the same either way, so that sign-up
/// cannot be used to learn who has an account. Sign-ups are limited per address.
pub(crate) async fn register(
    state: &Shared,
    r: &Registration,
    address: &ClientAddress,
) -> Result<()> {
    if let Some(a) = address.0.as_deref() {
        take(state, &[(limits::SIGNUP_PER_ADDRESS, a)]).await?;
    }
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
    match created {
        Ok(id) => {
            let key = r.username.to_lowercase();
            state
                .db
                .audit("signup", actor(&key, address), Some(id), None, now)
                .await
                .map_err(FlowError::internal)?;
            if mail_allowed(state, &r.email).await? {
                send_link(state, id, &r.email, LinkPurpose::Verify).await?;
            }
            Ok(())
        }
        Err(Taken::Username) => Err(FlowError::Fields(vec![(
            "username",
            FieldError::UsernameTaken,
        )])),
        Err(Taken::Email) => {
            if mail_allowed(state, &r.email).await? {
                send_address_in_use(state, &r.email).await?;
            }
            Ok(())
        }
    }
}

/// Tells the owner of an address that someone tried to sign up with it.
async fn send_address_in_use(state: &Shared, email: &str) -> Result<()> {
    let Some(owner) = state
        .db
        .user_by_email(email)
        .await
        .map_err(FlowError::internal)?
    else {
        return Ok(());
    };
    // To the address as the account has it, whatever case was typed.
    let email = owner.email.as_deref().unwrap_or(email);
    let base = state.config.base_url.trim_end_matches('/');
    let username = &owner.username;
    let body = format!(
        "มีผู้พยายามสมัครบัญชี CITIZENinfo ใหม่ด้วยอีเมลนี้ ซึ่งมีบัญชีอยู่แล้ว (ชื่อผู้ใช้ {username}) จึงไม่ได้สร้างบัญชีใหม่\n\
         หากเป็นท่าน เข้าสู่ระบบได้ที่ {base}/signin หรือตั้งรหัสผ่านใหม่ที่ {base}/auth/reset\n\
         หากไม่ใช่ท่าน ไม่ต้องดำเนินการใด ๆ\n\n\
         Someone tried to sign up for CITIZENinfo with this address, which already has an account (username {username}), so no new account was made.\n\
         If it was you, sign in at {base}/signin or choose a new password at {base}/auth/reset.\n\
         If it was not you, ignore this message.\n"
    );
    state
        .mailer
        .send(
            email,
            "มีผู้ใช้อีเมลของท่านสมัคร CITIZENinfo / Someone used your address to sign up",
            &body,
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "mail not sent");
            FlowError::internal(e)
        })
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
/// is unconfirmed; says nothing either way. Limited per typed account and per address
/// before anything is looked up, so that the answer is the same for every account.
pub(crate) async fn resend(
    state: &Shared,
    account_name: &str,
    address: &ClientAddress,
) -> Result<()> {
    let account_name = account_name.trim();
    let typed_email = account::email(account_name).ok();
    let subject = match &typed_email {
        Some(e) => account::email_key(e),
        None => format!("username:{}", account_name.to_lowercase()),
    };
    take(
        state,
        &per_account_and_address(
            (limits::MAIL_REQUESTS_PER_RECIPIENT, &subject),
            limits::MAIL_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    let user = match &typed_email {
        Some(e) => state
            .db
            .user_by_email(e)
            .await
            .map_err(FlowError::internal)?,
        None => state
            .db
            .user_by_username(account_name)
            .await
            .map_err(FlowError::internal)?,
    };
    if let Some(u) = user
        && u.email_verified_at.is_none()
        && let Some(email) = u.email.clone()
    {
        send_link_later(state, u.id, &email, LinkPurpose::Verify);
    }
    Ok(())
}

/// Sends a link after the answer has gone, when the mailbox's hourly limit allows: a
/// known account must not answer slower than an unknown one, or the time would tell
/// who has an account.
fn send_link_later(state: &Shared, user: i64, email: &str, purpose: LinkPurpose) {
    let (state, email) = (state.clone(), email.to_owned());
    tokio::spawn(async move {
        // Failures are logged where they happen.
        if mail_allowed(&state, &email).await.unwrap_or(false) {
            let _ = send_link(&state, user, &email, purpose).await;
        }
    });
}

/// Checks a username and password; the account when they match and it is confirmed.
/// The caller starts the session. Each try is counted before the password is checked
/// and handed back when it was right, so that at most the limit of wrong passwords are
/// checked however many arrive at once.
pub(crate) async fn sign_in(
    state: &Shared,
    username: &str,
    password: String,
    address: &ClientAddress,
) -> Result<UserRow> {
    let key: String = username.trim().to_lowercase().chars().take(64).collect();
    let tries = take(
        state,
        &per_account_and_address(
            (limits::SIGNIN_PER_ACCOUNT, &key),
            limits::SIGNIN_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    let user = state
        .db
        .user_by_username(&key)
        .await
        .map_err(FlowError::internal)?;
    let ok = match super::verify_password(
        user.as_ref().and_then(|u| u.password_hash.clone()),
        password,
    )
    .await
    {
        Ok(ok) => ok,
        Err(e) => {
            // Not checked, so not a failure.
            refund(state, &tries).await?;
            return Err(e.into());
        }
    };
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
    refund(state, &tries).await?;
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
/// Limited per typed address and per requesting address before the look-up.
pub(crate) async fn request_reset(
    state: &Shared,
    email: &str,
    address: &ClientAddress,
) -> Result<()> {
    let typed = account::email_key(email);
    take(
        state,
        &per_account_and_address(
            (limits::MAIL_REQUESTS_PER_RECIPIENT, &typed),
            limits::MAIL_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    if let Ok(email) = account::email(email)
        && let Some(u) = state
            .db
            .user_by_email(&email)
            .await
            .map_err(FlowError::internal)?
    {
        // To the address as the account has it, whatever case was typed.
        send_link_later(
            state,
            u.id,
            u.email.as_deref().unwrap_or(&email),
            LinkPurpose::Reset,
        );
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
    // Every rule first, the username one too, so that a refused password does not use
    // up the link: the link is only looked at here and used once the password is set.
    account::password(password, confirmation, "")
        .map_err(|e| FlowError::Fields(vec![("password", e)]))?;
    let now = Utc::now();
    let link = link_hash(token);
    let user = state
        .db
        .link_owner(LinkPurpose::Reset, &link, now)
        .await
        .map_err(FlowError::internal)?
        .ok_or(FlowError::InvalidLink)?;
    let u = state
        .db
        .user_by_id(user)
        .await
        .map_err(FlowError::internal)?
        .ok_or(FlowError::InvalidLink)?;
    account::password(password, confirmation, &u.username)
        .map_err(|e| FlowError::Fields(vec![("password", e)]))?;
    let hash = hash_password(password.to_owned()).await?;
    // Used now, once: of two concurrent resets with one link only one gets here.
    if state
        .db
        .use_link(LinkPurpose::Reset, &link, now)
        .await
        .map_err(FlowError::internal)?
        != Some(user)
    {
        return Err(FlowError::InvalidLink);
    }
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

/// Binds a confirmed account to the unit whose code this is, as an editor; a member
/// already keeps the role they have. Wrong codes are limited per account and per
/// address, counted before the look-up. Returns the unit and whether the membership is
/// new.
pub(crate) async fn bind_unit(
    state: &Shared,
    user: &UserRow,
    form: CodeForm<'_>,
    address: &ClientAddress,
) -> Result<(UnitCode, bool)> {
    if user.email_verified_at.is_none() {
        return Err(FlowError::Unverified);
    }
    let name = user.username.to_lowercase();
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
    let tries = take(
        state,
        &per_account_and_address(
            (limits::CODE_PER_ACCOUNT, &name),
            limits::CODE_PER_ADDRESS,
            address,
        ),
    )
    .await?;
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
    refund(state, &tries).await?;
    let added = state
        .db
        .join_unit(user.id, &unit, actor(&name, address), now)
        .await
        .map_err(FlowError::internal)?
        .ok_or_else(|| FlowError::internal("the unit of a valid code vanished"))?;
    Ok((unit, added))
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
    let tries = take(
        state,
        &per_account_and_address(
            (limits::SIGNIN_PER_ACCOUNT, &name),
            limits::SIGNIN_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    let right = match super::verify_password(user.password_hash.clone(), current).await {
        Ok(right) => right,
        Err(e) => {
            refund(state, &tries).await?;
            return Err(e.into());
        }
    };
    if !right {
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
    refund(state, &tries).await?;
    account::password(new, confirmation, &user.username)
        .map_err(|e| FlowError::Fields(vec![("password", e)]))?;
    let hash = hash_password(new.to_owned()).await?;
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
