//! Reading what merchants type, the same way in every field: full-width characters from a
//! Chinese input method count as their ASCII forms, prices may carry `¥`, `元` and thousands
//! commas, times may be written `9:00`, `0900` or `9点`, and colours by name or as `#abc`.
//! Each reader gives the value as the site stores it, or `None` when the text is not one.
use super::color::normalize_hex;

/// Full-width ASCII (`１２．５`, `：`, `＃`) and the ideographic space as their ASCII forms.
pub fn ascii_form(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '￥' => '¥',
            '。' => '.',
            c => c,
        })
        .collect()
}

/// A price in yuan with at most two decimals, as fen: `12`, `12.5`, `¥1,280.00`, `１２元`,
/// `RMB 8`.
pub fn parse_yuan(text: &str) -> Option<u64> {
    let t = ascii_form(text);
    let t = t.trim();
    let t = t
        .strip_prefix("RMB")
        .or_else(|| t.strip_prefix("rmb"))
        .unwrap_or(t)
        .trim_start();
    let t = t.strip_prefix('¥').unwrap_or(t);
    let t = t.strip_suffix('元').unwrap_or(t);
    let t: String = t.chars().filter(|c| *c != ',' && *c != ' ').collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// A whole number (`12`, `１２`, `1,200`, `-1`).
pub fn parse_whole(text: &str) -> Option<i64> {
    let t: String = ascii_form(text)
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    t.parse().ok()
}

/// A time of day on the 24-hour clock as `HH:MM`: `9:00`, `09.30`, `0930`, `9`, `9点`,
/// `９：００`, `18时30分`.
pub fn parse_time(text: &str) -> Option<String> {
    let t = ascii_form(text)
        .trim()
        .replace(['点', '时'], ":")
        .replace('分', "");
    let t = t.trim_end_matches(':');
    let (h, m) = match t.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None if t.len() >= 3 => t.split_at(t.len() - 2),
        None => (t, "0"),
    };
    if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// Colour names merchants type, in English and Chinese, with the colour the site stores.
const NAMED: &[(&str, &str)] = &[
    ("black", "#000000"),
    ("white", "#ffffff"),
    ("red", "#ff0000"),
    ("darkred", "#8b0000"),
    ("crimson", "#dc143c"),
    ("green", "#008000"),
    ("darkgreen", "#006400"),
    ("lime", "#00ff00"),
    ("olive", "#808000"),
    ("teal", "#008080"),
    ("blue", "#0000ff"),
    ("navy", "#000080"),
    ("darkblue", "#00008b"),
    ("skyblue", "#87ceeb"),
    ("lightblue", "#add8e6"),
    ("cyan", "#00ffff"),
    ("yellow", "#ffff00"),
    ("gold", "#ffd700"),
    ("orange", "#ffa500"),
    ("darkorange", "#ff8c00"),
    ("coral", "#ff7f50"),
    ("tomato", "#ff6347"),
    ("purple", "#800080"),
    ("violet", "#ee82ee"),
    ("magenta", "#ff00ff"),
    ("pink", "#ffc0cb"),
    ("hotpink", "#ff69b4"),
    ("brown", "#a52a2a"),
    ("chocolate", "#d2691e"),
    ("tan", "#d2b48c"),
    ("beige", "#f5f5dc"),
    ("ivory", "#fffff0"),
    ("silver", "#c0c0c0"),
    ("gray", "#808080"),
    ("grey", "#808080"),
    ("darkgray", "#a9a9a9"),
    ("darkgrey", "#a9a9a9"),
    ("lightgray", "#d3d3d3"),
    ("lightgrey", "#d3d3d3"),
    ("黑", "#000000"),
    ("白", "#ffffff"),
    ("红", "#ff0000"),
    ("大红", "#e60012"),
    ("中国红", "#e60012"),
    ("绿", "#008000"),
    ("蓝", "#0000ff"),
    ("天蓝", "#87ceeb"),
    ("黄", "#ffff00"),
    ("金", "#ffd700"),
    ("橙", "#ffa500"),
    ("紫", "#800080"),
    ("粉", "#ffc0cb"),
    ("粉红", "#ffc0cb"),
    ("棕", "#a52a2a"),
    ("咖啡", "#6f4e37"),
    ("灰", "#808080"),
    ("银", "#c0c0c0"),
];

/// A colour as the site stores it (`#1a2b3c`): `#1A2B3C`, `#abc`, `abc`, `red`, `Dark Red`,
/// `红色`, `＃ＡＢＣ`.
pub fn parse_color(text: &str) -> Option<String> {
    let t = ascii_form(text);
    if let Some(hex) = normalize_hex(&t) {
        return Some(hex);
    }
    let name: String = t
        .trim()
        .trim_end_matches('色')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .collect::<String>()
        .to_lowercase();
    NAMED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, hex)| hex.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_as_merchants_type_them() {
        for (typed, fen) in [
            ("12", 1200),
            ("12.5", 1250),
            ("12.50", 1250),
            (".5", 50),
            ("¥12", 1200),
            ("￥１２．５", 1250),
            ("1,280.00", 128_000),
            ("12元", 1200),
            ("RMB 8", 800),
            (" 0 ", 0),
        ] {
            assert_eq!(parse_yuan(typed), Some(fen), "{typed}");
        }
        for bad in ["", "abc", "12.345", "1.2.3", "-5", "12 apples", "¥", "."] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }

    #[test]
    fn whole_numbers_take_full_width_digits_and_commas() {
        assert_eq!(parse_whole("１２"), Some(12));
        assert_eq!(parse_whole("1,200"), Some(1200));
        assert_eq!(parse_whole("-1"), Some(-1));
        assert_eq!(parse_whole("twelve"), None);
        assert_eq!(parse_whole(""), None);
    }

    #[test]
    fn times_are_read_on_the_24_hour_clock() {
        for (typed, time) in [
            ("9:00", "09:00"),
            ("09:30", "09:30"),
            ("9.30", "09:30"),
            ("0930", "09:30"),
            ("930", "09:30"),
            ("18", "18:00"),
            ("９：００", "09:00"),
            ("9点", "09:00"),
            ("18时30分", "18:30"),
            ("23:59", "23:59"),
        ] {
            assert_eq!(parse_time(typed).as_deref(), Some(time), "{typed}");
        }
        for bad in ["", "24:00", "9:60", "9am", "noon", "12345", "1:2:3"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn colours_are_read_by_name_and_short_hex() {
        for (typed, hex) in [
            ("red", "#ff0000"),
            ("Red", "#ff0000"),
            ("dark red", "#8b0000"),
            ("#abc", "#aabbcc"),
            ("ABC", "#aabbcc"),
            ("＃ＡＢＣ", "#aabbcc"),
            ("红色", "#ff0000"),
            ("#1A2B3C", "#1a2b3c"),
        ] {
            assert_eq!(parse_color(typed).as_deref(), Some(hex), "{typed}");
        }
        for bad in ["", "reddish", "#12345", "url(x)", "rgb(1,2,3)"] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
    }
}
