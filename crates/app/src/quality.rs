//! Data quality for a member of staff: the findings of `domain::quality` over the
//! service points in the caller's scope, computed from the data each time (no stored
//! state to go stale), with counts per check and per province.

use chrono::Utc;
use directory::Districts;
use domain::quality::{self, Check, DistrictName, Finding, PinDistrict, PointFacts};
use domain::{LatLon, UnitCode};
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::backoffice::{Filter, service_points};
use crate::points::pin_district;
use crate::{App, Caller, Result};

/// The findings of a scope, with what is needed to show them.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Point code → (name, province), for the lines of the report.
    pub points: HashMap<UnitCode, (String, String)>,
    pub counts: Vec<(Check, usize)>,
    /// Province → findings there, by check.
    pub by_province: BTreeMap<String, Vec<(Check, usize)>>,
}

/// Where the pin is, as the checks compare it: when the boundaries (with the save's
/// margin) put it in the address's district, the address's own names, so that a
/// district written `อ.เมือง` is not reported against `เมืองชลบุรี`.
fn pin_of(location: LatLon, address: &DistrictName) -> Option<PinDistrict> {
    let found = pin_district(location)?;
    let districts = Districts::get();
    if let Some(a) = districts.by_name(&address.province, &address.district)
        && crate::points::inside_with_margin(a.code, location)
    {
        return Some(PinDistrict {
            code: a.code.to_owned(),
            name: address.clone(),
        });
    }
    Some(PinDistrict {
        code: found.code.to_owned(),
        name: DistrictName {
            district: found.name_th.to_owned(),
            province: found.province.name_th.to_owned(),
        },
    })
}

/// The findings in the caller's scope, narrowed like the listing.
pub async fn report(app: &App, caller: &Caller, filter: &Filter) -> Result<Report> {
    let lines = service_points(app, caller, filter).await?;
    let scope: HashMap<&str, Option<&str>> = lines
        .iter()
        .filter(|l| !l.archived)
        .map(|l| {
            (
                l.code.as_str(),
                l.department.as_ref().map(|d| d.code.as_str()),
            )
        })
        .collect();
    let data = app.db.quality_data().await?;
    let empty = Vec::new();
    let mut facts = Vec::with_capacity(scope.len());
    let mut points = HashMap::new();
    for (id, code, name, lat, lon, district, province, confirmed, verified) in data.points {
        let Some(department) = scope.get(code.as_str()) else {
            continue;
        };
        let (Ok(unit), Some(location)) = (UnitCode::parse(&code), LatLon::new(lat, lon)) else {
            continue;
        };
        let address = DistrictName { district, province };
        points.insert(unit, (name.clone(), address.province.clone()));
        facts.push(PointFacts {
            code: unit,
            name_th: name,
            location,
            pin_district: pin_of(location, &address),
            address,
            pin_confirmed_district: confirmed,
            phones: data.phones.get(&id).cloned().unwrap_or_default(),
            has_hours: data.with_hours.contains(&id),
            photos: data.photos.get(&id).copied().unwrap_or(0),
            pinned_manual_keys: data.pins.get(&id).cloned().unwrap_or_default(),
            expected_manual_keys: department
                .and_then(|d| data.expected.get(d))
                .unwrap_or(&empty)
                .clone(),
            verified_at: verified,
        });
    }
    let findings = quality::findings(&facts, Utc::now());
    let counts = quality::count_by_check(&findings);
    let mut per: BTreeMap<String, HashMap<Check, usize>> = BTreeMap::new();
    for f in &findings {
        if let Some((_, province)) = points.get(&f.code) {
            *per.entry(province.clone())
                .or_default()
                .entry(f.kind.check())
                .or_default() += 1;
        }
    }
    let by_province = per
        .into_iter()
        .map(|(p, m)| {
            let list = Check::ALL
                .into_iter()
                .map(|c| (c, m.get(&c).copied().unwrap_or(0)))
                .collect();
            (p, list)
        })
        .collect();
    Ok(Report {
        findings,
        points,
        counts,
        by_province,
    })
}

/// The codes of the points a finding names (both for a duplicate).
pub fn codes_of(f: &Finding) -> HashSet<UnitCode> {
    let mut s = HashSet::from([f.code]);
    if let quality::FindingKind::LikelyDuplicate { other, .. } = &f.kind {
        s.insert(*other);
    }
    s
}
