//! Sign-in through the OpenID Connect provider (the Thai Digital ID).

use super::*;

pub(super) const OIDC_PENDING: &str = "oidc_pending";
pub(super) const OIDC_ID_TOKEN: &str = "oidc_id_token";

/// Off to the OpenID provider, with PKCE, state and nonce kept in the session.
pub(crate) async fn oidc_start(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
) -> Response {
    let Some(oidc) = &state.oidc else {
        return super::super::error_page(StatusCode::NOT_FOUND, lang, &uri, lang.t("not-found"));
    };
    match oidc.start().await {
        Ok((url, pending)) => {
            if session.insert(OIDC_PENDING, &pending).await.is_err() {
                return failure(
                    lang,
                    &uri,
                    FlowError::Internal("session could not be stored".into()),
                );
            }
            Redirect::to(&url).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "OpenID sign-in could not start");
            oidc_failed(lang, &uri)
        }
    }
}

pub(super) fn oidc_failed(lang: Lang, uri: &Uri) -> Response {
    (
        StatusCode::BAD_GATEWAY,
        NoticePage {
            links: vec![("/signin".into(), lang.t("signin-title"))],
            ..NoticePage::new(lang, uri, "signin-title", lang.t("oidc-failed"))
        },
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Back from the provider: the code exchanged, the ID token checked, the account found,
/// linked or made, and a fresh session.
pub(crate) async fn oidc_callback(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = &state.oidc else {
        return super::super::error_page(StatusCode::NOT_FOUND, lang, &uri, lang.t("not-found"));
    };
    let pending: Option<auth::oidc::Pending> = session.remove(OIDC_PENDING).await.ok().flatten();
    let (Some(pending), Some(code), Some(st), None) = (pending, q.code, q.state, q.error.as_ref())
    else {
        if let Some(e) = &q.error {
            tracing::warn!(error = %e, "the OpenID provider refused the sign-in");
        }
        return oidc_failed(lang, &uri);
    };
    let claims = match oidc.finish(pending, &code, &st).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "OpenID sign-in failed");
            return oidc_failed(lang, &uri);
        }
    };
    match flows::oidc_sign_in(&state.app, &claims.verified, address.0.as_deref()).await {
        Ok(user) => {
            if session.cycle_id().await.is_err()
                || session.insert(USER_KEY, user.id).await.is_err()
                || session
                    .insert(OIDC_ID_TOKEN, &claims.id_token)
                    .await
                    .is_err()
            {
                return failure(
                    lang,
                    &uri,
                    FlowError::Internal("session could not be stored".into()),
                );
            }
            Redirect::to("/staff").into_response()
        }
        Err(e) => failure(lang, &uri, e),
    }
}
