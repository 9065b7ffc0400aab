//! Random sequences of edits applied in place must answer every query exactly as a
//! directory built afresh from the resulting data, and must leave the version they
//! started from as it was.

use chrono::{DateTime, NaiveDateTime, Utc};
use domain::{
    Address, GeccLevel, Holiday, LatLon, Manual, Period, Phone, ServicePoint, Snapshot, Unit,
    UnitCode, UnitKind, WeeklyHours,
};
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::{Change, Directory, Query};

const MANUALS: &str = include_str!("../../../data/demo/manuals.json");
const HOLIDAYS: &str = include_str!("../../../data/demo/holidays.json");

/// xorshift64*: the sequences must be the same on every run, and the crate has no
/// random number generator of its own.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PLACES: &[(&str, &[&str], f64, f64)] = &[
    (
        "ชลบุรี",
        &["เมืองชลบุรี", "บางละมุง", "ศรีราชา", "พนัสนิคม"],
        13.36,
        100.98,
    ),
    ("ระยอง", &["เมืองระยอง", "แกลง"], 12.68, 101.27),
    ("เชียงใหม่", &["เมืองเชียงใหม่", "ฝาง", "สันทราย"], 18.79, 98.98),
    ("กรุงเทพมหานคร", &["บางรัก", "ปทุมวัน"], 13.75, 100.5),
];

const PREFIXES: &[(&str, &str)] = &[
    ("สำนักงานพัฒนาชุมชนอำเภอ", "Community Development Office"),
    ("สำนักทะเบียนอำเภอ", "District Registration Office"),
    ("โรงพยาบาลส่งเสริมสุขภาพตำบล", "Health Promoting Hospital"),
    ("สำนักงานที่ดิน สาขา", "Land Office Branch"),
    ("ศูนย์บริการคนพิการและผู้สูงอายุ", "Disability and Elderly Centre"),
];

const WORDS: &[&str] = &[
    "หนองใหญ่",
    "บ้านกลาง",
    "ทุ่งทอง",
    "นาโพธิ์",
    "ห้วยยาว",
    "คลองใหม่",
    "ดอนแดง",
    "โคกขาม",
    "บึงเหนือ",
    "ท่าใต้",
];

/// Words no point has at the start, so that renames bring new words to the index.
const NEW_WORDS: &[&str] = &["มะละกอ", "ทุเรียน", "Mangosteen", "ลำไย", "เงาะ"];

const TEXTS: &[&str] = &[
    "พัฒนาชุมชน",
    "ทะเบียน",
    "โรงพยาบาลส่งเสริมสุขภาพตำบล",
    "บางละมุง",
    "ละมุง",
    "OTOP",
    "หนองใหญ่",
    "community office",
    "ชลบุรี",
    "ทำบัตรประชาชน",
    "การลงทะเบียนผู้ผลิต",
    "ทุเรียน",
    "mangosteen",
    "สำนักงาน",
    "ให้บริการ",
    "ที่ดิน บ้านกลาง ศรีราชา เชียงใหม่",
];

fn code(prefix: u64, n: u64) -> UnitCode {
    UnitCode::parse(&format!("{prefix:03}{n:010}")).expect("13 digits")
}

fn hours(rng: &mut Rng) -> WeeklyHours {
    let mut h = WeeklyHours::government_office();
    match rng.below(4) {
        0 => {}
        1 => h.periods.push(Period {
            weekday: 6,
            opens: 510,
            closes: 720,
        }),
        2 => {
            h.periods = (1..=7)
                .map(|weekday| Period {
                    weekday,
                    opens: 0,
                    closes: 1440,
                })
                .collect();
            h.open_on_holidays = true;
        }
        _ => {
            h.periods = (1..=5)
                .flat_map(|weekday| {
                    [
                        Period {
                            weekday,
                            opens: 480,
                            closes: 720,
                        },
                        Period {
                            weekday,
                            opens: 780,
                            closes: 960,
                        },
                    ]
                })
                .collect()
        }
    }
    h
}

/// The stored data: what a snapshot would read.
struct World {
    version: i64,
    /// Ministries, departments and units.
    units: Vec<Unit>,
    /// The unit rows of service points, public or not.
    point_units: BTreeMap<UnitCode, Unit>,
    public: BTreeMap<UnitCode, ServicePoint>,
    hidden: BTreeMap<UnitCode, ServicePoint>,
    manuals: Vec<Manual>,
    holidays: Vec<Holiday>,
    next_code: u64,
    now: DateTime<Utc>,
}

impl World {
    fn new(rng: &mut Rng, points: usize) -> Self {
        let mut manuals: Vec<Manual> = serde_json::from_str(MANUALS).expect("demo manuals");
        for (i, m) in manuals.iter_mut().enumerate() {
            m.id = i as i64 + 1;
        }
        let holidays: Vec<Holiday> = serde_json::from_str(HOLIDAYS).expect("demo holidays");
        let unit = |code, kind, parent, name_th: &str, name_en: &str| Unit {
            code,
            kind,
            parent,
            name_th: name_th.to_owned(),
            name_en: name_en.to_owned(),
        };
        let mut units = vec![
            unit(
                code(1, 1),
                UnitKind::Ministry,
                None,
                "กระทรวงมหาดไทย",
                "Ministry of Interior",
            ),
            unit(
                code(1, 2),
                UnitKind::Ministry,
                None,
                "กระทรวงสาธารณสุข",
                "Ministry of Public Health",
            ),
        ];
        let departments = [
            ("กรมการพัฒนาชุมชน", 1),
            ("กรมการปกครอง", 1),
            ("กรมที่ดิน", 1),
            ("สำนักงานปลัดกระทรวงสาธารณสุข", 2),
        ];
        for (i, (name, m)) in departments.iter().enumerate() {
            units.push(unit(
                code(2, i as u64),
                UnitKind::Department,
                Some(code(1, *m)),
                name,
                &format!("Department {i}"),
            ));
        }
        for i in 0..12u64 {
            // A few units hold units, as a provincial office holds its districts.
            let parent = if i >= 9 {
                code(3, i - 9)
            } else {
                code(2, i % 4)
            };
            let (province, districts, _, _) = PLACES[i as usize % PLACES.len()];
            units.push(unit(
                code(3, i),
                UnitKind::Unit,
                Some(parent),
                &format!("สำนักงานจังหวัด{province} {}", districts[0]),
                &format!("Unit {i}"),
            ));
        }
        let mut world = Self {
            version: 1,
            units,
            point_units: BTreeMap::new(),
            public: BTreeMap::new(),
            hidden: BTreeMap::new(),
            manuals,
            holidays,
            next_code: 0,
            now: DateTime::from_timestamp(1_760_000_000, 0).expect("a time"),
        };
        for _ in 0..points {
            let sp = world.new_point(rng);
            if rng.chance(10) {
                world.hidden.insert(sp.code, sp);
            } else {
                world.public.insert(sp.code, sp);
            }
        }
        world
    }

    fn running_units(&self) -> Vec<UnitCode> {
        self.units
            .iter()
            .filter(|u| u.kind != UnitKind::Ministry)
            .map(|u| u.code)
            .collect()
    }

    fn location(&self, rng: &mut Rng, province: usize) -> LatLon {
        // Offices often share a building: the same place as another point, exactly.
        if rng.chance(15) && !self.public.is_empty() {
            let i = rng.below(self.public.len());
            return self.public.values().nth(i).expect("in range").location;
        }
        let (_, _, lat, lon) = PLACES[province];
        LatLon {
            lat: lat + (rng.below(2000) as f64 - 1000.0) / 10_000.0,
            lon: lon + (rng.below(2000) as f64 - 1000.0) / 10_000.0,
        }
    }

    fn new_point(&mut self, rng: &mut Rng) -> ServicePoint {
        self.next_code += 1;
        let code = code(4, self.next_code);
        let unit = *rng.pick(&self.running_units());
        let province = rng.below(PLACES.len());
        let (province_name, districts, _, _) = PLACES[province];
        let district = *rng.pick(districts);
        let (prefix, prefix_en) = *rng.pick(PREFIXES);
        let word = *rng.pick(WORDS);
        let manuals = (1..=self.manuals.len() as i64)
            .filter(|_| rng.chance(25))
            .collect();
        let sp = ServicePoint {
            code,
            unit,
            name_th: format!("{prefix}{district} {word}"),
            name_en: format!("{district} {prefix_en}"),
            description_th: format!("ให้บริการประชาชนในพื้นที่อำเภอ{district} จังหวัด{province_name}"),
            description_en: format!("Serves the people of {district}"),
            location: self.location(rng, province),
            address: Address {
                house_no: Some(format!("{}", rng.below(400))),
                moo: None,
                building: None,
                road: None,
                subdistrict: word.to_owned(),
                district: district.to_owned(),
                province: province_name.to_owned(),
                postcode: "20150".to_owned(),
            },
            phones: vec![Phone {
                number: format!("038{:06}", rng.below(1_000_000)),
                ext: None,
                label_th: None,
                label_en: None,
            }],
            email: None,
            website: None,
            hours: hours(rng),
            hours_note_th: None,
            hours_note_en: None,
            gecc_level: GeccLevel::None,
            is_public: true,
            photos: Vec::new(),
            manuals,
            updated_at: self.now,
            updated_by: None,
            verified_at: None,
        };
        self.point_units.insert(
            code,
            Unit {
                code,
                kind: UnitKind::ServicePoint,
                parent: Some(unit),
                name_th: sp.name_th.clone(),
                name_en: sp.name_en.clone(),
            },
        );
        sp
    }

    /// The snapshot as storage reads it, in an order of its own: the directory must not
    /// depend on the order points come in.
    fn snapshot(&self, rng: &mut Rng) -> Snapshot {
        let mut units = self.units.clone();
        units.extend(self.point_units.values().cloned());
        let mut service_points: Vec<ServicePoint> = self.public.values().cloned().collect();
        for i in (1..service_points.len()).rev() {
            service_points.swap(i, rng.below(i + 1));
        }
        Snapshot {
            version: self.version,
            units,
            service_points,
            manuals: self.manuals.clone(),
            holidays: self.holidays.clone(),
        }
    }

    fn publish(&mut self, sp: ServicePoint, changes: &mut Vec<Change>) {
        if let Some(u) = self.point_units.get_mut(&sp.code) {
            u.parent = Some(sp.unit);
            u.name_th = sp.name_th.clone();
        }
        self.hidden.remove(&sp.code);
        self.public.insert(sp.code, sp.clone());
        changes.push(Change::Upsert(sp));
    }

    /// One random edit, as the back office would make it.
    fn edit(&mut self, rng: &mut Rng, changes: &mut Vec<Change>) {
        let any_public = |w: &Self, rng: &mut Rng| {
            let i = rng.below(w.public.len().max(1));
            w.public.values().nth(i).cloned()
        };
        match rng.below(12) {
            0 => {
                if let Some(mut sp) = any_public(self, rng) {
                    let (prefix, _) = *rng.pick(PREFIXES);
                    sp.name_th = format!("{prefix}{} {}", rng.pick(WORDS), rng.pick(NEW_WORDS));
                    sp.name_en = format!("{} office", rng.pick(NEW_WORDS));
                    self.publish(sp, changes);
                }
            }
            1 => {
                if let Some(mut sp) = any_public(self, rng) {
                    let province = rng.below(PLACES.len());
                    sp.location = self.location(rng, province);
                    self.publish(sp, changes);
                }
            }
            2 => {
                if let Some(mut sp) = any_public(self, rng) {
                    let (province, districts, _, _) = *rng.pick(PLACES);
                    sp.address.province = province.to_owned();
                    sp.address.district = rng.pick(districts).to_string();
                    sp.address.subdistrict = rng.pick(WORDS).to_string();
                    self.publish(sp, changes);
                }
            }
            3 => {
                if let Some(mut sp) = any_public(self, rng) {
                    sp.manuals = (1..=self.manuals.len() as i64)
                        .filter(|_| rng.chance(30))
                        .collect();
                    self.publish(sp, changes);
                }
            }
            4 => {
                if let Some(mut sp) = any_public(self, rng) {
                    sp.unit = *rng.pick(&self.running_units());
                    self.publish(sp, changes);
                }
            }
            5 => {
                if let Some(mut sp) = any_public(self, rng) {
                    sp.hours = hours(rng);
                    sp.phones[0].number = format!("02{:07}", rng.below(10_000_000));
                    self.publish(sp, changes);
                }
            }
            6 | 7 => {
                if let Some(sp) = any_public(self, rng) {
                    self.public.remove(&sp.code);
                    changes.push(Change::Remove(sp.code));
                    self.hidden.insert(sp.code, sp);
                }
            }
            8 => {
                let i = rng.below(self.hidden.len().max(1));
                if let Some(mut sp) = self.hidden.values().nth(i).cloned() {
                    if rng.chance(50) {
                        sp.description_th =
                            format!("{} {}", sp.description_th, rng.pick(NEW_WORDS));
                    }
                    self.publish(sp, changes);
                }
            }
            9 => {
                let sp = self.new_point(rng);
                self.publish(sp, changes);
            }
            10 => {
                // Deleted outright: its unit row goes too.
                if let Some(sp) = any_public(self, rng) {
                    self.public.remove(&sp.code);
                    self.point_units.remove(&sp.code);
                    changes.push(Change::Remove(sp.code));
                }
            }
            _ => {
                // Saved without a change, or a code that was never public.
                if let Some(sp) = any_public(self, rng) {
                    self.publish(sp, changes);
                }
                changes.push(Change::Remove(code(4, 9_999_999)));
            }
        }
    }
}

/// What the answers are asked about: every code the data has had, and a place where
/// points stand.
struct Seen {
    codes: Vec<UnitCode>,
    manuals: usize,
    at_a_point: Option<LatLon>,
}

impl Seen {
    fn of(w: &World) -> Self {
        let mut codes: Vec<UnitCode> = w.units.iter().map(|u| u.code).collect();
        codes.extend(w.point_units.keys());
        codes.extend(w.hidden.keys());
        codes.extend((1..=w.next_code + 1).map(|n| code(4, n)));
        codes.sort();
        codes.dedup();
        // The place of the point that shares its place with the most others.
        let mut places: BTreeMap<String, usize> = BTreeMap::new();
        for p in w.public.values() {
            *places.entry(format!("{:?}", p.location)).or_default() += 1;
        }
        let at_a_point = w
            .public
            .values()
            .max_by_key(|p| places[&format!("{:?}", p.location)])
            .map(|p| p.location);
        Self {
            codes,
            manuals: w.manuals.len(),
            at_a_point,
        }
    }
}

fn codes<'a>(units: impl IntoIterator<Item = &'a crate::UnitEntry>) -> String {
    units
        .into_iter()
        .map(|u| u.unit.code.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Every answer the directory gives that the portal shows, as text: equal texts mean
/// equal answers.
fn answers(dir: &Directory, w: &Seen) -> Vec<String> {
    let (world_codes, manuals) = (&w.codes, w.manuals);
    let mut out = vec![format!("points {}", dir.points.len())];
    let unit_code = |i: Option<usize>| i.map(|i| dir.units[i].unit.code.to_string());
    for c in world_codes {
        let s = c.as_str();
        let mut line = format!("{s}: ");
        if let Some(p) = dir.point(s) {
            let ancestors: Vec<_> = p
                .ancestors
                .iter()
                .map(|a| dir.units[*a as usize].unit.code.to_string())
                .collect();
            write!(
                line,
                "point {:?} unit {:?} dept {:?} ministry {:?} ancestors {ancestors:?}; ",
                p.point,
                unit_code(p.unit),
                unit_code(p.department),
                unit_code(p.ministry)
            )
            .unwrap();
        }
        if let Some(u) = dir.unit(s) {
            write!(
                line,
                "unit {:?} {:?} parent {:?} count {} names {:?} children [{}]; ",
                u.unit.kind,
                u.unit.code,
                u.unit.parent,
                u.service_points,
                dir.names(u),
                codes(dir.children(u))
            )
            .unwrap();
        }
        write!(
            line,
            "index {:?} crumbs [{}]",
            dir.unit_index(s).map(|i| dir.units[i].unit.code),
            codes(dir.breadcrumbs(s))
        )
        .unwrap();
        out.push(line);
    }
    out.push(format!("roots [{}]", codes(dir.roots())));
    out.push(format!("places {:?}", dir.places()));
    for m in 1..=manuals as i64 + 1 {
        let listed: Vec<_> = dir
            .manual_points(m)
            .map(|p| p.point.code.to_string())
            .collect();
        out.push(format!(
            "manual {m}: {} {listed:?}",
            dir.manual_points(m).count()
        ));
    }
    out.push(format!("manuals {:?}", dir.search_manuals("ทะเบียน")));

    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time");
    let filters: Vec<Query> = vec![
        Query::default(),
        Query {
            unit: dir.unit_index(code(2, 0).as_str()),
            ..Default::default()
        },
        Query {
            unit: dir.unit_index(code(3, 0).as_str()),
            ..Default::default()
        },
        Query {
            unit: dir.unit_index(code(1, 2).as_str()),
            ..Default::default()
        },
        Query {
            manual: Some(1),
            ..Default::default()
        },
        Query {
            province: Some("ชลบุรี".into()),
            district: Some("บางละมุง".into()),
            ..Default::default()
        },
        Query {
            province: Some("เชียงใหม่".into()),
            ..Default::default()
        },
        Query {
            open_at: Some(at("2025-10-11 09:00")),
            ..Default::default()
        },
        Query {
            open_at: Some(at("2025-10-13 12:30")),
            manual: Some(3),
            ..Default::default()
        },
    ];
    let heres = [
        Some(LatLon {
            lat: 13.3,
            lon: 100.9,
        }),
        Some(LatLon {
            lat: 18.0,
            lon: 99.5,
        }),
        // At a point, so that those sharing its place tie.
        w.at_a_point,
        None,
    ];
    let mut push = |label: String, q: &Query| {
        let r = dir.search(q);
        let hits: Vec<String> = r
            .hits
            .iter()
            .map(|h| {
                format!(
                    "{} {:?} {:?}",
                    dir.points[h.index].point.code, h.score, h.distance_km
                )
            })
            .collect();
        out.push(format!("{label}: {} {hits:?}", r.total));
    };
    for (f, filter) in filters.iter().enumerate() {
        for text in [None].into_iter().chain(TEXTS.iter().map(|t| Some(*t))) {
            for (h, here) in heres.iter().enumerate() {
                // Text and place together is the slow general path: fewer of them.
                if text.is_some() && here.is_some() && (f % 3 != 0 || h != 2) {
                    continue;
                }
                for radius in [None, Some(8.0)] {
                    if radius.is_some() && (here.is_none() || text.is_some()) {
                        continue;
                    }
                    let pages: &[(usize, usize)] = if text.is_none() {
                        &[(1, 5), (2, 5), (1, 1000)]
                    } else {
                        &[(2, 3), (1, 1000)]
                    };
                    for (page, per_page) in pages.iter().copied() {
                        let q = Query {
                            text: text.map(str::to_owned),
                            near: *here,
                            radius_km: radius,
                            page,
                            per_page,
                            ..filter.clone()
                        };
                        push(
                            format!("filter {f} {text:?} {here:?} {radius:?} {page}/{per_page}"),
                            &q,
                        );
                    }
                }
            }
        }
    }
    out
}

fn assert_same(what: &str, got: &[String], want: &[String]) {
    if got != want {
        let first = got
            .iter()
            .zip(want)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(want.len()));
        panic!(
            "{what}: answers differ at line {first} of {} / {}\n got: {}\nwant: {}",
            got.len(),
            want.len(),
            got.get(first).map_or("(none)", String::as_str),
            want.get(first).map_or("(none)", String::as_str)
        );
    }
}

#[test]
fn edits_in_place_answer_like_a_fresh_build() {
    for seed in [1u64, 2563] {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
        let mut world = World::new(&mut rng, 160);
        let mut dir = Directory::build(world.snapshot(&mut rng));
        let mut rebuilds = 0;
        for step in 0..30 {
            let seen_before = Seen::of(&world);
            // Checking the version before takes as long again: every few steps.
            let before = (step % 4 == 0).then(|| answers(&dir, &seen_before));
            let mut changes = Vec::new();
            for _ in 0..1 + rng.below(6) {
                world.edit(&mut rng, &mut changes);
            }
            world.version += 1;
            let next = dir
                .apply(world.version, changes.clone())
                .unwrap_or_else(|e| panic!("step {step}: {e}"));
            let fresh = Directory::build(world.snapshot(&mut rng));
            let seen = Seen::of(&world);
            let edits: Vec<String> = changes
                .iter()
                .map(|c| match c {
                    Change::Upsert(sp) => format!("upsert {}", sp.code),
                    Change::Remove(code) => format!("remove {code}"),
                })
                .collect();
            assert_same(
                &format!("seed {seed} step {step} after {edits:?}"),
                &answers(&next, &seen),
                &answers(&fresh, &seen),
            );
            if let Some(before) = before {
                assert_same(
                    &format!("seed {seed} step {step}: the version before"),
                    &answers(&dir, &seen_before),
                    &before,
                );
            }
            assert_eq!(next.version, world.version);
            if next.spatial.tree_ptr() != dir.spatial.tree_ptr() {
                rebuilds += 1;
            }
            dir = next;
        }
        assert!(rebuilds > 0, "the spatial index was never rebuilt");
    }
}

#[test]
fn a_point_under_a_unit_the_directory_does_not_know_is_refused() {
    let mut rng = Rng(7);
    let mut world = World::new(&mut rng, 20);
    let dir = Directory::build(world.snapshot(&mut rng));
    let mut sp = world.new_point(&mut rng);
    sp.unit = code(3, 999);
    let err = dir.apply(2, [Change::Upsert(sp.clone())]).unwrap_err();
    assert_eq!(
        err,
        crate::ApplyError::UnknownUnit {
            point: sp.code,
            unit: sp.unit
        }
    );
    sp.code = code(3, 1);
    sp.unit = code(2, 1);
    assert_eq!(
        dir.apply(2, [Change::Upsert(sp)]).unwrap_err(),
        crate::ApplyError::NotAServicePoint(code(3, 1))
    );
    assert_eq!(dir.version, 1);
}

#[test]
fn a_new_point_appears_everywhere_at_once() {
    let mut rng = Rng(11);
    let mut world = World::new(&mut rng, 30);
    let dir = Directory::build(world.snapshot(&mut rng));
    let mut sp = world.new_point(&mut rng);
    sp.name_th = "จุดบริการทุเรียนใหม่".into();
    sp.unit = code(3, 0);
    sp.manuals = vec![2];
    let next = dir.apply(2, [Change::Upsert(sp.clone())]).unwrap();
    let c = sp.code.to_string();
    assert!(dir.point(&c).is_none() && next.point(&c).is_some());
    assert!(next.unit(&c).is_some());
    let unit = next.unit(code(3, 0).as_str()).unwrap();
    assert_eq!(
        unit.service_points,
        dir.unit(code(3, 0).as_str()).unwrap().service_points + 1
    );
    assert!(next.children(unit).iter().any(|u| u.unit.code == sp.code));
    let found = next.search(&Query {
        text: Some("ทุเรียน".into()),
        per_page: 10,
        ..Default::default()
    });
    assert_eq!(found.total, 1);
    assert_eq!(next.points[found.hits[0].index].point.code, sp.code);
    assert!(next.manual_points(2).any(|p| p.point.code == sp.code));
    let near = next.search(&Query {
        near: Some(sp.location),
        per_page: 1,
        ..Default::default()
    });
    assert_eq!(near.hits[0].distance_km, Some(0.0));
}
