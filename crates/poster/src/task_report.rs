//! A unit's report on a task (แบบรายงานผลการดำเนินการ) as an A4 PDF: the form sent with
//! a letter for the unit to fill in and send back, or printed with what it reported.
//!
//! It prints as the forms provinces send with their letters: the heading and the
//! reporting unit centred, a table of the items with the columns ที่, รายการ,
//! ผลการดำเนินงาน (✓) over ดำเนินการแล้ว and ยังไม่ดำเนินการ, and หมายเหตุ, then the
//! reporter's signature block and any lines on the report's return or acceptance.
//! Sarabun has no check mark, so the tick is drawn as a path, under a blank glyph that
//! reads as "✓" when the text is copied. A table longer than a page goes on under its
//! header again, the pages after the first numbered "- ๒ -".

use std::mem;

use krilla::Document;
use krilla::geom::PathBuilder;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;

use crate::PosterError;
use crate::layout::{Block, PAGE_HEIGHT_PT, PAGE_WIDTH_PT, Rgb, TextLine};
use crate::letter::{baseline, page_number, pitch, thai_digits, wrap_first};
use crate::pdf::{self, Fonts};
use crate::text::{self, Shaped, Weight};

/// What one report form shows, laid out by [`task_report_pdf`].
///
/// Digits are printed as given: the caller writes dates in Thai digits and the
/// Buddhist era. The items are numbered "๑.", "๒."… in their order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskReportForm {
    /// The heading, e.g. "แบบรายงานการสมัครใช้งานระบบ CITIZENinfo".
    pub title: String,
    /// The reporting unit under the heading, e.g.
    /// "สำนักงานพัฒนาชุมชนอำเภอบางละมุง จังหวัดชลบุรี".
    pub unit_line: String,
    pub items: Vec<TaskReportItem>,
    /// In parentheses under the signature line; without it the parentheses are
    /// dotted for a name written by hand.
    pub reporter_name: Option<String>,
    /// After "ตำแหน่ง"; dotted when absent.
    pub reporter_position: Option<String>,
    /// After "วันที่", e.g. "๑๓ สิงหาคม ๒๕๖๓"; "...../...../....." when absent.
    pub report_date: Option<String>,
    /// Under the signature, one paragraph each: the report's return with its comment,
    /// or its acceptance.
    pub status_lines: Vec<String>,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskReportItem {
    /// In the รายการ column.
    pub text: String,
    /// Under the text as "- …" lines.
    pub sub_items: Vec<String>,
    pub status: TaskItemStatus,
    /// In the หมายเหตุ column, one line each, e.g. "ชื่อผู้ใช้งาน :".
    pub remarks: Vec<String>,
}

/// Which of the two result columns has the tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskItemStatus {
    /// Neither: a form to fill in by hand.
    #[default]
    Unmarked,
    /// Ticked under ดำเนินการแล้ว.
    Done,
    /// Ticked under ยังไม่ดำเนินการ.
    NotDone,
}

const NUMBER_HEADER: &str = "ที่";
const ITEM_HEADER: &str = "รายการ";
/// Over the two result columns, followed by a drawn tick in parentheses.
const RESULT_HEADER: &str = "ผลการดำเนินงาน";
/// The headings of the result columns, where each breaks when it does not fit on one
/// line: the line breaker would break "ดำเนินการ" after "ดำเนิน".
const DONE_HEADER: [&str; 2] = ["ดำเนินการ", "แล้ว"];
const NOT_DONE_HEADER: [&str; 2] = ["ยังไม่", "ดำเนินการ"];
const REMARKS_HEADER: &str = "หมายเหตุ";
const SIGNED: &str = "ลงชื่อ";
const REPORTER: &str = "ผู้รายงาน";
const POSITION: &str = "ตำแหน่ง";
const DATE: &str = "วันที่";
const BLANK_DATE: &str = "...../...../.....";

const CM: f32 = 72.0 / 2.54;
const TITLE_SIZE: f32 = 16.0;
const SIZE: f32 = 14.0;
const MARGIN_X: f32 = 2.0 * CM;
const MARGIN_TOP: f32 = 2.0 * CM;
const MARGIN_BOTTOM: f32 = 2.0 * CM;
const CELL_PAD_X: f32 = 5.0;
const CELL_PAD_Y: f32 = 3.0;
/// The indent of a sub-item under its item.
const SUB_INDENT: f32 = 0.75 * SIZE;
const RULE_WIDTH: f32 = 0.75;
/// The side of the drawn tick, in em.
const TICK: f32 = 0.8;
/// The dotted space for a signature or a word written by hand, in points.
const DOTS: f32 = 4.5 * CM;

const INK: Rgb = Rgb(0x00, 0x00, 0x00);
const LEFT: f32 = MARGIN_X;
const CONTENT: f32 = PAGE_WIDTH_PT - 2.0 * MARGIN_X;

/// The form as PDF bytes: A4, Sarabun embedded.
pub fn task_report_pdf(form: &TaskReportForm) -> Result<Vec<u8>, PosterError> {
    let pages = layout(form);
    let fonts = Fonts::new()?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(text::normalize(&form.title))
            .language("th".to_owned())
            .creator("citizeninfo".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
        .ok_or_else(|| PosterError::Pdf("bad page size".into()))?;
    for content in &pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for line in &content.lines {
            pdf::draw_line(&mut surface, line, &fonts);
        }
        draw_ticks(&mut surface, &content.ticks);
        pdf::draw_blocks(&mut surface, &content.rules);
        surface.finish();
        page.finish();
    }
    pdf::finish(document)
}

/// A check mark whose box has its top left corner at (`x`, `y`), `size` points a side.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tick {
    x: f32,
    y: f32,
    size: f32,
}

/// The outline of a tick in a unit box: a short stroke down to the right, a long one up.
const TICK_OUTLINE: [(f32, f32); 6] = [
    (0.0, 0.55),
    (0.14, 0.41),
    (0.38, 0.65),
    (0.86, 0.05),
    (1.0, 0.19),
    (0.38, 0.93),
];

fn draw_ticks(surface: &mut Surface<'_>, ticks: &[Tick]) {
    let mut path = PathBuilder::new();
    for tick in ticks {
        let at = |(x, y): (f32, f32)| (tick.x + x * tick.size, tick.y + y * tick.size);
        let (x, y) = at(TICK_OUTLINE[0]);
        path.move_to(x, y);
        for &point in &TICK_OUTLINE[1..] {
            let (x, y) = at(point);
            path.line_to(x, y);
        }
        path.close();
    }
    if let Some(path) = path.finish() {
        surface.set_fill(Some(pdf::fill(INK)));
        surface.draw_path(&path);
    }
}

#[derive(Default)]
struct Page {
    lines: Vec<TextLine>,
    rules: Vec<Block>,
    ticks: Vec<Tick>,
}

/// A line of text in a cell: which line of the cell, its x from the cell's left edge.
#[derive(Clone)]
struct CellLine {
    shaped: Shaped,
    weight: Weight,
    line: usize,
    dx: f32,
}

type Cell = Vec<CellLine>;

fn height_of(cell: &[CellLine]) -> usize {
    cell.iter().map(|l| l.line + 1).max().unwrap_or(0)
}

/// A body row: its cells' lines and the column of its tick, if any.
struct Row {
    cells: [Cell; 5],
    tick: Option<usize>,
}

impl Row {
    fn lines(&self) -> usize {
        self.cells
            .iter()
            .map(|c| height_of(c))
            .max()
            .unwrap_or(0)
            .max(1)
    }
}

const NUMBER: usize = 0;
const ITEM: usize = 1;
const DONE: usize = 2;
const NOT_DONE: usize = 3;
const REMARKS: usize = 4;

/// Column widths in points, padding included.
struct Columns([f32; 5]);

impl Columns {
    fn x(&self, column: usize) -> f32 {
        LEFT + self.0[..column].iter().sum::<f32>()
    }

    fn inner(&self, column: usize) -> f32 {
        self.0[column] - 2.0 * CELL_PAD_X
    }
}

fn item_number(i: usize) -> String {
    thai_digits(&format!("{}.", i + 1))
}

fn columns(form: &TaskReportForm) -> Columns {
    let pad = 2.0 * CELL_PAD_X;
    let width = |s: &str, weight| text::shape(s, weight).width * SIZE;
    let number = (0..form.items.len().max(1))
        .map(|i| width(&item_number(i), Weight::Regular))
        .fold(width(NUMBER_HEADER, Weight::Bold), f32::max)
        + pad;
    // The result columns as narrow as their headings broken in two allow, and wide
    // enough together for the heading over them on one line.
    let result = DONE_HEADER
        .iter()
        .chain(&NOT_DONE_HEADER)
        .map(|h| width(h, Weight::Bold))
        .fold(TICK * SIZE, f32::max)
        .max((width(RESULT_HEADER, Weight::Bold) + pad) / 2.0 - CELL_PAD_X)
        + pad;
    let rest = CONTENT - number - 2.0 * result;
    let remarks_natural = form
        .items
        .iter()
        .flat_map(|i| &i.remarks)
        .map(|r| width(&text::normalize(r), Weight::Regular))
        .fold(width(REMARKS_HEADER, Weight::Bold), f32::max)
        + pad;
    // The items have the most to say; an empty column still leaves room to write in.
    let remarks = remarks_natural.clamp(0.28 * rest, 0.38 * rest);
    Columns([number, rest - remarks, result, result, remarks])
}

/// `text` broken within `inner` points, each line `dx` from the cell's edge, from line
/// `first` of the cell.
fn wrapped(text: &str, weight: Weight, inner: f32, dx: f32, first: usize) -> Cell {
    text::wrap_within(&text::normalize(text), weight, inner / SIZE)
        .into_iter()
        .enumerate()
        .map(|(n, shaped)| CellLine {
            shaped,
            weight,
            line: first + n,
            dx,
        })
        .collect()
}

/// `text` broken within a cell `width` points wide, each line centred.
fn centred(text: &str, weight: Weight, width: f32) -> Cell {
    let mut cell = wrapped(text, weight, width - 2.0 * CELL_PAD_X, 0.0, 0);
    for line in &mut cell {
        line.dx = (width - line.shaped.width * SIZE) / 2.0;
    }
    cell
}

/// A heading given in parts: on one line when it fits, else a part a line, centred.
fn heading(parts: &[&str], width: f32) -> Cell {
    let whole = parts.concat();
    if text::shape(&whole, Weight::Bold).width * SIZE <= width - 2.0 * CELL_PAD_X {
        return centred(&whole, Weight::Bold, width);
    }
    let mut cell = Vec::new();
    for part in parts {
        let first = height_of(&cell);
        cell.extend(centred(part, Weight::Bold, width).into_iter().map(|mut l| {
            l.line += first;
            l
        }));
    }
    cell
}

fn body_row(i: usize, item: &TaskReportItem, columns: &Columns) -> Row {
    let mut cells: [Cell; 5] = Default::default();
    cells[NUMBER] = centred(&item_number(i), Weight::Regular, columns.0[NUMBER]);
    let inner = columns.inner(ITEM);
    cells[ITEM] = wrapped(&item.text, Weight::Regular, inner, CELL_PAD_X, 0);
    let dash = text::shape("- ", Weight::Regular).width * SIZE;
    for sub in &item.sub_items {
        let sub = format!("- {}", text::normalize(sub));
        let first = inner - SUB_INDENT;
        // The lines of a sub-item after its first hang under its text, not its dash.
        let lines = wrap_first(&sub, Weight::Regular, SIZE, first, first - dash);
        for (n, shaped) in lines.into_iter().enumerate() {
            let hang = if n == 0 { 0.0 } else { dash };
            let line = height_of(&cells[ITEM]);
            cells[ITEM].push(CellLine {
                shaped,
                weight: Weight::Regular,
                line,
                dx: CELL_PAD_X + SUB_INDENT + hang,
            });
        }
    }
    for remark in &item.remarks {
        let first = height_of(&cells[REMARKS]);
        let lines = wrapped(
            remark,
            Weight::Regular,
            columns.inner(REMARKS),
            CELL_PAD_X,
            first,
        );
        cells[REMARKS].extend(lines);
    }
    let tick = match item.status {
        TaskItemStatus::Unmarked => None,
        TaskItemStatus::Done => Some(DONE),
        TaskItemStatus::NotDone => Some(NOT_DONE),
    };
    Row { cells, tick }
}

/// The two header rows: the columns that span both, the result heading over its two
/// columns, and their own headings under it.
struct Header {
    spanning: [Cell; 5],
    /// Over the result columns, from the left of the first.
    result: Cell,
    /// The tick of "(✓)": its x from the left of the result columns, its line.
    result_tick: (f32, usize),
    done: Cell,
    not_done: Cell,
    /// Of the result heading, of the result columns' headings, of the whole header.
    top_height: f32,
    height: f32,
}

impl Header {
    fn new(columns: &Columns) -> Header {
        let mut spanning: [Cell; 5] = Default::default();
        for (c, h) in [
            (NUMBER, NUMBER_HEADER),
            (ITEM, ITEM_HEADER),
            (REMARKS, REMARKS_HEADER),
        ] {
            spanning[c] = centred(h, Weight::Bold, columns.0[c]);
        }
        let span = columns.0[DONE] + columns.0[NOT_DONE];
        let mut result = centred(RESULT_HEADER, Weight::Bold, span);
        // "(✓)": the parentheses as text, the tick drawn between them, after the
        // heading's last line when it fits there, else on a line of its own.
        let open = text::shape("(", Weight::Bold);
        let close = text::shape(")", Weight::Bold);
        let space = text::shape(" ", Weight::Bold).width * SIZE;
        let mark = (open.width + TICK) * SIZE + close.width * SIZE;
        let last_line = height_of(&result).saturating_sub(1);
        let last = result
            .iter()
            .filter(|l| l.line == last_line)
            .map(|l| l.shaped.width * SIZE)
            .sum::<f32>();
        let (line, at) = if last + space + mark <= span - 2.0 * CELL_PAD_X {
            let dx = (span - last - space - mark) / 2.0;
            for l in result.iter_mut().filter(|l| l.line == last_line) {
                l.dx = dx;
            }
            (last_line, dx + last + space)
        } else {
            (last_line + 1, (span - mark) / 2.0)
        };
        let tick_x = at + open.width * SIZE;
        result.push(CellLine {
            shaped: open,
            weight: Weight::Bold,
            line,
            dx: at,
        });
        result.push(CellLine {
            shaped: close,
            weight: Weight::Bold,
            line,
            dx: tick_x + TICK * SIZE,
        });
        let done = heading(&DONE_HEADER, columns.0[DONE]);
        let not_done = heading(&NOT_DONE_HEADER, columns.0[NOT_DONE]);
        let box_of = |lines: usize| lines as f32 * pitch(SIZE) + 2.0 * CELL_PAD_Y;
        let top_height = box_of(height_of(&result));
        let bottom = box_of(height_of(&done).max(height_of(&not_done)));
        let tallest = spanning.iter().map(|c| height_of(c)).max().unwrap_or(1);
        Header {
            spanning,
            result,
            result_tick: (tick_x, line),
            done,
            not_done,
            top_height,
            height: (top_height + bottom).max(box_of(tallest)),
        }
    }
}

/// The pages as they fill from the top down.
struct Pages {
    done: Vec<Page>,
    page: Page,
    top: f32,
    bottom: f32,
    y: f32,
}

fn rule(x: f32, y: f32, width: f32, height: f32) -> Block {
    Block {
        x,
        y,
        width,
        height,
        color: INK,
    }
}

/// What a tick reads as when the text is copied or searched.
const TICK_TEXT: &str = "\u{2713}";

/// A blank glyph over a tick that reads as [`TICK_TEXT`]: Sarabun's figure space,
/// which the text never uses itself ([`text::normalize`] turns it into a space), so
/// its one mapping in the font's Unicode map is the check mark. It is set at the size
/// that makes it as wide as the tick: a reader that places the text by the font's
/// widths then finds the mark over the tick, and nothing between it and its neighbours.
fn tick_text(x: f32, line_top: f32, weight: Weight) -> TextLine {
    let mut shaped = text::shape("\u{2007}", weight);
    let advance = shaped.width;
    shaped.text = TICK_TEXT.to_owned();
    for glyph in &mut shaped.glyphs {
        glyph.text = 0..TICK_TEXT.len();
    }
    TextLine {
        shaped,
        weight,
        size: TICK * SIZE / advance,
        x,
        baseline: baseline(line_top, SIZE),
        color: INK,
    }
}

fn tick_at(x: f32, line_top: f32) -> Tick {
    Tick {
        x,
        // Standing on the baseline, as tall as a Thai letter with a little to spare.
        y: baseline(line_top, SIZE) - (TICK - 0.1) * SIZE,
        size: TICK * SIZE,
    }
}

impl Pages {
    fn room(&self) -> f32 {
        self.bottom - self.y
    }

    fn fresh(&self) -> bool {
        self.y <= self.top
    }

    fn new_page(&mut self) {
        self.done.push(mem::take(&mut self.page));
        self.y = self.top;
    }

    fn finish(mut self) -> Vec<Page> {
        self.done.push(self.page);
        self.done
    }

    fn text(&mut self, shaped: Shaped, weight: Weight, size: f32, x: f32, top: f32) {
        self.page.lines.push(TextLine {
            shaped,
            weight,
            size,
            x,
            baseline: baseline(top, size),
            color: INK,
        });
    }

    /// Lines of `size` from the current position, a line that does not fit going to the
    /// next page.
    fn lines(&mut self, lines: Vec<(Shaped, f32)>, weight: Weight, size: f32) {
        for (shaped, x) in lines {
            if pitch(size) > self.room() && !self.fresh() {
                self.new_page();
            }
            let top = self.y;
            self.text(shaped, weight, size, x, top);
            self.y += pitch(size);
        }
    }

    fn cell(&mut self, cell: &[CellLine], x: f32, top: f32, lines: std::ops::Range<usize>) {
        for l in cell.iter().filter(|l| lines.contains(&l.line)) {
            let line_top = top + CELL_PAD_Y + (l.line - lines.start) as f32 * pitch(SIZE);
            self.text(l.shaped.clone(), l.weight, SIZE, x + l.dx, line_top);
        }
    }

    fn header(&mut self, header: &Header, columns: &Columns) {
        let top = self.y;
        let half = RULE_WIDTH / 2.0;
        let total = CONTENT;
        for c in [NUMBER, ITEM, REMARKS] {
            let cell = &header.spanning[c];
            let lines = height_of(cell);
            let inner = lines as f32 * pitch(SIZE) + 2.0 * CELL_PAD_Y;
            self.cell(
                cell,
                columns.x(c),
                top + (header.height - inner) / 2.0,
                0..lines,
            );
        }
        let result_x = columns.x(DONE);
        self.cell(&header.result, result_x, top, 0..height_of(&header.result));
        let (tick_x, tick_line) = header.result_tick;
        let line_top = top + CELL_PAD_Y + tick_line as f32 * pitch(SIZE);
        self.page.ticks.push(tick_at(result_x + tick_x, line_top));
        let text = tick_text(result_x + tick_x, line_top, Weight::Bold);
        self.page.lines.push(text);
        let bottom_top = top + header.top_height;
        let bottom_height = header.height - header.top_height;
        for (c, cell) in [(DONE, &header.done), (NOT_DONE, &header.not_done)] {
            let lines = height_of(cell);
            let inner = lines as f32 * pitch(SIZE) + 2.0 * CELL_PAD_Y;
            let cell_top = bottom_top + (bottom_height - inner) / 2.0;
            self.cell(cell, columns.x(c), cell_top, 0..lines);
        }

        let rules = &mut self.page.rules;
        rules.push(rule(
            LEFT - half,
            top - half,
            total + RULE_WIDTH,
            RULE_WIDTH,
        ));
        rules.push(rule(
            result_x - half,
            bottom_top - half,
            columns.0[DONE] + columns.0[NOT_DONE] + RULE_WIDTH,
            RULE_WIDTH,
        ));
        rules.push(rule(
            LEFT - half,
            top + header.height - half,
            total + RULE_WIDTH,
            RULE_WIDTH,
        ));
        for c in 0..=5 {
            let x = if c == 5 { LEFT + total } else { columns.x(c) };
            // The rule between the two result columns runs under their heading only.
            let (y, height) = if c == NOT_DONE {
                (bottom_top, bottom_height)
            } else {
                (top, header.height)
            };
            rules.push(rule(x - half, y, RULE_WIDTH, height));
        }
        self.y += header.height;
    }

    /// Lines `lines` of each cell of `row`, with the rules around and between them.
    fn row(&mut self, row: &Row, columns: &Columns, lines: std::ops::Range<usize>) {
        let top = self.y;
        let height = lines.len() as f32 * pitch(SIZE) + 2.0 * CELL_PAD_Y;
        for (c, cell) in row.cells.iter().enumerate() {
            self.cell(cell, columns.x(c), top, lines.clone());
        }
        if let Some(c) = row.tick
            && lines.start == 0
        {
            let x = columns.x(c) + (columns.0[c] - TICK * SIZE) / 2.0;
            self.page.ticks.push(tick_at(x, top + CELL_PAD_Y));
            let text = tick_text(x, top + CELL_PAD_Y, Weight::Regular);
            self.page.lines.push(text);
        }
        let half = RULE_WIDTH / 2.0;
        self.page.rules.push(rule(
            LEFT - half,
            top + height - half,
            CONTENT + RULE_WIDTH,
            RULE_WIDTH,
        ));
        for c in 0..=5 {
            let x = if c == 5 { LEFT + CONTENT } else { columns.x(c) };
            self.page
                .rules
                .push(rule(x - half, top, RULE_WIDTH, height));
        }
        self.y += height;
    }

    fn lines_in(&self, room: f32) -> usize {
        let n = (room - 2.0 * CELL_PAD_Y) / pitch(SIZE);
        if n > 0.0 { n as usize } else { 0 }
    }

    fn table(&mut self, rows: &[Row], header: &Header, columns: &Columns) {
        let on_new_page = self.lines_in(self.bottom - self.top - header.height);
        // The header is kept with the first row, or with two of its lines when the row is
        // split between pages anyway.
        let first = rows.first().map_or(1, Row::lines);
        let first = if first <= on_new_page {
            first
        } else {
            first.min(2)
        };
        if header.height + self.height_of_lines(first) > self.room() && !self.fresh() {
            self.new_page();
        }
        self.header(header, columns);
        for row in rows {
            let total = row.lines();
            let mut from = 0;
            loop {
                let fits = self.lines_in(self.room());
                let left = total - from;
                if fits >= left {
                    self.row(row, columns, from..total);
                    break;
                }
                // A row moves whole to the next page when it fits there; one taller than
                // a page is split between its lines.
                if from == 0 && left <= on_new_page {
                    self.new_page();
                    self.header(header, columns);
                    continue;
                }
                let n = fits.max(1).min(left);
                self.row(row, columns, from..from + n);
                from += n;
                if from < total {
                    self.new_page();
                    self.header(header, columns);
                }
            }
        }
    }

    fn height_of_lines(&self, lines: usize) -> f32 {
        lines as f32 * pitch(SIZE) + 2.0 * CELL_PAD_Y
    }
}

/// A dotted space for writing in by hand.
fn dots() -> String {
    let dot = text::shape(".", Weight::Regular).width * SIZE;
    ".".repeat((DOTS / dot) as usize)
}

/// The reporter's block: its lines, each centred on one axis in the right half.
fn signature(form: &TaskReportForm) -> Vec<String> {
    let dots = dots();
    let or_dots = |v: &Option<String>| {
        v.as_deref()
            .map(text::normalize)
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| dots.clone())
    };
    vec![
        format!("{SIGNED} {dots} {REPORTER}"),
        format!("({})", or_dots(&form.reporter_name)),
        format!("{POSITION} {}", or_dots(&form.reporter_position)),
        format!(
            "{DATE} {}",
            form.report_date
                .as_deref()
                .map(text::normalize)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| BLANK_DATE.to_owned())
        ),
    ]
}

fn layout(form: &TaskReportForm) -> Vec<Page> {
    let columns = columns(form);
    let header = Header::new(&columns);
    let rows: Vec<Row> = form
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| body_row(i, item, &columns))
        .collect();

    let mut pages = Pages {
        done: Vec::new(),
        page: Page::default(),
        top: MARGIN_TOP + 2.0 * pitch(SIZE),
        bottom: PAGE_HEIGHT_PT - MARGIN_BOTTOM,
        y: MARGIN_TOP,
    };
    for heading in [&form.title, &form.unit_line] {
        let lines = text::wrap_within(
            &text::normalize(heading),
            Weight::Bold,
            CONTENT / TITLE_SIZE,
        )
        .into_iter()
        .map(|l| {
            let x = LEFT + (CONTENT - l.width * TITLE_SIZE) / 2.0;
            (l, x)
        })
        .collect();
        pages.lines(lines, Weight::Bold, TITLE_SIZE);
    }
    pages.y += 10.0;
    pages.table(&rows, &header, &columns);

    // The signature block is kept whole, with the status lines' first after it.
    let texts = signature(form);
    let lines: Vec<Shaped> = texts
        .iter()
        .flat_map(|t| text::wrap_within(t, Weight::Regular, CONTENT / SIZE))
        .collect();
    let widest = lines.iter().map(|l| l.width * SIZE).fold(0.0, f32::max);
    let axis = (LEFT + CONTENT * 0.7).min(LEFT + CONTENT - widest / 2.0);
    let status: Vec<Shaped> = form
        .status_lines
        .iter()
        .map(|s| text::normalize(s))
        .filter(|s| !s.is_empty())
        .flat_map(|s| text::wrap_within(&s, Weight::Regular, CONTENT / SIZE))
        .collect();
    let gap = pitch(SIZE);
    let block = gap
        + lines.len() as f32 * pitch(SIZE)
        + if status.is_empty() {
            0.0
        } else {
            gap + pitch(SIZE)
        };
    if block > pages.room() {
        pages.new_page();
    } else {
        pages.y += gap;
    }
    let placed = lines
        .into_iter()
        .map(|l| {
            let x = axis - l.width * SIZE / 2.0;
            (l, x)
        })
        .collect();
    pages.lines(placed, Weight::Regular, SIZE);
    if !status.is_empty() {
        pages.y += gap;
        pages.lines(
            status.into_iter().map(|l| (l, LEFT)).collect(),
            Weight::Regular,
            SIZE,
        );
    }

    let mut done = pages.finish();
    for (i, page) in done.iter_mut().enumerate().skip(1) {
        let shaped = text::shape(&page_number(i + 1), Weight::Regular);
        page.lines.push(TextLine {
            x: (PAGE_WIDTH_PT - shaped.width * SIZE) / 2.0,
            shaped,
            weight: Weight::Regular,
            size: SIZE,
            baseline: baseline(MARGIN_TOP, SIZE),
            color: INK,
        });
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(items: usize, sub_items: usize) -> TaskReportForm {
        TaskReportForm {
            title: "แบบรายงานการสมัครใช้งานระบบ CITIZENinfo".into(),
            unit_line: "สำนักงานพัฒนาชุมชนอำเภอบางละมุง จังหวัดชลบุรี".into(),
            items: (0..items)
                .map(|i| TaskReportItem {
                    text: format!("ตรวจสอบ/เพิ่มเติม/แก้ไข ข้อมูล “จุดบริการหน่วยงานและโครงสร้าง” ที่ {i}"),
                    sub_items: (0..sub_items)
                        .map(|s| format!("หมายเลขโทรศัพท์หน่วยงาน {s}"))
                        .collect(),
                    status: [
                        TaskItemStatus::Done,
                        TaskItemStatus::NotDone,
                        TaskItemStatus::Unmarked,
                    ][i % 3],
                    remarks: vec![
                        "ชื่อผู้ใช้งาน : citizeninfo.example.go.th/a-very-long-user-name".into(),
                    ],
                })
                .collect(),
            reporter_name: Some("นางสาวน้ำฝน ใจดี".into()),
            reporter_position: None,
            report_date: Some("๑๓ สิงหาคม ๒๕๖๓".into()),
            status_lines: vec!["สถานะ: ส่งกลับให้แก้ไข".into()],
        }
    }

    fn everything_inside(pages: &[Page]) {
        for page in pages {
            for line in &page.lines {
                let right = line.x + line.shaped.width * line.size;
                assert!(
                    line.x >= LEFT - 0.01 && right <= LEFT + CONTENT + 0.5,
                    "{} from {} to {right}",
                    line.shaped.text,
                    line.x
                );
                assert!(line.baseline + 0.25 * line.size <= PAGE_HEIGHT_PT - MARGIN_BOTTOM + 0.5);
                assert!(
                    line.shaped.glyphs.iter().all(|g| g.id != 0),
                    "{}",
                    line.shaped.text
                );
                if line.shaped.text == TICK_TEXT {
                    let blank = text::shape("\u{2007}", line.weight);
                    assert_eq!(line.shaped.glyphs[0].id, blank.glyphs[0].id);
                    assert!((line.shaped.width * line.size - TICK * SIZE).abs() < 0.01);
                }
            }
            for rule in &page.rules {
                assert!(rule.y + rule.height <= PAGE_HEIGHT_PT - MARGIN_BOTTOM + 1.0);
            }
        }
    }

    #[test]
    fn the_columns_fill_the_width_and_every_cell_stays_in_its_column() {
        let form = form(5, 3);
        let columns = columns(&form);
        assert!((columns.0.iter().sum::<f32>() - CONTENT).abs() < 0.01);
        assert!(columns.0[ITEM] > columns.0[REMARKS], "{:?}", columns.0);
        let header = Header::new(&columns);
        let rows: Vec<Row> = form
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| body_row(i, item, &columns))
            .collect();
        let cells = rows
            .iter()
            .flat_map(|r| r.cells.iter().enumerate())
            .chain(header.spanning.iter().enumerate())
            .chain([(DONE, &header.done), (NOT_DONE, &header.not_done)]);
        for (c, cell) in cells {
            for line in cell {
                assert!(line.dx >= CELL_PAD_X - 0.01, "{}", line.shaped.text);
                assert!(
                    line.dx + line.shaped.width * SIZE <= columns.0[c] - CELL_PAD_X + 0.5,
                    "{} in column {c}",
                    line.shaped.text
                );
            }
        }
        // The headings over and of the result columns each fit their span.
        let span = columns.0[DONE] + columns.0[NOT_DONE];
        for line in &header.result {
            assert!(line.dx + line.shaped.width * SIZE <= span - CELL_PAD_X + 0.5);
        }
        assert_eq!(
            height_of(&header.result),
            1,
            "ผลการดำเนินงาน (✓) on one line"
        );
        assert!(header.result_tick.0 + TICK * SIZE <= span - CELL_PAD_X);
        everything_inside(&layout(&form));
    }

    #[test]
    fn each_tick_is_in_its_status_column_on_its_rows_first_line() {
        let form = form(4, 0);
        let pages = layout(&form);
        assert_eq!(pages.len(), 1);
        let columns = columns(&form);
        let page = &pages[0];
        // The first tick is the header's "(✓)"; then one per marked row.
        let marked: Vec<_> = form
            .items
            .iter()
            .filter(|i| i.status != TaskItemStatus::Unmarked)
            .collect();
        assert_eq!(page.ticks.len(), 1 + marked.len());
        for (tick, item) in page.ticks[1..].iter().zip(marked) {
            let c = if item.status == TaskItemStatus::Done {
                DONE
            } else {
                NOT_DONE
            };
            let centre = tick.x + tick.size / 2.0;
            assert!((centre - (columns.x(c) + columns.0[c] / 2.0)).abs() < 0.01);
            let number = page
                .lines
                .iter()
                .find(|l| {
                    l.shaped.text == item_number(form.items.iter().position(|i| i == item).unwrap())
                })
                .unwrap();
            assert!(tick.y < number.baseline && tick.y + tick.size > number.baseline - 0.5 * SIZE);
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_and_the_header_repeated() {
        let form = form(3, 60);
        let pages = layout(&form);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        everything_inside(&pages);
        for (i, page) in pages[..pages.len() - 1].iter().enumerate() {
            let texts: Vec<&str> = page.lines.iter().map(|l| l.shaped.text.as_str()).collect();
            assert!(texts.contains(&REMARKS_HEADER), "page {}: {texts:?}", i + 1);
        }
        let subs: usize = pages
            .iter()
            .flat_map(|p| &p.lines)
            .filter(|l| l.shaped.text.starts_with("- หมายเลขโทรศัพท์"))
            .count();
        assert_eq!(subs, 3 * 60, "every sub-item once");
        let last = pages.last().unwrap();
        assert!(
            last.lines
                .iter()
                .any(|l| l.shaped.text == "(นางสาวน้ำฝน ใจดี)")
        );
        assert!(
            last.lines
                .iter()
                .any(|l| l.shaped.text == "สถานะ: ส่งกลับให้แก้ไข")
        );
    }
}
