//! The H5 preview of one page: the theme's own WXML (`pages/page/index.wxml` and the block
//! templates it imports) rendered by [`wxml`] with the same page data the mini program
//! builds in `utils/page.js`, styled by the same `app.wxss` (rpx turned into px for a 375 px
//! phone). There is no second template set to drift: a block looks the way its WXML says.
pub mod wxml;

use crate::generator::{
    builtin_theme, environment, icons, on_color, style_context, view, GenerateError, Theme,
};
use app::i18n::Lang;
use app::model::site::Site;
use app::model::ThemeKind;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use wxml::{escape, rpx_to_px, RenderHooks, WxmlPage};

/// WeChat's built-in component looks (style v2), approximated for the browser. The theme's
/// own rules come after these and win.
const BASE_CSS: &str = r#"*,*::before,*::after{box-sizing:border-box}
html,body{margin:0;background:#ededed}
body{font-family:-apple-system,"PingFang SC","Helvetica Neue","Noto Sans CJK SC",sans-serif}
.mp-screen{width:375px;min-height:100vh;margin:0 auto;display:flex;flex-direction:column;background:var(--bg,#f7f7f7)}
.mp-nav{position:sticky;top:0;z-index:3;height:44px;display:flex;align-items:center;justify-content:center;padding:0 48px;font-size:17px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.wx-page{display:block;flex:1}
.wx-view{display:block}
.wx-text{white-space:pre-wrap;overflow-wrap:anywhere}
.wx-image{display:inline-block;width:320px;height:240px;overflow:hidden;vertical-align:top;background:#e9e9e9}
.wx-image[data-mode=aspectFill]{object-fit:cover}
.wx-image[data-mode=widthFix]{height:auto;min-height:40px}
.wx-swiper{display:flex;overflow-x:auto;scroll-snap-type:x mandatory;scrollbar-width:none}
.wx-swiper-item{flex:0 0 100%;scroll-snap-align:start;position:relative}
.wx-button{display:block;width:184px;margin:0 auto;padding:8px 24px;font:inherit;font-size:17px;font-weight:700;line-height:1.41;text-align:center;border:0;border-radius:4px;background:#f2f2f2;color:#06ae56;cursor:pointer}
.wx-button[data-size=mini]{display:inline-block;width:auto;padding:0 .75em;font-size:14px;line-height:2.2}
.wx-map{display:block;position:relative;background-color:#e6eedd;background-image:linear-gradient(90deg,rgba(255,255,255,.7) 2px,transparent 2px),linear-gradient(rgba(255,255,255,.7) 2px,transparent 2px);background-size:40px 40px}
.wx-map::after{content:"";position:absolute;left:50%;top:50%;width:22px;height:22px;margin:-26px 0 0 -11px;border-radius:50% 50% 50% 0;background:#e5484d;transform:rotate(-45deg)}
.mp-tabbar{position:sticky;bottom:0;z-index:3;display:flex;height:56px;border-top:1px solid rgba(0,0,0,.1)}
.mp-tab{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:2px;font-size:10px}
.mp-tab img{width:24px;height:24px}
.mpf-block{display:block;position:relative}
"#;

/// The block page of `theme`, parsed: once per process for a built-in theme, whose sources
/// never change; on every call for any other.
fn parsed_block_page(theme: &Theme) -> Result<Arc<WxmlPage>, GenerateError> {
    static BUILTIN: [OnceLock<Arc<WxmlPage>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let builtin = ThemeKind::ALL
        .iter()
        .position(|&k| std::ptr::eq(theme, builtin_theme(k)));
    let Some(i) = builtin else {
        return block_page(theme).map(Arc::new);
    };
    if let Some(page) = BUILTIN[i].get() {
        return Ok(page.clone());
    }
    let page = Arc::new(block_page(theme)?);
    Ok(BUILTIN[i].get_or_init(|| page).clone())
}

/// Which built-in theme `theme` is, if it is one (they are loaded once, so by address).
fn builtin_index(theme: &Theme) -> Option<usize> {
    ThemeKind::ALL
        .iter()
        .position(|&k| std::ptr::eq(theme, builtin_theme(k)))
}

/// The preview's CSS for `site`'s theme settings: WeChat's component looks, then the theme's
/// `app.wxss` in px. Rendered once per distinct settings of a built-in theme (the editor asks
/// on every change; colours rarely change), on every call for any other theme.
fn preview_css(site: &Site, theme: &Theme) -> Result<Arc<str>, GenerateError> {
    /// (built-in theme, its settings as JSON) → CSS.
    type CssCache = HashMap<(usize, String), Arc<str>>;
    static CACHE: LazyLock<Mutex<CssCache>> = LazyLock::new(Mutex::default);
    let key =
        builtin_index(theme).map(|i| (i, serde_json::to_string(&site.theme).unwrap_or_default()));
    if let Some(css) = key.as_ref().and_then(|k| lock(&CACHE).get(k).cloned()) {
        return Ok(css);
    }
    let wxss = environment(theme)?
        .get_template("app.wxss.j2")?
        .render(style_context(site, theme))?;
    let css: Arc<str> = format!("{BASE_CSS}{}", page_selector(&rpx_to_px(&wxss))).into();
    if let Some(key) = key {
        let mut cache = lock(&CACHE);
        // Bounded: a merchant trying colours makes a handful; a flood just starts over.
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(key, css.clone());
    }
    Ok(css)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn block_page(theme: &Theme) -> Result<WxmlPage, GenerateError> {
    let mut files: BTreeMap<String, String> = theme.static_files.iter().cloned().collect();
    files.insert("pages/page/index.wxml".into(), theme.page_wxml.clone());
    WxmlPage::load(&files, "pages/page/index.wxml").map_err(|e| GenerateError::Template {
        name: e.file,
        line: None,
        message: e.message,
    })
}

/// Things the preview needs from its caller.
pub struct PreviewOptions<'a> {
    /// Image reference in the site → URL the browser can load (`None`: a grey placeholder).
    pub image_url: &'a dyn Fn(&str) -> Option<String>,
    /// Mark blocks with `data-mpf-block` for the editor.
    pub mark_blocks: bool,
}

/// A prepared preview for one site: parse and style once, render any page.
pub struct Previewer {
    page: Arc<WxmlPage>,
    css: Arc<str>,
    model: Value,
    site_name: String,
    lang: Lang,
    nav_bg: String,
    nav_fg: &'static str,
    tab_bar: String,
}

impl Previewer {
    /// Works on sites with problems too (the editor previews while the merchant types);
    /// references that do not resolve simply show nothing.
    pub fn new(site: &Site, theme: &Theme) -> Result<Self, GenerateError> {
        let css = preview_css(site, theme)?;
        let tab_bar = site
            .tab_bar
            .as_ref()
            .map(|tb| {
                format!(
                    "background:{};color:{}",
                    escape(&tb.background),
                    escape(&tb.color)
                )
            })
            .unwrap_or_default();
        Ok(Previewer {
            page: parsed_block_page(theme)?,
            css,
            model: view::site_view(site),
            site_name: site.name.clone(),
            lang: site.locale,
            nav_bg: site.theme.primary.clone(),
            nav_fg: on_color(&site.theme.primary),
            tab_bar,
        })
    }

    /// The page's data, exactly as `utils/page.js` `createPage` builds it.
    fn page_data(&self, page: &Value) -> Value {
        let m = &self.model;
        json!({
            "title": page["title"], "blocks": page["blocks"], "labels": m["labels"],
            "hours": m["hours"], "location": m["location"], "contact": m["contact"],
            "gallery": m["gallery"],
        })
    }

    /// Only the page body (what goes inside `.wx-page`), for live updates in the editor.
    pub fn body(&self, page_index: usize, opts: &PreviewOptions) -> Option<String> {
        let page = self.model["pages"].get(page_index)?;
        let hooks = RenderHooks {
            image_url: opts.image_url,
            mark_blocks: opts.mark_blocks,
        };
        Some(self.page.render(&self.page_data(page), &hooks))
    }

    pub fn css(&self) -> &str {
        &self.css
    }

    /// The phone screen of page `page_index` (navigation bar, page, tab bar): what goes
    /// inside `.mp-screen`. The editor swaps this into its preview frame.
    pub fn screen(&self, site: &Site, page_index: usize, opts: &PreviewOptions) -> Option<String> {
        let page = &site.pages.get(page_index)?;
        let body = self.body(page_index, opts)?;
        let mut html = format!(
            "<header class=\"mp-nav\" style=\"background:{};color:{}\">{}</header><main class=\"wx-page\">{body}</main>",
            escape(&self.nav_bg),
            self.nav_fg,
            escape(&page.title)
        );
        if let Some(tb) = &site.tab_bar {
            html.push_str(&format!(
                "<nav class=\"mp-tabbar\" style=\"{}\">",
                self.tab_bar
            ));
            for item in &tb.items {
                let on = item.page == page.id;
                let color = if on { &tb.selected_color } else { &tb.color };
                let png = icons::png(item.icon, color);
                html.push_str(&format!(
                    "<div class=\"mp-tab\" data-mpf-page=\"{}\" style=\"color:{}\"{}><img alt=\"\" src=\"data:image/png;base64,{}\"><span>{}</span></div>",
                    escape(&item.page),
                    escape(color),
                    if on { " aria-current=\"page\"" } else { "" },
                    base64::engine::general_purpose::STANDARD.encode(&*png),
                    escape(&item.text)
                ));
            }
            html.push_str("</nav>");
        }
        Some(html)
    }

    /// A complete HTML document of page `page_index`, as a 375 px wide phone screen with the
    /// navigation bar and the tab bar.
    pub fn document(
        &self,
        site: &Site,
        page_index: usize,
        opts: &PreviewOptions,
    ) -> Option<String> {
        let page = &site.pages.get(page_index)?;
        let screen = self.screen(site, page_index, opts)?;
        Some(format!(
            "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title} · {name}</title><style>{css}</style></head>\n<body><div class=\"mp-screen\">{screen}</div></body></html>\n",
            lang = if self.lang == Lang::Zh { "zh-CN" } else { "en" },
            title = escape(&page.title),
            name = escape(&self.site_name),
            css = self.css,
        ))
    }
}

/// WXSS's `page` selector is the page root: `.wx-page` in the preview.
fn page_selector(css: &str) -> String {
    css.lines()
        .map(|l| match l.strip_prefix("page ") {
            Some(rest) => format!(".wx-page {rest}"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Image bytes → a `data:` URL (the CLI's self-contained preview).
pub fn data_url(path: &str, bytes: &[u8]) -> String {
    let mime = if path.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{builtin_theme, theme::starter_json};
    use app::model::ThemeKind;

    fn starter(t: ThemeKind) -> Site {
        serde_json::from_str(starter_json(t, Lang::En)).unwrap()
    }

    fn opts() -> PreviewOptions<'static> {
        PreviewOptions {
            image_url: &|_| None,
            mark_blocks: true,
        }
    }

    #[test]
    fn every_page_of_every_starter_previews() {
        for t in ThemeKind::ALL {
            let site = starter(t);
            let p = Previewer::new(&site, builtin_theme(t)).unwrap();
            for (i, page) in site.pages.iter().enumerate() {
                let html = p.document(&site, i, &opts()).unwrap();
                assert!(html.contains(&escape(&page.title)), "{t:?} page {i}");
                let visible = page.blocks.iter().filter(|b| !b.hidden).count();
                assert_eq!(
                    html.matches("data-mpf-block=").count(),
                    visible,
                    "{t:?} page {i}"
                );
                assert!(!html.contains("rpx"), "rpx left in the CSS");
            }
            assert!(p.document(&site, site.pages.len(), &opts()).is_none());
        }
    }

    #[test]
    fn the_preview_shows_the_merchants_content_and_theme() {
        let mut site = starter(ThemeKind::Booking);
        site.theme.primary = "#123456".into();
        let p = Previewer::new(&site, builtin_theme(ThemeKind::Booking)).unwrap();
        let html = p.document(&site, 0, &opts()).unwrap();
        assert!(html.contains("--primary: #123456"), "theme colour");
        assert!(html.contains("Cut &amp; style"), "a service name, escaped");
        assert!(html.contains("60 min · ¥188.00"), "duration and price");
        assert!(html.contains("class=\"mp-tabbar\""), "tab bar");
    }
}
