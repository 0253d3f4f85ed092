//! The world of the WeChat tests: mpforge and the fake platform on loopback ports, and a
//! browser-like client with cookies and the CSRF token.
#![allow(dead_code)]
use app::api::{NewMerchant, NewSite};
use app::i18n::Lang;
use app::model::publish::PublishView;
use app::model::ThemeKind;
use server::accounts::{create_agency, create_merchant, user_view};
use server::storage::embedded::SledStore;
use server::wechat::fake::{Fake, FakeConfig};
use server::wechat::platform::{save_settings, PlatformInput};
use server::AppState;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery staple";
pub const APP: &str = "wx1111111111111111";

pub struct Env {
    pub base: String,
    pub fake_url: String,
    pub state: AppState,
    pub site: String,
    pub http: reqwest::Client,
}

/// A signed-in browser: its cookies and the page's CSRF token.
pub struct Browser<'a> {
    pub env: &'a Env,
    pub cookies: BTreeMap<String, String>,
    pub csrf: String,
}

pub fn token_in(html: &str) -> Option<String> {
    let key = r#"name="csrf_token" value=""#;
    let at = html.find(key)? + key.len();
    Some(html[at..at + html[at..].find('"')?].to_string())
}

impl<'a> Browser<'a> {
    pub async fn signed_in(env: &'a Env, login: &str) -> Browser<'a> {
        let mut b = Browser {
            env,
            cookies: BTreeMap::new(),
            csrf: String::new(),
        };
        b.get("/login").await;
        let r = b
            .post("/auth/login", &[("login", login), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status(), 303, "signing in as {login}");
        b.get("/account").await;
        b
    }

    pub fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let c = cookie::Cookie::parse(v.to_str().unwrap().to_string()).unwrap();
            self.cookies.insert(c.name().into(), c.value().into());
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> (u16, String) {
        let r = self
            .env
            .http
            .get(format!("{}{path}", self.env.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        if let Some(t) = token_in(&body) {
            self.csrf = t;
        }
        (status, body)
    }

    pub async fn bytes(&mut self, path: &str) -> (u16, Vec<u8>) {
        let r = self
            .env
            .http
            .get(format!("{}{path}", self.env.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        form.push(("csrf_token", &csrf));
        let r = self
            .env
            .http
            .post(format!("{}{path}", self.env.base))
            .header("cookie", self.cookie_header())
            .header("origin", self.env.base.clone())
            .form(&form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }

    pub async fn view(&mut self) -> PublishView {
        let (status, body) = self
            .get(&format!("/api/sites/{}/publish", self.env.site))
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Waits (bounded) until the publish view satisfies `done`.
    pub async fn until(&mut self, what: &str, done: impl Fn(&PublishView) -> bool) -> PublishView {
        for _ in 0..600 {
            let v = self.view().await;
            if done(&v) {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "timed out waiting for {what}: {:#?}",
            self.view().await.state
        );
    }
}

pub async fn env() -> Env {
    env_with(Opts::default()).await
}

pub struct Opts {
    /// Start the job workers (a test that stops and starts them does it itself).
    pub workers: bool,
    /// Privacy-scan answers of 61039 after each commit.
    pub scan_calls: u32,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            workers: true,
            scan_calls: FakeConfig::default().scan_calls,
        }
    }
}

pub async fn env_with(opts: Opts) -> Env {
    let store = Arc::new(SledStore::temporary().unwrap());
    let (agency, admin) = create_agency(&*store, "Agency A", "admin@a.test", PASSWORD)
        .await
        .unwrap();
    create_agency(&*store, "Agency B", "admin@b.test", PASSWORD)
        .await
        .unwrap();
    let m = create_merchant(
        &*store,
        agency.id,
        NewMerchant {
            name: "Lotus Café".into(),
            login: "cafe@a.test".into(),
            password: PASSWORD.into(),
        },
        Lang::En,
    )
    .await
    .unwrap();
    let who = user_view(&*store, &admin).await.unwrap();
    let site = server::sites::create(
        &*store,
        &who,
        &m.merchant.id.to_string(),
        NewSite {
            name: "Lotus Café".into(),
            template: ThemeKind::Shop,
            locale: Lang::Zh,
        },
    )
    .await
    .unwrap();
    let app_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", app_listener.local_addr().unwrap());
    let fake_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake_url = format!("http://{}", fake_listener.local_addr().unwrap());
    let fake = Fake::new(FakeConfig {
        push_to: Some(base.clone()),
        scan_calls: opts.scan_calls,
        ..FakeConfig::default()
    });
    let router = fake.clone().router();
    tokio::spawn(async move { axum::serve(fake_listener, router).await });
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let state = AppState::embedded(options, store.clone(), false)
        .await
        .unwrap()
        .with_wx(server::wechat::tokens::Wx {
            client: server::wechat::client::Client::new(&fake_url, &fake_url),
            sbox: server::sealed::SecretBox::ephemeral(),
            public_url: base.clone(),
        });
    let app = server::app(state.clone());
    tokio::spawn(async move {
        axum::serve(
            app_listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    if opts.workers {
        tokio::spawn(server::jobs::run_workers(
            state.clone(),
            2,
            Duration::from_secs(10),
        ));
    }
    let config = FakeConfig::default();
    save_settings(
        &*store,
        &state.wx.sbox,
        agency.id,
        PlatformInput {
            component_appid: config.component_appid.clone(),
            secret: Some(config.secret.clone()),
            token: Some(config.token.clone()),
            aes_key: Some(config.aes_key.clone()),
            templates: [
                ("shop".into(), "1".into()),
                ("booking".into(), "2".into()),
                ("info".into(), "3".into()),
            ]
            .into(),
            contact_email: "privacy@agency.test".into(),
            contact_phone: String::new(),
            auto_release: false,
        },
        Lang::En,
    )
    .await
    .unwrap();
    assert_eq!(
        fake.push_ticket().await,
        Ok(200),
        "the ticket push is accepted"
    );
    drop(fake);
    Env {
        base,
        fake_url,
        state,
        site: site.id,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

impl Env {
    pub async fn fake(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let r = self
            .http
            .post(format!("{}{path}", self.fake_url))
            .json(&body)
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    /// Sends an encrypted event about `appid` as WeChat does (the approval repeated).
    pub async fn push_app_event(&self, appid: &str, event: &str, reason: &str) -> u16 {
        let c = FakeConfig::default();
        let crypt = server::wechat::crypto::MsgCrypt::new(&c.token, &c.aes_key, &c.component_appid)
            .unwrap();
        let xml = format!(
            "<xml><ToUserName><![CDATA[gh_{}]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event><Reason><![CDATA[{reason}]]></Reason></xml>",
            &appid[2..14]
        );
        let now = server::storage::now_unix();
        let (query, body) = server::wechat::crypto::push_request(&crypt, now, "again", &xml);
        self.http
            .post(format!(
                "{}/wechat/{}/{appid}/events?{query}",
                self.base, c.component_appid
            ))
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    pub async fn fake_state(&self) -> serde_json::Value {
        self.http
            .get(format!("{}/fake/state", self.fake_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn calls(&self, path: &str) -> usize {
        let s = self.fake_state().await;
        s["calls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["path"] == path)
            .count()
    }

    /// What the merchant's administrator does on WeChat's authorization page.
    pub async fn authorize(&self, authorize_url: &str) -> String {
        self.authorize_as(authorize_url, APP).await
    }

    /// The administrator of mini program `appid` authorizes it.
    pub async fn authorize_as(&self, authorize_url: &str, appid: &str) -> String {
        let url = url::Url::parse(authorize_url).unwrap();
        let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        assert!(self
            .http
            .get(authorize_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains(appid));
        let r = self
            .http
            .post(format!("{}/fake/authorize", self.fake_url))
            .form(&[
                ("appid", appid),
                ("pre_auth_code", &q["pre_auth_code"]),
                ("redirect_uri", &q["redirect_uri"]),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        r.headers()["location"].to_str().unwrap().to_string()
    }
}

pub fn decode_qr(png: &[u8]) -> String {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().unwrap().1
}
