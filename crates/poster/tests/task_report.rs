//! The task report form read back as its reader would: its text copied out of the PDF
//! (poppler's pdftotext, with the words' boxes), its fonts and pages listed (pdffonts,
//! pdfinfo), its pages printed (pdftoppm) to see which column has the tick.
//!
//! The tools come from Debian's poppler-utils, installed by
//! `scripts/install-test-deps`. The PDFs are kept in
//! `$TMPDIR/citizeninfo-poster-tests/task-report-*/` to be looked at.

use std::path::{Path, PathBuf};
use std::process::Command;

use citizeninfo_poster::{
    TaskItemStatus, TaskReportForm, TaskReportItem, task_report_pdf, thai_digits,
};

/// The dash of the page numbers, drawn as a hyphen.
const DASH: &str = "\u{2010}";

fn out_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("citizeninfo-poster-tests")
        .join(format!("task-report-{test}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}): the task report tests need poppler-utils; \
             install them with scripts/install-test-deps (as root)"
        )
    });
    assert!(
        output.status.success(),
        "`{tool} {}` failed ({}): {}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write(test: &str, form: &TaskReportForm) -> PathBuf {
    let file = out_dir(test).join("form.pdf");
    std::fs::write(&file, task_report_pdf(form).unwrap()).unwrap();
    eprintln!("task report PDF: {}", file.display());
    file
}

/// The text of page `page` (from 1), or of every page with `None`; `layout` keeps each
/// table row on one line, its cells in order.
fn text(pdf: &Path, page: Option<u32>, layout: bool) -> String {
    let n = page.map(|p| p.to_string());
    let mut args = vec!["-enc", "UTF-8"];
    if layout {
        args.push("-layout");
    }
    if let Some(n) = &n {
        args.extend(["-f", n, "-l", n]);
    }
    args.extend([path(pdf), "-"]);
    run("pdftotext", &args)
}

fn info(pdf: &Path, key: &str) -> String {
    run("pdfinfo", &[path(pdf)])
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("no {key} in pdfinfo"))
        .trim()
        .to_owned()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(collapse)
        .filter(|l| !l.is_empty())
        .collect()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

fn item(text: &str, sub_items: &[&str], status: TaskItemStatus) -> TaskReportItem {
    TaskReportItem {
        text: text.into(),
        sub_items: strings(sub_items),
        status,
        remarks: vec![],
    }
}

/// The report form sent with the founding letter (its enclosure ๓), to be filled in
/// by hand.
fn blank_form() -> TaskReportForm {
    use TaskItemStatus::Unmarked;
    let mut first = item("สมัครใช้งานระบบ", &[], Unmarked);
    first.remarks = strings(&["ชื่อผู้ใช้งาน :", "รหัสผ่าน :"]);
    TaskReportForm {
        title: "แบบรายงานการสมัครใช้งานระบบ CITIZENinfo".into(),
        unit_line: "สำนักงานพัฒนาชุมชนอำเภอ.....จังหวัดชลบุรี".into(),
        items: vec![
            first,
            item(
                "ตรวจสอบ/เพิ่มเติม/แก้ไข ข้อมูล “จุดบริการหน่วยงานและโครงสร้าง”",
                &[
                    "ชื่อหน่วยงาน",
                    "ที่อยู่หน่วยงาน",
                    "หมายเลขโทรศัพท์หน่วยงาน",
                    "วัน-เวลาทำการ",
                    "อื่นๆ",
                ],
                Unmarked,
            ),
            item("อัปโหลดรูปภาพสำนักงาน", &[], Unmarked),
            item("ตรวจสอบคู่มือสำหรับประชาชน จำนวน ๓ ฉบับ", &[], Unmarked),
            item(
                "ดาวน์โหลดและพิมพ์โปสเตอร์ QR Code จากระบบ และนำไปติดตั้ง ณ จุดให้บริการ",
                &[],
                Unmarked,
            ),
        ],
        reporter_name: None,
        reporter_position: None,
        report_date: None,
        status_lines: vec![],
    }
}

/// The same form as a unit filled it in and the province accepted it.
fn filled_form() -> TaskReportForm {
    let mut form = blank_form();
    form.unit_line = "สำนักงานพัฒนาชุมชนอำเภอบางละมุง จังหวัดชลบุรี".into();
    let statuses = [
        TaskItemStatus::Done,
        TaskItemStatus::Done,
        TaskItemStatus::NotDone,
        TaskItemStatus::Done,
        TaskItemStatus::NotDone,
    ];
    for (item, status) in form.items.iter_mut().zip(statuses) {
        item.status = status;
    }
    form.items[0].remarks = strings(&["ชื่อผู้ใช้งาน : cdd.banglamung"]);
    form.items[2].remarks = strings(&["รอช่างภาพถ่ายสำนักงานใหม่"]);
    form.reporter_name = Some("นางสาวน้ำฝน ใจดี".into());
    form.reporter_position = Some("นักวิชาการพัฒนาชุมชนปฏิบัติการ".into());
    form.report_date = Some("๑๓ สิงหาคม ๒๕๖๓".into());
    form.status_lines = strings(&[
        "สถานะ: รับรายงานแล้ว เมื่อ ๑๔ สิงหาคม ๒๕๖๓",
        "ความเห็น: ขอให้อัปโหลดรูปภาพสำนักงานให้ครบภายในสัปดาห์นี้",
    ]);
    form
}

#[test]
fn the_blank_form_comes_back_exactly() {
    let form = blank_form();
    let file = write("blank", &form);
    assert_eq!(info(&file, "Pages"), "1");
    assert_eq!(info(&file, "Page size"), "595.276 x 841.89 pts (A4)");
    assert_eq!(info(&file, "Title"), form.title);
    let plain = text(&file, None, false);
    assert!(!plain.contains('\u{25CC}'), "a dotted circle: {plain:?}");
    assert!(!plain.contains('\u{FFFD}'), "a character lost: {plain:?}");
    let found = lines(&plain);
    for line in [
        form.title.as_str(),
        form.unit_line.as_str(),
        "ที่",
        "รายการ",
        "หมายเหตุ",
        "ชื่อผู้ใช้งาน :",
        "รหัสผ่าน :",
        "๑. สมัครใช้งานระบบ",
        "๓. อัปโหลดรูปภาพสำนักงาน",
        "- ชื่อหน่วยงาน",
        "- ที่อยู่หน่วยงาน",
        "- หมายเลขโทรศัพท์หน่วยงาน",
        "- วัน-เวลาทำการ",
        "- อื่นๆ",
        "วันที่ ...../...../.....",
    ] {
        assert!(
            found.iter().any(|l| l == line),
            "no line {line:?} in {found:?}"
        );
    }
    let all = without_spaces(&plain);
    // The tick is drawn, and copied as a check mark.
    assert!(found.iter().any(|l| l == "ผลการดำเนินงาน (✓)"), "{found:?}");
    assert_eq!(plain.matches('✓').count(), 1, "no row is ticked: {plain}");
    // Read across, the result columns' headings are broken after ดำเนินการ and ยังไม่.
    let layout = lines(&text(&file, None, true));
    for heading in ["ดำเนินการ ยังไม่", "แล้ว ดำเนินการ"]
    {
        assert!(
            layout.iter().any(|l| l.contains(heading)),
            "no {heading} in {layout:?}"
        );
    }
    for item in &form.items {
        assert!(
            all.contains(&without_spaces(&item.text)),
            "no {}",
            item.text
        );
    }
    // The items numbered in Thai digits, in order, each beside the start of its text.
    let numbered: Vec<&String> = found
        .iter()
        .filter(|l| l.chars().next().is_some_and(|c| ('๑'..='๙').contains(&c)))
        .collect();
    assert_eq!(numbered.len(), form.items.len(), "{found:?}");
    for (i, (line, item)) in numbered.iter().zip(&form.items).enumerate() {
        let number = thai_digits(&format!("{}. ", i + 1));
        let rest = line
            .strip_prefix(&number)
            .unwrap_or_else(|| panic!("{line}"));
        assert!(item.text.starts_with(rest), "{line} for {}", item.text);
    }
    // Read across, the first row is its number, its item and its remark.
    assert!(
        layout
            .iter()
            .any(|l| l.starts_with("๑. สมัครใช้งานระบบ") && l.ends_with("ชื่อผู้ใช้งาน :")),
        "{layout:?}"
    );
    // The blank signature block: dots to sign on and to write the name and position in.
    let signed = found
        .iter()
        .find(|l| l.starts_with("ลงชื่อ "))
        .unwrap_or_else(|| panic!("no signature line in {found:?}"));
    assert!(
        signed.ends_with(" ผู้รายงาน") && signed.contains("....."),
        "{signed}"
    );
    assert!(
        found
            .iter()
            .any(|l| l.starts_with("(.....") && l.ends_with(".)")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|l| l.starts_with("ตำแหน่ง .....")),
        "{found:?}"
    );
}

#[test]
fn a_filled_form_shows_the_name_position_date_and_status() {
    let form = filled_form();
    let file = write("filled", &form);
    let plain = text(&file, None, false);
    let found = lines(&plain);
    for line in [
        "(นางสาวน้ำฝน ใจดี)",
        "ตำแหน่ง นักวิชาการพัฒนาชุมชนปฏิบัติการ",
        "วันที่ ๑๓ สิงหาคม ๒๕๖๓",
        "สถานะ: รับรายงานแล้ว เมื่อ ๑๔ สิงหาคม ๒๕๖๓",
        "ความเห็น: ขอให้อัปโหลดรูปภาพสำนักงานให้ครบภายในสัปดาห์นี้",
        "สำนักงานพัฒนาชุมชนอำเภอบางละมุง จังหวัดชลบุรี",
    ] {
        assert!(
            found.iter().any(|l| l == line),
            "no line {line:?} in {found:?}"
        );
    }
    let all = without_spaces(&plain);
    for remark in ["ชื่อผู้ใช้งาน : cdd.banglamung", "รอช่างภาพถ่ายสำนักงานใหม่"]
    {
        assert!(all.contains(&without_spaces(remark)), "no {remark}");
    }
    // Read across, a row is its number, its item, its tick and its remark.
    let layout = lines(&text(&file, None, true));
    assert!(
        layout.contains(&"๑. สมัครใช้งานระบบ ✓ ชื่อผู้ใช้งาน :".to_owned()),
        "{layout:?}"
    );
    assert_eq!(plain.matches('✓').count(), 1 + form.items.len(), "{plain}");
    // The status lines come after the signature.
    let at = |text: &str| found.iter().position(|l| l.starts_with(text)).unwrap();
    assert!(at("วันที่ ") < at("สถานะ:"), "{found:?}");
    assert!(!plain.contains('\u{25CC}'));
}

/// A word of pdftotext's `-bbox` listing, its box in points from the top left.
#[derive(Debug)]
struct Word {
    text: String,
    x_min: f32,
    x_max: f32,
    y_min: f32,
    y_max: f32,
}

/// The words of page `page` (from 1), in reading order.
fn words(pdf: &Path, page: u32) -> Vec<Word> {
    let n = page.to_string();
    let listing = run(
        "pdftotext",
        &["-enc", "UTF-8", "-bbox", "-f", &n, "-l", &n, path(pdf), "-"],
    );
    let attr = |line: &str, name: &str| -> f32 {
        let from = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let to = from + line[from..].find('"').unwrap();
        line[from..to].parse().unwrap()
    };
    listing
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<word "))
        .map(|l| Word {
            text: l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()].to_owned(),
            x_min: attr(l, "xMin"),
            x_max: attr(l, "xMax"),
            y_min: attr(l, "yMin"),
            y_max: attr(l, "yMax"),
        })
        .collect()
}

/// Page `page` printed at 72 dpi in grey: a pixel a point.
fn print_page(pdf: &Path, page: u32) -> image::GrayImage {
    let n = page.to_string();
    let stem = pdf.with_file_name(format!("page{page}"));
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "72",
            "-gray",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
            path(pdf),
            path(&stem),
        ],
    );
    image::open(stem.with_extension("png")).unwrap().to_luma8()
}

fn dark_pixels(page: &image::GrayImage, x: (f32, f32), y: (f32, f32)) -> usize {
    let mut n = 0;
    for py in y.0.round() as u32..y.1.round() as u32 {
        for px in x.0.round() as u32..x.1.round() as u32 {
            if page.get_pixel(px, py).0[0] < 128 {
                n += 1;
            }
        }
    }
    n
}

/// The centre across of the column whose heading has the word `word`.
fn column_centre(words: &[Word], word: &str) -> f32 {
    let w = words
        .iter()
        .find(|w| w.text.contains(word))
        .unwrap_or_else(|| panic!("no {word} in {words:?}"));
    (w.x_min + w.x_max) / 2.0
}

#[test]
fn the_tick_is_in_the_column_of_the_status() {
    let form = filled_form();
    let file = write("ticks", &form);
    let page = print_page(&file, 1);
    let words = words(&file, 1);
    // Both headings are centred in their columns, broken or not.
    let done = column_centre(&words, "แล้ว");
    let not_done = column_centre(&words, "ยังไม่");
    assert!(not_done - done > 30.0, "{done} {not_done}");
    for (i, item) in form.items.iter().enumerate() {
        let number = thai_digits(&format!("{}.", i + 1));
        let w = words
            .iter()
            .find(|w| w.text == number)
            .unwrap_or_else(|| panic!("no {number}"));
        let band = (w.y_min, w.y_max);
        let ink = |centre: f32| dark_pixels(&page, (centre - 6.0, centre + 6.0), band);
        let (ticked, blank) = match item.status {
            TaskItemStatus::Done => (done, not_done),
            TaskItemStatus::NotDone => (not_done, done),
            TaskItemStatus::Unmarked => unreachable!(),
        };
        assert!(
            ink(ticked) >= 8,
            "row {number}: no tick ({} dark)",
            ink(ticked)
        );
        assert_eq!(ink(blank), 0, "row {number}: a tick in the other column");
        // Copied, the tick is a check mark in the same place.
        let mark = words
            .iter()
            .find(|m| m.text == "✓" && m.y_min < w.y_max && m.y_max > w.y_min)
            .unwrap_or_else(|| panic!("row {number}: no ✓ in the text"));
        let centre = (mark.x_min + mark.x_max) / 2.0;
        assert!(
            (centre - ticked).abs() < 3.0,
            "row {number}: ✓ at {centre}, not {ticked}"
        );
    }
    // The blank form has no tick in any row: ink under the headings is the header's own.
    let blank = write("no-ticks", &blank_form());
    let page = print_page(&blank, 1);
    let words = self::words(&blank, 1);
    let (done, not_done) = (column_centre(&words, "แล้ว"), column_centre(&words, "ยังไม่"));
    for i in 1..=5 {
        let number = thai_digits(&format!("{i}."));
        let w = words.iter().find(|w| w.text == number).unwrap();
        for centre in [done, not_done] {
            let ink = dark_pixels(&page, (centre - 6.0, centre + 6.0), (w.y_min, w.y_max));
            assert_eq!(ink, 0, "row {number}: a tick on the blank form");
        }
    }
}

#[test]
fn sarabun_is_embedded_with_unicode_maps() {
    let file = write("fonts", &filled_form());
    let listing = run("pdffonts", &[path(&file)]);
    // name type encoding emb sub uni object ID
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(fonts.len(), 2, "regular and bold (the headings): {listing}");
    for font in &fonts {
        let n = font.len();
        assert!(font[0].contains("Sarabun"), "{listing}");
        assert_eq!(
            &font[n - 5..n - 2],
            ["yes", "yes", "yes"],
            "emb sub uni: {listing}"
        );
    }
    assert!(fonts.iter().any(|f| f[0].contains("Bold")), "{listing}");
}

#[test]
fn a_long_form_runs_over_pages_under_its_header_and_loses_no_item() {
    let mut form = blank_form();
    form.items = (1..=40)
        .map(|i| {
            item(
                &format!("รายการที่ {i} ตรวจสอบข้อมูล"),
                &["ชื่อหน่วยงาน", "ที่อยู่หน่วยงาน"],
                if i % 3 == 0 {
                    TaskItemStatus::NotDone
                } else {
                    TaskItemStatus::Done
                },
            )
        })
        .collect();
    form.reporter_name = Some("นายสมชาย ใจดี".into());
    let file = write("long", &form);
    let pages: u32 = info(&file, "Pages").parse().unwrap();
    assert!(pages >= 2, "{pages} pages");
    let mut seen = Vec::new();
    for page in 1..=pages {
        let found = lines(&text(&file, Some(page), false));
        for heading in ["ที่", "รายการ", "หมายเหตุ"] {
            assert!(
                found.iter().any(|l| l == heading),
                "page {page}: no {heading}"
            );
        }
        let number = format!("{DASH}{}{DASH}", thai_digits(&page.to_string()));
        assert_eq!(
            found.first() == Some(&number),
            page > 1,
            "page {page}: {found:?}"
        );
        // Read across, each row is its number and its item.
        for line in lines(&text(&file, Some(page), true)) {
            if let Some((number, item)) = line.split_once(" รายการที่ ") {
                seen.push((number.to_owned(), format!("รายการที่ {item}")));
            }
        }
    }
    let expected: Vec<(String, String)> = form
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            (
                thai_digits(&format!("{}.", i + 1)),
                format!("{} ✓", item.text),
            )
        })
        .collect();
    assert_eq!(seen, expected, "every item once, in order");
    let last = lines(&text(&file, Some(pages), false));
    assert!(last.iter().any(|l| l == "(นายสมชาย ใจดี)"), "{last:?}");
}
