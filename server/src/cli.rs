//! The site commands of the `mpforge` binary: `new-site`, `check`, `generate`, `preview`.
use crate::generator::{self, builtin_theme, theme::starter_json};
use anyhow::{bail, Context};
use app::i18n::Lang;
use app::model::site::Site;
use app::model::validate::parse_site;
use app::model::ThemeKind;
use std::path::Path;

fn lang(code: &str) -> Lang {
    Lang::from_code(code).unwrap_or_default()
}

pub fn new_site(template: &str, lang_code: &str) -> anyhow::Result<()> {
    let t = ThemeKind::from_slug(template).context("template must be shop, booking or info")?;
    print!("{}", starter_json(t, lang(lang_code)));
    Ok(())
}

/// Reads a site file; what cannot be read (JSON syntax, an unknown block type, a value of the
/// wrong type) is named by its path, in `lang`.
pub fn load_site(path: &Path, lang: Lang) -> anyhow::Result<Site> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    parse_site(&bytes, lang).map_err(|problems| {
        anyhow::anyhow!(
            "{} is not a valid mpforge site (see docs/site.schema.json):\n{}",
            path.display(),
            generator::format_problems(&problems)
        )
    })
}

/// Lists every problem of a site file: what does not read (each part on its own), what is not
/// valid, and each picture that is missing or unusable (files beside the site file).
pub fn check(path: &Path, lang_code: &str) -> anyhow::Result<()> {
    let lang = lang(lang_code);
    let site = load_site(path, lang)?;
    let mut problems = site.validate(lang);
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let cache = crate::media::MediaCache::default();
    let images = generator::assets::embed_images(&site, &cache, lang, |reference| {
        let file = base.join(reference);
        std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))
    });
    if let Err(generator::GenerateError::Invalid(more)) = images {
        problems.extend(more);
    }
    if problems.is_empty() {
        println!("{}: ok ({} pages)", path.display(), site.pages.len());
        return Ok(());
    }
    bail!(
        "{} has {} problem(s):\n{}",
        path.display(),
        problems.len(),
        generator::format_problems(&problems)
    )
}

/// A site file with its images (files next to it, or absolute paths) processed and embedded.
fn load_with_images(path: &Path) -> anyhow::Result<(Site, &'static generator::Theme, Images)> {
    let site = load_site(path, Lang::En)?;
    let theme = builtin_theme(site.theme.template);
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let cache = crate::media::MediaCache::default();
    let (site, images) = generator::assets::embed_images(&site, &cache, Lang::En, |reference| {
        let file = base.join(reference);
        std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))
    })?;
    Ok((site, theme, images))
}

type Images = std::collections::BTreeMap<String, Vec<u8>>;

pub fn generate(path: &Path, out: &Path) -> anyhow::Result<()> {
    let (site, theme, images) = load_with_images(path)?;
    let package = generator::generate_with_images(&site, theme, images)?;
    if out.extension().is_some_and(|e| e == "zip") {
        std::fs::write(out, package.to_zip()?)
            .with_context(|| format!("writing {}", out.display()))?;
    } else {
        package.write_dir(out)?;
    }
    let sizes = generator::spill::package_sizes(&package)
        .into_iter()
        .map(|(root, bytes)| {
            let name = if root.is_empty() {
                "main package".to_string()
            } else {
                format!("subpackage {root}")
            };
            format!("{name} {:.1} KB", bytes as f64 / 1024.0)
        })
        .collect::<Vec<_>>();
    println!(
        "{}: {} pages, {} files; {} (limit {} KB each)",
        out.display(),
        package.page_count(),
        package.files.len(),
        sizes.join(", "),
        generator::MAIN_PACKAGE_LIMIT / 1024
    );
    Ok(())
}

/// `page` is a 1-based number or a page id.
fn page_index(site: &Site, page: &str) -> anyhow::Result<usize> {
    let found = match page.parse::<usize>() {
        Ok(n) if n >= 1 => (n <= site.pages.len()).then(|| n - 1),
        Ok(_) => None,
        Err(_) => site.pages.iter().position(|p| p.id == page),
    };
    let ids: Vec<&str> = site.pages.iter().map(|p| p.id.as_str()).collect();
    found.with_context(|| {
        format!(
            "there is no page {page:?}: give a number from 1 to {} or one of the ids {}",
            site.pages.len(),
            ids.join(", ")
        )
    })
}

pub fn preview(path: &Path, page: &str, out: &Path) -> anyhow::Result<()> {
    // The same image processing as the package, embedded as data: URLs so the file stands alone.
    let (site, theme, images) = load_with_images(path)?;
    let index = page_index(&site, page)?;
    let previewer = crate::preview::Previewer::new(&site, theme)?;
    let resolve = |src: &str| {
        images
            .get(src.trim_start_matches('/'))
            .map(|bytes| crate::preview::data_url(src, bytes))
    };
    let opts = crate::preview::PreviewOptions {
        image_url: &resolve,
        mark_blocks: false,
    };
    let html = previewer
        .document(&site, index, &opts)
        .context("page out of range")?;
    std::fs::write(out, &html).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}: page {} ({}), {:.1} KB",
        out.display(),
        index + 1,
        site.pages[index].id,
        html.len() as f64 / 1024.0
    );
    Ok(())
}

/// `mpforge qr`: a QR code of `url` into `out` (PNG or SVG by its extension).
pub fn qr(url: &str, out: &Path, size: u32, logo: Option<&Path>) -> anyhow::Result<()> {
    let logo = logo
        .map(|p| std::fs::read(p).with_context(|| format!("reading the logo {}", p.display())))
        .transpose()?;
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some("png") => crate::qr::png(url, size, logo.as_deref())?,
        Some("svg") => crate::qr::svg(url, size, logo.as_deref())?.into_bytes(),
        _ => bail!("{}: the file must end in .png or .svg", out.display()),
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {} ({} bytes, {size} px)", out.display(), bytes.len());
    Ok(())
}

/// The JSON Schema of [`Site`], generated from the Rust types.
pub fn site_schema() -> String {
    let schema = schemars::schema_for!(Site);
    let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialise");
    text.push('\n');
    text
}

/// `mpforge template`: a theme's platform template, as a directory or a zip.
pub fn template(theme: &str, out: &Path) -> anyhow::Result<()> {
    let t = ThemeKind::from_slug(theme).context("theme must be shop, booking or info")?;
    let package = generator::template::template_package(t)?;
    if out.extension().is_some_and(|e| e == "zip") {
        std::fs::write(out, package.to_zip()?)
            .with_context(|| format!("writing {}", out.display()))?;
    } else {
        package.write_dir(out)?;
    }
    println!(
        "{}: the {theme} platform template, {} page slots, {} files, {:.1} KB. Upload it once with WeChat DevTools (as the platform's development mini program), add the draft to the template library, and enter its id with `mpforge set-platform --template {theme}=ID`.",
        out.display(),
        generator::template::SLOTS,
        package.files.len(),
        package.total_bytes() as f64 / 1024.0
    );
    Ok(())
}

/// `mpforge ext-json`: the ext.json a site is committed with; pictures as public URLs.
pub fn ext_json(path: &Path, appid: &str, public_url: &str) -> anyhow::Result<()> {
    let (site, _, _) = load_with_images(path)?;
    generator::check(&site, Lang::En)?;
    let text = generator::template::ext_json(&site, appid, Lang::En, |name| {
        format!("{}/i/{name}", public_url.trim_end_matches('/'))
    })?;
    println!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/site.schema.json is what scripts rely on: it must match the types.
    /// Regenerate with `cargo run -p server -- schema > docs/site.schema.json`.
    #[test]
    fn documented_schema_is_current() {
        let documented = include_str!("../../docs/site.schema.json");
        assert!(
            documented == site_schema(),
            "docs/site.schema.json is stale: regenerate it (see this test)"
        );
    }

    #[test]
    fn schema_describes_blocks_and_prices() {
        let s = site_schema();
        for needle in [
            "\"product_grid\"",
            "\"booking_button\"",
            "Prices are integers in fen",
            "schema_version",
        ] {
            assert!(s.contains(needle), "{needle}");
        }
    }
}
