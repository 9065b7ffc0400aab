//! The staff home: the menu, the caller's units and roles, and what needs attention in
//! their scope.

use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "staff/home.html")]
struct HomePage {
    l: Layout,
    f: Frame,
    /// (code, name, role)
    units: Vec<(String, String, &'static str)>,
    /// (text, count, link)
    attention: Vec<(&'static str, usize, String)>,
}

pub(crate) async fn home(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let units = match state.db.memberships(caller.user.id).await {
        Ok(m) => m
            .into_iter()
            .map(|m| (m.unit.to_string(), m.unit_name_th, role_name(lang, &m.role)))
            .collect(),
        Err(e) => return failure(lang, &uri, &caller, e.into()),
    };
    let lines = match app::backoffice::service_points(
        &state.app,
        &caller,
        &app::backoffice::Filter::default(),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let report = match app::quality::report(
        &state.app,
        &caller,
        &app::backoffice::Filter::default(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let mut attention: Vec<(&'static str, usize, String)> = report
        .counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(c, n)| {
            let label = match lang {
                Lang::Th => c.th(),
                Lang::En => c.en(),
            };
            (label, *n, format!("/staff/quality?check={}", c.slug()))
        })
        .collect();
    let hidden = lines.iter().filter(|l| !l.archived && !l.visible).count();
    if hidden > 0 {
        attention.push((
            lang.text("bo-hidden"),
            hidden,
            "/staff/service-points?attention=hidden".to_owned(),
        ));
    }
    let (layout, menu) = frame(lang, lang.text("bo-title"), &uri, Menu::Home, &caller);
    HomePage {
        l: layout,
        f: menu,
        units,
        attention,
    }
    .into_response()
}
