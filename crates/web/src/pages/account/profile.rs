//! The account page: the person's data, their units, the Authorize Code form, and
//! deleting the account.

use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub(crate) struct AccountPage {
    l: Layout,
    notice: Option<String>,
    facts: Vec<(&'static str, String)>,
    units: Vec<(String, String, &'static str)>,
    fields: Vec<Field>,
    errors: Vec<(&'static str, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CodeForm {
    authorize_code: String,
    name: String,
    email: String,
}

pub(super) async fn account_page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    user: i64,
    typed: Option<&CodeForm>,
    errors: FieldErrors,
    notice: Option<String>,
) -> Response {
    let u = match state.db.user_by_id(user).await {
        Ok(Some(u)) => u,
        Ok(None) => return Redirect::to("/signin").into_response(),
        Err(e) => return failure(lang, uri, FlowError::Internal(e.to_string())),
    };
    let units = match state.db.memberships(user).await {
        Ok(m) => m
            .into_iter()
            .map(|m| {
                let role = lang.text(match m.role.as_str() {
                    "supervisor" => "role-supervisor",
                    "admin" => "role-admin",
                    "editor" => "role-editor",
                    _ => "role-viewer",
                });
                (m.unit.as_str().to_owned(), m.unit_name_th, role)
            })
            .collect(),
        Err(e) => return failure(lang, uri, FlowError::Internal(e.to_string())),
    };
    let not_given = || lang.t("not-given");
    let full_name = format!("{} {}", u.first_name, u.last_name);
    let facts = vec![
        (lang.text("f-name"), full_name.clone()),
        (lang.text("f-username"), u.username.clone()),
        (
            lang.text("f-email"),
            u.email.clone().unwrap_or_else(not_given),
        ),
        (
            lang.text("f-mobile"),
            u.mobile.clone().unwrap_or_else(not_given),
        ),
        (
            lang.text("f-citizen_id"),
            u.citizen_id_last
                .as_ref()
                .map(|l| format!("*********{l}"))
                .unwrap_or_else(not_given),
        ),
    ];
    let fields = vec![
        field(
            lang,
            "authorize_code",
            "text",
            "off",
            &typed.map(|t| t.authorize_code.clone()).unwrap_or_default(),
            &errors,
        ),
        field(
            lang,
            "name",
            "text",
            "name",
            &typed.map(|t| t.name.clone()).unwrap_or(full_name),
            &errors,
        ),
        field(
            lang,
            "email",
            "email",
            "email",
            &typed
                .map(|t| t.email.clone())
                .unwrap_or_else(|| u.email.clone().unwrap_or_default()),
            &errors,
        ),
    ];
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        AccountPage {
            l: Layout::new(lang, lang.text("account-title"), uri),
            notice,
            facts,
            units,
            fields,
            errors: summary(lang, &errors),
        },
    )
        .into_response()
}

pub(crate) async fn account(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
) -> Response {
    match auth::signed_in(&session).await {
        Some(user) => account_page(&state, lang, &uri, user, None, FieldErrors::new(), None).await,
        None => to_signin(&uri),
    }
}

pub(crate) async fn bind_unit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some(user) = auth::signed_in(&session).await else {
        return to_signin(&Uri::from_static("/account"));
    };
    let u = match state.db.user_by_id(user).await {
        Ok(Some(u)) => u,
        Ok(None) => return to_signin(&Uri::from_static("/account")),
        Err(e) => return failure(lang, &uri, FlowError::Internal(e.to_string())),
    };
    let form = flows::CodeForm {
        code: &f.authorize_code,
        name: Some(&f.name),
        email: Some(&f.email),
    };
    match flows::bind_unit(&state.app, &u, form, address.0.as_deref()).await {
        Ok((unit, _)) => {
            let name = state
                .directory()
                .unit(unit.as_str())
                .map(|e| e.unit.name_th.clone())
                .unwrap_or_else(|| unit.as_str().to_owned());
            let done = lang.t_with("bind-done", &[("unit", name)]);
            account_page(
                &state,
                lang,
                &uri,
                user,
                None,
                FieldErrors::new(),
                Some(done),
            )
            .await
        }
        Err(FlowError::Fields(errors)) => {
            account_page(&state, lang, &uri, user, Some(&f), errors, None).await
        }
        Err(FlowError::UnknownCode) => {
            let errors = vec![("authorize_code", FieldError::AuthorizeCodeUnknown)];
            account_page(&state, lang, &uri, user, Some(&f), errors, None).await
        }
        Err(e) => failure(lang, &uri, e),
    }
}

/// Deleting one's account: a page that says what goes, then the button that does it.
pub(crate) async fn delete_form(session: Session, lang: Lang, uri: Uri) -> Response {
    if auth::signed_in(&session).await.is_none() {
        return to_signin(&uri);
    }
    NoticePage {
        form_action: Some("/account/delete"),
        button: lang.text("btn-delete-account"),
        links: vec![("/account".into(), lang.t("account-title"))],
        ..NoticePage::new(lang, &uri, "delete-title", lang.t("delete-ask"))
    }
    .into_response()
}

pub(crate) async fn delete_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
) -> Response {
    let Some(user) = auth::signed_in(&session).await else {
        return to_signin(&Uri::from_static("/account"));
    };
    if let Err(e) = flows::delete_account(&state.app, user, address.0.as_deref()).await {
        return failure(lang, &uri, e);
    }
    let _ = session.flush().await;
    notice(
        lang,
        &uri,
        "delete-title",
        lang.t("delete-done"),
        vec![("/".into(), lang.t("nav-home"))],
    )
}
