//! A merchant's site: theme settings, pages of blocks, the tab bar, and the merchant's own data
//! (products, services, hours, location…). Plain data; [`Site::validate`] lists every problem
//! with its path (`pages[1].blocks[3].label`) in the merchant's language.
use crate::i18n::{Lang, K};
use crate::model::Template;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Version of this format; bump with a migration when it changes shape.
pub const SITE_SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub schema_version: u32,
    /// The mini program's name, shown in the navigation bar and when shared.
    pub name: String,
    /// Language of the built-in labels ("Add to cart", "Book"…).
    #[serde(default)]
    pub locale: Lang,
    /// WeChat AppID (`wx` + 16 hex digits). Empty: the tourist AppID is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// Base URL of the merchant's order/booking API (see docs/mp-api.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    pub theme: ThemeSettings,
    pub pages: Vec<Page>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tab_bar: Option<TabBar>,
    #[serde(default)]
    pub data: MerchantData,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ThemeSettings {
    pub template: Template,
    /// `#rrggbb`
    pub primary: String,
    pub accent: String,
    pub background: String,
    pub text: String,
    /// 0.8 to 1.4
    pub font_scale: f32,
    /// Corner radius in rpx, 0 to 48.
    pub radius: u8,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Lower-case letters, digits, `-` and `_`; becomes `pages/<id>/index`.
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Block {
    pub id: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    #[serde(flatten)]
    pub kind: BlockKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockKind {
    Banner {
        slides: Vec<Slide>,
    },
    RichText {
        #[serde(default)]
        title: String,
        paragraphs: Vec<String>,
    },
    Image {
        image: String,
        #[serde(default)]
        caption: String,
    },
    NoticeBar {
        text: String,
    },
    ProductGrid {
        #[serde(default)]
        title: String,
        #[serde(default)]
        category: Option<String>,
        columns: u8,
    },
    ProductList {
        #[serde(default)]
        title: String,
    },
    FeaturedProduct {
        product: String,
    },
    ServiceList {
        #[serde(default)]
        title: String,
    },
    BookingButton {
        label: String,
        #[serde(default)]
        service: Option<String>,
    },
    OpeningHours {
        #[serde(default)]
        title: String,
    },
    LocationMap {
        #[serde(default)]
        title: String,
    },
    ContactCard {
        #[serde(default)]
        title: String,
    },
    Gallery {
        #[serde(default)]
        title: String,
        columns: u8,
    },
    Spacer {
        height: u16,
    },
    Divider {},
    LinkButton {
        label: String,
        page: String,
    },
}

impl BlockKind {
    pub fn name(&self) -> &'static str {
        match self {
            BlockKind::Banner { .. } => "banner",
            BlockKind::RichText { .. } => "rich_text",
            BlockKind::Image { .. } => "image",
            BlockKind::NoticeBar { .. } => "notice_bar",
            BlockKind::ProductGrid { .. } => "product_grid",
            BlockKind::ProductList { .. } => "product_list",
            BlockKind::FeaturedProduct { .. } => "featured_product",
            BlockKind::ServiceList { .. } => "service_list",
            BlockKind::BookingButton { .. } => "booking_button",
            BlockKind::OpeningHours { .. } => "opening_hours",
            BlockKind::LocationMap { .. } => "location_map",
            BlockKind::ContactCard { .. } => "contact_card",
            BlockKind::Gallery { .. } => "gallery",
            BlockKind::Spacer { .. } => "spacer",
            BlockKind::Divider {} => "divider",
            BlockKind::LinkButton { .. } => "link_button",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Slide {
    pub image: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    /// Page id to open on tap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TabBar {
    pub color: String,
    pub selected_color: String,
    pub background: String,
    pub items: Vec<TabItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TabItem {
    pub page: String,
    pub text: String,
    pub icon: Icon,
}

/// The built-in tab bar icon set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Icon {
    Home,
    Shop,
    Cart,
    Calendar,
    User,
    Info,
    Phone,
    Map,
    Star,
    Grid,
    Gift,
    Photo,
}

impl Icon {
    pub const ALL: [Icon; 12] = [
        Icon::Home,
        Icon::Shop,
        Icon::Cart,
        Icon::Calendar,
        Icon::User,
        Icon::Info,
        Icon::Phone,
        Icon::Map,
        Icon::Star,
        Icon::Grid,
        Icon::Gift,
        Icon::Photo,
    ];

    /// The serialised name (`home`, `shop`, …).
    pub fn slug(self) -> &'static str {
        match self {
            Icon::Home => "home",
            Icon::Shop => "shop",
            Icon::Cart => "cart",
            Icon::Calendar => "calendar",
            Icon::User => "user",
            Icon::Info => "info",
            Icon::Phone => "phone",
            Icon::Map => "map",
            Icon::Star => "star",
            Icon::Grid => "grid",
            Icon::Gift => "gift",
            Icon::Photo => "photo",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MerchantData {
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub staff: Vec<Staff>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub gallery: Vec<String>,
    #[serde(default)]
    pub notices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: String,
}

/// Prices are integers in fen (1 yuan = 100 fen): no rounding errors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub images: Vec<String>,
    pub price: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_at: Option<u64>,
    /// None: not tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// E.g. size: S/M/L, temperature: hot/iced.
    #[serde(default)]
    pub options: Vec<SkuOption>,
    /// One per combination that is sold, with its own price and stock.
    #[serde(default)]
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SkuOption {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// One value per option, in option order.
    pub values: Vec<String>,
    pub price: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub duration_min: u16,
    pub price: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Staff ids who offer it; empty: anyone.
    #[serde(default)]
    pub staff: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Staff {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// Monday first; exactly seven entries.
    pub weekly: Vec<DayHours>,
    #[serde(default)]
    pub exceptions: Vec<HoursException>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DayHours {
    #[serde(default)]
    pub closed: bool,
    /// `HH:MM`, 24-hour.
    #[serde(default)]
    pub open: String,
    #[serde(default)]
    pub close: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HoursException {
    /// `YYYY-MM-DD`
    pub date: String,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub open: String,
    #[serde(default)]
    pub close: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub wechat: String,
    #[serde(default)]
    pub email: String,
}

/// One thing wrong with a site: where, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// Collects problems with their paths.
struct Check {
    lang: Lang,
    problems: Vec<Problem>,
}

impl Check {
    fn add(&mut self, path: impl Into<String>, key: K, args: &[(&str, String)]) {
        let mut message = self.lang.t(key).to_string();
        for (name, value) in args {
            message = message.replace(&format!("{{{name}}}"), value);
        }
        self.problems.push(Problem {
            path: path.into(),
            message,
        });
    }

    fn text(&mut self, path: &str, value: &str, min: usize, max: usize) {
        let n = value.trim().chars().count();
        if n < min {
            self.add(path, K::VRequired, &[]);
        } else if value.chars().count() > max {
            self.add(path, K::VTooLong, &[("max", max.to_string())]);
        }
    }

    fn color(&mut self, path: &str, value: &str) {
        if !is_hex_color(value) {
            self.add(path, K::VColor, &[("value", value.to_string())]);
        }
    }

    fn id(&mut self, path: &str, value: &str, seen: &mut HashSet<String>) {
        if !is_slug(value) {
            self.add(path, K::VId, &[]);
        } else if !seen.insert(value.to_string()) {
            self.add(path, K::VDuplicate, &[("value", value.to_string())]);
        }
    }

    fn time(&mut self, path: &str, value: &str) -> Option<u32> {
        let parsed = parse_hhmm(value);
        if parsed.is_none() {
            self.add(path, K::VTime, &[("value", value.to_string())]);
        }
        parsed
    }
}

pub fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

pub fn is_slug(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2
        && y.parse::<u32>().is_ok()
        && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && d.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d)))
}

/// Page ids taken by the built-in product, cart and booking screens.
pub const RESERVED_PAGE_IDS: [&str; 3] = ["product", "cart", "booking"];

/// Lengths that keep the mini program's layout intact.
pub mod limits {
    pub const SITE_NAME: usize = 30;
    pub const PAGE_TITLE: usize = 20;
    pub const TAB_TEXT: usize = 8;
    pub const SHORT: usize = 40;
    pub const NAME: usize = 60;
    pub const LONG: usize = 2000;
    pub const PAGES: usize = 30;
    pub const BLOCKS: usize = 300;
}

/// At most this many option combinations per product (the editor lists one row for each).
pub const MAX_VARIANTS: usize = 100;

impl Product {
    /// Every combination of the option values, in option order; `None` when there would be
    /// more than [`MAX_VARIANTS`].
    pub fn combinations(options: &[SkuOption]) -> Option<Vec<Vec<String>>> {
        let mut all: Vec<Vec<String>> = vec![Vec::new()];
        for o in options {
            if all.len().saturating_mul(o.values.len()) > MAX_VARIANTS {
                return None;
            }
            all = all
                .iter()
                .flat_map(|c| {
                    o.values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push(v.clone());
                        c
                    })
                })
                .collect();
        }
        Some(all)
    }

    /// Sets new options and keeps the variants in step: a combination that still exists
    /// keeps its price and stock; one made possible by a new option or value is added, priced
    /// like the closest existing one; one the merchant stopped selling (no variant, though
    /// every value was there before) stays unsold; variants that no longer fit are dropped.
    pub fn set_options(&mut self, options: Vec<SkuOption>) {
        let old = std::mem::replace(&mut self.options, options);
        if self.options.is_empty() {
            self.variants.clear();
            return;
        }
        // An option still without values (being added): wait for them, keep what is sold.
        if self.options.iter().any(|o| o.values.is_empty()) {
            return;
        }
        let Some(combos) = Self::combinations(&self.options) else {
            let options = &self.options;
            self.variants.retain(|v| fits(v, options));
            return;
        };
        let is_new = |combo: &[String]| {
            old.is_empty()
                || combo
                    .iter()
                    .enumerate()
                    .any(|(k, val)| old.get(k).is_none_or(|o| !o.values.contains(val)))
        };
        let variants = combos
            .into_iter()
            .filter_map(|combo| {
                if let Some(v) = self.variants.iter().find(|v| v.values == combo) {
                    return Some(v.clone());
                }
                is_new(&combo).then(|| self.new_variant(combo))
            })
            .collect();
        self.variants = variants;
    }

    /// Adds back every combination that has no variant.
    pub fn restore_variants(&mut self) {
        if let Some(combos) = Self::combinations(&self.options) {
            let mut variants = Vec::with_capacity(combos.len());
            for combo in combos {
                match self.variants.iter().find(|v| v.values == combo) {
                    Some(v) => variants.push(v.clone()),
                    None => variants.push(self.new_variant(combo)),
                }
            }
            self.variants = variants;
        }
    }

    /// Removes option `k`, keeping one variant (the first) per remaining combination.
    pub fn remove_option(&mut self, k: usize) {
        if k >= self.options.len() {
            return;
        }
        let mut options = self.options.clone();
        options.remove(k);
        let mut seen = std::collections::HashSet::new();
        self.variants = std::mem::take(&mut self.variants)
            .into_iter()
            .filter_map(|mut v| {
                if k < v.values.len() {
                    v.values.remove(k);
                }
                seen.insert(v.values.clone()).then_some(v)
            })
            .collect();
        self.options = options.clone();
        self.set_options(options);
    }

    /// A variant for `combo`, priced like the existing variant sharing most of its values
    /// (or like the product), with stock not tracked.
    fn new_variant(&self, combo: Vec<String>) -> Variant {
        let closest = self
            .variants
            .iter()
            .max_by_key(|v| v.values.iter().zip(&combo).filter(|(a, b)| a == b).count());
        Variant {
            price: closest.map_or(self.price, |v| v.price),
            stock: None,
            values: combo,
        }
    }
}

fn fits(v: &Variant, options: &[SkuOption]) -> bool {
    v.values.len() == options.len()
        && v.values
            .iter()
            .zip(options)
            .all(|(val, o)| o.values.contains(val))
}

impl Site {
    /// Every problem, in document order. Empty means the site can be generated.
    pub fn validate(&self, lang: Lang) -> Vec<Problem> {
        use limits::*;
        let mut c = Check {
            lang,
            problems: Vec::new(),
        };
        if self.schema_version != SITE_SCHEMA_VERSION {
            c.add(
                "schema_version",
                K::VSchemaVersion,
                &[("value", SITE_SCHEMA_VERSION.to_string())],
            );
        }
        c.text("name", &self.name, 1, SITE_NAME);
        if let Some(appid) = &self.appid {
            let ok = appid.len() == 18
                && appid.starts_with("wx")
                && appid[2..].chars().all(|c| c.is_ascii_hexdigit());
            if !ok {
                c.add("appid", K::VAppId, &[]);
            }
        }
        if let Some(url) = &self.api_base {
            if !url.starts_with("https://") {
                c.add("api_base", K::VHttps, &[]);
            }
        }
        let t = &self.theme;
        for (field, value) in [
            ("primary", &t.primary),
            ("accent", &t.accent),
            ("background", &t.background),
            ("text", &t.text),
        ] {
            c.color(&format!("theme.{field}"), value);
        }
        if !(0.8..=1.4).contains(&t.font_scale) {
            c.add(
                "theme.font_scale",
                K::VRange,
                &[("min", "0.8".into()), ("max", "1.4".into())],
            );
        }
        if t.radius > 48 {
            c.add(
                "theme.radius",
                K::VRange,
                &[("min", "0".into()), ("max", "48".into())],
            );
        }

        let d = &self.data;
        let mut ids = HashSet::new();
        for (i, cat) in d.categories.iter().enumerate() {
            c.id(&format!("data.categories[{i}].id"), &cat.id, &mut ids);
            c.text(&format!("data.categories[{i}].name"), &cat.name, 1, SHORT);
        }
        let categories: HashSet<&str> = d.categories.iter().map(|x| x.id.as_str()).collect();
        let mut ids = HashSet::new();
        for (i, s) in d.staff.iter().enumerate() {
            c.id(&format!("data.staff[{i}].id"), &s.id, &mut ids);
            c.text(&format!("data.staff[{i}].name"), &s.name, 1, SHORT);
        }
        let staff: HashSet<&str> = d.staff.iter().map(|x| x.id.as_str()).collect();
        let mut ids = HashSet::new();
        for (i, p) in d.products.iter().enumerate() {
            let at = format!("data.products[{i}]");
            c.id(&format!("{at}.id"), &p.id, &mut ids);
            c.text(&format!("{at}.name"), &p.name, 1, NAME);
            c.text(&format!("{at}.description"), &p.description, 0, LONG);
            if p.compare_at.is_some_and(|was| was <= p.price) {
                c.add(format!("{at}.compare_at"), K::VCompareAt, &[]);
            }
            if let Some(cat) = &p.category {
                if !categories.contains(cat.as_str()) {
                    c.add(
                        format!("{at}.category"),
                        K::VUnknownRef,
                        &[("value", cat.clone())],
                    );
                }
            }
            for (j, o) in p.options.iter().enumerate() {
                c.text(&format!("{at}.options[{j}].name"), &o.name, 1, SHORT);
                if o.values.is_empty() {
                    c.add(format!("{at}.options[{j}].values"), K::VRequired, &[]);
                }
            }
            let mut combos = HashSet::new();
            for (j, v) in p.variants.iter().enumerate() {
                let vat = format!("{at}.variants[{j}]");
                if !fits(v, &p.options) {
                    c.add(format!("{vat}.values"), K::VVariant, &[]);
                } else if !combos.insert(v.values.clone()) {
                    c.add(
                        format!("{vat}.values"),
                        K::VDuplicate,
                        &[("value", v.values.join(" / "))],
                    );
                }
            }
        }
        let products: HashSet<&str> = d.products.iter().map(|x| x.id.as_str()).collect();
        let mut ids = HashSet::new();
        for (i, s) in d.services.iter().enumerate() {
            let at = format!("data.services[{i}]");
            c.id(&format!("{at}.id"), &s.id, &mut ids);
            c.text(&format!("{at}.name"), &s.name, 1, NAME);
            c.text(&format!("{at}.description"), &s.description, 0, LONG);
            if !(5..=600).contains(&s.duration_min) {
                c.add(
                    format!("{at}.duration_min"),
                    K::VRange,
                    &[("min", "5".into()), ("max", "600".into())],
                );
            }
            for (j, who) in s.staff.iter().enumerate() {
                if !staff.contains(who.as_str()) {
                    c.add(
                        format!("{at}.staff[{j}]"),
                        K::VUnknownRef,
                        &[("value", who.clone())],
                    );
                }
            }
        }
        let services: HashSet<&str> = d.services.iter().map(|x| x.id.as_str()).collect();
        if let Some(h) = &d.hours {
            if h.weekly.len() != 7 {
                c.add("data.hours.weekly", K::VSevenDays, &[]);
            }
            for (i, day) in h.weekly.iter().enumerate() {
                if !day.closed {
                    let o = c.time(&format!("data.hours.weekly[{i}].open"), &day.open);
                    let e = c.time(&format!("data.hours.weekly[{i}].close"), &day.close);
                    if let (Some(o), Some(e)) = (o, e) {
                        if o >= e {
                            c.add(
                                format!("data.hours.weekly[{i}].close"),
                                K::VCloseAfterOpen,
                                &[],
                            );
                        }
                    }
                }
            }
            for (i, ex) in h.exceptions.iter().enumerate() {
                if !is_date(&ex.date) {
                    c.add(
                        format!("data.hours.exceptions[{i}].date"),
                        K::VDate,
                        &[("value", ex.date.clone())],
                    );
                }
                if !ex.closed {
                    c.time(&format!("data.hours.exceptions[{i}].open"), &ex.open);
                    c.time(&format!("data.hours.exceptions[{i}].close"), &ex.close);
                }
            }
        }
        if let Some(l) = &d.location {
            c.text("data.location.name", &l.name, 1, NAME);
            c.text("data.location.address", &l.address, 1, 200);
            if !(-90.0..=90.0).contains(&l.latitude) {
                c.add(
                    "data.location.latitude",
                    K::VRange,
                    &[("min", "-90".into()), ("max", "90".into())],
                );
            }
            if !(-180.0..=180.0).contains(&l.longitude) {
                c.add(
                    "data.location.longitude",
                    K::VRange,
                    &[("min", "-180".into()), ("max", "180".into())],
                );
            }
        }
        let phone = &d.contact.phone;
        let phone_ok = phone
            .chars()
            .all(|ch| ch.is_ascii_digit() || "+- ()".contains(ch))
            && (3..=20).contains(&phone.chars().filter(char::is_ascii_digit).count());
        if !phone.is_empty() && !phone_ok {
            c.add("data.contact.phone", K::VPhone, &[]);
        }
        for (i, n) in d.notices.iter().enumerate() {
            c.text(&format!("data.notices[{i}]"), n, 1, 200);
        }

        if self.pages.is_empty() || self.pages.len() > PAGES {
            c.add("pages", K::VPageCount, &[("max", PAGES.to_string())]);
        }
        let mut page_ids = HashSet::new();
        for (i, p) in self.pages.iter().enumerate() {
            if RESERVED_PAGE_IDS.contains(&p.id.as_str()) {
                c.add(
                    format!("pages[{i}].id"),
                    K::VReserved,
                    &[("value", p.id.clone())],
                );
            }
            c.id(&format!("pages[{i}].id"), &p.id, &mut page_ids);
        }
        let pages: HashSet<&str> = self.pages.iter().map(|p| p.id.as_str()).collect();
        for (i, p) in self.pages.iter().enumerate() {
            let at = format!("pages[{i}]");
            c.text(&format!("{at}.title"), &p.title, 1, PAGE_TITLE);
            if p.blocks.len() > BLOCKS {
                c.add(
                    format!("{at}.blocks"),
                    K::VTooMany,
                    &[("max", BLOCKS.to_string())],
                );
            }
            let mut block_ids = HashSet::new();
            for (j, b) in p.blocks.iter().enumerate() {
                let bat = format!("{at}.blocks[{j}]");
                c.id(&format!("{bat}.id"), &b.id, &mut block_ids);
                self.check_block(
                    &mut c,
                    &bat,
                    &b.kind,
                    &pages,
                    &products,
                    &services,
                    &categories,
                );
            }
        }
        if let Some(tb) = &self.tab_bar {
            c.color("tab_bar.color", &tb.color);
            c.color("tab_bar.selected_color", &tb.selected_color);
            c.color("tab_bar.background", &tb.background);
            if !(2..=5).contains(&tb.items.len()) {
                c.add("tab_bar.items", K::VTabCount, &[]);
            }
            let mut seen = HashSet::new();
            for (i, item) in tb.items.iter().enumerate() {
                c.text(&format!("tab_bar.items[{i}].text"), &item.text, 1, TAB_TEXT);
                if !pages.contains(item.page.as_str()) {
                    c.add(
                        format!("tab_bar.items[{i}].page"),
                        K::VUnknownRef,
                        &[("value", item.page.clone())],
                    );
                } else if !seen.insert(item.page.as_str()) {
                    c.add(
                        format!("tab_bar.items[{i}].page"),
                        K::VDuplicate,
                        &[("value", item.page.clone())],
                    );
                }
            }
            if let (Some(first), Some(home)) = (tb.items.first(), self.pages.first()) {
                if first.page != home.id && pages.contains(first.page.as_str()) {
                    c.add(
                        "tab_bar.items[0].page",
                        K::VTabHome,
                        &[("value", home.id.clone())],
                    );
                }
            }
        }
        c.problems
    }

    #[allow(clippy::too_many_arguments)]
    fn check_block(
        &self,
        c: &mut Check,
        at: &str,
        kind: &BlockKind,
        pages: &HashSet<&str>,
        products: &HashSet<&str>,
        services: &HashSet<&str>,
        categories: &HashSet<&str>,
    ) {
        use limits::*;
        let reference = |c: &mut Check, field: &str, set: &HashSet<&str>, value: &str| {
            if !set.contains(value) {
                c.add(
                    format!("{at}.{field}"),
                    K::VUnknownRef,
                    &[("value", value.to_string())],
                );
            }
        };
        match kind {
            BlockKind::Banner { slides } => {
                if slides.is_empty() {
                    c.add(format!("{at}.slides"), K::VRequired, &[]);
                }
                for (i, s) in slides.iter().enumerate() {
                    // A slide is a picture, or a headline on the theme colour: never empty.
                    if s.image.trim().is_empty() && s.title.trim().is_empty() {
                        c.add(format!("{at}.slides[{i}].title"), K::VRequired, &[]);
                    }
                    c.text(&format!("{at}.slides[{i}].image"), &s.image, 0, 300);
                    c.text(&format!("{at}.slides[{i}].title"), &s.title, 0, SHORT);
                    c.text(&format!("{at}.slides[{i}].subtitle"), &s.subtitle, 0, NAME);
                    if let Some(link) = &s.link {
                        reference(c, &format!("slides[{i}].link"), pages, link);
                    }
                }
            }
            BlockKind::RichText { title, paragraphs } => {
                c.text(&format!("{at}.title"), title, 0, NAME);
                for (i, p) in paragraphs.iter().enumerate() {
                    c.text(&format!("{at}.paragraphs[{i}]"), p, 1, LONG);
                }
            }
            BlockKind::Image { image, caption } => {
                c.text(&format!("{at}.image"), image, 1, 300);
                c.text(&format!("{at}.caption"), caption, 0, NAME);
            }
            BlockKind::NoticeBar { text } => c.text(&format!("{at}.text"), text, 1, 200),
            BlockKind::ProductGrid {
                title,
                category,
                columns,
            } => {
                c.text(&format!("{at}.title"), title, 0, SHORT);
                if let Some(cat) = category {
                    reference(c, "category", categories, cat);
                }
                if !(2..=3).contains(columns) {
                    c.add(
                        format!("{at}.columns"),
                        K::VRange,
                        &[("min", "2".into()), ("max", "3".into())],
                    );
                }
            }
            BlockKind::FeaturedProduct { product } => reference(c, "product", products, product),
            BlockKind::BookingButton { label, service } => {
                c.text(&format!("{at}.label"), label, 1, SHORT);
                if let Some(s) = service {
                    reference(c, "service", services, s);
                }
            }
            BlockKind::Gallery { title, columns } => {
                c.text(&format!("{at}.title"), title, 0, SHORT);
                if !(2..=4).contains(columns) {
                    c.add(
                        format!("{at}.columns"),
                        K::VRange,
                        &[("min", "2".into()), ("max", "4".into())],
                    );
                }
            }
            BlockKind::Spacer { height } => {
                if *height > 400 {
                    c.add(
                        format!("{at}.height"),
                        K::VRange,
                        &[("min", "0".into()), ("max", "400".into())],
                    );
                }
            }
            BlockKind::LinkButton { label, page } => {
                c.text(&format!("{at}.label"), label, 1, SHORT);
                reference(c, "page", pages, page);
            }
            BlockKind::ProductList { title }
            | BlockKind::ServiceList { title }
            | BlockKind::OpeningHours { title }
            | BlockKind::LocationMap { title }
            | BlockKind::ContactCard { title } => c.text(&format!("{at}.title"), title, 0, SHORT),
            BlockKind::Divider {} => {}
        }
    }

    /// Does any page show a map (so the package must declare location use)?
    pub fn uses_location(&self) -> bool {
        self.pages
            .iter()
            .flat_map(|p| &p.blocks)
            .any(|b| matches!(b.kind, BlockKind::LocationMap { .. }))
    }
}

/// `1234` fen → `12.34`.
pub fn format_yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(name: &str, values: &[&str]) -> SkuOption {
        SkuOption {
            name: name.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn product() -> Product {
        Product {
            id: "latte".into(),
            name: "Latte".into(),
            description: String::new(),
            images: Vec::new(),
            price: 2800,
            compare_at: None,
            stock: None,
            category: None,
            options: Vec::new(),
            variants: Vec::new(),
        }
    }

    fn combos(p: &Product) -> Vec<String> {
        p.variants.iter().map(|v| v.values.join("/")).collect()
    }

    #[test]
    fn options_make_one_variant_per_combination_priced_like_the_product() {
        let mut p = product();
        p.set_options(vec![
            opt("Size", &["S", "L"]),
            opt("Temp", &["Hot", "Iced"]),
        ]);
        assert_eq!(combos(&p), ["S/Hot", "S/Iced", "L/Hot", "L/Iced"]);
        assert!(p
            .variants
            .iter()
            .all(|v| v.price == 2800 && v.stock.is_none()));
    }

    #[test]
    fn variants_keep_their_price_and_stay_stopped_when_options_change() {
        let mut p = product();
        p.set_options(vec![opt("Size", &["S", "L"])]);
        p.variants[1].price = 3200;
        p.variants[1].stock = Some(4);
        // The merchant stops selling S.
        p.variants.remove(0);
        p.set_options(vec![opt("Size", &["S", "L", "XL"])]);
        assert_eq!(combos(&p), ["L", "XL"], "S stays stopped, XL is new");
        assert_eq!((p.variants[0].price, p.variants[0].stock), (3200, Some(4)));
        assert_eq!(p.variants[1].price, 3200, "priced like the closest variant");
        // A new option multiplies the combinations, each priced like its base.
        // The option is added empty first, as the editor does, then gets its values.
        p.set_options(vec![opt("Size", &["S", "L", "XL"]), opt("Temp", &[])]);
        assert_eq!(
            combos(&p),
            ["L", "XL"],
            "unchanged while the new option has no values"
        );
        p.set_options(vec![
            opt("Size", &["S", "L", "XL"]),
            opt("Temp", &["Hot", "Iced"]),
        ]);
        assert_eq!(
            combos(&p),
            ["S/Hot", "S/Iced", "L/Hot", "L/Iced", "XL/Hot", "XL/Iced"]
        );
        assert_eq!(p.variants[3].price, 3200, "L/Iced priced like L");
        p.restore_variants();
        assert_eq!(p.variants.len(), 6);
        p.remove_option(1);
        assert_eq!(combos(&p), ["S", "L", "XL"]);
        p.set_options(Vec::new());
        assert!(p.variants.is_empty());
    }

    #[test]
    fn too_many_combinations_are_not_generated() {
        let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(Product::combinations(&[opt("A", &many), opt("B", &many)]).is_none());
        let mut p = product();
        p.set_options(vec![opt("A", &many)]);
        assert_eq!(p.variants.len(), 11);
        p.set_options(vec![opt("A", &many), opt("B", &many)]);
        assert!(p.variants.is_empty(), "none fit two options");
    }
}
