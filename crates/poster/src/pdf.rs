//! The layout as PDF vector content.
//!
//! Not through SVG (svg2pdf, krilla-svg): those carry an older usvg whose Thai layout
//! is wrong. krilla takes the glyphs shaped here with the text of each cluster, so it
//! embeds a subset of Sarabun with a Unicode map and the Thai can be searched and
//! copied from the PDF.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::layout::{BLACK, Block, Code, Layout, PAGE_HEIGHT_PT, PAGE_WIDTH_PT, Rgb, TextLine};
use crate::text::Weight;
use crate::{Poster, PosterError};

/// Regular and bold, each subset and embedded once whatever the number of pages.
pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    pub(crate) fn new() -> Result<Fonts, PosterError> {
        let fonts = [
            Font::new(Weight::Regular.data().into(), 0),
            Font::new(Weight::Bold.data().into(), 0),
        ];
        let [Some(regular), Some(bold)] = fonts else {
            return Err(PosterError::Pdf(
                "krilla refused the embedded Sarabun".into(),
            ));
        };
        Ok(Fonts { regular, bold })
    }
}

pub(crate) fn render(posters: &[Poster], layouts: &[Layout]) -> Result<Vec<u8>, PosterError> {
    let fonts = Fonts::new()?;
    let mut document = Document::new();
    let title = match layouts {
        [one] => one.title.clone(),
        _ => format!("โปสเตอร์ QR {} จุดบริการ", posters.len()),
    };
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language("th".to_owned())
            .creator("citizeninfo".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
        .ok_or_else(|| PosterError::Pdf("bad page size".into()))?;
    for layout in layouts {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for block in &layout.blocks {
            draw_block(&mut surface, block);
        }
        draw_code(&mut surface, &layout.code);
        for line in &layout.lines {
            draw_line(&mut surface, line, &fonts);
        }
        surface.finish();
        page.finish();
    }
    finish(document)
}

pub(crate) fn finish(document: Document) -> Result<Vec<u8>, PosterError> {
    document
        .finish()
        .map_err(|e| PosterError::Pdf(format!("{e:?}")))
}

pub(crate) fn draw_line(surface: &mut Surface<'_>, line: &TextLine, fonts: &Fonts) {
    surface.set_fill(Some(fill(line.color)));
    let font = match line.weight {
        Weight::Regular => fonts.regular.clone(),
        Weight::Bold => fonts.bold.clone(),
    };
    let glyphs: Vec<KrillaGlyph> = line
        .shaped
        .glyphs
        .iter()
        .map(|g| KrillaGlyph {
            glyph_id: GlyphId::new(g.id),
            text_range: g.text.clone(),
            x_advance: g.x_advance,
            x_offset: g.x_offset,
            y_offset: g.y_offset,
            y_advance: g.y_advance,
            location: None,
        })
        .collect();
    surface.draw_glyphs(
        Point::from_xy(line.x, line.baseline),
        &glyphs,
        font,
        &line.shaped.text,
        line.size,
        false,
    );
}

pub(crate) fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

pub(crate) fn draw_block(surface: &mut Surface<'_>, block: &Block) {
    let Some(rect) = Rect::from_xywh(block.x, block.y, block.width, block.height) else {
        return;
    };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_fill(Some(fill(block.color)));
        surface.draw_path(&path);
    }
}

/// Consecutive blocks of one colour as one path: a table's hundreds of rules and
/// stripes are then a few fill operations, not one each.
pub(crate) fn draw_blocks(surface: &mut Surface<'_>, blocks: &[Block]) {
    for run in blocks.chunk_by(|a, b| a.color == b.color) {
        let mut path = PathBuilder::new();
        for block in run {
            if let Some(rect) = Rect::from_xywh(block.x, block.y, block.width, block.height) {
                path.push_rect(rect);
            }
        }
        if let Some(path) = path.finish() {
            surface.set_fill(Some(fill(run[0].color)));
            surface.draw_path(&path);
        }
    }
}

fn draw_code(surface: &mut Surface<'_>, code: &Code) {
    let mut path = PathBuilder::new();
    for &(col, row, len) in &code.modules.runs {
        let rect = Rect::from_xywh(
            code.x + col as f32 * code.module,
            code.y + row as f32 * code.module,
            len as f32 * code.module,
            code.module,
        );
        if let Some(rect) = rect {
            path.push_rect(rect);
        }
    }
    if let Some(path) = path.finish() {
        surface.set_fill(Some(fill(BLACK)));
        surface.draw_path(&path);
    }
}
