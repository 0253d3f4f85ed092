//! Holding a booking's time: the bookings of one site on one day are one store document
//! (`mp-day/{site}/{date}`), changed through [`Store::update_doc`]: the day is read and written
//! as one step that no other writer interleaves (PostgreSQL locks its row; sled compares and
//! swaps). Two bookings racing for the last place (on one node or several) cannot both be
//! written: the second sees the first's booking and is refused once the time is taken.
use super::availability::{assign, Held, Refusal};
use crate::storage::{change_doc, Store, StoreError};
use app::model::site::MerchantData;
use serde::{Deserialize, Serialize};
use time::Date;
use ulid::Ulid;

pub const DAY: &str = "mp-day";

/// The bookings of a site on a day that hold time (not cancelled).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Day {
    pub held: Vec<HeldBooking>,
}

/// Kept as a short array (`[booking_id, service, staff, start, end]`): a busy day holds
/// hundreds and is read and written whole by each booking. The longer object form written
/// before still reads.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(into = "HeldRow")]
pub struct HeldBooking {
    pub booking_id: String,
    pub service: String,
    pub staff: Option<String>,
    /// Minutes after midnight, the buffer included in `end`.
    pub start: u32,
    pub end: u32,
}

type HeldRow = (String, String, Option<String>, u32, u32);

impl From<HeldBooking> for HeldRow {
    fn from(h: HeldBooking) -> HeldRow {
        (h.booking_id, h.service, h.staff, h.start, h.end)
    }
}

impl From<HeldRow> for HeldBooking {
    fn from((booking_id, service, staff, start, end): HeldRow) -> HeldBooking {
        HeldBooking {
            booking_id,
            service,
            staff,
            start,
            end,
        }
    }
}

/// The older object form of a [`HeldBooking`].
#[derive(Deserialize)]
struct HeldObject {
    booking_id: String,
    service: String,
    staff: Option<String>,
    start: u32,
    end: u32,
}

/// Either stored form, told apart by the first byte (`[` or `{`) rather than by trying one and
/// then the other (`serde(untagged)` would buffer every row of a busy day to do that).
impl<'de> Deserialize<'de> for HeldBooking {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        use serde::de::{MapAccess, SeqAccess, Visitor};

        struct Form;
        impl<'de> Visitor<'de> for Form {
            type Value = HeldBooking;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a held booking ([id, service, staff, start, end])")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<HeldBooking, A::Error> {
                HeldRow::deserialize(SeqAccessDeserializer::new(seq)).map(HeldBooking::from)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<HeldBooking, A::Error> {
                let o = HeldObject::deserialize(MapAccessDeserializer::new(map))?;
                Ok((o.booking_id, o.service, o.staff, o.start, o.end).into())
            }
        }
        d.deserialize_any(Form)
    }
}

impl Day {
    pub fn as_held(&self) -> Vec<Held<'_>> {
        self.held
            .iter()
            .map(|h| Held {
                staff: h.staff.as_deref(),
                start: h.start,
                end: h.end,
            })
            .collect()
    }
}

/// What a booking asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct Ask<'a> {
    pub service: &'a str,
    pub date: &'a str,
    pub time: &'a str,
    /// A staff member, or none for "anyone".
    pub staff: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn key(site: Ulid, date: &str) -> String {
    format!("{site}/{date}")
}

/// The bookings held on `date`.
pub async fn day(store: &dyn Store, site: Ulid, date: &str) -> Result<Day, StoreError> {
    match store.doc(DAY, &key(site, date)).await? {
        Some(d) => d.read(),
        None => Ok(Day::default()),
    }
}

/// Holds the time `ask` wants for `booking_id`, or says why not.
pub async fn hold(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    data: &MerchantData,
    ask: &Ask<'_>,
    booking_id: &str,
    now: (Date, u32),
) -> Result<HeldBooking, HoldError> {
    change_doc(store, DAY, &key(site, ask.date), agency, |day: &mut Day| {
        let h = assign(
            data,
            ask.service,
            ask.date,
            ask.time,
            ask.staff,
            &day.as_held(),
            now,
        )
        .map_err(HoldError::Refused)?;
        let held = HeldBooking {
            booking_id: booking_id.to_string(),
            service: ask.service.to_string(),
            staff: h.staff.map(String::from),
            start: h.start,
            end: h.end,
        };
        day.held.push(held.clone());
        Ok(held)
    })
    .await
}

/// Frees the time of `booking_id` on `date` (cancelled); whether it held any. A day that holds
/// nothing of it is left as it is (an absent one is not created).
pub async fn release(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    date: &str,
    booking_id: &str,
) -> Result<bool, StoreError> {
    enum Kept {
        Unchanged,
        Store(StoreError),
    }
    impl From<StoreError> for Kept {
        fn from(e: StoreError) -> Kept {
            Kept::Store(e)
        }
    }
    let freed = change_doc(store, DAY, &key(site, date), agency, |day: &mut Day| {
        let before = day.held.len();
        day.held.retain(|h| h.booking_id != booking_id);
        if day.held.len() == before {
            Err(Kept::Unchanged)
        } else {
            Ok(())
        }
    })
    .await;
    match freed {
        Ok(()) => Ok(true),
        Err(Kept::Unchanged) => Ok(false),
        Err(Kept::Store(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_kept_short_and_reads_its_older_form_too() {
        let held = HeldBooking {
            booking_id: "01KB".into(),
            service: "cut".into(),
            staff: Some("mei".into()),
            start: 540,
            end: 600,
        };
        let day = Day {
            held: vec![held.clone()],
        };
        let text = serde_json::to_string(&day).unwrap();
        assert_eq!(text, r#"{"held":[["01KB","cut","mei",540,600]]}"#);
        assert_eq!(serde_json::from_str::<Day>(&text).unwrap(), day);
        let older = r#"{"held":[{"booking_id":"01KB","service":"cut","staff":"mei","start":540,"end":600}]}"#;
        assert_eq!(serde_json::from_str::<Day>(older).unwrap(), day);
        for bad in [r#"{"held":["01KB"]}"#, r#"{"held":[["01KB","cut"]]}"#] {
            assert!(serde_json::from_str::<Day>(bad).is_err(), "{bad}");
        }
    }
}
