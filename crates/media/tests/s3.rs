//! The S3 store against a real S3-compatible server: moto on a free loopback port,
//! started by `scripts/moto` (which installs it from PyPI into a venv the first time)
//! and stopped when the test ends, passes or panics.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use citizeninfo_media::{Object, S3Config, Store, StoreError, process};
use rusty_s3::actions::CreateBucket;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

const REGION: &str = "ap-southeast-1";
const ACCESS_KEY_ID: &str = "AKIAMOTOTESTKEY00001";
const SECRET: &str = "moto-test-secret-that-must-never-be-shown";

/// The moto server; killed when dropped, and also when this test process dies some
/// other way, since it stops when the pipe to its standard input closes.
struct Moto {
    child: Child,
    endpoint: String,
    log: PathBuf,
}

impl Moto {
    fn start() -> Moto {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/moto");
        let mut last_log = String::new();
        // The script picks a free port; another process could take it before moto
        // binds it, so a failed start is tried again on another.
        for attempt in 0..3 {
            let log = std::env::temp_dir().join(format!(
                "citizeninfo-moto-{}-{attempt}.log",
                std::process::id()
            ));
            let mut child = Command::new(&script)
                .arg("--stop-on-eof")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .expect("scripts/moto runs");
            let mut line = String::new();
            let stdout = child.stdout.take().unwrap();
            // Bounded by the script: pip's own timeouts, then a minute for moto.
            let _ = BufReader::new(stdout).read_line(&mut line);
            let endpoint = line.trim().to_owned();
            if endpoint.starts_with("http://127.0.0.1:") {
                return Moto {
                    child,
                    endpoint,
                    log,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
            last_log = std::fs::read_to_string(&log).unwrap_or_default();
            let _ = std::fs::remove_file(&log);
        }
        panic!("moto did not start (it needs python3 and, the first time, PyPI):\n{last_log}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        } else {
            eprintln!("moto's log: {}", self.log.display());
        }
    }
}

fn config(endpoint: &str, bucket: &str) -> S3Config {
    S3Config {
        bucket: bucket.into(),
        region: REGION.into(),
        endpoint: Some(endpoint.into()),
        access_key_id: ACCESS_KEY_ID.into(),
        secret_access_key: SECRET.into(),
    }
}

/// Buckets are made by whoever runs the deployment, not by the store; the test makes
/// its own the way an operator's tool would.
async fn create_bucket(endpoint: &str, name: &str) {
    let bucket = Bucket::new(
        endpoint.parse().unwrap(),
        UrlStyle::Path,
        name.to_owned(),
        REGION,
    )
    .unwrap();
    let credentials = Credentials::new(ACCESS_KEY_ID, SECRET);
    let url = CreateBucket::new(&bucket, &credentials).sign(Duration::from_secs(60));
    let body = format!(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <LocationConstraint>{REGION}</LocationConstraint></CreateBucketConfiguration>"
    );
    // The store installs the TLS provider when made; this client comes first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .put(url)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "create bucket: {} {}",
        response.status(),
        response.text().await.unwrap_or_default()
    );
}

fn photo() -> Vec<u8> {
    let image = image::RgbImage::from_fn(900, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&image)
        .unwrap();
    out
}

fn assert_no_secret(error: &StoreError) {
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(SECRET), "the secret was shown: {shown}");
    assert!(
        !shown.contains("X-Amz-Signature"),
        "a signed URL was shown: {shown}"
    );
}

#[tokio::test]
async fn s3_store_against_moto() {
    let moto = Moto::start();
    let bucket = "citizeninfo-photos";
    create_bucket(&moto.endpoint, bucket).await;

    // As a deployment would configure it.
    let env = [
        ("CITIZENINFO_S3_BUCKET", bucket),
        ("CITIZENINFO_S3_ENDPOINT", moto.endpoint.as_str()),
        ("CITIZENINFO_S3_ACCESS_KEY_ID", ACCESS_KEY_ID),
        ("CITIZENINFO_S3_SECRET_ACCESS_KEY", SECRET),
    ];
    let store = Store::from_vars(PathBuf::from("/nonexistent"), |name| {
        env.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap();
    assert!(matches!(store, Store::S3(_)), "{store:?}");
    assert!(!format!("{store} {store:?}").contains(SECRET));

    // A photo as the upload path stores it.
    let processed = process(&photo()).unwrap();
    let (display_key, thumb_key) = processed.keys();
    assert_eq!(store.get(&display_key).await.unwrap(), None);
    store
        .put(
            &display_key,
            processed.display.clone(),
            citizeninfo_media::CONTENT_TYPE,
        )
        .await
        .unwrap();
    store
        .put(
            &thumb_key,
            processed.thumb.clone(),
            citizeninfo_media::CONTENT_TYPE,
        )
        .await
        .unwrap();
    assert_eq!(
        store.get(&display_key).await.unwrap(),
        Some(Object {
            bytes: processed.display.clone(),
            content_type: "image/jpeg".into(),
        })
    );
    assert_eq!(
        store.get(&thumb_key).await.unwrap().unwrap().bytes,
        processed.thumb
    );

    // Replacing, and an empty object (which needs an explicit Content-Length).
    store
        .put(&thumb_key, b"replaced".to_vec(), "image/jpeg")
        .await
        .unwrap();
    assert_eq!(
        store.get(&thumb_key).await.unwrap().unwrap().bytes,
        b"replaced"
    );
    store
        .put("empty.png", Vec::new(), "image/png")
        .await
        .unwrap();
    let empty = store.get("empty.png").await.unwrap().unwrap();
    assert!(empty.bytes.is_empty());
    assert_eq!(empty.content_type, "image/png");

    // Deleting, again, and what never was.
    store.delete(&display_key).await.unwrap();
    assert_eq!(store.get(&display_key).await.unwrap(), None);
    store.delete(&display_key).await.unwrap();
    store.delete("photos/zz/never-400.jpg").await.unwrap();
    assert!(store.get(&thumb_key).await.unwrap().is_some());

    // Keys are checked before any request, as in the local store.
    assert!(matches!(
        store.get("../other-bucket/x.jpg").await,
        Err(StoreError::InvalidKey { .. })
    ));

    // A bucket that does not exist is a fault, not a missing object.
    let missing = Store::s3(config(&moto.endpoint, "no-such-bucket")).unwrap();
    for error in [
        missing.get("a.jpg").await.unwrap_err(),
        missing
            .put("a.jpg", b"x".to_vec(), "image/jpeg")
            .await
            .unwrap_err(),
        missing.delete("a.jpg").await.unwrap_err(),
    ] {
        assert!(
            matches!(&error, StoreError::S3Status { status: 404, code, .. } if code == "NoSuchBucket"),
            "{error}"
        );
        assert!(error.to_string().contains("NoSuchBucket"), "{error}");
        assert_no_secret(&error);
    }
}

#[tokio::test]
async fn unreachable_endpoint_is_a_clear_error() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = Store::s3(config(&format!("http://127.0.0.1:{port}"), "photos")).unwrap();
    let error = store.get("photos/ab/x-400.jpg").await.unwrap_err();
    assert!(
        matches!(error, StoreError::S3Request { op: "get", .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains("photos/ab/x-400.jpg"), "{message}");
    assert!(
        message.to_lowercase().contains("connect"),
        "no cause given: {message}"
    );
    assert_no_secret(&error);
}
