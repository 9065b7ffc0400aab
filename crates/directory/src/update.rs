//! Deriving the next version of the directory from the one before and the service
//! points that changed, instead of rebuilding it from a snapshot of everything.
//!
//! `apply` works on a copy of the directory that shares every chunk of every table
//! with the original (see `persist.rs`): the copy costs a few thousand pointer copies,
//! and each change then rewrites only what its point touches: its slot, its code in
//! two maps, the postings of the words it gained or lost, the counts of its ancestors,
//! its parent's children, its manuals and its district, and its place in the spatial
//! index's list of changed slots. The words of a point are recomputed from the point
//! both before and after (cutting two documents into words), which is what lets the
//! text index drop exactly the postings the old version added without keeping a copy
//! of every document's words. Removing a point moves the last slot into its place, so
//! that slots stay dense (they are the documents of the text index).
//!
//! Units themselves (ministries, departments, units) do not change through this path;
//! a point under a unit the directory does not know is refused, and the caller
//! rebuilds.

use domain::{ServicePoint, UnitCode, UnitKind};
use std::sync::Arc;

use crate::model::{Directory, PointEntry, UnitEntry, chain, entry, key_of, words};
use crate::text::Words;

/// One changed service point.
// Almost every change is an upsert, and the point moves on into the directory: boxing
// it would add an allocation per change to save the space of a short list.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Change {
    /// The point as it now is, public (new, changed, or public again).
    Upsert(ServicePoint),
    /// The point is no longer public: hidden, archived or deleted. Unknown codes are
    /// ignored.
    Remove(UnitCode),
}

/// Why a change cannot be applied in place; the caller rebuilds from a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyError {
    /// The point's running unit is not in the directory (a unit made since it was built).
    UnknownUnit { point: UnitCode, unit: UnitCode },
    /// The code is a unit's that is not a service point.
    NotAServicePoint(UnitCode),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownUnit { point, unit } => {
                write!(
                    f,
                    "service point {point} is under unit {unit}, which the directory does not have"
                )
            }
            Self::NotAServicePoint(code) => write!(f, "{code} is a unit, not a service point"),
        }
    }
}

impl std::error::Error for ApplyError {}

impl Directory {
    /// The next version: this one with `changes` applied in order, at `version`. `self`
    /// is left as it was, for the readers that still hold it. Gives the same answers to
    /// every query as [`Directory::build`] of the snapshot with those changes.
    pub fn apply(
        &self,
        version: i64,
        changes: impl IntoIterator<Item = Change>,
    ) -> Result<Directory, ApplyError> {
        let mut next = self.clone();
        next.version = version;
        for change in changes {
            match change {
                Change::Upsert(sp) => next.upsert(sp)?,
                Change::Remove(code) => next.remove(&code),
            }
        }
        if next.spatial.needs_rebuild() {
            next.spatial = crate::spatial::Spatial::build(
                next.points.iter().map(|p| p.point.location.unit_vector()),
            );
        }
        Ok(next)
    }

    fn words_of(&self, e: &PointEntry) -> Words {
        let name = |ix: Option<usize>| {
            ix.map(|i| self.units[i].unit.name_th.as_str())
                .unwrap_or("")
        };
        words(
            e,
            [name(e.unit), name(e.department), name(e.ministry)],
            &self.manuals,
            &self.manual_by_id,
        )
    }

    fn upsert(&mut self, sp: ServicePoint) -> Result<(), ApplyError> {
        let parent = self.unit_ix(&sp.unit).ok_or(ApplyError::UnknownUnit {
            point: sp.code,
            unit: sp.unit,
        })?;
        let own = match self.unit_ix(&sp.code) {
            Some(u) if self.units[u].unit.kind != UnitKind::ServicePoint => {
                return Err(ApplyError::NotAServicePoint(sp.code));
            }
            Some(u) => u,
            // A point staff just made: its unit row is new too.
            None => {
                let u = self.units.len();
                self.units.push(Arc::new(UnitEntry {
                    unit: domain::Unit {
                        code: sp.code,
                        kind: UnitKind::ServicePoint,
                        parent: Some(sp.unit),
                        name_th: String::new(),
                        name_en: String::new(),
                    },
                    children: Arc::default(),
                    service_points: 0,
                }));
                self.unit_by_code.insert(sp.code, u as u32);
                u
            }
        };
        let slot = self.point_ix(&sp.code);
        let old = slot.map(|s| self.points.shared(s));
        if let Some(old) = &old {
            self.unlink(old, own);
        }
        if self.units[own].unit.parent != Some(sp.unit) {
            self.units.make_mut(own).unit.parent = Some(sp.unit);
        }
        let ancestors = chain(Some(parent), |c| self.parent_ix(c));
        let e = Arc::new(entry(sp, ancestors, |a| self.units[a].unit.kind));
        let new_words = self.words_of(&e);
        // A point edited where it stands keeps its entry in the spatial index.
        let same_place = old
            .as_ref()
            .is_some_and(|o| o.point.location.unit_vector() == e.point.location.unit_vector());
        let slot = match (slot, &old) {
            (Some(s), Some(old)) => {
                let old_words = self.words_of(old);
                self.point_text.update(s as u32, &old_words, &new_words);
                s
            }
            _ => {
                let s = self.points.len();
                self.points.push(e.clone());
                self.keys.push(0);
                self.point_text.set_len(s + 1);
                self.point_text.insert(s as u32, &new_words);
                s
            }
        };
        self.link(slot, &e, own, parent, !same_place);
        self.points.set(slot, e);
        Ok(())
    }

    fn remove(&mut self, code: &UnitCode) {
        let Some(s) = self.point_ix(code) else {
            return;
        };
        let old = self.points.shared(s);
        if let Some(own) = self.unit_ix(code) {
            self.unlink(&old, own);
        }
        let old_words = self.words_of(&old);
        self.point_text.remove(s as u32, &old_words);
        self.point_by_code.remove(code);
        let last = self.points.len() - 1;
        if s != last {
            let moved = self.points.shared(last);
            let moved_words = self.words_of(&moved);
            self.point_text.remove(last as u32, &moved_words);
            self.point_text.insert(s as u32, &moved_words);
            self.keys.set(s, key_of(&moved.point.code));
            self.spatial
                .set(s as u32, moved.point.location.unit_vector());
            self.point_by_code.insert(moved.point.code, s as u32);
            self.points.set(s, moved);
        }
        self.points.pop();
        self.keys.pop();
        self.spatial.clear(last as u32);
        self.point_text.set_len(last);
    }

    /// Counts, tree, places, manuals and indexes take in the point at `slot`.
    fn link(&mut self, slot: usize, e: &PointEntry, own: usize, parent: usize, placed: bool) {
        for a in e.ancestors.iter() {
            self.units.make_mut(*a as usize).service_points += 1;
        }
        let children = &mut self.units.make_mut(parent).children;
        if !children.contains(&own) {
            Arc::make_mut(children).push(own);
        }
        self.places.add(&e.point);
        for m in &e.point.manuals {
            match self.manual_points.get_mut(m) {
                Some(codes) => {
                    codes.insert(e.point.code);
                }
                None => {
                    self.manual_points
                        .insert(*m, crate::persist::Sorted::from_sorted(&[e.point.code]));
                }
            }
        }
        if placed {
            self.spatial
                .set(slot as u32, e.point.location.unit_vector());
        }
        self.keys.set(slot, key_of(&e.point.code));
        self.point_by_code.insert(e.point.code, slot as u32);
    }

    /// Counts, tree, places and manuals let go of a point that was public; its slot and
    /// words are the caller's.
    fn unlink(&mut self, e: &PointEntry, own: usize) {
        for a in e.ancestors.iter() {
            self.units.make_mut(*a as usize).service_points -= 1;
        }
        if let Some(parent) = self.unit_ix(&e.point.unit)
            && self.units[parent].children.contains(&own)
        {
            Arc::make_mut(&mut self.units.make_mut(parent).children).retain(|c| *c != own);
        }
        self.places.remove(&e.point);
        for m in &e.point.manuals {
            if let Some(codes) = self.manual_points.get_mut(m) {
                codes.remove(&e.point.code);
                if codes.len() == 0 {
                    self.manual_points.remove(m);
                }
            }
        }
    }
}
