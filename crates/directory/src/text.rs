//! Thai-aware text search. Thai is written without spaces between words, so documents
//! and queries are cut into words by the same dictionary segmenter (ICU); a query word
//! then matches the same word in any document. Latin text is lower-cased, Thai digits
//! become ASCII digits.

use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::persist::{Chunked, SegMap, Sorted};

fn segmenter() -> WordSegmenterBorrowed<'static> {
    static SEG: OnceLock<WordSegmenterBorrowed<'static>> = OnceLock::new();
    *SEG.get_or_init(|| WordSegmenter::new_dictionary(Default::default()))
}

/// Folds the forms a citizen may type: case, Thai digits.
pub fn normalize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '๐'..='๙' => char::from(b'0' + (c as u32 - '๐' as u32) as u8),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of a text, normalised, punctuation and spaces dropped.
pub fn tokens(s: &str) -> Vec<String> {
    let norm = normalize(s);
    let mut out = Vec::new();
    let mut last = 0;
    for b in segmenter().segment_str(&norm) {
        if b > last {
            let w = &norm[last..b];
            if w.chars().any(char::is_alphanumeric) {
                out.push(w.to_string());
            }
        }
        last = b;
    }
    out
}

/// A field weight in halves (0.5 up to 127.5): the precision postings keep.
fn halves(weight: f32) -> u8 {
    (weight * 2.0).round().clamp(0.0, 255.0) as u8
}

/// Documents up to 2^24 (16 million) and weights in halves.
fn pack(doc: u32, halves: u8) -> u32 {
    debug_assert!(doc < 1 << 24);
    (doc << 8) | halves as u32
}

fn unpack(posting: u32) -> (usize, f32) {
    ((posting >> 8) as usize, (posting & 0xff) as f32 / 2.0)
}

/// The words of one document with the weight of the heaviest field each is in, sorted
/// by word: what the index holds for it, so that the same document can be taken out
/// again or compared with its next version without looking at the index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Words(Vec<(String, u8)>);

impl Words {
    /// `fields`: (text, weight) of one document.
    pub fn of(fields: &[(&str, f32)]) -> Self {
        let mut best: HashMap<String, f32> = HashMap::new();
        for (text, weight) in fields {
            for t in tokens(text) {
                let w = best.entry(t).or_insert(0.0);
                *w = w.max(*weight);
            }
        }
        let mut words: Vec<(String, u8)> = best.into_iter().map(|(t, w)| (t, halves(w))).collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self(words)
    }
}

/// A document's place in relevance order as one number: higher scores first, then the
/// caller's key (below 2^44: a 13-digit code fits), then the document (below 2^24).
/// Selecting the best of ten thousand equal scores compares these directly instead of
/// looking up two keys per comparison. Scores are never negative, and the bits of
/// non-negative floats order as the floats do.
pub(crate) fn rank(score: f32, key: u64, doc: u32) -> u128 {
    debug_assert!(score >= 0.0 && key < 1 << 44 && doc < 1 << 24);
    (u128::from(!score.to_bits()) << 96) | (u128::from(key) << 24) | u128::from(doc)
}

thread_local! {
    static RANKED: std::cell::RefCell<Vec<u128>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A per-thread buffer for ranks, empty on entry: a fresh one for every query would be
/// a large allocation each time (a sixth of a text query's time went to the allocator).
pub(crate) fn with_ranked<R>(f: impl FnOnce(&mut Vec<u128>) -> R) -> R {
    RANKED.with_borrow_mut(|ranked| {
        ranked.clear();
        let out = f(ranked);
        ranked.clear();
        out
    })
}

/// The document and score of a [`rank`].
pub(crate) fn unrank(r: u128) -> (u32, f32) {
    ((r & 0xff_ffff) as u32, f32::from_bits(!((r >> 96) as u32)))
}

/// A needle to look for in titles. Thai has no case and normalised Thai needs no folding,
/// so titles are folded (an allocation each) only for needles with Latin letters or
/// digits, such as "OTOP".
struct TitleNeedle<'n> {
    finder: memchr::memmem::Finder<'n>,
    fold: bool,
}

impl<'n> TitleNeedle<'n> {
    fn new(needle: &'n str) -> Self {
        Self {
            finder: memchr::memmem::Finder::new(needle.as_bytes()),
            fold: needle.bytes().any(|b| b.is_ascii_alphanumeric()),
        }
    }

    fn in_any(&self, names: [&str; 2]) -> bool {
        // A needle without Latin letters or digits cannot be in an English name.
        let names = if self.fold { &names[..] } else { &names[..1] };
        names.iter().any(|n| {
            if self.fold
                && n.chars()
                    .any(|c| c.is_uppercase() || ('๐'..='๙').contains(&c))
            {
                self.finder.find(normalize(n).as_bytes()).is_some()
            } else {
                self.finder.find(n.as_bytes()).is_some()
            }
        })
    }
}

/// Per-thread accumulators, reused across queries: fresh ones would be allocated, zeroed
/// and faulted in for every query of a national index.
#[derive(Default)]
struct Scratch {
    scores: Vec<f32>,
    counts: Vec<u8>,
    /// Documents with a non-zero count, to reset and to scan instead of every document.
    touched: Vec<u32>,
}

impl Scratch {
    /// Documents matching the most words, if that is at least `needed`, with their
    /// score, each given to `found`; false if none is.
    fn accumulate(
        &mut self,
        docs: usize,
        lists: &[(&Sorted<u32>, f32)],
        needed: usize,
        mut found: impl FnMut(u32, f32),
    ) -> bool {
        if self.scores.len() < docs {
            self.scores.resize(docs, 0.0);
            self.counts.resize(docs, 0);
        }
        for (list, idf) in lists {
            for block in list.blocks() {
                for posting in block.iter() {
                    let (doc, w) = unpack(*posting);
                    if self.counts[doc] == 0 {
                        self.touched.push(doc as u32);
                    }
                    self.scores[doc] += idf * w;
                    self.counts[doc] = self.counts[doc].saturating_add(1);
                }
            }
        }
        let best = self
            .touched
            .iter()
            .map(|d| self.counts[*d as usize])
            .max()
            .unwrap_or(0);
        let any = (best as usize) >= needed;
        if any {
            for d in &self.touched {
                if self.counts[*d as usize] == best {
                    found(*d, self.scores[*d as usize]);
                }
            }
        }
        for d in self.touched.drain(..) {
            self.scores[d as usize] = 0.0;
            self.counts[d as usize] = 0;
        }
        any
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// How many of the best candidates get the whole-phrase check (in tests, few enough
/// that a small directory has more candidates than that).
const PHRASE_CHECKS: usize = if cfg!(test) { 8 } else { 200 };

/// Collects the postings of a whole set of documents, then packs them into a
/// [`TextIndex`]: growing lists in place is cheaper than a copy-on-write insert each.
#[derive(Default)]
pub struct TextBuilder {
    postings: HashMap<String, Vec<u32>>,
    docs: u32,
}

impl TextBuilder {
    /// Documents get ids in call order.
    pub fn add(&mut self, words: Words) -> u32 {
        let id = self.docs;
        self.docs += 1;
        for (t, w) in words.0 {
            self.postings.entry(t).or_default().push(pack(id, w));
        }
        id
    }

    pub fn finish(self) -> TextIndex {
        let n = self.postings.len();
        let mut lists = Vec::with_capacity(n);
        let mut ids = Vec::with_capacity(n);
        for (i, (word, list)) in self.postings.into_iter().enumerate() {
            lists.push(Arc::new(Sorted::from_sorted(&list)));
            ids.push((word, i as u32));
        }
        TextIndex {
            words: SegMap::from_iter_sized(n, ids),
            lists: Chunked::from_vec(lists),
            docs: self.docs as usize,
        }
    }
}

/// An inverted index from words to the documents (with a field weight) that hold them.
///
/// Versions share it: each word's documents are a [`Sorted`] set in blocks and the
/// words a segmented map, so that changing one document copies a block per word it
/// gained or lost, not the lists of the words that most documents have.
#[derive(Debug, Default, Clone)]
pub struct TextIndex {
    /// Word → its id in `lists`. A word whose documents all went keeps its id and an
    /// empty list, which searches treat as no word.
    words: SegMap<String, u32>,
    /// Per word id, its documents packed as `doc << 8 | weight in halves` (four bytes a
    /// posting instead of eight, for a national index of millions of postings), in
    /// document order.
    lists: Chunked<Arc<Sorted<u32>>>,
    docs: usize,
}

impl TextIndex {
    pub fn len(&self) -> usize {
        self.docs
    }

    pub fn is_empty(&self) -> bool {
        self.docs == 0
    }

    /// Documents are numbered `0..docs`: the caller keeps them dense.
    pub fn set_len(&mut self, docs: usize) {
        self.docs = docs;
    }

    fn list(&self, word: &str) -> Option<&Sorted<u32>> {
        let id = *self.words.get(word)?;
        self.lists
            .get(id as usize)
            .map(|l| &**l)
            .filter(|l| l.len() > 0)
    }

    fn list_mut(&mut self, word: &str) -> &mut Sorted<u32> {
        let id = match self.words.get(word) {
            Some(id) => *id as usize,
            None => {
                let id = self.lists.len();
                self.lists.push(Arc::default());
                self.words.insert(word.to_owned(), id as u32);
                id
            }
        };
        Arc::make_mut(self.lists.get_mut(id))
    }

    fn take_out(&mut self, doc: u32, word: &str) {
        let Some(id) = self.words.get(word).copied() else {
            return;
        };
        let removed =
            Arc::make_mut(self.lists.get_mut(id as usize)).remove_by(|p| (p >> 8).cmp(&doc));
        debug_assert!(removed.is_some(), "document {doc} was not under {word:?}");
    }

    /// Files a document under its words.
    pub fn insert(&mut self, doc: u32, words: &Words) {
        for (t, w) in &words.0 {
            self.list_mut(t).insert(pack(doc, *w));
        }
    }

    /// Takes a document out; `words` are the ones it was filed under.
    pub fn remove(&mut self, doc: u32, words: &Words) {
        for (t, _) in &words.0 {
            self.take_out(doc, t);
        }
    }

    /// Refiles a document whose words changed from `old` to `new`: only the words that
    /// differ (or whose weight does) are touched, so a new phone number touches none.
    pub fn update(&mut self, doc: u32, old: &Words, new: &Words) {
        let (mut a, mut b) = (old.0.iter().peekable(), new.0.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some((t, _)), None) => {
                    self.take_out(doc, t);
                    a.next();
                }
                (None, Some((t, w))) => {
                    self.list_mut(t).insert(pack(doc, *w));
                    b.next();
                }
                (Some((ta, wa)), Some((tb, wb))) => match ta.cmp(tb) {
                    std::cmp::Ordering::Less => {
                        self.take_out(doc, ta);
                        a.next();
                    }
                    std::cmp::Ordering::Greater => {
                        self.list_mut(tb).insert(pack(doc, *wb));
                        b.next();
                    }
                    std::cmp::Ordering::Equal => {
                        if wa != wb {
                            self.take_out(doc, ta);
                            self.list_mut(tb).insert(pack(doc, *wb));
                        }
                        a.next();
                        b.next();
                    }
                },
            }
        }
    }

    /// Documents matching the query with a relevance score. Every query word must
    /// match; for longer queries (three words or more) a document missing a quarter of
    /// them still counts, ranked lower; when no word matches, the query is looked for as
    /// a substring (a part of a word such as "ละมุง").
    /// `title` gives a document's names: the whole query found in them ranks a document
    /// higher, and part-of-a-word queries are looked for there. Titles are read from the
    /// documents themselves rather than copied into the index, which keeps a national
    /// index tens of megabytes smaller.
    /// `key` orders documents of equal score (the caller's stable order, such as
    /// codes), so that which ones get the whole-phrase check does not depend on how the
    /// documents happen to be numbered.
    pub fn search<'t>(
        &self,
        query: &str,
        title: impl Fn(usize) -> [&'t str; 2],
        key: impl Fn(u32) -> u64,
    ) -> Vec<(u32, f32)> {
        let mut ranked = Vec::new();
        self.search_ranked(query, title, key, &mut ranked);
        ranked.into_iter().map(unrank).collect()
    }

    /// [`TextIndex::search`] into `ranked` (empty on entry), each match as its
    /// [`rank`]: the caller selects a page of them with no further lookups, and a
    /// query makes no allocation of its own size.
    pub(crate) fn search_ranked<'t>(
        &self,
        query: &str,
        title: impl Fn(usize) -> [&'t str; 2],
        key: impl Fn(u32) -> u64,
        ranked: &mut Vec<u128>,
    ) {
        let mut words = tokens(query);
        words.sort();
        words.dedup();
        if words.is_empty() {
            return;
        }
        let n = self.len().max(1) as f32;
        let mut lists: Vec<(&Sorted<u32>, f32)> = words
            .iter()
            .filter_map(|w| self.list(w))
            .map(|list| (list, (1.0 + n / list.len() as f32).ln()))
            .collect();
        if lists.is_empty() {
            return self.substring(query, &title, &key, ranked);
        }
        let mut words_len = words.len();
        // Words in most documents ("อำเภอ", "ประชาชน" in every description) say little
        // and cost the most: they are left out when rarer words remain.
        let common = |list: &Sorted<u32>| list.len() * 2 > self.len() && self.len() > 20;
        let common_count = lists.iter().filter(|(l, _)| common(l)).count();
        if common_count < lists.len() {
            lists.retain(|(l, _)| !common(l));
            words_len -= common_count;
        }
        let needed = if words_len >= 3 {
            (words_len * 3).div_ceil(4)
        } else {
            words_len
        };
        let found = SCRATCH.with_borrow_mut(|scratch| {
            scratch.accumulate(self.len(), &lists, needed, |d, s| {
                ranked.push(rank(s, key(d), d))
            })
        });
        if !found {
            return self.substring(query, &title, &key, ranked);
        }
        // A document whose title holds the query as typed, in one piece, ranks higher.
        // Only the best-scoring candidates are checked: Thai UTF-8 repeats the same lead
        // bytes, which makes substring search slow, and a title holding the whole query
        // also holds its words, so it is among them.
        let phrase = normalize(query.trim());
        let needle = TitleNeedle::new(&phrase);
        let checked = ranked.len().min(PHRASE_CHECKS);
        if checked < ranked.len() {
            ranked.select_nth_unstable(checked);
        }
        for r in &mut ranked[..checked] {
            let (doc, score) = unrank(*r);
            if needle.in_any(title(doc as usize)) {
                *r = rank(score * 1.5, key(doc), doc);
            }
        }
    }

    fn substring<'t>(
        &self,
        query: &str,
        title: &impl Fn(usize) -> [&'t str; 2],
        key: &impl Fn(u32) -> u64,
        ranked: &mut Vec<u128>,
    ) {
        let needle = normalize(query.trim());
        if needle.chars().count() < 2 {
            return;
        }
        let needle = TitleNeedle::new(&needle);
        ranked.extend(
            (0..self.docs as u32)
                .filter(|d| needle.in_any(title(*d as usize)))
                .map(|d| rank(0.5, key(d), d)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_without_spaces_is_cut_into_words() {
        let t = tokens("สำนักงานพัฒนาชุมชนอำเภอบางละมุง");
        assert!(t.len() >= 4, "{t:?}");
        assert!(
            t.contains(&"พัฒนา".to_string()) || t.contains(&"พัฒนาชุมชน".to_string()),
            "{t:?}"
        );
        assert_eq!(t.concat(), "สำนักงานพัฒนาชุมชนอำเภอบางละมุง");
    }

    #[test]
    fn latin_is_folded_and_punctuation_dropped() {
        assert_eq!(tokens("OTOP, (หนึ่ง) ๒๕๖๓"), vec!["otop", "หนึ่ง", "2563"]);
    }

    const DOCS: [(&str, &str); 3] = [
        ("สำนักงานพัฒนาชุมชนอำเภอบางละมุง", "ลงทะเบียนผู้ผลิต OTOP"),
        ("สำนักทะเบียนอำเภอบางละมุง", "ทำบัตรประจำตัวประชาชน ทะเบียนบ้าน"),
        ("โรงพยาบาลชลบุรี", "ตรวจรักษาผู้ป่วยนอก"),
    ];

    struct Ix(TextIndex);

    impl Ix {
        fn search(&self, q: &str) -> Vec<(u32, f32)> {
            self.0.search(q, |d| [DOCS[d].0, ""], u64::from)
        }
    }

    fn words(d: usize) -> Words {
        Words::of(&[(DOCS[d].0, 3.0), (DOCS[d].1, 1.0)])
    }

    fn index() -> Ix {
        let mut ix = TextBuilder::default();
        for d in 0..DOCS.len() {
            ix.add(words(d));
        }
        Ix(ix.finish())
    }

    fn ids(mut hits: Vec<(u32, f32)>) -> Vec<u32> {
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.into_iter().map(|h| h.0).collect()
    }

    #[test]
    fn finds_thai_words_inside_unspaced_text() {
        let ix = index();
        assert_eq!(ids(ix.search("พัฒนาชุมชน")), vec![0]);
        assert_eq!(ids(ix.search("otop")), vec![0]);
        assert_eq!(ids(ix.search("ทำบัตรประชาชน")), vec![1]);
        assert_eq!(ids(ix.search("บางละมุง")).len(), 2);
        assert_eq!(ids(ix.search("โรงพยาบาล")), vec![2]);
        assert!(ix.search("ไปรษณีย์").is_empty());
        assert!(ix.search("ไม่มีคำนี้ในระบบแน่นอน").is_empty());
        // Three words of four are enough for a longer query.
        assert_eq!(ids(ix.search("ตรวจรักษาผู้ป่วยนอกเวลา")), vec![2]);
    }

    #[test]
    fn ranks_order_by_score_then_key() {
        let mut r = vec![
            rank(1.5, 7, 3),
            rank(2.0, 9, 1),
            rank(1.5, 2, 8),
            rank(0.0, 0, 0),
        ];
        r.sort_unstable();
        let order: Vec<(u32, f32)> = r.into_iter().map(unrank).collect();
        assert_eq!(order, vec![(1, 2.0), (8, 1.5), (3, 1.5), (0, 0.0)]);
        assert_eq!(
            unrank(rank(3.25, (1 << 44) - 1, (1 << 24) - 1)),
            ((1 << 24) - 1, 3.25)
        );
    }

    #[test]
    fn postings_pack_documents_and_weights() {
        assert_eq!(unpack(pack(80_000, halves(1.5))), (80_000, 1.5));
        assert_eq!(unpack(pack(0, halves(3.0))), (0, 3.0));
    }

    #[test]
    fn documents_change_in_place_and_old_versions_stay() {
        let before = index();
        // Document 1 takes document 2's words and document 2 goes: as when the last
        // document moves into a removed one's place.
        let mut after = before.0.clone();
        after.update(1, &words(1), &words(2));
        after.remove(2, &words(2));
        after.set_len(2);
        let mut fresh = TextBuilder::default();
        fresh.add(words(0));
        fresh.add(words(2));
        let fresh = fresh.finish();
        let title = |d: usize| [DOCS[[0, 2][d]].0, ""];
        for q in [
            "otop",
            "พัฒนาชุมชน",
            "บางละมุง",
            "ละมุง",
            "โรงพยาบาล",
            "ทำบัตรประชาชน",
        ] {
            assert_eq!(
                after.search(q, title, u64::from),
                fresh.search(q, title, u64::from),
                "{q}"
            );
        }
        assert!(after.search("ทำบัตรประชาชน", title, u64::from).is_empty());
        assert_eq!(ids(after.search("โรงพยาบาล", title, u64::from)), vec![1]);
        // The version before is untouched.
        assert_eq!(ids(before.search("ทำบัตรประชาชน")), vec![1]);
        assert_eq!(ids(before.search("โรงพยาบาล")), vec![2]);
    }

    #[test]
    fn falls_back_to_a_substring() {
        assert_eq!(ids(index().search("ละมุง")), vec![0, 1]);
    }
}
