//! The QR poster of a service point: an A4 PDF to print and a PNG for screens.
//!
//! Citizens scan the poster at the counter to rate the service. One layout is
//! computed per poster — text shaped with Sarabun and broken into lines by the
//! widths of the shaped glyphs — and drawn twice: as PDF vector content with krilla
//! (fonts subset and embedded, text extractable) and as an SVG rendered by resvg.
//! Both see the same fonts, embedded in the binary, so the output does not depend
//! on the fonts of the machine.
//!
//! The satisfaction reports, external letters and task report forms are printed with
//! the same fonts and shaping: see [`report_pdf`], [`letter_pdf`] and
//! [`task_report_pdf`].
//!
//! The crate does no I/O: it takes [`Poster`], [`ReportDocument`], [`Letter`] and
//! [`TaskReportForm`] values and returns bytes.

mod layout;
mod letter;
mod pdf;
mod png;
mod qr;
mod report;
mod task_report;
mod text;

pub use layout::{PAGE_HEIGHT_PT, PAGE_WIDTH_PT};
pub use letter::{Letter, letter_pdf, thai_digits};
pub use report::{
    NO_DATA, PORTRAIT_MAX_COLUMNS, ReportDocument, ReportSection, ReportTable, report_pdf,
};
pub use task_report::{TaskItemStatus, TaskReportForm, TaskReportItem, task_report_pdf};

/// What one poster shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poster {
    /// The department (กรม), at the top.
    pub department: String,
    /// The office (หน่วยงาน), at the top under the department.
    pub office: String,
    /// The service point; shown at the bottom when it differs from the office.
    pub point_name: String,
    /// The 13-digit service point code, at the bottom.
    pub point_code: String,
    /// What the QR code holds: `BASE_URL/r/{token}`.
    pub url: String,
    /// What a person types when they cannot scan, e.g. the URL without its scheme.
    pub short_address: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PosterError {
    #[error("no posters to print")]
    NoPosters,
    #[error("the address does not fit in a QR code: {0}")]
    Qr(qrcode::types::QrError),
    #[error("the PNG width must be between {min} and {max} pixels, not {0}", min = png::MIN_WIDTH_PX, max = png::MAX_WIDTH_PX)]
    Width(u32),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the PNG could not be drawn: {0}")]
    Png(String),
}

/// One A4 page per poster, in order.
pub fn pdf(posters: &[Poster]) -> Result<Vec<u8>, PosterError> {
    if posters.is_empty() {
        return Err(PosterError::NoPosters);
    }
    let layouts = posters
        .iter()
        .map(layout::Layout::new)
        .collect::<Result<Vec<_>, _>>()?;
    pdf::render(posters, &layouts)
}

/// The poster as a PNG `width_px` wide, with the A4 proportions.
pub fn png(poster: &Poster, width_px: u32) -> Result<Vec<u8>, PosterError> {
    if !(png::MIN_WIDTH_PX..=png::MAX_WIDTH_PX).contains(&width_px) {
        return Err(PosterError::Width(width_px));
    }
    let layout = layout::Layout::new(poster)?;
    png::render(&layout, width_px)
}
