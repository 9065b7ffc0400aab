//! The sign-up wizard of the seed: five steps with back, next and skip; what is typed
//! waits in the session between steps, the password only as its hash and its mask.

use super::*;

/// What the wizard has gathered so far.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(super) struct Draft {
    first_name: String,
    last_name: String,
    citizen_id_hash: Option<String>,
    citizen_id_last: Option<String>,
    mobile: Option<String>,
    email: String,
    username: String,
    password_hash: String,
    password_mask: String,
    /// The furthest step completed; later steps cannot be opened before it.
    done: u8,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WizardForm {
    step: u8,
    action: String,
    first_name: String,
    last_name: String,
    citizen_id: String,
    mobile: String,
    email: String,
    username: String,
    password: String,
    password_confirmation: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "signup.html")]
pub(crate) struct SignupPage {
    l: Layout,
    step: u8,
    steps: Vec<(u8, &'static str)>,
    progress: String,
    step_title: &'static str,
    fields: Vec<Field>,
    summary: Vec<(&'static str, String)>,
    errors: Vec<(&'static str, String)>,
}

pub(super) fn step_key(step: u8) -> &'static str {
    match step {
        1 => "step-name",
        2 => "step-citizen_id",
        3 => "step-contact",
        4 => "step-account",
        _ => "step-summary",
    }
}

pub(super) async fn draft(session: &Session) -> Draft {
    session
        .get::<Draft>(DRAFT_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

pub(super) fn signup_page(
    lang: Lang,
    uri: &Uri,
    step: u8,
    d: &Draft,
    typed: Option<&WizardForm>,
    errors: &FieldErrors,
) -> SignupPage {
    let v = |typed_value: Option<&String>, kept: &str| -> String {
        typed_value.cloned().unwrap_or_else(|| kept.to_owned())
    };
    let fields = match step {
        1 => vec![
            field(
                lang,
                "first_name",
                "text",
                "given-name",
                &v(typed.map(|t| &t.first_name), &d.first_name),
                errors,
            ),
            field(
                lang,
                "last_name",
                "text",
                "family-name",
                &v(typed.map(|t| &t.last_name), &d.last_name),
                errors,
            ),
        ],
        2 => vec![field(
            lang,
            "citizen_id",
            "text",
            "off",
            &typed.map(|t| t.citizen_id.clone()).unwrap_or_default(),
            errors,
        )],
        3 => vec![
            field(
                lang,
                "mobile",
                "tel",
                "tel",
                &v(typed.map(|t| &t.mobile), d.mobile.as_deref().unwrap_or("")),
                errors,
            ),
            field(
                lang,
                "email",
                "email",
                "email",
                &v(typed.map(|t| &t.email), &d.email),
                errors,
            ),
        ],
        4 => vec![
            field(
                lang,
                "username",
                "text",
                "username",
                &v(typed.map(|t| &t.username), &d.username),
                errors,
            ),
            field(lang, "password", "password", "new-password", "", errors),
            field(
                lang,
                "password_confirmation",
                "password",
                "new-password",
                "",
                errors,
            ),
        ],
        _ => Vec::new(),
    };
    let not_given = || lang.text("not-given").to_owned();
    let summary = if step == STEPS {
        vec![
            (lang.text("f-first_name"), d.first_name.clone()),
            (lang.text("f-last_name"), d.last_name.clone()),
            (
                lang.text("f-citizen_id"),
                d.citizen_id_last
                    .as_ref()
                    .map(|l| format!("*********{l}"))
                    .unwrap_or_else(not_given),
            ),
            (
                lang.text("f-mobile"),
                d.mobile.clone().unwrap_or_else(not_given),
            ),
            (lang.text("f-email"), d.email.clone()),
            (lang.text("f-username"), d.username.clone()),
            (lang.text("f-password"), d.password_mask.clone()),
        ]
    } else {
        Vec::new()
    };
    let progress = lang.t_with(
        "signup-step",
        &[("step", step.to_string()), ("total", STEPS.to_string())],
    );
    SignupPage {
        l: Layout::new(
            lang,
            format!("{} · {progress}", lang.text("signup-title")),
            uri,
        ),
        step,
        steps: (1..=STEPS).map(|n| (n, lang.text(step_key(n)))).collect(),
        progress,
        step_title: lang.text(step_key(step)),
        fields,
        summary,
        errors: self::summary(lang, errors),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct StepQuery {
    step: Option<u8>,
}

pub(crate) async fn signup_form(
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(q): Query<StepQuery>,
) -> Response {
    let d = draft(&session).await;
    // A step is reachable once the ones before it are done.
    let step = q.step.unwrap_or(1).clamp(1, STEPS).min(d.done + 1);
    signup_page(lang, &uri, step, &d, None, &FieldErrors::new()).into_response()
}

pub(super) fn to_step(step: u8) -> Response {
    Redirect::to(&format!("/signup?step={step}")).into_response()
}

pub(crate) async fn signup_submit(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Form(f): Form<WizardForm>,
) -> Response {
    let mut d = draft(&session).await;
    let step = f.step.clamp(1, STEPS).min(d.done + 1);
    let refuse = |d: &Draft, step: u8, errors: FieldErrors| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            signup_page(lang, &uri, step, d, Some(&f), &errors),
        )
            .into_response()
    };
    match f.action.as_str() {
        "back" => return to_step(step.saturating_sub(1).max(1)),
        "skip" if step == 2 => {
            d.citizen_id_hash = None;
            d.citizen_id_last = None;
        }
        "next" | "register" => {
            let mut errors = FieldErrors::new();
            match step {
                1 => {
                    match account::person_name(&f.first_name) {
                        Ok(n) => d.first_name = n,
                        Err(e) => errors.push(("first_name", e)),
                    }
                    match account::person_name(&f.last_name) {
                        Ok(n) => d.last_name = n,
                        Err(e) => errors.push(("last_name", e)),
                    }
                }
                2 => match CitizenId::parse(&f.citizen_id) {
                    Ok(c) => {
                        d.citizen_id_hash = Some(state.app.citizen_id_hash(c.digits()));
                        d.citizen_id_last = Some(c.last_digits().to_owned());
                    }
                    Err(e) => errors.push(("citizen_id", e)),
                },
                3 => {
                    if f.mobile.trim().is_empty() {
                        d.mobile = None;
                    } else {
                        match account::mobile(&f.mobile) {
                            Ok(m) => d.mobile = Some(m),
                            Err(e) => errors.push(("mobile", e)),
                        }
                    }
                    match account::email(&f.email) {
                        Ok(e) => d.email = e,
                        Err(e) => errors.push(("email", e)),
                    }
                }
                4 => {
                    let username = account::username(&f.username);
                    if let Err(e) = &username {
                        errors.push(("username", *e));
                    }
                    if let Err(e) =
                        account::password(&f.password, &f.password_confirmation, f.username.trim())
                    {
                        errors.push(("password", e));
                    }
                    if let Ok(u) = &username {
                        match flows::username_free(&state.app, u).await {
                            Ok(true) => {}
                            Ok(false) => errors.push(("username", FieldError::UsernameTaken)),
                            Err(e) => return failure(lang, &uri, e),
                        }
                    }
                    if errors.is_empty() {
                        d.username = username.unwrap_or_default();
                        d.password_mask = account::mask_password(&f.password);
                        match app::passwords::hash_password(f.password.clone()).await {
                            Ok(h) => d.password_hash = h,
                            Err(e) => return failure(lang, &uri, e.into()),
                        }
                    }
                }
                _ => {
                    // The summary: register.
                    let r = Registration {
                        first_name: d.first_name.clone(),
                        last_name: d.last_name.clone(),
                        citizen_id_hash: d.citizen_id_hash.clone(),
                        citizen_id_last: d.citizen_id_last.clone(),
                        mobile: d.mobile.clone(),
                        email: d.email.clone(),
                        username: d.username.clone(),
                        password_hash: d.password_hash.clone(),
                    };
                    return match flows::register(&state.app, &r, address.0.as_deref()).await {
                        Ok(_) => {
                            let _ = session.remove::<Draft>(DRAFT_KEY).await;
                            notice(
                                lang,
                                &uri,
                                "signup-done-title",
                                lang.t_with("signup-done", &[("email", r.email.clone())]),
                                vec![("/signin".into(), lang.t("nav-signin"))],
                            )
                        }
                        Err(FlowError::Fields(errors)) => {
                            // Taken meanwhile: back to the step that has the field.
                            let back = if errors.iter().any(|(f, _)| *f == "email") {
                                3
                            } else {
                                4
                            };
                            d.done = back - 1;
                            let _ = session.insert(DRAFT_KEY, &d).await;
                            refuse(&d, back, errors)
                        }
                        Err(e) => failure(lang, &uri, e),
                    };
                }
            }
            if !errors.is_empty() {
                return refuse(&d, step, errors);
            }
        }
        _ => return to_step(step),
    }
    d.done = d.done.max(step);
    if let Err(e) = session.insert(DRAFT_KEY, &d).await {
        return failure(lang, &uri, FlowError::Internal(e.to_string()));
    }
    to_step(step + 1)
}
