//! Themes: `themes/base` holds the mini program sources every theme shares; `themes/<name>`
//! adds `theme.toml` (name, description, default settings), style overrides and starter
//! sites. The built-in themes are compiled into the binary.
use app::model::theme::ThemeSettings;
use app::model::ThemeKind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{LazyLock, OnceLock};

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ThemeManifest {
    pub name: String,
    pub kind: String,
    pub description: String,
    /// The settings a new site of this theme starts with.
    pub defaults: ThemeSettings,
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub manifest: Option<ThemeManifest>,
    /// minijinja templates by name (`app.wxss.j2`, …).
    pub templates: Vec<(String, String)>,
    /// Copied as they are, by package path.
    pub static_files: Vec<(String, String)>,
    /// The product / cart / booking screens, by package path.
    pub builtin_pages: BTreeMap<String, String>,
    pub page_wxml: String,
    pub page_json: String,
    pub extra_wxss: String,
    /// The template environment, built on first use (once per process for a built-in theme).
    pub(crate) env: OnceLock<minijinja::Environment<'static>>,
}

macro_rules! base {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../../themes/base/", $path)))),*]
    };
}

/// Every file of `themes/base`, embedded.
const BASE: &[(&str, &str)] = base![
    "app.js.j2",
    "app.wxss.j2",
    "components/blocks/blocks.wxml",
    "utils/page.js",
    "utils/cart.js",
    "utils/api.js",
    "utils/mine.js",
    "pages/page/index.js.j2",
    "pages/page/index.wxml",
    "pages/page/index.json",
    "pages/product/index.js",
    "pages/product/index.json",
    "pages/product/index.wxml",
    "pages/product/index.wxss",
    "pages/cart/index.js",
    "pages/cart/index.json",
    "pages/cart/index.wxml",
    "pages/cart/index.wxss",
    "pages/booking/index.js",
    "pages/booking/index.json",
    "pages/booking/index.wxml",
    "pages/booking/index.wxss",
    "pages/orders/index.js",
    "pages/orders/index.json",
    "pages/orders/index.wxml",
    "pages/orders/index.wxss",
    "pages/bookings/index.js",
    "pages/bookings/index.json",
    "pages/bookings/index.wxml",
    "pages/bookings/index.wxss",
];

fn theme_files(t: ThemeKind) -> (&'static str, &'static str) {
    match t {
        ThemeKind::Shop => (
            include_str!("../../../themes/shop/theme.toml"),
            include_str!("../../../themes/shop/extra.wxss"),
        ),
        ThemeKind::Booking => (
            include_str!("../../../themes/booking/theme.toml"),
            include_str!("../../../themes/booking/extra.wxss"),
        ),
        ThemeKind::Info => (
            include_str!("../../../themes/info/theme.toml"),
            include_str!("../../../themes/info/extra.wxss"),
        ),
    }
}

/// The starter site of a theme, in a language.
pub fn starter_json(t: ThemeKind, lang: app::i18n::Lang) -> &'static str {
    use app::i18n::Lang::*;
    match (t, lang) {
        (ThemeKind::Shop, En) => include_str!("../../../themes/shop/starter.en.json"),
        (ThemeKind::Shop, Zh) => include_str!("../../../themes/shop/starter.zh.json"),
        (ThemeKind::Booking, En) => include_str!("../../../themes/booking/starter.en.json"),
        (ThemeKind::Booking, Zh) => include_str!("../../../themes/booking/starter.zh.json"),
        (ThemeKind::Info, En) => include_str!("../../../themes/info/starter.en.json"),
        (ThemeKind::Info, Zh) => include_str!("../../../themes/info/starter.zh.json"),
    }
}

impl Theme {
    /// A theme from loose template files (tests and user themes).
    pub fn from_parts(templates: Vec<(String, String)>) -> Theme {
        Theme {
            manifest: None,
            templates,
            static_files: Vec::new(),
            builtin_pages: BTreeMap::new(),
            page_wxml: String::new(),
            page_json: String::new(),
            extra_wxss: String::new(),
            env: OnceLock::new(),
        }
    }
}

/// The built-in themes, loaded once per process (in the order of [`ThemeKind::ALL`]).
static BUILTIN: LazyLock<[Theme; 3]> = LazyLock::new(|| ThemeKind::ALL.map(load_builtin));

/// One of the built-in themes.
pub fn builtin_theme(t: ThemeKind) -> &'static Theme {
    let index = ThemeKind::ALL
        .iter()
        .position(|&k| k == t)
        .expect("every kind is in ALL");
    &BUILTIN[index]
}

fn load_builtin(t: ThemeKind) -> Theme {
    let (toml_src, extra) = theme_files(t);
    let manifest: ThemeManifest =
        toml::from_str(toml_src).expect("built-in theme.toml is valid (tested)");
    let mut theme = Theme::from_parts(Vec::new());
    theme.manifest = Some(manifest);
    theme.extra_wxss = extra.to_string();
    for (path, body) in BASE {
        let (path, body) = (path.to_string(), body.to_string());
        if path.ends_with(".j2") {
            theme.templates.push((path, body));
        } else if path == "pages/page/index.wxml" {
            theme.page_wxml = body;
        } else if path == "pages/page/index.json" {
            theme.page_json = body;
        } else if path.starts_with("pages/") {
            theme.builtin_pages.insert(path, body);
        } else {
            theme.static_files.push((path, body));
        }
    }
    theme
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_loads_with_its_manifest() {
        for t in ThemeKind::ALL {
            let theme = builtin_theme(t);
            let m = theme.manifest.clone().unwrap();
            assert_eq!(m.kind, t.slug());
            assert_eq!(m.defaults.template, t);
            for lang in app::i18n::Lang::ALL {
                let site: app::model::site::Site =
                    serde_json::from_str(starter_json(t, lang)).unwrap();
                assert_eq!(
                    site.theme, m.defaults,
                    "{t:?} {lang:?} starter drifted from theme.toml"
                );
            }
            assert!(!theme.page_wxml.is_empty() && theme.builtin_pages.len() == 20);
        }
    }

    /// The editor warns below 3:1; a starter never starts with a warning.
    #[test]
    fn every_starter_passes_the_editors_contrast_check() {
        use app::model::color::contrast;
        for t in ThemeKind::ALL {
            for lang in app::i18n::Lang::ALL {
                let site: app::model::site::Site =
                    serde_json::from_str(starter_json(t, lang)).unwrap();
                let th = &site.theme;
                let mut pairs = vec![
                    ("primary", &th.primary, &th.background),
                    ("accent", &th.accent, &th.background),
                    ("text", &th.text, &th.background),
                ];
                if let Some(tb) = &site.tab_bar {
                    pairs.push(("tab text", &tb.color, &tb.background));
                    pairs.push(("tab selected", &tb.selected_color, &tb.background));
                }
                for (what, a, b) in pairs {
                    let c = contrast(a, b).unwrap();
                    assert!(c >= 3.0, "{t:?} {lang:?} {what}: {a} on {b} is {c:.2}");
                }
            }
        }
    }
}
