//! Who is signed in: the session layer (tower-sessions, kept in the database by
//! `session_store`), the client's address, OpenID Connect, and the extractor of the
//! caller. Password hashing and the account flows are the `app` crate's.

pub mod oidc;
pub(crate) mod scope;
pub(crate) mod session_store;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The session key that holds the signed-in account.
pub(crate) const USER_KEY: &str = "user_id";

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
