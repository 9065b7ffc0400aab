use std::time::{Duration, Instant};

use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, Rgba, RgbaImage};

use super::*;

fn jpeg(width: u32, height: u32, pixel: impl Fn(u32, u32) -> Rgb<u8>) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, pixel);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95)
        .encode_image(&image)
        .unwrap();
    out
}

fn grey_jpeg(width: u32, height: u32) -> Vec<u8> {
    jpeg(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    })
}

fn png_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

fn decoded(jpeg: &[u8]) -> RgbImage {
    assert_eq!(
        sniff::sniff(jpeg),
        Some(Format::Jpeg),
        "output is not a JPEG"
    );
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .unwrap()
        .into_rgb8()
}

fn close(a: Rgb<u8>, b: [u8; 3]) -> bool {
    a.0.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 24)
}

/// A TIFF structure as cameras write it into APP1: IFD0 with the orientation and a
/// pointer to a GPS IFD holding a latitude and a datum string we can look for.
fn exif_with_gps(orientation: u16) -> Vec<u8> {
    let entry = |out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        out.extend_from_slice(&tag.to_be_bytes());
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(&value);
    };
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    let gps_ifd: u32 = 8 + 2 + 2 * 12 + 4;
    let latitude_at: u32 = gps_ifd + 2 + 3 * 12 + 4;
    let datum_at: u32 = latitude_at + 24;
    let datum = b"GPS-SECRET-13.7563N-100.5018E\0";

    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&2u16.to_be_bytes());
    let [a, b] = orientation.to_be_bytes();
    entry(&mut tiff, 0x0112, SHORT, 1, [a, b, 0, 0]);
    entry(&mut tiff, 0x8825, LONG, 1, gps_ifd.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(tiff.len() as u32, gps_ifd);
    tiff.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, latitude_at.to_be_bytes());
    entry(
        &mut tiff,
        0x0012,
        ASCII,
        datum.len() as u32,
        datum_at.to_be_bytes(),
    );
    tiff.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(tiff.len() as u32, latitude_at);
    for (num, den) in [(13u32, 1u32), (45, 1), (2268, 100)] {
        tiff.extend_from_slice(&num.to_be_bytes());
        tiff.extend_from_slice(&den.to_be_bytes());
    }
    tiff.extend_from_slice(datum);
    tiff
}

/// The JPEG with an APP1 Exif segment right after SOI, where cameras put it.
fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn has_app1(jpeg: &[u8]) -> bool {
    jpeg.windows(2).any(|w| w == [0xFF, 0xE1])
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc_input);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

/// A well-formed PNG (right CRCs) that declares a size and carries a few bytes of
/// compressed data: what a decompression bomb looks like to a decoder.
fn png_declaring(width: u32, height: u32, bit_depth: u8, color_type: u8) -> Vec<u8> {
    let mut png = sniff::PNG_SIGNATURE.to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[bit_depth, color_type, 0, 0, 0]);
    png_chunk(&mut png, b"IHDR", &ihdr);
    // zlib: a stored empty block would be shorter, but a real bomb is a long run of
    // zeros compressed; this is the first block of one.
    png_chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9C, 0xED, 0xC1, 0x01, 0x0D, 0x00, 0x00, 0x00, 0xC2],
    );
    png_chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn accepts_jpeg_png_and_webp_by_content() {
    let jpeg = grey_jpeg(64, 48);
    let out = process(&jpeg).unwrap();
    assert_eq!((out.display_width, out.display_height), (64, 48));

    let rgba = RgbaImage::from_pixel(30, 20, Rgba([10, 200, 30, 255]));
    let out = process(&png_rgba(&rgba)).unwrap();
    assert_eq!((out.display_width, out.display_height), (30, 20));
    assert!(close(
        *decoded(&out.display).get_pixel(15, 10),
        [10, 200, 30]
    ));

    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp)
        .encode(rgba.as_raw(), 30, 20, ExtendedColorType::Rgba8)
        .unwrap();
    assert_eq!(sniff::sniff(&webp), Some(Format::WebP));
    let out = process(&webp).unwrap();
    assert_eq!((out.display_width, out.display_height), (30, 20));
    assert!(close(
        *decoded(&out.display).get_pixel(15, 10),
        [10, 200, 30]
    ));
}

#[test]
fn refuses_what_is_not_a_photo() {
    // A text file someone named office.jpg: the name never reaches this function, and
    // the content is what counts.
    assert_eq!(
        process(b"This is the office's opening hours, saved as office.jpg"),
        Err(PhotoError::NotAnImage)
    );
    assert_eq!(process(b""), Err(PhotoError::NotAnImage));
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    assert_eq!(process(gif), Err(PhotoError::NotAnImage));
    assert_eq!(process(b"%PDF-1.7\n"), Err(PhotoError::NotAnImage));
}

#[test]
fn refuses_more_than_ten_megabytes_before_looking_further() {
    let mut big = grey_jpeg(16, 16);
    big.resize(MAX_BYTES + 1, 0);
    assert_eq!(process(&big), Err(PhotoError::TooLarge));
    // Exactly the limit is not too large (and is then refused for what it is).
    let mut text = vec![b'a'; MAX_BYTES];
    assert_eq!(process(&text), Err(PhotoError::NotAnImage));
    text.push(b'a');
    assert_eq!(process(&text), Err(PhotoError::TooLarge));
}

#[test]
fn png_bomb_is_refused_from_its_header_at_once() {
    let bomb = png_declaring(60_000, 60_000, 8, 2);
    assert!(bomb.len() < 100);
    let started = Instant::now();
    assert_eq!(
        process(&bomb),
        Err(PhotoError::TooManyPixels {
            width: 60_000,
            height: 60_000
        })
    );
    // Decoding 10.8 GB of pixels would take minutes and fail to allocate; the header
    // check takes microseconds even unoptimised.
    assert!(started.elapsed() < Duration::from_millis(200));

    // Within each side but past the total, and past one side alone.
    assert_eq!(
        process(&png_declaring(8_000, 6_000, 8, 2)),
        Err(PhotoError::TooManyPixels {
            width: 8_000,
            height: 6_000
        })
    );
    assert_eq!(
        process(&png_declaring(12_001, 10, 8, 2)),
        Err(PhotoError::TooManyPixels {
            width: 12_001,
            height: 10
        })
    );
}

#[test]
fn decoder_memory_limit_is_the_second_guard() {
    // 40 MP exactly passes the pixel count, but 16-bit RGBA would need 320 MB.
    let started = Instant::now();
    assert_eq!(
        process(&png_declaring(10_000, 4_000, 16, 6)),
        Err(PhotoError::TooManyPixels {
            width: 10_000,
            height: 4_000
        })
    );
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn corrupt_and_truncated_files_are_corrupt() {
    let rgba = RgbaImage::from_pixel(40, 40, Rgba([1, 2, 3, 255]));
    let png = png_rgba(&rgba);
    assert!(matches!(
        process(&png[..png.len() - 20]),
        Err(PhotoError::Corrupt(_))
    ));
    // Cut inside the header, before the size.
    let jpeg = grey_jpeg(40, 40);
    assert!(matches!(process(&jpeg[..10]), Err(PhotoError::Corrupt(_))));
    // A header that is fine, followed by garbage in place of the compressed data.
    let mut garbage = png[..33].to_vec();
    png_chunk(&mut garbage, b"IDAT", &[0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4]);
    png_chunk(&mut garbage, b"IEND", &[]);
    assert!(matches!(process(&garbage), Err(PhotoError::Corrupt(_))));
    // WebP magic and nothing after it.
    assert!(matches!(
        process(b"RIFF\x04\0\0\0WEBP"),
        Err(PhotoError::Corrupt(_))
    ));
}

#[test]
fn exif_and_gps_are_gone_and_orientation_is_applied() {
    // Left half red, right half blue, stored 200 × 100; orientation 6 says the camera
    // was turned a quarter clockwise, so upright it is 100 × 200 with red on top.
    let stored = jpeg(200, 100, |x, _| {
        if x < 100 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let tiff = exif_with_gps(6);
    let upload = with_exif(&stored, &tiff);
    assert!(contains(&upload, b"GPS-SECRET"));
    assert!(has_app1(&upload));

    let out = process(&upload).unwrap();
    assert_eq!((out.display_width, out.display_height), (100, 200));
    assert_eq!((out.thumb_width, out.thumb_height), (100, 200));
    for jpeg in [&out.display, &out.thumb] {
        assert!(!contains(jpeg, b"Exif"), "an Exif block is left");
        assert!(!has_app1(jpeg), "an APP1 segment is left");
        assert!(!contains(jpeg, b"GPS-SECRET"), "the GPS data is left");
        assert!(!contains(jpeg, b"MM\0\x2a"), "a TIFF structure is left");
    }
    let upright = decoded(&out.display);
    assert_eq!(upright.dimensions(), (100, 200));
    assert!(
        close(*upright.get_pixel(50, 30), [220, 20, 20]),
        "top is not red"
    );
    assert!(
        close(*upright.get_pixel(50, 170), [20, 20, 220]),
        "bottom is not blue"
    );
}

#[test]
fn other_orientations_turn_the_right_way() {
    let stored = jpeg(200, 100, |x, _| {
        if x < 100 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    // 8: turned a quarter anticlockwise, so red ends at the bottom.
    let out = process(&with_exif(&stored, &exif_with_gps(8))).unwrap();
    let upright = decoded(&out.display);
    assert_eq!(upright.dimensions(), (100, 200));
    assert!(close(*upright.get_pixel(50, 170), [220, 20, 20]));
    // 3: upside down, so red moves to the right.
    let out = process(&with_exif(&stored, &exif_with_gps(3))).unwrap();
    let upright = decoded(&out.display);
    assert_eq!(upright.dimensions(), (200, 100));
    assert!(close(*upright.get_pixel(170, 50), [220, 20, 20]));
    // 1 and a missing block change nothing.
    let out = process(&with_exif(&stored, &exif_with_gps(1))).unwrap();
    assert!(close(
        *decoded(&out.display).get_pixel(30, 50),
        [220, 20, 20]
    ));
}

#[test]
fn small_photos_are_never_upscaled() {
    let out = process(&grey_jpeg(300, 200)).unwrap();
    assert_eq!((out.display_width, out.display_height), (300, 200));
    assert_eq!((out.thumb_width, out.thumb_height), (300, 200));
    assert_eq!(decoded(&out.display).dimensions(), (300, 200));
    assert_eq!(decoded(&out.thumb).dimensions(), (300, 200));
}

#[test]
fn large_photos_are_scaled_to_fit_and_sizes_match_the_jpeg() {
    // Sizes kept just past the limit: resampling is slow in an unoptimised test build.
    let out = process(&grey_jpeg(1800, 900)).unwrap();
    assert_eq!((out.display_width, out.display_height), (1600, 800));
    assert_eq!((out.thumb_width, out.thumb_height), (400, 200));
    assert_eq!(decoded(&out.display).dimensions(), (1600, 800));
    assert_eq!(decoded(&out.thumb).dimensions(), (400, 200));

    // Portrait, and sides that do not divide evenly (the thumbnail is made from the
    // display size: 471 × 1600 → 118 × 400).
    let out = process(&grey_jpeg(500, 1700)).unwrap();
    assert_eq!((out.display_width, out.display_height), (471, 1600));
    assert_eq!((out.thumb_width, out.thumb_height), (118, 400));
    assert_eq!(decoded(&out.display).dimensions(), (471, 1600));
    assert_eq!(decoded(&out.thumb).dimensions(), (118, 400));

    // Between the two sizes: the display size is the original, the thumbnail shrinks.
    let out = process(&grey_jpeg(800, 450)).unwrap();
    assert_eq!((out.display_width, out.display_height), (800, 450));
    assert_eq!((out.thumb_width, out.thumb_height), (400, 225));
}

#[test]
fn fitting_keeps_proportions_and_at_least_a_pixel() {
    assert_eq!(fitted(1600, 1600, 1600), (1600, 1600));
    assert_eq!(fitted(1601, 1, 1600), (1600, 1));
    assert_eq!(fitted(12_000, 3, 400), (400, 1));
    assert_eq!(fitted(4032, 3024, 1600), (1600, 1200));
    assert_eq!(fitted(3024, 4032, 400), (300, 400));
}

#[test]
fn transparency_is_laid_on_white() {
    let mut rgba = RgbaImage::from_pixel(20, 20, Rgba([0, 0, 0, 0]));
    for x in 10..20 {
        for y in 0..20 {
            rgba.put_pixel(x, y, Rgba([0, 0, 0, 255]));
        }
    }
    let out = process(&png_rgba(&rgba)).unwrap();
    let image = decoded(&out.display);
    assert!(
        close(*image.get_pixel(3, 10), [255, 255, 255]),
        "transparent is not white"
    );
    assert!(
        close(*image.get_pixel(16, 10), [0, 0, 0]),
        "opaque black changed"
    );
    // Half transparent black is mid grey.
    let half = RgbaImage::from_pixel(16, 16, Rgba([0, 0, 0, 128]));
    let out = process(&png_rgba(&half)).unwrap();
    assert!(close(
        *decoded(&out.display).get_pixel(8, 8),
        [127, 127, 127]
    ));
}

#[test]
fn hash_names_the_display_bytes() {
    let out = process(&grey_jpeg(64, 64)).unwrap();
    assert_eq!(out.hash.len(), 32);
    assert!(
        out.hash
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert!(hex::encode(Sha256::digest(&out.display)).starts_with(&out.hash));
    // The same upload gives the same hash, so it is stored once.
    assert_eq!(process(&grey_jpeg(64, 64)).unwrap().hash, out.hash);
    assert_ne!(process(&grey_jpeg(64, 65)).unwrap().hash, out.hash);

    let (display, thumb) = out.keys();
    let prefix = &out.hash[..2];
    assert_eq!(display, format!("photos/{prefix}/{}-1600.jpg", out.hash));
    assert_eq!(thumb, format!("photos/{prefix}/{}-400.jpg", out.hash));
    assert!(crate::store::validate_key(&display).is_ok());
    assert!(crate::store::validate_key(&thumb).is_ok());
}

#[test]
fn every_error_says_what_to_do_in_both_languages() {
    let errors = [
        PhotoError::NotAnImage,
        PhotoError::TooLarge,
        PhotoError::TooManyPixels {
            width: 60_000,
            height: 60_000,
        },
        PhotoError::Corrupt("x".into()),
        PhotoError::Encode("x".into()),
    ];
    for error in &errors {
        let (th, en) = (error.th(), error.en());
        assert!(
            th.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)),
            "{th}"
        );
        assert!(en.is_ascii() || en.contains('×'), "{en}");
        assert!(
            !th.contains('x') && !en.contains(": x"),
            "detail leaked: {th} / {en}"
        );
    }
    assert!(PhotoError::TooLarge.th().contains("10 MB"));
    assert!(PhotoError::TooLarge.en().contains("10 MB"));
    for text in [PhotoError::NotAnImage.th(), PhotoError::NotAnImage.en()] {
        assert!(text.contains("JPEG") && text.contains("PNG") && text.contains("WebP"));
    }
    let pixels = &errors[2];
    for text in [pixels.th(), pixels.en()] {
        assert!(text.contains("60,000 × 60,000"), "{text}");
        assert!(text.contains("12,000") && text.contains("40"), "{text}");
    }
}

#[test]
fn thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(60_000), "60,000");
    assert_eq!(thousands(4_294_967_295), "4,294,967,295");
}
