//! The HTTP client of WeChat's third-party platform: one typed function per call, against a
//! configurable base (`--wechat-api-base`, the fake in tests). Tokens go in the query string,
//! never the body; an answer with an `errcode` other than 0 becomes [`WxError::Api`]; binary
//! answers (QR images) are told from JSON errors by their first byte, not their header.
use super::errors::WxError;

pub mod customers;
mod links;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

/// WeChat's API host.
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";
/// Where merchants authorize a platform.
pub const DEFAULT_OPEN_BASE: &str = "https://mp.weixin.qq.com";

#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    api_base: String,
    open_base: String,
}

/// Which token a call carries in its query string.
#[derive(Clone, Copy, Debug)]
pub enum Token<'a> {
    None,
    /// `component_access_token=` (the `/cgi-bin/component/*` calls).
    Component(&'a str),
    /// `access_token=` (template library with the component token; everything done for a
    /// merchant with its authorizer token).
    Access(&'a str),
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ComponentToken {
    pub component_access_token: String,
    pub expires_in: i64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct FuncInfo {
    pub funcscope_category: FuncScope,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct FuncScope {
    pub id: i64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AuthorizationInfo {
    pub authorizer_appid: String,
    #[serde(default)]
    pub authorizer_access_token: String,
    #[serde(default)]
    pub expires_in: i64,
    #[serde(default)]
    pub authorizer_refresh_token: String,
    #[serde(default)]
    pub func_info: Vec<FuncInfo>,
}

impl AuthorizationInfo {
    pub fn permission_sets(&self) -> Vec<i64> {
        self.func_info
            .iter()
            .map(|f| f.funcscope_category.id)
            .collect()
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AuthorizerToken {
    pub authorizer_access_token: String,
    pub expires_in: i64,
    #[serde(default)]
    pub authorizer_refresh_token: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct AuthorizerInfo {
    #[serde(default)]
    pub nick_name: String,
    #[serde(default)]
    pub head_img: String,
    /// The original id (`gh_…`), which audit pushes name the app by.
    #[serde(default)]
    pub user_name: String,
    #[serde(default)]
    pub principal_name: String,
    #[serde(default)]
    pub signature: String,
    #[serde(default, rename = "MiniProgramInfo")]
    pub mini_program_info: Option<Value>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AuthorizerInfoReply {
    pub authorizer_info: AuthorizerInfo,
    pub authorization_info: AuthorizationInfo,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Category {
    #[serde(default)]
    pub first_class: String,
    #[serde(default)]
    pub second_class: String,
    #[serde(default)]
    pub third_class: Option<String>,
    #[serde(default)]
    pub first_id: i64,
    #[serde(default)]
    pub second_id: i64,
    #[serde(default)]
    pub third_id: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct PrivacySetting {
    #[serde(default)]
    pub code_exist: i64,
    /// Keys the last committed code uses.
    #[serde(default)]
    pub privacy_list: Vec<String>,
    #[serde(default)]
    pub setting_list: Vec<PrivacyItem>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct PrivacyItem {
    pub privacy_key: String,
    pub privacy_text: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct AuditStatus {
    #[serde(default)]
    pub auditid: i64,
    /// 0 approved, 1 rejected, 2 in review, 3 withdrawn, 4 delayed.
    pub status: i64,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub user_version: String,
}

/// `getversioninfo`: the trial (last committed) and the released versions.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct VersionInfo {
    #[serde(default)]
    pub exp_info: Option<ExpInfo>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct ExpInfo {
    #[serde(default)]
    pub exp_version: String,
    #[serde(default)]
    pub exp_time: i64,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct HistoryVersion {
    pub app_version: i64,
    #[serde(default)]
    pub user_version: String,
    #[serde(default)]
    pub user_desc: String,
    #[serde(default)]
    pub commit_time: i64,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct SubmitItem {
    pub address: String,
    pub tag: String,
    pub first_class: String,
    pub second_class: String,
    pub first_id: i64,
    pub second_id: i64,
    pub title: String,
}

/// `getwxacodeunlimit`'s parameters.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CodeRequest {
    pub scene: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    pub check_path: bool,
    pub env_version: String,
    pub width: u32,
    pub auto_color: bool,
    pub line_color: Value,
    pub is_hyaline: bool,
}

impl Client {
    pub fn new(api_base: &str, open_base: &str) -> Client {
        crate::storage::blobs::install_crypto_provider();
        Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .connect_timeout(Duration::from_secs(5))
                .build()
                .expect("the HTTP client builds with rustls"),
            api_base: api_base.trim_end_matches('/').to_string(),
            open_base: open_base.trim_end_matches('/').to_string(),
        }
    }

    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    fn url(&self, path: &str, token: Token, query: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&format!("{}{path}", self.api_base))
            .expect("the API base is a URL (checked at start-up)");
        {
            let mut q = url.query_pairs_mut();
            match token {
                Token::None => {}
                Token::Component(t) => {
                    q.append_pair("component_access_token", t);
                }
                Token::Access(t) => {
                    q.append_pair("access_token", t);
                }
            }
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url.to_string().replace("?&", "?")
    }

    async fn send(
        &self,
        call: &'static str,
        req: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, WxError> {
        let resp = req.send().await.map_err(|e| WxError::Network {
            call,
            message: e.to_string(),
        })?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| WxError::Network {
            call,
            message: e.to_string(),
        })?;
        if status.is_server_error() {
            return Err(WxError::Network {
                call,
                message: format!("HTTP {status}"),
            });
        }
        Ok(body.to_vec())
    }

    /// A JSON call; `body` `None` is a GET.
    pub async fn call<T: DeserializeOwned>(
        &self,
        call: &'static str,
        path: &str,
        token: Token<'_>,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<T, WxError> {
        let url = self.url(path, token, query);
        let req = match body {
            Some(b) => self
                .http
                .post(url)
                .header("content-type", "application/json")
                .body(serde_json::to_vec(b).expect("JSON values serialise")),
            None => self.http.get(url),
        };
        let bytes = self.send(call, req).await?;
        decode_json(call, &bytes)
    }

    /// A call answering an image on success and JSON on error.
    pub async fn call_binary(
        &self,
        call: &'static str,
        path: &str,
        token: Token<'_>,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Vec<u8>, WxError> {
        let url = self.url(path, token, query);
        let req = match body {
            Some(b) => self
                .http
                .post(url)
                .body(serde_json::to_vec(b).expect("JSON values serialise")),
            None => self.http.get(url),
        };
        let bytes = self.send(call, req).await?;
        if bytes.first() == Some(&b'{') {
            decode_json::<Value>(call, &bytes)?;
            return Err(WxError::Decode {
                call,
                message: "JSON where an image was expected".into(),
            });
        }
        if bytes.is_empty() {
            return Err(WxError::Decode {
                call,
                message: "an empty image".into(),
            });
        }
        Ok(bytes)
    }

    // Authorization (§1).

    pub async fn component_token(
        &self,
        appid: &str,
        secret: &str,
        ticket: &str,
    ) -> Result<ComponentToken, WxError> {
        self.call(
            "api_component_token",
            "/cgi-bin/component/api_component_token",
            Token::None,
            &[],
            Some(&json!({"component_appid": appid, "component_appsecret": secret, "component_verify_ticket": ticket})),
        )
        .await
    }

    pub async fn pre_auth_code(&self, ctoken: &str, appid: &str) -> Result<String, WxError> {
        let v: Value = self
            .call(
                "api_create_preauthcode",
                "/cgi-bin/component/api_create_preauthcode",
                Token::Component(ctoken),
                &[],
                Some(&json!({"component_appid": appid})),
            )
            .await?;
        str_field("api_create_preauthcode", &v, "pre_auth_code")
    }

    /// The page the merchant's administrator opens to authorize the platform.
    pub fn authorize_url(&self, appid: &str, pre_auth_code: &str, redirect_uri: &str) -> String {
        let mut url = url::Url::parse(&format!("{}/cgi-bin/componentloginpage", self.open_base))
            .expect("the open base is a URL (checked at start-up)");
        url.query_pairs_mut()
            .append_pair("component_appid", appid)
            .append_pair("pre_auth_code", pre_auth_code)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("auth_type", "2");
        url.to_string()
    }

    pub async fn query_auth(
        &self,
        ctoken: &str,
        appid: &str,
        code: &str,
    ) -> Result<AuthorizationInfo, WxError> {
        #[derive(Deserialize)]
        struct Reply {
            authorization_info: AuthorizationInfo,
        }
        let r: Reply = self
            .call(
                "api_query_auth",
                "/cgi-bin/component/api_query_auth",
                Token::Component(ctoken),
                &[],
                Some(&json!({"component_appid": appid, "authorization_code": code})),
            )
            .await?;
        Ok(r.authorization_info)
    }

    pub async fn authorizer_token(
        &self,
        ctoken: &str,
        appid: &str,
        authorizer: &str,
        refresh: &str,
    ) -> Result<AuthorizerToken, WxError> {
        self.call(
            "api_authorizer_token",
            "/cgi-bin/component/api_authorizer_token",
            Token::Component(ctoken),
            &[],
            Some(&json!({"component_appid": appid, "authorizer_appid": authorizer, "authorizer_refresh_token": refresh})),
        )
        .await
    }

    pub async fn authorizer_info(
        &self,
        ctoken: &str,
        appid: &str,
        authorizer: &str,
    ) -> Result<AuthorizerInfoReply, WxError> {
        self.call(
            "api_get_authorizer_info",
            "/cgi-bin/component/api_get_authorizer_info",
            Token::Component(ctoken),
            &[],
            Some(&json!({"component_appid": appid, "authorizer_appid": authorizer})),
        )
        .await
    }

    // Code management (§3), with the authorizer token.

    pub async fn get_category(&self, atoken: &str) -> Result<Vec<Category>, WxError> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(default)]
            category_list: Vec<Category>,
        }
        let r: Reply = self
            .call(
                "get_category",
                "/wxa/get_category",
                Token::Access(atoken),
                &[],
                None,
            )
            .await?;
        Ok(r.category_list)
    }

    /// Adds `domains` to the request and download domains (`modify_domain` `add`); domains
    /// already there are kept.
    pub async fn add_domains(&self, atoken: &str, domains: &[String]) -> Result<(), WxError> {
        let _: Value = self
            .call(
                "modify_domain",
                "/wxa/modify_domain",
                Token::Access(atoken),
                &[],
                Some(&json!({"action": "add", "requestdomain": domains, "downloaddomain": domains,
                    "uploaddomain": domains, "wsrequestdomain": [], "udpdomain": [], "tcpdomain": []})),
            )
            .await?;
        Ok(())
    }

    pub async fn get_privacy_setting(&self, atoken: &str) -> Result<PrivacySetting, WxError> {
        self.call(
            "getprivacysetting",
            "/cgi-bin/component/getprivacysetting",
            Token::Access(atoken),
            &[],
            Some(&json!({"privacy_ver": 2})),
        )
        .await
    }

    pub async fn set_privacy_setting(
        &self,
        atoken: &str,
        owner: &Value,
        items: &[PrivacyItem],
    ) -> Result<(), WxError> {
        let _: Value = self
            .call(
                "setprivacysetting",
                "/cgi-bin/component/setprivacysetting",
                Token::Access(atoken),
                &[],
                Some(&json!({"privacy_ver": 2, "owner_setting": owner, "setting_list": items})),
            )
            .await?;
        Ok(())
    }

    pub async fn commit(
        &self,
        atoken: &str,
        template_id: i64,
        ext_json: &str,
        user_version: &str,
        user_desc: &str,
    ) -> Result<(), WxError> {
        let _: Value = self
            .call(
                "commit",
                "/wxa/commit",
                Token::Access(atoken),
                &[],
                Some(&json!({"template_id": template_id, "ext_json": ext_json,
                    "user_version": user_version, "user_desc": user_desc})),
            )
            .await?;
        Ok(())
    }

    /// The trial version's QR code (JPEG or PNG bytes).
    pub async fn trial_qr(&self, atoken: &str) -> Result<Vec<u8>, WxError> {
        self.call_binary(
            "get_qrcode",
            "/wxa/get_qrcode",
            Token::Access(atoken),
            &[],
            None,
        )
        .await
    }

    /// Ok once WeChat's privacy scan of the last commit is done (61039 while it runs).
    pub async fn code_privacy_info(&self, atoken: &str) -> Result<Value, WxError> {
        self.call(
            "get_code_privacy_info",
            "/wxa/security/get_code_privacy_info",
            Token::Access(atoken),
            &[],
            None,
        )
        .await
    }

    pub async fn submit_audit(
        &self,
        atoken: &str,
        items: &[SubmitItem],
        version_desc: &str,
    ) -> Result<i64, WxError> {
        let v: Value = self
            .call(
                "submit_audit",
                "/wxa/submit_audit",
                Token::Access(atoken),
                &[],
                Some(&json!({"item_list": items, "version_desc": version_desc})),
            )
            .await?;
        v.get("auditid")
            .and_then(Value::as_i64)
            .ok_or_else(|| WxError::Decode {
                call: "submit_audit",
                message: "no auditid".into(),
            })
    }

    pub async fn latest_audit_status(&self, atoken: &str) -> Result<AuditStatus, WxError> {
        self.call(
            "get_latest_auditstatus",
            "/wxa/get_latest_auditstatus",
            Token::Access(atoken),
            &[],
            None,
        )
        .await
    }

    /// The committed (trial) and released versions (an empty body is refused with 44002).
    pub async fn version_info(&self, atoken: &str) -> Result<VersionInfo, WxError> {
        self.call(
            "getversioninfo",
            "/wxa/getversioninfo",
            Token::Access(atoken),
            &[],
            Some(&json!({})),
        )
        .await
    }

    pub async fn release(&self, atoken: &str) -> Result<(), WxError> {
        let _: Value = self
            .call(
                "release",
                "/wxa/release",
                Token::Access(atoken),
                &[],
                Some(&json!({})),
            )
            .await?;
        Ok(())
    }

    /// Rolls back to the previous release (or to `app_version`).
    pub async fn revert_release(
        &self,
        atoken: &str,
        app_version: Option<i64>,
    ) -> Result<(), WxError> {
        let v = app_version.map(|v| v.to_string());
        let query: Vec<(&str, &str)> = v.iter().map(|v| ("app_version", v.as_str())).collect();
        let _: Value = self
            .call(
                "revertcoderelease",
                "/wxa/revertcoderelease",
                Token::Access(atoken),
                &query,
                None,
            )
            .await?;
        Ok(())
    }

    pub async fn history_versions(&self, atoken: &str) -> Result<Vec<HistoryVersion>, WxError> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(default)]
            version_list: Vec<HistoryVersion>,
        }
        let r: Reply = self
            .call(
                "revertcoderelease",
                "/wxa/revertcoderelease",
                Token::Access(atoken),
                &[("action", "get_history_version")],
                None,
            )
            .await?;
        Ok(r.version_list)
    }
}

fn str_field(call: &'static str, v: &Value, name: &str) -> Result<String, WxError> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| WxError::Decode {
            call,
            message: format!("no `{name}`"),
        })
}

/// Reads a JSON answer: an `errcode` other than 0 is an error, no `errcode` is success.
pub fn decode_json<T: DeserializeOwned>(call: &'static str, bytes: &[u8]) -> Result<T, WxError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| WxError::Decode {
        call,
        message: e.to_string(),
    })?;
    if let Some(code) = v.get("errcode").and_then(Value::as_i64) {
        if code != 0 {
            return Err(WxError::Api {
                call,
                code,
                errmsg: v
                    .get("errmsg")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            });
        }
    }
    serde_json::from_value(v).map_err(|e| WxError::Decode {
        call,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_are_errors_and_a_missing_errcode_is_success() {
        let ok: ComponentToken =
            decode_json("t", br#"{"component_access_token":"x","expires_in":7200}"#).unwrap();
        assert_eq!(ok.expires_in, 7200);
        let _: Value = decode_json("t", br#"{"errcode":0,"errmsg":"ok"}"#).unwrap();
        let err =
            decode_json::<Value>("t", br#"{"errcode":85009,"errmsg":"already"}"#).unwrap_err();
        assert_eq!(err.code(), Some(85009));
    }

    #[test]
    fn tokens_go_in_the_query_string_by_their_documented_names() {
        let c = Client::new("http://127.0.0.1:9/", "http://127.0.0.1:9");
        assert_eq!(
            c.url("/wxa/commit", Token::Access("a b"), &[]),
            "http://127.0.0.1:9/wxa/commit?access_token=a+b"
        );
        assert_eq!(
            c.url("/cgi-bin/component/x", Token::Component("t"), &[("k", "v")]),
            "http://127.0.0.1:9/cgi-bin/component/x?component_access_token=t&k=v"
        );
        assert!(c
            .authorize_url("wxc", "pre@@@1", "https://m.example/cb?x=1")
            .starts_with("http://127.0.0.1:9/cgi-bin/componentloginpage?component_appid=wxc&pre_auth_code=pre%40%40%401&redirect_uri=https%3A%2F%2Fm.example%2Fcb%3Fx%3D1"));
    }
}
