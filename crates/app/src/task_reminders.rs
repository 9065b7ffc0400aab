//! Reminder mail of rollout tasks: the members of each target unit that has not sent
//! its report are mailed from a set number of days before the deadline, and every day
//! once it is overdue, at most once a day per unit (domain::task::reminder_due says
//! when; the `task_reminders` table keeps the once a day, across instances and runs).
//!
//! A reminder is recorded before its mail goes, so that two runs at once (two
//! instances, or the server's tick and a cron run) send it once. What then happens:
//! - every mail fails: the record is deleted, and a later run tries again the same day;
//! - some fail: the record stays with the number reached, so those who have it are not
//!   mailed twice (the others get the next day's);
//! - the unit has nobody with a verified address: recorded with 0 recipients, so the
//!   dashboard shows that it could not be reached, and counted as unreachable;
//! - the process stops between the record and the mail: that day's reminder is lost
//!   (a reminder missed is better than one sent twice; the next day's comes).
//!
//! Addresses are never logged: a failure is logged with its task, unit and cause, the
//! address taken out of the mail server's answer.

use chrono::{DateTime, Utc};
use domain::task::{self, ReminderKind, ReportState};

use crate::{App, Result};

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Units whose reminder reached at least one member.
    pub units: usize,
    /// Mails handed to the mail server (or written to the mail folder).
    pub mails: usize,
    /// Mails that could not be sent.
    pub failures: usize,
    /// Units due a reminder with nobody to send it to (recorded with 0 recipients).
    pub unreachable: usize,
}

/// Mails the reminders due at `now` for every issued task, `days_before` days before
/// the deadline and on; what it did. A failed mail does not stop the run; a storage
/// error does (the next run takes up what is left).
pub async fn send_due(app: &App, now: DateTime<Utc>, days_before: u32) -> Result<Sent> {
    let today = task::local_date(now);
    let base = app.base_url.trim_end_matches('/');
    let mut sent = Sent::default();
    for t in app.db.open_tasks().await? {
        for unit in app.db.reminder_targets(t.id).await? {
            let Some(state) = ReportState::parse(&unit.report_state) else {
                tracing::warn!(task = t.id, unit = %unit.code, state = %unit.report_state,
                    "report state unknown: no reminder");
                continue;
            };
            let Some(kind) =
                task::reminder_due(t.deadline, today, days_before, unit.last_reminded, state)
            else {
                continue;
            };
            let recipients = i64::try_from(unit.emails.len()).unwrap_or(i64::MAX);
            if !app
                .db
                .record_reminder(t.id, unit.unit_id, today, kind.key(), recipients, now)
                .await?
            {
                // Another run has it.
                continue;
            }
            if unit.emails.is_empty() {
                tracing::info!(task = t.id, unit = %unit.code, kind = kind.key(),
                    "task reminder due, but nobody bound to the unit has a verified address");
                sent.unreachable += 1;
                continue;
            }
            let link = format!("{base}/staff/tasks/{}/units/{}", t.id, unit.code);
            let (subject, body) = message(&t, &unit, kind, &link);
            let mut reached = 0usize;
            for to in &unit.emails {
                match app.mailer.send(to, &subject, &body).await {
                    Ok(()) => reached += 1,
                    Err(e) => {
                        // A mail server's refusal quotes the address, in any case: no
                        // word with an @ reaches the log.
                        let cause = e
                            .to_string()
                            .split_whitespace()
                            .map(|w| if w.contains('@') { "[address]" } else { w })
                            .collect::<Vec<_>>()
                            .join(" ");
                        tracing::warn!(task = t.id, unit = %unit.code, error = %cause,
                            "task reminder not sent to one member");
                        sent.failures += 1;
                    }
                }
            }
            sent.mails += reached;
            if reached == 0 {
                app.db.release_reminder(t.id, unit.unit_id, today).await?;
            } else {
                sent.units += 1;
                if reached < unit.emails.len() {
                    let reached = i64::try_from(reached).unwrap_or(i64::MAX);
                    app.db
                        .set_reminder_recipients(t.id, unit.unit_id, today, reached)
                        .await?;
                }
                tracing::info!(task = t.id, unit = %unit.code, kind = kind.key(),
                    recipients = reached, "task reminder sent");
            }
        }
    }
    Ok(sent)
}

/// The standing of the report in a few words: Thai, and English with a capital.
fn standing(kind: ReminderKind) -> (String, String) {
    let days = |n: u32| if n == 1 { "day" } else { "days" };
    match kind {
        ReminderKind::Before { days_left: 0 } => {
            ("ครบกำหนดส่งรายงานวันนี้".into(), "Report due today".into())
        }
        ReminderKind::Before { days_left: n } => (
            format!("อีก {n} วันครบกำหนดส่งรายงาน"),
            format!("Report due in {n} {}", days(n)),
        ),
        ReminderKind::Overdue { days_late: n } => (
            format!("เลยกำหนดส่งรายงานมาแล้ว {n} วัน"),
            format!("Report overdue by {n} {}", days(n)),
        ),
    }
}

/// The subject and body, Thai first, English below.
fn message(
    t: &storage::OpenTask,
    unit: &storage::ReminderTarget,
    kind: ReminderKind,
    link: &str,
) -> (String, String) {
    let (th, en) = standing(kind);
    let title = &t.title;
    let letter = &t.letter_number;
    let name = &unit.name_th;
    let code = &unit.code;
    let subject = format!("{th}: {title} / {en}");
    // The deadline as the letter words it (Thai digits); the counts in Arabic digits,
    // as the pages show them.
    let due_th = task::due_by_th(t.deadline);
    let due_en = task::due_by_en(t.deadline);
    let en_lower = en.to_lowercase();
    let body = format!(
        "เรียน ผู้รับผิดชอบของ{name}\n\n\
         หนังสือ {letter} เรื่อง {title}\n\
         กำหนดส่งรายงานผลการดำเนินการ{due_th} ขณะนี้{th} และหน่วยงานของท่านยังไม่ได้ส่งรายงาน\n\
         กรุณากรอกและส่งรายงานได้ที่\n{link}\n\n\
         ระบบจะส่งอีเมลเตือนวันละไม่เกินหนึ่งครั้งจนกว่าจะได้รับรายงาน\n\n\
         To the staff of {name} ({code})\n\n\
         Letter {letter}: {title}\n\
         The report is due {due_en}: {en_lower}, and your unit has not sent it yet.\n\
         Fill it in and send it at\n{link}\n\n\
         This reminder comes at most once a day until the report is sent.\n",
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn target() -> (storage::OpenTask, storage::ReminderTarget) {
        (
            storage::OpenTask {
                id: 7,
                title: "การดำเนินการระบบ CITIZENinfo".into(),
                letter_number: "ที่ ชบ ๐๐๑๘/ว๕๗๘๕".into(),
                deadline: NaiveDate::from_ymd_opt(2020, 8, 13).unwrap(),
            },
            storage::ReminderTarget {
                unit_id: 1,
                code: "0112140410104".into(),
                name_th: "สำนักงานพัฒนาชุมชนอำเภอบางละมุง".into(),
                report_state: "not_started".into(),
                last_reminded: None,
                emails: vec![],
            },
        )
    }

    #[test]
    fn a_reminder_says_the_letter_the_deadline_and_the_days() {
        let (t, u) = target();
        let (subject, body) = message(
            &t,
            &u,
            ReminderKind::Before { days_left: 2 },
            "https://x/staff/tasks/7/units/0112140410104",
        );
        assert_eq!(
            subject,
            "อีก 2 วันครบกำหนดส่งรายงาน: การดำเนินการระบบ CITIZENinfo / Report due in 2 days"
        );
        assert!(body.contains("ภายในวันที่ ๑๓ สิงหาคม ๒๕๖๓"), "{body}");
        assert!(body.contains("by 13 August 2563 BE (2020): report due in 2 days"));
        assert!(body.contains("หนังสือ ที่ ชบ ๐๐๑๘/ว๕๗๘๕ เรื่อง"));
        assert!(body.find("เรียน") < body.find("To the staff"), "Thai first");
        assert_eq!(
            body.matches("/staff/tasks/7/units/0112140410104").count(),
            2
        );
    }

    #[test]
    fn the_day_itself_and_the_days_late_are_worded() {
        let (th, en) = standing(ReminderKind::Before { days_left: 0 });
        assert_eq!(
            (th.as_str(), en.as_str()),
            ("ครบกำหนดส่งรายงานวันนี้", "Report due today")
        );
        let (th, en) = standing(ReminderKind::Overdue { days_late: 1 });
        assert_eq!(th, "เลยกำหนดส่งรายงานมาแล้ว 1 วัน");
        assert_eq!(en, "Report overdue by 1 day");
        assert_eq!(
            standing(ReminderKind::Before { days_left: 1 }).1,
            "Report due in 1 day"
        );
    }
}
