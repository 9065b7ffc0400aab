//! The manual catalogue in the back office: the manuals of the departments the caller
//! writes, a new manual, the form with every field of the national template (saved as
//! a draft, its checks shown by each field, published as the next version), the
//! versions, and each manual's history with its revert.

use std::collections::HashMap;

use app::manuals::DraftBase;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use domain::manual::{ComplaintChannel, DurationUnit, Manual, ManualProblem, ManualState, Span};
use domain::{Problem, UnitCode};
use serde::Deserialize;
use tower_sessions::Session;

use super::manual_form::{
    Notes, Section, Values, counts_from, counts_of, field_label, locate, manual_from, sections,
    values_of,
};
use super::*;

fn when(lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
    let t = at.with_timezone(&domain::hours::bangkok());
    let day = match lang {
        Lang::Th => domain::thai_date::short_th(t.date_naive()),
        Lang::En => t.format("%-d %b %Y").to_string(),
    };
    format!("{day} {}", t.format("%H:%M"))
}

fn state_name(lang: Lang, state: &str) -> String {
    lang.t(match state {
        "draft" => "mc-state-draft",
        "published" => "mc-state-published",
        "published_draft" => "mc-state-published_draft",
        _ => "mc-state-archived",
    })
}

fn action_name(lang: Lang, action: &str) -> String {
    match action {
        "draft" => lang.t("mc-action-draft"),
        "publish" => lang.t("mc-action-publish"),
        "revert" => lang.t("mc-action-revert"),
        other => other.to_owned(),
    }
}

fn done_text(lang: Lang, done: &str) -> Option<String> {
    Some(lang.t(match done {
        "saved" => "mc-saved",
        "published" => "mc-published-done",
        "revert" => "mc-reverted",
        _ => return None,
    }))
}

/// A key as a path gives it; anything else is no manual.
fn key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 60
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

// The catalogue.

struct Line {
    key: String,
    title: String,
    department: String,
    state: String,
    /// The public manual's id and version.
    published: Option<(i64, i64)>,
    versions: usize,
    last: String,
    pinned: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/manuals.html")]
struct CataloguePage {
    l: Layout,
    f: Frame,
    /// (code, name) of the departments the caller writes.
    departments: Vec<(String, String)>,
    department: String,
    lines: Vec<Line>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CatalogueQuery {
    department: String,
}

pub(crate) async fn catalogue(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(q): Query<CatalogueQuery>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let department = UnitCode::parse(q.department.trim()).ok();
    let departments = match app::catalogue_history::departments(&state.app, &caller).await {
        Ok(d) => d,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let lines =
        match app::catalogue_history::catalogue(&state.app, &caller, department.as_ref()).await {
            Ok(l) => l,
            Err(e) => return failure(lang, &uri, &caller, e),
        };
    let lines = lines
        .into_iter()
        .map(|l| Line {
            state: state_name(lang, l.state()),
            last: l
                .last_change
                .as_ref()
                .map(|c| {
                    format!(
                        "{} · {} · {}",
                        when(lang, c.at),
                        action_name(lang, &c.action),
                        c.actor
                    )
                })
                .unwrap_or_else(|| "-".to_owned()),
            title: if l.title_th.is_empty() {
                l.key.clone()
            } else {
                l.title_th
            },
            department: l.department_name,
            published: l.published,
            versions: l.versions,
            pinned: l.pinned,
            key: l.key,
        })
        .collect();
    let (layout, menu) = frame(
        lang,
        lang.text("mc-catalogue"),
        &uri,
        Menu::Manuals,
        &caller,
    );
    CataloguePage {
        l: layout,
        f: menu,
        departments: departments
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect(),
        department: department.map(|d| d.to_string()).unwrap_or_default(),
        lines,
    }
    .into_response()
}

// The form.

#[derive(Template, WebTemplate)]
#[template(path = "staff/manuals_form.html")]
struct FormPage {
    l: Layout,
    f: Frame,
    is_new: bool,
    key: String,
    action: String,
    title: String,
    /// The department's name (an existing manual).
    department_name: String,
    /// (code, name, selected): the departments a new manual can belong to.
    departments: Vec<(String, String, bool)>,
    key_value: String,
    key_error: String,
    department_error: String,
    base: String,
    sections: Vec<Section>,
    /// What blocks publishing, and what is worth fixing, for the summary at the top.
    errors: Vec<String>,
    warnings: Vec<String>,
    notice: Option<String>,
    /// The other person's save: (field, its value now).
    stale: Vec<(String, String)>,
    /// The page shows the saved draft as it is, with nothing blocking: it can be
    /// published from here.
    publishable: bool,
    has_draft: bool,
    dirty: bool,
    /// The notice reports a refusal (stale, or publishing blocked), not a success.
    notice_is_refusal: bool,
    /// (version, state, published on, id when public)
    versions: Vec<(i64, String, String, Option<i64>)>,
}

/// A check to show: where, the message, and whether it blocks publishing.
struct Shown {
    field: String,
    text: String,
    error: bool,
}

fn shown_checks(
    lang: Lang,
    checks: &[ManualProblem],
    values: &Values,
    counts: &Counts,
) -> Vec<Shown> {
    checks
        .iter()
        .map(|p| Shown {
            field: locate(&p.field(), values, counts),
            text: lang.pick(&p.th(), &p.en()).to_owned(),
            error: p.is_error(),
        })
        .collect()
}

fn shown_problems(
    lang: Lang,
    problems: &[Problem],
    values: &Values,
    counts: &Counts,
) -> Vec<Shown> {
    problems
        .iter()
        .map(|p| Shown {
            field: locate(&p.field, values, counts),
            text: lang.pick(&p.th, &p.en).to_owned(),
            error: true,
        })
        .collect()
}

type Counts = HashMap<&'static str, usize>;

/// What the form page shows besides the values.
struct View {
    is_new: bool,
    key: String,
    title: String,
    department_name: String,
    departments: Vec<(String, String, bool)>,
    base: DraftBase,
    shown: Vec<Shown>,
    notice: Option<String>,
    stale: Vec<(String, String)>,
    has_draft: bool,
    dirty: bool,
    versions: Vec<storage::ManualRow>,
    total: Span,
    status: StatusCode,
}

fn form_page(
    lang: Lang,
    uri: &Uri,
    caller: &Caller,
    values: Values,
    counts: Counts,
    v: View,
) -> Response {
    let mut notes = Notes::default();
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for s in &v.shown {
        let (map, list) = if s.error {
            (&mut notes.errors, &mut errors)
        } else {
            (&mut notes.warnings, &mut warnings)
        };
        map.entry(s.field.clone()).or_default().push(s.text.clone());
        list.push(s.text.clone());
    }
    let key_error = notes
        .errors
        .get("key")
        .map(|e| e.join(" · "))
        .unwrap_or_default();
    let department_error = notes
        .errors
        .get("department")
        .map(|e| e.join(" · "))
        .unwrap_or_default();
    let total = format!(
        "{} {}",
        v.total.value_text(),
        lang.pick(v.total.unit.label_th(), v.total.unit.label_en())
    );
    let sections = sections(lang, &values, &notes, &counts, total);
    let versions = v
        .versions
        .iter()
        .map(|m| {
            (
                m.version,
                state_name(lang, &m.state),
                m.published_on
                    .map(|d| crate::views::date(lang, d))
                    .unwrap_or_else(|| "-".to_owned()),
                (m.state == "published").then_some(m.id),
            )
        })
        .collect();
    let title_key = if v.is_new { "mc-new" } else { "mc-edit-title" };
    let (layout, menu) = frame(lang, lang.text(title_key), uri, Menu::Manuals, caller);
    let action = if v.is_new {
        "/staff/manuals/new".to_owned()
    } else {
        format!("/staff/manuals/{}/edit", v.key)
    };
    (
        v.status,
        FormPage {
            l: layout,
            f: menu,
            is_new: v.is_new,
            action,
            title: v.title,
            department_name: v.department_name,
            departments: v.departments,
            key_value: values.get("key").cloned().unwrap_or_default(),
            key_error,
            department_error,
            base: v.base.token(),
            publishable: v.has_draft && !v.dirty && errors.is_empty() && v.stale.is_empty(),
            sections,
            errors,
            warnings,
            notice: v.notice,
            stale: v.stale,
            has_draft: v.has_draft,
            dirty: v.dirty,
            notice_is_refusal: v.status != StatusCode::OK,
            versions,
            key: v.key,
        },
    )
        .into_response()
}

/// A new manual's first state: the template's defaults, and the Prime Minister's
/// Office's 1111 centre among the complaint channels, which every manual must list.
fn blank(department: UnitCode) -> Manual {
    Manual {
        id: 0,
        key: String::new(),
        owner_department_code: department,
        version: 0,
        state: ManualState::Draft,
        title_th: String::new(),
        title_en: String::new(),
        process_name: String::new(),
        owning_agency: String::new(),
        service_type: "single_unit".into(),
        category: "service_other".into(),
        legal_bases: Vec::new(),
        impact_level: "general".into(),
        service_areas: Vec::new(),
        statutory_time_law: None,
        statutory_time: Span {
            value: 0.0,
            unit: DurationUnit::WorkingDays,
        },
        stats: Default::default(),
        reference_name: String::new(),
        channels: Vec::new(),
        criteria: String::new(),
        steps: Vec::new(),
        simplified: false,
        documents: Vec::new(),
        no_documents: false,
        fees: Vec::new(),
        no_fee: false,
        complaint_channels: vec![ComplaintChannel {
            channel: "ศูนย์บริการประชาชน สำนักปลัดสำนักนายกรัฐมนตรี".into(),
            address: Some("เลขที่ 1 ถนนพิษณุโลก เขตดุสิต กรุงเทพมหานคร 10300".into()),
            phone: Some("สายด่วน 1111".into()),
            url: Some("www.1111.go.th".into()),
            note: None,
        }],
        forms: Vec::new(),
        remarks: None,
        published_on: None,
        prepared_by: None,
        approved_by: None,
        published_by: None,
    }
}

/// The departments a new manual can belong to, the chosen one marked.
fn choices(list: &[(UnitCode, String)], chosen: &str) -> Vec<(String, String, bool)> {
    list.iter()
        .map(|(c, n)| (c.to_string(), n.clone(), c.as_str() == chosen))
        .collect()
}

fn new_view(departments: &[(UnitCode, String)], chosen: &str, m: &Manual) -> View {
    View {
        is_new: true,
        key: String::new(),
        title: String::new(),
        department_name: String::new(),
        departments: choices(departments, chosen),
        base: DraftBase {
            version: 0,
            revision: 0,
        },
        shown: Vec::new(),
        notice: None,
        stale: Vec::new(),
        has_draft: false,
        dirty: false,
        versions: Vec::new(),
        total: m.total_time(),
        status: StatusCode::OK,
    }
}

pub(crate) async fn new_form(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let departments = match app::catalogue_history::departments(&state.app, &caller).await {
        Ok(d) if !d.is_empty() => d,
        Ok(_) => return failure(lang, &uri, &caller, AppError::Forbidden),
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let m = blank(departments[0].0);
    let view = new_view(&departments, departments[0].0.as_str(), &m);
    form_page(lang, &uri, &caller, values_of(&m), counts_of(&m), view)
}

pub(crate) async fn new_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Form(values): Form<Values>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let departments = match app::catalogue_history::departments(&state.app, &caller).await {
        Ok(d) if !d.is_empty() => d,
        Ok(_) => return failure(lang, &uri, &caller, AppError::Forbidden),
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let chosen = values.get("department").cloned().unwrap_or_default();
    let department = UnitCode::parse(chosen.trim()).ok();
    let add = values.get("add").cloned();
    let counts = counts_from(&values, add.as_deref());
    let base = blank(department.unwrap_or(departments[0].0));
    let (manual, mut problems) = manual_from(&values, &counts, &base);
    let mut view = new_view(&departments, &chosen, &manual);
    if add.is_some() {
        view.dirty = true;
        return form_page(lang, &uri, &caller, values, counts, view);
    }
    let Some(department) = department else {
        problems.push(Problem::new(
            "department",
            "กรุณาเลือกหน่วยงานเจ้าของคู่มือ",
            "Choose the department that owns the manual",
        ));
        view.shown = shown_problems(lang, &problems, &values, &counts);
        view.status = StatusCode::UNPROCESSABLE_ENTITY;
        return form_page(lang, &uri, &caller, values, counts, view);
    };
    if !problems.is_empty() {
        view.shown = shown_problems(lang, &problems, &values, &counts);
        view.status = StatusCode::UNPROCESSABLE_ENTITY;
        return form_page(lang, &uri, &caller, values, counts, view);
    }
    let key = values.get("key").map(|k| k.trim().to_owned());
    match app::manuals::create_draft(&state.app, &caller, &department, key.as_deref(), manual).await
    {
        Ok(d) => {
            Redirect::to(&format!("/staff/manuals/{}/edit?done=saved", d.row.key)).into_response()
        }
        Err(AppError::Invalid(problems)) => {
            view.shown = shown_problems(lang, &problems, &values, &counts);
            view.status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(lang, &uri, &caller, values, counts, view)
        }
        // Someone made a manual of this key in the same moment.
        Err(AppError::Stale) => {
            let taken = Problem::new("key", "รหัสคู่มือนี้มีอยู่แล้ว", "This manual key is already in use");
            view.shown = shown_problems(lang, &[taken], &values, &counts);
            view.status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(lang, &uri, &caller, values, counts, view)
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Done {
    done: String,
}

fn edit_view(o: &app::manuals::Opened, department_name: String) -> View {
    View {
        is_new: false,
        key: o.manual.key.clone(),
        title: if o.manual.title_th.is_empty() {
            o.manual.key.clone()
        } else {
            o.manual.title_th.clone()
        },
        department_name,
        departments: Vec::new(),
        base: o.base,
        shown: Vec::new(),
        notice: None,
        stale: Vec::new(),
        has_draft: o.draft.is_some(),
        dirty: false,
        versions: o.versions.clone(),
        total: o.manual.total_time(),
        status: StatusCode::OK,
    }
}

fn department_name(state: &Shared, code: &UnitCode) -> String {
    state
        .directory()
        .breadcrumbs(code.as_str())
        .last()
        .map(|u| u.unit.name_th.clone())
        .unwrap_or_else(|| code.to_string())
}

/// The edit page of the manual as it is stored, with its checks and a notice.
async fn stored_page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    caller: &Caller,
    key: &str,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let o = match app::manuals::open(&state.app, caller, key).await {
        Ok(o) => o,
        Err(e) => return failure(lang, uri, caller, e),
    };
    let values = values_of(&o.manual);
    let counts = counts_of(&o.manual);
    let mut view = edit_view(&o, department_name(state, &o.department));
    view.shown = shown_checks(lang, &o.problems, &values, &counts);
    view.notice = notice;
    view.status = status;
    form_page(lang, uri, caller, values, counts, view)
}

pub(crate) async fn edit_form(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(key): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !key_ok(&key) {
        return failure(lang, &uri, &caller, AppError::NotFound("key"));
    }
    let notice = done_text(lang, &done.done);
    stored_page(&state, lang, &uri, &caller, &key, notice, StatusCode::OK).await
}

pub(crate) async fn edit_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(key): Path<String>,
    Form(values): Form<Values>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !key_ok(&key) {
        return failure(lang, &uri, &caller, AppError::NotFound("key"));
    }
    let o = match app::manuals::open(&state.app, &caller, &key).await {
        Ok(o) => o,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let add = values.get("add").cloned();
    let counts = counts_from(&values, add.as_deref());
    let (manual, problems) = manual_from(&values, &counts, &o.manual);
    let mut view = edit_view(&o, department_name(&state, &o.department));
    // The base the form was opened on, not the current one: a form without it (or
    // with another) is stale, never saved blind.
    view.base = values
        .get("base")
        .and_then(|b| DraftBase::parse(b))
        .unwrap_or(DraftBase {
            version: -1,
            revision: -1,
        });
    view.total = manual.total_time();
    view.dirty = true;
    if add.is_some() {
        view.shown = shown_checks(lang, &manual.check(), &values, &counts);
        return form_page(lang, &uri, &caller, values, counts, view);
    }
    if !problems.is_empty() {
        view.shown = shown_problems(lang, &problems, &values, &counts);
        view.status = StatusCode::UNPROCESSABLE_ENTITY;
        return form_page(lang, &uri, &caller, values, counts, view);
    }
    match app::manuals::update_draft(&state.app, &caller, &key, manual.clone(), Some(view.base))
        .await
    {
        Ok(_) => Redirect::to(&format!("/staff/manuals/{key}/edit?done=saved")).into_response(),
        Err(AppError::Stale) => {
            // What the other person saved, against what this person typed: both are on
            // the page, and the next save goes on the current base.
            view.stale = domain::manual_diff::diff(Some(&manual), Some(&o.manual))
                .into_iter()
                .map(|c| (lang.t(field_label(c.field)), c.after))
                .collect();
            view.base = o.base;
            view.notice = Some(lang.t("mc-stale"));
            view.status = StatusCode::CONFLICT;
            view.shown = shown_checks(lang, &manual.check(), &values, &counts);
            form_page(lang, &uri, &caller, values, counts, view)
        }
        Err(AppError::Invalid(p)) => {
            view.shown = shown_problems(lang, &p, &values, &counts);
            view.status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(lang, &uri, &caller, values, counts, view)
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

pub(crate) async fn publish(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(key): Path<String>,
    Form(values): Form<Values>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !key_ok(&key) {
        return failure(lang, &uri, &caller, AppError::NotFound("key"));
    }
    let base = values
        .get("base")
        .and_then(|b| DraftBase::parse(b))
        .unwrap_or(DraftBase {
            version: -1,
            revision: -1,
        });
    match app::manuals::publish(&state.app, &caller, &key, Some(base)).await {
        Ok(_) => {
            state.publish().await;
            Redirect::to(&format!("/staff/manuals/{key}/edit?done=published")).into_response()
        }
        Err(AppError::Invalid(_)) => {
            let notice = Some(lang.t("mc-publish-blocked"));
            stored_page(
                &state,
                lang,
                &uri,
                &caller,
                &key,
                notice,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Stale) => {
            let notice = Some(lang.t("mc-stale-publish"));
            stored_page(
                &state,
                lang,
                &uri,
                &caller,
                &key,
                notice,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

// The history.

use super::history::Entry;

#[derive(Template, WebTemplate)]
#[template(path = "staff/manuals_history.html")]
struct HistoryPage {
    l: Layout,
    f: Frame,
    key: String,
    title: String,
    base: String,
    notice: Option<String>,
    entries: Vec<Entry>,
    older: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct HistoryQuery {
    before: String,
    stale: String,
}

pub(crate) async fn history(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(key): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !key_ok(&key) {
        return failure(lang, &uri, &caller, AppError::NotFound("key"));
    }
    let o = match app::manuals::open(&state.app, &caller, &key).await {
        Ok(o) => o,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let before = q.before.trim().parse::<i64>().ok();
    let entries =
        match app::catalogue_history::manual_history(&state.app, &caller, &key, before).await {
            Ok(e) => e,
            Err(e) => return failure(lang, &uri, &caller, e),
        };
    let older = (entries.len() == 100)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let entries = entries
        .into_iter()
        .map(|e| Entry {
            id: e.id,
            when: when(lang, e.at),
            by: e.actor,
            action: action_name(lang, &e.action),
            note: e.note,
            fields: e
                .fields
                .into_iter()
                .map(|f| (lang.t(field_label(f.field)), f.before, f.after))
                .collect(),
            restorable: e.restorable,
        })
        .collect();
    let (layout, menu) = frame(
        lang,
        lang.text("mc-history-title"),
        &uri,
        Menu::Manuals,
        &caller,
    );
    HistoryPage {
        l: layout,
        f: menu,
        title: if o.manual.title_th.is_empty() {
            key.clone()
        } else {
            o.manual.title_th.clone()
        },
        key,
        base: o.base.token(),
        notice: (!q.stale.is_empty()).then(|| lang.t("mc-stale-revert")),
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
    Path(key): Path<String>,
    Form(values): Form<Values>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !key_ok(&key) {
        return failure(lang, &uri, &caller, AppError::NotFound("key"));
    }
    // No change named is no change found, after the right is checked.
    let change = values
        .get("change")
        .and_then(|c| c.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let base = values
        .get("base")
        .and_then(|b| DraftBase::parse(b))
        .unwrap_or(DraftBase {
            version: -1,
            revision: -1,
        });
    match app::catalogue_history::revert_manual(&state.app, &caller, &key, change, Some(base)).await
    {
        Ok(_) => Redirect::to(&format!("/staff/manuals/{key}/edit?done=revert")).into_response(),
        Err(AppError::Stale) => {
            Redirect::to(&format!("/staff/manuals/{key}/history?stale=1")).into_response()
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}
