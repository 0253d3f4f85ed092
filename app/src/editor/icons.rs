//! The editor's tool icons: inline SVG drawn with strokes in the text colour, so they show
//! on every system (no font needs the glyph) and follow hover and disabled colours. Buttons
//! carry the name (`aria-label`) and the tooltip (`title`); the drawing is hidden from
//! assistive technology.
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Glyph {
    Up,
    Down,
    Copy,
    Eye,
    EyeOff,
    Trash,
    Plus,
    Close,
}

impl Glyph {
    /// Path data on a 24×24 grid.
    fn path(self) -> &'static str {
        match self {
            Glyph::Up => "M12 19V5M5 12l7-7 7 7",
            Glyph::Down => "M12 5v14M19 12l-7 7-7-7",
            Glyph::Copy => "M9 9h11v11H9zM5 15H4V4h11v1",
            Glyph::Eye => "M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12zM12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z",
            Glyph::EyeOff => "M3 3l18 18M10.6 6.1A10 10 0 0 1 12 6c7 0 11 6 11 6a18 18 0 0 1-3.2 3.8M6.6 6.6C3.2 8.5 1 12 1 12s4 7 11 7a10 10 0 0 0 5.4-1.6M9.9 9.9a3 3 0 0 0 4.2 4.2",
            Glyph::Trash => "M3 6h18M8 6V4h8v2M6 6l1 14h10l1-14M10 10v7M14 10v7",
            Glyph::Plus => "M12 5v14M5 12h14",
            Glyph::Close => "M6 6l12 12M18 6L6 18",
        }
    }
}

/// An icon, 16 px by default.
#[component]
pub fn Icon(glyph: Glyph) -> impl IntoView {
    view! {
        <svg class="icon" width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false"
            fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d=glyph.path()/>
        </svg>
    }
}
