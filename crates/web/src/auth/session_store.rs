//! tower-sessions' store on the project's storage layer, so that sessions live in the
//! same SQLite or PostgreSQL database as everything else and any instance can serve
//! any request. Session ids are stored hashed: a copy of the table opens no session.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use storage::Db;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::USER_KEY;

#[derive(Debug, Clone)]
pub(crate) struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub(crate) fn new(db: Db) -> Self {
        Self { db }
    }
}

fn key(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry(record: &Record) -> DateTime<Utc> {
    DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0).unwrap_or_default()
}

fn user_of(record: &Record) -> Option<i64> {
    record.data.get(USER_KEY).and_then(|v| v.as_i64())
}

impl DbSessionStore {
    async fn write(&self, record: &Record, create: bool) -> session_store::Result<bool> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        self.db
            .session_save(
                &key(&record.id),
                user_of(record),
                &data,
                expiry(record),
                create,
            )
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id until one is free (a clash of 128-bit ids is theoretical).
        while !self.write(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, false).await.map(drop)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = self
            .db
            .session_load(&key(id), Utc::now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.db.session_delete(&key(id)).await.map_err(backend)
    }
}
