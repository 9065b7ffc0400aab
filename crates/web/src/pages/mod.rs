//! The public portal: server-rendered pages that work without JavaScript, Thai by
//! default with an English switch.

mod account;
mod browse;
mod manual;
mod rate;
pub(crate) use rate::RATING_BODY_LIMIT;
mod search;
mod service_point;
mod staff;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::{Lang, Shared};

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(search::home))
        .route("/search", get(search::search))
        .route("/sp/{code}", get(service_point::page))
        .route("/manuals", get(manual::list))
        .route("/manuals/{id}", get(manual::page))
        .route("/units", get(browse::roots))
        .route("/units/{code}", get(browse::unit))
        .route("/lang/{code}", get(switch_lang))
        .route(
            "/r/{token}",
            get(rate::form)
                .post(rate::submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    rate::RATING_BODY_LIMIT,
                )),
        )
        .route("/r/{token}/thanks", get(rate::thanks))
}

/// The staff pages, behind the session layer.
pub(crate) fn account_router(state: &Shared) -> Router<Shared> {
    use axum::routing::post;
    Router::new()
        .route(
            "/signup",
            get(account::signup_form).post(account::signup_submit),
        )
        .route(
            "/signin",
            get(account::signin_form).post(account::signin_submit),
        )
        .route("/signout", post(account::signout))
        .route("/account", get(account::account))
        .route("/account/units", post(account::bind_unit))
        .route(
            "/account/delete",
            get(account::delete_form).post(account::delete_submit),
        )
        .route(
            "/auth/verify",
            get(account::verify_form).post(account::verify_submit),
        )
        .route(
            "/auth/resend",
            get(account::resend_form).post(account::resend_submit),
        )
        .route(
            "/auth/reset",
            get(account::reset_form).post(account::reset_submit),
        )
        .route("/auth/reset/request", post(account::reset_request))
        .route("/auth/oidc/start", get(account::oidc_start))
        .route("/auth/oidc/callback", get(account::oidc_callback))
        .route("/staff", get(staff::home))
        .route("/staff/service-points", get(staff::listing))
        .route("/staff/quality", get(staff::quality))
        .route("/staff/posters", get(staff::posters))
        .route("/staff/posters/download", get(staff::poster_download))
        .route("/staff/posters/{code}/switch", post(staff::poster_switch))
        .route("/staff/posters/{code}/rotate", post(staff::poster_rotate))
        .route("/staff/reports", get(staff::reports))
        .route("/staff/tasks", get(staff::tasks))
        .route(
            "/staff/tasks/new",
            get(staff::task_new_form).post(staff::task_new_submit),
        )
        .route("/staff/tasks/{id}", get(staff::task_page))
        .route(
            "/staff/tasks/{id}/edit",
            get(staff::task_edit_form).post(staff::task_edit_submit),
        )
        .route("/staff/tasks/{id}/do/{action}", post(staff::task_action))
        .route(
            "/staff/tasks/{id}/attachments",
            post(staff::task_attachment_upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::UPLOAD_LIMIT,
            )),
        )
        .route(
            "/staff/tasks/{id}/attachments/{n}/remove",
            post(staff::task_attachment_remove),
        )
        .route(
            "/staff/tasks/{id}/units/{code}",
            get(staff::task_unit).post(staff::task_unit_submit),
        )
        .route(
            "/staff/tasks/{id}/units/{code}/review",
            post(staff::task_unit_review),
        )
        .route(
            "/staff/tasks/{id}/units/{code}/photos/{item}",
            post(staff::task_unit_photo).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::UPLOAD_LIMIT,
            )),
        )
        .route("/staff/comments", get(staff::comments))
        .route("/staff/comments/{id}/reply", post(staff::comment_reply))
        .route("/staff/comments/{id}/publish", post(staff::comment_publish))
        .route(
            "/staff/import",
            get(staff::import_form).post(staff::import_submit).layer(
                axum::extract::DefaultBodyLimit::max(crate::api::import::IMPORT_BODY_LIMIT),
            ),
        )
        .route("/staff/pins", get(staff::pins).post(staff::pin_all))
        .route("/staff/manuals", get(staff::manual_catalogue))
        .route(
            "/staff/manuals/new",
            get(staff::manual_new_form).post(staff::manual_new_submit),
        )
        .route(
            "/staff/manuals/{key}/edit",
            get(staff::manual_edit_form).post(staff::manual_edit_submit),
        )
        .route("/staff/manuals/{key}/publish", post(staff::manual_publish))
        .route("/staff/manuals/{key}/history", get(staff::manual_history))
        .route("/staff/manuals/{key}/revert", post(staff::manual_revert))
        .route(
            "/staff/service-points/{code}/manuals",
            get(staff::point_pins),
        )
        .route(
            "/staff/service-points/{code}/manuals/{id}/{action}",
            post(staff::point_pin),
        )
        .route(
            "/staff/service-points/{code}",
            get(staff::edit_form).post(staff::edit_submit),
        )
        .route("/staff/service-points/{code}/history", get(staff::history))
        .route("/staff/service-points/{code}/revert", post(staff::revert))
        .route(
            "/staff/service-points/{code}/photos",
            post(staff::photo_upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::UPLOAD_LIMIT,
            )),
        )
        .route(
            "/staff/service-points/{code}/photos/{id}/{action}",
            post(staff::photo_change),
        )
        .route("/staff/service-points/{code}/{action}", post(staff::action))
        .layer(crate::auth::session_layer(state))
}

/// What every page's frame needs.
pub(crate) struct Layout {
    pub lang: Lang,
    pub title: String,
    /// The current path and query, URL-encoded, to come back to after switching language.
    pub next: String,
}

impl Layout {
    pub fn new(lang: Lang, title: impl Into<String>, uri: &Uri) -> Self {
        // Back to the same page, without a `lang=` that would override the new choice.
        let query: Vec<&str> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
            .collect();
        let current = if query.is_empty() {
            uri.path().to_owned()
        } else {
            format!("{}?{}", uri.path(), query.join("&"))
        };
        Self {
            lang,
            title: title.into(),
            next: form_urlencoded_component(&current),
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.text(key)
    }

    pub fn t1(&self, key: &'static str, name: &'static str, value: impl ToString) -> String {
        self.lang.t_with(key, &[(name, value.to_string())])
    }
}

/// Renders a page into a buffer sized for a whole page at once: growing a string from
/// the template's small size hint reallocated it several times per request.
pub(crate) fn html<T: Template>(page: &T) -> Response {
    let mut body = String::with_capacity(16 * 1024);
    match page.render_into(&mut body) {
        Ok(()) => axum::response::Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page rendering failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub(crate) fn form_urlencoded_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    l: Layout,
    message: String,
}

pub(crate) fn error_page(status: StatusCode, lang: Lang, uri: &Uri, message: String) -> Response {
    let key = if status == StatusCode::NOT_FOUND {
        "not-found"
    } else {
        "bad-request"
    };
    (
        status,
        ErrorPage {
            l: Layout::new(lang, lang.t(key), uri),
            message,
        },
    )
        .into_response()
}

/// Unknown paths: a JSON error under the API, a page elsewhere.
pub(crate) async fn not_found(lang: Lang, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::api::ApiError::not_found("path", "No such API endpoint").into_response();
    }
    error_page(StatusCode::NOT_FOUND, lang, &uri, lang.t("not-found"))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Whether `next` is a path on this site that a redirect may follow as it is: not
/// another host (`//…`, `/\…`), and percent-encoded as the site's own links are (raw
/// Thai, spaces or control characters are refused).
pub(crate) fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// Sets the language cookie and goes back to the page; only local paths are followed.
async fn switch_lang(Path(code): Path<String>, Query(q): Query<Next>) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let next = q
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&next).into_response();
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}
