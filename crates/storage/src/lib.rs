//! Storage: one set of repository code over SQLite (the embedded default) and
//! PostgreSQL. Each statement is written once with `$n` placeholders, which both
//! databases accept, and run on whichever pool the URL chose.

mod accounts;
mod backoffice;
mod codes;
mod db;
mod import;
mod limits;
mod manuals;
mod points;
mod posters;
mod rating_batch;
mod ratings;
mod snapshot;
mod staff;
mod task_reminders;
mod tasks;
mod tx;

pub use accounts::{LinkPurpose, Membership, NewUser, SessionRow, Taken, UserRow};
pub use backoffice::{PointRow, StaffTree, TreeUnit};
pub use codes::{Actor, UnitCodeRow};
pub use db::{Backend, Db, StorageError};
pub use domain::Snapshot;
pub use import::Dataset;
pub use limits::Hits;
pub use manuals::{DraftRow, LastChange, ManualRow};
pub use points::{ChangeRow, EditPoint, NewChange, NewPhoto, QualityData, SheetPoint};
pub use posters::{Editor, PosterLookup, PosterRow, RatingTarget};
pub use ratings::{
    CommentRow, Counted, DAY_GRAIN, MONTH_GRAIN, NewRating, Outcome, PublishedComment, Rollup,
    RollupGroup, Submission,
};
pub use staff::{AuditRow, Member, TokenRow};
pub use task_reminders::{OpenTask, ReminderRow, ReminderTarget};
pub use tasks::{ReportWrite, TaskRow, TaskUnitRow};
pub use tx::{PublicChange, WriteTx};

/// Runs one body on either pool; inside, `$p` is the concrete pool, so the same query
/// text is compiled for both drivers.
macro_rules! on_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;
