//! A write transaction that a use case holds across several writes, so that a change,
//! its audit record and the bump of the data version commit together or not at all.
//! On SQLite it holds the one writer connection: begin it after any slow work (password
//! hashing, mail), never before.

use chrono::{DateTime, Utc};

use crate::accounts::{LinkPurpose, NewUser, Taken};
use crate::db::{BeginWrite, Pool};
use crate::{Actor, Db, StorageError};

pub(crate) enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// An open write transaction; dropped without [`WriteTx::commit`], it rolls back.
pub struct WriteTx(pub(crate) TxInner);

/// Runs one body on the transaction's connection; inside, `$c` is the concrete
/// connection, so the same query text is compiled for both drivers.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.0 {
            $crate::tx::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::tx::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Db {
    /// Begins a write transaction (on SQLite: waits for the writer, `BEGIN IMMEDIATE`).
    pub async fn begin(&self) -> Result<WriteTx, StorageError> {
        Ok(WriteTx(match &self.writer {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin_write().await?),
            Pool::Postgres(p) => TxInner::Postgres(p.begin_write().await?),
        }))
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), StorageError> {
        match self.0 {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Creates an account; refuses a username (any case) or an e-mail address already
    /// in use. After a refusal the transaction is to be dropped, not committed.
    pub async fn create_user(
        &mut self,
        u: &NewUser<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<i64, Taken>, StorageError> {
        let key = u.username.to_lowercase();
        let email_key = u.email.map(domain::account::email_key);
        let verified = u.email_verified.then_some(now);
        on_tx!(self, c => {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username_key = $1")
                .bind(&key).fetch_optional(&mut *c).await?;
            if taken.is_some() {
                return Ok(Err(Taken::Username));
            }
            if let Some(email) = &email_key {
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1")
                    .bind(email).fetch_optional(&mut *c).await?;
                if taken.is_some() {
                    return Ok(Err(Taken::Email));
                }
            }
            let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO users (username, username_key, first_name, last_name, email, email_key, email_verified_at, mobile, \
                 citizen_id_hash, citizen_id_last, password_hash, is_system_admin, created_at, password_changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id")
                .bind(u.username).bind(&key).bind(u.first_name).bind(u.last_name).bind(u.email).bind(&email_key)
                .bind(verified).bind(u.mobile).bind(u.citizen_id_hash).bind(u.citizen_id_last).bind(u.password_hash)
                .bind(u.is_system_admin).bind(now)
                .fetch_one(&mut *c).await;
            match inserted {
                Ok(id) => Ok(Ok(id)),
                // Both checks ran inside the write transaction, so on SQLite this cannot
                // happen; on PostgreSQL another sign-up may have committed meanwhile, and
                // its constraint names the key.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    Ok(Err(if e.constraint().is_some_and(|n| n.contains("email")) {
                        Taken::Email
                    } else {
                        Taken::Username
                    }))
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    /// Appends to the audit log. `detail` must hold no secret: no password, code, token
    /// or citizen ID.
    pub async fn audit(
        &mut self,
        action: &str,
        actor: Actor<'_>,
        user: Option<i64>,
        detail: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO audit_log (at, actor, action, unit_id, detail, address, user_id) VALUES ($1, $2, $3, NULL, $4, $5, $6)")
            .bind(now).bind(actor.name).bind(action).bind(detail).bind(actor.address).bind(user).execute(c).await.map(drop)?);
        Ok(())
    }

    /// Uses a link once: the account it belongs to, when it is unused and unexpired.
    pub async fn use_link(
        &mut self,
        purpose: LinkPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StorageError> {
        Ok(on_tx!(self, c => sqlx::query_scalar(
            "UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id")
            .bind(now).bind(token_hash).bind(purpose.as_str()).fetch_optional(c).await?))
    }

    pub async fn mark_email_verified(
        &mut self,
        user: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL")
            .bind(now).bind(user).execute(c).await.map(drop)?);
        Ok(())
    }

    /// Sets a new password hash and ends every session and every API token of the
    /// account: whoever knew the old password may have made either.
    pub async fn set_password(
        &mut self,
        user: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_tx!(self, c => {
            sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
                .bind(password_hash).bind(now).bind(user).execute(&mut *c).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(&mut *c).await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now).bind(user).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Deletes an account and what hangs on it (sessions, links, memberships); its audit
    /// records stay, without the link to the account.
    pub async fn delete_user(&mut self, user: i64) -> Result<bool, StorageError> {
        Ok(on_tx!(self, c => {
            // Explicit, for SQLite connections opened without foreign key enforcement.
            for sql in ["DELETE FROM sessions WHERE user_id = $1", "DELETE FROM email_tokens WHERE user_id = $1",
                        "DELETE FROM memberships WHERE user_id = $1", "UPDATE audit_log SET user_id = NULL WHERE user_id = $1"] {
                sqlx::query(sql).bind(user).execute(&mut *c).await?;
            }
            sqlx::query("DELETE FROM users WHERE id = $1").bind(user).execute(&mut *c).await?.rows_affected() > 0
        }))
    }

    /// Moves the version of the public data on, recording what changed so that each
    /// instance updates its read model for those alone. Returns the new version.
    pub async fn publish(&mut self, changes: &[PublicChange]) -> Result<i64, StorageError> {
        Ok(on_tx!(self, c => {
            let version: i64 = sqlx::query_scalar("UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version")
                .fetch_one(&mut *c).await?;
            for ch in changes {
                let (kind, key) = match ch {
                    PublicChange::Point(code) => ("point", Some(code.to_string())),
                    PublicChange::Manual(id) => ("manual", Some(id.to_string())),
                    PublicChange::All => ("all", None),
                };
                sqlx::query("INSERT INTO public_changes (version, kind, key) VALUES ($1, $2, $3)")
                    .bind(version).bind(kind).bind(key).execute(&mut *c).await?;
            }
            version
        }))
    }
}

/// What a data version changed in the public data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicChange {
    /// One service point: its data, photos, pins, or whether it is shown.
    Point(domain::UnitCode),
    /// A manual (published, changed or withdrawn).
    Manual(i64),
    /// Anything, e.g. an import: rebuild.
    All,
}
