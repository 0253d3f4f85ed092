//! A faithful fake of WeChat's third-party platform (WECHAT-PLATFORM §8), for the tests and for
//! trying the whole flow by hand: `mpforge dev-wechat --addr 127.0.0.1:PORT --push-to URL`.
//!
//! It keeps, per mini program, what WeChat keeps: authorization and permission sets, tokens
//! (a new one invalidates the old), domains, the privacy guideline, the committed code, the
//! privacy scan (61039 for a while after each commit), the review and the monthly quota, the
//! release history (five kept), link rules. Reviews end by a test hook, and their result is
//! pushed encrypted to mpforge, as WeChat does. `POST /fake/inject` makes any call answer any
//! errcode. The state is in memory: a restart starts over.
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
    let mut w = f.world.lock().unwrap();
    w.calls
        .push(json!({"path": path, "query": query.keys().collect::<Vec<_>>(), "body": body}));
    if let Some(code) = w.inject.get_mut(&path).and_then(VecDeque::pop_front) {
        return Json(err(code, "injected")).into_response();
    }
    match handle(&f, &mut w, &path, &query, &body) {
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

fn qr_png(text: &str, width: u32) -> Vec<u8> {
    crate::qr::png(text, width.clamp(280, 1280), None).expect("short texts fit a QR code")
}

fn handle(f: &Fake, w: &mut World, path: &str, q: &HashMap<String, String>, b: &Value) -> Reply {
    use Reply::Json as J;
    let c = f.config.component_appid.as_str();
    let s = |k: &str| b[k].as_str().unwrap_or_default().to_string();
    if path == "/cgi-bin/component/api_component_token" {
        if s("component_appid") != c || s("component_appsecret") != f.config.secret {
            return J(err(40013, "invalid appid or secret"));
        }
        if s("component_verify_ticket") != w.ticket {
            return J(err(61006, "component ticket is invalid"));
        }
        // Re-issuing invalidates the previous token, as WeChat does.
        w.component_tokens.clear();
        let token = f.token(w);
        w.component_tokens
            .insert(token.clone(), now() + f.config.token_lifetime);
        return J(json!({"component_access_token": token, "expires_in": f.config.token_lifetime}));
    }
    let component_calls = path.starts_with("/cgi-bin/component/api_");
    if component_calls {
        let token = q
            .get("component_access_token")
            .or_else(|| q.get("access_token"));
        match token.and_then(|t| w.component_tokens.get(t)) {
            None => {
                return J(err(
                    40001,
                    "invalid credential, access_token is invalid or not latest",
                ))
            }
            Some(exp) if *exp <= now() => return J(err(42001, "access_token expired")),
            _ => {}
        }
        if s("component_appid") != c {
            return J(err(40013, "invalid appid"));
        }
        return match path {
            "/cgi-bin/component/api_create_preauthcode" => {
                let code = format!("preauthcode@@@{}", f.token(w));
                w.preauth.insert(code.clone(), now() + 600);
                J(json!({"pre_auth_code": code, "expires_in": 600}))
            }
            "/cgi-bin/component/api_query_auth" => {
                let Some(appid) = w.auth_codes.remove(&s("authorization_code")) else {
                    return J(err(61010, "code is expired"));
                };
                let (token, refresh) = (f.token(w), format!("refresh@@@{}", f.token(w)));
                let app = w.apps.get_mut(&appid).expect("codes name known apps");
                app.authorized = true;
                app.token = token.clone();
                app.token_expires = now() + f.config.token_lifetime;
                app.refresh = refresh.clone();
                let func: Vec<Value> = app
                    .func
                    .iter()
                    .map(|id| json!({"funcscope_category": {"id": id}}))
                    .collect();
                J(
                    json!({"authorization_info": {"authorizer_appid": appid, "authorizer_access_token": token,
                    "expires_in": f.config.token_lifetime, "authorizer_refresh_token": refresh, "func_info": func}}),
                )
            }
            "/cgi-bin/component/api_authorizer_token" => {
                let token = f.token(w);
                let lifetime = f.config.token_lifetime;
                match w.apps.get_mut(&s("authorizer_appid")) {
                    Some(app) if app.authorized && app.refresh == s("authorizer_refresh_token") => {
                        app.token = token.clone();
                        app.token_expires = now() + lifetime;
                        J(
                            json!({"authorizer_access_token": token, "expires_in": lifetime, "authorizer_refresh_token": app.refresh}),
                        )
                    }
                    _ => J(err(61023, "refresh_token is invalid")),
                }
            }
            "/cgi-bin/component/api_get_authorizer_info" => {
                match w.apps.get(&s("authorizer_appid")) {
                    Some(app) if app.authorized => {
                        let func: Vec<Value> = app
                            .func
                            .iter()
                            .map(|id| json!({"funcscope_category": {"id": id}}))
                            .collect();
                        J(
                            json!({"authorizer_info": {"nick_name": app.nick_name, "head_img": "https://wx.qlogo.cn/fake/0",
                        "service_type_info": {"id": 0}, "verify_type_info": {"id": 0}, "user_name": app.user_name,
                        "principal_name": app.principal, "signature": "A fake mini program",
                        "MiniProgramInfo": {"network": {"RequestDomain": app.domains, "DownloadDomain": app.domains}, "categories": app.categories, "visit_status": 0}},
                        "authorization_info": {"authorizer_appid": s("authorizer_appid"), "func_info": func}}),
                        )
                    }
                    _ => J(err(61003, "component is not authorized by this account")),
                }
            }
            _ => Reply::NotFound,
        };
    }
    // Calls made for a merchant: the authorizer token names the app.
    let token = q.get("access_token").cloned().unwrap_or_default();
    let Some((appid, app)) = w
        .apps
        .iter_mut()
        .find(|(_, a)| !a.token.is_empty() && a.token == token)
    else {
        return J(err(
            40001,
            "invalid credential, access_token is invalid or not latest",
        ));
    };
    if app.token_expires <= now() {
        return J(err(42001, "access_token expired"));
    }
    let appid = appid.clone();
    let needs = |set: i64, app: &App| !app.func.contains(&set);
    let code_calls = path.starts_with("/wxa/") && !path.starts_with("/wxa/getwxacode");
    if code_calls && needs(18, app) {
        return J(err(61007, "api is unauthorized to component"));
    }
    match path {
        "/wxa/get_category" => J(ok(json!({"category_list": app.categories}))),
        "/wxa/modify_domain" => {
            for list in ["requestdomain", "downloaddomain", "uploaddomain"] {
                for d in b[list]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !d.starts_with("https://")
                        && !d.starts_with("http://127.0.0.1")
                        && !d.starts_with("http://localhost")
                    {
                        return J(err(85015, "invalid domain"));
                    }
                    if !app.domains.iter().any(|x| x == d) {
                        app.domains.push(d.into());
                    }
                }
            }
            J(ok(
                json!({"requestdomain": app.domains, "downloaddomain": app.domains}),
            ))
        }
        "/cgi-bin/component/getprivacysetting" => {
            let used = app
                .committed
                .as_ref()
                .and_then(|c| c["template_id"].as_i64())
                .and_then(|t| w_template_keys(&w.templates, t))
                .unwrap_or_default();
            let settings: Vec<Value> = app
                .privacy
                .iter()
                .map(|k| json!({"privacy_key": k, "privacy_text": "set", "privacy_label": k}))
                .collect();
            J(ok(
                json!({"code_exist": i64::from(app.committed.is_some()), "privacy_list": used, "setting_list": settings, "owner_setting": app.owner_setting}),
            ))
        }
        "/cgi-bin/component/setprivacysetting" => {
            let owner = &b["owner_setting"];
            if owner["notice_method"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
                || (owner["contact_email"]
                    .as_str()
                    .unwrap_or_default()
                    .is_empty()
                    && owner["contact_phone"]
                        .as_str()
                        .unwrap_or_default()
                        .is_empty())
            {
                return J(err(86069, "owner_setting必填字段字段缺失"));
            }
            app.owner_setting = Some(owner.clone());
            app.privacy = b["setting_list"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["privacy_key"].as_str().map(str::to_string))
                .collect();
            J(ok(json!({})))
        }
        "/wxa/commit" => {
            if app.audit.as_ref().is_some_and(|a| a["status"] == 2) {
                return J(err(85009, "already submit a version under auditing"));
            }
            let Some(tid) = b["template_id"].as_i64() else {
                return J(err(85014, "template not exist"));
            };
            if !w.templates.contains_key(&tid) {
                return J(err(85014, "template not exist"));
            }
            let Some(ext) = b["ext_json"]
                .as_str()
                .and_then(|e| serde_json::from_str::<Value>(e).ok())
                .filter(Value::is_object)
            else {
                return J(err(85048, "parse ext.json failed"));
            };
            if ext["extAppid"].as_str() != Some(&appid) {
                return J(err(85013, "invalid ext config: extAppid is not this app"));
            }
            let version = s("user_version");
            if version.is_empty() || version.chars().count() > 64 {
                return J(err(85013, "user_version is empty or longer than 64"));
            }
            app.committed = Some(
                json!({"template_id": tid, "ext": ext, "user_version": version, "user_desc": s("user_desc")}),
            );
            app.scan_left = f.config.scan_calls;
            J(ok(json!({})))
        }
        "/wxa/get_qrcode" => match &app.committed {
            Some(c) => Reply::Png(qr_png(
                &format!(
                    "https://fake.weixin/trial/{appid}/{}",
                    c["user_version"].as_str().unwrap_or("")
                ),
                430,
            )),
            None => J(err(86001, "no committed code")),
        },
        "/wxa/security/get_code_privacy_info" => {
            if app.committed.is_none() {
                return J(err(86001, "no committed code"));
            }
            if app.scan_left > 0 {
                app.scan_left -= 1;
                return J(err(61039, "隐私接口检查任务未完成,请稍等一分钟再重试"));
            }
            J(ok(
                json!({"without_auth_list": [], "without_conf_list": []}),
            ))
        }
        "/wxa/submit_audit" => {
            let Some(committed) = app.committed.clone() else {
                return J(err(85086, "must commit before submit audit"));
            };
            if app
                .audit
                .as_ref()
                .is_some_and(|a| a["status"] == 2 || a["status"] == 4)
            {
                return J(err(85009, "already submit a version under auditing"));
            }
            if app.scan_left > 0 {
                return J(err(61039, "隐私接口检查任务未完成,请稍等一分钟再重试"));
            }
            if w.quota_rest <= 0 {
                return J(err(85085, "submit audit reach limit, please try later"));
            }
            if app.nick_name.is_empty() {
                return J(err(
                    86002,
                    "miniprogram nickname, avatar or intro is not set",
                ));
            }
            let used = committed["template_id"]
                .as_i64()
                .and_then(|t| w_template_keys(&w.templates, t))
                .unwrap_or_default();
            if app.owner_setting.is_none() || used.iter().any(|k| !app.privacy.contains(k)) {
                return J(err(
                    85086,
                    "must commit before submit audit (privacy setting missing)",
                ));
            }
            let items = b["item_list"].as_array().cloned().unwrap_or_default();
            if items.is_empty() || items.len() > 5 {
                return J(err(85023, "item_list is invalid"));
            }
            if items.iter().any(|i| {
                i["title"].as_str().unwrap_or_default().is_empty()
                    || i["title"].as_str().unwrap_or_default().chars().count() > 32
            }) {
                return J(err(85011, "title is invalid"));
            }
            w.quota_rest -= 1;
            w.next_audit += 1;
            let auditid = w.next_audit;
            let app = w.apps.get_mut(&appid).expect("found above");
            app.audit = Some(
                json!({"auditid": auditid, "status": 2, "reason": "", "user_version": committed["user_version"], "committed": committed}),
            );
            J(ok(json!({"auditid": auditid})))
        }
        "/wxa/get_latest_auditstatus" => match &app.audit {
            Some(a) => J(ok(
                json!({"auditid": a["auditid"], "status": a["status"], "reason": a["reason"], "ScreenShot": "", "user_version": a["user_version"], "submit_audit_time": now()}),
            )),
            None => J(err(86001, "no audit submitted by third party")),
        },
        "/wxa/release" => {
            let Some(audit) = app.audit.clone() else {
                return J(err(85019, "no audited version"));
            };
            match audit["status"].as_i64() {
                Some(0) => {}
                _ if app
                    .released
                    .as_ref()
                    .is_some_and(|r| r["auditid"] == audit["auditid"]) =>
                {
                    return J(err(85052, "app is already released"))
                }
                _ => return J(err(85020, "status not allowed")),
            }
            let version = w.next_version;
            w.next_version += 1;
            let app = w.apps.get_mut(&appid).expect("found above");
            let release = json!({"app_version": version, "auditid": audit["auditid"], "user_version": audit["user_version"], "user_desc": audit["committed"]["user_desc"], "commit_time": now(), "ext": audit["committed"]["ext"]});
            app.history.push_front(release.clone());
            app.history.truncate(5);
            app.released = Some(release);
            // The approved version is live: it is no longer "approved, waiting".
            app.audit.as_mut().expect("checked")["status"] = 5.into();
            J(ok(json!({})))
        }
        "/wxa/revertcoderelease" => {
            if q.get("action").map(String::as_str) == Some("get_history_version") {
                let list: Vec<Value> = app.history.iter().map(|h| json!({"app_version": h["app_version"], "user_version": h["user_version"], "user_desc": h["user_desc"], "commit_time": h["commit_time"]})).collect();
                return J(ok(json!({"version_list": list, "total_count": list.len()})));
            }
            let current = app
                .released
                .as_ref()
                .and_then(|r| r["app_version"].as_i64());
            let target = match q.get("app_version").and_then(|v| v.parse::<i64>().ok()) {
                Some(v) => app
                    .history
                    .iter()
                    .find(|h| h["app_version"] == v && Some(v) != current)
                    .cloned(),
                None => app
                    .history
                    .iter()
                    .find(|h| h["app_version"].as_i64() != current)
                    .cloned(),
            };
            match target {
                Some(t) => {
                    app.released = Some(t);
                    J(ok(json!({})))
                }
                None => J(err(87012, "this version can not be reverted")),
            }
        }
        "/wxa/getwxacodeunlimit" => {
            if needs(17, app) {
                return J(err(61007, "api is unauthorized to component"));
            }
            let scene = s("scene");
            if scene.is_empty() || scene.chars().count() > 32 {
                return J(err(40169, "invalid length for scene"));
            }
            let width = b["width"].as_u64().unwrap_or(430);
            if !(280..=1280).contains(&width) {
                return J(err(40097, "invalid args: width"));
            }
            let env = b["env_version"].as_str().unwrap_or("release");
            if env == "release" && app.released.is_none() {
                return J(err(41030, "invalid page rid: not released"));
            }
            let page = b["page"].as_str().unwrap_or("");
            Reply::Png(qr_png(
                &format!("https://fake.weixin/{env}/{appid}/{page}?scene={scene}"),
                width as u32,
            ))
        }
        "/cgi-bin/wxopen/qrcodejumpadd" => {
            let prefix = s("prefix");
            if !prefix.starts_with("http") {
                return J(err(85066, "invalid link"));
            }
            app.rules.retain(|r| r["prefix"] != prefix.as_str());
            app.rules.push(json!({"prefix": prefix, "path": s("path"), "open_version": b["open_version"], "state": 1}));
            J(ok(json!({})))
        }
        "/cgi-bin/wxopen/qrcodejumppublish" => {
            if app.released.is_none() {
                return J(err(85074, "not published: release the mini program first"));
            }
            match app
                .rules
                .iter_mut()
                .find(|r| r["prefix"] == s("prefix").as_str())
            {
                Some(r) => {
                    r["state"] = 2.into();
                    J(ok(json!({})))
                }
                None => J(err(85073, "rule not found")),
            }
        }
        _ => Reply::NotFound,
    }
}

fn w_template_keys(
    templates: &BTreeMap<i64, (String, Vec<String>)>,
    id: i64,
) -> Option<Vec<String>> {
    templates.get(&id).map(|t| t.1.clone())
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
