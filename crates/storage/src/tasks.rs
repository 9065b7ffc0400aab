//! Rollout tasks: the supervising office's letter with its checklist and deadline, the
//! target units fixed at issue, each unit's report, and the extensions made.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::task::{Attachment, ItemKind, PointFacts, Targets, TaskFields, TaskState};

use crate::db::BeginWrite;
use crate::posters::Editor;
use crate::{Db, StorageError, on_pool};

/// The audit record of a report's move; `unit_id` is the reporting unit.
const REPORT_AUDIT: &str = "INSERT INTO audit_log (at, actor, action, unit_id, detail, address, user_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

const SELECT_TASK_UNITS: &str = "SELECT tu.unit_id, u.code, u.name_th, tu.report_state, tu.report_items, \
     tu.first_submitted_at, tu.submitted_at, tu.reporter_name, tu.reporter_position, tu.return_comment, tu.decided_at \
     FROM task_units tu JOIN units u ON u.id = tu.unit_id";

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub id: i64,
    pub issuer_unit_id: i64,
    pub issuer_code: String,
    pub state: TaskState,
    pub fields: TaskFields,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct RawTask {
    id: i64,
    issuer_unit_id: i64,
    issuer_code: String,
    state: String,
    title: String,
    letter_number: String,
    letter_date: NaiveDate,
    body: String,
    deadline: NaiveDate,
    targets: String,
    checklist: String,
    attachments: String,
    created_at: DateTime<Utc>,
    created_by: Option<i64>,
    updated_at: DateTime<Utc>,
    issued_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

const SELECT_TASKS: &str = "SELECT t.id, t.issuer_unit_id, u.code AS issuer_code, t.state, t.title, \
     t.letter_number, t.letter_date, t.body, t.deadline, t.targets, t.checklist, t.attachments, t.created_at, \
     t.created_by, t.updated_at, t.issued_at, t.closed_at FROM tasks t JOIN units u ON u.id = t.issuer_unit_id";

fn json_error(what: &str, id: i64, e: serde_json::Error) -> StorageError {
    StorageError::Data(format!("task {id}: {what}: {e}"))
}

impl RawTask {
    fn decode(self) -> Result<TaskRow, StorageError> {
        let id = self.id;
        let state = TaskState::parse(&self.state)
            .ok_or_else(|| StorageError::Data(format!("task {id}: state {:?}", self.state)))?;
        let targets: Targets =
            serde_json::from_str(&self.targets).map_err(|e| json_error("targets", id, e))?;
        let checklist: Vec<ItemKind> =
            serde_json::from_str(&self.checklist).map_err(|e| json_error("checklist", id, e))?;
        let attachments: Vec<Attachment> = serde_json::from_str(&self.attachments)
            .map_err(|e| json_error("attachments", id, e))?;
        Ok(TaskRow {
            id,
            issuer_unit_id: self.issuer_unit_id,
            issuer_code: self.issuer_code,
            state,
            fields: TaskFields {
                title: self.title,
                letter_number: self.letter_number,
                letter_date: self.letter_date,
                body: self.body,
                deadline: self.deadline,
                targets,
                attachments,
                checklist,
            },
            created_at: self.created_at,
            created_by: self.created_by,
            updated_at: self.updated_at,
            issued_at: self.issued_at,
            closed_at: self.closed_at,
        })
    }
}

/// The JSON columns of a task's fields.
fn encoded(f: &TaskFields) -> Result<(String, String, String), StorageError> {
    let enc = |e: serde_json::Error| StorageError::Data(format!("task fields: {e}"));
    Ok((
        serde_json::to_string(&f.targets).map_err(enc)?,
        serde_json::to_string(&f.checklist).map_err(enc)?,
        serde_json::to_string(&f.attachments).map_err(enc)?,
    ))
}

/// A target unit's row of an issued task.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskUnitRow {
    pub unit_id: i64,
    pub code: String,
    pub name_th: String,
    pub report_state: String,
    /// The unit's declarations and remarks, as JSON.
    pub report_items: String,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reporter_name: Option<String>,
    pub reporter_position: Option<String>,
    /// Why the issuer last returned the report.
    pub return_comment: Option<String>,
    /// When the issuer last accepted or returned it.
    pub decided_at: Option<DateTime<Utc>>,
}

/// What a unit writes on its report form.
#[derive(Debug, Clone, Copy)]
pub struct ReportWrite<'a> {
    /// The report's state the form was read in: a write over another one changes
    /// nothing.
    pub from: &'a str,
    pub to: &'a str,
    pub items: &'a str,
    pub reporter_name: Option<&'a str>,
    pub reporter_position: Option<&'a str>,
    /// Sent to the issuer now, not only saved.
    pub submit: bool,
}

impl Db {
    /// Saves a new draft; its id.
    pub async fn create_task(
        &self,
        issuer_unit_id: i64,
        fields: &TaskFields,
        by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let (targets, checklist, attachments) = encoded(fields)?;
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO tasks (issuer_unit_id, state, title, letter_number, letter_date, body, deadline, \
                 targets, checklist, attachments, created_at, created_by, updated_at) \
                 VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10) RETURNING id")
                .bind(issuer_unit_id).bind(&fields.title).bind(&fields.letter_number)
                .bind(fields.letter_date).bind(&fields.body).bind(fields.deadline)
                .bind(&targets).bind(&checklist).bind(&attachments).bind(now).bind(by)
                .fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn task(&self, id: i64) -> Result<Option<TaskRow>, StorageError> {
        let sql = format!("{SELECT_TASKS} WHERE t.id = $1");
        let raw: Option<RawTask> = on_pool!(&self.pool, p =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await?);
        raw.map(RawTask::decode).transpose()
    }

    /// The tasks issued by any of `units`, and the issued ones any of them is a
    /// target of, newest first.
    pub async fn tasks_of(&self, units: &[i64]) -> Result<Vec<TaskRow>, StorageError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=units.len()).map(|i| format!("${i}")).collect();
        let marks = marks.join(", ");
        let sql = format!(
            "{SELECT_TASKS} WHERE t.issuer_unit_id IN ({marks}) \
             OR t.id IN (SELECT task_id FROM task_units WHERE unit_id IN ({marks})) \
             ORDER BY t.created_at DESC, t.id DESC"
        );
        let rows: Vec<RawTask> = on_pool!(&self.pool, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for u in units {
                q = q.bind(u);
            }
            q.fetch_all(p).await?
        });
        rows.into_iter().map(RawTask::decode).collect()
    }

    /// The units below `root` that can be set a task (offices, not service points),
    /// with their kinds and names: (id, code, kind, name).
    pub async fn task_candidates(
        &self,
        root: &domain::UnitCode,
    ) -> Result<Vec<(i64, String, String, String)>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE code = $1 \
             UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) \
             SELECT u.id, u.code, u.kind, u.name_th FROM units u WHERE u.id IN (SELECT id FROM sub) \
             AND u.code <> $1 AND u.kind <> 'service_point' ORDER BY u.code")
            .bind(root.as_str()).fetch_all(p).await?))
    }

    /// Whether a unit has units below it a task can go to: an office right below it
    /// (below a service point there is nothing).
    pub async fn has_task_candidates(&self, root: &domain::UnitCode) -> Result<bool, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM units c JOIN units r ON c.parent_id = r.id \
             WHERE r.code = $1 AND c.kind <> 'service_point')")
            .bind(root.as_str()).fetch_one(p).await?))
    }

    /// Replaces a draft's fields but its attachments, which their own uploads change;
    /// false when the task is not (or no longer) a draft.
    pub async fn update_draft(
        &self,
        id: i64,
        fields: &TaskFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let (targets, checklist, _) = encoded(fields)?;
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "UPDATE tasks SET title = $2, letter_number = $3, letter_date = $4, body = $5, deadline = $6, \
             targets = $7, checklist = $8, updated_at = $9 WHERE id = $1 AND state = 'draft'")
            .bind(id).bind(&fields.title).bind(&fields.letter_number).bind(fields.letter_date)
            .bind(&fields.body).bind(fields.deadline).bind(&targets).bind(&checklist).bind(now)
            .execute(p).await?.rows_affected() == 1))
    }

    /// Issues a draft to `units` in one transaction; false when it was no draft (an
    /// issue racing another changes nothing).
    pub async fn issue_task(
        &self,
        id: i64,
        units: &[i64],
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let moved = sqlx::query(
                "UPDATE tasks SET state = 'issued', issued_at = $2, updated_at = $2 WHERE id = $1 AND state = 'draft'")
                .bind(id).bind(now).execute(&mut *tx).await?.rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            for unit in units {
                sqlx::query("INSERT INTO task_units (task_id, unit_id) VALUES ($1, $2)")
                    .bind(id).bind(unit).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Moves an issued task's deadline to `to`, keeping the one replaced; false when
    /// the task is not issued or its deadline is no longer `from` (a stale form).
    pub async fn extend_task(
        &self,
        id: i64,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let moved = sqlx::query(
                "UPDATE tasks SET deadline = $3, updated_at = $4 WHERE id = $1 AND state = 'issued' AND deadline = $2")
                .bind(id).bind(from).bind(to).bind(now).execute(&mut *tx).await?.rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO task_extensions (task_id, previous_deadline, deadline, extended_at, extended_by) \
                 VALUES ($1, $2, $3, $4, $5)")
                .bind(id).bind(from).bind(to).bind(now).bind(by).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Closes an issued task; false when it was not issued.
    pub async fn close_task(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StorageError> {
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "UPDATE tasks SET state = 'closed', closed_at = $2, updated_at = $2 WHERE id = $1 AND state = 'issued'")
            .bind(id).bind(now).execute(p).await?.rows_affected() == 1))
    }

    /// Replaces a draft's attachments; false when the task is no longer a draft or its
    /// attachments are no longer `from` (another upload came in between).
    pub async fn set_task_attachments(
        &self,
        id: i64,
        from: &[Attachment],
        to: &[Attachment],
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let enc = |a: &[Attachment]| {
            serde_json::to_string(a)
                .map_err(|e| StorageError::Data(format!("task attachments: {e}")))
        };
        let (from, to) = (enc(from)?, enc(to)?);
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "UPDATE tasks SET attachments = $3, updated_at = $4 WHERE id = $1 AND state = 'draft' AND attachments = $2")
            .bind(id).bind(&from).bind(&to).bind(now)
            .execute(p).await?.rows_affected() == 1))
    }

    /// Deletes a draft; false when the task is not a draft.
    pub async fn discard_draft(&self, id: i64) -> Result<bool, StorageError> {
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "DELETE FROM tasks WHERE id = $1 AND state = 'draft'")
            .bind(id).execute(p).await?.rows_affected() == 1))
    }

    /// The deadlines extensions replaced, oldest first: (previous, new).
    pub async fn task_extensions(
        &self,
        id: i64,
    ) -> Result<Vec<(NaiveDate, NaiveDate)>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT previous_deadline, deadline FROM task_extensions WHERE task_id = $1 ORDER BY extended_at, deadline")
            .bind(id).fetch_all(p).await?))
    }

    /// The target units of an issued task in code order, with their reports' states.
    pub async fn task_units(&self, id: i64) -> Result<Vec<TaskUnitRow>, StorageError> {
        let sql = format!("{SELECT_TASK_UNITS} WHERE tu.task_id = $1 ORDER BY u.code");
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id).fetch_all(p).await?),
        )
    }

    /// One target unit's row of a task, by the unit's code.
    pub async fn task_unit(
        &self,
        id: i64,
        unit: &domain::UnitCode,
    ) -> Result<Option<TaskUnitRow>, StorageError> {
        let sql = format!("{SELECT_TASK_UNITS} WHERE tu.task_id = $1 AND u.code = $2");
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id).bind(unit.as_str()).fetch_optional(p).await?),
        )
    }

    /// Writes a unit's report of an issued task; false when the task is no longer
    /// issued or the report has moved on from `w.from` since the form was read.
    pub async fn write_report(
        &self,
        task_id: i64,
        unit_id: i64,
        w: ReportWrite<'_>,
        by: Editor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let q = if w.submit {
                sqlx::query(
                    "UPDATE task_units SET report_state = $4, report_items = $5, reporter_name = $6, reporter_position = $7, \
                     submitted_at = $8, first_submitted_at = COALESCE(first_submitted_at, $8), submitted_by = $9 \
                     WHERE task_id = $1 AND unit_id = $2 AND report_state = $3 \
                     AND EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND state = 'issued')")
            } else {
                sqlx::query(
                    "UPDATE task_units SET report_state = $4, report_items = $5, reporter_name = $6, reporter_position = $7 \
                     WHERE task_id = $1 AND unit_id = $2 AND report_state = $3 \
                     AND EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND state = 'issued')")
            };
            let mut q = q.bind(task_id).bind(unit_id).bind(w.from).bind(w.to).bind(w.items)
                .bind(w.reporter_name).bind(w.reporter_position);
            if w.submit {
                q = q.bind(now).bind(by.user);
            }
            let moved = q.execute(&mut *tx).await?.rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            if w.submit {
                sqlx::query(REPORT_AUDIT).bind(now).bind(by.name).bind("task_report.submit")
                    .bind(unit_id).bind(format!("task {task_id}")).bind(by.address).bind(by.user)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Replaces a unit's declarations of an issued task, its report not yet accepted;
    /// false when they are no longer `from` (another write came in between), the
    /// report was accepted or the task is no longer issued.
    pub async fn set_report_items(
        &self,
        task_id: i64,
        unit_id: i64,
        from: &str,
        to: &str,
    ) -> Result<bool, StorageError> {
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "UPDATE task_units SET report_items = $4 WHERE task_id = $1 AND unit_id = $2 AND report_items = $3 \
             AND report_state <> 'accepted' AND EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND state = 'issued')")
            .bind(task_id).bind(unit_id).bind(from).bind(to)
            .execute(p).await?.rows_affected() == 1))
    }

    /// The issuer's decision on a submitted report: `accepted`, or `returned` with a
    /// comment; false when the report is no longer awaiting review, was sent again
    /// since `seen` (when given), or the task is not issued.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_report(
        &self,
        task_id: i64,
        unit_id: i64,
        to: &str,
        comment: Option<&str>,
        seen: Option<DateTime<Utc>>,
        by: Editor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let moved = sqlx::query(
                "UPDATE task_units SET report_state = $3, return_comment = COALESCE($4, return_comment), \
                 decided_at = $5, decided_by = $6 \
                 WHERE task_id = $1 AND unit_id = $2 AND report_state = 'submitted' \
                 AND ($7 = FALSE OR submitted_at = $8) \
                 AND EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND state = 'issued')")
                .bind(task_id).bind(unit_id).bind(to).bind(comment).bind(now).bind(by.user)
                .bind(seen.is_some()).bind(seen.unwrap_or(now))
                .execute(&mut *tx).await?.rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            let action = if to == "accepted" { "task_report.accept" } else { "task_report.return" };
            sqlx::query(REPORT_AUDIT).bind(now).bind(by.name).bind(action)
                .bind(unit_id).bind(format!("task {task_id}")).bind(by.address).bind(by.user)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The codes of a unit's service points (itself, or those right below it), as the
    /// checklist reads them.
    pub async fn task_unit_points(
        &self,
        unit: &domain::UnitCode,
    ) -> Result<Vec<String>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_scalar(
            "SELECT u.code FROM units u JOIN service_points sp ON sp.unit_id = u.id \
             WHERE sp.archived_at IS NULL AND (u.code = $1 OR u.parent_id = (SELECT id FROM units WHERE code = $1)) \
             ORDER BY u.code")
            .bind(unit.as_str()).fetch_all(p).await?))
    }

    /// Where each target unit of a task is on the map: the mean of its service points'
    /// pins (itself, or those right below it); a unit without one is left out.
    pub async fn task_unit_places(&self, id: i64) -> Result<Vec<(String, f64, f64)>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT u.code, AVG(sp.lat), AVG(sp.lon) FROM task_units tu JOIN units u ON u.id = tu.unit_id \
             JOIN units pu ON pu.id = u.id OR pu.parent_id = u.id \
             JOIN service_points sp ON sp.unit_id = pu.id AND sp.archived_at IS NULL \
             WHERE tu.task_id = $1 GROUP BY u.code ORDER BY u.code")
            .bind(id).fetch_all(p).await?))
    }

    /// Whether `user` holds a role on one of an issued task's target units or on a unit
    /// above one: who may read the task without managing it.
    pub async fn task_reaches(&self, task_id: i64, user: i64) -> Result<bool, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_scalar(
            "WITH RECURSIVE up(id) AS (SELECT unit_id FROM task_units WHERE task_id = $1 \
             UNION SELECT u.parent_id FROM units u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL) \
             SELECT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = $2 AND m.unit_id IN (SELECT id FROM up))")
            .bind(task_id).bind(user).fetch_one(p).await?))
    }

    /// What the target units' checklists are checked against, by unit id: the
    /// usernames bound to each, and each of its service points (itself, or those right
    /// below it) as it stands. One unit's with `only`, every target's without: a few
    /// queries for the whole task, whatever its number of units.
    pub async fn task_facts(
        &self,
        task_id: i64,
        only: Option<i64>,
    ) -> Result<HashMap<i64, (Vec<String>, Vec<PointFacts>)>, StorageError> {
        // The task's target units, and their service points with the unit they count for.
        const TARGETS: &str = "tu.task_id = $1 AND ($2 = 0 OR tu.unit_id = $2)";
        let points_of = format!(
            "WITH pts(owner, id) AS (\
             SELECT tu.unit_id, u.id FROM task_units tu JOIN units u ON u.parent_id = tu.unit_id WHERE {TARGETS} \
             UNION ALL SELECT tu.unit_id, tu.unit_id FROM task_units tu WHERE {TARGETS})"
        );
        let members_sql = format!(
            "SELECT m.unit_id, us.username FROM task_units tu JOIN memberships m ON m.unit_id = tu.unit_id \
             JOIN users us ON us.id = m.user_id WHERE {TARGETS} ORDER BY us.username"
        );
        let points_sql = format!(
            "{points_of} SELECT pts.owner, u.id, u.name_th, sp.verified_at, po.last_download_at, po.enabled, \
             (SELECT c.at FROM changes c WHERE c.unit_id = u.id AND c.subject = 'service_point' ORDER BY c.id DESC LIMIT 1), \
             (SELECT COUNT(*) FROM photos ph WHERE ph.service_point_id = u.id) \
             FROM pts JOIN units u ON u.id = pts.id JOIN service_points sp ON sp.unit_id = u.id \
             LEFT JOIN posters po ON po.service_point_id = u.id WHERE sp.archived_at IS NULL ORDER BY u.code"
        );
        let pins_sql = format!(
            "{points_of} SELECT spm.service_point_id, spm.manual_id FROM service_point_manuals spm \
             WHERE spm.service_point_id IN (SELECT id FROM pts)"
        );
        let only = only.unwrap_or(0);
        #[allow(clippy::type_complexity)]
        let (members, points, pins): (
            Vec<(i64, String)>,
            Vec<(
                i64,
                i64,
                String,
                Option<DateTime<Utc>>,
                Option<DateTime<Utc>>,
                Option<bool>,
                Option<DateTime<Utc>>,
                i64,
            )>,
            Vec<(i64, i64)>,
        ) = on_pool!(&self.pool, p => {
            let members = sqlx::query_as(sqlx::AssertSqlSafe(members_sql.as_str()))
                .bind(task_id).bind(only).fetch_all(p).await?;
            let points = sqlx::query_as(sqlx::AssertSqlSafe(points_sql.as_str()))
                .bind(task_id).bind(only).fetch_all(p).await?;
            let pins = sqlx::query_as(sqlx::AssertSqlSafe(pins_sql.as_str()))
                .bind(task_id).bind(only).fetch_all(p).await?;
            (members, points, pins)
        });
        let mut pinned: HashMap<i64, std::collections::BTreeSet<i64>> = HashMap::new();
        for (point, manual) in pins {
            pinned.entry(point).or_default().insert(manual);
        }
        let mut out: HashMap<i64, (Vec<String>, Vec<PointFacts>)> = HashMap::new();
        for (unit, username) in members {
            out.entry(unit).or_default().0.push(username);
        }
        for (owner, id, name_th, confirmed_at, downloaded_at, enabled, edited_at, photos) in points
        {
            out.entry(owner).or_default().1.push(PointFacts {
                name_th,
                edited_at,
                confirmed_at,
                photos: usize::try_from(photos).unwrap_or(0),
                pinned_manuals: pinned.remove(&id).unwrap_or_default(),
                poster_downloaded_at: downloaded_at,
                poster_on: enabled.unwrap_or(false),
            });
        }
        Ok(out)
    }
}
