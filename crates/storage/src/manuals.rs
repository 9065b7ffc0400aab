//! The manual catalogue as departments keep it: drafts (the whole manual as JSON),
//! publishing a draft as the next version (the previous one archived, its pins moved
//! on), the manuals a department expects its points to carry, and pins; one version
//! read back whole, and what the catalogue lists (last change, pins per manual).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::Manual;
use domain::manual::{
    Channel, ComplaintChannel, Document, Fee, Form, LegalBasis, ManualState, RequestStats, Span,
    Step,
};
use sqlx::Row;

use crate::import::{insert_manual, serde_plain};
use crate::tx::on_tx;
use crate::{Db, StorageError, WriteTx, on_pool};

/// A draft as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DraftRow {
    pub id: i64,
    pub key: String,
    pub owner_unit_id: i64,
    pub body: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    /// Moves on with every save; a save on an older one is refused.
    pub revision: i64,
}

/// A manual of the catalogue (any state), as staff list it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ManualRow {
    pub id: i64,
    pub key: String,
    pub version: i64,
    pub state: String,
    pub owner_unit_id: i64,
    pub title_th: String,
    pub published_on: Option<NaiveDate>,
}

/// The last change recorded on a manual's key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LastChange {
    pub manual_key: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
}

fn data(what: String) -> StorageError {
    StorageError::Data(what)
}

fn plain<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StorageError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| data(format!("stored value {s:?}: {e}")))
}

/// Reads one version of a manual, any state, with all its rows, on any executor (the
/// reader pool, or a write transaction so that the state a change replaces is the one
/// in the transaction).
macro_rules! load_manual {
    ($e:expr, $id:expr) => {{
        let row = sqlx::query(
            "SELECT m.*, u.code AS owner_code FROM manuals m JOIN units u ON u.id = m.owner_unit_id WHERE m.id = $1",
        )
        .bind($id)
        .fetch_optional($e)
        .await?;
        match row {
            None => None,
            Some(r) => {
                let id: i64 = r.try_get("id")?;
                let areas: String = r.try_get("service_areas")?;
                let state: String = r.try_get("state")?;
                let unit: String = r.try_get("statutory_time_unit")?;
                let owner: String = r.try_get("owner_code")?;
                let mut m = Manual {
                    id,
                    key: r.try_get("key")?,
                    owner_department_code: domain::UnitCode::parse(&owner)
                        .map_err(|e| data(format!("owner code {owner:?}: {e}")))?,
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
                    no_documents: r.try_get("no_documents")?,
                    fees: Vec::new(),
                    no_fee: r.try_get("no_fee")?,
                    complaint_channels: Vec::new(),
                    forms: Vec::new(),
                    remarks: r.try_get("remarks")?,
                    published_on: r.try_get("published_on")?,
                    prepared_by: r.try_get("prepared_by")?,
                    approved_by: r.try_get("approved_by")?,
                    published_by: r.try_get("published_by")?,
                };
                let rows: Vec<(String, String, Option<i64>, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT kind, name, year_be, section, note FROM manual_legal_bases WHERE manual_id = $1 ORDER BY position")
                    .bind(id).fetch_all($e).await?;
                m.legal_bases = rows.into_iter().map(|(kind, name, year_be, section, note)|
                    LegalBasis { kind, name, year_be: year_be.map(|y| y as i32), section, note }).collect();
                let rows: Vec<(String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT place, address, phone, url, hours_text, note FROM manual_channels WHERE manual_id = $1 ORDER BY position")
                    .bind(id).fetch_all($e).await?;
                m.channels = rows.into_iter().map(|(place, address, phone, url, hours_text, note)|
                    Channel { place, address, phone, url, hours_text, note }).collect();
                let rows: Vec<(String, String, f64, String, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT kind, description, duration_value, duration_unit, responsible, note FROM manual_steps WHERE manual_id = $1 ORDER BY position")
                    .bind(id).fetch_all($e).await?;
                for (kind, description, value, unit, responsible, note) in rows {
                    m.steps.push(Step { kind, description, duration: Span { value, unit: plain(&unit)? }, responsible, note });
                }
                let rows: Vec<(String, String, Option<String>, i64, i64, String, Option<String>, bool)> = sqlx::query_as(
                    "SELECT doc_group, name, issuer, originals, copies, unit, note, id_copy FROM manual_documents WHERE manual_id = $1 ORDER BY position")
                    .bind(id).fetch_all($e).await?;
                m.documents = rows.into_iter().map(|(group, name, issuer, originals, copies, unit, note, id_copy)|
                    Document { group, name, issuer, originals, copies, unit, note, id_copy }).collect();
                let rows: Vec<(String, f64, String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT description, amount, unit, base, per, note FROM manual_fees WHERE manual_id = $1 ORDER BY position")
                    .bind(id).fetch_all($e).await?;
                m.fees = rows.into_iter().map(|(description, amount, unit, base, per, note)|
                    Fee { description, amount, unit, base, per, note }).collect();
                let rows: Vec<(String, Option<String>, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT channel, address, phone, url, note FROM manual_complaint_channels WHERE manual_id = $1 ORDER BY position")
                    .bind(id).fetch_all($e).await?;
                m.complaint_channels = rows.into_iter().map(|(channel, address, phone, url, note)|
                    ComplaintChannel { channel, address, phone, url, note }).collect();
                let rows: Vec<(String, Option<String>)> = sqlx::query_as(
                    "SELECT name, url FROM manual_forms WHERE manual_id = $1 ORDER BY position")
                    .bind(id).fetch_all($e).await?;
                m.forms = rows.into_iter().map(|(name, url)| Form { name, url }).collect();
                Some(m)
            }
        }
    }};
}

impl Db {
    pub async fn draft(&self, key: &str) -> Result<Option<DraftRow>, StorageError> {
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as("SELECT * FROM manual_drafts WHERE key = $1")
            .bind(key).fetch_optional(p).await?),
        )
    }

    pub async fn drafts(&self) -> Result<Vec<DraftRow>, StorageError> {
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as("SELECT * FROM manual_drafts ORDER BY key")
            .fetch_all(p).await?),
        )
    }

    /// Every version of every manual, newest version first per key.
    pub async fn manual_rows(&self) -> Result<Vec<ManualRow>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, key, version, state, owner_unit_id, title_th, published_on FROM manuals ORDER BY key, version DESC")
            .fetch_all(p).await?))
    }

    pub async fn manual_row(&self, id: i64) -> Result<Option<ManualRow>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, key, version, state, owner_unit_id, title_th, published_on FROM manuals WHERE id = $1")
            .bind(id).fetch_optional(p).await?))
    }

    /// The versions of one key, newest first.
    pub async fn manual_versions(&self, key: &str) -> Result<Vec<ManualRow>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, key, version, state, owner_unit_id, title_th, published_on FROM manuals WHERE key = $1 ORDER BY version DESC")
            .bind(key).fetch_all(p).await?))
    }

    /// One version of a manual, whole, in any state.
    pub async fn manual_version(&self, id: i64) -> Result<Option<Manual>, StorageError> {
        Ok(on_pool!(&self.pool, p => load_manual!(p, id)))
    }

    /// The changes recorded on a manual's key (its drafts, publications and reverts),
    /// newest first, before the change `before_id` when given.
    pub async fn manual_changes(
        &self,
        key: &str,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<crate::ChangeRow>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT * FROM changes WHERE subject = 'manual' AND manual_key = $1 AND id < $2 ORDER BY id DESC LIMIT $3")
            .bind(key).bind(before_id.unwrap_or(i64::MAX)).bind(limit).fetch_all(p).await?))
    }

    /// The last recorded change of each manual key.
    pub async fn last_manual_changes(&self) -> Result<HashMap<String, LastChange>, StorageError> {
        let rows: Vec<LastChange> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT manual_key, at, actor, action FROM changes WHERE id IN \
             (SELECT MAX(id) FROM changes WHERE subject = 'manual' AND manual_key IS NOT NULL GROUP BY manual_key)")
            .fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|r| (r.manual_key.clone(), r))
            .collect())
    }

    /// Manual id → how many service points it is pinned to.
    pub async fn pin_counts(&self) -> Result<HashMap<i64, i64>, StorageError> {
        let rows: Vec<(i64, i64)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT manual_id, COUNT(*) FROM service_point_manuals GROUP BY manual_id")
            .fetch_all(p).await?);
        Ok(rows.into_iter().collect())
    }

    /// Whether the user administers or supervises a department or a ministry: who
    /// writes some department's manual catalogue.
    /// Department code → the keys it expects.
    pub async fn expected_manuals(&self, department: i64) -> Result<Vec<String>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_scalar(
            "SELECT manual_key FROM expected_manuals WHERE department_id = $1 ORDER BY manual_key")
            .bind(department).fetch_all(p).await?))
    }
}

impl WriteTx {
    /// The draft of a key as it is inside this transaction.
    pub async fn draft_for_update(&mut self, key: &str) -> Result<Option<DraftRow>, StorageError> {
        Ok(
            on_tx!(self, c => sqlx::query_as("SELECT * FROM manual_drafts WHERE key = $1")
            .bind(key).fetch_optional(&mut *c).await?),
        )
    }

    /// The newest version of a key (0 when none) inside this transaction.
    pub async fn last_version(&mut self, key: &str) -> Result<i64, StorageError> {
        let v: Option<i64> = on_tx!(self, c => sqlx::query_scalar("SELECT MAX(version) FROM manuals WHERE key = $1")
            .bind(key).fetch_one(&mut *c).await?);
        Ok(v.unwrap_or(0))
    }

    /// The newest published version of a key, whole, inside this transaction.
    pub async fn published_manual(&mut self, key: &str) -> Result<Option<Manual>, StorageError> {
        on_tx!(self, c => {
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM manuals WHERE key = $1 AND state = 'published' ORDER BY version DESC LIMIT 1")
                .bind(key).fetch_optional(&mut *c).await?;
            match id {
                Some(id) => Ok(load_manual!(&mut *c, id)),
                None => Ok(None),
            }
        })
    }

    /// Creates or replaces the draft of a key: on `expected` revision `Some(r)` only if
    /// the draft is still at `r`, on `Some(0)` only if there is no draft, on `None`
    /// whatever is there. The new revision, or `None` when the draft had moved.
    pub async fn save_draft(
        &mut self,
        key: &str,
        owner: i64,
        body: &str,
        by: &str,
        now: DateTime<Utc>,
        expected: Option<i64>,
    ) -> Result<Option<i64>, StorageError> {
        Ok(on_tx!(self, c => {
            let updated: Option<i64> = match expected {
                Some(0) => None,
                Some(r) => sqlx::query_scalar(
                    "UPDATE manual_drafts SET body = $1, updated_at = $2, updated_by = $3, revision = revision + 1 \
                     WHERE key = $4 AND revision = $5 RETURNING revision")
                    .bind(body).bind(now).bind(by).bind(key).bind(r).fetch_optional(&mut *c).await?,
                None => sqlx::query_scalar(
                    "UPDATE manual_drafts SET body = $1, updated_at = $2, updated_by = $3, revision = revision + 1 \
                     WHERE key = $4 RETURNING revision")
                    .bind(body).bind(now).bind(by).bind(key).fetch_optional(&mut *c).await?,
            };
            match (updated, expected) {
                (Some(r), _) => Some(r),
                (None, Some(r)) if r > 0 => None,
                (None, _) => sqlx::query_scalar(
                    "INSERT INTO manual_drafts (key, owner_unit_id, body, updated_at, updated_by, revision) VALUES ($1, $2, $3, $4, $5, 1) \
                     ON CONFLICT (key) DO NOTHING RETURNING revision")
                    .bind(key).bind(owner).bind(body).bind(now).bind(by).fetch_optional(&mut *c).await?,
            }
        }))
    }

    /// Publishes a manual as the next version of its key: the previous published
    /// version is archived and its pins move to the new one; the draft, which must
    /// still be at revision `draft_revision`, goes. The new id and the id it replaced,
    /// or `None` when the draft had moved (then drop the transaction).
    pub async fn publish_manual(
        &mut self,
        m: &Manual,
        owner: i64,
        draft_revision: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, Option<i64>)>, StorageError> {
        Ok(on_tx!(self, c => {
            let gone = sqlx::query("DELETE FROM manual_drafts WHERE key = $1 AND revision = $2")
                .bind(&m.key).bind(draft_revision).execute(&mut *c).await?.rows_affected();
            if gone == 0 {
                return Ok(None);
            }
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM manuals WHERE key = $1")
                .bind(&m.key).fetch_one(&mut *c).await?;
            let previous: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM manuals WHERE key = $1 AND state = 'published' ORDER BY version DESC LIMIT 1")
                .bind(&m.key).fetch_optional(&mut *c).await?;
            let mut m = m.clone();
            m.version = last.unwrap_or(0) + 1;
            m.state = domain::manual::ManualState::Published;
            let id = insert_manual!(c, m, owner, now);
            if let Some(old) = previous {
                sqlx::query("UPDATE manuals SET state = 'archived' WHERE id = $1").bind(old).execute(&mut *c).await?;
                sqlx::query("UPDATE service_point_manuals SET manual_id = $1 WHERE manual_id = $2")
                    .bind(id).bind(old).execute(&mut *c).await?;
            }
            Some((id, previous))
        }))
    }

    /// Pins a manual to a point: whether it was new.
    pub async fn pin(
        &mut self,
        point: i64,
        manual: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        Ok(on_tx!(self, c => sqlx::query(
            "INSERT INTO service_point_manuals (service_point_id, manual_id, pinned_at, pinned_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (service_point_id, manual_id) DO NOTHING")
            .bind(point).bind(manual).bind(now).bind(by).execute(&mut *c).await?.rows_affected() > 0))
    }

    /// Unpins: whether it was pinned.
    pub async fn unpin(&mut self, point: i64, manual: i64) -> Result<bool, StorageError> {
        Ok(
            on_tx!(self, c => sqlx::query("DELETE FROM service_point_manuals WHERE service_point_id = $1 AND manual_id = $2")
            .bind(point).bind(manual).execute(&mut *c).await?.rows_affected() > 0),
        )
    }

    /// The manuals (keys) a department expects each of its points to carry.
    pub async fn set_expected(
        &mut self,
        department: i64,
        keys: &[String],
    ) -> Result<(), StorageError> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM expected_manuals WHERE department_id = $1").bind(department).execute(&mut *c).await?;
            for k in keys {
                sqlx::query("INSERT INTO expected_manuals (department_id, manual_key) VALUES ($1, $2)")
                    .bind(department).bind(k).execute(&mut *c).await?;
            }
        });
        Ok(())
    }
}

impl Db {
    /// Service point code → ids of the manuals pinned there (any state).
    pub async fn pins_by_point(
        &self,
    ) -> Result<std::collections::HashMap<String, Vec<i64>>, StorageError> {
        let rows: Vec<(String, i64)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT u.code, spm.manual_id FROM service_point_manuals spm JOIN units u ON u.id = spm.service_point_id")
            .fetch_all(p).await?);
        let mut out: std::collections::HashMap<String, Vec<i64>> = Default::default();
        for (code, id) in rows {
            out.entry(code).or_default().push(id);
        }
        Ok(out)
    }
}
