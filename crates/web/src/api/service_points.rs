use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};

use super::model::*;
use crate::errors::{ApiError, ApiPath, query_rejection};
use crate::params::SearchParams;
use crate::{Lang, Shared};

/// Search the public service points.
///
/// By text (Thai without spaces works), by distance from `near`, within a unit, by the
/// manual they give, or open now. Ranked by relevance, or by distance when `near` is given.
#[utoipa::path(get, path = "/api/v1/service-points", tag = "directory", params(SearchParams),
    responses(
        (status = 200, description = "A page of service points", body = ServicePointPage),
        (status = 400, description = "`invalid_parameter`: a parameter is refused (an unknown `unit` or `manual`, `radius_km` without `near`, …); `fields` names each", body = ApiError),
    ))]
pub async fn list(
    State(state): State<Shared>,
    lang: Lang,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<ServicePointPage>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let dir = state.directory();
    let now = Utc::now();
    let q = params
        .to_query(&dir, now, lang)
        .map_err(ApiError::invalid)?;
    let found = dir.search(&q);
    let items = found
        .hits
        .iter()
        .map(|h| ServicePointItem::of(&dir, &dir.points[h.index], h.distance_km, now))
        .collect();
    Ok(Json(ServicePointPage {
        items,
        total: found.total,
        page: q.page,
        per_page: q.per_page,
    }))
}

/// The same search as a GeoJSON FeatureCollection (RFC 7946), for maps and GIS tools.
#[utoipa::path(get, path = "/api/v1/service-points.geojson", tag = "directory", params(SearchParams),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json"),
        (status = 400, description = "`invalid_parameter`: a parameter is refused (an unknown `unit` or `manual`, `radius_km` without `near`, …); `fields` names each", body = ApiError),
    ))]
pub async fn geojson(
    State(state): State<Shared>,
    lang: Lang,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let dir = state.directory();
    let now = Utc::now();
    let q = params
        .to_query(&dir, now, lang)
        .map_err(ApiError::invalid)?;
    let found = dir.search(&q);
    let items: Vec<_> = found
        .hits
        .iter()
        .map(|h| ServicePointItem::of(&dir, &dir.points[h.index], h.distance_km, now))
        .collect();
    let body = crate::export::feature_collection(&items);
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        body.to_string(),
    )
        .into_response())
}

/// One public service point with its hours, status now, photos and manuals.
#[utoipa::path(get, path = "/api/v1/service-points/{code}", tag = "directory",
    params(("code" = String, Path, description = "13-digit service point code", pattern = "^[0-9]{13}$")),
    responses(
        (status = 200, description = "The service point", body = ServicePointDetail),
        (status = 400, description = "`invalid_parameter`: the path segment is not valid UTF-8 once decoded", body = ApiError),
        (status = 404, description = "`not_found`: no public service point has this code", body = ApiError),
    ))]
pub async fn detail(
    State(state): State<Shared>,
    lang: Lang,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<ServicePointDetail>, ApiError> {
    let dir = state.directory();
    let p = dir
        .point(code.trim())
        .ok_or_else(|| ApiError::not_found("code", &lang.t("err-code")))?;
    let now = Utc::now();
    let sp = &p.point;
    let local = domain::hours::bangkok_now(now);
    let today = local.date();
    let hours = HoursOut {
        weekly: sp
            .hours
            .by_weekday()
            .into_iter()
            .flat_map(|(wd, ps)| ps.into_iter().map(move |(o, c)| period_out(wd, o, c)))
            .collect(),
        open_on_holidays: sp.hours.open_on_holidays,
        exceptions: sp
            .hours
            .exceptions
            .iter()
            .map(|e| ExceptionOut {
                date: e.date,
                periods: e
                    .periods
                    .iter()
                    .map(|(o, c)| period_out(0, *o, *c))
                    .collect(),
                note: e.note.clone(),
            })
            .collect(),
        note: sp.hours_note_th.clone(),
        note_en: sp.hours_note_en.clone(),
        status: StatusOut::of(sp.hours.status_at(local, dir.holiday_days())),
        upcoming_holidays: dir
            .holidays
            .iter()
            .filter(|h| h.date >= today && h.date < today + Duration::days(60))
            .map(|h| HolidayOut {
                date: h.date,
                name: h.name_th.clone(),
                name_en: h.name_en.clone(),
            })
            .collect(),
    };
    Ok(Json(ServicePointDetail {
        summary: ServicePointItem::of(&dir, p, None, now),
        description: sp.description_th.clone(),
        description_en: sp.description_en.clone(),
        email: sp.email.clone(),
        website: sp.website.clone(),
        hours,
        photos: sp
            .photos
            .iter()
            .map(|ph| PhotoOut {
                id: ph.id,
                url: ph.url(),
                thumb_url: ph.thumb_url(),
                width: ph.width,
                height: ph.height,
                alt: ph.alt_th.clone(),
                alt_en: ph.alt_en.clone(),
                cover: ph.is_cover,
            })
            .collect(),
        manuals: sp
            .manuals
            .iter()
            .filter_map(|id| dir.manual(*id))
            .map(ManualRef::of)
            .collect(),
        updated_at: sp.updated_at,
        verified_at: sp.verified_at,
    }))
}
