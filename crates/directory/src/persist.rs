//! Copy-on-write building blocks of the read model. Each version of the directory is a
//! value that readers keep for as long as they need it; the next version shares every
//! chunk it did not change with the one before, so an edit to one service point copies
//! a few chunks of a few kilobytes, not the national tables.
//!
//! The chunks are `Arc`s: a chunk that only one version holds is changed in place
//! (`Arc::make_mut`), one that an older version still holds is copied first.

use rustc_hash::FxHashMap;
use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

/// Elements per chunk of a [`Chunked`]: a changed element copies its chunk (256 pointers
/// or numbers, 2 KB) and the spine (one pointer per chunk, 313 of them for 80,000).
/// Tests use tiny chunks, so that a few hundred points span many of them.
const CHUNK_BITS: u32 = if cfg!(test) { 2 } else { 8 };
const CHUNK: usize = 1 << CHUNK_BITS;

/// A vector in chunks shared between versions.
#[derive(Clone)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Chunked<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> Chunked<T> {
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }
}

impl<T: Clone> Chunked<T> {
    pub(crate) fn from_vec(items: Vec<T>) -> Self {
        let len = items.len();
        let mut chunks = Vec::with_capacity(len.div_ceil(CHUNK));
        let mut items = items.into_iter();
        loop {
            let chunk: Vec<T> = items.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            chunks.push(Arc::new(chunk));
        }
        Self { chunks, len }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        (i < self.len).then(|| &self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)])
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> &mut T {
        assert!(i < self.len, "index {i} out of {}", self.len);
        &mut Arc::make_mut(&mut self.chunks[i >> CHUNK_BITS])[i & (CHUNK - 1)]
    }

    pub(crate) fn set(&mut self, i: usize, value: T) {
        *self.get_mut(i) = value;
    }

    pub(crate) fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => Arc::make_mut(last).push(value),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(value);
                self.chunks.push(Arc::new(chunk));
            }
        }
        self.len += 1;
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        let last = self.chunks.last_mut()?;
        let value = Arc::make_mut(last).pop();
        if last.is_empty() {
            self.chunks.pop();
        }
        self.len -= 1;
        value
    }
}

/// The entries of a table that versions share: a [`Chunked`] of `Arc`s, so that
/// replacing one entry copies pointers, never the other entries.
/// Indexing, `len` and `iter` read like a `Vec`'s.
pub struct Slots<T>(Chunked<Arc<T>>);

impl<T> Clone for Slots<T> {
    fn clone(&self) -> Self {
        Self(Chunked {
            chunks: self.0.chunks.clone(),
            len: self.0.len,
        })
    }
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Self(Chunked::default())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Slots<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> Slots<T> {
    pub fn len(&self) -> usize {
        self.0.len
    }

    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        (i < self.0.len).then(|| &*self.0.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)])
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.0.chunks.iter().flat_map(|c| c.iter().map(|e| &**e))
    }

    pub(crate) fn from_arcs(items: Vec<Arc<T>>) -> Self {
        Self(Chunked::from_vec(items))
    }

    pub(crate) fn shared(&self, i: usize) -> Arc<T> {
        self.0.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)].clone()
    }

    pub(crate) fn set(&mut self, i: usize, value: Arc<T>) {
        self.0.set(i, value);
    }

    pub(crate) fn push(&mut self, value: Arc<T>) {
        self.0.push(value);
    }

    pub(crate) fn pop(&mut self) -> Option<Arc<T>> {
        self.0.pop()
    }
}

impl<T: Clone> Slots<T> {
    /// The entry to change in this version: copied first when an older version has it.
    pub(crate) fn make_mut(&mut self, i: usize) -> &mut T {
        Arc::make_mut(self.0.get_mut(i))
    }
}

impl<T> std::ops::Index<usize> for Slots<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        assert!(i < self.0.len, "index {i} out of {}", self.0.len);
        &self.0.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

/// Elements per block of a [`Sorted`]; a block grows to twice this before it splits.
const BLOCK: usize = if cfg!(test) { 4 } else { 256 };

/// A sorted set in blocks shared between versions: the documents of a word, the service
/// points of a manual. Adding or removing one element copies one block (at most 2 KB of
/// elements) and the list of blocks, whatever the length.
#[derive(Clone, Debug)]
pub(crate) struct Sorted<T> {
    blocks: Vec<Arc<[T]>>,
    len: usize,
}

impl<T> Default for Sorted<T> {
    fn default() -> Self {
        Self {
            blocks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Copy + Ord> Sorted<T> {
    /// From elements already sorted and without duplicates.
    pub(crate) fn from_sorted(items: &[T]) -> Self {
        debug_assert!(items.windows(2).all(|w| w[0] < w[1]));
        Self {
            blocks: items.chunks(BLOCK).map(Arc::from).collect(),
            len: items.len(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.blocks.iter().flat_map(|b| b.iter())
    }

    pub(crate) fn blocks(&self) -> &[Arc<[T]>] {
        &self.blocks
    }

    /// The block where an element ordered by `cmp` (its order against the element looked
    /// for) is or would go: the first whose last element is not before it, else the last.
    fn block_for(&self, cmp: &impl Fn(&T) -> std::cmp::Ordering) -> usize {
        let i = self.blocks.partition_point(|b| {
            b.last()
                .is_some_and(|last| cmp(last) == std::cmp::Ordering::Less)
        });
        i.min(self.blocks.len().saturating_sub(1))
    }

    /// Adds an element; false if it was there.
    pub(crate) fn insert(&mut self, item: T) -> bool {
        if self.blocks.is_empty() {
            self.blocks.push(Arc::from([item].as_slice()));
            self.len = 1;
            return true;
        }
        let b = self.block_for(&|x: &T| x.cmp(&item));
        let block = &self.blocks[b];
        let Err(at) = block.binary_search(&item) else {
            return false;
        };
        let mut items = Vec::with_capacity(block.len() + 1);
        items.extend_from_slice(&block[..at]);
        items.push(item);
        items.extend_from_slice(&block[at..]);
        if items.len() > 2 * BLOCK {
            let (a, z) = items.split_at(items.len() / 2);
            self.blocks[b] = Arc::from(a);
            self.blocks.insert(b + 1, Arc::from(z));
        } else {
            self.blocks[b] = Arc::from(items);
        }
        self.len += 1;
        true
    }

    /// Removes the element that `cmp` finds (its order against the element looked for),
    /// and returns it.
    pub(crate) fn remove_by(&mut self, cmp: impl Fn(&T) -> std::cmp::Ordering) -> Option<T> {
        if self.blocks.is_empty() {
            return None;
        }
        let b = self.block_for(&cmp);
        let block = &self.blocks[b];
        let at = block.binary_search_by(&cmp).ok()?;
        let item = block[at];
        if block.len() == 1 {
            self.blocks.remove(b);
        } else {
            let mut items = Vec::with_capacity(block.len() - 1);
            items.extend_from_slice(&block[..at]);
            items.extend_from_slice(&block[at + 1..]);
            self.blocks[b] = Arc::from(items);
        }
        self.len -= 1;
        Some(item)
    }

    pub(crate) fn remove(&mut self, item: &T) -> bool {
        self.remove_by(|x| x.cmp(item)).is_some()
    }
}

/// A hash map in segments shared between versions: a change copies one segment (a few
/// hundred entries) and the list of segments. The segment is chosen by bits of the hash
/// that the segment's own table does not use for its buckets or its tags.
#[derive(Clone)]
pub(crate) struct SegMap<K, V> {
    segments: Vec<Arc<FxHashMap<K, V>>>,
    len: usize,
}

impl<K, V> Default for SegMap<K, V> {
    fn default() -> Self {
        Self {
            segments: vec![Arc::new(FxHashMap::default())],
            len: 0,
        }
    }
}

impl<K: std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for SegMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.segments.iter().flat_map(|s| s.iter()))
            .finish()
    }
}

/// Entries a segment is sized for.
const SEGMENT: usize = if cfg!(test) { 8 } else { 256 };

fn segment_of<Q: Hash + ?Sized>(key: &Q, segments: usize) -> usize {
    let h = rustc_hash::FxBuildHasher.hash_one(key);
    (h >> 40) as usize & (segments - 1)
}

impl<K: Hash + Eq + Clone, V: Clone> SegMap<K, V> {
    /// Sized for `entries` (and some growth): segments are never split later, so a map
    /// that grows far beyond this has larger segments, which is only slower to change.
    pub(crate) fn from_iter_sized(entries: usize, items: impl IntoIterator<Item = (K, V)>) -> Self {
        let n = (entries / SEGMENT).max(1).next_power_of_two();
        let mut segments: Vec<FxHashMap<K, V>> = (0..n).map(|_| FxHashMap::default()).collect();
        let mut len = 0;
        for (k, v) in items {
            if segments[segment_of(&k, n)].insert(k, v).is_none() {
                len += 1;
            }
        }
        Self {
            segments: segments
                .into_iter()
                .map(|mut s| {
                    s.shrink_to_fit();
                    Arc::new(s)
                })
                .collect(),
            len,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.segments[segment_of(key, self.segments.len())].get(key)
    }

    pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key).is_some()
    }

    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let s = segment_of(key, self.segments.len());
        if !self.segments[s].contains_key(key) {
            return None;
        }
        Arc::make_mut(&mut self.segments[s]).get_mut(key)
    }

    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let s = segment_of(&key, self.segments.len());
        let old = Arc::make_mut(&mut self.segments[s]).insert(key, value);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let s = segment_of(key, self.segments.len());
        if !self.segments[s].contains_key(key) {
            return None;
        }
        let old = Arc::make_mut(&mut self.segments[s]).remove(key);
        self.len -= 1;
        old
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.segments.iter().flat_map(|s| s.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_versions_do_not_see_each_others_changes() {
        let a = Chunked::from_vec((0..1000u32).collect());
        let mut b = a.clone();
        b.set(3, 99);
        b.push(1000);
        assert_eq!(a.get(3), Some(&3));
        assert_eq!(b.get(3), Some(&99));
        assert_eq!((a.len(), b.len()), (1000, 1001));
        assert_eq!(b.get(1000), Some(&1000));
        for _ in 0..1001 {
            b.pop();
        }
        assert_eq!(b.len(), 0);
        assert!(b.chunks.is_empty());
        assert_eq!(a.iter().copied().sum::<u32>(), (0..1000u32).sum::<u32>());
        // Unchanged chunks are shared, not copied.
        let mut c = a.clone();
        c.set(999, 0);
        let last = 999 >> CHUNK_BITS;
        assert!(Arc::ptr_eq(&a.chunks[0], &c.chunks[0]));
        assert!(!Arc::ptr_eq(&a.chunks[last], &c.chunks[last]));
    }

    #[test]
    fn sorted_sets_split_and_stay_sorted() {
        let base: Vec<u32> = (0..2000).map(|i| i * 2).collect();
        let a = Sorted::from_sorted(&base);
        let mut b = a.clone();
        let mut reference: std::collections::BTreeSet<u32> = base.iter().copied().collect();
        let mut x = 7u32;
        for _ in 0..5000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345) % 6000;
            if x.is_multiple_of(3) {
                assert_eq!(b.remove(&x), reference.remove(&x));
            } else {
                assert_eq!(b.insert(x), reference.insert(x));
            }
            assert_eq!(b.len(), reference.len());
        }
        assert!(b.iter().copied().eq(reference.iter().copied()));
        assert!(
            b.blocks
                .iter()
                .all(|blk| !blk.is_empty() && blk.len() <= 2 * BLOCK)
        );
        assert!(a.iter().copied().eq(base.iter().copied()));
        assert_eq!(b.remove_by(|v| v.cmp(&100_000)), None);
    }

    #[test]
    fn segmented_maps_copy_one_segment() {
        let a: SegMap<u64, u64> = SegMap::from_iter_sized(10_000, (0..10_000).map(|i| (i, i)));
        assert_eq!(a.len(), 10_000);
        let mut b = a.clone();
        b.insert(5, 50);
        b.remove(&6);
        b.insert(20_000, 1);
        assert_eq!((a.get(&5), b.get(&5)), (Some(&5), Some(&50)));
        assert_eq!((a.get(&6), b.get(&6)), (Some(&6), None));
        assert_eq!(b.len(), 10_000);
        let shared = a
            .segments
            .iter()
            .zip(&b.segments)
            .filter(|(x, y)| Arc::ptr_eq(x, y))
            .count();
        assert!(
            shared + 3 >= a.segments.len() && a.segments.len() > 8,
            "{shared}"
        );
        let strings: SegMap<String, u32> = SegMap::from_iter_sized(1, [("a".to_owned(), 1)]);
        assert_eq!(strings.get("a"), Some(&1));
    }
}
