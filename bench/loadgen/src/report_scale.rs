//! The satisfaction reports of a department at national scale: the tools of
//! `bench/report-scale.sh`.
//!
//! - `seed` moves every office of the synthetic national dataset under one department
//!   (80,000 service points at the default size), then stores a fiscal year of ratings
//!   for its points (10 million by default, in time order, mostly satisfied, some
//!   aspects "not applicable", a share with a comment) and the rows the rating path
//!   keeps beside them, all from SQL: the comment index by day under every unit of the
//!   point's chain, the rollups of every unit of the chain per day and per month and
//!   area, and the per-service rollups. The sums are those `storage` writes rating by
//!   rating, so the reports read what they would read after a year of submissions.
//! - `time` runs the preliminary and summary reports of the department in process (the
//!   use cases of `app`, as the API calls them), and over HTTP when a server and a
//!   session are given, each a number of times, beside baselines of the same run.

use anyhow::{Context, Result, bail};
use app::reports::{self, AreaLevel, ChildRows};
use clap::{Parser, Subcommand};
use domain::UnitCode;
use domain::period::{Grain, Period};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{AssertSqlSafe, ConnectOptions};
use std::future::Future;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Parser, Debug)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Store a fiscal year of ratings for one department, with their rollups. Does
    /// nothing when the database already holds that many ratings.
    Seed {
        #[arg(long)]
        database_url: String,
        /// The department that gets every office of the national dataset.
        #[arg(long, default_value = "9020000000000")]
        department: String,
        #[arg(long, default_value_t = 10_000_000)]
        ratings: u64,
        /// Ratings in a thousand that carry a comment.
        #[arg(long, default_value_t = 100)]
        comments_per_mille: u64,
    },
    /// Time the reports of the department.
    Time {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "9020000000000")]
        department: String,
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// The periods, as the API takes them.
        #[arg(long, default_value = "fy2569,2026-05")]
        periods: String,
        /// A server on the same database (loopback only), for the timings over HTTP.
        #[arg(long)]
        server: Option<SocketAddr>,
        /// The session cookie for the server (`citizeninfo_session=…`).
        #[arg(long)]
        cookie: Option<String>,
        #[arg(long, default_value = "report-scale")]
        label: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Seed {
            database_url,
            department,
            ratings,
            comments_per_mille,
        } => {
            let department =
                UnitCode::parse(&department).map_err(|e| anyhow::anyhow!("--department: {e:?}"))?;
            let spec = Spec {
                department,
                ratings,
                comments_per_mille: comments_per_mille.min(1000),
            };
            seed(&database_url, &spec).await
        }
        Command::Time {
            database_url,
            department,
            runs,
            periods,
            server,
            cookie,
            label,
        } => {
            let department =
                UnitCode::parse(&department).map_err(|e| anyhow::anyhow!("--department: {e:?}"))?;
            time(
                &database_url,
                &department,
                runs.max(1),
                &periods,
                server.zip(cookie),
                &label,
            )
            .await
        }
    }
}

struct Spec {
    department: UnitCode,
    ratings: u64,
    comments_per_mille: u64,
}

#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// One connection for the whole seed: the temporary tables live on it.
enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Conn {
    async fn open(url: &str) -> Result<Conn> {
        Ok(if url.starts_with("sqlite:") {
            // A bulk load into a file nobody else has open: no journal to sync, and a
            // page cache that holds the tables being built.
            let opts = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Delete)
                .synchronous(SqliteSynchronous::Off)
                .pragma("cache_size", "-2000000")
                .pragma("threads", "2")
                .busy_timeout(Duration::from_secs(30));
            Conn::Sqlite(opts.connect().await?)
        } else {
            Conn::Postgres(PgConnectOptions::from_str(url)?.connect().await?)
        })
    }

    fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs a statement; says how long it took when it is a step worth naming.
    async fn run(&mut self, what: &str, sql: String) -> Result<()> {
        let started = Instant::now();
        match self {
            Conn::Sqlite(c) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(c).await?;
            }
            Conn::Postgres(c) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(c).await?;
            }
        }
        if !what.is_empty() {
            eprintln!("seed: {what}: {:.1} s", started.elapsed().as_secs_f64());
        }
        Ok(())
    }

    async fn scalar(&mut self, sql: String) -> Result<i64> {
        Ok(match self {
            Conn::Sqlite(c) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(c).await?,
            Conn::Postgres(c) => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(c).await?,
        })
    }
}

const DIMENSIONS: [&str; 6] = [
    "overall",
    "process",
    "staff",
    "place",
    "result",
    "information",
];

/// The rollups' count columns the ratings fill, named as `storage` names them: per
/// dimension the scores and "not applicable", then the ratings with a comment (the
/// refusal counts stay 0: no refusals are seeded).
fn count_columns() -> Vec<String> {
    DIMENSIONS
        .iter()
        .flat_map(|d| ["1", "2", "3", "4", "5", "na"].map(|s| format!("{d}_{s}")))
        .chain(std::iter::once("comments".to_owned()))
        .collect()
}

/// The first day of the fiscal year 2569 and its length.
const FY_START: &str = "2025-10-01";
const FY_DAYS: u64 = 365;

async fn seed(url: &str, spec: &Spec) -> Result<()> {
    // The schema of this build first: the dataset may have been made by an older one.
    let schema = storage::Db::connect(url).await?;
    schema.migrate().await?;
    schema.close().await;
    let mut db = Conn::open(url).await?;
    let d = db.dialect();
    let dept = spec.department.as_str();
    let have = db.scalar("SELECT COUNT(*) FROM ratings".into()).await?;
    if have as u64 >= spec.ratings {
        eprintln!("seed: the database already holds {have} ratings: nothing to do");
        return Ok(());
    }
    if have > 0 {
        bail!(
            "the database holds {have} ratings, fewer than {}: seed a fresh copy",
            spec.ratings
        );
    }
    let dept_id = db
        .scalar(format!(
            "SELECT id FROM units WHERE code = '{dept}' AND kind = 'department'"
        ))
        .await
        .context("no department has this code")?;
    let started = Instant::now();
    // Every office of the synthetic dataset (codes 903…) moves under the one department.
    db.run(
        "offices moved under the department",
        format!(
            "UPDATE units SET parent_id = {dept_id} WHERE kind = 'unit' AND code LIKE '903%' \
             AND parent_id IN (SELECT id FROM units WHERE kind = 'department' AND code LIKE '902%')"
        ),
    )
    .await?;
    let (row_number, concat_area) = (
        "row_number() OVER (ORDER BY sp.unit_id) - 1",
        "sp.province || '/' || sp.district",
    );
    db.run(
        "the department's service points",
        format!(
            "CREATE TEMPORARY TABLE bench_points AS \
             WITH RECURSIVE sub(id) AS (SELECT CAST({dept_id} AS BIGINT) UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) \
             SELECT {row_number} AS idx, sp.unit_id AS point, {concat_area} AS area \
             FROM service_points sp JOIN sub ON sub.id = sp.unit_id WHERE sp.archived_at IS NULL"
        ),
    )
    .await?;
    db.run(
        "",
        "CREATE INDEX bench_points_idx ON bench_points (idx)".into(),
    )
    .await?;
    db.run(
        "",
        "CREATE INDEX bench_points_point ON bench_points (point)".into(),
    )
    .await?;
    let points = db
        .scalar("SELECT COUNT(*) FROM bench_points".into())
        .await?;
    if points == 0 {
        bail!("no service points under {dept}");
    }
    // Each point with every unit above it, itself included: where its ratings count.
    db.run(
        "chains",
        "CREATE TEMPORARY TABLE bench_chain AS \
         WITH RECURSIVE c(point, unit) AS (SELECT point, point FROM bench_points \
         UNION ALL SELECT c.point, u.parent_id FROM c JOIN units u ON u.id = c.unit WHERE u.parent_id IS NOT NULL) \
         SELECT point, unit FROM c"
            .into(),
    )
    .await?;
    db.run(
        "",
        "CREATE INDEX bench_chain_point ON bench_chain (point)".into(),
    )
    .await?;

    db.run("ratings", ratings_sql(d, spec, points)).await?;

    db.run(
        "comments under every unit of their chain, by day",
        "INSERT INTO rating_comment_days (unit_id, day, rating_id) \
         SELECT c.unit, r.day, r.id FROM ratings r JOIN bench_chain c ON c.point = r.service_point_id \
         WHERE r.comment IS NOT NULL"
            .into(),
    )
    .await?;

    let cols = count_columns();
    let counts: Vec<String> = DIMENSIONS
        .iter()
        .flat_map(|dim| {
            (1..=5)
                .map(move |s| format!("SUM(CASE WHEN {dim} = {s} THEN 1 ELSE 0 END) AS {dim}_{s}"))
                .chain(std::iter::once(format!(
                    "SUM(CASE WHEN {dim} IS NULL THEN 1 ELSE 0 END) AS {dim}_na"
                )))
        })
        .chain(std::iter::once(
            "SUM(CASE WHEN comment IS NOT NULL THEN 1 ELSE 0 END) AS comments".to_owned(),
        ))
        .collect();
    db.run(
        "ratings per point and day",
        format!(
            "CREATE TEMPORARY TABLE bench_pd AS SELECT service_point_id AS point, day, {} \
             FROM ratings GROUP BY service_point_id, day",
            counts.join(", ")
        ),
    )
    .await?;
    db.run("", "CREATE INDEX bench_pd_point ON bench_pd (point)".into())
        .await?;
    let sums: Vec<String> = cols.iter().map(|c| format!("SUM(pd.{c})")).collect();
    db.run(
        "daily rollups of every unit of the chains",
        format!(
            "INSERT INTO rating_rollups (unit_id, grain, start, area, {cols}) \
             SELECT c.unit, 0, pd.day, p.area, {sums} FROM bench_pd pd \
             JOIN bench_points p ON p.point = pd.point JOIN bench_chain c ON c.point = pd.point \
             GROUP BY c.unit, pd.day, p.area",
            cols = cols.join(", "),
            sums = sums.join(", ")
        ),
    )
    .await?;
    let month = match d {
        Dialect::Sqlite => "substr(start, 1, 8) || '01'",
        Dialect::Postgres => "CAST(date_trunc('month', start) AS DATE)",
    };
    let msums: Vec<String> = cols.iter().map(|c| format!("SUM({c})")).collect();
    db.run(
        "monthly rollups",
        format!(
            "INSERT INTO rating_rollups (unit_id, grain, start, area, {cols}) \
             SELECT unit_id, 1, {month}, area, {sums} FROM rating_rollups WHERE grain = 0 \
             GROUP BY unit_id, {month}, area",
            cols = cols.join(", "),
            sums = msums.join(", ")
        ),
    )
    .await?;
    db.run(
        "per-service rollups (every rating is of \"other\")",
        "INSERT INTO rating_service_rollups (service_point_id, day, manual_id, overall_1, overall_2, overall_3, overall_4, overall_5) \
         SELECT point, day, 0, overall_1, overall_2, overall_3, overall_4, overall_5 FROM bench_pd"
            .into(),
    )
    .await?;
    match d {
        Dialect::Sqlite => {
            db.run("", "DROP TABLE bench_pd".into()).await?;
            db.run(
                "back to the journal the portal uses",
                "PRAGMA journal_mode = WAL".into(),
            )
            .await?;
        }
        Dialect::Postgres => {
            // What autovacuum would have done long before a table holds a year of
            // ratings.
            db.run("statistics", "VACUUM ANALYZE".into()).await?;
        }
    }
    eprintln!(
        "seed: {} ratings for {points} service points in {:.0} s",
        spec.ratings,
        started.elapsed().as_secs_f64()
    );
    for (what, sql) in [
        ("ratings", "SELECT COUNT(*) FROM ratings"),
        (
            "with a comment",
            "SELECT COUNT(*) FROM ratings WHERE comment IS NOT NULL",
        ),
        (
            "comment index rows",
            "SELECT COUNT(*) FROM rating_comment_days",
        ),
        (
            "daily rollup rows",
            "SELECT COUNT(*) FROM rating_rollups WHERE grain = 0",
        ),
        (
            "monthly rollup rows",
            "SELECT COUNT(*) FROM rating_rollups WHERE grain = 1",
        ),
        (
            "per-service rollup rows",
            "SELECT COUNT(*) FROM rating_service_rollups",
        ),
    ] {
        eprintln!("seed: {what}: {}", db.scalar(sql.into()).await?);
    }
    Ok(())
}

/// The ratings, generated in SQL: rating `i` of `n` is on day `i·365/n` of the fiscal
/// year (so ids follow time, as they do when ratings arrive), at a point and with
/// scores drawn from multiplicative hashes of `i` (the same data on both databases).
fn ratings_sql(d: Dialect, spec: &Spec, points: i64) -> String {
    let n = spec.ratings;
    let per_mille = spec.comments_per_mille;
    let hashes = "(i * 2654435761) % 4294967296 AS h, ((i + 7919) * 2246822519) % 4294967296 AS h2";
    let overall = "CASE WHEN h2 % 100 < 45 THEN 5 WHEN h2 % 100 < 80 THEN 4 WHEN h2 % 100 < 92 THEN 3 \
                   WHEN h2 % 100 < 97 THEN 2 ELSE 1 END";
    let (clamp_lo, clamp_hi) = match d {
        Dialect::Sqlite => ("max", "min"),
        Dialect::Postgres => ("GREATEST", "LEAST"),
    };
    // Aspect k: "not applicable" one time in 16, else the overall score give or take one.
    let aspects: Vec<String> = (1..=5)
        .map(|k| {
            let u = format!("((h2 >> {}) % 16)", 8 + 4 * k);
            format!(
                "CASE WHEN {u} = 0 THEN NULL ELSE {clamp_lo}(1, {clamp_hi}(5, o + {u} % 3 - 1)) END"
            )
        })
        .collect();
    let comment =
        format!("CASE WHEN (h >> 4) % 1000 < {per_mille} THEN 'ความเห็นทดสอบ ' || i ELSE NULL END");
    match d {
        Dialect::Sqlite => format!(
            "INSERT INTO ratings (service_point_id, manual_id, received_at, day, overall, process, staff, place, result, information, comment) \
             WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {last}), \
             g AS (SELECT i, {hashes}, date('{FY_START}', '+' || (i * {FY_DAYS} / {n}) || ' days') AS day FROM s), \
             r AS (SELECT *, {overall} AS o FROM g) \
             SELECT p.point, NULL, \
             day || 'T' || printf('%02d:%02d:%02d', 1 + (h2 >> 24) % 9, (h >> 20) % 60, (h2 >> 2) % 60) || '+00:00', \
             day, o, {a}, {comment} \
             FROM r JOIN bench_points p ON p.idx = (h >> 12) % {points}",
            last = n - 1,
            a = aspects.join(", "),
        ),
        Dialect::Postgres => format!(
            "INSERT INTO ratings (service_point_id, manual_id, received_at, day, overall, process, staff, place, result, information, comment) \
             WITH g AS (SELECT i, {hashes}, DATE '{FY_START}' + CAST(i * {FY_DAYS} / {n} AS INTEGER) AS day \
             FROM generate_series(CAST(0 AS BIGINT), {last}) AS s(i)), \
             r AS (SELECT *, {overall} AS o FROM g) \
             SELECT p.point, NULL, \
             (CAST(day AS TIMESTAMP) + make_interval(hours => CAST(1 + (h2 >> 24) % 9 AS INTEGER), \
             mins => CAST((h >> 20) % 60 AS INTEGER), secs => (h2 >> 2) % 60)) AT TIME ZONE 'UTC', \
             day, o, {a}, {comment} \
             FROM r JOIN bench_points p ON p.idx = (h >> 12) % {points}",
            last = n - 1,
            a = aspects.join(", "),
        ),
    }
}

/// Median and 95th percentile (nearest rank) of timings in ms, with the extremes.
fn stats(mut ms: Vec<f64>) -> serde_json::Value {
    ms.sort_by(f64::total_cmp);
    let rank = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    let median = if ms.len() % 2 == 1 {
        ms[ms.len() / 2]
    } else {
        (ms[ms.len() / 2 - 1] + ms[ms.len() / 2]) / 2.0
    };
    let r = |x: f64| (x * 100.0).round() / 100.0;
    json!({
        "runs": ms.len(),
        "median_ms": r(median),
        "p95_ms": r(rank(0.95)),
        "min_ms": r(ms[0]),
        "max_ms": r(ms[ms.len() - 1]),
    })
}

/// Time a series may take: past it, a slow report stops after this many runs.
const BUDGET: Duration = Duration::from_secs(60);
const FEWEST_RUNS: usize = 5;

/// Whether a series that has taken `spent` over `done` runs goes on to `runs`.
fn more(done: usize, runs: usize, spent: Duration) -> bool {
    done < runs && (done < FEWEST_RUNS || spent < BUDGET)
}

/// Runs `f` once to warm up, then up to `runs` times (fewer, but at least
/// [`FEWEST_RUNS`], once the series has taken [`BUDGET`]), timing each.
async fn timed<F, Fut, T>(runs: usize, mut f: F) -> Result<(serde_json::Value, T)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let series = Instant::now();
    let mut last = f().await?;
    let mut ms = Vec::with_capacity(runs);
    while more(ms.len(), runs, series.elapsed()) {
        let started = Instant::now();
        last = f().await?;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((stats(ms), last))
}

/// A GET on one kept-alive connection: status and body length.
async fn http_get(
    conn: &mut Option<BufReader<TcpStream>>,
    server: SocketAddr,
    path: &str,
    cookie: &str,
) -> Result<(u16, usize)> {
    if conn.is_none() {
        let s = TcpStream::connect(server).await?;
        s.set_nodelay(true)?;
        *conn = Some(BufReader::new(s));
    }
    let r = conn.as_mut().expect("connected");
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {server}\r\nCookie: {cookie}\r\nAccept: application/json\r\nUser-Agent: report-scale\r\n\r\n"
    );
    r.get_mut().write_all(req.as_bytes()).await?;
    let mut line = String::new();
    r.read_line(&mut line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("status line")?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            bail!("connection closed");
        }
        let l = line.trim_end().to_ascii_lowercase();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        } else if l.starts_with("transfer-encoding:") && l.contains("chunked") {
            chunked = true;
        }
    }
    let mut total = 0;
    if let Some(n) = length {
        let mut buf = vec![0; n];
        r.read_exact(&mut buf).await?;
        total = n;
    } else if chunked {
        loop {
            line.clear();
            r.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16).context("chunk size")?;
            let mut buf = vec![0; size + 2];
            r.read_exact(&mut buf).await?;
            total += size;
            if size == 0 {
                break;
            }
        }
    }
    Ok((status, total))
}

/// What a report's figures are made of, timed alone: every rollup row of the node in
/// the period, fetched whole (daily rows for a period of up to 62 days, as a daily
/// trend needs, else the fewest that cover it), the latest comments, and every rollup
/// row of one child unit. They show how much there is to read; the reports may have
/// the database sum it first.
async fn parts(
    out: &mut Vec<serde_json::Value>,
    db: &storage::Db,
    runs: usize,
    node: i64,
    key: &str,
    period: &Period,
) -> Result<()> {
    let fewest: Vec<_> = period
        .spans()
        .iter()
        .map(|s| {
            let grain = match s.grain {
                Grain::Day => storage::DAY_GRAIN,
                Grain::Month => storage::MONTH_GRAIN,
            };
            (grain, s.from, s.to)
        })
        .collect();
    let preliminary = if period.days() <= 62 {
        vec![(storage::DAY_GRAIN, period.from(), period.to())]
    } else {
        fewest.clone()
    };
    let rows_of = |unit: i64, spans: &Vec<_>| {
        let spans = spans.clone();
        async move {
            let mut n = 0;
            for (grain, from, to) in spans {
                n += db.rollups(unit, grain, from, to).await?.len();
            }
            Ok::<_, anyhow::Error>(n)
        }
    };
    let (s, n) = timed(runs, || rows_of(node, &preliminary)).await?;
    out.push(json!({"name": "part: the node's rollup rows, fetched whole", "period": key, "via": "in-process", "stats": s, "rows": n}));
    let (s, (shown, _)) = timed(runs, || async {
        Ok(db
            .comments(node, period.from(), period.to(), false, 10, 0)
            .await?)
    })
    .await?;
    out.push(json!({"name": "part: the latest comments", "period": key, "via": "in-process", "stats": s, "comments": shown.len()}));
    if let Some((child, ..)) = db.child_units(node).await?.first() {
        let (s, n) = timed(runs, || rows_of(*child, &fewest)).await?;
        out.push(json!({"name": "part: one child's rollup rows, fetched whole", "period": key, "via": "in-process", "stats": s, "rows": n}));
    }
    Ok(())
}

fn app_error(e: app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// Like [`timed`], for a GET on one kept-alive connection: the timings and the body's
/// length. A report's timeout answers 503: that fails the series.
async fn http_timed(
    runs: usize,
    server: SocketAddr,
    path: &str,
    cookie: &str,
) -> Result<(serde_json::Value, usize)> {
    let mut conn = None;
    let mut ms = Vec::with_capacity(runs);
    let series = Instant::now();
    let mut warm = false;
    let mut bytes = 0;
    while !warm || more(ms.len(), runs, series.elapsed()) {
        let started = Instant::now();
        let (status, n) = http_get(&mut conn, server, path, cookie).await?;
        if status != 200 {
            bail!("GET {path}: {status}");
        }
        if warm {
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        warm = true;
        bytes = n;
    }
    Ok((stats(ms), bytes))
}

async fn time(
    url: &str,
    department: &UnitCode,
    runs: usize,
    periods: &str,
    http: Option<(SocketAddr, String)>,
    label: &str,
) -> Result<()> {
    let db = storage::Db::connect(url).await?;
    let app = app::App::for_console(db.clone());
    let caller = app::Caller::console();
    let ratings = db.rating_count().await?;
    let mut out = Vec::new();
    let (s, _) = timed(runs, || async { Ok(db.ping().await?) }).await?;
    out.push(json!({"name": "baseline: SELECT 1", "via": "in-process", "stats": s}));
    let (s, node) = timed(runs, || async {
        reports::node(&app, &caller, department)
            .await
            .map_err(app_error)
    })
    .await?;
    out.push(
        json!({"name": "baseline: the report's node and rights", "via": "in-process", "stats": s}),
    );
    eprintln!(
        "{}: {} ({}), {ratings} ratings",
        node.code, node.name, node.kind
    );
    for key in periods.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let period = Period::parse(key).map_err(|e| anyhow::anyhow!("{key}: {}", e.en))?;
        parts(&mut out, &db, runs, node.id, key, &period).await?;
        let (s, p) = timed(runs, || async {
            reports::preliminary(&app, &caller, department, period, AreaLevel::Province)
                .await
                .map_err(app_error)
        })
        .await?;
        out.push(json!({
            "name": "preliminary", "period": key, "via": "in-process", "stats": s,
            "ratings": p.sums.ratings(), "trend_points": p.trend.len(), "areas": p.areas.len(),
            "comments_in_period": p.comment_total,
        }));
        eprintln!("preliminary {key}: {s}");
        // The first page of children, as the screen and the JSON give it, then every
        // child, as the file exports do.
        for (name, rows) in [
            (
                "summary",
                ChildRows::Page {
                    page: 1,
                    per_page: 100,
                },
            ),
            ("summary, every child (files)", ChildRows::All),
        ] {
            let (s, r) = timed(runs, || async {
                reports::summary(&app, &caller, department, period, AreaLevel::Province, rows)
                    .await
                    .map_err(app_error)
            })
            .await?;
            out.push(json!({
                "name": name, "period": key, "via": "in-process", "stats": s,
                "ratings": r.sums.ratings(), "children": r.children.len(),
                "children_total": r.child_total, "areas": r.areas.len(),
            }));
            eprintln!("{name} {key}: {s}");
        }
    }
    if let Some((server, cookie)) = &http {
        if !server.ip().is_loopback() {
            bail!("only a server on loopback");
        }
        let (s, bytes) = http_timed(runs, *server, "/api/v1/me", cookie).await?;
        out.push(
            json!({"name": "baseline: GET /api/v1/me", "via": "http", "stats": s, "bytes": bytes}),
        );
        for key in periods.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            for report in ["preliminary", "summary"] {
                let path = format!("/api/v1/staff/reports/{report}?unit={department}&period={key}");
                let (s, bytes) = http_timed(runs, *server, &path, cookie).await?;
                out.push(json!({"name": report, "period": key, "via": "http", "stats": s, "bytes": bytes}));
                eprintln!("{report} {key} over HTTP: {s}");
            }
        }
    }
    println!(
        "{}",
        json!({
            "label": label,
            "database": if url.starts_with("sqlite:") { "sqlite" } else { "postgres" },
            "department": department.as_str(),
            "ratings": ratings,
            "timings": out,
        })
    );
    Ok(())
}
