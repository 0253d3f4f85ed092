//! Template mode: one package per theme that an agency uploads once to its third-party
//! platform's template library (`mpforge template`), and per site an `ext_json` that WeChat
//! merges over it at commit. The template's code reads the site from
//! `wx.getExtConfigSync().site` (falling back to the theme's starter, so the template opens
//! in WeChat DevTools as it is). Pages are numbered slots (`pages/p1/index` …): the site's
//! n-th page fills slot n, and the routes in the ext say which slot is which page. Colours
//! travel as CSS variables set on each page through `<page-meta page-style>`. Pictures are
//! served from mpforge's public URL at their content address.
use super::{icons, js_json, GenerateError, Package};
use app::i18n::Lang;
use app::model::site::Site;
use app::model::ThemeKind;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Page slots in a template: as many as a site may have pages.
pub const SLOTS: usize = app::model::validate::limits::PAGES;
/// The largest `ext_json` mpforge commits. WeChat documents no figure; a commit body this big
/// is already far beyond any real site without its pictures inline.
pub const EXT_JSON_LIMIT: usize = 256 * 1024;
/// Every built-in screen a template carries, whatever the site shows.
const SCREENS: [&str; 5] = ["product", "cart", "orders", "booking", "bookings"];
/// Tab icon colours in a template (a site's own colours go to the tab texts).
const TAB_ICON: &str = "#7a7e83";
const TAB_ICON_ON: &str = "#1f1f1f";

fn slot(i: usize) -> String {
    format!("pages/p{}/index", i + 1)
}

/// `page { … }` variables of the site's theme, set by each page's `<page-meta>`.
pub fn css_vars(site: &Site) -> String {
    let t = &site.theme;
    format!(
        "--primary: {}; --accent: {}; --bg: {}; --text: {}; --on-primary: {}; --radius: {}rpx; background: {}; color: {}; font-size: {}rpx;",
        t.primary,
        t.accent,
        t.background,
        t.text,
        super::on_color(&t.primary),
        t.radius,
        t.background,
        t.text,
        (28.0 * t.font_scale).round() as i64
    )
}

/// The view model the template's code reads: the site's content, slot routes and colours.
fn ext_model(site: &Site) -> Value {
    let mut model = super::view::site_view(site);
    let mut routes = serde_json::Map::new();
    for (i, p) in site.pages.iter().enumerate() {
        routes.insert(p.id.clone(), format!("/{}", slot(i)).into());
    }
    for s in SCREENS {
        routes.insert(s.into(), format!("/pages/{s}/index").into());
    }
    model["routes"] = Value::Object(routes);
    model["slots"] = site.pages.iter().map(|p| p.id.clone()).collect();
    model["vars"] = css_vars(site).into();
    model
}

/// The template package of `kind`: its starter site rendered once, with slots for pages,
/// every built-in screen and every tab icon, and code that reads the site from the ext.
pub fn template_package(kind: ThemeKind) -> Result<Package, GenerateError> {
    let theme = super::builtin_theme(kind);
    let starter: Site = serde_json::from_str(super::theme::starter_json(kind, Lang::En))
        .expect("built-in starters are valid sites");
    let cache = crate::media::MediaCache::default();
    let (site, images) = super::assets::embed_images(&starter, &cache, Lang::En, |r| {
        Err(format!("{r}: starters only use drawn pictures"))
    })?;
    let mut package = super::package(&site, theme, images)?;
    for page in &site.pages {
        for ext in ["js", "json", "wxml", "wxss"] {
            package
                .files
                .remove(&format!("pages/{}/index.{ext}", page.id));
        }
    }
    package
        .files
        .retain(|path, _| !path.starts_with("images/tab/"));
    let page_meta = "<page-meta page-style=\"{{vars}}\"></page-meta>\n";
    for i in 0..SLOTS {
        let dir = slot(i);
        let js = format!(
            "const {{ createPage }} = require('../../utils/page.js');\nconst site = require('../../data/site.js');\n\nPage(createPage(site.slots[{i}]));\n"
        );
        package.files.insert(format!("{dir}.js"), js.into_bytes());
        package
            .files
            .insert(format!("{dir}.json"), theme.page_json.clone().into_bytes());
        package.files.insert(
            format!("{dir}.wxml"),
            format!("{page_meta}{}", theme.page_wxml).into_bytes(),
        );
        package.files.insert(
            format!("{dir}.wxss"),
            b"/* block styles live in app.wxss */\n".to_vec(),
        );
    }
    for screen in SCREENS {
        for ext in ["js", "json", "wxml", "wxss"] {
            let source = format!("pages/{screen}/index.{ext}");
            let mut body = theme
                .builtin_pages
                .get(&source)
                .cloned()
                .unwrap_or_default();
            if ext == "wxml" {
                body = format!("{page_meta}{body}");
            }
            package.files.insert(source, body.into_bytes());
        }
    }
    for icon in app::model::site::Icon::ALL {
        let name = icons::slug(icon);
        package.files.insert(
            format!("images/tab/{name}.png"),
            icons::png(icon, TAB_ICON).to_vec(),
        );
        package.files.insert(
            format!("images/tab/{name}-on.png"),
            icons::png(icon, TAB_ICON_ON).to_vec(),
        );
    }
    let site_js = format!(
        "// Generated by mpforge: a platform template. Each mini program's site arrives in its\n// ext.json (wx.getExtConfigSync().site); the starter below is shown without one.\nconst ext = (wx.getExtConfigSync && wx.getExtConfigSync()) || {{}};\nconst starter = {};\nmodule.exports = ext.site || starter;\n",
        js_json(&fallback_model(&site))
    );
    package
        .files
        .insert("data/site.js".into(), site_js.into_bytes());
    let mut pages: Vec<String> = (0..SLOTS).map(slot).collect();
    pages.extend(SCREENS.iter().map(|s| format!("pages/{s}/index")));
    let mut app: Value =
        serde_json::from_slice(&package.files["app.json"]).expect("generated JSON");
    app["pages"] = pages.into();
    if let Some(o) = app.as_object_mut() {
        o.remove("tabBar");
        o.remove("subPackages");
    }
    app["window"]["navigationBarTitleText"] = theme_title(kind).into();
    package
        .files
        .insert("app.json".into(), super::json_file(&app));
    if package.total_bytes() > super::MAIN_PACKAGE_LIMIT {
        return Err(GenerateError::Template {
            name: format!("{} template", kind.slug()),
            line: None,
            message: format!(
                "{} bytes: over the 2 MB main package",
                package.total_bytes()
            ),
        });
    }
    Ok(package)
}

fn theme_title(kind: ThemeKind) -> &'static str {
    match kind {
        ThemeKind::Shop => "Shop",
        ThemeKind::Booking => "Booking",
        ThemeKind::Info => "Info",
    }
}

/// The starter's model with slot routes, for the template opened without an ext.
fn fallback_model(site: &Site) -> Value {
    let mut m = ext_model(site);
    m["api_base"] = Value::Null;
    m
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExtError {
    #[error("{0}")]
    TooManyPages(String),
    #[error("{0}")]
    TooLarge(String),
}

impl ExtError {
    fn too_many(n: usize, lang: Lang) -> ExtError {
        ExtError::TooManyPages(match lang {
            Lang::Zh => format!("网站有 {n} 个页面,通过服务商平台发布的小程序最多 {SLOTS} 个页面。请合并或删除一些页面。"),
            Lang::En => format!("The site has {n} pages; a mini program published through the agency's platform has at most {SLOTS}. Merge or delete some pages."),
        })
    }
}

/// A site's `ext_json` for `appid`: its content (pictures rewritten by `image_url` from their
/// package path `/images/<name>` to a public URL), window and tab bar.
pub fn ext_json(
    site: &Site,
    appid: &str,
    lang: Lang,
    image_url: impl Fn(&str) -> String,
) -> Result<String, ExtError> {
    if site.pages.len() > SLOTS {
        return Err(ExtError::too_many(site.pages.len(), lang));
    }
    let mut model = ext_model(site);
    rewrite_images(&mut model, &image_url);
    let t = &site.theme;
    let text_style = if super::on_color(&t.primary) == "#ffffff" {
        "white"
    } else {
        "black"
    };
    let mut ext = json!({
        "extEnable": true,
        "extAppid": appid,
        "directCommit": false,
        "ext": {"site": model},
        "window": {
            "navigationBarTitleText": site.name,
            "navigationBarBackgroundColor": t.primary,
            "navigationBarTextStyle": text_style,
            "backgroundColor": t.background,
        },
    });
    if let Some(tb) = &site.tab_bar {
        let index: BTreeMap<&str, usize> = site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        ext["tabBar"] = json!({
            "color": tb.color,
            "selectedColor": tb.selected_color,
            "backgroundColor": tb.background,
            "borderStyle": "white",
            "list": tb.items.iter().filter_map(|i| index.get(i.page.as_str()).map(|n| json!({
                "pagePath": slot(*n),
                "text": i.text,
                "iconPath": format!("images/tab/{}.png", icons::slug(i.icon)),
                "selectedIconPath": format!("images/tab/{}-on.png", icons::slug(i.icon)),
            }))).collect::<Vec<_>>(),
        });
    }
    let text = serde_json::to_string(&ext).expect("JSON values serialise");
    if text.len() > EXT_JSON_LIMIT {
        return Err(ExtError::TooLarge(match lang {
            Lang::Zh => format!("网站内容有 {} KB,超过了通过平台发布的上限 {} KB。请缩短文字或减少商品。", text.len() / 1024, EXT_JSON_LIMIT / 1024),
            Lang::En => format!("The site's content is {} KB, over the {} KB a platform publish can carry. Shorten texts or remove some products.", text.len() / 1024, EXT_JSON_LIMIT / 1024),
        }));
    }
    Ok(text)
}

fn rewrite_images(v: &mut Value, image_url: &impl Fn(&str) -> String) {
    match v {
        Value::String(s) if s.starts_with("/images/") => *s = image_url(&s["/images/".len()..]),
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_images(x, image_url)),
        Value::Object(o) => o.values_mut().for_each(|x| rewrite_images(x, image_url)),
        _ => {}
    }
}

/// What WeChat does at commit: `pages` and `tabBar.list` from the ext replace the template's,
/// other keys of `window` and `tabBar` are set one by one, and the ext's `ext` becomes what
/// `wx.getExtConfigSync()` returns. Returns the merged `app.json` and the ext config (tests
/// render the template with them as WeChat would).
pub fn merge(template_app_json: &Value, ext_json: &str) -> (Value, Value) {
    let ext: Value = serde_json::from_str(ext_json).unwrap_or_default();
    let mut app = template_app_json.clone();
    for key in ["window", "tabBar"] {
        if let Some(o) = ext[key].as_object() {
            if !app[key].is_object() {
                app[key] = json!({});
            }
            for (k, v) in o {
                app[key][k] = v.clone();
            }
        }
    }
    if ext["pages"].is_array() {
        app["pages"] = ext["pages"].clone();
    }
    (app, ext["ext"].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starter(kind: ThemeKind) -> Site {
        serde_json::from_str(crate::generator::theme::starter_json(kind, Lang::En)).unwrap()
    }

    #[test]
    fn the_ext_carries_the_site_with_slot_routes_and_public_pictures() {
        let site = starter(ThemeKind::Shop);
        let text = ext_json(&site, "wx1111111111111111", Lang::En, |n| {
            format!("https://x/i/{n}")
        })
        .unwrap();
        let ext: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ext["extAppid"], "wx1111111111111111");
        assert_eq!(
            ext["ext"]["site"]["routes"][&site.pages[0].id],
            "/pages/p1/index"
        );
        assert_eq!(ext["ext"]["site"]["routes"]["cart"], "/pages/cart/index");
        assert_eq!(ext["tabBar"]["list"][0]["pagePath"], "pages/p1/index");
        assert!(ext["ext"]["site"]["vars"]
            .as_str()
            .unwrap()
            .contains(&site.theme.primary));
    }

    #[test]
    fn too_many_pages_or_too_much_content_is_refused_in_words() {
        let mut site = starter(ThemeKind::Info);
        let page = site.pages[0].clone();
        site.pages = (0..SLOTS + 1)
            .map(|i| app::model::site::Page {
                id: format!("x{i}"),
                ..page.clone()
            })
            .collect();
        let err = ext_json(&site, "wx1", Lang::Zh, |n| n.into()).unwrap_err();
        assert!(
            matches!(&err, ExtError::TooManyPages(m) if m.contains("最多 30 个页面")),
            "{err}"
        );
        let mut site = starter(ThemeKind::Info);
        site.pages[0].blocks.push(app::model::site::Block {
            id: "long".into(),
            hidden: false,
            kind: app::model::site::BlockKind::RichText {
                title: "Story".into(),
                paragraphs: vec!["长".repeat(2000); 60],
            },
        });
        let err = ext_json(&site, "wx1", Lang::En, |n| n.into()).unwrap_err();
        assert!(
            matches!(&err, ExtError::TooLarge(m) if m.contains("over the 256 KB")),
            "{err}"
        );
    }

    #[test]
    fn merging_replaces_pages_and_tab_list_and_sets_window_keys() {
        let template = json!({"pages": ["a", "b"], "window": {"navigationBarTitleText": "T", "backgroundColor": "#fff"}});
        let ext = r#"{"ext": {"site": 1}, "window": {"navigationBarTitleText": "Shop"}, "pages": ["b"], "tabBar": {"list": [{"pagePath": "b"}]}}"#;
        let (app, config) = merge(&template, ext);
        assert_eq!(app["pages"], json!(["b"]));
        assert_eq!(
            app["window"],
            json!({"navigationBarTitleText": "Shop", "backgroundColor": "#fff"})
        );
        assert_eq!(app["tabBar"]["list"][0]["pagePath"], "b");
        assert_eq!(config, json!({"site": 1}));
    }
}
