//! Who is asking, from a session cookie or `Authorization: Bearer`, as the use cases'
//! [`Caller`]; the rule of what each role allows where is `domain::roles`.

use app::{AppError, Caller, Via};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
pub(crate) use domain::roles::Right;
use tower_sessions::Session;

use crate::Shared;
use crate::errors::ApiError;

/// A signed-in member of staff: the use cases' caller, from a session or a personal
/// API token.
pub(crate) struct Staff(pub Caller);

impl std::ops::Deref for Staff {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl Staff {
    /// Signed in with a personal API token rather than a session.
    pub(crate) fn via_token(&self) -> bool {
        self.0.via == Via::Token
    }
}

pub(crate) fn unauthenticated() -> ApiError {
    AppError::Unauthenticated.into()
}

impl FromRequestParts<Shared> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let caller = if let Some(h) = parts.headers.get(header::AUTHORIZATION) {
            // The scheme name is case-insensitive (RFC 9110 §11.1).
            let token = h
                .to_str()
                .ok()
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim())
                .ok_or_else(unauthenticated)?;
            Caller::from_token(&state.app, token).await?
        } else {
            let session = Session::from_request_parts(parts, state)
                .await
                .map_err(|_| unauthenticated())?;
            let id = super::signed_in(&session)
                .await
                .ok_or_else(unauthenticated)?;
            Caller::signed_in(&state.app, id, Via::Session).await?
        };
        Ok(Staff(caller))
    }
}
