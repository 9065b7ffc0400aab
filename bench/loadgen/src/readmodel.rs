//! The public read model at national scale: a full build against an update for one
//! changed service point, and the resident memory of a portal's state through a burst
//! of edits. Run by `bench/readmodel.sh` on the database `bench/run.sh` loads.
//!
//! It holds the same state a serving portal holds (`web::AppState`) and edits the
//! database as the back office does: one service point per transaction, with the bump
//! of the data version and the row that names the point. After each commit it calls
//! `refresh()`, as the back office does after a save, and times it; a reader thread
//! searches meanwhile, so that old versions are held while new ones are stored.

use anyhow::{Context, Result};
use clap::Parser;
use directory::{Change, Directory, Query};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// The SQLite file with the national data (`seed-demo --national N`).
    #[arg(long)]
    database: std::path::PathBuf,
    /// Full builds timed.
    #[arg(long, default_value_t = 5)]
    builds: usize,
    /// Edits committed and refreshed one by one.
    #[arg(long, default_value_t = 1000)]
    edits: usize,
    /// Service points in the national data (their codes are 904 and ten digits).
    #[arg(long, default_value_t = 80_000)]
    points: u64,
    /// Only commit the edits, this many a second, for a portal serving the same file
    /// to pick up as another instance's edits (its periodic refresh).
    #[arg(long)]
    write_only: Option<f64>,
}

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn rss_mb() -> f64 {
    status_kb("VmRSS:") as f64 / 1024.0
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

fn quantile(xs: &mut [f64], q: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let i = ((xs.len() as f64 - 1.0) * q).round() as usize;
    xs.get(i).copied().unwrap_or(f64::NAN)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Deterministic choice of the points to edit (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// Edits as the back office makes them: one service point per transaction, with the
/// bump of the data version and the row that names the point. Renames, moves, hides
/// (the next edit shows the point again) and address changes in turn.
struct Editor {
    writer: sqlx::SqlitePool,
    rng: Rng,
    hidden: Option<String>,
    points: u64,
}

impl Editor {
    async fn connect(url: &str, points: u64) -> Result<Self> {
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                SqliteConnectOptions::from_str(url)?.busy_timeout(Duration::from_secs(10)),
            )
            .await?;
        Ok(Self {
            writer,
            rng: Rng(1),
            hidden: None,
            points,
        })
    }

    async fn commit(&mut self, i: usize) -> Result<()> {
        let (writer, rng, hidden) = (&self.writer, &mut self.rng, &mut self.hidden);
        let (code, kind) = match hidden.take() {
            // The point hidden by the edit before is shown again.
            Some(code) => (code, 2),
            None => (format!("904{:010}", rng.below(self.points)), i % 4),
        };
        let mut tx = writer.begin().await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
            .bind(&code)
            .fetch_one(&mut *tx)
            .await
            .with_context(|| format!("service point {code}"))?;
        match kind {
            0 => {
                sqlx::query("UPDATE units SET name_th = name_th || $1 WHERE id = $2")
                    .bind(format!(" {i}"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            1 => {
                sqlx::query("UPDATE service_points SET lat = lat + 0.001, description_th = description_th || $1 WHERE unit_id = $2")
                    .bind(format!(" {i}"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            2 => {
                sqlx::query(
                    "UPDATE service_points SET is_public = NOT is_public WHERE unit_id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let public: bool =
                    sqlx::query_scalar("SELECT is_public FROM service_points WHERE unit_id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                if !public {
                    *hidden = Some(code.clone());
                }
            }
            _ => {
                sqlx::query("UPDATE service_points SET subdistrict = $1 WHERE unit_id = $2")
                    .bind(format!("ตำบลที่ {i}"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO public_changes (version, kind, key) SELECT version, 'point', $1 FROM data_version WHERE id = 1",
        )
        .bind(&code)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn main() -> Result<()> {
    web::limit_allocator_arenas();
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let url = format!("sqlite://{}", args.database.display());
    if let Some(rate) = args.write_only {
        let mut editor = Editor::connect(&url, args.points).await?;
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
        for i in 0..args.edits {
            tick.tick().await;
            editor.commit(i).await?;
        }
        return Ok(());
    }
    let db = storage::Db::connect(&url).await?;
    db.migrate().await?;

    // The portal's state, loaded as `serve` loads it.
    let mail = std::env::temp_dir().join("citizeninfo-readmodel-bench-mail");
    let config = web::Config {
        mail_dir: mail,
        secret_key: Some("bench".into()),
        ..Default::default()
    };
    let state = web::AppState::new(db.clone(), config).await?;
    let rss_loaded = rss_mb();
    let points = state.directory().points.len();

    // The updates alone, in memory: one changed point per version, chained.
    let mut applies = Vec::new();
    {
        let mut dir: Arc<Directory> = state.directory().clone();
        let mut rng = Rng(80_000);
        for i in 0..args.edits.min(1000) {
            let code = format!("904{:010}", rng.below(args.points));
            let Some(p) = dir.point(&code) else { continue };
            let mut sp = p.point.clone();
            sp.name_th = format!("{} แห่งใหม่ {i}", sp.name_th);
            sp.location.lat += 0.001;
            let t = Instant::now();
            let next = dir.apply(dir.version, [Change::Upsert(sp)])?;
            applies.push(ms(t.elapsed()));
            dir = Arc::new(next);
        }
    }

    // Readers hold versions while the edits come in.
    let stop = Arc::new(AtomicBool::new(false));
    let searches = Arc::new(AtomicU64::new(0));
    let reader = {
        let (state, stop, searches) = (state.clone(), stop.clone(), searches.clone());
        std::thread::spawn(move || {
            let mut rng = Rng(2563);
            while !stop.load(Ordering::Relaxed) {
                let dir = state.directory();
                let q = Query {
                    near: domain::LatLon::new(
                        6.0 + rng.below(14_000) as f64 / 1000.0,
                        98.0 + rng.below(7_000) as f64 / 1000.0,
                    ),
                    text: (rng.below(2) == 0).then(|| "พัฒนาชุมชน".to_owned()),
                    per_page: 20,
                    page: 1,
                    ..Default::default()
                };
                std::hint::black_box(dir.search(&q));
                searches.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    // The back office's writes, each followed by the refresh it calls after a save.
    let mut editor = Editor::connect(&url, args.points).await?;
    let mut refreshes = Vec::new();
    let mut rss_max = rss_loaded;
    let mut rss_trace = Vec::new();
    for i in 0..args.edits {
        editor.commit(i).await?;
        let t = Instant::now();
        let stored = state.refresh().await?;
        refreshes.push(ms(t.elapsed()));
        anyhow::ensure!(stored, "edit {i} did not reach the read model");
        if i % 50 == 0 {
            rss_max = rss_max.max(rss_mb());
        }
        if (i + 1) % 100 == 0 {
            rss_trace.push((rss_mb() * 10.0).round() / 10.0);
        }
    }
    stop.store(true, Ordering::Relaxed);
    reader.join().expect("reader");
    let rss_after = rss_mb();
    let peak_before_builds = status_kb("VmHWM:") as f64 / 1024.0;
    let searched = searches.load(Ordering::Relaxed);

    // Full builds, as a refresh did for every change before; last, so that their
    // garbage is not counted in the figures above. The portal's directory stays
    // loaded meanwhile, as during a refresh that rebuilds.
    let (mut reads, mut builds, mut drops) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.builds {
        let t = Instant::now();
        let snapshot = db.snapshot().await?;
        let read = t.elapsed();
        let t = Instant::now();
        let dir = Directory::build(snapshot);
        builds.push(ms(t.elapsed()));
        reads.push(ms(read));
        let t = Instant::now();
        drop(dir);
        drops.push(ms(t.elapsed()));
    }

    let rss_peak = status_kb("VmHWM:") as f64 / 1024.0;

    let build_ms = median(&mut builds);
    let apply_ms = median(&mut applies);
    let refresh_ms = median(&mut refreshes.clone());
    let out = serde_json::json!({
        "service_points": points,
        "full_build": {
            "runs": builds.len(),
            "snapshot_read_median_ms": median(&mut reads),
            "build_median_ms": build_ms,
            "drop_median_ms": median(&mut drops),
        },
        "apply_one_point": {
            "runs": applies.len(),
            "median_ms": apply_ms,
            "p99_ms": quantile(&mut applies, 0.99),
            "build_over_apply": build_ms / apply_ms,
        },
        "refresh_after_one_edit": {
            "runs": refreshes.len(),
            "median_ms": refresh_ms,
            "p99_ms": quantile(&mut refreshes, 0.99),
            "max_ms": quantile(&mut refreshes, 1.0),
        },
        "rss_mb": {
            "after_load": rss_loaded,
            "max_during_edits": rss_max.max(rss_after),
            "after_edits": rss_after,
            "every_100_edits": rss_trace,
            "peak_before_full_builds": peak_before_builds,
            "peak_with_a_full_build_beside_the_loaded_one": rss_peak,
        },
        "reader_searches_during_edits": searched,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
