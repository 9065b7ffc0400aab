//! A synthetic national dataset for benchmarks: N service points spread over every
//! district of the 77 provinces, run by the offices that most districts have, with
//! Thai names and the demo manuals pinned. Deterministic: the same N gives the same data.

use anyhow::Result;
use chrono::{DateTime, Utc};
use domain::{Address, GeccLevel, LatLon, Phone, ServicePoint, Unit, UnitCode, UnitKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use storage::Dataset;

use crate::demo::{geography, hours_template};

/// An office that most districts have.
struct Office {
    ministry: &'static str,
    department: &'static str,
    prefix: &'static str,
    prefix_en: &'static str,
    hours: &'static str,
    manuals: &'static [&'static str],
}

const fn office(
    ministry: &'static str,
    department: &'static str,
    prefix: &'static str,
    prefix_en: &'static str,
    hours: &'static str,
    manuals: &'static [&'static str],
) -> Office {
    Office {
        ministry,
        department,
        prefix,
        prefix_en,
        hours,
        manuals,
    }
}

const OFFICES: &[Office] = &[
    office(
        "กระทรวงมหาดไทย",
        "กรมการพัฒนาชุมชน",
        "สำนักงานพัฒนาชุมชนอำเภอ",
        "District Community Development Office",
        "office",
        &[
            "otop-registration",
            "otop-product-selection",
            "kkkj-loan-approval",
        ],
    ),
    office(
        "กระทรวงมหาดไทย",
        "กรมการปกครอง",
        "สำนักทะเบียนอำเภอ",
        "District Registration Office",
        "office_saturday",
        &[
            "id-card-renewal",
            "id-card-lost",
            "house-registration-move-in",
        ],
    ),
    office(
        "กระทรวงมหาดไทย",
        "กรมที่ดิน",
        "สำนักงานที่ดิน สาขา",
        "Land Office Branch",
        "office",
        &["land-title-mortgage"],
    ),
    office(
        "กระทรวงสาธารณสุข",
        "สำนักงานปลัดกระทรวงสาธารณสุข",
        "โรงพยาบาลส่งเสริมสุขภาพตำบล",
        "Subdistrict Health Promoting Hospital",
        "hospital",
        &["hospital-outpatient"],
    ),
    office(
        "กระทรวงเกษตรและสหกรณ์",
        "กรมส่งเสริมการเกษตร",
        "สำนักงานเกษตรอำเภอ",
        "District Agricultural Extension Office",
        "office",
        &[],
    ),
    office(
        "กระทรวงแรงงาน",
        "กรมการจัดหางาน",
        "ศูนย์บริการจัดหางานอำเภอ",
        "District Employment Service Centre",
        "office",
        &[],
    ),
    office(
        "กระทรวงการคลัง",
        "กรมสรรพากร",
        "สำนักงานสรรพากรพื้นที่สาขา",
        "Area Revenue Branch Office",
        "office",
        &[],
    ),
    office(
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
        "กรมกิจการผู้สูงอายุ",
        "ศูนย์บริการคนพิการและผู้สูงอายุ",
        "Disability and Elderly Service Centre",
        "office",
        &[],
    ),
];

const SUBDISTRICT_WORDS: &[&str] = &[
    "หนอง",
    "บ้าน",
    "ทุ่ง",
    "นา",
    "ห้วย",
    "คลอง",
    "ดอน",
    "โคก",
    "บึง",
    "ท่า",
];
const SUBDISTRICT_TAILS: &[&str] = &[
    "ใหญ่",
    "ยาว",
    "กลาง",
    "ใหม่",
    "เหนือ",
    "ใต้",
    "ทอง",
    "แดง",
    "ขาม",
    "โพธิ์",
];

/// Codes that cannot clash with the demo data: all start with 9.
fn code(kind: u64, n: u64) -> UnitCode {
    UnitCode::parse(&format!("9{kind:02}{n:010}")).expect("13 digits")
}

pub fn dataset(n: usize, now: DateTime<Utc>) -> Result<Dataset> {
    let geo = geography()?;
    let districts: Vec<_> = geo
        .provinces
        .iter()
        .flat_map(|p| p.districts.iter().map(move |d| (p, d)))
        .collect();
    let mut rng = StdRng::seed_from_u64(80_000);
    let mut ds = Dataset::default();

    let mut ministries: Vec<&str> = OFFICES.iter().map(|o| o.ministry).collect();
    ministries.dedup();
    for (i, m) in ministries.iter().enumerate() {
        ds.units.push(Unit {
            code: code(1, i as u64),
            kind: UnitKind::Ministry,
            parent: None,
            name_th: m.to_string(),
            name_en: format!("Ministry {}", i + 1),
        });
    }
    for (i, o) in OFFICES.iter().enumerate() {
        let m = ministries
            .iter()
            .position(|m| *m == o.ministry)
            .expect("listed");
        ds.units.push(Unit {
            code: code(2, i as u64),
            kind: UnitKind::Department,
            parent: Some(code(1, m as u64)),
            name_th: o.department.to_string(),
            name_en: format!("Department {}", i + 1),
        });
    }

    for k in 0..n {
        let (province, district) = districts[k % districts.len()];
        let office = (k / districts.len()) % OFFICES.len();
        let round = k / (districts.len() * OFFICES.len());
        let Office {
            prefix,
            prefix_en,
            hours,
            manuals,
            ..
        } = &OFFICES[office];
        let district_name = district.name_th.trim_start_matches("เขต");
        let subdistrict = format!(
            "{}{}",
            SUBDISTRICT_WORDS[rng.random_range(0..SUBDISTRICT_WORDS.len())],
            SUBDISTRICT_TAILS[rng.random_range(0..SUBDISTRICT_TAILS.len())]
        );
        let suffix = if round == 0 {
            String::new()
        } else {
            format!(" แห่งที่ {}", round + 1)
        };
        let name_th = if prefix.ends_with("ตำบล") || prefix.ends_with("อายุ") {
            format!("{prefix}{subdistrict} อำเภอ{district_name}{suffix}")
        } else {
            format!("{prefix}{district_name}{suffix}")
        };
        let name_en = format!(
            "{} {}{}",
            district.name_en,
            prefix_en,
            if round == 0 {
                String::new()
            } else {
                format!(" {}", round + 1)
            }
        );
        let unit = code(3, k as u64);
        let sp = code(4, k as u64);
        ds.units.push(Unit {
            code: unit,
            kind: UnitKind::Unit,
            parent: Some(code(2, office as u64)),
            name_th: name_th.clone(),
            name_en: name_en.clone(),
        });
        ds.units.push(Unit {
            code: sp,
            kind: UnitKind::ServicePoint,
            parent: Some(unit),
            name_th: name_th.clone(),
            name_en: name_en.clone(),
        });
        // Spread over about 3 km around the district's interior point.
        let location = LatLon {
            lat: district.lat + rng.random_range(-0.02..0.02),
            lon: district.lon + rng.random_range(-0.02..0.02),
        };
        for key in manuals.iter() {
            ds.pins.push((sp, key.to_string()));
        }
        ds.service_points.push(ServicePoint {
            code: sp,
            unit,
            name_th,
            name_en,
            description_th: format!(
                "ให้บริการประชาชนในพื้นที่อำเภอ{district_name} จังหวัด{}",
                province.name_th
            ),
            description_en: format!(
                "Serves the people of {} district, {} province",
                district.name_en, province.name_en
            ),
            location,
            address: Address {
                house_no: Some(format!("{}", rng.random_range(1..400))),
                moo: Some(format!("{}", rng.random_range(1..15))),
                building: None,
                road: None,
                subdistrict,
                district: district_name.to_string(),
                province: province.name_th.clone(),
                postcode: format!("{}{:03}", province.code, rng.random_range(100..200)),
            },
            phones: vec![Phone {
                number: format!("0{:08}", rng.random_range(20_000_000..79_999_999)),
                ext: None,
                label_th: None,
                label_en: None,
            }],
            email: None,
            website: None,
            hours: hours_template(hours)?,
            hours_note_th: None,
            hours_note_en: None,
            gecc_level: [
                GeccLevel::None,
                GeccLevel::None,
                GeccLevel::Basic,
                GeccLevel::Medium,
                GeccLevel::High,
            ][rng.random_range(0..5)],
            is_public: true,
            photos: Vec::new(),
            manuals: Vec::new(),
            updated_at: now,
            updated_by: None,
            verified_at: None,
        });
    }
    Ok(ds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_over_all_provinces_with_unique_codes() {
        let ds = dataset(2000, Utc::now()).unwrap();
        assert_eq!(ds.service_points.len(), 2000);
        let provinces: std::collections::HashSet<_> = ds
            .service_points
            .iter()
            .map(|s| &s.address.province)
            .collect();
        assert_eq!(provinces.len(), 77);
        let codes: std::collections::HashSet<_> = ds.units.iter().map(|u| &u.code).collect();
        assert_eq!(codes.len(), ds.units.len());
    }
}
