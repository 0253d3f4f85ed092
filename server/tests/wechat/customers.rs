//! Customers of a connected mini program sign in through the platform
//! (`/sns/component/jscode2session` on the fake) and see their own orders only.
use super::connect;
use super::support::*;
use serde_json::{json, Value};

async fn mp(
    env: &Env,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}/mp/{}{path}", env.base, env.site);
    let mut req = match method {
        "GET" => env.http.get(url),
        _ => env.http.post(url).json(&body.unwrap_or(Value::Null)),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn order(cid: &str) -> Value {
    json!({"lines": [{"product": "americano", "variant": "", "quantity": 1, "unit_price": 2000}],
        "total": 2000, "client_order_id": cid, "name": "Li Wei", "phone": "13800000000"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_signs_in_with_wx_login_s_code_and_sees_only_their_own_orders() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    // Not committed, exported or released yet: the shop is not open.
    let (status, body) = mp(&env, "GET", "/config", None, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("not_live"))
    );
    connect(&env, &mut admin).await;
    // A commit puts the site in test mode.
    let store = &*env.state.store;
    let id: ulid::Ulid = env.site.parse().unwrap();
    let draft = store.draft(id).await.unwrap().unwrap();
    let record = store.site(id).await.unwrap().unwrap();
    let agency = store
        .merchant(record.merchant_id)
        .await
        .unwrap()
        .unwrap()
        .agency_id;
    let v = server::publish::versions::Version::new(
        app::model::publish::VersionKind::Commit,
        Some(draft.site),
        None,
        "test",
    );
    server::publish::versions::record(store, agency, id, v)
        .await
        .unwrap();

    let login = env.fake("/fake/login", json!({"appid": APP})).await;
    let (code, openid) = (
        login["code"].as_str().unwrap(),
        login["openid"].as_str().unwrap(),
    );
    let (status, session) = mp(&env, "POST", "/session", None, Some(json!({"code": code}))).await;
    assert_eq!(status, 200, "{session}");
    let token = session["token"].as_str().unwrap().to_string();
    assert!(token.contains(openid), "the token names its customer");
    // A code is good once.
    let (status, again) = mp(&env, "POST", "/session", None, Some(json!({"code": code}))).await;
    assert_eq!(
        (status, again["error"]["field"].as_str()),
        (422, Some("code")),
        "{again}"
    );

    let (status, mine) = mp(
        &env,
        "POST",
        "/orders",
        Some(&token),
        Some(order("signed-in-order-1")),
    )
    .await;
    assert_eq!(status, 201, "{mine}");
    assert_eq!(
        mine["test"], true,
        "before the first release, orders are tests"
    );
    let (status, _) = mp(
        &env,
        "POST",
        "/orders",
        None,
        Some(order("anonymous-order-1")),
    )
    .await;
    assert_eq!(status, 201);
    let (status, list) = mp(&env, "GET", "/orders", Some(&token), None).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["signed-in-order-1"]);
    // Without a token there is no history; with a forged one, a clear refusal.
    let (status, _) = mp(&env, "GET", "/orders", None, None).await;
    assert_eq!(status, 401);
    let forged = token.replace(openid, "oSomeoneElse");
    let (status, body) = mp(&env, "GET", "/orders", Some(&forged), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("signed_out"))
    );
    // The signed-in customer cancels their order (still received) without a phone number.
    let (status, body) = mp(
        &env,
        "POST",
        "/orders/signed-in-order-1/cancel",
        Some(&token),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("cancelled")),
        "{body}"
    );
    // Another customer cannot cancel the anonymous one.
    let (status, _) = mp(
        &env,
        "POST",
        "/orders/anonymous-order-1/cancel",
        Some(&token),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 404);
}
