//! Authorize Codes: issuing, rotating, revoking, and the audit records of each.

use chrono::{DateTime, Utc};
use domain::UnitCode;
use domain::account::AuthorizeCode;

use crate::db::BeginWrite;
use crate::{Db, StorageError, on_pool};

/// A unit with its active code, as the province hands them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCodeRow {
    pub unit: UnitCode,
    pub name_th: String,
    pub code: String,
}

/// Who acts, for the record.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub address: Option<&'a str>,
}

impl Db {
    /// Every unit (kind `unit`) under `root`, in code order, each with an active code:
    /// units without one get a fresh code from `fresh`; existing codes stay.
    pub async fn issue_codes_under(
        &self,
        root: &UnitCode,
        actor: Actor<'_>,
        now: DateTime<Utc>,
        mut fresh: impl FnMut() -> AuthorizeCode,
    ) -> Result<Vec<UnitCodeRow>, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            // The subtree, walked breadth first in Rust: recursive SQL differs enough
            // between the two databases, and trees are shallow.
            let all: Vec<(i64, String, String, Option<i64>, String)> =
                sqlx::query_as("SELECT id, code, kind, parent_id, name_th FROM units").fetch_all(&mut *tx).await?;
            let root_id = all.iter().find(|u| u.1 == root.as_str()).map(|u| u.0)
                .ok_or_else(|| StorageError::NotFound(format!("no unit has the code {root}")))?;
            let mut inside = vec![root_id];
            let mut i = 0;
            while i < inside.len() {
                let parent = inside[i];
                inside.extend(all.iter().filter(|u| u.3 == Some(parent)).map(|u| u.0));
                i += 1;
            }
            let mut units: Vec<&(i64, String, String, Option<i64>, String)> =
                all.iter().filter(|u| u.2 == "unit" && inside.contains(&u.0)).collect();
            units.sort_by(|a, b| a.1.cmp(&b.1));
            let mut out = Vec::with_capacity(units.len());
            for (id, code, _, _, name) in units {
                let active: Option<String> = sqlx::query_scalar("SELECT code FROM authorize_codes WHERE unit_id = $1 AND revoked_at IS NULL")
                    .bind(*id).fetch_optional(&mut *tx).await?;
                let value = match active {
                    Some(c) => c,
                    None => {
                        let c = fresh().as_str().to_owned();
                        sqlx::query("INSERT INTO authorize_codes (unit_id, code, issued_at, issued_by) VALUES ($1, $2, $3, $4)")
                            .bind(*id).bind(&c).bind(now).bind(actor.name).execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO audit_log (at, actor, action, unit_id, detail, address) VALUES ($1, $2, 'authorize_code.issue', $3, NULL, $4)")
                            .bind(now).bind(actor.name).bind(*id).bind(actor.address).execute(&mut *tx).await?;
                        c
                    }
                };
                out.push(UnitCodeRow { unit: UnitCode::parse(code).map_err(|e| StorageError::Data(e.to_string()))?, name_th: name.clone(), code: value });
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    /// Replaces a unit's code (the old one stops working at once) and returns the new one.
    pub async fn rotate_code(
        &self,
        unit: &UnitCode,
        actor: Actor<'_>,
        now: DateTime<Utc>,
        code: AuthorizeCode,
    ) -> Result<AuthorizeCode, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar("SELECT id FROM units WHERE code = $1 AND kind = 'unit'").bind(unit.as_str())
                .fetch_optional(&mut *tx).await?.ok_or_else(|| StorageError::NotFound(format!("no unit has the code {unit}")))?;
            sqlx::query("UPDATE authorize_codes SET revoked_at = $1, revoked_by = $2 WHERE unit_id = $3 AND revoked_at IS NULL")
                .bind(now).bind(actor.name).bind(id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO authorize_codes (unit_id, code, issued_at, issued_by) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(code.as_str()).bind(now).bind(actor.name).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO audit_log (at, actor, action, unit_id, detail, address) VALUES ($1, $2, 'authorize_code.rotate', $3, NULL, $4)")
                .bind(now).bind(actor.name).bind(id).bind(actor.address).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(code)
        })
    }

    /// Revokes a unit's code; returns whether it had one.
    pub async fn revoke_code(
        &self,
        unit: &UnitCode,
        actor: Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar("SELECT id FROM units WHERE code = $1 AND kind = 'unit'").bind(unit.as_str())
                .fetch_optional(&mut *tx).await?.ok_or_else(|| StorageError::NotFound(format!("no unit has the code {unit}")))?;
            let n = sqlx::query("UPDATE authorize_codes SET revoked_at = $1, revoked_by = $2 WHERE unit_id = $3 AND revoked_at IS NULL")
                .bind(now).bind(actor.name).bind(id).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                sqlx::query("INSERT INTO audit_log (at, actor, action, unit_id, detail, address) VALUES ($1, $2, 'authorize_code.revoke', $3, NULL, $4)")
                    .bind(now).bind(actor.name).bind(id).bind(actor.address).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    /// The unit whose active code this is, compared in constant time against every
    /// active code of the candidates so that timing tells nothing.
    pub async fn unit_for_code(
        &self,
        typed: &AuthorizeCode,
    ) -> Result<Option<UnitCode>, StorageError> {
        let rows: Vec<(String, String)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT u.code, a.code FROM authorize_codes a JOIN units u ON u.id = a.unit_id WHERE a.revoked_at IS NULL")
            .fetch_all(p).await?);
        let mut found = None;
        for (unit, code) in rows {
            if let Ok(c) = AuthorizeCode::parse(&code)
                && c.matches(typed)
            {
                found = UnitCode::parse(&unit).ok();
            }
        }
        Ok(found)
    }

    /// Audit actions recorded for a unit, oldest first: (action, actor).
    pub async fn audit_for_unit(
        &self,
        unit: &UnitCode,
    ) -> Result<Vec<(String, Option<String>)>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT l.action, l.actor FROM audit_log l JOIN units u ON u.id = l.unit_id WHERE u.code = $1 ORDER BY l.id")
            .bind(unit.as_str()).fetch_all(p).await?))
    }
}
