use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::Layout;
use crate::params::{FieldErrors, SearchParams};
use crate::views::{MapPoint, PointLine, map_json, point_line};
use crate::{Lang, Shared};

/// The values to put back into the search form.
pub(crate) struct FormValues {
    q: String,
    near: String,
    province: String,
    district: String,
    open_now: bool,
    place_open: bool,
}

impl FormValues {
    fn of(p: &SearchParams) -> Self {
        let v = |s: &Option<String>| s.clone().unwrap_or_default();
        Self {
            q: v(&p.q),
            near: v(&p.near),
            province: v(&p.province),
            district: v(&p.district),
            open_now: p
                .open_now
                .as_deref()
                .is_some_and(|s| s == "true" || s == "on" || s == "1"),
            place_open: p.province.as_deref().is_some_and(|s| !s.is_empty())
                || p.district.as_deref().is_some_and(|s| !s.is_empty()),
        }
    }
}

/// Every province, and the districts of the chosen one only: a national list of districts
/// would weigh tens of kilobytes on every page.
fn places(dir: &directory::Directory, province: &str) -> Vec<(String, Vec<String>)> {
    dir.places()
        .iter()
        .map(|(p, ds)| {
            (
                p.clone(),
                if p == province || dir.places().len() == 1 {
                    ds.clone()
                } else {
                    Vec::new()
                },
            )
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    l: Layout,
    form: FormValues,
    places: Vec<(String, Vec<String>)>,
    roots: Vec<(String, String, String)>,
}

pub(crate) async fn home(State(state): State<Shared>, lang: Lang, uri: Uri) -> HomePage {
    let dir = state.directory();
    let roots = dir
        .roots()
        .into_iter()
        .map(|u| {
            (
                u.unit.code.to_string(),
                lang.pick(&u.unit.name_th, &u.unit.name_en).to_owned(),
                lang.t_with(
                    "service-points-count",
                    &[("count", u.service_points.to_string())],
                ),
            )
        })
        .collect();
    HomePage {
        l: Layout::new(lang, lang.t("site-tagline"), &uri),
        form: FormValues::of(&SearchParams::default()),
        places: places(&dir, ""),
        roots,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub(crate) struct SearchPage {
    l: Layout,
    form: FormValues,
    places: Vec<(String, Vec<String>)>,
    errors: FieldErrors,
    count_text: String,
    sorted_by_distance: bool,
    lines: Vec<PointLine>,
    manuals: Vec<(String, String)>,
    map_points: String,
    tiles: String,
    tile_attribution: String,
    page_text: String,
    prev: Option<String>,
    next: Option<String>,
}

pub(crate) async fn search(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    params: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let dir = state.directory();
    let now = Utc::now();
    let local = domain::hours::bangkok_now(now);
    let title = match params.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(q) => format!("{}: {q}", lang.t("search-button")),
        None => lang.t("search-button"),
    };
    let mut page = SearchPage {
        l: Layout::new(lang, title, &uri),
        form: FormValues::of(&params),
        places: places(&dir, params.province.as_deref().unwrap_or("")),
        errors: FieldErrors::new(),
        count_text: String::new(),
        sorted_by_distance: false,
        lines: Vec::new(),
        manuals: Vec::new(),
        map_points: "[]".into(),
        tiles: state.config.tile_url.clone(),
        tile_attribution: state.config.tile_attribution.clone(),
        page_text: String::new(),
        prev: None,
        next: None,
    };
    let query = match params.to_query(&dir, now, lang) {
        Ok(q) => q,
        Err(errors) => {
            page.errors = errors;
            return (StatusCode::BAD_REQUEST, super::html(&page)).into_response();
        }
    };
    let found = dir.search(&query);
    page.count_text = lang.t_with("results-count", &[("count", found.total.to_string())]);
    page.sorted_by_distance = query.near.is_some();
    page.lines = found
        .hits
        .iter()
        .map(|h| point_line(lang, &dir, &dir.points[h.index], h.distance_km, local))
        .collect();
    let points: Vec<MapPoint> = found
        .hits
        .iter()
        .map(|h| {
            let sp = &dir.points[h.index].point;
            MapPoint {
                lat: sp.location.lat,
                lon: sp.location.lon,
                name: lang.pick(&sp.name_th, &sp.name_en).to_owned(),
                url: format!("/sp/{}", sp.code),
            }
        })
        .collect();
    page.map_points = map_json(&points);
    if let Some(text) = &query.text {
        page.manuals = dir
            .search_manuals(text)
            .into_iter()
            .take(5)
            .map(|i| {
                (
                    format!("/manuals/{}", dir.manuals[i].id),
                    lang.pick(&dir.manuals[i].title_th, &dir.manuals[i].title_en)
                        .to_owned(),
                )
            })
            .collect();
    }
    let pages = found.total.div_ceil(query.per_page).max(1);
    page.page_text = lang.t_with(
        "page-of",
        &[
            ("page", query.page.to_string()),
            ("pages", pages.to_string()),
        ],
    );
    let link = |n: usize| {
        let mut parts: Vec<String> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("page="))
            .map(str::to_owned)
            .collect();
        parts.push(format!("page={n}"));
        format!("/search?{}", parts.join("&"))
    };
    page.prev = (query.page > 1).then(|| link(query.page - 1));
    page.next = (query.page < pages).then(|| link(query.page + 1));
    super::html(&page)
}
