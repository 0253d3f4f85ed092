//! What makes a site valid: [`Site::validate`] lists every problem with its path
//! (`pages[1].blocks[3].label`) in the merchant's language, one function per section (the
//! site itself, theme, merchant data, pages and blocks, tab bar).
use super::blocks::BlockType;
use super::product::fits;
use super::site::{
    Block, BlockKind, Category, Contact, DayHours, Hours, Location, MerchantData, Page, Product,
    Service, Site, Staff, TabBar, SITE_SCHEMA_VERSION,
};
use super::theme::ThemeSettings;
use crate::i18n::{Lang, Text};
use limits::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

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
    fn add(&mut self, path: impl Into<String>, key: Text, args: &[(&str, String)]) {
        self.problems.push(Problem {
            path: path.into(),
            message: self.lang.fill(key, args),
        });
    }

    fn text(&mut self, path: &str, value: &str, min: usize, max: usize) {
        let n = value.trim().chars().count();
        if n < min {
            self.add(path, Text::VRequired, &[]);
        } else if value.chars().count() > max {
            self.add(path, Text::VTooLong, &[("max", max.to_string())]);
        }
    }

    fn color(&mut self, path: &str, value: &str) {
        if !is_hex_color(value) {
            self.add(path, Text::VColor, &[("value", value.to_string())]);
        }
    }

    fn id(&mut self, path: &str, value: &str, seen: &mut HashSet<String>) {
        if !is_slug(value) {
            self.add(path, Text::VId, &[]);
        } else if !seen.insert(value.to_string()) {
            self.add(path, Text::VDuplicate, &[("value", value.to_string())]);
        }
    }

    fn range(&mut self, path: &str, min: &str, max: &str) {
        self.add(
            path,
            Text::VRange,
            &[("min", min.into()), ("max", max.into())],
        );
    }

    /// `value` must be one of the ids in `set`.
    fn reference(&mut self, path: &str, set: &HashSet<&str>, value: &str) {
        if !set.contains(value) {
            self.add(path, Text::VUnknownRef, &[("value", value.to_string())]);
        }
    }

    fn time(&mut self, path: &str, value: &str) -> Option<u32> {
        let parsed = parse_hhmm(value);
        if parsed.is_none() {
            self.add(path, Text::VTime, &[("value", value.to_string())]);
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

/// `HH:MM` (24 h) as minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
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

/// Ids that other parts of the site refer to, for checking references.
struct Refs<'a> {
    pages: HashSet<&'a str>,
    products: HashSet<&'a str>,
    services: HashSet<&'a str>,
    categories: HashSet<&'a str>,
    staff: HashSet<&'a str>,
}

impl<'a> Refs<'a> {
    fn of(site: &'a Site) -> Self {
        let d = &site.data;
        Refs {
            pages: site.pages.iter().map(|p| p.id.as_str()).collect(),
            products: d.products.iter().map(|x| x.id.as_str()).collect(),
            services: d.services.iter().map(|x| x.id.as_str()).collect(),
            categories: d.categories.iter().map(|x| x.id.as_str()).collect(),
            staff: d.staff.iter().map(|x| x.id.as_str()).collect(),
        }
    }
}

impl Site {
    /// Every problem, in document order. Empty means the site can be generated.
    pub fn validate(&self, lang: Lang) -> Vec<Problem> {
        let mut c = Check {
            lang,
            problems: Vec::new(),
        };
        let refs = Refs::of(self);
        check_site(&mut c, self);
        check_colors(&mut c, self);
        check_theme(&mut c, &self.theme);
        check_data(&mut c, &self.data, &refs);
        check_pages(&mut c, &self.pages, &refs);
        if let Some(tb) = &self.tab_bar {
            check_tab_bar(&mut c, tb, self.pages.first(), &refs);
        }
        c.problems
    }

    /// What must hold before a draft is stored or rendered at all, however unfinished the rest
    /// is: values that reach CSS or markup as they are (the theme's and the tab bar's colours)
    /// and where the mini program sends its calls (https only). The full report waits for
    /// export ([`Site::validate`]).
    pub fn harmful(&self, lang: Lang) -> Vec<Problem> {
        let mut c = Check {
            lang,
            problems: Vec::new(),
        };
        check_colors(&mut c, self);
        check_api_base(&mut c, self);
        c.problems
    }

    /// Does any page show a map (so the package must declare location use)?
    pub fn uses_location(&self) -> bool {
        self.pages
            .iter()
            .flat_map(|p| &p.blocks)
            .any(|b| matches!(b.kind, BlockKind::LocationMap { .. }))
    }
}

fn check_site(c: &mut Check, site: &Site) {
    if site.schema_version != SITE_SCHEMA_VERSION {
        c.add(
            "schema_version",
            Text::VSchemaVersion,
            &[("value", SITE_SCHEMA_VERSION.to_string())],
        );
    }
    c.text("name", &site.name, 1, SITE_NAME);
    if let Some(appid) = &site.appid {
        let ok = appid.len() == 18
            && appid.starts_with("wx")
            && appid[2..].chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            c.add("appid", Text::VAppId, &[]);
        }
    }
    check_api_base(c, site);
}

fn check_api_base(c: &mut Check, site: &Site) {
    if let Some(url) = &site.api_base {
        let plain = url
            .chars()
            .all(|ch| ch.is_ascii_graphic() && !matches!(ch, '"' | '\'' | '<' | '>' | '\\'));
        if !url.starts_with("https://") || !plain {
            c.add("api_base", Text::VHttps, &[]);
        }
    }
}

fn check_colors(c: &mut Check, site: &Site) {
    let t = &site.theme;
    for (field, value) in [
        ("primary", &t.primary),
        ("accent", &t.accent),
        ("background", &t.background),
        ("text", &t.text),
    ] {
        c.color(&format!("theme.{field}"), value);
    }
    if let Some(tb) = &site.tab_bar {
        c.color("tab_bar.color", &tb.color);
        c.color("tab_bar.selected_color", &tb.selected_color);
        c.color("tab_bar.background", &tb.background);
    }
}

fn check_theme(c: &mut Check, t: &ThemeSettings) {
    if !(0.8..=1.4).contains(&t.font_scale) {
        c.range("theme.font_scale", "0.8", "1.4");
    }
    if t.radius > 48 {
        c.range("theme.radius", "0", "48");
    }
}

fn check_data(c: &mut Check, d: &MerchantData, refs: &Refs) {
    let mut ids = HashSet::new();
    for (i, cat) in d.categories.iter().enumerate() {
        c.id(&format!("data.categories[{i}].id"), &cat.id, &mut ids);
        c.text(&format!("data.categories[{i}].name"), &cat.name, 1, SHORT);
    }
    let mut ids = HashSet::new();
    for (i, s) in d.staff.iter().enumerate() {
        c.id(&format!("data.staff[{i}].id"), &s.id, &mut ids);
        c.text(&format!("data.staff[{i}].name"), &s.name, 1, SHORT);
        if let Some(weekly) = &s.hours {
            check_weekly(c, &format!("data.staff[{i}].hours"), weekly);
        }
    }
    let mut ids = HashSet::new();
    for (i, p) in d.products.iter().enumerate() {
        check_product(c, &format!("data.products[{i}]"), p, &mut ids, refs);
    }
    let mut ids = HashSet::new();
    for (i, s) in d.services.iter().enumerate() {
        let at = format!("data.services[{i}]");
        c.id(&format!("{at}.id"), &s.id, &mut ids);
        c.text(&format!("{at}.name"), &s.name, 1, NAME);
        c.text(&format!("{at}.description"), &s.description, 0, LONG);
        if !(5..=600).contains(&s.duration_min) {
            c.range(&format!("{at}.duration_min"), "5", "600");
        }
        if s.buffer_min > 240 {
            c.range(&format!("{at}.buffer_min"), "0", "240");
        }
        for (j, who) in s.staff.iter().enumerate() {
            c.reference(&format!("{at}.staff[{j}]"), &refs.staff, who);
        }
    }
    if let Some(h) = &d.hours {
        check_hours(c, h);
    }
    if let Some(l) = &d.location {
        c.text("data.location.name", &l.name, 1, NAME);
        c.text("data.location.address", &l.address, 1, 200);
        if !(-90.0..=90.0).contains(&l.latitude) {
            c.range("data.location.latitude", "-90", "90");
        }
        if !(-180.0..=180.0).contains(&l.longitude) {
            c.range("data.location.longitude", "-180", "180");
        }
    }
    let phone = &d.contact.phone;
    let phone_ok = phone
        .chars()
        .all(|ch| ch.is_ascii_digit() || "+- ()".contains(ch))
        && (3..=20).contains(&phone.chars().filter(char::is_ascii_digit).count());
    if !phone.is_empty() && !phone_ok {
        c.add("data.contact.phone", Text::VPhone, &[]);
    }
    for (i, n) in d.notices.iter().enumerate() {
        c.text(&format!("data.notices[{i}]"), n, 1, 200);
    }
}

fn check_product(c: &mut Check, at: &str, p: &Product, ids: &mut HashSet<String>, refs: &Refs) {
    c.id(&format!("{at}.id"), &p.id, ids);
    c.text(&format!("{at}.name"), &p.name, 1, NAME);
    c.text(&format!("{at}.description"), &p.description, 0, LONG);
    if p.compare_at.is_some_and(|was| was <= p.price) {
        c.add(format!("{at}.compare_at"), Text::VCompareAt, &[]);
    }
    if let Some(cat) = &p.category {
        c.reference(&format!("{at}.category"), &refs.categories, cat);
    }
    for (j, o) in p.options.iter().enumerate() {
        c.text(&format!("{at}.options[{j}].name"), &o.name, 1, SHORT);
        if o.values.is_empty() {
            c.add(format!("{at}.options[{j}].values"), Text::VRequired, &[]);
        }
    }
    let mut combos = HashSet::new();
    for (j, v) in p.variants.iter().enumerate() {
        let vat = format!("{at}.variants[{j}]");
        if !fits(v, &p.options) {
            c.add(format!("{vat}.values"), Text::VVariant, &[]);
        } else if !combos.insert(v.values.clone()) {
            c.add(
                format!("{vat}.values"),
                Text::VDuplicate,
                &[("value", v.values.join(" / "))],
            );
        }
    }
}

fn check_hours(c: &mut Check, h: &Hours) {
    check_weekly(c, "data.hours.weekly", &h.weekly);
    for (i, ex) in h.exceptions.iter().enumerate() {
        if !is_date(&ex.date) {
            c.add(
                format!("data.hours.exceptions[{i}].date"),
                Text::VDate,
                &[("value", ex.date.clone())],
            );
        }
        if !ex.closed {
            c.time(&format!("data.hours.exceptions[{i}].open"), &ex.open);
            c.time(&format!("data.hours.exceptions[{i}].close"), &ex.close);
        }
    }
}

/// Seven days, Monday first, each closed or open before it closes.
fn check_weekly(c: &mut Check, at: &str, weekly: &[DayHours]) {
    if weekly.len() != 7 {
        c.add(at, Text::VSevenDays, &[]);
    }
    for (i, day) in weekly.iter().enumerate() {
        if !day.closed {
            let o = c.time(&format!("{at}[{i}].open"), &day.open);
            let e = c.time(&format!("{at}[{i}].close"), &day.close);
            if let (Some(o), Some(e)) = (o, e) {
                if o >= e {
                    c.add(format!("{at}[{i}].close"), Text::VCloseAfterOpen, &[]);
                }
            }
        }
    }
}

fn check_pages(c: &mut Check, pages: &[Page], refs: &Refs) {
    if pages.is_empty() || pages.len() > PAGES {
        c.add("pages", Text::VPageCount, &[("max", PAGES.to_string())]);
    }
    let mut page_ids = HashSet::new();
    for (i, p) in pages.iter().enumerate() {
        if RESERVED_PAGE_IDS.contains(&p.id.as_str()) {
            c.add(
                format!("pages[{i}].id"),
                Text::VReserved,
                &[("value", p.id.clone())],
            );
        }
        c.id(&format!("pages[{i}].id"), &p.id, &mut page_ids);
    }
    for (i, p) in pages.iter().enumerate() {
        let at = format!("pages[{i}]");
        c.text(&format!("{at}.title"), &p.title, 1, PAGE_TITLE);
        if p.blocks.len() > BLOCKS {
            c.add(
                format!("{at}.blocks"),
                Text::VTooMany,
                &[("max", BLOCKS.to_string())],
            );
        }
        let mut block_ids = HashSet::new();
        for (j, b) in p.blocks.iter().enumerate() {
            let bat = format!("{at}.blocks[{j}]");
            c.id(&format!("{bat}.id"), &b.id, &mut block_ids);
            check_block(c, &bat, &b.kind, refs);
        }
    }
}

fn check_block(c: &mut Check, at: &str, kind: &BlockKind, refs: &Refs) {
    let field = |name: &str| format!("{at}.{name}");
    match kind {
        BlockKind::Banner { slides } => {
            if slides.is_empty() {
                c.add(field("slides"), Text::VRequired, &[]);
            }
            for (i, s) in slides.iter().enumerate() {
                // A slide is a picture, or a headline on the theme colour: never empty.
                if s.image.trim().is_empty() && s.title.trim().is_empty() {
                    c.add(field(&format!("slides[{i}].title")), Text::VRequired, &[]);
                }
                c.text(&field(&format!("slides[{i}].image")), &s.image, 0, 300);
                c.text(&field(&format!("slides[{i}].title")), &s.title, 0, SHORT);
                c.text(
                    &field(&format!("slides[{i}].subtitle")),
                    &s.subtitle,
                    0,
                    NAME,
                );
                if let Some(link) = &s.link {
                    c.reference(&field(&format!("slides[{i}].link")), &refs.pages, link);
                }
            }
        }
        BlockKind::RichText { title, paragraphs } => {
            c.text(&field("title"), title, 0, NAME);
            for (i, p) in paragraphs.iter().enumerate() {
                c.text(&field(&format!("paragraphs[{i}]")), p, 1, LONG);
            }
        }
        BlockKind::Image { image, caption } => {
            c.text(&field("image"), image, 1, 300);
            c.text(&field("caption"), caption, 0, NAME);
        }
        BlockKind::NoticeBar { text } => c.text(&field("text"), text, 1, 200),
        BlockKind::ProductGrid {
            title,
            category,
            columns,
        } => {
            c.text(&field("title"), title, 0, SHORT);
            if let Some(cat) = category {
                c.reference(&field("category"), &refs.categories, cat);
            }
            if !(2..=3).contains(columns) {
                c.range(&field("columns"), "2", "3");
            }
        }
        BlockKind::FeaturedProduct { product } => {
            c.reference(&field("product"), &refs.products, product)
        }
        BlockKind::BookingButton { label, service } => {
            c.text(&field("label"), label, 1, SHORT);
            if let Some(s) = service {
                c.reference(&field("service"), &refs.services, s);
            }
        }
        BlockKind::Gallery { title, columns } => {
            c.text(&field("title"), title, 0, SHORT);
            if !(2..=4).contains(columns) {
                c.range(&field("columns"), "2", "4");
            }
        }
        BlockKind::Spacer { height } => {
            if *height > 400 {
                c.range(&field("height"), "0", "400");
            }
        }
        BlockKind::LinkButton { label, page } => {
            c.text(&field("label"), label, 1, SHORT);
            c.reference(&field("page"), &refs.pages, page);
        }
        BlockKind::ProductList { title }
        | BlockKind::ServiceList { title }
        | BlockKind::OpeningHours { title }
        | BlockKind::LocationMap { title }
        | BlockKind::ContactCard { title } => c.text(&field("title"), title, 0, SHORT),
        BlockKind::Divider {} => {}
    }
}

fn check_tab_bar(c: &mut Check, tb: &TabBar, home: Option<&Page>, refs: &Refs) {
    if !(2..=5).contains(&tb.items.len()) {
        c.add("tab_bar.items", Text::VTabCount, &[]);
    }
    let mut seen = HashSet::new();
    for (i, item) in tb.items.iter().enumerate() {
        c.text(&format!("tab_bar.items[{i}].text"), &item.text, 1, TAB_TEXT);
        if !refs.pages.contains(item.page.as_str()) {
            c.add(
                format!("tab_bar.items[{i}].page"),
                Text::VUnknownRef,
                &[("value", item.page.clone())],
            );
        } else if !seen.insert(item.page.as_str()) {
            c.add(
                format!("tab_bar.items[{i}].page"),
                Text::VDuplicate,
                &[("value", item.page.clone())],
            );
        }
    }
    if let (Some(first), Some(home)) = (tb.items.first(), home) {
        if first.page != home.id && refs.pages.contains(first.page.as_str()) {
            c.add(
                "tab_bar.items[0].page",
                Text::VTabHome,
                &[("value", home.id.clone())],
            );
        }
    }
}

/// Reads a site from JSON, naming the path of whatever cannot be read: an unknown block type
/// (`pages[0].blocks[2].kind`) or a value of the wrong type (`data.products[1].price`).
/// Messages are in `lang`. Never falls back silently: a site that reads is exactly the JSON.
pub fn parse_site(json: &[u8], lang: Lang) -> Result<Site, Vec<Problem>> {
    let problem = |path: String, key: Text, args: &[(&str, String)]| Problem {
        path,
        message: lang.fill(key, args),
    };
    // The common case costs one parse: only a site that does not read is looked at again to
    // name what and where.
    if let Ok(site) = serde_json::from_slice::<Site>(json) {
        return Ok(site);
    }
    let value: serde_json::Value = serde_json::from_slice(json).map_err(|e| {
        vec![problem(
            String::new(),
            Text::VUnreadable,
            &[("detail", e.to_string())],
        )]
    })?;
    let mut unknown = Vec::new();
    let pages = value.get("pages").and_then(|p| p.as_array());
    for (i, page) in pages.into_iter().flatten().enumerate() {
        let blocks = page.get("blocks").and_then(|b| b.as_array());
        for (j, block) in blocks.into_iter().flatten().enumerate() {
            let Some(kind) = block.get("kind").and_then(|k| k.as_str()) else {
                continue;
            };
            if BlockType::from_name(kind).is_none() {
                let expected: Vec<&str> = BlockType::ALL.iter().map(|t| t.name()).collect();
                unknown.push(problem(
                    format!("pages[{i}].blocks[{j}].kind"),
                    Text::VUnknownBlock,
                    &[
                        ("value", kind.to_string()),
                        ("expected", expected.join(", ")),
                    ],
                ));
            }
        }
    }
    // Every part that does not read, each on its own, so one mistake does not hide the next.
    let mut problems = unknown;
    for (path, detail) in unreadable_parts(&value) {
        // An unknown block type is already said, better.
        if !problems
            .iter()
            .any(|p| path.starts_with(&p.path) || p.path.starts_with(&path))
        {
            problems.push(problem(path, Text::VUnreadable, &[("detail", detail)]));
        }
    }
    if problems.is_empty() {
        // Not expected (every part reads), but never silent: the whole site's first error.
        if let Err(e) = serde_path_to_error::deserialize::<_, Site>(&value) {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            problems.push(problem(
                path,
                Text::VUnreadable,
                &[("detail", e.inner().to_string())],
            ));
        }
    }
    match problems.is_empty() {
        true => serde_json::from_value(value).map_err(|e| {
            vec![problem(
                String::new(),
                Text::VUnreadable,
                &[("detail", e.to_string())],
            )]
        }),
        false => Err(problems),
    }
}

/// Each part of a site's JSON that does not read as its type, by path, with serde's reason:
/// every block, page, item of the merchant's lists, the theme, the tab bar and the top-level
/// fields, each read on its own.
fn unreadable_parts(value: &serde_json::Value) -> Vec<(String, String)> {
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    fn part<T: DeserializeOwned>(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
        if let Err(e) = serde_path_to_error::deserialize::<_, T>(v) {
            let inner = e.path().to_string();
            let path = match (at, inner.as_str()) {
                (at, ".") => at.to_string(),
                ("", inner) => inner.to_string(),
                (at, inner) if inner.starts_with('[') => format!("{at}{inner}"),
                (at, inner) => format!("{at}.{inner}"),
            };
            out.push((path, e.into_inner().to_string()));
        }
    }
    /// Each item of the list at `key` in `obj` as `T`; `obj` keeps an empty list there.
    fn items<T: DeserializeOwned>(
        obj: &mut serde_json::Map<String, Value>,
        key: &str,
        at: &str,
        out: &mut Vec<(String, String)>,
    ) {
        match obj.get_mut(key) {
            Some(Value::Array(list)) => {
                for (i, item) in list.iter().enumerate() {
                    part::<T>(item, &format!("{at}{key}[{i}]"), out);
                }
                list.clear();
            }
            Some(other) => {
                part::<Vec<T>>(other, &format!("{at}{key}"), out);
                *other = Value::Array(Vec::new());
            }
            None => {}
        }
    }
    let mut out = Vec::new();
    let Value::Object(top) = value else {
        part::<Site>(value, "", &mut out);
        return out;
    };
    let mut top = top.clone();
    if let Some(Value::Array(pages)) = top.get_mut("pages") {
        for (i, page) in pages.iter_mut().enumerate() {
            match page {
                Value::Object(p) => {
                    items::<Block>(p, "blocks", &format!("pages[{i}]."), &mut out);
                    part::<Page>(&Value::Object(p.clone()), &format!("pages[{i}]"), &mut out);
                }
                other => part::<Page>(other, &format!("pages[{i}]"), &mut out),
            }
        }
        pages.clear();
    }
    if let Some(Value::Object(data)) = top.get_mut("data") {
        items::<Category>(data, "categories", "data.", &mut out);
        items::<Product>(data, "products", "data.", &mut out);
        items::<Service>(data, "services", "data.", &mut out);
        items::<Staff>(data, "staff", "data.", &mut out);
        items::<String>(data, "gallery", "data.", &mut out);
        items::<String>(data, "notices", "data.", &mut out);
        for (key, read) in [
            ("hours", part::<Hours> as fn(&Value, &str, &mut Vec<_>)),
            ("location", part::<Location>),
            ("contact", part::<Contact>),
        ] {
            if let Some(v) = data.remove(key) {
                read(&v, &format!("data.{key}"), &mut out);
            }
        }
        part::<MerchantData>(&Value::Object(data.clone()), "data", &mut out);
        top.remove("data");
    }
    if let Some(theme) = top.get_mut("theme") {
        let before = out.len();
        part::<ThemeSettings>(theme, "theme", &mut out);
        if out.len() > before {
            // Said; a stand-in that reads, so the site's own fields are read next.
            let stand_in = ThemeSettings {
                template: super::ThemeKind::Shop,
                primary: "#000000".into(),
                accent: "#000000".into(),
                background: "#ffffff".into(),
                text: "#000000".into(),
                font_scale: 1.0,
                radius: 0,
            };
            *theme = serde_json::to_value(stand_in).unwrap_or_default();
        }
    }
    if let Some(tab_bar) = top.remove("tab_bar") {
        if !tab_bar.is_null() {
            part::<TabBar>(&tab_bar, "tab_bar", &mut out);
        }
    }
    part::<Site>(&Value::Object(top), "", &mut out);
    out
}
