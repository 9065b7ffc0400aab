//! The store as a folder. Keys were validated before they get here, so each is a
//! relative path below the root. File system calls block, so each runs on tokio's
//! blocking pool rather than on a worker that serves requests.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::store::StoreError;

async fn blocking<T: Send + 'static>(
    op: &'static str,
    path: PathBuf,
    f: impl FnOnce(&Path) -> io::Result<T> + Send + 'static,
) -> Result<T, StoreError> {
    let result = tokio::task::spawn_blocking(move || {
        let result = f(&path);
        (path, result)
    })
    .await;
    match result {
        Ok((_, Ok(value))) => Ok(value),
        Ok((path, Err(source))) => Err(StoreError::Local { op, path, source }),
        Err(join) => Err(StoreError::Local {
            op,
            path: PathBuf::new(),
            source: io::Error::other(join.to_string()),
        }),
    }
}

pub(crate) async fn put(root: &Path, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
    blocking("write", root.join(key), move |path| {
        write_atomically(path, &bytes)
    })
    .await
}

pub(crate) async fn get(root: &Path, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    blocking("read", root.join(key), |path| match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        // A segment of the key that is a file rather than a folder means no such
        // object, as it would in a bucket.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(None),
        Err(e) => Err(e),
    })
    .await
}

pub(crate) async fn delete(root: &Path, key: &str) -> Result<(), StoreError> {
    blocking("delete", root.join(key), |path| {
        match fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(()),
            Err(e) => Err(e),
        }
    })
    .await
}

/// Writes a temporary file beside the target, flushes it to disk and renames it over
/// the target. A rename within one folder is atomic, so a reader (or a crash) sees the
/// old file or the new one, never a half-written one. The temporary name starts with
/// a dot, which no key's segment may, so it can never be read as an object.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(ErrorKind::InvalidInput, "no parent folder"))?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(ErrorKind::InvalidInput, "no file name"))?;
    fs::create_dir_all(dir)?;
    let temp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), unique()));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    // The rename itself is only durable once the folder's entry is on disk.
    File::open(dir)?.sync_all()
}

/// Unique among this process's writes (the counter) and across processes sharing the
/// folder (the process id and the time), without a random number generator.
fn unique() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{nanos}-{n}", std::process::id())
}
