//! The pages the mailed links open: verification, a new verification link, and the
//! password reset.

use super::*;

#[derive(Debug, Deserialize)]
pub(crate) struct TokenQuery {
    token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TokenForm {
    token: String,
    password: String,
    password_confirmation: String,
    email: String,
}

/// The page the verification mail links to. Opening it changes nothing (mail scanners
/// open links too); the button does.
pub(crate) async fn verify_form(lang: Lang, uri: Uri, Query(q): Query<TokenQuery>) -> Response {
    NoticePage {
        form_action: Some("/auth/verify"),
        hidden: vec![("token", q.token.unwrap_or_default())],
        button: lang.text("btn-verify"),
        ..NoticePage::new(lang, &uri, "verify-title", lang.t("verify-ask"))
    }
    .into_response()
}

pub(crate) async fn verify_submit(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<TokenForm>,
) -> Response {
    match flows::verify(&state.app, &f.token, address.0.as_deref()).await {
        Ok(_) => notice(
            lang,
            &uri,
            "verify-title",
            lang.t("verify-done"),
            vec![("/signin".into(), lang.t("nav-signin"))],
        ),
        Err(FlowError::InvalidLink) => (
            StatusCode::BAD_REQUEST,
            NoticePage {
                links: vec![("/auth/resend".into(), lang.t("resend-title"))],
                ..NoticePage::new(lang, &uri, "verify-title", lang.t("link-bad"))
            },
        )
            .into_response(),
        Err(e) => failure(lang, &uri, e),
    }
}

/// Asking for a new verification link.
pub(crate) async fn resend_form(lang: Lang, uri: Uri) -> Response {
    NoticePage {
        form_action: Some("/auth/resend"),
        fields: vec![field(
            lang,
            "email",
            "text",
            "email",
            "",
            &FieldErrors::new(),
        )],
        button: lang.text("btn-send-link"),
        ..NoticePage::new(lang, &uri, "resend-title", lang.t("resend-ask"))
    }
    .into_response()
}

pub(crate) async fn resend_submit(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<TokenForm>,
) -> Response {
    match flows::resend(&state.app, &f.email, address.0.as_deref()).await {
        Ok(()) => notice(lang, &uri, "resend-title", lang.t("link-sent"), Vec::new()),
        Err(e) => failure(lang, &uri, e),
    }
}

/// Without a token: ask for a reset link. With one (from the mail): a new password.
pub(crate) async fn reset_form(lang: Lang, uri: Uri, Query(q): Query<TokenQuery>) -> Response {
    reset_page(lang, &uri, q.token.as_deref(), FieldErrors::new()).into_response()
}

pub(super) fn reset_page(
    lang: Lang,
    uri: &Uri,
    token: Option<&str>,
    errors: FieldErrors,
) -> NoticePage {
    match token {
        Some(t) => NoticePage {
            form_action: Some("/auth/reset"),
            hidden: vec![("token", t.to_owned())],
            fields: vec![
                field(lang, "password", "password", "new-password", "", &errors),
                field(
                    lang,
                    "password_confirmation",
                    "password",
                    "new-password",
                    "",
                    &errors,
                ),
            ],
            errors: summary(lang, &errors),
            button: lang.text("btn-save-password"),
            ..NoticePage::new(lang, uri, "reset-title", lang.t("reset-choose"))
        },
        None => NoticePage {
            form_action: Some("/auth/reset/request"),
            fields: vec![field(lang, "email", "email", "email", "", &errors)],
            button: lang.text("btn-send-link"),
            ..NoticePage::new(lang, uri, "reset-title", lang.t("reset-ask"))
        },
    }
}

pub(crate) async fn reset_request(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<TokenForm>,
) -> Response {
    match flows::request_reset(&state.app, &f.email, address.0.as_deref()).await {
        Ok(()) => notice(lang, &uri, "reset-title", lang.t("link-sent"), Vec::new()),
        Err(e) => failure(lang, &uri, e),
    }
}

pub(crate) async fn reset_submit(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<TokenForm>,
) -> Response {
    match flows::reset(
        &state.app,
        &f.token,
        &f.password,
        &f.password_confirmation,
        address.0.as_deref(),
    )
    .await
    {
        Ok(()) => notice(
            lang,
            &uri,
            "reset-title",
            lang.t("reset-done"),
            vec![("/signin".into(), lang.t("nav-signin"))],
        ),
        Err(FlowError::Fields(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            reset_page(lang, &uri, Some(&f.token), errors),
        )
            .into_response(),
        Err(e) => failure(lang, &uri, e),
    }
}
