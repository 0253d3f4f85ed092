//! When a service can be booked: the shop's hours on the day (a special day first, then the
//! week), the staff who offer the service and their own hours, the service's duration and the
//! buffer after it, and the bookings already held. Pure: the caller reads the live site and the
//! day's bookings, and books by compare-and-swap over what it read.
use app::model::site::{DayHours, MerchantData, Service};
use app::model::validate::parse_hhmm;
use serde::Serialize;
use time::{Date, Month};

/// Start times are offered every this many minutes from opening.
pub const STEP_MIN: u32 = 30;
/// How far ahead a day can be booked.
pub const AHEAD_DAYS: i64 = 90;

/// A start time and how many people can still book it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// `HH:MM`, the shop's local time.
    pub time: String,
    pub capacity: u32,
}

/// A booking already held on the day: whose time it takes (none in a shop without staff) and
/// the minutes after midnight it covers, its buffer included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held<'a> {
    pub staff: Option<&'a str>,
    pub start: u32,
    pub end: u32,
}

/// Why a day or a time cannot be booked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    UnknownService,
    UnknownStaff,
    /// The staff member asked for does not offer the service.
    NotOffered,
    BadDate,
    BadTime,
    /// Before today, or further ahead than [`AHEAD_DAYS`].
    OutOfRange,
    /// The shop set no opening hours.
    NoHours,
    /// Closed that day (the week's hours or a special day).
    Closed,
    /// Not a start time of that day (outside the hours, or the service would not fit).
    NotOffering,
    /// Every staff member who could take it is booked then.
    Taken,
}

/// `YYYY-MM-DD` as a date.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// Minutes after midnight as `HH:MM`.
pub fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// One who can take a booking: a staff member, or the shop itself when it has no staff.
struct Resource<'a> {
    staff: Option<&'a str>,
    open: u32,
    close: u32,
}

/// The open window of `day` (None: closed).
fn window(day: &DayHours) -> Option<(u32, u32)> {
    if day.closed {
        return None;
    }
    let (o, c) = (parse_hhmm(&day.open)?, parse_hhmm(&day.close)?);
    (o < c).then_some((o, c))
}

/// The shop's window on `date`.
/// Is the shop closed on `date` (no hours, the week's or a special day's)?
pub fn closed_on(data: &MerchantData, date: Date) -> bool {
    shop_window(data, date).is_err()
}

fn shop_window(data: &MerchantData, date: Date) -> Result<(u32, u32), Refusal> {
    let hours = data.hours.as_ref().ok_or(Refusal::NoHours)?;
    let iso = format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    if let Some(ex) = hours.exceptions.iter().find(|e| e.date == iso) {
        if ex.closed {
            return Err(Refusal::Closed);
        }
        let day = DayHours {
            closed: false,
            open: ex.open.clone(),
            close: ex.close.clone(),
        };
        return window(&day).ok_or(Refusal::Closed);
    }
    let weekday = date.weekday().number_days_from_monday() as usize;
    hours
        .weekly
        .get(weekday)
        .and_then(window)
        .ok_or(Refusal::Closed)
}

/// Who can take `service` on `date`, each with their window that day.
fn resources<'a>(
    data: &'a MerchantData,
    service: &'a Service,
    date: Date,
) -> Result<Vec<Resource<'a>>, Refusal> {
    let (open, close) = shop_window(data, date)?;
    if data.staff.is_empty() {
        return Ok(vec![Resource {
            staff: None,
            open,
            close,
        }]);
    }
    let weekday = date.weekday().number_days_from_monday() as usize;
    Ok(data
        .staff
        .iter()
        .filter(|s| service.staff.is_empty() || service.staff.contains(&s.id))
        .filter_map(|s| {
            let (o, c) = match &s.hours {
                None => (open, close),
                Some(weekly) => {
                    let (o, c) = weekly.get(weekday).and_then(window)?;
                    (o.max(open), c.min(close))
                }
            };
            (o < c).then_some(Resource {
                staff: Some(&s.id),
                open: o,
                close: c,
            })
        })
        .collect())
}

/// `r` is at work at `start` and none of its `busy` times (start, end) overlap `start..end`.
fn free(r: &Resource, start: u32, end: u32, busy: &[(u32, u32)]) -> bool {
    r.open <= start && start < r.close && busy.iter().all(|&(s, e)| e <= start || end <= s)
}

/// The times (start, end) of `held` that take each of `people`, in one pass over the day.
fn by_person(people: &[Resource], held: &[Held<'_>]) -> Vec<Vec<(u32, u32)>> {
    let mut out = vec![Vec::new(); people.len()];
    for h in held {
        if let Some(i) = people.iter().position(|r| r.staff == h.staff) {
            out[i].push((h.start, h.end));
        }
    }
    out
}

/// The date is bookable relative to `today`.
fn in_range(date: Date, today: Date) -> Result<(), Refusal> {
    let ahead = (date - today).whole_days();
    if (0..=AHEAD_DAYS).contains(&ahead) {
        Ok(())
    } else {
        Err(Refusal::OutOfRange)
    }
}

/// The start times of `service_id` on `date` that someone can still take, given the bookings
/// `held` that day. `now` is today and the minutes after midnight (earlier times today are
/// gone).
pub fn slots(
    data: &MerchantData,
    service_id: &str,
    date: &str,
    held: &[Held<'_>],
    now: (Date, u32),
) -> Result<Vec<Slot>, Refusal> {
    slots_with(data, service_id, date, None, held, now)
}

/// [`slots`] with one staff member's times only (`staff`), or anyone's (`None`).
pub fn slots_with(
    data: &MerchantData,
    service_id: &str,
    date: &str,
    staff: Option<&str>,
    held: &[Held<'_>],
    now: (Date, u32),
) -> Result<Vec<Slot>, Refusal> {
    Ok(starts(data, service_id, date, staff, held, now)?
        .into_iter()
        .map(|(start, capacity)| Slot {
            time: hhmm(start),
            capacity,
        })
        .collect())
}

/// Service `service_id` of the shop.
fn service<'d>(data: &'d MerchantData, service_id: &str) -> Result<&'d Service, Refusal> {
    data.services
        .iter()
        .find(|s| s.id == service_id)
        .ok_or(Refusal::UnknownService)
}

/// `staff`, when asked for, is a staff member who offers `service`.
fn offers(data: &MerchantData, service: &Service, staff: Option<&str>) -> Result<(), Refusal> {
    let Some(who) = staff else {
        return Ok(());
    };
    if !data.staff.iter().any(|s| s.id == who) {
        return Err(Refusal::UnknownStaff);
    }
    if !service.staff.is_empty() && !service.staff.iter().any(|s| s == who) {
        return Err(Refusal::NotOffered);
    }
    Ok(())
}

/// [`slots_with`] as minutes after midnight.
fn starts(
    data: &MerchantData,
    service_id: &str,
    date: &str,
    staff: Option<&str>,
    held: &[Held<'_>],
    now: (Date, u32),
) -> Result<Vec<(u32, u32)>, Refusal> {
    let service = service(data, service_id)?;
    offers(data, service, staff)?;
    let date = parse_date(date).ok_or(Refusal::BadDate)?;
    in_range(date, now.0)?;
    let (open, close) = shop_window(data, date)?;
    let mut people = resources(data, service, date)?;
    if staff.is_some() {
        people.retain(|r| r.staff == staff);
    }
    let length = u32::from(service.duration_min);
    let taken = length + u32::from(service.buffer_min);
    // Each person's booked times, gathered once rather than at every start time.
    let taken_by = by_person(&people, held);
    let mut out = Vec::new();
    let mut start = open;
    while start + length <= close {
        let later = date > now.0 || start > now.1;
        let capacity = people
            .iter()
            .zip(&taken_by)
            .filter(|(r, b)| start + length <= r.close && free(r, start, start + taken, b))
            .count() as u32;
        if later && capacity > 0 {
            out.push((start, capacity));
        }
        start += STEP_MIN;
    }
    Ok(out)
}

/// Who takes a booking of `service_id` at `date` `time`: the staff member asked for, or (for
/// "anyone") the free one with the fewest bookings that day. `Ok(None)` in a shop without
/// staff. Returns the booking as it will be held.
pub fn assign<'d>(
    data: &'d MerchantData,
    service_id: &str,
    date: &str,
    time: &str,
    staff: Option<&str>,
    held: &[Held<'_>],
    now: (Date, u32),
) -> Result<Held<'d>, Refusal> {
    // The service is checked first, then the date and time, then the staff member.
    let service = service(data, service_id)?;
    let day = parse_date(date).ok_or(Refusal::BadDate)?;
    let start = parse_hhmm(time).ok_or(Refusal::BadTime)?;
    offers(data, service, staff)?;
    let offered = starts(data, service_id, date, None, &[], now)?;
    if !offered.iter().any(|&(s, _)| s == start) {
        return Err(Refusal::NotOffering);
    }
    let length = u32::from(service.duration_min);
    let end = start + length + u32::from(service.buffer_min);
    let people = resources(data, service, day)?;
    let taken_by = by_person(&people, held);
    people
        .iter()
        .zip(&taken_by)
        .filter(|(r, _)| staff.is_none() || r.staff == staff)
        .filter(|(r, b)| start + length <= r.close && free(r, start, end, b))
        // The least busy that day.
        .min_by_key(|(_, b)| b.len())
        .map(|(r, _)| Held {
            staff: r.staff,
            start,
            end,
        })
        .ok_or(Refusal::Taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::site::{Hours, HoursException, Staff};

    fn day(open: &str, close: &str) -> DayHours {
        DayHours {
            closed: false,
            open: open.into(),
            close: close.into(),
        }
    }

    fn closed() -> DayHours {
        DayHours {
            closed: true,
            open: String::new(),
            close: String::new(),
        }
    }

    fn staff(id: &str, hours: Option<Vec<DayHours>>) -> Staff {
        Staff {
            id: id.into(),
            name: id.into(),
            title: String::new(),
            photo: None,
            hours,
        }
    }

    /// A salon open 10:00–18:00 Monday to Saturday, closed Sunday, closed on 2026-12-25 and
    /// open late on 2026-12-24; a 60-minute cut with 15 minutes after, by Ann and Bo; Bo works
    /// Monday to Wednesday only, 12:00–16:00.
    fn salon() -> MerchantData {
        let mut weekly = vec![day("10:00", "18:00"); 6];
        weekly.push(closed());
        let mut bo = vec![day("12:00", "16:00"); 3];
        bo.extend(vec![closed(); 4]);
        MerchantData {
            services: vec![Service {
                id: "cut".into(),
                name: "Cut".into(),
                description: String::new(),
                duration_min: 60,
                buffer_min: 15,
                price: 8800,
                image: None,
                staff: vec!["ann".into(), "bo".into()],
            }],
            staff: vec![staff("ann", None), staff("bo", Some(bo)), staff("cy", None)],
            hours: Some(Hours {
                weekly,
                exceptions: vec![
                    HoursException {
                        date: "2026-12-25".into(),
                        closed: true,
                        open: String::new(),
                        close: String::new(),
                        note: String::new(),
                    },
                    HoursException {
                        date: "2026-12-24".into(),
                        closed: false,
                        open: "10:00".into(),
                        close: "21:00".into(),
                        note: String::new(),
                    },
                ],
            }),
            ..Default::default()
        }
    }

    fn today() -> (Date, u32) {
        (parse_date("2026-12-01").unwrap(), 9 * 60)
    }

    fn at(slots: &[Slot], time: &str) -> u32 {
        slots
            .iter()
            .find(|s| s.time == time)
            .map_or(0, |s| s.capacity)
    }

    #[test]
    fn staff_hours_shape_the_capacity_and_the_service_must_fit_before_closing() {
        // 2026-12-07 is a Monday: Ann all day, Bo 12–16; Cy does not offer cuts.
        let s = slots(&salon(), "cut", "2026-12-07", &[], today()).unwrap();
        assert_eq!(s.first().unwrap().time, "10:00");
        assert_eq!(
            s.last().unwrap().time,
            "17:00",
            "a 60-minute cut ends by 18:00"
        );
        assert_eq!(at(&s, "11:30"), 1);
        assert_eq!(at(&s, "12:00"), 2);
        assert_eq!(at(&s, "15:00"), 2);
        assert_eq!(at(&s, "15:30"), 1, "Bo's day ends at 16:00");
        // Thursday: Ann alone.
        let s = slots(&salon(), "cut", "2026-12-10", &[], today()).unwrap();
        assert!(s.iter().all(|x| x.capacity == 1));
    }

    #[test]
    fn special_days_and_sundays_and_far_or_past_days() {
        let d = salon();
        assert_eq!(
            slots(&d, "cut", "2026-12-25", &[], today()),
            Err(Refusal::Closed)
        );
        assert_eq!(
            slots(&d, "cut", "2026-12-06", &[], today()),
            Err(Refusal::Closed),
            "a Sunday"
        );
        let eve = slots(&d, "cut", "2026-12-24", &[], today()).unwrap();
        assert_eq!(eve.last().unwrap().time, "20:00");
        assert_eq!(
            slots(&d, "cut", "2026-11-30", &[], today()),
            Err(Refusal::OutOfRange)
        );
        assert_eq!(
            slots(&d, "cut", "2027-06-01", &[], today()),
            Err(Refusal::OutOfRange)
        );
        assert_eq!(
            slots(&d, "cut", "2026-02-30", &[], today()),
            Err(Refusal::BadDate)
        );
        assert_eq!(
            slots(&d, "perm", "2026-12-07", &[], today()),
            Err(Refusal::UnknownService)
        );
        let mut none = d.clone();
        none.hours = None;
        assert_eq!(
            slots(&none, "cut", "2026-12-07", &[], today()),
            Err(Refusal::NoHours)
        );
    }

    #[test]
    fn earlier_times_today_are_gone() {
        let now = (parse_date("2026-12-07").unwrap(), 14 * 60);
        let s = slots(&salon(), "cut", "2026-12-07", &[], now).unwrap();
        assert_eq!(s.first().unwrap().time, "14:30");
    }

    #[test]
    fn a_booking_and_its_buffer_take_that_persons_time_only() {
        let held = [Held {
            staff: Some("ann"),
            start: 12 * 60,
            end: 13 * 60 + 15,
        }];
        let s = slots(&salon(), "cut", "2026-12-07", &held, today()).unwrap();
        assert_eq!(at(&s, "12:00"), 1, "Bo is still free");
        assert_eq!(at(&s, "10:30"), 1, "ends with its buffer at 11:45");
        assert_eq!(
            at(&s, "11:00"),
            0,
            "Ann's 11:00 and its buffer would run into her 12:00; Bo starts at 12:00"
        );
        assert_eq!(at(&s, "13:00"), 1, "Ann's buffer runs to 13:15");
        assert_eq!(at(&s, "13:30"), 2);
    }

    #[test]
    fn anyone_goes_to_the_least_busy_free_person_and_a_full_slot_is_refused() {
        let d = salon();
        let mut held = Vec::new();
        let first = assign(&d, "cut", "2026-12-07", "12:00", None, &held, today()).unwrap();
        held.push(first.clone());
        let second = assign(&d, "cut", "2026-12-07", "12:00", None, &held, today()).unwrap();
        assert_ne!(first.staff, second.staff);
        held.push(second);
        assert_eq!(
            assign(&d, "cut", "2026-12-07", "12:00", None, &held, today()),
            Err(Refusal::Taken)
        );
        assert_eq!(
            assign(&d, "cut", "2026-12-07", "12:00", Some("cy"), &[], today()),
            Err(Refusal::NotOffered)
        );
        assert_eq!(
            assign(&d, "cut", "2026-12-07", "12:10", None, &[], today()),
            Err(Refusal::NotOffering)
        );
        assert_eq!(
            assign(&d, "cut", "2026-12-07", "11:00", Some("bo"), &[], today()),
            Err(Refusal::Taken),
            "Bo starts at 12:00"
        );
    }

    #[test]
    fn a_shop_without_staff_takes_one_booking_at_a_time() {
        let mut d = salon();
        d.staff.clear();
        d.services[0].staff.clear();
        let held = [assign(&d, "cut", "2026-12-07", "10:00", None, &[], today()).unwrap()];
        assert_eq!(held[0].staff, None);
        let s = slots(&d, "cut", "2026-12-07", &held, today()).unwrap();
        assert_eq!(at(&s, "10:00"), 0);
        assert_eq!(at(&s, "11:30"), 1);
    }
}
