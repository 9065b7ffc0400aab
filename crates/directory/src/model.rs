use chrono::NaiveDate;
use domain::{Holiday, Manual, ServicePoint, Unit, UnitCode, UnitKind};
// Fx hashing: the keys are the directory's own codes and dates, hashed on every page;
// SipHash's resistance to chosen keys buys nothing here.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::persist::{Chunked, SegMap, Slots, Sorted};
use crate::spatial::Spatial;
use crate::text::{TextBuilder, TextIndex, Words};

/// A unit of the tree with its place in it.
#[derive(Debug, Clone)]
pub struct UnitEntry {
    pub unit: Unit,
    /// Shared between versions: a department's count changes with every point below
    /// it, its list of thousands of units almost never.
    pub children: Arc<Vec<usize>>,
    /// Public service points in this unit's subtree.
    pub service_points: usize,
}

/// A public service point with the names of the units above it, resolved once.
#[derive(Debug, Clone)]
pub struct PointEntry {
    pub point: ServicePoint,
    /// Indexes into `Directory::units`: the running unit, its department and ministry
    /// (when the tree has them).
    pub unit: Option<usize>,
    pub department: Option<usize>,
    pub ministry: Option<usize>,
    /// Every ancestor, for "within this subtree" filters.
    pub ancestors: Box<[u32]>,
}

/// The public read model, one immutable version of it.
///
/// A version is cheap to derive from the one before ([`Directory::apply`]): every table
/// is made of shared chunks (see `persist.rs`), so the next version copies only what
/// the changed service points touch, and readers holding the older version keep
/// theirs intact. Service points occupy dense slots `0..points.len()`, which are the
/// document numbers of the text index and the data of the spatial index; results
/// that tie are ordered by code, never by slot, because slots move when points come
/// and go.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub version: i64,
    pub units: Slots<UnitEntry>,
    pub(crate) unit_by_code: SegMap<UnitCode, u32>,
    /// The ministries (units without a parent), in code order; points never become
    /// roots, so this only changes with a rebuild.
    roots: Arc<Vec<usize>>,
    pub points: Slots<PointEntry>,
    pub(crate) point_by_code: SegMap<UnitCode, u32>,
    /// Each slot's code as a number: the order of ties, kept apart from the entries so
    /// that sorting thousands of equal scores reads a dense array.
    pub(crate) keys: Chunked<u64>,
    pub manuals: Arc<Vec<Manual>>,
    pub(crate) manual_by_id: Arc<HashMap<i64, usize>>,
    /// The codes of the public service points that each manual is pinned to.
    pub(crate) manual_points: SegMap<i64, Sorted<UnitCode>>,
    pub holidays: Arc<Vec<Holiday>>,
    pub(crate) holiday_days: Arc<HashSet<NaiveDate>>,
    pub(crate) point_text: TextIndex,
    pub(crate) manual_text: Arc<TextIndex>,
    pub(crate) spatial: Spatial,
    pub(crate) places: Places,
}

/// A code's 13 digits as a number: orders like the code.
pub(crate) fn key_of(code: &UnitCode) -> u64 {
    code.as_str()
        .bytes()
        .fold(0, |n, d| n * 10 + u64::from(d.wrapping_sub(b'0')))
}

/// The indexes of a chain of units from `start` up, stopping at a cycle.
pub(crate) fn chain(start: Option<usize>, parent: impl Fn(usize) -> Option<usize>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut cursor = start;
    while let Some(c) = cursor {
        if out.contains(&c) {
            break;
        }
        out.push(c);
        cursor = parent(c);
    }
    out
}

/// The entry of a service point whose ancestors are `ancestors` (nearest first).
pub(crate) fn entry(
    point: ServicePoint,
    ancestors: Vec<usize>,
    kind: impl Fn(usize) -> UnitKind,
) -> PointEntry {
    let of_kind = |k: UnitKind| ancestors.iter().copied().find(|a| kind(*a) == k);
    PointEntry {
        unit: ancestors.first().copied(),
        department: of_kind(UnitKind::Department),
        ministry: of_kind(UnitKind::Ministry),
        ancestors: ancestors.iter().map(|a| *a as u32).collect(),
        point,
    }
}

/// What the text index holds for a service point. `names` are those of its unit,
/// department and ministry.
pub(crate) fn words(
    e: &PointEntry,
    names: [&str; 3],
    manuals: &[Manual],
    manual_by_id: &HashMap<i64, usize>,
) -> Words {
    let sp = &e.point;
    let titles: Vec<&str> = sp
        .manuals
        .iter()
        .filter_map(|m| manual_by_id.get(m))
        .map(|m| manuals[*m].title_th.as_str())
        .collect();
    let titles = titles.join("\n");
    let place = format!(
        "{} {} {}",
        sp.address.subdistrict, sp.address.district, sp.address.province
    );
    Words::of(&[
        (&sp.name_th, 3.0),
        (&sp.name_en, 3.0),
        (names[0], 2.0),
        (names[1], 1.5),
        (names[2], 1.0),
        (&titles, 2.0),
        (&place, 1.5),
        (&sp.description_th, 1.0),
        (&sp.description_en, 1.0),
    ])
}

/// Provinces with their districts that have public service points: the sorted list the
/// pages show, and how many points each district has, which tells an update when a
/// district comes or goes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Places {
    list: Arc<Vec<(String, Vec<String>)>>,
    counts: SegMap<String, u32>,
}

fn place_key(sp: &ServicePoint) -> String {
    format!("{}\0{}", sp.address.province, sp.address.district)
}

impl Places {
    fn of(counts: HashMap<String, u32>) -> Self {
        let mut places = Self {
            list: Arc::default(),
            counts: SegMap::from_iter_sized(counts.len(), counts),
        };
        places.relist();
        places
    }

    fn relist(&mut self) {
        let mut list: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (k, _) in self.counts.iter() {
            let (province, district) = k.split_once('\0').unwrap_or((k, ""));
            list.entry(province).or_default().insert(district);
        }
        self.list = Arc::new(
            list.into_iter()
                .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
                .collect(),
        );
    }

    pub(crate) fn add(&mut self, sp: &ServicePoint) {
        let key = place_key(sp);
        match self.counts.get_mut(&key) {
            Some(n) => *n += 1,
            None => {
                self.counts.insert(key, 1);
                self.relist();
            }
        }
    }

    pub(crate) fn remove(&mut self, sp: &ServicePoint) {
        let key = place_key(sp);
        if let Some(n) = self.counts.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                self.counts.remove(&key);
                self.relist();
            }
        }
    }
}

impl Directory {
    pub fn build(snapshot: domain::Snapshot) -> Self {
        let domain::Snapshot {
            version,
            mut units,
            service_points,
            manuals,
            holidays,
        } = snapshot;
        let unit_by_code: HashMap<UnitCode, usize> =
            units.iter().enumerate().map(|(i, u)| (u.code, i)).collect();
        let parent_of = |u: &Unit| u.parent.as_ref().and_then(|p| unit_by_code.get(p)).copied();
        let public: HashSet<UnitCode> = service_points.iter().map(|s| s.code).collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
        for (i, u) in units.iter().enumerate() {
            // Hidden service points stay out of the public tree.
            if u.kind == UnitKind::ServicePoint && !public.contains(&u.code) {
                continue;
            }
            if let Some(p) = parent_of(u) {
                children[p].push(i);
            }
        }
        let parents: Vec<Option<usize>> = units.iter().map(parent_of).collect();
        let mut roots: Vec<usize> = (0..units.len())
            .filter(|i| units[*i].parent.is_none())
            .collect();
        roots.sort_by_key(|i| units[*i].code);
        drop(public);
        for unit in &mut units {
            // A service point's unit row holds the point's names, which the point
            // keeps; a hidden point's are not for the public at all.
            if unit.kind == UnitKind::ServicePoint {
                unit.name_th = String::new();
                unit.name_en = String::new();
            }
        }
        let mut counts = vec![0usize; units.len()];

        let manual_by_id: HashMap<i64, usize> =
            manuals.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        let mut manual_points: HashMap<i64, Vec<UnitCode>> = HashMap::default();
        let mut place_counts: HashMap<String, u32> = HashMap::default();
        // Each entry goes to its own allocation at once: versions share entries, and
        // a vector of them first would hold the national table twice while building.
        let mut points: Vec<Arc<PointEntry>> = Vec::with_capacity(service_points.len());
        let mut keys = Vec::with_capacity(service_points.len());
        let mut point_text = TextBuilder::default();
        for sp in service_points {
            let ancestors = chain(unit_by_code.get(&sp.unit).copied(), |c| parents[c]);
            for a in &ancestors {
                counts[*a] += 1;
            }
            let e = entry(sp, ancestors, |a| units[a].kind);
            let name = |ix: Option<usize>| ix.map(|i| units[i].name_th.as_str()).unwrap_or("");
            point_text.add(words(
                &e,
                [name(e.unit), name(e.department), name(e.ministry)],
                &manuals,
                &manual_by_id,
            ));
            for m in &e.point.manuals {
                manual_points.entry(*m).or_default().push(e.point.code);
            }
            *place_counts.entry(place_key(&e.point)).or_default() += 1;
            keys.push(key_of(&e.point.code));
            points.push(Arc::new(e));
        }
        // Most units have no children: they share one empty list.
        let none = Arc::new(Vec::new());
        let entries: Vec<Arc<UnitEntry>> = units
            .into_iter()
            .zip(children)
            .zip(counts)
            .map(|((unit, mut children), service_points)| {
                children.shrink_to_fit();
                Arc::new(UnitEntry {
                    unit,
                    children: if children.is_empty() {
                        none.clone()
                    } else {
                        Arc::new(children)
                    },
                    service_points,
                })
            })
            .collect();
        let spatial = Spatial::build(points.iter().map(|p| p.point.location.unit_vector()));
        let point_by_code = SegMap::from_iter_sized(
            points.len(),
            points
                .iter()
                .enumerate()
                .map(|(i, p)| (p.point.code, i as u32)),
        );
        let manual_points = SegMap::from_iter_sized(
            manual_points.len(),
            manual_points.into_iter().map(|(m, mut codes)| {
                codes.sort_unstable();
                codes.dedup();
                (m, Sorted::from_sorted(&codes))
            }),
        );

        let mut manual_text = TextBuilder::default();
        for m in &manuals {
            manual_text.add(Words::of(&[
                (&m.title_th, 3.0),
                (&m.title_en, 3.0),
                (&m.process_name, 2.0),
                (&m.owning_agency, 1.5),
                (&m.criteria, 0.5),
            ]));
        }
        let holiday_days = holidays.iter().map(|h| h.date).collect();
        Self {
            version,
            unit_by_code: SegMap::from_iter_sized(
                entries.len(),
                unit_by_code.into_iter().map(|(c, i)| (c, i as u32)),
            ),
            units: Slots::from_arcs(entries),
            roots: Arc::new(roots),
            points: Slots::from_arcs(points),
            point_by_code,
            keys: Chunked::from_vec(keys),
            manuals: Arc::new(manuals),
            manual_by_id: Arc::new(manual_by_id),
            manual_points,
            holidays: Arc::new(holidays),
            holiday_days: Arc::new(holiday_days),
            point_text: point_text.finish(),
            manual_text: Arc::new(manual_text.finish()),
            spatial,
            places: Places::of(place_counts),
        }
    }

    pub(crate) fn unit_ix(&self, code: &UnitCode) -> Option<usize> {
        self.unit_by_code.get(code).map(|i| *i as usize)
    }

    pub(crate) fn point_ix(&self, code: &UnitCode) -> Option<usize> {
        self.point_by_code.get(code).map(|i| *i as usize)
    }

    pub(crate) fn parent_ix(&self, i: usize) -> Option<usize> {
        self.units[i]
            .unit
            .parent
            .as_ref()
            .and_then(|p| self.unit_ix(p))
    }

    pub fn unit(&self, code: &str) -> Option<&UnitEntry> {
        self.unit_index(code).map(|i| &self.units[i])
    }

    /// A unit as the public may see it: hidden service points do not exist for them.
    pub fn unit_index(&self, code: &str) -> Option<usize> {
        let code = UnitCode::parse(code).ok()?;
        let i = self.unit_ix(&code)?;
        let hidden = self.units[i].unit.kind == UnitKind::ServicePoint
            && !self.point_by_code.contains_key(&code);
        (!hidden).then_some(i)
    }

    /// A unit's Thai and English names (a service point's come from the point).
    pub fn names<'a>(&'a self, e: &'a UnitEntry) -> (&'a str, &'a str) {
        match self.point_ix(&e.unit.code) {
            Some(i) if e.unit.kind == UnitKind::ServicePoint => {
                (&self.points[i].point.name_th, &self.points[i].point.name_en)
            }
            _ => (&e.unit.name_th, &e.unit.name_en),
        }
    }

    pub fn point(&self, code: &str) -> Option<&PointEntry> {
        let code = UnitCode::parse(code).ok()?;
        self.point_ix(&code).map(|i| &self.points[i])
    }

    pub fn manual(&self, id: i64) -> Option<&Manual> {
        self.manual_by_id.get(&id).map(|i| &self.manuals[*i])
    }

    /// The public service points a manual is pinned to, in code order.
    pub fn manual_points(&self, id: i64) -> impl ExactSizeIterator<Item = &PointEntry> {
        let codes = self.manual_points.get(&id);
        ManualPoints {
            dir: self,
            codes: codes.into_iter().flat_map(|c| c.iter()),
            left: codes.map_or(0, |c| c.len()),
        }
    }

    pub fn holiday_days(&self) -> &HashSet<NaiveDate> {
        &self.holiday_days
    }

    /// The ministries, in code order.
    pub fn roots(&self) -> Vec<&UnitEntry> {
        self.roots.iter().map(|i| &self.units[*i]).collect()
    }

    pub fn children(&self, entry: &UnitEntry) -> Vec<&UnitEntry> {
        let mut c: Vec<_> = entry.children.iter().map(|i| &self.units[*i]).collect();
        c.sort_by_key(|u| u.unit.code);
        c
    }

    /// The chain from the ministry down to this unit; empty for a unit the public does
    /// not see.
    pub fn breadcrumbs(&self, code: &str) -> Vec<&UnitEntry> {
        let mut out: Vec<&UnitEntry> = chain(self.unit_index(code), |c| self.parent_ix(c))
            .into_iter()
            .map(|i| &self.units[i])
            .collect();
        out.reverse();
        out
    }

    /// Provinces and their districts that have public service points, for the
    /// "choose where you are" form shown when location is refused.
    pub fn places(&self) -> &[(String, Vec<String>)] {
        &self.places.list
    }
}

/// The points of a manual: looked up by code as they are listed, counted without
/// looking them up (the list of manuals shows how many points each has).
struct ManualPoints<'a, I> {
    dir: &'a Directory,
    codes: I,
    left: usize,
}

impl<'a, I: Iterator<Item = &'a UnitCode>> Iterator for ManualPoints<'a, I> {
    type Item = &'a PointEntry;

    fn next(&mut self) -> Option<&'a PointEntry> {
        loop {
            let code = self.codes.next()?;
            self.left -= 1;
            // Every code listed is a public point; a miss would be a bug, skipped rather
            // than shown.
            if let Some(i) = self.dir.point_ix(code) {
                return Some(&self.dir.points[i]);
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }

    fn count(self) -> usize {
        self.left
    }
}

impl<'a, I: Iterator<Item = &'a UnitCode>> ExactSizeIterator for ManualPoints<'a, I> {}
