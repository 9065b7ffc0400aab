//! A small open-loop HTTP/1.1 load generator for the benchmarks in `bench/`.
//!
//! At a fixed rate, request i is due at `start + i / rate`; its latency is measured from
//! that due time, not from when a connection became free, so a slow server cannot hide
//! its queueing (no coordinated omission). With `--rate 0` it runs closed-loop, each
//! connection sending as fast as answers come, to find the maximum throughput.
//! Loopback only: it refuses any other address.

use anyhow::{Context, Result, bail};
use clap::Parser;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Parser, Debug)]
struct Args {
    /// Server address, e.g. 127.0.0.1:8080 (loopback only).
    #[arg(long)]
    addr: SocketAddr,
    /// File with one request path per line, used round-robin.
    #[arg(long)]
    paths: std::path::PathBuf,
    /// Requests per second; 0 for closed-loop maximum throughput.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Name of the scenario in the output.
    #[arg(long, default_value = "run")]
    label: String,
}

struct Outcome {
    latencies_us: Vec<u64>,
    errors: u64,
    bytes: u64,
}

async fn read_response(r: &mut BufReader<TcpStream>) -> Result<(u16, u64)> {
    let mut line = String::new();
    if r.read_line(&mut line).await? == 0 {
        bail!("connection closed");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("status line")?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        r.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<u64>().ok();
        } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let mut total = 0;
    if let Some(n) = length {
        let mut buf = vec![0; n as usize];
        r.read_exact(&mut buf).await?;
        total = n;
    } else if chunked {
        loop {
            line.clear();
            r.read_line(&mut line).await?;
            let size = u64::from_str_radix(line.trim(), 16).context("chunk size")?;
            let mut buf = vec![0; size as usize + 2];
            r.read_exact(&mut buf).await?;
            total += size;
            if size == 0 {
                break;
            }
        }
    }
    Ok((status, total))
}

async fn connection(
    args: Arc<Args>,
    paths: Arc<Vec<String>>,
    next: Arc<AtomicU64>,
    start: Instant,
    end: Instant,
) -> Outcome {
    let mut out = Outcome {
        latencies_us: Vec::new(),
        errors: 0,
        bytes: 0,
    };
    let mut conn: Option<BufReader<TcpStream>> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let due = match (i * 1_000_000_000).checked_div(args.rate) {
            Some(nanos) => start + Duration::from_nanos(nanos),
            None => Instant::now(),
        };
        if due >= end {
            return out;
        }
        // Tokio's timer ticks in milliseconds: sleeping until a time already past would
        // still wait for the next tick and add up to a millisecond to every request.
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        let path = &paths[i as usize % paths.len()];
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: citizeninfo-loadgen\r\n\r\n",
            args.addr
        );
        let result: Result<(u16, u64)> = async {
            if conn.is_none() {
                let s = TcpStream::connect(args.addr).await?;
                s.set_nodelay(true)?;
                conn = Some(BufReader::new(s));
            }
            let c = conn.as_mut().expect("connected");
            c.get_mut().write_all(req.as_bytes()).await?;
            read_response(c).await
        }
        .await;
        match result {
            Ok((200, n)) => {
                out.latencies_us.push(due.elapsed().as_micros() as u64);
                out.bytes += n;
            }
            Ok(_) => out.errors += 1,
            Err(_) => {
                out.errors += 1;
                conn = None;
            }
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Arc::new(Args::parse());
    if !args.addr.ip().is_loopback() {
        bail!("loadgen only targets loopback addresses");
    }
    let paths: Vec<String> = std::fs::read_to_string(&args.paths)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    if paths.is_empty() {
        bail!("no paths in {}", args.paths.display());
    }
    let paths = Arc::new(paths);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now() + Duration::from_millis(50);
    let end = start + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| {
            tokio::spawn(connection(
                args.clone(),
                paths.clone(),
                next.clone(),
                start,
                end,
            ))
        })
        .collect();
    let mut lat = Vec::new();
    let (mut errors, mut bytes) = (0, 0);
    for t in tasks {
        let o = t.await?;
        lat.extend(o.latencies_us);
        errors += o.errors;
        bytes += o.bytes;
    }
    let elapsed = start.elapsed().as_secs_f64().min(args.seconds as f64 + 5.0);
    lat.sort_unstable();
    let ok = lat.len();
    println!(
        "{}",
        serde_json::json!({
            "label": args.label,
            "target_rate": args.rate,
            "ok": ok,
            "errors": errors,
            "throughput_rps": (ok as f64 / elapsed).round(),
            "mean_body_bytes": if ok > 0 { bytes / ok as u64 } else { 0 },
            "p50_ms": percentile(&lat, 0.50),
            "p90_ms": percentile(&lat, 0.90),
            "p99_ms": percentile(&lat, 0.99),
            "max_ms": percentile(&lat, 1.0),
        })
    );
    Ok(())
}
