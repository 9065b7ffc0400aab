//! An external letter (หนังสือภายนอก) as an A4 PDF, in the layout of the Prime
//! Minister's Office regulation on correspondence (ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงาน
//! สารบรรณ).
//!
//! The first page leaves a 3 cm space for the Garuda emblem at the top centre and sets
//! the number at the left and the office at the right level with the foot of that
//! space, the date from the middle of the page under them, then the labelled fields
//! "เรื่อง", "เรียน", "อ้างถึง" and "สิ่งที่ส่งมาด้วย", the body paragraphs, the closing
//! paragraph, the salutation and signature block on the right half and the issuing
//! section's contact lines at the bottom left. A letter that runs over a page goes on
//! under "- ๒ -", "- ๓ -"… at the top centre.
//!
//! Text is shaped and broken as the poster's and the reports' are, with the same
//! embedded Sarabun, so the Thai can be searched and copied from the PDF.

use std::mem;

use krilla::Document;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;

use crate::PosterError;
use crate::layout::{PAGE_HEIGHT_PT, PAGE_WIDTH_PT, Rgb, TextLine};
use crate::pdf::{self, Fonts};
use crate::text::{self, Shaped, Weight};

/// What one external letter says, laid out by [`letter_pdf`].
///
/// Digits are printed as given: the caller writes them in Thai digits where the letter
/// wants them ([`thai_digits`] converts). Runs of white space in any field are printed
/// as one space.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Letter {
    /// The letter's number with its label, as printed at the top left, e.g.
    /// "ที่ ชบ ๐๐๑๘/ว๕๗๘๕".
    pub number: String,
    /// The issuing office and its address, one line each, at the top right.
    pub office_lines: Vec<String>,
    /// The date as printed, e.g. "๖ สิงหาคม ๒๕๖๓".
    pub date_th: String,
    /// After "เรื่อง".
    pub subject: String,
    /// After "เรียน".
    pub addressee: String,
    /// After "อ้างถึง", one reference each; the field is left out when empty.
    pub references: Vec<String>,
    /// After "สิ่งที่ส่งมาด้วย", one enclosure each; the field is left out when empty.
    pub attachments: Vec<String>,
    /// The paragraphs of the letter, each set with its first line indented.
    pub body: Vec<String>,
    /// The closing paragraph, e.g. "จึงเรียนมาเพื่อโปรดทราบและดำเนินการต่อไป".
    pub closing: String,
    /// Over the signature, e.g. "ขอแสดงความนับถือ".
    pub salutation: String,
    /// In parentheses under the space for the signature; without it the space is
    /// left for a name written by hand.
    pub signer_name: Option<String>,
    /// Under the name, one line each, e.g. the position and "ปฏิบัติราชการแทน".
    pub signer_position: Vec<String>,
    /// At the bottom left of the last page: the issuing section, telephone, e-mail.
    pub contact_lines: Vec<String>,
}

const SUBJECT_LABEL: &str = "เรื่อง";
const ADDRESSEE_LABEL: &str = "เรียน";
const REFERENCES_LABEL: &str = "อ้างถึง";
const ATTACHMENTS_LABEL: &str = "สิ่งที่ส่งมาด้วย";

const CM: f32 = 72.0 / 2.54;
const SIZE: f32 = 16.0;
/// Baseline to baseline, in em: room for a tone mark over an upper vowel and a lower
/// vowel below, at close to the single spacing of a typed letter.
const LEADING: f32 = 1.35;
const MARGIN_LEFT: f32 = 3.0 * CM;
const MARGIN_RIGHT: f32 = 2.0 * CM;
const MARGIN_BOTTOM: f32 = 2.0 * CM;
/// The top of the page number on pages after the first.
const NUMBER_TOP: f32 = 1.5 * CM;
/// The Garuda emblem: 3 cm high from 1.5 cm below the top edge, centred.
const EMBLEM_TOP: f32 = 1.5 * CM;
const EMBLEM_SIZE: f32 = 3.0 * CM;
/// The first paragraph line starts this far in from the margin.
const INDENT: f32 = 2.5 * CM;
/// Between a label and its text, and between an item number and its text.
const LABEL_GAP: f32 = 0.5 * SIZE;
/// Between the blocks of the letter: the heading lines, each field, each paragraph.
const BLOCK_GAP: f32 = 6.0;
/// The space left for the signature under the salutation, in lines.
const SIGNATURE_LINES: f32 = 2.5;

const INK: Rgb = Rgb(0x00, 0x00, 0x00);

const LEFT: f32 = MARGIN_LEFT;
const RIGHT: f32 = PAGE_WIDTH_PT - MARGIN_RIGHT;
const CONTENT: f32 = RIGHT - LEFT;

/// ASCII digits as Thai digits (๐–๙), everything else unchanged.
pub fn thai_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32('๐' as u32 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// The hyphen of the page numbers: U+2010, drawn as the hyphen-minus but not taken for
/// a word broken at the end of a line, which pdftotext and search indexes would join
/// to the first word of the page ("-๒จึงเรียน").
const PAGE_DASH: char = '\u{2010}';

/// How official documents number the pages after the first: "- ๒ -".
pub(crate) fn page_number(page: usize) -> String {
    thai_digits(&format!("{PAGE_DASH} {page} {PAGE_DASH}"))
}

/// The letter as PDF bytes: A4, Sarabun embedded.
pub fn letter_pdf(letter: &Letter) -> Result<Vec<u8>, PosterError> {
    let pages = layout(letter);
    let fonts = Fonts::new()?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(text::normalize(&letter.subject))
            .language("th".to_owned())
            .creator("citizeninfo".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
        .ok_or_else(|| PosterError::Pdf("bad page size".into()))?;
    for lines in &pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for line in lines {
            pdf::draw_line(&mut surface, line, &fonts);
        }
        surface.finish();
        page.finish();
    }
    pdf::finish(document)
}

pub(crate) fn pitch(size: f32) -> f32 {
    size * LEADING
}

/// Where the baseline of a line goes in a line box from `top`: Sarabun's ink runs from
/// about 1.0 em above the baseline to 0.25 em below, centred in the box.
pub(crate) fn baseline(top: f32, size: f32) -> f32 {
    top + pitch(size) / 2.0 + 0.375 * size
}

/// `text` broken into lines `first` points wide for the first and `rest` for the
/// others, all in points at `size`.
pub(crate) fn wrap_first(
    text: &str,
    weight: Weight,
    size: f32,
    first: f32,
    rest: f32,
) -> Vec<Shaped> {
    let mut lines = text::wrap_within(text, weight, first / size);
    if lines.len() <= 1 || (first - rest).abs() < 0.01 {
        return lines;
    }
    let head = lines.swap_remove(0);
    // The first line is the start of the text, trimmed: the rest is what follows it.
    let Some(tail) = text.strip_prefix(head.text.as_str()) else {
        return text::wrap_within(text, weight, rest / size);
    };
    let mut out = vec![head];
    out.extend(text::wrap_within(tail.trim_start(), weight, rest / size));
    out
}

/// A piece of a line: several share a line box (a label and its text).
struct Piece {
    shaped: Shaped,
    weight: Weight,
    x: f32,
}

type Row = Vec<Piece>;

fn piece(shaped: Shaped, weight: Weight, x: f32) -> Piece {
    Piece { shaped, weight, x }
}

/// The pages as they fill from the top down; all lines are one size.
struct Flow {
    done: Vec<Vec<TextLine>>,
    page: Vec<TextLine>,
    top: f32,
    bottom: f32,
    y: f32,
}

impl Flow {
    fn room(&self) -> f32 {
        self.bottom - self.y
    }

    fn fresh(&self) -> bool {
        self.y <= self.top
    }

    fn fits(&self) -> usize {
        let n = self.room() / pitch(SIZE);
        if n > 0.0 { n as usize } else { 0 }
    }

    fn new_page(&mut self) {
        self.done.push(mem::take(&mut self.page));
        self.y = self.top;
    }

    /// Space that does not carry over to the top of a new page.
    fn gap(&mut self, gap: f32) {
        if !self.fresh() {
            self.y += gap;
        }
    }

    fn put(&mut self, row: Row) {
        for p in row {
            self.page.push(TextLine {
                shaped: p.shaped,
                weight: p.weight,
                size: SIZE,
                x: p.x,
                baseline: baseline(self.y, SIZE),
                color: INK,
            });
        }
        self.y += pitch(SIZE);
    }

    /// Rows of one paragraph, broken between pages so that no page starts with its
    /// last line alone or ends with its first alone.
    fn paragraph(&mut self, rows: Vec<Row>) {
        let mut rows = rows.into_iter();
        let mut left = rows.len();
        while left > 0 {
            let fits = self.fits();
            let n = if fits >= left {
                left
            } else if self.fresh() {
                // A page too short for two lines still takes one, so the letter moves on.
                fits.max(1)
            } else if fits < 2 {
                0
            } else if left - fits == 1 {
                fits - 1
            } else {
                fits
            };
            for row in rows.by_ref().take(n) {
                self.put(row);
            }
            left -= n;
            if left > 0 {
                self.new_page();
            }
        }
    }

    /// Rows kept on one page, with `after` more points below them, when a page can hold
    /// them at all.
    fn together(&mut self, rows: Vec<Row>, after: f32) {
        let height = rows.len() as f32 * pitch(SIZE) + after;
        if height > self.room() && !self.fresh() && height <= self.bottom - self.top {
            self.new_page();
        }
        self.paragraph(rows);
    }

    fn finish(mut self) -> Vec<Vec<TextLine>> {
        self.done.push(self.page);
        self.done
    }
}

/// A label with its text beside it, the text's further lines under its first.
fn labelled(label: &str, text: &str) -> Vec<Row> {
    let label = text::shape(label, Weight::Bold);
    let x = LEFT + label.width * SIZE + LABEL_GAP;
    let lines = text::wrap_within(text, Weight::Regular, (RIGHT - x) / SIZE);
    let mut rows: Vec<Row> = Vec::new();
    let mut label = Some(label);
    for line in lines {
        let mut row = Vec::new();
        if let Some(label) = label.take() {
            row.push(piece(label, Weight::Bold, LEFT));
        }
        row.push(piece(line, Weight::Regular, x));
        rows.push(row);
    }
    if let Some(label) = label {
        rows.push(vec![piece(label, Weight::Bold, LEFT)]);
    }
    rows
}

/// A label with a list beside it: numbered "๑.", "๒."… when there is more than one
/// item, as the regulation's examples number them, each item's further lines under its
/// text.
fn labelled_list(label: &str, items: &[String]) -> Vec<Row> {
    let label = text::shape(label, Weight::Bold);
    let x = LEFT + label.width * SIZE + LABEL_GAP;
    let numbered = items.len() > 1;
    let mut rows: Vec<Row> = Vec::new();
    let mut label = Some(label);
    for (i, item) in items.iter().enumerate() {
        let item = text::normalize(item);
        let mut number =
            numbered.then(|| text::shape(&thai_digits(&format!("{}.", i + 1)), Weight::Regular));
        let text_x = x + number.as_ref().map_or(0.0, |n| n.width * SIZE + LABEL_GAP);
        for line in text::wrap_within(&item, Weight::Regular, (RIGHT - text_x) / SIZE) {
            let mut row = Vec::new();
            if let Some(label) = label.take() {
                row.push(piece(label, Weight::Bold, LEFT));
            }
            if let Some(number) = number.take() {
                row.push(piece(number, Weight::Regular, x));
            }
            row.push(piece(line, Weight::Regular, text_x));
            rows.push(row);
        }
    }
    rows
}

/// A paragraph with its first line indented.
fn indented(text: &str) -> Vec<Row> {
    wrap_first(text, Weight::Regular, SIZE, CONTENT - INDENT, CONTENT)
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let x = if i == 0 { LEFT + INDENT } else { LEFT };
            vec![piece(line, Weight::Regular, x)]
        })
        .collect()
}

fn plain_lines(lines: &[String], width: f32) -> Vec<Shaped> {
    lines
        .iter()
        .map(|l| text::normalize(l))
        .flat_map(|l| text::wrap_within(&l, Weight::Regular, width / SIZE))
        .collect()
}

fn layout(letter: &Letter) -> Vec<Vec<TextLine>> {
    let pitch = pitch(SIZE);
    let emblem_left = (PAGE_WIDTH_PT - EMBLEM_SIZE) / 2.0;
    let emblem_right = emblem_left + EMBLEM_SIZE;
    // The number and the office beside the emblem, their first baseline at its foot.
    let head_top = EMBLEM_TOP + EMBLEM_SIZE - baseline(0.0, SIZE);
    let mut lines: Vec<TextLine> = Vec::new();
    let mut put = |shaped: Shaped, x: f32, top: f32| {
        lines.push(TextLine {
            shaped,
            weight: Weight::Regular,
            size: SIZE,
            x,
            baseline: baseline(top, SIZE),
            color: INK,
        });
    };

    let number = text::normalize(&letter.number);
    let number_width = emblem_left - BLOCK_GAP - LEFT;
    let mut top = head_top;
    for line in text::wrap_within(&number, Weight::Regular, number_width / SIZE) {
        put(line, LEFT, top);
        top += pitch;
    }
    let number_bottom = top;

    let office = plain_lines(&letter.office_lines, RIGHT - emblem_right - BLOCK_GAP);
    let widest = office.iter().map(|l| l.width * SIZE).fold(0.0, f32::max);
    let office_x = RIGHT - widest;
    let mut top = head_top;
    for line in office {
        put(line, office_x, top);
        top += pitch;
    }
    let mut top = top.max(number_bottom) + BLOCK_GAP;

    let date = text::normalize(&letter.date_th);
    let date_x = PAGE_WIDTH_PT / 2.0;
    for line in text::wrap_within(&date, Weight::Regular, (RIGHT - date_x) / SIZE) {
        put(line, date_x, top);
        top += pitch;
    }

    // A blank line under the page number, as in the regulation's example.
    let page_top = NUMBER_TOP + 2.0 * pitch;
    let mut flow = Flow {
        done: Vec::new(),
        page: lines,
        top: page_top,
        bottom: PAGE_HEIGHT_PT - MARGIN_BOTTOM,
        y: top,
    };

    flow.gap(BLOCK_GAP);
    flow.paragraph(labelled(SUBJECT_LABEL, &text::normalize(&letter.subject)));
    flow.gap(BLOCK_GAP);
    flow.paragraph(labelled(
        ADDRESSEE_LABEL,
        &text::normalize(&letter.addressee),
    ));
    for (label, items) in [
        (REFERENCES_LABEL, &letter.references),
        (ATTACHMENTS_LABEL, &letter.attachments),
    ] {
        if !items.is_empty() {
            flow.gap(BLOCK_GAP);
            flow.paragraph(labelled_list(label, items));
        }
    }
    for paragraph in &letter.body {
        let paragraph = text::normalize(paragraph);
        if paragraph.is_empty() {
            continue;
        }
        flow.gap(BLOCK_GAP);
        flow.paragraph(indented(&paragraph));
    }

    // The closing paragraph, the signature and the contact lines stay together, so that
    // a signature never stands on a page without a line of the letter over it.
    let closing = indented(&text::normalize(&letter.closing));
    let (salutation, signature) = signature_rows(letter);
    let contacts = plain_lines(&letter.contact_lines, CONTENT);
    let contacts_height = contacts.len() as f32 * pitch;
    let signing_space = SIGNATURE_LINES * pitch;
    let below = if contacts.is_empty() {
        0.0
    } else {
        BLOCK_GAP + contacts_height
    };
    let rows = |r: &[Row]| r.len() as f32 * pitch;
    let block = rows(&closing) + BLOCK_GAP + rows(&salutation) + signing_space + rows(&signature);
    flow.gap(BLOCK_GAP);
    if block + below > flow.room() && !flow.fresh() && block + below <= flow.bottom - flow.top {
        flow.new_page();
    }
    flow.paragraph(closing);
    flow.gap(BLOCK_GAP);
    flow.together(salutation, signing_space + below);
    flow.y += signing_space;
    flow.together(signature, below);

    if !contacts.is_empty() {
        let contacts_top = flow.bottom - contacts_height;
        if contacts_top < flow.y + BLOCK_GAP {
            flow.new_page();
        }
        flow.y = contacts_top;
        for line in contacts {
            flow.put(vec![piece(line, Weight::Regular, LEFT)]);
        }
    }

    let mut pages = flow.finish();
    for (i, page) in pages.iter_mut().enumerate().skip(1) {
        let shaped = text::shape(&page_number(i + 1), Weight::Regular);
        page.push(TextLine {
            x: (PAGE_WIDTH_PT - shaped.width * SIZE) / 2.0,
            shaped,
            weight: Weight::Regular,
            size: SIZE,
            baseline: baseline(NUMBER_TOP, SIZE),
            color: INK,
        });
    }
    pages
}

/// The salutation, and under it the name in parentheses and the positions, each line
/// centred on one axis in the right half of the page; the axis moves left when a line
/// would run past the margin.
fn signature_rows(letter: &Letter) -> (Vec<Row>, Vec<Row>) {
    let wrap = |t: &str| text::wrap_within(&text::normalize(t), Weight::Regular, CONTENT / SIZE);
    let salutation = wrap(&letter.salutation);
    let mut signature = Vec::new();
    if let Some(name) = &letter.signer_name {
        signature.extend(wrap(&format!("({})", text::normalize(name))));
    }
    for position in &letter.signer_position {
        signature.extend(wrap(position));
    }
    let widest = salutation
        .iter()
        .chain(&signature)
        .map(|l| l.width * SIZE)
        .fold(0.0, f32::max);
    let axis = (LEFT + CONTENT * 0.75)
        .min(RIGHT - widest / 2.0)
        .max(LEFT + widest / 2.0);
    let rows = |lines: Vec<Shaped>| -> Vec<Row> {
        lines
            .into_iter()
            .map(|line| {
                let x = axis - line.width * SIZE / 2.0;
                vec![piece(line, Weight::Regular, x)]
            })
            .collect()
    };
    (rows(salutation), rows(signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(paragraphs: usize) -> Letter {
        Letter {
            number: "ที่ ชบ ๐๐๑๘/ว๕๗๘๕".into(),
            office_lines: vec!["ศาลากลางจังหวัดชลบุรี".into(), "ถนนมนตเสวี ชบ ๒๐๐๐๐".into()],
            date_th: "๖ สิงหาคม ๒๕๖๓".into(),
            subject: "การเชื่อมโยงคู่มือสำหรับประชาชนไปยังหน่วยปฏิบัติผ่านระบบ CITIZENinfo".into(),
            addressee: "นายอำเภอทุกอำเภอ".into(),
            references: vec![],
            attachments: vec!["คู่มือ จำนวน ๑ ชุด".into(), "แบบรายงาน จำนวน ๑ ชุด".into()],
            body: (0..paragraphs)
                .map(|i| format!("ย่อหน้าที่ {i} ด้วยกรมการพัฒนาชุมชนได้ดำเนินการเชื่อมโยงคู่มือสำหรับประชาชนไปยังหน่วยปฏิบัติในส่วนภูมิภาคผ่านระบบ CITIZENinfo ซึ่งเป็นระบบสำหรับให้ข้อมูลจุดให้บริการประชาชน"))
                .collect(),
            closing: "จึงเรียนมาเพื่อพิจารณาดำเนินการ".into(),
            salutation: "ขอแสดงความนับถือ".into(),
            signer_name: Some("นายบรรเทา ดวงนภา".into()),
            signer_position: vec![
                "พัฒนาการจังหวัดชลบุรี ปฏิบัติราชการแทน".into(),
                "ผู้ว่าราชการจังหวัดชลบุรี".into(),
            ],
            contact_lines: vec![
                "สำนักงานพัฒนาชุมชนจังหวัด".into(),
                "โทร. ๐ ๓๘๒๘ ๔๓๔๙ ต่อ ๑๐๓".into(),
            ],
        }
    }

    fn find<'a>(pages: &'a [Vec<TextLine>], text: &str) -> (usize, &'a TextLine) {
        pages
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.iter().find(|l| l.shaped.text == text).map(|l| (i, l)))
            .unwrap_or_else(|| panic!("no line {text:?}"))
    }

    #[test]
    fn thai_digits_replace_ascii_digits_only() {
        assert_eq!(thai_digits("ชบ 0018/ว5785 ๑"), "ชบ ๐๐๑๘/ว๕๗๘๕ ๑");
        assert_eq!(page_number(12), "\u{2010} ๑๒ \u{2010}");
        let hyphen = |s: &str| text::shape(s, Weight::Regular).glyphs[0].clone();
        let (minus, dash) = (hyphen("-"), hyphen("\u{2010}"));
        assert_ne!(dash.id, 0, "Sarabun has U+2010");
        assert_eq!(dash.x_advance, minus.x_advance);
    }

    #[test]
    fn every_line_stays_within_the_margins_and_off_the_emblem() {
        for n in [1, 40] {
            let pages = layout(&letter(n));
            for page in &pages {
                for line in page {
                    let right = line.x + line.shaped.width * line.size;
                    assert!(
                        line.x >= LEFT - 0.01 && right <= RIGHT + 0.5,
                        "{} from {} to {right}",
                        line.shaped.text,
                        line.x
                    );
                    assert!(line.baseline + 0.25 * SIZE <= PAGE_HEIGHT_PT - MARGIN_BOTTOM + 0.5);
                }
            }
            let emblem = (PAGE_WIDTH_PT - EMBLEM_SIZE) / 2.0..(PAGE_WIDTH_PT + EMBLEM_SIZE) / 2.0;
            for line in &pages[0] {
                if line.baseline - SIZE < EMBLEM_TOP + EMBLEM_SIZE {
                    let right = line.x + line.shaped.width * line.size;
                    assert!(
                        right <= emblem.start || line.x >= emblem.end,
                        "{} over the emblem",
                        line.shaped.text
                    );
                }
            }
        }
    }

    #[test]
    fn the_heading_sits_where_the_regulation_puts_it() {
        let pages = layout(&letter(1));
        assert_eq!(pages.len(), 1);
        let (_, number) = find(&pages, "ที่ ชบ ๐๐๑๘/ว๕๗๘๕");
        assert_eq!(number.x, LEFT);
        assert!((number.baseline - (EMBLEM_TOP + EMBLEM_SIZE)).abs() < 0.5);
        let (_, office) = find(&pages, "ศาลากลางจังหวัดชลบุรี");
        let (_, street) = find(&pages, "ถนนมนตเสวี ชบ ๒๐๐๐๐");
        assert_eq!(office.baseline, number.baseline);
        assert_eq!(office.x, street.x, "the address lines start together");
        let widest = (office.shaped.width).max(street.shaped.width) * SIZE;
        assert!((office.x + widest - RIGHT).abs() < 0.5);
        let (_, date) = find(&pages, "๖ สิงหาคม ๒๕๖๓");
        assert_eq!(date.x, PAGE_WIDTH_PT / 2.0);
        assert!(date.baseline > street.baseline);
        // The first line of a paragraph is indented 2.5 cm, the next at the margin.
        let body: Vec<&TextLine> = pages[0]
            .iter()
            .skip_while(|l| !l.shaped.text.starts_with("ย่อหน้าที่"))
            .take(2)
            .collect();
        assert_eq!(body[0].x, LEFT + INDENT);
        assert_eq!(body[1].x, LEFT);
        // The numbered enclosures line up under each other beside the label.
        let (_, one) = find(&pages, "๑.");
        let (_, two) = find(&pages, "๒.");
        assert_eq!(one.x, two.x);
        let (_, label) = find(&pages, ATTACHMENTS_LABEL);
        assert_eq!(label.baseline, one.baseline);
        // The signature block shares one axis in the right half.
        let (_, salutation) = find(&pages, "ขอแสดงความนับถือ");
        let (_, name) = find(&pages, "(นายบรรเทา ดวงนภา)");
        let centre = |l: &TextLine| l.x + l.shaped.width * SIZE / 2.0;
        assert!((centre(salutation) - centre(name)).abs() < 0.01);
        assert!(centre(name) > PAGE_WIDTH_PT / 2.0);
        assert!(name.baseline - salutation.baseline > 3.0 * pitch(SIZE));
        let (_, contact) = find(&pages, "โทร. ๐ ๓๘๒๘ ๔๓๔๙ ต่อ ๑๐๓");
        assert_eq!(contact.x, LEFT);
        assert!(contact.baseline > name.baseline);
        assert!(PAGE_HEIGHT_PT - MARGIN_BOTTOM - contact.baseline < pitch(SIZE));
    }

    #[test]
    fn a_long_letter_goes_on_under_page_numbers_and_keeps_its_signature_with_the_closing() {
        let pages = layout(&letter(40));
        assert!(pages.len() >= 3, "{} pages", pages.len());
        assert!(
            !pages[0]
                .iter()
                .any(|l| l.shaped.text.starts_with(PAGE_DASH))
        );
        for (i, page) in pages.iter().enumerate().skip(1) {
            let number = page_number(i + 1);
            let line = page.iter().find(|l| l.shaped.text == number).unwrap();
            let centre = line.x + line.shaped.width * SIZE / 2.0;
            assert!((centre - PAGE_WIDTH_PT / 2.0).abs() < 0.01);
            assert!(page.iter().all(|l| l.baseline >= line.baseline));
        }
        let (closing, _) = find(&pages, "จึงเรียนมาเพื่อพิจารณาดำเนินการ");
        let (name, _) = find(&pages, "(นายบรรเทา ดวงนภา)");
        let (contact, _) = find(&pages, "สำนักงานพัฒนาชุมชนจังหวัด");
        assert_eq!(closing, pages.len() - 1);
        assert_eq!(name, closing);
        assert_eq!(contact, closing);
        for i in 0..40 {
            let start = format!("ย่อหน้าที่ {i} ");
            assert!(
                pages
                    .iter()
                    .flatten()
                    .any(|l| l.shaped.text.starts_with(&start))
            );
        }
    }
}
