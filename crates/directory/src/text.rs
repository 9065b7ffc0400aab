//! Thai-aware text search. Thai is written without spaces between words, so documents
//! and queries are cut into words by the same dictionary segmenter (ICU); a query word
//! then matches the same word in any document. Latin text is lower-cased, Thai digits
//! become ASCII digits.

use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use std::collections::HashMap;
use std::sync::OnceLock;

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

/// An inverted index from words to the documents (with a field weight) that hold them.
#[derive(Debug, Default)]
pub struct TextIndex {
    postings: HashMap<String, Vec<(u32, f32)>>,
    /// Normalised text of each document, for the substring fallback.
    haystacks: Vec<String>,
}

impl TextIndex {
    /// `fields`: (text, weight) of one document; documents get ids in call order.
    pub fn add(&mut self, fields: &[(&str, f32)]) -> u32 {
        let id = self.haystacks.len() as u32;
        let mut best: HashMap<String, f32> = HashMap::new();
        let mut hay = String::new();
        for (text, weight) in fields {
            for t in tokens(text) {
                let w = best.entry(t).or_insert(0.0);
                *w = w.max(*weight);
            }
            hay.push_str(&normalize(text));
            hay.push('\n');
        }
        for (t, w) in best {
            self.postings.entry(t).or_default().push((id, w));
        }
        self.haystacks.push(hay);
        id
    }

    pub fn len(&self) -> usize {
        self.haystacks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.haystacks.is_empty()
    }

    /// Documents matching the query with a relevance score. Every query word must
    /// match; for longer queries (three words or more) a document missing a quarter of
    /// them still counts, ranked lower; when no word matches, the query is looked for as
    /// a substring (a part of a word such as "ละมุง").
    pub fn search(&self, query: &str) -> Vec<(u32, f32)> {
        let mut words = tokens(query);
        words.sort();
        words.dedup();
        if words.is_empty() {
            return Vec::new();
        }
        let n = self.len().max(1) as f32;
        let lists: Vec<(&Vec<(u32, f32)>, f32)> = words
            .iter()
            .filter_map(|w| self.postings.get(w))
            .map(|list| (list, (1.0 + n / list.len() as f32).ln()))
            .collect();
        if lists.is_empty() {
            return self.substring(query);
        }
        let mut scores: HashMap<u32, (f32, usize)> = HashMap::new();
        for (list, idf) in &lists {
            for (doc, w) in list.iter() {
                let e = scores.entry(*doc).or_insert((0.0, 0));
                e.0 += idf * w;
                e.1 += 1;
            }
        }
        let needed = if words.len() >= 3 {
            (words.len() * 3).div_ceil(4)
        } else {
            words.len()
        };
        let best = scores.values().map(|(_, k)| *k).max().unwrap_or(0);
        if best < needed {
            return self.substring(query);
        }
        let mut out: Vec<(u32, f32)> = scores
            .into_iter()
            .filter(|(_, (_, k))| *k == best)
            .map(|(d, (s, _))| (d, s))
            .collect();
        // A document that holds the query as typed, in one piece, ranks first.
        let phrase = normalize(query.trim());
        for (doc, score) in out.iter_mut() {
            if self.haystacks[*doc as usize].contains(&phrase) {
                *score *= 1.5;
            }
        }
        out
    }

    fn substring(&self, query: &str) -> Vec<(u32, f32)> {
        let needle = normalize(query.trim());
        if needle.chars().count() < 2 {
            return Vec::new();
        }
        self.haystacks
            .iter()
            .enumerate()
            .filter(|(_, h)| h.contains(&needle))
            .map(|(i, _)| (i as u32, 0.5))
            .collect()
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

    fn index() -> TextIndex {
        let mut ix = TextIndex::default();
        ix.add(&[
            ("สำนักงานพัฒนาชุมชนอำเภอบางละมุง", 3.0),
            ("ลงทะเบียนผู้ผลิต OTOP", 1.0),
        ]);
        ix.add(&[
            ("สำนักทะเบียนอำเภอบางละมุง", 3.0),
            ("ทำบัตรประจำตัวประชาชน ทะเบียนบ้าน", 1.0),
        ]);
        ix.add(&[("โรงพยาบาลชลบุรี", 3.0), ("ตรวจรักษาผู้ป่วยนอก", 1.0)]);
        ix
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
    fn falls_back_to_a_substring() {
        assert_eq!(ids(index().search("ละมุง")), vec![0, 1]);
    }
}
