use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};

use super::{Layout, error_page};
use crate::views::{self, MapPoint, map_json};
use crate::{Lang, Shared};

/// Everything the service point page shows, resolved.
pub(crate) struct PointView {
    code: String,
    name: String,
    description: String,
    ministry: String,
    department: String,
    unit: String,
    address: String,
    /// (tel URI, display, extension, label)
    phones: Vec<(String, String, Option<String>, Option<String>)>,
    email: Option<String>,
    website: Option<String>,
    open: bool,
    status: String,
    hours: Vec<(String, String)>,
    holidays_rule: String,
    hours_note: Option<String>,
    upcoming: Vec<String>,
    gecc: Option<String>,
    photos: Vec<(String, String)>,
    manuals: Vec<(String, String)>,
    updated: String,
    lat: String,
    lon: String,
    osm_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "service_point.html")]
pub(crate) struct PointPage {
    l: Layout,
    v: PointView,
    crumbs: Vec<(String, String)>,
    map_points: String,
    tiles: String,
    tile_attribution: String,
}

pub(crate) async fn page(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    let dir = state.directory();
    let Some(p) = dir.point(code.trim()) else {
        return error_page(StatusCode::NOT_FOUND, lang, &uri, lang.t("err-code"));
    };
    let sp = &p.point;
    let now = domain::hours::bangkok_now(Utc::now());
    let (open, status) = views::status_line(lang, sp.hours.status_at(now, dir.holiday_days()), now);
    let name_of = |i: Option<usize>| {
        i.map(|i| {
            lang.pick(&dir.units[i].unit.name_th, &dir.units[i].unit.name_en)
                .to_owned()
        })
        .unwrap_or_default()
    };
    let today = now.date();
    let v = PointView {
        code: sp.code.to_string(),
        name: lang.pick(&sp.name_th, &sp.name_en).to_owned(),
        description: lang.pick(&sp.description_th, &sp.description_en).to_owned(),
        ministry: name_of(p.ministry),
        department: name_of(p.department),
        unit: name_of(p.unit),
        address: sp.address.line_th(),
        phones: sp
            .phones
            .iter()
            .map(|ph| {
                (
                    ph.tel_uri(),
                    ph.display(),
                    ph.ext.clone(),
                    match lang {
                        Lang::Th => ph.label_th.clone(),
                        Lang::En => ph.label_en.clone().or(ph.label_th.clone()),
                    },
                )
            })
            .collect(),
        email: sp.email.clone(),
        website: sp.website.clone(),
        open,
        status,
        hours: views::hours_rows(lang, &sp.hours),
        holidays_rule: lang.t(if sp.hours.open_on_holidays {
            "holidays-open"
        } else {
            "holidays-closed"
        }),
        hours_note: match lang {
            Lang::Th => sp.hours_note_th.clone(),
            Lang::En => sp.hours_note_en.clone().or(sp.hours_note_th.clone()),
        },
        upcoming: if sp.hours.open_on_holidays {
            Vec::new()
        } else {
            dir.holidays
                .iter()
                .filter(|h| h.date >= today && h.date < today + Duration::days(45))
                .take(3)
                .map(|h| {
                    format!(
                        "{} ({})",
                        views::date(lang, h.date),
                        lang.pick(&h.name_th, &h.name_en)
                    )
                })
                .collect()
        },
        gecc: views::gecc(lang, sp.gecc_level),
        photos: sp
            .photos
            .iter()
            .map(|ph| {
                (
                    ph.url.clone(),
                    ph.caption_th.clone().unwrap_or_else(|| sp.name_th.clone()),
                )
            })
            .collect(),
        manuals: sp
            .manuals
            .iter()
            .filter_map(|id| dir.manual(*id))
            .map(|m| {
                (
                    format!("/manuals/{}", m.id),
                    lang.pick(&m.title_th, &m.title_en).to_owned(),
                )
            })
            .collect(),
        updated: views::date(lang, domain::hours::bangkok_now(sp.updated_at).date()),
        lat: format!("{:.5}", sp.location.lat),
        lon: format!("{:.5}", sp.location.lon),
        osm_url: format!(
            "https://www.openstreetmap.org/?mlat={0:.5}&mlon={1:.5}#map=16/{0:.5}/{1:.5}",
            sp.location.lat, sp.location.lon
        ),
    };
    let crumbs = [p.ministry, p.department, p.unit]
        .iter()
        .flatten()
        .map(|i| {
            (
                dir.units[*i].unit.code.to_string(),
                lang.pick(&dir.units[*i].unit.name_th, &dir.units[*i].unit.name_en)
                    .to_owned(),
            )
        })
        .collect();
    let map_points = map_json(&[MapPoint {
        lat: sp.location.lat,
        lon: sp.location.lon,
        name: v.name.clone(),
        url: format!("/sp/{}", sp.code),
    }]);
    PointPage {
        l: Layout::new(lang, v.name.clone(), &uri),
        v,
        crumbs,
        map_points,
        tiles: state.config.tile_url.clone(),
        tile_attribution: state.config.tile_attribution.clone(),
    }
    .into_response()
}
