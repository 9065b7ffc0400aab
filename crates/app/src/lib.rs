//! The use cases of citizeninfo: who may do what, and the rules of each action, over the
//! storage layer, with no HTTP and no HTML. The pages, the JSON API and the command line
//! parse what they are given, call these, and render what comes back.

pub mod accounts;
pub mod backoffice;
pub mod caller;
pub mod catalogue_history;
pub mod error;
pub mod import;
mod limits;
pub mod mail;
pub mod manuals;
pub mod passwords;
pub mod photos;
pub mod points;
pub mod posters;
pub mod quality;
pub mod ratings;
pub mod replies;
pub mod reports;
pub mod staff;
pub mod task_reminders;
pub mod tasks;

use std::sync::Arc;
use storage::Db;

pub use caller::{Caller, Held, Via};
pub use error::{AppError, Result};

/// What the use cases need: the database, outgoing mail, the public address for links
/// in mail, and the server key of the keyed hashes. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub mailer: Arc<mail::Mailer>,
    /// Public address of the site, for the links in mail (`https://citizeninfo.example`).
    pub base_url: String,
    /// The key of the citizen ID hash and of the rate-limit counters.
    pub(crate) secret_key: Arc<[u8]>,
    /// Where photos are kept: a local folder, or an S3-compatible store.
    pub media: Arc<media::Store>,
    /// The rating path's group-commit writer and day key.
    pub(crate) ratings: Arc<ratings::Ratings>,
}

impl App {
    pub fn new(
        db: Db,
        mailer: mail::Mailer,
        base_url: String,
        secret_key: Vec<u8>,
        media: media::Store,
    ) -> Self {
        Self {
            db,
            mailer: Arc::new(mailer),
            base_url,
            secret_key: secret_key.into(),
            media: Arc::new(media),
            ratings: Arc::default(),
        }
    }

    /// For the use cases of the command line, which send no mail and count no limits:
    /// mail would go to files in `citizeninfo-mail/`.
    pub fn for_console(db: Db) -> Self {
        let mailer = mail::Mailer::folder(
            "citizeninfo-mail".into(),
            "CITIZENinfo <no-reply@citizeninfo.invalid>",
        )
        .expect("a fixed, valid sender");
        Self::new(
            db,
            mailer,
            "http://127.0.0.1:8080".into(),
            Vec::new(),
            media::Store::Local("citizeninfo-media".into()),
        )
    }

    /// The keyed hash stored in place of a citizen ID.
    pub fn citizen_id_hash(&self, digits: &str) -> String {
        passwords::citizen_id_hash(&self.secret_key, digits)
    }
}

/// The network address a request came from, for limits and the audit (`None` from the
/// command line, or where the delivery cannot tell).
pub type Address<'a> = Option<&'a str>;
