//! The scripting API (`/api/v1`) over real HTTP: bearer tokens, tenancy on every route, the
//! site round trip with its errors, bulk jobs against the fake WeChat platform (failures
//! injected, the workers stopped mid-job and started again), and the OpenAPI document.
#[path = "wechat/support.rs"]
mod support;

use serde_json::{json, Value};
use server::storage::now_unix;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use support::*;

struct Api<'a> {
    env: &'a Env,
    token: String,
}

impl<'a> Api<'a> {
    async fn new(env: &'a Env, admin: &str) -> Api<'a> {
        let user = server::accounts::find_login(&*env.state.store, admin)
            .await
            .unwrap()
            .unwrap();
        let (_, token) = server::api_tokens::create(
            &*env.state.store,
            user.role.agency_id(),
            "test script",
            (user.id, &user.login),
            app::i18n::Lang::En,
        )
        .await
        .unwrap();
        Api { env, token }
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.env
            .http
            .request(method, format!("{}/api/v1{path}", self.env.base))
            .bearer_auth(&self.token)
    }

    /// Sends as a well-behaved script does: a 429 is waited out (`Retry-After`) and sent
    /// again.
    async fn send(&self, rb: reqwest::RequestBuilder) -> (u16, Value) {
        for _ in 0..100 {
            let r = rb.try_clone().unwrap().send().await.unwrap();
            let status = r.status().as_u16();
            if status == 429 {
                let wait: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(wait >= 1);
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            let text = r.text().await.unwrap();
            return (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            );
        }
        panic!("rate-limited for too long");
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.req(reqwest::Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.req(reqwest::Method::POST, path).json(&body))
            .await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.req(reqwest::Method::PUT, path).json(&body))
            .await
    }

    /// A new merchant with one shop site; the site's id.
    async fn merchant_with_site(&self, n: usize) -> String {
        let (status, m) = self
            .post(
                "/merchants",
                json!({"name": format!("Shop {n}"), "login": format!("shop{n}@a.test")}),
            )
            .await;
        assert_eq!(status, 201, "{m}");
        let (status, s) = self
            .post(
                &format!("/merchants/{}/sites", m["merchant"]["id"].as_str().unwrap()),
                json!({"name": format!("Shop {n}"), "template": "shop"}),
            )
            .await;
        assert_eq!(status, 201, "{s}");
        s["id"].as_str().unwrap().to_string()
    }

    async fn job_until_final(&self, id: &str) -> Value {
        for _ in 0..1200 {
            let (status, j) = self.get(&format!("/jobs/{id}")).await;
            assert_eq!(status, 200, "{j}");
            if j["state"] == "done" || j["state"] == "cancelled" {
                return j;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the job did not end: {}",
            self.get(&format!("/jobs/{id}")).await.1
        );
    }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_acts_for_its_own_agency_only_on_every_route() {
    let env = env().await;
    let a = Api::new(&env, "admin@a.test").await;
    let b = Api::new(&env, "admin@b.test").await;
    let site = a.merchant_with_site(1).await;
    let (_, list) = a.get("/merchants").await;
    let merchant = list["merchants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["login"] == "shop1@a.test")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, job) = a.post(&format!("/sites/{site}/publish"), json!({})).await;
    assert_eq!(status, 202, "{job}");
    let job = job["job_id"].as_str().unwrap().to_string();

    // Agency B names agency A's merchant, site and job: not found, every time.
    let theme = json!({"primary": "#112233"});
    let refusals: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (
            reqwest::Method::GET,
            format!("/merchants/{merchant}/sites"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/merchants/{merchant}/sites"),
            Some(json!({"name": "Intruder", "template": "shop"})),
        ),
        (reqwest::Method::GET, format!("/sites/{site}"), None),
        (
            reqwest::Method::PUT,
            format!("/sites/{site}"),
            Some(json!({"base_version": 1, "site": {}})),
        ),
        (reqwest::Method::GET, format!("/sites/{site}/export"), None),
        (
            reqwest::Method::POST,
            format!("/sites/{site}/wechat/connect"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/sites/{site}/publish"),
            None,
        ),
        (reqwest::Method::GET, format!("/sites/{site}/status"), None),
        (
            reqwest::Method::POST,
            format!("/sites/{site}/release"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/sites/{site}/rollback"),
            None,
        ),
        (
            reqwest::Method::GET,
            format!("/sites/{site}/versions"),
            None,
        ),
        (
            reqwest::Method::GET,
            format!("/sites/{site}/qr?kind=link&format=png"),
            None,
        ),
        (
            reqwest::Method::POST,
            "/publish".into(),
            Some(json!({"site_ids": [site]})),
        ),
        (
            reqwest::Method::POST,
            "/bulk".into(),
            Some(json!({"action": "theme", "site_ids": [site], "theme": theme})),
        ),
        (reqwest::Method::GET, format!("/jobs/{job}"), None),
        (reqwest::Method::POST, format!("/jobs/{job}/cancel"), None),
        (
            reqwest::Method::GET,
            format!("/jobs/{job}/report.csv"),
            None,
        ),
    ];
    for (method, path, body) in refusals {
        let mut rb = b.req(method.clone(), &path);
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        let (status, v) = b.send(rb).await;
        assert_eq!(
            (status, code(&v)),
            (404, "not_found"),
            "{method} {path}: {v}"
        );
    }
    let (_, theirs) = b.get("/merchants").await;
    assert_eq!(
        theirs["merchants"],
        json!([]),
        "B sees none of A's merchants"
    );
    // A's job is untouched by B's attempts.
    let (status, j) = a.get(&format!("/jobs/{job}")).await;
    assert_eq!(status, 200);
    assert_ne!(j["state"], "cancelled");

    // No token, a made-up one, a revoked one: 401 with a reason.
    let none = env
        .http
        .get(format!("{}/api/v1/merchants", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    assert!(none.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let forged = Api {
        env: &env,
        token: format!("{}x", a.token),
    };
    assert_eq!(forged.get("/merchants").await.0, 401);
    let id = a.token.split('_').nth(2).unwrap();
    let agency = a.token.split('_').nth(1).unwrap();
    server::api_tokens::revoke(&*env.state.store, agency.parse().unwrap(), id)
        .await
        .unwrap();
    let (status, v) = a.get("/merchants").await;
    assert_eq!((status, code(&v)), (401, "unauthenticated"), "{v}");
    // B's token is another agency's: it cannot revoke A's tokens either.
    assert!(
        server::api_tokens::revoke(&*env.state.store, ulid::Ulid::new(), id)
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sites_round_trip_with_versions_and_each_mistake_is_named() {
    let env = env().await;
    let a = Api::new(&env, "admin@a.test").await;
    // Cookies mean nothing here, and no CSRF token is asked for.
    let site = a.merchant_with_site(2).await;
    let (status, got) = a.get(&format!("/sites/{site}")).await;
    assert_eq!(status, 200, "{got}");
    let base = got["version"].as_u64().unwrap();
    let mut body = got["site"].clone();
    body["name"] = "Renamed by script".into();
    let (status, saved) = a
        .put(
            &format!("/sites/{site}"),
            json!({"base_version": base, "site": body}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], base + 1);
    // The same base again: stale.
    let (status, v) = a
        .put(
            &format!("/sites/{site}"),
            json!({"base_version": base, "site": body}),
        )
        .await;
    assert_eq!((status, code(&v)), (409, "conflict"), "{v}");
    // An invalid site: every problem with its path; nothing saved.
    let mut bad = body.clone();
    bad["theme"]["primary"] = "red".into();
    let (status, v) = a
        .put(
            &format!("/sites/{site}"),
            json!({"base_version": base + 1, "site": bad}),
        )
        .await;
    assert_eq!((status, code(&v)), (422, "invalid_site"), "{v}");
    assert!(
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["path"] == "theme.primary"),
        "{v}"
    );
    assert_eq!(
        a.get(&format!("/sites/{site}")).await.1["version"],
        base + 1
    );
    // Unknown fields and bad types are refused with where they are.
    let (status, v) = a
        .put(
            &format!("/sites/{site}"),
            json!({"base_version": base + 1, "site": body, "force": true}),
        )
        .await;
    assert_eq!((status, code(&v)), (400, "bad_request"), "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("force"),
        "{v}"
    );
    let (status, v) = a.post("/merchants", json!({"name": "X", "login": 7})).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("login")),
        "{v}"
    );
    // A body over the limit (in process: over TCP the server's early answer can race the
    // client still sending).
    let huge = "x".repeat(3 * 1024 * 1024);
    let req = axum::http::Request::post("/api/v1/merchants")
        .header("authorization", format!("Bearer {}", a.token))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(format!(
            "{{\"name\":\"{huge}\",\"login\":\"big@a.test\"}}"
        )))
        .unwrap();
    let res = tower::ServiceExt::oneshot(server::app(env.state.clone()), req)
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(code(&v), "too_large", "{v}");
    // A taken login, in the caller's language.
    let (status, v) = a
        .send(
            a.req(reqwest::Method::POST, "/merchants")
                .header("accept-language", "zh-CN")
                .json(&json!({"name": "Again", "login": "shop2@a.test"})),
        )
        .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (409, Some("login")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{2e80}'),
        "{v}"
    );

    // Export: the zip, recorded as a version.
    let r = a
        .req(reqwest::Method::GET, &format!("/sites/{site}/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let zip = r.bytes().await.unwrap();
    assert_eq!(&zip[..2], b"PK");
    let (_, versions) = a.get(&format!("/sites/{site}/versions")).await;
    assert_eq!(versions["versions"][0]["kind"], "export", "{versions}");
    assert_eq!(versions["versions"][0]["by"], "api:test script");

    // The link QR code decodes to the site's public address.
    let r = a
        .req(
            reqwest::Method::GET,
            &format!("/sites/{site}/qr?kind=link&format=png&size=300"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        decode_qr(&r.bytes().await.unwrap()),
        format!("{}/s/{site}", env.base)
    );
    let (status, v) = a.get(&format!("/sites/{site}/qr?kind=link&size=90")).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (422, Some("size")),
        "{v}"
    );
    let (status, v) = a.get(&format!("/sites/{site}/qr?kind=poster")).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (422, Some("kind")),
        "{v}"
    );
    let (status, s) = a.get(&format!("/sites/{site}/status")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (s["connected"].clone(), s["live_version"].clone()),
        (json!(false), Value::Null)
    );

    // Connect through the API: the authorization page, then the `authorized` push.
    let (status, c) = a
        .post(&format!("/sites/{site}/wechat/connect"), json!({}))
        .await;
    assert_eq!(status, 200, "{c}");
    env.authorize(c["authorize_url"].as_str().unwrap()).await;
    let mut connected = false;
    for _ in 0..100 {
        let (_, s) = a.get(&format!("/sites/{site}/status")).await;
        if s["connected"] == true {
            assert_eq!(s["appid"], APP);
            connected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(connected, "the authorized push connects the site");
    // Nothing is released yet.
    let (status, v) = a.post(&format!("/sites/{site}/release"), json!({})).await;
    assert_eq!((status, code(&v)), (409, "refused"), "{v}");

    // The audit log names the token.
    let agency = server::accounts::find_login(&*env.state.store, "admin@a.test")
        .await
        .unwrap()
        .unwrap()
        .role
        .agency_id();
    let log = env.state.store.agency_audit(agency, 50).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "agency_edited_site" && e.detail.contains("api:test script")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_openapi_document_describes_every_route() {
    let env = env().await;
    let r = env
        .http
        .get(format!("{}/api/v1/openapi.json", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "served without a token");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    // Every `.route("…")` of the router, read from its source.
    let source = include_str!("../src/http/api/v1.rs");
    let routed: BTreeSet<String> = source
        .split(".route(")
        .skip(1)
        .map(|s| {
            let s = s.trim_start().strip_prefix('"').expect("a route's path");
            s[..s.find('"').unwrap()].to_string()
        })
        .collect();
    assert!(routed.len() >= 18, "{routed:?}");
    assert_eq!(routed, documented);
}

/// 50 merchants' sites published as one job, with WeChat refusing some (quota), a token
/// invalidated midway and a transient "system busy"; the workers are stopped mid-job and
/// started again. Every site ends published or with its final error, and the fake's call log
/// shows no mini program committed or submitted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bulk_publish_of_fifty_survives_failures_and_a_restart_without_repeating_a_site() {
    let env = env_with(Opts {
        workers: false,
        scan_calls: 1,
    })
    .await;
    let a = Api::new(&env, "admin@a.test").await;
    env.fake("/fake/quota", json!({"rest": 1000})).await;
    let mut sites = Vec::new();
    let mut appid_of = BTreeMap::new();
    for n in 0..50 {
        let site = a.merchant_with_site(100 + n).await;
        let appid = format!("wx{:016x}", 0xa000_0000_0000_0000u64 + n as u64);
        env.fake(
            "/fake/apps",
            json!({"appid": appid, "name": format!("Shop {n}")}),
        )
        .await;
        let (status, c) = a
            .post(&format!("/sites/{site}/wechat/connect"), json!({}))
            .await;
        assert_eq!(status, 200, "{c}");
        env.authorize_as(c["authorize_url"].as_str().unwrap(), &appid)
            .await;
        appid_of.insert(appid, site.clone());
        sites.push(site);
    }
    // WeChat says: three sites over quota (final), one token expired (refresh and retry), two
    // busy answers (transient).
    env.fake(
        "/fake/inject",
        json!({"path": "/wxa/submit_audit", "errcode": 85085, "times": 3}),
    )
    .await;
    env.fake(
        "/fake/inject",
        json!({"path": "/wxa/submit_audit", "errcode": -1, "times": 2}),
    )
    .await;
    env.fake(
        "/fake/inject",
        json!({"path": "/wxa/commit", "errcode": 42001}),
    )
    .await;
    let (status, job) = a.post("/publish", json!({"site_ids": sites})).await;
    assert_eq!(status, 202, "{job}");
    let job = job["job_id"].as_str().unwrap().to_string();
    // Workers with a short lease, stopped once some sites are under way.
    let lease = Duration::from_secs(3);
    let first = tokio::spawn(server::jobs::run_workers(env.state.clone(), 2, lease));
    let started = now_unix();
    loop {
        let (_, j) = a.get(&format!("/jobs/{job}")).await;
        if j["done"].as_u64().unwrap() >= 5 {
            break;
        }
        assert!(now_unix() - started < 120, "no progress: {j}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.abort();
    let _ = first.await;
    let (_, mid) = a.get(&format!("/jobs/{job}")).await;
    assert!(mid["done"].as_u64().unwrap() < 50, "stopped mid-job: {mid}");
    // Another node's workers take over once the leases run out.
    let second = tokio::spawn(server::jobs::run_workers(env.state.clone(), 2, lease));
    let j = a.job_until_final(&job).await;
    second.abort();
    assert_eq!(j["total"], 50);
    assert_eq!(j["state"], "done", "{j}");
    let items = j["items"].as_array().unwrap();
    let failed: Vec<&Value> = items.iter().filter(|i| i["state"] == "failed").collect();
    assert_eq!(failed.len(), 3, "the quota refusals, and only those: {j}");
    for f in &failed {
        assert_eq!(f["errcode"], 85085, "{f}");
        assert!(!f["error"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        items.iter().filter(|i| i["state"] == "done").count(),
        47,
        "{j}"
    );
    assert!(items
        .iter()
        .filter(|i| i["state"] == "done")
        .all(|i| i["result"] == "in_review"));
    // The fake's log: each mini program committed once, and submitted at most as often as
    // it was refused with a retryable answer plus once.
    let state = env.fake_state().await;
    // Only calls WeChat took (errcode 0) count: an injected refusal did nothing.
    let mut commits: BTreeMap<String, usize> = BTreeMap::new();
    let mut submits: BTreeMap<String, usize> = BTreeMap::new();
    for c in state["calls"].as_array().unwrap() {
        let Some(app) = c["appid"].as_str() else {
            continue;
        };
        if c["errcode"] != 0 {
            continue;
        }
        match c["path"].as_str().unwrap() {
            "/wxa/commit" => *commits.entry(app.into()).or_default() += 1,
            "/wxa/submit_audit" => *submits.entry(app.into()).or_default() += 1,
            _ => {}
        }
    }
    for appid in appid_of.keys() {
        assert_eq!(commits.get(appid), Some(&1), "{appid} committed once");
        assert!(
            submits.get(appid).copied().unwrap_or(0) <= 1,
            "{appid} submitted once at most"
        );
    }
    assert_eq!(
        submits.values().sum::<usize>(),
        47,
        "one submission per published site"
    );
    let in_review = state["apps"]
        .as_object()
        .unwrap()
        .values()
        .filter(|a| a["audit"]["status"] == 2)
        .count();
    assert_eq!(in_review, 47);
    // The report, one line per site.
    let r = a
        .req(reqwest::Method::GET, &format!("/jobs/{job}/report.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().count(), 51);
    assert_eq!(csv.matches(",failed,").count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_agency_admin_makes_a_token_in_settings_sees_it_once_and_revokes_it() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    let (status, page) = admin.get("/agency/api").await;
    assert_eq!(status, 200);
    assert!(page.contains("No tokens yet."), "{page}");
    // A name is needed.
    let r = admin
        .post("/agency/api", &[("action", "create"), ("name", " ")])
        .await;
    assert_eq!(r.status(), 422);
    let r = admin
        .post(
            "/agency/api",
            &[("action", "create"), ("name", "till sync")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let at = page.find("mpf_").expect("the token is shown");
    let token: String = page[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    assert!(token.len() > 90, "{token}");
    let api = Api {
        env: &env,
        token: token.clone(),
    };
    assert_eq!(api.get("/merchants").await.0, 200);
    // Listed without the token itself, with when it was last used.
    let (_, page) = admin.get("/agency/api").await;
    assert!(page.contains("till sync") && !page.contains(&token));
    let (_, listed) = api.get("/tokens").await;
    assert_eq!(listed["tokens"][0]["name"], "till sync");
    assert!(listed["tokens"][0]["last_used_at"].is_string(), "{listed}");
    assert!(!listed.to_string().contains(&token));
    // A merchant can neither see nor make tokens.
    let mut merchant = Browser::signed_in(&env, "cafe@a.test").await;
    assert_eq!(merchant.get("/agency/api").await.0, 403);
    let r = merchant
        .post("/agency/api", &[("action", "create"), ("name", "sneaky")])
        .await;
    assert_eq!(r.status(), 403);
    // Another agency's admin cannot revoke it.
    let id = token.split('_').nth(2).unwrap().to_string();
    let mut other = Browser::signed_in(&env, "admin@b.test").await;
    let r = other
        .post("/agency/api", &[("action", "revoke"), ("id", &id)])
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(api.get("/merchants").await.0, 200);
    let r = admin
        .post("/agency/api", &[("action", "revoke"), ("id", &id)])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(api.get("/merchants").await.0, 401);
    let (_, page) = admin.get("/agency/api").await;
    assert!(page.contains("revoked"));
    let agency = server::accounts::find_login(&*env.state.store, "admin@a.test")
        .await
        .unwrap()
        .unwrap()
        .role
        .agency_id();
    let log = env.state.store.agency_audit(agency, 50).await.unwrap();
    for action in ["api_token_created", "api_token_revoked"] {
        assert!(log.iter().any(|e| e.action == action), "{action} logged");
    }
}
