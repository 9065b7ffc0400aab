//! Rollout tasks in storage: a draft, its issue to fixed units, an extension that
//! keeps the deadline it replaced, closing; each move refused from the wrong state.

use chrono::{NaiveDate, Utc};
use domain::task::{Targets, TaskFields, TaskState, template};
use storage::Db;

use crate::on_both_databases;
use crate::scope::unit;
use crate::support::with_demo;

/// The Chonburi provincial office (the seed's issuer) and two of its district offices.
const PROVINCE: &str = "0112140410100";
const BANG_LAMUNG: &str = "0112140410104";
const SATTAHIP: &str = "0112140410109";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn seed_task() -> TaskFields {
    TaskFields {
        title: "การดำเนินการระบบ CITIZENinfo".into(),
        letter_number: "ที่ ชบ ๐๐๑๘/ว๕๗๘๕".into(),
        letter_date: day(2026, 12, 1),
        body: "ขอให้ดำเนินการตามรายการ และรายงานผลภายในกำหนด".into(),
        deadline: day(2026, 12, 20),
        targets: Targets::Pick {
            units: vec![unit(BANG_LAMUNG), unit(SATTAHIP)],
        },
        attachments: vec![],
        checklist: template(vec![1, 2, 3]),
    }
}

async fn id_of(db: &Db, code: &str) -> i64 {
    db.unit_chain(&unit(code)).await.unwrap().unwrap()[0].0
}

/// A person with a role on a unit, signed in.
async fn staff(app: &app::App, db: &Db, username: &str, code: &str, role: &str) -> app::Caller {
    let id = crate::scope::person(db, username, false, Some((code, role))).await;
    app::Caller::signed_in(app, id, app::Via::Session)
        .await
        .unwrap()
}

/// The seed's task written today, due in ten days.
fn due_in_ten_days() -> (NaiveDate, TaskFields) {
    let today = domain::task::local_date(Utc::now());
    let mut fields = seed_task();
    fields.letter_date = today;
    fields.deadline = today + chrono::Duration::days(10);
    (today, fields)
}

async fn lifecycle(db: Db) {
    with_demo(&db).await;
    let now = Utc::now();
    let province = id_of(&db, PROVINCE).await;
    let units = [id_of(&db, BANG_LAMUNG).await, id_of(&db, SATTAHIP).await];
    let fields = seed_task();
    let id = db.create_task(province, &fields, None, now).await.unwrap();

    // The fields come back whole, JSON columns included.
    let t = db.task(id).await.unwrap().unwrap();
    assert_eq!(t.state, TaskState::Draft);
    assert_eq!(t.fields, fields);
    assert_eq!(t.issuer_unit_id, province);
    assert_eq!(db.tasks_of(&[province]).await.unwrap().len(), 1);
    assert!(
        db.tasks_of(&[units[0]]).await.unwrap().is_empty(),
        "a draft is not shown to its targets"
    );

    // A draft may change; an issued task may not.
    let mut edited = fields.clone();
    edited.deadline = day(2026, 12, 25);
    assert!(db.update_draft(id, &edited, now).await.unwrap());
    assert!(db.issue_task(id, &units, now).await.unwrap());
    assert!(
        !db.issue_task(id, &units, now).await.unwrap(),
        "issued once"
    );
    assert!(!db.update_draft(id, &fields, now).await.unwrap());
    assert!(!db.discard_draft(id).await.unwrap());
    let t = db.task(id).await.unwrap().unwrap();
    assert_eq!(
        (t.state, t.fields.deadline),
        (TaskState::Issued, day(2026, 12, 25))
    );
    let rows = db.task_units(id).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        [BANG_LAMUNG, SATTAHIP]
    );
    assert!(rows.iter().all(|r| r.report_state == "not_started"));
    assert_eq!(
        db.tasks_of(&[units[1]]).await.unwrap()[0].id,
        id,
        "issued: its targets see it"
    );
    let candidates = db.task_candidates(&unit(PROVINCE)).await.unwrap();
    assert!(candidates.iter().any(|c| c.1 == BANG_LAMUNG));
    assert!(
        candidates
            .iter()
            .all(|c| c.1 != PROVINCE && c.2 != "service_point")
    );

    // An extension from a stale deadline changes nothing; the right one is recorded.
    assert!(
        !db.extend_task(id, day(2026, 12, 20), day(2027, 1, 5), None, now)
            .await
            .unwrap()
    );
    assert!(
        db.extend_task(id, day(2026, 12, 25), day(2027, 1, 5), None, now)
            .await
            .unwrap()
    );
    assert_eq!(
        db.task_extensions(id).await.unwrap(),
        [(day(2026, 12, 25), day(2027, 1, 5))]
    );
    assert!(db.close_task(id, now).await.unwrap());
    assert!(!db.close_task(id, now).await.unwrap());
    assert!(
        !db.extend_task(id, day(2027, 1, 5), day(2027, 2, 1), None, now)
            .await
            .unwrap()
    );
    let t = db.task(id).await.unwrap().unwrap();
    assert_eq!(t.state, TaskState::Closed);
    assert!(t.closed_at.is_some() && t.issued_at.is_some());

    // A draft can be discarded, and is gone.
    let draft = db.create_task(province, &fields, None, now).await.unwrap();
    assert!(db.discard_draft(draft).await.unwrap());
    assert!(db.task(draft).await.unwrap().is_none());
}

on_both_databases!(a_task_is_drafted_issued_extended_and_closed, lifecycle);

/// The use cases: who may set, read and move a task, and bad input refused with
/// nothing changed.
async fn rights(db: Db) {
    use app::AppError;
    with_demo(&db).await;
    let (state, _) = crate::support::app(&db).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    let ed = staff(app, &db, "blediter", BANG_LAMUNG, "editor").await;
    let other = staff(app, &db, "shadmin", SATTAHIP, "admin").await;
    let (today, mut fields) = due_in_ten_days();
    fields.targets = Targets::Pick {
        units: vec![unit(BANG_LAMUNG)],
    };

    // Only the issuing office's administrators and supervisors set a task.
    assert!(matches!(
        app::tasks::create(app, &ed, &unit(PROVINCE), fields.clone()).await,
        Err(AppError::Forbidden)
    ));
    // A target outside the issuer's subtree (the department above it) is refused.
    let mut outside = fields.clone();
    outside.targets = Targets::Pick {
        units: vec![unit("0112140000000")],
    };
    assert!(matches!(
        app::tasks::create(app, &sup, &unit(PROVINCE), outside).await,
        Err(AppError::Invalid(_))
    ));
    let id = app::tasks::create(app, &sup, &unit(PROVINCE), fields.clone())
        .await
        .unwrap();
    // A draft is seen by its office alone.
    assert!(matches!(
        app::tasks::get(app, &ed, id).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        app::tasks::issue(app, &sup, id).await.unwrap(),
        [BANG_LAMUNG.to_owned()]
    );
    // The target unit reads it; a unit it was not sent to does not; neither manages it.
    let seen = app::tasks::get(app, &ed, id).await.unwrap();
    assert!(!seen.manages);
    assert!(matches!(
        app::tasks::get(app, &other, id).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app::tasks::extend(app, &ed, id, fields.deadline + chrono::Duration::days(5)).await,
        Err(AppError::Forbidden)
    ));
    // An extension must be later; a closed task moves no more.
    assert!(matches!(
        app::tasks::extend(app, &sup, id, fields.deadline).await,
        Err(AppError::Invalid(_))
    ));
    app::tasks::extend(app, &sup, id, fields.deadline + chrono::Duration::days(5))
        .await
        .unwrap();
    let seen = app::tasks::get(app, &sup, id).await.unwrap();
    assert!(seen.manages);
    assert_eq!(
        seen.extensions,
        [(fields.deadline, fields.deadline + chrono::Duration::days(5))]
    );
    app::tasks::close(app, &sup, id).await.unwrap();
    assert!(matches!(
        app::tasks::extend(app, &sup, id, fields.deadline + chrono::Duration::days(9)).await,
        Err(AppError::Invalid(_))
    ));

    // A deadline already over cannot be issued; the draft stays a draft.
    let mut late = fields.clone();
    late.letter_date = today - chrono::Duration::days(30);
    late.deadline = today - chrono::Duration::days(1);
    let id = app::tasks::create(app, &sup, &unit(PROVINCE), late)
        .await
        .unwrap();
    assert!(matches!(
        app::tasks::issue(app, &sup, id).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(db.task(id).await.unwrap().unwrap().state, TaskState::Draft);
    assert!(db.task_units(id).await.unwrap().is_empty());
    app::tasks::discard(app, &sup, id).await.unwrap();
    assert!(matches!(
        app::tasks::dashboard(app, &sup, id).await,
        Err(AppError::NotFound(_))
    ));
}

/// The checklist checks itself from the data: a member bound, the point confirmed
/// after the issue, its poster downloaded after the issue (and still to be declared
/// hung); the dashboard and the unit's own view say the same.
async fn self_check(db: Db) {
    use domain::task::{ItemKey, UnitState};
    with_demo(&db).await;
    let (state, _) = crate::support::app(&db).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    let (_, fields) = due_in_ten_days();
    let id = app::tasks::create(app, &sup, &unit(PROVINCE), fields)
        .await
        .unwrap();
    app::tasks::issue(app, &sup, id).await.unwrap();

    let item = |row: &app::tasks::UnitRow, key: ItemKey| {
        row.items.iter().find(|i| i.key == key).unwrap().clone()
    };
    let board = app::tasks::dashboard(app, &sup, id).await.unwrap();
    assert_eq!(board.rows.len(), 2);
    assert_eq!(board.totals.expected, 2);
    assert_eq!(board.totals.submitted, 0);
    let bl = board.rows.iter().find(|r| r.code == BANG_LAMUNG).unwrap();
    assert!(!item(bl, ItemKey::SignedUp).done, "nobody bound yet");
    assert!(!item(bl, ItemKey::DataChecked).done);
    assert!(!item(bl, ItemKey::Poster).done);
    // What the data already shows (a photo uploaded before) counts from the start.
    let done_at_issue = bl.items_done;
    assert!(done_at_issue < bl.items.len());
    assert_eq!(
        bl.state,
        if done_at_issue == 0 {
            UnitState::NotStarted
        } else {
            UnitState::InProgress
        }
    );

    // An officer binds to the office, confirms the point's data, downloads the poster.
    let ed = staff(app, &db, "blediter", BANG_LAMUNG, "editor").await;
    app::points::verify(app, &ed, &unit("0112140410304"))
        .await
        .unwrap();
    app::posters::download(app, &ed, &[unit("0112140410304")])
        .await
        .unwrap();

    let mine = app::tasks::unit_view(app, &ed, id, &unit(BANG_LAMUNG))
        .await
        .unwrap();
    let signed = item(&mine, ItemKey::SignedUp);
    assert!(signed.done);
    assert!(
        signed.evidence_th.contains("blediter"),
        "{}",
        signed.evidence_th
    );
    assert!(item(&mine, ItemKey::DataChecked).done);
    let poster = item(&mine, ItemKey::Poster);
    assert!(
        !poster.done && poster.needs_declaration,
        "hung is the unit's word"
    );
    assert_eq!(mine.state, UnitState::InProgress);
    assert_eq!(
        mine.items_done,
        done_at_issue + 2,
        "signed up and data checked"
    );
    // The office sees only its own row: Sattahip's is not its to read.
    assert!(matches!(
        app::tasks::unit_view(app, &ed, id, &unit(SATTAHIP)).await,
        Err(app::AppError::Forbidden)
    ));
    // Nor is the dashboard.
    assert!(matches!(
        app::tasks::dashboard(app, &ed, id).await,
        Err(app::AppError::Forbidden)
    ));
    let board = app::tasks::dashboard(app, &sup, id).await.unwrap();
    let bl = board.rows.iter().find(|r| r.code == BANG_LAMUNG).unwrap();
    assert_eq!(bl.items_done, mine.items_done);
    let sh = board.rows.iter().find(|r| r.code == SATTAHIP).unwrap();
    assert!(
        !item(sh, ItemKey::DataChecked).done,
        "nothing done at Sattahip"
    );
}

on_both_databases!(the_checklist_checks_itself_from_the_data, self_check);

on_both_databases!(only_the_issuing_office_manages_a_task, rights);
