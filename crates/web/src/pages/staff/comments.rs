//! The citizens' comments of a node, newest first, with the reply form and the switch
//! that shows a replied comment on the point's public page.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnitCode;
use domain::period::Period;
use serde::Deserialize;
use tower_sessions::Session;

use super::reports::{
    bangkok_date, count, date, digits, period_label, report_units, score_word, this_fiscal_year,
};
use super::*;

const PER_PAGE: i64 = 20;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CommentsForm {
    unit: String,
    period: String,
    unanswered: String,
    page: String,
    /// What the last action did, and to which comment.
    done: String,
    at: String,
}

impl CommentsForm {
    fn of(values: &HashMap<String, String>) -> CommentsForm {
        let get = |k: &str| values.get(k).cloned().unwrap_or_default();
        CommentsForm {
            unit: get("unit"),
            period: get("period"),
            unanswered: get("unanswered"),
            page: get("page"),
            ..CommentsForm::default()
        }
    }

    fn unanswered(&self) -> bool {
        matches!(self.unanswered.as_str(), "1" | "true" | "on")
    }

    fn query(&self, page: i64) -> String {
        let enc = super::super::form_urlencoded_component;
        format!(
            "?unit={}&period={}{}&page={page}",
            enc(self.unit.trim()),
            enc(self.period.trim()),
            if self.unanswered() {
                "&unanswered=1"
            } else {
                ""
            }
        )
    }
}

struct Item {
    id: i64,
    point: String,
    point_code: String,
    date: String,
    score: String,
    service: String,
    comment: String,
    can_mail: bool,
    reply: Option<String>,
    /// Who replied and when, and what became of the mail.
    replied: String,
    published: bool,
    /// The reply field: what was typed when it was refused, else the saved reply.
    typed: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/comments.html")]
struct CommentsPage {
    l: Layout,
    f: Frame,
    form: CommentsForm,
    units: Option<Vec<(String, String)>>,
    error: Option<String>,
    /// The comment the error is about.
    refused_at: Option<i64>,
    bad_period: bool,
    notice: Option<String>,
    /// (node, period) of the list.
    heading: Option<(String, String)>,
    items: Vec<Item>,
    total: String,
    can_edit: bool,
    max_chars: usize,
    max_text: String,
    page_text: String,
    /// The page's page, for the forms to come back to.
    page: i64,
    prev: Option<String>,
    next: Option<String>,
}

/// The comment whose reply or publication was refused: its id, the typed reply and
/// the messages.
type Refused = (i64, String, String);

async fn render(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    caller: &Caller,
    mut form: CommentsForm,
    refused: Option<Refused>,
) -> Response {
    let units = match report_units(state, caller).await {
        Ok(u) => u,
        Err(e) => return failure(lang, uri, caller, e),
    };
    if form.unit.trim().is_empty()
        && !caller.user.is_system_admin
        && let Some((first, _)) = units.as_ref().and_then(|u| u.first())
    {
        form.unit = first.clone();
    }
    if form.period.trim().is_empty() {
        form.period = this_fiscal_year();
    }
    let notice = match form.done.as_str() {
        "mailed" => Some("rp-reply-mailed"),
        "saved" => Some("rp-reply-saved"),
        "mail-failed" => Some("rp-reply-mail-failed"),
        "published" => Some("rp-published-done"),
        "unpublished" => Some("rp-unpublished-done"),
        _ => None,
    }
    .map(|k| lang.t(k));
    let (l, f) = frame(
        lang,
        &lang.t("rp-comments-title"),
        uri,
        Menu::Comments,
        caller,
    );
    let mut page = CommentsPage {
        l,
        f,
        units,
        error: refused.as_ref().map(|r| r.2.clone()),
        refused_at: refused.as_ref().map(|r| r.0),
        bad_period: false,
        notice,
        heading: None,
        items: Vec::new(),
        total: String::new(),
        can_edit: caller.may_edit,
        max_chars: app::replies::REPLY_MAX_CHARS,
        max_text: count(lang, app::replies::REPLY_MAX_CHARS as u64),
        page_text: String::new(),
        page: 1,
        prev: None,
        next: None,
        form,
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let period = match Period::parse(&page.form.period) {
        Ok(p) => p,
        Err(p) => {
            page.error = Some(lang.pick(&p.th, &p.en).to_owned());
            page.bad_period = true;
            return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
    };
    if page.form.unit.trim().is_empty() {
        return (status, page).into_response();
    }
    let Ok(code) = UnitCode::parse(page.form.unit.trim()) else {
        page.error = Some(lang.t("err-unit"));
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    };
    let number = page
        .form
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 10_000);
    let found = match app::reports::comments(
        &state.app,
        caller,
        &code,
        period,
        page.form.unanswered(),
        number,
        PER_PAGE,
    )
    .await
    {
        Ok(r) => r,
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => {
            let forbidden = matches!(e, AppError::Forbidden);
            page.error = Some(lang.t(if forbidden { "forbidden" } else { "err-unit" }));
            let status = if forbidden {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            return (status, page).into_response();
        }
        Err(e) => return failure(lang, uri, caller, e),
    };
    let (node, rows, total, more) = (found.node, found.rows, found.total, found.more);
    page.items = rows
        .into_iter()
        .map(|c| {
            let mut replied = String::new();
            if let (Some(by), Some(at)) = (&c.replied_by, c.replied_at) {
                replied = lang.t_with("rp-replied-by", &[("who", by.to_string())])
                    + " · "
                    + &date(lang, bangkok_date(at));
                replied.push_str(" · ");
                replied.push_str(&match (c.can_mail, c.mailed_at) {
                    (_, Some(m)) => {
                        lang.t_with("rp-mailed-at", &[("when", date(lang, bangkok_date(m)))])
                    }
                    (true, None) => lang.t("rp-not-mailed"),
                    (false, None) => lang.t("rp-no-email"),
                });
            }
            let (typed, error) = match &refused {
                Some((id, typed, e)) if *id == c.rating_id => (typed.clone(), Some(e.clone())),
                _ => (c.reply.clone().unwrap_or_default(), None),
            };
            Item {
                id: c.rating_id,
                point: c.point_name,
                point_code: c.point_code,
                date: date(lang, bangkok_date(c.received_at)),
                score: score_word(lang, c.overall),
                service: c.manual_title.unwrap_or_else(|| lang.t("rp-service-other")),
                comment: c.comment,
                can_mail: c.can_mail,
                reply: c.reply,
                replied,
                published: c.published_at.is_some(),
                typed,
                error,
            }
        })
        .collect();
    // Unanswered ones are not counted (that would walk every comment of the node):
    // their pages go on while another follows.
    let pages = if page.form.unanswered() {
        number + i64::from(more)
    } else {
        (i64::try_from(total).unwrap_or(0) + PER_PAGE - 1)
            .div_euclid(PER_PAGE)
            .max(number + i64::from(more))
    };
    page.heading = Some((
        format!("{} ({})", node.name, node.code),
        period_label(lang, &period),
    ));
    page.total = lang.t_with("rp-comments-total", &[("n", count(lang, total))]);
    page.page_text = lang.t_with(
        "page-of",
        &[
            ("page", digits(lang, &number.to_string())),
            ("pages", digits(lang, &pages.to_string())),
        ],
    );
    page.page = number;
    page.prev = (number > 1).then(|| page.form.query(number - 1));
    page.next = (number < pages).then(|| page.form.query(number + 1));
    (status, page).into_response()
}

pub(crate) async fn comments(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(form): Query<CommentsForm>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&state, lang, &uri, &caller, form, None).await
}

fn rating_id(id: &str) -> Option<i64> {
    id.parse::<i64>().ok().filter(|i| *i > 0)
}

/// Back to the list the form was on, saying what happened, at the comment.
fn back(form: &CommentsForm, done: &str, id: i64) -> Response {
    let page = form
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 10_000);
    Redirect::to(&format!(
        "/staff/comments{}&done={done}&at={id}#c{id}",
        form.query(page)
    ))
    .into_response()
}

fn problems_text(lang: Lang, problems: &[domain::Problem]) -> String {
    problems
        .iter()
        .map(|p| lang.pick(&p.th, &p.en))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(crate) async fn reply(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(id) = rating_id(&id) else {
        return failure(lang, &uri, &caller, AppError::NotFound("rating"));
    };
    let form = CommentsForm::of(&values);
    let body = values.get("reply").map(String::as_str).unwrap_or("");
    match app::replies::reply(&state.app, &caller, id, body).await {
        Ok(r) => {
            // A published comment shows its reply as edited.
            state.refresh_published().await;
            let done = if r.mailed {
                "mailed"
            } else if r.mail_failed {
                "mail-failed"
            } else {
                "saved"
            };
            back(&form, done, id)
        }
        Err(AppError::Invalid(problems)) => {
            let refused = (id, body.to_owned(), problems_text(lang, &problems));
            render(&state, lang, &uri, &caller, form, Some(refused)).await
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

pub(crate) async fn publish(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(id) = rating_id(&id) else {
        return failure(lang, &uri, &caller, AppError::NotFound("rating"));
    };
    let published = match values.get("published").map(String::as_str) {
        Some("true") => true,
        Some("false") => false,
        _ => return failure(lang, &uri, &caller, AppError::NotFound("published")),
    };
    let form = CommentsForm::of(&values);
    match app::replies::publish(&state.app, &caller, id, published).await {
        Ok(()) => {
            // The point's public page reads the published comments from memory.
            state.refresh_published().await;
            back(
                &form,
                if published {
                    "published"
                } else {
                    "unpublished"
                },
                id,
            )
        }
        Err(AppError::Invalid(problems)) => {
            let typed = match app::replies::comment(&state.app, &caller, id).await {
                Ok(c) => c.reply.unwrap_or_default(),
                Err(e) => return failure(lang, &uri, &caller, e),
            };
            let refused = (id, typed, problems_text(lang, &problems));
            render(&state, lang, &uri, &caller, form, Some(refused)).await
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}
