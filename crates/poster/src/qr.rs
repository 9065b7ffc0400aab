//! The QR code as rectangles, to be filled as one path.

use qrcode::{Color, EcLevel, QrCode};

use crate::PosterError;

/// Level H restores up to 30 % of the code words. A poster hangs for years at a
/// counter: folded in the post, creased, stained, taped over at a corner, glared on
/// under its plastic sleeve. The address is short (about 60 bytes), so H costs a
/// version or two (41 or 45 modules instead of 37): at a code 9.5 cm wide a module
/// is still over 2 mm, which a phone reads from arm's length and more.
pub(crate) const EC_LEVEL: EcLevel = EcLevel::H;

/// The blank margin around the code, in modules, that the standard asks for.
pub(crate) const QUIET_ZONE: u32 = 4;

pub(crate) struct Modules {
    /// Modules per side, without the quiet zone.
    pub width: u32,
    /// Horizontal runs of dark modules: (column, row, length).
    pub runs: Vec<(u32, u32, u32)>,
}

pub(crate) fn modules(url: &str) -> Result<Modules, PosterError> {
    let code =
        QrCode::with_error_correction_level(url.as_bytes(), EC_LEVEL).map_err(PosterError::Qr)?;
    let width = code.width() as u32;
    let colors = code.to_colors();
    // One rectangle per run rather than per module: the path is a fifth as long, and
    // filled as one path it has no seams between neighbouring modules.
    let mut runs = Vec::new();
    for (row, line) in colors.chunks(width as usize).enumerate() {
        let mut col = 0;
        while col < line.len() {
            if line[col] == Color::Dark {
                let start = col;
                while col < line.len() && line[col] == Color::Dark {
                    col += 1;
                }
                runs.push((start as u32, row as u32, (col - start) as u32));
            } else {
                col += 1;
            }
        }
    }
    Ok(Modules { width, runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let url = "https://citizeninfo.example.go.th/r/Qx7mP2vL9kR4tW8zN3bH6c";
        let code = QrCode::with_error_correction_level(url, EC_LEVEL).unwrap();
        let m = modules(url).unwrap();
        let dark: usize = m.runs.iter().map(|r| r.2 as usize).sum();
        let expected = code
            .to_colors()
            .iter()
            .filter(|c| **c == Color::Dark)
            .count();
        assert_eq!(dark, expected);
        assert_eq!(m.width as usize, code.width());
    }
}
