//! The HTTP application end to end in-process: the shared world and browser here; the tests in
//! http/ (signing in and tenancy, the editor, what is refused, accounts over time).
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

/// A body that records whether anything read it.
fn watched_body(polled: std::sync::Arc<std::sync::atomic::AtomicBool>, chunks: usize) -> Body {
    let stream = futures::stream::iter((0..chunks).map(move |_| {
        polled.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'a'; 64 * 1024]))
    }));
    Body::from_stream(stream)
}

#[path = "http/accounts.rs"]
mod accounts;
#[path = "http/editor.rs"]
mod editor;
#[path = "http/inbox.rs"]
mod inbox;
#[path = "http/mp.rs"]
mod mp;
#[path = "http/safety.rs"]
mod safety;
#[path = "http/security.rs"]
mod security;
