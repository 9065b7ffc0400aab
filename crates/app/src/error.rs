//! What can go wrong in a use case, in terms every delivery (pages, API, command line)
//! words for its own reader.

use domain::account::FieldErrors;

use crate::passwords::{HASH_BUSY_RETRY_SECONDS, HashError};

#[derive(Debug)]
pub enum AppError {
    /// Fields refused, by form field name.
    Fields(FieldErrors),
    /// Fields refused, each problem worded in Thai and English.
    Invalid(Vec<domain::Problem>),
    /// Someone saved in between: the change was made on an older revision.
    Stale,
    WrongCredentials,
    Unverified,
    /// Too many tries lately; the seconds until the window that refused ends.
    Throttled {
        retry_after: u64,
    },
    /// Password hashing is at capacity; try again in a moment.
    Busy {
        retry_after: u64,
    },
    /// A mailed link that is unknown, used or expired.
    InvalidLink,
    /// An Authorize Code of the right form that no unit has.
    UnknownCode,
    /// Nobody is signed in (or the token is unknown).
    Unauthenticated,
    /// Signed in, without the right for this on this unit.
    Forbidden,
    /// What the action names does not exist; the field that named it.
    NotFound(&'static str),
    /// Something failed on our side; the cause is logged where it is reported.
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<HashError> for AppError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => AppError::Busy {
                retry_after: HASH_BUSY_RETRY_SECONDS,
            },
            HashError::Failed(e) => AppError::Internal(e),
        }
    }
}

impl From<storage::StorageError> for AppError {
    fn from(e: storage::StorageError) -> Self {
        match e {
            storage::StorageError::NotFound(_) => AppError::NotFound("code"),
            e => AppError::Internal(e.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
