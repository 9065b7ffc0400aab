//! Staff accounts, e-mail links, memberships, sessions and the records the sign-in
//! throttle counts. Secrets arrive here already hashed: this layer never sees a
//! password, a citizen ID or a link token in clear.

use chrono::{DateTime, Utc};
use domain::UnitCode;

use crate::db::BeginWrite;
use crate::{Actor, Db, StorageError, on_pool};

/// A new account, validated and with its secrets hashed.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub citizen_id_hash: Option<&'a str>,
    pub citizen_id_last: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub is_system_admin: bool,
    pub email_verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    Username,
    Email,
}

/// An account as stored. The password hash is only read where a password is checked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub mobile: Option<String>,
    pub citizen_id_last: Option<String>,
    pub password_hash: Option<String>,
    pub is_system_admin: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: Option<DateTime<Utc>>,
}

const USER_COLUMNS: &str = "id, username, first_name, last_name, email, email_verified_at, mobile, \
     citizen_id_last, password_hash, is_system_admin, created_at, password_changed_at";

/// A unit the user belongs to, with the role held there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub unit: UnitCode,
    pub unit_name_th: String,
    pub role: String,
    pub since: DateTime<Utc>,
}

/// What a single-use e-mail link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    Verify,
    Reset,
}

impl LinkPurpose {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Verify => "verify",
            LinkPurpose::Reset => "reset",
        }
    }
}

/// A stored session record of the web layer.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub data: String,
    pub expires_at: DateTime<Utc>,
}

impl Db {
    /// Creates an account; refuses a username (any case) or an e-mail address already
    /// in use.
    pub async fn create_user(
        &self,
        u: &NewUser<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<i64, Taken>, StorageError> {
        let mut tx = self.begin().await?;
        let created = tx.create_user(u, now).await?;
        if created.is_ok() {
            tx.commit().await?;
        }
        Ok(created)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StorageError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_key = $1");
        let key = username.trim().to_lowercase();
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&key).fetch_optional(p).await?),
        )
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StorageError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email_key = $1");
        let key = domain::account::email_key(email);
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&key).fetch_optional(p).await?),
        )
    }

    /// The account signed in with this provider's subject.
    pub async fn user_by_oidc(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<UserRow>, StorageError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2"
        );
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(issuer).bind(subject).fetch_optional(p).await?),
        )
    }

    /// Links an account to a provider's subject; false when another account has it.
    pub async fn link_oidc(
        &self,
        user: i64,
        issuer: &str,
        subject: &str,
    ) -> Result<bool, StorageError> {
        let r = on_pool!(&self.writer, p => sqlx::query(
            "UPDATE users SET oidc_issuer = $1, oidc_subject = $2 WHERE id = $3")
            .bind(issuer).bind(subject).bind(user).execute(p).await.map(|r| r.rows_affected()));
        match r {
            Ok(n) => Ok(n > 0),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>, StorageError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(
            on_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?),
        )
    }

    pub async fn mark_email_verified(
        &self,
        user: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin().await?;
        tx.mark_email_verified(user, now).await?;
        tx.commit().await
    }

    /// Stores a new link (its hash) and voids the user's earlier links of the same
    /// purpose: only the latest mail works.
    pub async fn add_link(
        &self,
        user: i64,
        purpose: LinkPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("UPDATE email_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
                .bind(now).bind(user).bind(purpose.as_str()).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO email_tokens (user_id, purpose, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(user).bind(purpose.as_str()).bind(token_hash).bind(now).bind(expires_at).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The account an unused, unexpired link belongs to, without using it.
    pub async fn link_owner(
        &self,
        purpose: LinkPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_scalar(
            "SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3")
            .bind(token_hash).bind(purpose.as_str()).bind(now).fetch_optional(p).await?))
    }

    /// Uses a link once: the account it belongs to, when it is unused and unexpired.
    pub async fn use_link(
        &self,
        purpose: LinkPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StorageError> {
        let mut tx = self.begin().await?;
        let user = tx.use_link(purpose, token_hash, now).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Sets a new password hash and ends every session and every API token of the
    /// account (see [`WriteTx::set_password`](crate::WriteTx::set_password)).
    pub async fn set_password(
        &self,
        user: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin().await?;
        tx.set_password(user, password_hash, now).await?;
        tx.commit().await
    }

    /// Deletes an account and what hangs on it; its audit records stay, unlinked.
    pub async fn delete_user(&self, user: i64) -> Result<bool, StorageError> {
        let mut tx = self.begin().await?;
        let deleted = tx.delete_user(user).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    /// Makes `user` a member of `unit` with `role` (or changes the role): what a system
    /// administrator grants.
    pub async fn add_membership(
        &self,
        user: i64,
        unit: &UnitCode,
        role: &str,
        actor: Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let unit_id: i64 = sqlx::query_scalar("SELECT id FROM units WHERE code = $1").bind(unit.as_str())
                .fetch_optional(&mut *tx).await?.ok_or_else(|| StorageError::NotFound(format!("no unit has the code {unit}")))?;
            sqlx::query("INSERT INTO memberships (user_id, unit_id, role, created_at, created_by) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (user_id, unit_id) DO UPDATE SET role = excluded.role")
                .bind(user).bind(unit_id).bind(role).bind(now).bind(actor.name).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO audit_log (at, actor, action, unit_id, detail, address, user_id) VALUES ($1, $2, 'membership.add', $3, $4, $5, $6)")
                .bind(now).bind(actor.name).bind(unit_id).bind(role).bind(actor.address).bind(user).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Makes `user` an editor of `unit` unless they are a member already (whatever their
    /// role: a supervisor who types the unit's code again stays a supervisor). Only a new
    /// membership is recorded in the audit, so concurrent requests give one membership
    /// and one record. `None` for an unknown unit; else whether it was new.
    pub async fn join_unit(
        &self,
        user: i64,
        unit: &UnitCode,
        actor: Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<bool>, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let Some(unit_id): Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE code = $1").bind(unit.as_str())
                .fetch_optional(&mut *tx).await? else { return Ok(None) };
            let added: Option<i64> = sqlx::query_scalar(
                "INSERT INTO memberships (user_id, unit_id, role, created_at, created_by) VALUES ($1, $2, 'editor', $3, $4) \
                 ON CONFLICT (user_id, unit_id) DO NOTHING RETURNING user_id")
                .bind(user).bind(unit_id).bind(now).bind(actor.name).fetch_optional(&mut *tx).await?;
            if added.is_some() {
                sqlx::query("INSERT INTO audit_log (at, actor, action, unit_id, detail, address, user_id) VALUES ($1, $2, 'membership.add', $3, 'editor (authorize code)', $4, $5)")
                    .bind(now).bind(actor.name).bind(unit_id).bind(actor.address).bind(user).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(Some(added.is_some()))
        })
    }

    /// Whether a user holds a role that edits somewhere (editor, administrator or
    /// supervisor), and one that writes a manual catalogue (administrator or supervisor of
    /// a department or a ministry): what the staff menu offers, in one read.
    pub async fn menu_roles(&self, user: i64) -> Result<(bool, bool), StorageError> {
        let (edits, catalogue): (i64, i64) = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT CAST(COALESCE(MAX(CASE WHEN m.role <> 'viewer' THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(MAX(CASE WHEN m.role IN ('admin', 'supervisor') AND u.kind IN ('department', 'ministry') \
             THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM memberships m JOIN units u ON u.id = m.unit_id WHERE m.user_id = $1")
            .bind(user).fetch_one(p).await?);
        Ok((edits > 0, catalogue > 0))
    }

    pub async fn memberships(&self, user: i64) -> Result<Vec<Membership>, StorageError> {
        let rows: Vec<(String, String, String, DateTime<Utc>)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT u.code, u.name_th, m.role, m.created_at FROM memberships m JOIN units u ON u.id = m.unit_id \
             WHERE m.user_id = $1 ORDER BY u.code")
            .bind(user).fetch_all(p).await?);
        rows.into_iter()
            .map(|(code, name, role, since)| {
                Ok(Membership {
                    unit: UnitCode::parse(&code).map_err(|e| StorageError::Data(e.to_string()))?,
                    unit_name_th: name,
                    role,
                    since,
                })
            })
            .collect()
    }

    /// Appends to the audit log. `detail` must hold no secret: no password, code, token
    /// or citizen ID.
    pub async fn audit(
        &self,
        action: &str,
        actor: Actor<'_>,
        user: Option<i64>,
        detail: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin().await?;
        tx.audit(action, actor, user, detail, now).await?;
        tx.commit().await
    }

    /// A server key by name, made by `make` and stored the first time it is asked for;
    /// when two instances race, both end up with the first one stored.
    pub async fn server_secret(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String, StorageError> {
        let fresh = make();
        on_pool!(&self.writer, p => {
            sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(name).bind(&fresh).execute(p).await?;
            Ok(sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1").bind(name).fetch_one(p).await?)
        })
    }

    pub async fn session_load(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRow>, StorageError> {
        let row: Option<(String, DateTime<Utc>)> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id).bind(now).fetch_optional(p).await?);
        Ok(row.map(|(data, expires_at)| SessionRow { data, expires_at }))
    }

    /// Inserts or replaces a session; `created` refuses an id already taken (false).
    pub async fn session_save(
        &self,
        id: &str,
        user: Option<i64>,
        data: &str,
        expires_at: DateTime<Utc>,
        create: bool,
    ) -> Result<bool, StorageError> {
        let sql = if create {
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING"
        } else {
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at"
        };
        let n = on_pool!(&self.writer, p => sqlx::query(sql)
            .bind(id).bind(user).bind(data).bind(expires_at).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    pub async fn session_delete(&self, id: &str) -> Result<(), StorageError> {
        on_pool!(&self.writer, p => sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(p).await.map(drop)?);
        Ok(())
    }

    pub async fn sessions_delete_expired(&self, now: DateTime<Utc>) -> Result<u64, StorageError> {
        Ok(
            on_pool!(&self.writer, p => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now).execute(p).await?.rows_affected()),
        )
    }

    /// How many sessions an account has (for tests and the account page).
    pub async fn session_count(&self, user: i64) -> Result<i64, StorageError> {
        Ok(
            on_pool!(&self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(user).fetch_one(p).await?),
        )
    }
}
