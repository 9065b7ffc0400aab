//! The account flows: sign-up, e-mail verification, sign-in (password or OpenID
//! Connect), password reset and change, binding to a unit with its Authorize Code, and
//! deleting an account. Each takes what was typed (already parsed), does the storage,
//! mail and audit work, and says what went wrong as an [`AppError`].

use chrono::{Duration, Utc};
use domain::UnitCode;
use domain::account::{self, AuthorizeCode, FieldError, FieldErrors};
use domain::limits;
use storage::{Actor, LinkPurpose, NewUser, Taken, UserRow};

use crate::limits::{mail_allowed, per_account_and_address, refund, take};
use crate::passwords::{hash_password, link_hash, new_link_token, verify_password};
use crate::{Address, App, AppError, Result};

/// How long an e-mail link stays valid.
pub const VERIFY_LINK_HOURS: i64 = 48;
pub const RESET_LINK_HOURS: i64 = 2;

fn actor<'a>(name: &'a str, address: Address<'a>) -> Actor<'a> {
    Actor { name, address }
}

/// A sign-up ready to be stored: secrets already hashed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Registration {
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
pub async fn prepare(app: &App, form: &account::SignupForm) -> Result<Registration> {
    let s = account::signup(form).map_err(AppError::Fields)?;
    let password_hash = hash_password(s.password.clone()).await?;
    Ok(Registration {
        first_name: s.first_name,
        last_name: s.last_name,
        citizen_id_hash: s
            .citizen_id
            .as_ref()
            .map(|c| app.citizen_id_hash(c.digits())),
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
pub async fn register(app: &App, r: &Registration, address: Address<'_>) -> Result<()> {
    if let Some(a) = address {
        take(app, &[(limits::SIGNUP_PER_ADDRESS, a)]).await?;
    }
    let now = Utc::now();
    // The account and its audit record in one transaction.
    let mut tx = app.db.begin().await?;
    let created = tx
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
        .await?;
    let id = match created {
        Ok(id) => id,
        Err(taken) => {
            // Nothing to keep; and the writer must be free for what follows.
            drop(tx);
            return match taken {
                Taken::Username => Err(AppError::Fields(vec![(
                    "username",
                    FieldError::UsernameTaken,
                )])),
                Taken::Email => {
                    if mail_allowed(app, &r.email).await? {
                        send_address_in_use(app, &r.email).await?;
                    }
                    Ok(())
                }
            };
        }
    };
    let key = r.username.to_lowercase();
    tx.audit("signup", actor(&key, address), Some(id), None, now)
        .await?;
    tx.commit().await?;
    if mail_allowed(app, &r.email).await? {
        send_link(app, id, &r.email, LinkPurpose::Verify).await?;
    }
    Ok(())
}

/// Tells the owner of an address that someone tried to sign up with it.
async fn send_address_in_use(app: &App, email: &str) -> Result<()> {
    let Some(owner) = app
        .db
        .user_by_email(email)
        .await
        .map_err(AppError::internal)?
    else {
        return Ok(());
    };
    // To the address as the account has it, whatever case was typed.
    let email = owner.email.as_deref().unwrap_or(email);
    let base = app.base_url.trim_end_matches('/');
    let username = &owner.username;
    let body = format!(
        "มีผู้พยายามสมัครบัญชี CITIZENinfo ใหม่ด้วยอีเมลนี้ ซึ่งมีบัญชีอยู่แล้ว (ชื่อผู้ใช้ {username}) จึงไม่ได้สร้างบัญชีใหม่\n\
         หากเป็นท่าน เข้าสู่ระบบได้ที่ {base}/signin หรือตั้งรหัสผ่านใหม่ที่ {base}/auth/reset\n\
         หากไม่ใช่ท่าน ไม่ต้องดำเนินการใด ๆ\n\n\
         Someone tried to sign up for CITIZENinfo with this address, which already has an account (username {username}), so no new account was made.\n\
         If it was you, sign in at {base}/signin or choose a new password at {base}/auth/reset.\n\
         If it was not you, ignore this message.\n"
    );
    app.mailer
        .send(
            email,
            "มีผู้ใช้อีเมลของท่านสมัคร CITIZENinfo / Someone used your address to sign up",
            &body,
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "mail not sent");
            AppError::internal(e)
        })
}

/// Whether a username is still free (the wizard says so at its step, before the end).
pub async fn username_free(app: &App, username: &str) -> Result<bool> {
    Ok(app
        .db
        .user_by_username(username)
        .await
        .map_err(AppError::internal)?
        .is_none())
}

/// Sends a link by mail: verification or password reset, Thai first, English below.
pub async fn send_link(app: &App, user: i64, email: &str, purpose: LinkPurpose) -> Result<()> {
    let now = Utc::now();
    let (token, hash) = new_link_token();
    let hours = match purpose {
        LinkPurpose::Verify => VERIFY_LINK_HOURS,
        LinkPurpose::Reset => RESET_LINK_HOURS,
    };
    app.db
        .add_link(user, purpose, &hash, now, now + Duration::hours(hours))
        .await
        .map_err(AppError::internal)?;
    let base = app.base_url.trim_end_matches('/');
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
    app.mailer.send(email, subject, &body).await.map_err(|e| {
        tracing::error!(error = %e, "mail not sent");
        AppError::internal(e)
    })
}

/// Uses a verification link; returns the account it confirmed.
pub async fn verify(app: &App, token: &str, address: Address<'_>) -> Result<i64> {
    let now = Utc::now();
    // The link, the confirmation and its record commit together.
    let mut tx = app.db.begin().await?;
    let user = tx
        .use_link(LinkPurpose::Verify, &link_hash(token), now)
        .await?
        .ok_or(AppError::InvalidLink)?;
    tx.mark_email_verified(user, now).await?;
    let name = username_of(app, user).await?;
    tx.audit("email.verify", actor(&name, address), Some(user), None, now)
        .await?;
    tx.commit().await?;
    Ok(user)
}

async fn username_of(app: &App, user: i64) -> Result<String> {
    Ok(app
        .db
        .user_by_id(user)
        .await
        .map_err(AppError::internal)?
        .map(|u| u.username.to_lowercase())
        .unwrap_or_default())
}

/// Sends the verification link again when the account (username or e-mail) exists and
/// is unconfirmed; says nothing either way. Limited per typed account and per address
/// before anything is looked up, so that the answer is the same for every account.
pub async fn resend(app: &App, account_name: &str, address: Address<'_>) -> Result<()> {
    let account_name = account_name.trim();
    let typed_email = account::email(account_name).ok();
    let subject = match &typed_email {
        Some(e) => account::email_key(e),
        None => format!("username:{}", account_name.to_lowercase()),
    };
    take(
        app,
        &per_account_and_address(
            (limits::MAIL_REQUESTS_PER_RECIPIENT, &subject),
            limits::MAIL_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    let user = match &typed_email {
        Some(e) => app.db.user_by_email(e).await.map_err(AppError::internal)?,
        None => app
            .db
            .user_by_username(account_name)
            .await
            .map_err(AppError::internal)?,
    };
    if let Some(u) = user
        && u.email_verified_at.is_none()
        && let Some(email) = u.email.clone()
    {
        send_link_later(app, u.id, &email, LinkPurpose::Verify);
    }
    Ok(())
}

/// Sends a link after the answer has gone, when the mailbox's hourly limit allows: a
/// known account must not answer slower than an unknown one, or the time would tell
/// who has an account.
fn send_link_later(app: &App, user: i64, email: &str, purpose: LinkPurpose) {
    let (app, email) = (app.clone(), email.to_owned());
    tokio::spawn(async move {
        // Failures are logged where they happen.
        if mail_allowed(&app, &email).await.unwrap_or(false) {
            let _ = send_link(&app, user, &email, purpose).await;
        }
    });
}

/// Checks a username and password; the account when they match and it is confirmed.
/// The caller starts the session. Each try is counted before the password is checked
/// and handed back when it was right, so that at most the limit of wrong passwords are
/// checked however many arrive at once.
pub async fn sign_in(
    app: &App,
    username: &str,
    password: String,
    address: Address<'_>,
) -> Result<UserRow> {
    // Control characters can be in no username, and PostgreSQL cannot hold a NUL:
    // such a name is looked up as nobody and kept without them in the audit record.
    let key: String = username
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let well_formed = !username.chars().any(char::is_control);
    let tries = take(
        app,
        &per_account_and_address(
            (limits::SIGNIN_PER_ACCOUNT, &key),
            limits::SIGNIN_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    let user = if well_formed {
        app.db
            .user_by_username(&key)
            .await
            .map_err(AppError::internal)?
    } else {
        None
    };
    let ok = match verify_password(
        user.as_ref().and_then(|u| u.password_hash.clone()),
        password,
    )
    .await
    {
        Ok(ok) => ok,
        Err(e) => {
            // Not checked, so not a failure.
            refund(app, &tries).await?;
            return Err(e.into());
        }
    };
    let now = Utc::now();
    let user = match user {
        Some(u) if ok => u,
        other => {
            app.db
                .audit(
                    "signin.failed",
                    actor(&key, address),
                    other.map(|u| u.id),
                    None,
                    now,
                )
                .await
                .map_err(AppError::internal)?;
            return Err(AppError::WrongCredentials);
        }
    };
    refund(app, &tries).await?;
    if user.email_verified_at.is_none() {
        return Err(AppError::Unverified);
    }
    app.db
        .audit("signin", actor(&key, address), Some(user.id), None, now)
        .await
        .map_err(AppError::internal)?;
    Ok(user)
}

pub async fn signed_out(app: &App, user: i64, address: Address<'_>) -> Result<()> {
    let name = username_of(app, user).await?;
    app.db
        .audit(
            "signout",
            actor(&name, address),
            Some(user),
            None,
            Utc::now(),
        )
        .await
        .map_err(AppError::internal)
}

/// Mails a reset link when the address has an account; says nothing either way.
/// Limited per typed address and per requesting address before the look-up.
pub async fn request_reset(app: &App, email: &str, address: Address<'_>) -> Result<()> {
    let typed = account::email_key(email);
    take(
        app,
        &per_account_and_address(
            (limits::MAIL_REQUESTS_PER_RECIPIENT, &typed),
            limits::MAIL_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    if let Ok(email) = account::email(email)
        && let Some(u) = app
            .db
            .user_by_email(&email)
            .await
            .map_err(AppError::internal)?
    {
        // To the address as the account has it, whatever case was typed.
        send_link_later(
            app,
            u.id,
            u.email.as_deref().unwrap_or(&email),
            LinkPurpose::Reset,
        );
    }
    Ok(())
}

/// Sets a new password with a reset link; ends every session of the account.
pub async fn reset(
    app: &App,
    token: &str,
    password: &str,
    confirmation: &str,
    address: Address<'_>,
) -> Result<()> {
    // Every rule first, the username one too, so that a refused password does not use
    // up the link: the link is only looked at here and used once the password is set.
    account::password(password, confirmation, "")
        .map_err(|e| AppError::Fields(vec![("password", e)]))?;
    let now = Utc::now();
    let link = link_hash(token);
    let user = app
        .db
        .link_owner(LinkPurpose::Reset, &link, now)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::InvalidLink)?;
    let u = app
        .db
        .user_by_id(user)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::InvalidLink)?;
    account::password(password, confirmation, &u.username)
        .map_err(|e| AppError::Fields(vec![("password", e)]))?;
    let hash = hash_password(password.to_owned()).await?;
    // Used now, once, in the transaction that sets the password: of two concurrent
    // resets with one link only one gets past it.
    let mut tx = app.db.begin().await?;
    if tx.use_link(LinkPurpose::Reset, &link, now).await? != Some(user) {
        return Err(AppError::InvalidLink);
    }
    tx.set_password(user, &hash, now).await?;
    // Opening the mailed link proves the address too.
    tx.mark_email_verified(user, now).await?;
    let name = u.username.to_lowercase();
    tx.audit(
        "password.reset",
        actor(&name, address),
        Some(user),
        None,
        now,
    )
    .await?;
    Ok(tx.commit().await?)
}

/// What was typed on the Authorize Code form.
pub struct CodeForm<'a> {
    pub code: &'a str,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// Binds a confirmed account to the unit whose code this is, as an editor; a member
/// already keeps the role they have. Wrong codes are limited per account and per
/// address, counted before the look-up. Returns the unit and whether the membership is
/// new.
pub async fn bind_unit(
    app: &App,
    user: &UserRow,
    form: CodeForm<'_>,
    address: Address<'_>,
) -> Result<(UnitCode, bool)> {
    if user.email_verified_at.is_none() {
        return Err(AppError::Unverified);
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
        return Err(AppError::Fields(errors));
    };
    let tries = take(
        app,
        &per_account_and_address(
            (limits::CODE_PER_ACCOUNT, &name),
            limits::CODE_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    let now = Utc::now();
    let Some(unit) = app
        .db
        .unit_for_code(&code)
        .await
        .map_err(AppError::internal)?
    else {
        app.db
            .audit(
                "authorize_code.failed",
                actor(&name, address),
                Some(user.id),
                None,
                now,
            )
            .await
            .map_err(AppError::internal)?;
        return Err(AppError::UnknownCode);
    };
    refund(app, &tries).await?;
    let added = app
        .db
        .join_unit(user.id, &unit, actor(&name, address), now)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::internal("the unit of a valid code vanished"))?;
    Ok((unit, added))
}

/// Deletes an account and its personal data; the audit keeps an unlinked record.
pub async fn delete_account(app: &App, user: i64, address: Address<'_>) -> Result<()> {
    let name = username_of(app, user).await?;
    let mut tx = app.db.begin().await?;
    tx.delete_user(user).await?;
    tx.audit(
        "account.delete",
        actor(&name, address),
        None,
        None,
        Utc::now(),
    )
    .await?;
    Ok(tx.commit().await?)
}

/// The verified claims of an OpenID Connect sign-in, as the provider gave them.
#[derive(Debug, Clone)]
pub struct OidcClaims {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub name: Option<String>,
    pub preferred_username: Option<String>,
}

/// Signs in with verified OpenID Connect claims: the account linked to the subject; else
/// the account with the same verified e-mail address, now linked; else a new account
/// made from the claims (its e-mail verified by the provider, no password).
pub async fn oidc_sign_in(app: &App, c: &OidcClaims, address: Address<'_>) -> Result<UserRow> {
    let now = Utc::now();
    let db = &app.db;
    if let Some(u) = db
        .user_by_oidc(&c.issuer, &c.subject)
        .await
        .map_err(AppError::internal)?
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
        .map_err(AppError::internal)?;
        return Ok(u);
    }
    let email = c
        .email
        .as_deref()
        .filter(|_| c.email_verified)
        .and_then(|e| account::email(e).ok());
    if let Some(e) = &email
        && let Some(u) = db.user_by_email(e).await.map_err(AppError::internal)?
    {
        if !db
            .link_oidc(u.id, &c.issuer, &c.subject)
            .await
            .map_err(AppError::internal)?
        {
            return Err(AppError::internal(
                "the account is linked to another sign-in",
            ));
        }
        db.mark_email_verified(u.id, now)
            .await
            .map_err(AppError::internal)?;
        let name = u.username.to_lowercase();
        db.audit("oidc.link", actor(&name, address), Some(u.id), None, now)
            .await
            .map_err(AppError::internal)?;
        return db
            .user_by_id(u.id)
            .await
            .map_err(AppError::internal)?
            .ok_or_else(|| AppError::internal("linked account vanished"));
    }
    let (first, last) = names_from(c);
    let username = free_username(app, c).await?;
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
        .map_err(AppError::internal)?
        .map_err(|t| AppError::internal(format!("OpenID account not created: {t:?} taken")))?;
    if !db
        .link_oidc(created, &c.issuer, &c.subject)
        .await
        .map_err(AppError::internal)?
    {
        let _ = db.delete_user(created).await;
        return Err(AppError::internal("the sign-in was linked meanwhile"));
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
    .map_err(AppError::internal)?;
    db.user_by_id(created)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::internal("new account vanished"))
}

/// First name and surname from the claims; a single `name` is split at its first space.
fn names_from(c: &OidcClaims) -> (String, String) {
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
async fn free_username(app: &App, c: &OidcClaims) -> Result<String> {
    if let Some(p) = &c.preferred_username
        && let Ok(u) = account::username(p)
        && username_free(app, &u).await?
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
        if username_free(app, &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(AppError::internal("no free username"))
}

/// Changes a signed-in account's password after checking the current one; every session
/// of the account ends, this one too.
pub async fn change_password(
    app: &App,
    user: &UserRow,
    current: String,
    new: &str,
    confirmation: &str,
    address: Address<'_>,
) -> Result<()> {
    let name = user.username.to_lowercase();
    let tries = take(
        app,
        &per_account_and_address(
            (limits::SIGNIN_PER_ACCOUNT, &name),
            limits::SIGNIN_PER_ADDRESS,
            address,
        ),
    )
    .await?;
    let right = match verify_password(user.password_hash.clone(), current).await {
        Ok(right) => right,
        Err(e) => {
            refund(app, &tries).await?;
            return Err(e.into());
        }
    };
    if !right {
        app.db
            .audit(
                "signin.failed",
                actor(&name, address),
                Some(user.id),
                Some("password change"),
                Utc::now(),
            )
            .await
            .map_err(AppError::internal)?;
        return Err(AppError::Fields(vec![(
            "current_password",
            FieldError::PasswordWrong,
        )]));
    }
    refund(app, &tries).await?;
    account::password(new, confirmation, &user.username)
        .map_err(|e| AppError::Fields(vec![("password", e)]))?;
    let hash = hash_password(new.to_owned()).await?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    tx.set_password(user.id, &hash, now).await?;
    tx.audit(
        "password.change",
        actor(&name, address),
        Some(user.id),
        None,
        now,
    )
    .await?;
    Ok(tx.commit().await?)
}

/// Creates a verified system administrator after the sign-up rules: the first account of
/// a new installation, made on the command line (no one is signed in yet to ask).
pub async fn create_admin(
    db: &storage::Db,
    username: &str,
    email: &str,
    first_name: &str,
    last_name: &str,
    password: &str,
) -> Result<i64> {
    let form = account::SignupForm {
        first_name: first_name.into(),
        last_name: last_name.into(),
        email: email.into(),
        username: username.into(),
        password: password.into(),
        password_confirmation: password.into(),
        ..Default::default()
    };
    let s = account::signup(&form).map_err(AppError::Fields)?;
    let hash = hash_password(s.password.clone()).await?;
    let now = Utc::now();
    let id = match db
        .create_user(
            &NewUser {
                username: &s.username,
                first_name: &s.first_name,
                last_name: &s.last_name,
                email: s.email.as_deref(),
                mobile: None,
                citizen_id_hash: None,
                citizen_id_last: None,
                password_hash: Some(&hash),
                is_system_admin: true,
                email_verified: true,
            },
            now,
        )
        .await?
    {
        Ok(id) => id,
        Err(Taken::Username) => {
            return Err(AppError::Fields(vec![(
                "username",
                FieldError::UsernameTaken,
            )]));
        }
        Err(Taken::Email) => return Err(AppError::Fields(vec![("email", FieldError::EmailTaken)])),
    };
    db.audit(
        "admin.create",
        Actor {
            name: "command line",
            address: None,
        },
        Some(id),
        None,
        now,
    )
    .await?;
    Ok(id)
}
