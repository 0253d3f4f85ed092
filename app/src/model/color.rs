//! Colour arithmetic shared by the editor (contrast warnings) and the generator (text colour on
//! the theme's primary colour): WCAG 2 relative luminance and contrast ratio.

/// Relative luminance of `#rrggbb`, or None when it is not such a colour.
pub fn luminance(hex: &str) -> Option<f64> {
    if hex.len() != 7 || !hex.starts_with('#') {
        return None;
    }
    let channel = |i: usize| -> Option<f64> {
        let v = u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()? as f64 / 255.0;
        Some(if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(1)? + 0.7152 * channel(3)? + 0.0722 * channel(5)?)
}

/// WCAG contrast ratio of two `#rrggbb` colours (1 to 21).
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let (x, y) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if x > y { (x, y) } else { (y, x) };
    Some((hi + 0.05) / (lo + 0.05))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag() {
        let c = contrast("#000000", "#ffffff").unwrap();
        assert!((c - 21.0).abs() < 0.01);
        assert!(contrast("#777777", "#888888").unwrap() < 3.0);
        assert_eq!(contrast("red", "#ffffff"), None);
    }
}
