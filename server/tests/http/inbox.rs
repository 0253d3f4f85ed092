//! The merchant's inbox over HTTP: an order from the mini program appears with what needs
//! doing, the merchant moves it on with plain forms, the stamp the open page polls changes,
//! the CSV has it, the rules are checked by field, and nobody else sees any of it.
use super::mp::{booking, croissants, open_day, order, shop};
use super::{Browser, PASSWORD};
use app::i18n::Lang;
use app::model::ThemeKind;
use axum::http::StatusCode;
use serde_json::json;

fn americano(cid: &str) -> serde_json::Value {
    order(
        cid,
        json!([{"product": "americano", "variant": "", "quantity": 2, "unit_price": 2000}]),
        4000,
    )
}

#[tokio::test]
async fn an_order_appears_in_the_inbox_and_the_merchant_accepts_readies_and_completes_it() {
    let shop = shop(ThemeKind::Shop, Lang::En, true, croissants(5)).await;
    let mut b = Browser::new(&shop.app);
    b.login("shop@mp.test", PASSWORD).await;
    let inbox = format!("/merchants/{}/inbox", shop.merchant);
    let before = b.get(&format!("{inbox}/stamp")).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    let before: serde_json::Value = serde_json::from_str(&before.body).unwrap();

    let (status, placed) = shop
        .call("POST", "/orders", Some(americano("inbox-order-1")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let now: serde_json::Value =
        serde_json::from_str(&b.get(&format!("{inbox}/stamp")).await.body).unwrap();
    assert_ne!(
        now["stamp"], before["stamp"],
        "the open page learns something arrived"
    );
    // The merchant's home page counts it too.
    let home = b.get(&format!("/merchants/{}", shop.merchant)).await;
    assert!(
        home.body.contains("1 new orders to accept"),
        "{}",
        home.body
    );

    let page = b.get(&inbox).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("A1001") && page.body.contains("Americano × 2"),
        "{}",
        page.body
    );
    assert!(page.body.contains("¥40.00") && page.body.contains("Li Wei"));
    let site = shop.site.to_string();
    let step = |action: &'static str| {
        [
            ("kind", "order"),
            ("site", site.as_str()),
            ("item", "inbox-order-1"),
            ("action", action),
            ("tab", "orders"),
        ]
    };
    // Ready before accepted is refused, and said.
    let refused = b.post_csrf(&inbox, &step("ready")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused
        .body
        .contains("The order is received: that cannot be done now."));
    for (action, state) in [
        ("accept", "accepted"),
        ("ready", "ready"),
        ("complete", "completed"),
    ] {
        let r = b.post_csrf(&inbox, &step(action)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
        assert!(r.location.unwrap().contains("n=A1001"));
        let (o, _) = server::mp::orders::get(&*shop.store, shop.site, "inbox-order-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.status.as_str(), state);
        b.get(&inbox).await;
    }
    // A cancel needs a reason; a completed order cannot be cancelled.
    let mut cancel = step("cancel").to_vec();
    cancel.push(("reason", "Out of milk"));
    let r = b.post_csrf(&inbox, &cancel).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The CSV has it, and a spreadsheet formula typed as a name stays text.
    let mut evil = americano("inbox-order-2");
    evil["name"] = "=HYPERLINK(\"http://x\")".into();
    assert_eq!(
        shop.call("POST", "/orders", Some(evil)).await.0,
        StatusCode::CREATED
    );
    let csv = b.get(&format!("{inbox}/orders.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(
        csv.body.contains("A1001") && csv.body.contains("completed"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);
}

#[tokio::test]
async fn the_calendar_shows_bookings_per_staff_member_and_the_merchant_cancels_with_a_reason() {
    let salon = shop(ThemeKind::Booking, Lang::En, true, |_| {}).await;
    let site: app::model::site::Site = server::publish::versions::get(&*salon.store, salon.site, 1)
        .await
        .unwrap()
        .unwrap()
        .site
        .unwrap();
    let day = open_day(&site);
    let mut mei = booking(&day, "10:00", "Ann");
    mei["staff"] = "mei".into();
    let (status, made) = salon.call("POST", "/bookings", Some(mei)).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let mut b = Browser::new(&salon.app);
    b.login("shop@mp.test", PASSWORD).await;
    let inbox = format!("/merchants/{}/inbox", salon.merchant);
    let cal = b
        .get(&format!("{inbox}?tab=calendar&span=week&day={day}"))
        .await;
    assert_eq!(cal.status, StatusCode::OK);
    let mei_row = cal.body.find("Mei Lin").expect("a row for Mei");
    let jun_row = cal.body.find("Jun Wang").expect("a row for Jun");
    let slot = cal
        .body
        .find("10:00–11:00")
        .expect("the booking in the calendar");
    assert!(mei_row < slot && slot < jun_row, "in Mei's row");

    let id = made["id"].as_str().unwrap();
    let site_id = salon.site.to_string();
    let form = [
        ("kind", "booking"),
        ("site", site_id.as_str()),
        ("item", id),
        ("action", "cancel"),
        ("tab", "bookings"),
    ];
    let r = b.post_csrf(&inbox, &form).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let mut with_reason = form.to_vec();
    with_reason.push(("reason", "Mei is ill"));
    let r = b.post_csrf(&inbox, &with_reason).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The time is free again for the next customer.
    let (_, slots) = salon
        .call(
            "GET",
            &format!("/availability?service=cut&date={day}&staff=mei"),
            None,
        )
        .await;
    assert_eq!(slots["slots"][0]["time"], "10:00", "{slots}");
    let page = b.get(&format!("{inbox}?tab=bookings")).await;
    assert!(page.body.contains("Mei is ill"));
}

#[tokio::test]
async fn the_rules_are_checked_by_field_and_reach_the_mini_program() {
    let shop = shop(ThemeKind::Shop, Lang::Zh, true, croissants(5)).await;
    let mut b = Browser::new(&shop.app);
    b.login("shop@mp.test", PASSWORD).await;
    let rules = format!("/merchants/{}/inbox?tab=settings", shop.merchant);
    b.get(&format!("/merchants/{}/inbox?tab=settings", shop.merchant))
        .await;
    let site = shop.site.to_string();
    let bad = [
        ("form", "rules"),
        ("site", site.as_str()),
        ("cancel_before_hours", "2"),
        ("delivery", "on"),
        ("order_template", "tmpl-order"),
        ("order_fields", "character_string1=number\nphrase2=mood"),
    ];
    let r = b.post_csrf(&rules, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("第 2 行应为"),
        "the line at fault, in the merchant's language"
    );
    assert!(r.body.contains("phrase2=mood"), "what was typed is kept");
    let good = [
        ("form", "rules"),
        ("site", site.as_str()),
        ("cancel_before_hours", "2"),
        ("delivery", "on"),
        ("order_template", "tmpl-order"),
        ("order_fields", "character_string1=number\nphrase2=status"),
    ];
    let r = b.post_csrf(&rules, &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, config) = shop.call("GET", "/config", None).await;
    assert_eq!(config["delivery"], true);
    assert_eq!(config["templates"]["order"], "tmpl-order");
    // Delivery is now allowed, with an address.
    let mut o = americano("delivery-order-1");
    o["mode"] = "delivery".into();
    o["address"] = "5 Yongkang Road".into();
    assert_eq!(
        shop.call("POST", "/orders", Some(o)).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn another_merchant_or_agency_sees_nothing_of_the_inbox() {
    let shop = shop(ThemeKind::Shop, Lang::En, true, croissants(5)).await;
    assert_eq!(
        shop.call("POST", "/orders", Some(americano("private-order-1")))
            .await
            .0,
        StatusCode::CREATED
    );
    // Another agency, with its own admin.
    server::accounts::create_agency(&*shop.store, "Other", "admin@other.test", PASSWORD)
        .await
        .unwrap();
    let mut other = Browser::new(&shop.app);
    other.login("admin@other.test", PASSWORD).await;
    let inbox = format!("/merchants/{}/inbox", shop.merchant);
    for path in [
        inbox.clone(),
        format!("{inbox}/stamp"),
        format!("{inbox}/orders.csv"),
    ] {
        let r = other.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(!r.body.contains("private-order-1") && !r.body.contains("A1001"));
    }
    let site = shop.site.to_string();
    other.get("/agency").await;
    let r = other
        .post_csrf(
            &inbox,
            &[
                ("kind", "order"),
                ("site", site.as_str()),
                ("item", "private-order-1"),
                ("action", "accept"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (o, _) = server::mp::orders::get(&*shop.store, shop.site, "private-order-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.status.as_str(), "received", "nothing changed");
    // Signed out: the sign-in page, not the inbox.
    let mut nobody = Browser::new(&shop.app);
    let r = nobody.get(&inbox).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}
