//! Subscribe messages to customers (`/cgi-bin/message/subscribe/send` with the mini
//! program's authorizer token): an order accepted or ready, a booking confirmed or cancelled.
//! Only to a signed-in customer (WeChat needs the openid), only when the merchant picked a
//! template, and only as many as the customer accepted in the mini program (WeChat refuses the
//! rest with 43101). Sent after the merchant's click has been answered; what WeChat said is kept
//! on the order or booking for the merchant to see.
use super::bookings::{Booking, BOOKING};
use super::orders::{Order, ORDER};
use super::settings::{self, Field, Template};
use super::{inbox, Notice};
use crate::storage::{now_rfc3339, Doc, Expect, SharedStore, Store, StoreError};
use crate::wechat::client::customers::SubscribeMessage;
use crate::wechat::tokens::Wx;
use crate::wechat::{platform, tokens};
use app::i18n::Lang;
use app::model::publish::Bilingual;
use std::sync::Arc;
use ulid::Ulid;

/// WeChat's longest `thing` value: longer texts are cut.
const MAX_VALUE: usize = 20;

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_VALUE {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX_VALUE - 1).collect();
        out.push('…');
        out
    }
}

fn status_word(event: &str, lang: Lang) -> &'static str {
    match (event, lang) {
        ("accepted", Lang::Zh) => "已接单",
        ("ready", Lang::Zh) => "已备好",
        ("confirmed", Lang::Zh) => "已确认",
        ("cancelled", Lang::Zh) => "已取消",
        ("accepted", _) => "Accepted",
        ("ready", _) => "Ready",
        ("confirmed", _) => "Confirmed",
        ("cancelled", _) => "Cancelled",
        _ => "",
    }
}

/// What each field of a message says.
pub struct Facts {
    pub number: String,
    pub items: String,
    pub amount: u64,
    pub time: String,
    pub shop: String,
    pub note: String,
}

fn data(t: &Template, f: &Facts, event: &str, lang: Lang) -> Vec<(String, String)> {
    t.fields
        .iter()
        .map(|(keyword, field)| {
            let value = match field {
                Field::Number => f.number.clone(),
                Field::Status => status_word(event, lang).to_string(),
                Field::Items => f.items.clone(),
                Field::Amount => format!("¥{}.{:02}", f.amount / 100, f.amount % 100),
                Field::Time => f.time.clone(),
                Field::Shop => f.shop.clone(),
                Field::Note => f.note.clone(),
            };
            (keyword.clone(), cut(&value))
        })
        .collect()
}

/// Sends one message; why not, in both languages.
#[allow(clippy::too_many_arguments)]
async fn send(
    store: &dyn Store,
    wx: &Wx,
    agency: Ulid,
    site: Ulid,
    openid: &str,
    template: &Template,
    facts: &Facts,
    event: &str,
    page: &str,
    test: bool,
    lang: Lang,
) -> Result<(), Bilingual> {
    let not_connected = || {
        Bilingual::new(
            "the mini program is not connected to WeChat",
            "小程序尚未接入微信",
        )
    };
    let p = platform::open(store, &wx.sbox, agency)
        .await
        .map_err(|e| Bilingual::new(e.message(Lang::En), e.message(Lang::Zh)))?
        .ok_or_else(not_connected)?;
    let conn = platform::connection(store, site)
        .await
        .map_err(|e| Bilingual::new(e.to_string(), e.to_string()))?
        .filter(|c| c.connected)
        .ok_or_else(not_connected)?;
    let message = SubscribeMessage {
        touser: openid.to_string(),
        template_id: template.id.clone(),
        page: page.to_string(),
        data: data(template, facts, event, lang),
        // A test order came from the trial version: the message opens that one.
        state: if test { "trial" } else { "formal" },
        lang: match lang {
            Lang::Zh => "zh_CN",
            _ => "en_US",
        },
    };
    tokens::with_authorizer(store, wx, &p, &conn.appid, |t| {
        let message = &message;
        async move { wx.client.send_subscribe(&t, message).await }
    })
    .await
    .map_err(|e| Bilingual::new(e.message(Lang::En), e.message(Lang::Zh)))
}

/// Appends `notice` to the document `kind`/`key` (an order or a booking), by compare-and-swap.
async fn keep(
    store: &dyn Store,
    kind: &str,
    key: &str,
    agency: Ulid,
    notice: Notice,
) -> Result<(), StoreError> {
    loop {
        let Some(doc) = store.doc(kind, key).await? else {
            return Ok(());
        };
        let mut body = doc.body.clone();
        let list = body
            .as_object_mut()
            .map(|o| o.entry("notices").or_insert(serde_json::json!([])));
        if let Some(serde_json::Value::Array(list)) = list {
            list.push(serde_json::to_value(&notice).map_err(StoreError::Encode)?);
        }
        match store
            .put_doc(&Doc::new(kind, key, agency, body), Expect::Rev(doc.rev))
            .await
        {
            Ok(_) => return Ok(()),
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// What a message tells of: an order or a booking, where it is kept and what it says.
struct About {
    kind: &'static str,
    key: String,
    site: Ulid,
    merchant: Ulid,
    openid: String,
    test: bool,
    page: &'static str,
    facts: Facts,
    template: fn(settings::Settings) -> Option<Template>,
}

/// Tells the customer of `o` it is `event` (accepted, ready), in the background.
pub fn order(
    store: &SharedStore,
    wx: &Arc<Wx>,
    agency: Ulid,
    o: &Order,
    event: &'static str,
    lang: Lang,
) {
    let Some(openid) = o.customer.clone() else {
        return;
    };
    let about = About {
        kind: ORDER,
        key: format!("{}/{}", o.site, o.client_order_id),
        site: o.site,
        merchant: o.merchant,
        openid,
        test: o.test,
        page: "pages/orders/index",
        facts: Facts {
            number: o.order_id.clone(),
            items: o
                .lines
                .iter()
                .map(|l| format!("{}×{}", l.name, l.quantity))
                .collect::<Vec<_>>()
                .join(" "),
            amount: o.total,
            time: inbox::shop_time(&o.created_at),
            shop: String::new(),
            note: o
                .history
                .last()
                .and_then(|c| c.reason.clone())
                .unwrap_or_default(),
        },
        template: |s| s.order_template,
    };
    spawn(store, wx, agency, about, event, lang);
}

/// Tells the customer of booking `b` it is `event` (confirmed, cancelled), in the background.
pub fn booking(
    store: &SharedStore,
    wx: &Arc<Wx>,
    agency: Ulid,
    b: &Booking,
    event: &'static str,
    lang: Lang,
) {
    let Some(openid) = b.customer.clone() else {
        return;
    };
    let about = About {
        kind: BOOKING,
        key: format!("{}/{}", b.site, b.id),
        site: b.site,
        merchant: b.merchant,
        openid,
        test: b.test,
        page: "pages/bookings/index",
        facts: Facts {
            number: b.booking_id.clone(),
            items: b.service_name.clone(),
            amount: b.price,
            time: format!("{} {}", b.date, b.time),
            shop: String::new(),
            note: b
                .history
                .last()
                .and_then(|c| c.reason.clone())
                .unwrap_or_default(),
        },
        template: |s| s.booking_template,
    };
    spawn(store, wx, agency, about, event, lang);
}

/// Sends the message if the merchant picked a template, keeps WeChat's answer on the order or
/// booking, and tells the open inbox.
fn spawn(
    store: &SharedStore,
    wx: &Arc<Wx>,
    agency: Ulid,
    mut about: About,
    event: &'static str,
    lang: Lang,
) {
    let (store, wx) = (store.clone(), wx.clone());
    tokio::spawn(async move {
        let store = &*store;
        let Ok(rules) = settings::load(store, about.site).await else {
            return;
        };
        let Some(template) = (about.template)(rules) else {
            return;
        };
        about.facts.shop = store
            .site(about.site)
            .await
            .ok()
            .flatten()
            .map(|s| s.name)
            .unwrap_or_default();
        let sent = send(
            store,
            &wx,
            agency,
            about.site,
            &about.openid,
            &template,
            &about.facts,
            event,
            about.page,
            about.test,
            lang,
        )
        .await;
        if let Err(e) = &sent {
            tracing::warn!(number = %about.facts.number, error = %e.en, "a subscribe message was not sent");
        }
        let notice = Notice {
            at: now_rfc3339(),
            event: event.into(),
            ok: sent.is_ok(),
            error: sent.err(),
        };
        if let Err(e) = keep(store, about.kind, &about.key, agency, notice).await {
            tracing::error!(error = %e, "a notice could not be kept");
        }
        let _ = super::touch(store, agency, about.merchant).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_fills_the_keywords_the_merchant_mapped_and_cuts_long_texts() {
        let t = Template {
            id: "tmpl".into(),
            fields: vec![
                ("character_string1".into(), Field::Number),
                ("phrase2".into(), Field::Status),
                ("thing3".into(), Field::Items),
                ("amount4".into(), Field::Amount),
            ],
        };
        let f = Facts {
            number: "A1001".into(),
            items: "Oat Latte×2 Americano×1 Croissant×3".into(),
            amount: 10450,
            time: "2026-12-01 10:00".into(),
            shop: "Lotus".into(),
            note: String::new(),
        };
        let d = data(&t, &f, "accepted", Lang::Zh);
        assert_eq!(d[0], ("character_string1".into(), "A1001".into()));
        assert_eq!(d[1].1, "已接单");
        assert_eq!(d[2].1.chars().count(), 20);
        assert!(d[2].1.ends_with('…'));
        assert_eq!(d[3].1, "¥104.50");
    }
}
