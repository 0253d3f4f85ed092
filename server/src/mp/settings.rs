//! The merchant's rules for what its mini program takes, kept per site apart from the site
//! itself (`mp-settings/{site}`): changing them needs no new release. The mini program reads
//! them from `GET /mp/{site}/config`.
use crate::storage::{change_doc, Store, StoreError};
use serde::{Deserialize, Serialize};
use ulid::Ulid;

pub const SETTINGS: &str = "mp-settings";

/// The most a cancellation deadline may be: a week.
pub const MAX_CANCEL_BEFORE_MIN: u32 = 7 * 24 * 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// A customer may cancel a booking until this many minutes before it starts.
    #[serde(default = "default_cancel_before")]
    pub cancel_before_min: u32,
    /// Orders may ask for delivery (else pickup only).
    #[serde(default)]
    pub delivery: bool,
    /// The subscribe message template for an order's news (accepted, ready), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_template: Option<Template>,
    /// The subscribe message template for a booking's news (confirmed, cancelled), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_template: Option<Template>,
}

/// A subscribe message template the merchant picked in WeChat's admin, and which of its
/// keywords (`character_string1`, `phrase2`, …) carries what.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    /// (keyword, what fills it)
    pub fields: Vec<(String, Field)>,
}

/// What mpforge can put in a template's keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// A1001 / B1001
    Number,
    /// Accepted, Ready, Confirmed, Cancelled (in the site's language)
    Status,
    /// The products, or the service booked
    Items,
    /// ¥12.00
    Amount,
    /// When it was placed, or the booking's start
    Time,
    /// The shop's name
    Shop,
    /// The cancel reason, or what to do next
    Note,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Number,
        Field::Status,
        Field::Items,
        Field::Amount,
        Field::Time,
        Field::Shop,
        Field::Note,
    ];
}

fn default_cancel_before() -> u32 {
    120
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cancel_before_min: default_cancel_before(),
            delivery: false,
            order_template: None,
            booking_template: None,
        }
    }
}

/// The site's settings (the defaults until the merchant changes one).
pub async fn load(store: &dyn Store, site: Ulid) -> Result<Settings, StoreError> {
    match store.doc(SETTINGS, &site.to_string()).await? {
        Some(d) => d.read(),
        None => Ok(Settings::default()),
    }
}

/// Replaces the site's settings.
pub async fn save(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    new: Settings,
) -> Result<(), StoreError> {
    change_doc(
        store,
        SETTINGS,
        &site.to_string(),
        agency,
        |s: &mut Settings| {
            *s = new.clone();
            Ok::<(), StoreError>(())
        },
    )
    .await
}

/// A template id as WeChat gives them: letters, digits, `-` and `_`.
pub fn valid_template(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
