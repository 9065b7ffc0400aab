//! Reminder mail of rollout tasks: what a run needs to decide (the open tasks, each
//! target unit's report state, its last reminder and its members' addresses) and the
//! record of each reminder, which is also the claim that keeps two instances, or the
//! server and a cron run, from both sending it.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Db, StorageError, on_pool};

/// An issued task, as a reminder names it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenTask {
    pub id: i64,
    pub title: String,
    pub letter_number: String,
    pub deadline: NaiveDate,
}

/// A target unit of an issued task, with what decides whether it is reminded and who
/// would receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTarget {
    pub unit_id: i64,
    pub code: String,
    pub name_th: String,
    pub report_state: String,
    /// The day (Bangkok) of its latest reminder for this task.
    pub last_reminded: Option<NaiveDate>,
    /// The verified addresses of the accounts bound to the unit, in order, without
    /// repeats.
    pub emails: Vec<String>,
}

/// A reminder recorded, for the issuer's dashboard.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReminderRow {
    pub unit_code: String,
    pub day: NaiveDate,
    /// `before` or `overdue` (domain::task::ReminderKind::key).
    pub kind: String,
    /// The addresses it went to; 0 when the unit had nobody to send it to.
    pub recipients: i64,
    pub sent_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RawTarget {
    unit_id: i64,
    code: String,
    name_th: String,
    report_state: String,
    last_reminded: Option<NaiveDate>,
}

impl Db {
    /// The issued tasks, oldest deadline first. Drafts were sent to nobody and closed
    /// tasks ask nothing more, so neither is reminded.
    pub async fn open_tasks(&self) -> Result<Vec<OpenTask>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, title, letter_number, deadline FROM tasks WHERE state = 'issued' ORDER BY deadline, id")
            .fetch_all(p).await?))
    }

    /// The target units of a task in code order, each with its report state, its last
    /// reminder and its members' addresses. Only verified addresses: mail to one never
    /// confirmed may reach someone else, who would learn of the office's task.
    pub async fn reminder_targets(
        &self,
        task_id: i64,
    ) -> Result<Vec<ReminderTarget>, StorageError> {
        let (rows, emails): (Vec<RawTarget>, Vec<(i64, String)>) = on_pool!(&self.pool, p => {
            let rows = sqlx::query_as(
                "SELECT tu.unit_id, u.code, u.name_th, tu.report_state, \
                 (SELECT MAX(r.day) FROM task_reminders r WHERE r.task_id = tu.task_id AND r.unit_id = tu.unit_id) AS last_reminded \
                 FROM task_units tu JOIN units u ON u.id = tu.unit_id WHERE tu.task_id = $1 ORDER BY u.code")
                .bind(task_id).fetch_all(p).await?;
            let emails = sqlx::query_as(
                "SELECT DISTINCT m.unit_id, us.email FROM task_units tu \
                 JOIN memberships m ON m.unit_id = tu.unit_id JOIN users us ON us.id = m.user_id \
                 WHERE tu.task_id = $1 AND us.email IS NOT NULL AND us.email <> '' \
                 AND us.email_verified_at IS NOT NULL ORDER BY m.unit_id, us.email")
                .bind(task_id).fetch_all(p).await?;
            (rows, emails)
        });
        let mut by_unit: std::collections::HashMap<i64, Vec<String>> =
            std::collections::HashMap::new();
        for (unit, email) in emails {
            by_unit.entry(unit).or_default().push(email);
        }
        Ok(rows
            .into_iter()
            .map(|r| ReminderTarget {
                emails: by_unit.remove(&r.unit_id).unwrap_or_default(),
                unit_id: r.unit_id,
                code: r.code,
                name_th: r.name_th,
                report_state: r.report_state,
                last_reminded: r.last_reminded,
            })
            .collect())
    }

    /// Records a unit's reminder of `day`; false when one is recorded for that day
    /// already. Called before the mail goes: whoever inserts the row sends, so two
    /// runs at once send it once.
    pub async fn record_reminder(
        &self,
        task_id: i64,
        unit_id: i64,
        day: NaiveDate,
        kind: &str,
        recipients: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "INSERT INTO task_reminders (task_id, unit_id, day, kind, recipients, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id, unit_id, day) DO NOTHING")
            .bind(task_id).bind(unit_id).bind(day).bind(kind).bind(recipients).bind(now)
            .execute(p).await?.rows_affected() == 1))
    }

    /// Corrects the recipients of a recorded reminder to those its mail reached.
    pub async fn set_reminder_recipients(
        &self,
        task_id: i64,
        unit_id: i64,
        day: NaiveDate,
        recipients: i64,
    ) -> Result<(), StorageError> {
        on_pool!(&self.writer, p => {
            sqlx::query(
                "UPDATE task_reminders SET recipients = $4 WHERE task_id = $1 AND unit_id = $2 AND day = $3")
                .bind(task_id).bind(unit_id).bind(day).bind(recipients).execute(p).await?;
        });
        Ok(())
    }

    /// Takes back a reminder whose mail reached nobody, so that a later run sends it.
    pub async fn release_reminder(
        &self,
        task_id: i64,
        unit_id: i64,
        day: NaiveDate,
    ) -> Result<bool, StorageError> {
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "DELETE FROM task_reminders WHERE task_id = $1 AND unit_id = $2 AND day = $3")
            .bind(task_id).bind(unit_id).bind(day).execute(p).await?.rows_affected() == 1))
    }

    /// A task's reminders, newest day first, units in code order.
    pub async fn task_reminders(&self, task_id: i64) -> Result<Vec<ReminderRow>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT u.code AS unit_code, r.day, r.kind, r.recipients, r.sent_at FROM task_reminders r \
             JOIN units u ON u.id = r.unit_id WHERE r.task_id = $1 ORDER BY r.day DESC, u.code")
            .bind(task_id).fetch_all(p).await?))
    }
}
