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
pub struct UnitParams {
    /// The parent's 13-digit code; without it, the ministries. An unknown code is refused.
    #[param(pattern = "^[0-9]{13}$")]
    pub parent: Option<String>,
    /// 1-based page number, at most 10000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub page: Option<String>,
    /// Results per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// Browse the organisation tree: ministries, their departments, units and service points.
#[utoipa::path(get, path = "/api/v1/units", tag = "directory", params(UnitParams),
    responses(
        (status = 200, description = "A page of units", body = UnitPage),
        (status = 400, description = "`invalid_parameter`: a parameter is refused, or no unit has the `parent` code; `fields` names it", body = ApiError),
    ))]
pub async fn list(
    State(state): State<Shared>,
    lang: Lang,
    params: Result<Query<UnitParams>, QueryRejection>,
) -> Result<Json<UnitPage>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let (page, per_page) =
        paging(&params.page, &params.per_page, lang).map_err(ApiError::invalid)?;
    let dir = state.directory();
    let list = match params
        .parent
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => dir.roots(),
        Some(code) => {
            let parent = dir.unit(code).ok_or_else(|| {
                ApiError::invalid(FieldErrors::from([(
                    "parent".to_owned(),
                    vec![lang.t("err-unit")],
                )]))
            })?;
            dir.children(parent)
        }
    };
    let items = list
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|u| UnitOut::of(&dir, u))
        .collect();
    Ok(Json(UnitPage {
        items,
        total: list.len(),
        page,
        per_page,
    }))
}

/// One unit with its ancestors and children.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "directory",
    params(("code" = String, Path, description = "13-digit unit code", pattern = "^[0-9]{13}$")),
    responses(
        (status = 200, description = "The unit", body = UnitDetail),
        (status = 400, description = "`invalid_parameter`: the path segment is not valid UTF-8 once decoded", body = ApiError),
        (status = 404, description = "`not_found`: no public unit has this code", body = ApiError),
    ))]
pub async fn detail(
    State(state): State<Shared>,
    lang: Lang,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<UnitDetail>, ApiError> {
    let dir = state.directory();
    let unit = dir
        .unit(code.trim())
        .ok_or_else(|| ApiError::not_found("code", &lang.t("err-code")))?;
    let crumbs = dir.breadcrumbs(code.trim());
    let ancestors = crumbs[..crumbs.len().saturating_sub(1)]
        .iter()
        .map(|u| unit_ref(u))
        .collect();
    let children = dir
        .children(unit)
        .into_iter()
        .map(|c| UnitOut::of(&dir, c))
        .collect();
    Ok(Json(UnitDetail {
        unit: UnitOut::of(&dir, unit),
        ancestors,
        children,
    }))
}
