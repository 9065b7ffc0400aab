//! What the back office lists: every service point, hidden ones too, with the tree
//! above it and the units' active Authorize Codes. The public snapshot never reads
//! hidden points; this does, for staff.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use crate::{Db, StorageError, on_pool};

/// A unit of the tree, as the listing needs it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TreeUnit {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub parent: Option<i64>,
    pub name_th: String,
}

/// A service point's own row: which unit it is, and what the listing shows of it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PointRow {
    pub unit_id: i64,
    pub gecc_level: String,
    pub is_public: bool,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
}

/// The whole tree, every service point and the active codes, read in one transaction so
/// that the three agree.
#[derive(Debug, Clone, Default)]
pub struct StaffTree {
    pub units: Vec<TreeUnit>,
    pub points: Vec<PointRow>,
    /// Unit id → its active Authorize Code.
    pub codes: HashMap<i64, String>,
}

impl Db {
    pub async fn staff_tree(&self) -> Result<StaffTree, StorageError> {
        on_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            let units: Vec<TreeUnit> = sqlx::query_as(
                "SELECT id, code, kind, parent_id AS parent, name_th FROM units ORDER BY code")
                .fetch_all(&mut *tx).await?;
            let points: Vec<PointRow> = sqlx::query_as(
                "SELECT unit_id, gecc_level, is_public, updated_at, updated_by, verified_at, archived_at FROM service_points")
                .fetch_all(&mut *tx).await?;
            let codes: Vec<(i64, String)> = sqlx::query_as(
                "SELECT unit_id, code FROM authorize_codes WHERE revoked_at IS NULL")
                .fetch_all(&mut *tx).await?;
            tx.commit().await?;
            Ok(StaffTree {
                units,
                points,
                codes: codes.into_iter().collect(),
            })
        })
    }
}
