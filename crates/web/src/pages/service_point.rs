use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{Duration, NaiveDate, Utc};
use std::cell::RefCell;
use std::rc::Rc;

use super::{Layout, error_page};
use crate::views::{self, MapPoint, map_json};
use crate::{Lang, Shared};

/// Everything the service point page shows, resolved.
/// Texts are borrowed from the read model: the page is the hot path, and copying each
/// of them cost an allocation per field per request.
pub(crate) struct PointView<'a> {
    code: &'a str,
    name: &'a str,
    description: &'a str,
    ministry: &'a str,
    department: &'a str,
    unit: &'a str,
    address: String,
    /// (tel URI, display, extension, label)
    phones: Vec<(String, String, Option<&'a str>, Option<&'a str>)>,
    email: Option<&'a str>,
    website: Option<&'a str>,
    open: bool,
    status: String,
    hours: views::HoursRows,
    holidays_rule: &'static str,
    hours_note: Option<&'a str>,
    upcoming: Rc<Vec<String>>,
    gecc: Option<String>,
    /// (display URL, alt text, width, height)
    photos: Vec<(String, &'a str, u32, u32)>,
    manuals: Vec<(i64, &'a str)>,
    updated: String,
    /// When staff last confirmed the data is correct (Buddhist era in Thai).
    verified: Option<String>,
    lat: String,
    lon: String,
    osm_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "service_point.html")]
pub(crate) struct PointPage<'a> {
    l: Layout,
    v: PointView<'a>,
    crumbs: Vec<(&'a str, &'a str)>,
    map_points: String,
    tiles: &'a str,
    tile_attribution: &'a str,
    /// Citizens' comments that staff published, with the office's reply.
    comments: Vec<(String, &'static str, String, String)>,
}

/// The next public holidays (at most 3 within 45 days), the same on every page of a day:
/// formatted once per (data version, language, day) and thread.
fn upcoming_holidays(lang: Lang, dir: &directory::Directory, today: NaiveDate) -> Rc<Vec<String>> {
    type Cache = Option<((i64, Lang, NaiveDate), Rc<Vec<String>>)>;
    thread_local! {
        static LAST: RefCell<[Cache; 2]> = const { RefCell::new([None, None]) };
    }
    let key = (dir.version, lang, today);
    LAST.with_borrow_mut(|last| {
        let slot = &mut last[lang as usize];
        if let Some((k, v)) = slot
            && *k == key
        {
            return v.clone();
        }
        let list: Rc<Vec<String>> = Rc::new(
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
                .collect(),
        );
        *slot = Some((key, list.clone()));
        list
    })
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
    let (open, status) =
        views::status_line_cached(lang, sp.hours.status_at(now, dir.holiday_days()), now);
    let name_of = |i: Option<usize>| {
        i.map(|i| lang.pick(&dir.units[i].unit.name_th, &dir.units[i].unit.name_en))
            .unwrap_or_default()
    };
    let today = now.date();
    let (lat, lon) = (
        views::fixed5(sp.location.lat),
        views::fixed5(sp.location.lon),
    );
    let v = PointView {
        code: sp.code.as_str(),
        name: lang.pick(&sp.name_th, &sp.name_en),
        description: lang.pick(&sp.description_th, &sp.description_en),
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
                    ph.ext.as_deref(),
                    match lang {
                        Lang::Th => ph.label_th.as_deref(),
                        Lang::En => ph.label_en.as_deref().or(ph.label_th.as_deref()),
                    },
                )
            })
            .collect(),
        email: sp.email.as_deref(),
        website: sp.website.as_deref(),
        open,
        status,
        hours: views::hours_rows_cached(lang, &sp.hours),
        holidays_rule: lang.text(if sp.hours.open_on_holidays {
            "holidays-open"
        } else {
            "holidays-closed"
        }),
        hours_note: match lang {
            Lang::Th => sp.hours_note_th.as_deref(),
            Lang::En => sp.hours_note_en.as_deref().or(sp.hours_note_th.as_deref()),
        },
        upcoming: if sp.hours.open_on_holidays {
            Rc::default()
        } else {
            upcoming_holidays(lang, &dir, today)
        },
        gecc: views::gecc(lang, sp.gecc_level),
        photos: sp
            .photos
            .iter()
            .map(|ph| {
                let alt = match lang {
                    Lang::En => ph.alt_en.as_deref().unwrap_or(&ph.alt_th),
                    Lang::Th => &ph.alt_th,
                };
                (ph.url(), alt, ph.width, ph.height)
            })
            .collect(),
        manuals: sp
            .manuals
            .iter()
            .filter_map(|id| dir.manual(*id))
            .map(|m| (m.id, lang.pick(&m.title_th, &m.title_en)))
            .collect(),
        updated: views::date(lang, domain::hours::bangkok_now(sp.updated_at).date()),
        verified: sp
            .verified_at
            .map(|v| views::date(lang, domain::hours::bangkok_now(v).date())),
        osm_url: format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"),
        lat,
        lon,
    };
    let crumbs = [p.ministry, p.department, p.unit]
        .iter()
        .flatten()
        .map(|i| {
            (
                dir.units[*i].unit.code.as_str(),
                lang.pick(&dir.units[*i].unit.name_th, &dir.units[*i].unit.name_en),
            )
        })
        .collect();
    let map_points = map_json(&[MapPoint {
        lat: sp.location.lat,
        lon: sp.location.lon,
        name: v.name.to_owned(),
        url: format!("/sp/{}", sp.code),
    }]);
    let page = PointPage {
        l: Layout::new(lang, v.name, &uri),
        v,
        crumbs,
        map_points,
        tiles: &state.config.tile_url,
        tile_attribution: &state.config.tile_attribution,
        comments: state
            .published_comments(&sp.code.to_string())
            .into_iter()
            .map(|c| {
                let day = c
                    .received_at
                    .with_timezone(&domain::hours::bangkok())
                    .date_naive();
                let word = domain::rating::Score::new(c.overall).map_or("", |s| {
                    if lang == Lang::En {
                        s.word_en()
                    } else {
                        s.word_th()
                    }
                });
                let date = if lang == Lang::En {
                    domain::thai_date::long_en(day)
                } else {
                    domain::thai_date::long_th(day)
                };
                (date, word, c.comment, c.reply)
            })
            .collect(),
    };
    super::html(&page)
}
