//! The demo dataset: the Chonburi example of the founding letter (Ministry of Interior →
//! Community Development Department → the provincial office and the 11 district
//! offices), other departments' offices in the same districts, the department manuals
//! and the public holidays, all embedded in the binary.

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Utc};
use domain::hours::minutes;
use domain::org::Photo;
use domain::{
    Address, GeccLevel, Holiday, LatLon, Manual, Period, Phone, ServicePoint, Unit, UnitCode,
    UnitKind, WeeklyHours,
};
use serde::Deserialize;
use std::collections::HashMap;
use storage::Dataset;

const ORGANISATION: &str = include_str!("../../../data/demo/organisation.json");
const MANUALS: &str = include_str!("../../../data/demo/manuals.json");
const HOLIDAYS: &str = include_str!("../../../data/demo/holidays.json");
pub const DISTRICTS: &str = include_str!("../../../data/geo/districts.json");

#[derive(Deserialize)]
struct Organisation {
    ministries: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    code: UnitCode,
    name_th: String,
    name_en: String,
    #[serde(default)]
    departments: Vec<Node>,
    #[serde(default)]
    units: Vec<Node>,
    #[serde(default)]
    service_points: Vec<PointSpec>,
}

#[derive(Deserialize)]
struct PointSpec {
    code: UnitCode,
    name_th: String,
    name_en: String,
    district_code: String,
    address: Address,
    phones: Vec<Phone>,
    email: Option<String>,
    website: Option<String>,
    hours: String,
    hours_note_th: Option<String>,
    hours_note_en: Option<String>,
    gecc_level: GeccLevel,
    description_th: String,
    description_en: String,
    manuals: Vec<String>,
}

/// Provinces and districts with a point inside each (see data/geo/SOURCES.md).
#[derive(Deserialize)]
pub struct Geography {
    pub provinces: Vec<Province>,
}

#[derive(Deserialize)]
pub struct Province {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    pub lat: f64,
    pub lon: f64,
    pub districts: Vec<District>,
}

#[derive(Deserialize)]
pub struct District {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    pub lat: f64,
    pub lon: f64,
}

pub fn geography() -> Result<Geography> {
    serde_json::from_str(DISTRICTS).context("data/geo/districts.json")
}

/// Named weekly schedules of the demo data.
pub fn hours_template(name: &str) -> Result<WeeklyHours> {
    let mut h = WeeklyHours::government_office();
    match name {
        "office" => {}
        "office_saturday" => {
            h.periods.push(Period {
                weekday: 6,
                opens: minutes(8, 30),
                closes: minutes(12, 0),
            });
        }
        "hospital" => {
            // Outpatients on weekdays; the emergency room never closes.
            h.periods = (1..=7)
                .map(|weekday| Period {
                    weekday,
                    opens: 0,
                    closes: 1440,
                })
                .collect();
            h.open_on_holidays = true;
        }
        other => return Err(anyhow!("unknown hours template {other:?}")),
    }
    Ok(h)
}

/// Several offices stand in one district; each is moved off the district's interior
/// point by a few hundred metres, little enough to stay inside the district (the
/// interior points are at least 500 m from any boundary).
pub fn offset(point: LatLon, n: usize) -> LatLon {
    const STEPS: [(f64, f64); 8] = [
        (0.0, 0.0),
        (0.0025, 0.0),
        (0.0, 0.0025),
        (-0.0025, 0.0),
        (0.0, -0.0025),
        (0.0018, 0.0018),
        (-0.0018, -0.0018),
        (0.0018, -0.0018),
    ];
    let (dlat, dlon) = STEPS[n % STEPS.len()];
    LatLon {
        lat: point.lat + dlat,
        lon: point.lon + dlon,
    }
}

pub fn dataset(now: DateTime<Utc>) -> Result<Dataset> {
    let org: Organisation =
        serde_json::from_str(ORGANISATION).context("data/demo/organisation.json")?;
    let manuals: Vec<Manual> = serde_json::from_str(MANUALS).context("data/demo/manuals.json")?;
    let holidays: Vec<Holiday> =
        serde_json::from_str(HOLIDAYS).context("data/demo/holidays.json")?;
    let geo = geography()?;
    let districts: HashMap<&str, &District> = geo
        .provinces
        .iter()
        .flat_map(|p| &p.districts)
        .map(|d| (d.code.as_str(), d))
        .collect();

    let mut ds = Dataset {
        manuals,
        holidays,
        ..Default::default()
    };
    let mut per_district: HashMap<String, usize> = HashMap::new();
    for ministry in org.ministries {
        ds.units.push(Unit {
            code: ministry.code,
            kind: UnitKind::Ministry,
            parent: None,
            name_th: ministry.name_th,
            name_en: ministry.name_en,
        });
        for dept in ministry.departments {
            ds.units.push(Unit {
                code: dept.code,
                kind: UnitKind::Department,
                parent: Some(ministry.code),
                name_th: dept.name_th,
                name_en: dept.name_en,
            });
            // Units may hold units (the provincial office holds the district offices),
            // taken breadth first so that every parent comes before its children.
            let mut queue: std::collections::VecDeque<(Node, UnitCode)> =
                dept.units.into_iter().map(|u| (u, dept.code)).collect();
            while let Some((mut unit, parent)) = queue.pop_front() {
                let children = std::mem::take(&mut unit.units);
                queue.extend(children.into_iter().map(|u| (u, unit.code)));
                ds.units.push(Unit {
                    code: unit.code,
                    kind: UnitKind::Unit,
                    parent: Some(parent),
                    name_th: unit.name_th,
                    name_en: unit.name_en,
                });
                for sp in unit.service_points {
                    let d = districts.get(sp.district_code.as_str()).ok_or_else(|| {
                        anyhow!("{}: unknown district {}", sp.code, sp.district_code)
                    })?;
                    let n = per_district.entry(sp.district_code.clone()).or_default();
                    let location = offset(
                        LatLon {
                            lat: d.lat,
                            lon: d.lon,
                        },
                        *n,
                    );
                    *n += 1;
                    ds.units.push(Unit {
                        code: sp.code,
                        kind: UnitKind::ServicePoint,
                        parent: Some(unit.code),
                        name_th: sp.name_th.clone(),
                        name_en: sp.name_en.clone(),
                    });
                    for key in &sp.manuals {
                        ds.pins.push((sp.code, key.clone()));
                    }
                    let (drawn, (display_key, thumb_key)) =
                        media::demo::photo(ds.service_points.len());
                    let photo = Photo {
                        id: 0,
                        display_key,
                        thumb_key,
                        width: drawn.display_width,
                        height: drawn.display_height,
                        thumb_width: drawn.thumb_width,
                        thumb_height: drawn.thumb_height,
                        alt_th: format!("ภาพวาด{}", sp.name_th),
                        alt_en: Some(format!("A drawing of {}", sp.name_en)),
                        is_cover: true,
                    };
                    ds.service_points.push(ServicePoint {
                        code: sp.code,
                        unit: unit.code,
                        name_th: sp.name_th,
                        name_en: sp.name_en,
                        description_th: sp.description_th,
                        description_en: sp.description_en,
                        location,
                        address: sp.address,
                        phones: sp.phones,
                        email: sp.email,
                        website: sp.website,
                        hours: hours_template(&sp.hours)?,
                        hours_note_th: sp.hours_note_th,
                        hours_note_en: sp.hours_note_en,
                        gecc_level: sp.gecc_level,
                        is_public: true,
                        photos: vec![photo],
                        manuals: Vec::new(),
                        updated_at: now,
                        updated_by: None,
                        // The demo data is as its offices would confirm it.
                        verified_at: Some(now),
                    });
                }
            }
        }
    }
    Ok(ds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::geo::inside_ring;

    #[derive(Deserialize)]
    struct Boundaries {
        districts: Vec<Boundary>,
    }
    #[derive(Deserialize)]
    struct Boundary {
        name_th: String,
        polygons: Vec<Vec<[f64; 2]>>,
    }

    #[test]
    fn every_chonburi_point_lies_in_its_own_district() {
        let ds = dataset(Utc::now()).unwrap();
        let b: Boundaries =
            serde_json::from_str(include_str!("../../../data/geo/chonburi.json")).unwrap();
        let chonburi: Vec<_> = ds
            .service_points
            .iter()
            .filter(|s| s.address.province == "ชลบุรี")
            .collect();
        assert!(chonburi.len() >= 23, "{}", chonburi.len());
        for sp in chonburi {
            let district = b
                .districts
                .iter()
                .find(|d| d.name_th == sp.address.district)
                .unwrap_or_else(|| panic!("{} not in boundaries", sp.address.district));
            assert!(
                district
                    .polygons
                    .iter()
                    .any(|ring| inside_ring(sp.location, ring)),
                "{} ({}) lies outside {}",
                sp.name_th,
                sp.code,
                district.name_th
            );
        }
    }

    #[test]
    fn the_eleven_district_offices_of_the_letter_have_the_three_manuals() {
        let ds = dataset(Utc::now()).unwrap();
        let cdd: Vec<_> = ds
            .service_points
            .iter()
            .filter(|s| s.name_th.starts_with("สำนักงานพัฒนาชุมชนอำเภอ"))
            .collect();
        assert_eq!(cdd.len(), 11);
        for sp in cdd {
            let pins: Vec<_> = ds
                .pins
                .iter()
                .filter(|(c, _)| *c == sp.code)
                .map(|(_, k)| k.as_str())
                .collect();
            assert_eq!(
                pins,
                [
                    "otop-registration",
                    "otop-product-selection",
                    "kkkj-loan-approval"
                ],
                "{}",
                sp.name_th
            );
        }
    }

    #[test]
    fn demo_manuals_say_what_the_law_requires() {
        let ds = dataset(Utc::now()).unwrap();
        assert!(ds.manuals.len() >= 8);
        for m in &ds.manuals {
            assert!(m.problems().is_empty(), "{}: {:?}", m.key, m.problems());
        }
    }

    #[test]
    fn geography_covers_all_77_provinces() {
        let g = geography().unwrap();
        assert_eq!(g.provinces.len(), 77);
        assert!(g.provinces.iter().map(|p| p.districts.len()).sum::<usize>() >= 900);
    }
}
