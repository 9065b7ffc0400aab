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

mod links;
mod openid;
mod profile;
mod signin;
mod signup;

use crate::auth::{self, ClientAddress, USER_KEY};
use crate::{Lang, Shared};
use app::AppError as FlowError;
use app::accounts::{self as flows, Registration};
pub(crate) use links::*;
pub(crate) use openid::*;
pub(crate) use profile::*;
pub(crate) use signin::*;
pub(crate) use signup::*;

pub(super) const DRAFT_KEY: &str = "signup_draft";
pub(super) const STEPS: u8 = 5;

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

pub(super) fn field(
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

pub(super) fn label_key(name: &str) -> &'static str {
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

pub(super) fn message(lang: Lang, e: FieldError) -> &'static str {
    match lang {
        Lang::Th => e.th(),
        Lang::En => e.en(),
    }
}

/// The error summary at the top of a form: (field id, "Label: why").
pub(super) fn summary(lang: Lang, errors: &FieldErrors) -> Vec<(&'static str, String)> {
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

pub(super) fn notice(
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
pub(super) fn failure(lang: Lang, uri: &Uri, e: FlowError) -> Response {
    let retry_after = match e {
        FlowError::Throttled { retry_after } | FlowError::Busy { retry_after } => Some(retry_after),
        _ => None,
    };
    let (status, text) = match e {
        FlowError::Throttled { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            throttled_text(lang, retry_after),
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
    let res = (status, NoticePage::new(lang, uri, "notice-title", text)).into_response();
    match retry_after {
        Some(s) => with_retry_after(res, s),
        None => res,
    }
}

/// "Wait N minutes", from the seconds a limit names.
pub(super) fn throttled_text(lang: Lang, retry_after: u64) -> String {
    lang.t_with(
        "throttled",
        &[("minutes", retry_after.div_ceil(60).to_string())],
    )
}

pub(super) fn with_retry_after(mut res: Response, seconds: u64) -> Response {
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    res
}

pub(super) fn to_signin(uri: &Uri) -> Response {
    Redirect::to(&format!(
        "/signin?next={}",
        super::form_urlencoded_component(uri.path())
    ))
    .into_response()
}
