//! Reminder mail of rollout tasks, over a real SMTP server: the members of the units
//! that have not reported are mailed before the deadline and once it is overdue, once a
//! day per unit, each reminder recorded; drafts and closed tasks remind nobody.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::task::{Targets, TaskFields, template};
use storage::{Actor, Db, NewUser};

use crate::on_both_databases;
use crate::scope::unit;
use crate::support::{SmtpSink, app_with_smtp, with_demo};

const PROVINCE: &str = "0112140410100";
const BANG_LAMUNG: &str = "0112140410104";
const SATTAHIP: &str = "0112140410109";
/// A district office nobody is bound to.
const MUEANG: &str = "0112140410101";
const TITLE: &str = "การดำเนินการระบบ CITIZENinfo";
const LETTER: &str = "ที่ ชบ ๐๐๑๘/ว๕๗๘๕";

/// Like `on_both_databases!`, with the database's URL too, for the command line run
/// on the same database.
macro_rules! on_both_databases_with_url {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::support::TestDb::sqlite().await;
                super::$body(t.db.clone(), t.url.clone()).await;
                t.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = $crate::support::TestDb::postgres().await;
                super::$body(t.db.clone(), t.url.clone()).await;
                t.finish().await;
            }
        }
    };
}

/// Bang Lamung's report as its editor sends it.
async fn submit(app: &app::App, editor: &app::Caller, id: i64) {
    app::tasks::write_report(
        app,
        editor,
        id,
        &unit(BANG_LAMUNG),
        app::tasks::ReportInput {
            form: domain::task::ReportForm {
                reporter_name: "นายสมชาย ใจดี".into(),
                reporter_position: "ปลัดอำเภอ".into(),
                ..Default::default()
            },
            submit: true,
            seen: None,
        },
        None,
    )
    .await
    .unwrap();
}

/// A person with a role on a unit, signed in; their address is `USERNAME@example.go.th`.
async fn staff(app: &app::App, db: &Db, username: &str, code: &str, role: &str) -> app::Caller {
    let id = crate::scope::person(db, username, false, Some((code, role))).await;
    app::Caller::signed_in(app, id, app::Via::Session)
        .await
        .unwrap()
}

fn address(username: &str) -> String {
    format!("{username}@example.go.th")
}

/// A member of `code` whose address was never confirmed.
async fn unconfirmed_member(db: &Db, username: &str, code: &str) {
    let email = address(username);
    let id = db
        .create_user(
            &NewUser {
                username,
                first_name: "ทดสอบ",
                last_name: username,
                email: Some(&email),
                mobile: None,
                citizen_id_hash: None,
                citizen_id_last: None,
                password_hash: None,
                is_system_admin: false,
                email_verified: false,
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    db.add_membership(
        id,
        &unit(code),
        "editor",
        Actor {
            name: "test",
            address: None,
        },
        Utc::now(),
    )
    .await
    .unwrap();
}

/// The seed's task to `targets`, issued today by the province's supervisor, due in
/// two days; its id.
async fn issued(app: &app::App, sup: &app::Caller, targets: &[&str]) -> i64 {
    let id = draft(app, sup, targets).await;
    app::tasks::issue(app, sup, id).await.unwrap();
    id
}

async fn draft(app: &app::App, sup: &app::Caller, targets: &[&str]) -> i64 {
    let today = domain::task::local_date(Utc::now());
    let fields = TaskFields {
        title: TITLE.into(),
        letter_number: LETTER.into(),
        letter_date: today,
        body: "ขอให้ดำเนินการตามรายการ และรายงานผลภายในกำหนด".into(),
        deadline: today + Duration::days(2),
        targets: Targets::Pick {
            units: targets.iter().map(|c| unit(c)).collect(),
        },
        attachments: vec![],
        checklist: template(vec![1, 2, 3]),
    };
    app::tasks::create(app, sup, &unit(PROVINCE), fields)
        .await
        .unwrap()
}

fn sent(
    units: usize,
    mails: usize,
    failures: usize,
    unreachable: usize,
) -> app::task_reminders::Sent {
    app::task_reminders::Sent {
        units,
        mails,
        failures,
        unreachable,
    }
}

/// (unit code, day, kind, recipients) of a task's reminders.
async fn recorded(db: &Db, task: i64) -> Vec<(String, NaiveDate, String, i64)> {
    db.task_reminders(task)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.unit_code, r.day, r.kind, r.recipients))
        .collect()
}

async fn reminders_before_and_overdue(db: Db) {
    with_demo(&db).await;
    let smtp = SmtpSink::start().await;
    let (state, _) = app_with_smtp(&db, &smtp).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    let bleditor = staff(app, &db, "bleditor", BANG_LAMUNG, "editor").await;
    staff(app, &db, "blviewer", BANG_LAMUNG, "viewer").await;
    staff(app, &db, "shadmin", SATTAHIP, "admin").await;
    staff(app, &db, "shviewer", SATTAHIP, "viewer").await;
    unconfirmed_member(&db, "shnew", SATTAHIP).await;
    let id = issued(app, &sup, &[BANG_LAMUNG, SATTAHIP]).await;
    submit(app, &bleditor, id).await;
    let now: DateTime<Utc> = Utc::now();
    let today = domain::task::local_date(now);

    // Two days left: not yet within one day of the deadline; within three, yes.
    let remind = |at: DateTime<Utc>, days: u32| app::task_reminders::send_due(app, at, days);
    assert_eq!(remind(now, 1).await.unwrap(), sent(0, 0, 0, 0));
    assert!(recorded(&db, id).await.is_empty());
    assert_eq!(remind(now, 3).await.unwrap(), sent(1, 2, 0, 0));

    let link = format!("http://127.0.0.1/staff/tasks/{id}/units/{SATTAHIP}");
    let body = smtp.wait_for(&address("shadmin"), &link).await;
    let thai = body.find("อีก 2 วันครบกำหนดส่งรายงาน").expect(&body);
    let english = body.find("report due in 2 days").expect(&body);
    assert!(thai < english, "Thai first: {body}");
    let due_th = domain::task::due_by_th(today + Duration::days(2));
    let due_en = domain::task::due_by_en(today + Duration::days(2));
    for part in [TITLE, LETTER, &due_th, &due_en, "สำนักงานพัฒนาชุมชนอำเภอสัตหีบ"]
    {
        assert!(body.contains(part), "{part:?} missing from {body}");
    }
    smtp.wait_for(&address("shviewer"), &link).await;
    let mail = smtp.messages_to(&address("shadmin"));
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].0.contains(TITLE) && mail[0].0.contains("Report due in 2 days"),
        "{}",
        mail[0].0
    );
    // The unit that reported, and the address never confirmed, get nothing.
    for who in ["bleditor", "blviewer", "shnew"] {
        assert!(smtp.messages_to(&address(who)).is_empty(), "{who}");
    }
    assert_eq!(
        recorded(&db, id).await,
        [(SATTAHIP.to_owned(), today, "before".to_owned(), 2)]
    );

    // Once a day: again the same day, even later that day, sends nothing.
    assert_eq!(remind(now, 3).await.unwrap(), sent(0, 0, 0, 0));
    assert_eq!(
        remind(now + Duration::minutes(30), 3).await.unwrap(),
        sent(0, 0, 0, 0)
    );
    assert_eq!(smtp.messages_to(&address("shadmin")).len(), 1);

    // A day past the deadline: overdue, once.
    let late = now + Duration::days(3);
    assert_eq!(remind(late, 3).await.unwrap(), sent(1, 2, 0, 0));
    let body = smtp.wait_for(&address("shadmin"), "overdue").await;
    assert!(body.contains("เลยกำหนดส่งรายงานมาแล้ว 1 วัน"), "{body}");
    assert!(body.contains("report overdue by 1 day"), "{body}");
    assert!(body.contains(&link));
    assert!(
        smtp.messages_to(&address("shadmin"))
            .iter()
            .any(|(s, _)| s.contains("Report overdue by 1 day")),
    );
    assert_eq!(remind(late, 3).await.unwrap(), sent(0, 0, 0, 0));
    assert_eq!(smtp.messages_to(&address("shadmin")).len(), 2);
    assert!(smtp.messages_to(&address("bleditor")).is_empty());
    assert_eq!(
        recorded(&db, id).await,
        [
            (
                SATTAHIP.to_owned(),
                today + Duration::days(3),
                "overdue".to_owned(),
                2
            ),
            (SATTAHIP.to_owned(), today, "before".to_owned(), 2),
        ]
    );

    // A report sent back to the unit is asked for again.
    app::tasks::review(
        app,
        &sup,
        id,
        &unit(BANG_LAMUNG),
        domain::task::ReportAction::Return {
            comment: "กรุณาแก้ไข".into(),
        },
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(remind(late, 3).await.unwrap(), sent(1, 2, 0, 0));
    smtp.wait_for(&address("bleditor"), "overdue").await;
}

on_both_databases!(
    reminders_go_before_the_deadline_and_when_overdue_once_a_day,
    reminders_before_and_overdue
);

/// A unit nobody can be mailed at is recorded with no recipients; a reminder whose
/// mail failed is taken back and sent by a later run the same day.
async fn unreachable_and_failed(db: Db) {
    with_demo(&db).await;
    let smtp = SmtpSink::start().await;
    let (state, _) = app_with_smtp(&db, &smtp).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    staff(app, &db, "shadmin", SATTAHIP, "admin").await;
    let id = issued(app, &sup, &[MUEANG, SATTAHIP]).await;
    let now = Utc::now();
    let today = domain::task::local_date(now);

    // A mail server that is not there: nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = app::App::new(
        db.clone(),
        app::mail::Mailer::smtp(
            &format!("smtp://127.0.0.1:{port}"),
            "CITIZENinfo <no-reply@citizeninfo.test>",
        )
        .unwrap(),
        "http://127.0.0.1".into(),
        Vec::new(),
        media::Store::Local(std::env::temp_dir().join("citizeninfo_reminder_media")),
    );
    assert_eq!(
        app::task_reminders::send_due(&down, now, 3).await.unwrap(),
        sent(0, 0, 1, 1)
    );
    assert_eq!(
        recorded(&db, id).await,
        [(MUEANG.to_owned(), today, "before".to_owned(), 0)],
        "the failed one is not kept"
    );

    assert_eq!(
        app::task_reminders::send_due(app, now, 3).await.unwrap(),
        sent(1, 1, 0, 0)
    );
    smtp.wait_for(&address("shadmin"), TITLE).await;
    assert_eq!(
        recorded(&db, id).await,
        [
            (MUEANG.to_owned(), today, "before".to_owned(), 0),
            (SATTAHIP.to_owned(), today, "before".to_owned(), 1),
        ]
    );
    assert_eq!(
        app::task_reminders::send_due(app, now, 3).await.unwrap(),
        sent(0, 0, 0, 0)
    );
}

on_both_databases!(
    a_unit_without_addresses_is_recorded_and_a_failed_mail_is_retried,
    unreachable_and_failed
);

async fn only_issued_tasks(db: Db) {
    with_demo(&db).await;
    let smtp = SmtpSink::start().await;
    let (state, _) = app_with_smtp(&db, &smtp).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    staff(app, &db, "shadmin", SATTAHIP, "admin").await;
    let draft = draft(app, &sup, &[SATTAHIP]).await;
    let closed = issued(app, &sup, &[SATTAHIP]).await;
    app::tasks::close(app, &sup, closed).await.unwrap();
    let now = Utc::now();
    for at in [now, now + Duration::days(5)] {
        assert_eq!(
            app::task_reminders::send_due(app, at, 3).await.unwrap(),
            sent(0, 0, 0, 0)
        );
    }
    assert!(db.open_tasks().await.unwrap().is_empty());
    assert!(recorded(&db, draft).await.is_empty());
    assert!(recorded(&db, closed).await.is_empty());
    assert!(smtp.messages_to(&address("shadmin")).is_empty());
}

on_both_databases!(drafts_and_closed_tasks_remind_nobody, only_issued_tasks);

/// `citizeninfo tasks remind`, as cron runs it, beside a server that could send too.
async fn command_line(db: Db, url: String) {
    with_demo(&db).await;
    let smtp = SmtpSink::start().await;
    let (state, _) = app_with_smtp(&db, &smtp).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    staff(app, &db, "shadmin", SATTAHIP, "admin").await;
    let id = issued(app, &sup, &[SATTAHIP]).await;
    let run = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_citizeninfo"))
            .args(["--database-url", &url, "tasks", "remind", "--days", "3"])
            .env("CITIZENINFO_SMTP_URL", &smtp.url)
            .env("CITIZENINFO_BASE_URL", "https://citizeninfo.example/")
            .env("CITIZENINFO_LOG", "warn")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let out = run();
    assert!(
        out.contains("units reminded 1 · mails sent 1 · failures 0"),
        "{out}"
    );
    smtp.wait_for(
        &address("shadmin"),
        &format!("https://citizeninfo.example/staff/tasks/{id}/units/{SATTAHIP}"),
    )
    .await;
    // The server's own run the same day finds it done.
    assert_eq!(
        app::task_reminders::send_due(app, Utc::now(), 3)
            .await
            .unwrap(),
        sent(0, 0, 0, 0)
    );
    assert!(run().contains("units reminded 0 · mails sent 0"));
    assert_eq!(smtp.messages_to(&address("shadmin")).len(), 1);
}

on_both_databases_with_url!(the_command_line_sends_the_reminders_due, command_line);
