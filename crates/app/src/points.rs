//! Keeping a service point right: reading it as staff, saving a change without
//! overwriting someone else's, creating one under a unit, archiving and restoring, the
//! "data is correct" confirmation, and the history with its revert. Each action checks
//! the caller's right on the unit that runs the point, writes the change, its record in
//! the history and the public data version in one transaction.

use chrono::Utc;
use directory::{DistrictRef, Districts};
use domain::point_edit::{self, FieldChange, PointPatch, PointState};
use domain::roles::Right;
use domain::{LatLon, Problem, UnitCode};
use storage::{ChangeRow, EditPoint, NewChange, PublicChange, WriteTx};

use crate::{App, AppError, Caller, Result};

/// A pin this close to the address's district counts as inside it: the boundaries are
/// simplified, and an office on the border line must not be refused for it.
const BORDER_MARGIN_KM: f64 = 0.3;

/// A service point as staff see it, with what the caller may do there.
#[derive(Debug, Clone)]
pub struct StaffPoint {
    pub point: EditPoint,
    pub can_edit: bool,
}

/// The district a pin is in, found from the boundaries (with the margin).
pub fn pin_district(p: LatLon) -> Option<DistrictRef<'static>> {
    let d = Districts::get();
    if let Some(found) = d.locate(p) {
        return Some(found);
    }
    around(p).find_map(|q| d.locate(q))
}

/// Whether `p` is in the district of this code, or within the margin of it.
pub fn inside_with_margin(district_code: &str, p: LatLon) -> bool {
    let districts = Districts::get();
    districts.contains(district_code, p) || around(p).any(|q| districts.contains(district_code, q))
}

/// Eight points at the margin around `p`.
fn around(p: LatLon) -> impl Iterator<Item = LatLon> {
    let dlat = BORDER_MARGIN_KM / 111.2;
    let dlon = dlat / p.lat.to_radians().cos().max(0.1);
    [
        (1.0, 0.0),
        (-1.0, 0.0),
        (0.0, 1.0),
        (0.0, -1.0),
        (0.7, 0.7),
        (0.7, -0.7),
        (-0.7, 0.7),
        (-0.7, -0.7),
    ]
    .into_iter()
    .filter_map(move |(a, b)| LatLon::new(p.lat + a * dlat, p.lon + b * dlon))
}

/// Where the pin must be: inside Thailand, and inside the district of the address (or
/// within the margin of it) unless the editor confirms a border office. `Ok` carries
/// the district code to record as confirmed, when it was.
fn check_pin(s: &PointState, confirmed: bool) -> std::result::Result<Option<String>, Problem> {
    let districts = Districts::get();
    let Some(pin) = pin_district(s.location) else {
        return Err(Problem::new(
            "location",
            "หมุดไม่อยู่ในเขตอำเภอใดของประเทศไทย (อาจอยู่ในทะเลหรือต่างประเทศ) กรุณาวางหมุดที่ตั้งของหน่วยบริการ",
            "The pin is in no district of Thailand (at sea or abroad); place it where the office is",
        ));
    };
    let Some(address) = districts.by_name(&s.address.province, &s.address.district) else {
        return Err(Problem::new(
            "address.district",
            format!(
                "ไม่พบอำเภอ \"{}\" ในจังหวัด \"{}\" กรุณาตรวจสอบชื่ออำเภอและจังหวัด",
                s.address.district, s.address.province
            ),
            format!(
                "No district \"{}\" in the province \"{}\"; check both names",
                s.address.district, s.address.province
            ),
        ));
    };
    if inside_with_margin(address.code, s.location) {
        return Ok(None);
    }
    if confirmed {
        return Ok(Some(pin.code.to_owned()));
    }
    Err(Problem::new(
        "location",
        format!(
            "หมุดอยู่ในอำเภอ{} จังหวัด{} ไม่ใช่อำเภอ{}ตามที่อยู่ หากหน่วยบริการตั้งอยู่ที่แนวเขตจริง ให้ยืนยันตำแหน่งหมุด",
            pin.name_th, pin.province.name_th, address.name_th
        ),
        format!(
            "The pin is in {} district, {}, not in {} of the address; if the office really is on the border, confirm the pin",
            pin.name_en, pin.province.name_en, address.name_en
        ),
    ))
}

/// All the checks of a save; the confirmed district to record when they pass.
pub(crate) fn validate(s: &PointState, confirmed: bool) -> Result<Option<String>> {
    let mut problems = point_edit::check(s);
    let pin = if problems
        .iter()
        .any(|p| p.field.starts_with("address") || p.field == "location")
    {
        None
    } else {
        match check_pin(s, confirmed) {
            Ok(c) => c,
            Err(p) => {
                problems.push(p);
                None
            }
        }
    };
    if problems.is_empty() {
        Ok(pin)
    } else {
        Err(AppError::Invalid(problems))
    }
}

async fn load(app: &App, code: &UnitCode) -> Result<EditPoint> {
    app.db
        .point_for_edit(code)
        .await?
        .ok_or(AppError::NotFound("code"))
}

/// A service point, hidden or archived too, to any role on the unit that runs it.
pub async fn point(app: &App, caller: &Caller, code: &UnitCode) -> Result<StaffPoint> {
    let point = load(app, code).await?;
    caller.require(app, &point.unit, Right::View).await?;
    let can_edit = caller.require(app, &point.unit, Right::Edit).await.is_ok();
    Ok(StaffPoint { point, can_edit })
}

/// A change to save: what changes, the revision it was made on, and whether the editor
/// confirmed a pin outside the address's district.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub patch: PointPatch,
    pub revision: i64,
    pub confirm_district: bool,
}

fn json(s: &PointState) -> Result<String> {
    serde_json::to_string(s).map_err(AppError::internal)
}

pub(crate) fn change<'a>(
    caller: &'a Caller,
    unit_id: i64,
    action: &'a str,
    before: Option<&PointState>,
    after: Option<&PointState>,
    note: Option<&'a str>,
) -> Result<NewChange<'a>> {
    Ok(NewChange {
        user_id: (caller.user.id != 0).then_some(caller.user.id),
        actor: &caller.user.username,
        subject: "service_point",
        unit_id,
        manual_key: None,
        action,
        before: before.map(json).transpose()?,
        after: after.map(json).transpose()?,
        note,
    })
}

async fn finish(mut tx: WriteTx, code: &UnitCode) -> Result<()> {
    tx.publish(&[PublicChange::Point(*code)]).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves a change made on `revision`. `Stale` when someone saved in between: nothing
/// is written, and the caller shows the other person's change.
pub async fn save(app: &App, caller: &Caller, code: &UnitCode, edit: Edit) -> Result<EditPoint> {
    let current = load(app, code).await?;
    caller.require(app, &current.unit, Right::Edit).await?;
    if current.revision != edit.revision {
        return Err(AppError::Stale);
    }
    let state = edit.patch.apply(&current.state);
    let moved = state.location != current.state.location
        || state.address.district != current.state.address.district
        || state.address.province != current.state.address.province;
    // An unmoved pin keeps its confirmation; a moved one is checked afresh.
    let confirmed = edit.confirm_district || (!moved && current.pin_confirmed_district.is_some());
    let pin_confirmed = validate(&state, confirmed)?;
    if state == current.state {
        return Ok(current);
    }
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let Some(_) = tx
        .save_point(
            current.id,
            edit.revision,
            &state,
            pin_confirmed.as_deref(),
            &caller.user.username,
            now,
        )
        .await?
    else {
        return Err(AppError::Stale);
    };
    let note = pin_confirmed
        .as_ref()
        .filter(|_| current.pin_confirmed_district != pin_confirmed)
        .map(|d| format!("ยืนยันหมุดนอกอำเภอตามที่อยู่ (อำเภอรหัส {d}) / pin confirmed outside the address's district"));
    tx.record_change(
        &change(
            caller,
            current.id,
            "update",
            Some(&current.state),
            Some(&state),
            note.as_deref(),
        )?,
        now,
    )
    .await?;
    finish(tx, code).await?;
    load(app, code).await
}

/// A new service point under a unit (an office, not another point), numbered beside
/// it unless the caller gives a code.
pub async fn create(
    app: &App,
    caller: &Caller,
    unit: &UnitCode,
    state: PointState,
    code: Option<UnitCode>,
    confirm_district: bool,
) -> Result<EditPoint> {
    caller.require(app, unit, Right::Edit).await?;
    let chain = app
        .db
        .unit_chain(unit)
        .await?
        .ok_or(AppError::NotFound("code"))?;
    let parent = chain.first().ok_or(AppError::NotFound("code"))?;
    if parent.2 == "service_point" {
        return Err(AppError::Invalid(vec![Problem::new(
            "code",
            "จุดบริการต้องอยู่ภายใต้หน่วยงาน ไม่ใช่ภายใต้จุดบริการอื่น",
            "A service point belongs to a unit, not to another service point",
        )]));
    }
    let state = point_edit::tidy(state);
    let pin_confirmed = validate(&state, confirm_district)?;
    let given = code;
    for _ in 0..5 {
        let code = match given {
            Some(c) => c,
            None => {
                let prefix = format!("{}3", &unit.as_str()[..9]);
                let taken = app.db.codes_starting(&prefix).await?;
                point_edit::next_point_code(unit, |c| taken.iter().any(|t| t == c.as_str()))
                    .ok_or_else(|| {
                        AppError::Invalid(vec![Problem::new(
                            "code",
                            "หน่วยงานนี้มีจุดบริการครบจำนวนรหัสแล้ว กรุณาระบุรหัส",
                            "This unit has used up its service point codes; give a code",
                        )])
                    })?
            }
        };
        let now = Utc::now();
        let mut tx = app.db.begin().await?;
        let Some(id) = tx
            .create_point(
                parent.0,
                &code,
                &state,
                pin_confirmed.as_deref(),
                &caller.user.username,
                now,
            )
            .await?
        else {
            drop(tx);
            if given.is_some() {
                return Err(AppError::Invalid(vec![Problem::new(
                    "code",
                    "รหัสนี้มีหน่วยงานหรือจุดบริการใช้อยู่แล้ว",
                    "This code is already in use",
                )]));
            }
            continue;
        };
        tx.record_change(
            &change(caller, id, "create", None, Some(&state), None)?,
            now,
        )
        .await?;
        finish(tx, &code).await?;
        return load(app, &code).await;
    }
    Err(AppError::Busy { retry_after: 1 })
}

/// Archives a point (it leaves the public directory and the listing) or restores it.
pub async fn set_archived(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    archived: bool,
) -> Result<EditPoint> {
    let current = load(app, code).await?;
    caller.require(app, &current.unit, Right::Edit).await?;
    if current.archived_at.is_some() == archived {
        return Ok(current);
    }
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    tx.set_archived(
        current.id,
        archived.then_some(now),
        &caller.user.username,
        now,
    )
    .await?;
    let action = if archived { "archive" } else { "restore" };
    tx.record_change(&change(caller, current.id, action, None, None, None)?, now)
        .await?;
    finish(tx, code).await?;
    // An archived point's poster takes no ratings from now on.
    app.ratings.forget_posters();
    load(app, code).await
}

/// "The data is correct": sets the verified date the public page shows.
pub async fn verify(app: &App, caller: &Caller, code: &UnitCode) -> Result<EditPoint> {
    let current = load(app, code).await?;
    caller.require(app, &current.unit, Right::Edit).await?;
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    tx.mark_verified(current.id, &caller.user.username, now)
        .await?;
    tx.record_change(
        &change(caller, current.id, "verify", None, None, None)?,
        now,
    )
    .await?;
    finish(tx, code).await?;
    load(app, code).await
}

/// One entry of a point's history, each changed field before and after.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: chrono::DateTime<Utc>,
    pub actor: String,
    pub subject: String,
    pub action: String,
    pub fields: Vec<FieldChange>,
    pub note: Option<String>,
    /// Whether the state after this change can be restored (it has one).
    pub restorable: bool,
}

fn state_of(s: &Option<String>) -> Option<PointState> {
    s.as_deref().and_then(|j| serde_json::from_str(j).ok())
}

pub fn entry(c: ChangeRow) -> HistoryEntry {
    let (before, after) = (state_of(&c.before_state), state_of(&c.after_state));
    let fields = if c.subject == "service_point" {
        point_edit::diff(before.as_ref(), after.as_ref())
    } else {
        // Photos, pins and manuals keep a short description of each side.
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        vec![FieldChange {
            field: if c.subject == "photo" {
                "photos"
            } else {
                "manuals"
            },
            before: text(&c.before_state),
            after: text(&c.after_state),
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

/// A point's history, newest first (100 at a time, before `before` when given).
pub async fn history(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    before: Option<i64>,
) -> Result<(EditPoint, Vec<HistoryEntry>)> {
    let point = load(app, code).await?;
    caller.require(app, &point.unit, Right::View).await?;
    let rows = app.db.changes_on(&[point.id], before, 100).await?;
    Ok((point, rows.into_iter().map(entry).collect()))
}

/// Restores the state a point had after an earlier change; recorded as a change of its
/// own. `revision` is the one the caller saw, as for any save.
pub async fn revert(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    change_id: i64,
    revision: i64,
) -> Result<EditPoint> {
    let current = load(app, code).await?;
    caller.require(app, &current.unit, Right::Edit).await?;
    let row = app
        .db
        .change_by_id(change_id)
        .await?
        .filter(|c| c.unit_id == current.id && c.subject == "service_point")
        .ok_or(AppError::NotFound("change"))?;
    let target = state_of(&row.after_state).ok_or(AppError::NotFound("change"))?;
    if current.revision != revision {
        return Err(AppError::Stale);
    }
    // The state was accepted when it was saved, border confirmation included; it must
    // still be in Thailand and pass today's rules.
    let pin_confirmed = validate(&target, true)?;
    if target == current.state {
        return Ok(current);
    }
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    if tx
        .save_point(
            current.id,
            revision,
            &target,
            pin_confirmed.as_deref(),
            &caller.user.username,
            now,
        )
        .await?
        .is_none()
    {
        return Err(AppError::Stale);
    }
    let note = format!(
        "คืนค่าเป็นฉบับหลังการแก้ไข #{change_id} / reverted to the version after change #{change_id}"
    );
    tx.record_change(
        &change(
            caller,
            current.id,
            "revert",
            Some(&current.state),
            Some(&target),
            Some(&note),
        )?,
        now,
    )
    .await?;
    finish(tx, code).await?;
    load(app, code).await
}
