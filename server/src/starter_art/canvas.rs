//! The drawing primitives of the starters' pictures: shapes as signed distances, and a canvas
//! that paints them anti-aliased, each looking only at the pixels of its box.
use super::SCALE;
use image::RgbImage;
use std::io::Cursor;

pub(super) type Rgb = [f32; 3];

pub(super) fn hex(c: u32) -> Rgb {
    [
        ((c >> 16) & 0xff) as f32,
        ((c >> 8) & 0xff) as f32,
        (c & 0xff) as f32,
    ]
}

pub(super) fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

/// A shape as a signed distance in pixels (negative inside), with the box it lies in.
#[derive(Clone)]
pub(super) enum Shape {
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
    pub(super) fn bounds(&self) -> (f32, f32, f32, f32) {
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

    pub(super) fn distance(&self, x: f32, y: f32) -> f32 {
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
pub(super) fn polygon_distance(v: &[(f32, f32)], x: f32, y: f32) -> f32 {
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

pub(super) struct Canvas {
    pub(super) w: u32,
    pub(super) h: u32,
    px: Vec<Rgb>,
}

impl Canvas {
    /// A canvas filled with a vertical-diagonal gradient from `top` to `bottom`.
    pub(super) fn new(w: u32, h: u32, top: u32, bottom: u32) -> Self {
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
    pub(super) fn fill(&mut self, shape: &Shape, color: u32, alpha: f32) {
        self.fill_with(shape, alpha, |_, _| hex(color));
    }

    /// Paints `shape` from `top` to `bottom` colour across its height.
    pub(super) fn gradient(&mut self, shape: &Shape, top: u32, bottom: u32, y0: f32, y1: f32) {
        let (a, b) = (hex(top), hex(bottom));
        self.fill_with(shape, 1.0, |_, y| mix(a, b, (y - y0) / (y1 - y0)));
    }

    /// The pixel rows and columns `shape` can touch, `margin` pixels around its box.
    pub(super) fn area(
        &self,
        shape: &Shape,
        margin: f32,
    ) -> (std::ops::Range<u32>, std::ops::Range<u32>) {
        let (x0, y0, x1, y1) = shape.bounds();
        let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        (
            clamp((y0 - margin).floor(), self.h)..clamp((y1 + margin).ceil(), self.h),
            clamp((x0 - margin).floor(), self.w)..clamp((x1 + margin).ceil(), self.w),
        )
    }

    pub(super) fn fill_with(&mut self, shape: &Shape, alpha: f32, color: impl Fn(f32, f32) -> Rgb) {
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
    pub(super) fn shadow(&mut self, shape: &Shape, blur: f32, alpha: f32) {
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
    pub(super) fn jpeg(self) -> Vec<u8> {
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
