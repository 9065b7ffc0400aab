//! Rollout tasks in pages: the list of the caller's tasks, the task form (drafted by a
//! supervising office), the task with its dashboard for the office, and a target
//! unit's checklist with its report form. The files (exports, letter, report form)
//! are the API's, which the session opens too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::task::{
    self, ItemKey, ItemKind, ReportAction, ReportForm, ReportState, Targets, TaskFields, TaskState,
    UnitState,
};
use domain::{Problem, UnitCode};
use tower_sessions::Session;

use super::*;
use crate::auth::ClientAddress;

type Pairs = Vec<(String, String)>;

fn first<'a>(pairs: &'a Pairs, key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn all<'a>(pairs: &'a Pairs, key: &'a str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn text(lang: Lang, p: &Problem) -> String {
    match lang {
        Lang::Th => p.th.clone(),
        Lang::En => p.en.clone(),
    }
}

fn date_in(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Th => domain::thai_date::long_th(d),
        Lang::En => domain::thai_date::long_en(d),
    }
}

/// Days left in words: "อีก 5 วัน", "เกินกำหนด 2 วัน", "วันนี้".
pub(super) fn days_left(lang: Lang, n: i64) -> String {
    match n {
        0 => lang.t("tk-due-today"),
        n if n > 0 => lang.t_with("tk-days-left", &[("n", n.to_string())]),
        n => lang.t_with("tk-days-late", &[("n", (-n).to_string())]),
    }
}

fn state_label(lang: Lang, s: TaskState) -> &'static str {
    match lang {
        Lang::Th => s.label_th(),
        Lang::En => s.label_en(),
    }
}

fn unit_state_label(lang: Lang, s: UnitState) -> &'static str {
    match lang {
        Lang::Th => s.label_th(),
        Lang::En => s.label_en(),
    }
}

pub(super) fn report_state_label(lang: Lang, s: ReportState) -> String {
    lang.t(&format!("tk-report-{}", s.as_str().replace('_', "-")))
}

// ---------------------------------------------------------------------------------
// The list

struct Line {
    id: i64,
    title: String,
    letter_number: String,
    state: String,
    deadline: String,
    left: String,
    late: bool,
    manages: bool,
    /// (unit code, report state)
    reporting: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/tasks.html")]
struct ListPage {
    l: Layout,
    f: Frame,
    lines: Vec<Line>,
    may_create: bool,
}

pub(crate) async fn tasks(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (lines, issuers) = match tokio::try_join!(
        app::tasks::list(&state.app, &caller, false),
        app::tasks::issuers(&state.app, &caller)
    ) {
        Ok(v) => v,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let lines = lines
        .into_iter()
        .map(|t| Line {
            id: t.task.id,
            title: t.task.fields.title,
            letter_number: t.task.fields.letter_number,
            state: state_label(lang, t.task.state).to_owned(),
            deadline: date_in(lang, t.task.fields.deadline),
            left: if t.task.state == TaskState::Issued {
                days_left(lang, t.days_left)
            } else {
                String::new()
            },
            late: t.task.state == TaskState::Issued && t.days_left < 0,
            manages: t.manages,
            reporting: t
                .reporting
                .into_iter()
                .map(|(c, s)| (c, report_state_label(lang, s)))
                .collect(),
        })
        .collect();
    let (l, f) = frame(lang, lang.text("tk-title"), &uri, Menu::Tasks, &caller);
    ListPage {
        l,
        f,
        lines,
        may_create: !issuers.is_empty(),
    }
    .into_response()
}

// ---------------------------------------------------------------------------------
// The task form

/// What the task form shows, as typed.
#[derive(Default)]
struct TaskValues {
    issuer: String,
    title: String,
    letter_number: String,
    letter_date: String,
    body: String,
    deadline: String,
    target_by: String,
    root: String,
    kind: String,
    picked: BTreeSet<String>,
    items: BTreeSet<String>,
    manual_ids: String,
    others: String,
}

impl TaskValues {
    fn of_fields(issuer: &str, f: &TaskFields) -> Self {
        let mut v = TaskValues {
            issuer: issuer.to_owned(),
            title: f.title.clone(),
            letter_number: f.letter_number.clone(),
            letter_date: f.letter_date.to_string(),
            body: f.body.clone(),
            deadline: f.deadline.to_string(),
            ..Default::default()
        };
        match &f.targets {
            Targets::Subtree { root } => {
                v.target_by = "subtree".into();
                v.root = root.to_string();
            }
            Targets::Kind { kind } => {
                v.target_by = "kind".into();
                v.kind = kind.clone();
            }
            Targets::Pick { units } => {
                v.target_by = "pick".into();
                v.picked = units.iter().map(|u| u.to_string()).collect();
            }
        }
        let mut others = Vec::new();
        for item in &f.checklist {
            match item {
                ItemKind::Declared { label_th, .. } => others.push(label_th.clone()),
                ItemKind::Manuals { manual_ids } => {
                    v.items.insert("manuals".into());
                    v.manual_ids = manual_ids
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ");
                }
                other => {
                    v.items.insert(other.key().to_string());
                }
            }
        }
        v.others = others.join("\n");
        v
    }

    fn of_pairs(p: &Pairs) -> Self {
        TaskValues {
            issuer: first(p, "issuer").to_owned(),
            title: first(p, "title").to_owned(),
            letter_number: first(p, "letter_number").to_owned(),
            letter_date: first(p, "letter_date").to_owned(),
            body: first(p, "body").to_owned(),
            deadline: first(p, "deadline").to_owned(),
            target_by: first(p, "target_by").to_owned(),
            root: first(p, "root").to_owned(),
            kind: first(p, "kind").to_owned(),
            picked: all(p, "unit").map(str::to_owned).collect(),
            items: all(p, "item").map(str::to_owned).collect(),
            manual_ids: first(p, "manual_ids").to_owned(),
            others: first(p, "others").to_owned(),
        }
    }

    /// The fields, or what the form itself can say is wrong (a date that is no date);
    /// the rules of the task are the use case's.
    fn fields(&self) -> Result<TaskFields, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut date = |field: &str, v: &str| match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        {
            Ok(d) => d,
            Err(_) => {
                problems.push(Problem::new(
                    field,
                    "กรุณาระบุวันที่ (ปี ค.ศ.-เดือน-วัน)",
                    "Give a date (year-month-day)",
                ));
                NaiveDate::MIN
            }
        };
        let letter_date = date("letter_date", &self.letter_date);
        let deadline = date("deadline", &self.deadline);
        let code = |field: &str, v: &str, problems: &mut Vec<Problem>| {
            UnitCode::parse(v.trim())
                .map_err(|_| {
                    problems.push(Problem::new(
                        field,
                        "รหัสหน่วยงานต้องเป็นตัวเลข 13 หลัก",
                        "A unit code has 13 digits",
                    ))
                })
                .ok()
        };
        let targets = match self.target_by.as_str() {
            "kind" => Targets::Kind {
                kind: self.kind.trim().to_owned(),
            },
            "pick" => Targets::Pick {
                units: self
                    .picked
                    .iter()
                    .filter_map(|c| code("targets", c, &mut problems))
                    .collect(),
            },
            _ => {
                let root = if self.root.trim().is_empty() {
                    &self.issuer
                } else {
                    &self.root
                };
                match code("targets", root, &mut problems) {
                    Some(root) => Targets::Subtree { root },
                    None => Targets::Pick { units: vec![] },
                }
            }
        };
        let mut checklist = Vec::new();
        for key in ["signed_up", "data_checked", "photo", "manuals", "poster"] {
            if !self.items.contains(key) {
                continue;
            }
            checklist.push(match key {
                "signed_up" => ItemKind::SignedUp,
                "data_checked" => ItemKind::DataChecked,
                "photo" => ItemKind::Photo,
                "poster" => ItemKind::Poster,
                _ => {
                    let mut ids = Vec::new();
                    for part in self
                        .manual_ids
                        .split([',', ' ', '\n'])
                        .filter(|s| !s.trim().is_empty())
                    {
                        match part.trim().parse::<i64>() {
                            Ok(id) => ids.push(id),
                            Err(_) => problems.push(Problem::new(
                                "manual_ids",
                                "หมายเลขคู่มือต้องเป็นตัวเลข คั่นด้วยจุลภาค",
                                "Manual ids are numbers separated by commas",
                            )),
                        }
                    }
                    ItemKind::Manuals { manual_ids: ids }
                }
            });
        }
        for (i, line) in self
            .others
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            checklist.push(ItemKind::Declared {
                id: u16::try_from(i + 1).unwrap_or(u16::MAX),
                label_th: line.to_owned(),
                label_en: String::new(),
            });
        }
        if problems.is_empty() {
            Ok(TaskFields {
                title: self.title.clone(),
                letter_number: self.letter_number.clone(),
                letter_date,
                body: self.body.clone(),
                deadline,
                targets,
                attachments: vec![],
                checklist,
            })
        } else {
            Err(problems)
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/task_form.html")]
struct FormPage {
    l: Layout,
    f: Frame,
    /// Where the form goes: new, or a draft's edit.
    action: String,
    v: TaskValues,
    /// (code, name)
    issuers: Vec<(String, String)>,
    /// (code, kind, name)
    candidates: Vec<(String, String, String)>,
    kinds: Vec<String>,
    errors: Vec<(String, String)>,
    field_errors: HashMap<String, String>,
}

impl FormPage {
    fn error(&self, field: &str) -> &str {
        self.field_errors.get(field).map_or("", String::as_str)
    }

    fn checked(&self, item: &str) -> bool {
        self.v.items.contains(item)
    }
}

/// The form's field a problem belongs to.
fn form_field(field: &str) -> String {
    for prefix in ["targets", "checklist", "attachments"] {
        if field.starts_with(prefix) {
            return if field.contains("manuals") {
                "manual_ids".into()
            } else {
                prefix.into()
            };
        }
    }
    field.to_owned()
}

async fn form_page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    caller: &Caller,
    action: String,
    v: TaskValues,
    problems: &[Problem],
) -> Response {
    let mut issuers: Vec<(String, String)> = match app::tasks::issuers(&state.app, caller).await {
        Ok(i) => i.into_iter().map(|(c, n)| (c.to_string(), n)).collect(),
        Err(e) => return failure(lang, uri, caller, e),
    };
    // A system administrator holds no unit: the office comes from the address
    // (`?issuer=CODE`), and the use case checks it as any other.
    if caller.user.is_system_admin
        && !issuers.iter().any(|i| i.0 == v.issuer)
        && let Ok(code) = UnitCode::parse(&v.issuer)
        && let Ok(Some(chain)) = state.db.unit_chain_named(&code).await
    {
        issuers.push((code.to_string(), chain[0].3.clone()));
    }
    let candidates = match UnitCode::parse(&v.issuer) {
        Ok(issuer) => match app::tasks::candidates(&state.app, caller, &issuer).await {
            Ok(c) => c,
            Err(e) => return failure(lang, uri, caller, e),
        },
        Err(_) => Vec::new(),
    };
    let kinds: BTreeSet<String> = candidates.iter().map(|c| c.1.clone()).collect();
    let mut errors = Vec::new();
    let mut field_errors = HashMap::new();
    for p in problems {
        let field = form_field(&p.field);
        errors.push((field.clone(), text(lang, p)));
        field_errors.entry(field).or_insert_with(|| text(lang, p));
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (l, f) = frame(lang, lang.text("tk-form-title"), uri, Menu::Tasks, caller);
    (
        status,
        FormPage {
            l,
            f,
            action,
            v,
            issuers,
            candidates,
            kinds: kinds.into_iter().collect(),
            errors,
            field_errors,
        },
    )
        .into_response()
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct NewQuery {
    issuer: String,
}

pub(crate) async fn new_form(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(q): Query<NewQuery>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let issuers = match app::tasks::issuers(&state.app, &caller).await {
        Ok(i) => i,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let issuer = if q.issuer.is_empty() {
        issuers.first().map(|i| i.0.to_string()).unwrap_or_default()
    } else {
        q.issuer
    };
    let today = task::local_date(chrono::Utc::now());
    let v = TaskValues {
        issuer: issuer.clone(),
        letter_date: today.to_string(),
        deadline: (today + chrono::Duration::days(14)).to_string(),
        target_by: "subtree".into(),
        root: issuer,
        items: ["signed_up", "data_checked", "photo", "manuals", "poster"]
            .map(str::to_owned)
            .into_iter()
            .collect(),
        ..Default::default()
    };
    form_page(
        &state,
        lang,
        &uri,
        &caller,
        "/staff/tasks/new".into(),
        v,
        &[],
    )
    .await
}

pub(crate) async fn new_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Form(pairs): Form<Pairs>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let v = TaskValues::of_pairs(&pairs);
    let action = "/staff/tasks/new".to_owned();
    // Choosing the issuing office first shows its units to pick from.
    if first(&pairs, "step") == "issuer" {
        let mut v = v;
        v.root = v.issuer.clone();
        return form_page(&state, lang, &uri, &caller, action, v, &[]).await;
    }
    let Ok(issuer) = UnitCode::parse(v.issuer.trim()) else {
        let p = Problem::new(
            "issuer",
            "กรุณาเลือกหน่วยงานที่สั่งการ",
            "Choose the issuing office",
        );
        return form_page(&state, lang, &uri, &caller, action, v, &[p]).await;
    };
    let fields = match v.fields() {
        Ok(f) => f,
        Err(p) => return form_page(&state, lang, &uri, &caller, action, v, &p).await,
    };
    match app::tasks::create(&state.app, &caller, &issuer, fields).await {
        Ok(id) => Redirect::to(&format!("/staff/tasks/{id}?done=saved")).into_response(),
        Err(AppError::Invalid(p)) => form_page(&state, lang, &uri, &caller, action, v, &p).await,
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

pub(crate) async fn edit_form(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let view = match app::tasks::get(&state.app, &caller, id).await {
        Ok(v) if v.manages && v.task.state == TaskState::Draft => v,
        Ok(_) => return Redirect::to(&format!("/staff/tasks/{id}")).into_response(),
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let v = TaskValues::of_fields(&view.task.issuer_code, &view.task.fields);
    let action = format!("/staff/tasks/{id}/edit");
    form_page(&state, lang, &uri, &caller, action, v, &[]).await
}

pub(crate) async fn edit_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(pairs): Form<Pairs>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let view = match app::tasks::get(&state.app, &caller, id).await {
        Ok(v) if v.manages => v,
        Ok(_) => return failure(lang, &uri, &caller, AppError::Forbidden),
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let mut v = TaskValues::of_pairs(&pairs);
    // The issuing office of a draft stays.
    v.issuer = view.task.issuer_code.clone();
    let action = format!("/staff/tasks/{id}/edit");
    let fields = match v.fields() {
        Ok(f) => f,
        Err(p) => return form_page(&state, lang, &uri, &caller, action, v, &p).await,
    };
    match app::tasks::update(&state.app, &caller, id, fields).await {
        Ok(()) => Redirect::to(&format!("/staff/tasks/{id}?done=saved")).into_response(),
        Err(AppError::Invalid(p)) => form_page(&state, lang, &uri, &caller, action, v, &p).await,
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

// ---------------------------------------------------------------------------------
// The task and its dashboard

struct Row {
    code: String,
    name: String,
    state: String,
    /// The state's key, for the row's mark and the map's legend.
    key: &'static str,
    done: String,
    submitted: String,
    /// The last reminder: its day, and whether it reached anyone.
    reminded: String,
    unreached: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/task.html")]
struct TaskPage {
    l: Layout,
    f: Frame,
    id: i64,
    title: String,
    letter_number: String,
    letter_date: String,
    body: String,
    deadline: String,
    deadline_iso: String,
    left: String,
    state: String,
    is_draft: bool,
    is_issued: bool,
    manages: bool,
    checklist: Vec<String>,
    /// The uploaded attachments in order: (title, file key).
    attachments: Vec<(String, String)>,
    extensions: Vec<(String, String)>,
    /// The caller's own target units: (code, name).
    own: Vec<(String, String)>,
    rows: Vec<Row>,
    /// (label, count, key)
    counts: Vec<(String, usize, &'static str)>,
    totals: Option<task::Totals>,
    rates: (String, String),
    map: String,
    /// (previous page, next page, which rows are shown)
    pager: (Option<String>, Option<String>, String),
    /// The state the rows are narrowed to, or empty.
    filter: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct Said {
    done: String,
    /// The dashboard's rows of one state alone.
    state: String,
    page: String,
}

/// Dashboard rows per page: a department's task goes to thousands of offices.
const ROWS_PER_PAGE: usize = 100;

/// Where the task page keeps, for its next view, why a move was refused: in the
/// session, so that no link can make the page say something.
const REFUSAL: &str = "task_refusal";

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_default()
}

pub(crate) async fn task_page(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    Query(said): Query<Said>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let view = match app::tasks::get(&state.app, &caller, id).await {
        Ok(v) => v,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let t = &view.task;
    let mut rows = Vec::new();
    let mut counts = Vec::new();
    let mut totals = None;
    let mut map = String::new();
    let mut pager = (None, None, String::new());
    let mut filter = String::new();
    if view.manages && t.state != TaskState::Draft {
        let d = match app::tasks::dashboard(&state.app, &caller, id).await {
            Ok(d) => d,
            Err(e) => return failure(lang, &uri, &caller, e),
        };
        let mut by_state: BTreeMap<&'static str, usize> = BTreeMap::new();
        for r in &d.rows {
            *by_state.entry(r.state.as_str()).or_default() += 1;
        }
        for s in [
            UnitState::NotStarted,
            UnitState::InProgress,
            UnitState::Submitted,
            UnitState::Returned,
            UnitState::Accepted,
            UnitState::Overdue,
        ] {
            counts.push((
                unit_state_label(lang, s).to_owned(),
                by_state.get(s.as_str()).copied().unwrap_or(0),
                s.as_str(),
            ));
        }
        let picked: Vec<&app::tasks::UnitRow> = d
            .rows
            .iter()
            .filter(|r| said.state.is_empty() || r.state.as_str() == said.state)
            .collect();
        let pages = picked.len().div_ceil(ROWS_PER_PAGE).max(1);
        let page = said.page.parse::<usize>().unwrap_or(1).clamp(1, pages);
        let shown = &picked[(page - 1) * ROWS_PER_PAGE..(page * ROWS_PER_PAGE).min(picked.len())];
        let link = |p: usize| {
            format!(
                "/staff/tasks/{id}?state={}&page={p}#units",
                super::super::form_urlencoded_component(&said.state)
            )
        };
        pager = (
            (page > 1).then(|| link(page - 1)),
            (page < pages).then(|| link(page + 1)),
            lang.t_with(
                "tk-rows-shown",
                &[
                    (
                        "from",
                        ((page - 1) * ROWS_PER_PAGE + 1)
                            .min(picked.len())
                            .to_string(),
                    ),
                    ("to", ((page - 1) * ROWS_PER_PAGE + shown.len()).to_string()),
                    ("total", picked.len().to_string()),
                ],
            ),
        );
        filter = said.state.clone();
        map = match crate::task_files::state_map(&state, id, shown, lang).await {
            Ok(m) => m,
            Err(e) => return failure(lang, &uri, &caller, e),
        };
        rows = shown
            .iter()
            .map(|r| Row {
                code: r.code.clone(),
                name: r.name_th.clone(),
                state: unit_state_label(lang, r.state).to_owned(),
                key: r.state.as_str(),
                done: format!("{}/{}", r.items_done, r.items.len()),
                submitted: r
                    .first_submitted_at
                    .map(|at| date_in(lang, task::local_date(at)))
                    .unwrap_or_default(),
                reminded: r
                    .last_reminder
                    .map(|(day, _)| date_in(lang, day))
                    .unwrap_or_default(),
                unreached: r.last_reminder.is_some_and(|(_, n)| n == 0),
            })
            .collect();
        totals = Some(d.totals);
    }
    let own = if t.state == TaskState::Draft {
        Vec::new()
    } else {
        match app::tasks::own_targets(&state.app, &caller, id).await {
            Ok(own) => own,
            Err(e) => return failure(lang, &uri, &caller, e),
        }
    };
    let today = task::local_date(chrono::Utc::now());
    let notice = match said.done.as_str() {
        "" => None,
        d => Some(lang.t(&format!("tk-done-{d}"))).filter(|s| !s.is_empty()),
    };
    let error = session.remove::<String>(REFUSAL).await.ok().flatten();
    let rates = totals
        .map(|t| (percent(t.reporting_rate), percent(t.on_time_rate)))
        .unwrap_or_default();
    let (l, f) = frame(lang, &t.fields.title, &uri, Menu::Tasks, &caller);
    TaskPage {
        l,
        f,
        id,
        title: t.fields.title.clone(),
        letter_number: t.fields.letter_number.clone(),
        letter_date: date_in(lang, t.fields.letter_date),
        body: t.fields.body.clone(),
        deadline: date_in(lang, t.fields.deadline),
        deadline_iso: t.fields.deadline.to_string(),
        left: if t.state == TaskState::Issued {
            days_left(lang, (t.fields.deadline - today).num_days())
        } else {
            String::new()
        },
        state: state_label(lang, t.state).to_owned(),
        is_draft: t.state == TaskState::Draft,
        is_issued: t.state == TaskState::Issued,
        manages: view.manages,
        checklist: t
            .fields
            .checklist
            .iter()
            .map(|i| match lang {
                Lang::Th => i.label_th(),
                Lang::En => i.label_en(),
            })
            .collect(),
        attachments: t
            .fields
            .attachments
            .iter()
            .map(|a| (a.title.clone(), a.file_key.clone()))
            .collect(),
        extensions: view
            .extensions
            .iter()
            .map(|(a, b)| (date_in(lang, *a), date_in(lang, *b)))
            .collect(),
        own,
        rows,
        counts,
        totals,
        rates,
        map,
        pager,
        filter,
        notice,
        error,
    }
    .into_response()
}

/// The office's moves on its task: issue, extend, close, discard.
pub(crate) async fn task_action(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path((id, action)): Path<(i64, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let app = &state.app;
    let done = match action.as_str() {
        "issue" => app::tasks::issue(app, &caller, id).await.map(|_| "issued"),
        "close" => app::tasks::close(app, &caller, id).await.map(|_| "closed"),
        "discard" => match app::tasks::discard(app, &caller, id).await {
            Ok(()) => return Redirect::to("/staff/tasks").into_response(),
            Err(e) => Err(e),
        },
        "extend" => match NaiveDate::parse_from_str(first(&pairs, "deadline").trim(), "%Y-%m-%d") {
            Ok(to) => app::tasks::extend(app, &caller, id, to)
                .await
                .map(|_| "extended"),
            Err(_) => Err(AppError::Invalid(vec![Problem::new(
                "deadline",
                "กรุณาระบุวันที่ (ปี ค.ศ.-เดือน-วัน)",
                "Give a date (year-month-day)",
            )])),
        },
        _ => Err(AppError::NotFound("action")),
    };
    match done {
        Ok(d) => Redirect::to(&format!("/staff/tasks/{id}?done={d}")).into_response(),
        Err(e) => back_with_error(&session, lang, id, e)
            .await
            .unwrap_or_else(|e| failure(lang, &uri, &caller, e)),
    }
}

// ---------------------------------------------------------------------------------
// A unit's checklist and report

struct Item {
    key: String,
    no: usize,
    label: String,
    subs: Vec<String>,
    done: bool,
    evidence: String,
    needs_declaration: bool,
    declared: bool,
    /// The declaration comes with a photo.
    photo: bool,
    remark: String,
    fix: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/task_unit.html")]
struct UnitPage {
    l: Layout,
    f: Frame,
    id: i64,
    code: String,
    name: String,
    title: String,
    deadline: String,
    left: String,
    report_state: String,
    report_key: &'static str,
    items: Vec<Item>,
    done: usize,
    reporter_name: String,
    reporter_position: String,
    submitted: String,
    /// The submission under review, as the review forms send it back.
    submitted_at: String,
    return_comment: String,
    may_write: bool,
    may_review: bool,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

/// Where a unit fixes an item: the page that changes what the check reads.
fn fix_link(lang: Lang, key: ItemKey, unit: &str, point: Option<&str>) -> Option<(String, String)> {
    let point = point.unwrap_or(unit);
    Some(match key {
        ItemKey::SignedUp => ("/account".into(), lang.t("tk-fix-signed-up")),
        ItemKey::DataChecked => (
            format!("/staff/service-points/{point}"),
            lang.t("tk-fix-data"),
        ),
        ItemKey::Photo => (
            format!("/staff/service-points/{point}#photos"),
            lang.t("tk-fix-photo"),
        ),
        ItemKey::Manuals => (
            format!("/staff/service-points/{point}/manuals"),
            lang.t("tk-fix-manuals"),
        ),
        ItemKey::Poster => (
            format!("/staff/posters?unit={unit}"),
            lang.t("tk-fix-poster"),
        ),
        ItemKey::Declared(_) => return None,
    })
}

#[allow(clippy::too_many_arguments)]
async fn unit_page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    caller: &Caller,
    id: i64,
    unit: &UnitCode,
    typed: Option<&Pairs>,
    problems: &[Problem],
    notice: Option<String>,
) -> Response {
    let v = match app::tasks::report(&state.app, caller, id, unit).await {
        Ok(v) => v,
        Err(e) => return failure(lang, uri, caller, e),
    };
    // The one service point of an office that has a single one: where its fixes go.
    let point = match state.db.task_unit_points(unit).await {
        Ok(p) => p,
        Err(e) => return failure(lang, uri, caller, e.into()),
    };
    let point = (point.len() == 1).then(|| point[0].clone());
    let today = task::local_date(chrono::Utc::now());
    let items = v
        .task
        .fields
        .checklist
        .iter()
        .zip(&v.row.items)
        .enumerate()
        .map(|(i, (kind, s))| {
            let key = s.key.to_string();
            let (declared, remark) = match typed {
                Some(p) => (
                    all(p, "declared").any(|d| d == key),
                    first(p, &format!("remark_{key}")).to_owned(),
                ),
                None => (s.declared, s.remark.clone().unwrap_or_default()),
            };
            Item {
                no: i + 1,
                label: match lang {
                    Lang::Th => kind.label_th(),
                    Lang::En => kind.label_en(),
                },
                subs: kind
                    .sub_items()
                    .iter()
                    .map(|d| match lang {
                        Lang::Th => d.label_th().to_owned(),
                        Lang::En => d.label_en().to_owned(),
                    })
                    .collect(),
                done: s.done,
                evidence: match lang {
                    Lang::Th => s.evidence_th.clone(),
                    Lang::En => s.evidence_en.clone(),
                },
                needs_declaration: s.needs_declaration,
                declared,
                photo: s.photo,
                remark,
                fix: if s.done {
                    None
                } else {
                    fix_link(lang, s.key, unit.as_str(), point.as_deref())
                },
                key,
            }
        })
        .collect();
    let mut errors = Vec::new();
    for p in problems {
        errors.push((p.field.replace('.', "_"), text(lang, p)));
    }
    let report = v.row.report;
    let open = v.task.state == TaskState::Issued;
    let (name, position) = match typed {
        Some(p) => (
            first(p, "reporter_name").to_owned(),
            first(p, "reporter_position").to_owned(),
        ),
        None => (
            v.row.reporter_name.clone().unwrap_or_else(|| {
                format!("{} {}", caller.user.first_name, caller.user.last_name)
                    .trim()
                    .to_owned()
            }),
            v.row.reporter_position.clone().unwrap_or_default(),
        ),
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (l, f) = frame(lang, &v.task.fields.title, uri, Menu::Tasks, caller);
    (
        status,
        UnitPage {
            l,
            f,
            id,
            code: unit.to_string(),
            name: v.row.name_th.clone(),
            title: v.task.fields.title.clone(),
            deadline: date_in(lang, v.task.fields.deadline),
            left: if open {
                days_left(lang, (v.task.fields.deadline - today).num_days())
            } else {
                state_label(lang, v.task.state).to_owned()
            },
            report_state: report_state_label(lang, report),
            report_key: report.as_str(),
            done: v.row.items_done,
            items,
            reporter_name: name,
            reporter_position: position,
            submitted: v
                .row
                .submitted_at
                .map(|at| date_in(lang, task::local_date(at)))
                .unwrap_or_default(),
            submitted_at: v
                .row
                .submitted_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
                .unwrap_or_default(),
            return_comment: if report == ReportState::Returned {
                v.row.return_comment.clone().unwrap_or_default()
            } else {
                String::new()
            },
            may_write: v.writes && open && report != ReportState::Accepted,
            may_review: v.reviews && open && report == ReportState::Submitted,
            errors,
            notice,
        },
    )
        .into_response()
}

pub(crate) async fn unit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path((id, code)): Path<(i64, String)>,
    Query(said): Query<Said>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(unit) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let notice = match said.done.as_str() {
        "" => None,
        d => Some(lang.t(&format!("tk-done-{d}"))).filter(|s| !s.is_empty()),
    };
    unit_page(&state, lang, &uri, &caller, id, &unit, None, &[], notice).await
}

/// The unit's report form: saved, or sent with `submit`.
pub(crate) async fn unit_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Path((id, code)): Path<(i64, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(unit) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let mut declared = BTreeSet::new();
    let mut remarks = BTreeMap::new();
    let mut problems = Vec::new();
    for d in all(&pairs, "declared") {
        match d.parse::<ItemKey>() {
            Ok(k) => {
                declared.insert(k);
            }
            Err(_) => problems.push(Problem::new("declared", "ไม่มีรายการนี้", "No such item")),
        }
    }
    for (k, v) in &pairs {
        if let Some(key) = k.strip_prefix("remark_")
            && let Ok(key) = key.parse::<ItemKey>()
        {
            remarks.insert(key, v.clone());
        }
    }
    let submit = first(&pairs, "send") == "submit";
    let seen = ReportState::parse(first(&pairs, "seen"));
    if !problems.is_empty() {
        return unit_page(
            &state,
            lang,
            &uri,
            &caller,
            id,
            &unit,
            Some(&pairs),
            &problems,
            None,
        )
        .await;
    }
    let input = app::tasks::ReportInput {
        form: ReportForm {
            declared,
            remarks,
            reporter_name: first(&pairs, "reporter_name").to_owned(),
            reporter_position: first(&pairs, "reporter_position").to_owned(),
        },
        submit,
        seen,
    };
    match app::tasks::write_report(&state.app, &caller, id, &unit, input, address.0.as_deref())
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/staff/tasks/{id}/units/{unit}?done={}",
            if submit { "submitted" } else { "saved-report" }
        ))
        .into_response(),
        Err(AppError::Invalid(p)) => {
            unit_page(
                &state,
                lang,
                &uri,
                &caller,
                id,
                &unit,
                Some(&pairs),
                &p,
                None,
            )
            .await
        }
        Err(AppError::Stale) => {
            let p = [Problem::new("seen", lang.t("tk-stale"), lang.t("tk-stale"))];
            unit_page(
                &state,
                lang,
                &uri,
                &caller,
                id,
                &unit,
                Some(&pairs),
                &p,
                None,
            )
            .await
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

/// The issuing office accepts or returns a unit's report.
pub(crate) async fn unit_review(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Path((id, code)): Path<(i64, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(unit) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let (action, done) = match first(&pairs, "decision") {
        "accept" => (ReportAction::Accept, "accepted"),
        "return" => (
            ReportAction::Return {
                comment: first(&pairs, "comment").to_owned(),
            },
            "returned",
        ),
        _ => return failure(lang, &uri, &caller, AppError::NotFound("decision")),
    };
    // The submission the reviewer read: one sent since makes the decision stale.
    let seen = chrono::DateTime::parse_from_rfc3339(first(&pairs, "submitted"))
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc));
    match app::tasks::review(
        &state.app,
        &caller,
        id,
        &unit,
        action,
        seen,
        address.0.as_deref(),
    )
    .await
    {
        Ok(_) => {
            Redirect::to(&format!("/staff/tasks/{id}/units/{unit}?done={done}")).into_response()
        }
        Err(AppError::Invalid(p)) => {
            unit_page(&state, lang, &uri, &caller, id, &unit, None, &p, None).await
        }
        Err(AppError::Stale) => {
            let p = [Problem::new("seen", lang.t("tk-stale"), lang.t("tk-stale"))];
            unit_page(&state, lang, &uri, &caller, id, &unit, None, &p, None).await
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

/// Back to the task page saying why, for a refusal the page can explain; any other
/// error is given back.
async fn back_with_error(
    session: &Session,
    lang: Lang,
    id: i64,
    e: AppError,
) -> Result<Response, AppError> {
    let why = match e {
        AppError::Invalid(p) => p
            .iter()
            .map(|p| text(lang, p))
            .collect::<Vec<_>>()
            .join(" "),
        AppError::Stale => lang.t("tk-stale"),
        e => return Err(e),
    };
    session
        .insert(REFUSAL, why)
        .await
        .map_err(AppError::internal)?;
    Ok(Redirect::to(&format!("/staff/tasks/{id}")).into_response())
}

/// A file added to a draft's attachments from the task page.
pub(crate) async fn attachment_upload(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    body: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match app::tasks::get(&state.app, &caller, id).await {
        Ok(v) if v.manages => {}
        Ok(_) => return failure(lang, &uri, &caller, AppError::Forbidden),
        Err(e) => return failure(lang, &uri, &caller, e),
    }
    let no_file = || {
        AppError::Invalid(vec![Problem::new(
            "file",
            "กรุณาเลือกไฟล์แนบ",
            "Choose the file to attach",
        )])
    };
    let up = match body {
        Ok(m) => crate::api::read_upload(m).await.ok(),
        Err(_) => None,
    };
    let result = match up {
        Some(crate::api::Upload {
            file: Some(file),
            title,
            ..
        }) if !file.is_empty() => {
            app::tasks::add_attachment(
                &state.app,
                &caller,
                id,
                title.as_deref().unwrap_or(""),
                file,
            )
            .await
        }
        _ => Err(no_file()),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/staff/tasks/{id}?done=attached")).into_response(),
        Err(e) => back_with_error(&session, lang, id, e)
            .await
            .unwrap_or_else(|e| failure(lang, &uri, &caller, e)),
    }
}

pub(crate) async fn attachment_remove(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path((id, n)): Path<(i64, usize)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let key = Some(first(&pairs, "key")).filter(|k| !k.is_empty());
    match app::tasks::remove_attachment(&state.app, &caller, id, n, key).await {
        Ok(_) => Redirect::to(&format!("/staff/tasks/{id}?done=detached")).into_response(),
        Err(e) => back_with_error(&session, lang, id, e)
            .await
            .unwrap_or_else(|e| failure(lang, &uri, &caller, e)),
    }
}

/// A photo shown with a declaration, from the report form's own small upload form.
pub(crate) async fn unit_photo(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Path((id, code, item)): Path<(i64, String, String)>,
    body: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (Ok(unit), Ok(item)) = (UnitCode::parse(&code), item.parse::<ItemKey>()) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let file = match body {
        Ok(m) => crate::api::read_upload(m).await.ok().and_then(|u| u.file),
        Err(_) => None,
    };
    let result = match file.filter(|f| !f.is_empty()) {
        Some(f) => app::tasks::declaration_photo(&state.app, &caller, id, &unit, item, f).await,
        None => Err(AppError::Invalid(vec![Problem::new(
            "file",
            "กรุณาเลือกไฟล์รูปภาพ",
            "Choose a photo file",
        )])),
    };
    match result {
        Ok(_) => {
            Redirect::to(&format!("/staff/tasks/{id}/units/{unit}?done=photo")).into_response()
        }
        Err(AppError::Invalid(p)) => {
            unit_page(&state, lang, &uri, &caller, id, &unit, None, &p, None).await
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}
