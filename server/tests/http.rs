//! The HTTP application end to end in-process: login, CSRF, tenant isolation, language.
use app::api::NewMerchant;
use app::i18n::Lang;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use server::accounts::{create_agency, create_merchant};
use server::storage::embedded::SledStore;
use server::storage::Store;
use server::AppState;
use std::sync::Arc;
use tower::ServiceExt;

struct World {
    app: Router,
    /// agency A's merchant and agency B's merchant
    merchant_a: String,
    merchant_b: String,
}

const PASSWORD: &str = "a-long-password-1";

async fn world() -> World {
    world_with(None).await
}

/// The world with its pictures and packages in `blobs` instead of the sled database.
async fn world_with(blobs: Option<server::storage::blobs::Blobs>) -> World {
    let store = Arc::new(SledStore::temporary().unwrap());
    let (agency_a, _) = create_agency(&*store, "Agency A", "admin@a.test", PASSWORD)
        .await
        .unwrap();
    let (agency_b, _) = create_agency(&*store, "Agency B", "admin@b.test", PASSWORD)
        .await
        .unwrap();
    let nm = |name: &str, login: &str| NewMerchant {
        name: name.into(),
        login: login.into(),
        password: PASSWORD.into(),
    };
    let ma = create_merchant(
        &*store,
        agency_a.id,
        nm("Cafe Alpha", "cafe@a.test"),
        Lang::En,
    )
    .await
    .unwrap();
    let mb = create_merchant(
        &*store,
        agency_b.id,
        nm("Salon Beta", "salon@b.test"),
        Lang::En,
    )
    .await
    .unwrap();
    let state = match blobs {
        Some(blobs) => {
            let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
            AppState::new(options, store, blobs, false).await.unwrap()
        }
        None => state(store, false).await,
    };
    World {
        app: server::app(state),
        merchant_a: ma.merchant.id,
        merchant_b: mb.merchant.id,
    }
}

/// The application's state over `store`, served over https when `https`.
async fn state(store: Arc<SledStore>, https: bool) -> AppState {
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    AppState::embedded(options, store, https).await.unwrap()
}

fn temporary() -> Arc<SledStore> {
    Arc::new(SledStore::temporary().unwrap())
}

/// A browser: keeps cookies between requests.
struct Browser<'a> {
    app: &'a Router,
    cookies: Vec<(String, String)>,
    /// The anti-CSRF token of the last page that rendered a form.
    token: Option<String>,
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a Router) -> Self {
        Browser {
            app,
            cookies: Vec::new(),
            token: None,
        }
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn csrf(&self) -> String {
        self.token.clone().expect("a page with a form was loaded")
    }

    async fn send(&mut self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.unwrap();
        for v in res.headers().get_all(header::SET_COOKIE) {
            let c = cookie::Cookie::parse(v.to_str().unwrap().to_string()).unwrap();
            self.cookies.retain(|(n, _)| n != c.name());
            if c.max_age() != Some(cookie::time::Duration::ZERO) {
                self.cookies
                    .push((c.name().to_string(), c.value().to_string()));
            }
        }
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes())
            .into_owned();
        if let Some(token) = page_token(&body) {
            self.token = Some(token);
        }
        Reply {
            status,
            location,
            body,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, path: &str) -> Reply {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "localhost")
            .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
            .unwrap();
        self.send(req).await
    }

    /// Posts with the valid anti-CSRF token added.
    async fn post_csrf(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let token = self.csrf();
        let mut fields = form.to_vec();
        fields.push(("csrf_token", &token));
        self.post(path, &fields).await
    }

    /// A JSON (or raw) request as the editor sends it: anti-CSRF token in a header.
    async fn call(&mut self, method: &str, path: &str, body: Vec<u8>) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .header("x-csrf-token", self.csrf())
            .header(header::HOST, "localhost")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Signs in from the login page, then opens the page it leads to (as a browser would,
    /// which also brings the new session's anti-CSRF token).
    async fn login(&mut self, login: &str, password: &str) -> Reply {
        if self.token.is_none() {
            self.get("/login").await;
        }
        let r = self
            .post_csrf("/auth/login", &[("login", login), ("password", password)])
            .await;
        if r.status == StatusCode::SEE_OTHER
            && !r.location.as_deref().unwrap_or("").starts_with("/login")
        {
            self.get(r.location.as_deref().unwrap()).await;
        }
        r
    }
}

/// The anti-CSRF token a rendered form carries.
fn page_token(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf_token" value=""#)? + r#"name="csrf_token" value=""#.len();
    let end = html[at..].find('"')?;
    Some(html[at..at + end].to_string())
}

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

/// Creates a site of `template` for `merchant` as the signed-in user; its id.
async fn create_site(a: &mut Browser<'_>, merchant: &str, name: &str, template: &str) -> String {
    let created = a
        .post_csrf(
            "/api/sites/create",
            &[
                ("merchant_id", merchant),
                ("name", name),
                ("template", template),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    serde_json::from_str::<serde_json::Value>(&created.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(w, h, image::Rgb([200, 90, 40])))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn the_editor_loads_saves_previews_uploads_and_exports() {
    let w = world().await;
    let mut a = Browser::new(&w.app);
    a.login("cafe@a.test", PASSWORD).await;
    let site_id = create_site(&mut a, &w.merchant_a, "Bamboo Salon", "booking").await;
    let base = format!("/api/sites/{site_id}");

    // The draft starts as the template's starter, named after the site.
    let draft = a.get(&format!("{base}/draft")).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    let draft: app::api::rest::DraftView = serde_json::from_str(&draft.body).unwrap();
    assert_eq!(
        (draft.version, draft.site.name.as_str()),
        (1, "Bamboo Salon")
    );
    assert!(
        !draft.site.data.services.is_empty(),
        "booking starter content"
    );

    // Save on version 1 → 2; a second save still based on 1 is a conflict, and loses nothing.
    let mut site = draft.site.clone();
    site.data.services[0].price = 9900;
    let body = |v: u64, s: &app::model::site::Site| {
        serde_json::to_vec(&app::api::rest::SaveDraft {
            base_version: v,
            site: s.clone(),
        })
        .unwrap()
    };
    let saved = a
        .call("PUT", &format!("{base}/draft"), body(1, &site))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("\"version\":2"), "{}", saved.body);
    let mut other = draft.site.clone();
    other.name = "Someone else".into();
    let stale = a
        .call("PUT", &format!("{base}/draft"), body(1, &other))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("changed elsewhere"), "{}", stale.body);
    let now: app::api::rest::DraftView =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    assert_eq!((now.version, now.site.data.services[0].price), (2, 9900));
    assert_eq!(now.site.name, "Bamboo Salon");

    // Another tenant cannot see or touch it.
    let mut b = Browser::new(&w.app);
    b.login("salon@b.test", PASSWORD).await;
    assert_eq!(
        b.get(&format!("{base}/draft")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.call("PUT", &format!("{base}/draft"), body(2, &other))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get(&format!("{base}/export")).await.status,
        StatusCode::NOT_FOUND
    );

    // Preview: the phone screen with every block marked for selection.
    let pv = a
        .call(
            "POST",
            &format!("{base}/preview?page=0"),
            serde_json::to_vec(&site).unwrap(),
        )
        .await;
    assert_eq!(pv.status, StatusCode::OK, "{}", pv.body);
    let pv: app::api::rest::PreviewReply = serde_json::from_str(&pv.body).unwrap();
    assert_eq!(
        pv.screen.matches("data-mpf-block=").count(),
        site.pages[0].blocks.iter().filter(|b| !b.hidden).count()
    );
    assert!(
        pv.screen.contains("¥99.00") && pv.css.contains("--primary"),
        "{}",
        pv.screen
    );
    let none = a
        .call(
            "POST",
            &format!("{base}/preview?page=9"),
            serde_json::to_vec(&site).unwrap(),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Uploads: a non-image is refused with a reason; an image is stored and served.
    let bad = a
        .call("POST", &format!("{base}/media"), b"hello".to_vec())
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("\"This is not an image"),
        "a sentence of its own: {}",
        bad.body
    );
    let up = a
        .call("POST", &format!("{base}/media"), png(640, 480))
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    let up: app::api::rest::Uploaded = serde_json::from_str(&up.body).unwrap();
    let hash = up.reference.strip_prefix("media/").unwrap();
    assert_eq!(
        a.get(&format!("{base}/media/{hash}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        b.get(&format!("{base}/media/{hash}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Export: a zip of the saved draft, with the uploaded picture in it.
    if let app::model::site::BlockKind::Banner { slides } = &mut site.pages[0].blocks[0].kind {
        slides[0].image = up.reference.clone();
    }
    let saved = a
        .call("PUT", &format!("{base}/draft"), body(2, &site))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let req = Request::get(format!("{base}/export"))
        .header(header::COOKIE, a.cookie_header())
        .body(Body::empty())
        .unwrap();
    let res = w.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/zip");
    assert!(res.headers()["x-mpforge-packages"]
        .to_str()
        .unwrap()
        .starts_with("[[\"main\","));
    // The export is the site's first version, with the site as it was exported.
    assert_eq!(res.headers()["x-mpforge-version"], "1");
    let zip = res.into_body().collect().await.unwrap().to_bytes();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    assert!(archive.by_name("app.json").is_ok());
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("images/") && !n.starts_with("images/tab/")),
        "{names:?}"
    );

    // An invalid draft saves (nothing typed is lost) but does not export; the reply says where.
    site.data.services[0].name.clear();
    let saved = a
        .call("PUT", &format!("{base}/draft"), body(3, &site))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let refused = a.get(&format!("{base}/export")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("data.services[0].name"),
        "{}",
        refused.body
    );

    // A picture that is not among the uploads is named by its field, in the merchant's
    // language, without the hash (which means nothing to them).
    site.data.services[0].name = "Cut & style".into();
    if let app::model::site::BlockKind::Banner { slides } = &mut site.pages[0].blocks[0].kind {
        slides[0].image = format!("media/{}", "0".repeat(64));
    }
    let saved = a
        .call("PUT", &format!("{base}/draft"), body(4, &site))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let problem = |body: &str| {
        let r: app::api::rest::ExportRefused = serde_json::from_str(body).unwrap();
        assert_eq!(r.problems.len(), 1, "{body}");
        (r.problems[0].path.clone(), r.problems[0].message.clone())
    };
    let refused = a.get(&format!("{base}/export")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem(&refused.body),
        (
            "pages[0].blocks[0].slides[0].image".to_string(),
            "this picture is missing from the uploads: upload it again".to_string()
        )
    );
    let zh = a
        .post_csrf("/settings/lang", &[("lang", "zh-CN"), ("back", "/")])
        .await;
    assert!(zh.status.is_redirection(), "{}", zh.body);
    let refused = a.get(&format!("{base}/export")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (path, message) = problem(&refused.body);
    assert_eq!(path, "pages[0].blocks[0].slides[0].image");
    assert_eq!(message, "已上传的图片中找不到这张：请重新上传");
}

#[tokio::test]
async fn a_misspelt_block_kind_is_refused_with_its_path_and_nothing_is_saved() {
    let w = world().await;
    let mut a = Browser::new(&w.app);
    a.login("cafe@a.test", PASSWORD).await;
    let site_id = create_site(&mut a, &w.merchant_a, "Lotus", "shop").await;
    let base = format!("/api/sites/{site_id}");
    let draft: serde_json::Value =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    let mut site = draft["site"].clone();
    site["pages"][0]["blocks"][1]["kind"] = "bannr".into();
    let body = serde_json::to_vec(&serde_json::json!({"base_version": 1, "site": site})).unwrap();
    let refused = a.call("PUT", &format!("{base}/draft"), body).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let err: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(err["Invalid"]["field"], "pages[0].blocks[1].kind", "{err}");
    assert!(
        err["Invalid"]["message"]
            .as_str()
            .unwrap()
            .contains("\"bannr\" is not a block type"),
        "{err}"
    );
    // The preview refuses it the same way, and the stored draft is untouched.
    let preview = a
        .call(
            "POST",
            &format!("{base}/preview?page=0"),
            serde_json::to_vec(&site).unwrap(),
        )
        .await;
    assert_eq!(
        preview.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        preview.body
    );
    let now: serde_json::Value =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    assert_eq!(now, draft);
}

#[tokio::test]
async fn the_dashboard_forms_work_as_plain_html_posts() {
    let w = world().await;
    let mut agency = Browser::new(&w.app);
    agency.login("admin@a.test", PASSWORD).await;

    // Created: the dashboard shows the merchant and its one-time password.
    let r = agency
        .post_csrf(
            "/agency",
            &[
                ("name", "Opal Bakery"),
                ("login", "opal@a.test"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Merchant created."), "{}", r.body);
    assert!(r.body.contains("class=\"secret\""));
    // The merchants' table (the dashboard's sites table comes first).
    let merchants = r
        .body
        .split("aria-label=\"Merchants\"")
        .nth(1)
        .unwrap_or_default();
    let listed = merchants.split("<tbody>").nth(1).unwrap_or_default();
    assert!(
        listed.contains("Opal Bakery"),
        "listed in the table: {listed}"
    );

    // Refused: 409, said at the login field, what was typed kept, the password not.
    let r = agency
        .post_csrf(
            "/agency",
            &[
                ("name", "Copycat"),
                ("login", "opal@a.test"),
                ("password", "secret-pass-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("id=\"m-login-err\""), "{}", r.body);
    assert!(r.body.contains("value=\"Copycat\""));
    assert!(!r.body.contains("secret-pass-1"));

    // Without the anti-CSRF token nothing happens.
    let r = agency
        .post(
            "/agency",
            &[("name", "X"), ("login", "x@a.test"), ("password", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A merchant creates a site on its own page and lands in the editor.
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let own = format!("/merchants/{}", w.merchant_a);
    let r = cafe
        .post_csrf(&own, &[("name", "Alpha Shop"), ("template", "shop")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let editor = r.location.expect("sent to the editor");
    assert!(editor.starts_with("/sites/") && editor.ends_with("/edit"));
    assert_eq!(cafe.get(&editor).await.status, StatusCode::OK);

    // An unknown template is refused next to the form, the name kept.
    let r = cafe
        .post_csrf(&own, &[("name", "Alpha Two"), ("template", "spaceship")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Choose one of the templates."));
    assert!(r.body.contains("value=\"Alpha Two\""));

    // Another tenant's merchant: not found, nothing created there.
    let theirs = format!("/merchants/{}", w.merchant_b);
    let r = cafe
        .post_csrf(&theirs, &[("name", "Sneaky"), ("template", "shop")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut salon = Browser::new(&w.app);
    salon.login("salon@b.test", PASSWORD).await;
    assert!(!salon.get(&theirs).await.body.contains("Sneaky"));
    // And a merchant cannot create merchants (as for the page itself: 403).
    let r = cafe
        .post_csrf(
            "/agency",
            &[("name", "X"), ("login", "x@a.test"), ("password", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!agency.get("/agency").await.body.contains("x@a.test"));
}

#[tokio::test]
async fn screens_without_an_island_load_no_script_and_the_editor_does() {
    let w = world().await;
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let home = cafe.get(&format!("/merchants/{}", w.merchant_a)).await;
    assert!(
        !home.body.contains("<script type=\"module\""),
        "{}",
        home.body
    );
    assert!(!home.body.contains(".wasm"));
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let editor = cafe.get(&format!("/sites/{site}/edit")).await;
    assert!(
        editor.body.contains("<leptos-island"),
        "the editor is an island"
    );
    assert!(editor.body.contains(".wasm"));
}

#[tokio::test]
async fn built_assets_are_served_precompressed_and_cached_by_their_hashed_names() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("mpforge.abc123.wasm"), b"\0asm raw").unwrap();
    std::fs::write(pkg.join("mpforge.abc123.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("mpforge.abc123.wasm.gz"), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("mpforge.xyz.css"), b"body{}").unwrap();
    std::fs::write(
        site.path().join("hash.txt"),
        "js: abc123\nwasm: abc123\ncss: xyz\n",
    )
    .unwrap();
    let root = site.path().to_str().unwrap();
    let options = server::leptos_options(root, "127.0.0.1:0".parse().unwrap());
    let app = server::app(
        AppState::embedded(options, temporary(), false)
            .await
            .unwrap(),
    );
    let get = |encoding: &'static str| {
        let app = app.clone();
        async move {
            let req = Request::get("/pkg/mpforge.abc123.wasm")
                .header(header::ACCEPT_ENCODING, encoding)
                .body(Body::empty())
                .unwrap();
            let res = app.oneshot(req).await.unwrap();
            let h = |n| {
                res.headers()
                    .get(n)
                    .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
            };
            let (enc, cache) = (h(header::CONTENT_ENCODING), h(header::CACHE_CONTROL));
            assert_eq!(h(header::VARY).as_deref(), Some("accept-encoding"));
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (enc, cache, body)
        }
    };
    let (enc, cache, body) = get("gzip, deflate, br").await;
    assert_eq!(enc.as_deref(), Some("br"));
    assert_eq!(&body[..], b"brotli bytes");
    assert!(cache.unwrap().contains("immutable"));
    let (enc, _, body) = get("gzip").await;
    assert_eq!(enc.as_deref(), Some("gzip"));
    assert_eq!(&body[..], b"gzip bytes");
    let (enc, _, body) = get("identity").await;
    assert_eq!(enc, None);
    assert_eq!(&body[..], b"\0asm raw");

    // Pages link the stylesheet by its hashed name.
    let res = app
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let page = res.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&page).contains("/pkg/mpforge.xyz.css"));
}

/// A body that records whether anything read it.
fn watched_body(polled: std::sync::Arc<std::sync::atomic::AtomicBool>, chunks: usize) -> Body {
    let stream = futures::stream::iter((0..chunks).map(move |_| {
        polled.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'a'; 64 * 1024]))
    }));
    Body::from_stream(stream)
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_they_are_read() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let w = world().await;
    let mut visitor = Browser::new(&w.app);
    visitor.get("/login").await;

    // A visitor declares 16 MiB: refused at once, nothing read.
    let polled = Arc::new(AtomicBool::new(false));
    let req = Request::post("/auth/login")
        .header(header::COOKIE, visitor.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, 16 * 1024 * 1024)
        .body(watched_body(polled.clone(), 256))
        .unwrap();
    let r = visitor.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(!polled.load(Ordering::SeqCst), "the body was read");

    // No anti-CSRF cookie (not from our pages): refused before reading, whatever its size.
    let polled = Arc::new(AtomicBool::new(false));
    let req = Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(watched_body(polled.clone(), 256))
        .unwrap();
    let r = Browser::new(&w.app).send(req).await;
    assert_eq!(r.location.as_deref(), Some("/login?error=csrf"));
    assert!(!polled.load(Ordering::SeqCst), "the body was read");

    // A visitor's form that keeps growing (no declared length) is cut off at 64 KB.
    let req = Request::post("/auth/login")
        .header(header::COOKIE, visitor.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(watched_body(Arc::new(AtomicBool::new(false)), 256))
        .unwrap();
    assert_eq!(
        visitor.send(req).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // The editor's draft save: over 4 MB is refused as JSON the editor shows, declared or not.
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let path = format!("/api/sites/{site}/draft");
    let big = vec![b' '; 5 * 1024 * 1024];
    let r = cafe.call("PUT", &path, big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.body.contains("too large to send (at most 4 MB)"),
        "{}",
        r.body
    );
    let req = Request::put(&path)
        .header(header::COOKIE, cafe.cookie_header())
        .header("x-csrf-token", cafe.csrf())
        .header(header::HOST, "localhost")
        .body(watched_body(Arc::new(AtomicBool::new(false)), 80))
        .unwrap();
    let r = cafe.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("at most 4 MB"), "{}", r.body);
    // Under the limit, a save still goes through its own checks (here: not JSON, 422).
    let r = cafe.call("PUT", &path, b"{".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The attack: CSS in a theme colour, to load outside URLs in whoever previews the site.
#[tokio::test]
async fn a_colour_that_is_not_a_colour_is_refused_on_save_and_preview() {
    let w = world().await;
    let mut a = Browser::new(&w.app);
    a.login("cafe@a.test", PASSWORD).await;
    let site_id = create_site(&mut a, &w.merchant_a, "Lotus", "shop").await;
    let base = format!("/api/sites/{site_id}");
    let draft: serde_json::Value =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    for (field, path) in [
        ("theme.primary", ("theme", "primary")),
        ("tab_bar.background", ("tab_bar", "background")),
    ] {
        let mut site = draft["site"].clone();
        site[path.0][path.1] = "red;background:url(https://evil.example/x)".into();
        let body =
            serde_json::to_vec(&serde_json::json!({"base_version": 1, "site": site})).unwrap();
        let refused = a.call("PUT", &format!("{base}/draft"), body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        let err: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
        assert_eq!(err["Invalid"]["field"], field, "{err}");
        assert!(err["Invalid"]["message"]
            .as_str()
            .unwrap()
            .contains("is not a colour"));
        let preview = a
            .call(
                "POST",
                &format!("{base}/preview?page=0"),
                serde_json::to_vec(&site).unwrap(),
            )
            .await;
        assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let now: serde_json::Value =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    assert_eq!(now, draft, "nothing stored");
}

#[tokio::test]
async fn private_responses_are_never_stored_and_every_page_has_a_policy() {
    let w = world().await;
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let head = |app: &Router, path: String, cookies: String| {
        let app = app.clone();
        async move {
            let req = Request::get(&path)
                .header(header::COOKIE, cookies)
                .body(Body::empty())
                .unwrap();
            let res = app.oneshot(req).await.unwrap();
            let h = res.headers().clone();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (h, String::from_utf8_lossy(&body).into_owned())
        }
    };
    for path in [
        format!("/merchants/{}", w.merchant_a),
        format!("/sites/{site}/edit"),
        format!("/api/sites/{site}/draft"),
        format!("/api/sites/{site}/export"),
    ] {
        let (h, _) = head(&w.app, path.clone(), cafe.cookie_header()).await;
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
        assert!(h.contains_key(header::CONTENT_SECURITY_POLICY), "{path}");
        assert!(
            !h.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "plain http"
        );
    }
    // The editor's inline loader carries the nonce its page's policy names; nothing else runs.
    let (h, body) = head(&w.app, format!("/sites/{site}/edit"), cafe.cookie_header()).await;
    let csp = h[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(body.contains(&format!("nonce=\"{nonce}\"")), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'") && csp.contains("object-src 'none'"));
    assert!(!csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'"));
    // The phone preview is sandboxed.
    assert!(body.contains("sandbox=\"allow-same-origin\""));
    // A visitor's login page may be cached; it has a policy all the same.
    let (h, _) = head(&w.app, "/login".into(), String::new()).await;
    assert_ne!(
        h.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    assert!(h.contains_key(header::CONTENT_SECURITY_POLICY));

    // Served over https: HSTS.
    let secure = server::app(state(temporary(), true).await);
    let (h, _) = head(&secure, "/login".into(), String::new()).await;
    assert_eq!(h[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000");
}

/// The attack: a merchant learns another agency's image hash (a shared link, a leaked export)
/// and asks for it through its own site, or puts it in its own draft to export it.
#[tokio::test]
async fn another_tenants_image_is_not_found_through_any_site() {
    let w = world().await;
    let mut owner = Browser::new(&w.app);
    owner.login("salon@b.test", PASSWORD).await;
    let theirs = create_site(&mut owner, &w.merchant_b, "Beta", "shop").await;
    let up = owner
        .call("POST", &format!("/api/sites/{theirs}/media"), png(320, 200))
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    let up: app::api::rest::Uploaded = serde_json::from_str(&up.body).unwrap();
    let hash = up.reference.strip_prefix("media/").unwrap().to_string();

    let mut thief = Browser::new(&w.app);
    thief.login("cafe@a.test", PASSWORD).await;
    let own = create_site(&mut thief, &w.merchant_a, "Alpha", "shop").await;
    let base = format!("/api/sites/{own}");
    assert_eq!(
        thief.get(&format!("{base}/media/{hash}")).await.status,
        StatusCode::NOT_FOUND
    );
    // In its draft, the picture is missing: the export refuses it, nothing of theirs leaks.
    let draft: app::api::rest::DraftView =
        serde_json::from_str(&thief.get(&format!("{base}/draft")).await.body).unwrap();
    let mut site = draft.site;
    if let app::model::site::BlockKind::Banner { slides } = &mut site.pages[0].blocks[0].kind {
        slides[0].image = up.reference.clone();
    }
    let save =
        serde_json::to_vec(&serde_json::json!({"base_version": draft.version, "site": site}))
            .unwrap();
    assert_eq!(
        thief
            .call("PUT", &format!("{base}/draft"), save)
            .await
            .status,
        StatusCode::OK
    );
    let refused = thief.get(&format!("{base}/export")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("missing from the uploads"),
        "{}",
        refused.body
    );

    // Uploading the same picture makes it the thief's own as well (it had the bytes anyway).
    let again = thief
        .call("POST", &format!("{base}/media"), png(320, 200))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        thief.get(&format!("{base}/media/{hash}")).await.status,
        StatusCode::OK
    );
}

/// A phone photo carries where it was taken; what is kept and served is only its pixels.
#[tokio::test]
async fn uploaded_photos_are_kept_without_their_metadata() {
    let w = world().await;
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([x as u8 * 4, y as u8 * 5, 90])
    }));
    let mut jpeg = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut jpeg),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    let exif = b"Exif\0\0MM\0*GPSLatitude 31.2304 N";
    let mut tagged = jpeg[..2].to_vec();
    tagged.extend_from_slice(&[0xFF, 0xE1]);
    tagged.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    tagged.extend_from_slice(exif);
    tagged.extend_from_slice(&jpeg[2..]);
    let up = cafe
        .call("POST", &format!("/api/sites/{site}/media"), tagged)
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    let up: app::api::rest::Uploaded = serde_json::from_str(&up.body).unwrap();
    assert_eq!((up.width, up.height), (64, 48));
    let hash = up.reference.strip_prefix("media/").unwrap();
    let req = Request::get(format!("/api/sites/{site}/media/{hash}"))
        .header(header::COOKIE, cafe.cookie_header())
        .body(Body::empty())
        .unwrap();
    let res = w.app.clone().oneshot(req).await.unwrap();
    let served = res.into_body().collect().await.unwrap().to_bytes();
    assert!(
        !served.windows(3).any(|x| x == b"GPS"),
        "metadata served back"
    );
    assert!(image::load_from_memory(&served).is_ok());
}

/// With pictures in an S3-protocol store (moto on loopback, started by `make unit`): an upload
/// lands in the bucket under its content address and is served back to its merchant only.
#[tokio::test]
async fn pictures_go_to_an_s3_bucket_and_come_back() {
    let Ok(endpoint) = std::env::var("MPFORGE_TEST_S3") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test against an S3 server: run the tests through .ci/with-services"
        );
        eprintln!("MPFORGE_TEST_S3 is not set: skipped");
        return;
    };
    let bucket = format!("http-{}", ulid::Ulid::new().to_string().to_lowercase());
    let create = std::process::Command::new("curl")
        .args(["-sf", "-X", "PUT", &format!("{endpoint}/{bucket}")])
        .status()
        .unwrap();
    assert!(create.success());
    let spec = format!("s3://{bucket}?endpoint={endpoint}&region=us-east-1");
    let blobs = server::storage::blobs::Blobs::open(&spec).unwrap();
    let w = world_with(Some(blobs)).await;
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let up = cafe
        .call("POST", &format!("/api/sites/{site}/media"), png(40, 30))
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    let up: app::api::rest::Uploaded = serde_json::from_str(&up.body).unwrap();
    let hash = up.reference.strip_prefix("media/").unwrap().to_string();
    // In the bucket, seen by another client of it.
    let other = server::storage::blobs::Blobs::open(&spec).unwrap();
    let kept = other.get(&format!("media/{hash}")).await.unwrap().unwrap();
    assert!(image::load_from_memory(&kept).is_ok());
    let served = cafe.get(&format!("/api/sites/{site}/media/{hash}")).await;
    assert_eq!(served.status, StatusCode::OK);
    // Another agency's merchant does not get it, whoever knows the hash.
    let mut salon = Browser::new(&w.app);
    salon.login("salon@b.test", PASSWORD).await;
    let theirs = create_site(&mut salon, &w.merchant_b, "Beta", "shop").await;
    let r = salon
        .get(&format!("/api/sites/{theirs}/media/{hash}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Arguments a server function cannot read are the caller's mistake: 400/422 naming what is
/// wrong, never a 500.
#[tokio::test]
async fn malformed_server_function_arguments_are_a_client_error() {
    let w = world().await;
    let mut agency = Browser::new(&w.app);
    agency.login("admin@a.test", PASSWORD).await;
    // Fields missing.
    let r = agency
        .post_csrf("/api/merchants/create", &[("name", "X")])
        .await;
    assert!(
        r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{} {}",
        r.status,
        r.body
    );
    assert!(r.body.contains("Invalid"), "{}", r.body);
    // No argument at all on a GET (as a script calls it, not a browser form).
    let r = agency.call("GET", "/api/merchants/home", Vec::new()).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    // A real failure of the function keeps its own status (another tenant's merchant: 404).
    let r = agency
        .call(
            "GET",
            &format!("/api/merchants/home?merchant_id={}", w.merchant_b),
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// The attack: someone who can set a cookie for our host (a sibling subdomain, a shared
/// network) plants a visitor id or copies the cookie value into the form, hoping the token is
/// a plain double submit. The token is an HMAC under the server's secret: it cannot be made
/// from a cookie, and a signed-in session's token is bound to that session.
#[tokio::test]
async fn a_planted_csrf_cookie_does_not_make_a_valid_token() {
    let w = world().await;
    let planted = "planted-planted-planted-planted-planted-planted";
    // Before signing in: cookie and form field both the planted value.
    let mut victim = Browser::new(&w.app);
    victim.cookies.push(("mpf_csrf".into(), planted.into()));
    let r = victim
        .post(
            "/auth/login",
            &[
                ("login", "admin@a.test"),
                ("password", PASSWORD),
                ("csrf_token", planted),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/login?error=csrf"));
    assert!(victim.cookie("mpf_session").is_none());

    // Signed in: the planted cookie and its value as the token, refused too.
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    b.cookies.retain(|(n, _)| n != "mpf_csrf");
    b.cookies.push(("mpf_csrf".into(), planted.into()));
    let r = b
        .post(
            "/api/merchants/create",
            &[
                ("name", "Planted"),
                ("login", "planted@a.test"),
                ("password", ""),
                ("csrf_token", planted),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // The session's own token still works whatever the visitor cookie says.
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
}

/// Signing in rotates the token: a token learnt before (from the login page) is worthless
/// after, and a second session of the same user has a token of its own.
#[tokio::test]
async fn the_csrf_token_changes_at_login_and_differs_per_session() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.get("/login").await;
    let before = b.csrf();
    let visitor_before = b.cookie("mpf_csrf").unwrap();
    b.login("admin@a.test", PASSWORD).await;
    let after = b.csrf();
    assert_ne!(before, after);
    assert_ne!(
        b.cookie("mpf_csrf").unwrap(),
        visitor_before,
        "visitor id rotated"
    );
    let mut old = vec![
        ("name", "Stale"),
        ("login", "stale@a.test"),
        ("password", ""),
    ];
    old.push(("csrf_token", before.as_str()));
    let r = b.post("/api/merchants/create", &old).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut other = Browser::new(&w.app);
    other.login("admin@a.test", PASSWORD).await;
    assert_ne!(other.csrf(), after, "each session has its own token");
    // One session's token does not work with another session's cookie.
    let mut crossed = vec![
        ("name", "Crossed"),
        ("login", "crossed@a.test"),
        ("password", ""),
    ];
    crossed.push(("csrf_token", after.as_str()));
    let r = other.post("/api/merchants/create", &crossed).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Over https every cookie is `__Host-`: Secure, for the whole site, bound to this host.
#[tokio::test]
async fn cookies_over_https_are_host_bound() {
    let store = temporary();
    create_agency(&*store, "Agency H", "admin@h.test", PASSWORD)
        .await
        .unwrap();
    let app = server::app(state(store, true).await);
    let res = app
        .clone()
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let set: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        set.iter().any(|c| c.starts_with("__Host-mpf_csrf=")),
        "{set:?}"
    );
    let mut b = Browser::new(&app);
    b.login("admin@h.test", PASSWORD).await;
    assert!(b.cookie("__Host-mpf_session").is_some(), "{:?}", b.cookies);
    assert!(b.cookie("mpf_session").is_none());
    let r = b.get("/agency").await;
    assert_eq!(r.status, StatusCode::OK, "signed in under the __Host- name");
    for c in &set {
        let c = cookie::Cookie::parse(c.as_str()).unwrap();
        assert_eq!(c.secure(), Some(true), "{c}");
        assert_eq!(c.path(), Some("/"), "{c}");
        assert!(c.domain().is_none(), "{c}");
    }
}

/// Every user can change their own password: the current one is required, the new one must
/// not be a common password, and the change signs out every other device.
#[tokio::test]
async fn a_user_changes_their_password_and_other_devices_are_signed_out() {
    let w = world().await;
    let mut laptop = Browser::new(&w.app);
    laptop.login("cafe@a.test", PASSWORD).await;
    let mut phone = Browser::new(&w.app);
    phone.login("cafe@a.test", PASSWORD).await;
    let page = laptop.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("cafe@a.test"), "{}", page.body);

    let change = |current: &'static str, new: &'static str, repeat: &'static str| {
        [
            ("current_password", current),
            ("new_password", new),
            ("repeat_password", repeat),
        ]
    };
    let refusals = [
        (
            change(
                "wrong-password-9",
                "a-much-better-secret-7",
                "a-much-better-secret-7",
            ),
            "current-password-err",
            "not your current password",
        ),
        (
            change(PASSWORD, "password123456", "password123456"),
            "new-password-err",
            "too easy to guess",
        ),
        (
            change(PASSWORD, "cafe@a.test1", "cafe@a.test1"),
            "new-password-err",
            "too easy to guess",
        ),
        (
            change(PASSWORD, "short", "short"),
            "new-password-err",
            "at least 10 characters",
        ),
        (
            change(PASSWORD, "a-much-better-secret-7", "a-much-better-secret-8"),
            "repeat-password-err",
            "not the same",
        ),
    ];
    for (form, at, says) in refusals {
        let r = laptop.post_csrf("/account", &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(
            r.body.contains(&format!("id=\"{at}\"")),
            "{form:?} refused at {at}"
        );
        assert!(r.body.contains(says), "{form:?}: {says}");
        assert!(
            !r.body.contains("a-much-better-secret"),
            "passwords are never echoed"
        );
    }
    // Nothing changed so far: the phone is still signed in with the old password.
    assert_eq!(phone.get("/account").await.status, StatusCode::OK);

    let ok = change(PASSWORD, "a-much-better-secret-7", "a-much-better-secret-7");
    let r = laptop.post_csrf("/account", &ok).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Password changed"), "{}", r.body);
    assert_eq!(
        laptop.get("/account").await.status,
        StatusCode::OK,
        "still signed in here"
    );
    let r = phone.get("/account").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login"),
        "the other device is signed out"
    );

    let mut b = Browser::new(&w.app);
    let r = b.login("cafe@a.test", PASSWORD).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?error=invalid&login=cafe%40a.test")
    );
    let r = b.login("cafe@a.test", "a-much-better-secret-7").await;
    assert!(!r.location.unwrap().starts_with("/login"));
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_user_only() {
    let w = world().await;
    let mut a = Browser::new(&w.app);
    a.login("admin@a.test", PASSWORD).await;
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    let mut other = Browser::new(&w.app);
    other.login("cafe@a.test", PASSWORD).await;
    let r = a.post_csrf("/account/sessions", &[]).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?notice=signed_out_everywhere")
    );
    for browser in [&mut a, &mut b] {
        assert_eq!(
            browser.get("/agency").await.location.as_deref(),
            Some("/login")
        );
    }
    assert_eq!(other.get("/account").await.status, StatusCode::OK);
    let notice = a.get("/login?notice=signed_out_everywhere").await;
    assert!(notice.body.contains("signed out on every device"));
    // Not signed in: the account page is the login page.
    assert_eq!(
        Browser::new(&w.app)
            .get("/account")
            .await
            .location
            .as_deref(),
        Some("/login")
    );
}

#[tokio::test]
async fn a_new_merchant_cannot_get_a_common_password() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    let r = b
        .post_csrf(
            "/agency",
            &[
                ("name", "Weak Cafe"),
                ("login", "weak@a.test"),
                ("password", "1qaz2wsx3edc"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"m-password-err\""), "{}", r.body);
    assert!(r.body.contains("Weak Cafe"), "what was typed stays");
}

/// The attack: one merchant's script uploads picture after picture to fill the disk.
#[tokio::test]
async fn a_merchants_uploads_are_rate_limited_and_kept_within_a_quota() {
    let store = temporary();
    let (agency, _) = create_agency(&*store, "Agency Q", "admin@q.test", PASSWORD)
        .await
        .unwrap();
    let nm = |name: &str, login: &str| NewMerchant {
        name: name.into(),
        login: login.into(),
        password: PASSWORD.into(),
    };
    let m = create_merchant(
        &*store,
        agency.id,
        nm("Quota Cafe", "quota@q.test"),
        Lang::En,
    )
    .await
    .unwrap();
    let merchant = ulid::Ulid::from_string(&m.merchant.id).unwrap();
    let mut st = state(store.clone(), false).await;
    st.media_quota = 1500;
    let app = server::app(st);
    let mut b = Browser::new(&app);
    b.login("quota@q.test", PASSWORD).await;
    let site = create_site(&mut b, &m.merchant.id, "Quota", "shop").await;
    let upload = format!("/api/sites/{site}/media");

    // Distinct pictures until the quota refuses one, in words, naming the sizes.
    let mut kept = Vec::new();
    let refused = loop {
        let r = b.call("POST", &upload, png(8 + kept.len() as u32, 8)).await;
        if r.status != StatusCode::OK {
            break r;
        }
        let up: app::api::rest::Uploaded = serde_json::from_str(&r.body).unwrap();
        kept.push(up.reference);
        assert!(kept.len() < 40, "the quota never refused");
    };
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused.body.contains("Your pictures already take"),
        "{}",
        refused.body
    );
    let used: u64 = store
        .merchant_media(merchant)
        .await
        .unwrap()
        .iter()
        .map(|x| x.bytes)
        .sum();
    assert!(used <= 1500, "{used} bytes kept");
    assert_eq!(
        store.merchant_media(merchant).await.unwrap().len(),
        kept.len()
    );
    // The same picture again takes no room.
    let again = b.call("POST", &upload, png(8, 8)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);

    // The first picture goes into the draft; then every picture is a day old.
    let draft: app::api::rest::DraftView =
        serde_json::from_str(&b.get(&format!("/api/sites/{site}/draft")).await.body).unwrap();
    let mut s = draft.site;
    let app::model::site::BlockKind::Banner { slides } = &mut s.pages[0].blocks[0].kind else {
        panic!("the shop starter opens with a banner");
    };
    slides[0].image = kept[0].clone();
    let body = serde_json::to_vec(&app::api::rest::SaveDraft {
        base_version: draft.version,
        site: s,
    })
    .unwrap();
    let saved = b
        .call("PUT", &format!("/api/sites/{site}/draft"), body)
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    for owned in store.merchant_media(merchant).await.unwrap() {
        let two_days_ago = server::storage::now_unix() - 2 * 24 * 3600;
        store
            .add_media(merchant, &owned.hash, owned.bytes, two_days_ago)
            .await
            .unwrap();
    }
    // Now the upload fits: unused pictures made room, the one in the draft stayed.
    let r = b.call("POST", &upload, png(200, 8)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let first = kept[0].strip_prefix("media/").unwrap();
    assert_eq!(
        b.get(&format!("{upload}/{first}")).await.status,
        StatusCode::OK,
        "the picture in the draft is kept"
    );
    let last = kept.last().unwrap().strip_prefix("media/").unwrap();
    assert_eq!(
        b.get(&format!("{upload}/{last}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Past 60 uploads in ten minutes: refused before any work, saying how long to wait.
    let mut statuses = Vec::new();
    for _ in 0..70 {
        statuses.push(b.call("POST", &upload, png(8, 8)).await.status);
    }
    let limited = statuses
        .iter()
        .position(|s| *s == StatusCode::TOO_MANY_REQUESTS);
    // Sent so far: the kept ones, the one refused by the quota, the repeat, the one after.
    let sent_before = kept.len() + 3;
    assert_eq!(limited, Some(60 - sent_before), "{statuses:?}");
    let r = b.call("POST", &upload, png(8, 8)).await;
    assert!(
        r.body.contains("many pictures in a short time"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_merchant_has_at_most_fifty_sites() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("cafe@a.test", PASSWORD).await;
    for i in 0..server::sites::MAX_SITES_PER_MERCHANT {
        create_site(&mut b, &w.merchant_a, &format!("Site {i}"), "info").await;
    }
    let page = format!("/merchants/{}", w.merchant_a);
    let r = b
        .post_csrf(&page, &[("name", "One too many"), ("template", "shop")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("already has 50 mini programs"),
        "{}",
        r.body
    );
    let list = b.get(&page).await;
    assert!(list.body.contains("Site 49"), "the page lists the sites");
    assert!(!list.body.contains("One too many"));
}

#[tokio::test]
async fn the_root_redirects_home_and_a_forbidden_page_says_so() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    let r = b.get("/").await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    b.login("cafe@a.test", PASSWORD).await;
    let r = b.get("/").await;
    let home = format!("/merchants/{}", w.merchant_a);
    assert_eq!(r.location.as_deref(), Some(home.as_str()));
    let r = b.get("/agency").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("<title>Not allowed"), "{}", r.body);
}

/// An English-speaking merchant opens a mini program for Chinese customers: the language its
/// customers see is asked at creation, not taken from the merchant's screen language.
#[tokio::test]
async fn a_new_site_speaks_the_language_chosen_for_its_customers() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("cafe@a.test", PASSWORD).await;
    let page = format!("/merchants/{}", w.merchant_a);
    let form = b.get(&page).await;
    assert!(
        form.body.contains("Language your customers see"),
        "{}",
        form.body
    );
    let r = b
        .post_csrf(
            &page,
            &[
                ("name", "茶馆"),
                ("template", "booking"),
                ("locale", "zh-CN"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let site = r.location.unwrap().split('/').nth(2).unwrap().to_string();
    let draft: app::api::rest::DraftView =
        serde_json::from_str(&b.get(&format!("/api/sites/{site}/draft")).await.body).unwrap();
    assert_eq!(draft.site.locale, Lang::Zh);
    assert!(
        draft.site.pages[0]
            .title
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "the starter's own content is Chinese too: {}",
        draft.site.pages[0].title
    );
    let r = b
        .post_csrf(
            &page,
            &[
                ("name", "Odd"),
                ("template", "booking"),
                ("locale", "klingon"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_merchant_renames_duplicates_archives_deletes_and_restores_its_sites() {
    let store = temporary();
    let (agency, _) = create_agency(&*store, "Agency S", "admin@s.test", PASSWORD)
        .await
        .unwrap();
    let nm = |name: &str, login: &str| NewMerchant {
        name: name.into(),
        login: login.into(),
        password: PASSWORD.into(),
    };
    let m = create_merchant(
        &*store,
        agency.id,
        nm("Site Cafe", "sites@s.test"),
        Lang::En,
    )
    .await
    .unwrap();
    create_merchant(&*store, agency.id, nm("Other", "other@s.test"), Lang::En)
        .await
        .unwrap();
    let app = server::app(state(store.clone(), false).await);
    let mut b = Browser::new(&app);
    b.login("sites@s.test", PASSWORD).await;
    let page = format!("/merchants/{}", m.merchant.id);
    let site = create_site(&mut b, &m.merchant.id, "Corner Cafe", "shop").await;
    b.get(&page).await;
    let act = |action: &'static str, site: &str, name: &'static str| {
        [("action", action), ("site", site), ("name", name)].map(|(k, v)| (k, v.to_string()))
    };
    async fn post(b: &mut Browser<'_>, page: &str, form: [(&'static str, String); 3]) -> Reply {
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post_csrf(page, &fields).await
    }
    let draft_of = |id: &str| {
        let key = ulid::Ulid::from_string(id).unwrap();
        let store = store.clone();
        async move { store.draft(key).await.unwrap().unwrap() }
    };

    // Rename: the list and the mini program's own name, as a new draft version.
    let before = draft_of(&site).await.version;
    let r = post(&mut b, &page, act("rename", &site, "Corner Café")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shown = b.get(r.location.as_deref().unwrap()).await;
    assert!(
        shown.body.contains("Renamed to “Corner Café”."),
        "{}",
        shown.body
    );
    assert_eq!(draft_of(&site).await.site.name, "Corner Café");
    assert_eq!(draft_of(&site).await.version, before + 1);
    let r = post(&mut b, &page, act("rename", &site, "")).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty name is refused"
    );

    // Duplicate: a copy with the same content.
    let r = post(&mut b, &page, act("duplicate", &site, "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let listed = b.get(&page).await.body;
    assert!(listed.contains("Corner Café (copy)"), "{listed}");

    // Archive, then take it out.
    post(&mut b, &page, act("archive", &site, "")).await;
    let listed = b.get(&page).await.body;
    let archived_at = listed
        .find("id=\"archived-title\"")
        .expect("an archive section");
    assert!(listed[archived_at..].contains(">Corner Café<"), "{listed}");
    post(&mut b, &page, act("unarchive", &site, "")).await;
    assert!(!b.get(&page).await.body.contains("id=\"archived-title\""));

    // Delete: gone from the editor and the API, restorable from the list.
    let r = post(&mut b, &page, act("delete", &site, "")).await;
    let shown = b.get(r.location.as_deref().unwrap()).await.body;
    assert!(
        shown.contains("was deleted. You can restore it below for 30 days"),
        "{shown}"
    );
    assert!(shown.contains("Can be restored until"), "{shown}");
    assert_eq!(
        b.get(&format!("/sites/{site}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get(&format!("/api/sites/{site}/draft")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = post(&mut b, &page, act("restore", &site, "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get(&format!("/api/sites/{site}/draft")).await.status,
        StatusCode::OK
    );

    // Another merchant can do none of this.
    let mut other = Browser::new(&app);
    other.login("other@s.test", PASSWORD).await;
    let r = post(&mut other, &page, act("delete", &site, "")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.get(&format!("/api/sites/{site}/draft")).await.status,
        StatusCode::OK
    );

    // Deleted over 30 days ago: not restorable, and removed for good when the list is shown.
    post(&mut b, &page, act("delete", &site, "")).await;
    let key = ulid::Ulid::from_string(&site).unwrap();
    let mut record = store.site(key).await.unwrap().unwrap();
    record.deleted_at = Some(server::storage::now_unix() - 31 * 24 * 3600);
    store.put_site(&record).await.unwrap();
    let r = post(&mut b, &page, act("restore", &site, "")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let listed = b.get(&page).await.body;
    assert!(!listed.contains("Recently deleted"), "{listed}");
    assert!(store.site(key).await.unwrap().is_none());
    assert!(store.draft(key).await.unwrap().is_none());
}

#[tokio::test]
async fn an_agency_gives_a_merchant_who_lost_its_password_a_new_one() {
    let w = world().await;
    let mut merchant = Browser::new(&w.app);
    merchant.login("cafe@a.test", PASSWORD).await;
    let page = format!("/merchants/{}", w.merchant_a);
    // A merchant cannot do it for itself (nor for anyone).
    let r = merchant
        .post_csrf(&page, &[("action", "reset_password")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut admin = Browser::new(&w.app);
    admin.login("admin@a.test", PASSWORD).await;
    let shown = admin.get(&page).await.body;
    assert!(
        shown.contains("<h1>Cafe Alpha") && shown.contains("cafe@a.test"),
        "{shown}"
    );
    let r = admin
        .post_csrf(&page, &[("action", "reset_password")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("cafe@a.test has a new password"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("http://localhost/login"),
        "where to sign in: {}",
        r.body
    );
    let at = r.body.find("id=\"new-merchant-password\"").unwrap();
    let value = r.body[at..].split("value=\"").nth(1).unwrap();
    let password = value[..value.find('"').unwrap()].to_string();
    assert_eq!(password.len(), 19, "{password}");
    // Shown once: not on the next visit.
    assert!(!admin.get(&page).await.body.contains(&password));
    // The merchant's session ended; the old password no longer works, the new one does.
    assert_eq!(
        merchant.get(&page).await.location.as_deref(),
        Some("/login")
    );
    let mut b = Browser::new(&w.app);
    assert!(b
        .login("cafe@a.test", PASSWORD)
        .await
        .location
        .unwrap()
        .starts_with("/login"));
    let mut b = Browser::new(&w.app);
    assert!(!b
        .login("cafe@a.test", &password)
        .await
        .location
        .unwrap()
        .starts_with("/login"));
    // Another agency's merchant: not found.
    let foreign = format!("/merchants/{}", w.merchant_b);
    let r = admin
        .post_csrf(&foreign, &[("action", "reset_password")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_agency_pauses_deletes_and_restores_a_merchant_and_only_its_own() {
    let w = world().await;
    let page = format!("/merchants/{}", w.merchant_a);
    let mut merchant = Browser::new(&w.app);
    merchant.login("cafe@a.test", PASSWORD).await;
    // A merchant cannot pause itself; another agency cannot touch it.
    let r = merchant
        .post_csrf(&page, &[("action", "pause_merchant")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut other = Browser::new(&w.app);
    other.login("admin@b.test", PASSWORD).await;
    let r = other
        .post_csrf(&page, &[("action", "delete_merchant")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Paused: its session ends and its right password says why it does not work.
    let mut admin = Browser::new(&w.app);
    admin.login("admin@a.test", PASSWORD).await;
    let r = admin
        .post_csrf(&page, &[("action", "pause_merchant")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location.unwrap().contains("done=merchant_paused"));
    assert_eq!(
        merchant.get(&page).await.location.as_deref(),
        Some("/login")
    );
    let mut b = Browser::new(&w.app);
    let to = b.login("cafe@a.test", PASSWORD).await.location.unwrap();
    assert!(to.contains("error=paused"), "{to}");
    assert!(admin.get("/agency").await.body.contains("Paused"));

    // Resumed: it signs in again.
    admin
        .post_csrf(&page, &[("action", "resume_merchant")])
        .await;
    let mut b = Browser::new(&w.app);
    let to = b.login("cafe@a.test", PASSWORD).await.location.unwrap();
    assert!(!to.starts_with("/login"), "{to}");

    // Deleted: gone from the list (listed apart, restorable), cannot sign in; restored: back.
    let r = admin
        .post_csrf(&page, &[("action", "delete_merchant")])
        .await;
    assert_eq!(
        r.location.as_deref().map(|l| l.starts_with("/agency?")),
        Some(true)
    );
    let list = admin.get("/agency").await.body;
    assert!(
        list.contains("Deleted merchants") && list.contains("restore_merchant"),
        "{list}"
    );
    assert_eq!(b.get(&page).await.location.as_deref(), Some("/login"));
    let mut c = Browser::new(&w.app);
    assert!(c
        .login("cafe@a.test", PASSWORD)
        .await
        .location
        .unwrap()
        .contains("error=removed"));
    let r = admin
        .post_csrf(&page, &[("action", "restore_merchant")])
        .await;
    assert!(r.location.unwrap().contains("done=merchant_restored"));
    assert!(!admin
        .get("/agency")
        .await
        .body
        .contains("Deleted merchants"));
    let mut d = Browser::new(&w.app);
    assert!(!d
        .login("cafe@a.test", PASSWORD)
        .await
        .location
        .unwrap()
        .starts_with("/login"));
}
