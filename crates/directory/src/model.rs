use chrono::NaiveDate;
use domain::{Holiday, Manual, ServicePoint, Unit, UnitCode, UnitKind};
use rstar::RTree;
use rstar::primitives::GeomWithData;
// Fx hashing: the keys are the directory's own codes and dates, hashed on every page;
// SipHash's resistance to chosen keys buys nothing here.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::text::TextIndex;

/// A unit of the tree with its place in it.
#[derive(Debug, Clone)]
pub struct UnitEntry {
    pub unit: Unit,
    pub children: Vec<usize>,
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
    pub ancestors: Vec<usize>,
}

pub(crate) type Located = GeomWithData<[f64; 3], u32>;

#[derive(Debug, Default)]
pub struct Directory {
    pub version: i64,
    pub units: Vec<UnitEntry>,
    pub(crate) unit_by_code: HashMap<UnitCode, usize>,
    pub points: Vec<PointEntry>,
    pub(crate) point_by_code: HashMap<UnitCode, usize>,
    pub manuals: Vec<Manual>,
    pub(crate) manual_by_id: HashMap<i64, usize>,
    /// Service points (indexes) that each manual is pinned to.
    pub(crate) manual_points: HashMap<i64, Vec<usize>>,
    pub holidays: Vec<Holiday>,
    pub(crate) holiday_days: HashSet<NaiveDate>,
    pub(crate) point_text: TextIndex,
    pub(crate) manual_text: TextIndex,
    pub(crate) rtree: RTree<Located>,
    /// Provinces with their districts that have public service points, sorted.
    places: Vec<(String, Vec<String>)>,
}

impl Directory {
    pub fn build(snapshot: domain::Snapshot) -> Self {
        let domain::Snapshot {
            version,
            units,
            service_points,
            manuals,
            holidays,
        } = snapshot;
        let unit_by_code: HashMap<UnitCode, usize> =
            units.iter().enumerate().map(|(i, u)| (u.code, i)).collect();
        let public: HashSet<&str> = service_points.iter().map(|s| s.code.as_str()).collect();
        let mut entries: Vec<UnitEntry> = units
            .into_iter()
            .map(|unit| UnitEntry {
                unit,
                children: Vec::new(),
                service_points: 0,
            })
            .collect();
        for i in 0..entries.len() {
            let u = &entries[i].unit;
            // Hidden service points stay out of the public tree.
            if u.kind == UnitKind::ServicePoint && !public.contains(u.code.as_str()) {
                continue;
            }
            if let Some(p) = u.parent.as_ref().and_then(|p| unit_by_code.get(p)).copied() {
                entries[p].children.push(i);
            }
        }

        let manual_by_id: HashMap<i64, usize> =
            manuals.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        let mut manual_points: HashMap<i64, Vec<usize>> = HashMap::default();
        let mut points = Vec::with_capacity(service_points.len());
        let mut point_text = TextIndex::default();
        let mut tree_items = Vec::with_capacity(service_points.len());
        for (i, sp) in service_points.into_iter().enumerate() {
            let mut ancestors = Vec::new();
            let mut cursor = unit_by_code.get(&sp.unit).copied();
            while let Some(c) = cursor {
                if ancestors.contains(&c) {
                    break;
                }
                ancestors.push(c);
                cursor = entries[c]
                    .unit
                    .parent
                    .as_ref()
                    .and_then(|p| unit_by_code.get(p))
                    .copied();
            }
            for a in &ancestors {
                entries[*a].service_points += 1;
            }
            let of_kind = |k: UnitKind| {
                ancestors
                    .iter()
                    .copied()
                    .find(|a| entries[*a].unit.kind == k)
            };
            let (unit, department, ministry) = (
                ancestors.first().copied(),
                of_kind(UnitKind::Department),
                of_kind(UnitKind::Ministry),
            );
            let name =
                |ix: Option<usize>| ix.map(|i| entries[i].unit.name_th.as_str()).unwrap_or("");
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
            point_text.add(&[
                (&sp.name_th, 3.0),
                (&sp.name_en, 3.0),
                (name(unit), 2.0),
                (name(department), 1.5),
                (name(ministry), 1.0),
                (&titles, 2.0),
                (&place, 1.5),
                (&sp.description_th, 1.0),
                (&sp.description_en, 1.0),
            ]);
            for m in &sp.manuals {
                manual_points.entry(*m).or_default().push(i);
            }
            tree_items.push(GeomWithData::new(sp.location.unit_vector(), i as u32));
            points.push(PointEntry {
                point: sp,
                unit,
                department,
                ministry,
                ancestors,
            });
        }
        // A service point's unit row repeats the point's names; the point keeps them.
        for p in &points {
            if let Some(&i) = unit_by_code.get(&p.point.code) {
                entries[i].unit.name_th = String::new();
                entries[i].unit.name_en = String::new();
            }
        }
        let point_by_code = points
            .iter()
            .enumerate()
            .map(|(i, p)| (p.point.code, i))
            .collect();

        let mut manual_text = TextIndex::default();
        for m in &manuals {
            manual_text.add(&[
                (&m.title_th, 3.0),
                (&m.title_en, 3.0),
                (&m.process_name, 2.0),
                (&m.owning_agency, 1.5),
                (&m.criteria, 0.5),
            ]);
        }
        point_text.shrink();
        manual_text.shrink();
        let holiday_days = holidays.iter().map(|h| h.date).collect();
        let mut places: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
            Default::default();
        for p in &points {
            places
                .entry(p.point.address.province.as_str())
                .or_default()
                .insert(p.point.address.district.as_str());
        }
        let places = places
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
            .collect();
        Self {
            version,
            units: entries,
            unit_by_code,
            points,
            point_by_code,
            manuals,
            manual_by_id,
            manual_points,
            holidays,
            holiday_days,
            point_text,
            manual_text,
            rtree: RTree::bulk_load(tree_items),
            places,
        }
    }

    pub fn unit(&self, code: &str) -> Option<&UnitEntry> {
        self.unit_index(code).map(|i| &self.units[i])
    }

    /// A unit as the public may see it: hidden service points do not exist for them.
    pub fn unit_index(&self, code: &str) -> Option<usize> {
        let code = UnitCode::parse(code).ok()?;
        let i = *self.unit_by_code.get(&code)?;
        let hidden = self.units[i].unit.kind == UnitKind::ServicePoint
            && !self.point_by_code.contains_key(&code);
        (!hidden).then_some(i)
    }

    /// A unit's Thai and English names (a service point's come from the point).
    pub fn names<'a>(&'a self, e: &'a UnitEntry) -> (&'a str, &'a str) {
        match self.point_by_code.get(&e.unit.code) {
            Some(&i) if e.unit.kind == UnitKind::ServicePoint => {
                (&self.points[i].point.name_th, &self.points[i].point.name_en)
            }
            _ => (&e.unit.name_th, &e.unit.name_en),
        }
    }

    pub fn point(&self, code: &str) -> Option<&PointEntry> {
        let code = UnitCode::parse(code).ok()?;
        self.point_by_code.get(&code).map(|i| &self.points[*i])
    }

    pub fn manual(&self, id: i64) -> Option<&Manual> {
        self.manual_by_id.get(&id).map(|i| &self.manuals[*i])
    }

    /// The public service points a manual is pinned to.
    pub fn manual_points(&self, id: i64) -> impl Iterator<Item = &PointEntry> {
        self.manual_points
            .get(&id)
            .into_iter()
            .flatten()
            .map(|i| &self.points[*i])
    }

    pub fn holiday_days(&self) -> &HashSet<NaiveDate> {
        &self.holiday_days
    }

    /// The ministries, in code order.
    pub fn roots(&self) -> Vec<&UnitEntry> {
        let mut r: Vec<_> = self
            .units
            .iter()
            .filter(|u| u.unit.parent.is_none())
            .collect();
        r.sort_by_key(|u| u.unit.code);
        r
    }

    pub fn children(&self, entry: &UnitEntry) -> Vec<&UnitEntry> {
        let mut c: Vec<_> = entry.children.iter().map(|i| &self.units[*i]).collect();
        c.sort_by_key(|u| u.unit.code);
        c
    }

    /// The chain from the ministry down to this unit.
    pub fn breadcrumbs(&self, code: &str) -> Vec<&UnitEntry> {
        let mut out = Vec::new();
        let mut cursor = UnitCode::parse(code)
            .ok()
            .and_then(|c| self.unit_by_code.get(&c).copied());
        while let Some(c) = cursor {
            if out
                .iter()
                .any(|u: &&UnitEntry| u.unit.code == self.units[c].unit.code)
            {
                break;
            }
            out.push(&self.units[c]);
            cursor = self.units[c]
                .unit
                .parent
                .as_ref()
                .and_then(|p| self.unit_by_code.get(p))
                .copied();
        }
        out.reverse();
        out
    }

    /// Provinces and their districts that have public service points, for the
    /// "choose where you are" form shown when location is refused.
    pub fn places(&self) -> &[(String, Vec<String>)] {
        &self.places
    }
}
