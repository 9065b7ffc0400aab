//! Sign-in with a password, and sign-out.

use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "signin.html")]
pub(crate) struct SigninPage {
    l: Layout,
    /// The OpenID provider's name, when sign-in through it is configured.
    oidc: Option<String>,
    next: String,
    notice: Option<String>,
    fields: Vec<Field>,
    errors: Vec<(&'static str, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SigninForm {
    username: String,
    password: String,
    next: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after sign-in.
pub(super) fn local(next: &str) -> String {
    if super::super::is_local_path(next) {
        next.to_owned()
    } else {
        "/staff".to_owned()
    }
}

pub(super) fn signin_page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    next: &str,
    username: &str,
    notice: Option<String>,
    errors: FieldErrors,
) -> SigninPage {
    SigninPage {
        l: Layout::new(lang, lang.text("signin-title"), uri),
        oidc: state.config.oidc.as_ref().map(|o| o.display_name.clone()),
        next: local(next),
        notice,
        fields: vec![
            field(lang, "username", "text", "username", username, &errors),
            field(
                lang,
                "password",
                "password",
                "current-password",
                "",
                &errors,
            ),
        ],
        errors: summary(lang, &errors),
    }
}

pub(crate) async fn signin_form(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    Query(q): Query<NextQuery>,
) -> Response {
    signin_page(
        &state,
        lang,
        &uri,
        q.next.as_deref().unwrap_or("/staff"),
        "",
        None,
        FieldErrors::new(),
    )
    .into_response()
}

pub(crate) async fn signin_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<SigninForm>,
) -> Response {
    let said_text = |status: StatusCode, text: String| {
        (
            status,
            signin_page(
                &state,
                lang,
                &uri,
                &f.next,
                &f.username,
                Some(text),
                FieldErrors::new(),
            ),
        )
            .into_response()
    };
    let said = |status: StatusCode, key: &str| said_text(status, lang.t(key));
    match flows::sign_in(
        &state.app,
        &f.username,
        f.password.clone(),
        address.0.as_deref(),
    )
    .await
    {
        Ok(user) => {
            // A new session id at sign-in: an id planted before it is worth nothing after.
            if session.cycle_id().await.is_err() || session.insert(USER_KEY, user.id).await.is_err()
            {
                return failure(
                    lang,
                    &uri,
                    FlowError::Internal("session could not be stored".into()),
                );
            }
            let _ = session.remove::<Draft>(DRAFT_KEY).await;
            Redirect::to(&local(&f.next)).into_response()
        }
        Err(FlowError::WrongCredentials) => said(StatusCode::UNAUTHORIZED, "signin-wrong"),
        Err(FlowError::Unverified) => said(StatusCode::FORBIDDEN, "signin-unverified"),
        // The form again, with the wait and its header, so that the person can try once
        // the window is over without finding the page again.
        Err(FlowError::Throttled { retry_after }) => with_retry_after(
            said_text(
                StatusCode::TOO_MANY_REQUESTS,
                throttled_text(lang, retry_after),
            ),
            retry_after,
        ),
        Err(e) => failure(lang, &uri, e),
    }
}

/// Sign-out; after an OpenID sign-in, on to the provider's end-session too.
pub(crate) async fn signout(
    State(state): State<Shared>,
    session: Session,
    address: ClientAddress,
) -> Response {
    if let Some(user) = auth::signed_in(&session).await {
        let _ = flows::signed_out(&state.app, user, address.0.as_deref()).await;
    }
    let id_token: Option<String> = session.get(OIDC_ID_TOKEN).await.ok().flatten();
    let _ = session.flush().await;
    if let (Some(oidc), Some(t)) = (&state.oidc, id_token) {
        let back = format!("{}/", state.config.base_url.trim_end_matches('/'));
        if let Some(url) = oidc.logout_url(Some(&t), &back).await {
            return Redirect::to(&url).into_response();
        }
    }
    Redirect::to("/").into_response()
}
