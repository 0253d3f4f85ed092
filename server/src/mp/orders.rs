//! Orders from a mini program: priced from the live site ([`super::pricing`]), their stock
//! taken atomically ([`super::stock`]), numbered per merchant, and kept as one store document
//! each (`mp-order/{site}/{client_order_id}`). That key makes a retried request find the order
//! it already placed: the first write wins (`Expect::Absent`), a racing twin gives its stock
//! back and answers with the winner.
//!
//! States: received → accepted → ready → completed, or cancelled (by the merchant from any
//! state before completed, with a reason; by the customer while still received). A cancelled
//! order gives its stock back.
use super::live::LiveSite;
use super::pricing::{self, Line, LineIn};
use super::stock::{self, StockError};
pub use super::By;
use super::{next_number, say, Change, MpError, Refused};
use crate::storage::{now_rfc3339, Doc, Expect, Store, StoreError};
use app::i18n::Lang;
use serde::{Deserialize, Serialize};
use ulid::Ulid;

pub const ORDER: &str = "mp-order";

/// Longest note and address a customer may write.
pub const MAX_NOTE: usize = 200;
pub const MAX_ADDRESS: usize = 200;

/// An order as the mini program sends it (docs/mp-api.md).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderIn {
    pub lines: Vec<LineIn>,
    pub total: u64,
    /// Chosen by the mini program once per order: a retry sends the same.
    pub client_order_id: String,
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Pickup,
    Delivery,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    Accepted,
    Ready,
    Completed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Accepted => "accepted",
            Status::Ready => "ready",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
        }
    }

    /// Still waiting for the merchant to do something.
    pub fn open(self) -> bool {
        matches!(self, Status::Received | Status::Accepted | Status::Ready)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The merchant's number, as the customer and the merchant call it (`A1001`).
    pub order_id: String,
    pub client_order_id: String,
    pub site: Ulid,
    pub merchant: Ulid,
    /// The version it was priced from (its stock is counted there).
    pub version: u64,
    /// Placed before the site's first release.
    pub test: bool,
    pub lines: Vec<Line>,
    pub total: u64,
    /// Pieces taken per stock key, given back on a cancel.
    pub stock: Vec<(String, u32, u32)>,
    pub name: String,
    pub phone: String,
    pub mode: Mode,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub note: String,
    /// The signed-in customer's openid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    pub status: Status,
    pub created_at: String,
    pub history: Vec<Change>,
    /// Subscribe messages to the customer: sent, or why not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<super::Notice>,
}

impl Order {
    /// What the customer sees of it.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.client_order_id,
            "order_id": self.order_id,
            "status": self.status,
            "lines": self.lines,
            "total": self.total,
            "mode": self.mode,
            "address": self.address,
            "note": self.note,
            "created_at": self.created_at,
            "test": self.test,
        })
    }
}

fn key(site: Ulid, client_order_id: &str) -> String {
    format!("{site}/{client_order_id}")
}

/// A client order id: 8 to 64 letters, digits, `-` and `_` (a random one per order).
pub fn valid_client_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks what the customer typed; the first problem, by field.
fn check(input: &OrderIn, lang: Lang, delivery: bool) -> Result<(), Refused> {
    if !valid_client_id(&input.client_order_id) {
        return Err(Refused::field(
            "client_order_id",
            say(
                lang,
                "The order has no valid id: please update the mini program and try again.",
                "订单缺少有效编号:请更新小程序后重试。",
            ),
        ));
    }
    super::check_contact(lang, &input.name, &input.phone).map_err(|(f, m)| Refused::field(f, m))?;
    if input.note.chars().count() > MAX_NOTE {
        return Err(Refused::field(
            "note",
            say(
                lang,
                "The note can be at most 200 characters.",
                "备注最多 200 个字。",
            ),
        ));
    }
    if input.mode == Mode::Delivery {
        if !delivery {
            return Err(Refused::field(
                "mode",
                say(
                    lang,
                    "This shop does not deliver: please choose pickup.",
                    "本店不提供配送,请选择自取。",
                ),
            ));
        }
        let address = input.address.trim();
        if address.is_empty() || address.chars().count() > MAX_ADDRESS {
            return Err(Refused::field(
                "address",
                say(
                    lang,
                    "Please enter a delivery address (at most 200 characters).",
                    "请填写配送地址(最多 200 个字)。",
                ),
            ));
        }
    }
    Ok(())
}

/// Why the lines cannot be priced, for the customer.
fn price_refusal(r: pricing::Refusal, lang: Lang) -> Refused {
    use pricing::Refusal as R;
    match r {
        R::NoLines => Refused::field("lines", say(lang, "The cart is empty.", "购物车是空的。")),
        R::TooManyLines => Refused::field(
            "lines",
            say(
                lang,
                "An order can have at most 50 lines.",
                "一个订单最多 50 项。",
            ),
        ),
        R::UnknownProduct { index } => Refused::field(
            format!("lines[{index}].product"),
            say(
                lang,
                "A product in the cart is no longer sold: please remove it.",
                "购物车中有商品已下架,请移除。",
            ),
        ),
        R::UnknownVariant { index } => Refused::field(
            format!("lines[{index}].variant"),
            say(
                lang,
                "A choice in the cart is no longer sold: please choose again.",
                "购物车中有规格已不再出售,请重新选择。",
            ),
        ),
        R::BadQuantity { index } => Refused::field(
            format!("lines[{index}].quantity"),
            say(
                lang,
                "Each line needs a quantity from 1 to 99.",
                "每项数量需在 1 到 99 之间。",
            ),
        ),
        R::PriceChanged { lines, total } => Refused {
            detail: Some(serde_json::json!({"lines": lines, "total": total})),
            ..Refused::new(
                409,
                "price_changed",
                say(
                    lang,
                    "Prices have changed: please check your cart and order again.",
                    "价格已变动,请核对购物车后重新下单。",
                ),
            )
        },
    }
}

/// The order `client_order_id` of `site`, if placed.
pub async fn get(
    store: &dyn Store,
    site: Ulid,
    client_order_id: &str,
) -> Result<Option<(Order, u64)>, StoreError> {
    match store.doc(ORDER, &key(site, client_order_id)).await? {
        Some(d) => Ok(Some((d.read()?, d.rev))),
        None => Ok(None),
    }
}

/// Places `input` on `live` for `customer` (signed in), or finds the order that id already
/// placed. Returns the order and whether it is new.
pub async fn place(
    store: &dyn Store,
    live: &LiveSite,
    input: &OrderIn,
    customer: Option<&str>,
    delivery: bool,
) -> Result<(Order, bool), MpError> {
    let lang = live.site.locale;
    check(input, lang, delivery)?;
    if let Some((order, _)) = get(store, live.id, &input.client_order_id).await? {
        return Ok((order, false));
    }
    let priced = pricing::price(&live.site.data, &input.lines, input.total)
        .map_err(|r| price_refusal(r, lang))?;
    match stock::reserve(store, live.agency, live.id, live.version, &priced.stock).await {
        Ok(()) => {}
        Err(StockError::Short { key, left }) => {
            let name = key.split('|').next().unwrap_or_default();
            let product = live
                .site
                .data
                .products
                .iter()
                .find(|p| p.id == name)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            let index = input
                .lines
                .iter()
                .position(|l| l.product == name)
                .unwrap_or(0);
            return Err(Refused {
                field: Some(format!("lines[{index}].quantity")),
                detail: Some(serde_json::json!({"left": left})),
                ..Refused::new(
                    409,
                    "out_of_stock",
                    match lang {
                        Lang::Zh => format!("{product} 库存不足:只剩 {left} 件。"),
                        _ => format!("Not enough {product} left: only {left}."),
                    },
                )
            }
            .into());
        }
        Err(StockError::Store(e)) => return Err(e.into()),
    }
    let give_back = || stock::restore(store, live.agency, live.id, live.version, &priced.stock);
    let n = match next_number(store, live.agency, live.merchant, true).await {
        Ok(n) => n,
        Err(e) => {
            let _ = give_back().await;
            return Err(e.into());
        }
    };
    let now = now_rfc3339();
    let order = Order {
        order_id: format!("A{n}"),
        client_order_id: input.client_order_id.clone(),
        site: live.id,
        merchant: live.merchant,
        version: live.version,
        test: live.test,
        lines: priced.lines.clone(),
        total: priced.total,
        stock: priced.stock.clone(),
        name: input.name.trim().to_string(),
        phone: input.phone.trim().to_string(),
        mode: input.mode,
        address: match input.mode {
            Mode::Delivery => input.address.trim().to_string(),
            Mode::Pickup => String::new(),
        },
        note: input.note.trim().to_string(),
        customer: customer.map(str::to_string),
        status: Status::Received,
        created_at: now.clone(),
        history: vec![Change {
            status: Status::Received.as_str().into(),
            at: now,
            by: "customer".into(),
            reason: None,
        }],
        notices: Vec::new(),
    };
    let body = serde_json::to_value(&order).map_err(StoreError::Encode)?;
    let doc = Doc::new(
        ORDER,
        key(live.id, &input.client_order_id),
        live.agency,
        body,
    );
    match store.put_doc(&doc, Expect::Absent).await {
        Ok(_) => {
            super::touch(store, live.agency, live.merchant).await?;
            store.flush().await?;
            Ok((order, true))
        }
        Err(StoreError::Stale) => {
            // The same order sent twice at once: the other one was written first.
            give_back().await.map_err(|e| match e {
                StockError::Store(e) => MpError::Store(e),
                StockError::Short { .. } => MpError::Store(StoreError::Stale),
            })?;
            let (won, _) = get(store, live.id, &input.client_order_id)
                .await?
                .ok_or(StoreError::Stale)?;
            Ok((won, false))
        }
        Err(e) => {
            let _ = give_back().await;
            Err(e.into())
        }
    }
}

/// The site's orders, newest first.
pub async fn list(store: &dyn Store, site: Ulid) -> Result<Vec<Order>, StoreError> {
    let mut all: Vec<Order> = store
        .docs(ORDER, &format!("{site}/"), 100_000)
        .await?
        .iter()
        .map(|d| d.read())
        .collect::<Result<_, _>>()?;
    all.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    Ok(all)
}

/// What someone does to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Accept,
    Ready,
    Complete,
    Cancel,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(s.into())).ok()
    }
}

/// Moves order `id` of `site` by `action`, over the latest stored state (by compare-and-swap):
/// the new order, or why not in `lang`. A cancel gives the stock back.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    id: &str,
    action: Action,
    by: By,
    reason: Option<&str>,
    lang: Lang,
) -> Result<Order, MpError> {
    let reason = super::check_reason(
        reason,
        by == By::Merchant && action == Action::Cancel,
        lang,
        "Say why the order is cancelled: the customer sees it.",
        "请填写取消原因:顾客会看到。",
    )?;
    loop {
        let Some((mut order, rev)) = get(store, site, id).await? else {
            return Err(not_found(lang).into());
        };
        let next = match (action, order.status, by) {
            (Action::Accept, Status::Received, By::Merchant) => Status::Accepted,
            (Action::Ready, Status::Accepted, By::Merchant) => Status::Ready,
            (Action::Complete, Status::Accepted | Status::Ready, By::Merchant) => {
                Status::Completed
            }
            (Action::Cancel, s, By::Merchant) if s.open() => Status::Cancelled,
            (Action::Cancel, Status::Received, By::Customer) => Status::Cancelled,
            (Action::Cancel, _, By::Customer) => {
                return Err(Refused::new(
                    409,
                    "too_late",
                    say(
                        lang,
                        "The shop has already started on this order: please call the shop to cancel it.",
                        "商家已开始处理此订单,如需取消请联系商家。",
                    ),
                )
                .into())
            }
            (_, s, _) => {
                return Err(Refused::new(
                    409,
                    "wrong_state",
                    match lang {
                        Lang::Zh => format!("订单当前为“{}”,不能这样操作。", status_zh(s)),
                        _ => format!("The order is {}: that cannot be done now.", s.as_str()),
                    },
                )
                .into())
            }
        };
        order.status = next;
        order.history.push(Change::now(next.as_str(), by, reason));
        if !super::put_at(store, ORDER, &key(site, id), agency, rev, &order).await? {
            continue;
        }
        super::touch(store, agency, order.merchant).await?;
        if next == Status::Cancelled {
            stock::restore(store, agency, site, order.version, &order.stock)
                .await
                .map_err(|e| match e {
                    StockError::Store(e) => MpError::Store(e),
                    StockError::Short { .. } => MpError::Store(StoreError::Stale),
                })?;
        }
        return Ok(order);
    }
}

pub fn status_zh(s: Status) -> &'static str {
    match s {
        Status::Received => "已接收",
        Status::Accepted => "已接单",
        Status::Ready => "已备好",
        Status::Completed => "已完成",
        Status::Cancelled => "已取消",
    }
}

pub fn not_found(lang: Lang) -> Refused {
    Refused::new(
        404,
        "not_found",
        say(lang, "No such order.", "没有这个订单。"),
    )
}
