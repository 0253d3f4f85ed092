//! The starters' pictures: drawn here from shapes and gradients (never downloaded), so a new
//! café, salon or clinic opens with pictures that look like one instead of letter tiles.
//! A starter refers to one as `art/<name>`; the package, the preview and the CLI read it like
//! an upload. Each is drawn once per process, anti-aliased from signed distances, each shape
//! looking only at the pixels of its box.
use image::RgbImage;
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Mutex, OnceLock};

/// Pictures are drawn on a 750-pixel-wide layout and kept at this fraction of it (480 pixels
/// for a product): a starter's pictures together stay under the 200 KB of packaged images
/// Tencent's quality check advises, and a card shows them at under 200 pixels anyway.
const SCALE: f32 = 0.64;

/// The prefix of a starter picture's reference.
pub const PREFIX: &str = "art/";

type Rgb = [f32; 3];

fn hex(c: u32) -> Rgb {
    [
        ((c >> 16) & 0xff) as f32,
        ((c >> 8) & 0xff) as f32,
        (c & 0xff) as f32,
    ]
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

/// A shape as a signed distance in pixels (negative inside), with the box it lies in.
#[derive(Clone)]
enum Shape {
    Circle(f32, f32, f32),
    Ellipse(f32, f32, f32, f32),
    /// x0, y0, x1, y1, corner radius
    Rect(f32, f32, f32, f32, f32),
    /// A segment with a radius.
    Capsule(f32, f32, f32, f32, f32),
    /// A circle's outline of the given thickness.
    Ring(f32, f32, f32, f32),
    Polygon(Vec<(f32, f32)>),
    /// A shape turned by an angle (radians) around a point.
    Turned(Box<Shape>, f32, f32, f32),
}

impl Shape {
    /// A box (x0, y0, x1, y1) the shape lies in: painting looks at no pixel outside it.
    fn bounds(&self) -> (f32, f32, f32, f32) {
        match self {
            Shape::Circle(cx, cy, r) => (cx - r, cy - r, cx + r, cy + r),
            Shape::Ellipse(cx, cy, rx, ry) => (cx - rx, cy - ry, cx + rx, cy + ry),
            Shape::Rect(x0, y0, x1, y1, _) => (*x0, *y0, *x1, *y1),
            Shape::Capsule(ax, ay, bx, by, r) => (
                ax.min(*bx) - r,
                ay.min(*by) - r,
                ax.max(*bx) + r,
                ay.max(*by) + r,
            ),
            Shape::Ring(cx, cy, r, w) => {
                let o = r + w / 2.0;
                (cx - o, cy - o, cx + o, cy + o)
            }
            Shape::Polygon(v) => v.iter().fold(
                (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                |(x0, y0, x1, y1), &(x, y)| (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            ),
            // Turned about (ox, oy): within the circle reaching the box's farthest corner.
            Shape::Turned(s, _, ox, oy) => {
                let (x0, y0, x1, y1) = s.bounds();
                let d = [(x0, y0), (x0, y1), (x1, y0), (x1, y1)]
                    .iter()
                    .map(|(x, y)| (x - ox).hypot(y - oy))
                    .fold(0.0, f32::max);
                (ox - d, oy - d, ox + d, oy + d)
            }
        }
    }

    fn distance(&self, x: f32, y: f32) -> f32 {
        match self {
            Shape::Circle(cx, cy, r) => ((x - cx).hypot(y - cy)) - r,
            Shape::Ellipse(cx, cy, rx, ry) => {
                let (dx, dy) = ((x - cx) / rx, (y - cy) / ry);
                (dx.hypot(dy) - 1.0) * rx.min(*ry)
            }
            Shape::Rect(x0, y0, x1, y1, r) => {
                let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
                let (hx, hy) = ((x1 - x0) / 2.0 - r, (y1 - y0) / 2.0 - r);
                let (qx, qy) = ((x - cx).abs() - hx, (y - cy).abs() - hy);
                qx.max(0.0).hypot(qy.max(0.0)) + qx.max(qy).min(0.0) - r
            }
            Shape::Capsule(ax, ay, bx, by, r) => {
                let (px, py, vx, vy) = (x - ax, y - ay, bx - ax, by - ay);
                let h = ((px * vx + py * vy) / (vx * vx + vy * vy)).clamp(0.0, 1.0);
                (px - vx * h).hypot(py - vy * h) - r
            }
            Shape::Ring(cx, cy, r, w) => ((x - cx).hypot(y - cy) - r).abs() - w / 2.0,
            Shape::Polygon(v) => polygon_distance(v, x, y),
            Shape::Turned(s, angle, ox, oy) => {
                let (sin, cos) = (-angle).sin_cos();
                let (dx, dy) = (x - ox, y - oy);
                s.distance(ox + dx * cos - dy * sin, oy + dx * sin + dy * cos)
            }
        }
    }
}

/// Signed distance to a simple polygon (after Inigo Quilez).
fn polygon_distance(v: &[(f32, f32)], x: f32, y: f32) -> f32 {
    let mut d = (x - v[0].0).powi(2) + (y - v[0].1).powi(2);
    let mut inside = false;
    let mut j = v.len() - 1;
    for i in 0..v.len() {
        let (ex, ey) = (v[j].0 - v[i].0, v[j].1 - v[i].1);
        let (wx, wy) = (x - v[i].0, y - v[i].1);
        let h = ((wx * ex + wy * ey) / (ex * ex + ey * ey)).clamp(0.0, 1.0);
        d = d.min((wx - ex * h).powi(2) + (wy - ey * h).powi(2));
        let (a, b) = (y >= v[i].1, y < v[j].1);
        let c = ex * wy > ey * wx;
        if (a && b && c) || (!a && !b && !c) {
            inside = !inside;
        }
        j = i;
    }
    let d = d.sqrt();
    if inside {
        -d
    } else {
        d
    }
}

struct Canvas {
    w: u32,
    h: u32,
    px: Vec<Rgb>,
}

impl Canvas {
    /// A canvas filled with a vertical-diagonal gradient from `top` to `bottom`.
    fn new(w: u32, h: u32, top: u32, bottom: u32) -> Self {
        let (a, b) = (hex(top), hex(bottom));
        let mut px = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                let t = (y as f32 / h as f32) * 0.8 + (x as f32 / w as f32) * 0.2;
                px.push(mix(a, b, t));
            }
        }
        Canvas { w, h, px }
    }

    /// Paints `shape` in `color` at `alpha`, anti-aliased over one pixel.
    fn fill(&mut self, shape: &Shape, color: u32, alpha: f32) {
        self.fill_with(shape, alpha, |_, _| hex(color));
    }

    /// Paints `shape` from `top` to `bottom` colour across its height.
    fn gradient(&mut self, shape: &Shape, top: u32, bottom: u32, y0: f32, y1: f32) {
        let (a, b) = (hex(top), hex(bottom));
        self.fill_with(shape, 1.0, |_, y| mix(a, b, (y - y0) / (y1 - y0)));
    }

    /// The pixel rows and columns `shape` can touch, `margin` pixels around its box.
    fn area(&self, shape: &Shape, margin: f32) -> (std::ops::Range<u32>, std::ops::Range<u32>) {
        let (x0, y0, x1, y1) = shape.bounds();
        let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        (
            clamp((y0 - margin).floor(), self.h)..clamp((y1 + margin).ceil(), self.h),
            clamp((x0 - margin).floor(), self.w)..clamp((x1 + margin).ceil(), self.w),
        )
    }

    fn fill_with(&mut self, shape: &Shape, alpha: f32, color: impl Fn(f32, f32) -> Rgb) {
        let (rows, cols) = self.area(shape, 2.0);
        for y in rows {
            for x in cols.clone() {
                let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
                let d = shape.distance(fx, fy);
                if d >= 0.5 {
                    continue;
                }
                let cover = (0.5 - d).clamp(0.0, 1.0) * alpha;
                let i = (y * self.w + x) as usize;
                self.px[i] = mix(self.px[i], color(fx, fy), cover);
            }
        }
    }

    /// A soft shadow: the shape blurred by `blur` pixels.
    fn shadow(&mut self, shape: &Shape, blur: f32, alpha: f32) {
        let (rows, cols) = self.area(shape, blur + 2.0);
        for y in rows {
            for x in cols.clone() {
                let d = shape.distance(x as f32 + 0.5, y as f32 + 0.5);
                if d >= blur {
                    continue;
                }
                let cover = (1.0 - (d + blur) / (2.0 * blur)).clamp(0.0, 1.0) * alpha;
                let i = (y * self.w + x) as usize;
                self.px[i] = mix(self.px[i], [0.0, 0.0, 0.0], cover);
            }
        }
    }

    /// The picture at [`SCALE`] of its drawn size, as JPEG.
    fn jpeg(self) -> Vec<u8> {
        let mut img = RgbImage::new(self.w, self.h);
        for (p, c) in img.pixels_mut().zip(&self.px) {
            *p = image::Rgb([c[0] as u8, c[1] as u8, c[2] as u8]);
        }
        let (w, h) = (
            (self.w as f32 * SCALE).round() as u32,
            (self.h as f32 * SCALE).round() as u32,
        );
        let img = image::imageops::resize(&img, w, h, image::imageops::FilterType::Lanczos3);
        let mut out = Cursor::new(Vec::new());
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
        enc.encode_image(&img).expect("encoding to memory");
        out.into_inner()
    }
}

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
