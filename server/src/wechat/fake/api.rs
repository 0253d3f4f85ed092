//! The fake's API calls: each checks what WeChat checks and answers what WeChat answers
//! (WECHAT-PLATFORM §1, §3, §4, §6), from the state in [`super::World`].
use super::{err, now, ok, App, Fake, Reply, World};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

fn qr_png(text: &str, width: u32) -> Vec<u8> {
    crate::qr::png(text, width.clamp(280, 1280), None).expect("short texts fit a QR code")
}

pub(super) fn handle(
    f: &Fake,
    w: &mut World,
    path: &str,
    q: &HashMap<String, String>,
    b: &Value,
) -> Reply {
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
    let component_calls =
        path.starts_with("/cgi-bin/component/api_") || path == "/sns/component/jscode2session";
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
        if path == "/sns/component/jscode2session" {
            return super::customers::jscode2session(f, w, q);
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
        "/cgi-bin/message/subscribe/send" => super::customers::subscribe_send(w, &appid, b),
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
            let declared = committed["ext"]["requiredPrivateInfos"]
                .as_array()
                .is_some_and(|a| !a.is_empty());
            if used.iter().any(|k| k == "Location") && !declared {
                return J(err(61040, "privacy api used without requiredPrivateInfos"));
            }
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
        "/wxa/getversioninfo" => {
            if b.is_null() {
                return J(err(44002, "empty post data"));
            }
            let exp = app.committed.as_ref().map(|c| {
                json!({"exp_time": now(), "exp_version": c["user_version"], "exp_desc": c["user_desc"]})
            });
            let rel = app.released.as_ref().map(|r| {
                json!({"release_time": r["commit_time"], "release_version": r["user_version"], "release_desc": r["user_desc"]})
            });
            let mut v = json!({});
            if let Some(e) = exp {
                v["exp_info"] = e;
            }
            if let Some(r) = rel {
                v["release_info"] = r;
            }
            J(ok(v))
        }
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
        "/cgi-bin/wxopen/qrcodejumpdownload" => {
            let file = app.jump_file.get_or_insert_with(|| {
                let name = format!("{}.txt", hex::encode(rand::random::<[u8; 5]>()));
                (name, hex::encode(rand::random::<[u8; 16]>()))
            });
            J(ok(json!({"file_name": file.0, "file_content": file.1})))
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
