//! The HTTP deliveries: the public portal (server-rendered HTML that works without
//! JavaScript), the public JSON API with its OpenAPI document, and the operational
//! endpoints. Handlers read the in-memory directory; none of them holds SQL.

pub mod api;
mod assets;
mod auth;
mod charts;
mod errors;
mod escape;
pub mod export;
mod i18n;
mod ops;
mod pages;
mod params;
mod poster_files;
pub mod server;
mod sheets;
mod task_files;
mod views;

use arc_swap::ArcSwap;
use axum::Router;
use directory::{Change, Directory};
use domain::UnitCode;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use storage::{Db, PublicChange};

/// Changed service points up to which a refresh updates the directory in place; past
/// this, a rebuild (about 10 s at national scale) costs less than reading and applying
/// them one by one.
const MAX_INCREMENTAL_POINTS: usize = 5_000;

/// Published comments shown per service point.
const PUBLISHED_PER_POINT: usize = 5;

pub use app::mail;
pub use app::passwords::hash_password;
pub use auth::oidc::{OidcConfig, dga_secret};
pub use i18n::Lang;

#[derive(Debug, Clone)]
pub struct Config {
    /// Public address of the site, for absolute links (`https://citizeninfo.example`).
    pub base_url: String,
    /// Map tile URL template (`…/{z}/{x}/{y}.png`); empty for a map without tiles.
    pub tile_url: String,
    pub tile_attribution: String,
    /// Adds `/_bench/ceiling`, a fixed response used as the ceiling in benchmarks.
    pub bench_ceiling: bool,
    /// `smtp://host:port`; without it, mail is written to `mail_dir`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_dir: std::path::PathBuf,
    /// Key of the citizen ID hash; made once and kept in the database when not given.
    pub secret_key: Option<String>,
    /// Sign-in with an OpenID Connect provider (the Thai Digital ID), when configured.
    pub oidc: Option<auth::oidc::OidcConfig>,
    /// Where photos are kept unless `CITIZENINFO_S3_*` names an S3-compatible store.
    pub media_dir: std::path::PathBuf,
    /// Rollout tasks: the units that have not reported are mailed from this many days
    /// before the deadline (0: on the day only), and every day once it is overdue.
    pub task_reminder_days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".into(),
            tile_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            tile_attribution: "© OpenStreetMap contributors".into(),
            bench_ceiling: false,
            smtp_url: None,
            mail_from: "CITIZENinfo <no-reply@citizeninfo.invalid>".into(),
            mail_dir: "citizeninfo-mail".into(),
            secret_key: None,
            oidc: None,
            media_dir: "citizeninfo-media".into(),
            task_reminder_days: 3,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    #[error("photo store: {0}")]
    Media(#[from] media::StoreError),
}

pub struct AppState {
    pub db: Db,
    /// The use cases, over the same database.
    pub app: app::App,
    pub config: Config,
    directory: ArcSwap<Directory>,
    /// One refresh at a time: two that overlapped could store their versions in the
    /// wrong order, an older directory over a newer one.
    refreshing: tokio::sync::Mutex<()>,
    metrics: ops::Metrics,
    oidc: Option<auth::oidc::Oidc>,
    /// The Content-Security-Policy header, made once.
    csp: axum::http::HeaderValue,
    /// The comments staff published with their replies, by service point code: few,
    /// so the public pages read them from memory like the rest of the directory.
    published: ArcSwap<std::collections::HashMap<String, Vec<storage::PublishedComment>>>,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// Reads the public data and builds the read model.
    pub async fn new(db: Db, config: Config) -> Result<Shared, StartError> {
        let mailer = match &config.smtp_url {
            Some(url) => mail::Mailer::smtp(url, &config.mail_from)?,
            None => mail::Mailer::folder(config.mail_dir.clone(), &config.mail_from)?,
        };
        tracing::info!(to = %mailer.describe(), "outgoing mail");
        let citizen_key = match &config.secret_key {
            Some(k) => k.as_bytes().to_vec(),
            None => db
                .server_secret("citizen_id_key", || hex::encode(rand::random::<[u8; 32]>()))
                .await?
                .into_bytes(),
        };
        // One TLS provider for the process (ring), for the calls to the OpenID provider;
        // an error only says it was installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let oidc = config
            .oidc
            .clone()
            .map(|c| auth::oidc::Oidc::new(c, &config.base_url));
        let csp = ops::content_security_policy(config.oidc.as_ref().map(|o| o.issuer.as_str()));
        let directory = Directory::build(db.snapshot().await?);
        release_freed_memory();
        let media = media::Store::from_env(config.media_dir.clone())?;
        tracing::info!(store = %media, "photos");
        let app = app::App::new(
            db.clone(),
            mailer,
            config.base_url.clone(),
            citizen_key,
            media,
        );
        let state = Arc::new(Self {
            db,
            app,
            config,
            directory: ArcSwap::from_pointee(directory),
            refreshing: tokio::sync::Mutex::new(()),
            metrics: ops::Metrics::new(),
            csp,
            oidc,
            published: ArcSwap::from_pointee(Default::default()),
        });
        state.refresh_published().await;
        Ok(state)
    }

    /// The published comments of a service point, newest first.
    pub(crate) fn published_comments(&self, code: &str) -> Vec<storage::PublishedComment> {
        self.published.load().get(code).cloned().unwrap_or_default()
    }

    /// Reads the published comments again (after a publication here, and with every
    /// refresh for those of other instances); a failure keeps the ones it had.
    pub(crate) async fn refresh_published(&self) {
        match self.db.all_published_comments(PUBLISHED_PER_POINT).await {
            Ok(rows) => {
                let mut by_code: std::collections::HashMap<String, Vec<storage::PublishedComment>> =
                    std::collections::HashMap::new();
                for (code, c) in rows {
                    by_code.entry(code).or_default().push(c);
                }
                self.published.store(Arc::new(by_code));
            }
            Err(e) => tracing::warn!(error = %e, "published comments not read"),
        }
    }

    pub fn directory(&self) -> arc_swap::Guard<Arc<Directory>> {
        self.directory.load()
    }

    /// Brings the read model up to the stored data version when it has moved: this
    /// instance's back office saved a change (it calls this right after the commit),
    /// another instance did, or a command line import. When the versions since ours
    /// changed service points only, and not too many, the directory is updated for
    /// those points ([`Directory::apply`]: a few reads and about a millisecond of work
    /// for one point); anything else (an import, a manual, a version whose changes
    /// were not recorded) rebuilds it from a snapshot. True when a new directory was
    /// stored.
    pub async fn refresh(&self) -> Result<bool, storage::StorageError> {
        // The common case, nothing new, costs one indexed row and no lock.
        if self.db.data_version().await? == self.directory.load().version {
            return Ok(false);
        }
        let _turn = self.refreshing.lock().await;
        // Read again under the lock: the refresh we waited for may have done it all.
        let current = self.directory.load_full();
        let (version, changes) = self.db.public_changes_since(current.version).await?;
        if version == current.version {
            return Ok(false);
        }
        let points: Option<Vec<UnitCode>> = changes
            .iter()
            .map(|c| match c {
                PublicChange::Point(code) => Some(*code),
                PublicChange::Manual(_) | PublicChange::All => None,
            })
            .collect();
        let mut next = None;
        if let Some(codes) = points.filter(|p| p.len() <= MAX_INCREMENTAL_POINTS) {
            let public = self.db.public_points(&codes).await?;
            let shown: HashSet<UnitCode> = public.iter().map(|p| p.code).collect();
            let edits: Vec<Change> = public
                .into_iter()
                .map(Change::Upsert)
                .chain(
                    codes
                        .iter()
                        .filter(|c| !shown.contains(c))
                        .map(|c| Change::Remove(*c)),
                )
                .collect();
            let base = current.clone();
            match tokio::task::spawn_blocking(move || base.apply(version, edits)).await {
                Ok(Ok(dir)) => {
                    tracing::debug!(version, service_points = codes.len(), "directory updated");
                    next = Some(dir);
                }
                Ok(Err(e)) => tracing::info!(error = %e, "directory rebuilt instead of updated"),
                Err(e) => tracing::error!(error = %e, "directory update failed; rebuilding"),
            }
        }
        let rebuilt = next.is_none();
        let next = match next {
            Some(dir) => dir,
            None => {
                let snapshot = self.db.snapshot().await?;
                let dir = tokio::task::spawn_blocking(move || Directory::build(snapshot))
                    .await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
                tracing::info!(
                    version = dir.version,
                    service_points = dir.points.len(),
                    "directory reloaded"
                );
                dir
            }
        };
        let old = self.directory.swap(Arc::new(next));
        drop(current);
        // An update frees a few chunks, which the allocator reuses for the next. A
        // rebuild frees a whole directory's worth of small blocks (when no reader holds
        // the old one any more): off the request threads, and given back to the system
        // after.
        if rebuilt {
            tokio::task::spawn_blocking(move || {
                drop(old);
                release_freed_memory();
            });
        }
        Ok(true)
    }

    /// Polls the data version; cheap (one indexed row) and works on every database.
    /// Also drops expired sessions and rate-limit counters once an hour, which no
    /// request reads any more, and mails the rollout tasks' reminders.
    pub fn spawn_refresher(self: &Shared, every: Duration) {
        let sessions = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                let now = chrono::Utc::now();
                if let Err(e) = sessions.db.sessions_delete_expired(now).await {
                    tracing::warn!(error = %e, "expired sessions not deleted");
                }
                // Longer ago than the longest window of any limit.
                if let Err(e) = sessions
                    .db
                    .limits_delete_expired(now - chrono::Duration::days(1))
                    .await
                {
                    tracing::warn!(error = %e, "old rate-limit counters not deleted");
                }
            }
        });
        // The day keys of the rating counters must not outlive their day (checked
        // every minute, so a key is gone within a minute of midnight), nor the
        // contacts for a reply their 90 days.
        let ratings = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                match app::ratings::housekeeping(&ratings.app, chrono::Utc::now()).await {
                    Ok(n) if n > 0 => tracing::info!(contacts = n, "old rating contacts deleted"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = ?e, "rating housekeeping failed"),
                }
            }
        });
        // Every quarter of an hour, so that a reminder whose mail failed is tried again
        // the same day; the table of reminders keeps it to once a day per unit, across
        // instances.
        let reminders = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(15 * 60));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let days = reminders.config.task_reminder_days;
                match app::task_reminders::send_due(&reminders.app, chrono::Utc::now(), days).await
                {
                    Ok(s) if s.units + s.failures + s.unreachable > 0 => tracing::info!(
                        units = s.units,
                        mails = s.mails,
                        failures = s.failures,
                        unreachable = s.unreachable,
                        "task reminders"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = ?e, "task reminders failed"),
                }
            }
        });
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            // After a long rebuild, one check, not a burst of the ones it missed.
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = state.refresh().await {
                    tracing::warn!(error = %e, "directory refresh failed");
                }
                state.refresh_published().await;
            }
        });
    }
}

/// Caps glibc's per-thread heaps at two: with one per worker thread, memory freed on one
/// thread is not reused by another and the resident size creeps up under load. And
/// fixes the size from which blocks are mapped on their own at 4 MiB: glibc otherwise
/// raises that threshold after the first large block is freed, so the 19 MiB of every
/// later password hash comes from the heap and stays resident after a burst of
/// sign-ins; mapped blocks go back to the system when freed. Call once, before the
/// runtime starts its threads.
pub fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}

/// Building the read model of a national directory allocates several times its final
/// size in short-lived rows; glibc keeps such freed memory in its arenas unless asked to
/// give it back, which would leave a server hundreds of megabytes above what it uses.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of the allocator's own heap.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Refuses state-changing requests that a browser sends from another site (forms and
/// scripts elsewhere posting with the user's cookie), from the `Sec-Fetch-Site` and
/// `Origin` headers that every current browser sends: tower-http's implementation of
/// the scheme Go 1.25 adopted, which needs no per-form token state.
fn csrf_layer(base_url: &str) -> tower_http::csrf::CsrfLayer<CsrfRefusal> {
    let layer = tower_http::csrf::CsrfLayer::new();
    // The configured public origin, for deployments where a proxy rewrites Host.
    let origin: String = match base_url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or("")),
        None => String::new(),
    };
    let layer = match layer.clone().add_trusted_origin(&origin) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(origin, error = %e, "the base URL is not a trusted origin");
            layer
        }
    };
    layer.with_rejection_response(CsrfRefusal)
}

/// The answer to a refused cross-site request: 403 with a reason a person can read.
#[derive(Clone)]
pub struct CsrfRefusal;

impl tower_http::csrf::ResponseForProtectionError<axum::body::Body> for CsrfRefusal {
    fn response_for_protection_error(
        &mut self,
        _: tower_http::csrf::ProtectionError,
    ) -> axum::http::Response<axum::body::Body> {
        cross_site_refusal()
    }
}

/// The 403 of a refused cross-site request, with a reason a person can read.
pub(crate) fn cross_site_refusal() -> axum::http::Response<axum::body::Body> {
    let mut res = axum::http::Response::new(axum::body::Body::from(
        "คำขอนี้มาจากเว็บไซต์อื่นจึงถูกปฏิเสธ / This request came from another site and was refused\n",
    ));
    *res.status_mut() = axum::http::StatusCode::FORBIDDEN;
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

pub fn router(state: Shared) -> Router {
    let mut app = Router::new()
        .merge(pages::router())
        .merge(pages::account_router(&state))
        .merge(api::served(&state))
        .merge(assets::router())
        .merge(ops::router())
        .fallback(pages::not_found);
    if state.config.bench_ceiling {
        app = app.merge(ops::bench_router());
    }
    app.layer(csrf_layer(&state.config.base_url))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::same_scheme,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::security_headers,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

impl AppState {
    /// After a back-office write has committed: brings this instance's read model up to
    /// it at once, so that the public pages show the change on the next request. A
    /// failure leaves it to the periodic refresh, and is logged.
    pub async fn publish(&self) {
        if let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "directory not refreshed after a change");
        }
    }
}
