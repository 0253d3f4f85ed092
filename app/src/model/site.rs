//! A merchant's site as it is stored and sent: theme settings, pages of blocks, the tab bar,
//! and the merchant's own data (products, services, hours, location…). Wire types only: the block
//! catalogue is `blocks`, the rules are `validate` (`Site::validate`).
use super::theme::ThemeSettings;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

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

/// A block's content, by type: what site JSON holds (`"kind": "banner"` beside the fields).
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
    /// Minutes kept free after each booking (clean-up, notes) before the same staff member's
    /// next one.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub buffer_min: u16,
    pub price: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Staff ids who offer it; empty: anyone.
    #[serde(default)]
    pub staff: Vec<String>,
}

fn is_zero(n: &u16) -> bool {
    *n == 0
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
    /// Their own working days and hours, Monday first (seven entries), within the shop's;
    /// none: the shop's hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Vec<DayHours>>,
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

/// `1234` fen → `12.34`.
pub fn format_yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}
