//! Where photos are kept: a local folder (one instance, development, small offices'
//! own servers) or an S3-compatible bucket (several instances behind one name). Both
//! take the same keys and answer the same way, so code above never asks which.

use std::fmt;
use std::path::PathBuf;

use crate::local;
use crate::s3::{S3Config, S3Store};

/// An object as it was stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Object {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Object")
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Why the store did not do what it was asked. Messages name the key, the path or the
/// bucket, never a credential or a signed URL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid object key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },
    #[error(
        "content type {given:?} does not match key {key:?}: its extension stands for {expected:?}"
    )]
    ContentType {
        key: String,
        given: String,
        expected: &'static str,
    },
    #[error("object store configuration: {0}")]
    Config(String),
    #[error("local store: cannot {op} {}: {source}", path.display())]
    Local {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("S3 {op} {key:?}: {detail}")]
    S3Request {
        op: &'static str,
        key: String,
        detail: String,
    },
    #[error("S3 {op} {key:?}: HTTP {status} {code}: {message}")]
    S3Status {
        op: &'static str,
        key: String,
        status: u16,
        /// S3's error code (`NoSuchBucket`, `AccessDenied`, `SignatureDoesNotMatch`…).
        code: String,
        message: String,
    },
}

/// The object store.
#[derive(Debug, Clone)]
pub enum Store {
    /// A folder; keys are paths below it.
    Local(PathBuf),
    S3(S3Store),
}

pub const ENV_BUCKET: &str = "CITIZENINFO_S3_BUCKET";
pub const ENV_ENDPOINT: &str = "CITIZENINFO_S3_ENDPOINT";
pub const ENV_REGION: &str = "CITIZENINFO_S3_REGION";
pub const ENV_ACCESS_KEY_ID: &str = "CITIZENINFO_S3_ACCESS_KEY_ID";
pub const ENV_SECRET_ACCESS_KEY: &str = "CITIZENINFO_S3_SECRET_ACCESS_KEY";
/// Bangkok's region, where Thai government data is expected to stay.
pub const DEFAULT_REGION: &str = "ap-southeast-1";

impl Store {
    /// A bucket, from explicit settings.
    pub fn s3(config: S3Config) -> Result<Store, StoreError> {
        Ok(Store::S3(S3Store::new(config)?))
    }

    /// A bucket when `CITIZENINFO_S3_BUCKET` is set (with `CITIZENINFO_S3_ENDPOINT`,
    /// `CITIZENINFO_S3_REGION`, `CITIZENINFO_S3_ACCESS_KEY_ID` and
    /// `CITIZENINFO_S3_SECRET_ACCESS_KEY`), else the folder `default_dir`.
    pub fn from_env(default_dir: PathBuf) -> Result<Store, StoreError> {
        Store::from_vars(default_dir, |name| std::env::var(name).ok())
    }

    /// [`Store::from_env`] with the variables read by `var`, so that it can be tried
    /// without touching the process environment.
    pub fn from_vars(
        default_dir: PathBuf,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Store, StoreError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let Some(bucket) = var(ENV_BUCKET) else {
            return Ok(Store::Local(default_dir));
        };
        let required = |name: &str| {
            var(name).ok_or_else(|| {
                StoreError::Config(format!("{name} must be set when {ENV_BUCKET} is"))
            })
        };
        Store::s3(S3Config {
            bucket,
            region: var(ENV_REGION).unwrap_or_else(|| DEFAULT_REGION.to_owned()),
            endpoint: var(ENV_ENDPOINT),
            access_key_id: required(ENV_ACCESS_KEY_ID)?,
            secret_access_key: required(ENV_SECRET_ACCESS_KEY)?,
        })
    }

    /// Stores `bytes` under `key`, replacing what was there. A reader sees the old
    /// object or the new one, never part of one. The key's extension must agree with
    /// `content_type`: the local folder keeps no metadata and answers the type from it.
    pub async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        validate_key(key)?;
        let expected = content_type_for(key);
        if content_type != expected {
            return Err(StoreError::ContentType {
                key: key.to_owned(),
                given: content_type.to_owned(),
                expected,
            });
        }
        match self {
            Store::Local(root) => local::put(root, key, bytes).await,
            Store::S3(s3) => s3.put(key, bytes, content_type).await,
        }
    }

    /// The object under `key`, or `None` when there is none; a `demo/…` key the store
    /// does not hold is answered from the built-in demo photos.
    pub async fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        validate_key(key)?;
        let stored = match self {
            Store::Local(root) => local::get(root, key).await?.map(|bytes| Object {
                bytes,
                content_type: content_type_for(key).to_owned(),
            }),
            Store::S3(s3) => s3.get(key).await?,
        };
        Ok(match stored {
            None if key.starts_with("demo/") => crate::demo::object(key),
            stored => stored,
        })
    }

    /// Removes the object under `key`; a key with no object is not an error, so a
    /// retried or repeated delete succeeds.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        validate_key(key)?;
        match self {
            Store::Local(root) => local::delete(root, key).await,
            Store::S3(s3) => s3.delete(key).await,
        }
    }
}

impl fmt::Display for Store {
    /// Where the objects are, for the log at start-up; no credential appears.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Store::Local(root) => write!(f, "local folder {}", root.display()),
            Store::S3(s3) => write!(f, "{s3}"),
        }
    }
}

const MAX_KEY_LEN: usize = 512;

/// A key is a relative path of lower-case ASCII letters, digits and `/._-`, without
/// empty segments or segments that start with a dot. That keeps every key one path
/// below the local folder on any file system (no `..`, no absolute path, nothing a
/// case-insensitive disk could merge), the same object name in S3 and the URL, and
/// clear of the local store's temporary files, which start with a dot.
pub fn validate_key(key: &str) -> Result<(), StoreError> {
    let invalid = |reason| {
        Err(StoreError::InvalidKey {
            key: key.chars().take(80).collect(),
            reason,
        })
    };
    if key.is_empty() {
        return invalid("empty");
    }
    if key.len() > MAX_KEY_LEN {
        return invalid("longer than 512 bytes");
    }
    if !key
        .bytes()
        .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'_' | b'-'))
    {
        return invalid("only a-z, 0-9 and / . _ - are allowed");
    }
    for segment in key.split('/') {
        if segment.is_empty() {
            return invalid("absolute, or with an empty segment");
        }
        if segment.starts_with('.') {
            return invalid("a segment starts with a dot (., .. or a hidden name)");
        }
    }
    Ok(())
}

/// The extension a content type is stored under: the inverse of [`content_type_for`].
pub fn extension_of(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        _ => "bin",
    }
}

/// The content type a key's extension stands for.
pub fn content_type_for(key: &str) -> &'static str {
    let name = key.rsplit('/').next().unwrap_or(key);
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        // A rollout task's attachments.
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_plain_relative_paths() {
        for key in [
            "photos/ab/abcdef-1600.jpg",
            "a",
            "a/b/c",
            "x_y-z.1.jpg",
            "photos/0f/0f-400.jpg",
        ] {
            assert!(validate_key(key).is_ok(), "{key}");
        }
        let long = "a".repeat(513);
        for key in [
            "",
            "/etc/passwd",
            "../secret",
            "photos/../../etc",
            "photos/./x",
            "photos//x",
            "photos/x/",
            "Photos/x.jpg",
            "photos/x.JPG",
            "photos/x y.jpg",
            "photos\\x.jpg",
            "photos/ภาพ.jpg",
            "photos/x.jpg\0",
            "photos/.x.jpg.1.tmp",
            ".hidden",
            "c:/x",
            long.as_str(),
        ] {
            assert!(
                matches!(validate_key(key), Err(StoreError::InvalidKey { .. })),
                "{key:?} was accepted"
            );
        }
    }

    #[test]
    fn content_type_from_the_extension() {
        assert_eq!(content_type_for("photos/ab/x-1600.jpg"), "image/jpeg");
        assert_eq!(content_type_for("a.jpeg"), "image/jpeg");
        assert_eq!(content_type_for("a.png"), "image/png");
        assert_eq!(content_type_for("a.webp"), "image/webp");
        assert_eq!(content_type_for("a.jpg/b"), "application/octet-stream");
        assert_eq!(content_type_for("noext"), "application/octet-stream");
    }

    #[test]
    fn environment_chooses_the_store() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let dir = PathBuf::from("/var/lib/citizeninfo/media");
        match Store::from_vars(dir.clone(), vars(&[])).unwrap() {
            Store::Local(path) => assert_eq!(path, dir),
            other => panic!("{other:?}"),
        }
        // An empty bucket variable is as good as none (a blank line in an env file).
        assert!(matches!(
            Store::from_vars(dir.clone(), vars(&[(ENV_BUCKET, " ")])).unwrap(),
            Store::Local(_)
        ));

        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let store = Store::from_vars(
            dir.clone(),
            vars(&[
                (ENV_BUCKET, "citizeninfo-photos"),
                (ENV_ACCESS_KEY_ID, "AKIAIOSFODNN7EXAMPLE"),
                (
                    ENV_SECRET_ACCESS_KEY,
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                ),
            ]),
        )
        .unwrap();
        let shown = format!("{store} {store:?}");
        assert!(shown.contains("citizeninfo-photos"), "{shown}");
        assert!(shown.contains("ap-southeast-1"), "{shown}");
        assert!(
            shown.contains("https://citizeninfo-photos.s3.ap-southeast-1.amazonaws.com/"),
            "{shown}"
        );
        assert!(!shown.contains(secret), "the secret was shown: {shown}");

        let store = Store::from_vars(
            dir.clone(),
            vars(&[
                (ENV_BUCKET, "photos"),
                (ENV_ENDPOINT, "http://127.0.0.1:9000"),
                (ENV_REGION, "th-bkk-1"),
                (ENV_ACCESS_KEY_ID, "minio"),
                (ENV_SECRET_ACCESS_KEY, "minio-secret"),
            ]),
        )
        .unwrap();
        let shown = store.to_string();
        assert!(shown.contains("http://127.0.0.1:9000/photos/"), "{shown}");
        assert!(shown.contains("th-bkk-1"), "{shown}");

        let missing = Store::from_vars(
            dir,
            vars(&[(ENV_BUCKET, "photos"), (ENV_ACCESS_KEY_ID, "minio")]),
        )
        .unwrap_err();
        assert!(
            missing.to_string().contains(ENV_SECRET_ACCESS_KEY),
            "{missing}"
        );
    }
}
