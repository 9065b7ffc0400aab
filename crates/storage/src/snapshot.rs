//! Everything the public read model needs, read in a handful of queries: the public
//! service points with their phones, hours, photos and pins, the published manuals,
//! the organisation tree and the public holidays. Hidden service points are never read.

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
use std::collections::HashMap;

use crate::{Db, StorageError, on_pool};

fn code(s: &str) -> Result<UnitCode, StorageError> {
    UnitCode::parse(s).map_err(|e| StorageError::Data(format!("stored code {s:?}: {e}")))
}

fn plain<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StorageError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| StorageError::Data(format!("stored value {s:?}: {e}")))
}

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

            let mut phones: HashMap<i64, Vec<Phone>> = HashMap::new();
            let rows: Vec<(i64, String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT ph.service_point_id, ph.number, ph.ext, ph.label_th, ph.label_en FROM service_point_phones ph \
                 JOIN service_points sp ON sp.unit_id = ph.service_point_id WHERE sp.is_public AND sp.archived_at IS NULL ORDER BY ph.service_point_id, ph.position")
                .fetch_all(&mut *tx).await?;
            for (id, number, ext, label_th, label_en) in rows {
                phones.entry(id).or_default().push(Phone { number, ext, label_th, label_en });
            }
            let mut periods: HashMap<i64, Vec<Period>> = HashMap::new();
            // Streamed: ten rows a service point, most of a national snapshot's rows.
            let mut rows = sqlx::query_as::<_, (i64, i64, i64, i64)>(
                "SELECT op.service_point_id, op.weekday, op.opens, op.closes FROM opening_periods op \
                 JOIN service_points sp ON sp.unit_id = op.service_point_id WHERE sp.is_public AND sp.archived_at IS NULL")
                .fetch(&mut *tx);
            while let Some((id, weekday, opens, closes)) = rows.try_next().await? {
                periods.entry(id).or_default().push(Period { weekday: weekday as u8, opens: opens as u16, closes: closes as u16 });
            }
            drop(rows);
            let mut exceptions: HashMap<i64, Vec<HoursException>> = HashMap::new();
            let rows: Vec<(i64, NaiveDate, Option<i64>, Option<i64>, Option<String>)> = sqlx::query_as(
                "SELECT service_point_id, day, opens, closes, note FROM hours_exceptions ORDER BY service_point_id, day, opens")
                .fetch_all(&mut *tx).await?;
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
            let rows = sqlx::query(
                "SELECT id, service_point_id, display_key, thumb_key, width, height, thumb_width, thumb_height, alt_th, alt_en, is_cover \
                 FROM photos ORDER BY service_point_id, position, id")
                .fetch_all(&mut *tx).await?;
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
            let rows: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT spm.service_point_id, spm.manual_id FROM service_point_manuals spm JOIN manuals m ON m.id = spm.manual_id \
                 WHERE m.state = 'published' ORDER BY spm.service_point_id, spm.manual_id")
                .fetch_all(&mut *tx).await?;
            for (sp, m) in rows {
                pins.entry(sp).or_default().push(m);
            }

            // Streamed: a national table held as raw rows would need several times the
            // memory of the decoded service points.
            let mut service_points = Vec::new();
            let mut rows = sqlx::query(
                "SELECT sp.*, u.parent_id, u.name_th, u.name_en FROM service_points sp JOIN units u ON u.id = sp.unit_id \
                 WHERE sp.is_public AND sp.archived_at IS NULL ORDER BY sp.unit_id")
                .fetch(&mut *tx);
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
                    phones: phones.remove(&id).unwrap_or_default(),
                    email: r.try_get("email")?,
                    website: r.try_get("website")?,
                    hours: WeeklyHours {
                        periods: periods.remove(&id).unwrap_or_default(),
                        open_on_holidays: r.try_get("open_on_holidays")?,
                        exceptions: exceptions.remove(&id).unwrap_or_default(),
                    },
                    hours_note_th: r.try_get("hours_note_th")?,
                    hours_note_en: r.try_get("hours_note_en")?,
                    gecc_level: GeccLevel::parse(&gecc).ok_or_else(|| StorageError::Data(format!("gecc level {gecc:?}")))?,
                    is_public: r.try_get("is_public")?,
                    photos: photos.remove(&id).unwrap_or_default(),
                    manuals: pins.remove(&id).unwrap_or_default(),
                    updated_at: r.try_get::<DateTime<Utc>, _>("updated_at")?,
                    updated_by: r.try_get("updated_by")?,
                    verified_at: r.try_get("verified_at")?,
                });
            }
            drop(rows);

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
}
