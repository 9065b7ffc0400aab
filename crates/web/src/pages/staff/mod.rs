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

mod comments;
mod edit;
mod form;
mod history;
mod home;
mod import;
mod listing;
mod manual_form;
mod manuals;
mod pins;
mod posters;
mod quality;
mod reports;
mod tasks;

pub(crate) use comments::{comments, publish as comment_publish, reply as comment_reply};
pub(crate) use edit::{action, edit_form, edit_submit, photo_change, photo_upload};
pub(crate) use history::{history, revert};
pub(crate) use home::home;
pub(crate) use import::{import_form, import_submit};
pub(crate) use listing::listing;
pub(crate) use manuals::{
    catalogue as manual_catalogue, edit_form as manual_edit_form,
    edit_submit as manual_edit_submit, history as manual_history, new_form as manual_new_form,
    new_submit as manual_new_submit, publish as manual_publish, revert as manual_revert,
};
pub(crate) use pins::{pin_all, pins, point_pin, point_pins};
pub(crate) use posters::{
    download as poster_download, posters, rotate as poster_rotate, switch as poster_switch,
};
pub(crate) use quality::quality;
pub(crate) use reports::reports;
pub(crate) use tasks::{
    attachment_remove as task_attachment_remove, attachment_upload as task_attachment_upload,
    edit_form as task_edit_form, edit_submit as task_edit_submit, new_form as task_new_form,
    new_submit as task_new_submit, task_action, task_page, tasks, unit as task_unit,
    unit_photo as task_unit_photo, unit_review as task_unit_review,
    unit_submit as task_unit_submit,
};

/// Which entry of the back-office menu a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Menu {
    Home,
    Points,
    Pins,
    Quality,
    Import,
    Manuals,
    Posters,
    Reports,
    Comments,
    Tasks,
}

/// What every back-office page shows above its content: the menu.
pub(crate) struct Frame {
    pub menu: Menu,
    pub username: String,
    /// Offered the bulk import: holds a role that edits somewhere.
    pub can_import: bool,
    /// Offered the manual catalogue: administers a department or a ministry.
    pub can_write_catalogue: bool,
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
            can_import: app::import::may_import(caller),
            can_write_catalogue: caller.may_write_catalogue,
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
