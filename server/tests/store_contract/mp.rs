//! The live mini program's contract with the store: a booking's time is held by
//! compare-and-swap, so racing customers never get more places than there are.
use super::*;
use app::model::site::{DayHours, Hours, MerchantData, Service, Staff};
use server::mp::availability::{parse_date, Refusal};
use server::mp::hold::{self, Ask, HoldError};

/// Open 09:00–18:00 every day; a 60-minute cut by either of two stylists.
fn salon() -> MerchantData {
    let day = DayHours {
        closed: false,
        open: "09:00".into(),
        close: "18:00".into(),
    };
    let stylist = |id: &str| Staff {
        id: id.into(),
        name: id.into(),
        title: String::new(),
        photo: None,
        hours: None,
    };
    MerchantData {
        services: vec![Service {
            id: "cut".into(),
            name: "Cut".into(),
            description: String::new(),
            duration_min: 60,
            buffer_min: 0,
            price: 8800,
            image: None,
            staff: vec![],
        }],
        staff: vec![stylist("ann"), stylist("bo")],
        hours: Some(Hours {
            weekly: vec![day; 7],
            exceptions: vec![],
        }),
        ..Default::default()
    }
}

contract!(
    forty_racing_bookings_for_one_time_get_exactly_its_places,
    |store| {
        let (agency, site) = (Ulid::new(), Ulid::new());
        let data = Arc::new(salon());
        let now = (parse_date("2026-12-01").unwrap(), 0);
        let ask = Ask {
            service: "cut",
            date: "2026-12-02",
            time: "10:00",
            staff: None,
        };
        let tries = (0..40).map(|i| {
            let (store, data, ask) = (store.clone(), data.clone(), ask.clone());
            tokio::spawn(async move {
                hold::hold(&*store, agency, site, &data, &ask, &format!("B{i}"), now).await
            })
        });
        let results: Vec<_> = futures::future::join_all(tries)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 2, "two stylists, two places");
        assert_ne!(won[0].staff, won[1].staff);
        assert!(results.iter().all(|r| match r {
            Ok(_) => true,
            Err(HoldError::Refused(Refusal::Taken)) => true,
            Err(e) => panic!("{e}"),
        }));
        let day = hold::day(&*store, site, "2026-12-02").await.unwrap();
        assert_eq!(day.held.len(), 2);
        // A cancellation frees one place, and the next customer gets it.
        let freed = won[0].booking_id.clone();
        assert!(hold::release(&*store, agency, site, "2026-12-02", &freed)
            .await
            .unwrap());
        assert!(!hold::release(&*store, agency, site, "2026-12-02", &freed)
            .await
            .unwrap());
        let again = hold::hold(&*store, agency, site, &data, &ask, "B99", now)
            .await
            .unwrap();
        assert_eq!(again.staff, won[0].staff);
    }
);
