//! What the scope checks and the staff routes read and change: a unit's place in the
//! tree, memberships and roles, the audit of a unit, and personal API tokens.

use chrono::{DateTime, Utc};
use domain::UnitCode;

use crate::db::BeginWrite;
use crate::{Actor, Db, StorageError, on_pool};

/// A member of a unit, as its administrators see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub since: DateTime<Utc>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub unit: Option<String>,
    pub detail: Option<String>,
    pub address: Option<String>,
}

/// A personal API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

fn code(s: &str) -> Result<UnitCode, StorageError> {
    UnitCode::parse(s).map_err(|e| StorageError::Data(e.to_string()))
}

impl Db {
    /// The unit and its ancestors, nearest first: (id, code, kind). `None` for an
    /// unknown code. Trees are shallow (ministry, department, unit, service point).
    pub async fn unit_chain(
        &self,
        unit: &UnitCode,
    ) -> Result<Option<Vec<(i64, UnitCode, String)>>, StorageError> {
        Ok(self.unit_chain_named(unit).await?.map(|chain| {
            chain
                .into_iter()
                .map(|(id, code, kind, _)| (id, code, kind))
                .collect()
        }))
    }

    /// As [`Db::unit_chain`], with each unit's Thai name: (id, code, kind, name).
    pub async fn unit_chain_named(
        &self,
        unit: &UnitCode,
    ) -> Result<Option<Vec<(i64, UnitCode, String, String)>>, StorageError> {
        let mut chain = Vec::new();
        let mut next: Option<(i64, String, String, Option<i64>, String)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, code, kind, parent_id, name_th FROM units WHERE code = $1").bind(unit.as_str()).fetch_optional(p).await?);
        while let Some((id, c, kind, parent, name)) = next {
            chain.push((id, code(&c)?, kind, name));
            if chain.len() > 16 {
                return Err(StorageError::Data(format!("the tree above {unit} loops")));
            }
            next = match parent {
                Some(pid) => on_pool!(&self.pool, p => sqlx::query_as(
                    "SELECT id, code, kind, parent_id, name_th FROM units WHERE id = $1").bind(pid).fetch_optional(p).await?),
                None => None,
            };
        }
        Ok((!chain.is_empty()).then_some(chain))
    }

    /// The units right below a unit, in code order: (id, code, kind, Thai name).
    pub async fn child_units(
        &self,
        parent: i64,
    ) -> Result<Vec<(i64, String, String, String)>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, code, kind, name_th FROM units WHERE parent_id = $1 ORDER BY code")
            .bind(parent).fetch_all(p).await?))
    }

    /// One page of the units right below `parent`, in code order, and how many there
    /// are in all: a department may hold tens of thousands of offices.
    pub async fn child_units_page(
        &self,
        parent: i64,
        limit: u32,
        offset: u64,
    ) -> Result<(Vec<(i64, String, String, String)>, u64), StorageError> {
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        on_pool!(&self.pool, p => {
            let rows = sqlx::query_as(
                "SELECT id, code, kind, name_th FROM units WHERE parent_id = $1 ORDER BY code LIMIT $2 OFFSET $3")
                .bind(parent).bind(i64::from(limit)).bind(offset).fetch_all(p).await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE parent_id = $1")
                .bind(parent).fetch_one(p).await?;
            Ok((rows, u64::try_from(total).unwrap_or(0)))
        })
    }

    /// The roles a user holds on any of these units: (unit id, role).
    pub async fn roles_on(
        &self,
        user: i64,
        units: &[i64],
    ) -> Result<Vec<(i64, String)>, StorageError> {
        let all: Vec<(i64, String)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT unit_id, role FROM memberships WHERE user_id = $1").bind(user).fetch_all(p).await?);
        Ok(all.into_iter().filter(|(u, _)| units.contains(u)).collect())
    }

    pub async fn members(&self, unit: &UnitCode) -> Result<Vec<Member>, StorageError> {
        let rows: Vec<(i64, String, String, String, String, DateTime<Utc>)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT us.id, us.username, us.first_name, us.last_name, m.role, m.created_at FROM memberships m \
             JOIN users us ON us.id = m.user_id JOIN units u ON u.id = m.unit_id WHERE u.code = $1 ORDER BY us.username_key")
            .bind(unit.as_str()).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(
                |(user, username, first_name, last_name, role, since)| Member {
                    user,
                    username,
                    first_name,
                    last_name,
                    role,
                    since,
                },
            )
            .collect())
    }

    /// Changes a member's role; false when the user is not a member of the unit.
    pub async fn set_role(
        &self,
        user: i64,
        unit: &UnitCode,
        role: &str,
        actor: Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let unit_id: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE code = $1").bind(unit.as_str())
                .fetch_optional(&mut *tx).await?;
            let Some(unit_id) = unit_id else { return Ok(false) };
            let n = sqlx::query("UPDATE memberships SET role = $1 WHERE user_id = $2 AND unit_id = $3")
                .bind(role).bind(user).bind(unit_id).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                sqlx::query("INSERT INTO audit_log (at, actor, action, unit_id, detail, address, user_id) VALUES ($1, $2, 'membership.role', $3, $4, $5, $6)")
                    .bind(now).bind(actor.name).bind(unit_id).bind(role).bind(actor.address).bind(user).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    /// Ends a membership; false when there was none.
    pub async fn remove_member(
        &self,
        user: i64,
        unit: &UnitCode,
        actor: Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let unit_id: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE code = $1").bind(unit.as_str())
                .fetch_optional(&mut *tx).await?;
            let Some(unit_id) = unit_id else { return Ok(false) };
            let n = sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND unit_id = $2")
                .bind(user).bind(unit_id).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                sqlx::query("INSERT INTO audit_log (at, actor, action, unit_id, detail, address, user_id) VALUES ($1, $2, 'membership.remove', $3, NULL, $4, $5)")
                    .bind(now).bind(actor.name).bind(unit_id).bind(actor.address).bind(user).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    /// The audit records of a unit and every unit below it, and those of the accounts
    /// of their members (sign-ins, failed ones too), newest first.
    pub async fn audit_of_subtree(
        &self,
        root: &UnitCode,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StorageError> {
        // The plain form of WITH RECURSIVE, which SQLite and PostgreSQL read alike.
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE code = $1 \
             UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) \
             SELECT l.at, l.actor, l.action, u.code AS unit, l.detail, l.address FROM audit_log l LEFT JOIN units u ON u.id = l.unit_id \
             WHERE l.unit_id IN (SELECT id FROM sub) \
             OR (l.unit_id IS NULL AND l.user_id IN (SELECT m.user_id FROM memberships m WHERE m.unit_id IN (SELECT id FROM sub))) \
             ORDER BY l.id DESC LIMIT $2")
            .bind(root.as_str()).bind(limit).fetch_all(p).await?))
    }

    pub async fn add_token(
        &self,
        user: i64,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        Ok(on_pool!(&self.writer, p => sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(user).bind(name).bind(token_hash).bind(now).fetch_one(p).await?))
    }

    pub async fn tokens(&self, user: i64) -> Result<Vec<TokenRow>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id")
            .bind(user).fetch_all(p).await?))
    }

    /// Revokes one of the user's tokens; false when it is not theirs or already revoked.
    pub async fn revoke_token(
        &self,
        user: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(now).bind(id).bind(user).execute(p).await?.rows_affected())
            > 0)
    }

    /// The owner of an active token. Its last use is recorded to the minute: a script
    /// calling many times a second must not make every call a write.
    pub async fn token_owner(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StorageError> {
        let row: Option<(i64, i64, Option<DateTime<Utc>>)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash).fetch_optional(p).await?);
        let Some((id, user, last_used)) = row else {
            return Ok(None);
        };
        if last_used.is_none_or(|t| now - t >= chrono::Duration::minutes(1)) {
            on_pool!(&self.writer, p => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now).bind(id).execute(p).await.map(drop)?);
        }
        Ok(Some(user))
    }
}
