//! The poster downloads as files: one PDF of every poster asked for (a page each), a
//! PNG of one, or a ZIP of PNGs. Drawing takes milliseconds a page, so it runs off
//! the request threads.

use axum::response::Response;

use crate::sheets;

/// Width of a downloaded PNG: A4 at 150 dpi, sharp on a phone and in a chat app.
pub(crate) const PNG_WIDTH: u32 = 1240;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Pdf,
    Png,
    /// One PNG per poster in a ZIP.
    Zip,
}

impl Format {
    pub(crate) fn parse(s: &str) -> Option<Format> {
        match s.trim() {
            "" | "pdf" => Some(Format::Pdf),
            "png" => Some(Format::Png),
            "zip" => Some(Format::Zip),
            _ => None,
        }
    }
}

/// The file of `posters` in `format`, as an attachment; `Png` takes the first poster.
pub(crate) async fn render(
    posters: Vec<poster::Poster>,
    format: Format,
) -> Result<Response, String> {
    let name = match posters.as_slice() {
        [one] => format!("poster-{}", one.point_code),
        _ => format!("posters-{}", posters.len()),
    };
    tokio::task::spawn_blocking(move || -> Result<Response, String> {
        Ok(match format {
            Format::Pdf => {
                let bytes = poster::pdf(&posters).map_err(|e| e.to_string())?;
                sheets::attachment(bytes, "application/pdf", &format!("{name}.pdf"))
            }
            Format::Png => {
                let first = posters.first().ok_or("no poster")?;
                let bytes = poster::png(first, PNG_WIDTH).map_err(|e| e.to_string())?;
                sheets::attachment(bytes, "image/png", &format!("{name}.png"))
            }
            Format::Zip => {
                let bytes = zip_of_pngs(&posters)?;
                sheets::attachment(bytes, "application/zip", &format!("{name}.zip"))
            }
        })
    })
    .await
    .map_err(|e| e.to_string())?
}

fn zip_of_pngs(posters: &[poster::Poster]) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // PNGs are compressed already.
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for p in posters {
        let png = poster::png(p, PNG_WIDTH).map_err(|e| e.to_string())?;
        zip.start_file(format!("poster-{}.png", p.point_code), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(&png).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}
