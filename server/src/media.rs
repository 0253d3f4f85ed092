//! Merchant images: decoded with bounds (non-images, corrupt files and decompression bombs
//! are refused with a clear reason), resized for their use, stripped of metadata (nothing but
//! pixels is re-encoded), and written as JPEG or PNG of at most 200 KB, WeChat's quality
//! limit. Results are cached by content hash so regenerating does no image work twice.
use app::i18n::{Lang, Text};
use image::{DynamicImage, GenericImageView, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

/// Uploads larger than this are refused before decoding.
pub const MAX_INPUT_BYTES: usize = 20 * 1024 * 1024;
/// Per image in the package (WeChat flags larger ones).
pub const MAX_OUTPUT_BYTES: usize = 200 * 1024;
const MAX_SIDE: u32 = 12_000;
/// About what a 40-megapixel camera gives; far more than any use needs (1080 pixels at most).
pub const MAX_PIXELS: u64 = 40_000_000;
/// What decoding one image may allocate (40 MP in RGBA8 is 160 MB).
const MAX_DECODE_ALLOC: u64 = 192 * 1024 * 1024;

/// What an image is for, which decides its size and crop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Use {
    /// Full-width banner, 750×360 (cropped to fill).
    Banner,
    /// Square product or service picture, 750×750 (cropped).
    Product,
    /// Gallery and free images: fit within 1080×1080, aspect kept.
    Gallery,
    /// Square logo, 200×200 (cropped).
    Logo,
}

impl Use {
    fn target(self) -> (u32, u32, bool) {
        match self {
            Use::Banner => (750, 360, true),
            Use::Product => (750, 750, true),
            Use::Gallery => (1080, 1080, false),
            Use::Logo => (200, 200, true),
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Use::Banner => "banner",
            Use::Product => "product",
            Use::Gallery => "gallery",
            Use::Logo => "logo",
        }
    }
}

/// Why an image cannot be used. `Display` is the English message; [`MediaError::message`]
/// tells it in the merchant's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    Empty,
    TooLarge { size: usize },
    NotAnImage,
    TooManyPixels { width: u32, height: u32 },
    Corrupt(String),
}

impl MediaError {
    /// What the merchant reads, in their language.
    pub fn message(&self, lang: Lang) -> String {
        use MediaError::*;
        match self {
            Empty => lang.t(Text::MediaEmpty).into(),
            TooLarge { size } => lang.fill(Text::MediaTooLarge, &[("size", size.to_string())]),
            NotAnImage => lang.t(Text::MediaNotAnImage).into(),
            TooManyPixels { width, height } => lang.fill(
                Text::MediaTooManyPixels,
                &[("width", width.to_string()), ("height", height.to_string())],
            ),
            Corrupt(detail) => lang.fill(Text::MediaCorrupt, &[("detail", detail.clone())]),
        }
    }
}

impl std::fmt::Display for MediaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for MediaError {}

/// A processed image, ready for the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    pub bytes: Vec<u8>,
    /// `jpg` or `png`
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
}

impl Processed {
    /// A stable file name derived from the content.
    pub fn file_name(&self) -> String {
        format!(
            "{}.{}",
            &hex::encode(Sha256::digest(&self.bytes))[..16],
            self.ext
        )
    }
}

fn decode(input: &[u8]) -> Result<DynamicImage, MediaError> {
    if input.is_empty() {
        return Err(MediaError::Empty);
    }
    if input.len() > MAX_INPUT_BYTES {
        return Err(MediaError::TooLarge {
            size: input.len().div_ceil(1024 * 1024),
        });
    }
    let reader = ImageReader::new(Cursor::new(input))
        .with_guessed_format()
        .map_err(|_| MediaError::NotAnImage)?;
    if reader.format().is_none() {
        return Err(MediaError::NotAnImage);
    }
    // Read the header first: a tiny file can claim a gigantic canvas.
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    if width > MAX_SIDE || height > MAX_SIDE || width as u64 * height as u64 > MAX_PIXELS {
        return Err(MediaError::TooManyPixels { width, height });
    }
    let mut reader = ImageReader::new(Cursor::new(input))
        .with_guessed_format()
        .map_err(|_| MediaError::NotAnImage)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => MediaError::TooManyPixels { width, height },
        image::ImageError::Unsupported(_) => MediaError::NotAnImage,
        other => MediaError::Corrupt(other.to_string()),
    })
}

fn resize(img: DynamicImage, u: Use) -> DynamicImage {
    let (tw, th, crop) = u.target();
    let (w, h) = img.dimensions();
    if crop {
        // Crop to the target's aspect first, then shrink (never upscale: small stays sharp).
        let target_aspect = tw as f32 / th as f32;
        let (cw, ch) = if w as f32 / h as f32 > target_aspect {
            (((h as f32) * target_aspect).round() as u32, h)
        } else {
            (w, ((w as f32) / target_aspect).round() as u32)
        };
        let (cw, ch) = (cw.clamp(1, w), ch.clamp(1, h));
        let cropped = img.crop_imm((w - cw) / 2, (h - ch) / 2, cw, ch);
        let scale = (tw as f32 / cw as f32).min(1.0);
        if scale >= 1.0 {
            return cropped;
        }
        let (ow, oh) = (
            ((cw as f32) * scale).round() as u32,
            ((ch as f32) * scale).round() as u32,
        );
        cropped.resize_exact(ow.max(1), oh.max(1), image::imageops::FilterType::Lanczos3)
    } else if w > tw || h > th {
        img.resize(tw, th, image::imageops::FilterType::Lanczos3)
    } else {
        img
    }
}

fn encode_jpeg(img: &DynamicImage, quality: u8) -> Vec<u8> {
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .expect("encoding into memory cannot fail");
    out
}

fn encode_png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    ))
    .expect("encoding into memory cannot fail");
    out
}

fn has_transparency(img: &DynamicImage) -> bool {
    img.color().has_alpha() && img.to_rgba8().pixels().any(|p| p[3] < 255)
}

/// Flattens transparency onto white (for when a transparent PNG must become a JPEG).
fn on_white(img: &DynamicImage) -> DynamicImage {
    let mut rgba = img.to_rgba8();
    for p in rgba.pixels_mut() {
        let a = p[3] as u32;
        for c in 0..3 {
            p[c] = ((p[c] as u32 * a + 255 * (255 - a)) / 255) as u8;
        }
        p[3] = 255;
    }
    DynamicImage::ImageRgba8(rgba)
}

/// An upload as it is kept: checked like any image, then re-encoded at full size so that nothing
/// but its pixels remains (no EXIF, no GPS position, no camera serial): JPEG stays JPEG, the
/// rest becomes PNG. Returns the bytes, width and height.
pub fn clean_original(input: &[u8]) -> Result<(Vec<u8>, u32, u32), MediaError> {
    let jpeg = image::guess_format(input).ok() == Some(image::ImageFormat::Jpeg);
    let img = decode(input)?;
    let (width, height) = img.dimensions();
    let bytes = if jpeg {
        encode_jpeg(&img, 92)
    } else {
        let mut out = Vec::new();
        img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
            .expect("encoding into memory cannot fail");
        out
    };
    Ok((bytes, width, height))
}

/// Decodes, bounds, resizes and re-encodes one image for `u`.
pub fn process(input: &[u8], u: Use) -> Result<Processed, MediaError> {
    let img = resize(decode(input)?, u);
    let (width, height) = img.dimensions();
    if has_transparency(&img) {
        let png = encode_png(&img);
        if png.len() <= MAX_OUTPUT_BYTES {
            return Ok(Processed {
                bytes: png,
                ext: "png",
                width,
                height,
            });
        }
    }
    let flat = if img.color().has_alpha() {
        on_white(&img)
    } else {
        img
    };
    // Step quality down until the file fits; a photo fits long before quality 40.
    let mut bytes = Vec::new();
    for quality in [86, 78, 70, 62, 54, 46, 40] {
        bytes = encode_jpeg(&flat, quality);
        if bytes.len() <= MAX_OUTPUT_BYTES {
            return Ok(Processed {
                bytes,
                ext: "jpg",
                width,
                height,
            });
        }
    }
    // Grain, noise or fine patterns: shrink the picture until it fits (the limit is a promise),
    // searching for the largest scale that does so it loses no more detail than it must.
    let (w0, h0) = flat.dimensions();
    let scaled = |scale: f64| {
        let (w, h) = (
            ((w0 as f64 * scale) as u32).max(1),
            ((h0 as f64 * scale) as u32).max(1),
        );
        let img = flat.resize_exact(w, h, image::imageops::FilterType::Triangle);
        (encode_jpeg(&img, 40), w, h)
    };
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut best = scaled(1.0 / 64.0);
    let mut guess = (MAX_OUTPUT_BYTES as f64 / bytes.len() as f64).sqrt();
    for _ in 0..6 {
        let attempt = scaled(guess);
        if attempt.0.len() <= MAX_OUTPUT_BYTES {
            lo = guess;
            best = attempt;
        } else {
            hi = guess;
        }
        guess = (lo + hi) / 2.0;
    }
    let (bytes, width, height) = best;
    Ok(Processed {
        bytes,
        ext: "jpg",
        width,
        height,
    })
}

type CacheKey = ([u8; 32], Use);

/// Processed images by (content hash, use): a regenerate reuses earlier work.
#[derive(Default, Clone)]
pub struct MediaCache {
    entries: Arc<Mutex<HashMap<CacheKey, Arc<Processed>>>>,
}

impl MediaCache {
    pub fn process(&self, input: &[u8], u: Use) -> Result<Arc<Processed>, MediaError> {
        let key: CacheKey = (Sha256::digest(input).into(), u);
        if let Some(hit) = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let done = Arc::new(process(input, u)?);
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, done.clone());
        Ok(done)
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    /// A noisy photo-like image (noise defeats compression, like a real photo).
    fn photo(w: u32, h: u32) -> Vec<u8> {
        let mut seed = 7u32;
        let img = RgbImage::from_fn(w, h, |x, y| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = (seed >> 16) as u8;
            Rgb([(x % 256) as u8 ^ n, (y % 256) as u8, n])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn even_pure_noise_fits_in_200kb() {
        let mut x: u32 = 7;
        let noise = RgbImage::from_fn(900, 900, |_, _| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let b = (x >> 16) as u8;
            Rgb([b, b.rotate_left(3), b.rotate_left(5)])
        });
        let mut png = Vec::new();
        DynamicImage::ImageRgb8(noise)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let p = process(&png, Use::Gallery).unwrap();
        assert!(p.bytes.len() <= MAX_OUTPUT_BYTES, "{} bytes", p.bytes.len());
        let decoded = image::load_from_memory(&p.bytes).unwrap();
        assert_eq!(decoded.dimensions(), (p.width, p.height));
    }

    #[test]
    fn large_photos_are_resized_and_fit_in_200kb() {
        let p = process(&photo(3000, 2000), Use::Product).unwrap();
        assert_eq!((p.width, p.height), (750, 750));
        assert!(p.bytes.len() <= MAX_OUTPUT_BYTES, "{} bytes", p.bytes.len());
        assert_eq!(p.ext, "jpg");
        let g = process(&photo(4000, 1000), Use::Gallery).unwrap();
        assert_eq!((g.width, g.height), (1080, 270), "aspect kept");
        let b = process(&photo(2000, 2000), Use::Banner).unwrap();
        assert_eq!((b.width, b.height), (750, 360));
    }

    #[test]
    fn small_images_are_not_upscaled() {
        let p = process(&photo(300, 200), Use::Product).unwrap();
        assert_eq!((p.width, p.height), (200, 200));
    }

    #[test]
    fn transparency_keeps_png() {
        let img = RgbaImage::from_fn(100, 100, |x, _| {
            Rgba([200, 10, 10, if x < 50 { 0 } else { 255 }])
        });
        let mut input = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut input), image::ImageFormat::Png)
            .unwrap();
        let p = process(&input, Use::Logo).unwrap();
        assert_eq!(p.ext, "png");
    }

    #[test]
    fn metadata_is_stripped() {
        // A JPEG with an EXIF segment (camera, GPS…) comes out without it.
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 64, Rgb([10, 120, 200])))
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        let exif = b"\xFF\xE1\x00\x16Exif\x00\x00GPS-SECRET-LOCATION";
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(exif);
        with_exif.extend_from_slice(&jpeg[2..]);
        let p = process(&with_exif, Use::Gallery).unwrap();
        assert!(!p.bytes.windows(6).any(|w| w == b"Exif\x00\x00"));
        assert!(!String::from_utf8_lossy(&p.bytes).contains("GPS-SECRET"));
    }

    #[test]
    fn originals_keep_their_pixels_and_lose_their_metadata() {
        // A JPEG carrying an EXIF block with a GPS position, as phones write it.
        let plain = encode_jpeg(&image::load_from_memory(&photo(120, 80)).unwrap(), 90);
        let exif = b"Exif\0\0MM\0*GPSLatitude 31.2304 N GPSLongitude 121.4737 E";
        let mut tagged = plain[..2].to_vec();
        tagged.extend_from_slice(&[0xFF, 0xE1]);
        tagged.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        tagged.extend_from_slice(exif);
        tagged.extend_from_slice(&plain[2..]);
        assert!(
            image::load_from_memory(&tagged).is_ok(),
            "still a valid JPEG"
        );
        let (clean, w, h) = clean_original(&tagged).unwrap();
        assert_eq!((w, h), (120, 80));
        assert!(!clean.windows(3).any(|x| x == b"GPS"), "metadata left in");
        assert_eq!(
            image::guess_format(&clean).unwrap(),
            image::ImageFormat::Jpeg
        );
        assert_eq!(
            image::load_from_memory(&clean).unwrap().dimensions(),
            (120, 80)
        );
    }

    #[test]
    fn a_small_file_claiming_too_many_pixels_is_refused_before_decoding() {
        // 8000×6000 = 48 MP: within 12000 a side, over the 40 MP budget. A blank PNG of that
        // size is a few hundred KB and would decode to 192 MB.
        let img = image::GrayImage::new(8000, 6000);
        let mut png = Vec::new();
        DynamicImage::ImageLuma8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert!(png.len() < 1024 * 1024, "{} bytes", png.len());
        assert_eq!(
            process(&png, Use::Gallery),
            Err(MediaError::TooManyPixels {
                width: 8000,
                height: 6000
            })
        );
    }

    #[test]
    fn bad_inputs_get_specific_errors() {
        assert_eq!(process(b"", Use::Product), Err(MediaError::Empty));
        assert_eq!(
            process(b"%PDF-1.7 not an image at all", Use::Product),
            Err(MediaError::NotAnImage)
        );
        let mut truncated = photo(200, 200);
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(
            process(&truncated, Use::Product),
            Err(MediaError::Corrupt(_))
        ));
        let huge = vec![0u8; MAX_INPUT_BYTES + 1];
        assert_eq!(
            process(&huge, Use::Product),
            Err(MediaError::TooLarge { size: 21 })
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= b as u32;
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

    #[test]
    fn decompression_bombs_are_refused_before_decoding() {
        // A valid PNG header claiming 50000×50000 pixels, in a few dozen bytes.
        let img = RgbImage::new(1, 1);
        let mut png = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        // Keep the header's checksum valid, as an attacker would.
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            process(&png, Use::Gallery),
            Err(MediaError::TooManyPixels {
                width: 50_000,
                height: 50_000
            })
        );
    }

    #[test]
    fn the_cache_does_each_image_once() {
        let cache = MediaCache::default();
        let input = photo(400, 400);
        let a = cache.process(&input, Use::Product).unwrap();
        let b = cache.process(&input, Use::Product).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        cache.process(&input, Use::Gallery).unwrap();
        assert_eq!(cache.len(), 2);
        assert_eq!(a.file_name(), b.file_name());
    }
}
