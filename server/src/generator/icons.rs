//! The built-in tab bar icon set, drawn as simple shapes on a unit square and rasterised to
//! 81×81 PNGs (WeChat's advised size; a few KB, far under the 40 KB limit) in any colour.
use app::model::site::Icon;
use image::{ImageEncoder, Rgba, RgbaImage};

pub const SIZE: u32 = 81;
/// Samples per pixel side: 4×4 supersampling gives smooth edges.
const SS: u32 = 4;

#[derive(Clone, Copy)]
enum Shape {
    Circle(f32, f32, f32),
    Rect(f32, f32, f32, f32),
    /// A segment with a thickness.
    Line(f32, f32, f32, f32, f32),
    Tri([(f32, f32); 3]),
}

impl Shape {
    fn contains(self, x: f32, y: f32) -> bool {
        match self {
            Shape::Circle(cx, cy, r) => (x - cx).powi(2) + (y - cy).powi(2) <= r * r,
            Shape::Rect(x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1,
            Shape::Line(x0, y0, x1, y1, w) => {
                let (dx, dy) = (x1 - x0, y1 - y0);
                let t = (((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
                let (px, py) = (x0 + t * dx, y0 + t * dy);
                (x - px).powi(2) + (y - py).powi(2) <= (w / 2.0).powi(2)
            }
            Shape::Tri([a, b, c]) => {
                let side = |p: (f32, f32), q: (f32, f32)| {
                    (q.0 - p.0) * (y - p.1) - (q.1 - p.1) * (x - p.0)
                };
                let (d1, d2, d3) = (side(a, b), side(b, c), side(c, a));
                !((d1 < 0.0 || d2 < 0.0 || d3 < 0.0) && (d1 > 0.0 || d2 > 0.0 || d3 > 0.0))
            }
        }
    }
}

use Shape::*;

/// Draw list: `true` paints, `false` cuts out; later entries win.
fn shapes(icon: Icon) -> Vec<(Shape, bool)> {
    let outline = |x0: f32, y0: f32, x1: f32, y1: f32, w: f32| {
        vec![
            (Rect(x0, y0, x1, y1), true),
            (Rect(x0 + w, y0 + w, x1 - w, y1 - w), false),
        ]
    };
    let ring = |cx: f32, cy: f32, r: f32, w: f32| {
        vec![(Circle(cx, cy, r), true), (Circle(cx, cy, r - w), false)]
    };
    match icon {
        Icon::Home => vec![
            (Tri([(0.5, 0.12), (0.1, 0.48), (0.9, 0.48)]), true),
            (Rect(0.2, 0.45, 0.8, 0.88), true),
            (Rect(0.42, 0.62, 0.58, 0.88), false),
        ],
        Icon::Shop => {
            let mut v = ring(0.5, 0.32, 0.17, 0.07);
            v.push((Rect(0.15, 0.36, 0.85, 0.9), true));
            v.push((Circle(0.37, 0.5, 0.04), false));
            v.push((Circle(0.63, 0.5, 0.04), false));
            v
        }
        Icon::Cart => vec![
            (Line(0.08, 0.18, 0.22, 0.18, 0.07), true),
            (Line(0.22, 0.18, 0.32, 0.62, 0.07), true),
            (Tri([(0.26, 0.3), (0.92, 0.3), (0.8, 0.62)]), true),
            (Tri([(0.26, 0.3), (0.8, 0.62), (0.33, 0.62)]), true),
            (Circle(0.38, 0.8, 0.08), true),
            (Circle(0.76, 0.8, 0.08), true),
        ],
        Icon::Calendar => {
            let mut v = outline(0.14, 0.2, 0.86, 0.88, 0.07);
            v.push((Rect(0.14, 0.2, 0.86, 0.38), true));
            v.push((Line(0.33, 0.1, 0.33, 0.28, 0.08), true));
            v.push((Line(0.67, 0.1, 0.67, 0.28, 0.08), true));
            v.extend([
                (Rect(0.28, 0.5, 0.42, 0.62), true),
                (Rect(0.58, 0.5, 0.72, 0.62), true),
                (Rect(0.28, 0.7, 0.42, 0.8), true),
            ]);
            v
        }
        Icon::User => vec![
            (Circle(0.5, 0.3, 0.18), true),
            (Circle(0.5, 0.92, 0.36), true),
            (Rect(-1.0, 0.88, 2.0, 2.0), false),
        ],
        Icon::Info => {
            let mut v = ring(0.5, 0.5, 0.4, 0.07);
            v.push((Circle(0.5, 0.3, 0.06), true));
            v.push((Line(0.5, 0.45, 0.5, 0.72, 0.1), true));
            v
        }
        Icon::Phone => {
            let mut v = outline(0.28, 0.08, 0.72, 0.92, 0.07);
            v.push((Rect(0.28, 0.08, 0.72, 0.2), true));
            v.push((Circle(0.5, 0.8, 0.05), true));
            v
        }
        Icon::Map => vec![
            (Circle(0.5, 0.38, 0.28), true),
            (Tri([(0.26, 0.5), (0.74, 0.5), (0.5, 0.92)]), true),
            (Circle(0.5, 0.38, 0.11), false),
        ],
        Icon::Star => {
            let point = |i: usize, r: f32| {
                let a = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
                (0.5 + r * a.cos(), 0.54 + r * a.sin())
            };
            let mut v: Vec<(Shape, bool)> = (0..5)
                .map(|k| {
                    (
                        Tri([
                            point(2 * k, 0.44),
                            point(2 * k + 1, 0.18),
                            point(2 * k + 9, 0.18),
                        ]),
                        true,
                    )
                })
                .collect();
            v.push((Circle(0.5, 0.54, 0.19), true));
            v
        }
        Icon::Grid => vec![
            (Rect(0.12, 0.12, 0.44, 0.44), true),
            (Rect(0.56, 0.12, 0.88, 0.44), true),
            (Rect(0.12, 0.56, 0.44, 0.88), true),
            (Rect(0.56, 0.56, 0.88, 0.88), true),
        ],
        Icon::Gift => {
            let mut v = ring(0.38, 0.22, 0.12, 0.06);
            v.extend(ring(0.62, 0.22, 0.12, 0.06));
            v.extend([
                (Rect(0.12, 0.32, 0.88, 0.48), true),
                (Rect(0.18, 0.52, 0.82, 0.9), true),
                (Rect(0.46, 0.32, 0.54, 0.9), false),
            ]);
            v
        }
        Icon::Photo => {
            let mut v = outline(0.1, 0.18, 0.9, 0.82, 0.07);
            v.push((Tri([(0.17, 0.75), (0.42, 0.42), (0.62, 0.75)]), true));
            v.push((Tri([(0.45, 0.75), (0.65, 0.52), (0.83, 0.75)]), true));
            v.push((Circle(0.7, 0.34, 0.07), true));
            v
        }
    }
}

/// `#rrggbb` → RGB; anything else is black (colours are validated before this).
fn rgb(hex: &str) -> [u8; 3] {
    let c = |i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    [c(1), c(3), c(5)]
}

/// The icon as a PNG in `color`, from a small cache: a regenerate does not redraw icons.
pub fn png(icon: Icon, color: &str) -> std::sync::Arc<Vec<u8>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<(Icon, String), Arc<Vec<u8>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (icon, color.to_ascii_lowercase());
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let made = Arc::new(render_png(icon, color));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    // Bounded: 12 icons in a few hundred colours is plenty for a busy agency.
    if map.len() >= 1024 {
        map.clear();
    }
    map.insert(key, made.clone());
    made
}

/// The icon as a PNG in `color`, transparent elsewhere.
pub fn render_png(icon: Icon, color: &str) -> Vec<u8> {
    let draw = shapes(icon);
    let [r, g, b] = rgb(color);
    let mut img = RgbaImage::new(SIZE, SIZE);
    // Icons fill the middle 70%: WeChat shows tab icons small, with their own padding.
    let (inset, span) = (0.15_f32, 0.7_f32);
    for (px, py, pixel) in img.enumerate_pixels_mut() {
        let mut covered = 0;
        for sy in 0..SS {
            for sx in 0..SS {
                let u = ((px * SS + sx) as f32 + 0.5) / (SIZE * SS) as f32;
                let v = ((py * SS + sy) as f32 + 0.5) / (SIZE * SS) as f32;
                let (x, y) = ((u - inset) / span, (v - inset) / span);
                let inside = draw.iter().fold(
                    false,
                    |acc, (s, paint)| if s.contains(x, y) { *paint } else { acc },
                );
                covered += inside as u32;
            }
        }
        *pixel = Rgba([r, g, b, (covered * 255 / (SS * SS)) as u8]);
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(img.as_raw(), SIZE, SIZE, image::ExtendedColorType::Rgba8)
    .expect("encoding a PNG into memory cannot fail");
    out
}

pub fn slug(icon: Icon) -> String {
    icon.slug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Icon; 12] = Icon::ALL;

    #[test]
    fn every_icon_is_an_81px_png_under_40kb_with_visible_ink() {
        for icon in ALL {
            let png = render_png(icon, "#07c160");
            assert!(png.len() < 40 * 1024, "{icon:?}: {} bytes", png.len());
            let img = image::load_from_memory(&png).unwrap().to_rgba8();
            assert_eq!(img.dimensions(), (SIZE, SIZE));
            let ink = img.pixels().filter(|p| p[3] > 128).count() as f32 / (SIZE * SIZE) as f32;
            assert!(
                (0.08..0.6).contains(&ink),
                "{icon:?} covers {ink:.2} of the square"
            );
            assert_eq!(
                img.get_pixel(0, 0)[3],
                0,
                "{icon:?}: corners stay transparent"
            );
            let p = img.pixels().find(|p| p[3] == 255).unwrap();
            assert_eq!(
                (p[0], p[1], p[2]),
                (0x07, 0xc1, 0x60),
                "{icon:?} in the requested colour"
            );
        }
    }

    #[test]
    fn icons_are_distinct_and_deterministic() {
        let pngs: Vec<Vec<u8>> = ALL.iter().map(|i| render_png(*i, "#333333")).collect();
        for (i, a) in pngs.iter().enumerate() {
            for b in &pngs[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(render_png(Icon::Star, "#333333"), pngs[8]);
    }
}
