//! The server's connection limits, shown with raw sockets against the real `serve`:
//! slow and silent clients are cut at their deadlines, idle keep-alive connections are
//! closed while busy ones are served, and a client over its cap is refused while others
//! are still answered. Waits have generous upper bounds and no latency is asserted:
//! only what happens, and that nothing is cut before its deadline could have passed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use web::server::ConnectionLimits;

use crate::support::{TestDb, app};

/// Far longer than any deadline below: reaching it means a connection was never cut.
const PATIENCE: Duration = Duration::from_secs(15);

struct Server {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    db: TestDb,
}

/// Deadlines of a second, so that the tests wait little; caps high unless a test says.
fn quick() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        write_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(10),
        max_connections: 1000,
        max_connections_per_address: Some(20),
        shutdown_grace: Duration::from_secs(2),
    }
}

async fn start(limits: ConnectionLimits) -> Server {
    let db = TestDb::sqlite().await;
    let (_, router) = app(&db.db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(web::server::serve(listener, router, limits, async {
        let _ = stopped.await;
    }));
    Server {
        addr,
        stop,
        task,
        db,
    }
}

impl Server {
    async fn finish(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
        self.db.finish().await;
    }
}

/// A connection from `ip`, one of the loopback addresses.
async fn connect_from(ip: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the server closes the connection; returns what it sent before. Panics
/// when it stays open past `PATIENCE`.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => panic!(
                "the connection was still open after {PATIENCE:?}; it had sent {:?}",
                String::from_utf8_lossy(&got)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => return got,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends a GET on a kept-alive connection and reads one answer: (status, head, body).
async fn get(stream: &mut TcpStream, path: &str) -> (u16, String, String) {
    let req = format!("GET {path} HTTP/1.1\r\nHost: citizeninfo.test\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    tokio::time::timeout(PATIENCE, read_answer(stream))
        .await
        .expect("an answer")
}

async fn read_answer(stream: &mut TcpStream) -> (u16, String, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let end = loop {
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before an answer");
        got.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("a content-length")
        .trim()
        .parse()
        .unwrap();
    while got.len() < end + length {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed within an answer");
        got.extend_from_slice(&buf[..n]);
    }
    let status = head[9..12].parse().unwrap();
    let body = String::from_utf8_lossy(&got[end..end + length]).into_owned();
    (status, head, body)
}

/// A fresh connection from `ip` answers GET /healthz.
async fn served_from(ip: &str, to: SocketAddr) -> bool {
    let mut s = connect_from(ip, to).await;
    let req = "GET /healthz HTTP/1.1\r\nHost: citizeninfo.test\r\n\r\n";
    if s.write_all(req.as_bytes()).await.is_err() {
        return false;
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.ends_with(b"ok") {
        match tokio::time::timeout(PATIENCE, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    got.starts_with(b"HTTP/1.1 200")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_headers_are_cut_after_the_timeout() {
    let server = start(quick()).await;
    let mut s = connect_from("127.0.0.1", server.addr).await;
    let started = Instant::now();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: citizeninfo.test\r\n")
        .await
        .unwrap();
    let got = until_closed(&mut s).await;
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "cut before its deadline"
    );
    assert!(
        !got.starts_with(b"HTTP/1.1 200"),
        "an unfinished head was answered"
    );
    server.finish().await;
}

/// The deadline is for the whole head: a line every 0.4 s never leaves the connection
/// quiet for a second, and is still cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dripped_head_is_cut_at_the_deadline() {
    let server = start(quick()).await;
    let mut s = connect_from("127.0.0.1", server.addr).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: citizeninfo.test\r\n")
        .await
        .unwrap();
    let mut lines = 0;
    let mut buf = [0u8; 1024];
    let closed = loop {
        if lines == 40 {
            break false;
        }
        if s.write_all(format!("X-Drip-{lines}: 1\r\n").as_bytes())
            .await
            .is_err()
        {
            break true;
        }
        lines += 1;
        match tokio::time::timeout(Duration::from_millis(400), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => panic!(
                "an unfinished head was answered: {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(_) => {}
        }
    };
    assert!(
        closed,
        "{lines} lines over 16 s and the connection is still open"
    );
    assert!(lines >= 2, "cut after {lines} line(s), before its deadline");
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_socket_is_closed() {
    let server = start(quick()).await;
    let mut s = connect_from("127.0.0.1", server.addr).await;
    let started = Instant::now();
    assert!(until_closed(&mut s).await.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(800));
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_is_closed_while_a_busy_connection_is_served() {
    let server = start(quick()).await;
    let mut idle = connect_from("127.0.0.1", server.addr).await;
    let (status, head, body) = get(&mut idle, "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    assert!(!head.contains("connection: close"));
    let idle_since = Instant::now();
    let addr = server.addr;
    // Three seconds of a request every 0.3 s on one connection: three idle timeouts
    // long, never idle for one.
    let busy = tokio::spawn(async move {
        let mut s = connect_from("127.0.0.1", addr).await;
        let mut answers = Vec::new();
        for _ in 0..10 {
            answers.push(get(&mut s, "/healthz").await.0);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        answers
    });
    assert!(until_closed(&mut idle).await.is_empty());
    assert!(
        idle_since.elapsed() >= Duration::from_millis(500),
        "closed before the idle timeout"
    );
    assert_eq!(busy.await.unwrap(), vec![200; 10]);
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_its_cap_a_client_is_refused_and_others_are_served() {
    // Held connections must outlive the test's steps here.
    let server = start(ConnectionLimits {
        header_timeout: Duration::from_secs(30),
        ..quick()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(connect_from("127.0.0.1", server.addr).await);
    }
    let mut refused = connect_from("127.0.0.1", server.addr).await;
    let answer = String::from_utf8(until_closed(&mut refused).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    let head = answer.to_lowercase();
    assert!(head.contains("\r\nretry-after: "), "{answer}");
    assert!(head.contains("\r\nconnection: close\r\n"), "{answer}");
    assert!(answer.contains("Too many connections"), "{answer}");

    let mut other = connect_from("127.0.0.2", server.addr).await;
    let (status, _, body) = get(&mut other, "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (_, _, metrics) = get(&mut other, "/metrics").await;
    assert!(
        metrics.contains("http_connections_refused_total{limit=\"address\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("http_connections_open"), "{metrics}");

    // The slots come back when the connections go.
    drop(held);
    let deadline = Instant::now() + PATIENCE;
    while !served_from("127.0.0.1", server.addr).await {
        assert!(Instant::now() < deadline, "the address stayed refused");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_total_cap_everyone_is_refused() {
    let server = start(ConnectionLimits {
        header_timeout: Duration::from_secs(30),
        max_connections: 5,
        max_connections_per_address: None,
        ..quick()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(connect_from("127.0.0.1", server.addr).await);
    }
    let mut refused = connect_from("127.0.0.2", server.addr).await;
    let answer = String::from_utf8(until_closed(&mut refused).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    drop(held);
    let deadline = Instant::now() + PATIENCE;
    while !served_from("127.0.0.2", server.addr).await {
        assert!(Instant::now() < deadline, "still refused");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.finish().await;
}

/// A byte every 0.4 s never leaves the body quiet for a second; the deadline is for
/// the whole body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dripped_body_is_cut_by_its_deadline() {
    let server = start(quick()).await;
    let mut s = connect_from("127.0.0.1", server.addr).await;
    s.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: citizeninfo.test\r\n\
          Content-Type: application/json\r\nContent-Length: 64\r\n\r\n",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let body = br#"{"username": "somchai", "password": "Chonburi2569", "x": "......"}"#;
    for byte in body.iter().take(40) {
        if s.write_all(&[*byte]).await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_millis(400), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                got.extend_from_slice(&buf[..n]);
                break;
            }
            Err(_) => {}
        }
    }
    got.extend(until_closed(&mut s).await);
    assert!(started.elapsed() >= Duration::from_millis(800));
    let answer = String::from_utf8_lossy(&got);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(
        answer.to_lowercase().contains("\r\nconnection: close\r\n"),
        "{answer}"
    );
    server.finish().await;
}

/// A large body is given time for its length at a slow mobile uplink (32 KiB/s beyond
/// the fixed deadline): 192 KiB over two seconds passes a one-second deadline, where the
/// 64 bytes above did not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_body_has_time_for_its_length() {
    let server = start(quick()).await;
    let mut s = connect_from("127.0.0.1", server.addr).await;
    let length = 192 * 1024;
    s.write_all(
        format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: citizeninfo.test\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let started = Instant::now();
    for _ in 0..16 {
        s.write_all(&[b' '; 12 * 1024]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(125)).await;
    }
    let (status, _, body) = read_answer(&mut s).await;
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_ne!(status, 408, "{body}");
    assert!((400..500).contains(&status), "{status} {body}");
    server.finish().await;
}

/// A client that asks and never reads: the server's writes stall, and the write
/// timeout ends the connection. Without it the server would wait for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_dropped() {
    let server = start(ConnectionLimits {
        header_timeout: Duration::from_secs(60),
        ..quick()
    })
    .await;
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(8 * 1024).unwrap();
    let mut s = socket.connect(server.addr).await.unwrap();
    let asset = "/assets/vendor/leaflet/leaflet.js";
    let one = {
        let mut probe = connect_from("127.0.0.1", server.addr).await;
        let (status, _, body) = get(&mut probe, asset).await;
        assert_eq!(status, 200);
        body.len()
    };
    // Far more than the kernel's buffers on both sides hold.
    let asks = 64 * 1024 * 1024 / one + 1;
    let req = format!("GET {asset} HTTP/1.1\r\nHost: citizeninfo.test\r\n\r\n");
    s.write_all(req.repeat(asks).as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = until_closed(&mut s).await;
    assert!(
        got.len() < asks * one,
        "all {asks} answers were written; nothing stalled"
    );
    server.finish().await;
}

/// On shutdown the server stops accepting, closes idle connections, and lets a request
/// in flight finish before it returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_finish() {
    let server = start(ConnectionLimits {
        header_timeout: Duration::from_secs(30),
        body_timeout: Duration::from_secs(30),
        shutdown_grace: Duration::from_secs(30),
        ..quick()
    })
    .await;
    let mut idle = connect_from("127.0.0.1", server.addr).await;
    assert_eq!(get(&mut idle, "/healthz").await.0, 200);
    let body = br#"{"username": "somchai", "password": "Chonburi2569"}"#;
    let mut busy = connect_from("127.0.0.1", server.addr).await;
    busy.write_all(
        format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: citizeninfo.test\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    busy.write_all(&body[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let Server {
        addr,
        stop,
        task,
        db,
    } = server;
    stop.send(()).unwrap();
    assert!(until_closed(&mut idle).await.is_empty());
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting after shutdown");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!task.is_finished(), "returned with a request in flight");
    busy.write_all(&body[10..]).await.unwrap();
    let answer = String::from_utf8(until_closed(&mut busy).await).unwrap();
    let status: u16 = answer[9..12].parse().unwrap();
    assert!(
        (200..500).contains(&status) && status != 408,
        "the request in flight was not answered: {answer}"
    );
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    db.finish().await;
}
