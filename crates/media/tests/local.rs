//! The local folder store on a real file system.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use citizeninfo_media::{Store, StoreError};

/// A fresh folder under the system's temporary folder, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!(
            "citizeninfo-media-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file below `dir`, as paths relative to it.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn put_get_delete() {
    let dir = TempDir::new("roundtrip");
    let store = Store::Local(dir.0.join("media"));
    let key = "photos/ab/abcdef-1600.jpg";

    // Nothing there yet, and the folder itself does not exist.
    assert_eq!(store.get(key).await.unwrap(), None);

    store
        .put(key, b"first".to_vec(), "image/jpeg")
        .await
        .unwrap();
    let object = store.get(key).await.unwrap().unwrap();
    assert_eq!(object.bytes, b"first");
    assert_eq!(object.content_type, "image/jpeg");
    assert_eq!(
        std::fs::read(dir.0.join("media/photos/ab/abcdef-1600.jpg")).unwrap(),
        b"first"
    );

    // Replacing.
    store
        .put(key, b"second".to_vec(), "image/jpeg")
        .await
        .unwrap();
    assert_eq!(store.get(key).await.unwrap().unwrap().bytes, b"second");
    // No temporary file is left beside it.
    assert_eq!(files(&dir.0), ["media/photos/ab/abcdef-1600.jpg"]);

    // An empty object is an object.
    store
        .put("empty.png", Vec::new(), "image/png")
        .await
        .unwrap();
    let empty = store.get("empty.png").await.unwrap().unwrap();
    assert!(empty.bytes.is_empty());
    assert_eq!(empty.content_type, "image/png");

    store.delete(key).await.unwrap();
    assert_eq!(store.get(key).await.unwrap(), None);
    // Deleting what is not there, twice, or below a missing folder, is fine.
    store.delete(key).await.unwrap();
    store.delete("photos/zz/nothing-400.jpg").await.unwrap();
    // A key through a file, as if the file were a folder, is no object either.
    assert_eq!(store.get("empty.png/x.jpg").await.unwrap(), None);
    store.delete("empty.png/x.jpg").await.unwrap();
}

#[tokio::test]
async fn keys_outside_the_folder_are_refused() {
    let dir = TempDir::new("keys");
    let store = Store::Local(dir.0.join("media"));
    std::fs::write(dir.0.join("secret.jpg"), b"outside").unwrap();
    for key in [
        "../secret.jpg",
        "photos/../../secret.jpg",
        "/etc/passwd",
        "photos/.hidden.jpg",
        "Photos/A.jpg",
        "",
    ] {
        assert!(
            matches!(store.get(key).await, Err(StoreError::InvalidKey { .. })),
            "get {key:?}"
        );
        assert!(
            matches!(
                store.put(key, b"x".to_vec(), "image/jpeg").await,
                Err(StoreError::InvalidKey { .. })
            ),
            "put {key:?}"
        );
        assert!(
            matches!(store.delete(key).await, Err(StoreError::InvalidKey { .. })),
            "delete {key:?}"
        );
    }
    assert_eq!(std::fs::read(dir.0.join("secret.jpg")).unwrap(), b"outside");
    assert_eq!(files(&dir.0), ["secret.jpg"]);
}

#[tokio::test]
async fn content_type_must_match_the_key() {
    let dir = TempDir::new("types");
    let store = Store::Local(dir.0.clone());
    let error = store
        .put("photos/a.jpg", b"x".to_vec(), "image/png")
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::ContentType { .. }), "{error}");
    assert!(files(&dir.0).is_empty());
}

#[tokio::test]
async fn a_reader_never_sees_a_half_written_file() {
    let dir = TempDir::new("atomic");
    let store = Store::Local(dir.0.clone());
    let key = "photos/aa/big-1600.jpg";
    // Large enough that a write in place would be seen part-way by a reader.
    let a = vec![b'a'; 4 * 1024 * 1024];
    let b = vec![b'b'; 4 * 1024 * 1024];
    store.put(key, a.clone(), "image/jpeg").await.unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let path = dir.0.join(key);
    let reader = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(Ordering::Relaxed) {
                let bytes = std::fs::read(&path).expect("the file is always there");
                assert_eq!(bytes.len(), 4 * 1024 * 1024, "a short file was read");
                assert!(
                    bytes.iter().all(|&c| c == bytes[0]),
                    "a mix of two writes was read"
                );
                reads += 1;
            }
            reads
        })
    };
    for i in 0..20 {
        let bytes = if i % 2 == 0 { b.clone() } else { a.clone() };
        store.put(key, bytes, "image/jpeg").await.unwrap();
    }
    done.store(true, Ordering::Relaxed);
    let reads = reader.join().expect("the reader saw a partial file");
    assert!(reads > 0);
    assert_eq!(files(&dir.0), [key]);
}

#[tokio::test]
async fn a_failed_write_leaves_nothing_behind() {
    let dir = TempDir::new("failed");
    let store = Store::Local(dir.0.clone());
    // The target exists as a non-empty folder, so the rename over it fails.
    std::fs::create_dir_all(dir.0.join("photos/x.jpg/inside")).unwrap();
    let error = store
        .put("photos/x.jpg", b"data".to_vec(), "image/jpeg")
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, StoreError::Local { .. }), "{message}");
    assert!(message.contains("photos/x.jpg"), "{message}");
    assert!(files(&dir.0).is_empty(), "left: {:?}", files(&dir.0));
}
