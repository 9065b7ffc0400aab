//! Data quality in the staff API: the findings in the caller's scope, with counts per
//! check and per province, each finding linking to its fix.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use domain::UnitCode;
use domain::quality::Check;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::scope::Staff;
use crate::errors::{ApiError, query_rejection};
use crate::params::{FieldErrors, paging};
use crate::{Lang, Shared};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QualityParams {
    /// Only under this ministry (13-digit code).
    #[param(pattern = "^[0-9]{13}$")]
    pub ministry: Option<String>,
    /// Only under this department.
    #[param(pattern = "^[0-9]{13}$")]
    pub department: Option<String>,
    /// Only under this unit.
    #[param(pattern = "^[0-9]{13}$")]
    pub unit: Option<String>,
    /// Only this check: `pin_outside_district`, `pin_outside_thailand`, `likely_duplicate`,
    /// `missing_hours`, `missing_phone`, `missing_photo`, `expected_manuals_missing`,
    /// `not_verified`.
    #[param(
        pattern = "^(pin_outside_district|pin_outside_thailand|likely_duplicate|missing_hours|missing_phone|missing_photo|expected_manuals_missing|not_verified)$"
    )]
    pub check: Option<String>,
    /// 1-based page number, at most 10000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub page: Option<String>,
    /// Findings per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckCount {
    pub check: String,
    pub label: String,
    pub label_en: String,
    pub count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    /// The service point.
    pub code: String,
    pub name: String,
    pub check: String,
    pub label: String,
    pub label_en: String,
    pub detail: String,
    pub detail_en: String,
    /// The other point of a likely duplicate.
    pub other: Option<String>,
    /// The back-office page where it is fixed.
    pub fix_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProvinceCounts {
    pub province: String,
    pub counts: Vec<CheckCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QualityReport {
    pub counts: Vec<CheckCount>,
    pub by_province: Vec<ProvinceCounts>,
    pub items: Vec<FindingOut>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

pub(crate) fn count_out(c: Check, n: usize) -> CheckCount {
    CheckCount {
        check: c.slug().to_owned(),
        label: c.th().to_owned(),
        label_en: c.en().to_owned(),
        count: n,
    }
}

pub(crate) fn finding_out(
    f: &domain::quality::Finding,
    report: &app::quality::Report,
) -> FindingOut {
    let other = match &f.kind {
        domain::quality::FindingKind::LikelyDuplicate { other, .. } => Some(other.to_string()),
        _ => None,
    };
    FindingOut {
        code: f.code.to_string(),
        name: report
            .points
            .get(&f.code)
            .map(|p| p.0.clone())
            .unwrap_or_default(),
        check: f.kind.slug().to_owned(),
        label: f.kind.th().to_owned(),
        label_en: f.kind.en().to_owned(),
        detail: f.kind.detail_th(),
        detail_en: f.kind.detail_en(),
        other,
        fix_url: format!("/staff/service-points/{}", f.code),
    }
}

pub(crate) fn filter_of(
    ministry: &Option<String>,
    department: &Option<String>,
    unit: &Option<String>,
    errors: &mut FieldErrors,
    lang: Lang,
) -> app::backoffice::Filter {
    let mut code = |name: &str, v: &Option<String>| {
        let v = v.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        UnitCode::parse(v)
            .map_err(|_| errors.insert(name.to_owned(), vec![lang.t("err-code")]))
            .ok()
    };
    app::backoffice::Filter {
        ministry: code("ministry", ministry),
        department: code("department", department),
        unit: code("unit", unit),
        text: None,
    }
}

/// The data-quality findings in the caller's scope: pins outside their district or
/// outside Thailand, likely duplicates (within 50 m with similar names, or sharing a
/// phone), missing hours, phone or photo, expected manuals missing, data not confirmed
/// for 12 months. Computed from the data at each request.
#[utoipa::path(get, path = "/api/v1/staff/quality", tag = "staff", params(QualityParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Counts and a page of findings", body = QualityReport),
        (status = 400, description = "`invalid_parameter`: a filter, check or page is refused; `fields` names it", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: never; the report is narrowed to the caller's scope", body = ApiError),
        (status = 404, description = "`not_found`: never", body = ApiError),
    ))]
pub async fn quality(
    State(state): State<Shared>,
    lang: Lang,
    staff: Staff,
    params: Result<Query<QualityParams>, QueryRejection>,
) -> Result<Json<QualityReport>, ApiError> {
    let Query(p) = params.map_err(query_rejection)?;
    let (page, per_page, mut errors) = match paging(&p.page, &p.per_page, lang) {
        Ok((page, per_page)) => (page, per_page, FieldErrors::new()),
        Err(e) => (1, 1, e),
    };
    let filter = filter_of(&p.ministry, &p.department, &p.unit, &mut errors, lang);
    let check = match p.check.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match Check::parse(c) {
            Some(c) => Some(c),
            None => {
                errors.insert(
                    "check".into(),
                    vec!["ไม่มีการตรวจชื่อนี้ / No check has this name".into()],
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let report = app::quality::report(&state.app, &staff, &filter).await?;
    let chosen: Vec<_> = report
        .findings
        .iter()
        .filter(|f| check.is_none_or(|c| f.kind.check() == c))
        .collect();
    let items = chosen
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|f| finding_out(f, &report))
        .collect();
    Ok(Json(QualityReport {
        counts: report
            .counts
            .iter()
            .map(|(c, n)| count_out(*c, *n))
            .collect(),
        by_province: report
            .by_province
            .iter()
            .map(|(p, list)| ProvinceCounts {
                province: p.clone(),
                counts: list.iter().map(|(c, n)| count_out(*c, *n)).collect(),
            })
            .collect(),
        total: chosen.len(),
        items,
        page,
        per_page,
    }))
}
