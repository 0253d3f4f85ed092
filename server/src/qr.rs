//! QR codes: a PNG of any size from 280 to 1280 px, or an SVG, with the standard quiet zone of
//! four modules and the highest error correction (H, up to 30 % of the code unreadable), so a
//! logo in the centre never stops a phone from reading it.
use image::{GrayImage, Luma, RgbaImage};
use qrcode::{Color, EcLevel, QrCode};

pub const MIN_SIZE: u32 = 280;
pub const MAX_SIZE: u32 = 1280;
/// Modules of white around the code, as the standard asks.
const QUIET: usize = 4;
/// The logo's side as a share of the code's (its area stays far under what level H repairs).
const LOGO_SHARE: f32 = 0.22;

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum QrError {
    #[error("there is nothing to put in the QR code")]
    Empty,
    #[error("the text is too long for a QR code ({0} bytes)")]
    TooLong(usize),
    #[error("the size must be between {MIN_SIZE} and {MAX_SIZE} pixels")]
    Size,
    #[error("the logo is not a picture that can be read: {0}")]
    Logo(String),
}

fn code(text: &str) -> Result<QrCode, QrError> {
    if text.is_empty() {
        return Err(QrError::Empty);
    }
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::H)
        .map_err(|_| QrError::TooLong(text.len()))
}

fn check_size(size: u32) -> Result<(), QrError> {
    if (MIN_SIZE..=MAX_SIZE).contains(&size) {
        Ok(())
    } else {
        Err(QrError::Size)
    }
}

/// The code as a `size` × `size` greyscale image: every pixel takes the module it falls in, so
/// any size is exact.
fn raster(code: &QrCode, size: u32) -> GrayImage {
    let width = code.width();
    let colors = code.to_colors();
    let modules = width + 2 * QUIET;
    GrayImage::from_fn(size, size, |x, y| {
        let mx = (x as usize * modules / size as usize).checked_sub(QUIET);
        let my = (y as usize * modules / size as usize).checked_sub(QUIET);
        let dark = match (mx, my) {
            (Some(mx), Some(my)) if mx < width && my < width => {
                colors[my * width + mx] == Color::Dark
            }
            _ => false,
        };
        Luma([if dark { 0 } else { 255 }])
    })
}

/// A PNG of `text`, `size` pixels square, with `logo` (any picture `image` reads) centred on a
/// white pad when given.
pub fn png(text: &str, size: u32, logo: Option<&[u8]>) -> Result<Vec<u8>, QrError> {
    check_size(size)?;
    let code = code(text)?;
    let mut img: RgbaImage = image::DynamicImage::ImageLuma8(raster(&code, size)).to_rgba8();
    if let Some(bytes) = logo {
        let logo = image::load_from_memory(bytes).map_err(|e| QrError::Logo(e.to_string()))?;
        let side = (size as f32 * LOGO_SHARE) as u32;
        let logo = logo
            .resize(side, side, image::imageops::FilterType::Lanczos3)
            .to_rgba8();
        // A white pad a little larger than the logo keeps its edge off the modules.
        let pad = side + side / 8;
        let start = (size - pad) / 2;
        for y in start..start + pad {
            for x in start..start + pad {
                img.put_pixel(x, y, image::Rgba([255, 255, 255, 255]));
            }
        }
        let (lx, ly) = ((size - logo.width()) / 2, (size - logo.height()) / 2);
        image::imageops::overlay(&mut img, &logo, lx.into(), ly.into());
    }
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("PNG encoding of an in-memory image");
    Ok(out)
}

/// An SVG of `text`, drawn `size` pixels square (it scales without loss), with `logo` embedded
/// in the centre as a PNG when given.
pub fn svg(text: &str, size: u32, logo: Option<&[u8]>) -> Result<String, QrError> {
    check_size(size)?;
    let code = code(text)?;
    let width = code.width();
    let modules = width + 2 * QUIET;
    let colors = code.to_colors();
    let mut path = String::new();
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" \
         viewBox=\"0 0 {modules} {modules}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{modules}\" height=\"{modules}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/>"
    );
    if let Some(bytes) = logo {
        use base64::Engine;
        let logo = image::load_from_memory(bytes).map_err(|e| QrError::Logo(e.to_string()))?;
        let mut png = Vec::new();
        logo.resize(512, 512, image::imageops::FilterType::Lanczos3)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("PNG encoding of an in-memory image");
        let side = modules as f32 * LOGO_SHARE;
        let pad = side * 1.125;
        let (p0, l0) = ((modules as f32 - pad) / 2.0, (modules as f32 - side) / 2.0);
        out.push_str(&format!(
            "<rect x=\"{p0}\" y=\"{p0}\" width=\"{pad}\" height=\"{pad}\" fill=\"#fff\"/>\
             <image x=\"{l0}\" y=\"{l0}\" width=\"{side}\" height=\"{side}\" \
             href=\"data:image/png;base64,{}\"/>",
            base64::engine::general_purpose::STANDARD.encode(png)
        ));
    }
    out.push_str("</svg>");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a phone reads from `png`.
    fn read(png: &[u8]) -> String {
        let img = image::load_from_memory(png).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one code found");
        grids[0].decode().unwrap().1
    }

    const URL: &str = "https://mp.example.com/s/01JDQ3Z8K4W5X6Y7Z8A9B0C1D2";

    #[test]
    fn every_size_reads_back_exactly() {
        for size in [MIN_SIZE, 333, 430, 1000, MAX_SIZE] {
            let png = png(URL, size, None).unwrap();
            let img = image::load_from_memory(&png).unwrap();
            assert_eq!((img.width(), img.height()), (size, size));
            assert_eq!(read(&png), URL, "size {size}");
        }
    }

    #[test]
    fn a_centred_logo_does_not_stop_it_reading() {
        let logo = image::RgbImage::from_fn(200, 200, |x, y| {
            image::Rgb([200, (x % 255) as u8, (y % 255) as u8])
        });
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(logo)
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        for size in [MIN_SIZE, MAX_SIZE] {
            let png = png(URL, size, Some(&bytes)).unwrap();
            assert_eq!(read(&png), URL, "size {size} with a logo");
        }
        assert!(matches!(
            png(URL, 400, Some(b"not a picture")),
            Err(QrError::Logo(_))
        ));
    }

    #[test]
    fn svg_has_the_same_modules_and_a_quiet_zone() {
        let svg = svg(URL, 500, None).unwrap();
        let code = code(URL).unwrap();
        let n = code.width() + 2 * QUIET;
        assert!(svg.contains(&format!("viewBox=\"0 0 {n} {n}\"")), "{svg}");
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == Color::Dark)
            .count();
        assert_eq!(svg.matches("h1v1h-1z").count(), dark);
        // Nothing dark inside the quiet zone.
        assert!(!svg.contains("M0 ") && !svg.contains(" 0h1"));
        assert!(super::svg(URL, 500, Some(b"nope")).is_err());
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        assert_eq!(png("", 400, None), Err(QrError::Empty));
        assert_eq!(png(URL, 279, None), Err(QrError::Size));
        assert_eq!(png(URL, 1281, None), Err(QrError::Size));
        let long = "x".repeat(2000);
        assert_eq!(png(&long, 400, None), Err(QrError::TooLong(2000)));
    }
}
