//! Serving the router over TCP with the limits that a public server needs and
//! `axum::serve` does not have: a deadline for the request head (which is also the idle
//! keep-alive timeout), a deadline for the request body, a write timeout, a time limit
//! for a handler, and caps on the connections held in all and per client address.
//! Without them a few slow clients (partial headers, a header line every few seconds,
//! silent sockets, idle keep-alive) hold connections until the file limit is reached and
//! no one else is answered.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rustc_hash::FxHashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;
use tower_http::timeout::{DeadlineBody, TimeoutError};

/// How long clients may take, and how many connections they may hold.
///
/// The defaults are for citizens on slow and patchy phone networks: generous enough
/// for a request over a weak 3G or EDGE link, a radio waking up or a few lost packets,
/// yet short enough that a connection a client holds without using it costs the
/// server seconds, not forever.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time to receive a whole request head, counted from when the server starts
    /// waiting for it: on a new connection and after every response. The same timer is
    /// therefore the idle keep-alive timeout. 20 s: a head is about a kilobyte, which
    /// even a 10 kbit/s link sends in a second; the rest is room for a slow start.
    pub header_timeout: Duration,
    /// Time to receive a whole request body, from the end of its head, before the time
    /// its declared length takes at 256 kbit/s is added (see
    /// `SLOW_UPLINK_BYTES_PER_SECOND`; the handler's limit grows alike). 60 s: forms and
    /// JSON are a few kilobytes; photos get their minutes from their length.
    pub body_timeout: Duration,
    /// Time a response may make no progress because the client does not read it. 60 s:
    /// a phone that lost coverage for a minute has most likely gone; TCP itself would
    /// keep retrying for a quarter of an hour.
    pub write_timeout: Duration,
    /// Time a handler has to answer, body reception included; longer than the body
    /// deadline so that a slow upload is told 408 rather than 503.
    pub request_timeout: Duration,
    /// Connections held at once, from everyone. Lowered at start to what the process's
    /// file limit leaves after a reserve for the database, mail and files.
    pub max_connections: usize,
    /// Connections held at once from one client address (an IPv6 /64). An office behind
    /// one NAT shares an address: 256 is about forty browsers with six connections each.
    /// Behind a reverse proxy every connection comes from the proxy: set it high, or
    /// `None` for no cap.
    pub max_connections_per_address: Option<usize>,
    /// How long a shutdown waits for requests in flight before closing what is left.
    pub shutdown_grace: Duration,
}

/// The defaults, also those of the command line; the reasons are on the fields of
/// [`ConnectionLimits`].
pub mod defaults {
    pub const HEADER_TIMEOUT_SECONDS: u64 = 20;
    pub const BODY_TIMEOUT_SECONDS: u64 = 60;
    pub const WRITE_TIMEOUT_SECONDS: u64 = 60;
    pub const REQUEST_TIMEOUT_SECONDS: u64 = 90;
    pub const MAX_CONNECTIONS: usize = 4096;
    pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 256;
    pub const SHUTDOWN_GRACE_SECONDS: u64 = 10;
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        use defaults::*;
        Self {
            header_timeout: Duration::from_secs(HEADER_TIMEOUT_SECONDS),
            body_timeout: Duration::from_secs(BODY_TIMEOUT_SECONDS),
            write_timeout: Duration::from_secs(WRITE_TIMEOUT_SECONDS),
            request_timeout: Duration::from_secs(REQUEST_TIMEOUT_SECONDS),
            max_connections: MAX_CONNECTIONS,
            max_connections_per_address: Some(MAX_CONNECTIONS_PER_ADDRESS),
            shutdown_grace: Duration::from_secs(SHUTDOWN_GRACE_SECONDS),
        }
    }
}

/// File descriptors kept free of client connections: the database pool, outgoing mail,
/// the OpenID provider, log and asset files, and the sockets of refused clients.
const RESERVED_FILES: usize = 256;

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets the
/// requests in flight finish for up to `limits.shutdown_grace`, and closes the rest.
/// Each request carries [`ConnectInfo<SocketAddr>`] with the client's address.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut limits = limits;
    fit_to_file_limit(&mut limits);
    tracing::info!(
        header_timeout = limits.header_timeout.as_secs_f32(),
        body_timeout = limits.body_timeout.as_secs_f32(),
        write_timeout = limits.write_timeout.as_secs_f32(),
        request_timeout = limits.request_timeout.as_secs_f32(),
        max_connections = limits.max_connections,
        max_connections_per_address = limits.max_connections_per_address,
        "connection limits"
    );
    let counts = Arc::new(Counts::default());
    let refusal = refusal_answer();
    // One timer, read by hyper while it waits for a request head: hyper 1 starts it in
    // `Conn::poll_read_head` whenever the connection waits for a head, and after each
    // response the connection goes back to waiting for one (`State::idle` asks for that
    // read when the timeout is set). So it bounds partial and dripped heads, silent
    // sockets and idle keep-alive connections alike; the tests in
    // `crates/citizeninfo/tests/it/connections.rs` show all four.
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    let (force_close, closing) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors, most likely: retrying at once would spin.
                    tracing::error!(error = %e, "cannot accept a connection");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(Duration::from_millis(100)) => continue,
                    }
                }
            },
        };
        let held = match counts.admit(peer.ip(), &limits) {
            Ok(held) => held,
            Err(limit) => {
                metrics::counter!("http_connections_refused_total", "limit" => limit.name())
                    .increment(1);
                tracing::debug!(client = %peer, limit = limit.name(), "connection refused");
                refuse(stream, &refusal);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let mut stream = tokio_io_timeout::TimeoutWriter::new(stream);
        stream.set_timeout(Some(limits.write_timeout));
        let io = TokioIo::new(Box::pin(stream));
        let (app, deadlines) = (app.clone(), Deadlines::from(&limits));
        let service =
            hyper::service::service_fn(move |req| answer(app.clone(), peer, deadlines, req));
        let connection = graceful.watch(http.serve_connection(io, service));
        let mut closing = closing.clone();
        tokio::spawn(async move {
            let _held = held;
            tokio::select! {
                served = connection => if let Err(e) = served {
                    tracing::debug!(client = %peer, error = %e, "connection ended");
                },
                _ = closing.wait_for(|close| *close) => {}
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = limits.shutdown_grace.as_secs(),
            "requests still in flight at shutdown were cut"
        );
        let _ = force_close.send(true);
    }
    Ok(())
}

/// The slowest upload rate a body is given time for beyond the fixed deadlines, in
/// bytes a second: 32 KiB/s (256 kbit/s), a weak mobile uplink, on which a 10 MB photo
/// takes about five minutes. The connection caps bound what slow uploads can hold.
const SLOW_UPLINK_BYTES_PER_SECOND: u64 = 32 * 1024;

#[derive(Debug, Clone, Copy)]
struct Deadlines {
    body: Duration,
    request: Duration,
}

impl From<&ConnectionLimits> for Deadlines {
    fn from(l: &ConnectionLimits) -> Self {
        Self {
            body: l.body_timeout,
            request: l.request_timeout,
        }
    }
}

impl Deadlines {
    /// Both deadlines lengthened by the time the declared body takes at the slow
    /// uplink rate: the fixed ones suit forms, not a photo from a phone.
    fn for_length(self, content_length: Option<u64>) -> Self {
        let extra = Duration::from_secs(content_length.unwrap_or(0) / SLOW_UPLINK_BYTES_PER_SECOND);
        Self {
            body: self.body + extra,
            request: self.request + extra,
        }
    }
}

/// One request: the client's address for the handlers, the body deadline and the time
/// limit of the handler. A body that misses its deadline makes the handler fail as on
/// any broken body; the client is told 408 instead, and the connection closes since the
/// rest of the body is unread. A handler past its limit is dropped with a 503.
async fn answer(
    app: Router,
    peer: SocketAddr,
    deadlines: Deadlines,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    req.extensions_mut().insert(ConnectInfo(peer));
    if req.body().is_end_stream() {
        // Most requests have no body: no timer for them.
        return within(deadlines.request, app.oneshot(req.map(Body::new))).await;
    }
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let deadlines = deadlines.for_length(length);
    let late = Arc::new(AtomicBool::new(false));
    let seen = late.clone();
    let req = req.map(|body| {
        Body::new(DeadlineBody::new(deadlines.body, body).map_err(move |e| {
            if e.is::<TimeoutError>() {
                seen.store(true, Ordering::Relaxed);
            }
            e
        }))
    });
    let res = within(deadlines.request, app.oneshot(req)).await?;
    if late.load(Ordering::Relaxed) {
        return Ok(too_slow());
    }
    Ok(res)
}

async fn within(
    limit: Duration,
    answer: impl Future<Output = Result<Response<Body>, Infallible>>,
) -> Result<Response<Body>, Infallible> {
    match tokio::time::timeout(limit, answer).await {
        Ok(res) => res,
        Err(_) => {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            Ok(res)
        }
    }
}

fn too_slow() -> Response<Body> {
    let mut res = Response::new(Body::from(
        "ได้รับคำขอไม่ครบภายในเวลาที่กำหนด / The request did not arrive in time\n",
    ));
    *res.status_mut() = StatusCode::REQUEST_TIMEOUT;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// Seconds a refused client is asked to wait: long enough for idle connections to go.
const RETRY_AFTER_SECONDS: u32 = 5;

fn refusal_answer() -> Vec<u8> {
    let body = "ขณะนี้มีการเชื่อมต่อมากเกินไป กรุณาลองใหม่ในอีกสักครู่ / Too many connections, please try again shortly\n";
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nretry-after: {RETRY_AFTER_SECONDS}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Answers 503 and closes, without waiting on the client: a refused client must cost
/// less than an admitted one. What the client sent already is read away first, since
/// closing a socket with unread data sends a reset, and a reset can make the client's
/// system discard the answer before it is read.
fn refuse(stream: TcpStream, answer: &[u8]) {
    let Ok(stream) = stream.into_std() else {
        return;
    };
    let mut scratch = [0u8; 4096];
    for _ in 0..8 {
        match (&stream).read(&mut scratch) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
    let _ = (&stream).write(answer);
}

/// Errors of one connection that came and went before it was accepted.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Connections held, in all and per client.
#[derive(Default)]
struct Counts {
    held: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    total: usize,
    by_client: FxHashMap<IpAddr, usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Total,
    Address,
}

impl Limit {
    fn name(self) -> &'static str {
        match self {
            Limit::Total => "total",
            Limit::Address => "address",
        }
    }
}

impl Counts {
    fn admit(self: &Arc<Self>, ip: IpAddr, limits: &ConnectionLimits) -> Result<Slot, Limit> {
        let client = client_key(ip);
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.total >= limits.max_connections {
            return Err(Limit::Total);
        }
        let mine = held.by_client.entry(client).or_insert(0);
        if limits
            .max_connections_per_address
            .is_some_and(|max| *mine >= max)
        {
            return Err(Limit::Address);
        }
        *mine += 1;
        held.total += 1;
        // Moved by one rather than set, so that several servers in one process add up.
        metrics::gauge!("http_connections_open").increment(1.0);
        Ok(Slot {
            counts: self.clone(),
            client,
        })
    }
}

/// A connection's place in the counts, given back when the connection ends.
struct Slot {
    counts: Arc<Counts>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.counts.held.lock().unwrap_or_else(|e| e.into_inner());
        held.total -= 1;
        if let Some(n) = held.by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                held.by_client.remove(&self.client);
            }
        }
        metrics::gauge!("http_connections_open").decrement(1.0);
    }
}

/// What a client's connections are counted under: its IPv4 address, or its IPv6 /64,
/// since a network is usually given a whole /64 and a client can pick any address in it.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

/// Raises the soft file limit to the hard one (many systems start services at 1024),
/// and lowers the connection cap to what that limit allows, so that the cap, not a
/// failing `accept`, decides who is refused.
fn fit_to_file_limit(limits: &mut ConnectionLimits) {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read or write the struct given.
        let files = unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return;
            }
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: lim.rlim_max,
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim = raised;
                }
            }
            lim.rlim_cur
        };
        let room = usize::try_from(files)
            .unwrap_or(usize::MAX)
            .saturating_sub(RESERVED_FILES)
            .max(1);
        if limits.max_connections > room {
            tracing::warn!(
                configured = limits.max_connections,
                allowed = room,
                file_limit = files,
                "the connection cap is lowered to fit the file limit"
            );
            limits.max_connections = room;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn caps_hold_and_slots_come_back() {
        let limits = ConnectionLimits {
            max_connections: 3,
            max_connections_per_address: Some(2),
            ..Default::default()
        };
        let counts = Arc::new(Counts::default());
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let two: IpAddr = "192.0.2.2".parse().unwrap();
        let a = counts.admit(one, &limits).unwrap();
        let _b = counts.admit(one, &limits).unwrap();
        assert_eq!(counts.admit(one, &limits).err(), Some(Limit::Address));
        let _c = counts.admit(two, &limits).unwrap();
        assert_eq!(counts.admit(two, &limits).err(), Some(Limit::Total));
        drop(a);
        assert!(counts.admit(one, &limits).is_ok());
        let open = ConnectionLimits {
            max_connections_per_address: None,
            ..limits
        };
        let counts = Arc::new(Counts::default());
        let held: Vec<_> = (0..3).map(|_| counts.admit(one, &open).unwrap()).collect();
        assert_eq!(counts.admit(one, &open).err(), Some(Limit::Total));
        drop(held);
        assert!(counts.held.lock().unwrap().by_client.is_empty());
    }

    #[test]
    fn the_refusal_is_a_complete_http_answer() {
        let answer = String::from_utf8(refusal_answer()).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(head.contains("retry-after: "));
    }
}
