//! The HTTP deliveries: the public portal (server-rendered HTML that works without
//! JavaScript), the public JSON API with its OpenAPI document, and the operational
//! endpoints. Handlers read the in-memory directory; none of them holds SQL.

pub mod api;
mod assets;
mod escape;
pub mod export;
mod i18n;
mod ops;
mod pages;
mod params;
mod views;

use arc_swap::ArcSwap;
use axum::Router;
use directory::Directory;
use std::sync::Arc;
use std::time::Duration;
use storage::Db;

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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".into(),
            tile_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            tile_attribution: "© OpenStreetMap contributors".into(),
            bench_ceiling: false,
        }
    }
}

pub struct AppState {
    pub db: Db,
    pub config: Config,
    directory: ArcSwap<Directory>,
    metrics: ops::Metrics,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// Reads the public data and builds the read model.
    pub async fn new(db: Db, config: Config) -> Result<Shared, storage::StorageError> {
        let directory = Directory::build(db.snapshot().await?);
        release_freed_memory();
        Ok(Arc::new(Self {
            db,
            config,
            directory: ArcSwap::from_pointee(directory),
            metrics: ops::Metrics::new(),
        }))
    }

    pub fn directory(&self) -> arc_swap::Guard<Arc<Directory>> {
        self.directory.load()
    }

    /// Rebuilds the read model when the stored data version has moved: another
    /// instance, or a command line import, changed the data.
    pub async fn refresh(&self) -> Result<bool, storage::StorageError> {
        if self.db.data_version().await? == self.directory.load().version {
            return Ok(false);
        }
        let dir = Directory::build(self.db.snapshot().await?);
        tracing::info!(
            version = dir.version,
            service_points = dir.points.len(),
            "directory reloaded"
        );
        self.directory.store(Arc::new(dir));
        release_freed_memory();
        Ok(true)
    }

    /// Polls the data version; cheap (one indexed row) and works on every database.
    pub fn spawn_refresher(self: &Shared, every: Duration) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = state.refresh().await {
                    tracing::warn!(error = %e, "directory refresh failed");
                }
            }
        });
    }
}

/// Caps glibc's per-thread heaps at two: with one per worker thread, memory freed on one
/// thread is not reused by another and the resident size creeps up under load. Call
/// once, before the runtime starts its threads.
pub fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
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

pub fn router(state: Shared) -> Router {
    let (api, _) = api::router().split_for_parts();
    let mut app = Router::new()
        .merge(pages::router())
        .merge(api)
        .merge(assets::router())
        .merge(ops::router())
        .fallback(pages::not_found);
    if state.config.bench_ceiling {
        app = app.merge(ops::bench_router());
    }
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        ops::track,
    ))
    .layer(axum::middleware::from_fn(ops::security_headers))
    .layer(tower_http::compression::CompressionLayer::new())
    .with_state(state)
}
