//! A site's look: which of the built-in themes it starts from ([`ThemeKind`], picked with its
//! starter when the site is created) and the settings a merchant adjusts ([`ThemeSettings`]).
use crate::i18n::{Lang, Text};
use serde::{Deserialize, Serialize};

/// The three starting points a merchant can pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ThemeKind {
    Shop,
    Booking,
    Info,
}

impl ThemeKind {
    pub const ALL: [ThemeKind; 3] = [ThemeKind::Shop, ThemeKind::Booking, ThemeKind::Info];

    pub fn slug(self) -> &'static str {
        match self {
            ThemeKind::Shop => "shop",
            ThemeKind::Booking => "booking",
            ThemeKind::Info => "info",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ThemeKind> {
        ThemeKind::ALL.into_iter().find(|t| t.slug() == slug)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        lang.t(match self {
            ThemeKind::Shop => Text::TemplateShop,
            ThemeKind::Booking => Text::TemplateBooking,
            ThemeKind::Info => Text::TemplateInfo,
        })
    }

    pub fn description(self, lang: Lang) -> &'static str {
        lang.t(match self {
            ThemeKind::Shop => Text::TemplateShopDesc,
            ThemeKind::Booking => Text::TemplateBookingDesc,
            ThemeKind::Info => Text::TemplateInfoDesc,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ThemeSettings {
    pub template: ThemeKind,
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
