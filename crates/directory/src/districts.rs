//! Which district a point lies in, and districts by code or by name as addresses write
//! them: the checks of a service point's map pin against its address.
//!
//! The boundaries (`data/geo/boundaries.json`) are a coverage: neighbouring districts
//! share their borders vertex for vertex, with neither gaps nor overlaps, so no point is
//! in two districts, not even one on a border (see `domain::geo::inside_ring`). The
//! borders are those of a simplified source, a few hundred metres off in places
//! (`data/geo/SOURCES.md`), so a check against them should leave a margin for pins
//! close to a border, and a pin on a pier or a beach may be at sea by them.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use domain::geo::{LatLon, inside_ring};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

const BOUNDARIES: &str = include_str!("../../../data/geo/boundaries.json");
const DISTRICTS: &str = include_str!("../../../data/geo/districts.json");

const BANGKOK: &str = "10";

/// A province as the index knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProvinceRef<'a> {
    /// TIS-1099 code, two digits (`20`).
    pub code: &'a str,
    pub name_th: &'a str,
    pub name_en: &'a str,
}

/// A district (อำเภอ, or เขต in Bangkok) with its province.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DistrictRef<'a> {
    /// TIS-1099 code, four digits (`2004`).
    pub code: &'a str,
    /// DOPA's name: `บางละมุง`, and with the prefix for Bangkok's, `เขตบางรัก`.
    pub name_th: &'a str,
    pub name_en: &'a str,
    pub province: ProvinceRef<'a>,
    /// A point well inside the district (not its office), for centring a map on it.
    pub point: LatLon,
}

/// The 928 districts with their boundaries, an R-tree of their bounding boxes and
/// their names.
#[derive(Debug)]
pub struct Districts {
    provinces: Vec<Province>,
    districts: Vec<District>,
    rings: Vec<Ring>,
    /// Every ring's points, one after the other, `[lon, lat]`.
    points: Vec<[f64; 2]>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    by_code: HashMap<String, u32>,
    province_by_name: HashMap<String, u32>,
    /// Keyed by province and the district's name without its prefix.
    by_name: HashMap<(u32, String), u32>,
}

#[derive(Debug)]
struct Province {
    code: String,
    name_th: String,
    name_en: String,
}

#[derive(Debug)]
struct District {
    code: String,
    name_th: String,
    name_en: String,
    province: u32,
    point: LatLon,
    /// Indexes into `Districts::rings`.
    rings: Range<u32>,
}

#[derive(Debug)]
struct Ring {
    /// Indexes into `Districts::points`.
    points: Range<u32>,
    min: [f64; 2],
    max: [f64; 2],
}

#[derive(Deserialize)]
struct BoundariesFile {
    districts: BTreeMap<String, Vec<Vec<[f64; 2]>>>,
}

#[derive(Deserialize)]
struct DistrictsFile {
    provinces: Vec<ProvinceRow>,
}

#[derive(Deserialize)]
struct ProvinceRow {
    code: String,
    name_th: String,
    name_en: String,
    districts: Vec<DistrictRow>,
}

#[derive(Deserialize)]
struct DistrictRow {
    code: String,
    name_th: String,
    name_en: String,
    lat: f64,
    lon: f64,
}

static INDEX: OnceLock<Districts> = OnceLock::new();

impl Districts {
    /// The index of the embedded data, built on first use: the portal's public reads
    /// never ask for it, so they never pay for it (about 7 ms and 1.4 MiB in a release
    /// build).
    pub fn get() -> &'static Districts {
        INDEX.get_or_init(|| {
            Self::parse(BOUNDARIES, DISTRICTS).expect("data/geo/boundaries.json, districts.json")
        })
    }

    fn parse(boundaries: &str, districts: &str) -> Result<Self, String> {
        let mut shapes = serde_json::from_str::<BoundariesFile>(boundaries)
            .map_err(|e| format!("boundaries: {e}"))?
            .districts;
        let rows = serde_json::from_str::<DistrictsFile>(districts)
            .map_err(|e| format!("districts: {e}"))?
            .provinces;
        let mut index = Districts {
            provinces: Vec::with_capacity(rows.len()),
            districts: Vec::new(),
            rings: Vec::new(),
            points: Vec::new(),
            tree: RTree::new(),
            by_code: HashMap::default(),
            province_by_name: HashMap::default(),
            by_name: HashMap::default(),
        };
        let mut boxes = Vec::new();
        // Two districts of Ayutthaya are both "Bang Sai" in English (บางไทร, บางซ้าย).
        let mut ambiguous = Vec::new();
        for p in rows {
            let pi = index.provinces.len() as u32;
            for name in [&p.name_th, &p.name_en] {
                index.province_by_name.insert(province_key(name), pi);
            }
            if p.code == BANGKOK {
                for alias in ["กรุงเทพฯ", "กรุงเทพ", "กทม.", "กทม"]
                {
                    index.province_by_name.insert(province_key(alias), pi);
                }
            }
            for d in p.districts {
                let di = index.districts.len() as u32;
                let rings = shapes
                    .remove(&d.code)
                    .ok_or_else(|| format!("no boundary for district {}", d.code))?;
                let first = index.rings.len() as u32;
                let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
                for ring in rings {
                    let start = index.points.len() as u32;
                    let (min, max) =
                        bounds(&ring).ok_or_else(|| format!("{}: empty ring", d.code))?;
                    index.points.extend(ring);
                    let end = index.points.len() as u32;
                    index.rings.push(Ring {
                        points: start..end,
                        min,
                        max,
                    });
                    lo = [lo[0].min(min[0]), lo[1].min(min[1])];
                    hi = [hi[0].max(max[0]), hi[1].max(max[1])];
                }
                let end = index.rings.len() as u32;
                if end == first {
                    return Err(format!("district {} has no ring", d.code));
                }
                boxes.push(GeomWithData::new(Rectangle::from_corners(lo, hi), di));
                let point = LatLon::new(d.lat, d.lon)
                    .ok_or_else(|| format!("{}: point out of range", d.code))?;
                for name in [&d.name_th, &d.name_en] {
                    let key = (pi, district_key(name));
                    if index
                        .by_name
                        .insert(key.clone(), di)
                        .is_some_and(|o| o != di)
                    {
                        ambiguous.push(key);
                    }
                }
                index.by_code.insert(d.code.clone(), di);
                index.districts.push(District {
                    code: d.code,
                    name_th: d.name_th,
                    name_en: d.name_en,
                    province: pi,
                    point,
                    rings: first..end,
                });
            }
            index.provinces.push(Province {
                code: p.code,
                name_th: p.name_th,
                name_en: p.name_en,
            });
        }
        if let Some(code) = shapes.keys().next() {
            return Err(format!("boundary for unknown district {code}"));
        }
        for key in ambiguous {
            index.by_name.remove(&key);
        }
        index.tree = RTree::bulk_load(boxes);
        index.points.shrink_to_fit();
        Ok(index)
    }

    /// The district the point lies in; `None` at sea and abroad.
    pub fn locate(&self, p: LatLon) -> Option<DistrictRef<'_>> {
        self.containing(p).next().map(|d| self.reference(d))
    }

    /// Whether the point lies in the district of this code (false for an unknown code).
    pub fn contains(&self, district_code: &str, p: LatLon) -> bool {
        self.by_code
            .get(district_code)
            .is_some_and(|&d| self.inside(d, p))
    }

    /// The district of a TIS-1099 code (`2004`).
    pub fn by_code(&self, code: &str) -> Option<DistrictRef<'_>> {
        self.by_code.get(code).map(|&d| self.reference(d))
    }

    /// A province by its name as addresses write it: `ชลบุรี`, `จังหวัดชลบุรี`,
    /// `จ.ชลบุรี`, `กรุงเทพมหานคร`, `กรุงเทพฯ`, `กทม.`, or DOPA's English name in any case
    /// and spacing (`Chon Buri`, `chonburi`).
    pub fn province(&self, name: &str) -> Option<ProvinceRef<'_>> {
        let &p = self.province_by_name.get(&province_key(name))?;
        Some(self.province_ref(p))
    }

    /// A district by province and district names as addresses write them: with or
    /// without `อำเภอ`, `อ.`, `เขต`, `จังหวัด`, `จ.` (`อำเภอบางละมุง`, `บางละมุง`,
    /// `เขตบางรัก`, `บางรัก`), the capital district also as `เมือง` (`อ.เมือง จ.ชลบุรี`),
    /// or in English. District names repeat across provinces, so the province is needed.
    pub fn by_name(&self, province: &str, district: &str) -> Option<DistrictRef<'_>> {
        let &p = self.province_by_name.get(&province_key(province))?;
        let key = district_key(district);
        if let Some(&d) = self.by_name.get(&(p, key.clone())) {
            return Some(self.reference(d));
        }
        // "อำเภอเมือง" is what addresses call the capital district, which TIS-1099
        // numbers first in every province; Bangkok has none.
        let province = &self.provinces[p as usize];
        if (key == "เมือง" || key == "mueang") && province.code != BANGKOK {
            return self.by_code(&format!("{}01", province.code));
        }
        None
    }

    /// Every district, in code order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = DistrictRef<'_>> {
        (0..self.districts.len() as u32).map(|d| self.reference(d))
    }

    fn containing(&self, p: LatLon) -> impl Iterator<Item = u32> + '_ {
        self.tree
            .locate_in_envelope_intersecting(AABB::from_point([p.lon, p.lat]))
            .map(|b| b.data)
            .filter(move |&d| self.inside(d, p))
    }

    /// The even-odd rule of `domain::geo::inside_rings`, with each ring's bounding box
    /// looked at first: a district's islands are far apart, and most of them are not
    /// near the point.
    fn inside(&self, d: u32, p: LatLon) -> bool {
        span(&self.rings, &self.districts[d as usize].rings)
            .iter()
            .filter(|r| {
                (r.min[0]..=r.max[0]).contains(&p.lon)
                    && (r.min[1]..=r.max[1]).contains(&p.lat)
                    && inside_ring(p, span(&self.points, &r.points))
            })
            .count()
            % 2
            == 1
    }

    fn reference(&self, d: u32) -> DistrictRef<'_> {
        let district = &self.districts[d as usize];
        DistrictRef {
            code: &district.code,
            name_th: &district.name_th,
            name_en: &district.name_en,
            province: self.province_ref(district.province),
            point: district.point,
        }
    }

    fn province_ref(&self, p: u32) -> ProvinceRef<'_> {
        let province = &self.provinces[p as usize];
        ProvinceRef {
            code: &province.code,
            name_th: &province.name_th,
            name_en: &province.name_en,
        }
    }
}

fn span<'a, T>(items: &'a [T], range: &Range<u32>) -> &'a [T] {
    &items[range.start as usize..range.end as usize]
}

fn bounds(ring: &[[f64; 2]]) -> Option<([f64; 2], [f64; 2])> {
    let first = *ring.first()?;
    Some(ring.iter().fold((first, first), |(lo, hi), q| {
        (
            [lo[0].min(q[0]), lo[1].min(q[1])],
            [hi[0].max(q[0]), hi[1].max(q[1])],
        )
    }))
}

/// Addresses are typed with stray spaces ("อำเภอ บางละมุง") and pasted with zero-width
/// spaces; English names differ in case, spaces and hyphens ("Chon Buri", "Chonburi").
fn squeeze(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200b}')
        .collect();
    if s.is_ascii() {
        s.chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    } else {
        s
    }
}

fn strip<'a>(s: &'a str, prefixes: &[&str]) -> &'a str {
    prefixes
        .iter()
        .find_map(|p| s.strip_prefix(p).filter(|rest| !rest.is_empty()))
        .unwrap_or(s)
}

fn province_key(name: &str) -> String {
    strip(&squeeze(name), &["จังหวัด", "จ."]).to_string()
}

fn district_key(name: &str) -> String {
    // กิ่งอำเภอ (minor district) is gone from DOPA's list but not from old letterheads.
    strip(&squeeze(name), &["กิ่งอำเภอ", "อำเภอ", "อ.", "เขต"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> LatLon {
        LatLon::new(lat, lon).unwrap()
    }

    fn located(lat: f64, lon: f64) -> Option<&'static str> {
        Districts::get().locate(at(lat, lon)).map(|d| d.code)
    }

    #[test]
    fn every_interior_point_is_in_its_own_district_and_no_other() {
        let index = Districts::get();
        assert_eq!(index.iter().len(), 928);
        assert_eq!(index.provinces.len(), 77);
        for d in index.iter() {
            let owners: Vec<_> = index
                .containing(d.point)
                .map(|i| index.districts[i as usize].code.as_str())
                .collect();
            assert_eq!(owners, [d.code], "{} {}", d.code, d.name_en);
            assert!(index.contains(d.code, d.point));
        }
    }

    #[test]
    fn sea_and_neighbouring_countries_are_in_no_district() {
        assert_eq!(located(12.5, 100.5), None, "Gulf of Thailand");
        assert_eq!(located(17.9757, 102.6331), None, "Vientiane, Laos");
        assert_eq!(located(16.8409, 96.1735), None, "Yangon, Myanmar");
        assert_eq!(located(11.5564, 104.9282), None, "Phnom Penh, Cambodia");
        assert_eq!(located(-33.9, 151.2), None, "far away");
    }

    #[test]
    fn pattaya_city_hall_is_in_bang_lamung() {
        let d = Districts::get().locate(at(12.9276, 100.8771)).unwrap();
        assert_eq!(
            (d.code, d.name_th, d.name_en),
            ("2004", "บางละมุง", "Bang Lamung")
        );
        assert_eq!(
            d.province,
            ProvinceRef {
                code: "20",
                name_th: "ชลบุรี",
                name_en: "Chon Buri"
            }
        );
        assert!(Districts::get().contains("2004", at(12.9276, 100.8771)));
        assert!(!Districts::get().contains("2007", at(12.9276, 100.8771)));
        assert!(!Districts::get().contains("nope", at(12.9276, 100.8771)));
    }

    #[test]
    fn the_central_post_office_is_in_khet_bang_rak() {
        let d = Districts::get().locate(at(13.7297, 100.5152)).unwrap();
        assert_eq!((d.code, d.name_th), ("1004", "เขตบางรัก"));
        assert_eq!(d.province.name_th, "กรุงเทพมหานคร");
    }

    #[test]
    fn a_grid_over_the_country_finds_no_point_in_two_districts() {
        let index = Districts::get();
        let (mut land, mut lat) = (0, 5.5);
        while lat < 20.5 {
            let mut lon = 97.3;
            while lon < 105.7 {
                let n = index.containing(at(lat, lon)).count();
                assert!(n <= 1, "({lat}, {lon}) is in {n} districts");
                land += n;
                lon += 0.05;
            }
            lat += 0.05;
        }
        // 0.05° squares are about 30 km²; Thailand is 513,000 km².
        assert!((15_000..19_000).contains(&land), "{land}");
    }

    #[test]
    fn districts_by_code() {
        let index = Districts::get();
        assert_eq!(index.by_code("2004").unwrap().name_th, "บางละมุง");
        assert_eq!(index.by_code("1004").unwrap().name_en, "Bang Rak");
        assert!(index.by_code("2099").is_none());
        assert!(index.by_code("").is_none());
    }

    #[test]
    fn districts_by_the_names_addresses_write() {
        let index = Districts::get();
        let code = |p: &str, d: &str| index.by_name(p, d).map(|d| d.code);
        for (p, d) in [
            ("ชลบุรี", "บางละมุง"),
            ("ชลบุรี", "อำเภอบางละมุง"),
            ("จังหวัดชลบุรี", "อำเภอบางละมุง"),
            ("จ.ชลบุรี", "อ.บางละมุง"),
            (" จังหวัด ชลบุรี ", "อำเภอ บางละมุง"),
            ("Chon Buri", "Bang Lamung"),
            ("chonburi", "banglamung"),
        ] {
            assert_eq!(code(p, d), Some("2004"), "{p} / {d}");
        }
        for (p, d) in [
            ("กรุงเทพมหานคร", "เขตบางรัก"),
            ("กรุงเทพมหานคร", "บางรัก"),
            ("กรุงเทพฯ", "บางรัก"),
            ("กทม.", "เขต บางรัก"),
            ("Bangkok", "Bang Rak"),
        ] {
            assert_eq!(code(p, d), Some("1004"), "{p} / {d}");
        }
        assert_eq!(code("ชลบุรี", "เมืองชลบุรี"), Some("2001"));
        assert_eq!(code("ชลบุรี", "อ.เมือง"), Some("2001"));
        assert_eq!(code("พระนครศรีอยุธยา", "อำเภอเมือง"), Some("1401"));
        assert_eq!(code("กรุงเทพมหานคร", "เมือง"), None);
        assert_eq!(
            code("ระยอง", "บางละมุง"),
            None,
            "another province's district"
        );
        assert_eq!(code("ชลบุรี", "บางรัก"), None);
        assert_eq!(code("ไม่มี", "บางละมุง"), None);
        assert_eq!(code("ชลบุรี", ""), None);
        assert_eq!(index.province("จ.ชลบุรี").unwrap().code, "20");
        assert_eq!(index.province("จังหวัด").map(|p| p.code), None);
    }

    #[test]
    fn every_district_is_found_by_its_own_names_with_and_without_prefix() {
        let index = Districts::get();
        for d in index.iter() {
            let p = d.province;
            let bare = d.name_th.strip_prefix("เขต").unwrap_or(d.name_th);
            let written = if p.code == BANGKOK {
                format!("เขต{bare}")
            } else {
                format!("อำเภอ{bare}")
            };
            for (province, district) in [
                (p.name_th.to_string(), d.name_th.to_string()),
                (p.name_th.to_string(), bare.to_string()),
                (format!("จังหวัด{}", p.name_th), written),
                (p.name_en.to_string(), d.name_en.to_string()),
            ] {
                if d.name_en == "Bang Sai" && district.is_ascii() {
                    assert_eq!(index.by_name(&province, &district), None, "ambiguous");
                    continue;
                }
                let found = index.by_name(&province, &district).map(|f| f.code);
                assert_eq!(found, Some(d.code), "{province} / {district}");
            }
        }
    }

    #[test]
    fn the_data_files_must_match_one_to_one() {
        let no_boundary = BOUNDARIES.replacen("\"1001\":", "\"x1001\":", 1);
        assert!(Districts::parse(&no_boundary, DISTRICTS).is_err());
        assert!(Districts::parse("{}", DISTRICTS).is_err());
    }

    /// Figures, not limits (a debug build is far slower): `--nocapture` shows them.
    #[test]
    fn build_and_locate_figures() {
        let start = std::time::Instant::now();
        let index = Districts::parse(BOUNDARIES, DISTRICTS).unwrap();
        let build = start.elapsed();
        let heap = index.points.capacity() * size_of::<[f64; 2]>()
            + index.rings.capacity() * size_of::<Ring>()
            + index.districts.capacity() * size_of::<District>()
            + index.tree.size() * size_of::<GeomWithData<Rectangle<[f64; 2]>, u32>>();
        let points: Vec<_> = index.iter().map(|d| d.point).collect();
        let mut times: Vec<_> = points
            .iter()
            .map(|&p| {
                let start = std::time::Instant::now();
                for _ in 0..100 {
                    std::hint::black_box(index.locate(std::hint::black_box(p)));
                }
                start.elapsed() / 100
            })
            .collect();
        times.sort();
        println!(
            "districts: built in {build:?}; {} rings, {} points, ~{} KiB of geometry; \
             locate: median {:?}, slowest {:?} over {} interior points",
            index.rings.len(),
            index.points.len(),
            heap / 1024,
            times[times.len() / 2],
            times[times.len() - 1],
            points.len()
        );
    }
}
