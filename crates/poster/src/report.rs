//! A satisfaction report as an A4 PDF: a title, then sections of a heading, a note
//! and a table.
//!
//! The text is shaped and broken as on the poster, with the same embedded Sarabun, so
//! the PDF reads the same on every machine and its Thai can be searched and copied.
//! Column widths follow the content: a column gets what its longest cell needs on one
//! line when the page allows, a short column keeps that beside a long one, and no
//! column gets less than its longest word unless the table has so many columns that
//! even words must be cut. A table of more than
//! [`PORTRAIT_MAX_COLUMNS`] columns turns the whole document to landscape.
//! Long tables continue on the next page under their header row again; each page ends
//! with the footer and "หน้า N / M".

use std::mem;

use krilla::Document;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;

use crate::PosterError;
use crate::layout::{Block, PAGE_HEIGHT_PT, PAGE_WIDTH_PT, Rgb, TextLine};
use crate::pdf::{self, Fonts};
use crate::text::{self, Shaped, Weight};

/// What one report shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportDocument {
    /// In bold at the top of the first page, and the PDF's title.
    pub title: String,
    /// Lines under the title: the unit, the period, when the figures were taken.
    pub subtitle: Vec<String>,
    pub sections: Vec<ReportSection>,
    /// At the bottom of every page, left of the page number.
    pub footer: String,
}

/// A heading, an optional note under it, and a table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportSection {
    pub heading: String,
    /// What the reader needs to read the table right, such as why cells are masked.
    pub note: Option<String>,
    pub table: ReportTable,
}

/// Cells are plain text, laid out as given; a row shorter than the others is padded
/// with empty cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// right-aligned (numeric) columns
    pub numeric: Vec<bool>,
}

/// What a table without rows, or a report without sections, says instead.
pub const NO_DATA: &str = "ไม่มีข้อมูล / No data";
/// Added to the heading of a table continued on a new page.
const CONTINUED: &str = "(ต่อ)";
/// Beyond this many columns the document is set on landscape pages.
pub const PORTRAIT_MAX_COLUMNS: usize = 6;

const MARGIN_X: f32 = 40.0;
const MARGIN_TOP: f32 = 40.0;
const MARGIN_BOTTOM: f32 = 28.0;
/// Baseline to baseline, in em: Thai stacks a tone mark over an upper vowel and hangs
/// lower vowels below.
const LEADING: f32 = 1.45;

const TITLE_SIZE: f32 = 18.0;
const SUBTITLE_SIZE: f32 = 11.0;
const HEADING_SIZE: f32 = 13.0;
const NOTE_SIZE: f32 = 10.0;
const FOOTER_SIZE: f32 = 9.0;
/// The table's text, from the first size to the last: smaller only when a table has
/// so many columns that its words do not fit whole.
const CELL_SIZES: [f32; 3] = [10.0, 9.0, 8.0];
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 2.0;
const RULE_WIDTH: f32 = 0.5;

const INK: Rgb = Rgb(0x1a, 0x1a, 0x1a);
/// 7.5:1 on white: notes and the footer stay readable when photocopied.
const GREY: Rgb = Rgb(0x55, 0x55, 0x55);
const RULE: Rgb = Rgb(0x80, 0x80, 0x80);
const HEADER_FILL: Rgb = Rgb(0xe3, 0xe8, 0xf0);
const STRIPE_FILL: Rgb = Rgb(0xf4, 0xf6, 0xf9);

/// The report as PDF bytes: A4, Sarabun embedded.
pub fn report_pdf(doc: &ReportDocument) -> Result<Vec<u8>, PosterError> {
    let landscape = doc
        .sections
        .iter()
        .any(|s| columns(&s.table) > PORTRAIT_MAX_COLUMNS);
    let (width, height) = if landscape {
        (PAGE_HEIGHT_PT, PAGE_WIDTH_PT)
    } else {
        (PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
    };
    let pages = layout(doc, width, height);

    let fonts = Fonts::new()?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(text::normalize(&doc.title))
            .language("th".to_owned())
            .creator("citizeninfo".to_owned()),
    );
    let settings = PageSettings::from_wh(width, height)
        .ok_or_else(|| PosterError::Pdf("bad page size".into()))?;
    for content in &pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        pdf::draw_blocks(&mut surface, &content.fills);
        for line in &content.lines {
            pdf::draw_line(&mut surface, line, &fonts);
        }
        // Over the fills, so that a stripe never covers half a rule.
        pdf::draw_blocks(&mut surface, &content.rules);
        surface.finish();
        page.finish();
    }
    pdf::finish(document)
}

fn columns(table: &ReportTable) -> usize {
    table
        .rows
        .iter()
        .map(Vec::len)
        .chain([table.headers.len()])
        .max()
        .unwrap_or(0)
}

#[derive(Default)]
struct Page {
    fills: Vec<Block>,
    lines: Vec<TextLine>,
    rules: Vec<Block>,
}

fn pitch(size: f32) -> f32 {
    size * LEADING
}

/// Where the baseline of a line goes in a line box from `top`: Sarabun's ink runs from
/// about 1.0 em above the baseline to 0.25 em below, centred in the box.
fn baseline(top: f32, size: f32) -> f32 {
    top + pitch(size) / 2.0 + 0.375 * size
}

fn layout(doc: &ReportDocument, width: f32, height: f32) -> Vec<Page> {
    let content = width - 2.0 * MARGIN_X;
    let footer = text::normalize(&doc.footer);
    // Room for the widest page number the report could have, fixed before the pages are
    // counted.
    let number_width = text::shape(&page_number(8888, 8888), Weight::Regular).width * FOOTER_SIZE;
    let footer_lines = text::wrap_within(
        &footer,
        Weight::Regular,
        (content - number_width - 12.0) / FOOTER_SIZE,
    );
    let footer_top = height - MARGIN_BOTTOM - footer_lines.len().max(1) as f32 * pitch(FOOTER_SIZE);

    let mut pages = Pages {
        left: MARGIN_X,
        content,
        top: MARGIN_TOP,
        bottom: footer_top - 10.0,
        done: Vec::new(),
        page: Page::default(),
        y: MARGIN_TOP,
    };

    let title = text::normalize(&doc.title);
    pages.paragraph(&title, Weight::Bold, TITLE_SIZE, INK);
    for line in &doc.subtitle {
        pages.paragraph(&text::normalize(line), Weight::Regular, SUBTITLE_SIZE, GREY);
    }
    if doc.sections.is_empty() {
        pages.gap(8.0);
        pages.paragraph(NO_DATA, Weight::Regular, NOTE_SIZE, INK);
    }
    for section in &doc.sections {
        pages.gap(14.0);
        pages.section(section);
    }
    let mut done = pages.finish();

    let total = done.len();
    for (i, page) in done.iter_mut().enumerate() {
        page.rules.push(Block {
            x: MARGIN_X,
            y: footer_top - 4.0,
            width: content,
            height: RULE_WIDTH,
            color: RULE,
        });
        let mut top = footer_top;
        for shaped in &footer_lines {
            page.lines.push(TextLine {
                shaped: shaped.clone(),
                weight: Weight::Regular,
                size: FOOTER_SIZE,
                x: MARGIN_X,
                baseline: baseline(top, FOOTER_SIZE),
                color: GREY,
            });
            top += pitch(FOOTER_SIZE);
        }
        let number = text::shape(&page_number(i + 1, total), Weight::Regular);
        page.lines.push(TextLine {
            x: MARGIN_X + content - number.width * FOOTER_SIZE,
            shaped: number,
            weight: Weight::Regular,
            size: FOOTER_SIZE,
            baseline: baseline(footer_top, FOOTER_SIZE),
            color: GREY,
        });
    }
    done
}

fn page_number(n: usize, of: usize) -> String {
    format!("หน้า {n} / {of}")
}

/// The pages as they fill, from the top down.
struct Pages {
    left: f32,
    content: f32,
    /// The body between the margin and the footer.
    top: f32,
    bottom: f32,
    done: Vec<Page>,
    page: Page,
    y: f32,
}

impl Pages {
    fn new_page(&mut self) {
        self.done.push(mem::take(&mut self.page));
        self.y = self.top;
    }

    fn fresh(&self) -> bool {
        self.y <= self.top
    }

    fn room(&self) -> f32 {
        self.bottom - self.y
    }

    fn finish(mut self) -> Vec<Page> {
        self.done.push(self.page);
        self.done
    }

    /// Space that does not carry over to the top of a new page.
    fn gap(&mut self, gap: f32) {
        if !self.fresh() {
            self.y += gap;
        }
    }

    fn paragraph_lines(&self, text: &str, weight: Weight, size: f32) -> Vec<Shaped> {
        text::wrap_within(text, weight, self.content / size)
    }

    fn place_lines(&mut self, lines: Vec<Shaped>, weight: Weight, size: f32, color: Rgb) {
        for shaped in lines {
            if pitch(size) > self.room() && !self.fresh() {
                self.new_page();
            }
            self.page.lines.push(TextLine {
                shaped,
                weight,
                size,
                x: self.left,
                baseline: baseline(self.y, size),
                color,
            });
            self.y += pitch(size);
        }
    }

    fn paragraph(&mut self, text: &str, weight: Weight, size: f32, color: Rgb) {
        let lines = self.paragraph_lines(text, weight, size);
        self.place_lines(lines, weight, size, color);
    }

    fn section(&mut self, section: &ReportSection) {
        let heading_text = text::normalize(&section.heading);
        let heading = self.paragraph_lines(&heading_text, Weight::Bold, HEADING_SIZE);
        let note = section
            .note
            .as_deref()
            .map(text::normalize)
            .map(|n| self.paragraph_lines(&n, Weight::Regular, NOTE_SIZE))
            .unwrap_or_default();
        let table = Table::new(&section.table, self.content);

        // A heading is kept with the table's first row rather than left alone at the
        // bottom of a page.
        let start = heading.len() as f32 * pitch(HEADING_SIZE)
            + note.len() as f32 * pitch(NOTE_SIZE)
            + 4.0
            + table
                .header
                .as_ref()
                .map_or(0.0, |h| table.height(h.lines()))
            + table
                .rows
                .first()
                .map_or(table.height(1), |r| table.height(r.lines()));
        if start > self.room() && !self.fresh() {
            self.new_page();
        }
        self.place_lines(heading, Weight::Bold, HEADING_SIZE, INK);
        self.place_lines(note, Weight::Regular, NOTE_SIZE, GREY);
        self.y += 4.0;
        self.table(&table, &heading_text);
    }

    fn table(&mut self, table: &Table, heading: &str) {
        if table.widths.is_empty() {
            self.paragraph(NO_DATA, Weight::Regular, table.size, INK);
            return;
        }
        let mut open = false;
        if let Some(header) = &table.header {
            if table.height(header.lines()) > self.room() && !self.fresh() {
                self.new_page();
            }
            self.row(table, header, 0, header.lines(), &mut open);
        }
        if table.rows.is_empty() {
            let row = Row {
                cells: vec![vec![text::shape(NO_DATA, Weight::Regular)]],
                weight: Weight::Regular,
                fill: None,
                span: true,
            };
            if table.height(1) > self.room() && !self.fresh() {
                self.continue_table(table, heading, &mut open);
            }
            self.row(table, &row, 0, 1, &mut open);
            return;
        }
        // Rows placed on this page under the header.
        let mut rows_here = 0;
        for row in &table.rows {
            let total = row.lines();
            let mut from = 0;
            loop {
                let left = total - from;
                let fits = table.lines_in(self.room());
                if fits >= left {
                    self.row(table, row, from, left, &mut open);
                    rows_here += 1;
                    break;
                }
                // A row moves whole to the next page when it fits there; one taller
                // than a page is split between its lines.
                if rows_here > 0 && from == 0 && left <= self.lines_on_new_page(table, heading) {
                    self.continue_table(table, heading, &mut open);
                    rows_here = 0;
                    continue;
                }
                // Under a header that leaves no line, one line anyway, so that the
                // table moves on.
                let n = if rows_here == 0 { fits.max(1) } else { fits };
                if n > 0 {
                    self.row(table, row, from, n, &mut open);
                    from += n;
                }
                self.continue_table(table, heading, &mut open);
                rows_here = 0;
            }
        }
    }

    /// How many lines of a row a new page holds under the continued heading and header.
    fn lines_on_new_page(&self, table: &Table, heading: &str) -> usize {
        let heading = self.paragraph_lines(&continued(heading), Weight::Bold, NOTE_SIZE);
        let used = heading.len() as f32 * pitch(NOTE_SIZE)
            + 4.0
            + table
                .header
                .as_ref()
                .map_or(0.0, |h| table.height(h.lines()));
        table.lines_in(self.bottom - self.top - used)
    }

    fn continue_table(&mut self, table: &Table, heading: &str, open: &mut bool) {
        self.new_page();
        *open = false;
        self.paragraph(&continued(heading), Weight::Bold, NOTE_SIZE, GREY);
        self.y += 4.0;
        if let Some(header) = &table.header {
            self.row(table, header, 0, header.lines(), open);
        }
    }

    /// Lines `from..from + count` of each cell of `row`, with the rules around them.
    /// `open` is whether the table already has its top rule on this page.
    fn row(&mut self, table: &Table, row: &Row, from: usize, count: usize, open: &mut bool) {
        let top = self.y;
        let height = table.height(count);
        let size = table.size;
        let total: f32 = table.widths.iter().sum();
        if let Some(color) = row.fill {
            self.page.fills.push(Block {
                x: self.left,
                y: top,
                width: total,
                height,
                color,
            });
        }
        let mut x = self.left;
        for (c, width) in table.widths.iter().enumerate() {
            let width = if row.span { total } else { *width };
            let right = table.numeric.get(c).copied().unwrap_or(false) && !row.span;
            let mut line_top = top + CELL_PAD_Y;
            for shaped in row
                .cells
                .get(c)
                .into_iter()
                .flatten()
                .skip(from)
                .take(count)
            {
                let line_x = if right {
                    x + width - CELL_PAD_X - shaped.width * size
                } else {
                    x + CELL_PAD_X
                };
                self.page.lines.push(TextLine {
                    shaped: shaped.clone(),
                    weight: row.weight,
                    size,
                    x: line_x,
                    baseline: baseline(line_top, size),
                    color: INK,
                });
                line_top += pitch(size);
            }
            if row.span {
                break;
            }
            x += width;
        }

        let rule = |x: f32, y: f32, width: f32, height: f32| Block {
            x,
            y,
            width,
            height,
            color: RULE,
        };
        let half = RULE_WIDTH / 2.0;
        if !*open {
            self.page.rules.push(rule(
                self.left - half,
                top - half,
                total + RULE_WIDTH,
                RULE_WIDTH,
            ));
            *open = true;
        }
        self.page.rules.push(rule(
            self.left - half,
            top + height - half,
            total + RULE_WIDTH,
            RULE_WIDTH,
        ));
        let mut x = self.left;
        self.page
            .rules
            .push(rule(x - half, top, RULE_WIDTH, height));
        for width in &table.widths {
            x += width;
            if !row.span {
                self.page
                    .rules
                    .push(rule(x - half, top, RULE_WIDTH, height));
            }
        }
        if row.span {
            self.page
                .rules
                .push(rule(x - half, top, RULE_WIDTH, height));
        }
        self.y += height;
    }
}

fn continued(heading: &str) -> String {
    if heading.is_empty() {
        CONTINUED.to_owned()
    } else {
        format!("{heading} {CONTINUED}")
    }
}

/// A row's cells broken into lines.
struct Row {
    cells: Vec<Vec<Shaped>>,
    weight: Weight,
    fill: Option<Rgb>,
    /// One cell across the whole table.
    span: bool,
}

impl Row {
    /// An empty row is still a line high.
    fn lines(&self) -> usize {
        self.cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
    }
}

/// A table measured and broken into lines for its column widths.
struct Table {
    size: f32,
    /// Points, padding included; empty when the table has no column.
    widths: Vec<f32>,
    numeric: Vec<bool>,
    header: Option<Row>,
    rows: Vec<Row>,
}

/// A cell shaped on one line, with what it needs at the least, both in em.
struct Cell {
    shaped: Shaped,
    widest_word: f32,
}

impl Cell {
    fn new(text: &str, weight: Weight) -> Cell {
        let shaped = text::shape(&text::normalize(text), weight);
        let widest_word = text::widest_word(&shaped);
        Cell {
            shaped,
            widest_word,
        }
    }

    /// The lines of the cell in a column `width` points wide.
    fn lines(self, weight: Weight, size: f32, width: f32) -> Vec<Shaped> {
        let inner = (width - 2.0 * CELL_PAD_X) / size;
        if self.shaped.text.is_empty() {
            Vec::new()
        } else if self.shaped.width <= inner {
            vec![self.shaped]
        } else {
            text::wrap_within(&self.shaped.text, weight, inner)
        }
    }
}

impl Table {
    fn new(table: &ReportTable, content: f32) -> Table {
        let columns = columns(table);
        let with_header = table.headers.iter().any(|h| !h.trim().is_empty());
        let measure = |cells: &[String], weight: Weight| -> Vec<Cell> {
            (0..columns)
                .map(|c| Cell::new(cells.get(c).map_or("", String::as_str), weight))
                .collect()
        };
        let header = with_header.then(|| measure(&table.headers, Weight::Bold));
        let rows: Vec<Vec<Cell>> = table
            .rows
            .iter()
            .map(|r| measure(r, Weight::Regular))
            .collect();

        let mut natural = vec![0.0_f32; columns];
        let mut least = vec![0.0_f32; columns];
        for cells in header.iter().chain(&rows) {
            for (c, cell) in cells.iter().enumerate() {
                natural[c] = natural[c].max(cell.shaped.width);
                least[c] = least[c].max(cell.widest_word);
            }
        }
        let pad = 2.0 * CELL_PAD_X;
        let at = |em: &[f32], size: f32| em.iter().map(|w| w * size + pad).collect::<Vec<_>>();
        let size = CELL_SIZES
            .into_iter()
            .find(|&size| at(&least, size).iter().sum::<f32>() <= content)
            .unwrap_or(CELL_SIZES[CELL_SIZES.len() - 1]);
        let widths = if columns == 0 {
            Vec::new()
        } else {
            fit_columns(&at(&natural, size), &at(&least, size), content)
        };

        let break_row = |cells: Vec<Cell>, weight: Weight, fill: Option<Rgb>| Row {
            cells: cells
                .into_iter()
                .zip(&widths)
                .map(|(cell, &width)| cell.lines(weight, size, width))
                .collect(),
            weight,
            fill,
            span: false,
        };
        Table {
            size,
            numeric: table.numeric.clone(),
            header: header.map(|h| break_row(h, Weight::Bold, Some(HEADER_FILL))),
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| break_row(r, Weight::Regular, (i % 2 == 1).then_some(STRIPE_FILL)))
                .collect(),
            widths,
        }
    }

    fn height(&self, lines: usize) -> f32 {
        lines as f32 * pitch(self.size) + 2.0 * CELL_PAD_Y
    }

    fn lines_in(&self, room: f32) -> usize {
        let lines = (room - 2.0 * CELL_PAD_Y) / pitch(self.size);
        if lines > 0.0 { lines as usize } else { 0 }
    }
}

/// Column widths that fill `content`, from what each column needs on one line
/// (`natural`) and at the least (`least`), both in points.
///
/// Columns are widened by their share of the natural width when all fit. Otherwise a
/// column narrower than an even share of what is left keeps its natural width, so that
/// a short label or a number is not broken to give a long text a few more points; the
/// other columns give up part of what they have beyond their least, in proportion to
/// it, as browsers lay out tables. When even the least widths do not fit, words are
/// cut and every column shrinks alike.
fn fit_columns(natural: &[f32], least: &[f32], content: f32) -> Vec<f32> {
    let natural_sum: f32 = natural.iter().sum();
    let least_sum: f32 = least.iter().sum();
    if natural_sum <= content {
        return natural.iter().map(|w| w * content / natural_sum).collect();
    }
    if least_sum >= content {
        return least.iter().map(|w| w * content / least_sum).collect();
    }
    let shrink = |keep: &[bool], room: f32| -> Option<Vec<f32>> {
        let open = |v: &[f32]| -> f32 {
            v.iter()
                .zip(keep)
                .filter(|(_, k)| !**k)
                .map(|(w, _)| w)
                .sum()
        };
        let (natural_open, least_open) = (open(natural), open(least));
        if least_open >= room || natural_open <= least_open {
            return None;
        }
        let share = (room - least_open) / (natural_open - least_open);
        Some(
            natural
                .iter()
                .zip(least)
                .zip(keep)
                .map(|((n, l), k)| if *k { *n } else { l + (n - l) * share })
                .collect(),
        )
    };
    let mut keep = vec![false; natural.len()];
    let mut room = content;
    loop {
        let open = keep.iter().filter(|k| !**k).count();
        let even = room / open as f32;
        let narrow: Vec<usize> = (0..natural.len())
            .filter(|&c| !keep[c] && natural[c] <= even)
            .collect();
        if narrow.is_empty() {
            break;
        }
        for c in narrow {
            keep[c] = true;
            room -= natural[c];
        }
    }
    shrink(&keep, room)
        .or_else(|| shrink(&vec![false; natural.len()], content))
        .unwrap_or_else(|| least.iter().map(|w| w * content / least_sum).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: usize, rows: usize, cell: &str) -> ReportTable {
        ReportTable {
            headers: (0..columns).map(|c| format!("หัวข้อ {c}")).collect(),
            rows: (0..rows)
                .map(|r| (0..columns).map(|c| format!("{cell} {r}-{c}")).collect())
                .collect(),
            numeric: vec![false; columns],
        }
    }

    fn doc(sections: Vec<ReportSection>) -> ReportDocument {
        ReportDocument {
            title: "รายงานความพึงพอใจ".into(),
            subtitle: vec!["ไตรมาสที่ 1".into()],
            sections,
            footer: "citizeninfo".into(),
        }
    }

    fn section(table: ReportTable) -> ReportSection {
        ReportSection {
            heading: "ตาราง".into(),
            note: None,
            table,
        }
    }

    fn everything_inside(pages: &[Page], width: f32, height: f32) {
        for page in pages {
            for line in &page.lines {
                let right = line.x + line.shaped.width * line.size;
                assert!(
                    line.x >= MARGIN_X - 0.01 && right <= width - MARGIN_X + 0.5,
                    "{} from {} to {right}",
                    line.shaped.text,
                    line.x
                );
                assert!(
                    line.baseline <= height - MARGIN_BOTTOM,
                    "{}",
                    line.shaped.text
                );
                assert!(line.baseline - line.size >= 0.0, "{}", line.shaped.text);
            }
        }
    }

    #[test]
    fn columns_get_their_natural_width_when_it_fits_and_their_least_width_first() {
        assert_eq!(
            fit_columns(&[100.0, 50.0], &[20.0, 10.0], 300.0),
            [200.0, 100.0]
        );
        let squeezed = fit_columns(&[400.0, 100.0], &[50.0, 100.0], 300.0);
        assert_eq!(squeezed, [200.0, 100.0]);
        let cut = fit_columns(&[400.0, 400.0], &[200.0, 400.0], 300.0);
        assert_eq!(cut, [100.0, 200.0]);
        // The short label keeps its width; the long text takes the rest.
        let label = fit_columns(&[40.0, 1000.0, 30.0], &[35.0, 300.0, 30.0], 500.0);
        assert_eq!(label, [40.0, 430.0, 30.0]);
        // Two long texts and a label that needs its width for them to fit.
        let tight = fit_columns(&[200.0, 600.0, 600.0], &[150.0, 160.0, 160.0], 500.0);
        assert!(
            (tight.iter().sum::<f32>() - 500.0).abs() < 0.01,
            "{tight:?}"
        );
        assert!(
            tight
                .iter()
                .zip([150.0, 160.0, 160.0])
                .all(|(w, l)| *w >= l),
            "{tight:?}"
        );
    }

    #[test]
    fn every_cell_stays_inside_its_column_and_the_page() {
        let long = "ศูนย์บริการประชาชนและศูนย์ดำรงธรรมสำนักงานพัฒนาชุมชนจังหวัดชลบุรี";
        let code = "citizeninfo.example.go.th/r/Qx7mP2vL9kR4tW8zN3bH6cQx7mP2vL9kR4tW8zN3bH6c";
        for columns in [1, 3, 6, 7, 14] {
            let mut t = table(columns, 8, long);
            t.rows[3][0] = code.into();
            let width = if columns > PORTRAIT_MAX_COLUMNS {
                PAGE_HEIGHT_PT
            } else {
                PAGE_WIDTH_PT
            };
            let height = if columns > PORTRAIT_MAX_COLUMNS {
                PAGE_WIDTH_PT
            } else {
                PAGE_HEIGHT_PT
            };
            let pages = layout(&doc(vec![section(t.clone())]), width, height);
            everything_inside(&pages, width, height);
            let measured = Table::new(&t, width - 2.0 * MARGIN_X);
            let sum: f32 = measured.widths.iter().sum();
            assert!((sum - (width - 2.0 * MARGIN_X)).abs() < 0.5, "{sum}");
            for row in measured.rows.iter().chain(&measured.header) {
                for (cell, width) in row.cells.iter().zip(&measured.widths) {
                    for line in cell {
                        assert!(
                            line.width * measured.size <= width - 2.0 * CELL_PAD_X + 0.5,
                            "{columns} columns: {} in {width}",
                            line.text
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_and_the_table_goes_on() {
        let huge = "น้ำประปา ".repeat(900);
        let mut t = table(2, 3, "แถว");
        t.rows[1][1] = huge.clone();
        let pages = layout(&doc(vec![section(t)]), PAGE_WIDTH_PT, PAGE_HEIGHT_PT);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        everything_inside(&pages, PAGE_WIDTH_PT, PAGE_HEIGHT_PT);
        let on = |page: &Page, text: &str| page.lines.iter().any(|l| l.shaped.text.contains(text));
        let last = pages.last().unwrap();
        assert!(on(&pages[0], "น้ำประปา") && on(last, "น้ำประปา"));
        assert!(on(last, "แถว 2-1") && on(last, "หัวข้อ 1"));
        let texts: Vec<&str> = pages
            .iter()
            .flat_map(|p| &p.lines)
            .map(|l| l.shaped.text.as_str())
            .collect();
        assert!(texts.contains(&"แถว 2-1"));
        // A line may end between น้ำ and ประปา, never inside either.
        for word in ["น้ำ", "ประปา"] {
            let count: usize = texts.iter().map(|t| t.matches(word).count()).sum();
            assert_eq!(count, 900, "{word}");
        }
    }

    #[test]
    fn an_empty_table_and_an_empty_report_say_so() {
        for d in [
            doc(vec![]),
            doc(vec![section(table(3, 0, ""))]),
            doc(vec![section(ReportTable::default())]),
        ] {
            let pages = layout(&d, PAGE_WIDTH_PT, PAGE_HEIGHT_PT);
            assert_eq!(pages.len(), 1);
            assert!(
                pages[0].lines.iter().any(|l| l.shaped.text == NO_DATA),
                "{:?}",
                d.sections
            );
        }
    }
}
