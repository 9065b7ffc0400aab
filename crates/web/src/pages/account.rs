//! Staff pages: the sign-up wizard of the seed (five steps with back, next and skip),
//! sign-in and sign-out, the account page with the Authorize Code form, and the pages
//! that the mailed links open. Forms work without JavaScript; what is typed between
//! wizard steps waits in the session, the password only as its hash and its mask.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::{self, CitizenId, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::Layout;
use crate::auth::{self, ClientAddress, USER_KEY};
use crate::{Lang, Shared};
use app::AppError as FlowError;
use app::accounts::{self as flows, Registration};

const DRAFT_KEY: &str = "signup_draft";
const STEPS: u8 = 5;

/// One input of a form, as the templates show it.
pub(crate) struct Field {
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    kind: &'static str,
    value: String,
    autocomplete: &'static str,
    error: Option<&'static str>,
}

fn field(
    lang: Lang,
    name: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: &str,
    errors: &FieldErrors,
) -> Field {
    let hint_key = match name {
        "citizen_id" => Some("f-citizen_id-hint"),
        "email" => Some("f-email-hint"),
        "username" => Some("f-username-hint"),
        "password" => Some("f-password-hint"),
        "authorize_code" => Some("f-authorize_code-hint"),
        _ => None,
    };
    Field {
        name,
        label: lang.text(label_key(name)),
        hint: hint_key.map(|k| lang.text(k)),
        kind,
        value: if kind == "password" {
            String::new()
        } else {
            value.to_owned()
        },
        autocomplete,
        error: errors
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, e)| message(lang, *e)),
    }
}

fn label_key(name: &str) -> &'static str {
    match name {
        "first_name" => "f-first_name",
        "last_name" => "f-last_name",
        "citizen_id" => "f-citizen_id",
        "mobile" => "f-mobile",
        "email" => "f-email",
        "username" => "f-username",
        "password" => "f-password",
        "password_confirmation" => "f-password_confirmation",
        "authorize_code" => "f-authorize_code",
        "name" => "f-name",
        _ => "f-unknown",
    }
}

fn message(lang: Lang, e: FieldError) -> &'static str {
    match lang {
        Lang::Th => e.th(),
        Lang::En => e.en(),
    }
}

/// The error summary at the top of a form: (field id, "Label: why").
fn summary(lang: Lang, errors: &FieldErrors) -> Vec<(&'static str, String)> {
    errors
        .iter()
        .map(|(f, e)| {
            (
                *f,
                format!("{}: {}", lang.text(label_key(f)), message(lang, *e)),
            )
        })
        .collect()
}

/// What the wizard has gathered so far.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Draft {
    first_name: String,
    last_name: String,
    citizen_id_hash: Option<String>,
    citizen_id_last: Option<String>,
    mobile: Option<String>,
    email: String,
    username: String,
    password_hash: String,
    password_mask: String,
    /// The furthest step completed; later steps cannot be opened before it.
    done: u8,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WizardForm {
    step: u8,
    action: String,
    first_name: String,
    last_name: String,
    citizen_id: String,
    mobile: String,
    email: String,
    username: String,
    password: String,
    password_confirmation: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "signup.html")]
pub(crate) struct SignupPage {
    l: Layout,
    step: u8,
    steps: Vec<(u8, &'static str)>,
    progress: String,
    step_title: &'static str,
    fields: Vec<Field>,
    summary: Vec<(&'static str, String)>,
    errors: Vec<(&'static str, String)>,
}

fn step_key(step: u8) -> &'static str {
    match step {
        1 => "step-name",
        2 => "step-citizen_id",
        3 => "step-contact",
        4 => "step-account",
        _ => "step-summary",
    }
}

async fn draft(session: &Session) -> Draft {
    session
        .get::<Draft>(DRAFT_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

fn signup_page(
    lang: Lang,
    uri: &Uri,
    step: u8,
    d: &Draft,
    typed: Option<&WizardForm>,
    errors: &FieldErrors,
) -> SignupPage {
    let v = |typed_value: Option<&String>, kept: &str| -> String {
        typed_value.cloned().unwrap_or_else(|| kept.to_owned())
    };
    let fields = match step {
        1 => vec![
            field(
                lang,
                "first_name",
                "text",
                "given-name",
                &v(typed.map(|t| &t.first_name), &d.first_name),
                errors,
            ),
            field(
                lang,
                "last_name",
                "text",
                "family-name",
                &v(typed.map(|t| &t.last_name), &d.last_name),
                errors,
            ),
        ],
        2 => vec![field(
            lang,
            "citizen_id",
            "text",
            "off",
            &typed.map(|t| t.citizen_id.clone()).unwrap_or_default(),
            errors,
        )],
        3 => vec![
            field(
                lang,
                "mobile",
                "tel",
                "tel",
                &v(typed.map(|t| &t.mobile), d.mobile.as_deref().unwrap_or("")),
                errors,
            ),
            field(
                lang,
                "email",
                "email",
                "email",
                &v(typed.map(|t| &t.email), &d.email),
                errors,
            ),
        ],
        4 => vec![
            field(
                lang,
                "username",
                "text",
                "username",
                &v(typed.map(|t| &t.username), &d.username),
                errors,
            ),
            field(lang, "password", "password", "new-password", "", errors),
            field(
                lang,
                "password_confirmation",
                "password",
                "new-password",
                "",
                errors,
            ),
        ],
        _ => Vec::new(),
    };
    let not_given = || lang.text("not-given").to_owned();
    let summary = if step == STEPS {
        vec![
            (lang.text("f-first_name"), d.first_name.clone()),
            (lang.text("f-last_name"), d.last_name.clone()),
            (
                lang.text("f-citizen_id"),
                d.citizen_id_last
                    .as_ref()
                    .map(|l| format!("*********{l}"))
                    .unwrap_or_else(not_given),
            ),
            (
                lang.text("f-mobile"),
                d.mobile.clone().unwrap_or_else(not_given),
            ),
            (lang.text("f-email"), d.email.clone()),
            (lang.text("f-username"), d.username.clone()),
            (lang.text("f-password"), d.password_mask.clone()),
        ]
    } else {
        Vec::new()
    };
    let progress = lang.t_with(
        "signup-step",
        &[("step", step.to_string()), ("total", STEPS.to_string())],
    );
    SignupPage {
        l: Layout::new(
            lang,
            format!("{} · {progress}", lang.text("signup-title")),
            uri,
        ),
        step,
        steps: (1..=STEPS).map(|n| (n, lang.text(step_key(n)))).collect(),
        progress,
        step_title: lang.text(step_key(step)),
        fields,
        summary,
        errors: self::summary(lang, errors),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct StepQuery {
    step: Option<u8>,
}

pub(crate) async fn signup_form(
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(q): Query<StepQuery>,
) -> Response {
    let d = draft(&session).await;
    // A step is reachable once the ones before it are done.
    let step = q.step.unwrap_or(1).clamp(1, STEPS).min(d.done + 1);
    signup_page(lang, &uri, step, &d, None, &FieldErrors::new()).into_response()
}

fn to_step(step: u8) -> Response {
    Redirect::to(&format!("/signup?step={step}")).into_response()
}

pub(crate) async fn signup_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<WizardForm>,
) -> Response {
    let mut d = draft(&session).await;
    let step = f.step.clamp(1, STEPS).min(d.done + 1);
    let refuse = |d: &Draft, step: u8, errors: FieldErrors| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            signup_page(lang, &uri, step, d, Some(&f), &errors),
        )
            .into_response()
    };
    match f.action.as_str() {
        "back" => return to_step(step.saturating_sub(1).max(1)),
        "skip" if step == 2 => {
            d.citizen_id_hash = None;
            d.citizen_id_last = None;
        }
        "next" | "register" => {
            let mut errors = FieldErrors::new();
            match step {
                1 => {
                    match account::person_name(&f.first_name) {
                        Ok(n) => d.first_name = n,
                        Err(e) => errors.push(("first_name", e)),
                    }
                    match account::person_name(&f.last_name) {
                        Ok(n) => d.last_name = n,
                        Err(e) => errors.push(("last_name", e)),
                    }
                }
                2 => match CitizenId::parse(&f.citizen_id) {
                    Ok(c) => {
                        d.citizen_id_hash = Some(state.app.citizen_id_hash(c.digits()));
                        d.citizen_id_last = Some(c.last_digits().to_owned());
                    }
                    Err(e) => errors.push(("citizen_id", e)),
                },
                3 => {
                    if f.mobile.trim().is_empty() {
                        d.mobile = None;
                    } else {
                        match account::mobile(&f.mobile) {
                            Ok(m) => d.mobile = Some(m),
                            Err(e) => errors.push(("mobile", e)),
                        }
                    }
                    match account::email(&f.email) {
                        Ok(e) => d.email = e,
                        Err(e) => errors.push(("email", e)),
                    }
                }
                4 => {
                    let username = account::username(&f.username);
                    if let Err(e) = &username {
                        errors.push(("username", *e));
                    }
                    if let Err(e) =
                        account::password(&f.password, &f.password_confirmation, f.username.trim())
                    {
                        errors.push(("password", e));
                    }
                    if let Ok(u) = &username {
                        match flows::username_free(&state.app, u).await {
                            Ok(true) => {}
                            Ok(false) => errors.push(("username", FieldError::UsernameTaken)),
                            Err(e) => return failure(lang, &uri, e),
                        }
                    }
                    if errors.is_empty() {
                        d.username = username.unwrap_or_default();
                        d.password_mask = account::mask_password(&f.password);
                        match app::passwords::hash_password(f.password.clone()).await {
                            Ok(h) => d.password_hash = h,
                            Err(e) => return failure(lang, &uri, e.into()),
                        }
                    }
                }
                _ => {
                    // The summary: register.
                    let r = Registration {
                        first_name: d.first_name.clone(),
                        last_name: d.last_name.clone(),
                        citizen_id_hash: d.citizen_id_hash.clone(),
                        citizen_id_last: d.citizen_id_last.clone(),
                        mobile: d.mobile.clone(),
                        email: d.email.clone(),
                        username: d.username.clone(),
                        password_hash: d.password_hash.clone(),
                    };
                    return match flows::register(&state.app, &r, address.0.as_deref()).await {
                        Ok(_) => {
                            let _ = session.remove::<Draft>(DRAFT_KEY).await;
                            notice(
                                lang,
                                &uri,
                                "signup-done-title",
                                lang.t_with("signup-done", &[("email", r.email.clone())]),
                                vec![("/signin".into(), lang.t("nav-signin"))],
                            )
                        }
                        Err(FlowError::Fields(errors)) => {
                            // Taken meanwhile: back to the step that has the field.
                            let back = if errors.iter().any(|(f, _)| *f == "email") {
                                3
                            } else {
                                4
                            };
                            d.done = back - 1;
                            let _ = session.insert(DRAFT_KEY, &d).await;
                            refuse(&d, back, errors)
                        }
                        Err(e) => failure(lang, &uri, e),
                    };
                }
            }
            if !errors.is_empty() {
                return refuse(&d, step, errors);
            }
        }
        _ => return to_step(step),
    }
    d.done = d.done.max(step);
    if let Err(e) = session.insert(DRAFT_KEY, &d).await {
        return failure(lang, &uri, FlowError::Internal(e.to_string()));
    }
    to_step(step + 1)
}

#[derive(Template, WebTemplate)]
#[template(path = "notice.html")]
pub(crate) struct NoticePage {
    l: Layout,
    message: String,
    errors: Vec<(&'static str, String)>,
    form_action: Option<&'static str>,
    hidden: Vec<(&'static str, String)>,
    fields: Vec<Field>,
    button: &'static str,
    links: Vec<(String, String)>,
}

impl NoticePage {
    fn new(lang: Lang, uri: &Uri, title_key: &str, message: String) -> Self {
        Self {
            l: Layout::new(lang, lang.text(title_key), uri),
            message,
            errors: Vec::new(),
            form_action: None,
            hidden: Vec::new(),
            fields: Vec::new(),
            button: "",
            links: Vec::new(),
        }
    }
}

fn notice(
    lang: Lang,
    uri: &Uri,
    title_key: &str,
    message: String,
    links: Vec<(String, String)>,
) -> Response {
    NoticePage {
        links,
        ..NoticePage::new(lang, uri, title_key, message)
    }
    .into_response()
}

/// A flow failed on our side (or for a reason with no field to show).
fn failure(lang: Lang, uri: &Uri, e: FlowError) -> Response {
    let retry_after = match e {
        FlowError::Throttled { retry_after } | FlowError::Busy { retry_after } => Some(retry_after),
        _ => None,
    };
    let (status, text) = match e {
        FlowError::Throttled { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            lang.t_with(
                "throttled",
                &[("minutes", retry_after.div_ceil(60).to_string())],
            ),
        ),
        FlowError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, lang.t("busy")),
        FlowError::InvalidLink => (StatusCode::BAD_REQUEST, lang.t("link-bad")),
        FlowError::Forbidden => (StatusCode::FORBIDDEN, lang.t("forbidden")),
        FlowError::NotFound(_) => (StatusCode::NOT_FOUND, lang.t("not-found")),
        FlowError::Internal(cause) => {
            tracing::error!(error = %cause, "account page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, lang.t("internal-error"))
        }
        _ => (StatusCode::BAD_REQUEST, lang.t("bad-request")),
    };
    let mut res = (status, NoticePage::new(lang, uri, "notice-title", text)).into_response();
    if let Some(s) = retry_after {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    res
}

#[derive(Template, WebTemplate)]
#[template(path = "signin.html")]
pub(crate) struct SigninPage {
    l: Layout,
    /// The OpenID provider's name, when sign-in through it is configured.
    oidc: Option<String>,
    next: String,
    notice: Option<String>,
    fields: Vec<Field>,
    errors: Vec<(&'static str, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SigninForm {
    username: String,
    password: String,
    next: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after sign-in.
fn local(next: &str) -> String {
    if super::is_local_path(next) {
        next.to_owned()
    } else {
        "/account".to_owned()
    }
}

fn signin_page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    next: &str,
    username: &str,
    notice: Option<String>,
    errors: FieldErrors,
) -> SigninPage {
    SigninPage {
        l: Layout::new(lang, lang.text("signin-title"), uri),
        oidc: state.config.oidc.as_ref().map(|o| o.display_name.clone()),
        next: local(next),
        notice,
        fields: vec![
            field(lang, "username", "text", "username", username, &errors),
            field(
                lang,
                "password",
                "password",
                "current-password",
                "",
                &errors,
            ),
        ],
        errors: summary(lang, &errors),
    }
}

pub(crate) async fn signin_form(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    Query(q): Query<NextQuery>,
) -> Response {
    signin_page(
        &state,
        lang,
        &uri,
        q.next.as_deref().unwrap_or("/account"),
        "",
        None,
        FieldErrors::new(),
    )
    .into_response()
}

pub(crate) async fn signin_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<SigninForm>,
) -> Response {
    let said = |status: StatusCode, key: &str| {
        let text = lang.t(key);
        (
            status,
            signin_page(
                &state,
                lang,
                &uri,
                &f.next,
                &f.username,
                Some(text),
                FieldErrors::new(),
            ),
        )
            .into_response()
    };
    match flows::sign_in(
        &state.app,
        &f.username,
        f.password.clone(),
        address.0.as_deref(),
    )
    .await
    {
        Ok(user) => {
            // A new session id at sign-in: an id planted before it is worth nothing after.
            if session.cycle_id().await.is_err() || session.insert(USER_KEY, user.id).await.is_err()
            {
                return failure(
                    lang,
                    &uri,
                    FlowError::Internal("session could not be stored".into()),
                );
            }
            let _ = session.remove::<Draft>(DRAFT_KEY).await;
            Redirect::to(&local(&f.next)).into_response()
        }
        Err(FlowError::WrongCredentials) => said(StatusCode::UNAUTHORIZED, "signin-wrong"),
        Err(FlowError::Unverified) => said(StatusCode::FORBIDDEN, "signin-unverified"),
        Err(e) => failure(lang, &uri, e),
    }
}

const OIDC_PENDING: &str = "oidc_pending";
const OIDC_ID_TOKEN: &str = "oidc_id_token";

/// Sign-out; after an OpenID sign-in, on to the provider's end-session too.
pub(crate) async fn signout(
    State(state): State<Shared>,
    session: Session,
    address: ClientAddress,
) -> Response {
    if let Some(user) = auth::signed_in(&session).await {
        let _ = flows::signed_out(&state.app, user, address.0.as_deref()).await;
    }
    let id_token: Option<String> = session.get(OIDC_ID_TOKEN).await.ok().flatten();
    let _ = session.flush().await;
    if let (Some(oidc), Some(t)) = (&state.oidc, id_token) {
        let back = format!("{}/", state.config.base_url.trim_end_matches('/'));
        if let Some(url) = oidc.logout_url(Some(&t), &back).await {
            return Redirect::to(&url).into_response();
        }
    }
    Redirect::to("/").into_response()
}

/// Off to the OpenID provider, with PKCE, state and nonce kept in the session.
pub(crate) async fn oidc_start(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
) -> Response {
    let Some(oidc) = &state.oidc else {
        return super::error_page(StatusCode::NOT_FOUND, lang, &uri, lang.t("not-found"));
    };
    match oidc.start().await {
        Ok((url, pending)) => {
            if session.insert(OIDC_PENDING, &pending).await.is_err() {
                return failure(
                    lang,
                    &uri,
                    FlowError::Internal("session could not be stored".into()),
                );
            }
            Redirect::to(&url).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "OpenID sign-in could not start");
            oidc_failed(lang, &uri)
        }
    }
}

fn oidc_failed(lang: Lang, uri: &Uri) -> Response {
    (
        StatusCode::BAD_GATEWAY,
        NoticePage {
            links: vec![("/signin".into(), lang.t("signin-title"))],
            ..NoticePage::new(lang, uri, "signin-title", lang.t("oidc-failed"))
        },
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Back from the provider: the code exchanged, the ID token checked, the account found,
/// linked or made, and a fresh session.
pub(crate) async fn oidc_callback(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = &state.oidc else {
        return super::error_page(StatusCode::NOT_FOUND, lang, &uri, lang.t("not-found"));
    };
    let pending: Option<auth::oidc::Pending> = session.remove(OIDC_PENDING).await.ok().flatten();
    let (Some(pending), Some(code), Some(st), None) = (pending, q.code, q.state, q.error.as_ref())
    else {
        if let Some(e) = &q.error {
            tracing::warn!(error = %e, "the OpenID provider refused the sign-in");
        }
        return oidc_failed(lang, &uri);
    };
    let claims = match oidc.finish(pending, &code, &st).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "OpenID sign-in failed");
            return oidc_failed(lang, &uri);
        }
    };
    match flows::oidc_sign_in(&state.app, &claims.verified(), address.0.as_deref()).await {
        Ok(user) => {
            if session.cycle_id().await.is_err()
                || session.insert(USER_KEY, user.id).await.is_err()
                || session
                    .insert(OIDC_ID_TOKEN, &claims.id_token)
                    .await
                    .is_err()
            {
                return failure(
                    lang,
                    &uri,
                    FlowError::Internal("session could not be stored".into()),
                );
            }
            Redirect::to("/account").into_response()
        }
        Err(e) => failure(lang, &uri, e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub(crate) struct AccountPage {
    l: Layout,
    notice: Option<String>,
    facts: Vec<(&'static str, String)>,
    units: Vec<(String, String, &'static str)>,
    fields: Vec<Field>,
    errors: Vec<(&'static str, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CodeForm {
    authorize_code: String,
    name: String,
    email: String,
}

async fn account_page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    user: i64,
    typed: Option<&CodeForm>,
    errors: FieldErrors,
    notice: Option<String>,
) -> Response {
    let u = match state.db.user_by_id(user).await {
        Ok(Some(u)) => u,
        Ok(None) => return Redirect::to("/signin").into_response(),
        Err(e) => return failure(lang, uri, FlowError::Internal(e.to_string())),
    };
    let units = match state.db.memberships(user).await {
        Ok(m) => m
            .into_iter()
            .map(|m| {
                let role = lang.text(match m.role.as_str() {
                    "supervisor" => "role-supervisor",
                    "admin" => "role-admin",
                    "editor" => "role-editor",
                    _ => "role-viewer",
                });
                (m.unit.as_str().to_owned(), m.unit_name_th, role)
            })
            .collect(),
        Err(e) => return failure(lang, uri, FlowError::Internal(e.to_string())),
    };
    let not_given = || lang.t("not-given");
    let full_name = format!("{} {}", u.first_name, u.last_name);
    let facts = vec![
        (lang.text("f-name"), full_name.clone()),
        (lang.text("f-username"), u.username.clone()),
        (
            lang.text("f-email"),
            u.email.clone().unwrap_or_else(not_given),
        ),
        (
            lang.text("f-mobile"),
            u.mobile.clone().unwrap_or_else(not_given),
        ),
        (
            lang.text("f-citizen_id"),
            u.citizen_id_last
                .as_ref()
                .map(|l| format!("*********{l}"))
                .unwrap_or_else(not_given),
        ),
    ];
    let fields = vec![
        field(
            lang,
            "authorize_code",
            "text",
            "off",
            &typed.map(|t| t.authorize_code.clone()).unwrap_or_default(),
            &errors,
        ),
        field(
            lang,
            "name",
            "text",
            "name",
            &typed.map(|t| t.name.clone()).unwrap_or(full_name),
            &errors,
        ),
        field(
            lang,
            "email",
            "email",
            "email",
            &typed
                .map(|t| t.email.clone())
                .unwrap_or_else(|| u.email.clone().unwrap_or_default()),
            &errors,
        ),
    ];
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        AccountPage {
            l: Layout::new(lang, lang.text("account-title"), uri),
            notice,
            facts,
            units,
            fields,
            errors: summary(lang, &errors),
        },
    )
        .into_response()
}

fn to_signin(uri: &Uri) -> Response {
    Redirect::to(&format!(
        "/signin?next={}",
        super::form_urlencoded_component(uri.path())
    ))
    .into_response()
}

pub(crate) async fn account(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
) -> Response {
    match auth::signed_in(&session).await {
        Some(user) => account_page(&state, lang, &uri, user, None, FieldErrors::new(), None).await,
        None => to_signin(&uri),
    }
}

pub(crate) async fn bind_unit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some(user) = auth::signed_in(&session).await else {
        return to_signin(&Uri::from_static("/account"));
    };
    let u = match state.db.user_by_id(user).await {
        Ok(Some(u)) => u,
        Ok(None) => return to_signin(&Uri::from_static("/account")),
        Err(e) => return failure(lang, &uri, FlowError::Internal(e.to_string())),
    };
    let form = flows::CodeForm {
        code: &f.authorize_code,
        name: Some(&f.name),
        email: Some(&f.email),
    };
    match flows::bind_unit(&state.app, &u, form, address.0.as_deref()).await {
        Ok((unit, _)) => {
            let name = state
                .directory()
                .unit(unit.as_str())
                .map(|e| e.unit.name_th.clone())
                .unwrap_or_else(|| unit.as_str().to_owned());
            let done = lang.t_with("bind-done", &[("unit", name)]);
            account_page(
                &state,
                lang,
                &uri,
                user,
                None,
                FieldErrors::new(),
                Some(done),
            )
            .await
        }
        Err(FlowError::Fields(errors)) => {
            account_page(&state, lang, &uri, user, Some(&f), errors, None).await
        }
        Err(FlowError::UnknownCode) => {
            let errors = vec![("authorize_code", FieldError::AuthorizeCodeUnknown)];
            account_page(&state, lang, &uri, user, Some(&f), errors, None).await
        }
        Err(e) => failure(lang, &uri, e),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenQuery {
    token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TokenForm {
    token: String,
    password: String,
    password_confirmation: String,
    email: String,
}

/// The page the verification mail links to. Opening it changes nothing (mail scanners
/// open links too); the button does.
pub(crate) async fn verify_form(lang: Lang, uri: Uri, Query(q): Query<TokenQuery>) -> Response {
    NoticePage {
        form_action: Some("/auth/verify"),
        hidden: vec![("token", q.token.unwrap_or_default())],
        button: lang.text("btn-verify"),
        ..NoticePage::new(lang, &uri, "verify-title", lang.t("verify-ask"))
    }
    .into_response()
}

pub(crate) async fn verify_submit(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<TokenForm>,
) -> Response {
    match flows::verify(&state.app, &f.token, address.0.as_deref()).await {
        Ok(_) => notice(
            lang,
            &uri,
            "verify-title",
            lang.t("verify-done"),
            vec![("/signin".into(), lang.t("nav-signin"))],
        ),
        Err(FlowError::InvalidLink) => (
            StatusCode::BAD_REQUEST,
            NoticePage {
                links: vec![("/auth/resend".into(), lang.t("resend-title"))],
                ..NoticePage::new(lang, &uri, "verify-title", lang.t("link-bad"))
            },
        )
            .into_response(),
        Err(e) => failure(lang, &uri, e),
    }
}

/// Asking for a new verification link.
pub(crate) async fn resend_form(lang: Lang, uri: Uri) -> Response {
    NoticePage {
        form_action: Some("/auth/resend"),
        fields: vec![field(
            lang,
            "email",
            "text",
            "email",
            "",
            &FieldErrors::new(),
        )],
        button: lang.text("btn-send-link"),
        ..NoticePage::new(lang, &uri, "resend-title", lang.t("resend-ask"))
    }
    .into_response()
}

pub(crate) async fn resend_submit(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<TokenForm>,
) -> Response {
    match flows::resend(&state.app, &f.email, address.0.as_deref()).await {
        Ok(()) => notice(lang, &uri, "resend-title", lang.t("link-sent"), Vec::new()),
        Err(e) => failure(lang, &uri, e),
    }
}

/// Without a token: ask for a reset link. With one (from the mail): a new password.
pub(crate) async fn reset_form(lang: Lang, uri: Uri, Query(q): Query<TokenQuery>) -> Response {
    reset_page(lang, &uri, q.token.as_deref(), FieldErrors::new()).into_response()
}

fn reset_page(lang: Lang, uri: &Uri, token: Option<&str>, errors: FieldErrors) -> NoticePage {
    match token {
        Some(t) => NoticePage {
            form_action: Some("/auth/reset"),
            hidden: vec![("token", t.to_owned())],
            fields: vec![
                field(lang, "password", "password", "new-password", "", &errors),
                field(
                    lang,
                    "password_confirmation",
                    "password",
                    "new-password",
                    "",
                    &errors,
                ),
            ],
            errors: summary(lang, &errors),
            button: lang.text("btn-save-password"),
            ..NoticePage::new(lang, uri, "reset-title", lang.t("reset-choose"))
        },
        None => NoticePage {
            form_action: Some("/auth/reset/request"),
            fields: vec![field(lang, "email", "email", "email", "", &errors)],
            button: lang.text("btn-send-link"),
            ..NoticePage::new(lang, uri, "reset-title", lang.t("reset-ask"))
        },
    }
}

pub(crate) async fn reset_request(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<TokenForm>,
) -> Response {
    match flows::request_reset(&state.app, &f.email, address.0.as_deref()).await {
        Ok(()) => notice(lang, &uri, "reset-title", lang.t("link-sent"), Vec::new()),
        Err(e) => failure(lang, &uri, e),
    }
}

pub(crate) async fn reset_submit(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<TokenForm>,
) -> Response {
    match flows::reset(
        &state.app,
        &f.token,
        &f.password,
        &f.password_confirmation,
        address.0.as_deref(),
    )
    .await
    {
        Ok(()) => notice(
            lang,
            &uri,
            "reset-title",
            lang.t("reset-done"),
            vec![("/signin".into(), lang.t("nav-signin"))],
        ),
        Err(FlowError::Fields(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            reset_page(lang, &uri, Some(&f.token), errors),
        )
            .into_response(),
        Err(e) => failure(lang, &uri, e),
    }
}

/// Deleting one's account: a page that says what goes, then the button that does it.
pub(crate) async fn delete_form(session: Session, lang: Lang, uri: Uri) -> Response {
    if auth::signed_in(&session).await.is_none() {
        return to_signin(&uri);
    }
    NoticePage {
        form_action: Some("/account/delete"),
        button: lang.text("btn-delete-account"),
        links: vec![("/account".into(), lang.t("account-title"))],
        ..NoticePage::new(lang, &uri, "delete-title", lang.t("delete-ask"))
    }
    .into_response()
}

pub(crate) async fn delete_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
) -> Response {
    let Some(user) = auth::signed_in(&session).await else {
        return to_signin(&Uri::from_static("/account"));
    };
    if let Err(e) = flows::delete_account(&state.app, user, address.0.as_deref()).await {
        return failure(lang, &uri, e);
    }
    let _ = session.flush().await;
    notice(
        lang,
        &uri,
        "delete-title",
        lang.t("delete-done"),
        vec![("/".into(), lang.t("nav-home"))],
    )
}
