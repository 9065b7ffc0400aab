//! The report read back as its reader would: its text copied out of the PDF
//! (poppler's pdftotext), its fonts and pages listed (pdffonts, pdfinfo).
//!
//! The tools come from Debian's poppler-utils, installed by
//! `scripts/install-test-deps`. The PDFs are kept in
//! `$TMPDIR/citizeninfo-poster-tests/report-*/` to be looked at.

use std::path::{Path, PathBuf};
use std::process::Command;

use citizeninfo_poster::{NO_DATA, ReportDocument, ReportSection, ReportTable, report_pdf};

fn out_file(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("citizeninfo-poster-tests")
        .join(format!("report-{test}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("report.pdf")
}

fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}): the report tests need poppler-utils; \
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

fn write(test: &str, doc: &ReportDocument) -> PathBuf {
    let file = out_file(test);
    std::fs::write(&file, report_pdf(doc).unwrap()).unwrap();
    eprintln!("report PDF: {}", file.display());
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

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn satisfaction() -> ReportDocument {
    ReportDocument {
        title: "รายงานผลความพึงพอใจในการรับบริการ".into(),
        subtitle: strings(&[
            "สำนักงานพัฒนาชุมชนอำเภอบางละมุง",
            "ช่วงเวลา 1 ม.ค. 2568 – 31 มี.ค. 2568",
        ]),
        sections: vec![
            ReportSection {
                heading: "ระดับความพึงพอใจ".into(),
                note: Some("ร้อยละของผู้ตอบทั้งหมด ไม่แสดงเมื่อผู้ตอบน้อยกว่า 5 คน".into()),
                table: ReportTable {
                    headers: strings(&["ระดับ", "จำนวน", "ร้อยละ"]),
                    rows: vec![
                        strings(&["พึงพอใจมากที่สุด", "1,234", "56.8"]),
                        strings(&["พึงพอใจมาก", "620", "28.5"]),
                        strings(&["ปานกลาง", "201", "9.2"]),
                        strings(&["น้อย", "88", "4.0"]),
                        strings(&["น้อยที่สุด", "31", "1.4"]),
                    ],
                    numeric: vec![false, true, true],
                },
            },
            ReportSection {
                heading: "ความคิดเห็นที่พบบ่อย".into(),
                note: None,
                table: ReportTable {
                    headers: strings(&["เรื่อง", "ความคิดเห็น", "จำนวน"]),
                    rows: vec![strings(&[
                        "สถานที่",
                        "น้ำดื่มไม่เพียงพอในช่วงเช้า ที่จอดรถไม่พอเมื่อมีผู้มาติดต่อจำนวนมาก \
                         เจ้าหน้าที่ให้คำแนะนำดีมากแต่ต้องรอคิวนานเกินไปในวันจันทร์และวันศุกร์ \
                         ควรเพิ่มเก้าอี้สำหรับผู้สูงอายุและหญิงตั้งครรภ์ใกล้ช่องบริการ",
                        "12",
                    ])],
                    numeric: vec![false, false, true],
                },
            },
        ],
        footer: "citizeninfo — พิมพ์เมื่อ 2 เม.ย. 2568 10:30 น.".into(),
    }
}

fn rows(n: usize) -> ReportDocument {
    ReportDocument {
        title: "คะแนนรายจุดบริการ".into(),
        subtitle: vec![],
        sections: vec![ReportSection {
            heading: "จุดบริการทั้งหมด".into(),
            note: None,
            table: ReportTable {
                headers: strings(&["รหัส", "จุดบริการ", "ผู้ตอบ", "คะแนนเฉลี่ย"]),
                rows: (0..n)
                    .map(|i| {
                        vec![
                            format!("0112140{i:06}"),
                            format!("งานทะเบียนที่ {i} ที่ทำการปกครองอำเภอเมืองชลบุรี"),
                            format!("{}", 17 * i % 500),
                            format!("{:.2}", 1.0 + (i % 400) as f64 / 100.0),
                        ]
                    })
                    .collect(),
                numeric: vec![false, false, true, true],
            },
        }],
        footer: "citizeninfo".into(),
    }
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_thai_comes_back_exactly() {
    let doc = satisfaction();
    let file = write("thai", &doc);
    assert_eq!(info(&file, "Pages"), "1");
    assert_eq!(info(&file, "Page size"), "595.276 x 841.89 pts (A4)");
    assert_eq!(info(&file, "Title"), doc.title);
    let plain = text(&file, None, false);
    let found = lines(&plain);
    let mut expected = vec![doc.title.as_str(), "หน้า 1 / 1", doc.footer.as_str()];
    expected.extend(doc.subtitle.iter().map(String::as_str));
    for section in &doc.sections {
        expected.push(&section.heading);
        expected.extend(section.note.as_deref());
        expected.extend(section.table.headers.iter().map(String::as_str));
    }
    // Sara am, tone marks over upper vowels and below-base vowels, each cell on its own.
    for row in &doc.sections[0].table.rows {
        expected.extend(row.iter().map(String::as_str));
    }
    expected.push("12");
    for line in expected {
        assert!(found.contains(&line), "no line {line:?} in {found:?}");
    }
    for word in ["ความพึงพอใจ", "ที่สุด", "น้ำ", "น้อย", "ผู้สูงอายุ", "คำแนะนำ"]
    {
        assert!(plain.contains(word), "no {word} in {plain:?}");
    }
    // The long comment is wrapped within its cell, between words, and loses nothing.
    let comment = &doc.sections[1].table.rows[0][1];
    assert!(without_spaces(&plain).contains(&without_spaces(comment)));
    assert!(!found.contains(&comment.as_str()), "not wrapped: {found:?}");
    // Read across, each row is its cells in order, numbers in their own columns.
    let layout = text(&file, None, true);
    let rows: Vec<String> = layout.lines().map(collapse).collect();
    for row in &doc.sections[0].table.rows {
        let row = row.join(" ");
        assert!(rows.contains(&row), "no row {row:?} in {rows:?}");
    }
    assert!(rows.contains(&"ระดับ จำนวน ร้อยละ".to_owned()), "{rows:?}");
    // A short label beside a long text keeps its width rather than break.
    assert!(
        rows.iter()
            .any(|r| r.starts_with("สถานที่ น้ำดื่ม") && r.ends_with(" 12")),
        "{rows:?}"
    );
}

#[test]
fn sarabun_is_embedded_with_unicode_maps() {
    let file = write("fonts", &satisfaction());
    let listing = run("pdffonts", &[path(&file)]);
    // name type encoding emb sub uni object ID
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(fonts.len(), 2, "regular and bold: {listing}");
    let mut names: Vec<&str> = Vec::new();
    for font in &fonts {
        let n = font.len();
        assert!(font[0].contains("Sarabun"), "{listing}");
        assert_eq!(
            &font[n - 5..n - 2],
            ["yes", "yes", "yes"],
            "emb sub uni: {listing}"
        );
        names.push(font[0]);
    }
    assert!(names.iter().any(|n| n.contains("Bold")), "{listing}");
}

#[test]
fn a_long_table_runs_over_pages_under_its_header_and_loses_no_row() {
    let doc = rows(300);
    let file = write("long", &doc);
    let pages: u32 = info(&file, "Pages").parse().unwrap();
    assert!(pages >= 5, "{pages} pages");
    let table = &doc.sections[0].table;
    let header = table.headers.join(" ");
    let mut seen = Vec::new();
    for page in 1..=pages {
        let layout = text(&file, Some(page), true);
        let found: Vec<String> = layout.lines().map(collapse).collect();
        assert!(
            found.contains(&header),
            "page {page}: no header in {found:?}"
        );
        let number = format!("หน้า {page} / {pages}");
        assert!(
            found
                .iter()
                .any(|l| l.ends_with(&number) && l.starts_with("citizeninfo")),
            "page {page}: no footer in {found:?}"
        );
        if page > 1 {
            assert!(found.contains(&"จุดบริการทั้งหมด (ต่อ)".to_owned()), "{found:?}");
        }
        let here: Vec<String> = found
            .into_iter()
            .filter(|l| l.starts_with("0112140"))
            .collect();
        assert!(!here.is_empty(), "page {page} has no row");
        seen.extend(here);
    }
    let expected: Vec<String> = table.rows.iter().map(|r| r.join(" ")).collect();
    assert_eq!(seen, expected, "every row once, in order");
}

#[test]
fn more_than_six_columns_turn_the_page() {
    let headers = strings(&[
        "จุดบริการ",
        "ผู้ตอบ",
        "มากที่สุด",
        "มาก",
        "ปานกลาง",
        "น้อย",
        "น้อยที่สุด",
        "คะแนนเฉลี่ย",
    ]);
    let row = strings(&[
        "ศูนย์บริการประชาชนและศูนย์ดำรงธรรมจังหวัดชลบุรี",
        "1,520",
        "700",
        "500",
        "200",
        "80",
        "40",
        "4.15",
    ]);
    let doc = ReportDocument {
        title: "คะแนนแยกตามระดับ".into(),
        subtitle: vec![],
        sections: vec![ReportSection {
            heading: "ทุกระดับ".into(),
            note: None,
            table: ReportTable {
                headers: headers.clone(),
                rows: vec![row.clone()],
                numeric: vec![false, true, true, true, true, true, true, true],
            },
        }],
        footer: String::new(),
    };
    let file = write("wide", &doc);
    assert_eq!(info(&file, "Page size"), "841.89 x 595.276 pts (A4)");
    let found: Vec<String> = text(&file, None, true).lines().map(collapse).collect();
    assert!(found.contains(&headers.join(" ")), "{found:?}");
    assert!(found.contains(&row.join(" ")), "{found:?}");
    assert!(found.iter().any(|l| l == "หน้า 1 / 1"), "{found:?}");
}

#[test]
fn an_empty_table_and_an_empty_report_say_there_is_no_data() {
    let mut doc = satisfaction();
    doc.sections[0].table.rows.clear();
    let file = write("empty-table", &doc);
    let plain = text(&file, None, false);
    let found = lines(&plain);
    assert!(found.contains(&NO_DATA), "{found:?}");
    assert!(found.contains(&"จำนวน"), "the header stays: {found:?}");
    assert!(
        found.contains(&"ความคิดเห็นที่พบบ่อย"),
        "the next section follows: {found:?}"
    );

    let empty = ReportDocument {
        title: "รายงานว่าง".into(),
        ..ReportDocument::default()
    };
    let file = write("empty-report", &empty);
    let found = text(&file, None, false);
    assert!(lines(&found).contains(&NO_DATA), "{found:?}");
    assert!(lines(&found).contains(&"หน้า 1 / 1"), "{found:?}");
}
