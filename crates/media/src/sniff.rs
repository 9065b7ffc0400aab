//! What a file is, by its first bytes, and how many pixels it says it has, by its
//! header alone. Both run before any decoder sees the bytes: a file's name and the
//! browser's content type are whatever the uploader's machine made of them, and a
//! decoder may allocate for the declared size before it notices that the data is short.

/// The formats photos are accepted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Jpeg,
    Png,
    WebP,
}

impl Format {
    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::WebP => image::ImageFormat::WebP,
        }
    }
}

pub(crate) const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The format the bytes are in, or `None` for anything else (GIF, HEIC, PDF, text…).
pub(crate) fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(Format::Png)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::WebP)
    } else {
        None
    }
}

/// Width and height as the header declares them; `None` when the header is cut short
/// or malformed. Nothing is decoded and nothing is allocated.
pub(crate) fn dimensions(format: Format, bytes: &[u8]) -> Option<(u32, u32)> {
    let (width, height) = match format {
        Format::Png => png(bytes)?,
        Format::Jpeg => jpeg(bytes)?,
        Format::WebP => webp(bytes)?,
    };
    (width > 0 && height > 0).then_some((width, height))
}

fn be16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 2)?;
    Some(u32::from(u16::from_be_bytes([b[0], b[1]])))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 2)?;
    Some(u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn le24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 3)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
}

/// IHDR is required to be the first chunk, so its place is fixed.
fn png(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    Some((be32(bytes, 16)?, be32(bytes, 20)?))
}

/// Walks the marker segments up to the first frame header. Every segment before the
/// scan has a length, so a file can only make this loop as long as the file itself.
fn jpeg(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        // Any number of 0xFF may pad before a marker.
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        match marker {
            // Markers that stand alone, without a length.
            0x01 | 0xD0..=0xD8 => continue,
            // The image ended, or its data began, before any frame header.
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let length = be16(bytes, at)? as usize;
        if length < 2 {
            return None;
        }
        // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC), which share the range.
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let height = be16(bytes, at + 3)?;
            let width = be16(bytes, at + 5)?;
            return Some((width, height));
        }
        at += length;
    }
}

/// The first chunk after the RIFF header says which kind of WebP it is, and each kind
/// keeps its size in its own place.
fn webp(bytes: &[u8]) -> Option<(u32, u32)> {
    let kind = bytes.get(12..16)?;
    let data = bytes.get(20..)?;
    match kind {
        // Lossy: a 3-byte frame tag, the start code, then 14-bit sizes.
        b"VP8 " => {
            if data.get(3..6)? != [0x9D, 0x01, 0x2A] {
                return None;
            }
            Some((le16(data, 6)? & 0x3FFF, le16(data, 8)? & 0x3FFF))
        }
        // Lossless: a signature byte, then width − 1 and height − 1 in 14 bits each.
        b"VP8L" => {
            if *data.first()? != 0x2F {
                return None;
            }
            let b = data.get(1..5)?;
            let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        // Extended (alpha, animation, metadata): the canvas size, 24 bits each, minus one.
        b"VP8X" => Some((le24(data, 4)? + 1, le24(data, 7)? + 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"), Some(Format::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(Format::WebP));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), None);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"hello, this is not a photo.jpg"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"\xFF\xD8"), None);
    }

    #[test]
    fn jpeg_size_after_other_segments_and_padding() {
        let mut jpeg = vec![0xFF, 0xD8];
        // APP0 of 16 bytes, then padding, then SOF2 (progressive) 300 × 200.
        jpeg.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        jpeg.extend_from_slice(&[0; 14]);
        jpeg.extend_from_slice(&[0xFF, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x00, 0xC8, 0x01, 0x2C]);
        assert_eq!(dimensions(Format::Jpeg, &jpeg), Some((300, 200)));
        // DHT shares the SOF range and must be skipped, not read as a frame.
        let mut dht_first = vec![0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00];
        dht_first.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x0A, 0x00, 0x14]);
        assert_eq!(dimensions(Format::Jpeg, &dht_first), Some((20, 10)));
    }

    #[test]
    fn short_or_malformed_headers_have_no_size() {
        assert_eq!(dimensions(Format::Jpeg, b"\xFF\xD8\xFF"), None);
        assert_eq!(dimensions(Format::Jpeg, b"\xFF\xD8\xFF\xDA\x00\x02"), None);
        assert_eq!(dimensions(Format::Jpeg, b"\xFF\xD8\xFF\xE0\x00\x00"), None);
        assert_eq!(
            dimensions(Format::Png, b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0"),
            None
        );
        assert_eq!(
            dimensions(
                Format::Png,
                b"\x89PNG\r\n\x1a\n\0\0\0\x0dIDAT\0\0\0\x01\0\0\0\x01"
            ),
            None
        );
        assert_eq!(
            dimensions(Format::WebP, b"RIFF\x10\0\0\0WEBPVP8 \0\0"),
            None
        );
        // A declared size of zero is no image either.
        assert_eq!(
            dimensions(
                Format::Png,
                b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\0\0\0\0\x01"
            ),
            None
        );
    }

    #[test]
    fn webp_sizes_of_each_kind() {
        let riff = |kind: &[u8], data: &[u8]| {
            let mut v = b"RIFF\0\0\0\0WEBP".to_vec();
            v.extend_from_slice(kind);
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(data);
            v
        };
        let lossy = riff(
            b"VP8 ",
            &[0, 0, 0, 0x9D, 0x01, 0x2A, 0x40, 0x06, 0xB0, 0x04],
        );
        assert_eq!(dimensions(Format::WebP, &lossy), Some((1600, 1200)));
        // width − 1 = 99, height − 1 = 49
        let bits: u32 = 99 | (49 << 14);
        let mut data = vec![0x2F];
        data.extend_from_slice(&bits.to_le_bytes());
        assert_eq!(
            dimensions(Format::WebP, &riff(b"VP8L", &data)),
            Some((100, 50))
        );
        let extended = riff(
            b"VP8X",
            &[0x10, 0, 0, 0, 0x5F, 0xEA, 0x00, 0x5F, 0xEA, 0x00],
        );
        assert_eq!(dimensions(Format::WebP, &extended), Some((60000, 60000)));
    }
}
