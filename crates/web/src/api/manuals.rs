use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::*;
use crate::errors::{ApiError, ApiPath, query_rejection};
use crate::params::{FieldErrors, paging};
use crate::{Lang, Shared};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ManualParams {
    /// Words to look for in titles and texts (Thai needs no spaces); at most 200 characters.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// 1-based page number, at most 10000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub page: Option<String>,
    /// Results per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// Search the published citizen manuals.
#[utoipa::path(get, path = "/api/v1/manuals", tag = "directory", params(ManualParams),
    responses(
        (status = 200, description = "A page of manuals", body = ManualPage),
        (status = 400, description = "`invalid_parameter`: a parameter is refused; `fields` names it", body = ApiError),
    ))]
pub async fn list(
    State(state): State<Shared>,
    lang: Lang,
    params: Result<Query<ManualParams>, QueryRejection>,
) -> Result<Json<ManualPage>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let (page, per_page) =
        paging(&params.page, &params.per_page, lang).map_err(ApiError::invalid)?;
    let q = params.q.unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(ApiError::invalid(FieldErrors::from([(
            "q".to_owned(),
            vec![lang.t("err-q")],
        )])));
    }
    let dir = state.directory();
    let found = dir.search_manuals(&q);
    let items = found
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|i| {
            let m = &dir.manuals[*i];
            ManualItem {
                id: m.id,
                key: m.key.clone(),
                title: m.title_th.clone(),
                title_en: m.title_en.clone(),
                owning_agency: m.owning_agency.clone(),
                category: m.category.clone(),
                service_points_count: dir.manual_points(m.id).count(),
                url: format!("/manuals/{}", m.id),
            }
        })
        .collect();
    Ok(Json(ManualPage {
        items,
        total: found.len(),
        page,
        per_page,
    }))
}

/// A published manual with every field of the national template, and where it is given.
#[utoipa::path(get, path = "/api/v1/manuals/{id}", tag = "directory",
    params(("id" = i64, Path, description = "Manual number", minimum = 1)),
    responses(
        (status = 200, description = "The manual", body = ManualDetail),
        (status = 400, description = "`invalid_parameter`: the path segment is not valid UTF-8 once decoded", body = ApiError),
        (status = 404, description = "`not_found`: no published manual has this number", body = ApiError),
    ))]
pub async fn detail(
    State(state): State<Shared>,
    lang: Lang,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ManualDetail>, ApiError> {
    let dir = state.directory();
    let m = id
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| dir.manual(id))
        .ok_or_else(|| ApiError::not_found("id", &lang.t("err-id")))?;
    let service_points = dir
        .manual_points(m.id)
        .map(|p| ServicePointRef {
            code: p.point.code.to_string(),
            name: p.point.name_th.clone(),
            name_en: p.point.name_en.clone(),
            url: format!("/sp/{}", p.point.code),
        })
        .collect();
    Ok(Json(ManualDetail {
        manual: m.clone(),
        total_time: m.total_time(),
        service_points,
    }))
}
