//! QR posters: one per service point, made the first time it is needed, with the
//! token its QR code's address carries, the on/off switch and the download count.

use chrono::{DateTime, Utc};

use crate::db::BeginWrite;
use crate::{Db, StorageError, on_pool};

/// Who changes a poster, for the record.
#[derive(Debug, Clone, Copy)]
pub struct Editor<'a> {
    pub name: &'a str,
    pub user: Option<i64>,
    pub address: Option<&'a str>,
}

/// A service point's poster.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PosterRow {
    pub point_id: i64,
    /// The service point's code.
    pub code: String,
    pub token: String,
    pub enabled: bool,
    pub downloads: i64,
    /// Since when the token is in use: the poster's last rotation, or its making.
    pub token_since: DateTime<Utc>,
}

/// What a poster token leads to.
// Answered one at a time and mostly `Live`: boxing the large variant would only add an
// allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PosterLookup {
    Live(RatingTarget),
    /// A token retired by a rotation: an old print.
    Retired,
    Unknown,
}

/// The service point a live poster rates, with what its rating page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingTarget {
    pub point_id: i64,
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    /// The unit the point belongs to (its office).
    pub office_th: Option<String>,
    pub office_en: Option<String>,
    pub enabled: bool,
    pub archived: bool,
    /// The point's unit id and those of every unit above it, nearest first.
    pub chain: Vec<i64>,
    /// `province/district` of the point's address: the area its ratings count in.
    pub area: String,
    /// The published manuals pinned to the point: (id, Thai title, English title).
    pub manuals: Vec<(i64, String, String)>,
}

const SELECT_POSTER: &str = "SELECT po.service_point_id AS point_id, u.code, po.token, po.enabled, \
     po.downloads, po.token_since FROM posters po JOIN units u ON u.id = po.service_point_id \
     WHERE po.service_point_id = $1";

impl Db {
    /// Every poster made so far, for the listing.
    pub async fn posters(&self) -> Result<Vec<PosterRow>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_as(
            "SELECT po.service_point_id AS point_id, u.code, po.token, po.enabled, po.downloads, po.token_since \
             FROM posters po JOIN units u ON u.id = po.service_point_id")
            .fetch_all(p).await?))
    }

    /// The posters of these points, making those that do not exist yet with a token
    /// from `fresh`; in the order of `points`.
    pub async fn ensure_posters(
        &self,
        points: &[i64],
        fresh: &mut (dyn FnMut() -> String + Send),
        now: DateTime<Utc>,
    ) -> Result<Vec<PosterRow>, StorageError> {
        let mut out = Vec::with_capacity(points.len());
        // Most are there already: read first, and take the writer only for the rest.
        let mut missing = Vec::new();
        for (i, point) in points.iter().enumerate() {
            let row: Option<PosterRow> = on_pool!(&self.pool, p =>
                sqlx::query_as(SELECT_POSTER).bind(point).fetch_optional(p).await?);
            match row {
                Some(r) => out.push(Some(r)),
                None => {
                    out.push(None);
                    missing.push(i);
                }
            }
        }
        if !missing.is_empty() {
            on_pool!(&self.writer, p => {
                let mut tx = p.begin_write().await?;
                for &i in &missing {
                    sqlx::query(
                        "INSERT INTO posters (service_point_id, token, enabled, downloads, created_at, token_since) \
                         VALUES ($1, $2, TRUE, 0, $3, $3) ON CONFLICT (service_point_id) DO NOTHING")
                        .bind(points[i]).bind(fresh()).bind(now).execute(&mut *tx).await?;
                    out[i] = Some(sqlx::query_as(SELECT_POSTER).bind(points[i]).fetch_one(&mut *tx).await?);
                }
                tx.commit().await?;
            });
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// Adds one download to each poster, downloaded `now`.
    pub async fn count_poster_downloads(
        &self,
        points: &[i64],
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            for point in points {
                sqlx::query("UPDATE posters SET downloads = downloads + 1, last_download_at = $2 WHERE service_point_id = $1")
                    .bind(point).bind(now).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Switches a poster on or off, with an audit record; false when the poster does
    /// not exist.
    pub async fn set_poster_enabled(
        &self,
        point: i64,
        enabled: bool,
        by: &Editor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(
                "UPDATE posters SET enabled = $2, switched_at = $3, switched_by = $4 WHERE service_point_id = $1")
                .bind(point).bind(enabled).bind(now).bind(by.name).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                sqlx::query(AUDIT).bind(now).bind(by.name).bind(if enabled { "poster.on" } else { "poster.off" })
                    .bind(point).bind(by.address).bind(by.user).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    /// Gives a poster a new token; the old one is kept as retired, so that old prints
    /// answer that they were replaced. False when the poster does not exist.
    pub async fn rotate_poster(
        &self,
        point: i64,
        token: &str,
        by: &Editor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        on_pool!(&self.writer, p => {
            let mut tx = p.begin_write().await?;
            let old: Option<String> = sqlx::query_scalar("SELECT token FROM posters WHERE service_point_id = $1")
                .bind(point).fetch_optional(&mut *tx).await?;
            let Some(old) = old else {
                return Ok(false);
            };
            sqlx::query("INSERT INTO retired_poster_tokens (token, service_point_id, retired_at) VALUES ($1, $2, $3)")
                .bind(&old).bind(point).bind(now).execute(&mut *tx).await?;
            sqlx::query("UPDATE posters SET token = $2, token_since = $3 WHERE service_point_id = $1")
                .bind(point).bind(token).bind(now).execute(&mut *tx).await?;
            sqlx::query(AUDIT).bind(now).bind(by.name).bind("poster.rotate")
                .bind(point).bind(by.address).bind(by.user).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// What a token's rating page needs: the point, its tree and its pinned manuals.
    /// Three statements whatever the depth of the tree (the chain in one recursive
    /// query): every rating that misses the poster cache reads it.
    pub async fn poster_lookup(&self, token: &str) -> Result<PosterLookup, StorageError> {
        on_pool!(&self.pool, p => {
            #[allow(clippy::type_complexity)]
            let row: Option<(i64, bool, String, String, String, Option<i64>, String, String, Option<DateTime<Utc>>)> = sqlx::query_as(
                "SELECT u.id, po.enabled, u.code, u.name_th, u.name_en, u.parent_id, sp.province, sp.district, sp.archived_at \
                 FROM posters po JOIN units u ON u.id = po.service_point_id \
                 JOIN service_points sp ON sp.unit_id = po.service_point_id WHERE po.token = $1")
                .bind(token).fetch_optional(p).await?;
            let Some((id, enabled, code, name_th, name_en, parent, province, district, archived)) = row else {
                let retired: Option<i64> = sqlx::query_scalar(
                    "SELECT service_point_id FROM retired_poster_tokens WHERE token = $1")
                    .bind(token).fetch_optional(p).await?;
                return Ok(if retired.is_some() { PosterLookup::Retired } else { PosterLookup::Unknown });
            };
            // The units above, nearest first; the depth bound stops a loop in the tree.
            let above: Vec<(i64, Option<i64>, String, String)> = sqlx::query_as(
                "WITH RECURSIVE up(id, parent_id, name_th, name_en, depth) AS ( \
                   SELECT id, parent_id, name_th, name_en, 1 FROM units WHERE id = $1 \
                   UNION ALL SELECT u.id, u.parent_id, u.name_th, u.name_en, up.depth + 1 \
                   FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 17) \
                 SELECT id, parent_id, name_th, name_en FROM up ORDER BY depth")
                .bind(parent).fetch_all(p).await?;
            if above.len() > 16 || above.last().is_some_and(|u| u.1.is_some()) {
                return Err(StorageError::Data(format!("the tree above {code} loops")));
            }
            let mut chain = vec![id];
            chain.extend(above.iter().map(|u| u.0));
            let office = above.into_iter().next().map(|u| (u.2, u.3));
            let manuals: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT m.id, m.title_th, m.title_en FROM service_point_manuals pm JOIN manuals m ON m.id = pm.manual_id \
                 WHERE pm.service_point_id = $1 AND m.state = 'published' ORDER BY m.title_th, m.id")
                .bind(id).fetch_all(p).await?;
            let (office_th, office_en) = office.unzip();
            Ok(PosterLookup::Live(RatingTarget {
                point_id: id,
                code,
                name_th,
                name_en,
                office_th,
                office_en,
                enabled,
                archived: archived.is_some(),
                chain,
                area: format!("{province}/{district}"),
                manuals,
            }))
        })
    }
}

/// The audit record of a poster change; `unit_id` is the service point.
const AUDIT: &str = "INSERT INTO audit_log (at, actor, action, unit_id, detail, address, user_id) \
     VALUES ($1, $2, $3, $4, NULL, $5, $6)";
