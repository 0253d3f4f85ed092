//! Site + theme → a complete mini program package (an in-memory file tree), then a directory or
//! a zip. Deterministic: the same site gives the same bytes.
//!
//! Templates are minijinja with `[[ … ]]`, `[% … %]` and `[# … #]` delimiters, so WXML's own
//! `{{ … }}` bindings pass through untouched. Merchant content never enters a template: it goes
//! into `data/site.js` as JSON, and WXML shows it through bindings, which WeChat renders as
//! text. So merchant text cannot become markup, a binding or code.
pub mod assets;
pub mod icons;
pub mod spill;
pub mod template;
pub mod theme;
pub(crate) mod view;

pub use theme::{builtin_theme, Theme, ThemeManifest};

use app::i18n::Lang;
use app::model::site::Site;
use app::model::validate::Problem;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// WeChat's limit for the main package and each subpackage.
pub const MAIN_PACKAGE_LIMIT: usize = 2 * 1024 * 1024;
/// The AppID WeChat DevTools accepts for projects without one.
pub const TOURIST_APPID: &str = "touristappid";
/// Base library the package targets.
pub const LIB_VERSION: &str = "3.6.0";

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("the site has {} problem(s):\n{}", .0.len(), format_problems(.0))]
    Invalid(Vec<Problem>),
    #[error("theme template {name}{}: {message}", .line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Template {
        name: String,
        line: Option<usize>,
        message: String,
    },
    #[error("{}", spill::too_big_message(.part, *.total, .largest, Lang::En))]
    TooBig {
        part: spill::Oversized,
        /// Bytes of the part.
        total: usize,
        /// Its five largest files with their sizes, largest first.
        largest: Vec<(String, usize)>,
    },
    #[error("could not write the package: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

impl GenerateError {
    /// What the merchant reads, in their language. Only what a merchant can fix is told in
    /// both; the rest (template and I/O failures) is for the logs and stays English.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            GenerateError::TooBig {
                part,
                total,
                largest,
            } => spill::too_big_message(part, *total, largest, lang),
            other => other.to_string(),
        }
    }
}

pub fn format_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| match p.path.as_str() {
            "" => format!("  {}", p.message),
            path => format!("  {path}: {}", p.message),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl From<minijinja::Error> for GenerateError {
    fn from(e: minijinja::Error) -> Self {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        GenerateError::Template {
            name: e.name().unwrap_or("?").to_string(),
            line: e.line(),
            message,
        }
    }
}

/// The generated files, by path inside the package.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Package {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Package {
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }

    pub fn page_count(&self) -> usize {
        self.files
            .keys()
            .filter(|p| (p.starts_with("pages/") || p.starts_with("p/")) && p.ends_with(".wxml"))
            .count()
    }

    pub fn write_dir(&self, dir: &Path) -> Result<(), GenerateError> {
        for (path, bytes) in &self.files {
            let target = dir.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(target, bytes)?;
        }
        Ok(())
    }

    /// A zip with fixed timestamps and sorted entries: byte-for-byte reproducible.
    pub fn to_zip(&self) -> Result<Vec<u8>, GenerateError> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let text = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        // Pictures are compressed already: deflating them again costs time and saves nothing.
        let stored = text.compression_method(zip::CompressionMethod::Stored);
        for (path, bytes) in &self.files {
            let picture = [".png", ".jpg", ".jpeg", ".webp", ".gif"]
                .iter()
                .any(|ext| path.ends_with(ext));
            zip.start_file(path.as_str(), if picture { stored } else { text })?;
            zip.write_all(bytes)?;
        }
        zip.finish()?;
        Ok(out.into_inner())
    }
}

/// The one template environment of `theme`: custom delimiters, strict undefined, explicit
/// escaping. Built on first use and kept with the theme, so a built-in theme's templates are
/// parsed once per process.
pub fn environment(theme: &Theme) -> Result<&minijinja::Environment<'static>, GenerateError> {
    if let Some(env) = theme.env.get() {
        return Ok(env);
    }
    let env = build_environment(theme)?;
    Ok(theme.env.get_or_init(|| env))
}

fn build_environment(theme: &Theme) -> Result<minijinja::Environment<'static>, GenerateError> {
    let mut env = minijinja::Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .block_delimiters("[%", "%]")
            .variable_delimiters("[[", "]]")
            .comment_delimiters("[#", "#]")
            .build()?,
    );
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // Templates receive only validated values (colours, ids, numbers); JSON goes through
    // `tojson`. Auto-escaping is off by choice, for every extension, including `.wxml`.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_keep_trailing_newline(true);
    env.add_filter("js", filter_js);
    for (name, source) in &theme.templates {
        env.add_template_owned(name.clone(), source.clone())?;
    }
    Ok(env)
}

/// `[[ value | js ]]`: the value as a JavaScript literal (JSON, line separators escaped).
fn filter_js(value: minijinja::Value) -> Result<String, minijinja::Error> {
    let json = serde_json::to_value(&value).map_err(|e| {
        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
    })?;
    Ok(js_json(&json))
}

/// Black or white, whichever reads better on `hex` (WCAG relative luminance).
pub fn on_color(hex: &str) -> &'static str {
    let l = app::model::color::luminance(hex).unwrap_or(0.0);
    let (with_black, with_white) = ((l + 0.05) / 0.05, 1.05 / (l + 0.05));
    if with_black >= with_white {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// JSON safe to embed in JavaScript source: also escapes U+2028/U+2029, which older engines
/// treat as line breaks inside string literals.
pub fn js_json(value: &serde_json::Value) -> String {
    serde_json::to_string(value)
        .expect("JSON values always serialise")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn json_file(value: &serde_json::Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(value).expect("JSON values always serialise");
    s.push('\n');
    s.into_bytes()
}

/// Generates the package for `site` with `theme`, with images already embedded (see
/// [`assets::embed_images`]) as `images`. The site is validated first (problems in English:
/// for the merchant's language, call [`check`] then [`package`]).
pub fn generate_with_images(
    site: &Site,
    theme: &Theme,
    images: BTreeMap<String, Vec<u8>>,
) -> Result<Package, GenerateError> {
    check(site, Lang::En)?;
    package(site, theme, images)
}

/// Generates the package for `site` with `theme`, without images.
pub fn generate(site: &Site, theme: &Theme) -> Result<Package, GenerateError> {
    generate_with_images(site, theme, BTreeMap::new())
}

/// Every problem of `site`, told in `lang`; the generator renders only valid sites.
pub fn check(site: &Site, lang: Lang) -> Result<(), GenerateError> {
    let problems = site.validate(lang);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(GenerateError::Invalid(problems))
    }
}

/// Renders a site that passed [`check`] into its package, each template once, every page in
/// the main package. When everything does not fit in WeChat's 2 MB main package, the rendered
/// files of the pages that are not tabs move into subpackages, with the images only they show
/// ([`spill`]): only `app.json` and the routes in `data/site.js` are written again.
pub fn package(
    site: &Site,
    theme: &Theme,
    images: BTreeMap<String, Vec<u8>>,
) -> Result<Package, GenerateError> {
    let main = spill::Layout::default();
    let (mut package, mut model) = render(site, theme, &main)?;
    package.files.extend(images);
    if package.total_bytes() <= MAIN_PACKAGE_LIMIT {
        return Ok(package);
    }
    let layout = spill::Layout::spill(site);
    for id in site
        .pages
        .iter()
        .map(|p| p.id.as_str())
        .chain(builtin_screens(site))
    {
        for ext in ["js", "json", "wxml", "wxss"] {
            if let Some(body) = package.files.remove(&format!("{}.{ext}", main.path(id))) {
                package
                    .files
                    .insert(format!("{}.{ext}", layout.path(id)), body);
            }
        }
    }
    package
        .files
        .insert("app.json".into(), json_file(&app_json(site, &layout)));
    package
        .files
        .insert("data/site.js".into(), site_js(&mut model, site, &layout));
    spill::move_images(&mut package, site, &model, &layout);
    spill::check_sizes(&package, &layout)?;
    Ok(package)
}

/// The five largest of `files`, largest first.
fn largest_files<'a>(
    files: impl Iterator<Item = (&'a String, &'a Vec<u8>)>,
) -> Vec<(String, usize)> {
    let mut files: Vec<(String, usize)> = files.map(|(p, b)| (p.clone(), b.len())).collect();
    files.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    files.truncate(5);
    files
}

/// `data/site.js`: the merchant's content (the view model) with the routes of `layout`.
fn site_js(model: &mut serde_json::Value, site: &Site, layout: &spill::Layout) -> Vec<u8> {
    model["routes"] = layout.routes(site);
    format!(
        "// Generated by mpforge: the merchant's content.\nmodule.exports = {};\n",
        js_json(model)
    )
    .into_bytes()
}

/// Every file of the package with `layout`, and the view model they were made from.
fn render(
    site: &Site,
    theme: &Theme,
    layout: &spill::Layout,
) -> Result<(Package, serde_json::Value), GenerateError> {
    let env = environment(theme)?;
    let mut model = view::site_view(site);
    let mut files = BTreeMap::new();
    let ctx = style_context(site, theme);
    files.insert(
        "app.js".into(),
        env.get_template("app.js.j2")?.render(&ctx)?.into_bytes(),
    );
    files.insert(
        "app.wxss".into(),
        env.get_template("app.wxss.j2")?.render(&ctx)?.into_bytes(),
    );
    files.insert("app.json".into(), json_file(&app_json(site, layout)));
    files.insert(
        "project.config.json".into(),
        json_file(&project_config(site)),
    );
    files.insert(
        "sitemap.json".into(),
        json_file(
            &json!({"desc": "Generated by mpforge", "rules": [{"action": "allow", "page": "*"}]}),
        ),
    );
    files.insert("data/site.js".into(), site_js(&mut model, site, layout));
    if let Some(tb) = &site.tab_bar {
        for item in &tb.items {
            let name = icons::slug(item.icon);
            files.insert(
                format!("images/tab/{name}.png"),
                icons::png(item.icon, &tb.color).to_vec(),
            );
            files.insert(
                format!("images/tab/{name}-on.png"),
                icons::png(item.icon, &tb.selected_color).to_vec(),
            );
        }
    }
    for (path, body) in &theme.static_files {
        files.insert(path.clone(), body.clone().into_bytes());
    }
    let page_js = env.get_template("pages/page/index.js.j2")?;
    for page in &site.pages {
        let dir = layout.path(&page.id);
        let js = page_js.render(minijinja::context! { page_id => page.id })?;
        files.insert(format!("{dir}.js"), js.into_bytes());
        files.insert(format!("{dir}.json"), theme.page_json.clone().into_bytes());
        files.insert(format!("{dir}.wxml"), theme.page_wxml.clone().into_bytes());
        files.insert(
            format!("{dir}.wxss"),
            b"/* block styles live in app.wxss */\n".to_vec(),
        );
    }
    for screen in builtin_screens(site) {
        for ext in ["js", "json", "wxml", "wxss"] {
            let source = format!("pages/{screen}/index.{ext}");
            let body = theme
                .builtin_pages
                .get(&source)
                .cloned()
                .unwrap_or_default();
            files.insert(format!("{}.{ext}", layout.path(screen)), body.into_bytes());
        }
    }
    Ok((Package { files }, model))
}

/// What `app.js.j2` and `app.wxss.j2` see.
pub(crate) fn style_context(site: &Site, theme: &Theme) -> minijinja::Value {
    minijinja::context! {
        site_name => site.name,
        theme => site.theme,
        on_primary => on_color(&site.theme.primary),
        extra_wxss => theme.extra_wxss,
    }
}

/// Built-in screens the site needs: product detail, cart and the customer's orders when it
/// sells; booking and the customer's bookings when it books.
pub(crate) fn builtin_screens(site: &Site) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !site.data.products.is_empty() {
        out.extend(["product", "cart", "orders"]);
    }
    if !site.data.services.is_empty() {
        out.extend(["booking", "bookings"]);
    }
    out
}

fn app_json(site: &Site, layout: &spill::Layout) -> serde_json::Value {
    let all = site
        .pages
        .iter()
        .map(|p| p.id.as_str())
        .chain(builtin_screens(site));
    let (moved, main): (Vec<&str>, Vec<&str>) = all.partition(|id| layout.is_moved(id));
    let pages: Vec<String> = main.iter().map(|id| layout.path(id)).collect();
    let t = &site.theme;
    let text_style = if on_color(&t.primary) == "#ffffff" {
        "white"
    } else {
        "black"
    };
    let mut app = json!({
        "pages": pages,
        "window": {
            "navigationBarTitleText": site.name,
            "navigationBarBackgroundColor": t.primary,
            "navigationBarTextStyle": text_style,
            "backgroundColor": t.background,
            "backgroundTextStyle": "dark",
        },
        "style": "v2",
        "sitemapLocation": "sitemap.json",
        "lazyCodeLoading": "requiredComponents",
    });
    if !moved.is_empty() {
        app["subPackages"] = moved
            .iter()
            .map(|id| json!({"root": layout.root(id), "pages": ["index"]}))
            .collect();
    }
    if let Some(tb) = &site.tab_bar {
        app["tabBar"] = json!({
            "color": tb.color,
            "selectedColor": tb.selected_color,
            "backgroundColor": tb.background,
            "borderStyle": "white",
            "list": tb.items.iter().map(|i| json!({
                "pagePath": format!("pages/{}/index", i.page),
                "text": i.text,
                "iconPath": format!("images/tab/{}.png", icons::slug(i.icon)),
                "selectedIconPath": format!("images/tab/{}-on.png", icons::slug(i.icon)),
            })).collect::<Vec<_>>(),
        });
    }
    app
}

fn project_config(site: &Site) -> serde_json::Value {
    json!({
        "appid": site.appid.as_deref().unwrap_or(TOURIST_APPID),
        "projectname": site.name,
        "description": "Generated by mpforge",
        "compileType": "miniprogram",
        "libVersion": LIB_VERSION,
        "miniprogramRoot": "",
        "setting": {
            "es6": true,
            "enhance": true,
            "postcss": true,
            "minified": true,
            "urlCheck": true,
        },
        "packOptions": { "ignore": [], "include": [] },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_picks_readable_text() {
        assert_eq!(on_color("#ffffff"), "#000000");
        assert_eq!(on_color("#07c160"), "#000000");
        assert_eq!(on_color("#364fc7"), "#ffffff");
        assert_eq!(on_color("#000000"), "#ffffff");
    }

    #[test]
    fn js_json_escapes_line_separators() {
        let v = json!({"t": "a\u{2028}b\u{2029}c</script>"});
        let s = js_json(&v);
        assert!(s.contains("a\\u2028b\\u2029c"), "{s}");
        assert!(!s.contains('\u{2028}'));
    }

    #[test]
    fn js_filter_quotes_and_escapes() {
        let theme = Theme::from_parts(vec![("t.js".into(), "var x = [[ v | js ]];".into())]);
        let env = environment(&theme).unwrap();
        let out = env
            .get_template("t.js")
            .unwrap()
            .render(minijinja::context! { v => "a\"b\u{2028}</script>" })
            .unwrap();
        assert_eq!(out, "var x = \"a\\\"b\\u2028</script>\";");
    }

    #[test]
    fn wxml_bindings_pass_through_templates_untouched() {
        let theme = Theme::from_parts(vec![(
            "t.wxml".into(),
            "<text>{{ item.name }}</text>[[ x ]][# note #]".into(),
        )]);
        let env = environment(&theme).unwrap();
        let out = env
            .get_template("t.wxml")
            .unwrap()
            .render(minijinja::context! { x => 1 })
            .unwrap();
        assert_eq!(out, "<text>{{ item.name }}</text>1");
    }

    #[test]
    fn undefined_template_variables_are_errors_with_the_template_name() {
        let theme = Theme::from_parts(vec![("broken.wxss".into(), "a\n[[ nope ]]".into())]);
        let env = environment(&theme).unwrap();
        let err: GenerateError = env
            .get_template("broken.wxss")
            .unwrap()
            .render(())
            .unwrap_err()
            .into();
        let text = err.to_string();
        assert!(
            text.contains("broken.wxss") && text.contains("line 2"),
            "{text}"
        );
    }
}
