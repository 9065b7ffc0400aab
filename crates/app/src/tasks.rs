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
use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::caller::Caller;
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
    task::check(fields, issuer, |c| {
        c == issuer || below.contains(c.as_str())
    })
    .map_err(AppError::Invalid)
}

/// The task `id` once the caller may manage it.
async fn managed(app: &App, caller: &Caller, id: i64) -> Result<storage::TaskRow> {
    let t = app.db.task(id).await?.ok_or(AppError::NotFound("task"))?;
    caller
        .require(app, &code_of(&t.issuer_code)?, Right::ManageTasks)
        .await
        // A target unit's member may read the task, not manage it; anyone else learns
        // nothing of it.
        .map_err(|_| AppError::Forbidden)?;
    Ok(t)
}

/// Saves a draft for `issuer`, a unit with units below it; its id.
pub async fn create(
    app: &App,
    caller: &Caller,
    issuer: &UnitCode,
    fields: TaskFields,
) -> Result<i64> {
    caller.require(app, issuer, Right::ManageTasks).await?;
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
    task::transition(
        TaskStatus {
            state: t.state,
            deadline: t.fields.deadline,
        },
        TaskAction::Edit {
            deadline: fields.deadline,
        },
        today(),
    )
    .map_err(invalid)?;
    if t.state != TaskState::Draft {
        return Err(invalid(task::TaskError::AlreadyIssued));
    }
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
    for (id, code, kind) in candidates {
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
    task::transition(
        TaskStatus {
            state: t.state,
            deadline: t.fields.deadline,
        },
        TaskAction::Issue,
        today(),
    )
    .map_err(invalid)?;
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
    task::transition(
        TaskStatus {
            state: t.state,
            deadline: t.fields.deadline,
        },
        TaskAction::Extend { to },
        today(),
    )
    .map_err(invalid)?;
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
    task::transition(
        TaskStatus {
            state: t.state,
            deadline: t.fields.deadline,
        },
        TaskAction::Close,
        today(),
    )
    .map_err(invalid)?;
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
    if !manages {
        let mut reads = false;
        if t.state != TaskState::Draft {
            for u in app.db.task_units(id).await? {
                if caller
                    .require(app, &code_of(&u.code)?, Right::Report)
                    .await
                    .is_ok()
                {
                    reads = true;
                    break;
                }
            }
        }
        if !reads {
            return Err(AppError::Forbidden);
        }
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub task: storage::TaskRow,
    pub rows: Vec<UnitRow>,
    pub totals: Totals,
}

/// A unit's row, its checklist checked against the data as it stands.
async fn unit_row(
    app: &App,
    t: &storage::TaskRow,
    u: storage::TaskUnitRow,
    today: NaiveDate,
) -> Result<UnitRow> {
    let (members, points) = app.db.task_unit_facts(u.unit_id).await?;
    let said: Declarations = serde_json::from_str(&u.report_items).map_err(AppError::internal)?;
    let facts = UnitFacts {
        members,
        points,
        declared: said.declared,
        remarks: said.remarks,
    };
    let issued_at = t.issued_at.ok_or(AppError::NotFound("task"))?;
    let items = task::self_check(&t.fields.checklist, &facts, issued_at);
    let items_done = items.iter().filter(|i| i.done).count();
    let report = ReportState::parse(&u.report_state)
        .ok_or_else(|| AppError::internal(format!("report state {:?}", u.report_state)))?;
    Ok(UnitRow {
        state: task::unit_state(report, items_done, t.fields.deadline, today, t.state),
        report,
        code: u.code,
        name_th: u.name_th,
        items,
        items_done,
        first_submitted_at: u.first_submitted_at,
        submitted_at: u.submitted_at,
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
    let mut rows = Vec::new();
    for u in app.db.task_units(id).await? {
        rows.push(unit_row(app, &t, u, today).await?);
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

/// A target unit's own row of a task, for its members: never another unit's.
pub async fn unit_view(app: &App, caller: &Caller, id: i64, unit: &UnitCode) -> Result<UnitRow> {
    caller.require(app, unit, Right::Report).await?;
    let t = app.db.task(id).await?.ok_or(AppError::NotFound("task"))?;
    let u = app
        .db
        .task_units(id)
        .await?
        .into_iter()
        .find(|u| u.code == unit.as_str())
        .ok_or(AppError::NotFound("task"))?;
    unit_row(app, &t, u, today()).await
}
