//! The back office: server-rendered pages for staff, Thai with English, that work
//! without JavaScript (the map pin is the one enhancement) and on a phone. Every page
//! is a thin delivery over the use cases of `app`: it makes the caller from the session,
//! parses the form, calls, and renders.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::Layout;
use crate::{Lang, Shared};
use app::{AppError, Caller, Via};

mod edit;
mod form;
mod history;
mod home;
mod listing;
mod pins;
mod quality;

pub(crate) use edit::{action, edit_form, edit_submit, photo_change, photo_upload};
pub(crate) use history::{history, revert};
pub(crate) use home::home;
pub(crate) use listing::listing;
pub(crate) use pins::{pin_all, pins, point_pin, point_pins};
pub(crate) use quality::quality;

/// Which entry of the back-office menu a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Menu {
    Home,
    Points,
    Pins,
    Quality,
}

/// What every back-office page shows above its content: the menu.
pub(crate) struct Frame {
    pub menu: Menu,
    pub username: String,
}

impl Frame {
    pub fn is(&self, m: Menu) -> bool {
        self.menu == m
    }
}

/// The site's layout and the back-office frame of a page.
fn frame(lang: Lang, title: &str, uri: &Uri, menu: Menu, caller: &Caller) -> (Layout, Frame) {
    (
        Layout::new(lang, title, uri),
        Frame {
            menu,
            username: caller.user.username.clone(),
        },
    )
}

/// The signed-in member of staff, or the answer that sends them to sign in.
async fn caller(state: &Shared, session: &Session, uri: &Uri) -> Result<Caller, Response> {
    let Some(user) = crate::auth::signed_in(session).await else {
        return Err(super::account::to_signin(uri));
    };
    Caller::signed_in(&state.app, user, Via::Session)
        .await
        .map_err(|_| super::account::to_signin(uri))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/notice.html")]
struct StaffNotice {
    l: Layout,
    f: Frame,
    text: String,
}

/// A use case's refusal as a page in the back-office frame.
fn failure(lang: Lang, uri: &Uri, caller: &Caller, e: AppError) -> Response {
    let (status, text) = match e {
        AppError::Forbidden => (StatusCode::FORBIDDEN, lang.t("forbidden")),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, lang.t("not-found")),
        AppError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, lang.t("busy")),
        AppError::Internal(cause) => {
            tracing::error!(error = %cause, "back-office page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, lang.t("internal-error"))
        }
        _ => (StatusCode::BAD_REQUEST, lang.t("bad-request")),
    };
    (status, {
        let (l, f) = frame(lang, lang.text("bo-title"), uri, Menu::Home, caller);
        StaffNotice { l, f, text }
    })
        .into_response()
}

/// A role's name for people.
fn role_name(lang: Lang, role: &str) -> &'static str {
    lang.text(match role {
        "supervisor" => "role-supervisor",
        "admin" => "role-admin",
        "editor" => "role-editor",
        _ => "role-viewer",
    })
}
