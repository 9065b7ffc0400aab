//! Where everything goes on the page, in PostScript points from the top left corner.

use crate::qr::{self, Modules};
use crate::text::{self, Fitted, Shaped, Weight};
use crate::{Poster, PosterError};

/// A4.
pub const PAGE_WIDTH_PT: f32 = 595.276;
pub const PAGE_HEIGHT_PT: f32 = 841.89;

/// The words of the founding letter, one phrase per line.
pub(crate) const TITLE: [&str; 3] = [
    "ให้คะแนนความพึงพอใจ",
    "ร่วมแสดงความคิดเห็นในการรับบริการ",
    "เพียงสแกน QR Code",
];
pub(crate) const ADDRESS_LABEL: &str = "หากสแกนไม่ได้ พิมพ์ที่อยู่นี้ในเบราว์เซอร์";
pub(crate) const CODE_LABEL: &str = "รหัสจุดบริการ";

const MARGIN: f32 = 42.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH_PT - 2.0 * MARGIN;
/// The code without its quiet zone: 9.5 cm, whatever its version, or no less than
/// 9 cm when the header is long.
const QR_WIDTH: f32 = 270.0;
const MIN_QR_WIDTH: f32 = 256.0;
/// The space wanted between the blocks of the page.
const GAP: f32 = 16.0;
const STRIPE: f32 = 6.0;
const MIN_GAP: f32 = 6.0;

pub(crate) const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
pub(crate) const BLACK: Rgb = Rgb(0x00, 0x00, 0x00);
const NAVY: Rgb = Rgb(0x1b, 0x36, 0x6b);
const GOLD: Rgb = Rgb(0xe8, 0xb0, 0x1e);
const INK: Rgb = Rgb(0x1a, 0x1a, 0x1a);
const GREY: Rgb = Rgb(0x55, 0x55, 0x55);
const RULE: Rgb = Rgb(0xcc, 0xcc, 0xcc);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

pub(crate) struct Block {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub color: Rgb,
}

pub(crate) struct TextLine {
    pub shaped: Shaped,
    pub weight: Weight,
    pub size: f32,
    /// Start of the baseline.
    pub x: f32,
    pub baseline: f32,
    pub color: Rgb,
}

pub(crate) struct Code {
    /// Top left of the first module, inside the quiet zone.
    pub x: f32,
    pub y: f32,
    pub module: f32,
    pub modules: Modules,
}

pub(crate) struct Layout {
    pub title: String,
    pub blocks: Vec<Block>,
    pub lines: Vec<TextLine>,
    pub code: Code,
}

/// Lines of one style, stacked and centred.
struct Paragraph {
    fitted: Fitted,
    weight: Weight,
    color: Rgb,
    /// Baseline-to-baseline distance, in em. Thai stacks a tone mark over an upper
    /// vowel and hangs lower vowels below: it needs more than Latin's 1.2.
    leading: f32,
}

impl Paragraph {
    fn new(
        text: &str,
        weight: Weight,
        color: Rgb,
        max_size: f32,
        min_size: f32,
        max_lines: usize,
        leading: f32,
    ) -> Paragraph {
        Paragraph {
            fitted: text::fit(text, weight, max_size, min_size, CONTENT_WIDTH, max_lines),
            weight,
            color,
            leading,
        }
    }

    fn height(&self) -> f32 {
        self.fitted.lines.len() as f32 * self.fitted.size * self.leading
    }

    /// Places the lines from `top`; returns the bottom.
    fn place(self, top: f32, out: &mut Vec<TextLine>) -> f32 {
        let size = self.fitted.size;
        let pitch = size * self.leading;
        let mut y = top;
        for shaped in self.fitted.lines {
            // Sarabun's ink runs from about 1.0 em above the baseline (a tone mark on an
            // upper vowel) to 0.25 em below (SARA U): centre that span in the line.
            let baseline = y + pitch / 2.0 + 0.375 * size;
            out.push(TextLine {
                x: (PAGE_WIDTH_PT - shaped.width * size) / 2.0,
                baseline,
                size,
                weight: self.weight,
                color: self.color,
                shaped,
            });
            y += pitch;
        }
        y
    }
}

impl Layout {
    pub(crate) fn new(poster: &Poster) -> Result<Layout, PosterError> {
        let department = text::normalize(&poster.department);
        let office = text::normalize(&poster.office);
        let point_name = text::normalize(&poster.point_name);
        let point_code = text::normalize(&poster.point_code);
        let short_address = text::normalize(&poster.short_address);
        let modules = qr::modules(&poster.url)?;

        let mut blocks = Vec::new();
        let mut lines = Vec::new();

        // The header: who serves here, white on the band.
        let mut y = 30.0;
        if !department.is_empty() {
            let p = Paragraph::new(&department, Weight::Regular, WHITE, 22.0, 14.0, 2, 1.45);
            y = p.place(y, &mut lines) + 2.0;
        }
        let p = Paragraph::new(&office, Weight::Bold, WHITE, 32.0, 18.0, 3, 1.45);
        y = p.place(y, &mut lines) + 24.0;
        blocks.push(Block {
            x: 0.0,
            y: 0.0,
            width: PAGE_WIDTH_PT,
            height: y,
            color: NAVY,
        });
        blocks.push(Block {
            x: 0.0,
            y,
            width: PAGE_WIDTH_PT,
            height: STRIPE,
            color: GOLD,
        });
        let body_top = y + STRIPE;

        let title = [
            Paragraph::new(TITLE[0], Weight::Bold, NAVY, 46.0, 28.0, 1, 1.4),
            Paragraph::new(TITLE[1], Weight::Regular, INK, 26.0, 18.0, 1, 1.45),
            Paragraph::new(TITLE[2], Weight::Bold, NAVY, 32.0, 20.0, 1, 1.4),
        ];
        let address = [
            Paragraph::new(ADDRESS_LABEL, Weight::Regular, GREY, 15.0, 12.0, 1, 1.4),
            // On one line: an address read across two lines gets typed with a space.
            Paragraph::new(&short_address, Weight::Bold, INK, 24.0, 13.0, 1, 1.35),
        ];
        let mut footer = Vec::new();
        if !point_name.is_empty() && point_name != office {
            footer.push(Paragraph::new(
                &point_name,
                Weight::Regular,
                INK,
                18.0,
                13.0,
                2,
                1.45,
            ));
        }
        footer.push(Paragraph::new(
            &format!("{CODE_LABEL} {point_code}"),
            Weight::Regular,
            GREY,
            16.0,
            12.0,
            1,
            1.45,
        ));

        let height = |ps: &[Paragraph]| ps.iter().map(Paragraph::height).sum::<f32>();
        let text_height = height(&title) + height(&address) + height(&footer);
        let bottom_margin = 30.0;
        let quiet_modules = 2 * qr::QUIET_ZONE + modules.width;
        let square_of = |width: f32| width * quiet_modules as f32 / modules.width as f32;
        let free_with =
            |width: f32| PAGE_HEIGHT_PT - bottom_margin - body_top - text_height - square_of(width);
        // A header of three long lines leaves little room: the code gives up to 5 %
        // of its width (it stays over 9 cm) before the gaps close up.
        let mut qr_width = QR_WIDTH;
        let wanted = 3.0 * GAP;
        if free_with(qr_width) < wanted {
            let short = wanted - free_with(qr_width);
            qr_width =
                (QR_WIDTH - short * modules.width as f32 / quiet_modules as f32).max(MIN_QR_WIDTH);
        }
        let module = qr_width / modules.width as f32;
        let quiet = module * qr::QUIET_ZONE as f32;
        let square = square_of(qr_width);
        // What is left goes above the title, above the code and above the footer, so
        // that a short header leaves the code in the middle of the page rather than
        // high up with an empty bottom. A name long enough to leave less than nothing
        // pushes the footer down; `fit` keeps names of any real office from that.
        let gap = (free_with(qr_width) / 3.0).max(MIN_GAP);

        let mut y = body_top + gap;
        for p in title {
            y = p.place(y, &mut lines);
        }
        y += gap * 0.5;
        let code = Code {
            x: (PAGE_WIDTH_PT - qr_width) / 2.0,
            y: y + quiet,
            module,
            modules,
        };
        y += square;
        for p in address {
            y = p.place(y, &mut lines);
        }
        y += gap * 1.5;
        blocks.push(Block {
            x: MARGIN,
            y: y - gap * 0.75,
            width: CONTENT_WIDTH,
            height: 0.75,
            color: RULE,
        });
        for p in footer {
            y = p.place(y, &mut lines);
        }

        Ok(Layout {
            title: format!("{office} {point_code}"),
            blocks,
            lines,
            code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poster(office: &str) -> Poster {
        Poster {
            department: "กรมการพัฒนาชุมชน กระทรวงมหาดไทย".into(),
            office: office.into(),
            point_name: format!("งานทะเบียน {office}"),
            point_code: "0112140410350".into(),
            url: "https://citizeninfo.example.go.th/r/Qx7mP2vL9kR4tW8zN3bH6c".into(),
            short_address: "citizeninfo.example.go.th/r/Qx7mP2vL9kR4tW8zN3bH6c".into(),
        }
    }

    #[test]
    fn the_code_stays_over_9_cm_and_everything_stays_on_the_page() {
        let long = "ศูนย์บริการประชาชนและศูนย์ดำรงธรรมสำนักงานพัฒนาชุมชนจังหวัดชลบุรีเพื่อการให้บริการแบบเบ็ดเสร็จ ณ ศาลากลางจังหวัดชลบุรี";
        for office in ["สำนักงานพัฒนาชุมชนอำเภอบางละมุง", long]
        {
            let layout = Layout::new(&poster(office)).unwrap();
            let code = &layout.code;
            let width_cm = code.module * code.modules.width as f32 / 72.0 * 2.54;
            assert!(width_cm >= 9.0, "{width_cm} cm for {office}");
            for line in &layout.lines {
                assert!(
                    line.x >= MARGIN - 0.5,
                    "{} at x {}",
                    line.shaped.text,
                    line.x
                );
                assert!(line.baseline + 0.3 * line.size < PAGE_HEIGHT_PT - 12.0);
            }
        }
    }
}
