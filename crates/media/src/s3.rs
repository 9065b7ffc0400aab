//! The store as an S3-compatible bucket (AWS, MinIO, Ceph, and moto in the tests).
//! rusty-s3 signs each request as a short-lived presigned URL (Signature V4 in the
//! query string) and reqwest sends it; nothing else of an S3 SDK is needed for three
//! calls on single objects.

use std::fmt;
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use rusty_s3::actions::{DeleteObject, GetObject, PutObject};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use url::{Host, Url};

use crate::store::{ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY, Object, StoreError};

/// How long a signed request stays valid: long enough for a slow upload to start, short
/// enough that a URL caught in some log is soon worthless.
const SIGNED_FOR: Duration = Duration::from_secs(5 * 60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A whole request, body included: 10 MB over a slow link to a far region.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Error answers are small XML documents; a broken proxy's page is cut here.
const MAX_ERROR_BODY: usize = 16 * 1024;

/// Where the bucket is and how to sign for it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    pub region: String,
    /// `None` for AWS itself (`https://s3.<region>.amazonaws.com`, the bucket in the
    /// host name); any other endpoint (MinIO, moto, a loopback address) is addressed
    /// path-style, `<endpoint>/<bucket>/<key>`, which needs no wildcard DNS.
    pub endpoint: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// A bucket and the client that talks to it. Cloning shares the connection pool.
#[derive(Clone)]
pub struct S3Store {
    bucket: Bucket,
    credentials: Credentials,
    client: reqwest::Client,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store")
            .field("bucket", &self.bucket.name())
            .field("region", &self.bucket.region())
            .field("url", &self.bucket.base_url().as_str())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "S3 bucket {} at {} (region {})",
            self.bucket.name(),
            self.bucket.base_url(),
            self.bucket.region()
        )
    }
}

fn config_error(message: impl Into<String>) -> StoreError {
    StoreError::Config(message.into())
}

impl S3Store {
    pub fn new(config: S3Config) -> Result<S3Store, StoreError> {
        // Both end up in a host name or a path: refuse anything that could change
        // which host or which bucket is addressed.
        let bucket_ok = (3..=63).contains(&config.bucket.len())
            && config
                .bucket
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-'));
        if !bucket_ok {
            return Err(config_error(format!(
                "the S3 bucket name {:?} is not valid (3 to 63 of a-z, 0-9, . and -)",
                config.bucket
            )));
        }
        let region_ok = !config.region.is_empty()
            && config
                .region
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'));
        if !region_ok {
            return Err(config_error(format!(
                "the S3 region {:?} is not valid (a-z, 0-9 and -)",
                config.region
            )));
        }
        if config.access_key_id.is_empty() || config.secret_access_key.is_empty() {
            return Err(config_error(format!(
                "S3 needs an access key: set {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY}"
            )));
        }

        let (endpoint, style) = match &config.endpoint {
            Some(endpoint) => {
                // The value is not repeated in the message: a URL with a password in
                // it is exactly the mistake this may be reporting.
                let url = Url::parse(endpoint)
                    .map_err(|e| config_error(format!("the S3 endpoint is not a URL: {e}")))?;
                if !url.username().is_empty() || url.password().is_some() {
                    return Err(config_error(format!(
                        "the S3 endpoint must not hold a user name or password; \
                         set {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY} instead"
                    )));
                }
                (url, UrlStyle::Path)
            }
            None => {
                let url = format!("https://s3.{}.amazonaws.com", config.region);
                let url = Url::parse(&url)
                    .map_err(|e| config_error(format!("the S3 endpoint {url}: {e}")))?;
                (url, UrlStyle::VirtualHost)
            }
        };
        let loopback = match endpoint.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            Some(Host::Domain(name)) => name == "localhost",
            None => false,
        };
        let name = config.bucket.clone();
        let bucket = Bucket::new(endpoint, style, config.bucket, config.region)
            .map_err(|e| config_error(format!("the S3 bucket {name:?}: {e}")))?;

        // reqwest is built without a TLS provider of its own so that the process has
        // one (ring) for every client. Another part of the process may have installed
        // it first, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT);
        if loopback {
            // A proxy from the environment can only get in the way of this machine.
            client = client.no_proxy();
        }
        let client = client
            .build()
            .map_err(|e| config_error(format!("the HTTP client for S3: {}", chain(&e))))?;

        Ok(S3Store {
            bucket,
            credentials: Credentials::new(config.access_key_id, config.secret_access_key),
            client,
        })
    }

    pub(crate) async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        let mut action = PutObject::new(&self.bucket, Some(&self.credentials), key);
        // Signed, so that the stored type is the one this code chose.
        action.headers_mut().insert("content-type", content_type);
        let url = action.sign(SIGNED_FOR);
        let response = self
            .client
            .put(url)
            .header(CONTENT_TYPE, content_type)
            // reqwest leaves it out for an empty body, and S3 then answers 411.
            .header(CONTENT_LENGTH, bytes.len())
            .body(bytes)
            .send()
            .await
            .map_err(|e| request_error("put", key, e))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(status_error("put", key, response).await)
        }
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        let url = GetObject::new(&self.bucket, Some(&self.credentials), key).sign(SIGNED_FOR);
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| request_error("get", key, e))?;
        if !response.status().is_success() {
            let error = status_error("get", key, response).await;
            return if is_no_such_key(&error) {
                Ok(None)
            } else {
                Err(error)
            };
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| request_error("get", key, e))?;
        Ok(Some(Object {
            bytes: bytes.to_vec(),
            content_type,
        }))
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let url = DeleteObject::new(&self.bucket, Some(&self.credentials), key).sign(SIGNED_FOR);
        let response = self
            .client
            .delete(url)
            .send()
            .await
            .map_err(|e| request_error("delete", key, e))?;
        if response.status().is_success() {
            return Ok(());
        }
        // AWS answers 204 for a missing key; some compatible servers say NoSuchKey.
        let error = status_error("delete", key, response).await;
        if is_no_such_key(&error) {
            Ok(())
        } else {
            Err(error)
        }
    }
}

/// Only a missing object: a missing bucket is also a 404, and is a fault to report.
fn is_no_such_key(error: &StoreError) -> bool {
    matches!(error, StoreError::S3Status { status: 404, code, .. } if code == "NoSuchKey")
}

/// The error and its causes in one line, without the URL, whose query string holds a
/// signature that is valid for a few minutes.
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn request_error(op: &'static str, key: &str, error: reqwest::Error) -> StoreError {
    StoreError::S3Request {
        op,
        key: key.to_owned(),
        detail: chain(&error.without_url()),
    }
}

async fn status_error(op: &'static str, key: &str, mut response: Response) -> StoreError {
    let status = response.status();
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body.truncate(MAX_ERROR_BODY);
    let body = String::from_utf8_lossy(&body);
    let element = |name: &str| {
        let open = format!("<{name}>");
        let start = body.find(&open)? + open.len();
        let end = start + body[start..].find(&format!("</{name}>"))?;
        Some(body[start..end].chars().take(300).collect::<String>())
    };
    StoreError::S3Status {
        op,
        key: key.to_owned(),
        status: status.as_u16(),
        code: element("Code").unwrap_or_else(|| reason(status)),
        message: element("Message").unwrap_or_default(),
    }
}

fn reason(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("error").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> S3Config {
        S3Config {
            bucket: "citizeninfo-photos".into(),
            region: "ap-southeast-1".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        }
    }

    #[test]
    fn nothing_shown_holds_the_secret() {
        let config = config();
        let store = S3Store::new(config.clone()).unwrap();
        for shown in [
            format!("{config:?}"),
            format!("{store:?}"),
            format!("{store}"),
        ] {
            assert!(!shown.contains("EXAMPLEKEY"), "{shown}");
        }
    }

    #[test]
    fn addressing() {
        let store = S3Store::new(config()).unwrap();
        assert_eq!(
            store.bucket.object_url("photos/ab/x-400.jpg").as_str(),
            "http://127.0.0.1:9000/citizeninfo-photos/photos/ab/x-400.jpg"
        );
        let aws = S3Store::new(S3Config {
            endpoint: None,
            ..config()
        })
        .unwrap();
        assert_eq!(
            aws.bucket.object_url("photos/ab/x-400.jpg").as_str(),
            "https://citizeninfo-photos.s3.ap-southeast-1.amazonaws.com/photos/ab/x-400.jpg"
        );
    }

    #[test]
    fn put_signs_its_content_type() {
        let store = S3Store::new(config()).unwrap();
        let mut action = PutObject::new(&store.bucket, Some(&store.credentials), "a.jpg");
        action.headers_mut().insert("content-type", "image/jpeg");
        let url = action.sign(SIGNED_FOR);
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("X-Amz-SignedHeaders"), Some("content-type;host"));
        assert_eq!(get("X-Amz-Expires"), Some("300"));
        assert!(
            get("X-Amz-Credential")
                .unwrap()
                .ends_with("/ap-southeast-1/s3/aws4_request")
        );
        assert!(!url.as_str().contains("EXAMPLEKEY"));
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        let cases = [
            (
                S3Config {
                    bucket: "Bad_Bucket".into(),
                    ..config()
                },
                "bucket name",
            ),
            (
                S3Config {
                    region: "eu-west-1.evil.example/".into(),
                    ..config()
                },
                "region",
            ),
            (
                S3Config {
                    endpoint: Some("not a url".into()),
                    ..config()
                },
                "not a URL",
            ),
            (
                S3Config {
                    endpoint: Some("http://admin:hunter2@127.0.0.1:9000".into()),
                    ..config()
                },
                "user name or password",
            ),
            (
                S3Config {
                    secret_access_key: String::new(),
                    ..config()
                },
                ENV_SECRET_ACCESS_KEY,
            ),
        ];
        for (config, expected) in cases {
            let error = S3Store::new(config).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }
}
