//! Sarabun, shaping and line breaking.
//!
//! Thai needs a real shaper: SARA AM is split into NIKHAHIT and SARA AA and the
//! NIKHAHIT moves over a preceding tone mark; tone marks over upper vowels are raised
//! by mark-to-mark positioning. harfrust does it, the same shaper resvg uses inside,
//! so the widths measured here are the widths resvg draws.

use std::ops::Range;
use std::sync::LazyLock;

use harfrust::{FontRef, ShapeOptions, ShaperData, UnicodeBuffer};
use icu_segmenter::options::LineBreakOptions;
use icu_segmenter::{LineSegmenter, LineSegmenterBorrowed};

pub(crate) static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/Sarabun-Regular.ttf");
pub(crate) static BOLD: &[u8] = include_bytes!("../../../assets/fonts/Sarabun-Bold.ttf");

/// The family name in the fonts' name table, which the SVG asks for.
pub(crate) const FAMILY: &str = "Sarabun";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl Weight {
    pub(crate) fn data(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR,
            Weight::Bold => BOLD,
        }
    }
}

struct Face {
    font: FontRef<'static>,
    data: ShaperData,
    units_per_em: f32,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Face {
        let font = FontRef::new(bytes).expect("the embedded Sarabun is a valid font");
        let data = ShaperData::new(&font);
        let units_per_em = data.shaper(&font).build().units_per_em() as f32;
        Face {
            font,
            data,
            units_per_em,
        }
    }
}

static FACES: LazyLock<[Face; 2]> = LazyLock::new(|| [Face::load(REGULAR), Face::load(BOLD)]);

fn face(weight: Weight) -> &'static Face {
    &FACES[weight as usize]
}

/// One glyph, its metrics in em (multiply by the font size).
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    pub id: u32,
    pub x_advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    pub y_advance: f32,
    /// The bytes of the line's text this glyph's cluster stands for.
    pub text: Range<usize>,
}

/// A line of text shaped as one run.
#[derive(Debug, Clone)]
pub(crate) struct Shaped {
    pub text: String,
    pub glyphs: Vec<Glyph>,
    /// The advance of the whole line, in em.
    pub width: f32,
}

pub(crate) fn shape(text: &str, weight: Weight) -> Shaped {
    let face = face(weight);
    let shaper = face.data.shaper(&face.font).build();
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let output = shaper.shape(buffer, ShapeOptions::new());
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    let em = face.units_per_em;
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut width = 0.0;
    for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
        let start = info.cluster as usize;
        // A cluster's text runs to the start of the next cluster: the glyphs of one
        // cluster (SARA AM's two parts, a consonant and its marks) share it.
        let end = infos[i + 1..]
            .iter()
            .find(|next| next.cluster != info.cluster)
            .map_or(text.len(), |next| next.cluster as usize);
        let x_advance = pos.x_advance as f32 / em;
        width += x_advance;
        glyphs.push(Glyph {
            id: info.glyph_id,
            x_advance,
            x_offset: pos.x_offset as f32 / em,
            y_offset: pos.y_offset as f32 / em,
            y_advance: pos.y_advance as f32 / em,
            text: start..end,
        });
    }
    Shaped {
        text: text.to_owned(),
        glyphs,
        width,
    }
}

fn segmenter() -> LineSegmenterBorrowed<'static> {
    // The dictionary model, as the directory's word breaking: the LSTM model splits
    // place names (เชียง|ใหม่), and a poster must not break a name in its middle.
    static SEGMENTER: LazyLock<LineSegmenterBorrowed<'static>> =
        LazyLock::new(|| LineSegmenter::new_dictionary(LineBreakOptions::default()));
    *SEGMENTER
}

/// Breaks `text` into lines no wider than `max_width` (in em) where Unicode line
/// breaking allows: between Thai words, after spaces, after `/` in an address. A word
/// wider than a line is left whole on its own line; [`fit`] shrinks the size instead.
pub(crate) fn wrap(text: &str, weight: Weight, max_width: f32) -> Vec<Shaped> {
    let breaks: Vec<usize> = segmenter().segment_str(text).filter(|&b| b > 0).collect();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while start < text.len() {
        // The longest run of segments from `start` that fits; at least one segment.
        let mut best: Option<(usize, Shaped)> = None;
        while i < breaks.len() {
            let end = breaks[i];
            let candidate = shape(text[start..end].trim(), weight);
            if candidate.width > max_width && best.is_some() {
                break;
            }
            let fits = candidate.width <= max_width;
            best = Some((i, candidate));
            i += 1;
            if !fits {
                break;
            }
        }
        let Some((last, line)) = best else { break };
        if !line.text.is_empty() {
            lines.push(line);
        }
        start = breaks[last];
        i = last + 1;
    }
    lines
}

/// [`wrap`], then any line still wider than `max_width` (a word longer than the line,
/// such as a code or an address) cut between clusters, so that nothing runs out of
/// its box. A cluster keeps a consonant with its marks and SARA AM whole; a cut is
/// never made before a following vowel or after a leading one either.
pub(crate) fn wrap_within(text: &str, weight: Weight, max_width: f32) -> Vec<Shaped> {
    let mut lines = Vec::new();
    for line in wrap(text, weight, max_width) {
        if line.width <= max_width {
            lines.push(line);
            continue;
        }
        let text = line.text.as_str();
        let mut clusters: Vec<(usize, f32)> = Vec::new();
        for glyph in &line.glyphs {
            match clusters.last_mut() {
                Some((start, advance)) if *start == glyph.text.start => *advance += glyph.x_advance,
                _ => clusters.push((glyph.text.start, glyph.x_advance)),
            }
        }
        let mut start = 0;
        let mut width = 0.0;
        // The last place a cut may go, with the width of the line up to it.
        let mut cut: Option<(usize, f32)> = None;
        for (at, advance) in clusters {
            if at > start && may_cut(text, at) {
                cut = Some((at, width));
            }
            if width + advance > max_width
                && let Some((at, before)) = cut.take()
            {
                lines.push(shape(&text[start..at], weight));
                start = at;
                width -= before;
            }
            width += advance;
        }
        lines.push(shape(&text[start..], weight));
    }
    lines
}

/// Whether a line may end before byte `at` of `text`, inside a word.
fn may_cut(text: &str, at: usize) -> bool {
    let (Some(before), Some(after)) = (text[..at].chars().next_back(), text[at..].chars().next())
    else {
        return false;
    };
    let leading_vowel = ('\u{0E40}'..='\u{0E44}').contains(&before);
    let follows = matches!(after, '\u{0E30}'..='\u{0E3A}' | '\u{0E45}' | '\u{0E47}'..='\u{0E4E}');
    !leading_vowel && !follows
}

/// The advance of the widest run of `shaped` that [`wrap`] never breaks, in em, spaces
/// left out: the narrowest box its text fits in broken between words only.
pub(crate) fn widest_word(shaped: &Shaped) -> f32 {
    let text = shaped.text.as_str();
    let mut breaks = segmenter().segment_str(text).filter(|&b| b > 0).peekable();
    let (mut widest, mut word) = (0.0_f32, 0.0_f32);
    for glyph in &shaped.glyphs {
        while breaks.next_if(|&b| b <= glyph.text.start).is_some() {
            widest = widest.max(word);
            word = 0.0;
        }
        if !text[glyph.text.clone()].trim().is_empty() {
            word += glyph.x_advance;
        }
    }
    widest.max(word)
}

pub(crate) struct Fitted {
    pub size: f32,
    pub lines: Vec<Shaped>,
}

/// Text set at the largest size from `max_size` down to `min_size` (whole points) at
/// which it takes at most `max_lines` lines, none wider than `max_width` (points).
/// Below `min_size` it would no longer be read from a step away, so text that does not
/// fit even then is set at `min_size` on as many lines as it takes.
pub(crate) fn fit(
    text: &str,
    weight: Weight,
    max_size: f32,
    min_size: f32,
    max_width: f32,
    max_lines: usize,
) -> Fitted {
    let mut size = max_size;
    loop {
        let lines = wrap(text, weight, max_width / size);
        let fits = lines.len() <= max_lines && lines.iter().all(|l| l.width * size <= max_width);
        if fits || size - 1.0 < min_size {
            return Fitted { size, lines };
        }
        size -= 1.0;
    }
}

/// Runs of spaces, tabs and line breaks as one space, none at the ends: a name typed
/// with a line break in it is still one name on the poster.
pub(crate) fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sara_am_is_shaped_into_its_two_parts_within_one_cluster() {
        let shaped = shape("น้ำ", Weight::Regular);
        assert!(shaped.glyphs.len() >= 3, "{:?}", shaped.glyphs);
        assert!(shaped.glyphs.iter().all(|g| g.id != 0), "no missing glyph");
        let whole = 0.."น้ำ".len();
        assert!(
            shaped.glyphs.iter().all(|g| g.text == whole),
            "{:?}",
            shaped.glyphs
        );
    }

    #[test]
    fn thai_without_spaces_wraps_between_words_and_loses_nothing() {
        let name = "สำนักงานพัฒนาชุมชนอำเภอบางละมุงจังหวัดชลบุรีกรมการพัฒนาชุมชนกระทรวงมหาดไทย";
        let one = shape(name, Weight::Bold).width;
        let lines = wrap(name, Weight::Bold, one / 2.5);
        assert!(lines.len() >= 3, "{} lines", lines.len());
        assert!(lines.iter().all(|l| l.width <= one / 2.5));
        let joined: String = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(joined, name);
        // A line never starts with a mark or a following vowel.
        for line in &lines {
            let first = line.text.chars().next().unwrap();
            assert!(!('\u{0E31}'..='\u{0E3A}').contains(&first), "{}", line.text);
            assert!(!('\u{0E47}'..='\u{0E4E}').contains(&first), "{}", line.text);
        }
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_between_clusters() {
        let code = "citizeninfo.example.go.th/r/Qx7mP2vL9kR4tW8zN3bH6c";
        let word = "ประชาสัมพันธ์น้ำที่สุดเมืองไทย";
        for text in [code, word] {
            let max = shape(text, Weight::Regular).width / 3.5;
            let lines = wrap_within(text, Weight::Regular, max);
            assert!(lines.len() >= 4, "{} lines for {text}", lines.len());
            // Reshaping a piece may shift its width by a kerning pair, no more.
            assert!(lines.iter().all(|l| l.width <= max * 1.05), "{text}");
            let joined: String = lines.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(joined, text);
            for line in &lines {
                let first = line.text.chars().next().unwrap();
                let last = line.text.chars().next_back().unwrap();
                assert!(!('\u{0E30}'..='\u{0E3A}').contains(&first), "{}", line.text);
                assert!(!('\u{0E47}'..='\u{0E4E}').contains(&first), "{}", line.text);
                assert!(!('\u{0E40}'..='\u{0E44}').contains(&last), "{}", line.text);
            }
        }
    }

    #[test]
    fn the_widest_word_is_narrower_than_the_text_and_wider_than_any_letter() {
        let text = shape("ความพึงพอใจ มากที่สุด", Weight::Regular);
        let widest = widest_word(&text);
        assert!(widest < text.width * 0.8, "{widest} of {}", text.width);
        assert!(
            widest >= shape("ความ", Weight::Regular).width * 0.99,
            "{widest}"
        );
        assert_eq!(widest_word(&shape("", Weight::Regular)), 0.0);
    }

    #[test]
    fn fit_shrinks_before_it_wraps_beyond_the_line_limit() {
        let name = "สำนักงานพัฒนาชุมชนอำเภอบางละมุง";
        let width = shape(name, Weight::Bold).width * 30.0;
        let fitted = fit(name, Weight::Bold, 40.0, 20.0, width, 1);
        assert_eq!(fitted.lines.len(), 1);
        assert!(
            fitted.size <= 30.0 && fitted.size >= 29.0,
            "{}",
            fitted.size
        );
    }
}
