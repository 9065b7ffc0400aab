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
    /// The open tasks: (link, title, what the caller does with it, days left, overdue)
    tasks: Vec<(String, String, String, String, bool)>,
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
    let tasks = match app::tasks::list(&state.app, &caller, true).await {
        Ok(lines) => lines
            .into_iter()
            .flat_map(|t| {
                let left = super::tasks::days_left(lang, t.days_left);
                let late = t.days_left < 0;
                let mut out = Vec::new();
                if t.manages {
                    out.push((
                        format!("/staff/tasks/{}", t.task.id),
                        t.task.fields.title.clone(),
                        lang.t("tk-you-issued"),
                        left.clone(),
                        late,
                    ));
                }
                for (code, report) in &t.reporting {
                    // A report that is in asks nothing more of the unit for now.
                    if matches!(
                        report,
                        domain::task::ReportState::Submitted | domain::task::ReportState::Accepted
                    ) {
                        continue;
                    }
                    out.push((
                        format!("/staff/tasks/{}/units/{code}", t.task.id),
                        t.task.fields.title.clone(),
                        super::tasks::report_state_label(lang, *report),
                        left.clone(),
                        late,
                    ));
                }
                out
            })
            .collect(),
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let (layout, menu) = frame(lang, lang.text("bo-title"), &uri, Menu::Home, &caller);
    HomePage {
        l: layout,
        f: menu,
        units,
        attention,
        tasks,
    }
    .into_response()
}
