//! The mini-program API (`/mp/{site}`, docs/mp-api.md) as a mini program calls it: orders
//! priced from the live site, stock and booked times never given twice under concurrency, a
//! retried order found again, what is refused and how it is said.
use app::i18n::Lang;
use app::model::site::{HoursException, Site};
use app::model::ThemeKind;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use server::mp::{settings, shop_now};
use server::publish::versions::{self, Version};
use server::storage::embedded::SledStore;
use server::storage::Store;
use std::sync::Arc;
use tower::ServiceExt;
use ulid::Ulid;

pub(super) struct Shop {
    pub(super) app: Router,
    pub(super) store: Arc<SledStore>,
    pub(super) site: Ulid,
    pub(super) agency: Ulid,
    pub(super) merchant: Ulid,
}

/// A merchant's site of `template` in `lang`, changed by `edit`, committed once (test mode)
/// or released (`live`).
pub(super) async fn shop(
    template: ThemeKind,
    lang: Lang,
    live: bool,
    edit: impl FnOnce(&mut Site),
) -> Shop {
    shop_rated(template, lang, live, edit, 1_000_000).await
}

async fn shop_rated(
    template: ThemeKind,
    lang: Lang,
    live: bool,
    edit: impl FnOnce(&mut Site),
    per_ip: u32,
) -> Shop {
    let store = super::temporary();
    let (agency, _) =
        server::accounts::create_agency(&*store, "Agency", "admin@mp.test", super::PASSWORD)
            .await
            .unwrap();
    let m = server::accounts::create_merchant(
        &*store,
        agency.id,
        app::api::NewMerchant {
            name: "Shop".into(),
            login: "shop@mp.test".into(),
            password: super::PASSWORD.into(),
        },
        lang,
    )
    .await
    .unwrap();
    let merchant: Ulid = m.merchant.id.parse().unwrap();
    let record = server::storage::Site {
        id: Ulid::new(),
        merchant_id: merchant,
        name: "Shop".into(),
        template,
        created_at: server::storage::now_rfc3339(),
        updated_at: server::storage::now_rfc3339(),
        archived: false,
        deleted_at: None,
    };
    let mut site: Site =
        serde_json::from_str(server::generator::theme::starter_json(template, lang)).unwrap();
    edit(&mut site);
    let draft = server::storage::Draft {
        version: 1,
        site: site.clone(),
        updated_at: server::storage::now_rfc3339(),
    };
    store.create_site(&record, &draft).await.unwrap();
    let v = Version::new(
        app::model::publish::VersionKind::Commit,
        Some(site),
        None,
        "test",
    );
    let n = versions::record(&*store, agency.id, record.id, v)
        .await
        .unwrap();
    if live {
        server::publish::update(&*store, agency.id, record.id, |s| {
            s.live = Some(app::model::publish::Live {
                version: n,
                user_version: "1.0.0".into(),
                released_at: server::storage::now_rfc3339(),
                by: "test".into(),
            });
            Ok(())
        })
        .await
        .unwrap();
    }
    let state = super::state(store.clone(), false)
        .await
        .with_mp_rates(per_ip, 1_000_000);
    Shop {
        app: server::app(state),
        store,
        site: record.id,
        agency: agency.id,
        merchant,
    }
}

impl Shop {
    pub(super) async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(format!("/mp/{}{path}", self.site))
            .header("content-type", "application/json")
            .body(match body {
                Some(b) => Body::from(b.to_string()),
                None => Body::empty(),
            })
            .unwrap();
        send(&self.app, req).await
    }
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub(super) fn order(cid: &str, lines: Value, total: u64) -> Value {
    json!({"lines": lines, "total": total, "client_order_id": cid, "name": "Li Wei", "phone": "138 0000 0000"})
}

/// The croissant (1600 fen) with only `left` in stock.
pub(super) fn croissants(left: u32) -> impl FnOnce(&mut Site) {
    move |s: &mut Site| {
        let p = s
            .data
            .products
            .iter_mut()
            .find(|p| p.id == "croissant")
            .unwrap();
        p.stock = Some(left);
    }
}

#[tokio::test]
async fn an_order_is_priced_from_the_live_site_and_a_tampered_price_is_refused() {
    let shop = shop(ThemeKind::Shop, Lang::En, true, croissants(24)).await;
    let cheap = json!([{"product": "croissant", "variant": "", "quantity": 2, "unit_price": 1}]);
    let (status, body) = shop
        .call("POST", "/orders", Some(order("order-tamper-1", cheap, 2)))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "price_changed");
    assert_eq!(body["error"]["total"], 3200, "the right total comes back");
    assert_eq!(body["error"]["lines"][0]["unit_price"], 1600);
    // Nothing was stored for the refused order.
    assert!(server::mp::orders::list(&*shop.store, shop.site)
        .await
        .unwrap()
        .is_empty());

    let right = json!([{"product": "croissant", "variant": "", "quantity": 2, "unit_price": 1600},
        {"product": "americano", "variant": "", "quantity": 1, "unit_price": 2000}]);
    let (status, body) = shop
        .call("POST", "/orders", Some(order("order-right-1", right, 5200)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["order_id"], "A1001");
    assert_eq!(body["total"], 5200);
    assert_eq!(body["status"], "received");
    let stored = server::mp::orders::list(&*shop.store, shop.site)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].test, "a released site's orders are real");
    assert_eq!(stored[0].status, server::mp::orders::Status::Received);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_racing_orders_for_the_last_five_croissants_sell_exactly_five() {
    let shop = Arc::new(shop(ThemeKind::Shop, Lang::En, true, croissants(5)).await);
    let line = json!([{"product": "croissant", "variant": "", "quantity": 1, "unit_price": 1600}]);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (shop, line) = (shop.clone(), line.clone());
            tokio::spawn(async move {
                shop.call(
                    "POST",
                    "/orders",
                    Some(order(&format!("race-order-{i:03}"), line, 1600)),
                )
                .await
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "out_of_stock", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 5);
    let orders = server::mp::orders::list(&*shop.store, shop.site)
        .await
        .unwrap();
    assert_eq!(orders.len(), 5);
    let mut numbers: Vec<_> = orders.iter().map(|o| o.order_id.clone()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 5, "each order has its own number");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retried_order_id_returns_the_same_order_even_sent_ten_times_at_once() {
    let shop = Arc::new(shop(ThemeKind::Shop, Lang::En, true, croissants(3)).await);
    let line = json!([{"product": "croissant", "variant": "", "quantity": 1, "unit_price": 1600}]);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (shop, line) = (shop.clone(), line.clone());
            tokio::spawn(async move {
                shop.call(
                    "POST",
                    "/orders",
                    Some(order("same-order-id-1", line, 1600)),
                )
                .await
            })
        })
        .collect();
    let mut ids = Vec::new();
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert!(status.is_success(), "{status} {body}");
        created += usize::from(status == StatusCode::CREATED);
        ids.push(body["order_id"].as_str().unwrap().to_string());
    }
    assert_eq!(created, 1, "one 201, the others 200 with the same order");
    ids.sort();
    ids.dedup();
    // One order; its number may skip one taken by a twin that lost the race.
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        server::mp::orders::list(&*shop.store, shop.site)
            .await
            .unwrap()
            .len(),
        1
    );
    // The stock was taken once: two more can still be sold, not a third.
    let (s1, _) = shop
        .call(
            "POST",
            "/orders",
            Some(order("another-order-1", line.clone(), 1600)),
        )
        .await;
    let (s2, _) = shop
        .call(
            "POST",
            "/orders",
            Some(order("another-order-2", line.clone(), 1600)),
        )
        .await;
    let (s3, b3) = shop
        .call(
            "POST",
            "/orders",
            Some(order("another-order-3", line, 1600)),
        )
        .await;
    assert_eq!(
        (s1, s2, s3),
        (
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::CONFLICT
        )
    );
    assert_eq!(b3["error"]["left"], 0);
}

/// The next day (from tomorrow) the starter salon is open on its week's hours.
pub(super) fn open_day(site: &Site) -> String {
    let weekly = &site.data.hours.as_ref().unwrap().weekly;
    let (today, _) = shop_now();
    (1..=7)
        .map(|d| today + time::Duration::days(d))
        .find(|d| !weekly[d.weekday().number_days_from_monday() as usize].closed)
        .map(date_text)
        .unwrap()
}

fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(super) fn booking(date: &str, time: &str, name: &str) -> Value {
    json!({"service": "cut", "date": date, "time": time, "name": name, "phone": "139 1111 2222"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_racing_bookings_for_one_time_get_exactly_its_two_places() {
    let salon = Arc::new(shop(ThemeKind::Booking, Lang::En, true, |_| {}).await);
    let site: Site = versions::get(&*salon.store, salon.site, 1)
        .await
        .unwrap()
        .unwrap()
        .site
        .unwrap();
    let day = open_day(&site);
    let (status, slots) = salon
        .call(
            "GET",
            &format!("/availability?service=cut&date={day}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{slots}");
    let first = &slots["slots"][0];
    assert_eq!(first["time"], "10:00");
    assert_eq!(first["capacity"], 2, "Mei and Jun both cut");

    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (salon, day) = (salon.clone(), day.clone());
            tokio::spawn(async move {
                salon
                    .call(
                        "POST",
                        "/bookings",
                        Some(booking(&day, "10:00", &format!("Guest {i}"))),
                    )
                    .await
            })
        })
        .collect();
    let mut staff = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => staff.push(body["staff"].as_str().unwrap().to_string()),
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "slot_taken", "{body}");
                assert_eq!(body["error"]["field"], "time");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    staff.sort();
    assert_eq!(
        staff,
        vec!["jun".to_string(), "mei".to_string()],
        "one each"
    );
    let (_, slots) = salon
        .call(
            "GET",
            &format!("/availability?service=cut&date={day}"),
            None,
        )
        .await;
    assert_ne!(slots["slots"][0]["time"], "10:00", "10:00 is gone: {slots}");
    // Asking for Mei alone: she is busy until 11:00.
    let (_, mei) = salon
        .call(
            "GET",
            &format!("/availability?service=cut&date={day}&staff=mei"),
            None,
        )
        .await;
    assert_eq!(mei["slots"][0]["time"], "11:00", "{mei}");
    assert_eq!(mei["slots"][0]["capacity"], 1);
}

#[tokio::test]
async fn bookings_outside_the_hours_or_on_a_closed_day_are_refused_and_nothing_is_kept() {
    let (today, _) = shop_now();
    let holiday = date_text(today + time::Duration::days(10));
    let h = holiday.clone();
    let salon = shop(ThemeKind::Booking, Lang::Zh, true, move |s| {
        s.data
            .hours
            .as_mut()
            .unwrap()
            .exceptions
            .push(HoursException {
                date: h,
                closed: true,
                open: String::new(),
                close: String::new(),
                note: String::new(),
            });
    })
    .await;
    let site: Site = versions::get(&*salon.store, salon.site, 1)
        .await
        .unwrap()
        .unwrap()
        .site
        .unwrap();
    let day = open_day(&site);
    let (status, body) = salon
        .call("POST", "/bookings", Some(booking(&day, "21:00", "Li")))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "not_offered");
    assert_eq!(
        body["error"]["message"],
        "该时间不可预约(不在营业时间内,或不够完成此服务)。"
    );
    // 19:30 opens a 60-minute cut that would end after 20:00.
    let (_, body) = salon
        .call("POST", "/bookings", Some(booking(&day, "19:30", "Li")))
        .await;
    assert_eq!(body["error"]["code"], "not_offered", "{body}");
    let (status, body) = salon
        .call("POST", "/bookings", Some(booking(&holiday, "10:00", "Li")))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "closed");
    assert_eq!(body["error"]["field"], "date");
    let (_, cal) = salon
        .call(
            "GET",
            &format!("/availability?service=cut&date={holiday}"),
            None,
        )
        .await;
    assert_eq!(cal["closed"], true);
    assert_eq!(cal["slots"], json!([]));
    let yesterday = date_text(today - time::Duration::days(1));
    let (status, body) = salon
        .call(
            "POST",
            "/bookings",
            Some(booking(&yesterday, "10:00", "Li")),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("date"))
    );
    assert!(server::mp::bookings::list(&*salon.store, salon.site)
        .await
        .unwrap()
        .is_empty());
    assert!(server::mp::hold::day(&*salon.store, salon.site, &day)
        .await
        .unwrap()
        .held
        .is_empty());
}

#[tokio::test]
async fn a_customer_cancels_before_the_merchant_s_deadline_and_not_after() {
    let salon = shop(ThemeKind::Booking, Lang::En, true, |_| {}).await;
    let site: Site = versions::get(&*salon.store, salon.site, 1)
        .await
        .unwrap()
        .unwrap()
        .site
        .unwrap();
    let day = open_day(&site);
    let (status, b) = salon
        .call("POST", "/bookings", Some(booking(&day, "14:00", "Li")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["booking_id"], "B1001");
    let id = b["id"].as_str().unwrap().to_string();
    // The merchant wants a week's notice: tomorrow is too late.
    let week = settings::Settings {
        cancel_before_min: settings::MAX_CANCEL_BEFORE_MIN,
        ..Default::default()
    };
    settings::save(&*salon.store, salon.agency, salon.site, week)
        .await
        .unwrap();
    let (status, body) = salon
        .call(
            "POST",
            &format!("/bookings/{id}/cancel"),
            Some(json!({"phone": "13911112222"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "too_late");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("168 hours"),
        "{body}"
    );
    // Someone without the phone number cannot cancel it (nor learn it exists).
    settings::save(
        &*salon.store,
        salon.agency,
        salon.site,
        settings::Settings::default(),
    )
    .await
    .unwrap();
    let (status, _) = salon
        .call(
            "POST",
            &format!("/bookings/{id}/cancel"),
            Some(json!({"phone": "1000000"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // With a two-hour deadline, tomorrow's booking is cancelled and its time freed.
    let (status, body) = salon
        .call(
            "POST",
            &format!("/bookings/{id}/cancel"),
            Some(json!({"phone": "139-1111-2222"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "cancelled");
    assert!(server::mp::hold::day(&*salon.store, salon.site, &day)
        .await
        .unwrap()
        .held
        .is_empty());
    let (status, body) = salon
        .call(
            "POST",
            &format!("/bookings/{id}/cancel"),
            Some(json!({"phone": "13911112222"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("wrong_state"))
    );
}

#[tokio::test]
async fn what_is_refused_is_said_in_the_site_s_language_with_its_field() {
    let shop = shop(ThemeKind::Shop, Lang::Zh, false, croissants(5)).await;
    let line = json!([{"product": "croissant", "variant": "", "quantity": 1, "unit_price": 1600}]);
    // A missing phone, and a wrong one.
    let mut o = order("lang-order-1", line.clone(), 1600);
    o.as_object_mut().unwrap().remove("phone");
    let (status, body) = shop.call("POST", "/orders", Some(o)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "phone");
    let mut o = order("lang-order-1", line.clone(), 1600);
    o["phone"] = "call me".into();
    let (_, body) = shop.call("POST", "/orders", Some(o)).await;
    assert_eq!(body["error"]["field"], "phone");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("请填写电话号码"),
        "{body}"
    );
    // An unknown field, a line of a product no longer sold, a quantity of 0.
    let mut o = order("lang-order-1", line.clone(), 1600);
    o["coupon"] = "FREE".into();
    let (status, body) = shop.call("POST", "/orders", Some(o)).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("coupon"))
    );
    let ghost = json!([{"product": "ghost", "variant": "", "quantity": 1, "unit_price": 1}]);
    let (_, body) = shop
        .call("POST", "/orders", Some(order("lang-order-1", ghost, 1)))
        .await;
    assert_eq!(body["error"]["field"], "lines[0].product");
    // Delivery when the shop only does pickup.
    let mut o = order("lang-order-1", line.clone(), 1600);
    o["mode"] = "delivery".into();
    o["address"] = "1 Road".into();
    let (_, body) = shop.call("POST", "/orders", Some(o)).await;
    assert_eq!(body["error"]["field"], "mode");
    assert_eq!(body["error"]["message"], "本店不提供配送,请选择自取。");
    // Too large a body.
    let mut o = order("lang-order-1", line.clone(), 1600);
    o["note"] = "x".repeat(20_000).into();
    let (status, body) = shop.call("POST", "/orders", Some(o)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(server::mp::orders::list(&*shop.store, shop.site)
        .await
        .unwrap()
        .is_empty());
    // Before the first release it answers in test mode, and says so.
    let (status, body) = shop
        .call("POST", "/orders", Some(order("lang-order-1", line, 1600)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["test"], true);
    let (_, config) = shop.call("GET", "/config", None).await;
    assert_eq!(config["test"], true);
    // No such site; a site never committed.
    let (status, body) = send(
        &shop.app,
        Request::get(format!("/mp/{}/config", Ulid::new()))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = send(
        &shop.app,
        Request::get("/mp/not-a-site/config")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let bare = server::storage::Site {
        id: Ulid::new(),
        name: "Bare".into(),
        ..server::storage::Site::clone(&shop.store.site(shop.site).await.unwrap().unwrap())
    };
    let draft = shop.store.draft(shop.site).await.unwrap().unwrap();
    shop.store.create_site(&bare, &draft).await.unwrap();
    let (status, body) = send(
        &shop.app,
        Request::get(format!("/mp/{}/config", bare.id))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_live"))
    );
}

#[tokio::test]
async fn a_client_address_sending_too_fast_is_slowed_down() {
    // 1 per second with bursts of 5.
    let shop = shop_rated(ThemeKind::Shop, Lang::En, true, croissants(5), 1).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(shop.call("GET", "/config", None).await.0);
    }
    assert!(
        statuses[..5].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(statuses[7], StatusCode::TOO_MANY_REQUESTS);
}
