//! Keeping the main package under WeChat's 2 MB: when a site does not fit, every page that is
//! not a tab (nor the entry page) moves into a subpackage of its own, `p/<id>/index`, together
//! with the images only that page shows. Paths keep the depth of `pages/<id>/index`, so the
//! sources' relative `require`s and `<import>`s work unchanged; the mini program navigates by
//! the `routes` map in `data/site.js`.
use super::{builtin_screens, largest_files, GenerateError, Package, MAIN_PACKAGE_LIMIT};
use app::i18n::{Lang, Text};
use app::model::site::Site;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// WeChat's limit for all packages of one mini program together.
pub const TOTAL_LIMIT: usize = 20 * 1024 * 1024;

/// Which pages (block pages and built-in screens, by id) live in subpackages.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Layout {
    moved: BTreeSet<String>,
}

impl Layout {
    /// Everything but the tab pages and the entry page moves.
    pub fn spill(site: &Site) -> Layout {
        let mut keep: BTreeSet<&str> = site
            .tab_bar
            .iter()
            .flat_map(|t| t.items.iter().map(|i| i.page.as_str()))
            .collect();
        if let Some(first) = site.pages.first() {
            keep.insert(&first.id);
        }
        let moved = site
            .pages
            .iter()
            .map(|p| p.id.as_str())
            .chain(builtin_screens(site))
            .filter(|id| !keep.contains(id))
            .map(str::to_string)
            .collect();
        Layout { moved }
    }

    pub fn is_moved(&self, id: &str) -> bool {
        self.moved.contains(id)
    }

    /// The subpackage root of a moved page.
    pub fn root(&self, id: &str) -> String {
        format!("p/{id}/")
    }

    /// The page's path in the package, without extension.
    pub fn path(&self, id: &str) -> String {
        if self.is_moved(id) {
            format!("p/{id}/index")
        } else {
            format!("pages/{id}/index")
        }
    }

    /// `id → /path` for every page and screen: how the mini program navigates.
    pub fn routes(&self, site: &Site) -> Value {
        let routes: Map<String, Value> = site
            .pages
            .iter()
            .map(|p| p.id.as_str())
            .chain(builtin_screens(site))
            .map(|id| (id.to_string(), Value::String(format!("/{}", self.path(id)))))
            .collect();
        Value::Object(routes)
    }
}

fn collect_images(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) if s.starts_with("/images/") => {
            out.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| collect_images(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_images(x, out)),
        _ => {}
    }
}

/// The images each page shows, by page id, from the site's view `model`.
fn images_by_page(site: &Site, model: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (page, v) in site
        .pages
        .iter()
        .zip(model["pages"].as_array().into_iter().flatten())
    {
        let mut used = BTreeSet::new();
        collect_images(v, &mut used);
        let shows_gallery = v["blocks"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["kind"] == "gallery"));
        if shows_gallery {
            collect_images(&model["gallery"], &mut used);
        }
        out.insert(page.id.clone(), used);
    }
    let mut product = BTreeSet::new();
    collect_images(&model["products"], &mut product);
    out.insert("product".into(), product);
    out
}

/// Moves each image that only one moved page shows into that page's subpackage, and points
/// `data/site.js` at its new place.
pub fn move_images(package: &mut Package, site: &Site, model: &Value, layout: &Layout) {
    let by_page = images_by_page(site, model);
    let mut owners: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (page, images) in &by_page {
        for img in images {
            owners.entry(img).or_default().push(page);
        }
    }
    let Some(site_js) = package.files.get("data/site.js").cloned() else {
        return;
    };
    let mut site_js = String::from_utf8(site_js).expect("site.js is UTF-8");
    for (img, pages) in owners {
        let [page] = pages.as_slice() else { continue };
        if !layout.is_moved(page) {
            continue;
        }
        let Some(bytes) = package.files.remove(img.trim_start_matches('/')) else {
            continue;
        };
        let target = format!("{}{}", layout.root(page), img.trim_start_matches('/'));
        // Image names are content hashes: the quoted path occurs only where it is meant.
        site_js = site_js.replace(&format!("\"{img}\""), &format!("\"/{target}\""));
        package.files.insert(target, bytes);
    }
    package
        .files
        .insert("data/site.js".into(), site_js.into_bytes());
}

/// Bytes per package: `""` for the main package, else the subpackage root.
pub fn package_sizes(package: &Package) -> BTreeMap<String, usize> {
    let mut sizes = BTreeMap::from([(String::new(), 0)]);
    for (path, bytes) in &package.files {
        let key = match path.strip_prefix("p/").and_then(|r| r.split_once('/')) {
            Some((id, _)) => format!("p/{id}/"),
            None => String::new(),
        };
        *sizes.entry(key).or_default() += bytes.len();
    }
    sizes
}

/// The part of the mini program that is over WeChat's limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Oversized {
    /// The main package; `spilled` when pages that are not tabs already moved out of it.
    Main { spilled: bool },
    /// The subpackage of the page with this id.
    Page(String),
    /// All packages together.
    All,
}

/// Every package within 2 MB and all of them within 20 MB, or an error that names the largest
/// files and what to do.
pub fn check_sizes(package: &Package, layout: &Layout) -> Result<(), GenerateError> {
    let sizes = package_sizes(package);
    let total: usize = sizes.values().sum();
    for (root, &bytes) in &sizes {
        if bytes <= MAIN_PACKAGE_LIMIT {
            continue;
        }
        let in_it = package.files.iter().filter(|(p, _)| {
            if root.is_empty() {
                !p.starts_with("p/")
            } else {
                p.starts_with(root.as_str())
            }
        });
        let part = if root.is_empty() {
            Oversized::Main {
                spilled: !layout.moved.is_empty(),
            }
        } else {
            Oversized::Page(root.trim_start_matches("p/").trim_end_matches('/').into())
        };
        return Err(GenerateError::TooBig {
            part,
            total: bytes,
            largest: largest_files(in_it),
        });
    }
    if total > TOTAL_LIMIT {
        return Err(GenerateError::TooBig {
            part: Oversized::All,
            total,
            largest: largest_files(package.files.iter()),
        });
    }
    Ok(())
}

/// Which part is too big, by how much, its largest files, and what to do, in `lang`.
pub fn too_big_message(
    part: &Oversized,
    total: usize,
    largest: &[(String, usize)],
    lang: Lang,
) -> String {
    let files: String = largest
        .iter()
        .map(|(path, n)| format!("\n  {path}: {} KB", n / 1024))
        .collect();
    let (what, limit, advice) = match part {
        Oversized::Main { spilled } => (
            lang.t(Text::SizeMainPackage).to_string(),
            "2 MB",
            if *spilled {
                Text::SizeAdviceSpilled
            } else {
                Text::SizeAdviceMain
            },
        ),
        Oversized::Page(id) => (
            lang.fill(Text::SizeSubpackage, &[("id", id.clone())]),
            "2 MB",
            Text::SizeAdvicePage,
        ),
        Oversized::All => (
            lang.t(Text::SizeAllPackages).to_string(),
            "20 MB",
            Text::SizeAdviceAll,
        ),
    };
    lang.fill(
        Text::SizeOver,
        &[
            ("what", what),
            ("kb", (total / 1024).to_string()),
            ("limit", limit.into()),
            ("advice", lang.t(advice).into()),
            ("files", files),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{builtin_theme, generate_with_images, theme::starter_json};
    use app::i18n::Lang;
    use app::model::ThemeKind;

    fn big(seed: u8) -> Vec<u8> {
        // Incompressible bytes: the size check counts bytes, the files need not be images here.
        (0..190 * 1024u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 ^ seed)
            .collect()
    }

    #[test]
    fn non_tab_pages_and_their_own_images_move_to_subpackages() {
        let mut site: Site = serde_json::from_str(starter_json(ThemeKind::Shop, Lang::En)).unwrap();
        // Product detail pictures (the second of each product) are only on the product screen;
        // the first pictures show in the home page's grid.
        let mut images = BTreeMap::new();
        for (i, p) in site.data.products.iter_mut().enumerate() {
            p.images = vec![
                format!("/images/card{i}.jpg"),
                format!("/images/detail{i}.jpg"),
            ];
            images.insert(format!("images/card{i}.jpg"), vec![i as u8; 1000]);
            images.insert(format!("images/detail{i}.jpg"), big(i as u8));
        }
        for i in 0..8u8 {
            site.data.gallery.push(format!("/images/g{i}.jpg"));
            images.insert(format!("images/g{i}.jpg"), big(100 + i));
        }
        let theme = builtin_theme(ThemeKind::Shop);
        let pkg = generate_with_images(&site, theme, images.clone()).unwrap();
        let app: Value = serde_json::from_slice(&pkg.files["app.json"]).unwrap();
        let tabs: Vec<String> = site
            .tab_bar
            .as_ref()
            .unwrap()
            .items
            .iter()
            .map(|i| format!("pages/{}/index", i.page))
            .collect();
        assert_eq!(
            app["pages"],
            serde_json::json!(tabs),
            "only tab pages stay in the main package"
        );
        let subs: Vec<&str> = app["subPackages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["root"].as_str().unwrap())
            .collect();
        assert_eq!(subs, ["p/product/", "p/cart/", "p/orders/"]);
        assert!(pkg.files.contains_key("p/product/images/detail0.jpg"));
        assert!(
            pkg.files.contains_key("images/card0.jpg"),
            "grid pictures stay"
        );
        let site_js = String::from_utf8(pkg.files["data/site.js"].clone()).unwrap();
        assert!(
            site_js.contains("\"/p/product/images/detail0.jpg\"")
                && site_js.contains("\"/images/card0.jpg\"")
        );
        assert!(
            site_js.contains("\"product\":\"/p/product/index\""),
            "routes"
        );
        for (root, bytes) in package_sizes(&pkg) {
            assert!(bytes <= MAIN_PACKAGE_LIMIT, "{root}: {bytes}");
        }

        // The gallery is on the `visit` tab page: it cannot move, and the error says so.
        for i in 8..12u8 {
            site.data.gallery.push(format!("/images/g{i}.jpg"));
            images.insert(format!("images/g{i}.jpg"), big(100 + i));
        }
        let err = generate_with_images(&site, theme, images).unwrap_err();
        let en = err.to_string();
        assert_eq!(en, err.message(Lang::En));
        assert!(en.starts_with("The main package would be"), "{en}");
        assert!(en.contains("over WeChat's limit of 2 MB"), "{en}");
        assert!(en.contains("already moved to subpackages"), "{en}");
        assert!(en.contains("\n  images/g"), "names the largest files: {en}");
        let zh = err.message(Lang::Zh);
        assert!(zh.starts_with("主包将达到"), "{zh}");
        assert!(zh.contains("不是标签页的页面已经移到了分包"), "{zh}");
        assert!(zh.contains("\n  images/g"), "names the largest files: {zh}");
    }
}
