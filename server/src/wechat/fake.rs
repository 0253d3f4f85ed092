//! A faithful fake of WeChat's third-party platform (WECHAT-PLATFORM §8), for the tests and for
//! trying the whole flow by hand: `mpforge dev-wechat --addr 127.0.0.1:PORT --push-to URL`.
//!
//! It keeps, per mini program, what WeChat keeps: authorization and permission sets, tokens
//! (a new one invalidates the old), domains, the privacy guideline, the committed code, the
//! privacy scan (61039 for a while after each commit), the review and the monthly quota, the
//! release history (five kept), link rules. Reviews end by a test hook, and their result is
//! pushed encrypted to mpforge, as WeChat does. `POST /fake/inject` makes any call answer any
//! errcode. Customers log in and accept subscribe messages by test hooks (`customers`).
//! The state is in memory: a restart starts over.
use super::crypto::{push_request, MsgCrypt};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

mod api;
mod customers;
use api::handle;

/// The platform the fake plays, and where it pushes to.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    pub component_appid: String,
    pub secret: String,
    pub token: String,
    pub aes_key: String,
    /// mpforge's base URL (pushes go to `{push_to}/wechat/...`); none: no pushes.
    pub push_to: Option<String>,
    /// Lifetime of the tokens it issues, seconds.
    pub token_lifetime: i64,
    /// How many `get_code_privacy_info` calls answer 61039 after a commit.
    pub scan_calls: u32,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            component_appid: "wxfa4e000000000001".into(),
            secret: "fake-component-secret".into(),
            token: "faketoken".into(),
            aes_key: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".into(),
            push_to: None,
            token_lifetime: 7200,
            scan_calls: 2,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct App {
    nick_name: String,
    user_name: String,
    principal: String,
    func: Vec<i64>,
    categories: Vec<Value>,
    authorized: bool,
    refresh: String,
    token: String,
    token_expires: i64,
    domains: Vec<String>,
    privacy: Vec<String>,
    owner_setting: Option<Value>,
    committed: Option<Value>,
    scan_left: u32,
    audit: Option<Value>,
    released: Option<Value>,
    history: VecDeque<Value>,
    rules: Vec<Value>,
    /// The verification file of link rules: (name, content).
    jump_file: Option<(String, String)>,
}

#[derive(Default)]
struct World {
    ticket: String,
    component_tokens: HashMap<String, i64>,
    preauth: HashMap<String, i64>,
    auth_codes: HashMap<String, String>,
    apps: BTreeMap<String, App>,
    /// template id -> (user_version, privacy keys its code uses)
    templates: BTreeMap<i64, (String, Vec<String>)>,
    quota_rest: i64,
    next_audit: i64,
    next_version: i64,
    inject: HashMap<String, VecDeque<i64>>,
    calls: Vec<Value>,
    seq: u64,
    customers: customers::Customers,
}

#[derive(Clone)]
pub struct Fake {
    config: Arc<FakeConfig>,
    world: Arc<Mutex<World>>,
    http: reqwest::Client,
}

fn now() -> i64 {
    crate::storage::now_unix()
}

fn err(code: i64, msg: &str) -> Value {
    json!({"errcode": code, "errmsg": format!("{msg} rid: fake-{code}")})
}

fn ok(mut v: Value) -> Value {
    v["errcode"] = 0.into();
    v["errmsg"] = "ok".into();
    v
}

/// The apps a fresh fake knows: a café with every permission, and one without QR and code
/// management permissions (for the warnings).
fn seed(w: &mut World) {
    let cat =
        json!({"first_class": "餐饮", "second_class": "咖啡厅", "first_id": 220, "second_id": 226});
    for (appid, name, func) in [
        (
            "wx1111111111111111",
            "Fake Café 假咖啡",
            vec![17, 18, 25, 30, 31],
        ),
        ("wx2222222222222222", "Fake Salon", vec![17, 18, 25]),
        ("wx3333333333333333", "Half Permitted", vec![25]),
    ] {
        w.apps.insert(
            appid.into(),
            App {
                nick_name: name.into(),
                user_name: format!("gh_{}", &appid[2..14]),
                principal: format!("{name} Co., Ltd."),
                func,
                categories: vec![cat.clone()],
                ..App::default()
            },
        );
    }
    for (id, v) in [(1, "shop-1.0.0"), (2, "booking-1.0.0"), (3, "info-1.0.0")] {
        w.templates.insert(id, (v.into(), Vec::new()));
    }
    w.quota_rest = 20;
    w.next_audit = 420_000;
    w.next_version = 1;
    w.ticket = "ticket@@@fake-initial".into();
}

impl Fake {
    pub fn new(config: FakeConfig) -> Fake {
        crate::storage::blobs::install_crypto_provider();
        let mut world = World::default();
        seed(&mut world);
        Fake {
            config: Arc::new(config),
            world: Arc::new(Mutex::new(world)),
            http: reqwest::Client::new(),
        }
    }

    fn crypt(&self) -> MsgCrypt {
        MsgCrypt::new(
            &self.config.token,
            &self.config.aes_key,
            &self.config.component_appid,
        )
        .expect("the fake's key is valid")
    }

    fn token(&self, w: &mut World) -> String {
        w.seq += 1;
        format!("fake{}{}", w.seq, hex::encode(rand::random::<[u8; 8]>()))
    }

    /// Sends `xml` encrypted to mpforge's `path`; the answer's status.
    pub async fn push(&self, path: &str, xml: &str) -> Result<u16, String> {
        let Some(base) = &self.config.push_to else {
            return Err("no --push-to configured".into());
        };
        let (query, body) = push_request(&self.crypt(), now(), &now().to_string(), xml);
        let url = format!("{}{path}?{query}", base.trim_end_matches('/'));
        let resp = self
            .http
            .post(url)
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok(resp.status().as_u16())
    }

    /// Pushes a fresh `component_verify_ticket` (WeChat does every 10 minutes).
    pub async fn push_ticket(&self) -> Result<u16, String> {
        let ticket = {
            let mut w = self.world.lock().unwrap();
            w.ticket = format!("ticket@@@{}", self.token(&mut w));
            w.ticket.clone()
        };
        let c = &self.config.component_appid;
        let xml = format!("<xml><AppId><![CDATA[{c}]]></AppId><CreateTime>{}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>", now());
        self.push(&format!("/wechat/{c}/events"), &xml).await
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/cgi-bin/componentloginpage", get(login_page))
            .route("/fake/authorize", post(authorize))
            .route("/fake/ticket", post(hook_ticket))
            .route("/fake/audit", post(hook_audit))
            .route("/fake/unauthorize", post(hook_unauthorize))
            .route("/fake/inject", post(hook_inject))
            .route("/fake/templates", post(hook_templates))
            .route("/fake/quota", post(hook_quota))
            .route("/fake/state", get(hook_state))
            .route("/fake/apps", post(hook_apps))
            .route("/fake/login", post(customers::hook_login))
            .route("/fake/subscribe", post(customers::hook_subscribe))
            .route("/fake/messages", get(customers::hook_messages))
            .fallback(api)
            .with_state(self)
    }
}

/// The authorization page: the merchant's administrator picks the mini program to authorize.
async fn login_page(State(f): State<Fake>, Query(q): Query<HashMap<String, String>>) -> Response {
    let w = f.world.lock().unwrap();
    let code = q.get("pre_auth_code").cloned().unwrap_or_default();
    if w.preauth.get(&code).is_none_or(|exp| *exp <= now()) {
        return (
            StatusCode::BAD_REQUEST,
            Html("<h1>授权链接已失效 / The authorization link expired</h1>".to_string()),
        )
            .into_response();
    }
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    let mut html = format!("<!doctype html><meta charset=utf-8><title>Fake WeChat authorization</title><h1>授权给第三方平台 {}</h1>", esc(&f.config.component_appid));
    for (appid, app) in &w.apps {
        html.push_str(&format!(
            "<form method=post action=/fake/authorize><input type=hidden name=appid value=\"{}\"><input type=hidden name=pre_auth_code value=\"{}\"><input type=hidden name=redirect_uri value=\"{}\"><button>Authorize {} ({})</button></form>",
            esc(appid), esc(&code), esc(q.get("redirect_uri").map(String::as_str).unwrap_or("")), esc(&app.nick_name), esc(appid)
        ));
    }
    Html(html).into_response()
}

#[derive(Deserialize)]
struct AuthorizeForm {
    appid: String,
    pre_auth_code: String,
    redirect_uri: String,
}

/// The administrator confirmed: an auth code, the `authorized` push, and the redirect back.
async fn authorize(State(f): State<Fake>, Form(form): Form<AuthorizeForm>) -> Response {
    let code = {
        let mut w = f.world.lock().unwrap();
        if w.preauth.remove(&form.pre_auth_code).is_none() || !w.apps.contains_key(&form.appid) {
            return (StatusCode::BAD_REQUEST, "expired").into_response();
        }
        let code = format!("queryauthcode@@@{}", f.token(&mut w));
        w.auth_codes.insert(code.clone(), form.appid.clone());
        code
    };
    let c = &f.config.component_appid;
    let xml = format!("<xml><AppId><![CDATA[{c}]]></AppId><CreateTime>{}</CreateTime><InfoType><![CDATA[authorized]]></InfoType><AuthorizerAppid><![CDATA[{}]]></AuthorizerAppid><AuthorizationCode><![CDATA[{code}]]></AuthorizationCode><AuthorizationCodeExpiredTime>{}</AuthorizationCodeExpiredTime><PreAuthCode><![CDATA[{}]]></PreAuthCode></xml>", now(), form.appid, now() + 3600, form.pre_auth_code);
    let _ = f.push(&format!("/wechat/{c}/events"), &xml).await;
    let sep = if form.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    Redirect::to(&format!(
        "{}{sep}auth_code={}&expires_in=3600",
        form.redirect_uri,
        urlencode(&code)
    ))
    .into_response()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn hook_ticket(State(f): State<Fake>) -> Json<Value> {
    Json(json!({"pushed": f.push_ticket().await.map_err(|e| e.to_string())}))
}

#[derive(Deserialize)]
struct AuditHook {
    appid: String,
    /// approve | reject | delay
    result: String,
    #[serde(default)]
    reason: String,
}

/// Ends the review of `appid` and pushes the result to `/wechat/{component}/{appid}/events`.
async fn hook_audit(State(f): State<Fake>, Json(h): Json<AuditHook>) -> Response {
    let (status, user_name) = {
        let mut w = f.world.lock().unwrap();
        let Some(app) = w.apps.get_mut(&h.appid) else {
            return (StatusCode::NOT_FOUND, "no such app").into_response();
        };
        let Some(audit) = app
            .audit
            .as_mut()
            .filter(|a| a["status"] == 2 || a["status"] == 4)
        else {
            return (StatusCode::CONFLICT, "nothing in review").into_response();
        };
        let status = match h.result.as_str() {
            "approve" => 0,
            "reject" => 1,
            _ => 4,
        };
        audit["status"] = status.into();
        audit["reason"] = h.reason.clone().into();
        (status, app.user_name.clone())
    };
    let (event, extra) = match status {
        0 => ("weapp_audit_success", format!("<SuccTime>{}</SuccTime>", now())),
        1 => ("weapp_audit_fail", format!("<Reason><![CDATA[{}]]></Reason><FailTime>{}</FailTime><ScreenShot><![CDATA[]]></ScreenShot>", h.reason, now())),
        _ => ("weapp_audit_delay", format!("<Reason><![CDATA[{}]]></Reason><DelayTime>{}</DelayTime>", h.reason, now())),
    };
    let xml = format!("<xml><ToUserName><![CDATA[{user_name}]]></ToUserName><FromUserName><![CDATA[o_fake]]></FromUserName><CreateTime>{}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>{extra}</xml>", now());
    let pushed = f
        .push(
            &format!("/wechat/{}/{}/events", f.config.component_appid, h.appid),
            &xml,
        )
        .await;
    Json(json!({"status": status, "pushed": pushed})).into_response()
}

#[derive(Deserialize)]
struct AppHook {
    appid: String,
}

async fn hook_unauthorize(State(f): State<Fake>, Json(h): Json<AppHook>) -> Json<Value> {
    {
        let mut w = f.world.lock().unwrap();
        if let Some(app) = w.apps.get_mut(&h.appid) {
            app.authorized = false;
            app.token.clear();
            app.refresh.clear();
        }
    }
    let c = &f.config.component_appid;
    let xml = format!("<xml><AppId><![CDATA[{c}]]></AppId><CreateTime>{}</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[{}]]></AuthorizerAppid></xml>", now(), h.appid);
    Json(json!({"pushed": f.push(&format!("/wechat/{c}/events"), &xml).await}))
}

#[derive(Deserialize)]
struct NewAppHook {
    appid: String,
    name: String,
}

/// Another mini program an administrator can authorize, with every permission (an agency
/// connecting many merchants).
async fn hook_apps(State(f): State<Fake>, Json(h): Json<NewAppHook>) -> Response {
    let valid = h.appid.len() == 18
        && h.appid.starts_with("wx")
        && h.appid[2..].chars().all(|c| c.is_ascii_hexdigit());
    if !valid || h.name.trim().is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            "appid is wx + 16 hex digits; name is needed",
        )
            .into_response();
    }
    let mut w = f.world.lock().unwrap();
    let cat =
        json!({"first_class": "餐饮", "second_class": "咖啡厅", "first_id": 220, "second_id": 226});
    w.apps.entry(h.appid.clone()).or_insert_with(|| App {
        nick_name: h.name.clone(),
        user_name: format!("gh_{}", &h.appid[2..14]),
        principal: format!("{} Co., Ltd.", h.name),
        func: vec![17, 18, 25, 30, 31],
        categories: vec![cat],
        ..App::default()
    });
    Json(json!({"ok": true})).into_response()
}

#[derive(Deserialize)]
struct InjectHook {
    path: String,
    errcode: i64,
    #[serde(default = "one")]
    times: usize,
}

fn one() -> usize {
    1
}

/// The next `times` calls to `path` answer `errcode`.
async fn hook_inject(State(f): State<Fake>, Json(h): Json<InjectHook>) -> Json<Value> {
    let mut w = f.world.lock().unwrap();
    w.inject
        .entry(h.path)
        .or_default()
        .extend(std::iter::repeat_n(h.errcode, h.times));
    Json(json!({"ok": true}))
}

#[derive(Deserialize)]
struct TemplatesHook {
    id: i64,
    user_version: String,
    #[serde(default)]
    privacy_keys: Vec<String>,
}

async fn hook_templates(State(f): State<Fake>, Json(h): Json<TemplatesHook>) -> Json<Value> {
    f.world
        .lock()
        .unwrap()
        .templates
        .insert(h.id, (h.user_version, h.privacy_keys));
    Json(json!({"ok": true}))
}

async fn hook_quota(State(f): State<Fake>, Json(v): Json<Value>) -> Json<Value> {
    let mut w = f.world.lock().unwrap();
    w.quota_rest = v["rest"].as_i64().unwrap_or(w.quota_rest);
    Json(json!({"rest": w.quota_rest}))
}

/// Everything the fake knows about each app, and every call it received (for tests).
async fn hook_state(State(f): State<Fake>) -> Json<Value> {
    let w = f.world.lock().unwrap();
    let apps: serde_json::Map<String, Value> = w
        .apps
        .iter()
        .map(|(id, a)| {
            (
                id.clone(),
                json!({"authorized": a.authorized, "domains": a.domains, "privacy": a.privacy,
                "committed": a.committed, "audit": a.audit, "released": a.released,
                "history": a.history, "rules": a.rules, "owner_setting": a.owner_setting}),
            )
        })
        .collect();
    Json(json!({"apps": apps, "calls": w.calls, "quota_rest": w.quota_rest}))
}

/// Every API call: the token checked as WeChat does, then the call itself.
async fn api(State(f): State<Fake>, uri: Uri, body: axum::body::Bytes) -> Response {
    let path = uri.path().to_string();
    let query: HashMap<String, String> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return Json(err(47001, "data format error")).into_response(),
        }
    };
    // Publishing a link rule: WeChat fetches the verification file from the prefix's
    // directory first (85069 when it is not there).
    if path == "/cgi-bin/wxopen/qrcodejumppublish" {
        let token = query.get("access_token").cloned().unwrap_or_default();
        let expected = {
            let w = f.world.lock().unwrap();
            w.apps
                .values()
                .find(|a| !a.token.is_empty() && a.token == token)
                .and_then(|a| a.jump_file.clone())
        };
        let prefix = body["prefix"].as_str().unwrap_or_default();
        let dir = prefix.rsplit_once('/').map(|(d, _)| d).unwrap_or(prefix);
        let found = match &expected {
            Some((name, content)) => match f.http.get(format!("{dir}/{name}")).send().await {
                Ok(r) if r.status().is_success() => {
                    r.text().await.ok().is_some_and(|t| t.trim() == content)
                }
                _ => false,
            },
            None => false,
        };
        if !found {
            return Json(err(
                85069,
                "verification file not found in the prefix's directory",
            ))
            .into_response();
        }
    }
    let mut w = f.world.lock().unwrap();
    // Which mini program a call was for (its authorizer token names it), for the call log.
    let for_app = query.get("access_token").and_then(|t| {
        w.apps
            .iter()
            .find(|(_, a)| !a.token.is_empty() && a.token == *t)
            .map(|(id, _)| id.clone())
    });
    w.calls.push(
        json!({"path": path, "appid": for_app, "query": query.keys().collect::<Vec<_>>(), "body": body}),
    );
    if let Some(code) = w.inject.get_mut(&path).and_then(VecDeque::pop_front) {
        if let Some(last) = w.calls.last_mut() {
            last["errcode"] = code.into();
        }
        return Json(err(code, "injected")).into_response();
    }
    let reply = handle(&f, &mut w, &path, &query, &body);
    // What it answered, in the log too.
    let answered = match &reply {
        Reply::Json(v) => v["errcode"].as_i64().unwrap_or(0),
        Reply::Png(_) => 0,
        Reply::NotFound => -1,
    };
    if let Some(last) = w.calls.last_mut() {
        last["errcode"] = answered.into();
    }
    match reply {
        Reply::Json(v) => Json(v).into_response(),
        Reply::Png(bytes) => ([(header::CONTENT_TYPE, "image/png")], bytes).into_response(),
        Reply::NotFound => (StatusCode::NOT_FOUND, Json(err(-1, "no such api"))).into_response(),
    }
}

enum Reply {
    Json(Value),
    Png(Vec<u8>),
    NotFound,
}

/// Serves the fake on `listener` until the process ends, pushing a ticket first (as WeChat
/// does right after the events address is saved) and every `ticket_every` after.
pub async fn serve(
    fake: Fake,
    listener: tokio::net::TcpListener,
    ticket_every: std::time::Duration,
) -> std::io::Result<()> {
    let pusher = fake.clone();
    tokio::spawn(async move {
        loop {
            // Until mpforge takes one (it may still be starting), try every second.
            let wait = match pusher.push_ticket().await {
                Ok(200) => ticket_every,
                Ok(status) => {
                    tracing::warn!(status, "mpforge refused the fake's ticket");
                    std::time::Duration::from_secs(1)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the fake could not push a ticket");
                    std::time::Duration::from_secs(1)
                }
            };
            tokio::time::sleep(wait).await;
        }
    });
    axum::serve(listener, fake.router()).await
}
