//! The manual catalogue (the seed's step 9): a department's administrators write
//! manuals as drafts, publish them as versions after the checks the law asks for, and
//! name the manuals their points should carry; editors pin manuals to their points, one
//! by one or to every point under a unit at once.

use chrono::Utc;
use domain::manual::Manual;
use domain::roles::Right;
use domain::{Problem, UnitCode};
use storage::{DraftRow, NewChange, PublicChange};

use crate::{App, AppError, Caller, Result};

/// A draft with what its checks say.
#[derive(Debug, Clone)]
pub struct Draft {
    pub row: DraftRow,
    pub manual: Manual,
    /// Every problem, errors (which block publishing) and warnings.
    pub problems: Vec<domain::manual::ManualProblem>,
}

fn problems_of(m: &Manual) -> Vec<Problem> {
    m.problems()
        .into_iter()
        .map(|p| Problem::new(p.field(), p.th(), p.en()))
        .collect()
}

fn draft_of(row: DraftRow) -> Result<Draft> {
    let manual: Manual = serde_json::from_str(&row.body).map_err(AppError::internal)?;
    let problems = manual.check();
    Ok(Draft {
        row,
        manual,
        problems,
    })
}

async fn unit_id(app: &App, code: &UnitCode) -> Result<i64> {
    let chain = app
        .db
        .unit_chain(code)
        .await?
        .ok_or(AppError::NotFound("code"))?;
    Ok(chain[0].0)
}

async fn owner_code(app: &App, owner: i64) -> Result<UnitCode> {
    let tree = app.db.staff_tree().await?;
    let u = tree
        .units
        .iter()
        .find(|u| u.id == owner)
        .ok_or(AppError::NotFound("code"))?;
    UnitCode::parse(&u.code).map_err(AppError::internal)
}

/// A key of lower-case letters, digits and dashes, at most 60.
fn key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 60
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Saves a draft of a department's manual: new (with the given or a made-up key) or
/// replacing the draft of its key. The checks are answered, not enforced: a draft may
/// be incomplete.
pub async fn save_draft(
    app: &App,
    caller: &Caller,
    department: &UnitCode,
    key: Option<&str>,
    mut manual: Manual,
) -> Result<Draft> {
    caller.require(app, department, Right::Catalogue).await?;
    let owner = unit_id(app, department).await?;
    let key = match key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => k.to_owned(),
        None => format!("m-{}", hex::encode(rand::random::<[u8; 5]>())),
    };
    if !key_ok(&key) {
        return Err(AppError::Invalid(vec![Problem::new(
            "key",
            "รหัสคู่มือใช้ได้เฉพาะอักษรภาษาอังกฤษตัวเล็ก ตัวเลข และ - ไม่เกิน 60 ตัว",
            "A manual key has lower-case letters, digits and dashes, at most 60",
        )]));
    }
    // A key belongs to one department: its drafts and versions stay with it.
    let existing_owner = match app.db.draft(&key).await? {
        Some(d) => Some(d.owner_unit_id),
        None => app
            .db
            .manual_rows()
            .await?
            .into_iter()
            .find(|m| m.key == key)
            .map(|m| m.owner_unit_id),
    };
    if existing_owner.is_some_and(|o| o != owner) {
        return Err(AppError::Forbidden);
    }
    manual.key = key.clone();
    manual.owner_department_code = *department;
    let mut text = Vec::new();
    domain::problem::plain_text(&mut text, "title_th", &manual.title_th, 500, true);
    if !text.is_empty() {
        return Err(AppError::Invalid(text));
    }
    let body = serde_json::to_string(&manual).map_err(AppError::internal)?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    tx.save_draft(&key, owner, &body, &caller.user.username, now)
        .await?;
    tx.record_change(
        &NewChange {
            user_id: (caller.user.id != 0).then_some(caller.user.id),
            actor: &caller.user.username,
            subject: "manual",
            unit_id: owner,
            manual_key: Some(&key),
            action: "draft",
            before: None,
            after: Some(manual.title_th.clone()),
            note: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let row = app.db.draft(&key).await?.ok_or(AppError::NotFound("key"))?;
    draft_of(row)
}

/// A draft, to its department's catalogue writers.
pub async fn draft(app: &App, caller: &Caller, key: &str) -> Result<Draft> {
    let row = app.db.draft(key).await?;
    // The right first, on the department of the key, so that who may not write the
    // catalogue learns nothing of its drafts.
    let owner = match &row {
        Some(r) => r.owner_unit_id,
        None => app
            .db
            .manual_rows()
            .await?
            .into_iter()
            .find(|m| m.key == key)
            .map(|m| m.owner_unit_id)
            .ok_or(AppError::NotFound("key"))?,
    };
    let owner = owner_code(app, owner).await?;
    caller.require(app, &owner, Right::Catalogue).await?;
    draft_of(row.ok_or(AppError::NotFound("key"))?)
}

/// Publishes a draft as the next version: refused, naming each field, while a check
/// that blocks publishing fails. The pins of the previous version move to it.
pub async fn publish(app: &App, caller: &Caller, key: &str) -> Result<i64> {
    let d = draft(app, caller, key).await?;
    let problems = problems_of(&d.manual);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let now = Utc::now();
    let mut m = d.manual.clone();
    m.published_by = Some(caller.user.username.clone());
    m.published_on = Some(now.with_timezone(&domain::hours::bangkok()).date_naive());
    let mut tx = app.db.begin().await?;
    let (id, previous) = tx.publish_manual(&m, d.row.owner_unit_id, now).await?;
    tx.record_change(
        &NewChange {
            user_id: (caller.user.id != 0).then_some(caller.user.id),
            actor: &caller.user.username,
            subject: "manual",
            unit_id: d.row.owner_unit_id,
            manual_key: Some(key),
            action: "publish",
            before: previous.map(|p| format!("#{p}")),
            after: Some(format!("#{id} {}", m.title_th)),
            note: None,
        },
        now,
    )
    .await?;
    // Pinned points show the new version: the whole read model is rebuilt.
    tx.publish(&[PublicChange::Manual(id)]).await?;
    tx.commit().await?;
    Ok(id)
}

async fn published(app: &App, manual: i64) -> Result<storage::ManualRow> {
    app.db
        .manual_row(manual)
        .await?
        .filter(|m| m.state == "published")
        .ok_or(AppError::NotFound("manual"))
}

async fn pin_one(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    manual: i64,
    on: bool,
) -> Result<bool> {
    let point = app
        .db
        .point_for_edit(code)
        .await?
        .ok_or(AppError::NotFound("code"))?;
    caller.require(app, &point.unit, Right::Edit).await?;
    let m = published(app, manual).await?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let changed = if on {
        tx.pin(point.id, manual, &caller.user.username, now).await?
    } else {
        tx.unpin(point.id, manual).await?
    };
    if changed {
        tx.record_change(
            &NewChange {
                user_id: (caller.user.id != 0).then_some(caller.user.id),
                actor: &caller.user.username,
                subject: "pin",
                unit_id: point.id,
                manual_key: Some(&m.key),
                action: if on { "pin" } else { "unpin" },
                before: (!on).then(|| m.title_th.clone()),
                after: on.then(|| m.title_th.clone()),
                note: None,
            },
            now,
        )
        .await?;
        tx.publish(&[PublicChange::Point(*code)]).await?;
        tx.commit().await?;
    }
    Ok(changed)
}

/// Pins a published manual to a point; whether it was new.
pub async fn pin(app: &App, caller: &Caller, code: &UnitCode, manual: i64) -> Result<bool> {
    pin_one(app, caller, code, manual, true).await
}

/// Unpins; whether it was pinned.
pub async fn unpin(app: &App, caller: &Caller, code: &UnitCode, manual: i64) -> Result<bool> {
    pin_one(app, caller, code, manual, false).await
}

/// Pins a manual to every live service point under a unit that the caller edits (all
/// of them for its administrators and supervisors; for an editor, the unit's own), in
/// one transaction. How many were newly pinned, and how many points there were.
pub async fn pin_under(
    app: &App,
    caller: &Caller,
    unit: &UnitCode,
    manual: i64,
) -> Result<(usize, usize)> {
    let held = caller.require(app, unit, Right::Edit).await?;
    let m = published(app, manual).await?;
    let tree = app.db.staff_tree().await?;
    let root = tree
        .units
        .iter()
        .find(|u| u.code == unit.as_str())
        .ok_or(AppError::NotFound("code"))?
        .id;
    let mut children: std::collections::HashMap<i64, Vec<&storage::TreeUnit>> =
        std::collections::HashMap::new();
    for u in &tree.units {
        if let Some(p) = u.parent {
            children.entry(p).or_default().push(u);
        }
    }
    let live: std::collections::HashSet<i64> = tree
        .points
        .iter()
        .filter(|p| p.archived_at.is_none())
        .map(|p| p.unit_id)
        .collect();
    let mut points = Vec::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        for c in children.get(&id).into_iter().flatten() {
            if c.kind == "service_point" {
                if live.contains(&c.id) && (depth == 0 || held.holds_subtree()) {
                    points.push((c.id, c.code.clone()));
                }
            } else if depth < 16 {
                stack.push((c.id, depth + 1));
            }
        }
    }
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let mut changes = Vec::new();
    for (id, code) in &points {
        if tx.pin(*id, manual, &caller.user.username, now).await? {
            tx.record_change(
                &NewChange {
                    user_id: (caller.user.id != 0).then_some(caller.user.id),
                    actor: &caller.user.username,
                    subject: "pin",
                    unit_id: *id,
                    manual_key: Some(&m.key),
                    action: "pin",
                    before: None,
                    after: Some(m.title_th.clone()),
                    note: Some("ปักหมุดทั้งหน่วยงาน / pinned under a unit"),
                },
                now,
            )
            .await?;
            if let Ok(c) = UnitCode::parse(code) {
                changes.push(PublicChange::Point(c));
            }
        }
    }
    let pinned = changes.len();
    if pinned > 0 {
        tx.publish(&changes).await?;
    }
    tx.commit().await?;
    Ok((pinned, points.len()))
}

/// Names the manuals (by key) that a department's points should carry.
pub async fn set_expected(
    app: &App,
    caller: &Caller,
    department: &UnitCode,
    keys: Vec<String>,
) -> Result<Vec<String>> {
    caller.require(app, department, Right::Catalogue).await?;
    let id = unit_id(app, department).await?;
    let mut keys: Vec<String> = keys.into_iter().map(|k| k.trim().to_owned()).collect();
    keys.sort();
    keys.dedup();
    if let Some(bad) = keys.iter().position(|k| !key_ok(k)) {
        return Err(AppError::Invalid(vec![Problem::new(
            format!("keys[{bad}]"),
            "รหัสคู่มือไม่ถูกต้อง",
            "Not a manual key",
        )]));
    }
    let mut tx = app.db.begin().await?;
    tx.set_expected(id, &keys).await?;
    tx.commit().await?;
    Ok(app.db.expected_manuals(id).await?)
}
