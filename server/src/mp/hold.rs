//! Holding a booking's time: the bookings of one site on one day are one store document
//! (`mp-day/{site}/{date}`), changed through [`Store::update_doc`]: the day is read and written
//! as one step that no other writer interleaves (PostgreSQL locks its row; sled compares and
//! swaps). Two bookings racing for the last place (on one node or several) cannot both be
//! written: the second sees the first's booking and is refused once the time is taken.
use super::availability::{assign, Held, Refusal};
use crate::storage::{change_doc, change_raw, read_body, write_body, Store, StoreError};
use app::model::site::MerchantData;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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
#[derive(Clone, Debug, PartialEq)]
pub struct HeldBooking {
    pub booking_id: String,
    pub service: String,
    pub staff: Option<String>,
    /// Minutes after midnight, the buffer included in `end`.
    pub start: u32,
    pub end: u32,
}

impl Serialize for HeldBooking {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Row::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for HeldBooking {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Row::deserialize(d).map(|r| HeldBooking {
            booking_id: r.booking_id.into_owned(),
            service: r.service.into_owned(),
            staff: r.staff.map(Cow::into_owned),
            start: r.start,
            end: r.end,
        })
    }
}

/// A [`HeldBooking`] as stored, its text borrowed from the stored day where it can be: a
/// booking reads the whole day and writes it back with one more row, so it copies none of it.
#[derive(Clone, Debug, PartialEq)]
struct Row<'a> {
    booking_id: Cow<'a, str>,
    service: Cow<'a, str>,
    staff: Option<Cow<'a, str>>,
    start: u32,
    end: u32,
}

impl<'a> From<&'a HeldBooking> for Row<'a> {
    fn from(h: &'a HeldBooking) -> Row<'a> {
        Row {
            booking_id: Cow::Borrowed(&h.booking_id),
            service: Cow::Borrowed(&h.service),
            staff: h.staff.as_deref().map(Cow::Borrowed),
            start: h.start,
            end: h.end,
        }
    }
}

impl Row<'_> {
    /// The time it takes, for [`assign`].
    fn held(&self) -> Held<'_> {
        Held {
            staff: self.staff.as_deref(),
            start: self.start,
            end: self.end,
        }
    }
}

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            &self.booking_id,
            &self.service,
            &self.staff,
            self.start,
            self.end,
        )
            .serialize(s)
    }
}

/// Text borrowed from the input when it holds no escapes, else copied.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        d.deserialize_str(V).map(Text)
    }
}

/// The older object form of a row.
#[derive(Deserialize)]
struct Object<'a> {
    #[serde(borrow)]
    booking_id: Text<'a>,
    #[serde(borrow)]
    service: Text<'a>,
    #[serde(borrow)]
    staff: Option<Text<'a>>,
    start: u32,
    end: u32,
}

/// Either stored form, told apart by the first byte (`[` or `{`) rather than by trying one and
/// then the other (`serde(untagged)` would buffer every row of a busy day to do that).
impl<'de: 'a, 'a> Deserialize<'de> for Row<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::MapAccessDeserializer;
        use serde::de::{Error, MapAccess, SeqAccess, Visitor};

        struct Form;
        impl<'de> Visitor<'de> for Form {
            type Value = Row<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a held booking ([id, service, staff, start, end])")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Row<'de>, A::Error> {
                let short = |n| A::Error::invalid_length(n, &"5 fields");
                let booking_id = seq.next_element::<Text>()?.ok_or_else(|| short(0))?.0;
                let service = seq.next_element::<Text>()?.ok_or_else(|| short(1))?.0;
                let staff = seq
                    .next_element::<Option<Text>>()?
                    .ok_or_else(|| short(2))?;
                let start = seq.next_element()?.ok_or_else(|| short(3))?;
                let end = seq.next_element()?.ok_or_else(|| short(4))?;
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(A::Error::invalid_length(6, &"5 fields"));
                }
                Ok(Row {
                    booking_id,
                    service,
                    staff: staff.map(|t| t.0),
                    start,
                    end,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Row<'de>, A::Error> {
                let o = Object::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Row {
                    booking_id: o.booking_id.0,
                    service: o.service.0,
                    staff: o.staff.map(|t| t.0),
                    start: o.start,
                    end: o.end,
                })
            }
        }
        d.deserialize_any(Form)
    }
}

/// A day as a booking reads and writes it ([`Row`]).
#[derive(Default, Serialize, Deserialize)]
struct Rows<'a> {
    #[serde(borrow)]
    held: Vec<Row<'a>>,
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
    // Not `change_doc`: the day is read as borrowed rows ([`Rows`]), which its owned `T` cannot be.
    change_raw(store, DAY, &key(site, ask.date), agency, |old| {
        let mut day: Rows = match old {
            Some(raw) => read_body(DAY, raw)?,
            None => Rows::default(),
        };
        let held: Vec<Held> = day.held.iter().map(Row::held).collect();
        let h = assign(data, ask.service, ask.date, ask.time, ask.staff, &held, now)
            .map_err(HoldError::Refused)?;
        let row = HeldBooking {
            booking_id: booking_id.to_string(),
            service: ask.service.to_string(),
            staff: h.staff.map(String::from),
            start: h.start,
            end: h.end,
        };
        day.held.push(Row::from(&row));
        let body = write_body(&day)?;
        Ok((row, body))
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

    #[test]
    fn a_day_read_as_borrowed_rows_copies_only_escaped_text() {
        let text = r#"{"held":[["01KB","cut",null,540,600],{"booking_id":"01KC","service":"a\"b","staff":"mei","start":600,"end":660}]}"#;
        let rows: Rows = serde_json::from_str(text).unwrap();
        assert!(matches!(rows.held[0].booking_id, Cow::Borrowed("01KB")));
        assert!(matches!(rows.held[1].service, Cow::Owned(ref s) if s == "a\"b"));
        assert_eq!(rows.held[1].staff.as_deref(), Some("mei"));
        let again = serde_json::to_string(&rows).unwrap();
        assert_eq!(
            again,
            r#"{"held":[["01KB","cut",null,540,600],["01KC","a\"b","mei",600,660]]}"#
        );
        let day: Day = serde_json::from_str(&again).unwrap();
        assert_eq!(day.held[1].service, "a\"b");
        assert_eq!(serde_json::to_string(&day).unwrap(), again);
    }
}
