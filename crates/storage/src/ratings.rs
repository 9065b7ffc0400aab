//! Citizen ratings: stored in batches (group commit), each batch one transaction with
//! the rollups it changes and the per-client counters it hits; the rollups that the
//! reports read; comments, replies and the contacts kept apart.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::rating::Dimension;
use domain::rating_guard::{Guard, Refusal, Refusals};
use domain::stats::{RatingSums, Tally};
use sqlx::Row;
use std::sync::LazyLock;

use crate::db::BeginWrite;
use crate::{Db, StorageError, on_pool};

/// The rollup grains.
pub const DAY_GRAIN: i64 = 0;
pub const MONTH_GRAIN: i64 = 1;

/// Where a submission counts: the point, the units above it and its area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub point_id: i64,
    /// The point's unit id first, then every unit above it.
    pub chain: Vec<i64>,
    /// `province/district` of the point.
    pub area: String,
    /// The date in Bangkok.
    pub day: NaiveDate,
}

/// A rating to store, already checked and masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    pub at: Counted,
    pub received_at: DateTime<Utc>,
    /// Per dimension, in `Dimension::ALL` order; `None` is "not applicable". The
    /// overall score is always given.
    pub scores: [Option<u8>; 6],
    pub manual_id: Option<i64>,
    pub comment: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The counters this submission hits; any that refuses it refuses it.
    pub guards: Vec<Guard>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    Rating(NewRating),
    /// Refused before storage (a form too fast, the trap field): only counted.
    Refused(Counted, Refusal),
}

/// What became of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Stored, with the rating's id.
    Stored(i64),
    Refused(Refusal),
}

/// One rollup row, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollup {
    pub unit_id: i64,
    pub grain: i64,
    pub start: NaiveDate,
    pub area: String,
    pub sums: RatingSums,
    pub refused: Refusals,
    /// Ratings with a comment.
    pub comments: u64,
}

/// A comment as staff read it, with its reply.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommentRow {
    pub rating_id: i64,
    pub point_id: i64,
    pub point_code: String,
    pub point_name: String,
    pub received_at: DateTime<Utc>,
    pub overall: i64,
    pub manual_title: Option<String>,
    pub comment: String,
    /// The citizen left an e-mail address for a reply (never the address itself).
    pub can_mail: bool,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub replied_by: Option<String>,
    pub mailed_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A comment shown on the public page of its point, with the office's reply.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PublishedComment {
    pub received_at: DateTime<Utc>,
    pub overall: i64,
    pub comment: String,
    pub reply: String,
    pub replied_at: DateTime<Utc>,
}

const SCORES: [&str; 6] = ["1", "2", "3", "4", "5", "na"];
const REFUSED: [&str; 5] = [
    "refused_fast",
    "refused_trap",
    "refused_form",
    "refused_limit",
    "refused_repeat",
];
/// 6 dimensions × (5 scores and "not applicable"), then the refusals, then the
/// comments.
pub(crate) const COUNTS: usize = 36 + 5 + 1;
/// The position of the comment count among the counts.
pub(crate) const COMMENTS: usize = 41;

/// The rollups' count columns, in the order of [`Counts`].
pub(crate) fn count_columns() -> Vec<String> {
    let mut v: Vec<String> = Dimension::ALL
        .iter()
        .flat_map(|d| SCORES.iter().map(move |s| format!("{}_{s}", d.key())))
        .collect();
    v.extend(REFUSED.iter().map(|s| s.to_string()));
    v.push("comments".into());
    v
}

pub(crate) type Counts = [i64; COUNTS];

/// Sums cast back to BIGINT: PostgreSQL sums BIGINTs as NUMERIC.
fn summed(prefix: &str) -> String {
    count_columns()
        .iter()
        .map(|c| format!("CAST(SUM({prefix}{c}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}

static SELECT_ROLLUPS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT unit_id, grain, start, area, {} FROM rating_rollups \
         WHERE unit_id = $1 AND grain = $2 AND start >= $3 AND start <= $4",
        count_columns().join(", ")
    )
});

static SELECT_CHILD_SUMS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT r.unit_id, {} FROM rating_rollups r JOIN units u ON u.id = r.unit_id \
         WHERE u.parent_id = $1 AND r.grain = $2 AND r.start >= $3 AND r.start <= $4 GROUP BY r.unit_id",
        summed("r.")
    )
});

/// A unit's rollup rows summed by the database per start (`start`) or per area
/// (`area`): a department's month is 31 rows or one per district back, not both.
fn select_grouped(key: &str) -> String {
    format!(
        "SELECT {key}, {} FROM rating_rollups WHERE unit_id = $1 AND grain = $2 AND start >= $3 AND start <= $4 \
         GROUP BY {key}",
        summed("")
    )
}

static SELECT_BY_START: LazyLock<String> = LazyLock::new(|| select_grouped("start"));
static SELECT_BY_AREA: LazyLock<String> = LazyLock::new(|| select_grouped("area"));

/// How [`Db::rollups_grouped`] sums a unit's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollupGroup {
    /// One row per day or month: `area` is empty.
    Start,
    /// One row per area: `start` is the first day asked for.
    Area,
}

const COMMENT_COLUMNS: &str = "r.id AS rating_id, r.service_point_id AS point_id, u.code AS point_code, \
     u.name_th AS point_name, r.received_at, r.overall, m.title_th AS manual_title, r.comment, \
     (c.email IS NOT NULL) AS can_mail, rr.body AS reply, rr.replied_at, rr.replied_by, rr.mailed_at, rr.published_at";

pub(crate) fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a first day")
}

pub(crate) fn decode_counts(counts: &[i64]) -> (RatingSums, Refusals, u64) {
    let mut sums = RatingSums::default();
    for d in Dimension::ALL {
        let c = &counts[d.index() * 6..d.index() * 6 + 6];
        let n = |i: usize| u64::try_from(c[i]).unwrap_or(0);
        sums.set(d, Tally::from_counts([n(0), n(1), n(2), n(3), n(4)], n(5)));
    }
    let mut refused = [0u64; 5];
    for (i, r) in refused.iter_mut().enumerate() {
        *r = u64::try_from(counts[36 + i]).unwrap_or(0);
    }
    (sums, refused, u64::try_from(counts[COMMENTS]).unwrap_or(0))
}

/// Rows of a unit id and its summed counts, decoded.
fn decode_unit_sums<R>(rows: Vec<R>) -> Result<Vec<(i64, RatingSums, Refusals, u64)>, StorageError>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut out = Vec::with_capacity(rows.len());
    let mut counts = [0i64; COUNTS];
    for row in rows {
        for (i, c) in counts.iter_mut().enumerate() {
            *c = row.try_get(1 + i)?;
        }
        let (sums, refused, comments) = decode_counts(&counts);
        out.push((row.try_get(0)?, sums, refused, comments));
    }
    Ok(out)
}

impl Db {
    /// The rollup rows of `unit` of one grain whose start is within `from..=to`.
    pub async fn rollups(
        &self,
        unit: i64,
        grain: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Rollup>, StorageError> {
        let sql = sqlx::AssertSqlSafe(SELECT_ROLLUPS.as_str());
        on_pool!(&self.pool, p => {
            let rows = sqlx::query(sql).bind(unit).bind(grain).bind(from).bind(to).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            let mut counts = [0i64; COUNTS];
            for row in rows {
                for (i, c) in counts.iter_mut().enumerate() {
                    *c = row.try_get(4 + i)?;
                }
                let (sums, refused, comments) = decode_counts(&counts);
                out.push(Rollup {
                    comments,
                    unit_id: row.try_get(0)?,
                    grain: row.try_get(1)?,
                    start: row.try_get(2)?,
                    area: row.try_get(3)?,
                    sums,
                    refused,
                });
            }
            Ok(out)
        })
    }

    /// The rollup rows of `unit` of one grain whose start is within `from..=to`, summed
    /// per start or per area by the database.
    pub async fn rollups_grouped(
        &self,
        unit: i64,
        grain: i64,
        from: NaiveDate,
        to: NaiveDate,
        group: RollupGroup,
    ) -> Result<Vec<Rollup>, StorageError> {
        let sql = sqlx::AssertSqlSafe(match group {
            RollupGroup::Start => SELECT_BY_START.as_str(),
            RollupGroup::Area => SELECT_BY_AREA.as_str(),
        });
        on_pool!(&self.pool, p => {
            let rows = sqlx::query(sql).bind(unit).bind(grain).bind(from).bind(to).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            let mut counts = [0i64; COUNTS];
            for row in rows {
                for (i, c) in counts.iter_mut().enumerate() {
                    *c = row.try_get(1 + i)?;
                }
                let (sums, refused, comments) = decode_counts(&counts);
                let (start, area) = match group {
                    RollupGroup::Start => (row.try_get(0)?, String::new()),
                    RollupGroup::Area => (from, row.try_get(0)?),
                };
                out.push(Rollup { unit_id: unit, grain, start, area, sums, refused, comments });
            }
            Ok(out)
        })
    }

    /// The rollups of each of `units` over `from..=to`, summed by the database: the
    /// rows of one page of a report's children.
    pub async fn unit_rollups(
        &self,
        units: &[i64],
        grain: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, RatingSums, Refusals, u64)>, StorageError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (4..4 + units.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT unit_id, {} FROM rating_rollups WHERE grain = $1 AND start >= $2 AND start <= $3 \
             AND unit_id IN ({}) GROUP BY unit_id",
            summed(""),
            marks.join(", ")
        );
        on_pool!(&self.pool, p => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(grain).bind(from).bind(to);
            for u in units {
                q = q.bind(u);
            }
            let rows = q.fetch_all(p).await?;
            decode_unit_sums(rows)
        })
    }

    /// The rollup rows of every unit right below `parent` of one grain whose start is
    /// within `from..=to`, summed per unit by the database: one statement however many
    /// children, and one row each back.
    pub async fn child_rollups(
        &self,
        parent: i64,
        grain: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, RatingSums, Refusals, u64)>, StorageError> {
        let sql = sqlx::AssertSqlSafe(SELECT_CHILD_SUMS.as_str());
        on_pool!(&self.pool, p => {
            let rows = sqlx::query(sql).bind(parent).bind(grain).bind(from).bind(to).fetch_all(p).await?;
            decode_unit_sums(rows)
        })
    }

    /// Overall scores per service received at a point over `from..=to`: (manual id,
    /// or 0 for "other"; the manual's title; counts of scores 1 to 5).
    pub async fn service_rollups(
        &self,
        point: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, Option<String>, [i64; 5])>, StorageError> {
        type ServiceRow = (i64, Option<String>, i64, i64, i64, i64, i64);
        let rows: Vec<ServiceRow> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT s.manual_id, MAX(m.title_th), CAST(SUM(s.overall_1) AS BIGINT), CAST(SUM(s.overall_2) AS BIGINT), \
             CAST(SUM(s.overall_3) AS BIGINT), CAST(SUM(s.overall_4) AS BIGINT), CAST(SUM(s.overall_5) AS BIGINT) \
             FROM rating_service_rollups s LEFT JOIN manuals m ON m.id = s.manual_id \
             WHERE s.service_point_id = $1 AND s.day >= $2 AND s.day <= $3 GROUP BY s.manual_id ORDER BY s.manual_id")
            .bind(point).bind(from).bind(to).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(m, t, a, b, c, d, e)| (m, t, [a, b, c, d, e]))
            .collect())
    }

    /// The comments under `unit` (a point, or any unit above points) received within
    /// `from..=to`, newest first; only those without a reply when `unanswered`; and
    /// whether there are more after these. Counting them all would walk every comment
    /// of a department: the reports count them from the rollups instead.
    pub async fn comments(
        &self,
        unit: i64,
        from: NaiveDate,
        to: NaiveDate,
        unanswered: bool,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<CommentRow>, bool), StorageError> {
        let filter = if unanswered {
            " AND rr.rating_id IS NULL"
        } else {
            ""
        };
        let list = sqlx::AssertSqlSafe(format!(
            "SELECT {COMMENT_COLUMNS} FROM rating_comment_days cu JOIN ratings r ON r.id = cu.rating_id \
             JOIN units u ON u.id = r.service_point_id LEFT JOIN manuals m ON m.id = r.manual_id \
             LEFT JOIN rating_contacts c ON c.rating_id = r.id LEFT JOIN rating_replies rr ON rr.rating_id = r.id \
             WHERE cu.unit_id = $1 AND cu.day >= $2 AND cu.day <= $3{filter} \
             ORDER BY cu.day DESC, cu.rating_id DESC LIMIT $4 OFFSET $5"
        ));
        let mut rows: Vec<CommentRow> = on_pool!(&self.pool, p => sqlx::query_as(list).bind(unit).bind(from).bind(to)
            .bind(limit + 1).bind(offset).fetch_all(p).await?);
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        Ok((rows, more))
    }

    /// One comment, for the reply form and its checks.
    pub async fn comment(&self, rating: i64) -> Result<Option<CommentRow>, StorageError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COMMENT_COLUMNS} FROM ratings r JOIN units u ON u.id = r.service_point_id \
             LEFT JOIN manuals m ON m.id = r.manual_id LEFT JOIN rating_contacts c ON c.rating_id = r.id \
             LEFT JOIN rating_replies rr ON rr.rating_id = r.id WHERE r.id = $1 AND r.comment IS NOT NULL"
        ));
        Ok(on_pool!(&self.pool, p => sqlx::query_as(sql).bind(rating).fetch_optional(p).await?))
    }

    /// Saves the office's reply to a comment (replacing an earlier one) and returns
    /// the e-mail address the citizen left for it, if any: only to send the reply.
    pub async fn save_reply(
        &self,
        rating: i64,
        body: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query(
                "INSERT INTO rating_replies (rating_id, body, replied_at, replied_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (rating_id) DO UPDATE SET body = excluded.body, replied_at = excluded.replied_at, \
                 replied_by = excluded.replied_by")
                .bind(rating).bind(body).bind(now).bind(by).execute(&mut *tx).await?;
            let email: Option<Option<String>> = sqlx::query_scalar("SELECT email FROM rating_contacts WHERE rating_id = $1")
                .bind(rating).fetch_optional(&mut *tx).await?;
            tx.commit().await?;
            Ok(email.flatten())
        })
    }

    pub async fn mark_reply_mailed(
        &self,
        rating: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(&self.writer, p => sqlx::query("UPDATE rating_replies SET mailed_at = $2 WHERE rating_id = $1")
            .bind(rating).bind(now).execute(p).await.map(drop)?);
        Ok(())
    }

    /// Shows a replied comment on its point's public page, or takes it off; false
    /// when there is no reply to show it with.
    pub async fn set_comment_published(
        &self,
        rating: i64,
        published: bool,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let (at, who) = if published {
            (Some(now), Some(by))
        } else {
            (None, None)
        };
        Ok(on_pool!(&self.writer, p => sqlx::query(
            "UPDATE rating_replies SET published_at = $2, published_by = $3 WHERE rating_id = $1")
            .bind(rating).bind(at).bind(who).execute(p).await?.rows_affected())
            > 0)
    }

    /// The published comments of a point with their replies, newest first.
    pub async fn published_comments(
        &self,
        point: i64,
        limit: i64,
    ) -> Result<Vec<PublishedComment>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT r.received_at, r.overall, r.comment, rr.body AS reply, rr.replied_at FROM rating_replies rr \
             JOIN ratings r ON r.id = rr.rating_id WHERE r.service_point_id = $1 AND rr.published_at IS NOT NULL \
             AND r.comment IS NOT NULL ORDER BY rr.published_at DESC LIMIT $2")
            .bind(point).bind(limit).fetch_all(p).await?))
    }

    /// Every published comment with its reply, newest first per point, at most
    /// `per_point` each: (point code, comment). Few rows: the public pages keep them in
    /// memory.
    pub async fn all_published_comments(
        &self,
        per_point: usize,
    ) -> Result<Vec<(String, PublishedComment)>, StorageError> {
        type Row = (String, DateTime<Utc>, i64, String, String, DateTime<Utc>);
        let rows: Vec<Row> = on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT u.code, r.received_at, r.overall, r.comment, rr.body, rr.replied_at FROM rating_replies rr \
             JOIN ratings r ON r.id = rr.rating_id JOIN units u ON u.id = r.service_point_id \
             WHERE rr.published_at IS NOT NULL AND r.comment IS NOT NULL ORDER BY u.code, rr.published_at DESC")
            .fetch_all(p).await?);
        let mut out: Vec<(String, PublishedComment)> = Vec::new();
        let mut run = 0;
        for (code, received_at, overall, comment, reply, replied_at) in rows {
            run = if out.last().is_some_and(|(c, _)| *c == code) {
                run + 1
            } else {
                1
            };
            if run <= per_point {
                out.push((
                    code,
                    PublishedComment {
                        received_at,
                        overall,
                        comment,
                        reply,
                        replied_at,
                    },
                ));
            }
        }
        Ok(out)
    }

    /// The key of the day's client hashes: made by the first caller of the day (any
    /// instance), the same for every later one.
    pub async fn rating_day_key(
        &self,
        day: NaiveDate,
        fresh: &str,
    ) -> Result<String, StorageError> {
        let existing: Option<String> = on_pool!(&self.pool, p => sqlx::query_scalar(
            "SELECT secret FROM rating_day_keys WHERE day = $1").bind(day).fetch_optional(p).await?);
        if let Some(k) = existing {
            return Ok(k);
        }
        Ok(on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("INSERT INTO rating_day_keys (day, secret) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
                .bind(day).bind(fresh).execute(&mut *tx).await?;
            let k: String = sqlx::query_scalar("SELECT secret FROM rating_day_keys WHERE day = $1")
                .bind(day).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            k
        }))
    }

    /// Forgets what must not outlive its purpose: the day keys and client counters of
    /// days before `today`, and the contacts given before `contacts_before`. Returns
    /// the number of contacts deleted.
    pub async fn rating_housekeeping(
        &self,
        today: NaiveDate,
        contacts_before: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("DELETE FROM rating_day_keys WHERE day < $1").bind(today).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM rating_clients WHERE day < $1").bind(today).execute(&mut *tx).await?;
            let n = sqlx::query("DELETE FROM rating_contacts WHERE given_at < $1")
                .bind(contacts_before).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(n)
        })
    }

    /// The number of ratings stored (for tests and the fault benchmark).
    pub async fn rating_count(&self) -> Result<i64, StorageError> {
        Ok(
            on_pool!(&self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM ratings").fetch_one(p).await?),
        )
    }

    /// Whether a rating is stored (the fault benchmark checks every acknowledged id).
    pub async fn ratings_exist(&self, ids: &[i64]) -> Result<usize, StorageError> {
        let mut found = 0usize;
        for id in ids {
            let n: i64 = on_pool!(&self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM ratings WHERE id = $1")
                .bind(id).fetch_one(p).await?);
            found += usize::from(n > 0);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statements_name_every_count_column_once() {
        let cols = count_columns();
        assert_eq!(cols.len(), COUNTS);
        let mut sorted = cols.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), COUNTS);
    }
}
