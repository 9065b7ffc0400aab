//! The spatial index of the service points: an R-tree shared between versions, plus the
//! slots that changed since it was built. rstar's tree cannot be changed without
//! copying it, so an edit marks the slot's entry in the tree as stale and keeps the
//! slot's new place beside the tree; a nearest-first walk merges the two. When the
//! changes since the tree reach [`MAX_CHANGED`], the next version builds a new tree
//! (bulk loading 80,000 points takes tens of milliseconds, once per that many edits).

use rstar::primitives::GeomWithData;
use rstar::{PointDistance, RTree};
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

pub(crate) type Located = GeomWithData<[f64; 3], u32>;

/// Changed slots after which the tree is rebuilt. Every nearest-first walk looks at all
/// of them; at 1,024 that costs a few microseconds against a quarter of a millisecond
/// for the walk.
pub(crate) const MAX_CHANGED: usize = if cfg!(test) { 24 } else { 1024 };

#[derive(Debug, Clone, Default)]
pub(crate) struct Spatial {
    tree: Arc<RTree<Located>>,
    /// Slots the tree was built with.
    tree_len: u32,
    /// Slots whose entry in the tree no longer holds: changed, moved or gone.
    stale: FxHashSet<u32>,
    /// Where the point of each changed or new slot is now.
    changed: FxHashMap<u32, [f64; 3]>,
}

/// Distances compared as numbers, for the heap of changed points.
#[derive(PartialEq)]
struct Distance(f64, u32);

impl Eq for Distance {}

impl PartialOrd for Distance {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Distance {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl Spatial {
    /// Slot `i` at the `i`-th place.
    pub(crate) fn build(places: impl Iterator<Item = [f64; 3]>) -> Self {
        let items: Vec<Located> = places
            .enumerate()
            .map(|(i, p)| GeomWithData::new(p, i as u32))
            .collect();
        Self {
            tree_len: items.len() as u32,
            tree: Arc::new(RTree::bulk_load(items)),
            stale: FxHashSet::default(),
            changed: FxHashMap::default(),
        }
    }

    /// Slot `slot` holds a point at `at` (a changed point, or another point moved there).
    pub(crate) fn set(&mut self, slot: u32, at: [f64; 3]) {
        if slot < self.tree_len {
            self.stale.insert(slot);
        }
        self.changed.insert(slot, at);
    }

    /// Slot `slot` no longer exists.
    pub(crate) fn clear(&mut self, slot: u32) {
        if slot < self.tree_len {
            self.stale.insert(slot);
        }
        self.changed.remove(&slot);
    }

    #[cfg(test)]
    pub(crate) fn tree_ptr(&self) -> *const RTree<Located> {
        Arc::as_ptr(&self.tree)
    }

    pub(crate) fn needs_rebuild(&self) -> bool {
        self.stale.len() + self.changed.len() > MAX_CHANGED
    }

    /// Slots nearest first with their squared chord distance. Points at exactly the
    /// same distance come in the order of `key`, as the tree's own order among them
    /// depends on how it was built, and a version updated in place must list the
    /// same as one built afresh.
    pub(crate) fn nearest<'a>(
        &'a self,
        here: [f64; 3],
        key: impl Fn(u32) -> u64 + 'a,
    ) -> impl Iterator<Item = (u32, f64)> + 'a {
        let mut tree = self
            .tree
            .nearest_neighbor_iter_with_distance_2(here)
            .filter(|(item, _)| !self.stale.contains(&item.data))
            .map(|(item, d2)| (item.data, d2))
            .peekable();
        // The same distance function as the tree's walk, so that a changed point and an
        // unchanged one at the same place tie exactly.
        let mut changed: BinaryHeap<Reverse<Distance>> = self
            .changed
            .iter()
            .map(|(slot, at)| Reverse(Distance(at.distance_2(&here), *slot)))
            .collect();
        let mut group: Vec<(u64, u32, f64)> = Vec::new();
        let mut next = 0;
        std::iter::from_fn(move || {
            if next == group.len() {
                group.clear();
                next = 0;
                let d = match (tree.peek(), changed.peek()) {
                    (None, None) => return None,
                    (Some(t), None) => t.1,
                    (None, Some(Reverse(c))) => c.0,
                    (Some(t), Some(Reverse(c))) => t.1.min(c.0),
                };
                while let Some((slot, d2)) = tree.next_if(|t| t.1 == d) {
                    group.push((key(slot), slot, d2));
                }
                while changed.peek().is_some_and(|Reverse(c)| c.0 == d) {
                    let Some(Reverse(Distance(d2, slot))) = changed.pop() else {
                        break;
                    };
                    group.push((key(slot), slot, d2));
                }
                if group.len() > 1 {
                    group.sort_unstable_by_key(|g| g.0);
                }
            }
            let (_, slot, d2) = group[next];
            next += 1;
            Some((slot, d2))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f64) -> [f64; 3] {
        [x, 0.0, 0.0]
    }

    #[test]
    fn changed_slots_are_merged_into_the_walk() {
        let base = Spatial::build([1.0, 2.0, 3.0, 4.0].into_iter().map(at));
        let mut s = base.clone();
        s.set(1, at(10.0)); // moved far away
        s.set(4, at(2.5)); // a new slot
        s.clear(3); // gone
        let key = |slot: u32| u64::from(slot);
        let order: Vec<u32> = s.nearest(at(0.0), key).map(|(slot, _)| slot).collect();
        assert_eq!(order, vec![0, 4, 2, 1]);
        let order: Vec<u32> = base.nearest(at(0.0), key).map(|(slot, _)| slot).collect();
        assert_eq!(order, vec![0, 1, 2, 3]);
        assert!(!s.needs_rebuild());
    }

    #[test]
    fn ties_come_in_key_order_whichever_side_holds_them() {
        let mut s = Spatial::build([5.0, 5.0, 1.0].into_iter().map(at));
        s.set(3, at(5.0));
        s.set(0, at(5.0));
        // Keys reverse the slots.
        let key = |slot: u32| 10 - u64::from(slot);
        let order: Vec<u32> = s.nearest(at(0.0), key).map(|(slot, _)| slot).collect();
        assert_eq!(order, vec![2, 3, 1, 0]);
    }
}
