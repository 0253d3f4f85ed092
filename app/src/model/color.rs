//! Colour arithmetic shared by the editor (contrast warnings) and the generator (text colour on
//! the theme's primary colour): WCAG 2 relative luminance and contrast ratio.

/// Relative luminance of `#rrggbb`, or None when it is not such a colour.
/// What a merchant typed as a colour, as the site stores it (`#1a2b3c`): `#ABC`, `abc`,
/// ` #AaBbCc ` are read too; anything else is not a colour.
pub fn normalize_hex(text: &str) -> Option<String> {
    let t = text.trim();
    let digits = t.strip_prefix('#').unwrap_or(t);
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let full = match digits.len() {
        3 => digits.chars().flat_map(|c| [c, c]).collect::<String>(),
        6 => digits.to_string(),
        _ => return None,
    };
    Some(format!("#{}", full.to_ascii_lowercase()))
}

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
    fn typed_colours_are_read_in_their_usual_forms() {
        assert_eq!(normalize_hex("#1A2b3C").as_deref(), Some("#1a2b3c"));
        assert_eq!(normalize_hex(" abc ").as_deref(), Some("#aabbcc"));
        assert_eq!(normalize_hex("#fff").as_deref(), Some("#ffffff"));
        for bad in ["red", "#12345", "#1234567", "", "#", "#ggg", "url(x)"] {
            assert_eq!(normalize_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_matches_wcag() {
        let c = contrast("#000000", "#ffffff").unwrap();
        assert!((c - 21.0).abs() < 0.01);
        assert!(contrast("#777777", "#888888").unwrap() < 3.0);
        assert_eq!(contrast("red", "#ffffff"), None);
    }
}
