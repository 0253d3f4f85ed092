//! The starters' pictures: drawn here from shapes and gradients (never downloaded), so a new
//! café, salon or clinic opens with pictures that look like one instead of letter tiles.
//! A starter refers to one as `art/<name>`; the package, the preview and the CLI read it like
//! an upload. Each is drawn once per process, anti-aliased from signed distances, each shape
//! looking only at the pixels of its box.
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Pictures are drawn on a 750-pixel-wide layout and kept at this fraction of it (480 pixels
/// for a product): a starter's pictures together stay under the 200 KB of packaged images
/// Tencent's quality check advises, and a card shows them at under 200 pixels anyway.
const SCALE: f32 = 0.64;

/// The prefix of a starter picture's reference.
pub const PREFIX: &str = "art/";

mod canvas;
use canvas::*;

use Shape::*;

/// Soft light circles, like a photo's out-of-focus background.
fn bokeh(c: &mut Canvas, seed: u32, color: u32) {
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (s >> 8) as f32 / (1u32 << 24) as f32
    };
    for _ in 0..9 {
        let (x, y, r) = (
            next() * c.w as f32,
            next() * c.h as f32,
            20.0 + next() * 70.0,
        );
        c.fill(&Circle(x, y, r), color, 0.10 + next() * 0.10);
    }
}

/// A cup seen from above on its saucer, centred at (x, y) with radius r.
fn cup_from_above(c: &mut Canvas, x: f32, y: f32, r: f32, coffee: u32, crema: u32) {
    c.shadow(&Circle(x + r * 0.06, y + r * 0.1, r * 1.35), r * 0.12, 0.25);
    c.fill(&Circle(x, y, r * 1.35), 0xf4efe8, 1.0);
    c.fill(&Ring(x, y, r * 1.05, r * 0.04), 0xe2d9cc, 1.0);
    c.fill(
        &Capsule(
            x + r * 0.95,
            y + r * 0.15,
            x + r * 1.3,
            y + r * 0.3,
            r * 0.13,
        ),
        0xffffff,
        1.0,
    );
    c.fill(&Circle(x, y, r), 0xffffff, 1.0);
    c.fill(&Circle(x, y, r * 0.84), crema, 1.0);
    c.fill(&Circle(x, y, r * 0.78), coffee, 1.0);
}

/// A latte-art heart at (x, y), `s` wide.
fn heart(c: &mut Canvas, x: f32, y: f32, s: f32, color: u32) {
    let r = s * 0.28;
    c.fill(&Circle(x - r * 0.9, y - r * 0.5, r), color, 1.0);
    c.fill(&Circle(x + r * 0.9, y - r * 0.5, r), color, 1.0);
    c.fill(
        &Polygon(vec![
            (x - r * 1.85, y - r * 0.25),
            (x + r * 1.85, y - r * 0.25),
            (x, y + r * 2.0),
        ]),
        color,
        1.0,
    );
}

/// A croissant lying across (x, y), `s` wide.
fn croissant(c: &mut Canvas, x: f32, y: f32, s: f32, sprinkles: Option<u32>) {
    c.shadow(&Ellipse(x, y + s * 0.12, s * 0.5, s * 0.16), s * 0.06, 0.3);
    let segments: [(f32, f32, f32, f32); 5] = [
        (-0.40, 0.06, 0.13, -0.6),
        (-0.22, -0.04, 0.17, -0.3),
        (0.0, -0.08, 0.2, 0.0),
        (0.22, -0.04, 0.17, 0.3),
        (0.40, 0.06, 0.13, 0.6),
    ];
    for (i, (dx, dy, r, turn)) in segments.iter().enumerate() {
        let (cx, cy) = (x + dx * s, y + dy * s);
        let body = Turned(
            Box::new(Ellipse(cx, cy, r * s * 0.75, r * s)),
            *turn,
            cx,
            cy,
        );
        let tone = if i % 2 == 0 {
            (0xe8a94a, 0xb8651f)
        } else {
            (0xf0b85a, 0xc47628)
        };
        c.gradient(&body, tone.0, tone.1, cy - r * s, cy + r * s);
        c.fill(
            &Turned(
                Box::new(Capsule(
                    cx,
                    cy - r * s * 0.55,
                    cx,
                    cy + r * s * 0.55,
                    s * 0.012,
                )),
                *turn,
                cx,
                cy,
            ),
            0x8a4a16,
            0.35,
        );
        c.fill(
            &Ellipse(
                cx - r * s * 0.2,
                cy - r * s * 0.45,
                r * s * 0.25,
                r * s * 0.12,
            ),
            0xffffff,
            0.25,
        );
    }
    if let Some(color) = sprinkles {
        for k in 0..14 {
            let t = k as f32 / 13.0;
            let (px, py) = (
                x + (t - 0.5) * s * 0.8,
                y - s * 0.1 + ((k * 7) % 5) as f32 * s * 0.02,
            );
            c.fill(&Circle(px, py, s * 0.014), color, 1.0);
        }
    }
}

/// A pour-over dripper on a glass carafe.
fn pour_over(c: &mut Canvas, x: f32, y: f32, s: f32) {
    c.shadow(&Ellipse(x, y + s * 0.45, s * 0.33, s * 0.05), s * 0.04, 0.3);
    // The carafe: a round glass body with coffee in it.
    c.fill(&Circle(x, y + s * 0.22, s * 0.26), 0xdfe8ea, 0.9);
    c.fill(&Ellipse(x, y + s * 0.3, s * 0.235, s * 0.17), 0x5a341a, 1.0);
    c.fill(
        &Rect(
            x - s * 0.12,
            y - s * 0.08,
            x + s * 0.12,
            y + s * 0.02,
            s * 0.02,
        ),
        0xc9d6d9,
        1.0,
    );
    c.fill(
        &Rect(
            x - s * 0.13,
            y - s * 0.02,
            x + s * 0.13,
            y + s * 0.015,
            s * 0.01,
        ),
        0x8a5a3a,
        1.0,
    );
    // The dripper: a cone.
    c.fill(
        &Polygon(vec![
            (x - s * 0.26, y - s * 0.36),
            (x + s * 0.26, y - s * 0.36),
            (x + s * 0.07, y - s * 0.07),
            (x - s * 0.07, y - s * 0.07),
        ]),
        0xf7f3ee,
        1.0,
    );
    c.fill(
        &Rect(
            x - s * 0.28,
            y - s * 0.4,
            x + s * 0.28,
            y - s * 0.35,
            s * 0.02,
        ),
        0xe8e0d6,
        1.0,
    );
    c.fill(
        &Ellipse(x - s * 0.08, y - s * 0.28, s * 0.05, s * 0.02),
        0xffffff,
        0.6,
    );
}

/// A cup seen from the side with steam.
fn cup_from_side(c: &mut Canvas, x: f32, y: f32, s: f32, body: u32) {
    c.shadow(&Ellipse(x, y + s * 0.3, s * 0.42, s * 0.06), s * 0.05, 0.3);
    c.fill(&Ellipse(x, y + s * 0.3, s * 0.42, s * 0.07), 0xf4efe8, 1.0);
    c.fill(&Ring(x + s * 0.27, y, s * 0.1, s * 0.045), body, 1.0);
    c.fill(
        &Rect(
            x - s * 0.26,
            y - s * 0.2,
            x + s * 0.26,
            y + s * 0.28,
            s * 0.1,
        ),
        body,
        1.0,
    );
    c.fill(&Ellipse(x, y - s * 0.2, s * 0.26, s * 0.05), 0x6b3b1c, 1.0);
    for k in 0..3 {
        let sx = x + (k as f32 - 1.0) * s * 0.12;
        for j in 0..6 {
            let (t0, t1) = (j as f32 / 6.0, (j + 1) as f32 / 6.0);
            let wave = |t: f32| (t * 6.5 + k as f32).sin() * s * 0.03;
            let (y0, y1) = (y - s * 0.28 - t0 * s * 0.3, y - s * 0.28 - t1 * s * 0.3);
            c.fill(
                &Capsule(sx + wave(t0), y0, sx + wave(t1), y1, s * 0.012),
                0xffffff,
                0.55 * (1.0 - t0),
            );
        }
    }
}

fn scissors(c: &mut Canvas, x: f32, y: f32, s: f32, color: u32) {
    let blade = |c: &mut Canvas, turn: f32| {
        let shape = Polygon(vec![
            (x - s * 0.02, y - s * 0.02),
            (x + s * 0.48, y - s * 0.035),
            (x + s * 0.5, y),
            (x - s * 0.02, y + s * 0.04),
        ]);
        c.fill(&Turned(Box::new(shape), turn, x, y), 0xdfe4ea, 1.0);
    };
    blade(c, -0.35);
    blade(c, 0.35);
    for turn in [-0.35f32, 0.35] {
        let (sin, cos) = (turn + std::f32::consts::PI).sin_cos();
        let (hx, hy) = (x + cos * s * 0.22, y + sin * s * 0.22);
        c.fill(&Capsule(x, y, hx, hy, s * 0.03), color, 1.0);
        c.fill(
            &Ring(
                hx - cos * s * 0.08,
                hy - sin * s * 0.08,
                s * 0.085,
                s * 0.04,
            ),
            color,
            1.0,
        );
    }
    c.fill(&Circle(x, y, s * 0.025), 0x9aa3ad, 1.0);
}

fn comb(c: &mut Canvas, x: f32, y: f32, s: f32, color: u32) {
    c.fill(
        &Rect(
            x - s * 0.4,
            y - s * 0.05,
            x + s * 0.4,
            y + s * 0.04,
            s * 0.03,
        ),
        color,
        1.0,
    );
    for k in 0..16 {
        let tx = x - s * 0.37 + k as f32 * s * 0.049;
        c.fill(&Capsule(tx, y, tx, y + s * 0.16, s * 0.012), color, 1.0);
    }
}

/// A person's portrait: face, hair, shoulders.
fn portrait(c: &mut Canvas, hair: u32, shirt: u32, long_hair: bool) {
    let (w, h) = (c.w as f32, c.h as f32);
    let (x, y) = (w / 2.0, h * 0.45);
    if long_hair {
        c.fill(
            &Rect(
                x - w * 0.22,
                y - h * 0.08,
                x + w * 0.22,
                y + h * 0.28,
                w * 0.1,
            ),
            hair,
            1.0,
        );
    }
    c.fill(&Ellipse(x, h * 1.02, w * 0.4, h * 0.3), shirt, 1.0);
    c.fill(
        &Rect(
            x - w * 0.06,
            y + h * 0.1,
            x + w * 0.06,
            y + h * 0.25,
            w * 0.03,
        ),
        0xe0ac88,
        1.0,
    );
    c.fill(&Ellipse(x, y, w * 0.17, h * 0.2), 0xf1c6a3, 1.0);
    c.fill(&Ellipse(x, y - h * 0.12, w * 0.19, h * 0.12), hair, 1.0);
    c.fill(
        &Circle(x - w * 0.06, y + h * 0.01, w * 0.014),
        0x3a2a20,
        1.0,
    );
    c.fill(
        &Circle(x + w * 0.06, y + h * 0.01, w * 0.014),
        0x3a2a20,
        1.0,
    );
    c.fill(
        &Capsule(
            x - w * 0.035,
            y + h * 0.09,
            x + w * 0.035,
            y + h * 0.09,
            w * 0.008,
        ),
        0xb5655a,
        1.0,
    );
}

/// A medical cross in a white disc.
fn cross(c: &mut Canvas, x: f32, y: f32, s: f32, color: u32) {
    c.shadow(&Circle(x, y + s * 0.03, s * 0.5), s * 0.06, 0.25);
    c.fill(&Circle(x, y, s * 0.5), 0xffffff, 1.0);
    c.fill(
        &Rect(x - s * 0.1, y - s * 0.3, x + s * 0.1, y + s * 0.3, s * 0.04),
        color,
        1.0,
    );
    c.fill(
        &Rect(x - s * 0.3, y - s * 0.1, x + s * 0.3, y + s * 0.1, s * 0.04),
        color,
        1.0,
    );
}

/// Draws picture `name`, or `None` when there is no such picture.
fn draw(name: &str) -> Option<Canvas> {
    let c = match name {
        "coffee-banner" => {
            let mut c = Canvas::new(750, 360, 0xd9480f, 0x7a2a08);
            bokeh(&mut c, 3, 0xffd8a8);
            cup_from_side(&mut c, 640.0, 220.0, 200.0, 0xfff8f0);
            c
        }
        "pastry-banner" => {
            let mut c = Canvas::new(750, 360, 0xf5d6a8, 0xd08a3c);
            bokeh(&mut c, 7, 0xffffff);
            croissant(&mut c, 630.0, 250.0, 220.0, Some(0x7fa650));
            c
        }
        "latte" => {
            let mut c = Canvas::new(750, 750, 0xe9d5bd, 0xc89f76);
            cup_from_above(&mut c, 375.0, 370.0, 230.0, 0xa8703f, 0xd9a56c);
            heart(&mut c, 375.0, 350.0, 210.0, 0xf6ead8);
            c
        }
        "americano" => {
            let mut c = Canvas::new(750, 750, 0x8fb9a8, 0x4f7d6b);
            cup_from_above(&mut c, 375.0, 375.0, 230.0, 0x2b160a, 0x6b3b1c);
            c.fill(&Ellipse(320.0, 320.0, 50.0, 22.0), 0xffffff, 0.18);
            c
        }
        "pour-over" => {
            let mut c = Canvas::new(750, 750, 0xf3e3c9, 0xd8b68b);
            pour_over(&mut c, 375.0, 390.0, 620.0);
            c
        }
        "croissant" => {
            let mut c = Canvas::new(750, 750, 0xfbeede, 0xe8c9a0);
            c.fill(&Circle(375.0, 400.0, 300.0), 0xffffff, 0.6);
            croissant(&mut c, 375.0, 390.0, 560.0, None);
            c
        }
        "pistachio" => {
            let mut c = Canvas::new(750, 750, 0xe6efd6, 0xb9cf98);
            c.fill(&Circle(375.0, 400.0, 300.0), 0xffffff, 0.6);
            croissant(&mut c, 375.0, 390.0, 560.0, Some(0x6f9a3a));
            c
        }
        "salon-banner" => {
            let mut c = Canvas::new(750, 360, 0x3b5bdb, 0x1c2f7a);
            bokeh(&mut c, 11, 0xbac8ff);
            scissors(&mut c, 610.0, 150.0, 220.0, 0xf8f9fa);
            comb(&mut c, 640.0, 290.0, 180.0, 0xffc9c9);
            c
        }
        "cut" => {
            let mut c = Canvas::new(750, 750, 0xe7ecff, 0xb4c1f5);
            scissors(&mut c, 340.0, 380.0, 560.0, 0x364fc7);
            c
        }
        "colour" => {
            let mut c = Canvas::new(750, 750, 0xfff0f6, 0xf3c4d8);
            for (k, color) in [0xc2255c, 0xe8590c, 0xf59f00, 0x7048e8, 0x0b7285]
                .iter()
                .enumerate()
            {
                let x = 170.0 + k as f32 * 105.0;
                c.shadow(&Rect(x - 45.0, 180.0, x + 45.0, 560.0, 40.0), 14.0, 0.2);
                c.fill(&Rect(x - 45.0, 180.0, x + 45.0, 560.0, 40.0), *color, 1.0);
                c.fill(&Ellipse(x - 15.0, 260.0, 10.0, 50.0), 0xffffff, 0.3);
            }
            c
        }
        "scalp" => {
            let mut c = Canvas::new(750, 750, 0xe3fafc, 0x99e9f2);
            for (x, y, s) in [
                (375.0, 380.0, 1.0),
                (220.0, 250.0, 0.45),
                (540.0, 230.0, 0.35),
            ] {
                let r = 150.0 * s;
                c.fill(&Circle(x, y + r * 0.3, r), 0x1098ad, 0.9);
                c.fill(
                    &Polygon(vec![
                        (x - r * 0.93, y + r * 0.0),
                        (x + r * 0.93, y),
                        (x, y - r * 1.6),
                    ]),
                    0x1098ad,
                    0.9,
                );
                c.fill(
                    &Ellipse(x - r * 0.35, y + r * 0.1, r * 0.15, r * 0.3),
                    0xffffff,
                    0.45,
                );
            }
            c
        }
        "mei" => {
            let mut c = Canvas::new(400, 400, 0xffe3e3, 0xffc9c9);
            portrait(&mut c, 0x2b1d16, 0xc2255c, true);
            c
        }
        "jun" => {
            let mut c = Canvas::new(400, 400, 0xdbe4ff, 0xbac8ff);
            portrait(&mut c, 0x1a1a1a, 0x364fc7, false);
            c
        }
        "clinic-banner" => {
            let mut c = Canvas::new(750, 360, 0x2b8a3e, 0x0b4f24);
            bokeh(&mut c, 5, 0xd3f9d8);
            cross(&mut c, 650.0, 200.0, 170.0, 0x2b8a3e);
            c
        }
        _ => return None,
    };
    Some(c)
}

/// The picture a starter refers to as `art/<name>`, as JPEG bytes, drawn once.
pub fn picture(reference: &str) -> Option<Vec<u8>> {
    static DRAWN: OnceLock<Mutex<HashMap<String, Vec<u8>>>> = OnceLock::new();
    let name = reference.strip_prefix(PREFIX)?;
    let drawn = DRAWN.get_or_init(Default::default);
    if let Some(bytes) = drawn.lock().expect("not poisoned").get(name) {
        return Some(bytes.clone());
    }
    let bytes = draw(name)?.jpeg();
    drawn
        .lock()
        .expect("not poisoned")
        .insert(name.to_string(), bytes.clone());
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{process, Use};

    /// Every `art/…` reference of every starter is a picture that goes through the same
    /// processing as an upload, and is not one flat colour.
    #[test]
    fn every_starter_picture_is_drawn_and_usable() {
        for template in app::model::ThemeKind::ALL {
            for lang in app::i18n::Lang::ALL {
                let json = crate::generator::theme::starter_json(template, lang);
                let refs: Vec<&str> = json.split('"').filter(|s| s.starts_with(PREFIX)).collect();
                assert!(!refs.is_empty(), "{template:?} {lang:?} has pictures");
                for r in refs {
                    let bytes = picture(r).unwrap_or_else(|| panic!("{r} is drawn"));
                    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
                    let first = img.get_pixel(0, 0);
                    assert!(
                        img.pixels()
                            .filter(|p| (p.0[0] as i32 - first.0[0] as i32).abs() > 40)
                            .count()
                            > 1000,
                        "{r} shows something"
                    );
                    assert!(process(&bytes, Use::Product).is_ok(), "{r}");
                }
            }
        }
        assert_eq!(picture("art/nothing"), None);
        assert_eq!(picture("media/abc"), None);
    }
}
