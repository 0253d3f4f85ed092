//! What the generated mini programs call (`/mp/{site}`, docs/mp-api.md) and what comes of it:
//! which version of a site answers ([`live`]), when a service can be booked
//! ([`availability`]), holding a booking's time under any concurrency ([`hold`]), what an
//! order costs ([`pricing`]) and taking its stock under any concurrency ([`stock`]), orders
//! ([`orders`]) and bookings ([`bookings`]) with their numbers and states, the merchant's
//! rules for them ([`settings`]), the customers signed in through WeChat ([`customers`]), the
//! merchant's inbox over all of it ([`inbox`]) and the subscribe messages that tell customers
//! what became of their order or booking ([`notify`]).
pub mod availability;
pub mod bookings;
pub mod customers;
pub mod hold;
pub mod inbox;
pub mod live;
pub mod notify;
pub mod orders;
pub mod pricing;
pub mod settings;
pub mod stock;

use crate::storage::{Store, StoreError};
use app::i18n::Lang;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, UtcOffset};
use ulid::Ulid;

/// Mini programs serve mainland China: a shop's times are China Standard Time (UTC+8, no
/// daylight saving).
pub const SHOP_OFFSET_HOURS: i8 = 8;

/// Today in the shop and the minutes after its midnight.
pub fn shop_now() -> (Date, u32) {
    let offset = UtcOffset::from_hms(SHOP_OFFSET_HOURS, 0, 0).expect("a valid offset");
    let now = OffsetDateTime::now_utc().to_offset(offset);
    (
        now.date(),
        u32::from(now.hour()) * 60 + u32::from(now.minute()),
    )
}

/// Removes what a site's mini program took (orders, bookings, held days, stock counts, rules),
/// when the site itself goes for good.
pub async fn purge(store: &dyn Store, site: Ulid) -> Result<(), StoreError> {
    for kind in [orders::ORDER, bookings::BOOKING, hold::DAY, stock::STOCK] {
        for d in store.docs(kind, &format!("{site}/"), usize::MAX).await? {
            store.delete_doc(kind, &d.key).await?;
        }
    }
    store
        .delete_doc(settings::SETTINGS, &site.to_string())
        .await
}

/// A customer-facing text in the site's language.
pub fn say(lang: Lang, en: &str, zh: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        _ => en.to_string(),
    }
}

const SEQ: &str = "mp-seq";

/// A merchant's order and booking numbers so far (one counter for all of its sites), and how
/// many times anything in its inbox changed (the stamp the open inbox polls).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Seq {
    #[serde(default)]
    orders: u64,
    #[serde(default)]
    bookings: u64,
    #[serde(default)]
    changes: u64,
}

/// Numbers start here, so the first order reads like a shop's (A1001), not like a test (A1).
const FIRST: u64 = 1001;

/// The merchant's next order (`orders`) or booking number, counted in one atomic step
/// ([`Store::count_in_doc`]): two nodes never hand out one number twice.
pub async fn next_number(
    store: &dyn Store,
    agency: Ulid,
    merchant: Ulid,
    orders: bool,
) -> Result<u64, StoreError> {
    let field = if orders { "orders" } else { "bookings" };
    store
        .count_in_doc(SEQ, &merchant.to_string(), agency, field, 1, FIRST - 1)
        .await
}

/// Notes that something in the merchant's inbox changed (an order or booking moved on, a
/// message sent), so an open inbox brings it in.
pub async fn touch(store: &dyn Store, agency: Ulid, merchant: Ulid) -> Result<(), StoreError> {
    store
        .count_in_doc(SEQ, &merchant.to_string(), agency, "changes", 1, 0)
        .await
        .map(|_| ())
}

/// How many times the merchant's inbox changed: a single small read.
pub async fn changes(store: &dyn Store, merchant: Ulid) -> Result<u64, StoreError> {
    Ok(match store.doc(SEQ, &merchant.to_string()).await? {
        Some(d) => d.read::<Seq>()?.changes,
        None => 0,
    })
}

/// A change of state, who made it and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub status: String,
    pub at: String,
    /// `customer` or `merchant`.
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Who acts on an order or a booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Merchant,
    Customer,
}

impl Change {
    /// `status` now, by `by`, for `reason`.
    pub fn now(status: &str, by: By, reason: Option<&str>) -> Change {
        Change {
            status: status.into(),
            at: crate::storage::now_rfc3339(),
            by: match by {
                By::Merchant => "merchant",
                By::Customer => "customer",
            }
            .into(),
            reason: reason.map(str::to_string),
        }
    }
}

/// A cancel's reason as typed, trimmed: the merchant must give one (the customer reads it,
/// `en`/`zh` say so), and it is at most 200 characters.
pub fn check_reason<'a>(
    reason: Option<&'a str>,
    required: bool,
    lang: Lang,
    en: &str,
    zh: &str,
) -> Result<Option<&'a str>, Refused> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if required && reason.is_none() {
        return Err(Refused::field("reason", say(lang, en, zh)));
    }
    if reason.is_some_and(|r| r.chars().count() > orders::MAX_NOTE) {
        return Err(Refused::field(
            "reason",
            say(
                lang,
                "The reason can be at most 200 characters.",
                "原因最多 200 个字。",
            ),
        ));
    }
    Ok(reason)
}

/// Writes `value` as document `kind`/`key` over revision `rev`: false when another writer got
/// there first (read again and decide again).
pub async fn put_at<T: Serialize>(
    store: &dyn Store,
    kind: &str,
    key: &str,
    agency: Ulid,
    rev: u64,
    value: &T,
) -> Result<bool, StoreError> {
    let body = serde_json::to_value(value).map_err(StoreError::Encode)?;
    match store
        .put_doc(
            &crate::storage::Doc::new(kind, key, agency, body),
            crate::storage::Expect::Rev(rev),
        )
        .await
    {
        Ok(_) => Ok(true),
        Err(StoreError::Stale) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A subscribe message to the customer about an order or a booking: when, for what, and
/// WeChat's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub at: String,
    /// The state it told of (`accepted`, `confirmed`, …).
    pub event: String,
    pub ok: bool,
    /// Why it was not sent (in English and Chinese), if it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<app::model::publish::Bilingual>,
}

/// A name and a phone as a customer typed them, checked: which field is wrong and why, in the
/// site's language.
pub fn check_contact(lang: Lang, name: &str, phone: &str) -> Result<(), (&'static str, String)> {
    let name = name.trim();
    if name.is_empty() {
        return Err(("name", say(lang, "Please enter your name.", "请填写姓名。")));
    }
    if name.chars().count() > 40 {
        return Err((
            "name",
            say(
                lang,
                "Your name can be at most 40 characters.",
                "姓名最多 40 个字。",
            ),
        ));
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let plain = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'));
    if !plain || !(5..=20).contains(&digits) || phone.len() > 30 {
        return Err((
            "phone",
            say(
                lang,
                "Please enter a phone number (digits, spaces, + and - only).",
                "请填写电话号码(只能包含数字、空格、+ 和 -)。",
            ),
        ));
    }
    Ok(())
}

/// Why a request is refused: its status, a code the mini program can act on, the field at
/// fault, a message in the site's language shown to the customer as it is, and details (the
/// new prices of `price_changed`).
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    pub status: u16,
    pub code: &'static str,
    pub field: Option<String>,
    pub message: String,
    pub detail: Option<serde_json::Value>,
}

impl Refused {
    pub fn new(status: u16, code: &'static str, message: String) -> Refused {
        Refused {
            status,
            code,
            field: None,
            message,
            detail: None,
        }
    }

    /// 422 for `field`.
    pub fn field(field: impl Into<String>, message: String) -> Refused {
        Refused {
            field: Some(field.into()),
            ..Refused::new(422, "invalid", message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MpError {
    #[error("refused: {}", .0.message)]
    Refused(Refused),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Refused> for MpError {
    fn from(r: Refused) -> Self {
        MpError::Refused(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::embedded::SledStore;

    #[tokio::test]
    async fn numbers_start_like_a_shop_s_and_orders_and_bookings_count_apart() {
        let store = SledStore::temporary().unwrap();
        let (agency, merchant) = (Ulid::new(), Ulid::new());
        assert_eq!(
            next_number(&store, agency, merchant, true).await.unwrap(),
            1001
        );
        assert_eq!(
            next_number(&store, agency, merchant, true).await.unwrap(),
            1002
        );
        assert_eq!(
            next_number(&store, agency, merchant, false).await.unwrap(),
            1001
        );
        let other = Ulid::new();
        assert_eq!(
            next_number(&store, agency, other, true).await.unwrap(),
            1001
        );
    }

    #[test]
    fn a_contact_names_the_field_that_is_wrong_in_the_site_s_language() {
        assert!(check_contact(Lang::En, "Li Wei", "138 0000 0000").is_ok());
        let (field, msg) = check_contact(Lang::Zh, " ", "138").unwrap_err();
        assert_eq!(field, "name");
        assert_eq!(msg, "请填写姓名。");
        let (field, _) = check_contact(Lang::En, "Li", "12ab5678").unwrap_err();
        assert_eq!(field, "phone");
        let (field, _) = check_contact(Lang::En, "Li", "123").unwrap_err();
        assert_eq!(field, "phone");
    }
}
