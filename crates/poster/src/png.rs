//! The layout as SVG, rendered to PNG by resvg.

use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use crate::PosterError;
use crate::layout::{Layout, PAGE_HEIGHT_PT, PAGE_WIDTH_PT, Rgb, WHITE};
use crate::text::{self, Weight};

/// Below this a module of the code is under 2 pixels and phones miss it from a screen.
pub(crate) const MIN_WIDTH_PX: u32 = 300;
/// A 4000 × 5657 pixmap is 90 MB; more is not needed by any screen or chat app.
pub(crate) const MAX_WIDTH_PX: u32 = 4000;

/// Only the embedded Sarabun: the system's fonts must not change the poster, and a
/// character Sarabun lacks must not come out in some other font.
static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    for weight in [Weight::Regular, Weight::Bold] {
        db.load_font_source(fontdb::Source::Binary(Arc::new(weight.data())));
    }
    db.set_sans_serif_family(text::FAMILY);
    db.set_serif_family(text::FAMILY);
    Arc::new(db)
});

pub(crate) fn render(layout: &Layout, width_px: u32) -> Result<Vec<u8>, PosterError> {
    let svg = svg(layout);
    let options = usvg::Options {
        fontdb: FONTS.clone(),
        font_family: text::FAMILY.to_owned(),
        languages: vec!["th".to_owned()],
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg, &options).map_err(|e| PosterError::Png(e.to_string()))?;
    let scale = width_px as f32 / PAGE_WIDTH_PT;
    let height_px = (PAGE_HEIGHT_PT * scale).round() as u32;
    let mut pixmap = Pixmap::new(width_px, height_px)
        .ok_or_else(|| PosterError::Png(format!("no {width_px}×{height_px} pixmap")))?;
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PosterError::Png(e.to_string()))
}

pub(crate) fn svg(layout: &Layout) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_WIDTH_PT}" height="{PAGE_HEIGHT_PT}" viewBox="0 0 {PAGE_WIDTH_PT} {PAGE_HEIGHT_PT}">"#
    );
    let _ = write!(
        out,
        r#"<rect width="{PAGE_WIDTH_PT}" height="{PAGE_HEIGHT_PT}" fill="{}"/>"#,
        hex(WHITE)
    );
    for b in &layout.blocks {
        let _ = write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
            b.x,
            b.y,
            b.width,
            b.height,
            hex(b.color)
        );
    }
    let code = &layout.code;
    out.push_str(r##"<path fill="#000" d=""##);
    for &(col, row, len) in &code.modules.runs {
        let _ = write!(
            out,
            "M{} {}h{}v{}h-{}z",
            code.x + col as f32 * code.module,
            code.y + row as f32 * code.module,
            len as f32 * code.module,
            code.module,
            len as f32 * code.module,
        );
    }
    out.push_str(r#""/>"#);
    for line in &layout.lines {
        let weight = match line.weight {
            Weight::Regular => 400,
            Weight::Bold => 700,
        };
        // Placed by its start, not centred by resvg: the layout measured the line with
        // the same shaper, so the PNG and the PDF have the same lines at the same places.
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-family="{}" font-size="{}" font-weight="{weight}" fill="{}">"#,
            line.x,
            line.baseline,
            text::FAMILY,
            line.size,
            hex(line.color)
        );
        escape(&line.shaped.text, &mut out);
        out.push_str("</text>");
    }
    out.push_str("</svg>");
    out
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}
