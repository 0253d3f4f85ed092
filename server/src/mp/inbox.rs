//! The merchant's inbox over all of its sites: the rows, the counts of what needs doing, a
//! stamp that changes with anything in it (the open page polls it), the calendar's days and
//! staff, each site's rules, and the CSV exports.
use super::bookings::{self, Booking};
use super::orders::{self, Order};
use super::{settings, shop_now, SHOP_OFFSET_HOURS};
use crate::storage::{Merchant, Store, StoreError};
use app::i18n::Lang;
use app::model::inbox::{
    BookingRow, CalendarDay, Counts, InboxQuery, InboxView, OrderRow, SiteRules, Tab,
};
use app::model::site::Site;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// Orders and bookings done with that are still listed (the CSV has them all).
pub const RECENT: usize = 50;

/// Every order and booking of the merchant's sites (not deleted), with each site's name and,
/// with `drafts`, its current draft (for staff and hours).
pub struct Everything {
    pub sites: Vec<(crate::storage::Site, Option<Site>)>,
    pub orders: Vec<Order>,
    pub bookings: Vec<Booking>,
}

pub async fn everything(
    store: &dyn Store,
    merchant: &Merchant,
    drafts: bool,
) -> Result<Everything, StoreError> {
    let mut out = Everything {
        sites: Vec::new(),
        orders: Vec::new(),
        bookings: Vec::new(),
    };
    for record in store.merchant_sites(merchant.id).await? {
        if record.deleted_at.is_some() {
            continue;
        }
        out.orders.extend(orders::list(store, record.id).await?);
        out.bookings.extend(bookings::list(store, record.id).await?);
        let draft = match drafts {
            true => store.draft(record.id).await?.map(|d| d.site),
            false => None,
        };
        out.sites.push((record, draft));
    }
    Ok(out)
}

/// `YYYY-MM-DD HH:MM` in the shop's time, from RFC 3339.
pub fn shop_time(rfc3339: &str) -> String {
    let offset = UtcOffset::from_hms(SHOP_OFFSET_HOURS, 0, 0).expect("a valid offset");
    match OffsetDateTime::parse(rfc3339, &Rfc3339) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        }
        Err(_) => rfc3339.to_string(),
    }
}

pub fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn notices(n: &[super::Notice], lang: Lang) -> Vec<String> {
    n.iter()
        .map(|n| match (&n.error, lang) {
            (None, Lang::Zh) => format!("{} 已通知顾客({})", shop_time(&n.at), n.event),
            (None, _) => format!("{}: customer told ({})", shop_time(&n.at), n.event),
            (Some(e), Lang::Zh) => format!("{} 未能通知顾客:{}", shop_time(&n.at), e.zh),
            (Some(e), _) => format!("{}: customer not told: {}", shop_time(&n.at), e.en),
        })
        .collect()
}

fn site_name(e: &Everything, id: ulid::Ulid) -> String {
    e.sites
        .iter()
        .find(|(r, _)| r.id == id)
        .map(|(r, _)| r.name.clone())
        .unwrap_or_default()
}

pub fn order_row(o: &Order, site_name: String, lang: Lang) -> OrderRow {
    OrderRow {
        site_id: o.site.to_string(),
        site_name,
        id: o.client_order_id.clone(),
        order_id: o.order_id.clone(),
        status: o.status.as_str().into(),
        test: o.test,
        name: o.name.clone(),
        phone: o.phone.clone(),
        delivery: o.mode == orders::Mode::Delivery,
        address: o.address.clone(),
        note: o.note.clone(),
        lines: o
            .lines
            .iter()
            .map(|l| {
                if l.variant.is_empty() {
                    format!("{} × {}", l.name, l.quantity)
                } else {
                    format!("{} ({}) × {}", l.name, l.variant, l.quantity)
                }
            })
            .collect(),
        total: o.total,
        placed: shop_time(&o.created_at),
        reason: o.history.last().and_then(|c| c.reason.clone()),
        notices: notices(&o.notices, lang),
    }
}

pub fn booking_row(b: &Booking, site_name: String, lang: Lang) -> BookingRow {
    BookingRow {
        site_id: b.site.to_string(),
        site_name,
        id: b.id.to_string(),
        booking_id: b.booking_id.clone(),
        status: b.status.as_str().into(),
        test: b.test,
        service_name: b.service_name.clone(),
        staff: b.staff.clone(),
        staff_name: b.staff_name.clone(),
        date: b.date.clone(),
        time: b.time.clone(),
        end: b.end.clone(),
        name: b.name.clone(),
        phone: b.phone.clone(),
        note: b.note.clone(),
        price: b.price,
        reason: b.history.last().and_then(|c| c.reason.clone()),
        notices: notices(&b.notices, lang),
    }
}

/// What needs doing.
pub fn counts(e: &Everything, today: &str) -> Counts {
    use bookings::Status as B;
    use orders::Status as O;
    let mut c = Counts::default();
    for o in &e.orders {
        match o.status {
            O::Received => c.new_orders += 1,
            O::Accepted | O::Ready => c.open_orders += 1,
            _ => {}
        }
    }
    for b in &e.bookings {
        if b.status == B::Confirmed && b.date.as_str() >= today {
            c.upcoming_bookings += 1;
            if b.date == today {
                c.bookings_today += 1;
            }
        }
    }
    c
}

/// A template's keywords as the form shows them: `keyword=field` per line.
pub fn fields_text(t: &Option<settings::Template>) -> String {
    t.as_ref()
        .map(|t| {
            t.fields
                .iter()
                .map(|(k, f)| {
                    let f = serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default();
                    format!("{k}={f}")
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// The inbox as `query` asks for it.
pub async fn view(
    store: &dyn Store,
    merchant: &Merchant,
    query: &InboxQuery,
    lang: Lang,
) -> Result<InboxView, StoreError> {
    // Read before the rows: the page never claims a change it does not show.
    let stamp = super::changes(store, merchant.id).await?.to_string();
    let e = everything(store, merchant, true).await?;
    let (today_date, _) = shop_now();
    let today = date_text(today_date);
    let counts = counts(&e, &today);
    let mut open: Vec<&Order> = e.orders.iter().filter(|o| o.status.open()).collect();
    open.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    let done = e.orders.iter().filter(|o| !o.status.open()).take(RECENT);
    let orders = open
        .into_iter()
        .chain(done)
        .map(|o| order_row(o, site_name(&e, o.site), lang))
        .collect();
    let confirmed = |b: &&Booking| b.status == bookings::Status::Confirmed;
    let mut coming: Vec<&Booking> = e
        .bookings
        .iter()
        .filter(|b| confirmed(b) && b.date >= today)
        .collect();
    coming.sort_by(|a, b| (&a.date, &a.time).cmp(&(&b.date, &b.time)));
    let mut past: Vec<&Booking> = e
        .bookings
        .iter()
        .filter(|b| !(confirmed(b) && b.date >= today))
        .collect();
    past.sort_by(|a, b| (&b.date, &b.time).cmp(&(&a.date, &a.time)));
    let calendar_only = query.tab == Tab::Calendar;
    let first = super::availability::parse_date(&query.day).unwrap_or(today_date);
    let span = if query.week { 7 } else { 1 };
    let days: Vec<CalendarDay> = (0..span)
        .map(|i| {
            let d = first + Duration::days(i);
            let date = date_text(d);
            let closed = e
                .sites
                .iter()
                .filter_map(|(_, s)| s.as_ref())
                .filter(|s| !s.data.services.is_empty())
                .all(|s| super::availability::closed_on(&s.data, d));
            CalendarDay {
                date,
                weekday: d.weekday().number_days_from_monday(),
                closed,
            }
        })
        .collect();
    let in_calendar = |b: &&Booking| {
        b.status != bookings::Status::Cancelled && days.iter().any(|d| d.date == b.date)
    };
    let bookings: Vec<BookingRow> = if calendar_only {
        e.bookings
            .iter()
            .filter(in_calendar)
            .map(|b| booking_row(b, site_name(&e, b.site), lang))
            .collect()
    } else {
        coming
            .into_iter()
            .chain(past.into_iter().take(RECENT))
            .map(|b| booking_row(b, site_name(&e, b.site), lang))
            .collect()
    };
    let mut staff: Vec<(String, String)> = Vec::new();
    for (_, s) in &e.sites {
        for p in s.iter().flat_map(|s| &s.data.staff) {
            if !staff.iter().any(|(id, _)| *id == p.id) {
                staff.push((p.id.clone(), p.name.clone()));
            }
        }
    }
    let mut rules = Vec::new();
    for (record, draft) in &e.sites {
        let s = settings::load(store, record.id).await?;
        rules.push(SiteRules {
            site_id: record.id.to_string(),
            site_name: record.name.clone(),
            cancel_before_min: s.cancel_before_min,
            delivery: s.delivery,
            order_template: s
                .order_template
                .as_ref()
                .map(|t| t.id.clone())
                .unwrap_or_default(),
            order_fields: fields_text(&s.order_template),
            booking_template: s
                .booking_template
                .as_ref()
                .map(|t| t.id.clone())
                .unwrap_or_default(),
            booking_fields: fields_text(&s.booking_template),
            sells: draft.as_ref().is_some_and(|d| !d.data.products.is_empty()),
            books: draft.as_ref().is_some_and(|d| !d.data.services.is_empty()),
        });
    }
    Ok(InboxView {
        merchant_id: merchant.id.to_string(),
        merchant_name: merchant.name.clone(),
        counts,
        stamp,
        orders,
        bookings,
        days,
        staff,
        today,
        earlier: date_text(first - Duration::days(span)),
        later: date_text(first + Duration::days(span)),
        rules,
    })
}

/// A cell that a spreadsheet would not run: text starting with `=`, `+`, `-` or `@` (a
/// customer's name or note) is kept as text.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Every order of the merchant as CSV (with a byte-order mark, for spreadsheet programs).
pub fn orders_csv(e: &Everything) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "order_id",
        "site",
        "placed",
        "status",
        "test",
        "name",
        "phone",
        "mode",
        "address",
        "items",
        "total_yuan",
        "note",
        "reason",
    ]);
    let mut all: Vec<&Order> = e.orders.iter().collect();
    all.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    for o in all {
        let row = order_row(o, site_name(e, o.site), Lang::En);
        let _ = w.write_record([
            row.order_id,
            cell(&row.site_name),
            row.placed,
            row.status,
            row.test.to_string(),
            cell(&row.name),
            cell(&row.phone),
            if row.delivery { "delivery" } else { "pickup" }.to_string(),
            cell(&row.address),
            cell(&row.lines.join("; ")),
            yuan(row.total),
            cell(&row.note),
            cell(row.reason.as_deref().unwrap_or("")),
        ]);
    }
    format!(
        "\u{feff}{}",
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    )
}

/// Every booking of the merchant as CSV, by day and time.
pub fn bookings_csv(e: &Everything) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "booking_id",
        "site",
        "date",
        "time",
        "end",
        "service",
        "staff",
        "status",
        "test",
        "name",
        "phone",
        "price_yuan",
        "note",
        "reason",
    ]);
    let mut all: Vec<&Booking> = e.bookings.iter().collect();
    all.sort_by(|a, b| (&a.date, &a.time).cmp(&(&b.date, &b.time)));
    for b in all {
        let row = booking_row(b, site_name(e, b.site), Lang::En);
        let _ = w.write_record([
            row.booking_id,
            cell(&row.site_name),
            row.date,
            row.time,
            row.end,
            cell(&row.service_name),
            cell(&row.staff_name),
            row.status,
            row.test.to_string(),
            cell(&row.name),
            cell(&row.phone),
            yuan(row.price),
            cell(&row.note),
            cell(row.reason.as_deref().unwrap_or("")),
        ]);
    }
    format!(
        "\u{feff}{}",
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_time_is_china_time_and_a_spreadsheet_formula_stays_text() {
        assert_eq!(shop_time("2026-12-01T16:30:00Z"), "2026-12-02 00:30");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("Li Wei"), "Li Wei");
        assert_eq!(yuan(1205), "12.05");
    }
}
