use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

use crate::on_pool;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// From the rating batch, which runs on SQLite's handle directly.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("data: {0}")]
    Data(String),
    /// What a write names does not exist (a unit code no unit has).
    #[error("not found: {0}")]
    NotFound(String),
}

/// The migrations of each dialect, embedded so the binary runs from any directory.
/// (sqlx's `migrate!` macro would need its `macros` feature, which this crate avoids.)
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "directory",
        include_str!("../migrations/sqlite/0001_directory.sql"),
    ),
    (
        2,
        "authorize codes",
        include_str!("../migrations/sqlite/0002_authorize_codes.sql"),
    ),
    (
        3,
        "accounts",
        include_str!("../migrations/sqlite/0003_accounts.sql"),
    ),
    (
        4,
        "limits",
        include_str!("../migrations/sqlite/0004_limits.sql"),
    ),
    (
        5,
        "back office",
        include_str!("../migrations/sqlite/0005_backoffice.sql"),
    ),
    (
        6,
        "manual catalogue",
        include_str!("../migrations/sqlite/0006_manual_catalogue.sql"),
    ),
    (
        7,
        "ratings",
        include_str!("../migrations/sqlite/0007_ratings.sql"),
    ),
    (
        8,
        "rating comment counts",
        include_str!("../migrations/sqlite/0008_rating_comment_counts.sql"),
    ),
    (
        9,
        "children in code order",
        include_str!("../migrations/sqlite/0009_children_in_code_order.sql"),
    ),
    (
        10,
        "rating clients by day",
        include_str!("../migrations/sqlite/0010_rating_clients_by_day.sql"),
    ),
    (
        11,
        "tasks",
        include_str!("../migrations/sqlite/0011_tasks.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "directory",
        include_str!("../migrations/postgres/0001_directory.sql"),
    ),
    (
        2,
        "authorize codes",
        include_str!("../migrations/postgres/0002_authorize_codes.sql"),
    ),
    (
        3,
        "accounts",
        include_str!("../migrations/postgres/0003_accounts.sql"),
    ),
    (
        4,
        "limits",
        include_str!("../migrations/postgres/0004_limits.sql"),
    ),
    (
        5,
        "back office",
        include_str!("../migrations/postgres/0005_backoffice.sql"),
    ),
    (
        6,
        "manual catalogue",
        include_str!("../migrations/postgres/0006_manual_catalogue.sql"),
    ),
    (
        7,
        "ratings",
        include_str!("../migrations/postgres/0007_ratings.sql"),
    ),
    (
        8,
        "rating comment counts",
        include_str!("../migrations/postgres/0008_rating_comment_counts.sql"),
    ),
    (
        9,
        "children in code order",
        include_str!("../migrations/postgres/0009_children_in_code_order.sql"),
    ),
    (
        10,
        "rating clients by day",
        include_str!("../migrations/postgres/0010_rating_clients_by_day.sql"),
    ),
    (
        11,
        "tasks",
        include_str!("../migrations/postgres/0011_tasks.sql"),
    ),
];

fn migrator(list: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = list
        .iter()
        .map(|(version, name, sql)| {
            Migration::new(
                *version,
                (*name).into(),
                MigrationType::Simple,
                (*sql).into_sql_str(),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: migrations.into(),
        ..Migrator::DEFAULT
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the database, cheap to clone.
///
/// Reads go to `pool`; everything that writes goes to `writer`. On SQLite the writer is
/// one connection, so that writes of this process queue in order instead of meeting
/// "database is locked", and the readers are read-only connections that WAL lets run
/// beside it. On PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: Pool,
    pub(crate) writer: Pool,
}

/// How long a write waits for its turn before it fails: long enough for any burst the
/// hashing gate lets through, short enough that a stuck writer shows as an error.
const WRITE_QUEUE_TIMEOUT: Duration = Duration::from_secs(30);

/// Begins a transaction that will write.
///
/// On SQLite it takes the write lock at `BEGIN IMMEDIATE`: a deferred transaction that
/// read first cannot become a writer once another connection (another process, such as
/// the command line) has committed (`SQLITE_BUSY_SNAPSHOT`), and no busy timeout cures
/// that. PostgreSQL's row locks and unique constraints need nothing special.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>
    + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

impl Db {
    /// `sqlite://PATH` (the file and its folder are created when missing) or
    /// `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let file = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(file)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StorageError::Data(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            // WAL lets readers go on while the one writer commits. The writer syncs
            // the log at every commit (FULL): a rating is acknowledged only once it
            // would survive a power loss too, and ratings are batched into few commits
            // (group commit) rather than made cheaper by a weaker sync.
            // The busy timeout covers other processes on the same file (the command
            // line while a server runs); within this process writes queue for the one
            // writer connection.
            let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(WRITE_QUEUE_TIMEOUT)
                .connect_with(opts.clone().synchronous(SqliteSynchronous::Full))
                .await?;
            // Read-only, so that a write sent to the wrong pool fails in every test
            // instead of racing the writer in production.
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(opts.read_only(true))
                .await?;
            Ok(Self {
                pool: Pool::Sqlite(pool),
                writer: Pool::Sqlite(writer),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Self {
                pool: Pool::Postgres(pool.clone()),
                writer: Pool::Postgres(pool),
            })
        } else {
            Err(StorageError::BadUrl(url.to_string()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date; safe to run at every start.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match &self.writer {
            Pool::Sqlite(p) => migrator(SQLITE_MIGRATIONS).run(p).await?,
            Pool::Postgres(p) => migrator(POSTGRES_MIGRATIONS).run(p).await?,
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StorageError> {
        on_pool!(&self.pool, p => { sqlx::query("SELECT 1").execute(p).await?; });
        Ok(())
    }

    pub async fn is_empty(&self) -> Result<bool, StorageError> {
        let n: i64 = on_pool!(&self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM units").fetch_one(p).await?);
        Ok(n == 0)
    }

    /// The counter that every change to public data bumps.
    pub async fn data_version(&self) -> Result<i64, StorageError> {
        Ok(
            on_pool!(&self.pool, p => sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1").fetch_one(p).await?),
        )
    }

    /// Tables and their columns (name, nullable), sorted: lets a test prove that the
    /// two dialects' migrations describe the same schema.
    /// The first column of a query's rows as text, for checks on what is stored (tests,
    /// diagnostics). Only ever called with fixed SQL.
    pub async fn raw_strings(&self, sql: &'static str) -> Result<Vec<String>, StorageError> {
        Ok(on_pool!(&self.pool, p => sqlx::query_scalar(sql).fetch_all(p).await?))
    }

    pub async fn schema_outline(&self) -> Result<Vec<(String, String, bool)>, StorageError> {
        let mut out: Vec<(String, String, bool)> = match &self.pool {
            Pool::Sqlite(p) => {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT m.name, c.name, c.\"notnull\" FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(p)
                .await?;
                // A primary key column is NOT NULL in PostgreSQL whatever it says.
                let pks: Vec<(String, String)> = sqlx::query_as(
                    "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                     WHERE m.type = 'table' AND c.pk > 0",
                )
                .fetch_all(p)
                .await?;
                rows.into_iter()
                    .map(|(t, c, nn)| {
                        let pk = pks.iter().any(|(pt, pc)| *pt == t && *pc == c);
                        (t, c, nn == 0 && !pk)
                    })
                    .collect()
            }
            Pool::Postgres(p) => {
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(p)
                .await?;
                rows.into_iter()
                    .map(|(t, c, n)| (t, c, n == "YES"))
                    .collect()
            }
        };
        out.sort();
        Ok(out)
    }

    pub async fn close(&self) {
        on_pool!(&self.pool, p => p.close().await);
        on_pool!(&self.writer, p => p.close().await);
    }
}
