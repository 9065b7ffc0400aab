//! Rollout tasks: a supervising office drafts a task for the units below it, issues
//! it, extends or closes it; the target units see it. Only the issuing office's
//! administrators and supervisors (and those above) manage a task.

use chrono::{NaiveDate, Utc};
use domain::UnitCode;
use domain::roles::Right;
use domain::task::{
    self, ItemKey, ItemState, ReportState, Targets, TaskAction, TaskFields, TaskState, TaskStatus,
    Totals, UnitFacts, UnitReport, UnitState,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::caller::Caller;
use crate::posters::editor;
use crate::{App, AppError, Result};

/// A task as its issuer or a target unit reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    pub task: storage::TaskRow,
    /// The deadlines extensions replaced: (previous, new), oldest first.
    pub extensions: Vec<(NaiveDate, NaiveDate)>,
    /// The caller manages the task (the issuing office's staff).
    pub manages: bool,
}

fn today() -> NaiveDate {
    task::local_date(Utc::now())
}

fn invalid(e: task::TaskError) -> AppError {
    AppError::Invalid(vec![e.problem()])
}

/// Whether the task may make `action` today.
fn moved(t: &storage::TaskRow, action: TaskAction) -> Result<()> {
    task::transition(
        TaskStatus {
            state: t.state,
            deadline: t.fields.deadline,
        },
        action,
        today(),
    )
    .map(|_| ())
    .map_err(invalid)
}

fn report_state(u: &storage::TaskUnitRow) -> Result<ReportState> {
    ReportState::parse(&u.report_state)
        .ok_or_else(|| AppError::internal(format!("report state {:?}", u.report_state)))
}

/// The ids of the manuals a checklist names.
fn named_manuals(fields: &TaskFields) -> impl Iterator<Item = i64> + '_ {
    fields
        .checklist
        .iter()
        .flat_map(|item| match item {
            task::ItemKind::Manuals { manual_ids } => manual_ids.as_slice(),
            _ => &[],
        })
        .copied()
}

fn code_of(s: &str) -> Result<UnitCode> {
    UnitCode::parse(s).map_err(AppError::internal)
}

/// The fields checked against the issuer's subtree.
async fn checked(app: &App, issuer: &UnitCode, fields: TaskFields) -> Result<TaskFields> {
    let below: HashSet<String> = app
        .db
        .task_candidates(issuer)
        .await?
        .into_iter()
        .map(|c| c.1)
        .collect();
    let fields = task::check(fields, issuer, |c| {
        c == issuer || below.contains(c.as_str())
    })
    .map_err(AppError::Invalid)?;
    // A manual the checklist names must be one a point can pin: published.
    let mut problems = Vec::new();
    for id in named_manuals(&fields) {
        let published = app
            .db
            .manual_row(id)
            .await?
            .is_some_and(|m| m.state == "published");
        if !published {
            problems.push(domain::Problem::new(
                "checklist.manuals",
                format!("ไม่พบคู่มือที่เผยแพร่แล้วหมายเลข {id}"),
                format!("No published manual has the id {id}"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(fields)
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// The units the caller may set tasks from: those they administer or supervise that
/// have units below them, as (code, name).
pub async fn issuers(app: &App, caller: &Caller) -> Result<Vec<(UnitCode, String)>> {
    let mut out = Vec::new();
    for m in app.db.memberships(caller.user.id).await? {
        if matches!(m.role.as_str(), "admin" | "supervisor")
            && app.db.has_task_candidates(&m.unit).await?
        {
            out.push((m.unit, m.unit_name_th));
        }
    }
    Ok(out)
}

/// The units below `issuer` a task can go to, as (code, kind, name).
pub async fn candidates(
    app: &App,
    caller: &Caller,
    issuer: &UnitCode,
) -> Result<Vec<(String, String, String)>> {
    caller.require(app, issuer, Right::ManageTasks).await?;
    Ok(app
        .db
        .task_candidates(issuer)
        .await?
        .into_iter()
        .map(|(_, code, kind, name)| (code, kind, name))
        .collect())
}

/// The task `id` once the caller may manage it.
async fn managed(app: &App, caller: &Caller, id: i64) -> Result<storage::TaskRow> {
    let t = app.db.task(id).await?.ok_or(AppError::NotFound("task"))?;
    caller
        .require(app, &code_of(&t.issuer_code)?, Right::ManageTasks)
        .await
        // A target unit's member may read the task, not manage it: the same refusal
        // for both and for anyone else.
        .map_err(|_| AppError::Forbidden)?;
    Ok(t)
}

/// Succeeds when the caller manages task `id`: what a route checks before it reads a
/// request's body.
pub async fn may_manage(app: &App, caller: &Caller, id: i64) -> Result<()> {
    managed(app, caller, id).await.map(|_| ())
}

/// Saves a draft for `issuer`, a unit with units below it; its id.
pub async fn create(
    app: &App,
    caller: &Caller,
    issuer: &UnitCode,
    fields: TaskFields,
) -> Result<i64> {
    caller.require(app, issuer, Right::ManageTasks).await?;
    if !fields.attachments.is_empty() {
        return Err(AppError::Invalid(vec![attachments_by_upload()]));
    }
    let fields = checked(app, issuer, fields).await?;
    let chain = app
        .db
        .unit_chain(issuer)
        .await?
        .ok_or(AppError::NotFound("unit"))?;
    Ok(app
        .db
        .create_task(chain[0].0, &fields, Some(caller.user.id), Utc::now())
        .await?)
}

/// Replaces a draft's fields.
pub async fn update(app: &App, caller: &Caller, id: i64, fields: TaskFields) -> Result<()> {
    let t = managed(app, caller, id).await?;
    moved(
        &t,
        TaskAction::Edit {
            deadline: fields.deadline,
        },
    )?;
    if t.state != TaskState::Draft {
        return Err(invalid(task::TaskError::AlreadyIssued));
    }
    // Attachments come and go by their own upload and removal, whose files they name.
    let mut fields = fields;
    fields.attachments = t.fields.attachments.clone();
    let fields = checked(app, &code_of(&t.issuer_code)?, fields).await?;
    if app.db.update_draft(id, &fields, Utc::now()).await? {
        Ok(())
    } else {
        Err(AppError::Stale)
    }
}

/// The units a task goes to, resolved in the issuer's subtree now by the task's own
/// rule ([`Targets::covers`]).
async fn targets(app: &App, t: &storage::TaskRow) -> Result<Vec<(i64, String)>> {
    let issuer = code_of(&t.issuer_code)?;
    let candidates = app.db.task_candidates(&issuer).await?;
    // Below a subtree's root, when the task names one; every candidate is below the
    // issuer already.
    let under: HashSet<String> = match &t.fields.targets {
        Targets::Subtree { root } => app
            .db
            .task_candidates(root)
            .await?
            .into_iter()
            .map(|c| c.1)
            .collect(),
        _ => HashSet::new(),
    };
    let mut out = Vec::new();
    for (id, code, kind, _) in candidates {
        let unit = code_of(&code)?;
        let within = |root: &UnitCode| root == &issuer || root == &unit || under.contains(&code);
        if t.fields.targets.covers(&issuer, &unit, &kind, within) {
            out.push((id, code));
        }
    }
    if out.is_empty() {
        return Err(AppError::Invalid(vec![domain::Problem::new(
            "targets",
            "ไม่มีหน่วยงานตามที่เลือกในสังกัด".to_owned(),
            "No unit below the issuing office matches the targets".to_owned(),
        )]));
    }
    Ok(out)
}

/// Issues a draft to its target units, fixed now; their codes.
pub async fn issue(app: &App, caller: &Caller, id: i64) -> Result<Vec<String>> {
    let t = managed(app, caller, id).await?;
    moved(&t, TaskAction::Issue)?;
    let units = targets(app, &t).await?;
    let ids: Vec<i64> = units.iter().map(|u| u.0).collect();
    if app.db.issue_task(id, &ids, Utc::now()).await? {
        Ok(units.into_iter().map(|u| u.1).collect())
    } else {
        Err(AppError::Stale)
    }
}

/// Moves an issued task's deadline later.
pub async fn extend(app: &App, caller: &Caller, id: i64, to: NaiveDate) -> Result<()> {
    let t = managed(app, caller, id).await?;
    moved(&t, TaskAction::Extend { to })?;
    if app
        .db
        .extend_task(id, t.fields.deadline, to, Some(caller.user.id), Utc::now())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::Stale)
    }
}

pub async fn close(app: &App, caller: &Caller, id: i64) -> Result<()> {
    let t = managed(app, caller, id).await?;
    moved(&t, TaskAction::Close)?;
    if app.db.close_task(id, Utc::now()).await? {
        Ok(())
    } else {
        Err(AppError::Stale)
    }
}

/// Deletes a draft.
pub async fn discard(app: &App, caller: &Caller, id: i64) -> Result<()> {
    let t = managed(app, caller, id).await?;
    task::discard(t.state).map_err(invalid)?;
    if app.db.discard_draft(id).await? {
        for a in &t.fields.attachments {
            if let Err(e) = app.media.delete(&a.file_key).await {
                tracing::warn!(error = %e, task = id, "a discarded draft's file stays in the store");
            }
        }
        Ok(())
    } else {
        Err(AppError::Stale)
    }
}

/// The task, for its issuing office's staff and for the members of a unit it was
/// issued to.
pub async fn get(app: &App, caller: &Caller, id: i64) -> Result<TaskView> {
    let t = app.db.task(id).await?.ok_or(AppError::NotFound("task"))?;
    let manages = caller
        .require(app, &code_of(&t.issuer_code)?, Right::ManageTasks)
        .await
        .is_ok();
    // Any role on a target unit or above it reads an issued task (Right::Report).
    if !manages && (t.state == TaskState::Draft || !app.db.task_reaches(id, caller.user.id).await?)
    {
        return Err(AppError::Forbidden);
    }
    let extensions = app.db.task_extensions(id).await?;
    Ok(TaskView {
        task: t,
        extensions,
        manages,
    })
}

/// What a unit said on its report form, kept with its row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declarations {
    #[serde(default)]
    pub declared: BTreeSet<ItemKey>,
    #[serde(default)]
    pub remarks: BTreeMap<ItemKey, String>,
    /// The photo shown with a declaration, by its media store key.
    #[serde(default)]
    pub photos: BTreeMap<ItemKey, String>,
}

/// One target unit on the issuer's dashboard, its checklist checked now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub code: String,
    pub name_th: String,
    pub state: UnitState,
    /// The report's own state, of which `state` is the dashboard's reading.
    pub report: ReportState,
    pub items: Vec<ItemState>,
    pub items_done: usize,
    pub first_submitted_at: Option<chrono::DateTime<Utc>>,
    pub submitted_at: Option<chrono::DateTime<Utc>>,
    pub reporter_name: Option<String>,
    pub reporter_position: Option<String>,
    /// Why the issuer last returned the report.
    pub return_comment: Option<String>,
    pub decided_at: Option<chrono::DateTime<Utc>>,
    /// The last reminder mailed to the unit's members: its Bangkok day and how many
    /// it reached (0: nobody had an address). On the dashboard only.
    pub last_reminder: Option<(NaiveDate, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub task: storage::TaskRow,
    pub rows: Vec<UnitRow>,
    pub totals: Totals,
}

/// Every version of each manual the checklist names, as the version named: a manual
/// republished during the task moves its pins to the new version, which still counts.
async fn manual_aliases(app: &App, t: &storage::TaskRow) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for id in named_manuals(&t.fields) {
        if let Some(m) = app.db.manual_row(id).await? {
            for v in app.db.manual_versions(&m.key).await? {
                out.insert(v.id, id);
            }
        }
    }
    Ok(out)
}

/// A unit's row, its checklist checked against the data as it stands.
fn unit_row(
    t: &storage::TaskRow,
    u: storage::TaskUnitRow,
    today: NaiveDate,
    aliases: &HashMap<i64, i64>,
    (members, mut points): (Vec<String>, Vec<task::PointFacts>),
) -> Result<UnitRow> {
    for p in &mut points {
        p.pinned_manuals = p
            .pinned_manuals
            .iter()
            .map(|id| aliases.get(id).copied().unwrap_or(*id))
            .collect();
    }
    let said: Declarations = serde_json::from_str(&u.report_items).map_err(AppError::internal)?;
    let facts = UnitFacts {
        members,
        points,
        declared: said.declared,
        remarks: said.remarks,
        photos: said.photos.into_keys().collect(),
    };
    let issued_at = t.issued_at.ok_or(AppError::NotFound("task"))?;
    let items = task::self_check(&t.fields.checklist, &facts, issued_at);
    let items_done = items.iter().filter(|i| i.done).count();
    let report = report_state(&u)?;
    Ok(UnitRow {
        state: task::unit_state(report, items_done, t.fields.deadline, today, t.state),
        report,
        code: u.code,
        name_th: u.name_th,
        items,
        items_done,
        first_submitted_at: u.first_submitted_at,
        submitted_at: u.submitted_at,
        reporter_name: u.reporter_name,
        reporter_position: u.reporter_position,
        return_comment: u.return_comment,
        decided_at: u.decided_at,
        last_reminder: None,
    })
}

/// The issuer's dashboard: every target unit's state and checklist, and the totals
/// with the reporting and on-time rates.
pub async fn dashboard(app: &App, caller: &Caller, id: i64) -> Result<Dashboard> {
    let t = managed(app, caller, id).await?;
    if t.state == TaskState::Draft {
        return Err(invalid(task::TaskError::NotIssued));
    }
    let today = today();
    let aliases = manual_aliases(app, &t).await?;
    let mut rows = Vec::new();
    // Newest day first: the first seen per unit is its last.
    let mut reminded: HashMap<String, (NaiveDate, i64)> = HashMap::new();
    for r in app.db.task_reminders(id).await? {
        reminded.entry(r.unit_code).or_insert((r.day, r.recipients));
    }
    let mut facts = app.db.task_facts(id, None).await?;
    for u in app.db.task_units(id).await? {
        let of_unit = facts.remove(&u.unit_id).unwrap_or_default();
        let mut row = unit_row(&t, u, today, &aliases, of_unit)?;
        row.last_reminder = reminded.get(&row.code).copied();
        rows.push(row);
    }
    let reports: Vec<UnitReport> = rows
        .iter()
        .map(|r| UnitReport {
            state: r.report,
            first_submitted_at: r.first_submitted_at,
        })
        .collect();
    let totals = task::totals(rows.len(), t.fields.deadline, &reports);
    Ok(Dashboard {
        task: t,
        rows,
        totals,
    })
}

/// A target unit's report with the task it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportView {
    pub task: storage::TaskRow,
    pub row: UnitRow,
    /// The caller may change the report (the unit's editors, and those above it).
    pub writes: bool,
    /// The caller may accept or return it (the issuing office's staff).
    pub reviews: bool,
}

async fn target_row(
    app: &App,
    id: i64,
    unit: &UnitCode,
) -> Result<(storage::TaskRow, storage::TaskUnitRow)> {
    let t = app.db.task(id).await?.ok_or(AppError::NotFound("task"))?;
    let u = app
        .db
        .task_unit(id, unit)
        .await?
        .ok_or(AppError::NotFound("task"))?;
    Ok((t, u))
}

/// A target unit's report, its checklist checked now: for the unit's members and
/// those above it, the issuing office's staff among them; never another unit's.
pub async fn report(app: &App, caller: &Caller, id: i64, unit: &UnitCode) -> Result<ReportView> {
    caller.require(app, unit, Right::Report).await?;
    let (t, u) = target_row(app, id, unit).await?;
    let writes = caller.require(app, unit, Right::Edit).await.is_ok();
    let reviews = caller
        .require(app, &code_of(&t.issuer_code)?, Right::ManageTasks)
        .await
        .is_ok();
    let aliases = manual_aliases(app, &t).await?;
    let of_unit = app
        .db
        .task_facts(id, Some(u.unit_id))
        .await?
        .remove(&u.unit_id)
        .unwrap_or_default();
    let row = unit_row(&t, u, today(), &aliases, of_unit)?;
    Ok(ReportView {
        task: t,
        row,
        writes,
        reviews,
    })
}

fn report_error(e: task::ReportError) -> AppError {
    AppError::Invalid(vec![e.problem()])
}

/// A report form as the unit sends it.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub form: task::ReportForm,
    /// Sent to the issuer, not only saved.
    pub submit: bool,
    /// The report's state the form was read in: a form read before the issuer's
    /// decision changes nothing.
    pub seen: Option<ReportState>,
}

/// Saves the unit's report form, and sends it to the issuer when asked: again after
/// a return, and over a submission not yet reviewed. Written by the unit's editors,
/// and by those above it (an office may enter the paper form of a unit that has no
/// account yet).
pub async fn write_report(
    app: &App,
    caller: &Caller,
    id: i64,
    unit: &UnitCode,
    input: ReportInput,
    address: crate::Address<'_>,
) -> Result<ReportView> {
    let ReportInput { form, submit, seen } = input;
    caller.require(app, unit, Right::Edit).await?;
    let (t, u) = target_row(app, id, unit).await?;
    let current = report_state(&u)?;
    if seen.is_some_and(|s| s != current) {
        return Err(AppError::Stale);
    }
    let action = if submit {
        task::ReportAction::Submit
    } else {
        task::ReportAction::Save
    };
    let to = task::report_transition(t.state, current, &action).map_err(report_error)?;
    let form = task::report_form(&t.fields.checklist, form, submit).map_err(AppError::Invalid)?;
    // The photos come and go by their own upload: the form keeps them.
    let kept: Declarations = serde_json::from_str(&u.report_items).map_err(AppError::internal)?;
    let items = serde_json::to_string(&Declarations {
        declared: form.declared,
        remarks: form.remarks,
        photos: kept.photos,
    })
    .map_err(AppError::internal)?;
    let write = storage::ReportWrite {
        from: current.as_str(),
        to: to.as_str(),
        items: &items,
        reporter_name: Some(form.reporter_name.as_str()).filter(|s| !s.is_empty()),
        reporter_position: Some(form.reporter_position.as_str()).filter(|s| !s.is_empty()),
        submit,
    };
    if !app
        .db
        .write_report(id, u.unit_id, write, editor(caller, address), Utc::now())
        .await?
    {
        return Err(AppError::Stale);
    }
    report(app, caller, id, unit).await
}

/// The issuer accepts a submitted report, or returns it to the unit with a comment.
/// `seen` is when the submission the reviewer read was sent: a decision on an older
/// one (the unit sent again meanwhile) changes nothing.
pub async fn review(
    app: &App,
    caller: &Caller,
    id: i64,
    unit: &UnitCode,
    action: task::ReportAction,
    seen: Option<chrono::DateTime<Utc>>,
    address: crate::Address<'_>,
) -> Result<ReportView> {
    let t = managed(app, caller, id).await?;
    let (_, u) = target_row(app, id, unit).await?;
    let current = report_state(&u)?;
    let comment = match &action {
        task::ReportAction::Accept => None,
        task::ReportAction::Return { comment } => {
            Some(task::return_comment(comment).map_err(report_error)?)
        }
        _ => return Err(AppError::internal("a review accepts or returns")),
    };
    let to = task::report_transition(t.state, current, &action).map_err(report_error)?;
    if !app
        .db
        .decide_report(
            id,
            u.unit_id,
            to.as_str(),
            comment.as_deref(),
            seen,
            editor(caller, address),
            Utc::now(),
        )
        .await?
    {
        return Err(AppError::Stale);
    }
    report(app, caller, id, unit).await
}

/// A task on the caller's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskLine {
    pub task: storage::TaskRow,
    /// The caller manages it (issued by, or above, a unit they administer).
    pub manages: bool,
    /// The caller's units it was issued to, each with its report's state.
    pub reporting: Vec<(String, ReportState)>,
    /// Days to the deadline from today in Bangkok, negative once past.
    pub days_left: i64,
}

/// The tasks of the caller's units, newest first: those they issued, and the issued
/// ones set to them. With `open_only`, the issued ones alone (the back office home).
pub async fn list(app: &App, caller: &Caller, open_only: bool) -> Result<Vec<TaskLine>> {
    let memberships = app.db.memberships(caller.user.id).await?;
    let mut ids = Vec::new();
    let mut codes = HashSet::new();
    for m in &memberships {
        if let Some(chain) = app.db.unit_chain(&m.unit).await? {
            ids.push(chain[0].0);
            codes.insert(m.unit.as_str().to_owned());
        }
    }
    let today = today();
    let mut out = Vec::new();
    for t in app.db.tasks_of(&ids).await? {
        if open_only && t.state != TaskState::Issued {
            continue;
        }
        let manages = caller
            .require(app, &code_of(&t.issuer_code)?, Right::ManageTasks)
            .await
            .is_ok();
        let mut reporting = Vec::new();
        if t.state != TaskState::Draft {
            for u in app.db.task_units(t.id).await? {
                if codes.contains(&u.code) {
                    let state = report_state(&u)?;
                    reporting.push((u.code, state));
                }
            }
        }
        // A draft shows only to those who may manage it.
        if !manages && reporting.is_empty() {
            continue;
        }
        out.push(TaskLine {
            days_left: (t.fields.deadline - today).num_days(),
            task: t,
            manages,
            reporting,
        });
    }
    Ok(out)
}

/// The letter's attachment 2: the Authorize Codes of the task's target units, in code
/// order, as (unit code, name, Authorize Code). Units without a code get one, as the
/// unit's own listing gives them.
pub async fn codes(
    app: &App,
    caller: &Caller,
    id: i64,
    address: crate::Address<'_>,
) -> Result<Vec<(String, String, String)>> {
    let t = managed(app, caller, id).await?;
    if t.state == TaskState::Draft {
        return Err(invalid(task::TaskError::NotIssued));
    }
    let targets: HashSet<String> = app
        .db
        .task_units(id)
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    let issuer = code_of(&t.issuer_code)?;
    Ok(crate::staff::codes_below(app, caller, &issuer, address)
        .await?
        .into_iter()
        .filter(|r| targets.contains(r.unit.as_str()))
        .map(|r| (r.unit.to_string(), r.name_th, r.code))
        .collect())
}

/// What the letter prints of its issuing office and its addressees.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterFacts {
    pub task: storage::TaskRow,
    pub issuer_name: String,
    /// The office's address and how to reach it, from its service point, when it has
    /// one: (address, phones, e-mail).
    pub issuer_contact: Option<(String, Vec<String>, Option<String>)>,
    /// The units it goes to: those fixed at issue, or for a draft those its targets
    /// name now. (code, name)
    pub targets: Vec<(String, String)>,
}

/// The facts of the letter of a task, for its issuing office's staff: a unit without
/// an account yet is reached by the letter the office sends through its own system.
pub async fn letter(app: &App, caller: &Caller, id: i64) -> Result<LetterFacts> {
    let t = managed(app, caller, id).await?;
    let issuer = code_of(&t.issuer_code)?;
    let chain = app
        .db
        .unit_chain_named(&issuer)
        .await?
        .ok_or(AppError::NotFound("unit"))?;
    let issuer_name = chain[0].3.clone();
    let mut issuer_contact = None;
    let points = app.db.task_unit_points(&issuer).await?;
    if let Some(point) = points.first()
        && let Some(p) = app.db.point_for_edit(&code_of(point)?).await?
    {
        let phones = p
            .state
            .phones
            .iter()
            .map(|ph| match &ph.ext {
                Some(ext) => format!("{} ต่อ {ext}", ph.number),
                None => ph.number.clone(),
            })
            .collect();
        issuer_contact = Some((p.state.address.line_th(), phones, p.state.email.clone()));
    }
    let targets = if t.state == TaskState::Draft {
        let names: HashMap<String, String> = app
            .db
            .task_candidates(&issuer)
            .await?
            .into_iter()
            .map(|c| (c.1, c.3))
            .collect();
        match targets(app, &t).await {
            Ok(units) => units
                .into_iter()
                .map(|(_, code)| {
                    let name = names.get(&code).cloned().unwrap_or_default();
                    (code, name)
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    } else {
        app.db
            .task_units(id)
            .await?
            .into_iter()
            .map(|u| (u.code, u.name_th))
            .collect()
    };
    Ok(LetterFacts {
        task: t,
        issuer_name,
        issuer_contact,
        targets,
    })
}

/// Where a task's attachments are kept in the media store; never served as public
/// media.
pub const ATTACHMENT_PREFIX: &str = "tasks/";

fn attachments_by_upload() -> domain::Problem {
    domain::Problem::new(
        "attachments",
        "ไฟล์แนบเพิ่มได้ด้วยการอัปโหลดที่งานที่บันทึกร่างแล้ว",
        "Attachments are added by uploading them to the saved draft",
    )
}

/// Adds a file to a draft's attachments, checked by its content (PDF, Word, Excel,
/// JPEG or PNG, at most 10 MB); the task as it is after.
pub async fn add_attachment(
    app: &App,
    caller: &Caller,
    id: i64,
    title: &str,
    bytes: Vec<u8>,
) -> Result<TaskView> {
    let t = managed(app, caller, id).await?;
    if t.state != TaskState::Draft {
        return Err(invalid(task::TaskError::AlreadyIssued));
    }
    let mut problems = Vec::new();
    let kind = if bytes.len() > task::ATTACHMENT_MAX_BYTES {
        problems.push(domain::Problem::new(
            "file",
            "ไฟล์ใหญ่เกิน 10 MB",
            "The file is larger than 10 MB",
        ));
        None
    } else {
        let k = task::attachment_kind(&bytes);
        if k.is_none() {
            problems.push(domain::Problem::new(
                "file",
                "ไฟล์แนบต้องเป็น PDF, Word (.docx), Excel (.xlsx), JPEG หรือ PNG",
                "An attachment is a PDF, Word (.docx), Excel (.xlsx), JPEG or PNG file",
            ));
        }
        k
    };
    let mut attachments = t.fields.attachments.clone();
    attachments.push(task::Attachment {
        title: title.to_owned(),
        file_key: "pending".into(),
    });
    // The title's rules and the number of attachments are the task's own.
    let mut probe = t.fields.clone();
    probe.attachments = attachments.clone();
    if let Err(AppError::Invalid(p)) = checked(app, &code_of(&t.issuer_code)?, probe).await {
        problems.extend(p.into_iter().filter(|p| p.field.starts_with("attachments")));
    }
    let Some((ext, content_type)) = kind.filter(|_| problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let key = format!(
        "{ATTACHMENT_PREFIX}{id}/{:016x}{:016x}.{ext}",
        rand::random::<u64>(),
        rand::random::<u64>()
    );
    app.media
        .put(&key, bytes, content_type)
        .await
        .map_err(AppError::internal)?;
    let last = attachments.len() - 1;
    attachments[last] = task::Attachment {
        title: title.split_whitespace().collect::<Vec<_>>().join(" "),
        file_key: key.clone(),
    };
    if !app
        .db
        .set_task_attachments(id, &t.fields.attachments, &attachments, Utc::now())
        .await?
    {
        // Nothing names the file now.
        let _ = app.media.delete(&key).await;
        return Err(AppError::Stale);
    }
    get(app, caller, id).await
}

/// Removes a draft's attachment `n` (1-based) and its file. With `key`, only when
/// that is still the file at `n`: a page read before another removal moved the list
/// removes nothing.
pub async fn remove_attachment(
    app: &App,
    caller: &Caller,
    id: i64,
    n: usize,
    key: Option<&str>,
) -> Result<TaskView> {
    let t = managed(app, caller, id).await?;
    if t.state != TaskState::Draft {
        return Err(invalid(task::TaskError::AlreadyIssued));
    }
    if n == 0 || n > t.fields.attachments.len() {
        return Err(AppError::NotFound("attachment"));
    }
    if key.is_some_and(|k| k != t.fields.attachments[n - 1].file_key) {
        return Err(AppError::Stale);
    }
    let mut attachments = t.fields.attachments.clone();
    let gone = attachments.remove(n - 1);
    if !app
        .db
        .set_task_attachments(id, &t.fields.attachments, &attachments, Utc::now())
        .await?
    {
        return Err(AppError::Stale);
    }
    if let Err(e) = app.media.delete(&gone.file_key).await {
        tracing::warn!(error = %e, task = id, "a removed attachment's file stays in the store");
    }
    get(app, caller, id).await
}

/// Attachment `n` (1-based) of a task, for those who read the task: its title, bytes
/// and content type.
pub async fn attachment(
    app: &App,
    caller: &Caller,
    id: i64,
    n: usize,
) -> Result<(String, Vec<u8>, String)> {
    let v = get(app, caller, id).await?;
    let a = n
        .checked_sub(1)
        .and_then(|i| v.task.fields.attachments.get(i))
        .ok_or(AppError::NotFound("attachment"))?;
    if !a.file_key.starts_with(ATTACHMENT_PREFIX) {
        return Err(AppError::NotFound("attachment"));
    }
    let o = app
        .media
        .get(&a.file_key)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound("attachment"))?;
    Ok((a.title.clone(), o.bytes, o.content_type))
}

/// Shows a photo with the unit's declaration of `item` (the poster on the wall),
/// replacing the one it had: re-encoded without its metadata, as a point's photos.
/// The unit's editors and those above it, while the report is not accepted.
pub async fn declaration_photo(
    app: &App,
    caller: &Caller,
    id: i64,
    unit: &UnitCode,
    item: ItemKey,
    bytes: Vec<u8>,
) -> Result<ReportView> {
    caller.require(app, unit, Right::Edit).await?;
    let (t, u) = target_row(app, id, unit).await?;
    let current = report_state(&u)?;
    task::report_transition(t.state, current, &task::ReportAction::Save).map_err(report_error)?;
    if !t
        .fields
        .checklist
        .iter()
        .any(|i| i.key() == item && i.needs_declaration())
    {
        return Err(AppError::NotFound("item"));
    }
    let processed = crate::photos::prepare(bytes).await?;
    let key = format!(
        "{ATTACHMENT_PREFIX}{id}/units/{}/{}.jpg",
        unit.as_str(),
        processed.hash
    );
    app.media
        .put(&key, processed.display, media::CONTENT_TYPE)
        .await
        .map_err(AppError::internal)?;
    let mut said: Declarations =
        serde_json::from_str(&u.report_items).map_err(AppError::internal)?;
    let replaced = said.photos.insert(item, key.clone());
    let to = serde_json::to_string(&said).map_err(AppError::internal)?;
    if !app
        .db
        .set_report_items(id, u.unit_id, &u.report_items, &to)
        .await?
    {
        return Err(AppError::Stale);
    }
    if let Some(old) = replaced.filter(|old| *old != key)
        && let Err(e) = app.media.delete(&old).await
    {
        tracing::warn!(error = %e, task = id, "a replaced declaration photo stays in the store");
    }
    report(app, caller, id, unit).await
}

/// The photo of a unit's declaration of `item`, for those who read its report.
pub async fn declaration_photo_file(
    app: &App,
    caller: &Caller,
    id: i64,
    unit: &UnitCode,
    item: ItemKey,
) -> Result<Vec<u8>> {
    caller.require(app, unit, Right::Report).await?;
    let (_, u) = target_row(app, id, unit).await?;
    let said: Declarations = serde_json::from_str(&u.report_items).map_err(AppError::internal)?;
    let key = said.photos.get(&item).ok_or(AppError::NotFound("photo"))?;
    Ok(app
        .media
        .get(key)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound("photo"))?
        .bytes)
}

/// The caller's own units a task went to, as (code, name): where their report is.
pub async fn own_targets(app: &App, caller: &Caller, id: i64) -> Result<Vec<(String, String)>> {
    let mine: HashSet<String> = app
        .db
        .memberships(caller.user.id)
        .await?
        .into_iter()
        .map(|m| m.unit.as_str().to_owned())
        .collect();
    Ok(app
        .db
        .task_units(id)
        .await?
        .into_iter()
        .filter(|u| mine.contains(&u.code))
        .map(|u| (u.code, u.name_th))
        .collect())
}
