//! The manual catalogue as departments keep it: drafts (the whole manual as JSON),
//! publishing a draft as the next version (the previous one archived, its pins moved
//! on), the manuals a department expects its points to carry, and pins.

use chrono::{DateTime, Utc};
use domain::Manual;

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
            "SELECT id, key, version, state, owner_unit_id, title_th FROM manuals ORDER BY key, version DESC")
            .fetch_all(p).await?))
    }

    pub async fn manual_row(&self, id: i64) -> Result<Option<ManualRow>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, key, version, state, owner_unit_id, title_th FROM manuals WHERE id = $1")
            .bind(id).fetch_optional(p).await?))
    }

    /// Department code → the keys it expects.
    pub async fn expected_manuals(&self, department: i64) -> Result<Vec<String>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_scalar(
            "SELECT manual_key FROM expected_manuals WHERE department_id = $1 ORDER BY manual_key")
            .bind(department).fetch_all(p).await?))
    }
}

impl WriteTx {
    /// Creates or replaces the draft of a key.
    pub async fn save_draft(
        &mut self,
        key: &str,
        owner: i64,
        body: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_tx!(self, c => {
            let updated = sqlx::query("UPDATE manual_drafts SET body = $1, updated_at = $2, updated_by = $3 WHERE key = $4")
                .bind(body).bind(now).bind(by).bind(key).execute(&mut *c).await?.rows_affected();
            if updated == 0 {
                sqlx::query("INSERT INTO manual_drafts (key, owner_unit_id, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)")
                    .bind(key).bind(owner).bind(body).bind(now).bind(by).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Publishes a manual as the next version of its key: the previous published
    /// version is archived and its pins move to the new one; the draft goes. The new
    /// id, and the id it replaced.
    pub async fn publish_manual(
        &mut self,
        m: &Manual,
        owner: i64,
        now: DateTime<Utc>,
    ) -> Result<(i64, Option<i64>), StorageError> {
        Ok(on_tx!(self, c => {
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
            sqlx::query("DELETE FROM manual_drafts WHERE key = $1").bind(&m.key).execute(&mut *c).await?;
            (id, previous)
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
