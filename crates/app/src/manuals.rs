//! The manual catalogue (the seed's step 9): a department's administrators write
//! manuals as drafts, publish them as versions after the checks the law asks for, and
//! name the manuals their points should carry; editors pin manuals to their points, one
//! by one or to every point under a unit at once.

use chrono::Utc;
use domain::manual::{Manual, ManualState};
use domain::roles::Right;
use domain::{Problem, UnitCode};
use storage::{DraftRow, NewChange, PublicChange};

use crate::{App, AppError, Caller, Result};

/// Where an edit started: the newest version of the key (0 for none) and the revision
/// of its draft (0 for none). A save or publish on a base that is no longer current is
/// refused, so two people editing one manual do not overwrite each other; publishing
/// moves the version on, so a form opened before it is stale too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftBase {
    pub version: i64,
    pub revision: i64,
}

impl DraftBase {
    /// `3.2`: what forms carry and the API's ETag holds.
    pub fn token(self) -> String {
        format!("{}.{}", self.version, self.revision)
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (v, r) = s.trim().trim_matches('"').split_once('.')?;
        let (version, revision) = (v.parse().ok()?, r.parse().ok()?);
        (version >= 0 && revision >= 0).then_some(Self { version, revision })
    }
}

/// A draft with what its checks say.
#[derive(Debug, Clone)]
pub struct Draft {
    pub row: DraftRow,
    pub manual: Manual,
    /// Every problem, errors (which block publishing) and warnings.
    pub problems: Vec<domain::manual::ManualProblem>,
    pub base: DraftBase,
}

fn problems_of(m: &Manual) -> Vec<Problem> {
    m.problems()
        .into_iter()
        .map(|p| Problem::new(p.field(), p.th(), p.en()))
        .collect()
}

fn parse_manual(body: &str) -> Result<Manual> {
    serde_json::from_str(body).map_err(AppError::internal)
}

fn draft_of(row: DraftRow, version: i64) -> Result<Draft> {
    let manual = parse_manual(&row.body)?;
    let problems = manual.check();
    let base = DraftBase {
        version,
        revision: row.revision,
    };
    Ok(Draft {
        row,
        manual,
        problems,
        base,
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

/// The department that owns a key (its draft's, else its versions'), by id and code;
/// `NotFound` for a key nobody uses.
pub(crate) async fn owner_of_key(app: &App, key: &str) -> Result<(i64, UnitCode)> {
    let owner = match app.db.draft(key).await? {
        Some(d) => d.owner_unit_id,
        None => app
            .db
            .manual_versions(key)
            .await?
            .first()
            .map(|m| m.owner_unit_id)
            .ok_or(AppError::NotFound("key"))?,
    };
    Ok((owner, owner_code(app, owner).await?))
}

/// A key of lower-case letters, digits and dashes, at most 60.
fn key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 60
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn key_problem() -> AppError {
    AppError::Invalid(vec![Problem::new(
        "key",
        "รหัสคู่มือใช้ได้เฉพาะอักษรภาษาอังกฤษตัวเล็ก ตัวเลข และ - ไม่เกิน 60 ตัว",
        "A manual key has lower-case letters, digits and dashes, at most 60",
    )])
}

fn json(m: &Manual) -> Result<String> {
    serde_json::to_string(m).map_err(AppError::internal)
}

/// What a draft write records besides the state.
pub(crate) struct DraftWrite<'a> {
    pub owner: i64,
    pub key: &'a str,
    pub expected: Option<DraftBase>,
    /// `draft` or `revert`.
    pub action: &'a str,
    pub note: Option<String>,
}

/// Writes a draft and its record in the history in one transaction: the state before
/// (the draft, else the published version being edited) and after, whole. Refused as
/// `Stale` when `expected` is no longer the key's base.
pub(crate) async fn write_draft(
    app: &App,
    caller: &Caller,
    w: DraftWrite<'_>,
    mut manual: Manual,
) -> Result<Draft> {
    // A draft is not yet a version: what identifies one is set on publishing.
    manual.id = 0;
    manual.version = 0;
    manual.state = ManualState::Draft;
    manual.key = w.key.to_owned();
    let body = json(&manual)?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let current = tx.draft_for_update(w.key).await?;
    let version = tx.last_version(w.key).await?;
    let base = DraftBase {
        version,
        revision: current.as_ref().map_or(0, |d| d.revision),
    };
    if w.expected.is_some_and(|e| e != base) {
        return Err(AppError::Stale);
    }
    let before = match &current {
        Some(d) => Some(parse_manual(&d.body)?),
        None => tx.published_manual(w.key).await?,
    };
    // Saving a draft as it is changes nothing: no new revision to make other forms
    // stale, no empty entry in the history.
    if let Some(row) =
        current.filter(|_| domain::manual_diff::diff(before.as_ref(), Some(&manual)).is_empty())
    {
        drop(tx);
        return draft_of(row, version);
    }
    let saved = tx
        .save_draft(
            w.key,
            w.owner,
            &body,
            &caller.user.username,
            now,
            w.expected.map(|e| e.revision),
        )
        .await?;
    if saved.is_none() {
        return Err(AppError::Stale);
    }
    tx.record_change(
        &NewChange {
            user_id: (caller.user.id != 0).then_some(caller.user.id),
            actor: &caller.user.username,
            subject: "manual",
            unit_id: w.owner,
            manual_key: Some(w.key),
            action: w.action,
            before: before.as_ref().map(json).transpose()?,
            after: Some(body),
            note: w.note.as_deref(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let row = app
        .db
        .draft(w.key)
        .await?
        .ok_or(AppError::NotFound("key"))?;
    draft_of(row, version)
}

fn check_text(manual: &Manual) -> Result<()> {
    let mut text = Vec::new();
    domain::problem::plain_text(&mut text, "title_th", &manual.title_th, 500, true);
    if text.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(text))
    }
}

/// Saves a draft of a department's manual: new (with the given or a made-up key) or
/// replacing the draft of its key. The checks are answered, not enforced: a draft may
/// be incomplete. With `expected`, refused as `Stale` when someone saved or published
/// since.
pub async fn save_draft(
    app: &App,
    caller: &Caller,
    department: &UnitCode,
    key: Option<&str>,
    manual: Manual,
    expected: Option<DraftBase>,
) -> Result<Draft> {
    caller.require(app, department, Right::Catalogue).await?;
    let owner = unit_id(app, department).await?;
    let key = match key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => k.to_owned(),
        None => format!("m-{}", hex::encode(rand::random::<[u8; 5]>())),
    };
    if !key_ok(&key) {
        return Err(key_problem());
    }
    // A key belongs to one department: its drafts and versions stay with it.
    let existing_owner = match app.db.draft(&key).await? {
        Some(d) => Some(d.owner_unit_id),
        None => app
            .db
            .manual_versions(&key)
            .await?
            .first()
            .map(|m| m.owner_unit_id),
    };
    if existing_owner.is_some_and(|o| o != owner) {
        return Err(AppError::Forbidden);
    }
    let mut manual = manual;
    manual.owner_department_code = *department;
    check_text(&manual)?;
    write_draft(
        app,
        caller,
        DraftWrite {
            owner,
            key: &key,
            expected,
            action: "draft",
            note: None,
        },
        manual,
    )
    .await
}

/// Starts a new manual of a department: as [`save_draft`], but a key already in use
/// (by a draft or a version) is refused by name rather than edited.
pub async fn create_draft(
    app: &App,
    caller: &Caller,
    department: &UnitCode,
    key: Option<&str>,
    manual: Manual,
) -> Result<Draft> {
    caller.require(app, department, Right::Catalogue).await?;
    if let Some(k) = key.map(str::trim).filter(|k| !k.is_empty()) {
        if !key_ok(k) {
            return Err(key_problem());
        }
        let used = app.db.draft(k).await?.is_some() || !app.db.manual_versions(k).await?.is_empty();
        if used {
            return Err(AppError::Invalid(vec![Problem::new(
                "key",
                "รหัสคู่มือนี้มีอยู่แล้ว",
                "This manual key is already in use",
            )]));
        }
    }
    save_draft(
        app,
        caller,
        department,
        key,
        manual,
        Some(DraftBase {
            version: 0,
            revision: 0,
        }),
    )
    .await
}

/// Replaces the draft of a key (or starts one from its published version), for its
/// department's catalogue writers; the right is checked before anything else is.
pub async fn update_draft(
    app: &App,
    caller: &Caller,
    key: &str,
    manual: Manual,
    expected: Option<DraftBase>,
) -> Result<Draft> {
    let (_, department) = owner_of_key(app, key).await?;
    caller.require(app, &department, Right::Catalogue).await?;
    save_draft(app, caller, &department, Some(key), manual, expected).await
}

/// Checks that the caller writes the catalogue of the key's department (and that the
/// key is in use); its department.
pub async fn may_write(app: &App, caller: &Caller, key: &str) -> Result<UnitCode> {
    let (_, department) = owner_of_key(app, key).await?;
    caller.require(app, &department, Right::Catalogue).await?;
    Ok(department)
}

/// A draft, to its department's catalogue writers.
pub async fn draft(app: &App, caller: &Caller, key: &str) -> Result<Draft> {
    // The right first, on the department of the key, so that who may not write the
    // catalogue learns nothing of its drafts.
    let (_, owner) = owner_of_key(app, key).await?;
    caller.require(app, &owner, Right::Catalogue).await?;
    let row = app.db.draft(key).await?.ok_or(AppError::NotFound("key"))?;
    let version = app
        .db
        .manual_versions(key)
        .await?
        .first()
        .map_or(0, |m| m.version);
    draft_of(row, version)
}

/// A manual as its edit form opens it: the draft when there is one, else the newest
/// published version as the start of the next; with every version of the key.
#[derive(Debug, Clone)]
pub struct Opened {
    pub manual: Manual,
    pub problems: Vec<domain::manual::ManualProblem>,
    pub base: DraftBase,
    /// The draft, when the manual has one.
    pub draft: Option<DraftRow>,
    pub department: UnitCode,
    /// Every version, newest first.
    pub versions: Vec<storage::ManualRow>,
}

pub async fn open(app: &App, caller: &Caller, key: &str) -> Result<Opened> {
    let (_, department) = owner_of_key(app, key).await?;
    caller.require(app, &department, Right::Catalogue).await?;
    let versions = app.db.manual_versions(key).await?;
    let version = versions.first().map_or(0, |m| m.version);
    let draft = app.db.draft(key).await?;
    let (manual, base) = match &draft {
        Some(d) => (
            parse_manual(&d.body)?,
            DraftBase {
                version,
                revision: d.revision,
            },
        ),
        None => {
            let newest = versions
                .iter()
                .find(|m| m.state == "published")
                .or(versions.first())
                .ok_or(AppError::NotFound("key"))?;
            let m = app
                .db
                .manual_version(newest.id)
                .await?
                .ok_or(AppError::NotFound("key"))?;
            (
                m,
                DraftBase {
                    version,
                    revision: 0,
                },
            )
        }
    };
    Ok(Opened {
        problems: manual.check(),
        manual,
        base,
        draft,
        department,
        versions,
    })
}

/// Publishes a draft as the next version: refused, naming each field, while a check
/// that blocks publishing fails. The pins of the previous version move to it. With
/// `expected`, refused as `Stale` when the draft changed since.
pub async fn publish(
    app: &App,
    caller: &Caller,
    key: &str,
    expected: Option<DraftBase>,
) -> Result<i64> {
    let d = draft(app, caller, key).await?;
    if expected.is_some_and(|e| e != d.base) {
        return Err(AppError::Stale);
    }
    let problems = problems_of(&d.manual);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let now = Utc::now();
    let mut m = d.manual.clone();
    m.published_by = Some(caller.user.username.clone());
    m.published_on = Some(now.with_timezone(&domain::hours::bangkok()).date_naive());
    let mut tx = app.db.begin().await?;
    let before = tx.published_manual(key).await?;
    let Some((id, _)) = tx
        .publish_manual(&m, d.row.owner_unit_id, d.row.revision, now)
        .await?
    else {
        return Err(AppError::Stale);
    };
    let after = tx.published_manual(key).await?;
    tx.record_change(
        &NewChange {
            user_id: (caller.user.id != 0).then_some(caller.user.id),
            actor: &caller.user.username,
            subject: "manual",
            unit_id: d.row.owner_unit_id,
            manual_key: Some(key),
            action: "publish",
            before: before.as_ref().map(json).transpose()?,
            after: after.as_ref().map(json).transpose()?,
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
