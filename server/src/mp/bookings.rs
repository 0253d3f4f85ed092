//! Bookings from a mini program: the time held atomically over the site's day
//! ([`super::hold`]), numbered per merchant, kept as one store document each
//! (`mp-booking/{site}/{id}`, `id` a ULID the customer gets back).
//!
//! States: confirmed (at once: the time is held) → completed or no-show, or cancelled (by the
//! merchant with a reason, or by the customer up to the merchant's deadline). A cancel frees
//! the time.
use super::availability::{hhmm, parse_date, Refusal};
use super::hold::{self, Ask, HoldError};
use super::live::LiveSite;
use super::{next_number, say, Change, MpError, Refused};
use crate::storage::{now_rfc3339, Doc, Expect, Store, StoreError};
use app::i18n::Lang;
use app::model::validate::parse_hhmm;
use serde::{Deserialize, Serialize};
use time::Date;
use ulid::Ulid;

pub const BOOKING: &str = "mp-booking";

/// A booking as the mini program sends it (docs/mp-api.md).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingIn {
    pub service: String,
    pub date: String,
    pub time: String,
    pub name: String,
    pub phone: String,
    /// A staff member's id; absent or empty: anyone.
    #[serde(default)]
    pub staff: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Confirmed,
    Completed,
    NoShow,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::Completed => "completed",
            Status::NoShow => "no_show",
            Status::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub id: Ulid,
    /// The merchant's number (`B1001`).
    pub booking_id: String,
    pub site: Ulid,
    pub merchant: Ulid,
    pub version: u64,
    pub test: bool,
    pub service: String,
    pub service_name: String,
    pub price: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<String>,
    #[serde(default)]
    pub staff_name: String,
    /// `YYYY-MM-DD`, `HH:MM` start and end (the buffer not included), shop time.
    pub date: String,
    pub time: String,
    pub end: String,
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    pub status: Status,
    pub created_at: String,
    pub history: Vec<Change>,
    /// Subscribe messages to the customer: sent, or why not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<super::Notice>,
}

impl Booking {
    /// What the customer sees of it.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id.to_string(),
            "booking_id": self.booking_id,
            "status": self.status,
            "service": self.service,
            "service_name": self.service_name,
            "staff": self.staff,
            "staff_name": self.staff_name,
            "date": self.date,
            "time": self.time,
            "end": self.end,
            "price": self.price,
            "created_at": self.created_at,
            "test": self.test,
        })
    }

    /// Minutes from `now` (shop time) until it starts; negative once started.
    pub fn minutes_until(&self, now: (Date, u32)) -> i64 {
        let Some(day) = parse_date(&self.date) else {
            return 0;
        };
        let start = i64::from(parse_hhmm(&self.time).unwrap_or(0));
        (day - now.0).whole_days() * 1440 + start - i64::from(now.1)
    }
}

fn key(site: Ulid, id: Ulid) -> String {
    format!("{site}/{id}")
}

/// Why a time cannot be booked, for the customer: the field at fault and the code.
pub fn refusal(r: &Refusal, lang: Lang) -> Refused {
    let (status, code, field, en, zh) = match r {
        Refusal::UnknownService => (
            422,
            "invalid",
            "service",
            "This service is no longer offered.",
            "该服务已不再提供。",
        ),
        Refusal::UnknownStaff => (
            422,
            "invalid",
            "staff",
            "This staff member is no longer here: please choose another.",
            "该员工已不在,请另选。",
        ),
        Refusal::NotOffered => (
            422,
            "invalid",
            "staff",
            "This staff member does not offer the service: please choose another.",
            "该员工不提供此服务,请另选。",
        ),
        Refusal::BadDate => (
            422,
            "invalid",
            "date",
            "The date must be YYYY-MM-DD.",
            "日期格式应为 YYYY-MM-DD。",
        ),
        Refusal::BadTime => (
            422,
            "invalid",
            "time",
            "The time must be HH:MM.",
            "时间格式应为 HH:MM。",
        ),
        Refusal::OutOfRange => (
            422,
            "invalid",
            "date",
            "Please pick a day from today to 90 days ahead.",
            "请选择今天起 90 天内的日期。",
        ),
        Refusal::NoHours => (
            409,
            "not_bookable",
            "date",
            "This shop has not set its opening hours yet.",
            "本店尚未设置营业时间。",
        ),
        Refusal::Closed => (
            409,
            "closed",
            "date",
            "The shop is closed that day: please pick another.",
            "本店当天休息,请另选日期。",
        ),
        Refusal::NotOffering => (
            409,
            "not_offered",
            "time",
            "That time is not offered (outside opening hours, or too late for this service).",
            "该时间不可预约(不在营业时间内,或不够完成此服务)。",
        ),
        Refusal::Taken => (
            409,
            "slot_taken",
            "time",
            "That time was just booked. Please pick another.",
            "该时间刚被预约,请另选时间。",
        ),
    };
    Refused {
        field: Some(field.into()),
        ..Refused::new(status, code, say(lang, en, zh))
    }
}

/// Books `input` on `live` for `customer` (signed in): the new booking, or why not.
pub async fn book(
    store: &dyn Store,
    live: &LiveSite,
    input: &BookingIn,
    customer: Option<&str>,
    now: (Date, u32),
) -> Result<Booking, MpError> {
    let lang = live.site.locale;
    super::check_contact(lang, &input.name, &input.phone).map_err(|(f, m)| Refused::field(f, m))?;
    if input.note.chars().count() > super::orders::MAX_NOTE {
        return Err(Refused::field(
            "note",
            say(
                lang,
                "The note can be at most 200 characters.",
                "备注最多 200 个字。",
            ),
        )
        .into());
    }
    let staff = input.staff.as_deref().filter(|s| !s.is_empty());
    let ask = Ask {
        service: &input.service,
        date: &input.date,
        time: &input.time,
        staff,
    };
    let id = Ulid::new();
    let data = &live.site.data;
    let held = match hold::hold(
        store,
        live.agency,
        live.id,
        data,
        &ask,
        &id.to_string(),
        now,
    )
    .await
    {
        Ok(h) => h,
        Err(HoldError::Refused(r)) => return Err(refusal(&r, lang).into()),
        Err(HoldError::Store(e)) => return Err(e.into()),
    };
    let free = || hold::release(store, live.agency, live.id, &input.date, &held.booking_id);
    let n = match next_number(store, live.agency, live.merchant, false).await {
        Ok(n) => n,
        Err(e) => {
            let _ = free().await;
            return Err(e.into());
        }
    };
    let service = data.services.iter().find(|s| s.id == input.service);
    let duration = service.map(|s| u32::from(s.duration_min)).unwrap_or(0);
    let now_text = now_rfc3339();
    let booking = Booking {
        id,
        booking_id: format!("B{n}"),
        site: live.id,
        merchant: live.merchant,
        version: live.version,
        test: live.test,
        service: input.service.clone(),
        service_name: service.map(|s| s.name.clone()).unwrap_or_default(),
        price: service.map(|s| s.price).unwrap_or(0),
        staff_name: held
            .staff
            .as_deref()
            .and_then(|who| data.staff.iter().find(|s| s.id == who))
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        staff: held.staff.clone(),
        date: input.date.clone(),
        time: hhmm(held.start),
        end: hhmm(held.start + duration),
        name: input.name.trim().to_string(),
        phone: input.phone.trim().to_string(),
        note: input.note.trim().to_string(),
        customer: customer.map(str::to_string),
        status: Status::Confirmed,
        created_at: now_text.clone(),
        history: vec![Change {
            status: Status::Confirmed.as_str().into(),
            at: now_text,
            by: "customer".into(),
            reason: None,
        }],
        notices: Vec::new(),
    };
    let body = serde_json::to_value(&booking).map_err(StoreError::Encode)?;
    let doc = Doc::new(BOOKING, key(live.id, id), live.agency, body);
    if let Err(e) = store.put_doc(&doc, Expect::Absent).await {
        let _ = free().await;
        return Err(e.into());
    }
    super::touch(store, live.agency, live.merchant).await?;
    store.flush().await?;
    Ok(booking)
}

/// Booking `id` of `site`.
pub async fn get(
    store: &dyn Store,
    site: Ulid,
    id: Ulid,
) -> Result<Option<(Booking, u64)>, StoreError> {
    match store.doc(BOOKING, &key(site, id)).await? {
        Some(d) => Ok(Some((d.read()?, d.rev))),
        None => Ok(None),
    }
}

/// The site's bookings, by day and time.
pub async fn list(store: &dyn Store, site: Ulid) -> Result<Vec<Booking>, StoreError> {
    let mut all: Vec<Booking> = store
        .docs(BOOKING, &format!("{site}/"), 100_000)
        .await?
        .iter()
        .map(|d| d.read())
        .collect::<Result<_, _>>()?;
    all.sort_by(|a, b| (&a.date, &a.time).cmp(&(&b.date, &b.time)));
    Ok(all)
}

/// What someone does to a booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Complete,
    NoShow,
    Cancel,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(s.into())).ok()
    }
}

/// Moves booking `id` by `action` (the merchant's, or the customer's cancel up to
/// `cancel_before_min` before it starts); a cancel frees its time.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    id: Ulid,
    action: Action,
    by: super::orders::By,
    reason: Option<&str>,
    cancel_before_min: u32,
    now: (Date, u32),
    lang: Lang,
) -> Result<Booking, MpError> {
    use super::orders::By;
    let reason = super::check_reason(
        reason,
        by == By::Merchant && action == Action::Cancel,
        lang,
        "Say why the booking is cancelled: the customer sees it.",
        "请填写取消原因:顾客会看到。",
    )?;
    loop {
        let Some((mut b, rev)) = get(store, site, id).await? else {
            return Err(not_found(lang).into());
        };
        if b.status != Status::Confirmed {
            return Err(Refused::new(
                409,
                "wrong_state",
                match lang {
                    Lang::Zh => "该预约已结束或已取消。".to_string(),
                    _ => format!(
                        "The booking is {}: that cannot be done now.",
                        b.status.as_str()
                    ),
                },
            )
            .into());
        }
        let next = match (action, by) {
            (Action::Cancel, By::Customer) => {
                if b.minutes_until(now) < i64::from(cancel_before_min) {
                    let hours = cancel_before_min / 60;
                    let mins = cancel_before_min % 60;
                    let span = match (lang, mins) {
                        (Lang::Zh, 0) => format!("{hours} 小时"),
                        (Lang::Zh, _) => format!("{cancel_before_min} 分钟"),
                        (_, 0) => format!("{hours} hours"),
                        _ => format!("{cancel_before_min} minutes"),
                    };
                    return Err(Refused::new(
                        409,
                        "too_late",
                        match lang {
                            Lang::Zh => format!("预约开始前 {span} 内不能在线取消,请联系商家。"),
                            _ => format!(
                                "Bookings can be cancelled online up to {span} before they start: please call the shop."
                            ),
                        },
                    )
                    .into());
                }
                Status::Cancelled
            }
            (Action::Cancel, By::Merchant) => Status::Cancelled,
            (Action::Complete, By::Merchant) => Status::Completed,
            (Action::NoShow, By::Merchant) => Status::NoShow,
            (_, By::Customer) => return Err(not_found(lang).into()),
        };
        b.status = next;
        b.history.push(Change::now(next.as_str(), by, reason));
        if !super::put_at(store, BOOKING, &key(site, id), agency, rev, &b).await? {
            continue;
        }
        super::touch(store, agency, b.merchant).await?;
        if next == Status::Cancelled {
            hold::release(store, agency, site, &b.date, &b.id.to_string()).await?;
        }
        return Ok(b);
    }
}

pub fn not_found(lang: Lang) -> Refused {
    Refused::new(
        404,
        "not_found",
        say(lang, "No such booking.", "没有这个预约。"),
    )
}
