//! An uploaded office photo made safe to publish: checked, upright, stripped of every
//! piece of metadata (the camera's GPS position above all) and re-encoded as JPEG in
//! the two sizes the pages show.

use std::borrow::Cow;
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits, RgbImage};
use sha2::{Digest, Sha256};

use crate::sniff::{self, Format};

/// The largest upload accepted, in bytes (10 MiB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most pixels a photo may have (40 megapixels, beyond any phone camera's photo).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest either side may be, in pixels; panoramas past this are refused too.
pub const MAX_SIDE: u32 = 12_000;
/// The longest side of the display size.
pub const DISPLAY_MAX_SIDE: u32 = 1600;
/// The longest side of the thumbnail.
pub const THUMB_MAX_SIDE: u32 = 400;
/// The quality both sizes are encoded at: artefacts are hard to see on photos of
/// buildings and counters, and the display size stays around 200–400 KB.
pub const JPEG_QUALITY: u8 = 82;
/// The content type of both outputs.
pub const CONTENT_TYPE: &str = "image/jpeg";

/// What the decoder may hold at once. A 40 MP photo decodes to 120 MB of RGB or 160 MB
/// of RGBA; 16-bit PNGs of that size would need twice as much and are refused.
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

/// Why an upload was refused. [`PhotoError::th`] and [`PhotoError::en`] word it for
/// the person who uploaded it; `Display` is for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("larger than {MAX_BYTES} bytes")]
    TooLarge,
    #[error("{width} × {height} pixels is more than allowed")]
    TooManyPixels { width: u32, height: u32 },
    #[error("unreadable image: {0}")]
    Corrupt(String),
    #[error("could not encode the photo: {0}")]
    Encode(String),
}

impl PhotoError {
    /// The message in Thai, for the person who uploaded the file.
    pub fn th(&self) -> String {
        match self {
            PhotoError::NotAnImage => {
                "ไฟล์นี้ไม่ใช่ภาพที่ระบบรับ รับเฉพาะภาพ JPEG, PNG หรือ WebP เท่านั้น".to_owned()
            }
            PhotoError::TooLarge => "ไฟล์ใหญ่เกิน 10 MB กรุณาย่อขนาดภาพหรือเลือกไฟล์ที่เล็กกว่านี้".to_owned(),
            PhotoError::TooManyPixels { width, height } => format!(
                "ภาพมีขนาด {} × {} พิกเซล ใหญ่เกินกว่าที่รับได้ (ไม่เกิน 40 ล้านพิกเซล \
                 และแต่ละด้านไม่เกิน {} พิกเซล) กรุณาย่อภาพก่อนอัปโหลด",
                thousands(*width),
                thousands(*height),
                thousands(MAX_SIDE),
            ),
            PhotoError::Corrupt(_) => "อ่านไฟล์ภาพนี้ไม่ได้ ไฟล์อาจเสียหายหรืออัปโหลดไม่ครบ \
                                       กรุณาบันทึกภาพใหม่เป็น JPEG แล้วอัปโหลดอีกครั้ง"
                .to_owned(),
            PhotoError::Encode(_) => "ระบบประมวลผลภาพนี้ไม่สำเร็จ กรุณาลองใหม่อีกครั้ง".to_owned(),
        }
    }

    /// The message in English, for the person who uploaded the file.
    pub fn en(&self) -> String {
        match self {
            PhotoError::NotAnImage => {
                "This file is not an image we accept. Only JPEG, PNG or WebP images are accepted."
                    .to_owned()
            }
            PhotoError::TooLarge => {
                "The file is larger than 10 MB. Please make the picture smaller or choose a \
                 smaller file."
                    .to_owned()
            }
            PhotoError::TooManyPixels { width, height } => format!(
                "The picture is {} × {} pixels, more than we accept (at most 40 megapixels, \
                 and at most {} pixels on either side). Please make it smaller before uploading.",
                thousands(*width),
                thousands(*height),
                thousands(MAX_SIDE),
            ),
            PhotoError::Corrupt(_) => {
                "The image could not be read: the file may be damaged or only partly uploaded. \
                 Please save the picture again as JPEG and upload it once more."
                    .to_owned()
            }
            PhotoError::Encode(_) => {
                "The picture could not be processed. Please try again.".to_owned()
            }
        }
    }
}

/// 12000 → "12,000", as both languages write numbers on government forms.
fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A photo ready to store: both sizes as JPEG without metadata, their sizes in pixels,
/// and the hash that names them.
#[derive(Clone, PartialEq, Eq)]
pub struct Processed {
    pub display: Vec<u8>,
    pub display_width: u32,
    pub display_height: u32,
    pub thumb: Vec<u8>,
    pub thumb_width: u32,
    pub thumb_height: u32,
    /// The first 32 hex digits of the SHA-256 of `display`: the same upload twice is
    /// stored once, and a URL's content never changes, so it can be cached for ever.
    pub hash: String,
}

impl Processed {
    /// The store keys of the display size and the thumbnail, as [`keys`] makes them.
    pub fn keys(&self) -> (String, String) {
        keys(&self.hash)
    }
}

impl std::fmt::Debug for Processed {
    // The bytes themselves would fill a log with noise.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processed")
            .field("display", &format_args!("{} bytes", self.display.len()))
            .field("display_width", &self.display_width)
            .field("display_height", &self.display_height)
            .field("thumb", &format_args!("{} bytes", self.thumb.len()))
            .field("thumb_width", &self.thumb_width)
            .field("thumb_height", &self.thumb_height)
            .field("hash", &self.hash)
            .finish()
    }
}

/// The store keys of a photo's display size and thumbnail:
/// `photos/ab/<hash>-1600.jpg` and `photos/ab/<hash>-400.jpg`. The first two hex
/// digits make a folder level, so that no folder of the local store holds more than a
/// few thousand files.
pub fn keys(hash: &str) -> (String, String) {
    let prefix = hash.get(..2).unwrap_or(hash);
    (
        format!("photos/{prefix}/{hash}-{DISPLAY_MAX_SIDE}.jpg"),
        format!("photos/{prefix}/{hash}-{THUMB_MAX_SIDE}.jpg"),
    )
}

/// Checks an upload and makes its two published sizes. CPU-bound (about 0.8 s for a
/// 12-megapixel phone photo in a release build, a few seconds at the 40 MP limit) and
/// holding up to a few hundred MB while it runs: call it from `spawn_blocking`, a
/// bounded number at a time.
pub fn process(bytes: &[u8]) -> Result<Processed, PhotoError> {
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff::sniff(bytes).ok_or(PhotoError::NotAnImage)?;
    let (width, height) = sniff::dimensions(format, bytes)
        .ok_or_else(|| PhotoError::Corrupt("no readable size in the header".to_owned()))?;
    check_pixels(width, height)?;

    let image = decode_upright(format, bytes, (width, height))?;
    let rgb = flatten_on_white(image);

    let display = fit(&rgb, DISPLAY_MAX_SIDE, FilterType::CatmullRom);
    // From the display size rather than the original: a quarter of the work at most,
    // and Triangle is enough at this scale.
    let thumb = fit(&display, THUMB_MAX_SIDE, FilterType::Triangle);

    let display_jpeg = encode_jpeg(&display)?;
    let thumb_jpeg = encode_jpeg(&thumb)?;
    let digest = Sha256::digest(&display_jpeg);
    let mut hash = hex::encode(digest);
    hash.truncate(32);

    Ok(Processed {
        display_width: display.width(),
        display_height: display.height(),
        display: display_jpeg,
        thumb_width: thumb.width(),
        thumb_height: thumb.height(),
        thumb: thumb_jpeg,
        hash,
    })
}

fn check_pixels(width: u32, height: u32) -> Result<(), PhotoError> {
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    Ok(())
}

/// Decodes with the decoder's own limits as a second guard behind the header check,
/// and turns the pixels the way the camera's EXIF orientation says, since the
/// orientation tag itself is dropped with the rest of the metadata.
fn decode_upright(
    format: Format,
    bytes: &[u8],
    declared: (u32, u32),
) -> Result<DynamicImage, PhotoError> {
    let limits_error = |e: ImageError| match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels {
            width: declared.0,
            height: declared.1,
        },
        other => PhotoError::Corrupt(other.to_string()),
    };

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(limits_error)?;

    // The decoder's idea of the size rules from here (a JPEG may carry a second frame
    // header, a WebP a frame apart from its canvas), and not every decoder holds its
    // output buffer to `max_alloc`, so both are checked again before anything is
    // allocated.
    let (width, height) = decoder.dimensions();
    check_pixels(width, height)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(PhotoError::TooManyPixels { width, height });
    }

    // A broken EXIF block is common in edited photos and is no reason to refuse one.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(limits_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// JPEG has no transparency: transparent parts of a PNG or WebP would come out black,
/// so they are laid on white like the page behind them.
fn flatten_on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (to, from) in out.pixels_mut().zip(rgba.pixels()) {
        let alpha = u16::from(from[3]);
        for c in 0..3 {
            let blended = (u16::from(from[c]) * alpha + 255 * (255 - alpha) + 127) / 255;
            to[c] = blended as u8;
        }
    }
    out
}

/// The image scaled down so that its longest side is at most `max_side`, keeping its
/// proportions; never scaled up.
fn fit(image: &RgbImage, max_side: u32, filter: FilterType) -> Cow<'_, RgbImage> {
    let (width, height) = image.dimensions();
    let (w, h) = fitted(width, height, max_side);
    if (w, h) == (width, height) {
        Cow::Borrowed(image)
    } else {
        Cow::Owned(imageops::resize(image, w, h, filter))
    }
}

fn fitted(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_side {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled =
            (u64::from(side) * u64::from(max_side) + u64::from(longest) / 2) / u64::from(longest);
        scaled.max(1) as u32
    };
    (scale(width), scale(height))
}

/// The encoder writes a JFIF header and the pixels, nothing else: no EXIF, no XMP,
/// no ICC profile is ever handed to it.
fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::with_capacity(image.as_raw().len() / 8);
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests;
