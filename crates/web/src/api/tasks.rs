//! Rollout tasks: the supervising office drafts, issues, extends and closes a task
//! and follows its units on the dashboard; each target unit reads its own row and
//! sends its report, which the office accepts or returns.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::UnitCode;
use domain::task::{
    ItemKey, ItemKind, ItemState, ReportAction, ReportForm, ReportState, Targets, TaskFields,
    TaskState, Totals, UnitState,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::{IntoParams, ToSchema};

use super::auth::json_body;
use crate::auth::ClientAddress;
use crate::auth::scope::Staff;
use crate::errors::{ApiError, ApiPath, query_rejection};
use crate::params::{FieldErrors, paging};
use crate::sheets;
use crate::{Lang, Shared, task_files};

fn unit_code(s: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(s.trim()).map_err(|_| {
        ApiError::invalid(FieldErrors::from([(
            "code".to_owned(),
            vec!["รหัสต้องเป็นตัวเลข 13 หลัก / A code has 13 digits".to_owned()],
        )]))
    })
}

/// A new task, drafted for `issuer`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskIn {
    /// The issuing office's 13-digit code: a unit with units below it, on which the
    /// caller is an administrator or supervisor (or above).
    pub issuer: String,
    pub title: String,
    /// As printed, e.g. `ที่ ชบ ๐๐๑๘/ว๕๗๘๕`.
    pub letter_number: String,
    pub letter_date: NaiveDate,
    pub body: String,
    /// The last day to report, included; not in the past.
    pub deadline: NaiveDate,
    pub targets: Targets,
    pub checklist: Vec<ItemKind>,
}

/// A draft's fields to change; those left out stay. Attachments are uploaded and
/// removed by their own routes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub letter_number: Option<String>,
    pub letter_date: Option<NaiveDate>,
    pub body: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub targets: Option<Targets>,
    pub checklist: Option<Vec<ItemKind>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskExtensionOut {
    pub previous: NaiveDate,
    pub deadline: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    /// The issuing office's code.
    pub issuer: String,
    pub state: TaskState,
    #[serde(flatten)]
    pub fields: TaskFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The deadlines extensions replaced, oldest first.
    pub extensions: Vec<TaskExtensionOut>,
    /// The caller manages the task (the issuing office's staff).
    pub manages: bool,
}

fn task_out(v: app::tasks::TaskView) -> TaskOut {
    let t = v.task;
    TaskOut {
        id: t.id,
        issuer: t.issuer_code,
        state: t.state,
        fields: t.fields,
        created_at: t.created_at,
        updated_at: t.updated_at,
        issued_at: t.issued_at,
        closed_at: t.closed_at,
        extensions: v
            .extensions
            .into_iter()
            .map(|(previous, deadline)| TaskExtensionOut { previous, deadline })
            .collect(),
        manages: v.manages,
    }
}

const TASK_ID: &str = "The task's id";

/// Draft a task for the units below an office.
#[utoipa::path(post, path = "/api/v1/staff/tasks", tag = "staff", request_body = TaskIn,
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The draft", body = TaskOut),
        (status = 400, description = "`invalid_body`: not JSON of this shape (a code that is not 13 digits, a date that is no date)", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an administrator or supervisor of the issuing office or above", body = ApiError),
        (status = 404, description = "`not_found`: no unit has the issuer's code", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a field breaks a rule (a deadline in the past, a target outside the issuer's subtree…); `fields` names each", body = ApiError),
    ))]
pub async fn create(
    State(state): State<Shared>,
    staff: Staff,
    body: Result<Json<TaskIn>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let issuer = unit_code(&b.issuer)?;
    let fields = TaskFields {
        title: b.title,
        letter_number: b.letter_number,
        letter_date: b.letter_date,
        body: b.body,
        deadline: b.deadline,
        targets: b.targets,
        attachments: vec![],
        checklist: b.checklist,
    };
    let id = app::tasks::create(&state.app, &staff, &issuer, fields).await?;
    let v = app::tasks::get(&state.app, &staff, id).await?;
    Ok((StatusCode::CREATED, Json(task_out(v))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParams {
    /// `open` for the issued tasks alone; all of them (drafts and closed ones too) by
    /// default.
    #[param(pattern = "^(all|open)$")]
    pub show: Option<String>,
    /// 1-based page number, at most 10000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub page: Option<String>,
    /// Results per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskReportingOut {
    /// One of the caller's units the task was issued to.
    pub unit: String,
    pub report_state: ReportState,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskLineOut {
    pub id: i64,
    pub issuer: String,
    pub title: String,
    pub letter_number: String,
    pub state: TaskState,
    pub deadline: NaiveDate,
    /// Days from today (Bangkok) to the deadline; negative once it has passed.
    pub days_left: i64,
    pub manages: bool,
    pub reporting: Vec<TaskReportingOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskLineOut>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// The tasks of the caller's units, newest first: those they issued and those set to
/// them.
#[utoipa::path(get, path = "/api/v1/staff/tasks", tag = "staff", params(TaskListParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of tasks", body = TaskPage),
        (status = 400, description = "`invalid_parameter`: `show` or a page is refused; `fields` names it", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: never for this list, which is narrowed to the caller's units", body = ApiError),
        (status = 404, description = "`not_found`: never for this list", body = ApiError),
    ))]
pub async fn list(
    State(state): State<Shared>,
    lang: Lang,
    staff: Staff,
    params: Result<Query<TaskListParams>, QueryRejection>,
) -> Result<Json<TaskPage>, ApiError> {
    let Query(p) = params.map_err(query_rejection)?;
    let (page, per_page) = paging(&p.page, &p.per_page, lang).map_err(ApiError::invalid)?;
    let open = match p.show.as_deref() {
        // An empty field of a search form is no filter.
        None | Some("" | "all") => false,
        Some("open") => true,
        Some(_) => {
            return Err(ApiError::invalid(FieldErrors::from([(
                "show".to_owned(),
                vec!["ต้องเป็น all หรือ open / Either all or open".to_owned()],
            )])));
        }
    };
    let lines = app::tasks::list(&state.app, &staff, open).await?;
    let total = lines.len();
    let items = lines
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|l| TaskLineOut {
            id: l.task.id,
            issuer: l.task.issuer_code,
            title: l.task.fields.title,
            letter_number: l.task.fields.letter_number,
            state: l.task.state,
            deadline: l.task.fields.deadline,
            days_left: l.days_left,
            manages: l.manages,
            reporting: l
                .reporting
                .into_iter()
                .map(|(unit, report_state)| TaskReportingOut { unit, report_state })
                .collect(),
        })
        .collect();
    Ok(Json(TaskPage {
        items,
        total,
        page,
        per_page,
    }))
}

/// A task, for the issuing office's staff and the members of the units it was issued
/// to.
#[utoipa::path(get, path = "/api/v1/staff/tasks/{id}", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The task", body = TaskOut),
        (status = 400, description = "`invalid_parameter`: the id is not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: neither of the issuing office nor of a unit it was issued to", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
    ))]
pub async fn get(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TaskOut>, ApiError> {
    Ok(Json(task_out(
        app::tasks::get(&state.app, &staff, id).await?,
    )))
}

/// Change a draft: the fields given replace those it has.
#[utoipa::path(patch, path = "/api/v1/staff/tasks/{id}", tag = "staff", request_body = TaskPatch,
    params(("id" = i64, Path, description = TASK_ID)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The draft", body = TaskOut),
        (status = 400, description = "`invalid_parameter`: the id is not a number; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
        (status = 412, description = "`stale`: the task was issued or discarded meanwhile", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a field breaks a rule, or the task is no longer a draft", body = ApiError),
    ))]
pub async fn patch(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<TaskPatch>, JsonRejection>,
) -> Result<Json<TaskOut>, ApiError> {
    // The right before the body.
    let current = app::tasks::get(&state.app, &staff, id).await?;
    if !current.manages {
        return Err(app::AppError::Forbidden.into());
    }
    let b = json_body(body)?;
    let mut f = current.task.fields;
    if let Some(v) = b.title {
        f.title = v;
    }
    if let Some(v) = b.letter_number {
        f.letter_number = v;
    }
    if let Some(v) = b.letter_date {
        f.letter_date = v;
    }
    if let Some(v) = b.body {
        f.body = v;
    }
    if let Some(v) = b.deadline {
        f.deadline = v;
    }
    if let Some(v) = b.targets {
        f.targets = v;
    }
    if let Some(v) = b.checklist {
        f.checklist = v;
    }
    app::tasks::update(&state.app, &staff, id, f).await?;
    Ok(Json(task_out(
        app::tasks::get(&state.app, &staff, id).await?,
    )))
}

/// Delete a draft.
#[utoipa::path(delete, path = "/api/v1/staff/tasks/{id}", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "`invalid_parameter`: the id is not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
        (status = 412, description = "`stale`: the task was issued meanwhile", body = ApiError),
        (status = 422, description = "`invalid_field`: an issued task is closed, not deleted", body = ApiError),
    ))]
pub async fn discard(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    app::tasks::discard(&state.app, &staff, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskIssuedOut {
    /// The units it went to, fixed now.
    pub units: Vec<String>,
    pub task: TaskOut,
}

/// Issue a draft to its targets, resolved now in the issuer's subtree.
#[utoipa::path(post, path = "/api/v1/staff/tasks/{id}/issue", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Issued", body = TaskIssuedOut),
        (status = 400, description = "`invalid_parameter`: the id is not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
        (status = 412, description = "`stale`: issued or discarded meanwhile", body = ApiError),
        (status = 422, description = "`invalid_field`: not a draft, a deadline now past, or no unit matches the targets", body = ApiError),
    ))]
pub async fn issue(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TaskIssuedOut>, ApiError> {
    let units = app::tasks::issue(&state.app, &staff, id).await?;
    let task = task_out(app::tasks::get(&state.app, &staff, id).await?);
    Ok(Json(TaskIssuedOut { units, task }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskExtendIn {
    /// The new deadline, later than the one in force.
    pub deadline: NaiveDate,
}

/// Move an issued task's deadline later; the one replaced is kept.
#[utoipa::path(post, path = "/api/v1/staff/tasks/{id}/extend", tag = "staff", request_body = TaskExtendIn,
    params(("id" = i64, Path, description = TASK_ID)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The task with its new deadline", body = TaskOut),
        (status = 400, description = "`invalid_parameter`: the id is not a number; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
        (status = 412, description = "`stale`: the deadline changed meanwhile", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: not issued, or the date is not later than the deadline in force", body = ApiError),
    ))]
pub async fn extend(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<TaskExtendIn>, JsonRejection>,
) -> Result<Json<TaskOut>, ApiError> {
    app::tasks::may_manage(&state.app, &staff, id).await?;
    let b = json_body(body)?;
    app::tasks::extend(&state.app, &staff, id, b.deadline).await?;
    Ok(Json(task_out(
        app::tasks::get(&state.app, &staff, id).await?,
    )))
}

/// Close an issued task: no report is sent or reviewed after.
#[utoipa::path(post, path = "/api/v1/staff/tasks/{id}/close", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Closed", body = TaskOut),
        (status = 400, description = "`invalid_parameter`: the id is not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
        (status = 412, description = "`stale`: closed meanwhile", body = ApiError),
        (status = 422, description = "`invalid_field`: not issued", body = ApiError),
    ))]
pub async fn close(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TaskOut>, ApiError> {
    app::tasks::close(&state.app, &staff, id).await?;
    Ok(Json(task_out(
        app::tasks::get(&state.app, &staff, id).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskUnitRowOut {
    pub code: String,
    pub name: String,
    pub state: UnitState,
    pub report_state: ReportState,
    pub items_done: usize,
    pub items_total: usize,
    pub items: Vec<ItemState>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reporter_name: Option<String>,
    pub reporter_position: Option<String>,
    pub return_comment: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The Bangkok day of the last reminder mailed to the unit's members (dashboard
    /// only).
    pub last_reminder_day: Option<NaiveDate>,
    /// How many addresses it reached: 0 when nobody in the unit had one.
    pub last_reminder_recipients: Option<i64>,
}

fn row_out(r: app::tasks::UnitRow) -> TaskUnitRowOut {
    TaskUnitRowOut {
        items_total: r.items.len(),
        code: r.code,
        name: r.name_th,
        state: r.state,
        report_state: r.report,
        items_done: r.items_done,
        items: r.items,
        first_submitted_at: r.first_submitted_at,
        submitted_at: r.submitted_at,
        reporter_name: r.reporter_name,
        reporter_position: r.reporter_position,
        return_comment: r.return_comment,
        decided_at: r.decided_at,
        last_reminder_day: r.last_reminder.map(|r| r.0),
        last_reminder_recipients: r.last_reminder.map(|r| r.1),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDashboardOut {
    pub task_id: i64,
    pub deadline: NaiveDate,
    pub totals: Totals,
    pub units: Vec<TaskUnitRowOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `json` (default), `csv` (UTF-8 with a BOM, for Excel) or `xlsx`.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

/// The `format` asked for, one of `allowed` (the first when none is given).
fn format_in(
    asked: Option<&str>,
    allowed: &'static [&'static str],
) -> Result<&'static str, ApiError> {
    match asked {
        None => Ok(allowed[0]),
        Some(f) => allowed.iter().find(|a| **a == f).copied().ok_or_else(|| {
            let list = allowed.join(", ");
            ApiError::invalid(FieldErrors::from([(
                "format".to_owned(),
                vec![format!("รูปแบบต้องเป็น {list} / The format is one of {list}")],
            )]))
        }),
    }
}

fn format_of(q: Result<Query<FormatParams>, QueryRejection>) -> Result<&'static str, ApiError> {
    let Query(q) = q.map_err(query_rejection)?;
    format_in(q.format.as_deref(), &["json", "csv", "xlsx"])
}

/// The dashboard: each target unit's state, items done and submission, and the
/// totals with the reporting and on-time rates.
#[utoipa::path(get, path = "/api/v1/staff/tasks/{id}/units", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID), FormatParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The dashboard: JSON, or its rows as a CSV or XLSX attachment by `format`", content(
            (TaskDashboardOut = "application/json"),
            ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "`invalid_parameter`: the id is not a number, or `format` is not `json`, `csv` or `xlsx`", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's staff", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
        (status = 422, description = "`invalid_field`: a draft has no units yet", body = ApiError),
    ))]
pub async fn units(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
    q: Result<Query<FormatParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let format = format_of(q)?;
    let d = app::tasks::dashboard(&state.app, &staff, id).await?;
    if format == "json" {
        return Ok(Json(TaskDashboardOut {
            task_id: d.task.id,
            deadline: d.task.fields.deadline,
            totals: d.totals,
            units: d.rows.into_iter().map(row_out).collect(),
        })
        .into_response());
    }
    let (headers, rows) = task_files::dashboard_table(&d);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let name = format!("task-{id}-units.{format}");
    if format == "csv" {
        let bytes = sheets::csv(&headers, &rows).map_err(ApiError::internal)?;
        Ok(sheets::attachment(bytes, sheets::CSV, &name))
    } else {
        let widths: Vec<(u16, f64)> = (0..headers.len() as u16).map(|c| (c, 22.0)).collect();
        let bytes = sheets::xlsx("units", &headers, &rows, &widths).map_err(ApiError::internal)?;
        Ok(sheets::attachment(bytes, sheets::XLSX, &name))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskReportOut {
    pub task_id: i64,
    pub task_state: TaskState,
    pub deadline: NaiveDate,
    #[serde(flatten)]
    pub row: TaskUnitRowOut,
    /// The caller may change and send it.
    pub writes: bool,
    /// The caller may accept or return it.
    pub reviews: bool,
}

fn report_out(v: app::tasks::ReportView) -> TaskReportOut {
    TaskReportOut {
        task_id: v.task.id,
        task_state: v.task.state,
        deadline: v.task.fields.deadline,
        row: row_out(v.row),
        writes: v.writes,
        reviews: v.reviews,
    }
}

const UNIT_PARAM: &str = "The target unit's 13-digit code";

/// A target unit's report with its checklist as the data shows it now: for the unit's
/// members, those above it, and the issuing office.
#[utoipa::path(get, path = "/api/v1/staff/tasks/{id}/units/{code}/report", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID),
           ("code" = String, Path, description = UNIT_PARAM, pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The report", body = TaskReportOut),
        (status = 400, description = "`invalid_parameter`: the id is not a number or the code not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the unit or above it", body = ApiError),
        (status = 404, description = "`not_found`: no such task, or the unit is not one of its targets", body = ApiError),
    ))]
pub async fn get_report(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> Result<Json<TaskReportOut>, ApiError> {
    let unit = unit_code(&code)?;
    Ok(Json(report_out(
        app::tasks::report(&state.app, &staff, id, &unit).await?,
    )))
}

/// The unit's report form: the items it ticks done (those only it can say), its
/// remarks per item, and the reporter.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskReportIn {
    /// Keys of the items declared done: `poster`, `declared_3`. A tick on an item the
    /// data decides is ignored.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub declared: BTreeSet<ItemKey>,
    /// Remarks by item key, at most 500 characters each.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub remarks: BTreeMap<ItemKey, String>,
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_position: String,
    /// The report's state when the form was read; a write over a later state is
    /// refused (412).
    pub seen: Option<ReportState>,
}

fn input_of(b: TaskReportIn, submit: bool) -> app::tasks::ReportInput {
    app::tasks::ReportInput {
        form: ReportForm {
            declared: b.declared,
            remarks: b.remarks,
            reporter_name: b.reporter_name,
            reporter_position: b.reporter_position,
        },
        submit,
        seen: b.seen,
    }
}

async fn write(
    state: &Shared,
    staff: &Staff,
    address: &ClientAddress,
    id: i64,
    code: &str,
    body: Result<Json<TaskReportIn>, JsonRejection>,
    submit: bool,
) -> Result<Json<TaskReportOut>, ApiError> {
    let unit = unit_code(code)?;
    // The right before the body: who may not write the unit's report learns nothing.
    staff
        .require(&state.app, &unit, domain::roles::Right::Edit)
        .await?;
    let b = json_body(body)?;
    let v = app::tasks::write_report(
        &state.app,
        staff,
        id,
        &unit,
        input_of(b, submit),
        address.0.as_deref(),
    )
    .await?;
    Ok(Json(report_out(v)))
}

/// Save the unit's report form without sending it.
#[utoipa::path(put, path = "/api/v1/staff/tasks/{id}/units/{code}/report", tag = "staff", request_body = TaskReportIn,
    params(("id" = i64, Path, description = TASK_ID),
           ("code" = String, Path, description = UNIT_PARAM, pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The report as saved", body = TaskReportOut),
        (status = 400, description = "`invalid_parameter`: the id or code is refused; `invalid_body`: not JSON of this shape (an unknown item key)", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an editor of the unit, nor an administrator or supervisor above it", body = ApiError),
        (status = 404, description = "`not_found`: no such task, or the unit is not one of its targets", body = ApiError),
        (status = 412, description = "`stale`: the report moved on since `seen`", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a remark too long, an item the task does not have, an accepted report or a closed task", body = ApiError),
    ))]
pub async fn put_report(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    body: Result<Json<TaskReportIn>, JsonRejection>,
) -> Result<Json<TaskReportOut>, ApiError> {
    write(&state, &staff, &address, id, &code, body, false).await
}

/// Save the report form and send it to the issuing office; again after a return.
#[utoipa::path(post, path = "/api/v1/staff/tasks/{id}/units/{code}/report/submit", tag = "staff", request_body = TaskReportIn,
    params(("id" = i64, Path, description = TASK_ID),
           ("code" = String, Path, description = UNIT_PARAM, pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The report as sent", body = TaskReportOut),
        (status = 400, description = "`invalid_parameter`: the id or code is refused; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an editor of the unit, nor an administrator or supervisor above it", body = ApiError),
        (status = 404, description = "`not_found`: no such task, or the unit is not one of its targets", body = ApiError),
        (status = 412, description = "`stale`: the report moved on since `seen`", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: no reporter's name or position, a remark too long, an accepted report or a closed task", body = ApiError),
    ))]
pub async fn submit_report(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    body: Result<Json<TaskReportIn>, JsonRejection>,
) -> Result<Json<TaskReportOut>, ApiError> {
    write(&state, &staff, &address, id, &code, body, true).await
}

/// Accept a submitted report.
#[utoipa::path(post, path = "/api/v1/staff/tasks/{id}/units/{code}/report/accept", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID),
           ("code" = String, Path, description = UNIT_PARAM, pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The report, accepted", body = TaskReportOut),
        (status = 400, description = "`invalid_parameter`: the id or code is refused", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no such task, or the unit is not one of its targets", body = ApiError),
        (status = 412, description = "`stale`: decided meanwhile", body = ApiError),
        (status = 422, description = "`invalid_field`: not submitted, or the task is closed", body = ApiError),
    ))]
pub async fn accept_report(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> Result<Json<TaskReportOut>, ApiError> {
    let unit = unit_code(&code)?;
    let v = app::tasks::review(
        &state.app,
        &staff,
        id,
        &unit,
        ReportAction::Accept,
        None,
        address.0.as_deref(),
    )
    .await?;
    Ok(Json(report_out(v)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskReturnIn {
    /// Why, for the unit: at most 1000 characters.
    pub comment: String,
}

/// Return a submitted report to the unit, saying why.
#[utoipa::path(post, path = "/api/v1/staff/tasks/{id}/units/{code}/report/return", tag = "staff", request_body = TaskReturnIn,
    params(("id" = i64, Path, description = TASK_ID),
           ("code" = String, Path, description = UNIT_PARAM, pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The report, returned", body = TaskReportOut),
        (status = 400, description = "`invalid_parameter`: the id or code is refused; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no such task, or the unit is not one of its targets", body = ApiError),
        (status = 412, description = "`stale`: decided meanwhile", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: no comment, one too long, not submitted, or the task is closed", body = ApiError),
    ))]
pub async fn return_report(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    body: Result<Json<TaskReturnIn>, JsonRejection>,
) -> Result<Json<TaskReportOut>, ApiError> {
    let unit = unit_code(&code)?;
    app::tasks::may_manage(&state.app, &staff, id).await?;
    let b = json_body(body)?;
    let v = app::tasks::review(
        &state.app,
        &staff,
        id,
        &unit,
        ReportAction::Return { comment: b.comment },
        None,
        address.0.as_deref(),
    )
    .await?;
    Ok(Json(report_out(v)))
}

const PDF: &str = "application/pdf";

/// The task as a Thai official letter to print and send through the office's own
/// document system (Sarabun 16 pt, Thai digits, the Buddhist era): for the issuing
/// office's staff, a draft included.
#[utoipa::path(get, path = "/api/v1/staff/tasks/{id}/letter.pdf", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The letter, as an attachment", content_type = "application/pdf"),
        (status = 400, description = "`invalid_parameter`: the id is not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's staff", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
    ))]
pub async fn letter(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let facts = app::tasks::letter(&state.app, &staff, id).await?;
    let bytes = task_files::pdf(task_files::letter(&facts), poster::letter_pdf).await?;
    Ok(sheets::attachment(
        bytes,
        PDF,
        &format!("task-{id}-letter.pdf"),
    ))
}

/// A unit's report form as the letter's attachment 3, filled in from its checks and
/// declarations, with the signature block: for the unit and the issuing office.
#[utoipa::path(get, path = "/api/v1/staff/tasks/{id}/units/{code}/report.pdf", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID),
           ("code" = String, Path, description = UNIT_PARAM, pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The report form, as an attachment", content_type = "application/pdf"),
        (status = 400, description = "`invalid_parameter`: the id or code is refused", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the unit or above it", body = ApiError),
        (status = 404, description = "`not_found`: no such task, or the unit is not one of its targets", body = ApiError),
    ))]
pub async fn report_pdf(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> Result<Response, ApiError> {
    let unit = unit_code(&code)?;
    let v = app::tasks::report(&state.app, &staff, id, &unit).await?;
    let bytes = task_files::pdf(task_files::report_form(&v), poster::task_report_pdf).await?;
    Ok(sheets::attachment(
        bytes,
        PDF,
        &format!("task-{id}-report-{unit}.pdf"),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodesParams {
    /// `json` (default), `csv`, `xlsx` or `pdf`.
    #[param(pattern = "^(json|csv|xlsx|pdf)$")]
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskCodeOut {
    pub no: usize,
    pub unit: String,
    pub name: String,
    pub authorize_code: String,
}

/// The letter's attachment 2: the Authorize Codes of the units the task went to (the
/// seed's table: no., unit, code). Units without a code get one. Each code binds an
/// account to its unit: send each unit its own line.
#[utoipa::path(get, path = "/api/v1/staff/tasks/{id}/authorize-codes", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID), CodesParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per target unit: JSON, or a CSV, XLSX or PDF attachment by `format`", content(
            (Vec<TaskCodeOut> = "application/json"),
            ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("application/pdf"))),
        (status = 400, description = "`invalid_parameter`: the id is not a number, or `format` is not `json`, `csv`, `xlsx` or `pdf`", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
        (status = 422, description = "`invalid_field`: a draft has no units yet", body = ApiError),
    ))]
pub async fn codes(
    State(state): State<Shared>,
    staff: Staff,
    address: ClientAddress,
    ApiPath(id): ApiPath<i64>,
    q: Result<Query<CodesParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(query_rejection)?;
    let format = format_in(q.format.as_deref(), &["json", "csv", "xlsx", "pdf"])?;
    let rows = app::tasks::codes(&state.app, &staff, id, address.0.as_deref()).await?;
    let name = format!("task-{id}-authorize-codes.{format}");
    match format {
        "json" => Ok(Json(
            rows.into_iter()
                .enumerate()
                .map(|(i, (unit, name, code))| TaskCodeOut {
                    no: i + 1,
                    unit,
                    name,
                    authorize_code: code,
                })
                .collect::<Vec<_>>(),
        )
        .into_response()),
        "pdf" => {
            let title = app::tasks::get(&state.app, &staff, id)
                .await?
                .task
                .fields
                .title;
            let doc = task_files::codes_document(&title, &rows);
            let bytes = task_files::pdf(doc, poster::report_pdf).await?;
            Ok(sheets::attachment(bytes, PDF, &name))
        }
        _ => {
            let headers = ["ลำดับ", "รหัสหน่วยงาน", "หน่วยงาน", "Authorize Code"];
            let cells: Vec<Vec<sheets::Cell>> = rows
                .into_iter()
                .enumerate()
                .map(|(i, (unit, name, code))| {
                    vec![
                        sheets::Cell::Number((i + 1) as f64),
                        sheets::Cell::Text(unit),
                        sheets::Cell::Text(name),
                        sheets::Cell::Text(code),
                    ]
                })
                .collect();
            if format == "csv" {
                let bytes = sheets::csv(&headers, &cells).map_err(ApiError::internal)?;
                Ok(sheets::attachment(bytes, sheets::CSV, &name))
            } else {
                let widths = [(0, 8.0), (1, 18.0), (2, 48.0), (3, 20.0)];
                let bytes = sheets::xlsx("Authorize Codes", &headers, &cells, &widths)
                    .map_err(ApiError::internal)?;
                Ok(sheets::attachment(bytes, sheets::XLSX, &name))
            }
        }
    }
}

/// A file to send with the letter.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskAttachmentUpload {
    /// PDF, Word (.docx), Excel (.xlsx), JPEG or PNG, at most 10 MB; checked by its
    /// content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// As the letter lists it, e.g. "คู่มือการใช้งานระบบ".
    title: String,
}

fn attachment_no(n: &str) -> Result<usize, ApiError> {
    n.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
        ApiError::invalid(FieldErrors::from([(
            "n".to_owned(),
            vec!["ลำดับไฟล์แนบเริ่มที่ 1 / Attachments are numbered from 1".to_owned()],
        )]))
    })
}

/// Add a file to a draft's attachments: listed on the letter, read by the units it
/// goes to.
#[utoipa::path(post, path = "/api/v1/staff/tasks/{id}/attachments", tag = "staff",
    request_body(content = TaskAttachmentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = TASK_ID)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The task with the new attachment", body = TaskOut),
        (status = 400, description = "`invalid_parameter`: the id is not a number; `invalid_body`: not multipart", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no task has this id", body = ApiError),
        (status = 412, description = "`stale`: another attachment came in between; send it again", body = ApiError),
        (status = 413, description = "`body_too_large`: over 10 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: no `file`, not one of the formats by its content, no `title`, ten already, or the task is issued", body = ApiError),
    ))]
pub async fn add_attachment(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(id): ApiPath<i64>,
    body: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    // The right first: without it, nothing about the body is said.
    app::tasks::may_manage(&state.app, &staff, id).await?;
    let m = body.map_err(|e| {
        ApiError::status(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            &format!(
                "คำขอไม่ใช่ multipart/form-data / The body is not multipart/form-data: {}",
                e.body_text()
            ),
        )
    })?;
    let up = super::read_upload(m).await?;
    let Some(file) = up.file else {
        return Err(app::AppError::Invalid(vec![domain::Problem::new(
            "file",
            "กรุณาเลือกไฟล์แนบ",
            "Choose the file to attach",
        )])
        .into());
    };
    let v = app::tasks::add_attachment(
        &state.app,
        &staff,
        id,
        up.title.as_deref().unwrap_or(""),
        file,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(task_out(v))).into_response())
}

/// One of a task's attachments, for the issuing office and the units it was sent to.
#[utoipa::path(get, path = "/api/v1/staff/tasks/{id}/attachments/{n}", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID),
           ("n" = u32, Path, description = "The attachment's place in the list, from 1", minimum = 1)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The file, as an attachment"),
        (status = 400, description = "`invalid_parameter`: the id or number is refused", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: neither of the issuing office nor of a unit it was issued to", body = ApiError),
        (status = 404, description = "`not_found`: no such task or attachment", body = ApiError),
    ))]
pub async fn get_attachment(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((id, n)): ApiPath<(i64, String)>,
) -> Result<Response, ApiError> {
    let n = attachment_no(&n)?;
    let (_, bytes, content_type) = app::tasks::attachment(&state.app, &staff, id, n).await?;
    let ext = media::extension_of(&content_type);
    Ok(sheets::attachment(
        bytes,
        &content_type,
        &format!("task-{id}-attachment-{n}.{ext}"),
    ))
}

/// Remove one of a draft's attachments.
#[utoipa::path(delete, path = "/api/v1/staff/tasks/{id}/attachments/{n}", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID),
           ("n" = u32, Path, description = "The attachment's place in the list, from 1", minimum = 1)),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The task without it", body = TaskOut),
        (status = 400, description = "`invalid_parameter`: the id or number is refused", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not of the issuing office's administrators or supervisors", body = ApiError),
        (status = 404, description = "`not_found`: no such task or attachment", body = ApiError),
        (status = 412, description = "`stale`: the attachments changed in between", body = ApiError),
        (status = 422, description = "`invalid_field`: the task is issued", body = ApiError),
    ))]
pub async fn remove_attachment(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((id, n)): ApiPath<(i64, String)>,
) -> Result<Json<TaskOut>, ApiError> {
    let n = attachment_no(&n)?;
    Ok(Json(task_out(
        app::tasks::remove_attachment(&state.app, &staff, id, n, None).await?,
    )))
}

/// A photo for a declaration: the poster on the wall.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskDeclarationPhoto {
    /// JPEG, PNG or WebP, at most 10 MB; re-encoded without its metadata.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn item_key(s: &str) -> Result<ItemKey, ApiError> {
    s.parse::<ItemKey>().map_err(|_| {
        ApiError::invalid(FieldErrors::from([(
            "item".to_owned(),
            vec!["ไม่มีรายการนี้ / No checklist item has this key".to_owned()],
        )]))
    })
}

/// Show a photo with the unit's declaration of an item that takes its word (the
/// poster hung), replacing the one it had.
#[utoipa::path(put, path = "/api/v1/staff/tasks/{id}/units/{code}/report/photos/{item}", tag = "staff",
    request_body(content = TaskDeclarationPhoto, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = TASK_ID),
           ("code" = String, Path, description = UNIT_PARAM, pattern = "^[0-9]{13}$"),
           ("item" = String, Path, description = "The item's key: `poster`, `declared_3`", pattern = "^(poster|declared_[1-9][0-9]{0,3})$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The report with the photo", body = TaskReportOut),
        (status = 400, description = "`invalid_parameter`: the id, code or item is refused; `invalid_body`: not multipart", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: not an editor of the unit, nor an administrator or supervisor above it", body = ApiError),
        (status = 404, description = "`not_found`: no such task, the unit is not one of its targets, or the task has no such item taking the unit's word", body = ApiError),
        (status = 412, description = "`stale`: the report changed in between", body = ApiError),
        (status = 413, description = "`body_too_large`: over 10 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: no `file`, not a photo by its content, too many pixels; an accepted report or a closed task", body = ApiError),
        (status = 503, description = "`busy`: photos are being processed; try again", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn put_photo(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((id, code, item)): ApiPath<(i64, String, String)>,
    body: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<TaskReportOut>, ApiError> {
    let unit = unit_code(&code)?;
    let item = item_key(&item)?;
    // The right first: without it, nothing about the body is said.
    staff
        .require(&state.app, &unit, domain::roles::Right::Edit)
        .await?;
    let m = body.map_err(|e| {
        ApiError::status(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            &format!(
                "คำขอไม่ใช่ multipart/form-data / The body is not multipart/form-data: {}",
                e.body_text()
            ),
        )
    })?;
    let Some(file) = super::read_upload(m).await?.file else {
        return Err(app::AppError::Invalid(vec![domain::Problem::new(
            "file",
            "กรุณาเลือกไฟล์รูปภาพ",
            "Choose a photo file",
        )])
        .into());
    };
    let v = app::tasks::declaration_photo(&state.app, &staff, id, &unit, item, file).await?;
    Ok(Json(report_out(v)))
}

/// The photo shown with a unit's declaration, for those who read its report.
#[utoipa::path(get, path = "/api/v1/staff/tasks/{id}/units/{code}/report/photos/{item}", tag = "staff",
    params(("id" = i64, Path, description = TASK_ID),
           ("code" = String, Path, description = UNIT_PARAM, pattern = "^[0-9]{13}$"),
           ("item" = String, Path, description = "The item's key: `poster`, `declared_3`", pattern = "^(poster|declared_[1-9][0-9]{0,3})$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The photo", content_type = "image/jpeg"),
        (status = 400, description = "`invalid_parameter`: the id, code or item is refused", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the unit or above it", body = ApiError),
        (status = 404, description = "`not_found`: no such task, unit or photo", body = ApiError),
    ))]
pub async fn get_photo(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((id, code, item)): ApiPath<(i64, String, String)>,
) -> Result<Response, ApiError> {
    let unit = unit_code(&code)?;
    let item = item_key(&item)?;
    let bytes = app::tasks::declaration_photo_file(&state.app, &staff, id, &unit, item).await?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("image/jpeg"),
    );
    // Staff data: kept by no shared cache.
    h.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-cache"),
    );
    Ok(r)
}
