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
    assert_eq!(db.tasks_issued_by(&[province]).await.unwrap().len(), 1);
    assert!(db.tasks_issued_by(&[units[0]]).await.unwrap().is_empty());

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
