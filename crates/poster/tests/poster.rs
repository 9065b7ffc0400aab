//! The poster read back as a person and their phone would: the PDF printed (rendered
//! by poppler) and scanned (zbar), its text copied out, its fonts listed.
//!
//! The tools come from Debian's zbar-tools and poppler-utils, installed by
//! `scripts/install-test-deps`. The rendered pages are kept in
//! `$TMPDIR/citizeninfo-poster-tests/` to be looked at.

use std::path::{Path, PathBuf};
use std::process::Command;

use citizeninfo_poster::{Poster, PosterError, pdf, png};

const SEED_WORDS: &str = "ให้คะแนนความพึงพอใจ ร่วมแสดงความคิดเห็นในการรับบริการ เพียงสแกน QR Code";
const LONG_NAME: &str = "ศูนย์บริการประชาชนและศูนย์ดำรงธรรมสำนักงานพัฒนาชุมชนจังหวัดชลบุรีเพื่อการให้บริการแบบเบ็ดเสร็จ ณ ศาลากลางจังหวัดชลบุรี";

fn poster(office: &str, token: &str) -> Poster {
    Poster {
        department: "กรมการพัฒนาชุมชน กระทรวงมหาดไทย".into(),
        office: office.into(),
        point_name: format!("งานทะเบียนและน้ำประปา {office}"),
        point_code: "0112140410350".into(),
        url: format!("https://citizeninfo.example.go.th/r/{token}"),
        short_address: format!("citizeninfo.example.go.th/r/{token}"),
    }
}

fn bang_lamung() -> Poster {
    poster("สำนักงานพัฒนาชุมชนอำเภอบางละมุง", "Qx7mP2vL9kR4tW8zN3bH6c")
}

fn mueang_chonburi() -> Poster {
    Poster {
        department: "กรมการปกครอง".into(),
        point_code: "0113000000123".into(),
        ..poster("ที่ทำการปกครองอำเภอเมืองชลบุรี", "aB3dE5fG7hJ9kL1mN2pQ4r")
    }
}

fn long_name() -> Poster {
    poster(LONG_NAME, "Zz9_Yy8-Xx7Ww6Vv5Uu4Tt")
}

/// A directory of its own per test, kept after the run.
fn out_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("citizeninfo-poster-tests")
        .join(test);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}): the poster tests need zbar-tools and poppler-utils; \
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

/// What a phone reads from an image: zbar's only line.
fn scan(png: &Path) -> String {
    run("zbarimg", &["--raw", "-q", path(png)])
        .trim_end_matches('\n')
        .to_owned()
}

/// Page `page` (from 1) of the PDF as a 150 dpi PNG, as poppler prints it.
fn render_page(pdf: &Path, page: u32) -> PathBuf {
    let stem = pdf.with_file_name(format!(
        "{}-page{page}",
        pdf.file_stem().unwrap().to_str().unwrap()
    ));
    let n = page.to_string();
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
            path(pdf),
            path(&stem),
        ],
    );
    stem.with_extension("png")
}

fn page_text(pdf: &Path, page: u32) -> String {
    let n = page.to_string();
    run(
        "pdftotext",
        &["-enc", "UTF-8", "-f", &n, "-l", &n, path(pdf), "-"],
    )
}

fn write_pdf(test: &str, posters: &[Poster]) -> PathBuf {
    let file = out_dir(test).join("poster.pdf");
    std::fs::write(&file, pdf(posters).unwrap()).unwrap();
    file
}

fn write_png(test: &str, name: &str, poster: &Poster, width: u32) -> PathBuf {
    let file = out_dir(test).join(format!("{name}.png"));
    std::fs::write(&file, png(poster, width).unwrap()).unwrap();
    eprintln!("poster PNG: {}", file.display());
    file
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn printed_pdf_scans_to_the_address() {
    let p = bang_lamung();
    let file = write_pdf("printed_pdf_scans", std::slice::from_ref(&p));
    let page = render_page(&file, 1);
    assert_eq!(scan(&page), p.url);
}

#[test]
fn pdf_text_is_the_thai_words_and_names_exactly() {
    let posters = [bang_lamung(), mueang_chonburi(), long_name()];
    let file = write_pdf("pdf_text", &posters);
    for (i, p) in posters.iter().enumerate() {
        let text = page_text(&file, i as u32 + 1);
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        // The seed's words are set on three lines, one phrase each.
        assert!(
            collapse(&text).contains(SEED_WORDS),
            "page {}: no seed words in {text:?}",
            i + 1
        );
        assert!(
            lines.contains(&"ให้คะแนนความพึงพอใจ"),
            "page {}: {lines:?}",
            i + 1
        );
        assert!(
            without_spaces(&text).contains(&without_spaces(&p.office)),
            "page {}: no office name in {text:?}",
            i + 1
        );
        assert!(
            lines.contains(&p.department.as_str()),
            "page {}: {lines:?}",
            i + 1
        );
        assert!(
            lines.contains(&p.short_address.as_str()),
            "page {}: {lines:?}",
            i + 1
        );
        let code_line = format!("รหัสจุดบริการ {}", p.point_code);
        assert!(
            lines.contains(&code_line.as_str()),
            "page {}: {lines:?}",
            i + 1
        );
        assert!(
            lines.contains(&"หากสแกนไม่ได้ พิมพ์ที่อยู่นี้ในเบราว์เซอร์"),
            "page {}: {lines:?}",
            i + 1
        );
    }
    // Short names are one line each, whole; the long one is broken between words.
    let first = page_text(&file, 1);
    assert!(
        first
            .lines()
            .any(|l| l.trim() == "สำนักงานพัฒนาชุมชนอำเภอบางละมุง")
    );
    let second = page_text(&file, 2);
    assert!(
        second
            .lines()
            .any(|l| l.trim() == "ที่ทำการปกครองอำเภอเมืองชลบุรี")
    );
    let third = page_text(&file, 3);
    assert!(
        !third.lines().any(|l| l.trim() == LONG_NAME),
        "the long name was not wrapped: {third:?}"
    );
    let name_lines: Vec<&str> = third
        .lines()
        .map(str::trim)
        .skip_while(|l| !LONG_NAME.starts_with(l) || l.is_empty())
        .take_while(|l| !l.is_empty() && without_spaces(LONG_NAME).contains(&without_spaces(l)))
        .collect();
    assert!(name_lines.len() >= 2, "{name_lines:?} in {third:?}");
    // Every break is between words that the dictionary knows, never inside one.
    for line in &name_lines {
        let first = line.chars().next().unwrap();
        assert!(
            !('\u{0E30}'..='\u{0E3A}').contains(&first)
                && !('\u{0E45}'..='\u{0E4E}').contains(&first),
            "a line starts with a vowel or mark: {line}"
        );
    }
}

#[test]
fn pdf_embeds_sarabun_with_unicode_maps() {
    let file = write_pdf("pdf_fonts", &[bang_lamung()]);
    let listing = run("pdffonts", &[path(&file)]);
    // name type encoding emb sub uni object ID
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(fonts.len(), 2, "regular and bold: {listing}");
    for font in &fonts {
        let n = font.len();
        assert!(font[0].contains("Sarabun"), "{listing}");
        assert_eq!(
            &font[n - 5..n - 2],
            ["yes", "yes", "yes"],
            "emb sub uni: {listing}"
        );
    }
}

#[test]
fn png_scans_to_the_address() {
    for (name, p) in [
        ("bang-lamung", bang_lamung()),
        ("mueang-chonburi", mueang_chonburi()),
        ("long-name", long_name()),
    ] {
        let file = write_png("png_scans", name, &p, 1240);
        assert_eq!(scan(&file), p.url, "{name}");
        let image = image::open(&file).unwrap();
        assert_eq!((image.width(), image.height()), (1240, 1754));
    }
    // Print resolution, and its bands cut out at full size, to look at the Thai.
    for (name, p) in [
        ("bang-lamung-300dpi", bang_lamung()),
        ("long-name-300dpi", long_name()),
    ] {
        let file = write_png("png_scans", name, &p, 2480);
        assert_eq!(scan(&file), p.url, "{name}");
        let image = image::open(&file).unwrap();
        for (band, top, height) in [("header", 0, 900), ("footer", 2700, 808)] {
            let crop = image.crop_imm(0, top, 2480, height);
            let out = out_dir("png_scans").join(format!("{name}-{band}.png"));
            crop.save(&out).unwrap();
        }
    }
    // A chat app's thumbnail still scans.
    let small = write_png("png_scans", "small", &bang_lamung(), 480);
    assert_eq!(scan(&small), bang_lamung().url);
}

#[test]
fn three_posters_make_three_pages_each_with_its_own_code() {
    let posters = [bang_lamung(), mueang_chonburi(), long_name()];
    let file = write_pdf("three_pages", &posters);
    let info = run("pdfinfo", &[path(&file)]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(str::trim);
    assert_eq!(pages, Some("3"), "{info}");
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    for (i, p) in posters.iter().enumerate() {
        let page = render_page(&file, i as u32 + 1);
        assert_eq!(scan(&page), p.url, "page {}", i + 1);
    }
}

#[test]
fn creased_code_still_scans() {
    let p = bang_lamung();
    let file = write_png("creased", "clean", &p, 1240);
    let mut image = image::open(&file).unwrap().to_luma8();
    // The code is the only pure black on the poster: the text is navy, near-black
    // or grey.
    let (w, h) = image.dimensions();
    let (mut left, mut top, mut right, mut bottom) = (w, h, 0, 0);
    for (x, y, px) in image.enumerate_pixels() {
        if px.0[0] < 10 {
            left = left.min(x);
            top = top.min(y);
            right = right.max(x);
            bottom = bottom.max(y);
        }
    }
    assert!(right > left && bottom > top, "no code found");
    let side = (right - left) as f32;
    // The top row of the top left finder pattern is 7 modules of black.
    let finder = (left..right)
        .take_while(|&x| image.get_pixel(x, top + 1).0[0] < 128)
        .count() as f32;
    let module = finder / 7.0;
    assert!(module > 4.0, "a module of {module} px");
    // The poster folded in half to go in an envelope: a worn crease across the page
    // at half its height, two and a half modules wide, mid grey. It runs through the
    // code, clear of the finder patterns. Level H survives it; on this code Q, M and L
    // do not (Q still reads a crease two modules wide).
    assert!(
        top < h / 2 && h / 2 < bottom,
        "the code is not across the fold"
    );
    let mut changed = 0u32;
    for (x, y, px) in image.enumerate_pixels_mut() {
        if (y as f32 - h as f32 / 2.0).abs() >= module * 1.25 {
            continue;
        }
        let in_code = (left..=right).contains(&x) && (top..=bottom).contains(&y);
        if in_code && px.0[0] != 140 {
            changed += 1;
        }
        px.0[0] = 140;
    }
    assert!(changed as f32 > side * module, "the crease missed the code");
    let creased = out_dir("creased").join("creased.png");
    image.save(&creased).unwrap();
    eprintln!("creased poster: {}", creased.display());
    assert_eq!(scan(&creased), p.url);
}

#[test]
fn refuses_what_it_cannot_make() {
    assert!(matches!(pdf(&[]), Err(PosterError::NoPosters)));
    assert!(matches!(
        png(&bang_lamung(), 10),
        Err(PosterError::Width(10))
    ));
    assert!(matches!(
        png(&bang_lamung(), 100_000),
        Err(PosterError::Width(100_000))
    ));
    let huge = Poster {
        url: format!("https://citizeninfo.example.go.th/r/{}", "x".repeat(4000)),
        ..bang_lamung()
    };
    assert!(matches!(pdf(&[huge]), Err(PosterError::Qr(_))));
}
