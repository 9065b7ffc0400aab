//! Password hashing (bounded: at most one hash per core), single-use link tokens and
//! the keyed hash of citizen IDs.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every core is hashing and the queue is full: the caller answers 503 with
    /// `Retry-After` rather than letting memory grow with the crowd.
    #[error("password hashing is busy")]
    Busy,
    #[error("password hashing: {0}")]
    Failed(String),
}

/// How many seconds a client refused by a full hashing queue should wait.
pub const HASH_BUSY_RETRY_SECONDS: u64 = 2;

/// The bound on password hashing: each Argon2 check holds 19 MiB for tens of
/// milliseconds, so at most one runs per core, a queue of a few seconds' work waits for
/// a core, and beyond that the request is refused at once. Process-wide, like the cores.
struct HashGate {
    running: std::sync::Arc<tokio::sync::Semaphore>,
    admitted: tokio::sync::Semaphore,
}

/// Queue length per core: about two seconds of hashing at ~30 ms a hash; a hundred
/// people signing up at once on a 2-core machine all get through.
const QUEUE_PER_CORE: usize = 64;
/// Nobody waits longer than this for a core, whatever happens to the hashing ahead.
const MAX_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn gate() -> &'static HashGate {
    static GATE: OnceLock<HashGate> = OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        HashGate {
            running: std::sync::Arc::new(tokio::sync::Semaphore::new(cores)),
            admitted: tokio::sync::Semaphore::new(cores * (QUEUE_PER_CORE + 1)),
        }
    })
}

/// Runs one hash computation on the blocking pool once a core is free. The core's
/// permit moves into the blocking task, so a client that hangs up while its hash runs
/// does not let another start beside it.
async fn gated<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashError> {
    let gate = gate();
    let _admitted = gate.admitted.try_acquire().map_err(|_| HashError::Busy)?;
    let running = tokio::time::timeout(MAX_QUEUE_WAIT, gate.running.clone().acquire_owned())
        .await
        .map_err(|_| HashError::Busy)?
        .map_err(|_| HashError::Busy)?;
    tokio::task::spawn_blocking(move || {
        let _running = running;
        work()
    })
    .await
    .map_err(|e| HashError::Failed(e.to_string()))
}

/// Argon2id with the crate's recommended parameters (19 MiB, 2 passes), off the async
/// threads and through the hashing gate.
pub async fn hash_password(password: String) -> Result<String, HashError> {
    gated(move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError::Failed(e.to_string()))
}

/// Checks a password against a stored hash. Without a hash (an unknown username, or an
/// account without a password) a throwaway hash is checked all the same, so that the
/// answer takes as long and tells nothing.
pub async fn verify_password(hash: Option<String>, password: String) -> Result<bool, HashError> {
    static THROWAWAY: OnceLock<String> = OnceLock::new();
    gated(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| {
            THROWAWAY
                .get_or_init(|| {
                    hash_now(&hex::encode(rand::random::<[u8; 16]>())).unwrap_or_default()
                })
                .clone()
        });
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        matches && known
    })
    .await
}

/// A fresh single-use link token (sent by mail) and the hash that is stored.
pub fn new_link_token() -> (String, String) {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let hash = link_hash(&token);
    (token, hash)
}

pub fn link_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// The keyed hash stored in place of a citizen ID: the same person gives the same hash
/// (so duplicates can be found), and without the key the 13 digits cannot be
/// recovered by trying every valid number.
pub fn citizen_id_hash(key: &[u8], digits: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(digits.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("s3cretPass".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(
            verify_password(Some(h.clone()), "s3cretPass".into())
                .await
                .unwrap()
        );
        assert!(!verify_password(Some(h), "s3cretPasS".into()).await.unwrap());
        assert!(!verify_password(None, "anything1".into()).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashing_runs_one_per_core_and_refuses_beyond_the_queue() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let capacity = cores * (QUEUE_PER_CORE + 1);
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..capacity + 40)
            .map(|_| {
                let (now, most) = (now.clone(), most.clone());
                tokio::spawn(gated(move || {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    now.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        let mut done = 0;
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => done += 1,
                Err(HashError::Busy) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(
            most.load(Ordering::SeqCst) <= cores,
            "{} at once",
            most.load(Ordering::SeqCst)
        );
        assert!(done >= capacity.min(cores * 8), "{done} done");
        assert!(busy >= 1, "nothing refused with {} asking", capacity + 40);
        assert_eq!(done + busy, capacity + 40);
    }

    #[test]
    fn citizen_id_hash_is_keyed() {
        let a = citizen_id_hash(b"key one", "1101700207366");
        assert_eq!(a, citizen_id_hash(b"key one", "1101700207366"));
        assert_ne!(a, citizen_id_hash(b"key two", "1101700207366"));
        assert!(!a.contains("1101700207366"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn link_tokens_are_random_and_stored_hashed() {
        let (t1, h1) = new_link_token();
        let (t2, _) = new_link_token();
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), 64);
        assert_eq!(link_hash(&t1), h1);
        assert_ne!(t1, h1);
    }
}
