//! Everything the public read model needs, read in a handful of queries: the public
//! service points with their phones, hours, photos and pins, the published manuals,
//! the organisation tree and the public holidays. Hidden service points are never read.
//! The same reading of service points serves a whole snapshot and the few points that
//! a data version changed ([`Db::public_points`]), so that both decode alike.

// Row tuples mirror the SELECT lists they decode, column for column; naming each one
// would only move the list away from its query.
#![allow(clippy::type_complexity)]

use chrono::{DateTime, NaiveDate, Utc};
use domain::manual::{
    Channel, ComplaintChannel, Document, Fee, Form, LegalBasis, ManualState, RequestStats, Span,
    Step,
};
use domain::org::Photo;
use domain::{
    Address, GeccLevel, Holiday, HoursException, LatLon, Manual, Period, Phone, ServicePoint,
    Snapshot, Unit, UnitCode, UnitKind, WeeklyHours,
};
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

use crate::{Db, PublicChange, StorageError, on_pool};

fn code(s: &str) -> Result<UnitCode, StorageError> {
    UnitCode::parse(s).map_err(|e| StorageError::Data(format!("stored code {s:?}: {e}")))
}

fn plain<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StorageError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| StorageError::Data(format!("stored value {s:?}: {e}")))
}

/// The SQL condition that limits a read to some service points, on the column holding
/// the point's unit id; nothing for all of them. The ids are the database's own
/// integers, never text from outside, so they are written into the statement.
fn only(column: &str, ids: Option<&[i64]>) -> String {
    match ids {
        None => String::new(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND {column} IN ({})", list.join(", "))
        }
    }
}

/// Trims what pushing row by row left over: a national snapshot holds 80,000 of each of
/// these lists, most with one to ten entries, for the life of the read model.
fn fitted<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

/// Reads the public service points, all of them or those whose unit ids are `$ids`
/// (an `Option<&[i64]>`), on the transaction `$tx`; `$code_of` turns a unit id into
/// its code. A macro rather than a function, as `on_pool!` does, so that one text
/// compiles for both drivers' connection types.
macro_rules! read_points {
    ($tx:expr, $ids:expr, $code_of:expr) => {{
        let tx = $tx;
        let ids: Option<&[i64]> = $ids;
        let code_of = $code_of;
        // A statement for a handful of ids is not worth a place in the statement cache.
        let cache = ids.is_none();
        let mut phones: HashMap<i64, Vec<Phone>> = HashMap::new();
        let rows: Vec<(i64, String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT ph.service_point_id, ph.number, ph.ext, ph.label_th, ph.label_en FROM service_point_phones ph \
             JOIN service_points sp ON sp.unit_id = ph.service_point_id WHERE sp.is_public AND sp.archived_at IS NULL{} \
             ORDER BY ph.service_point_id, ph.position", only("ph.service_point_id", ids))))
            .persistent(cache).fetch_all(&mut **tx).await?;
        for (id, number, ext, label_th, label_en) in rows {
            phones.entry(id).or_default().push(Phone { number, ext, label_th, label_en });
        }
        let mut periods: HashMap<i64, Vec<Period>> = HashMap::new();
        // Streamed: ten rows a service point, most of a national snapshot's rows.
        let mut rows = sqlx::query_as::<_, (i64, i64, i64, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT op.service_point_id, op.weekday, op.opens, op.closes FROM opening_periods op \
             JOIN service_points sp ON sp.unit_id = op.service_point_id WHERE sp.is_public AND sp.archived_at IS NULL{}",
            only("op.service_point_id", ids))))
            .persistent(cache).fetch(&mut **tx);
        while let Some((id, weekday, opens, closes)) = rows.try_next().await? {
            periods.entry(id).or_default().push(Period { weekday: weekday as u8, opens: opens as u16, closes: closes as u16 });
        }
        drop(rows);
        let mut exceptions: HashMap<i64, Vec<HoursException>> = HashMap::new();
        let rows: Vec<(i64, NaiveDate, Option<i64>, Option<i64>, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT service_point_id, day, opens, closes, note FROM hours_exceptions WHERE 1 = 1{} ORDER BY service_point_id, day, opens",
            only("service_point_id", ids))))
            .persistent(cache).fetch_all(&mut **tx).await?;
        for (id, day, opens, closes, note) in rows {
            let list = exceptions.entry(id).or_default();
            if list.last().is_none_or(|e: &HoursException| e.date != day) {
                list.push(HoursException { date: day, periods: Vec::new(), note });
            }
            if let (Some(o), Some(c), Some(e)) = (opens, closes, list.last_mut()) {
                e.periods.push((o as u16, c as u16));
            }
        }
        let mut photos: HashMap<i64, Vec<Photo>> = HashMap::new();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, service_point_id, display_key, thumb_key, width, height, thumb_width, thumb_height, alt_th, alt_en, is_cover \
             FROM photos WHERE 1 = 1{} ORDER BY service_point_id, position, id", only("service_point_id", ids))))
            .persistent(cache).fetch_all(&mut **tx).await?;
        for r in rows {
            let size = |c: &str| -> Result<u32, StorageError> {
                u32::try_from(r.try_get::<i64, _>(c)?).map_err(|_| StorageError::Data(format!("photo {c}")))
            };
            let photo = Photo {
                id: r.try_get("id")?,
                display_key: r.try_get("display_key")?,
                thumb_key: r.try_get("thumb_key")?,
                width: size("width")?,
                height: size("height")?,
                thumb_width: size("thumb_width")?,
                thumb_height: size("thumb_height")?,
                alt_th: r.try_get("alt_th")?,
                alt_en: r.try_get("alt_en")?,
                is_cover: r.try_get("is_cover")?,
            };
            photos.entry(r.try_get("service_point_id")?).or_default().push(photo);
        }
        let mut pins: HashMap<i64, Vec<i64>> = HashMap::new();
        let rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT spm.service_point_id, spm.manual_id FROM service_point_manuals spm JOIN manuals m ON m.id = spm.manual_id \
             WHERE m.state = 'published'{} ORDER BY spm.service_point_id, spm.manual_id", only("spm.service_point_id", ids))))
            .persistent(cache).fetch_all(&mut **tx).await?;
        for (sp, m) in rows {
            pins.entry(sp).or_default().push(m);
        }

        // Streamed: a national table held as raw rows would need several times the
        // memory of the decoded service points.
        let mut service_points = Vec::new();
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT sp.*, u.parent_id, u.name_th, u.name_en FROM service_points sp JOIN units u ON u.id = sp.unit_id \
             WHERE sp.is_public AND sp.archived_at IS NULL{} ORDER BY sp.unit_id", only("sp.unit_id", ids))))
            .persistent(cache).fetch(&mut **tx);
        while let Some(r) = rows.try_next().await? {
            let id: i64 = r.try_get("unit_id")?;
            let parent: Option<i64> = r.try_get("parent_id")?;
            let (lat, lon): (f64, f64) = (r.try_get("lat")?, r.try_get("lon")?);
            let gecc: String = r.try_get("gecc_level")?;
            service_points.push(ServicePoint {
                code: code_of(id)?,
                unit: code_of(parent.ok_or_else(|| StorageError::Data(format!("service point {id} has no unit")))?)?,
                name_th: r.try_get("name_th")?,
                name_en: r.try_get("name_en")?,
                description_th: r.try_get("description_th")?,
                description_en: r.try_get("description_en")?,
                location: LatLon::new(lat, lon).ok_or_else(|| StorageError::Data(format!("service point {id}: bad location")))?,
                address: Address {
                    house_no: r.try_get("house_no")?,
                    moo: r.try_get("moo")?,
                    building: r.try_get("building")?,
                    road: r.try_get("road")?,
                    subdistrict: r.try_get("subdistrict")?,
                    district: r.try_get("district")?,
                    province: r.try_get("province")?,
                    postcode: r.try_get("postcode")?,
                },
                phones: fitted(phones.remove(&id).unwrap_or_default()),
                email: r.try_get("email")?,
                website: r.try_get("website")?,
                hours: WeeklyHours {
                    periods: fitted(periods.remove(&id).unwrap_or_default()),
                    open_on_holidays: r.try_get("open_on_holidays")?,
                    exceptions: fitted(exceptions.remove(&id).unwrap_or_default()),
                },
                hours_note_th: r.try_get("hours_note_th")?,
                hours_note_en: r.try_get("hours_note_en")?,
                gecc_level: GeccLevel::parse(&gecc).ok_or_else(|| StorageError::Data(format!("gecc level {gecc:?}")))?,
                is_public: r.try_get("is_public")?,
                photos: fitted(photos.remove(&id).unwrap_or_default()),
                manuals: fitted(pins.remove(&id).unwrap_or_default()),
                updated_at: r.try_get::<DateTime<Utc>, _>("updated_at")?,
                updated_by: r.try_get("updated_by")?,
                verified_at: r.try_get("verified_at")?,
            });
        }
        drop(rows);
        service_points
    }};
}

/// Codes read per round of statements: each is a bound parameter (SQLite allows 32,766
/// in one statement) and its id is written into the statements after.
const IDS_PER_STATEMENT: usize = 500;

impl Db {
    pub async fn snapshot(&self) -> Result<Snapshot, StorageError> {
        on_pool!(&self.pool, p => {
            // One read transaction: the snapshot is consistent even while staff edit.
            let mut tx = p.begin().await?;
            let version: i64 = sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1").fetch_one(&mut *tx).await?;
            let unit_rows: Vec<(i64, String, String, Option<i64>, String, String)> =
                sqlx::query_as("SELECT id, code, kind, parent_id, name_th, name_en FROM units ORDER BY id").fetch_all(&mut *tx).await?;
            let codes: HashMap<i64, UnitCode> =
                unit_rows.iter().map(|r| Ok((r.0, code(&r.1)?))).collect::<Result<_, StorageError>>()?;
            let code_of = |id: i64| -> Result<UnitCode, StorageError> {
                codes.get(&id).copied().ok_or_else(|| StorageError::Data(format!("unit id {id} missing")))
            };
            let mut units = Vec::with_capacity(unit_rows.len());
            for (id, _, kind, parent, name_th, name_en) in unit_rows {
                units.push(Unit {
                    code: code_of(id)?,
                    kind: UnitKind::parse(&kind).ok_or_else(|| StorageError::Data(format!("unit kind {kind:?}")))?,
                    parent: parent.map(code_of).transpose()?,
                    name_th,
                    name_en,
                });
            }
            let service_points = read_points!(&mut tx, None, &code_of);

            let mut manuals = Vec::new();
            let rows = sqlx::query("SELECT * FROM manuals WHERE state = 'published' ORDER BY id").fetch_all(&mut *tx).await?;
            for r in rows {
                let id: i64 = r.try_get("id")?;
                let areas: String = r.try_get("service_areas")?;
                let state: String = r.try_get("state")?;
                let unit: String = r.try_get("statutory_time_unit")?;
                manuals.push(Manual {
                    id,
                    key: r.try_get("key")?,
                    owner_department_code: code_of(r.try_get("owner_unit_id")?)?,
                    version: r.try_get("version")?,
                    state: ManualState::parse(&state).unwrap_or_default(),
                    title_th: r.try_get("title_th")?,
                    title_en: r.try_get("title_en")?,
                    process_name: r.try_get("process_name")?,
                    owning_agency: r.try_get("owning_agency")?,
                    service_type: r.try_get("service_type")?,
                    category: r.try_get("category")?,
                    legal_bases: Vec::new(),
                    impact_level: r.try_get("impact_level")?,
                    service_areas: areas.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                    statutory_time_law: r.try_get("statutory_time_law")?,
                    statutory_time: Span { value: r.try_get("statutory_time_value")?, unit: plain(&unit)? },
                    stats: RequestStats {
                        avg_per_month: r.try_get("stats_avg")?,
                        max_per_month: r.try_get("stats_max")?,
                        min_per_month: r.try_get("stats_min")?,
                    },
                    reference_name: r.try_get("reference_name")?,
                    channels: Vec::new(),
                    criteria: r.try_get("criteria")?,
                    steps: Vec::new(),
                    simplified: r.try_get("simplified")?,
                    documents: Vec::new(),
                    fees: Vec::new(),
                    no_fee: r.try_get("no_fee")?,
                    no_documents: r.try_get("no_documents")?,
                    complaint_channels: Vec::new(),
                    forms: Vec::new(),
                    remarks: r.try_get("remarks")?,
                    published_on: r.try_get("published_on")?,
                    prepared_by: r.try_get("prepared_by")?,
                    approved_by: r.try_get("approved_by")?,
                    published_by: r.try_get("published_by")?,
                });
            }
            let index: HashMap<i64, usize> = manuals.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
            let slot = |id: i64| index.get(&id).copied();

            let rows: Vec<(i64, String, String, Option<i64>, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT manual_id, kind, name, year_be, section, note FROM manual_legal_bases ORDER BY manual_id, position").fetch_all(&mut *tx).await?;
            for (id, kind, name, year_be, section, note) in rows {
                if let Some(i) = slot(id) { manuals[i].legal_bases.push(LegalBasis { kind, name, year_be: year_be.map(|y| y as i32), section, note }); }
            }
            let rows: Vec<(i64, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT manual_id, place, address, phone, url, hours_text, note FROM manual_channels ORDER BY manual_id, position").fetch_all(&mut *tx).await?;
            for (id, place, address, phone, url, hours_text, note) in rows {
                if let Some(i) = slot(id) { manuals[i].channels.push(Channel { place, address, phone, url, hours_text, note }); }
            }
            let rows: Vec<(i64, String, String, f64, String, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT manual_id, kind, description, duration_value, duration_unit, responsible, note FROM manual_steps ORDER BY manual_id, position").fetch_all(&mut *tx).await?;
            for (id, kind, description, value, unit, responsible, note) in rows {
                if let Some(i) = slot(id) { manuals[i].steps.push(Step { kind, description, duration: Span { value, unit: plain(&unit)? }, responsible, note }); }
            }
            let rows: Vec<(i64, String, String, Option<String>, i64, i64, String, Option<String>, bool)> = sqlx::query_as(
                "SELECT manual_id, doc_group, name, issuer, originals, copies, unit, note, id_copy FROM manual_documents ORDER BY manual_id, position").fetch_all(&mut *tx).await?;
            for (id, group, name, issuer, originals, copies, unit, note, id_copy) in rows {
                if let Some(i) = slot(id) { manuals[i].documents.push(Document { group, name, issuer, originals, copies, unit, note, id_copy }); }
            }
            let rows: Vec<(i64, String, f64, String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT manual_id, description, amount, unit, base, per, note FROM manual_fees ORDER BY manual_id, position").fetch_all(&mut *tx).await?;
            for (id, description, amount, unit, base, per, note) in rows {
                if let Some(i) = slot(id) { manuals[i].fees.push(Fee { description, amount, unit, base, per, note }); }
            }
            let rows: Vec<(i64, String, Option<String>, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT manual_id, channel, address, phone, url, note FROM manual_complaint_channels ORDER BY manual_id, position").fetch_all(&mut *tx).await?;
            for (id, channel, address, phone, url, note) in rows {
                if let Some(i) = slot(id) { manuals[i].complaint_channels.push(ComplaintChannel { channel, address, phone, url, note }); }
            }
            let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT manual_id, name, url FROM manual_forms ORDER BY manual_id, position").fetch_all(&mut *tx).await?;
            for (id, name, url) in rows {
                if let Some(i) = slot(id) { manuals[i].forms.push(Form { name, url }); }
            }

            let rows: Vec<(NaiveDate, String, String)> = sqlx::query_as("SELECT day, name_th, name_en FROM public_holidays ORDER BY day").fetch_all(&mut *tx).await?;
            let holidays = rows.into_iter().map(|(date, name_th, name_en)| Holiday { date, name_th, name_en }).collect();
            tx.commit().await?;
            Ok(Snapshot { version, units, service_points, manuals, holidays })
        })
    }

    /// The public service points among `codes`, decoded as the snapshot decodes them;
    /// a code that is hidden, archived, deleted or unknown is simply not among them.
    /// For the read model to update the points a data version changed.
    pub async fn public_points(
        &self,
        codes: &[UnitCode],
    ) -> Result<Vec<ServicePoint>, StorageError> {
        let mut out = Vec::with_capacity(codes.len());
        for batch in codes.chunks(IDS_PER_STATEMENT) {
            on_pool!(&self.pool, p => {
                // One read transaction, so that a point and its phones, hours and pins
                // are of the same commit.
                let mut tx = p.begin().await?;
                let marks: Vec<String> = (1..=batch.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "SELECT u.id, u.code, up.id, up.code FROM units u LEFT JOIN units up ON up.id = u.parent_id \
                     WHERE u.kind = 'service_point' AND u.code IN ({})", marks.join(", "));
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).persistent(false);
                for c in batch {
                    q = q.bind(c.as_str());
                }
                let rows: Vec<(i64, String, Option<i64>, Option<String>)> = q.fetch_all(&mut *tx).await?;
                let mut codes: HashMap<i64, UnitCode> = HashMap::new();
                let mut ids = Vec::with_capacity(rows.len());
                for (id, c, parent, parent_code) in rows {
                    codes.insert(id, code(&c)?);
                    ids.push(id);
                    if let (Some(parent), Some(pc)) = (parent, parent_code) {
                        codes.insert(parent, code(&pc)?);
                    }
                }
                if !ids.is_empty() {
                    let code_of = |id: i64| -> Result<UnitCode, StorageError> {
                        codes.get(&id).copied().ok_or_else(|| StorageError::Data(format!("unit id {id} missing")))
                    };
                    out.extend(read_points!(&mut tx, Some(&ids), &code_of));
                }
                tx.commit().await?;
            });
        }
        Ok(out)
    }

    /// The current data version and what changed after `version` up to it, from the
    /// rows writers add with each bump (`WriteTx::publish`). Whenever the rows cannot
    /// tell the whole story, the answer is [`PublicChange::All`]: a version without a
    /// row (rows pruned, or a writer that bumps without saying what it changed), a
    /// version older than the oldest row kept, a current version behind `version` (a
    /// restored database), a key that does not decode. Those only cost a rebuild; an
    /// error instead would leave the instance stale for as long as the row stays.
    pub async fn public_changes_since(
        &self,
        version: i64,
    ) -> Result<(i64, Vec<PublicChange>), StorageError> {
        let (current, rows): (i64, Vec<(i64, String, Option<String>)>) = on_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            let current: i64 = sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1").fetch_one(&mut *tx).await?;
            // Versions above `current` are of writers that committed after it was read
            // (PostgreSQL reads each statement afresh); the next refresh takes them.
            let rows = sqlx::query_as("SELECT version, kind, key FROM public_changes WHERE version > $1 AND version <= $2 ORDER BY version")
                .bind(version).bind(current).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            (current, rows)
        });
        if current == version {
            return Ok((current, Vec::new()));
        }
        let versions: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
        if current < version || versions.len() as i64 != current - version {
            return Ok((current, vec![PublicChange::All]));
        }
        let mut changes = Vec::with_capacity(rows.len());
        let (mut points, mut manuals) = (HashSet::new(), HashSet::new());
        for (_, kind, key) in rows {
            match (kind.as_str(), key.as_deref()) {
                ("point", Some(k)) => match UnitCode::parse(k) {
                    Ok(c) if points.insert(c) => changes.push(PublicChange::Point(c)),
                    Ok(_) => {}
                    Err(_) => return Ok((current, vec![PublicChange::All])),
                },
                ("manual", Some(k)) => match k.parse::<i64>() {
                    Ok(m) if manuals.insert(m) => changes.push(PublicChange::Manual(m)),
                    Ok(_) => {}
                    Err(_) => return Ok((current, vec![PublicChange::All])),
                },
                // 'all', or a kind this build does not know.
                _ => return Ok((current, vec![PublicChange::All])),
            }
        }
        Ok((current, changes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dataset;
    use chrono::TimeZone;
    use domain::HoursException;

    const MANUALS: &str = include_str!("../../../data/demo/manuals.json");

    fn code(s: &str) -> UnitCode {
        UnitCode::parse(s).unwrap()
    }

    fn unit(c: &str, kind: UnitKind, parent: Option<&str>) -> Unit {
        Unit {
            code: code(c),
            kind,
            parent: parent.map(code),
            name_th: format!("หน่วย {c}"),
            name_en: format!("Unit {c}"),
        }
    }

    fn point(c: &str, unit: &str, public: bool, at: DateTime<Utc>) -> ServicePoint {
        ServicePoint {
            code: code(c),
            unit: code(unit),
            name_th: format!("หน่วย {c}"),
            name_en: format!("Unit {c}"),
            description_th: "ให้บริการประชาชน".into(),
            description_en: "Serves the people".into(),
            location: LatLon::new(13.36, 100.98).unwrap(),
            address: Address {
                house_no: Some("1".into()),
                subdistrict: "บางปลาสร้อย".into(),
                district: "เมืองชลบุรี".into(),
                province: "ชลบุรี".into(),
                postcode: "20000".into(),
                ..Default::default()
            },
            phones: vec![
                Phone {
                    number: "038111111".into(),
                    ext: Some("12".into()),
                    label_th: None,
                    label_en: None,
                },
                Phone {
                    number: "038222222".into(),
                    ext: None,
                    label_th: Some("แฟกซ์".into()),
                    label_en: None,
                },
            ],
            email: None,
            website: None,
            hours: WeeklyHours {
                exceptions: vec![HoursException {
                    date: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                    periods: vec![(510, 720)],
                    note: Some("ครึ่งวัน".into()),
                }],
                ..WeeklyHours::government_office()
            },
            hours_note_th: None,
            hours_note_en: None,
            gecc_level: GeccLevel::Basic,
            is_public: public,
            photos: Vec::new(),
            manuals: Vec::new(),
            updated_at: at,
            updated_by: None,
            verified_at: None,
        }
    }

    async fn exec(db: &Db, sql: &'static str) {
        on_pool!(&db.writer, p => { sqlx::query(sql).execute(p).await.unwrap(); });
    }

    /// Three points under one unit, one of them hidden, one with a manual pinned.
    async fn loaded(db: &Db) -> Vec<UnitCode> {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let mut manuals: Vec<Manual> = serde_json::from_str(MANUALS).unwrap();
        manuals.truncate(1);
        manuals[0].owner_department_code = code("0100000000001");
        let ds = Dataset {
            units: vec![
                unit("0100000000000", UnitKind::Ministry, None),
                unit("0100000000001", UnitKind::Department, Some("0100000000000")),
                unit("0100000000002", UnitKind::Unit, Some("0100000000001")),
                unit(
                    "0100000000011",
                    UnitKind::ServicePoint,
                    Some("0100000000002"),
                ),
                unit(
                    "0100000000012",
                    UnitKind::ServicePoint,
                    Some("0100000000002"),
                ),
                unit(
                    "0100000000013",
                    UnitKind::ServicePoint,
                    Some("0100000000002"),
                ),
            ],
            service_points: vec![
                point("0100000000011", "0100000000002", true, at),
                point("0100000000012", "0100000000002", true, at),
                point("0100000000013", "0100000000002", false, at),
            ],
            pins: vec![(code("0100000000012"), manuals[0].key.clone())],
            manuals,
            holidays: Vec::new(),
        };
        db.import(&ds, at).await.unwrap();
        [
            "0100000000011",
            "0100000000012",
            "0100000000013",
            "0100000000099",
        ]
        .into_iter()
        .map(code)
        .collect()
    }

    async fn points_read_as_the_snapshot_reads_them(db: Db) {
        let codes = loaded(&db).await;
        let snapshot = db.snapshot().await.unwrap();
        assert_eq!(snapshot.service_points.len(), 2);
        let read = db.public_points(&codes).await.unwrap();
        assert_eq!(read, snapshot.service_points);
        assert_eq!(read[0].phones.len(), 2);
        assert_eq!(read[0].hours.exceptions.len(), 1);
        assert_eq!(read[1].manuals.len(), 1);
        assert!(db.public_points(&[]).await.unwrap().is_empty());
        // Archived is no longer public.
        exec(
            &db,
            "UPDATE service_points SET archived_at = updated_at WHERE unit_id = (SELECT id FROM units WHERE code = '0100000000011')",
        )
        .await;
        let read = db.public_points(&codes).await.unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0], snapshot.service_points[1]);
        // Hidden and shown again.
        exec(&db, "UPDATE service_points SET is_public = TRUE").await;
        let read = db.public_points(&codes[2..]).await.unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].code, codes[2]);
        assert_eq!(read[0].unit, code("0100000000002"));
    }

    async fn changes_since_a_version(db: Db) {
        let codes = loaded(&db).await;
        // The import recorded itself as 'all'.
        assert_eq!(
            db.public_changes_since(0).await.unwrap(),
            (1, vec![PublicChange::All])
        );
        assert_eq!(db.public_changes_since(1).await.unwrap(), (1, vec![]));
        exec(&db, "UPDATE data_version SET version = 3").await;
        exec(
            &db,
            "INSERT INTO public_changes (version, kind, key) VALUES \
             (2, 'point', '0100000000011'), (2, 'point', '0100000000012'), (3, 'point', '0100000000011')",
        )
        .await;
        assert_eq!(
            db.public_changes_since(1).await.unwrap(),
            (
                3,
                vec![PublicChange::Point(codes[0]), PublicChange::Point(codes[1])]
            )
        );
        assert_eq!(
            db.public_changes_since(2).await.unwrap(),
            (3, vec![PublicChange::Point(codes[0])])
        );
        // A version that says nothing of what it changed.
        exec(&db, "UPDATE data_version SET version = 4").await;
        assert_eq!(
            db.public_changes_since(3).await.unwrap(),
            (4, vec![PublicChange::All])
        );
        assert_eq!(
            db.public_changes_since(1).await.unwrap(),
            (4, vec![PublicChange::All])
        );
        exec(&db, "UPDATE data_version SET version = 5").await;
        exec(&db, "INSERT INTO public_changes (version, kind, key) VALUES (4, 'point', '0100000000013'), (5, 'manual', '7')").await;
        assert_eq!(
            db.public_changes_since(3).await.unwrap(),
            (
                5,
                vec![PublicChange::Point(codes[2]), PublicChange::Manual(7)]
            )
        );
        // Pruned: versions older than the oldest row kept are unknown.
        exec(&db, "DELETE FROM public_changes WHERE version <= 3").await;
        assert_eq!(
            db.public_changes_since(1).await.unwrap(),
            (5, vec![PublicChange::All])
        );
        assert_eq!(
            db.public_changes_since(3).await.unwrap(),
            (
                5,
                vec![PublicChange::Point(codes[2]), PublicChange::Manual(7)]
            )
        );
        // A database behind the instance (restored), and a key that does not decode.
        assert_eq!(
            db.public_changes_since(9).await.unwrap(),
            (5, vec![PublicChange::All])
        );
        exec(&db, "UPDATE data_version SET version = 6").await;
        exec(
            &db,
            "INSERT INTO public_changes (version, kind, key) VALUES (6, 'point', 'x')",
        )
        .await;
        assert_eq!(
            db.public_changes_since(5).await.unwrap(),
            (6, vec![PublicChange::All])
        );
    }

    /// A fresh SQLite file, or a fresh database on the PostgreSQL server the tests use
    /// (`CITIZENINFO_TEST_POSTGRES_URL`; `scripts/test` starts it).
    async fn on_both<F: std::future::Future<Output = ()>>(name: &str, body: impl Fn(Db) -> F) {
        let unique = format!(
            "citizeninfo_test_storage_{name}_{}_{}",
            std::process::id(),
            Utc::now().timestamp_micros() % 1_000_000
        );
        let dir = std::env::temp_dir().join(&unique);
        let db = Db::connect(&format!("sqlite://{}/test.db", dir.display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        body(db.clone()).await;
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);

        let admin = std::env::var("CITIZENINFO_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let server = Db::connect(&format!("{admin}/postgres"))
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is needed for this test: {e}"));
        let create = format!("CREATE DATABASE {unique}");
        on_pool!(&server.writer, p => { sqlx::query(sqlx::AssertSqlSafe(create)).execute(p).await.unwrap(); });
        let db = Db::connect(&format!("{admin}/{unique}")).await.unwrap();
        db.migrate().await.unwrap();
        body(db.clone()).await;
        db.close().await;
        let drop = format!("DROP DATABASE {unique} WITH (FORCE)");
        on_pool!(&server.writer, p => { sqlx::query(sqlx::AssertSqlSafe(drop)).execute(p).await.unwrap(); });
        server.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn public_points_are_read_as_the_snapshot_reads_them() {
        on_both("points", points_read_as_the_snapshot_reads_them).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn public_changes_tell_what_changed_or_all() {
        on_both("changes", changes_since_a_version).await;
    }
}
