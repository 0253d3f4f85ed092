//! What changed between two versions of a site, in words a merchant understands: the name and
//! theme, pages added, removed or renamed, blocks added, removed, changed or moved, and the
//! merchant data (products, services, staff, hours, contact, pictures).
use app::i18n::Lang;
use app::model::site::Site;
use serde::Serialize;
use std::collections::BTreeMap;

fn t(lang: Lang, en: String, zh: String) -> String {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Items keyed by id: added, removed and changed names, in order.
fn by_id<'a, T: Serialize>(
    old: &'a [T],
    new: &'a [T],
    id: impl Fn(&'a T) -> (&'a str, &'a str),
) -> (Vec<&'a str>, Vec<&'a str>, Vec<&'a str>) {
    let before: BTreeMap<&str, &T> = old.iter().map(|x| (id(x).0, x)).collect();
    let after: BTreeMap<&str, &T> = new.iter().map(|x| (id(x).0, x)).collect();
    let added = new
        .iter()
        .filter(|x| !before.contains_key(id(x).0))
        .map(|x| id(x).1)
        .collect();
    let removed = old
        .iter()
        .filter(|x| !after.contains_key(id(x).0))
        .map(|x| id(x).1)
        .collect();
    let changed = new
        .iter()
        .filter(|x| before.get(id(x).0).is_some_and(|b| json(*b) != json(*x)))
        .map(|x| id(x).1)
        .collect();
    (added, removed, changed)
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("“{n}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The changes from `old` to `new`, one sentence each; empty when they are the same.
pub fn diff(old: &Site, new: &Site, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push(t(
            lang,
            format!("Name: “{}” → “{}”", old.name, new.name),
            format!("名称:“{}” → “{}”", old.name, new.name),
        ));
    }
    if json(&old.theme) != json(&new.theme) {
        out.push(t(
            lang,
            "Theme colours or style changed".into(),
            "主题颜色或样式已修改".into(),
        ));
    }
    if old.logo != new.logo {
        out.push(t(lang, "Logo changed".into(), "标志已更换".into()));
    }
    if json(&old.tab_bar) != json(&new.tab_bar) {
        out.push(t(lang, "Tab bar changed".into(), "底部导航已修改".into()));
    }
    let (added, removed, _) = by_id(&old.pages, &new.pages, |p| {
        (p.id.as_str(), p.title.as_str())
    });
    if !added.is_empty() {
        out.push(t(
            lang,
            format!("Pages added: {}", list(&added)),
            format!("新增页面:{}", list(&added)),
        ));
    }
    if !removed.is_empty() {
        out.push(t(
            lang,
            format!("Pages removed: {}", list(&removed)),
            format!("删除页面:{}", list(&removed)),
        ));
    }
    for page in &new.pages {
        let Some(before) = old.pages.iter().find(|p| p.id == page.id) else {
            continue;
        };
        if before.title != page.title {
            out.push(t(
                lang,
                format!("Page “{}” renamed “{}”", before.title, page.title),
                format!("页面“{}”改名为“{}”", before.title, page.title),
            ));
        }
        let label = |b: &app::model::site::Block| {
            json(&b.kind)["kind"]
                .as_str()
                .unwrap_or("block")
                .replace('_', " ")
        };
        let before_ids: Vec<&str> = before.blocks.iter().map(|b| b.id.as_str()).collect();
        let after_ids: Vec<&str> = page.blocks.iter().map(|b| b.id.as_str()).collect();
        let mut added = Vec::new();
        let mut changed = Vec::new();
        for b in &page.blocks {
            match before.blocks.iter().find(|x| x.id == b.id) {
                None => added.push(label(b)),
                Some(x) if json(x) != json(b) => changed.push(label(b)),
                _ => {}
            }
        }
        let removed: Vec<String> = before
            .blocks
            .iter()
            .filter(|x| !after_ids.contains(&x.id.as_str()))
            .map(label)
            .collect();
        let kept_before: Vec<&str> = before_ids
            .iter()
            .copied()
            .filter(|id| after_ids.contains(id))
            .collect();
        let kept_after: Vec<&str> = after_ids
            .iter()
            .copied()
            .filter(|id| before_ids.contains(id))
            .collect();
        let title = &page.title;
        let names = |v: &[String]| v.join(", ");
        if !added.is_empty() {
            out.push(t(
                lang,
                format!("“{title}”: blocks added ({})", names(&added)),
                format!("“{title}”:新增区块({})", names(&added)),
            ));
        }
        if !removed.is_empty() {
            out.push(t(
                lang,
                format!("“{title}”: blocks removed ({})", names(&removed)),
                format!("“{title}”:删除区块({})", names(&removed)),
            ));
        }
        if !changed.is_empty() {
            out.push(t(
                lang,
                format!("“{title}”: blocks edited ({})", names(&changed)),
                format!("“{title}”:修改区块({})", names(&changed)),
            ));
        }
        if kept_before != kept_after {
            out.push(t(
                lang,
                format!("“{title}”: blocks reordered"),
                format!("“{title}”:区块顺序已调整"),
            ));
        }
    }
    let (d0, d1) = (&old.data, &new.data);
    let section = |out: &mut Vec<String>,
                   (added, removed, changed): (Vec<&str>, Vec<&str>, Vec<&str>),
                   en: &str,
                   zh: &str| {
        if !added.is_empty() {
            out.push(t(
                lang,
                format!("{en} added: {}", list(&added)),
                format!("新增{zh}:{}", list(&added)),
            ));
        }
        if !removed.is_empty() {
            out.push(t(
                lang,
                format!("{en} removed: {}", list(&removed)),
                format!("删除{zh}:{}", list(&removed)),
            ));
        }
        if !changed.is_empty() {
            out.push(t(
                lang,
                format!("{en} changed: {}", list(&changed)),
                format!("修改{zh}:{}", list(&changed)),
            ));
        }
    };
    section(
        &mut out,
        by_id(&d0.products, &d1.products, |p| {
            (p.id.as_str(), p.name.as_str())
        }),
        "Products",
        "商品",
    );
    section(
        &mut out,
        by_id(&d0.services, &d1.services, |s| {
            (s.id.as_str(), s.name.as_str())
        }),
        "Services",
        "服务",
    );
    section(
        &mut out,
        by_id(&d0.staff, &d1.staff, |s| (s.id.as_str(), s.name.as_str())),
        "Staff",
        "员工",
    );
    section(
        &mut out,
        by_id(&d0.categories, &d1.categories, |c| {
            (c.id.as_str(), c.name.as_str())
        }),
        "Categories",
        "分类",
    );
    for (en, zh, a, b) in [
        (
            "Opening hours changed",
            "营业时间已修改",
            json(&d0.hours),
            json(&d1.hours),
        ),
        (
            "Address or map changed",
            "地址或地图已修改",
            json(&d0.location),
            json(&d1.location),
        ),
        (
            "Contact details changed",
            "联系方式已修改",
            json(&d0.contact),
            json(&d1.contact),
        ),
        (
            "Gallery pictures changed",
            "相册图片已修改",
            json(&d0.gallery),
            json(&d1.gallery),
        ),
        (
            "Notices changed",
            "公告已修改",
            json(&d0.notices),
            json(&d1.notices),
        ),
    ] {
        if a != b {
            out.push(t(lang, en.into(), zh.into()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starter() -> Site {
        serde_json::from_str(crate::generator::theme::starter_json(
            app::model::ThemeKind::Shop,
            Lang::En,
        ))
        .unwrap()
    }

    #[test]
    fn changes_are_told_in_the_merchants_words() {
        let old = starter();
        assert!(diff(&old, &old, Lang::En).is_empty());
        let mut new = old.clone();
        new.name = "Lotus".into();
        new.data.products[0].price += 100;
        let gone = new.data.products.pop().unwrap();
        new.pages[0].blocks.reverse();
        let d = diff(&old, &new, Lang::En);
        assert!(
            d.contains(&format!("Name: “{}” → “Lotus”", old.name)),
            "{d:?}"
        );
        assert!(
            d.contains(&format!("Products removed: “{}”", gone.name)),
            "{d:?}"
        );
        assert!(
            d.iter().any(|l| l.starts_with("Products changed:")),
            "{d:?}"
        );
        assert!(d.iter().any(|l| l.ends_with("blocks reordered")), "{d:?}");
        let zh = diff(&old, &new, Lang::Zh);
        assert!(zh.iter().any(|l| l.starts_with("删除商品")), "{zh:?}");
    }
}
