//! Storing a batch of rating submissions (the group commit): one transaction holds
//! the counters the batch hits, its ratings, and the rollups it changes.
//!
//! The steps are written once ([`write_batch`]) over each backend's statements
//! ([`BatchTx`]). On PostgreSQL they go through sqlx. On SQLite the whole batch runs
//! in one blocking call on the writer connection's own handle, through rusqlite:
//! through sqlx every statement is a hand-off to the connection's worker thread and
//! back, and at about ten statements per rating those hand-offs, not SQLite, held
//! one writer to about 1,200 ratings a second (docs/performance.md).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use domain::rating_guard::judge;
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::db::{BeginWrite, Pool};
use crate::ratings::{
    COMMENTS, COUNTS, Counted, Counts, DAY_GRAIN, MONTH_GRAIN, NewRating, Outcome, Submission,
    count_columns, month_of,
};
use crate::{Db, StorageError};
use domain::rating_guard::Refusal;

static UPSERT_ROLLUP: LazyLock<String> = LazyLock::new(|| {
    let cols = count_columns();
    let marks: Vec<String> = (5..5 + COUNTS).map(|i| format!("${i}")).collect();
    let sets: Vec<String> = cols
        .iter()
        .map(|c| format!("{c} = rating_rollups.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO rating_rollups (unit_id, grain, start, area, {}) VALUES ($1, $2, $3, $4, {}) \
         ON CONFLICT (unit_id, grain, start, area) DO UPDATE SET {}",
        cols.join(", "),
        marks.join(", "),
        sets.join(", ")
    )
});

const UPSERT_SERVICE: &str = "INSERT INTO rating_service_rollups \
     (service_point_id, day, manual_id, overall_1, overall_2, overall_3, overall_4, overall_5) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (service_point_id, day, manual_id) DO UPDATE SET \
     overall_1 = rating_service_rollups.overall_1 + excluded.overall_1, \
     overall_2 = rating_service_rollups.overall_2 + excluded.overall_2, \
     overall_3 = rating_service_rollups.overall_3 + excluded.overall_3, \
     overall_4 = rating_service_rollups.overall_4 + excluded.overall_4, \
     overall_5 = rating_service_rollups.overall_5 + excluded.overall_5";

const HIT_CLIENT: &str = "INSERT INTO rating_clients (key, day, hits, prev_at, last_at) VALUES ($1, $2, 1, NULL, $3) \
     ON CONFLICT (day, key) DO UPDATE SET hits = rating_clients.hits + 1, prev_at = rating_clients.last_at, last_at = $3 \
     RETURNING hits, prev_at";

const INSERT_RATING: &str = "INSERT INTO ratings \
     (service_point_id, manual_id, received_at, day, overall, process, staff, place, result, information, comment) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";

const INSERT_COMMENT_DAY: &str =
    "INSERT INTO rating_comment_days (unit_id, day, rating_id) VALUES ($1, $2, $3)";

const INSERT_CONTACT: &str =
    "INSERT INTO rating_contacts (rating_id, email, phone, given_at) VALUES ($1, $2, $3, $4)";

/// A rollup row's key: unit, grain, start, area.
type RollupKey = (i64, i64, NaiveDate, String);
/// A per-service rollup row's key: point, day, manual (0 for none).
type ServiceKey = (i64, NaiveDate, i64);

/// The rollup changes of a batch, summed per row before any statement runs: a burst
/// on one office changes its ancestors' rows once per batch, not once per rating.
#[derive(Default)]
struct Changes {
    rollups: HashMap<RollupKey, Counts>,
    services: HashMap<ServiceKey, [i64; 5]>,
}

impl Changes {
    fn each_row(&mut self, at: &Counted, f: impl Fn(&mut Counts)) {
        for unit in &at.chain {
            for (grain, start) in [(DAY_GRAIN, at.day), (MONTH_GRAIN, month_of(at.day))] {
                let row = self
                    .rollups
                    .entry((*unit, grain, start, at.area.clone()))
                    .or_insert([0; COUNTS]);
                f(row);
            }
        }
    }

    fn rating(&mut self, r: &NewRating) {
        self.each_row(&r.at, |row| {
            for (d, score) in r.scores.iter().enumerate() {
                let slot = score.map_or(5, |s| usize::from(s.clamp(1, 5)) - 1);
                row[d * 6 + slot] += 1;
            }
            row[COMMENTS] += i64::from(r.comment.is_some());
        });
        if let Some(overall) = r.scores[0] {
            let s = self
                .services
                .entry((r.at.point_id, r.at.day, r.manual_id.unwrap_or(0)))
                .or_insert([0; 5]);
            s[usize::from(overall.clamp(1, 5)) - 1] += 1;
        }
    }

    fn refusal(&mut self, at: &Counted, why: Refusal) {
        self.each_row(at, |row| row[36 + why.index()] += 1);
    }
}

/// The statements of a batch, inside a transaction that the caller opens and commits.
trait BatchTx {
    /// Counts a hit on a client counter: the hits today including this one, and the
    /// time of the hit before it.
    async fn hit_client(
        &mut self,
        key: &str,
        day: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>), StorageError>;
    async fn insert_rating(&mut self, r: &NewRating) -> Result<i64, StorageError>;
    async fn comment_day(
        &mut self,
        unit: i64,
        day: NaiveDate,
        rating: i64,
    ) -> Result<(), StorageError>;
    async fn contact(&mut self, rating: i64, r: &NewRating) -> Result<(), StorageError>;
    async fn rollup(&mut self, key: &RollupKey, counts: &Counts) -> Result<(), StorageError>;
    async fn service(&mut self, key: &ServiceKey, counts: &[i64; 5]) -> Result<(), StorageError>;
}

/// Each rating after its counters let it through, the refusals counted, the rollups
/// brought up to date.
async fn write_batch<T: BatchTx>(
    tx: &mut T,
    batch: &[Submission],
) -> Result<Vec<Outcome>, StorageError> {
    let mut changes = Changes::default();
    let mut out = Vec::with_capacity(batch.len());
    for s in batch {
        let r = match s {
            Submission::Refused(at, why) => {
                changes.refusal(at, *why);
                out.push(Outcome::Refused(*why));
                continue;
            }
            Submission::Rating(r) => r,
        };
        let mut refused = None;
        for g in &r.guards {
            let (hits, prev) = tx.hit_client(&g.key, r.at.day, r.received_at).await?;
            if let Some(why) = judge(g, hits, prev, r.received_at) {
                refused.get_or_insert(why);
            }
        }
        if let Some(why) = refused {
            changes.refusal(&r.at, why);
            out.push(Outcome::Refused(why));
            continue;
        }
        let id = tx.insert_rating(r).await?;
        if r.comment.is_some() {
            for unit in &r.at.chain {
                tx.comment_day(*unit, r.at.day, id).await?;
            }
        }
        if r.email.is_some() || r.phone.is_some() {
            tx.contact(id, r).await?;
        }
        changes.rating(r);
        out.push(Outcome::Stored(id));
    }
    // In key order, so that two instances' batches on PostgreSQL take the row locks in
    // the same order and cannot deadlock.
    let mut rows: Vec<_> = changes.rollups.into_iter().collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, counts) in &rows {
        tx.rollup(key, counts).await?;
    }
    let mut services: Vec<_> = changes.services.into_iter().collect();
    services.sort_by_key(|a| a.0);
    for (key, counts) in &services {
        tx.service(key, counts).await?;
    }
    Ok(out)
}

/// A rating's scores as stored: the overall score always, `NULL` for "not applicable".
fn score(r: &NewRating, i: usize) -> Option<i64> {
    r.scores[i].map(i64::from)
}

struct PgBatch<'t>(&'t mut sqlx::Transaction<'static, sqlx::Postgres>);

impl BatchTx for PgBatch<'_> {
    async fn hit_client(
        &mut self,
        key: &str,
        day: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>), StorageError> {
        Ok(sqlx::query_as(HIT_CLIENT)
            .bind(key)
            .bind(day)
            .bind(at)
            .fetch_one(&mut **self.0)
            .await?)
    }

    async fn insert_rating(&mut self, r: &NewRating) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(INSERT_RATING)
            .bind(r.at.point_id)
            .bind(r.manual_id)
            .bind(r.received_at)
            .bind(r.at.day)
            .bind(score(r, 0).unwrap_or(0))
            .bind(score(r, 1))
            .bind(score(r, 2))
            .bind(score(r, 3))
            .bind(score(r, 4))
            .bind(score(r, 5))
            .bind(r.comment.as_deref())
            .fetch_one(&mut **self.0)
            .await?)
    }

    async fn comment_day(
        &mut self,
        unit: i64,
        day: NaiveDate,
        rating: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(INSERT_COMMENT_DAY)
            .bind(unit)
            .bind(day)
            .bind(rating)
            .execute(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn contact(&mut self, rating: i64, r: &NewRating) -> Result<(), StorageError> {
        sqlx::query(INSERT_CONTACT)
            .bind(rating)
            .bind(r.email.as_deref())
            .bind(r.phone.as_deref())
            .bind(r.received_at)
            .execute(&mut **self.0)
            .await?;
        Ok(())
    }

    async fn rollup(&mut self, key: &RollupKey, counts: &Counts) -> Result<(), StorageError> {
        let (unit, grain, start, area) = key;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(UPSERT_ROLLUP.as_str()))
            .bind(unit)
            .bind(grain)
            .bind(start)
            .bind(area);
        for c in counts {
            q = q.bind(c);
        }
        q.execute(&mut **self.0).await?;
        Ok(())
    }

    async fn service(&mut self, key: &ServiceKey, c: &[i64; 5]) -> Result<(), StorageError> {
        let (point, day, manual) = key;
        sqlx::query(UPSERT_SERVICE)
            .bind(point)
            .bind(day)
            .bind(manual)
            .bind(c[0])
            .bind(c[1])
            .bind(c[2])
            .bind(c[3])
            .bind(c[4])
            .execute(&mut **self.0)
            .await?;
        Ok(())
    }
}

/// Dates and times as sqlx writes them to SQLite, so that both read each other's rows
/// and text order stays time order.
fn sqlite_day(d: NaiveDate) -> String {
    d.format("%F").to_string()
}

fn sqlite_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

struct SqliteBatch<'c>(&'c rusqlite::Connection);

impl BatchTx for SqliteBatch<'_> {
    async fn hit_client(
        &mut self,
        key: &str,
        day: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>), StorageError> {
        let (hits, prev): (i64, Option<String>) = self.0.prepare_cached(HIT_CLIENT)?.query_row(
            rusqlite::params![key, sqlite_day(day), sqlite_time(at)],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let prev = prev
            .map(|p| {
                DateTime::parse_from_rfc3339(&p)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| StorageError::Data(format!("rating_clients.prev_at {p:?}: {e}")))
            })
            .transpose()?;
        Ok((hits, prev))
    }

    async fn insert_rating(&mut self, r: &NewRating) -> Result<i64, StorageError> {
        Ok(self.0.prepare_cached(INSERT_RATING)?.query_row(
            rusqlite::params![
                r.at.point_id,
                r.manual_id,
                sqlite_time(r.received_at),
                sqlite_day(r.at.day),
                score(r, 0).unwrap_or(0),
                score(r, 1),
                score(r, 2),
                score(r, 3),
                score(r, 4),
                score(r, 5),
                r.comment.as_deref(),
            ],
            |row| row.get(0),
        )?)
    }

    async fn comment_day(
        &mut self,
        unit: i64,
        day: NaiveDate,
        rating: i64,
    ) -> Result<(), StorageError> {
        self.0
            .prepare_cached(INSERT_COMMENT_DAY)?
            .execute(rusqlite::params![unit, sqlite_day(day), rating])?;
        Ok(())
    }

    async fn contact(&mut self, rating: i64, r: &NewRating) -> Result<(), StorageError> {
        self.0
            .prepare_cached(INSERT_CONTACT)?
            .execute(rusqlite::params![
                rating,
                r.email.as_deref(),
                r.phone.as_deref(),
                sqlite_time(r.received_at),
            ])?;
        Ok(())
    }

    async fn rollup(&mut self, key: &RollupKey, counts: &Counts) -> Result<(), StorageError> {
        let (unit, grain, start, area) = key;
        let mut st = self.0.prepare_cached(UPSERT_ROLLUP.as_str())?;
        st.raw_bind_parameter(1, unit)?;
        st.raw_bind_parameter(2, grain)?;
        st.raw_bind_parameter(3, sqlite_day(*start))?;
        st.raw_bind_parameter(4, area)?;
        for (i, c) in counts.iter().enumerate() {
            st.raw_bind_parameter(5 + i, c)?;
        }
        st.raw_execute()?;
        Ok(())
    }

    async fn service(&mut self, key: &ServiceKey, c: &[i64; 5]) -> Result<(), StorageError> {
        let (point, day, manual) = key;
        self.0
            .prepare_cached(UPSERT_SERVICE)?
            .execute(rusqlite::params![
                point,
                sqlite_day(*day),
                manual,
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
            ])?;
        Ok(())
    }
}

/// The SQLite batch, on a blocking thread: the writer connection is taken from its
/// pool (so other writes of this process queue behind it as usual), its handle is
/// locked out of sqlx's worker, and the transaction runs on it directly.
async fn store_sqlite(
    pool: &sqlx::SqlitePool,
    batch: &[Submission],
) -> Result<Vec<Outcome>, StorageError> {
    let mut conn = pool.acquire().await?;
    let batch = batch.to_vec();
    let rt = tokio::runtime::Handle::current();
    let (conn, out) = tokio::task::spawn_blocking(move || {
        let out = rt.block_on(async {
            let mut handle = conn.lock_handle().await?;
            // SAFETY: while `handle` lives, sqlx's worker makes no call on this
            // connection or its statements (LockedSqliteHandle's guarantee), and the
            // rusqlite connection with its cached statements is dropped before it.
            // `from_handle` does not close the handle when dropped.
            let mut raw =
                unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }?;
            let out = {
                let tx = raw.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                // An error drops `tx`, which rolls the batch back.
                let out = write_batch(&mut SqliteBatch(&tx), &batch).await?;
                tx.commit()?;
                Ok::<_, StorageError>(out)
            };
            drop(raw);
            drop(handle);
            out
        });
        (conn, out)
    })
    .await
    .map_err(|e| StorageError::Data(format!("the rating batch stopped: {e}")))?;
    drop(conn);
    out
}

impl Db {
    /// Stores a batch in one transaction. Nothing of the batch is stored unless all of
    /// it is.
    pub async fn store_submissions(
        &self,
        batch: &[Submission],
    ) -> Result<Vec<Outcome>, StorageError> {
        match &self.writer {
            Pool::Sqlite(p) => store_sqlite(p, batch).await,
            Pool::Postgres(p) => {
                let mut tx = p.begin_write().await?;
                let out = write_batch(&mut PgBatch(&mut tx), batch).await?;
                tx.commit().await?;
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratings::decode_counts;
    use domain::rating::Dimension;

    #[test]
    fn the_upsert_binds_every_count() {
        assert!(UPSERT_ROLLUP.contains("$46"));
        assert!(!UPSERT_ROLLUP.contains("$47"));
    }

    #[test]
    fn sqlite_text_is_what_sqlx_writes() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T21:39:06.5+07:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(sqlite_time(t), "2026-12-01T14:39:06.500+00:00");
        assert_eq!(sqlite_day(t.date_naive()), "2026-12-01");
    }

    #[test]
    fn a_rating_changes_a_day_and_a_month_row_of_every_unit_above() {
        let mut c = Changes::default();
        let at = Counted {
            point_id: 3,
            chain: vec![3, 2, 1],
            area: "ชลบุรี/บางละมุง".into(),
            day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        };
        let r = NewRating {
            at: at.clone(),
            received_at: Utc::now(),
            scores: [Some(5), Some(4), None, Some(1), None, None],
            manual_id: None,
            comment: None,
            email: None,
            phone: None,
            guards: vec![],
        };
        c.rating(&r);
        c.rating(&r);
        c.refusal(&at, Refusal::Repeat);
        assert_eq!(c.rollups.len(), 6);
        let row = c.rollups[&(1, MONTH_GRAIN, month_of(at.day), at.area.clone())];
        let (sums, refused, _) = decode_counts(&row);
        assert_eq!(sums.ratings(), 2);
        assert_eq!(
            sums.get(Dimension::Overall)
                .count_of(domain::rating::Score::ALL[0]),
            2
        );
        assert_eq!(sums.get(Dimension::Staff).not_applicable(), 2);
        assert_eq!(sums.get(Dimension::Place).count(), 2);
        assert_eq!(refused[Refusal::Repeat.index()], 1);
        assert_eq!(c.services[&(3, at.day, 0)], [0, 0, 0, 0, 2]);
    }
}
