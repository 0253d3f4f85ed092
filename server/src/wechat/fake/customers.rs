//! The fake's customers of a merchant's mini program: `wx.login` codes exchanged by
//! `/sns/component/jscode2session` (single use, five minutes, 40029 otherwise; 61003 for a mini
//! program not authorized), one-time subscriptions (what `wx.requestSubscribeMessage` accepted)
//! and `/cgi-bin/message/subscribe/send` (43101 without one, 40037 for no template, 40003 for an
//! openid the mini program never saw, 47003 for data that is not `{key: {value}}`). Test hooks
//! stand for the phone: `POST /fake/login`, `POST /fake/subscribe`; `GET /fake/messages` lists
//! what was sent.
use super::{err, now, ok, Fake, Reply, World};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

#[derive(Default)]
pub(super) struct Customers {
    /// code -> (appid, openid, expires)
    codes: HashMap<String, (String, String, i64)>,
    /// (appid, openid) seen by a mini program.
    openids: HashSet<(String, String)>,
    /// (appid, openid, template) -> messages accepted and not yet sent.
    accepted: HashMap<(String, String, String), u32>,
    sent: Vec<Value>,
}

/// `GET /sns/component/jscode2session`, with the component token checked by the caller.
pub(super) fn jscode2session(f: &Fake, w: &mut World, q: &HashMap<String, String>) -> Reply {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("component_appid") != f.config.component_appid {
        return Reply::Json(err(40013, "invalid appid"));
    }
    if get("grant_type") != "authorization_code" {
        return Reply::Json(err(40002, "invalid grant_type"));
    }
    let appid = get("appid");
    if !w.apps.get(&appid).is_some_and(|a| a.authorized) {
        return Reply::Json(err(61003, "component is not authorized by this account"));
    }
    match w.customers.codes.remove(&get("js_code")) {
        Some((for_app, openid, exp)) if for_app == appid && exp > now() => {
            let session_key = f.token(w);
            Reply::Json(json!({"openid": openid, "session_key": session_key}))
        }
        _ => Reply::Json(err(40029, "invalid code")),
    }
}

/// `POST /cgi-bin/message/subscribe/send` for `appid` (its authorizer token checked).
pub(super) fn subscribe_send(w: &mut World, appid: &str, b: &Value) -> Reply {
    let s = |k: &str| b[k].as_str().unwrap_or_default().to_string();
    let (touser, template) = (s("touser"), s("template_id"));
    if template.is_empty() {
        return Reply::Json(err(40037, "invalid template_id"));
    }
    if !w
        .customers
        .openids
        .contains(&(appid.to_string(), touser.clone()))
    {
        return Reply::Json(err(40003, "invalid openid"));
    }
    let data_ok = b["data"].as_object().is_some_and(|m| {
        !m.is_empty()
            && m.values()
                .all(|v| v["value"].as_str().is_some_and(|t| t.chars().count() <= 20))
    });
    if !data_ok {
        return Reply::Json(err(47003, "argument invalid! data.value"));
    }
    let state = b["miniprogram_state"].as_str().unwrap_or("formal");
    if !matches!(state, "developer" | "trial" | "formal") {
        return Reply::Json(err(47003, "argument invalid! miniprogram_state"));
    }
    let key = (appid.to_string(), touser.clone(), template.clone());
    match w.customers.accepted.get_mut(&key) {
        Some(n) if *n > 0 => *n -= 1,
        _ => return Reply::Json(err(43101, "user refuse to accept the msg")),
    }
    w.customers.sent.push(
        json!({"appid": appid, "touser": touser, "template_id": template,
        "page": b["page"], "data": b["data"], "miniprogram_state": state, "at": now()}),
    );
    Reply::Json(ok(json!({})))
}

#[derive(Deserialize)]
pub(super) struct LoginHook {
    appid: String,
    /// The customer (the same one logging in again gets the same openid); none: a new one.
    #[serde(default)]
    openid: Option<String>,
}

/// A customer opens the mini program and `wx.login` gives it a code.
pub(super) async fn hook_login(State(f): State<Fake>, Json(h): Json<LoginHook>) -> Json<Value> {
    let mut w = f.world.lock().unwrap();
    let openid = h
        .openid
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| format!("o{}", f.token(&mut w)));
    let code = format!("code{}", f.token(&mut w));
    w.customers
        .codes
        .insert(code.clone(), (h.appid.clone(), openid.clone(), now() + 300));
    w.customers.openids.insert((h.appid, openid.clone()));
    Json(json!({"code": code, "openid": openid}))
}

#[derive(Deserialize)]
pub(super) struct SubscribeHook {
    appid: String,
    openid: String,
    template_id: String,
}

/// The customer accepted one message of a template (`wx.requestSubscribeMessage`).
pub(super) async fn hook_subscribe(
    State(f): State<Fake>,
    Json(h): Json<SubscribeHook>,
) -> Json<Value> {
    let mut w = f.world.lock().unwrap();
    *w.customers
        .accepted
        .entry((h.appid, h.openid, h.template_id))
        .or_default() += 1;
    Json(json!({"ok": true}))
}

/// The subscribe messages sent so far.
pub(super) async fn hook_messages(State(f): State<Fake>) -> Json<Value> {
    let w = f.world.lock().unwrap();
    Json(json!({"messages": w.customers.sent}))
}
