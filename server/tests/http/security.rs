//! Signing in, the login throttle, CSRF, tenancy between merchants and agencies, and the
//! pages everyone reaches.
use super::*;

#[tokio::test]
async fn healthz_answers() {
    let w = world().await;
    let r = Browser::new(&w.app).get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["store"]["status"], "ok");
    assert!(v["store"]["engine"].as_str().unwrap().starts_with("sled"));
    assert_eq!(v["blobs"]["status"], "ok");
}

/// A blob store that does not answer makes the node unhealthy (a load balancer then sends its
/// requests elsewhere); the answer names which part failed, never a credential.
#[tokio::test]
async fn healthz_answers_503_when_the_blob_store_is_down() {
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let blobs = server::storage::blobs::Blobs::open(
        "s3://gone?endpoint=http://127.0.0.1:1&region=us-east-1",
    )
    .unwrap();
    let state = AppState::new(options, temporary(), blobs, false)
        .await
        .unwrap();
    let app = server::app(state);
    let r = Browser::new(&app).get("/healthz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["status"], "unavailable");
    assert_eq!(v["store"]["status"], "ok");
    assert_eq!(v["blobs"]["status"], "unavailable");
    assert_eq!(v["blobs"]["engine"], "s3 bucket gone at http://127.0.0.1:1");
}

#[tokio::test]
async fn login_page_renders_a_form_with_the_csrf_token() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    let r = b.get("/login").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("action=\"/auth/login\""), "{}", r.body);
    assert!(r.body.contains(&b.csrf()), "token rendered into the form");
}

#[tokio::test]
async fn login_redirects_each_role_home_and_wrong_passwords_are_refused() {
    let w = world().await;
    let mut agency = Browser::new(&w.app);
    let r = agency.login("ADMIN@a.test", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/agency"));
    assert!(agency.cookie("mpf_session").is_some());

    let mut merchant = Browser::new(&w.app);
    let r = merchant.login("cafe@a.test", PASSWORD).await;
    assert_eq!(r.location, Some(format!("/merchants/{}", w.merchant_a)));

    let mut wrong = Browser::new(&w.app);
    let r = wrong.login("cafe@a.test", "not-the-password").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?error=invalid&login=cafe%40a.test")
    );
    assert!(wrong.cookie("mpf_session").is_none());
    let page = wrong.get(r.location.as_deref().unwrap()).await;
    assert!(page.body.contains("do not match"), "the reason is shown");
}

#[tokio::test]
async fn repeated_failures_slow_the_login_down_even_with_the_right_password() {
    use server::auth::Throttle;
    use server::storage::Allowance;
    use std::time::Duration;
    let store = temporary();
    let (agency, _) = create_agency(&*store, "Agency A", "admin@a.test", PASSWORD)
        .await
        .unwrap();
    let nm = NewMerchant {
        name: "Cafe".into(),
        login: "cafe@a.test".into(),
        password: PASSWORD.into(),
    };
    create_merchant(&*store, agency.id, nm, Lang::En)
        .await
        .unwrap();
    let mut state = state(store, false).await;
    // A first delay no machine is slow enough to outlast between two requests.
    let slow = Allowance {
        free: 3,
        max_delay: Some(Duration::from_secs(600)),
        first_delay: Duration::from_secs(300),
    };
    let address = Allowance {
        free: 20,
        max_delay: None,
        first_delay: Duration::ZERO,
    };
    state.throttle = std::sync::Arc::new(Throttle::new(
        "login",
        Duration::from_secs(900),
        slow,
        address,
    ));
    let app = server::app(state);
    let mut b = Browser::new(&app);
    for _ in 0..3 {
        let r = b.login("cafe@a.test", "wrong-password").await;
        assert!(r.location.unwrap().contains("error=invalid"));
    }
    let r = b.login("cafe@a.test", PASSWORD).await;
    let to = r.location.unwrap();
    assert!(to.contains("error=throttled"), "{to}");
    let wait: u64 = to.split("wait=").nth(1).unwrap().parse().unwrap();
    assert!((241..=300).contains(&wait), "{to}");
    assert!(b.cookie("mpf_session").is_none());
    // The page says how long to wait, in whole minutes.
    let page = b.get(&to).await;
    assert!(page.body.contains("Try again in 5 min."), "{}", page.body);
}

/// The attack: 40 wrong passwords for one login at once. Each attempt is reserved before the
/// password is checked, so only the free ones are checked; the rest wait their turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_are_checked_at_most_the_free_attempts() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.get("/login").await;
    let (csrf, cookies) = (b.csrf(), b.cookie_header());
    let tries = (0..40).map(|i| {
        let app = w.app.clone();
        let body = serde_urlencoded::to_string([
            ("login", "cafe@a.test".to_string()),
            ("password", format!("guess-{i}")),
            ("csrf_token", csrf.clone()),
        ])
        .unwrap();
        let req = Request::post("/auth/login")
            .header(header::COOKIE, cookies.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "localhost")
            .body(Body::from(body))
            .unwrap();
        tokio::spawn(async move {
            let res = app.oneshot(req).await.unwrap();
            res.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .to_string()
        })
    });
    let mut checked = 0;
    for t in tries.collect::<Vec<_>>() {
        let to = t.await.unwrap();
        if to.contains("error=invalid") {
            checked += 1;
        } else {
            assert!(
                to.contains("error=throttled") || to.contains("error=busy"),
                "{to}"
            );
        }
    }
    assert_eq!(
        checked, 3,
        "only the free attempts reached the password check"
    );
}

/// Behind a proxy everyone shares its address: the throttle counts the client named in
/// `X-Forwarded-For`, and only when the proxy is one we trust.
#[tokio::test]
async fn the_throttle_counts_the_client_behind_a_trusted_proxy() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let store = temporary();
    create_agency(&*store, "Agency A", "admin@a.test", PASSWORD)
        .await
        .unwrap();
    let mut state = state(store, false).await;
    state.proxies = std::sync::Arc::new(server::proxies::TrustedProxies::new(vec![
        server::proxies::parse_net("10.0.0.1").unwrap(),
    ]));
    let app = server::app(state);
    let mut b = Browser::new(&app);
    b.get("/login").await;
    let attempt = |login: String, client: &'static str| {
        let body = serde_urlencoded::to_string([
            ("login", login.as_str()),
            ("password", "wrong-password"),
            ("csrf_token", b.csrf().as_str()),
        ])
        .unwrap();
        let mut req = Request::post("/auth/login")
            .header(header::COOKIE, b.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "localhost")
            .header("x-forwarded-for", client)
            .body(Body::from(body))
            .unwrap();
        let peer: SocketAddr = "10.0.0.1:5555".parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move {
            let res = app.oneshot(req).await.unwrap();
            res.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    // One client tries 20 different logins: its address is then out of attempts.
    for i in 0..20 {
        let to = attempt(format!("user{i}@x.test"), "203.0.113.7").await;
        assert!(to.contains("error=invalid"), "attempt {i}: {to}");
    }
    let to = attempt("user99@x.test".into(), "203.0.113.7").await;
    assert!(to.contains("error=throttled"), "{to}");
    // Another client behind the same proxy is not locked out with it.
    let to = attempt("user99@x.test".into(), "198.51.100.2").await;
    assert!(to.contains("error=invalid"), "{to}");
}

#[tokio::test]
async fn logout_ends_the_session_server_side() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    let stolen = b.cookie("mpf_session").unwrap();
    let r = b.post_csrf("/auth/logout", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/login"));
    // Replaying the old cookie gets nothing.
    b.cookies.push(("mpf_session".into(), stolen));
    let r = b.get("/api/merchants/list").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn state_changes_without_a_valid_csrf_token_are_refused() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    let create = [
        ("name", "Sneaky"),
        ("login", "sneaky@a.test"),
        ("password", ""),
    ];
    for path in ["/api/merchants/create", "/auth/logout", "/settings/lang"] {
        let r = b.post(path, &create).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} without token");
        let mut forged = create.to_vec();
        forged.push(("csrf_token", "forged-forged-forged-forged-forged-forged"));
        let r = b.post(path, &forged).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{path} with a forged token"
        );
    }
    // A login form posted from another site is sent back to the login page.
    let mut other = Browser::new(&w.app);
    let r = other
        .post(
            "/auth/login",
            &[("login", "admin@a.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/login?error=csrf"));
    // Cross-origin, even with the token.
    let token = b.csrf();
    let req = Request::post("/api/merchants/create")
        .header(header::COOKIE, b.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(
            serde_urlencoded::to_string([
                ("csrf_token", token.as_str()),
                ("name", "X"),
                ("login", "x@x.test"),
                ("password", ""),
            ])
            .unwrap(),
        ))
        .unwrap();
    assert_eq!(b.send(req).await.status, StatusCode::FORBIDDEN);
    // Nothing was created.
    let list = b.get("/api/merchants/list").await;
    assert!(
        !list.body.contains("Sneaky") && !list.body.contains("x@x.test"),
        "{}",
        list.body
    );
    // With the token it works.
    let r = b
        .post_csrf(
            "/api/merchants/create",
            &[
                ("name", "Honest"),
                ("login", "honest@a.test"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("generated_password"));
}

#[tokio::test]
async fn merchant_cannot_reach_another_tenant() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("cafe@a.test", PASSWORD).await;

    let own = b.get(&format!("/merchants/{}", w.merchant_a)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Cafe Alpha"));

    let other = b.get(&format!("/merchants/{}", w.merchant_b)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("Salon Beta"));

    let api = b
        .get(&format!("/api/merchants/home?merchant_id={}", w.merchant_b))
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(!api.body.contains("Salon Beta"));

    let create = b
        .post_csrf(
            "/api/sites/create",
            &[
                ("merchant_id", &w.merchant_b),
                ("name", "Hijack"),
                ("template", "shop"),
            ],
        )
        .await;
    assert_eq!(create.status, StatusCode::NOT_FOUND);

    assert_eq!(b.get("/agency").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        b.get("/api/merchants/list").await.status,
        StatusCode::FORBIDDEN
    );
    let r = b
        .post_csrf(
            "/api/merchants/create",
            &[("name", "X"), ("login", "x@y.test"), ("password", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn agency_cannot_reach_another_agencys_merchants() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;

    let dash = b.get("/agency").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("Cafe Alpha") && !dash.body.contains("Salon Beta"));

    assert_eq!(
        b.get(&format!("/merchants/{}", w.merchant_a)).await.status,
        StatusCode::OK
    );
    let other = b.get(&format!("/merchants/{}", w.merchant_b)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("Salon Beta"));
    let api = b
        .get(&format!("/api/merchants/home?merchant_id={}", w.merchant_b))
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let create = b
        .post_csrf(
            "/api/sites/create",
            &[
                ("merchant_id", &w.merchant_b),
                ("name", "Hijack"),
                ("template", "shop"),
            ],
        )
        .await;
    assert_eq!(create.status, StatusCode::NOT_FOUND);
    // Its own merchant: allowed.
    let ok = b
        .post_csrf(
            "/api/sites/create",
            &[
                ("merchant_id", &w.merchant_a),
                ("name", "Menu"),
                ("template", "info"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let bad = b
        .post_csrf(
            "/api/sites/create",
            &[
                ("merchant_id", &w.merchant_a),
                ("name", "Menu"),
                ("template", "casino"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("template"), "{}", bad.body);
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_login() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    let r = b.get("/agency").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/login"));
    assert_eq!(
        b.get(&format!("/merchants/{}", w.merchant_a))
            .await
            .location
            .as_deref(),
        Some("/login")
    );
    assert_eq!(
        b.get("/api/merchants/list").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn template_thumbnails_are_the_starters_rendered_from_the_theme() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    let r = b.get("/templates/booking/preview?lang=zh").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("<!doctype html>"), "{}", r.body);
    assert!(r.body.contains("lang=\"zh-CN\""));
    assert!(
        r.body.contains("wx-page"),
        "the theme's page, styled by its own wxss"
    );
    let en = b.get("/templates/shop/preview").await;
    assert_eq!(en.status, StatusCode::OK);
    assert_ne!(en.body, r.body);
    assert_eq!(
        b.get("/templates/nope/preview").await.status,
        StatusCode::NOT_FOUND
    );
    // The starters' drawn pictures, shown in the thumbnails, are public too.
    assert!(
        en.body.contains("src=\"/templates/art/coffee-banner\""),
        "{}",
        en.body
    );
    let art = b.get("/templates/art/coffee-banner").await;
    assert_eq!(art.status, StatusCode::OK);
    for missing in ["/templates/art/nope", "/templates/art/..%2Fsecret"] {
        assert_eq!(
            b.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let w = world().await;
    let r = Browser::new(&w.app).get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Page not found"));
}

#[tokio::test]
async fn language_choice_is_kept_per_user() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    let r = b
        .post_csrf("/settings/lang", &[("lang", "zh-CN"), ("back", "/agency")])
        .await;
    assert_eq!(r.location.as_deref(), Some("/agency"));
    let page = b.get("/agency").await;
    assert!(page.body.contains("lang=\"zh-CN\""));
    assert!(page.body.contains("商户"), "translated shell");
    // A new browser (no language cookie) of the same user still gets Chinese.
    let mut other = Browser::new(&w.app);
    other.login("admin@a.test", PASSWORD).await;
    assert!(other.get("/agency").await.body.contains("退出登录"));
    // Open redirects are not possible.
    let r = b
        .post_csrf(
            "/settings/lang",
            &[("lang", "en"), ("back", "//evil.example")],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/"));
}
