//! The block catalogue: every kind of block a page can hold, in one place (the content of each,
//! [`BlockKind`], is a wire type of the site format). For each [`BlockType`]: its name in site JSON, its label in both languages, its place in the palette,
//! the block a merchant gets when adding one, which merchant data its panel edits, its summary
//! in the outline, and so where a problem's path leads. The editor, validation and the generator
//! read it; every `match` on a type or kind here and in the panels, the validation and the
//! generator's view model is exhaustive, so a new type is a compile error until each handles it.
use super::site::{Block, BlockKind, Site, Slide};
use crate::i18n::{Lang, Text};

/// A kind of block, without its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockType {
    Banner,
    RichText,
    Image,
    NoticeBar,
    ProductGrid,
    ProductList,
    FeaturedProduct,
    ServiceList,
    BookingButton,
    OpeningHours,
    LocationMap,
    ContactCard,
    Gallery,
    Spacer,
    Divider,
    LinkButton,
}

/// A section of the merchant's data (`data.products`, `data.hours`…) that a block's panel edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataSection {
    Products,
    Categories,
    Services,
    Staff,
    Hours,
    Location,
    Contact,
    Gallery,
}

impl DataSection {
    /// The section a path into merchant data starts with: `data.products[3].name` → Products.
    pub fn of_path(path: &str) -> Option<DataSection> {
        let rest = path.strip_prefix("data.")?;
        Some(match rest.split(['.', '[']).next().unwrap_or(rest) {
            "products" => DataSection::Products,
            "categories" => DataSection::Categories,
            "services" => DataSection::Services,
            "staff" => DataSection::Staff,
            "hours" => DataSection::Hours,
            "location" => DataSection::Location,
            "contact" => DataSection::Contact,
            "gallery" => DataSection::Gallery,
            _ => return None,
        })
    }
}

impl BlockType {
    /// Every type, in the palette's order.
    pub const ALL: [BlockType; 16] = [
        BlockType::Banner,
        BlockType::RichText,
        BlockType::Image,
        BlockType::NoticeBar,
        BlockType::ProductGrid,
        BlockType::ProductList,
        BlockType::FeaturedProduct,
        BlockType::ServiceList,
        BlockType::BookingButton,
        BlockType::OpeningHours,
        BlockType::LocationMap,
        BlockType::ContactCard,
        BlockType::Gallery,
        BlockType::Spacer,
        BlockType::Divider,
        BlockType::LinkButton,
    ];

    /// The name in site JSON (`"kind"`), in block ids and in the theme's templates.
    pub fn name(self) -> &'static str {
        match self {
            BlockType::Banner => "banner",
            BlockType::RichText => "rich_text",
            BlockType::Image => "image",
            BlockType::NoticeBar => "notice_bar",
            BlockType::ProductGrid => "product_grid",
            BlockType::ProductList => "product_list",
            BlockType::FeaturedProduct => "featured_product",
            BlockType::ServiceList => "service_list",
            BlockType::BookingButton => "booking_button",
            BlockType::OpeningHours => "opening_hours",
            BlockType::LocationMap => "location_map",
            BlockType::ContactCard => "contact_card",
            BlockType::Gallery => "gallery",
            BlockType::Spacer => "spacer",
            BlockType::Divider => "divider",
            BlockType::LinkButton => "link_button",
        }
    }

    pub fn from_name(name: &str) -> Option<BlockType> {
        BlockType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// What the merchant calls it (palette, outline, panel title).
    pub fn label(self) -> Text {
        match self {
            BlockType::Banner => Text::BlockBanner,
            BlockType::RichText => Text::BlockRichText,
            BlockType::Image => Text::BlockImage,
            BlockType::NoticeBar => Text::BlockNoticeBar,
            BlockType::ProductGrid => Text::BlockProductGrid,
            BlockType::ProductList => Text::BlockProductList,
            BlockType::FeaturedProduct => Text::BlockFeaturedProduct,
            BlockType::ServiceList => Text::BlockServiceList,
            BlockType::BookingButton => Text::BlockBookingButton,
            BlockType::OpeningHours => Text::BlockOpeningHours,
            BlockType::LocationMap => Text::BlockLocationMap,
            BlockType::ContactCard => Text::BlockContactCard,
            BlockType::Gallery => Text::BlockGallery,
            BlockType::Spacer => Text::BlockSpacer,
            BlockType::Divider => Text::BlockDivider,
            BlockType::LinkButton => Text::BlockLinkButton,
        }
    }

    /// The merchant data this type's panel edits, in the order the panel shows the editors.
    pub fn edits(self) -> &'static [DataSection] {
        use DataSection::*;
        match self {
            BlockType::ProductGrid | BlockType::ProductList => &[Products, Categories],
            BlockType::FeaturedProduct => &[Products],
            BlockType::ServiceList | BlockType::BookingButton => &[Services, Staff],
            BlockType::OpeningHours => &[Hours],
            BlockType::LocationMap => &[Location],
            BlockType::ContactCard => &[Contact],
            BlockType::Gallery => &[Gallery],
            BlockType::Banner
            | BlockType::RichText
            | BlockType::Image
            | BlockType::NoticeBar
            | BlockType::Spacer
            | BlockType::Divider
            | BlockType::LinkButton => &[],
        }
    }

    /// The types whose panel edits `section`, in palette order.
    pub fn editing(section: DataSection) -> impl Iterator<Item = BlockType> {
        BlockType::ALL
            .into_iter()
            .filter(move |t| t.edits().contains(&section))
    }

    /// The content a new block of this type starts with on page `page` of `site`; `None` when
    /// the site has nothing it could show yet (a featured product without products).
    pub fn default_kind(self, site: &Site, page: usize, lang: Lang) -> Option<BlockKind> {
        let sample = || lang.t(Text::SampleText).to_string();
        Some(match self {
            BlockType::Banner => BlockKind::Banner {
                slides: vec![Slide {
                    title: site.name.clone(),
                    ..Slide::default()
                }],
            },
            BlockType::RichText => BlockKind::RichText {
                title: String::new(),
                paragraphs: vec![sample()],
            },
            BlockType::Image => BlockKind::Image {
                image: String::new(),
                caption: String::new(),
            },
            BlockType::NoticeBar => BlockKind::NoticeBar { text: sample() },
            BlockType::ProductGrid => BlockKind::ProductGrid {
                title: String::new(),
                category: None,
                columns: 2,
            },
            BlockType::ProductList => BlockKind::ProductList {
                title: String::new(),
            },
            BlockType::FeaturedProduct => BlockKind::FeaturedProduct {
                product: site.data.products.first()?.id.clone(),
            },
            BlockType::ServiceList => BlockKind::ServiceList {
                title: String::new(),
            },
            BlockType::BookingButton => BlockKind::BookingButton {
                label: lang.t(Text::BookNow).into(),
                service: None,
            },
            BlockType::OpeningHours => BlockKind::OpeningHours {
                title: String::new(),
            },
            BlockType::LocationMap => BlockKind::LocationMap {
                title: String::new(),
            },
            BlockType::ContactCard => BlockKind::ContactCard {
                title: String::new(),
            },
            BlockType::Gallery => BlockKind::Gallery {
                title: String::new(),
                columns: 3,
            },
            BlockType::Spacer => BlockKind::Spacer { height: 40 },
            BlockType::Divider => BlockKind::Divider {},
            BlockType::LinkButton => {
                let other_page = site
                    .pages
                    .iter()
                    .enumerate()
                    .find(|(i, _)| *i != page)
                    .or_else(|| site.pages.iter().enumerate().nth(page))
                    .map(|(_, p)| p.id.clone())?;
                BlockKind::LinkButton {
                    label: lang.t(Text::MoreInfo).into(),
                    page: other_page,
                }
            }
        })
    }
}

impl BlockKind {
    pub fn block_type(&self) -> BlockType {
        match self {
            BlockKind::Banner { .. } => BlockType::Banner,
            BlockKind::RichText { .. } => BlockType::RichText,
            BlockKind::Image { .. } => BlockType::Image,
            BlockKind::NoticeBar { .. } => BlockType::NoticeBar,
            BlockKind::ProductGrid { .. } => BlockType::ProductGrid,
            BlockKind::ProductList { .. } => BlockType::ProductList,
            BlockKind::FeaturedProduct { .. } => BlockType::FeaturedProduct,
            BlockKind::ServiceList { .. } => BlockType::ServiceList,
            BlockKind::BookingButton { .. } => BlockType::BookingButton,
            BlockKind::OpeningHours { .. } => BlockType::OpeningHours,
            BlockKind::LocationMap { .. } => BlockType::LocationMap,
            BlockKind::ContactCard { .. } => BlockType::ContactCard,
            BlockKind::Gallery { .. } => BlockType::Gallery,
            BlockKind::Spacer { .. } => BlockType::Spacer,
            BlockKind::Divider {} => BlockType::Divider,
            BlockKind::LinkButton { .. } => BlockType::LinkButton,
        }
    }

    /// The name in site JSON (`banner`, `rich_text`…).
    pub fn name(&self) -> &'static str {
        self.block_type().name()
    }

    /// A short description of the block for the outline (at most 40 characters).
    pub fn summary(&self) -> String {
        let text = match self {
            BlockKind::Banner { slides } => {
                slides.first().map(|s| s.title.clone()).unwrap_or_default()
            }
            BlockKind::RichText { title, paragraphs } => {
                if title.is_empty() {
                    paragraphs.first().cloned().unwrap_or_default()
                } else {
                    title.clone()
                }
            }
            BlockKind::Image { caption, .. } => caption.clone(),
            BlockKind::NoticeBar { text } => text.clone(),
            BlockKind::ProductGrid { title, .. }
            | BlockKind::ProductList { title }
            | BlockKind::ServiceList { title }
            | BlockKind::OpeningHours { title }
            | BlockKind::LocationMap { title }
            | BlockKind::ContactCard { title }
            | BlockKind::Gallery { title, .. } => title.clone(),
            BlockKind::FeaturedProduct { product } => product.clone(),
            BlockKind::BookingButton { label, .. } | BlockKind::LinkButton { label, .. } => {
                label.clone()
            }
            BlockKind::Spacer { height } => format!("{height}"),
            BlockKind::Divider {} => String::new(),
        };
        text.chars().take(40).collect()
    }
}

/// A block id not used on the page yet: `banner-1`, `banner-2`…
pub fn fresh_block_id(site: &Site, page: usize, ty: BlockType) -> String {
    let taken = |id: &str| {
        site.pages
            .get(page)
            .is_some_and(|p| p.blocks.iter().any(|b| b.id == id))
    };
    (1..)
        .map(|n| format!("{}-{n}", ty.name()))
        .find(|id| !taken(id))
        .expect("some id is free")
}

/// A new block of type `ty` for page `page`, with sensible content for this site.
pub fn new_block(site: &Site, page: usize, ty: BlockType, lang: Lang) -> Option<Block> {
    let kind = ty.default_kind(site, page, lang)?;
    Some(Block {
        id: fresh_block_id(site, page, ty),
        hidden: false,
        kind,
    })
}

/// The index right after `prefix` at the start of `path`: 3 for `data.products[` in
/// `data.products[3].name`.
pub fn index_after(path: &str, prefix: &str) -> Option<usize> {
    path.strip_prefix(prefix)?.split(']').next()?.parse().ok()
}

/// Where the field at `path` (a problem's path) is edited: the page to show and the block to
/// select (`None`: the page, site, theme and tab bar panels). `Err(type)` when the path is
/// merchant data that no block on any page shows: a block of that type must be added first.
pub fn place_of(
    site: &Site,
    current: usize,
    path: &str,
) -> Result<(usize, Option<String>), BlockType> {
    if path.starts_with("pages[") {
        let Some(page) = index_after(path, "pages[").filter(|&p| p < site.pages.len()) else {
            return Ok((current, None));
        };
        let block = path
            .split_once("].")
            .and_then(|(_, rest)| index_after(rest, "blocks["))
            .and_then(|b| site.pages[page].blocks.get(b))
            .map(|b| b.id.clone());
        return Ok((page, block));
    }
    let Some(section) = DataSection::of_path(path) else {
        return Ok((current, None));
    };
    let on = |p: usize| {
        site.pages.get(p).and_then(|pg| {
            pg.blocks
                .iter()
                .find(|b| b.kind.block_type().edits().contains(&section))
                .map(|b| (p, Some(b.id.clone())))
        })
    };
    on(current)
        .or_else(|| (0..site.pages.len()).find_map(on))
        .ok_or_else(|| {
            BlockType::editing(section)
                .next()
                .expect("every data section has a block that edits it")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starter(json: &str) -> Site {
        serde_json::from_str(json).unwrap()
    }

    fn booking() -> Site {
        starter(include_str!("../../../themes/booking/starter.en.json"))
    }

    fn shop() -> Site {
        starter(include_str!("../../../themes/shop/starter.en.json"))
    }

    #[test]
    fn problems_lead_to_the_panel_that_fixes_them() {
        let site = booking();
        let at = |current, path| place_of(&site, current, path).map_err(BlockType::name);
        let block = |page, id: &str| Ok((page, Some(id.to_string())));
        // A block's field: its page, the block selected.
        assert_eq!(at(0, "pages[1].blocks[2].title"), block(1, "contact"));
        // A page's own field: that page, nothing selected (the page panel shows).
        assert_eq!(at(0, "pages[1].title"), Ok((1, None)));
        // Merchant data: the block whose panel edits it, on this page first, else the first.
        assert_eq!(at(0, "data.services[0].name"), block(0, "book"));
        assert_eq!(at(0, "data.staff[1].name"), block(0, "book"));
        assert_eq!(at(0, "data.hours.weekly[2].close"), block(1, "hours"));
        assert_eq!(at(1, "data.location.latitude"), block(1, "map"));
        // Site, theme and tab bar fields: the panels shown with nothing selected.
        assert_eq!(at(1, "theme.primary"), Ok((1, None)));
        assert_eq!(at(0, "tab_bar.items[1].text"), Ok((0, None)));
        // Data no block shows: which block to add.
        assert_eq!(at(0, "data.products[0].name"), Err("product_grid"));
        assert_eq!(at(0, "data.gallery[3]"), Err("gallery"));
    }

    /// One test per catalogue entry: its name reads back, its label exists in both languages,
    /// its default block is valid on a real site in both languages and has a summary, and every
    /// data section it edits leads problems back to it.
    fn check_entry(ty: BlockType) {
        assert_eq!(BlockType::from_name(ty.name()), Some(ty), "{ty:?}");
        for lang in Lang::ALL {
            assert!(
                !lang.t(ty.label()).trim().is_empty(),
                "{ty:?} label in {lang:?}"
            );
            let mut site = shop();
            let block = new_block(&site, 0, ty, lang).expect("the shop starter can hold any block");
            assert_eq!(block.kind.block_type(), ty);
            assert!(block.id.starts_with(ty.name()), "{}", block.id);
            let summary = block.kind.summary();
            assert!(summary.chars().count() <= 40, "{summary}");
            let has_text = matches!(
                ty,
                BlockType::Banner
                    | BlockType::RichText
                    | BlockType::NoticeBar
                    | BlockType::FeaturedProduct
                    | BlockType::BookingButton
                    | BlockType::Spacer
                    | BlockType::LinkButton
            );
            assert_eq!(!summary.is_empty(), has_text, "{ty:?} summary {summary:?}");
            let json = serde_json::to_value(&block).unwrap();
            assert_eq!(json["kind"], ty.name(), "the JSON name is the catalogue's");
            site.pages[0].blocks.push(block);
            // An image block starts without its picture: the merchant must pick one.
            let problems: Vec<_> = site
                .validate(lang)
                .into_iter()
                .filter(|p| !(ty == BlockType::Image && p.path.ends_with(".image")))
                .collect();
            assert!(problems.is_empty(), "{ty:?} in {lang:?}: {problems:?}");
        }
        for &section in ty.edits() {
            assert!(BlockType::editing(section).any(|t| t == ty));
        }
    }

    macro_rules! entry_tests {
        ($($name:ident => $ty:ident,)*) => {
            $(#[test] fn $name() { check_entry(BlockType::$ty); })*

            #[test]
            fn every_type_has_its_test() {
                let tested = [$(BlockType::$ty),*];
                assert_eq!(tested, BlockType::ALL);
            }
        };
    }

    entry_tests! {
        banner => Banner,
        rich_text => RichText,
        image => Image,
        notice_bar => NoticeBar,
        product_grid => ProductGrid,
        product_list => ProductList,
        featured_product => FeaturedProduct,
        service_list => ServiceList,
        booking_button => BookingButton,
        opening_hours => OpeningHours,
        location_map => LocationMap,
        contact_card => ContactCard,
        gallery => Gallery,
        spacer => Spacer,
        divider => Divider,
        link_button => LinkButton,
    }

    #[test]
    fn an_unknown_block_type_is_refused_with_its_path() {
        let mut json: serde_json::Value = serde_json::to_value(booking()).unwrap();
        json["pages"][1]["blocks"][2]["kind"] = "bannr".into();
        let bytes = serde_json::to_vec(&json).unwrap();
        let problems = crate::model::validate::parse_site(&bytes, Lang::En).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, "pages[1].blocks[2].kind");
        assert!(
            problems[0]
                .message
                .contains("\"bannr\" is not a block type"),
            "{problems:?}"
        );
        assert!(
            problems[0].message.contains("banner, rich_text"),
            "{problems:?}"
        );
        let zh = crate::model::validate::parse_site(&bytes, Lang::Zh).unwrap_err();
        assert!(zh[0].message.contains("不是区块类型"), "{zh:?}");
        // A value of the wrong type is named by its path too.
        let mut json: serde_json::Value = serde_json::to_value(booking()).unwrap();
        json["data"]["services"][0]["price"] = "cheap".into();
        let bytes = serde_json::to_vec(&json).unwrap();
        let problems = crate::model::validate::parse_site(&bytes, Lang::En).unwrap_err();
        assert_eq!(problems[0].path, "data.services[0].price", "{problems:?}");
        // Every mistake is named, not only the first.
        let mut json: serde_json::Value = serde_json::to_value(booking()).unwrap();
        json["data"]["services"][1]["price"] = "cheap".into();
        json["data"]["staff"][0]["name"] = 7.into();
        json["pages"][0]["blocks"][1]["kind"] = "bannr".into();
        json["pages"][1]["title"] = serde_json::Value::Null;
        json["theme"]["radius"] = "round".into();
        json["name"] = true.into();
        let bytes = serde_json::to_vec(&json).unwrap();
        let problems = crate::model::validate::parse_site(&bytes, Lang::En).unwrap_err();
        let mut paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                "data.services[1].price",
                "data.staff[0].name",
                "name",
                "pages[0].blocks[1].kind",
                "pages[1].title",
                "theme.radius"
            ],
            "{problems:?}"
        );
        // And a site that reads is exactly its JSON.
        let bytes = serde_json::to_vec(&booking()).unwrap();
        assert_eq!(
            crate::model::validate::parse_site(&bytes, Lang::En),
            Ok(booking())
        );
    }
}
