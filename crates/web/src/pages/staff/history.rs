//! A service point's history: each change with who, when and every field before and
//! after, and the button that restores the state after one of them.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnitCode;
use serde::Deserialize;
use tower_sessions::Session;

use super::*;

/// One change as a history page shows it (a point's here, a manual's in `manuals.rs`).
pub(super) struct Entry {
    pub(super) id: i64,
    pub(super) when: String,
    pub(super) by: String,
    pub(super) action: String,
    pub(super) note: Option<String>,
    /// (field, before, after)
    pub(super) fields: Vec<(String, String, String)>,
    pub(super) restorable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/history.html")]
struct HistoryPage {
    l: Layout,
    f: Frame,
    code: String,
    name: String,
    revision: i64,
    can_edit: bool,
    entries: Vec<Entry>,
    older: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Before {
    before: String,
}

fn action_name(lang: Lang, action: &str) -> String {
    let th = match action {
        "create" => "สร้าง",
        "update" => "แก้ไข",
        "revert" => "คืนค่า",
        "archive" => "เก็บถาวร",
        "restore" => "นำกลับมาใช้",
        "verify" => "ยืนยันความถูกต้อง",
        other => other,
    };
    match lang {
        Lang::Th => th.to_owned(),
        Lang::En => action.to_owned(),
    }
}

pub(crate) async fn history(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
    Query(before): Query<Before>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(code) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let before = before.before.trim().parse::<i64>().ok();
    let can_edit = match app::points::point(&state.app, &caller, &code).await {
        Ok(p) => p.can_edit,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let (point, entries) = match app::points::history(&state.app, &caller, &code, before).await {
        Ok(h) => h,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let older = (entries.len() == 100)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let entries = entries
        .into_iter()
        .map(|e| Entry {
            id: e.id,
            when: {
                let t = e.at.with_timezone(&domain::hours::bangkok());
                format!(
                    "{} {}",
                    domain::thai_date::short_th(t.date_naive()),
                    t.format("%H:%M")
                )
            },
            by: e.actor,
            action: action_name(lang, &e.action),
            note: e.note,
            fields: e
                .fields
                .into_iter()
                .map(|f| {
                    (
                        lang.t(&format!("bo-field-{}", f.field.replace('.', "-"))),
                        f.before,
                        f.after,
                    )
                })
                .collect(),
            restorable: e.restorable,
        })
        .collect();
    let (layout, menu) = frame(
        lang,
        lang.text("bo-history-title"),
        &uri,
        Menu::Points,
        &caller,
    );
    HistoryPage {
        l: layout,
        f: menu,
        code: code.to_string(),
        name: point.state.name_th,
        revision: point.revision,
        can_edit,
        entries,
        older,
    }
    .into_response()
}

pub(crate) async fn revert(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(code) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let number = |k: &str| values.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let (Some(change), Some(revision)) = (number("change"), number("revision")) else {
        return failure(lang, &uri, &caller, AppError::NotFound("change"));
    };
    match app::points::revert(&state.app, &caller, &code, change, revision).await {
        Ok(_) => {
            state.publish().await;
            Redirect::to(&format!("/staff/service-points/{code}?done=revert")).into_response()
        }
        Err(AppError::Stale) => {
            Redirect::to(&format!("/staff/service-points/{code}/history")).into_response()
        }
        Err(AppError::Invalid(p)) => {
            let text = p
                .iter()
                .map(|p| match lang {
                    Lang::Th => p.th.clone(),
                    Lang::En => p.en.clone(),
                })
                .collect::<Vec<_>>()
                .join(" · ");
            let (layout, menu) = frame(
                lang,
                lang.text("bo-history-title"),
                &uri,
                Menu::Points,
                &caller,
            );
            (
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                StaffNotice {
                    l: layout,
                    f: menu,
                    text,
                },
            )
                .into_response()
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}
