//! The QR posters of the founding letter's last step: the table of the caller's scope
//! with download counts and the on/off switch, the downloads (one poster, or the checked
//! rows in one file) and the new code that retires old prints.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnitCode;
use serde::Deserialize;
use tower_sessions::Session;

use super::listing::{choices, code_or_none};
use super::reports::count;
use super::*;
use crate::auth::ClientAddress;
use crate::poster_files::{self, Format};

const PER_PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PosterForm {
    ministry: String,
    department: String,
    unit: String,
    q: String,
    page: String,
    /// What the last switch did, and to which row.
    done: String,
    at: String,
}

impl PosterForm {
    /// The filters from a query whose keys repeat (the download's `code`).
    fn of_pairs(pairs: &[(String, String)]) -> PosterForm {
        let mut f = PosterForm::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "ministry" => &mut f.ministry,
                "department" => &mut f.department,
                "unit" => &mut f.unit,
                "q" => &mut f.q,
                "page" => &mut f.page,
                _ => continue,
            };
            *slot = v.clone();
        }
        f
    }

    /// The listing's query, without what the last action said.
    fn query(&self, page: usize) -> String {
        let enc = super::super::form_urlencoded_component;
        format!(
            "?ministry={}&department={}&unit={}&q={}&page={page}",
            enc(&self.ministry),
            enc(&self.department),
            enc(&self.unit),
            enc(&self.q)
        )
    }
}

struct Row {
    code: String,
    name: String,
    ministry: String,
    department: String,
    unit: String,
    downloads: String,
    enabled: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/posters.html")]
struct PostersPage {
    l: Layout,
    f: Frame,
    form: PosterForm,
    ministries: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    units: Vec<(String, String)>,
    rows: Vec<Row>,
    total: String,
    /// Offered the switch and the new code: holds a role that edits somewhere.
    can_edit: bool,
    error: Option<String>,
    notice: Option<String>,
    /// This page's query, for the forms to come back to.
    back: String,
    /// Every code of this page, for the link that downloads them all.
    page_codes: String,
    prev: Option<String>,
    next: Option<String>,
}

async fn page(
    state: &Shared,
    lang: Lang,
    uri: &Uri,
    caller: &Caller,
    form: PosterForm,
    error: Option<String>,
) -> Response {
    let mut error = error;
    for v in [&form.ministry, &form.department, &form.unit] {
        if !v.trim().is_empty() && UnitCode::parse(v.trim()).is_err() {
            error = Some(lang.t("err-code"));
        }
    }
    let all = match app::backoffice::service_points(
        &state.app,
        caller,
        &app::backoffice::Filter::default(),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return failure(lang, uri, caller, e),
    };
    let filter = app::backoffice::Filter {
        ministry: code_or_none(&form.ministry),
        department: code_or_none(&form.department),
        unit: code_or_none(&form.unit),
        text: Some(form.q.trim().to_owned()).filter(|q| !q.is_empty()),
    };
    let lines = match app::posters::listing(&state.app, caller, &filter).await {
        Ok(l) => l,
        Err(e) => return failure(lang, uri, caller, e),
    };
    let total = lines.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = form
        .page
        .trim()
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, pages);
    let rows: Vec<Row> = lines
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|l| Row {
            downloads: count(lang, u64::try_from(l.downloads).unwrap_or(0)),
            enabled: l.enabled,
            name: l.point.name,
            ministry: l.point.ministry.map(|n| n.name).unwrap_or_default(),
            department: l.point.department.map(|n| n.name).unwrap_or_default(),
            unit: l.point.unit.map(|n| n.name).unwrap_or_default(),
            code: l.point.code,
        })
        .collect();
    let page_codes = rows
        .iter()
        .map(|r| format!("code={}", r.code))
        .collect::<Vec<_>>()
        .join("&");
    let notice = match form.done.as_str() {
        "on" => Some("rp-poster-done-on"),
        "off" => Some("rp-poster-done-off"),
        "rotated" => Some("rp-poster-done-rotated"),
        _ => None,
    }
    .map(|k| {
        let code = UnitCode::parse(form.at.trim())
            .map(|c| c.to_string())
            .unwrap_or_default();
        lang.t_with(k, &[("code", code)])
    });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (l, f) = frame(
        lang,
        &lang.t("rp-posters-title"),
        uri,
        Menu::Posters,
        caller,
    );
    (
        status,
        PostersPage {
            l,
            f,
            ministries: choices(all.iter().map(|l| l.ministry.as_ref())),
            departments: choices(all.iter().map(|l| l.department.as_ref())),
            units: choices(all.iter().map(|l| l.unit.as_ref())),
            total: lang.t_with(
                "bo-total",
                &[("n", super::reports::digits(lang, &total.to_string()))],
            ),
            rows,
            can_edit: caller.may_edit,
            error,
            notice,
            back: form.query(page),
            page_codes,
            prev: (page > 1).then(|| form.query(page - 1)),
            next: (page < pages).then(|| form.query(page + 1)),
            form,
        },
    )
        .into_response()
}

pub(crate) async fn posters(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(form): Query<PosterForm>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    page(&state, lang, &uri, &caller, form, None).await
}

/// `?code=…&code=…&format=pdf|png|zip`: the checked rows' posters in one file. A
/// query of pairs, since a key that repeats does not fit a struct's field.
pub(crate) async fn download(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let form = PosterForm::of_pairs(&pairs);
    let format = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "format")
        .map_or(Some(Format::Pdf), |(_, v)| Format::parse(v));
    let Some(format) = format else {
        let e = lang.t("rp-poster-bad-format");
        return page(&state, lang, &uri, &caller, form, Some(e)).await;
    };
    let mut codes = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "code") {
        match UnitCode::parse(v.trim()) {
            Ok(c) if !codes.contains(&c) => codes.push(c),
            Ok(_) => {}
            Err(_) => return failure(lang, &uri, &caller, AppError::NotFound("code")),
        }
    }
    // A PNG is one poster: several checked ones come as PNGs in a ZIP.
    let format = if format == Format::Png && codes.len() > 1 {
        Format::Zip
    } else {
        format
    };
    match app::posters::download(&state.app, &caller, &codes).await {
        Ok(posters) => match poster_files::render(posters, format).await {
            Ok(r) => r,
            Err(e) => failure(lang, &uri, &caller, AppError::internal(e)),
        },
        Err(AppError::Invalid(problems)) => {
            let e = problems
                .iter()
                .map(|p| lang.pick(&p.th, &p.en))
                .collect::<Vec<_>>()
                .join(" · ");
            page(&state, lang, &uri, &caller, form, Some(e)).await
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

/// Where an action goes back to: the listing with the query it was on, when that is
/// one of ours (printable ASCII, as `PosterForm::query` writes it).
fn back_to(values: &HashMap<String, String>, done: &str, code: &UnitCode) -> Response {
    let back = values
        .get("back")
        .filter(|b| b.starts_with('?') && b.bytes().all(|c| c.is_ascii_graphic() && c != b'#'))
        .map_or("?", String::as_str);
    let sep = if back == "?" { "" } else { "&" };
    Redirect::to(&format!(
        "/staff/posters{back}{sep}done={done}&at={code}#p-{code}"
    ))
    .into_response()
}

pub(crate) async fn switch(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Path(code): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(code) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    let enabled = match values.get("enabled").map(String::as_str) {
        Some("true") => true,
        Some("false") => false,
        _ => return failure(lang, &uri, &caller, AppError::NotFound("enabled")),
    };
    match app::posters::set_enabled(&state.app, &caller, &code, enabled, address.0.as_deref()).await
    {
        Ok(_) => back_to(&values, if enabled { "on" } else { "off" }, &code),
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

pub(crate) async fn rotate(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    address: ClientAddress,
    Path(code): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(code) = UnitCode::parse(&code) else {
        return failure(lang, &uri, &caller, AppError::NotFound("code"));
    };
    match app::posters::rotate(&state.app, &caller, &code, address.0.as_deref()).await {
        Ok(_) => back_to(&values, "rotated", &code),
        Err(e) => failure(lang, &uri, &caller, e),
    }
}
