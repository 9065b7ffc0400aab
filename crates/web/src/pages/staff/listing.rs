//! Service points and structure: the seed's table of the caller's scope, with filters,
//! pages and the export links.

use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use domain::UnitCode;
use serde::Deserialize;
use tower_sessions::Session;

use super::*;

const PER_PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ListForm {
    ministry: String,
    department: String,
    unit: String,
    q: String,
    attention: String,
    page: String,
}

/// One row as the table shows it.
struct Row {
    code: String,
    name: String,
    ministry: String,
    department: String,
    unit: String,
    gecc: String,
    shown: &'static str,
    archived: bool,
    edited: String,
    authorize_code: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/listing.html")]
struct ListingPage {
    l: Layout,
    f: Frame,
    form: ListForm,
    /// Choices of the three filters: (code, name), from the caller's own scope.
    ministries: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    units: Vec<(String, String)>,
    rows: Vec<Row>,
    total: String,
    show_codes: bool,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    error: Option<String>,
}

pub(super) fn code_or_none(s: &str) -> Option<UnitCode> {
    let s = s.trim();
    (!s.is_empty()).then(|| UnitCode::parse(s).ok()).flatten()
}

pub(super) fn choices<'a>(
    it: impl Iterator<Item = Option<&'a app::backoffice::Named>>,
) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = it
        .flatten()
        .map(|n| (n.code.clone(), n.name.clone()))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn query_string(f: &ListForm, page: usize) -> String {
    let enc = super::super::form_urlencoded_component;
    format!(
        "?ministry={}&department={}&unit={}&q={}&attention={}&page={page}",
        enc(&f.ministry),
        enc(&f.department),
        enc(&f.unit),
        enc(&f.q),
        enc(&f.attention)
    )
}

pub(crate) async fn listing(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(form): Query<ListForm>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut error = None;
    for v in [&form.ministry, &form.department, &form.unit] {
        if !v.trim().is_empty() && UnitCode::parse(v.trim()).is_err() {
            error = Some(lang.t("err-code"));
        }
    }
    let all = match app::backoffice::service_points(
        &state.app,
        &caller,
        &app::backoffice::Filter::default(),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    let filter = app::backoffice::Filter {
        ministry: code_or_none(&form.ministry),
        department: code_or_none(&form.department),
        unit: code_or_none(&form.unit),
        text: Some(form.q.trim().to_owned()).filter(|q| !q.is_empty()),
    };
    let year_ago = Utc::now() - Duration::days(365);
    let lines: Vec<_> = match app::backoffice::service_points(&state.app, &caller, &filter).await {
        Ok(l) => l,
        Err(e) => return failure(lang, &uri, &caller, e),
    }
    .into_iter()
    .filter(|l| match form.attention.as_str() {
        "unverified" => !l.archived && l.verified_at.is_none_or(|v| v < year_ago),
        "hidden" => !l.archived && !l.visible,
        _ => true,
    })
    .collect();
    let total = lines.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = form
        .page
        .trim()
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, pages);
    let show_codes = lines.iter().any(|l| l.authorize_code.is_some());
    let rows = lines
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|l| Row {
            gecc: crate::views::gecc(
                lang,
                domain::GeccLevel::parse(&l.gecc_level).unwrap_or_default(),
            )
            .unwrap_or_else(|| "-".to_owned()),
            shown: lang.text(if l.visible {
                "bo-shown-yes"
            } else {
                "bo-shown-no"
            }),
            archived: l.archived,
            edited: format!(
                "{}{}",
                domain::thai_date::short_th(
                    l.updated_at
                        .with_timezone(&domain::hours::bangkok())
                        .date_naive()
                ),
                l.updated_by.map(|b| format!(" · {b}")).unwrap_or_default()
            ),
            name: l.name,
            ministry: l.ministry.map(|n| n.name).unwrap_or_default(),
            department: l.department.map(|n| n.name).unwrap_or_default(),
            unit: l.unit.map(|n| n.name).unwrap_or_default(),
            authorize_code: l.authorize_code,
            code: l.code,
        })
        .collect();
    let export = query_string(&form, 1);
    let (layout, menu) = frame(lang, lang.text("bo-points"), &uri, Menu::Points, &caller);
    ListingPage {
        l: layout,
        f: menu,
        ministries: choices(all.iter().map(|l| l.ministry.as_ref())),
        departments: choices(all.iter().map(|l| l.department.as_ref())),
        units: choices(all.iter().map(|l| l.unit.as_ref())),
        total: lang.t_with("bo-total", &[("n", total.to_string())]),
        prev: (page > 1).then(|| query_string(&form, page - 1)),
        next: (page < pages).then(|| query_string(&form, page + 1)),
        rows,
        show_codes,
        export,
        error,
        form,
    }
    .into_response()
}
