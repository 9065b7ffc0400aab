//! Charts of the satisfaction reports as inline SVG, for server-rendered pages.
//!
//! No script and no external resource; only presentation attributes (`fill`,
//! `font-size`, …), never a `style` attribute, which the content security policy
//! refuses. Each chart is an image named by its `<title>` and described by a `<desc>`
//! that lists every value, so a screen reader gets the figures the picture shows.
//! Every value is also written as text beside its mark: nothing is told by colour.
//! The `viewBox` makes the chart as wide as its container, and its text takes the
//! page's font.
//!
//! Text widths are estimated from the characters, the browser measuring nothing before
//! it draws: Thai marks above and below take no width, narrow punctuation half.

use std::fmt::Write;

use askama::filters::Escaper;

use crate::escape::Html;

/// What a chart with nothing to draw says.
pub(crate) const NO_DATA: &str = "ไม่มีข้อมูล / No data";
/// What a gap in a trend means; under the chart next to its mark, and in the
/// description in place of the mean.
const GAP_WORDS: &str = "ผู้ตอบไม่พอ / not enough ratings";
const GAP_MARK: &str = "–";

/// Width of the drawing in SVG units; the text sizes below are in the same units. At
/// 480 a phone's 340 px column still shows 14-unit text at 10 px.
const WIDTH: f32 = 480.0;
const TITLE_SIZE: f32 = 16.0;
const TEXT_SIZE: f32 = 14.0;
const SMALL_SIZE: f32 = 12.0;
const LINE: f32 = 1.3;

/// 12.6:1 on white; the marks need 3:1, their text 4.5:1.
const MARK: &str = "#1b366b";
const INK: &str = "#1a1a1a";
/// 7.5:1 on white: axis labels and counts are text too.
const MUTED: &str = "#555555";
/// Grid lines only guide the eye; the values are written out.
const GRID: &str = "#d0d4da";

/// Horizontal bars, one per item, label on the left, value at the bar's end.
pub(crate) fn bars(title: &str, items: &[(String, u64)]) -> String {
    let id = chart_id("bars", title, items.iter().map(|(l, v)| (l.as_str(), *v)));
    if items.is_empty() {
        return no_data(&id, title);
    }
    let mut desc = String::new();
    for (label, value) in items {
        push_sep(&mut desc);
        let _ = write!(desc, "{}: {}", clean(label), thousands(*value));
    }

    let values: Vec<String> = items.iter().map(|(_, v)| thousands(*v)).collect();
    let value_room = values
        .iter()
        .map(|v| text_width(v, TEXT_SIZE))
        .fold(0.0, f32::max)
        + 8.0;
    // Labels go in a column on the left, broken at spaces, as wide as the longest needs
    // up to 45 % of the chart; a word wider than that puts every label over its bar.
    let column = items
        .iter()
        .map(|(l, _)| text_width(&clean(l), TEXT_SIZE))
        .fold(0.0, f32::max)
        .min(WIDTH * 0.45);
    let mut labels: Vec<Vec<String>> = items
        .iter()
        .map(|(l, _)| wrap(&clean(l), column, TEXT_SIZE))
        .collect();
    let above = labels
        .iter()
        .flatten()
        .any(|line| text_width(line, TEXT_SIZE) > column + 0.5);
    let bar_left = if above {
        labels = items
            .iter()
            .map(|(l, _)| wrap(&clean(l), WIDTH, TEXT_SIZE))
            .collect();
        1.0
    } else {
        column + 10.0
    };
    let bar_room = (WIDTH - bar_left - value_room).max(WIDTH * 0.2);
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0);

    const BAR: f32 = 16.0;
    const GAP: f32 = 10.0;
    let pitch = TEXT_SIZE * LINE;
    let mut body = String::new();
    let mut y = TITLE_SIZE * LINE + 10.0;
    for ((lines, value), (_, raw)) in labels.iter().zip(&values).zip(items) {
        let label_height = lines.len() as f32 * pitch;
        let (bar_top, label_top, row) = if above {
            (y + label_height + 2.0, y, label_height + 2.0 + BAR)
        } else {
            let row = label_height.max(BAR);
            (y + (row - BAR) / 2.0, y + (row - label_height) / 2.0, row)
        };
        let baseline = label_top + pitch / 2.0 + 0.35 * TEXT_SIZE;
        let condense = above.then_some(WIDTH - 1.0);
        let style = Style::new("label", "start", TEXT_SIZE);
        lines_text(&mut body, 0.0, baseline, style, lines, condense);
        // Scaled to the largest value; all zero draws no length, and the zeros are
        // still written.
        let length = if max == 0 {
            0.0
        } else {
            bar_room * (*raw as f64 / max as f64) as f32
        };
        let _ = write!(
            body,
            r#"<rect class="bar" x="{}" y="{}" width="{}" height="{BAR}" fill="{MARK}"/>"#,
            num(bar_left),
            num(bar_top),
            num(length)
        );
        text(
            &mut body,
            bar_left + length + 6.0,
            bar_top + BAR / 2.0 + 0.35 * TEXT_SIZE,
            Style::new("value", "start", TEXT_SIZE),
            value,
        );
        y += row + GAP;
    }
    // The zero line: a bar of nothing still starts somewhere.
    let top = TITLE_SIZE * LINE + 6.0;
    let _ = write!(
        body,
        r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{MUTED}" stroke-width="1"/>"#,
        num(top),
        num(y - GAP + 4.0),
        x = num((bar_left - 0.5).max(0.5)),
    );
    svg(&id, title, &desc, y + 4.0, &body)
}

/// A column or line chart over time of a mean on the 1–5 scale; `None` = not enough ratings (a gap, marked). Also shows the count under each label.
pub(crate) fn trend(title: &str, points: &[(String, Option<f64>, u64)]) -> String {
    let points: Vec<(String, Option<f64>, u64)> = points
        .iter()
        .map(|(l, m, n)| (clean(l), m.filter(|m| m.is_finite()), *n))
        .collect();
    let id = chart_id(
        "trend",
        title,
        points
            .iter()
            .map(|(l, m, n)| (l.as_str(), m.map_or(u64::MAX, f64::to_bits) ^ n)),
    );
    if points.is_empty() {
        return no_data(&id, title);
    }
    let mut desc = String::new();
    for (label, mean, count) in &points {
        push_sep(&mut desc);
        let _ = match mean {
            Some(m) => write!(desc, "{label}: {} (n={})", mean_text(*m), thousands(*count)),
            None => write!(desc, "{label}: {GAP_WORDS} (n={})", thousands(*count)),
        };
    }

    let left = 28.0;
    let right = WIDTH - 6.0;
    let top = TITLE_SIZE * LINE + 16.0;
    let plot = 160.0;
    let bottom = top + plot;
    let y_of = |mean: f64| bottom - (mean.clamp(1.0, 5.0) as f32 - 1.0) / 4.0 * plot;
    let step = (right - left) / points.len() as f32;
    let x_of = |i: usize| left + step * (i as f32 + 0.5);

    let mut body = String::new();
    for level in 1..=5 {
        let y = y_of(f64::from(level));
        let _ = write!(
            body,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{GRID}" stroke-width="1"/>"#,
            num(left),
            num(right),
            y = num(y)
        );
        text(
            &mut body,
            left - 6.0,
            y + 0.35 * SMALL_SIZE,
            Style::new("axis", "end", SMALL_SIZE),
            &level.to_string(),
        );
    }

    // Labels are broken at a space into two lines when that is what lets them stand
    // side by side; past that, only every `every`-th point is labelled, the first one
    // always, and the values, counts and labels thin out together.
    let labels: Vec<Vec<String>> = points
        .iter()
        .map(|(l, _, _)| two_lines(l, step - 4.0, SMALL_SIZE))
        .collect();
    let widest = points
        .iter()
        .zip(&labels)
        .map(|((_, m, n), lines)| {
            let value = m.map_or(GAP_MARK.to_owned(), mean_text);
            lines
                .iter()
                .map(String::as_str)
                .chain([value.as_str(), count_text(*n).as_str()])
                .map(|t| text_width(t, SMALL_SIZE))
                .fold(0.0, f32::max)
        })
        .fold(0.0, f32::max);
    let every = ((widest + 4.0) / step).ceil().max(1.0) as usize;
    let labelled = |i: usize| i.is_multiple_of(every);

    // The line is broken at each gap; a point alone between gaps is its dot only.
    for run in points
        .iter()
        .enumerate()
        .collect::<Vec<_>>()
        .split(|(_, (_, m, _))| m.is_none())
        .filter(|run| run.len() > 1)
    {
        body.push_str(r#"<polyline class="line" fill="none" stroke=""#);
        body.push_str(MARK);
        body.push_str(r#"" stroke-width="2" stroke-linejoin="round" points=""#);
        for (n, (i, (_, m, _))) in run.iter().enumerate() {
            if n > 0 {
                body.push(' ');
            }
            let _ = write!(body, "{},{}", num(x_of(*i)), num(y_of(m.unwrap_or(1.0))));
        }
        body.push_str(r#""/>"#);
    }
    let radius = (step * 0.35).clamp(1.0, 4.0);
    for (i, (_, mean, _)) in points.iter().enumerate() {
        let x = x_of(i);
        match mean {
            Some(m) => {
                let y = y_of(*m);
                let _ = write!(
                    body,
                    r#"<circle class="point" cx="{}" cy="{}" r="{}" fill="{MARK}"/>"#,
                    num(x),
                    num(y),
                    num(radius)
                );
                if labelled(i) {
                    let style = Style::new("value", "middle", SMALL_SIZE).ink();
                    text(&mut body, x, y - 7.0, style, &mean_text(*m));
                }
            }
            // A gap mark in the gap, whether labelled or not: a missing point is never
            // mistaken for a line going on.
            None => text(
                &mut body,
                x,
                bottom - plot / 2.0 + 0.35 * SMALL_SIZE,
                Style::new("gap", "middle", SMALL_SIZE),
                GAP_MARK,
            ),
        }
    }

    let pitch = SMALL_SIZE * LINE;
    let label_lines = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| labelled(*i))
        .map(|(_, l)| l.len())
        .max()
        .unwrap_or(1)
        .max(1);
    for (i, ((_, _, count), lines)) in points.iter().zip(&labels).enumerate() {
        if !labelled(i) {
            continue;
        }
        let x = x_of(i);
        let y = bottom + 6.0 + pitch / 2.0 + 0.35 * SMALL_SIZE;
        let style = Style::new("label", "middle", SMALL_SIZE).ink();
        lines_text(&mut body, x, y, style, lines, None);
        let y = bottom + 6.0 + label_lines as f32 * pitch + pitch / 2.0 + 0.35 * SMALL_SIZE;
        let style = Style::new("count", "middle", SMALL_SIZE);
        text(&mut body, x, y, style, &count_text(*count));
    }
    let mut height = bottom + 6.0 + (label_lines + 1) as f32 * pitch + 6.0;
    if points.iter().any(|(_, m, _)| m.is_none()) {
        text(
            &mut body,
            left,
            height + 0.35 * SMALL_SIZE + pitch / 2.0,
            Style::new("note", "start", SMALL_SIZE),
            &format!("{GAP_MARK} = {GAP_WORDS}"),
        );
        height += pitch + 6.0;
    }
    svg(&id, title, &desc, height, &body)
}

fn mean_text(mean: f64) -> String {
    format!("{mean:.2}")
}

fn count_text(count: u64) -> String {
    format!("n={}", thousands(count))
}

/// `1234567` as `1,234,567`, as Thai writes it too.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn push_sep(desc: &mut String) {
    if !desc.is_empty() {
        desc.push_str("; ");
    }
}

/// Runs of whitespace as one space, and no control characters, which XML refuses even
/// escaped.
fn clean(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn escape_into(out: &mut String, text: &str) {
    let _ = Html.write_escaped_str(&mut *out, &clean(text));
}

/// A coordinate with at most two decimals, trailing zeros dropped: the SVG of 400
/// points stays small.
fn num(v: f32) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// The width of `text` set at `size`, estimated for Sarabun.
fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| match c {
            // Thai vowels and marks above and below the consonant.
            '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}' => 0.0,
            ' ' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'i' | 'l' | 'j' => 0.27,
            '(' | ')' | '[' | ']' | '/' | '-' | 'f' | 't' | 'r' => 0.36,
            'A'..='Z' | 'm' | 'w' | '–' | '—' | '%' => 0.68,
            _ => 0.56,
        })
        .sum::<f32>()
        * size
}

/// `text` broken at spaces into lines no wider than `max`; a word wider than that is
/// left whole on its line.
fn wrap(text: &str, max: f32, size: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), size) <= max => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// `text` on one line when it fits in `max`, else on two broken at the space that
/// makes the longer line shortest; without a space, on one line.
fn two_lines(text: &str, max: f32, size: f32) -> Vec<String> {
    if text_width(text, size) <= max {
        return vec![text.to_owned()];
    }
    text.match_indices(' ')
        .map(|(at, _)| (&text[..at], &text[at + 1..]))
        .min_by(|a, b| {
            let longer = |(x, y): &(&str, &str)| text_width(x, size).max(text_width(y, size));
            longer(a).total_cmp(&longer(b))
        })
        .map_or_else(
            || vec![text.to_owned()],
            |(a, b)| vec![a.to_owned(), b.to_owned()],
        )
}

/// How a text is set.
#[derive(Clone, Copy)]
struct Style {
    class: &'static str,
    anchor: &'static str,
    size: f32,
    fill: &'static str,
}

impl Style {
    fn new(class: &'static str, anchor: &'static str, size: f32) -> Style {
        let fill = if size < TEXT_SIZE { MUTED } else { INK };
        Style {
            class,
            anchor,
            size,
            fill,
        }
    }

    fn ink(self) -> Style {
        Style { fill: INK, ..self }
    }
}

fn text(out: &mut String, x: f32, y: f32, style: Style, content: &str) {
    lines_text(out, x, y, style, &[content], None);
}

/// Lines of one text, the first on baseline `y`, one `LINE` apart. A line estimated
/// wider than `max` is condensed to it: a single word longer than the chart is then
/// narrower rather than cut off at its edge.
fn lines_text(
    out: &mut String,
    x: f32,
    y: f32,
    style: Style,
    lines: &[impl AsRef<str>],
    max: Option<f32>,
) {
    let Style {
        class,
        anchor,
        size,
        fill,
    } = style;
    let _ = write!(
        out,
        r#"<text class="{class}" x="{}" y="{}" text-anchor="{anchor}" font-size="{size}" fill="{fill}""#,
        num(x),
        num(y)
    );
    let condense = |out: &mut String, line: &str| {
        if let Some(max) = max.filter(|&max| text_width(line, size) > max) {
            let _ = write!(
                out,
                r#" textLength="{}" lengthAdjust="spacingAndGlyphs""#,
                num(max)
            );
        }
    };
    if let [line] = lines {
        condense(out, line.as_ref());
        out.push('>');
        escape_into(out, line.as_ref());
        out.push_str("</text>");
        return;
    }
    out.push('>');
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<tspan x="{}" y="{}""#,
            num(x),
            num(y + i as f32 * size * LINE)
        );
        condense(out, line.as_ref());
        out.push('>');
        escape_into(out, line.as_ref());
        out.push_str("</tspan>");
    }
    out.push_str("</text>");
}

/// An id for the title and description, the same for the same chart: a page with two
/// charts needs two, and a page rendered twice the same ones.
fn chart_id<'a>(kind: &str, title: &str, data: impl Iterator<Item = (&'a str, u64)>) -> String {
    // FNV-1a: a stable hash, unlike std's, which is seeded per process.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(kind.as_bytes());
    eat(title.as_bytes());
    for (label, value) in data {
        eat(&[0]);
        eat(label.as_bytes());
        eat(&value.to_le_bytes());
    }
    format!("chart-{hash:016x}")
}

fn svg(id: &str, title: &str, desc: &str, height: f32, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 512);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {}" width="100%" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc" font-family="inherit"><title id="{id}-title">"#,
        num(height.ceil()),
    );
    escape_into(&mut out, title);
    let _ = write!(out, r#"</title><desc id="{id}-desc">"#);
    escape_into(&mut out, desc);
    out.push_str("</desc>");
    let _ = write!(
        out,
        r#"<text class="title" x="0" y="{}" font-size="{TITLE_SIZE}" font-weight="bold" fill="{INK}">"#,
        num(TITLE_SIZE)
    );
    escape_into(&mut out, title);
    out.push_str("</text>");
    out.push_str(body);
    out.push_str("</svg>");
    out
}

fn no_data(id: &str, title: &str) -> String {
    let mut body = String::new();
    let y = TITLE_SIZE * LINE + 24.0;
    text(
        &mut body,
        WIDTH / 2.0,
        y,
        Style::new("empty", "middle", TEXT_SIZE),
        NO_DATA,
    );
    svg(id, title, NO_DATA, y + 16.0, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"))
    }

    fn of_class<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .collect()
    }

    fn texts(doc: &roxmltree::Document<'_>, class: &str) -> Vec<String> {
        of_class(doc, class)
            .iter()
            .map(|n| {
                n.descendants()
                    .filter(|t| t.is_text())
                    .filter_map(|t| t.text())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    fn view_box(doc: &roxmltree::Document<'_>) -> (f32, f32) {
        let vb: Vec<f32> = doc
            .root_element()
            .attribute("viewBox")
            .unwrap()
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(vb[..2], [0.0, 0.0]);
        (vb[2], vb[3])
    }

    /// What every chart must be, whatever it shows.
    fn check(svg: &str, title: &str) {
        let doc = parse(svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("width"), Some("100%"));
        let (w, h) = view_box(&doc);
        assert!(w > 0.0 && h > 0.0);
        let labelled = root.attribute("aria-labelledby").unwrap();
        let named = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(labelled))
            .unwrap();
        assert_eq!(named.tag_name().name(), "title");
        assert_eq!(named.text(), Some(clean(title).as_str()));
        let described = root.attribute("aria-describedby").unwrap();
        assert!(
            doc.descendants()
                .any(|n| n.attribute("id") == Some(described))
        );
        for node in doc.descendants().filter(|n| n.is_element()) {
            for attr in node.attributes() {
                assert_ne!(attr.name(), "style", "the CSP refuses style attributes");
                assert!(!attr.name().starts_with("on"), "{}", attr.name());
                assert!(!attr.value().contains("url("), "{}", attr.value());
            }
            assert!(
                !["script", "image", "a", "foreignObject", "use", "style"]
                    .contains(&node.tag_name().name()),
                "{}",
                node.tag_name().name()
            );
            // Every coordinate inside the drawing.
            for name in ["x", "y", "cx", "cy", "x1", "x2", "y1", "y2"] {
                if let Some(v) = node.attribute(name) {
                    let v: f32 = v.parse().unwrap();
                    let limit = if name.starts_with('x') || name == "cx" {
                        w
                    } else {
                        h
                    };
                    assert!((0.0..=limit).contains(&v), "{name}={v} outside {w}x{h}");
                }
            }
        }
    }

    fn items(n: usize) -> Vec<(String, u64)> {
        (0..n)
            .map(|i| (format!("จุดบริการที่ {i}"), (i as u64 * 37) % 100))
            .collect()
    }

    #[test]
    fn one_bar_per_item_with_its_value_written() {
        let items = vec![
            ("พึงพอใจมากที่สุด".to_owned(), 1234),
            ("พึงพอใจมาก".to_owned(), 620),
            ("น้ำดื่ม".to_owned(), 0),
        ];
        let svg = bars("ระดับความพึงพอใจ", &items);
        check(&svg, "ระดับความพึงพอใจ");
        let doc = parse(&svg);
        let bars = of_class(&doc, "bar");
        assert_eq!(bars.len(), items.len());
        assert_eq!(texts(&doc, "value"), ["1,234", "620", "0"]);
        assert_eq!(texts(&doc, "label"), ["พึงพอใจมากที่สุด", "พึงพอใจมาก", "น้ำดื่ม"]);
        let width = |n: &roxmltree::Node| n.attribute("width").unwrap().parse::<f32>().unwrap();
        assert!(width(&bars[0]) > width(&bars[1]) && width(&bars[1]) > 0.0);
        assert_eq!(width(&bars[2]), 0.0);
        // Labels on the left: every bar starts right of the longest label.
        let x: f32 = bars[0].attribute("x").unwrap().parse().unwrap();
        assert!(x > text_width("พึงพอใจมากที่สุด", TEXT_SIZE));
        for _ in 0..2 {
            assert_eq!(svg, super::bars("ระดับความพึงพอใจ", &items), "stable output");
        }
    }

    #[test]
    fn many_and_long_labels_stay_inside_the_drawing() {
        for n in [1, 2, 40] {
            let svg = bars("จุดบริการ", &items(n));
            check(&svg, "จุดบริการ");
            assert_eq!(of_class(&parse(&svg), "bar").len(), n);
        }
        let long = vec![
            (
                "ศูนย์บริการประชาชนและศูนย์ดำรงธรรมสำนักงานพัฒนาชุมชนจังหวัดชลบุรี".to_owned(),
                5,
            ),
            ("สั้น".to_owned(), 3),
        ];
        let svg = bars("ยาว", &long);
        check(&svg, "ยาว");
        let doc = parse(&svg);
        // A word wider than the label column puts the labels over the bars.
        assert!(
            of_class(&doc, "bar")
                .iter()
                .all(|b| b.attribute("x") == Some("1"))
        );
        let word = "ประชาสัมพันธ์".repeat(8);
        let svg = bars("คำเดียว", &[(word.clone(), 1)]);
        check(&svg, "คำเดียว");
        let doc = parse(&svg);
        let label = of_class(&doc, "label")[0];
        assert_eq!(label.text(), Some(word.as_str()));
        let condensed: f32 = label.attribute("textLength").unwrap().parse().unwrap();
        assert!(condensed <= WIDTH, "{condensed}");
        assert_eq!(label.attribute("lengthAdjust"), Some("spacingAndGlyphs"));
        let spaced = vec![(
            "งาน ทะเบียน ราษฎร ของ อำเภอ บางละมุง จังหวัด ชลบุรี ภาค ตะวันออก".to_owned(),
            5,
        )];
        let doc_text = bars("เว้นวรรค", &spaced);
        check(&doc_text, "เว้นวรรค");
        let doc = parse(&doc_text);
        assert_eq!(texts(&doc, "label"), [spaced[0].0.as_str()]);
        let label = of_class(&doc, "label")[0];
        assert!(label.children().count() >= 2, "broken at spaces");
    }

    #[test]
    fn all_zero_values_draw_zero_bars_and_write_the_zeros() {
        let zero: Vec<(String, u64)> = (0..3).map(|i| (format!("ข้อ {i}"), 0)).collect();
        let svg = bars("ศูนย์", &zero);
        check(&svg, "ศูนย์");
        let doc = parse(&svg);
        assert_eq!(texts(&doc, "value"), ["0", "0", "0"]);
        assert!(
            of_class(&doc, "bar")
                .iter()
                .all(|b| b.attribute("width") == Some("0"))
        );
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn empty_charts_say_there_is_no_data() {
        for svg in [bars("ว่าง", &[]), trend("ว่าง", &[])] {
            check(&svg, "ว่าง");
            let doc = parse(&svg);
            assert_eq!(texts(&doc, "empty"), [NO_DATA]);
            assert!(of_class(&doc, "bar").is_empty() && of_class(&doc, "point").is_empty());
        }
    }

    #[test]
    fn text_is_escaped() {
        let nasty = r#"<script>alert("x")</script> & 'ยาก' ]]> </svg>"#;
        let svg = bars(nasty, &[(nasty.to_owned(), 1)]);
        check(&svg, nasty);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("</svg> "), "{svg}");
        let doc = parse(&svg);
        assert_eq!(texts(&doc, "title"), [nasty]);
        assert_eq!(texts(&doc, "label"), [nasty]);
        let svg = trend(nasty, &[(nasty.to_owned(), Some(4.0), 3)]);
        check(&svg, nasty);
        assert_eq!(texts(&parse(&svg), "label"), [nasty]);
        // Control characters are invalid in XML even as entities.
        let svg = bars("a\u{0}b\u{1b}c\nd", &[("x\u{7}".to_owned(), 1)]);
        check(&svg, "a b c d");
    }

    fn months() -> Vec<(String, Option<f64>, u64)> {
        [
            ("ม.ค. 68", Some(4.25), 120),
            ("ก.พ. 68", None, 3),
            ("มี.ค. 68", Some(3.8), 1500),
            ("เม.ย. 68", Some(4.9), 45),
            ("พ.ค. 68", None, 0),
            ("มิ.ย. 68", Some(1.0), 9),
            ("ก.ค. 68", Some(5.0), 10),
        ]
        .into_iter()
        .map(|(l, m, n)| (l.to_owned(), m, n))
        .collect()
    }

    #[test]
    fn a_trend_marks_each_mean_and_leaves_gaps_where_ratings_are_too_few() {
        let points = months();
        let svg = trend("คะแนนเฉลี่ยรายเดือน", &points);
        check(&svg, "คะแนนเฉลี่ยรายเดือน");
        let doc = parse(&svg);
        let marks = of_class(&doc, "point");
        assert_eq!(marks.len(), points.iter().filter(|p| p.1.is_some()).count());
        assert_eq!(of_class(&doc, "gap").len(), 2);
        assert_eq!(
            texts(&doc, "value"),
            ["4.25", "3.80", "4.90", "1.00", "5.00"]
        );
        assert_eq!(
            texts(&doc, "count"),
            ["n=120", "n=3", "n=1,500", "n=45", "n=0", "n=9", "n=10"]
        );
        // The line breaks at each gap: 4.25 stands alone, then two runs of two.
        let lines = of_class(&doc, "line");
        let lengths: Vec<usize> = lines
            .iter()
            .map(|l| l.attribute("points").unwrap().split(' ').count())
            .collect();
        assert_eq!(lengths, [2, 2]);
        // Higher means are drawn higher; the scale runs from 1 to 5.
        let cy = |i: usize| marks[i].attribute("cy").unwrap().parse::<f32>().unwrap();
        assert!(cy(2) < cy(0) && cy(0) < cy(1) && cy(4) < cy(2) && cy(3) > cy(0));
        assert_eq!(texts(&doc, "axis"), ["1", "2", "3", "4", "5"]);
        assert_eq!(texts(&doc, "note"), [format!("{GAP_MARK} = {GAP_WORDS}")]);
        let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap();
        let gap = format!("ก.พ. 68: {GAP_WORDS} (n=3)");
        assert!(desc.text().unwrap().contains(&gap));
        assert!(desc.text().unwrap().contains("มี.ค. 68: 3.80 (n=1,500)"));
    }

    #[test]
    fn a_single_point_is_a_dot_without_a_line() {
        let svg = trend("จุดเดียว", &[("ไตรมาส 1".to_owned(), Some(3.5), 12)]);
        check(&svg, "จุดเดียว");
        let doc = parse(&svg);
        assert_eq!(of_class(&doc, "point").len(), 1);
        assert!(of_class(&doc, "line").is_empty());
        assert_eq!(texts(&doc, "value"), ["3.50"]);
        assert_eq!(texts(&doc, "count"), ["n=12"]);
        assert!(of_class(&doc, "note").is_empty());

        let svg = trend("ไม่พอ", &[("ไตรมาส 1".to_owned(), None, 2)]);
        check(&svg, "ไม่พอ");
        let doc = parse(&svg);
        assert!(of_class(&doc, "point").is_empty() && of_class(&doc, "line").is_empty());
        assert_eq!(of_class(&doc, "gap").len(), 1);
        // Not a number is no mean either.
        let svg = trend(
            "NaN",
            &[
                ("ก".to_owned(), Some(f64::NAN), 2),
                ("ข".to_owned(), Some(9.0), 2),
            ],
        );
        check(&svg, "NaN");
        let doc = parse(&svg);
        assert_eq!(of_class(&doc, "point").len(), 1);
    }

    #[test]
    fn four_hundred_points_thin_their_labels() {
        let points: Vec<(String, Option<f64>, u64)> = (0..400)
            .map(|i| {
                let mean = (i % 17 != 0).then(|| 1.0 + (i % 40) as f64 / 10.0);
                (format!("วันที่ {i}"), mean, i as u64)
            })
            .collect();
        let svg = trend("รายวัน", &points);
        check(&svg, "รายวัน");
        let doc = parse(&svg);
        let labels = texts(&doc, "label");
        assert!(
            labels.len() >= 5 && labels.len() <= 40,
            "{} labels",
            labels.len()
        );
        assert_eq!(labels.len(), texts(&doc, "count").len());
        assert_eq!(labels[0], "วันที่ 0");
        let marks = points.iter().filter(|p| p.1.is_some()).count();
        assert_eq!(of_class(&doc, "point").len(), marks);
        assert_eq!(of_class(&doc, "gap").len(), 400 - marks);
        // Thinned labels stand apart.
        let xs: Vec<f32> = of_class(&doc, "label")
            .iter()
            .map(|n| n.attribute("x").unwrap().parse().unwrap())
            .collect();
        // Labels too long for their place are set on two lines.
        let room = ["วันที่", "399", "n=399", "4.90"]
            .map(|t| text_width(t, SMALL_SIZE))
            .into_iter()
            .fold(0.0, f32::max);
        assert!(
            of_class(&doc, "label")
                .iter()
                .all(|l| l.children().count() == 2)
        );
        assert!(xs.windows(2).all(|w| w[1] - w[0] >= room), "{xs:?}");
        assert!(svg.len() < 200_000, "{} bytes", svg.len());
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(2.5), "2.5");
    }
}
