//! The search parameters shared by the portal and the API, checked once: each problem
//! is reported against the field that caused it.

use chrono::{DateTime, Utc};
use directory::{Directory, Query};
use domain::LatLon;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::IntoParams;

use crate::Lang;

pub const MAX_PER_PAGE: usize = 100;
pub const DEFAULT_PER_PAGE: usize = 20;

/// Fields as typed, each kept as text so that a bad value gets a message naming it
/// rather than a generic rejection.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to look for, Thai or English (Thai needs no spaces); at most 200 characters.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Where the citizen stands, `LAT,LON` in decimal degrees (latitude -90 to 90,
    /// longitude -180 to 180); results are then sorted by distance.
    // The pattern is what `LatLon::parse` takes, less exponents (`1e1`), which parse too.
    #[param(
        example = "13.36,100.98",
        pattern = r"^ *[+-]?0*(?:90(?:\.0*)?|[1-8]?[0-9](?:\.[0-9]*)?|\.[0-9]+) *, *[+-]?0*(?:180(?:\.0*)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]*)?|\.[0-9]+) *$"
    )]
    pub near: Option<String>,
    /// Only within this many kilometres of `near` (more than 0, at most 2000); needs `near`.
    #[param(value_type = Option<f64>, exclusive_minimum = 0, maximum = 2000)]
    pub radius_km: Option<String>,
    /// Only service points under this unit (the 13-digit code of a ministry, department
    /// or unit); an unknown code is refused.
    #[param(pattern = "^[0-9]{13}$", example = "0110030201107")]
    pub unit: Option<String>,
    /// Only service points that give this manual; an unknown manual is refused.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub manual: Option<String>,
    /// Only service points open now (Asia/Bangkok time, public holidays included);
    /// `1`, `on` and `0` are taken too.
    #[param(value_type = Option<bool>)]
    pub open_now: Option<String>,
    /// Thai province name, e.g. ชลบุรี.
    pub province: Option<String>,
    /// Thai district name, e.g. บางละมุง.
    pub district: Option<String>,
    /// 1-based page number, at most 10000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub page: Option<String>,
    /// Results per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

pub type FieldErrors = BTreeMap<String, Vec<String>>;

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl SearchParams {
    pub fn to_query(
        &self,
        dir: &Directory,
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Result<Query, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut err = |field: &str, key: &str| {
            errors
                .entry(field.to_owned())
                .or_default()
                .push(lang.t(key))
        };
        let mut q = Query {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..Default::default()
        };
        if let Some(text) = some(&self.q) {
            if text.chars().count() > 200 {
                err("q", "err-q")
            } else {
                q.text = Some(text.to_owned())
            }
        }
        if let Some(near) = some(&self.near) {
            match LatLon::parse(near) {
                Some(p) => q.near = Some(p),
                None => err("near", "err-near"),
            }
        }
        if let Some(r) = some(&self.radius_km) {
            match r.parse::<f64>() {
                Ok(r) if r > 0.0 && r <= 2000.0 => q.radius_km = Some(r),
                _ => err("radius_km", "err-radius"),
            }
            if some(&self.near).is_none() {
                err("radius_km", "err-radius-alone");
            }
        }
        if let Some(code) = some(&self.unit) {
            match domain::UnitCode::parse(code)
                .ok()
                .and_then(|c| dir.unit_index(c.as_str()))
            {
                Some(i) => q.unit = Some(i),
                None => err("unit", "err-unit"),
            }
        }
        if let Some(m) = some(&self.manual) {
            match m.parse::<i64>().ok().filter(|id| dir.manual(*id).is_some()) {
                Some(id) => q.manual = Some(id),
                None => err("manual", "err-manual"),
            }
        }
        match some(&self.open_now) {
            None | Some("false") | Some("0") => {}
            Some("true") | Some("1") | Some("on") => {
                q.open_at = Some(domain::hours::bangkok_now(now))
            }
            Some(_) => err("open_now", "err-open-now"),
        }
        q.province = some(&self.province).map(str::to_owned);
        q.district = some(&self.district).map(str::to_owned);
        match paging(&self.page, &self.per_page, lang) {
            Ok((page, per_page)) => (q.page, q.per_page) = (page, per_page),
            Err(e) => errors.extend(e),
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

/// Page number and page size as typed, for every list (service points, manuals, units).
pub fn paging(
    page: &Option<String>,
    per_page: &Option<String>,
    lang: Lang,
) -> Result<(usize, usize), FieldErrors> {
    let mut errors = FieldErrors::new();
    let page = match page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| (1..=10_000).contains(p))
            .unwrap_or_else(|| {
                errors.insert("page".into(), vec![lang.t("err-page")]);
                1
            }),
    };
    let per_page = match per_page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => DEFAULT_PER_PAGE,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| (1..=MAX_PER_PAGE).contains(p))
            .unwrap_or_else(|| {
                errors.insert("per_page".into(), vec![lang.t("err-per-page")]);
                1
            }),
    };
    if errors.is_empty() {
        Ok((page, per_page))
    } else {
        Err(errors)
    }
}
