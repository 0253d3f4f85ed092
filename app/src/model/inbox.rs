//! The merchant's inbox: the orders and bookings its mini programs took, what needs doing, a
//! calendar of bookings per staff member, and each site's rules (cancellation deadline,
//! delivery, subscribe messages). The server keeps them (`server/src/mp/`); this is what
//! crosses the wire.
use serde::{Deserialize, Serialize};

/// Which part of the inbox is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    #[default]
    Orders,
    Bookings,
    Calendar,
    Settings,
}

impl Tab {
    pub fn parse(s: &str) -> Tab {
        match s {
            "bookings" => Tab::Bookings,
            "calendar" => Tab::Calendar,
            "settings" => Tab::Settings,
            _ => Tab::Orders,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Orders => "orders",
            Tab::Bookings => "bookings",
            Tab::Calendar => "calendar",
            Tab::Settings => "settings",
        }
    }
}

/// What the inbox is asked for: a tab, and for the calendar a first day and a span.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxQuery {
    pub tab: Tab,
    /// `YYYY-MM-DD`; empty: today (shop time).
    pub day: String,
    /// The calendar shows a week (else one day).
    pub week: bool,
}

/// What needs the merchant, for the inbox and the merchant's home page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Orders received, not yet accepted.
    pub new_orders: usize,
    /// Accepted or ready, not yet completed.
    pub open_orders: usize,
    /// Confirmed bookings today.
    pub bookings_today: usize,
    /// Confirmed bookings from today on.
    pub upcoming_bookings: usize,
}

impl Counts {
    pub fn needs_action(&self) -> usize {
        self.new_orders + self.open_orders
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderRow {
    pub site_id: String,
    pub site_name: String,
    /// The client's order id (the order's key).
    pub id: String,
    pub order_id: String,
    pub status: String,
    pub test: bool,
    pub name: String,
    pub phone: String,
    pub delivery: bool,
    pub address: String,
    pub note: String,
    /// "Oat Latte (Large / Iced) × 2", one per line.
    pub lines: Vec<String>,
    pub total: u64,
    /// Shop time, `YYYY-MM-DD HH:MM`.
    pub placed: String,
    /// The last change's reason (a cancel's).
    pub reason: Option<String>,
    /// Subscribe messages: what was sent, or why not.
    pub notices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingRow {
    pub site_id: String,
    pub site_name: String,
    pub id: String,
    pub booking_id: String,
    pub status: String,
    pub test: bool,
    pub service_name: String,
    pub staff: Option<String>,
    pub staff_name: String,
    pub date: String,
    pub time: String,
    pub end: String,
    pub name: String,
    pub phone: String,
    pub note: String,
    pub price: u64,
    pub reason: Option<String>,
    pub notices: Vec<String>,
}

/// One day's column of the calendar: per staff member (by name; "" for a shop without
/// staff), their bookings that day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: String,
    /// Monday 0 … Sunday 6.
    pub weekday: u8,
    pub closed: bool,
}

/// A site's rules, as the settings form shows them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteRules {
    pub site_id: String,
    pub site_name: String,
    pub cancel_before_min: u32,
    pub delivery: bool,
    pub order_template: String,
    /// `keyword=field` per line (`character_string1=number`).
    pub order_fields: String,
    pub booking_template: String,
    pub booking_fields: String,
    pub sells: bool,
    pub books: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxView {
    pub merchant_id: String,
    pub merchant_name: String,
    pub counts: Counts,
    /// Changes when anything in the inbox changes (the page polls it).
    pub stamp: String,
    /// Open orders first (oldest first: who waits longest), then the latest done (newest first).
    pub orders: Vec<OrderRow>,
    /// Confirmed from today on (soonest first), then the latest past or cancelled.
    pub bookings: Vec<BookingRow>,
    pub days: Vec<CalendarDay>,
    /// Staff of the merchant's booking sites: (id, name), for the calendar's rows.
    pub staff: Vec<(String, String)>,
    pub today: String,
    /// The calendar's first day a span earlier, and a span later.
    pub earlier: String,
    pub later: String,
    pub rules: Vec<SiteRules>,
}
