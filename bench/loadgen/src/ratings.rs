//! Citizen ratings under load, on loopback: the tools of `bench/ratings.sh` and
//! `bench/ratings-fault.sh`.
//!
//! - `posters` gives every service point a poster, straight into the database (the
//!   portal makes them one at a time, when first needed), and lists the tokens of
//!   those that take ratings;
//! - `load` runs closed-loop clients against the server: first each fetches form
//!   tokens (`GET /api/v1/ratings/{token}`), then, once the newest token is older than
//!   the least time to fill a form, every client POSTs ratings to random posters as
//!   fast as the answers come, each request with its own User-Agent, each connection
//!   from its own loopback source address (so that the per-client and per-address
//!   limits see many citizens, as they would in the field). With `--ceiling` the same
//!   clients GET the server's fixed response instead: the most any route can do.
//!   With `--markers` every rating carries a unique marker in its comment and the fate
//!   of each is written out, for `check`;
//! - `check` compares those outcomes with what the database holds after a crash;
//! - `count`, `createdb` and `dropdb` are small helpers of the scripts.
//!
//! Loopback only: `load` refuses any other address.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{ConnectOptions, Connection};
use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

#[derive(Parser, Debug)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make a poster for every service point without one; write the tokens of the
    /// posters that take ratings, one a line.
    Posters {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the number of ratings stored.
    Count {
        #[arg(long)]
        database_url: String,
    },
    /// Make an empty PostgreSQL database, dropping one of the same name first.
    Createdb {
        /// postgres://USER@HOST:PORT/NAME
        #[arg(long)]
        url: String,
    },
    /// Drop a PostgreSQL database if it exists.
    Dropdb {
        /// postgres://USER@HOST:PORT/NAME
        #[arg(long)]
        url: String,
    },
    /// Closed-loop clients against a running server.
    Load(Box<LoadArgs>),
    /// After a crash: which of the markers of a `load --markers` run are stored.
    /// Exits with 1 when an acknowledged rating is missing.
    Check {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        markers: PathBuf,
        /// Name of the case in the output.
        #[arg(long, default_value = "fault")]
        label: String,
    },
}

#[derive(clap::Args, Debug)]
struct LoadArgs {
    /// Server address (loopback only).
    #[arg(long)]
    addr: SocketAddr,
    /// Poster tokens, one a line (from `posters`); not needed with `--ceiling`.
    #[arg(long)]
    tokens: Option<PathBuf>,
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Length of the timed part, in seconds.
    #[arg(long, default_value_t = 30.0)]
    seconds: f64,
    /// Fetch form tokens for this many posters (taken at random); 0 for every poster.
    #[arg(long, default_value_t = 0)]
    posters: usize,
    /// GET `/_bench/ceiling?bytes=N` instead of rating.
    #[arg(long)]
    ceiling: Option<usize>,
    /// Requests on one connection before the client opens the next one, from the next
    /// source address; 1 for a new connection per request.
    #[arg(long, default_value_t = 10)]
    per_connection: u64,
    /// One rating in this many carries a comment (0: none).
    #[arg(long, default_value_t = 5)]
    comment_every: u64,
    /// Give every rating the comment `bench-<n>` and write each marker's outcome to this
    /// file. A client stops when it can no longer connect (the server is gone).
    #[arg(long)]
    markers: Option<PathBuf>,
    /// File created when the timed part starts (for a script that must act during it).
    #[arg(long)]
    started: Option<PathBuf>,
    #[arg(long, default_value = "ratings")]
    label: String,
    /// Seed of the choice of posters and scores.
    #[arg(long, default_value_t = 2569)]
    seed: u64,
    /// The server's process id: its threads' CPU time and context switches over the
    /// timed part go in the output.
    #[arg(long)]
    server_pid: Option<u32>,
}

/// The least time between serving a form and taking its submission, with room for the
/// token's time being in whole seconds.
const FORM_AGE: Duration = Duration::from_millis(3_500);

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Posters { database_url, out } => posters(&database_url, &out).await,
        Command::Count { database_url } => {
            let db = Pool::connect(&database_url).await?;
            println!("{}", db.scalar("SELECT COUNT(*) FROM ratings").await?);
            Ok(())
        }
        Command::Createdb { url } => createdb(&url, true).await,
        Command::Dropdb { url } => createdb(&url, false).await,
        Command::Load(args) => load(*args).await,
        Command::Check {
            database_url,
            markers,
            label,
        } => check(&database_url, &markers, &label).await,
    }
}

/// The two databases the portal runs on, for the few statements these tools need.
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    async fn connect(url: &str) -> Result<Pool> {
        Ok(if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?.busy_timeout(Duration::from_secs(30));
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(opts)
                    .await?,
            )
        } else {
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(PgConnectOptions::from_str(url)?)
                    .await?,
            )
        })
    }

    async fn execute(&self, sql: &'static str) -> Result<u64> {
        Ok(match self {
            Pool::Sqlite(p) => sqlx::query(sql).execute(p).await?.rows_affected(),
            Pool::Postgres(p) => sqlx::query(sql).execute(p).await?.rows_affected(),
        })
    }

    async fn scalar(&self, sql: &'static str) -> Result<i64> {
        Ok(match self {
            Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
            Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
        })
    }

    async fn strings(&self, sql: &'static str) -> Result<Vec<String>> {
        Ok(match self {
            Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
            Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
        })
    }
}

async fn posters(url: &str, out: &std::path::Path) -> Result<()> {
    let db = Pool::connect(url).await?;
    // Tokens as `posters::fresh_token` makes them: letters and digits, 10 to 64; times
    // in the text form the portal writes on SQLite.
    let made = match db {
        Pool::Sqlite(_) => {
            db.execute(
                "INSERT INTO posters (service_point_id, token, enabled, downloads, created_at, token_since) \
                 SELECT unit_id, lower(hex(randomblob(13))), 1, 0, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' \
                 FROM service_points WHERE unit_id NOT IN (SELECT service_point_id FROM posters)",
            )
            .await?
        }
        Pool::Postgres(_) => {
            db.execute(
                "INSERT INTO posters (service_point_id, token, enabled, downloads, created_at, token_since) \
                 SELECT unit_id, md5(random()::text || unit_id::text), TRUE, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM service_points WHERE unit_id NOT IN (SELECT service_point_id FROM posters)",
            )
            .await?
        }
    };
    let tokens = db
        .strings(
            "SELECT po.token FROM posters po JOIN service_points sp ON sp.unit_id = po.service_point_id \
             WHERE po.enabled AND sp.archived_at IS NULL ORDER BY po.service_point_id",
        )
        .await?;
    std::fs::write(out, tokens.join("\n") + "\n")?;
    eprintln!(
        "posters: {made} made, {} taking ratings, listed in {}",
        tokens.len(),
        out.display()
    );
    Ok(())
}

/// Drops the database the URL names, and makes it anew when `make`.
async fn createdb(url: &str, make: bool) -> Result<()> {
    let opts = PgConnectOptions::from_str(url)?;
    let name = opts
        .get_database()
        .context("the URL names no database")?
        .to_owned();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        bail!("a database name of letters, digits and _ only, not {name:?}");
    }
    let mut conn = opts.clone().database("postgres").connect().await?;
    let mut statements = vec![format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")];
    if make {
        statements.push(format!("CREATE DATABASE {name}"));
    }
    for sql in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await?;
    Ok(())
}

/// A small, fast generator (xorshift64*): the benchmark needs spread, not secrecy.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Loopback source addresses, each used by one connection: 127.1.0.0 upwards, so as
/// not to share 127.0.0.1 with anything else on the machine.
static NEXT_SOURCE: AtomicU32 = AtomicU32::new(0);

fn next_source() -> Ipv4Addr {
    let n = NEXT_SOURCE.fetch_add(1, Ordering::Relaxed) % 0x00FE_FFFE;
    Ipv4Addr::from(0x7F01_0000 + n)
}

async fn connect(server: SocketAddr) -> std::io::Result<BufReader<TcpStream>> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(next_source()), 0))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    Ok(BufReader::with_capacity(16 * 1024, stream))
}

/// Reads one response: its status, its body, and whether the server keeps the
/// connection open.
async fn read_response(r: &mut BufReader<TcpStream>) -> Result<(u16, Vec<u8>, bool)> {
    let mut line = String::new();
    if r.read_line(&mut line).await? == 0 {
        bail!("connection closed");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("status line")?;
    let (mut length, mut chunked, mut keep) = (None, false, true);
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            bail!("connection closed in the headers");
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        } else if lower.starts_with("connection:") && lower.contains("close") {
            keep = false;
        }
    }
    let mut body = Vec::new();
    if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body).await?;
    } else if chunked {
        loop {
            line.clear();
            r.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16).context("chunk size")?;
            let at = body.len();
            body.resize(at + size + 2, 0);
            r.read_exact(&mut body[at..]).await?;
            body.truncate(at + size);
            if size == 0 {
                break;
            }
        }
    }
    Ok((status, body, keep))
}

/// One client's connection, renewed from a new source address every `per_connection`
/// requests or when the server closes it.
struct Conn {
    server: SocketAddr,
    per_connection: u64,
    stream: Option<BufReader<TcpStream>>,
    used: u64,
}

/// How a request ended.
enum Sent {
    Answer(u16, Vec<u8>),
    /// The request was written (or partly) but no whole answer came.
    NoAnswer,
    /// No connection could be made: the request never left.
    NoConnection,
}

impl Conn {
    fn new(server: SocketAddr, per_connection: u64) -> Conn {
        Conn {
            server,
            per_connection: per_connection.max(1),
            stream: None,
            used: 0,
        }
    }

    async fn send(&mut self, request: &[u8]) -> Sent {
        if self.stream.is_none() || self.used >= self.per_connection {
            self.stream = match connect(self.server).await {
                Ok(s) => Some(s),
                Err(_) => return Sent::NoConnection,
            };
            self.used = 0;
        }
        self.used += 1;
        let s = self.stream.as_mut().expect("connected");
        let answer = async {
            s.get_mut().write_all(request).await?;
            read_response(s).await
        }
        .await;
        match answer {
            Ok((status, body, keep)) => {
                if !keep {
                    self.stream = None;
                }
                Sent::Answer(status, body)
            }
            Err(_) => {
                self.stream = None;
                Sent::NoAnswer
            }
        }
    }
}

const ASPECTS: [&str; 5] = ["process", "staff", "place", "result", "information"];
const COMMENTS: [&str; 4] = [
    "เจ้าหน้าที่ให้บริการดี รวดเร็ว ขอบคุณครับ",
    "รอคิวนานเกินไป ที่จอดรถไม่พอ",
    "Clear explanation, but the queue was long.",
    "สถานที่สะอาด แต่ป้ายบอกทางไม่ชัดเจน",
];

/// A plausible rating: mostly satisfied, aspects near the overall score, some "not
/// applicable".
fn rating_body(rng: &mut Rng, form_token: &str, comment: Option<&str>) -> String {
    let overall = match rng.below(100) {
        0..45 => 5,
        45..80 => 4,
        80..92 => 3,
        92..97 => 2,
        _ => 1,
    };
    let mut dims = serde_json::Map::new();
    for a in ASPECTS {
        let v = if rng.below(10) == 0 {
            json!("na")
        } else {
            json!((overall as i64 + rng.below(3) as i64 - 1).clamp(1, 5))
        };
        dims.insert(a.to_owned(), v);
    }
    let mut body = json!({
        "form_token": form_token,
        "overall": overall,
        "dimensions": dims,
        "service": "other",
    });
    if let Some(c) = comment {
        body["comment"] = json!(c);
    }
    body.to_string()
}

fn post(host: &SocketAddr, path: &str, user_agent: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\n\
         Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn get(host: &SocketAddr, path: &str, user_agent: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\nAccept: application/json\r\n\r\n"
    )
    .into_bytes()
}

/// A user agent of its own for every request, shaped like a phone's.
fn user_agent(client: usize, n: u64) -> String {
    format!(
        "Mozilla/5.0 (Linux; Android 14; bench-{client}) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/131.0.{n}.0 Mobile Safari/537.36"
    )
}

/// What became of the marked ratings of one client.
#[derive(Default)]
struct Marks {
    acked: Vec<u64>,
    refused: Vec<(u64, u16)>,
    unanswered: Vec<u64>,
}

#[derive(Default)]
struct Tally {
    /// Latency of each answer that succeeded (201, or 200 for the ceiling), µs.
    ok_us: Vec<u64>,
    /// Latency of every answer, µs.
    all_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    no_answer: u64,
    no_connection: u64,
    marks: Marks,
}

/// Form tokens of the posters in `chosen`, fetched by `clients` workers: (poster, form
/// token) and the statuses of the answers.
async fn fetch_forms(
    args: &LoadArgs,
    chosen: Vec<String>,
) -> Result<(Vec<(String, String)>, BTreeMap<u16, u64>)> {
    let chosen = Arc::new(chosen);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let (chosen, next) = (chosen.clone(), next.clone());
        let (server, per_connection) = (args.addr, args.per_connection);
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(server, per_connection);
            let mut forms = Vec::new();
            let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
            let mut n = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(poster) = chosen.get(i) else {
                    break;
                };
                n += 1;
                let req = get(
                    &server,
                    &format!("/api/v1/ratings/{poster}"),
                    &user_agent(c, n),
                );
                match conn.send(&req).await {
                    Sent::Answer(status, body) => {
                        *statuses.entry(status).or_default() += 1;
                        if status == 200
                            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body)
                            && let Some(t) = v["form_token"].as_str()
                        {
                            forms.push((poster.clone(), t.to_owned()));
                        }
                    }
                    Sent::NoAnswer | Sent::NoConnection => *statuses.entry(0).or_default() += 1,
                }
            }
            (forms, statuses)
        }));
    }
    let mut forms = Vec::new();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    for t in tasks {
        let (f, s) = t.await?;
        forms.extend(f);
        for (k, v) in s {
            *statuses.entry(k).or_default() += v;
        }
    }
    Ok((forms, statuses))
}

struct Plan {
    server: SocketAddr,
    forms: Vec<(String, String)>,
    ceiling: Option<usize>,
    per_connection: u64,
    comment_every: u64,
    marked: bool,
    seed: u64,
}

async fn client(c: usize, plan: Arc<Plan>, marker: Arc<AtomicU64>, end: Instant) -> Tally {
    let mut t = Tally::default();
    let mut rng = Rng::new(plan.seed ^ (c as u64 + 1).wrapping_mul(0x1000_0001));
    let mut conn = Conn::new(plan.server, plan.per_connection);
    let ceiling_path = plan.ceiling.map(|b| format!("/_bench/ceiling?bytes={b}"));
    let mut n = 0u64;
    while Instant::now() < end {
        n += 1;
        let ua = user_agent(c, n);
        let mut mark = None;
        let req = if let Some(path) = &ceiling_path {
            get(&plan.server, path, &ua)
        } else {
            let (poster, form) = &plan.forms[rng.below(plan.forms.len() as u64) as usize];
            let comment = if plan.marked {
                let m = marker.fetch_add(1, Ordering::Relaxed);
                mark = Some(m);
                Some(format!("bench-{m}"))
            } else if plan.comment_every > 0 && rng.below(plan.comment_every) == 0 {
                Some(COMMENTS[rng.below(COMMENTS.len() as u64) as usize].to_owned())
            } else {
                None
            };
            let body = rating_body(&mut rng, form, comment.as_deref());
            post(
                &plan.server,
                &format!("/api/v1/ratings/{poster}"),
                &ua,
                &body,
            )
        };
        let ok_status = if plan.ceiling.is_some() { 200 } else { 201 };
        let started = Instant::now();
        match conn.send(&req).await {
            Sent::Answer(status, _) => {
                let us = started.elapsed().as_micros() as u64;
                t.all_us.push(us);
                *t.statuses.entry(status).or_default() += 1;
                if status == ok_status {
                    t.ok_us.push(us);
                }
                if let Some(m) = mark {
                    if status == 201 {
                        t.marks.acked.push(m);
                    } else {
                        t.marks.refused.push((m, status));
                    }
                }
            }
            Sent::NoAnswer => {
                t.no_answer += 1;
                if let Some(m) = mark {
                    t.marks.unanswered.push(m);
                }
            }
            Sent::NoConnection => {
                t.no_connection += 1;
                if plan.marked {
                    // The server is gone: what matters now is what it acknowledged.
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    t
}

/// Per thread id: its name, CPU time (s) and context switches.
type Threads = BTreeMap<u32, (String, f64, u64)>;

/// The threads of a process.
fn threads_of(pid: u32) -> Threads {
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for e in dir.flatten() {
        let Some(tid) = e.file_name().to_str().and_then(|t| t.parse().ok()) else {
            continue;
        };
        let path = e.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let cpu = std::fs::read_to_string(path.join("stat"))
            .ok()
            .and_then(|s| cpu_of_stat(&s));
        let switches: u64 = std::fs::read_to_string(path.join("status"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        if let Some(cpu) = cpu {
            out.insert(tid, (name.trim().to_owned(), cpu, switches));
        }
    }
    out
}

/// User and system time of a `/proc/…/stat` line, in seconds (at Linux's 100 ticks a
/// second).
fn cpu_of_stat(stat: &str) -> Option<f64> {
    // The name in parentheses may hold spaces: count the fields after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Busy and total ticks of the whole machine.
fn machine_ticks() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: f64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0.0) + v.get(4).copied().unwrap_or(0.0);
    (total - idle, total)
}

/// What the machine did during the timed part: the server's threads, this process,
/// and everything else.
struct Usage {
    server: Option<(u32, Threads)>,
    own: f64,
    machine: (f64, f64),
}

impl Usage {
    fn start(server: Option<u32>) -> Usage {
        Usage {
            server: server.map(|p| (p, threads_of(p))),
            own: own_cpu(),
            machine: machine_ticks(),
        }
    }

    fn report(&self, seconds: f64, ok: usize) -> serde_json::Value {
        let (busy, total) = machine_ticks();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let busy_share = (busy - self.machine.0) / (total - self.machine.1).max(1.0);
        let mut out = json!({
            "machine_busy_cores": round2(busy_share * cores),
            "loadgen_cpu_seconds": round2(own_cpu() - self.own),
            "loadavg": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        });
        if let Some((pid, before)) = &self.server {
            let after = threads_of(*pid);
            let mut threads: Vec<(String, f64, u64)> = after
                .iter()
                .map(|(tid, (name, cpu, sw))| {
                    let (c0, s0) = before.get(tid).map_or((0.0, 0), |b| (b.1, b.2));
                    (name.clone(), cpu - c0, sw - s0.min(*sw))
                })
                .filter(|t| t.1 > 0.0 || t.2 > 0)
                .collect();
            threads.sort_by(|a, b| b.1.total_cmp(&a.1));
            let cpu: f64 = threads.iter().map(|t| t.1).sum();
            let switches: u64 = threads.iter().map(|t| t.2).sum();
            out["server_cpu_seconds"] = json!(round2(cpu));
            out["server_cores"] = json!(round2(cpu / seconds));
            out["server_context_switches"] = json!(switches);
            if ok > 0 {
                out["server_cpu_ms_per_ok"] = json!(round3(cpu * 1000.0 / ok as f64));
                out["server_switches_per_ok"] = json!(round2(switches as f64 / ok as f64));
            }
            out["server_threads"] = threads
                .iter()
                .take(12)
                .map(|(n, c, s)| json!({"name": n, "cpu_seconds": round2(*c), "switches": s}))
                .collect();
        }
        out
    }
}

fn own_cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| cpu_of_stat(&s))
        .unwrap_or(0.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn percentile_ms(sorted: &[u64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    Some((sorted[i] as f64 / 10.0).round() / 100.0)
}

async fn load(args: LoadArgs) -> Result<()> {
    if !args.addr.ip().is_loopback() {
        bail!("the load generator only targets loopback addresses");
    }
    let mut forms = Vec::new();
    let mut fetch = json!(null);
    if args.ceiling.is_none() {
        let path = args.tokens.as_ref().context("--tokens is needed to rate")?;
        let mut tokens: Vec<String> = std::fs::read_to_string(path)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let mut rng = Rng::new(args.seed);
        // A partial Fisher–Yates shuffle picks the posters without repeats.
        let want = if args.posters == 0 {
            tokens.len()
        } else {
            args.posters.min(tokens.len())
        };
        for i in 0..want {
            let j = i + rng.below((tokens.len() - i) as u64) as usize;
            tokens.swap(i, j);
        }
        tokens.truncate(want);
        let started = Instant::now();
        let (got, statuses) = fetch_forms(&args, tokens).await?;
        let secs = started.elapsed().as_secs_f64();
        if got.is_empty() {
            bail!("no form token could be fetched: {statuses:?}");
        }
        fetch = json!({
            "posters": want,
            "form_tokens": got.len(),
            "seconds": round2(secs),
            "per_second": (got.len() as f64 / secs).round(),
            "statuses": statuses.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        });
        forms = got;
        tokio::time::sleep(FORM_AGE).await;
    }
    let plan = Arc::new(Plan {
        server: args.addr,
        forms,
        ceiling: args.ceiling,
        per_connection: args.per_connection,
        comment_every: args.comment_every,
        marked: args.markers.is_some(),
        seed: args.seed,
    });
    let marker = Arc::new(AtomicU64::new(1));
    if let Some(f) = &args.started {
        std::fs::write(f, b"")?;
    }
    let usage = Usage::start(args.server_pid);
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(args.seconds);
    let tasks: Vec<_> = (0..args.clients)
        .map(|c| tokio::spawn(client(c, plan.clone(), marker.clone(), end)))
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await?;
        all.ok_us.extend(t.ok_us);
        all.all_us.extend(t.all_us);
        for (k, v) in t.statuses {
            *all.statuses.entry(k).or_default() += v;
        }
        all.no_answer += t.no_answer;
        all.no_connection += t.no_connection;
        all.marks.acked.extend(t.marks.acked);
        all.marks.refused.extend(t.marks.refused);
        all.marks.unanswered.extend(t.marks.unanswered);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let usage = usage.report(elapsed, all.ok_us.len());
    all.ok_us.sort_unstable();
    all.all_us.sort_unstable();
    let ok_status = if args.ceiling.is_some() { 200 } else { 201 };
    let others: serde_json::Map<String, serde_json::Value> = all
        .statuses
        .iter()
        .filter(|(k, _)| **k != ok_status)
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let out = json!({
        "label": args.label,
        "kind": if args.ceiling.is_some() { "ceiling" } else { "ratings" },
        "clients": args.clients,
        "per_connection": args.per_connection,
        "seconds": round2(elapsed),
        "ok_status": ok_status,
        "ok": all.ok_us.len(),
        "ok_per_second": (all.ok_us.len() as f64 / elapsed).round(),
        "answers": all.all_us.len(),
        "p50_ms": percentile_ms(&all.ok_us, 0.50),
        "p90_ms": percentile_ms(&all.ok_us, 0.90),
        "p99_ms": percentile_ms(&all.ok_us, 0.99),
        "max_ms": percentile_ms(&all.ok_us, 1.0),
        "all_answers_p99_ms": percentile_ms(&all.all_us, 0.99),
        "other_statuses": others,
        "no_answer": all.no_answer,
        "no_connection": all.no_connection,
        "source_addresses": NEXT_SOURCE.load(Ordering::Relaxed),
        "form_fetch": fetch,
        "usage": usage,
    });
    if let Some(path) = &args.markers {
        let m = &all.marks;
        std::fs::write(
            path,
            json!({
                "acked": m.acked,
                "refused": m.refused,
                "unanswered": m.unanswered,
            })
            .to_string(),
        )?;
    }
    println!("{out}");
    Ok(())
}

async fn check(url: &str, markers: &std::path::Path, label: &str) -> Result<()> {
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(markers)?)?;
    let ids = |key: &str| -> HashSet<u64> {
        m[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_u64().or_else(|| v.get(0).and_then(|x| x.as_u64())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (acked, refused, unanswered) = (ids("acked"), ids("refused"), ids("unanswered"));
    let db = Pool::connect(url).await?;
    let rows = db
        .strings("SELECT comment FROM ratings WHERE comment LIKE 'bench-%'")
        .await?;
    let mut stored: HashSet<u64> = HashSet::new();
    let mut duplicates = 0;
    for r in &rows {
        if let Some(n) = r.strip_prefix("bench-").and_then(|n| n.parse().ok())
            && !stored.insert(n)
        {
            duplicates += 1;
        }
    }
    let lost = acked.difference(&stored).count();
    let out = json!({
        "label": label,
        "acknowledged": acked.len(),
        "lost": lost,
        "unacknowledged_stored": unanswered.intersection(&stored).count(),
        "unacknowledged_absent": unanswered.difference(&stored).count(),
        "refused": refused.len(),
        "refused_but_stored": refused.intersection(&stored).count(),
        "stored_markers": stored.len(),
        "stored_twice": duplicates,
    });
    println!("{out}");
    if lost > 0 {
        eprintln!("{label}: {lost} acknowledged ratings are not stored");
        std::process::exit(1);
    }
    Ok(())
}
