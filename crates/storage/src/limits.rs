//! Rate limits shared by every instance: a counter per key and window, counted and
//! checked in one statement so that no number of concurrent requests can slip past a
//! limit between the check and the count.

use chrono::{DateTime, Duration, Utc};

use crate::db::BeginWrite;
use crate::{Db, StorageError, on_pool};

/// A counter after a hit: how many hits its window holds, and when the window began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hits {
    pub count: i64,
    pub window_start: DateTime<Utc>,
}

/// Counts a hit on each key (a fixed window of `window` per key, restarted when it has
/// passed) in one transaction, and returns the counts after the hit, in the order of the
/// keys. Keys are opaque to this layer; callers pass keyed hashes, not addresses.
const HIT: &str = "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
     ON CONFLICT (key) DO UPDATE SET \
     hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
     window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
     RETURNING hits, window_start";

impl Db {
    pub async fn hit_limits(
        &self,
        keys: &[(&str, Duration)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Hits>, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let mut out = Vec::with_capacity(keys.len());
            for (key, window) in keys {
                let (count, window_start): (i64, DateTime<Utc>) = sqlx::query_as(HIT)
                    .bind(*key).bind(now).bind(now - *window).fetch_one(&mut *tx).await?;
                out.push(Hits { count, window_start });
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    /// Takes back one hit from each key (a try that turned out to be no failure, such as
    /// a sign-in with the right password).
    pub async fn refund_limits(&self, keys: &[&str]) -> Result<(), StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            for key in keys {
                sqlx::query("UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND hits > 0")
                    .bind(*key).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Drops counters whose window began before `before`: they restart at their next hit
    /// anyway.
    pub async fn limits_delete_expired(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        Ok(
            on_pool!(&self.writer, p => sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before).execute(p).await?.rows_affected()),
        )
    }
}
