//! Bulk loading of a whole dataset (demo data, national benchmark data, imports) in one
//! transaction, with multi-row inserts so that 80,000 service points load in seconds
//! on either database.

use chrono::{DateTime, Utc};
use domain::{Holiday, Manual, ServicePoint, Unit, UnitCode};
use sqlx::{Database, QueryBuilder};
use std::collections::HashMap;

use crate::db::BeginWrite;
use crate::{Db, StorageError, on_pool};

/// Rows per multi-row INSERT: below SQLite's 32,766 and PostgreSQL's 65,535 bound
/// parameters for the widest table (22 columns).
const CHUNK: usize = 1000;

#[derive(Debug, Default, Clone)]
pub struct Dataset {
    /// Parents before children.
    pub units: Vec<Unit>,
    pub service_points: Vec<ServicePoint>,
    pub manuals: Vec<Manual>,
    /// (service point code, manual key)
    pub pins: Vec<(UnitCode, String)>,
    pub holidays: Vec<Holiday>,
}

fn builder<DB: Database>(_: &sqlx::Pool<DB>, sql: &str) -> QueryBuilder<DB> {
    QueryBuilder::new(sql)
}

/// How deep each unit of the dataset sits below the units it does not contain itself
/// (ministries, or units already stored), so that a level is inserted after the one
/// above it even when units hold units (a provincial office and its district offices).
fn depths(units: &[Unit]) -> Result<HashMap<&str, usize>, StorageError> {
    let parent_of: HashMap<&str, Option<&str>> = units
        .iter()
        .map(|u| (u.code.as_str(), u.parent.as_ref().map(|p| p.as_str())))
        .collect();
    let mut out = HashMap::with_capacity(units.len());
    for u in units {
        let mut depth = 0;
        let mut at = u.parent.as_ref().map(|p| p.as_str());
        while let Some(code) = at {
            let Some(next) = parent_of.get(code) else {
                break;
            };
            depth += 1;
            if depth > units.len() {
                return Err(StorageError::Data(format!(
                    "unit {}: the tree above it loops",
                    u.code
                )));
            }
            at = *next;
        }
        out.insert(u.code.as_str(), depth);
    }
    Ok(out)
}

impl Db {
    pub async fn import(&self, ds: &Dataset, now: DateTime<Utc>) -> Result<(), StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let mut ids: HashMap<String, i64> = HashMap::new();
            let refresh = |rows: Vec<(i64, String)>, ids: &mut HashMap<String, i64>| {
                ids.extend(rows.into_iter().map(|(id, code)| (code, id)));
            };
            refresh(sqlx::query_as("SELECT id, code FROM units").fetch_all(&mut *tx).await?, &mut ids);

            let depth = depths(&ds.units)?;
            let deepest = depth.values().copied().max().unwrap_or(0);
            for lvl in 0..=deepest {
                let units: Vec<&Unit> = ds.units.iter().filter(|u| depth[u.code.as_str()] == lvl).collect();
                for chunk in units.chunks(CHUNK) {
                    let mut rows = Vec::with_capacity(chunk.len());
                    for u in chunk {
                        let parent = match &u.parent {
                            Some(pc) => Some(*ids.get(pc.as_str()).ok_or_else(|| StorageError::Data(format!("unit {}: unknown parent {pc}", u.code)))?),
                            None => None,
                        };
                        rows.push((u, parent));
                    }
                    let mut qb = builder(p, "INSERT INTO units (code, kind, parent_id, name_th, name_en, updated_at) ");
                    qb.push_values(rows, |mut b, (u, parent)| {
                        b.push_bind(u.code.as_str()).push_bind(u.kind.as_str()).push_bind(parent).push_bind(&u.name_th).push_bind(&u.name_en).push_bind(now);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                if !units.is_empty() {
                    refresh(sqlx::query_as("SELECT id, code FROM units").fetch_all(&mut *tx).await?, &mut ids);
                }
            }

            let sp_id = |code: &UnitCode| ids.get(code.as_str()).copied().ok_or_else(|| StorageError::Data(format!("service point {code} has no unit row")));
            for chunk in ds.service_points.chunks(CHUNK) {
                let rows = chunk.iter().map(|s| Ok((s, sp_id(&s.code)?))).collect::<Result<Vec<_>, StorageError>>()?;
                let mut qb = builder(p, "INSERT INTO service_points (unit_id, description_th, description_en, lat, lon, house_no, moo, building, road, \
                    subdistrict, district, province, postcode, email, website, hours_note_th, hours_note_en, open_on_holidays, gecc_level, \
                    is_public, updated_at, updated_by, verified_at) ");
                qb.push_values(&rows, |mut b, (s, id)| {
                    let a = &s.address;
                    b.push_bind(*id).push_bind(&s.description_th).push_bind(&s.description_en).push_bind(s.location.lat).push_bind(s.location.lon)
                        .push_bind(&a.house_no).push_bind(&a.moo).push_bind(&a.building).push_bind(&a.road).push_bind(&a.subdistrict)
                        .push_bind(&a.district).push_bind(&a.province).push_bind(&a.postcode).push_bind(&s.email).push_bind(&s.website)
                        .push_bind(&s.hours_note_th).push_bind(&s.hours_note_en).push_bind(s.hours.open_on_holidays)
                        .push_bind(s.gecc_level.as_str()).push_bind(s.is_public).push_bind(s.updated_at).push_bind(&s.updated_by)
                        .push_bind(s.verified_at);
                });
                qb.build().execute(&mut *tx).await?;

                let phones: Vec<_> = rows.iter().flat_map(|(s, id)| s.phones.iter().enumerate().map(move |(i, ph)| (*id, i as i64, ph))).collect();
                for part in phones.chunks(CHUNK) {
                    let mut qb = builder(p, "INSERT INTO service_point_phones (service_point_id, position, number, ext, label_th, label_en) ");
                    qb.push_values(part, |mut b, (id, i, ph)| {
                        b.push_bind(*id).push_bind(*i).push_bind(&ph.number).push_bind(&ph.ext).push_bind(&ph.label_th).push_bind(&ph.label_en);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                let periods: Vec<_> = rows.iter().flat_map(|(s, id)| s.hours.periods.iter().map(move |pd| (*id, pd))).collect();
                for part in periods.chunks(CHUNK) {
                    let mut qb = builder(p, "INSERT INTO opening_periods (service_point_id, weekday, opens, closes) ");
                    qb.push_values(part, |mut b, (id, pd)| {
                        b.push_bind(*id).push_bind(i64::from(pd.weekday)).push_bind(i64::from(pd.opens)).push_bind(i64::from(pd.closes));
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for (s, id) in &rows {
                    for ex in &s.hours.exceptions {
                        let times: Vec<(Option<i64>, Option<i64>)> = if ex.periods.is_empty() { vec![(None, None)] } else { ex.periods.iter().map(|(o, c)| (Some(i64::from(*o)), Some(i64::from(*c)))).collect() };
                        for (o, c) in times {
                            sqlx::query("INSERT INTO hours_exceptions (service_point_id, day, opens, closes, note) VALUES ($1, $2, $3, $4, $5)")
                                .bind(*id).bind(ex.date).bind(o).bind(c).bind(&ex.note).execute(&mut *tx).await?;
                        }
                    }
                    for (i, ph) in s.photos.iter().enumerate() {
                        sqlx::query("INSERT INTO photos (service_point_id, position, is_cover, display_key, thumb_key, width, height, thumb_width, thumb_height, \
                                     alt_th, alt_en, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                            .bind(*id).bind(i as i64).bind(ph.is_cover).bind(&ph.display_key).bind(&ph.thumb_key)
                            .bind(i64::from(ph.width)).bind(i64::from(ph.height)).bind(i64::from(ph.thumb_width)).bind(i64::from(ph.thumb_height))
                            .bind(&ph.alt_th).bind(&ph.alt_en).bind(s.updated_at).execute(&mut *tx).await?;
                    }
                }
            }

            let mut manual_ids: HashMap<&str, i64> = HashMap::new();
            for m in &ds.manuals {
                let owner = *ids.get(m.owner_department_code.as_str()).ok_or_else(|| StorageError::Data(format!("manual {}: unknown owner {}", m.key, m.owner_department_code)))?;
                let id = insert_manual!(tx, m, owner, now);
                manual_ids.insert(m.key.as_str(), id);
            }
            // Pins may name manuals loaded earlier (a national dataset pins the demo ones).
            let known: Vec<(i64, String)> = sqlx::query_as("SELECT id, key FROM manuals WHERE state = 'published'").fetch_all(&mut *tx).await?;
            for (id, key) in &known {
                manual_ids.entry(key.as_str()).or_insert(*id);
            }
            let mut pins = Vec::with_capacity(ds.pins.len());
            for (code, key) in &ds.pins {
                let m = *manual_ids.get(key.as_str()).ok_or_else(|| StorageError::Data(format!("pin on {code}: unknown manual {key}")))?;
                pins.push((sp_id(code)?, m));
            }
            for part in pins.chunks(CHUNK) {
                let mut qb = builder(p, "INSERT INTO service_point_manuals (service_point_id, manual_id, pinned_at, pinned_by) ");
                qb.push_values(part, |mut b, (s, m)| {
                    b.push_bind(*s).push_bind(*m).push_bind(now).push_bind(None::<String>);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for h in &ds.holidays {
                sqlx::query("INSERT INTO public_holidays (day, name_th, name_en) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET name_th = excluded.name_th, name_en = excluded.name_en")
                    .bind(h.date).bind(&h.name_th).bind(&h.name_en).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
            sqlx::query("INSERT INTO public_changes (version, kind) SELECT version, 'all' FROM data_version WHERE id = 1").execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

/// The snake_case name serde gives an enum, for storing it as text.
pub(crate) fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Writes a manual and its rows (legal bases, channels, steps, documents, fees,
/// complaint channels, forms) on a connection of either database; its id.
macro_rules! insert_manual {
    ($c:expr, $m:expr, $owner:expr, $now:expr) => {{
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO manuals (key, version, state, owner_unit_id, title_th, title_en, process_name, owning_agency, service_type, \
             category, impact_level, service_areas, statutory_time_law, statutory_time_value, statutory_time_unit, stats_avg, stats_max, \
             stats_min, reference_name, criteria, simplified, no_fee, remarks, published_on, prepared_by, approved_by, published_by, updated_at, no_documents) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29) \
             RETURNING id")
            .bind(&$m.key).bind($m.version.max(1)).bind($m.state.as_str()).bind($owner).bind(&$m.title_th).bind(&$m.title_en)
            .bind(&$m.process_name).bind(&$m.owning_agency).bind(&$m.service_type).bind(&$m.category).bind(&$m.impact_level)
            .bind($m.service_areas.join(",")).bind(&$m.statutory_time_law).bind($m.statutory_time.value)
            .bind(serde_plain(&$m.statutory_time.unit)).bind($m.stats.avg_per_month).bind($m.stats.max_per_month)
            .bind($m.stats.min_per_month).bind(&$m.reference_name).bind(&$m.criteria).bind($m.simplified).bind($m.no_fee)
            .bind(&$m.remarks).bind($m.published_on).bind(&$m.prepared_by).bind(&$m.approved_by).bind(&$m.published_by).bind($now)
            .bind($m.no_documents).fetch_one(&mut *$c).await?;
        for (i, l) in $m.legal_bases.iter().enumerate() {
            sqlx::query("INSERT INTO manual_legal_bases (manual_id, position, kind, name, year_be, section, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(id).bind(i as i64).bind(&l.kind).bind(&l.name).bind(l.year_be.map(i64::from)).bind(&l.section).bind(&l.note).execute(&mut *$c).await?;
        }
        for (i, c) in $m.channels.iter().enumerate() {
            sqlx::query("INSERT INTO manual_channels (manual_id, position, place, address, phone, url, hours_text, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(id).bind(i as i64).bind(&c.place).bind(&c.address).bind(&c.phone).bind(&c.url).bind(&c.hours_text).bind(&c.note).execute(&mut *$c).await?;
        }
        for (i, s) in $m.steps.iter().enumerate() {
            sqlx::query("INSERT INTO manual_steps (manual_id, position, kind, description, duration_value, duration_unit, responsible, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(id).bind(i as i64).bind(&s.kind).bind(&s.description).bind(s.duration.value).bind(serde_plain(&s.duration.unit)).bind(&s.responsible).bind(&s.note).execute(&mut *$c).await?;
        }
        for (i, d) in $m.documents.iter().enumerate() {
            sqlx::query("INSERT INTO manual_documents (manual_id, position, doc_group, name, issuer, originals, copies, unit, note, id_copy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(id).bind(i as i64).bind(&d.group).bind(&d.name).bind(&d.issuer).bind(d.originals).bind(d.copies).bind(&d.unit).bind(&d.note).bind(d.id_copy).execute(&mut *$c).await?;
        }
        for (i, f) in $m.fees.iter().enumerate() {
            sqlx::query("INSERT INTO manual_fees (manual_id, position, description, amount, unit, base, per, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(id).bind(i as i64).bind(&f.description).bind(f.amount).bind(&f.unit).bind(&f.base).bind(&f.per).bind(&f.note).execute(&mut *$c).await?;
        }
        for (i, c) in $m.complaint_channels.iter().enumerate() {
            sqlx::query("INSERT INTO manual_complaint_channels (manual_id, position, channel, address, phone, url, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(id).bind(i as i64).bind(&c.channel).bind(&c.address).bind(&c.phone).bind(&c.url).bind(&c.note).execute(&mut *$c).await?;
        }
        for (i, f) in $m.forms.iter().enumerate() {
            sqlx::query("INSERT INTO manual_forms (manual_id, position, name, url) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(i as i64).bind(&f.name).bind(&f.url).execute(&mut *$c).await?;
        }
        id
    }};
}
pub(crate) use insert_manual;
