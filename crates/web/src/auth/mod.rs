//! Staff authentication: password hashing, e-mail links, the keyed hash of citizen IDs,
//! the sign-in throttle, and who is signed in. Sessions themselves are tower-sessions',
//! kept in the database by `session_store`.

pub(crate) mod flows;
pub mod oidc;
pub(crate) mod scope;
pub(crate) mod session_store;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::OnceLock;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The session key that holds the signed-in account.
pub(crate) const USER_KEY: &str = "user_id";

/// Argon2id with the crate's recommended parameters (19 MiB, 2 passes), off the async
/// threads: one hash takes tens of milliseconds.
pub async fn hash_password(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| e.to_string())?
}

fn hash_now(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing: {e}"))
}

/// Checks a password against a stored hash. Without a hash (an unknown username, or an
/// account without a password) a throwaway hash is checked all the same, so that the
/// answer takes as long and tells nothing.
pub(crate) async fn verify_password(hash: Option<String>, password: String) -> bool {
    static THROWAWAY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
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
    .unwrap_or(false)
}

/// A fresh single-use link token (sent by mail) and the hash that is stored.
pub(crate) fn new_link_token() -> (String, String) {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let hash = link_hash(&token);
    (token, hash)
}

pub(crate) fn link_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// The keyed hash stored in place of a citizen ID: the same person gives the same hash
/// (so duplicates can be found), and without the key the 13 digits cannot be
/// recovered by trying every valid number.
pub(crate) fn citizen_id_hash(key: &[u8], digits: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(digits.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The client's address, for throttling and the audit log: the TCP peer. (Behind a
/// reverse proxy every request comes from the proxy; trusting a forwarded header is
/// a deployment setting still to come.)
pub(crate) struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}

/// How long a session lasts without use.
const SESSION_IDLE_HOURS: i64 = 8;

/// The session cookie: HttpOnly, SameSite=Lax, Secure when the site is served over
/// https, expiring after a working day without use.
pub(crate) fn session_layer(
    state: &crate::Shared,
) -> SessionManagerLayer<session_store::DbSessionStore> {
    SessionManagerLayer::new(session_store::DbSessionStore::new(state.db.clone()))
        .with_name("citizeninfo_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.base_url.starts_with("https://"))
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(
            SESSION_IDLE_HOURS,
        )))
}

/// The signed-in account's id, if any.
pub(crate) async fn signed_in(session: &Session) -> Option<i64> {
    session.get::<i64>(USER_KEY).await.ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("s3cretPass".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password(Some(h.clone()), "s3cretPass".into()).await);
        assert!(!verify_password(Some(h), "s3cretPasS".into()).await);
        assert!(!verify_password(None, "anything1".into()).await);
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
