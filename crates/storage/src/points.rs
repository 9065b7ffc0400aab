//! A service point as staff edit it: every field, hidden or archived too, with its
//! revision; saving it, creating one under a unit, archiving and restoring, the "data
//! is correct" confirmation, and the record of each change.

use chrono::{DateTime, NaiveDate, Utc};
use domain::org::Photo;
use domain::point_edit::PointState;
use domain::{Address, GeccLevel, HoursException, LatLon, Period, Phone, UnitCode, WeeklyHours};
use sqlx::Row;

use crate::tx::on_tx;
use crate::{Db, StorageError, WriteTx, on_pool};

/// A service point with everything the back office shows and edits.
#[derive(Debug, Clone, PartialEq)]
pub struct EditPoint {
    pub id: i64,
    pub code: UnitCode,
    /// The unit that runs it (its parent in the tree).
    pub unit_id: i64,
    pub unit: UnitCode,
    pub state: PointState,
    /// Moves on with every saved change of `state`; the API's ETag.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    /// The district (code) its editor confirmed the pin in, outside the address's.
    pub pin_confirmed_district: Option<String>,
    pub photos: Vec<Photo>,
    /// Ids of the manuals pinned here (any state).
    pub manuals: Vec<i64>,
}

/// A recorded change, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChangeRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub actor: String,
    pub subject: String,
    pub unit_id: i64,
    pub manual_key: Option<String>,
    pub action: String,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub note: Option<String>,
}

/// A change to record: the states are JSON, written by the use case.
#[derive(Debug, Clone)]
pub struct NewChange<'a> {
    pub user_id: Option<i64>,
    pub actor: &'a str,
    /// `service_point`, `photo`, `pin` or `manual`.
    pub subject: &'a str,
    pub unit_id: i64,
    pub manual_key: Option<&'a str>,
    pub action: &'a str,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: Option<&'a str>,
}

fn data(what: &str) -> StorageError {
    StorageError::Data(what.to_owned())
}

/// Reads one point on any executor (the reader pool, or a write transaction so that
/// the state before a change is the one the change replaces).
macro_rules! load_point {
    ($e:expr, $code:expr) => {{
        let row = sqlx::query(
            "SELECT u.id, u.name_th, u.name_en, pu.id AS parent_id, pu.code AS parent_code, sp.* \
             FROM units u JOIN service_points sp ON sp.unit_id = u.id JOIN units pu ON pu.id = u.parent_id \
             WHERE u.code = $1 AND u.kind = 'service_point'",
        )
        .bind($code.as_str())
        .fetch_optional($e)
        .await?;
        match row {
            None => None,
            Some(r) => {
                let id: i64 = r.try_get("id")?;
                let phones: Vec<(String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT number, ext, label_th, label_en FROM service_point_phones WHERE service_point_id = $1 ORDER BY position")
                    .bind(id).fetch_all($e).await?;
                let periods: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT weekday, opens, closes FROM opening_periods WHERE service_point_id = $1 ORDER BY weekday, opens")
                    .bind(id).fetch_all($e).await?;
                let days: Vec<(NaiveDate, Option<i64>, Option<i64>, Option<String>)> = sqlx::query_as(
                    "SELECT day, opens, closes, note FROM hours_exceptions WHERE service_point_id = $1 ORDER BY day, opens")
                    .bind(id).fetch_all($e).await?;
                let photo_rows = sqlx::query(
                    "SELECT id, display_key, thumb_key, width, height, thumb_width, thumb_height, alt_th, alt_en, is_cover \
                     FROM photos WHERE service_point_id = $1 ORDER BY position, id")
                    .bind(id).fetch_all($e).await?;
                let manuals: Vec<i64> = sqlx::query_scalar(
                    "SELECT manual_id FROM service_point_manuals WHERE service_point_id = $1 ORDER BY manual_id")
                    .bind(id).fetch_all($e).await?;
                let mut photos = Vec::with_capacity(photo_rows.len());
                for p in photo_rows {
                    let size = |c: &str| -> Result<u32, StorageError> {
                        u32::try_from(p.try_get::<i64, _>(c)?).map_err(|_| data("photo size"))
                    };
                    photos.push(Photo {
                        id: p.try_get("id")?,
                        display_key: p.try_get("display_key")?,
                        thumb_key: p.try_get("thumb_key")?,
                        width: size("width")?,
                        height: size("height")?,
                        thumb_width: size("thumb_width")?,
                        thumb_height: size("thumb_height")?,
                        alt_th: p.try_get("alt_th")?,
                        alt_en: p.try_get("alt_en")?,
                        is_cover: p.try_get("is_cover")?,
                    });
                }
                let mut exceptions: Vec<HoursException> = Vec::new();
                for (day, opens, closes, note) in days {
                    if exceptions.last().is_none_or(|e| e.date != day) {
                        exceptions.push(HoursException { date: day, periods: Vec::new(), note });
                    }
                    if let (Some(o), Some(c), Some(e)) = (opens, closes, exceptions.last_mut()) {
                        e.periods.push((o as u16, c as u16));
                    }
                }
                let gecc: String = r.try_get("gecc_level")?;
                let (lat, lon): (f64, f64) = (r.try_get("lat")?, r.try_get("lon")?);
                let parent_code: String = r.try_get("parent_code")?;
                Some(EditPoint {
                    id,
                    code: *$code,
                    unit_id: r.try_get("parent_id")?,
                    unit: UnitCode::parse(&parent_code).map_err(|_| data("stored unit code"))?,
                    state: PointState {
                        name_th: r.try_get("name_th")?,
                        name_en: r.try_get("name_en")?,
                        description_th: r.try_get("description_th")?,
                        description_en: r.try_get("description_en")?,
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
                        location: LatLon::new(lat, lon).ok_or_else(|| data("stored location"))?,
                        phones: phones
                            .into_iter()
                            .map(|(number, ext, label_th, label_en)| Phone { number, ext, label_th, label_en })
                            .collect(),
                        email: r.try_get("email")?,
                        website: r.try_get("website")?,
                        hours: WeeklyHours {
                            periods: periods
                                .into_iter()
                                .map(|(w, o, c)| Period { weekday: w as u8, opens: o as u16, closes: c as u16 })
                                .collect(),
                            open_on_holidays: r.try_get("open_on_holidays")?,
                            exceptions,
                        },
                        hours_note_th: r.try_get("hours_note_th")?,
                        hours_note_en: r.try_get("hours_note_en")?,
                        gecc_level: GeccLevel::parse(&gecc).ok_or_else(|| data("stored GECC level"))?,
                        is_public: r.try_get("is_public")?,
                    },
                    revision: r.try_get("revision")?,
                    updated_at: r.try_get("updated_at")?,
                    updated_by: r.try_get("updated_by")?,
                    verified_at: r.try_get("verified_at")?,
                    verified_by: r.try_get("verified_by")?,
                    archived_at: r.try_get("archived_at")?,
                    pin_confirmed_district: r.try_get("pin_confirmed_district")?,
                    photos,
                    manuals,
                })
            }
        }
    }};
}

/// Replaces a point's phones, weekly periods and special days with the state's.
macro_rules! write_children {
    ($c:expr, $id:expr, $s:expr) => {{
        for sql in [
            "DELETE FROM service_point_phones WHERE service_point_id = $1",
            "DELETE FROM opening_periods WHERE service_point_id = $1",
            "DELETE FROM hours_exceptions WHERE service_point_id = $1",
        ] {
            sqlx::query(sql).bind($id).execute(&mut *$c).await?;
        }
        for (i, p) in $s.phones.iter().enumerate() {
            sqlx::query("INSERT INTO service_point_phones (service_point_id, position, number, ext, label_th, label_en) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind($id).bind(i as i64).bind(&p.number).bind(&p.ext).bind(&p.label_th).bind(&p.label_en)
                .execute(&mut *$c).await?;
        }
        for p in &$s.hours.periods {
            sqlx::query("INSERT INTO opening_periods (service_point_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)")
                .bind($id).bind(i64::from(p.weekday)).bind(i64::from(p.opens)).bind(i64::from(p.closes))
                .execute(&mut *$c).await?;
        }
        for e in &$s.hours.exceptions {
            let times: Vec<(Option<i64>, Option<i64>)> = if e.periods.is_empty() {
                vec![(None, None)]
            } else {
                e.periods.iter().map(|(o, c)| (Some(i64::from(*o)), Some(i64::from(*c)))).collect()
            };
            for (o, c) in times {
                sqlx::query("INSERT INTO hours_exceptions (service_point_id, day, opens, closes, note) VALUES ($1, $2, $3, $4, $5)")
                    .bind($id).bind(e.date).bind(o).bind(c).bind(&e.note).execute(&mut *$c).await?;
            }
        }
    }};
}

/// (point id, number, extension, Thai label, English label)
type PhoneRow = (i64, String, Option<String>, Option<String>, Option<String>);
/// (point id, day, opens, closes, note)
type DayRow = (i64, NaiveDate, Option<i64>, Option<i64>, Option<String>);

/// A service point as the spreadsheet of the back office holds it: every editable
/// field, its revision, and whose it is. Read for all points at once.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetPoint {
    pub id: i64,
    pub code: UnitCode,
    /// The unit that runs it (its parent in the tree).
    pub unit: UnitCode,
    pub state: PointState,
    pub revision: i64,
    pub pin_confirmed_district: Option<String>,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
}

impl Db {
    /// A service point for the back office, hidden or archived too.
    pub async fn point_for_edit(&self, code: &UnitCode) -> Result<Option<EditPoint>, StorageError> {
        Ok(on_pool!(&self.pool, p => load_point!(p, code)))
    }

    /// Every service point with its editable state, hidden and archived ones too, in
    /// code order: four queries in one read transaction however many points there are,
    /// for the export and the import of the back office's spreadsheet.
    pub async fn sheet_points(&self) -> Result<Vec<SheetPoint>, StorageError> {
        self.sheet_chunk(None).await
    }

    /// The service points of these codes (unknown ones left out), as [`Db::sheet_points`]
    /// reads them: an import of a few lines reads a few points, not the country.
    pub async fn sheet_points_of(
        &self,
        codes: &[UnitCode],
    ) -> Result<Vec<SheetPoint>, StorageError> {
        // Beyond a few thousand, one scan costs less than the lookups.
        if codes.len() > 4000 {
            let wanted: std::collections::HashSet<&UnitCode> = codes.iter().collect();
            let mut all = self.sheet_points().await?;
            all.retain(|p| wanted.contains(&p.code));
            return Ok(all);
        }
        let mut out = Vec::with_capacity(codes.len());
        // Chunks keep within both databases' limits on bound parameters.
        for chunk in codes.chunks(500) {
            out.extend(self.sheet_chunk(Some(chunk)).await?);
        }
        out.sort_by_key(|p| p.code);
        Ok(out)
    }

    async fn sheet_chunk(
        &self,
        codes: Option<&[UnitCode]>,
    ) -> Result<Vec<SheetPoint>, StorageError> {
        use futures_util::TryStreamExt;
        // Only placeholders are formatted in; every code is bound.
        let (main, child) = match codes {
            None => (String::new(), String::new()),
            Some(c) => {
                let marks: Vec<String> = (1..=c.len()).map(|i| format!("${i}")).collect();
                let list = marks.join(", ");
                (
                    format!(" AND u.code IN ({list})"),
                    format!(
                        " WHERE service_point_id IN (SELECT id FROM units WHERE code IN ({list}))"
                    ),
                )
            }
        };
        let binds: Vec<&str> = codes.into_iter().flatten().map(UnitCode::as_str).collect();
        let sql = |s: String| sqlx::AssertSqlSafe(s);
        on_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            // Streamed, children first, so that no driver rows are held beside the
            // points they become: at national scale that halves the peak.
            let mut phones_of: std::collections::HashMap<i64, Vec<Phone>> = Default::default();
            let mut q = sqlx::query_as::<_, PhoneRow>(sql(format!(
                "SELECT service_point_id, number, ext, label_th, label_en FROM service_point_phones{child} ORDER BY service_point_id, position")));
            for b in &binds {
                q = q.bind(*b);
            }
            let mut rows = q.fetch(&mut *tx);
            while let Some((id, number, ext, label_th, label_en)) = rows.try_next().await? {
                phones_of.entry(id).or_default().push(Phone { number, ext, label_th, label_en });
            }
            drop(rows);
            let mut periods_of: std::collections::HashMap<i64, Vec<Period>> = Default::default();
            let mut q = sqlx::query_as::<_, (i64, i64, i64, i64)>(sql(format!(
                "SELECT service_point_id, weekday, opens, closes FROM opening_periods{child} ORDER BY service_point_id, weekday, opens")));
            for b in &binds {
                q = q.bind(*b);
            }
            let mut rows = q.fetch(&mut *tx);
            while let Some((id, w, o, c)) = rows.try_next().await? {
                periods_of.entry(id).or_default().push(Period { weekday: w as u8, opens: o as u16, closes: c as u16 });
            }
            drop(rows);
            let mut days_of: std::collections::HashMap<i64, Vec<HoursException>> = Default::default();
            let mut q = sqlx::query_as::<_, DayRow>(sql(format!(
                "SELECT service_point_id, day, opens, closes, note FROM hours_exceptions{child} ORDER BY service_point_id, day, opens")));
            for b in &binds {
                q = q.bind(*b);
            }
            let mut rows = q.fetch(&mut *tx);
            while let Some((id, day, opens, closes, note)) = rows.try_next().await? {
                let list = days_of.entry(id).or_default();
                if list.last().is_none_or(|e| e.date != day) {
                    list.push(HoursException { date: day, periods: Vec::new(), note });
                }
                if let (Some(o), Some(c), Some(e)) = (opens, closes, list.last_mut()) {
                    e.periods.push((o as u16, c as u16));
                }
            }
            drop(rows);
            let mut out = Vec::with_capacity(phones_of.len());
            let mut q = sqlx::query(sql(format!(
                "SELECT u.id, u.code, u.name_th, u.name_en, pu.code AS parent_code, sp.* \
                 FROM units u JOIN service_points sp ON sp.unit_id = u.id JOIN units pu ON pu.id = u.parent_id \
                 WHERE u.kind = 'service_point'{main} ORDER BY u.code")));
            for b in &binds {
                q = q.bind(*b);
            }
            let mut rows = q.fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                let id: i64 = r.try_get("id")?;
                let code: String = r.try_get("code")?;
                let parent: String = r.try_get("parent_code")?;
                let gecc: String = r.try_get("gecc_level")?;
                let (lat, lon): (f64, f64) = (r.try_get("lat")?, r.try_get("lon")?);
                let archived_at: Option<DateTime<Utc>> = r.try_get("archived_at")?;
                out.push(SheetPoint {
                    id,
                    code: UnitCode::parse(&code).map_err(|_| data("stored code"))?,
                    unit: UnitCode::parse(&parent).map_err(|_| data("stored unit code"))?,
                    state: PointState {
                        name_th: r.try_get("name_th")?,
                        name_en: r.try_get("name_en")?,
                        description_th: r.try_get("description_th")?,
                        description_en: r.try_get("description_en")?,
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
                        location: LatLon::new(lat, lon).ok_or_else(|| data("stored location"))?,
                        phones: phones_of.remove(&id).unwrap_or_default(),
                        email: r.try_get("email")?,
                        website: r.try_get("website")?,
                        hours: WeeklyHours {
                            periods: periods_of.remove(&id).unwrap_or_default(),
                            open_on_holidays: r.try_get("open_on_holidays")?,
                            exceptions: days_of.remove(&id).unwrap_or_default(),
                        },
                        hours_note_th: r.try_get("hours_note_th")?,
                        hours_note_en: r.try_get("hours_note_en")?,
                        gecc_level: GeccLevel::parse(&gecc).ok_or_else(|| data("stored GECC level"))?,
                        is_public: r.try_get("is_public")?,
                    },
                    revision: r.try_get("revision")?,
                    pin_confirmed_district: r.try_get("pin_confirmed_district")?,
                    archived: archived_at.is_some(),
                    updated_at: r.try_get("updated_at")?,
                    updated_by: r.try_get("updated_by")?,
                });
            }
            drop(rows);
            tx.commit().await?;
            Ok(out)
        })
    }

    /// Codes in use that start with `prefix`, for numbering new service points.
    pub async fn codes_starting(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let like = format!("{prefix}%");
        Ok(
            on_pool!(&self.pool, p => sqlx::query_scalar("SELECT code FROM units WHERE code LIKE $1")
            .bind(like).fetch_all(p).await?),
        )
    }

    /// The changes recorded on these units (points, or manuals' owners), newest first.
    pub async fn changes_on(
        &self,
        units: &[i64],
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ChangeRow>, StorageError> {
        let mut out = Vec::new();
        // Chunks keep within both databases' limits on bound parameters.
        for chunk in units.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT * FROM changes WHERE id < $1 AND unit_id IN ({}) ORDER BY id DESC LIMIT $2",
                marks.join(", ")
            );
            let rows: Vec<ChangeRow> = on_pool!(&self.pool, p => {
                // Only placeholders are formatted in; every value is bound.
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(before_id.unwrap_or(i64::MAX)).bind(limit);
                for u in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(p).await?
            });
            out.extend(rows);
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.id));
        out.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(out)
    }

    pub async fn change_by_id(&self, id: i64) -> Result<Option<ChangeRow>, StorageError> {
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as("SELECT * FROM changes WHERE id = $1")
            .bind(id).fetch_optional(p).await?),
        )
    }
}

impl WriteTx {
    /// The point as it is inside this transaction.
    pub async fn point_for_update(
        &mut self,
        code: &UnitCode,
    ) -> Result<Option<EditPoint>, StorageError> {
        Ok(on_tx!(self, c => load_point!(&mut *c, code)))
    }

    /// Saves a point's state if its revision is still `expected`: the new revision, or
    /// `None` when someone saved in between.
    pub async fn save_point(
        &mut self,
        id: i64,
        expected: i64,
        s: &PointState,
        pin_confirmed_district: Option<&str>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StorageError> {
        Ok(on_tx!(self, c => {
            let revision: Option<i64> = sqlx::query_scalar(
                "UPDATE service_points SET description_th = $1, description_en = $2, lat = $3, lon = $4, house_no = $5, moo = $6, \
                 building = $7, road = $8, subdistrict = $9, district = $10, province = $11, postcode = $12, email = $13, website = $14, \
                 hours_note_th = $15, hours_note_en = $16, open_on_holidays = $17, gecc_level = $18, is_public = $19, updated_at = $20, \
                 updated_by = $21, pin_confirmed_district = $22, revision = revision + 1 WHERE unit_id = $23 AND revision = $24 RETURNING revision")
                .bind(&s.description_th).bind(&s.description_en).bind(s.location.lat).bind(s.location.lon)
                .bind(&s.address.house_no).bind(&s.address.moo).bind(&s.address.building).bind(&s.address.road)
                .bind(&s.address.subdistrict).bind(&s.address.district).bind(&s.address.province).bind(&s.address.postcode)
                .bind(&s.email).bind(&s.website).bind(&s.hours_note_th).bind(&s.hours_note_en).bind(s.hours.open_on_holidays)
                .bind(s.gecc_level.as_str()).bind(s.is_public).bind(now).bind(by).bind(pin_confirmed_district).bind(id).bind(expected)
                .fetch_optional(&mut *c).await?;
            if revision.is_some() {
                sqlx::query("UPDATE units SET name_th = $1, name_en = $2, updated_at = $3 WHERE id = $4")
                    .bind(&s.name_th).bind(&s.name_en).bind(now).bind(id).execute(&mut *c).await?;
                write_children!(c, id, s);
            }
            revision
        }))
    }

    /// A new service point under the unit `parent`: its id, or `None` when the code is
    /// taken (then drop the transaction).
    pub async fn create_point(
        &mut self,
        parent: i64,
        code: &UnitCode,
        s: &PointState,
        pin_confirmed_district: Option<&str>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StorageError> {
        Ok(on_tx!(self, c => {
            let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO units (code, kind, parent_id, name_th, name_en, updated_at) VALUES ($1, 'service_point', $2, $3, $4, $5) RETURNING id")
                .bind(code.as_str()).bind(parent).bind(&s.name_th).bind(&s.name_en).bind(now)
                .fetch_one(&mut *c).await;
            let id = match inserted {
                Ok(id) => id,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            sqlx::query(
                "INSERT INTO service_points (unit_id, description_th, description_en, lat, lon, house_no, moo, building, road, subdistrict, \
                 district, province, postcode, email, website, hours_note_th, hours_note_en, open_on_holidays, gecc_level, is_public, \
                 updated_at, updated_by, pin_confirmed_district, revision) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 1)")
                .bind(id).bind(&s.description_th).bind(&s.description_en).bind(s.location.lat).bind(s.location.lon)
                .bind(&s.address.house_no).bind(&s.address.moo).bind(&s.address.building).bind(&s.address.road)
                .bind(&s.address.subdistrict).bind(&s.address.district).bind(&s.address.province).bind(&s.address.postcode)
                .bind(&s.email).bind(&s.website).bind(&s.hours_note_th).bind(&s.hours_note_en).bind(s.hours.open_on_holidays)
                .bind(s.gecc_level.as_str()).bind(s.is_public).bind(now).bind(by).bind(pin_confirmed_district)
                .execute(&mut *c).await?;
            write_children!(c, id, s);
            Some(id)
        }))
    }

    /// Archives (`Some(when)`) or restores (`None`) a point; moves its revision on.
    pub async fn set_archived(
        &mut self,
        id: i64,
        archived: Option<DateTime<Utc>>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        Ok(on_tx!(self, c => sqlx::query_scalar(
            "UPDATE service_points SET archived_at = $1, updated_at = $2, updated_by = $3, revision = revision + 1 WHERE unit_id = $4 RETURNING revision")
            .bind(archived).bind(now).bind(by).bind(id).fetch_one(&mut *c).await?))
    }

    /// "The data is correct": the date the public page shows. The revision stays, so a
    /// form open elsewhere is not made stale by it.
    pub async fn mark_verified(
        &mut self,
        id: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_tx!(self, c => sqlx::query("UPDATE service_points SET verified_at = $1, verified_by = $2 WHERE unit_id = $3")
            .bind(now).bind(by).bind(id).execute(&mut *c).await.map(drop)?);
        Ok(())
    }

    /// Records a change in the history.
    pub async fn record_change(
        &mut self,
        ch: &NewChange<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        Ok(on_tx!(self, c => sqlx::query_scalar(
            "INSERT INTO changes (at, user_id, actor, subject, unit_id, manual_key, action, before_state, after_state, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
            .bind(now).bind(ch.user_id).bind(ch.actor).bind(ch.subject).bind(ch.unit_id).bind(ch.manual_key)
            .bind(ch.action).bind(&ch.before).bind(&ch.after).bind(ch.note)
            .fetch_one(&mut *c).await?))
    }
}

/// A photo to store: its keys and sizes, from the media crate.
#[derive(Debug, Clone)]
pub struct NewPhoto<'a> {
    pub display_key: &'a str,
    pub thumb_key: &'a str,
    pub width: u32,
    pub height: u32,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub alt_th: &'a str,
    pub alt_en: Option<&'a str>,
}

impl Db {
    /// Whether any photo still names this object (the same picture uploaded twice
    /// shares its content-addressed key).
    pub async fn photo_key_in_use(&self, key: &str) -> Result<bool, StorageError> {
        let n: i64 = on_pool!(&self.pool, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM photos WHERE display_key = $1 OR thumb_key = $1")
            .bind(key).fetch_one(p).await?);
        Ok(n > 0)
    }
}

impl WriteTx {
    /// Adds a photo after the point's others; the first one is the cover. Its id.
    pub async fn add_photo(
        &mut self,
        point: i64,
        p: &NewPhoto<'_>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        Ok(on_tx!(self, c => {
            let (n, last): (i64, Option<i64>) = sqlx::query_as(
                "SELECT COUNT(*), MAX(position) FROM photos WHERE service_point_id = $1")
                .bind(point).fetch_one(&mut *c).await?;
            sqlx::query_scalar(
                "INSERT INTO photos (service_point_id, position, is_cover, display_key, thumb_key, width, height, thumb_width, \
                 thumb_height, alt_th, alt_en, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id")
                .bind(point).bind(last.map_or(0, |l| l + 1)).bind(n == 0).bind(p.display_key).bind(p.thumb_key)
                .bind(i64::from(p.width)).bind(i64::from(p.height)).bind(i64::from(p.thumb_width)).bind(i64::from(p.thumb_height))
                .bind(p.alt_th).bind(p.alt_en).bind(now).bind(by)
                .fetch_one(&mut *c).await?
        }))
    }

    /// Deletes a point's photo: whether it was there. A deleted cover passes to the
    /// first photo left.
    pub async fn delete_photo(&mut self, point: i64, id: i64) -> Result<bool, StorageError> {
        Ok(on_tx!(self, c => {
            let gone = sqlx::query("DELETE FROM photos WHERE id = $1 AND service_point_id = $2")
                .bind(id).bind(point).execute(&mut *c).await?.rows_affected() > 0;
            if gone {
                let covers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE service_point_id = $1 AND is_cover")
                    .bind(point).fetch_one(&mut *c).await?;
                if covers == 0 {
                    sqlx::query("UPDATE photos SET is_cover = TRUE WHERE id = (SELECT id FROM photos WHERE service_point_id = $1 ORDER BY position, id LIMIT 1)")
                        .bind(point).execute(&mut *c).await?;
                }
            }
            gone
        }))
    }

    /// Changes a photo's alt text, place in the order and whether it is the cover.
    pub async fn update_photo(
        &mut self,
        point: i64,
        id: i64,
        alt_th: &str,
        alt_en: Option<&str>,
        position: Option<i64>,
        cover: bool,
    ) -> Result<bool, StorageError> {
        Ok(on_tx!(self, c => {
            let found = sqlx::query("UPDATE photos SET alt_th = $1, alt_en = $2, position = COALESCE($3, position) WHERE id = $4 AND service_point_id = $5")
                .bind(alt_th).bind(alt_en).bind(position).bind(id).bind(point).execute(&mut *c).await?.rows_affected() > 0;
            if found && cover {
                sqlx::query("UPDATE photos SET is_cover = (id = $1) WHERE service_point_id = $2")
                    .bind(id).bind(point).execute(&mut *c).await?;
            }
            found
        }))
    }
}

/// What the data-quality checks read of every live (not archived) service point, in
/// a handful of queries over one read transaction.
#[derive(Debug, Clone, Default)]
pub struct QualityData {
    /// (id, code, name, lat, lon, address district, province, confirmed district,
    /// verified at)
    #[allow(clippy::type_complexity)]
    pub points: Vec<(
        i64,
        String,
        String,
        f64,
        f64,
        String,
        String,
        Option<String>,
        Option<DateTime<Utc>>,
    )>,
    pub phones: std::collections::HashMap<i64, Vec<Phone>>,
    pub with_hours: std::collections::HashSet<i64>,
    pub photos: std::collections::HashMap<i64, usize>,
    /// Point id → keys of the manuals pinned there.
    pub pins: std::collections::HashMap<i64, Vec<String>>,
    /// Department code → keys of the manuals it expects its points to carry.
    pub expected: std::collections::HashMap<String, Vec<String>>,
}

impl Db {
    pub async fn quality_data(&self) -> Result<QualityData, StorageError> {
        on_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            let mut d = QualityData {
                points: sqlx::query_as(
                    "SELECT u.id, u.code, u.name_th, sp.lat, sp.lon, sp.district, sp.province, sp.pin_confirmed_district, sp.verified_at \
                     FROM units u JOIN service_points sp ON sp.unit_id = u.id WHERE sp.archived_at IS NULL")
                    .fetch_all(&mut *tx).await?,
                ..Default::default()
            };
            let phones: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT service_point_id, number, ext FROM service_point_phones ORDER BY service_point_id, position")
                .fetch_all(&mut *tx).await?;
            for (id, number, ext) in phones {
                d.phones.entry(id).or_default().push(Phone { number, ext, label_th: None, label_en: None });
            }
            let hours: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT service_point_id FROM opening_periods")
                .fetch_all(&mut *tx).await?;
            d.with_hours = hours.into_iter().collect();
            let photos: Vec<(i64, i64)> = sqlx::query_as("SELECT service_point_id, COUNT(*) FROM photos GROUP BY service_point_id")
                .fetch_all(&mut *tx).await?;
            d.photos = photos.into_iter().map(|(id, n)| (id, n as usize)).collect();
            let pins: Vec<(i64, String)> = sqlx::query_as(
                "SELECT spm.service_point_id, m.key FROM service_point_manuals spm JOIN manuals m ON m.id = spm.manual_id")
                .fetch_all(&mut *tx).await?;
            for (id, key) in pins {
                d.pins.entry(id).or_default().push(key);
            }
            let expected: Vec<(String, String)> = sqlx::query_as(
                "SELECT u.code, e.manual_key FROM expected_manuals e JOIN units u ON u.id = e.department_id")
                .fetch_all(&mut *tx).await?;
            for (dept, key) in expected {
                d.expected.entry(dept).or_default().push(key);
            }
            tx.commit().await?;
            Ok(d)
        })
    }
}
