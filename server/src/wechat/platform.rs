//! An agency's third-party platform (its settings, secrets sealed at rest) and the mini
//! programs connected to its merchants' sites, kept as store documents:
//!
//! | kind | key | body |
//! |---|---|---|
//! | `wx-platform` | agency id | [`PlatformSettings`] |
//! | `wx-component` | component appid | the agency owning it (pushes arrive by appid) |
//! | `wx-ticket` | component appid | the latest `component_verify_ticket`, sealed |
//! | `wx-conn` | site id | [`Connection`] |
//! | `wx-app` | authorizer appid | the site it is connected to |
//! | `wx-preauth` | pre-auth code | the site a "Connect" was started from |
use crate::sealed::SecretBox;
use crate::storage::{Doc, Expect, Store, StoreError};
use app::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ulid::Ulid;

pub const SETTINGS: &str = "wx-platform";
pub const BY_COMPONENT: &str = "wx-component";
pub const TICKET: &str = "wx-ticket";
pub const CONNECTION: &str = "wx-conn";
pub const BY_APP: &str = "wx-app";
pub const PREAUTH: &str = "wx-preauth";

/// Permission sets a publish needs: code management and QR codes.
pub const CODE_MANAGEMENT: i64 = 18;
pub const QR_CODES: i64 = 17;

/// What an agency set, as stored: secrets sealed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PlatformSettings {
    pub component_appid: String,
    pub secret: String,
    pub token: String,
    pub aes_key: String,
    /// Template id in the platform's template library, per theme (`shop`, `booking`, `info`).
    pub templates: BTreeMap<String, i64>,
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    /// Release on approval without waiting for someone to press Release.
    #[serde(default)]
    pub auto_release: bool,
}

/// The settings with their secrets opened, for the calls and the push crypto.
#[derive(Clone)]
pub struct Platform {
    pub agency_id: Ulid,
    pub appid: String,
    pub secret: String,
    pub token: String,
    pub aes_key: String,
    pub templates: BTreeMap<String, i64>,
    pub contact_email: String,
    pub contact_phone: String,
    pub auto_release: bool,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform")
            .field("agency_id", &self.agency_id)
            .field("appid", &self.appid)
            .finish_non_exhaustive()
    }
}

/// A change to the settings; a secret left `None` (or blank) keeps the stored one.
#[derive(Clone, Debug, Default)]
pub struct PlatformInput {
    pub component_appid: String,
    pub secret: Option<String>,
    pub token: Option<String>,
    pub aes_key: Option<String>,
    pub templates: BTreeMap<String, String>,
    pub contact_email: String,
    pub contact_phone: String,
    pub auto_release: bool,
}

/// A refused field, named as the form and the CLI name it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn is_appid(s: &str) -> bool {
    s.len() == 18 && s.starts_with("wx") && s[2..].chars().all(|c| c.is_ascii_alphanumeric())
}

/// The settings of `agency`, if set.
pub async fn settings(
    store: &dyn Store,
    agency: Ulid,
) -> Result<Option<PlatformSettings>, StoreError> {
    store
        .doc(SETTINGS, &agency.to_string())
        .await?
        .map(|d| d.read())
        .transpose()
}

/// Checks and saves `input` for `agency`: every problem at once, by field, in `lang`;
/// nothing is written while one remains.
pub async fn save_settings(
    store: &dyn Store,
    sbox: &SecretBox,
    agency: Ulid,
    input: PlatformInput,
    lang: Lang,
) -> Result<(), SettingsError> {
    let zh = lang == Lang::Zh;
    let old = settings(store, agency).await?;
    let mut problems = Vec::new();
    let mut bad = |field: &str, en: &str, zh_text: &str| {
        problems.push(FieldError {
            field: field.into(),
            message: if zh { zh_text.into() } else { en.into() },
        })
    };
    let appid = input.component_appid.trim().to_string();
    if !is_appid(&appid) {
        bad("component_appid", "The component AppID is `wx` followed by 16 letters or digits, as shown in the WeChat Open Platform.", "第三方平台 AppID 为 wx 加 16 位字母或数字,见微信开放平台。");
    }
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (secret, token, aes_key) = (
        given(&input.secret),
        given(&input.token),
        given(&input.aes_key),
    );
    if secret.is_none() && old.is_none() {
        bad(
            "secret",
            "Enter the platform's AppSecret.",
            "请填写第三方平台的 AppSecret。",
        );
    }
    match &token {
        Some(t) if t.len() < 3 || t.len() > 32 || !t.chars().all(|c| c.is_ascii_alphanumeric()) => bad("token", "The message token is 3 to 32 letters or digits, as entered in the WeChat Open Platform.", "消息校验 Token 为 3 至 32 位字母或数字,与开放平台填写的一致。"),
        None if old.is_none() => bad("token", "Enter the message token.", "请填写消息校验 Token。"),
        _ => {}
    }
    match &aes_key {
        Some(k) if super::crypto::MsgCrypt::new("t", k, "x").is_err() => bad(
            "aes_key",
            "The EncodingAESKey is exactly 43 letters and digits.",
            "消息加解密 Key 为 43 位字母和数字。",
        ),
        None if old.is_none() => bad(
            "aes_key",
            "Enter the EncodingAESKey.",
            "请填写消息加解密 Key。",
        ),
        _ => {}
    }
    let mut templates = BTreeMap::new();
    for (theme, id) in &input.templates {
        if !["shop", "booking", "info"].contains(&theme.as_str()) {
            bad(
                &format!("template.{theme}"),
                "There are templates for shop, booking and info only.",
                "只有 shop、booking、info 三种模板。",
            );
            continue;
        }
        let id = id.trim();
        if id.is_empty() {
            continue;
        }
        match id.parse::<i64>() {
            Ok(n) if n >= 0 => {
                templates.insert(theme.clone(), n);
            }
            _ => bad(
                &format!("template.{theme}"),
                "A template id is a number from the platform's template library.",
                "模板 ID 是模板库中的数字。",
            ),
        }
    }
    let email = input.contact_email.trim().to_string();
    if !email.is_empty()
        && (!email.contains('@') || email.contains(char::is_whitespace) || email.len() > 100)
    {
        bad(
            "contact_email",
            "This is not an email address.",
            "邮箱地址格式不正确。",
        );
    }
    if email.is_empty() && input.contact_phone.trim().is_empty() {
        bad(
            "contact_email",
            "The privacy guideline needs a contact: enter an email address or a phone number.",
            "用户隐私保护指引需要联系方式:请填写邮箱或电话。",
        );
    }
    // One platform belongs to one agency.
    if let Some(owner) = store.doc(BY_COMPONENT, &appid).await? {
        if owner.agency_id != agency {
            bad(
                "component_appid",
                "Another agency already uses this platform.",
                "该第三方平台已被其他服务商使用。",
            );
        }
    }
    if !problems.is_empty() {
        return Err(SettingsError::Invalid(problems));
    }
    let old = old.unwrap_or_default();
    let stored = PlatformSettings {
        component_appid: appid.clone(),
        secret: secret.map(|s| sbox.seal(&s)).unwrap_or(old.secret),
        token: token.map(|s| sbox.seal(&s)).unwrap_or(old.token),
        aes_key: aes_key.map(|s| sbox.seal(&s)).unwrap_or(old.aes_key),
        templates,
        contact_email: email,
        contact_phone: input.contact_phone.trim().to_string(),
        auto_release: input.auto_release,
    };
    let body = serde_json::to_value(&stored).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(BY_COMPONENT, &appid, agency, serde_json::json!({})),
            Expect::Any,
        )
        .await?;
    if !old.component_appid.is_empty() && old.component_appid != appid {
        store.delete_doc(BY_COMPONENT, &old.component_appid).await?;
    }
    store
        .put_doc(
            &Doc::new(SETTINGS, agency.to_string(), agency, body),
            Expect::Any,
        )
        .await?;
    Ok(())
}

/// The agency's platform with its secrets opened; `None` when not set up.
pub async fn open(
    store: &dyn Store,
    sbox: &SecretBox,
    agency: Ulid,
) -> Result<Option<Platform>, super::errors::WxError> {
    let setup = |e: &dyn std::fmt::Display| super::errors::WxError::Setup(e.to_string());
    let Some(s) = settings(store, agency).await.map_err(|e| setup(&e))? else {
        return Ok(None);
    };
    let open = |v: &str| sbox.open(v).map_err(|e| setup(&e));
    Ok(Some(Platform {
        agency_id: agency,
        secret: open(&s.secret)?,
        token: open(&s.token)?,
        aes_key: open(&s.aes_key)?,
        appid: s.component_appid,
        templates: s.templates,
        contact_email: s.contact_email,
        contact_phone: s.contact_phone,
        auto_release: s.auto_release,
    }))
}

/// The platform a push to `/wechat/{component_appid}/…` is for.
pub async fn by_component(
    store: &dyn Store,
    sbox: &SecretBox,
    component_appid: &str,
) -> Result<Option<Platform>, super::errors::WxError> {
    let owner = store
        .doc(BY_COMPONENT, component_appid)
        .await
        .map_err(|e| super::errors::WxError::Setup(e.to_string()))?;
    match owner {
        Some(d) => open(store, sbox, d.agency_id).await,
        None => Ok(None),
    }
}

/// A mini program connected to a site.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Connection {
    pub appid: String,
    /// The original id (`gh_…`).
    pub user_name: String,
    pub nick_name: String,
    pub head_img: String,
    pub principal_name: String,
    pub permission_sets: Vec<i64>,
    pub connected: bool,
    /// Unix seconds.
    pub connected_at: i64,
    #[serde(default)]
    pub disconnected_at: Option<i64>,
}

impl Connection {
    /// What is missing for publishing and QR codes, in `lang`.
    pub fn warnings(&self, lang: Lang) -> Vec<String> {
        let zh = lang == Lang::Zh;
        let mut out = Vec::new();
        if !self.connected {
            out.push(
                if zh {
                    "商家已取消授权:请重新连接小程序。"
                } else {
                    "The merchant cancelled the authorization: connect the mini program again."
                }
                .to_string(),
            );
        }
        if !self.permission_sets.contains(&CODE_MANAGEMENT) {
            out.push(if zh { "未授权“小程序开发与数据分析”(权限集 18):无法上传和提交代码。请重新连接并勾选该权限。" } else { "Code management (permission set 18) was not granted: mpforge cannot commit or submit. Connect again and tick it." }.to_string());
        }
        if !self.permission_sets.contains(&QR_CODES) {
            out.push(if zh { "未授权小程序码权限(权限集 17):无法生成官方小程序码。" } else { "QR codes (permission set 17) were not granted: mpforge cannot make the official mini program code." }.to_string());
        }
        out
    }
}

pub async fn connection(store: &dyn Store, site: Ulid) -> Result<Option<Connection>, StoreError> {
    store
        .doc(CONNECTION, &site.to_string())
        .await?
        .map(|d| d.read())
        .transpose()
}

/// The site `appid` is connected to.
pub async fn site_of_app(store: &dyn Store, appid: &str) -> Result<Option<Ulid>, StoreError> {
    Ok(store
        .doc(BY_APP, appid)
        .await?
        .and_then(|d| d.body["site"].as_str().and_then(|s| s.parse().ok())))
}

pub async fn put_connection(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    conn: &Connection,
) -> Result<(), StoreError> {
    // A mini program serves one site: connecting it elsewhere moves it.
    if let Some(previous) = site_of_app(store, &conn.appid).await? {
        if previous != site {
            store.delete_doc(CONNECTION, &previous.to_string()).await?;
            crate::dashboard::touch(store, previous).await;
        }
    }
    if let Some(old) = connection(store, site).await? {
        if old.appid != conn.appid {
            store.delete_doc(BY_APP, &old.appid).await?;
        }
    }
    store
        .put_doc(
            &Doc::new(
                BY_APP,
                &conn.appid,
                agency,
                serde_json::json!({"site": site.to_string()}),
            ),
            Expect::Any,
        )
        .await?;
    store
        .put_doc(
            &Doc::new(
                CONNECTION,
                site.to_string(),
                agency,
                serde_json::to_value(conn).map_err(StoreError::Encode)?,
            ),
            Expect::Any,
        )
        .await?;
    crate::dashboard::touch(store, site).await;
    Ok(())
}
