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
        // Releasing on a day that holds nothing creates no day.
        assert!(!hold::release(&*store, agency, site, "2026-12-03", &freed)
            .await
            .unwrap());
        assert!(store
            .doc(hold::DAY, &format!("{site}/2026-12-03"))
            .await
            .unwrap()
            .is_none());
        let again = hold::hold(&*store, agency, site, &data, &ask, "B99", now)
            .await
            .unwrap();
        assert_eq!(again.staff, won[0].staff);
    }
);

contract!(
    fifty_racing_orders_for_the_last_five_sell_exactly_five,
    |store| {
        use server::mp::stock::{self, StockError};
        let (agency, site) = (Ulid::new(), Ulid::new());
        // Two lines each: one bun (5 left) and one large latte (100 left).
        let wanted = vec![
            ("bun".to_string(), 1, 5),
            ("latte|Large".to_string(), 1, 100),
        ];
        let tries = (0..50).map(|_| {
            let (store, wanted) = (store.clone(), wanted.clone());
            tokio::spawn(async move { stock::reserve(&*store, agency, site, 1, &wanted).await })
        });
        let results: Vec<_> = futures::future::join_all(tries)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5);
        for r in &results {
            match r {
                Ok(()) => {}
                Err(StockError::Short { key, left }) => {
                    assert_eq!((key.as_str(), *left), ("bun", 0))
                }
                Err(e) => panic!("{e}"),
            }
        }
        let sold = stock::sold(&*store, site, 1).await.unwrap();
        assert_eq!(sold.sold["bun"], 5);
        assert_eq!(sold.sold["latte|Large"], 5, "a refused order takes nothing");
        // A cancelled order gives its pieces back; a new version counts from its own stock.
        stock::restore(&*store, agency, site, 1, &wanted[..1])
            .await
            .unwrap();
        stock::reserve(&*store, agency, site, 1, &wanted[..1])
            .await
            .unwrap();
        assert!(stock::reserve(&*store, agency, site, 1, &wanted[..1])
            .await
            .is_err());
        stock::reserve(&*store, agency, site, 2, &wanted[..1])
            .await
            .unwrap();
    }
);
