//! The external letter read back as its reader would: its text copied out of the PDF
//! (poppler's pdftotext), its fonts and pages listed (pdffonts, pdfinfo), its first page
//! printed (pdftoppm) to see where the ink falls.
//!
//! The tools come from Debian's poppler-utils, installed by
//! `scripts/install-test-deps`. The PDFs are kept in
//! `$TMPDIR/citizeninfo-poster-tests/letter-*/` to be looked at.

use std::path::{Path, PathBuf};
use std::process::Command;

use citizeninfo_poster::{Letter, letter_pdf, thai_digits};

/// The dash of the page numbers: drawn as a hyphen, but not a hyphen-minus that
/// pdftotext would take for a word broken at the end of the line.
const DASH: &str = "\u{2010}";

fn out_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("citizeninfo-poster-tests")
        .join(format!("letter-{test}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}): the letter tests need poppler-utils; \
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

fn write(test: &str, letter: &Letter) -> PathBuf {
    let file = out_dir(test).join("letter.pdf");
    std::fs::write(&file, letter_pdf(letter).unwrap()).unwrap();
    eprintln!("letter PDF: {}", file.display());
    file
}

/// The text of page `page` (from 1), or of every page with `None`.
fn text(pdf: &Path, page: Option<u32>) -> String {
    let n = page.map(|p| p.to_string());
    let mut args = vec!["-enc", "UTF-8"];
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

fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

/// The founding letter from Chonburi province, as it was sent.
fn chonburi() -> Letter {
    Letter {
        number: "ที่ ชบ ๐๐๑๘/ว๕๗๘๕".into(),
        office_lines: strings(&["ศาลากลางจังหวัดชลบุรี", "ถนนมนตเสวี ชบ ๒๐๐๐๐"]),
        date_th: "๖ สิงหาคม ๒๕๖๓".into(),
        subject: "การเชื่อมโยงคู่มือสำหรับประชาชนไปยังหน่วยปฏิบัติผ่านระบบ CITIZENinfo".into(),
        addressee: "นายอำเภอทุกอำเภอ".into(),
        references: vec![],
        attachments: strings(&[
            "คู่มือการใช้งานระบบ CITIZENinfo จำนวน ๑ ชุด",
            "รหัสการอนุญาตใช้งานระบบ Authorize Code จำนวน ๑ ฉบับ",
            "แบบรายงานการสมัครใช้งานระบบ CITIZENinfo จำนวน ๑ ชุด",
        ]),
        body: strings(&[
            "ด้วย กรมการพัฒนาชุมชน ได้ดำเนินการเชื่อมโยงคู่มือสำหรับประชาชน จำนวน ๓ ฉบับ ได้แก่ \
             ๑) การลงทะเบียนผู้ผลิต ผู้ประกอบการ หนึ่งตำบล หนึ่งผลิตภัณฑ์ (OTOP) \
             ๒) กระบวนการคัดสรรสุดยอด หนึ่งตำบล หนึ่งผลิตภัณฑ์ไทย และ \
             ๓) การขอความเห็นชอบโครงการและเงินยืมของคณะกรรมการ กข.คจ. หมู่บ้าน \
             ไปยังหน่วยปฏิบัติในส่วนภูมิภาคผ่านระบบ CITIZENinfo ซึ่งเป็นระบบสำหรับให้ข้อมูลจุดให้บริการ \
             ประชาชน ทั้งพิกัดจุดให้บริการ และรายละเอียดของงานบริการ เพื่อให้ผู้เข้ารับบริการสามารถเข้าถึงและรับรู้ \
             ช่องทางการให้บริการภาครัฐได้อย่างสะดวกรวดเร็ว และเป็นเครื่องมือในการแสดงความพึงพอใจการใช้บริการ \
             ของหน่วยงานราชการ ซึ่งพัฒนาโดยสำนักงานคณะกรรมการพัฒนาระบบราชการ หรือ ก.พ.ร. และสำนักงาน \
             พัฒนารัฐบาลดิจิทัล (องค์การมหาชน) หรือ สพร.",
            "เพื่อให้การดำเนินการการเชื่อมโยงคู่มือสำหรับประชาชนไปยังหน่วยปฏิบัติผ่านระบบ CITIZENinfo \
             ของกรมการพัฒนาชุมชนเป็นไปด้วยความเรียบร้อยและเกิดประโยชน์ต่อประชาชนผู้รับบริการ \
             จังหวัดชลบุรีจึงขอให้อำเภอมอบหมายสำนักงานพัฒนาชุมชนอำเภอดำเนินการ ดังนี้",
            "๑. มอบหมายเจ้าหน้าที่ผู้รับผิดชอบงานสารสนเทศดำเนินการสมัครเข้าใช้งานระบบ CITIZENinfo \
             ผ่านเว็บไซต์ https://citizen.info.go.th รายละเอียดคู่มือการใช้งานตามสิ่งที่ส่งมาด้วย ๑ \
             และใช้รหัสการอนุญาต ใช้งานระบบของสำนักงานพัฒนาชุมชนอำเภอ หรือ Authorize Code \
             ตามสิ่งที่ส่งมาด้วย ๒",
            "๒. ตรวจสอบ/เพิ่มเติม/แก้ไข ข้อมูล “จุดบริการหน่วยงานและโครงสร้าง” ได้แก่ พิกัดจุดบริการ, \
             ข้อมูลทั่วไป (ชื่อ, ที่อยู่, หมายเลขโทรศัพท์, วัน เวลาทำการ ฯลฯ) อัปโหลดรูปภาพสำนักงานขึ้นระบบ \
             และ ตรวจสอบคู่มือสำหรับประชาชนในระบบทั้ง ๓ ฉบับให้ครบถ้วนสมบูรณ์",
            "๓. ดาวนโหลดและพิมพ์โปสเตอร์ QR Code จากระบบ CITIZENinfo Backend นำไปติดตั้ง ณ จุดบริการ \
             เพื่อรองรับการแสดงความพึงพอใจของประชาชนผู้รับบริการต่อเจ้าหน้าที่ผู้ให้บริการ และติดตาม \
             ผลการดำเนินงานจากผลการประเมินความพึงพอใจดังกล่าว",
            "ทั้งนี้ เมื่อดำเนินการเสร็จเรียบร้อยแล้วขอให้แจ้งจังหวัดชลบุรีทราบ \
             ภายในวันที่ ๑๓ สิงหาคม ๒๕๖๓ รายละเอียดแบบรายงานตามสิ่งที่ส่งมาด้วย ๓",
        ]),
        closing: "จึงเรียนมาเพื่อพิจารณาดำเนินการ".into(),
        salutation: "ขอแสดงความนับถือ".into(),
        signer_name: Some("นายบรรเทา ดวงนภา".into()),
        signer_position: strings(&["พัฒนาการจังหวัดชลบุรี ปฏิบัติราชการแทน", "ผู้ว่าราชการจังหวัดชลบุรี"]),
        contact_lines: strings(&[
            "สำนักงานพัฒนาชุมชนจังหวัด",
            "กลุ่มงานสารสนเทศการพัฒนาชุมชน",
            "โทร. ๐ ๓๘๒๘ ๔๓๔๙ ต่อ ๑๐๓",
            "โทรสาร ๐ ๓๘๒๘ ๔๓๔๙ ต่อ ๑๐๖",
        ]),
    }
}

/// The founding letter cut to one page: its heading, last paragraph and signature.
fn short() -> Letter {
    let mut letter = chonburi();
    letter.body = vec![letter.body.pop().unwrap()];
    letter
}

fn long() -> Letter {
    let mut letter = chonburi();
    letter.references = strings(&["หนังสือกรมการพัฒนาชุมชน ที่ มท ๐๔๐๖.๔/ว ๑๒๓๔ ลงวันที่ ๑๕ กรกฎาคม ๒๕๖๓"]);
    let paragraph = letter.body[0].clone();
    letter.body = (1..=14)
        .map(|i| format!("{}) {paragraph}", thai_digits(&i.to_string())))
        .collect();
    letter
}

/// A word of pdftotext's `-bbox` listing, its box in points from the top left.
#[derive(Debug)]
struct Word {
    text: String,
    x_min: f32,
    x_max: f32,
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
            y_max: attr(l, "yMax"),
        })
        .collect()
}

/// The text of every page, page numbers left out.
fn body_text(pdf: &Path, pages: u32) -> String {
    (1..=pages)
        .map(|page| {
            let text = text(pdf, Some(page));
            let number = page_number(page);
            match text.trim_start().strip_prefix(&number) {
                Some(rest) if page > 1 => rest.to_owned(),
                _ => text,
            }
        })
        .collect()
}

/// How pdftotext reads the page number of a page after the first.
fn page_number(page: u32) -> String {
    format!("{DASH}{}{DASH}", thai_digits(&page.to_string()))
}

/// Every line of the PDF as pdftotext reads it, all pages.
fn all_lines(pdf: &Path) -> Vec<String> {
    lines(&text(pdf, None))
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_founding_letter_comes_back_exactly() {
    let letter = chonburi();
    let file = write("thai", &letter);
    assert_eq!(info(&file, "Page size"), "595.276 x 841.89 pts (A4)");
    assert_eq!(info(&file, "Title"), letter.subject);
    let plain = text(&file, None);
    let found = all_lines(&file);
    let pages: u32 = info(&file, "Pages").parse().unwrap();
    assert!(!plain.contains('\u{25CC}'), "a dotted circle: {plain:?}");
    assert!(!plain.contains('\u{FFFD}'), "a character lost: {plain:?}");
    let addressee = format!("เรียน {}", letter.addressee);
    let name = "(นายบรรเทา ดวงนภา)";
    let mut expected = vec![
        letter.number.as_str(),
        letter.date_th.as_str(),
        addressee.as_str(),
        letter.closing.as_str(),
        letter.salutation.as_str(),
        name,
    ];
    expected.extend(letter.office_lines.iter().map(String::as_str));
    expected.extend(letter.signer_position.iter().map(String::as_str));
    expected.extend(letter.contact_lines.iter().map(String::as_str));
    for line in expected {
        assert!(
            found.iter().any(|l| l == line),
            "no line {line:?} in {found:?}"
        );
    }
    // The subject runs on under itself, after its label.
    let subject = format!("เรื่อง {}", letter.subject);
    let at = found
        .iter()
        .position(|l| subject.starts_with(l.as_str()) && l.starts_with("เรื่อง "));
    let at = at.unwrap_or_else(|| panic!("no subject in {found:?}"));
    let joined = format!("{} {}", found[at], found[at + 1]);
    assert!(
        joined == subject || found[at] == subject,
        "{:?}",
        &found[at..at + 2]
    );
    // The enclosures numbered beside their label, each starting a line of its own.
    let first = format!("สิ่งที่ส่งมาด้วย ๑. {}", letter.attachments[0]);
    assert!(found.contains(&first), "{found:?}");
    for (i, item) in letter.attachments.iter().enumerate().skip(1) {
        let number = format!("{}. ", thai_digits(&(i + 1).to_string()));
        let start: String = item.split(' ').next().unwrap().to_owned();
        let line = format!("{number}{start}");
        assert!(
            found.iter().any(|l| l.starts_with(&line)),
            "no {line:?} in {found:?}"
        );
    }
    // The paragraphs are wrapped within the margins, in order, and lose nothing.
    let all = without_spaces(&body_text(&file, pages));
    let mut from = 0;
    for paragraph in &letter.body {
        let at = all[from..]
            .find(&without_spaces(paragraph))
            .unwrap_or_else(|| panic!("{paragraph} missing or out of order"));
        from += at + without_spaces(paragraph).len();
        let line = found
            .iter()
            .find(|l| paragraph.starts_with(l.as_str()))
            .unwrap_or_else(|| panic!("no line starts {paragraph}"));
        assert!(line.len() < paragraph.len(), "not wrapped: {paragraph}");
    }
    // SARA AM, tone marks over upper vowels, below-base vowels, curly quotes.
    for word in [
        "ผู้ว่าราชการ",
        "สำนักงาน",
        "ดำเนินการ",
        "ปฏิบัติ",
        "“จุดบริการหน่วยงานและโครงสร้าง”",
    ] {
        assert!(all.contains(word), "no {word}");
    }
}

#[test]
fn a_short_letter_is_one_page_without_a_page_number() {
    let letter = short();
    let file = write("short", &letter);
    assert_eq!(info(&file, "Pages"), "1");
    let found = all_lines(&file);
    let subject = format!("เรื่อง {}", letter.subject);
    assert!(
        found.contains(&subject) || found.iter().any(|l| subject.starts_with(l.as_str())),
        "{found:?}"
    );
    for line in [&letter.number, &letter.salutation, &letter.contact_lines[3]] {
        assert!(found.contains(line), "no {line:?} in {found:?}");
    }
    assert!(!found.iter().any(|l| l.starts_with(DASH)), "{found:?}");
}

#[test]
fn sarabun_is_embedded_with_unicode_maps() {
    let file = write("fonts", &chonburi());
    let listing = run("pdffonts", &[path(&file)]);
    // name type encoding emb sub uni object ID
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(fonts.len(), 2, "regular and bold (the labels): {listing}");
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
fn a_long_letter_runs_over_numbered_pages_and_ends_with_its_signature() {
    let letter = long();
    let file = write("long", &letter);
    let pages: u32 = info(&file, "Pages").parse().unwrap();
    assert!(pages >= 3, "{pages} pages");
    let first = text(&file, Some(1));
    assert!(
        !lines(&first).iter().any(|l| l.starts_with(DASH)),
        "{first}"
    );
    assert!(lines(&first).contains(&letter.number.as_str()));
    let reference = format!("อ้างถึง {}", letter.references[0]);
    assert!(
        lines(&first).iter().any(|l| l.starts_with("อ้างถึง หนังสือ")),
        "{first}"
    );
    assert!(
        without_spaces(&first).contains(&without_spaces(&reference)),
        "{first}"
    );
    for page in 2..=pages {
        // pdftotext drops the spaces around a hyphen: the number is read from its words.
        let words = words(&file, page);
        let top: Vec<&Word> = words
            .iter()
            .filter(|w| w.y_max < 2.5 * 72.0 / 2.54)
            .collect();
        let number: Vec<&str> = top.iter().map(|w| w.text.as_str()).collect();
        let digits = thai_digits(&page.to_string());
        assert_eq!(number, [DASH, digits.as_str(), DASH], "page {page}");
        let centre = (top[0].x_min + top[top.len() - 1].x_max) / 2.0;
        assert!(
            (centre - 595.276 / 2.0).abs() < 1.0,
            "page {page}: centred at {centre}"
        );
        let found = text(&file, Some(page));
        // On a line of its own, not run into the first line of the page.
        let number = page_number(page);
        assert_eq!(
            lines(&found).first(),
            Some(&number.as_str()),
            "page {page}: {found}"
        );
        assert!(!found.contains(&letter.number), "page {page}: {found}");
    }
    let last = text(&file, Some(pages));
    for line in [
        letter.closing.as_str(),
        letter.salutation.as_str(),
        "(นายบรรเทา ดวงนภา)",
        letter.contact_lines[3].as_str(),
    ] {
        assert!(
            lines(&last).contains(&line),
            "no {line:?} on the last page: {last}"
        );
    }
    // Every paragraph once, in order, across the pages.
    let all = without_spaces(&body_text(&file, pages));
    let mut from = 0;
    for paragraph in &letter.body {
        let at = all[from..]
            .find(&without_spaces(paragraph))
            .unwrap_or_else(|| panic!("{paragraph} missing or out of order"));
        from += at + without_spaces(paragraph).len();
    }
    assert!(!all.contains('\u{25CC}'));
}

/// Page 1 printed at 72 dpi in grey: a pixel a point.
fn print_first_page(pdf: &Path) -> image::GrayImage {
    let stem = pdf.with_file_name("page1");
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "72",
            "-gray",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            path(pdf),
            path(&stem),
        ],
    );
    image::open(stem.with_extension("png")).unwrap().to_luma8()
}

/// The leftmost and rightmost columns with ink in the box, in points.
fn ink(page: &image::GrayImage, x: (f32, f32), y: (f32, f32)) -> Option<(u32, u32)> {
    let ys = y.0 as u32..(y.1 as u32).min(page.height());
    let dark: Vec<u32> = (x.0 as u32..(x.1 as u32).min(page.width()))
        .filter(|&x| ys.clone().any(|y| page.get_pixel(x, y).0[0] < 160))
        .collect();
    Some((*dark.first()?, *dark.last()?))
}

#[test]
fn the_margins_and_the_emblem_space_are_left_blank() {
    let file = write("margins", &long());
    let page = print_first_page(&file);
    let cm = 72.0 / 2.54;
    let (width, height) = (595.276, 841.89);
    let (left, right) = ink(&page, (0.0, width), (0.0, height)).expect("ink");
    assert!(
        left as f32 >= 3.0 * cm - 1.5,
        "ink at {left} pt, in the 3 cm margin"
    );
    assert!(
        right as f32 <= width - 2.0 * cm + 1.0,
        "ink at {right} pt, in the 2 cm margin"
    );
    // The number and the office stand beside the 3 cm emblem space, not in it.
    let emblem = ((width - 3.0 * cm) / 2.0, (width + 3.0 * cm) / 2.0);
    let over = ink(&page, emblem, (0.0, 4.5 * cm));
    assert!(over.is_none(), "ink in the emblem space: {over:?}");
    let beside = ink(&page, (0.0, width), (0.0, 4.5 * cm));
    assert!(beside.is_some(), "no heading level with the emblem");
    // Under it the letter takes the whole width between the margins.
    let (left, right) = ink(&page, (0.0, width), (4.5 * cm, height)).expect("the body");
    assert!(
        left as f32 <= 3.0 * cm + 1.0 && right as f32 >= width - 2.0 * cm - 20.0,
        "{left}..{right}"
    );
}
