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

    let mine = app::tasks::report(app, &ed, id, &unit(BANG_LAMUNG))
        .await
        .unwrap()
        .row;
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
        app::tasks::report(app, &ed, id, &unit(SATTAHIP)).await,
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

/// The report form: saved, submitted, returned with a comment, submitted again and
/// accepted; a stale form, a wrong field and a closed task change nothing.
async fn reports(db: Db) {
    use app::AppError;
    use app::tasks::ReportInput;
    use domain::task::{ItemKey, ReportAction, ReportForm, ReportState, UnitState};
    with_demo(&db).await;
    let (state, _) = crate::support::app(&db).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    let ed = staff(app, &db, "blediter", BANG_LAMUNG, "editor").await;
    let viewer = staff(app, &db, "blviewer", BANG_LAMUNG, "viewer").await;
    let (_, fields) = due_in_ten_days();
    let id = app::tasks::create(app, &sup, &unit(PROVINCE), fields)
        .await
        .unwrap();
    let bl = unit(BANG_LAMUNG);
    let form = |name: &str| ReportForm {
        declared: [ItemKey::Poster].into_iter().collect(),
        remarks: [(ItemKey::Photo, "รูปเดิมยังใช้ได้".to_owned())]
            .into_iter()
            .collect(),
        reporter_name: name.into(),
        reporter_position: "ปลัดอำเภอ".into(),
    };
    let send = |name: &str, submit: bool, seen: Option<ReportState>| ReportInput {
        form: form(name),
        submit,
        seen,
    };
    // Nothing to report on a draft.
    assert!(
        app::tasks::write_report(app, &ed, id, &bl, send("นายสมชาย ใจดี", true, None), None)
            .await
            .is_err()
    );
    app::tasks::issue(app, &sup, id).await.unwrap();

    // A viewer reads the report but does not write it.
    assert!(
        !app::tasks::report(app, &viewer, id, &bl)
            .await
            .unwrap()
            .writes
    );
    assert!(matches!(
        app::tasks::write_report(app, &viewer, id, &bl, send("x", false, None), None).await,
        Err(AppError::Forbidden)
    ));
    // Submitting needs the reporter's name; nothing is written when it is missing.
    let err = app::tasks::write_report(app, &ed, id, &bl, send(" ", true, None), None)
        .await
        .unwrap_err();
    match err {
        AppError::Invalid(p) => assert_eq!(p[0].field, "reporter_name"),
        e => panic!("{e:?}"),
    }
    let v = app::tasks::report(app, &ed, id, &bl).await.unwrap();
    assert_eq!(v.row.report, ReportState::NotStarted);

    // Saved, then submitted: the declaration and the remark are kept with the row.
    let v = app::tasks::write_report(app, &ed, id, &bl, send("", false, None), None)
        .await
        .unwrap();
    assert_eq!(v.row.report, ReportState::InProgress);
    let poster = v
        .row
        .items
        .iter()
        .find(|i| i.key == ItemKey::Poster)
        .unwrap();
    assert!(poster.declared);
    let v = app::tasks::write_report(
        app,
        &ed,
        id,
        &bl,
        send("นายสมชาย ใจดี", true, Some(ReportState::InProgress)),
        None,
    )
    .await
    .unwrap();
    assert_eq!(v.row.report, ReportState::Submitted);
    assert_eq!(v.row.state, UnitState::Submitted);
    assert_eq!(v.row.reporter_name.as_deref(), Some("นายสมชาย ใจดี"));
    let photo = v
        .row
        .items
        .iter()
        .find(|i| i.key == ItemKey::Photo)
        .unwrap();
    assert_eq!(photo.remark.as_deref(), Some("รูปเดิมยังใช้ได้"));
    let first = v.row.first_submitted_at.unwrap();

    // The unit cannot accept its own report; the office returns it, saying why.
    assert!(matches!(
        app::tasks::review(app, &ed, id, &bl, ReportAction::Accept, None, None).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app::tasks::review(
            app,
            &sup,
            id,
            &bl,
            ReportAction::Return {
                comment: "  ".into()
            },
            None,
            None
        )
        .await,
        Err(AppError::Invalid(_))
    ));
    let v = app::tasks::review(
        app,
        &sup,
        id,
        &bl,
        ReportAction::Return {
            comment: "กรุณาแนบรูปโปสเตอร์ที่ติดตั้ง".into(),
        },
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(v.row.report, ReportState::Returned);
    assert_eq!(
        v.row.return_comment.as_deref(),
        Some("กรุณาแนบรูปโปสเตอร์ที่ติดตั้ง")
    );
    // A form read before the return is stale.
    assert!(matches!(
        app::tasks::write_report(
            app,
            &ed,
            id,
            &bl,
            send("นายสมชาย ใจดี", true, Some(ReportState::Submitted)),
            None
        )
        .await,
        Err(AppError::Stale)
    ));
    // Submitted again: the first submission's time stays for the on-time rate.
    let v = app::tasks::write_report(
        app,
        &ed,
        id,
        &bl,
        send("นายสมชาย ใจดี", true, Some(ReportState::Returned)),
        None,
    )
    .await
    .unwrap();
    assert_eq!(v.row.first_submitted_at, Some(first));
    // A decision on the first submission, read before the second, is stale.
    assert!(matches!(
        app::tasks::review(app, &sup, id, &bl, ReportAction::Accept, Some(first), None).await,
        Err(AppError::Stale)
    ));
    // Saving over a report under review is refused: it is sent again, or left.
    assert!(matches!(
        app::tasks::write_report(app, &ed, id, &bl, send("x", false, None), None).await,
        Err(AppError::Invalid(_))
    ));
    let v = app::tasks::review(
        app,
        &sup,
        id,
        &bl,
        ReportAction::Accept,
        v.row.submitted_at,
        None,
    )
    .await
    .unwrap();
    assert_eq!(v.row.report, ReportState::Accepted);
    // Accepted is final.
    assert!(
        app::tasks::write_report(app, &ed, id, &bl, send("x", true, None), None)
            .await
            .is_err()
    );
    let board = app::tasks::dashboard(app, &sup, id).await.unwrap();
    assert_eq!(board.totals.submitted, 1);
    assert_eq!(board.totals.accepted, 1);
    assert_eq!(board.totals.on_time, 1);

    // Once the task is closed, Sattahip's report can no longer be written.
    app::tasks::close(app, &sup, id).await.unwrap();
    let sh_ed = staff(app, &db, "sheditor", SATTAHIP, "editor").await;
    let err = app::tasks::write_report(
        app,
        &sh_ed,
        id,
        &unit(SATTAHIP),
        send("x", false, None),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
    let v = app::tasks::report(app, &sup, id, &unit(SATTAHIP))
        .await
        .unwrap();
    assert_eq!(v.row.report, ReportState::NotStarted);
    // The moves are in the audit log.
    let actions: Vec<String> = sqlx_actions(&db).await;
    for a in [
        "task_report.submit",
        "task_report.return",
        "task_report.accept",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn sqlx_actions(db: &Db) -> Vec<String> {
    db.audit_for_unit(&unit(BANG_LAMUNG))
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.0)
        .collect()
}

on_both_databases!(a_report_is_saved_submitted_returned_and_accepted, reports);

/// The API over HTTP: a task drafted, changed, issued and followed; a unit's report
/// saved, submitted, returned and accepted; the dashboard as JSON, CSV and XLSX; bad
/// input answered with the field at fault and nothing changed.
async fn over_http(db: Db) {
    use axum::http::StatusCode;
    use serde_json::json;
    with_demo(&db).await;
    let (_, router) = crate::support::app(&db).await;
    crate::scope::person(&db, "provsup", false, Some((PROVINCE, "supervisor"))).await;
    crate::scope::person(&db, "blediter", false, Some((BANG_LAMUNG, "editor"))).await;
    let sup = crate::scope::cookie(&router, "provsup").await;
    let ed = crate::scope::cookie(&router, "blediter").await;
    let send = |method: &'static str, uri: String, body: Option<serde_json::Value>, c: &str| {
        let router = router.clone();
        let c = c.to_owned();
        async move { crate::support::send_json(&router, method, &uri, body, Some(&c)).await }
    };
    let today = domain::task::local_date(Utc::now());
    let body = json!({
        "issuer": PROVINCE,
        "title": "การดำเนินการระบบ CITIZENinfo",
        "letter_number": "ที่  ชบ 0018 / ว5785",
        "letter_date": today,
        "body": "ขอให้ดำเนินการตามรายการ",
        "deadline": today - chrono::Duration::days(1),
        "targets": { "by": "pick", "units": [BANG_LAMUNG, SATTAHIP] },
        "checklist": [{ "kind": "signed_up" }, { "kind": "photo" }, { "kind": "poster" }],
    });
    // A deadline in the past is refused, with its field named.
    let r = send(
        "POST",
        "/api/v1/staff/tasks".into(),
        Some(body.clone()),
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["deadline"].is_array(),
        "{}",
        r.body
    );
    // So is a target outside the issuer's subtree.
    let mut outside = body.clone();
    outside["deadline"] = json!(today + chrono::Duration::days(10));
    outside["targets"] = json!({ "by": "pick", "units": ["0110030201101"] });
    let r = send("POST", "/api/v1/staff/tasks".into(), Some(outside), &sup).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        db.tasks_of(&[id_of(&db, PROVINCE).await])
            .await
            .unwrap()
            .is_empty()
    );
    // An editor of a district sets no task.
    let mut good = body.clone();
    good["deadline"] = json!(today + chrono::Duration::days(10));
    let r = send(
        "POST",
        "/api/v1/staff/tasks".into(),
        Some(good.clone()),
        &ed,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let r = send("POST", "/api/v1/staff/tasks".into(), Some(good), &sup).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let task = r.json();
    let id = task["id"].as_i64().unwrap();
    assert_eq!(task["state"], "draft");
    // The number is kept as typed, its spacing tidied.
    assert_eq!(task["letter_number"], "ที่ ชบ 0018/ว5785");
    let r = send(
        "PATCH",
        format!("/api/v1/staff/tasks/{id}"),
        Some(json!({ "title": "CITIZENinfo: รายงานผล" })),
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["title"], "CITIZENinfo: รายงานผล");
    assert_eq!(
        r.json()["checklist"].as_array().unwrap().len(),
        3,
        "the rest stays"
    );
    let r = send(
        "POST",
        format!("/api/v1/staff/tasks/{id}/issue"),
        None,
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["units"], json!([BANG_LAMUNG, SATTAHIP]));
    // An issued task is no longer edited.
    let r = send(
        "PATCH",
        format!("/api/v1/staff/tasks/{id}"),
        Some(json!({ "title": "x" })),
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // The district sees the task on its list with its report's state.
    let r = send("GET", "/api/v1/staff/tasks?show=open".into(), None, &ed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].clone();
    assert_eq!(items[0]["id"], id);
    assert_eq!(items[0]["manages"], false);
    assert_eq!(items[0]["days_left"], 10);
    assert_eq!(items[0]["reporting"][0]["unit"], BANG_LAMUNG);
    // It reads its own report, not the dashboard.
    let report = format!("/api/v1/staff/tasks/{id}/units/{BANG_LAMUNG}/report");
    let r = send("GET", format!("/api/v1/staff/tasks/{id}/units"), None, &ed).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send("GET", report.clone(), None, &ed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["report_state"], "not_started");
    assert_eq!(r.json()["writes"], true);
    assert_eq!(r.json()["reviews"], false);

    // A remark over its length: the field is named, nothing saved.
    let r = send(
        "PUT",
        report.clone(),
        Some(json!({ "remarks": { "photo": "ก".repeat(501) } })),
        &ed,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["remarks.photo"].is_array(),
        "{}",
        r.body
    );
    // An item the task does not have is no item at all.
    let r = send(
        "PUT",
        report.clone(),
        Some(json!({ "declared": ["nothing"] })),
        &ed,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let form = json!({
        "declared": ["poster"],
        "remarks": { "photo": "ยังไม่มีรูป จะส่งภายหลัง" },
        "reporter_name": "นายสมชาย ใจดี",
        "reporter_position": "ปลัดอำเภอ",
        "seen": "not_started",
    });
    let r = send("POST", format!("{report}/submit"), Some(form.clone()), &ed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["report_state"], "submitted");
    // The same form again, read before the submission: stale.
    let r = send("PUT", report.clone(), Some(form), &ed).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);

    // The province: returns without a comment is refused, with one it goes back.
    let r = send(
        "POST",
        format!("{report}/return"),
        Some(json!({ "comment": "" })),
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = send(
        "POST",
        format!("{report}/return"),
        Some(json!({ "comment": "กรุณาอัปโหลดรูปภาพสำนักงาน" })),
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["report_state"], "returned");
    let r = send("POST", format!("{report}/accept"), None, &ed).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the unit accepts nothing");
    let r = send(
        "POST",
        format!("{report}/submit"),
        Some(json!({
            "declared": ["poster"], "reporter_name": "นายสมชาย ใจดี", "reporter_position": "ปลัดอำเภอ"
        })),
        &ed,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = send("POST", format!("{report}/accept"), None, &sup).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["report_state"], "accepted");

    // The dashboard: 1 of 2 in, on time.
    let r = send("GET", format!("/api/v1/staff/tasks/{id}/units"), None, &sup).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = r.json();
    assert_eq!(d["totals"]["expected"], 2);
    assert_eq!(d["totals"]["submitted"], 1);
    assert_eq!(d["totals"]["on_time"], 1);
    assert_eq!(d["totals"]["reporting_rate"], 0.5);
    assert_eq!(d["units"][0]["state"], "accepted");
    // Sattahip has its demo photo: started by the data, not reported.
    assert_eq!(d["units"][1]["state"], "in_progress");
    assert_eq!(d["units"][1]["report_state"], "not_started");
    let r = send(
        "GET",
        format!("/api/v1/staff/tasks/{id}/units?format=csv"),
        None,
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
    let lines: Vec<&str> = r.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.body);
    assert!(lines[1].starts_with(BANG_LAMUNG) && lines[1].contains("นายสมชาย ใจดี"));
    let r = send(
        "GET",
        format!("/api/v1/staff/tasks/{id}/units?format=xlsx"),
        None,
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let sheet = crate::scope::read_xlsx(&r.raw);
    assert_eq!(sheet.len(), 3);
    assert_eq!(sheet[1][0], BANG_LAMUNG, "a code stays text in Excel");
    let r = send(
        "GET",
        format!("/api/v1/staff/tasks/{id}/units?format=pdf"),
        None,
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Closed: a report can no longer be sent.
    let r = send(
        "POST",
        format!("/api/v1/staff/tasks/{id}/close"),
        None,
        &sup,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    crate::scope::person(&db, "sheditor", false, Some((SATTAHIP, "editor"))).await;
    let sh = crate::scope::cookie(&router, "sheditor").await;
    let r = send(
        "PUT",
        format!("/api/v1/staff/tasks/{id}/units/{SATTAHIP}/report"),
        Some(json!({ "reporter_name": "x" })),
        &sh,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        db.task_units(id).await.unwrap()[1].report_state,
        "not_started"
    );
}

on_both_databases!(tasks_over_the_api, over_http);

/// The text of a PDF as poppler's pdftotext copies it out, its white space collapsed.
fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    let path = std::env::temp_dir().join(format!("citizeninfo-task-{}.pdf", rand::random::<u64>()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; ./scripts/install-test-deps installs it)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The letter, the report form and the Authorize Codes as files: Thai digits and the
/// Buddhist era where the letter prints them, the codes of the targets alone.
async fn files(db: Db) {
    use axum::http::StatusCode;
    use domain::task::{ItemKey, ReportForm};
    with_demo(&db).await;
    crate::support::issue_codes(&db, "0112140000000").await;
    let (state, router) = crate::support::app(&db).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    let (_, mut fields) = due_in_ten_days();
    fields.targets = Targets::Pick {
        units: vec![unit(BANG_LAMUNG)],
    };
    let deadline = fields.deadline;
    let id = app::tasks::create(app, &sup, &unit(PROVINCE), fields)
        .await
        .unwrap();
    let c = crate::scope::cookie(&router, "provsup").await;
    let get = |uri: String, c: String| {
        let router = router.clone();
        async move { crate::support::send_json(&router, "GET", &uri, None, Some(&c)).await }
    };
    // A draft's letter can be read before it goes.
    let r = get(format!("/api/v1/staff/tasks/{id}/letter.pdf"), c.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.content_type, "application/pdf");
    let text = pdf_text(&r.raw);
    for words in [
        "ที่ ชบ ๐๐๑๘/ว๕๗๘๕",
        "เรื่อง การดำเนินการระบบ CITIZENinfo",
        "สิ่งที่ส่งมาด้วย",
        "บัญชีรายชื่อหน่วยงานและ Authorize Code",
        "สมัครใช้งานระบบ",
        "ขอแสดงความนับถือ",
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    let due = domain::task::due_by_th(deadline);
    assert!(text.contains(&due), "{due:?} in {text}");
    assert!(!text.contains('\u{25cc}'), "no dotted circle");
    // The codes wait for the issue: a draft has no units yet.
    let r = get(
        format!("/api/v1/staff/tasks/{id}/authorize-codes"),
        c.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    app::tasks::issue(app, &sup, id).await.unwrap();
    let r = get(
        format!("/api/v1/staff/tasks/{id}/authorize-codes"),
        c.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.json();
    assert_eq!(
        rows.as_array().unwrap().len(),
        1,
        "the target alone: {rows}"
    );
    assert_eq!(rows[0]["unit"], BANG_LAMUNG);
    let code = rows[0]["authorize_code"].as_str().unwrap().to_owned();
    let r = get(
        format!("/api/v1/staff/tasks/{id}/authorize-codes?format=pdf"),
        c.clone(),
    )
    .await;
    let text = pdf_text(&r.raw);
    assert!(text.contains(&code) && text.contains(BANG_LAMUNG), "{text}");
    let r = get(
        format!("/api/v1/staff/tasks/{id}/authorize-codes?format=xlsx"),
        c.clone(),
    )
    .await;
    let sheet = crate::scope::read_xlsx(&r.raw);
    assert_eq!(sheet[1][1], BANG_LAMUNG);
    assert_eq!(sheet[1][3], code);

    // The unit's report form, as it submitted it.
    let ed = staff(app, &db, "blediter", BANG_LAMUNG, "editor").await;
    app::tasks::write_report(
        app,
        &ed,
        id,
        &unit(BANG_LAMUNG),
        app::tasks::ReportInput {
            form: ReportForm {
                declared: [ItemKey::Poster].into_iter().collect(),
                remarks: [(ItemKey::Photo, "ส่งรูปเพิ่มเติม 2 รูป".to_owned())]
                    .into_iter()
                    .collect(),
                reporter_name: "นายสมชาย ใจดี".into(),
                reporter_position: "ปลัดอำเภอ".into(),
            },
            submit: true,
            seen: None,
        },
        None,
    )
    .await
    .unwrap();
    let c = crate::scope::cookie(&router, "blediter").await;
    let r = get(
        format!("/api/v1/staff/tasks/{id}/units/{BANG_LAMUNG}/report.pdf"),
        c.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = pdf_text(&r.raw);
    let today = domain::thai_date::thai_digits(&domain::thai_date::long_th(
        domain::task::local_date(Utc::now()),
    ));
    for words in [
        "นายสมชาย ใจดี",
        "ปลัดอำเภอ",
        "ผู้รายงาน",
        "ส่งรูปเพิ่มเติม ๒ รูป",
        "ชื่อผู้ใช้งาน: blediter",
        today.as_str(),
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    // Sattahip's form is not Bang Lamung's to print.
    let r = get(
        format!("/api/v1/staff/tasks/{id}/units/{SATTAHIP}/report.pdf"),
        c.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nor the letter or the codes.
    let r = get(format!("/api/v1/staff/tasks/{id}/letter.pdf"), c.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = get(format!("/api/v1/staff/tasks/{id}/authorize-codes"), c).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

on_both_databases!(a_task_prints_as_letter_report_form_and_codes, files);

const BOUNDARY: &str = "citizeninfo-task-boundary";

fn attachment_body(file: &[u8], title: &str) -> Vec<u8> {
    let mut b = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"guide.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(file);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn upload(router: &axum::Router, c: &str, id: i64, body: Vec<u8>) -> crate::support::Reply {
    crate::support::reply(
        router,
        axum::http::Request::post(format!("/api/v1/staff/tasks/{id}/attachments"))
            .header("cookie", c)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await
}

/// A draft's uploaded attachments: checked by their content, listed on the letter,
/// read by the units the task went to and by nobody else, never public media.
async fn attachments(db: Db) {
    use axum::http::StatusCode;
    with_demo(&db).await;
    let (state, router) = crate::support::app(&db).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    staff(app, &db, "blediter", BANG_LAMUNG, "editor").await;
    staff(app, &db, "sheditor", SATTAHIP, "editor").await;
    let (_, mut fields) = due_in_ten_days();
    fields.targets = Targets::Pick {
        units: vec![unit(BANG_LAMUNG)],
    };
    let id = app::tasks::create(app, &sup, &unit(PROVINCE), fields.clone())
        .await
        .unwrap();
    let c = crate::scope::cookie(&router, "provsup").await;
    let guide = b"%PDF-1.4\n% the user guide\n".to_vec();

    // An executable named .pdf, and a file without a title, are refused.
    let r = upload(
        &router,
        &c,
        id,
        attachment_body(b"MZ\x90\x00 not a pdf", "คู่มือ"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["fields"]["file"].is_array(), "{}", r.body);
    let r = upload(&router, &c, id, attachment_body(&guide, " ")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        db.task(id)
            .await
            .unwrap()
            .unwrap()
            .fields
            .attachments
            .is_empty()
    );
    // The district cannot attach to the province's task.
    let ed = crate::scope::cookie(&router, "blediter").await;
    let r = upload(&router, &ed, id, attachment_body(&guide, "คู่มือ")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let r = upload(&router, &c, id, attachment_body(&guide, "คู่มือการใช้งานระบบ")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let key = r.json()["attachments"][0]["file_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(key.starts_with("tasks/") && key.ends_with(".pdf"), "{key}");
    // Never served as public media.
    let r = crate::support::get(&router, &format!("/media/{key}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A change of the draft keeps it; a body cannot name another file.
    let mut changed = fields.clone();
    changed.title = "CITIZENinfo".into();
    changed.attachments = vec![domain::task::Attachment {
        title: "x".into(),
        file_key: "tasks/999/other.pdf".into(),
    }];
    app::tasks::update(app, &sup, id, changed.clone())
        .await
        .unwrap();
    let kept = db.task(id).await.unwrap().unwrap().fields.attachments;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].file_key, key);
    assert!(matches!(
        app::tasks::create(app, &sup, &unit(PROVINCE), changed).await,
        Err(app::AppError::Invalid(_))
    ));
    // The letter lists it before the built-in attachments.
    let r = crate::support::send_json(
        &router,
        "GET",
        &format!("/api/v1/staff/tasks/{id}/letter.pdf"),
        None,
        Some(&c),
    )
    .await;
    assert!(pdf_text(&r.raw).contains("คู่มือการใช้งานระบบ จำนวน ๑ ชุด"));

    app::tasks::issue(app, &sup, id).await.unwrap();
    // Issued: the attachments stay as sent.
    let r = upload(&router, &c, id, attachment_body(&guide, "เพิ่มเติม")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The target unit reads it, byte for byte; another unit does not.
    let path = format!("/api/v1/staff/tasks/{id}/attachments/1");
    let r = crate::support::send_json(&router, "GET", &path, None, Some(&ed)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.content_type, "application/pdf");
    assert_eq!(r.raw, guide);
    let sh = crate::scope::cookie(&router, "sheditor").await;
    let r = crate::support::send_json(&router, "GET", &path, None, Some(&sh)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = crate::support::send_json(
        &router,
        "GET",
        &format!("/api/v1/staff/tasks/{id}/attachments/2"),
        None,
        Some(&ed),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A draft's removed attachment takes its file with it.
    let (_, fields) = due_in_ten_days();
    let draft = app::tasks::create(app, &sup, &unit(PROVINCE), fields)
        .await
        .unwrap();
    let r = upload(&router, &c, draft, attachment_body(&guide, "คู่มือ")).await;
    let key = r.json()["attachments"][0]["file_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(app.media.get(&key).await.unwrap().is_some());
    let r = crate::support::send_json(
        &router,
        "DELETE",
        &format!("/api/v1/staff/tasks/{draft}/attachments/1"),
        None,
        Some(&c),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(app.media.get(&key).await.unwrap().is_none());
}

on_both_databases!(a_task_carries_its_uploaded_attachments, attachments);

fn photo_body(file: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"poster.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(file);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// The poster hung, declared with a photo: re-encoded, kept with the report through
/// its saves, read by the unit and the office, not by another unit.
async fn declaration_photo(db: Db) {
    use axum::http::StatusCode;
    with_demo(&db).await;
    let (state, router) = crate::support::app(&db).await;
    let app = &state.app;
    let sup = staff(app, &db, "provsup", PROVINCE, "supervisor").await;
    let ed = staff(app, &db, "blediter", BANG_LAMUNG, "editor").await;
    staff(app, &db, "sheditor", SATTAHIP, "editor").await;
    let (_, fields) = due_in_ten_days();
    let id = app::tasks::create(app, &sup, &unit(PROVINCE), fields)
        .await
        .unwrap();
    app::tasks::issue(app, &sup, id).await.unwrap();
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, 90, (y % 256) as u8])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    let c = crate::scope::cookie(&router, "blediter").await;
    let put = |path: String, body: Vec<u8>, c: String| {
        let router = router.clone();
        async move {
            crate::support::reply(
                &router,
                axum::http::Request::put(path)
                    .header("cookie", c)
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .body(axum::body::Body::from(body))
                    .unwrap(),
            )
            .await
        }
    };
    let base = format!("/api/v1/staff/tasks/{id}/units/{BANG_LAMUNG}/report/photos");
    // Only where the unit's word is taken; only a photo.
    let r = put(format!("{base}/photo"), photo_body(&png), c.clone()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = put(format!("{base}/poster"), photo_body(b"%PDF-1.4"), c.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let sh = crate::scope::cookie(&router, "sheditor").await;
    let r = put(format!("{base}/poster"), photo_body(&png), sh.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let r = put(format!("{base}/poster"), photo_body(&png), c.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let poster = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "poster")
        .unwrap()
        .clone();
    assert_eq!(poster["photo"], true, "{poster}");
    // A save of the form keeps it.
    app::tasks::write_report(
        app,
        &ed,
        id,
        &unit(BANG_LAMUNG),
        app::tasks::ReportInput {
            form: domain::task::ReportForm::default(),
            submit: false,
            seen: None,
        },
        None,
    )
    .await
    .unwrap();
    let v = app::tasks::report(app, &sup, id, &unit(BANG_LAMUNG))
        .await
        .unwrap();
    assert!(v.row.items.iter().any(|i| i.photo));
    // Read back as a JPEG by the unit and the office; not by another unit.
    let r =
        crate::support::send_json(&router, "GET", &format!("{base}/poster"), None, Some(&c)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "image/jpeg");
    assert!(r.raw.starts_with(&[0xFF, 0xD8, 0xFF]));
    let office = crate::scope::cookie(&router, "provsup").await;
    let r = crate::support::send_json(
        &router,
        "GET",
        &format!("{base}/poster"),
        None,
        Some(&office),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r =
        crate::support::send_json(&router, "GET", &format!("{base}/poster"), None, Some(&sh)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

on_both_databases!(a_declaration_is_shown_with_a_photo, declaration_photo);
