//! The manual catalogue as its writers see it: the manuals of the departments whose
//! catalogue the caller writes (drafts and published versions, the last change, the
//! points pinned), each manual's history with every field before and after, and the
//! revert that makes an earlier state the draft again.
//!
//! A revert writes a draft, not a version: what the public reads changes only when
//! someone publishes, after the same checks as any other draft. The revert is recorded
//! as a change of its own, so it can be reverted too.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::UnitCode;
use domain::manual::Manual;
use domain::point_edit::FieldChange;
use domain::roles::{Right, Role, allows};
use storage::{ChangeRow, LastChange, StaffTree};

use crate::manuals::{Draft, DraftBase, DraftWrite, owner_of_key, write_draft};
use crate::points::HistoryEntry;
use crate::{App, AppError, Caller, Result};

/// One manual of the catalogue.
#[derive(Debug, Clone)]
pub struct CatalogueLine {
    pub key: String,
    /// The draft's title when there is a draft, else the newest version's.
    pub title_th: String,
    pub department: UnitCode,
    pub department_name: String,
    /// The published version: its id and number.
    pub published: Option<(i64, i64)>,
    /// How many versions were published (archived ones too).
    pub versions: usize,
    /// When the draft was last saved, and by whom.
    pub draft: Option<(DateTime<Utc>, Option<String>)>,
    pub last_change: Option<LastChange>,
    /// Service points the published version is pinned to.
    pub pinned: i64,
}

impl CatalogueLine {
    /// `draft` (never published), `published`, `published_draft` (published, with a
    /// draft of the next version) or `archived` (no version public).
    pub fn state(&self) -> &'static str {
        match (self.published.is_some(), self.draft.is_some()) {
            (true, true) => "published_draft",
            (true, false) => "published",
            (false, true) => "draft",
            (false, false) => "archived",
        }
    }
}

/// Unit id → the caller's roles on it.
async fn roles_by_unit(
    app: &App,
    caller: &Caller,
    tree: &StaffTree,
) -> Result<HashMap<i64, Vec<Role>>> {
    let ids: HashMap<&str, i64> = tree.units.iter().map(|u| (u.code.as_str(), u.id)).collect();
    let mut out: HashMap<i64, Vec<Role>> = HashMap::new();
    for m in app.db.memberships(caller.user.id).await? {
        let role: Role = m.role.parse().map_err(AppError::internal)?;
        if let Some(id) = ids.get(m.unit.as_str()) {
            out.entry(*id).or_default().push(role);
        }
    }
    Ok(out)
}

/// Whether these roles give the catalogue right on a unit: the one rule of
/// `domain::roles`, applied on the unit's chain in the tree.
fn writes(
    tree: &HashMap<i64, &storage::TreeUnit>,
    roles: &HashMap<i64, Vec<Role>>,
    unit: i64,
) -> bool {
    let mut held = Vec::new();
    let mut next = Some(unit);
    let mut distance = 0;
    while let Some(id) = next.filter(|_| distance <= 16) {
        for r in roles.get(&id).into_iter().flatten() {
            held.push((distance, *r));
        }
        next = tree.get(&id).and_then(|u| u.parent);
        distance += 1;
    }
    allows(&held, Right::Catalogue)
}

/// The departments whose catalogue the caller writes (every department for a system
/// administrator), in code order: the choices for a new manual and for the filter.
pub async fn departments(app: &App, caller: &Caller) -> Result<Vec<(UnitCode, String)>> {
    let tree = app.db.staff_tree().await?;
    let roles = if caller.user.is_system_admin {
        HashMap::new()
    } else {
        roles_by_unit(app, caller, &tree).await?
    };
    let by_id: HashMap<i64, &storage::TreeUnit> = tree.units.iter().map(|u| (u.id, u)).collect();
    Ok(tree
        .units
        .iter()
        .filter(|u| u.kind == "department")
        .filter(|u| caller.user.is_system_admin || writes(&by_id, &roles, u.id))
        .filter_map(|u| Some((UnitCode::parse(&u.code).ok()?, u.name_th.clone())))
        .collect())
}

/// The catalogue of the departments the caller writes, narrowed to one department
/// when given, in order of department and key.
pub async fn catalogue(
    app: &App,
    caller: &Caller,
    department: Option<&UnitCode>,
) -> Result<Vec<CatalogueLine>> {
    let tree = app.db.staff_tree().await?;
    let roles = if caller.user.is_system_admin {
        HashMap::new()
    } else {
        roles_by_unit(app, caller, &tree).await?
    };
    let by_id: HashMap<i64, &storage::TreeUnit> = tree.units.iter().map(|u| (u.id, u)).collect();
    let in_scope = |owner: i64| {
        let Some(u) = by_id.get(&owner) else {
            return false;
        };
        department.is_none_or(|d| d.as_str() == u.code)
            && (caller.user.is_system_admin || writes(&by_id, &roles, owner))
    };
    let drafts: HashMap<String, storage::DraftRow> = app
        .db
        .drafts()
        .await?
        .into_iter()
        .map(|d| (d.key.clone(), d))
        .collect();
    let mut versions: HashMap<String, Vec<storage::ManualRow>> = HashMap::new();
    for m in app.db.manual_rows().await? {
        versions.entry(m.key.clone()).or_default().push(m);
    }
    let mut last = app.db.last_manual_changes().await?;
    let pins = app.db.pin_counts().await?;
    let mut keys: Vec<(i64, String)> = drafts
        .values()
        .map(|d| (d.owner_unit_id, d.key.clone()))
        .chain(
            versions
                .iter()
                .filter_map(|(k, v)| Some((v.first()?.owner_unit_id, k.clone()))),
        )
        .filter(|(owner, _)| in_scope(*owner))
        .collect();
    keys.sort_by(|a, b| {
        let code = |id: i64| by_id.get(&id).map(|u| u.code.as_str());
        code(a.0).cmp(&code(b.0)).then(a.1.cmp(&b.1))
    });
    keys.dedup();
    let mut out = Vec::with_capacity(keys.len());
    for (owner, key) in keys {
        let Some(unit) = by_id.get(&owner) else {
            continue;
        };
        let draft = drafts.get(&key);
        let rows = versions.remove(&key).unwrap_or_default();
        let published = rows.iter().find(|m| m.state == "published");
        let title_th = match draft {
            Some(d) => serde_json::from_str::<Manual>(&d.body)
                .map(|m| m.title_th)
                .unwrap_or_default(),
            None => rows.first().map(|m| m.title_th.clone()).unwrap_or_default(),
        };
        out.push(CatalogueLine {
            title_th,
            department: UnitCode::parse(&unit.code).map_err(AppError::internal)?,
            department_name: unit.name_th.clone(),
            published: published.map(|m| (m.id, m.version)),
            versions: rows.len(),
            draft: draft.map(|d| (d.updated_at, d.updated_by.clone())),
            last_change: last.remove(&key),
            pinned: published
                .and_then(|m| pins.get(&m.id).copied())
                .unwrap_or(0),
            key,
        });
    }
    Ok(out)
}

fn manual_of(s: &Option<String>) -> Option<Manual> {
    s.as_deref().and_then(|j| serde_json::from_str(j).ok())
}

/// One entry of a manual's history: each field that differs, before and after. Entries
/// that kept only a title (written before whole states were) show it as the title.
pub fn entry(c: ChangeRow) -> HistoryEntry {
    let (before, after) = (manual_of(&c.before_state), manual_of(&c.after_state));
    let whole = (before.is_some() || c.before_state.is_none()) && after.is_some();
    let fields = if whole {
        domain::manual_diff::diff(before.as_ref(), after.as_ref())
    } else {
        vec![FieldChange {
            field: "title_th",
            before: c.before_state.clone().unwrap_or_default(),
            after: c.after_state.clone().unwrap_or_default(),
        }]
    };
    HistoryEntry {
        id: c.id,
        at: c.at,
        actor: c.actor,
        subject: c.subject,
        action: c.action,
        restorable: after.is_some(),
        fields,
        note: c.note,
    }
}

/// A manual's history, newest first (100 at a time, before `before` when given), to its
/// department's catalogue writers.
pub async fn manual_history(
    app: &App,
    caller: &Caller,
    key: &str,
    before: Option<i64>,
) -> Result<Vec<HistoryEntry>> {
    let (_, department) = owner_of_key(app, key).await?;
    caller.require(app, &department, Right::Catalogue).await?;
    let rows = app.db.manual_changes(key, before, 100).await?;
    Ok(rows.into_iter().map(entry).collect())
}

/// Makes the state after an earlier change of a manual its draft again, recorded as a
/// change of its own (`revert`). Publishing it stays a step of its own, after the
/// checks. With `expected`, refused as `Stale` when the draft changed since.
pub async fn revert_manual(
    app: &App,
    caller: &Caller,
    key: &str,
    change_id: i64,
    expected: Option<DraftBase>,
) -> Result<Draft> {
    let (owner, department) = owner_of_key(app, key).await?;
    caller.require(app, &department, Right::Catalogue).await?;
    let row = app
        .db
        .change_by_id(change_id)
        .await?
        .filter(|c| c.subject == "manual" && c.manual_key.as_deref() == Some(key))
        .ok_or(AppError::NotFound("change"))?;
    let mut target = manual_of(&row.after_state).ok_or(AppError::NotFound("change"))?;
    target.owner_department_code = department;
    // Who published the earlier version is not who will publish this one.
    target.published_on = None;
    target.published_by = None;
    let note = format!(
        "คืนค่าเป็นฉบับหลังการแก้ไข #{change_id} / reverted to the version after change #{change_id}"
    );
    write_draft(
        app,
        caller,
        DraftWrite {
            owner,
            key,
            expected,
            action: "revert",
            note: Some(note),
        },
        target,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, kind: &str, parent: Option<i64>) -> storage::TreeUnit {
        storage::TreeUnit {
            id,
            code: format!("{id:013}"),
            kind: kind.into(),
            parent,
            name_th: String::new(),
        }
    }

    #[test]
    fn the_catalogue_right_follows_the_tree() {
        let units = [
            unit(1, "ministry", None),
            unit(2, "department", Some(1)),
            unit(3, "unit", Some(2)),
            unit(4, "department", Some(1)),
        ];
        let tree: HashMap<i64, &storage::TreeUnit> = units.iter().map(|u| (u.id, u)).collect();
        let roles = |r: &[(i64, Role)]| {
            let mut m: HashMap<i64, Vec<Role>> = HashMap::new();
            for (u, role) in r {
                m.entry(*u).or_default().push(*role);
            }
            m
        };
        // A department's administrator writes its catalogue, not a sibling's.
        let admin = roles(&[(2, Role::Admin)]);
        assert!(writes(&tree, &admin, 2));
        assert!(!writes(&tree, &admin, 4));
        // A ministry's supervisor writes every department's under it.
        let sup = roles(&[(1, Role::Supervisor)]);
        assert!(writes(&tree, &sup, 2) && writes(&tree, &sup, 4));
        // An office's administrator or a department's editor writes none.
        assert!(!writes(&tree, &roles(&[(3, Role::Admin)]), 2));
        assert!(!writes(&tree, &roles(&[(2, Role::Editor)]), 2));
    }
}
