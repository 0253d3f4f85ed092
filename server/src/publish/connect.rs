//! Connecting a merchant's mini program to a site: a pre-auth code, WeChat's authorization
//! page, then the auth code, which arrives twice (the redirect back and the `authorized`
//! push, in either order): whichever comes first exchanges it, the other finds it done.
use super::PublishError;
use crate::state::AppState;
use crate::storage::{now_unix, Doc, Expect, Store, StoreError};
use crate::wechat::platform::{self, Connection, Platform, PREAUTH};
use crate::wechat::tokens;
use ulid::Ulid;

/// Claims of auth codes: the one that exchanges a code writes it here first.
const AUTH_CODE: &str = "wx-authcode";

/// The connected mini program of `site`, or why there is none.
pub async fn connected(store: &dyn Store, site: Ulid) -> Result<Connection, PublishError> {
    match platform::connection(store, site).await? {
        Some(c) if c.connected => Ok(c),
        Some(_) => Err(PublishError::refused(
            "The merchant cancelled the mini program's authorization: connect it again.",
            "商家已取消小程序授权,请重新连接。",
        )),
        None => Err(PublishError::refused(
            "No mini program is connected to this site yet: press “Connect WeChat mini program”.",
            "该网站还没有连接小程序,请点击“连接微信小程序”。",
        )),
    }
}

/// Where the merchant's administrator authorizes the platform; WeChat sends them back to
/// `{public_url}/sites/{site}/wechat/callback`.
pub async fn start(state: &AppState, p: &Platform, site: Ulid) -> Result<String, PublishError> {
    let store = &*state.store;
    let code = tokens::with_component(store, &state.wx, p, |t| async move {
        state.wx.client.pre_auth_code(&t, &p.appid).await
    })
    .await?;
    store
        .put_doc(
            &Doc::new(
                PREAUTH,
                &code,
                p.agency_id,
                serde_json::json!({"site": site.to_string(), "at": now_unix()}),
            ),
            Expect::Any,
        )
        .await?;
    let back = format!("{}/sites/{site}/wechat/callback", state.wx.public_url);
    Ok(state.wx.client.authorize_url(&p.appid, &code, &back))
}

/// The site a pre-auth code was made for.
pub async fn site_of_preauth(store: &dyn Store, code: &str) -> Result<Option<Ulid>, StoreError> {
    Ok(store
        .doc(PREAUTH, code)
        .await?
        .and_then(|d| d.body["site"].as_str().and_then(|s| s.parse().ok())))
}

/// Exchanges `auth_code` and records the mini program as the site's; once per code.
pub async fn complete(
    state: &AppState,
    p: &Platform,
    site: Ulid,
    auth_code: &str,
) -> Result<Connection, PublishError> {
    let store = &*state.store;
    let claim = Doc::new(
        AUTH_CODE,
        auth_code,
        p.agency_id,
        serde_json::json!({"site": site.to_string()}),
    );
    match store.put_doc(&claim, Expect::Absent).await {
        Ok(_) => {}
        Err(StoreError::Stale) => {
            // The other path has it (or had it): wait for its result briefly.
            for _ in 0..50 {
                if let Some(c) = platform::connection(store, site).await? {
                    if c.connected {
                        return Ok(c);
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            return connected(store, site).await;
        }
        Err(e) => return Err(e.into()),
    }
    let result = exchange(state, p, site, auth_code).await;
    if result.is_err() {
        // Let the other path try the code.
        let _ = store.delete_doc(AUTH_CODE, auth_code).await;
    }
    result
}

async fn exchange(
    state: &AppState,
    p: &Platform,
    site: Ulid,
    code: &str,
) -> Result<Connection, PublishError> {
    let store = &*state.store;
    let auth = tokens::with_component(store, &state.wx, p, |t| async move {
        state.wx.client.query_auth(&t, &p.appid, code).await
    })
    .await?;
    tokens::put_authorizer(
        store,
        &state.wx,
        p,
        &auth.authorizer_appid,
        &auth.authorizer_access_token,
        auth.expires_in,
        &auth.authorizer_refresh_token,
    )
    .await?;
    refresh_info(state, p, site, &auth.authorizer_appid).await
}

/// Reads the mini program's name, avatar, principal and permission sets again.
pub async fn refresh_info(
    state: &AppState,
    p: &Platform,
    site: Ulid,
    appid: &str,
) -> Result<Connection, PublishError> {
    let store = &*state.store;
    let info = tokens::with_component(store, &state.wx, p, |t| async move {
        state.wx.client.authorizer_info(&t, &p.appid, appid).await
    })
    .await?;
    let conn = Connection {
        appid: appid.into(),
        user_name: info.authorizer_info.user_name,
        nick_name: info.authorizer_info.nick_name,
        head_img: info.authorizer_info.head_img,
        principal_name: info.authorizer_info.principal_name,
        permission_sets: info.authorization_info.permission_sets(),
        connected: true,
        connected_at: now_unix(),
        disconnected_at: None,
    };
    platform::put_connection(store, p.agency_id, site, &conn).await?;
    Ok(conn)
}

/// `unauthorized`: the merchant took the authorization back; the site shows it disconnected.
pub async fn disconnected(
    state: &AppState,
    p: &Platform,
    appid: &str,
) -> Result<bool, PublishError> {
    let store = &*state.store;
    tokens::forget_authorizer(store, p, appid).await?;
    let Some(site) = platform::site_of_app(store, appid).await? else {
        return Ok(false);
    };
    if let Some(mut conn) = platform::connection(store, site).await? {
        conn.connected = false;
        conn.disconnected_at = Some(now_unix());
        platform::put_connection(store, p.agency_id, site, &conn).await?;
    }
    Ok(true)
}

/// Verification files of link rules, by name: served at `/s/{name}` (the directory of every
/// site's link), where WeChat looks for them.
pub const JUMP_FILE: &str = "wx-jumpfile";

/// Lets the site's link QR code (`{public_url}/s/{site}`) open the mini program when scanned in
/// WeChat: the verification file kept, the rule added and published (`qrcodejump*`). WeChat
/// publishes rules of released mini programs only (85074).
pub async fn register_link(
    state: &AppState,
    p: &Platform,
    site: Ulid,
    appid: &str,
) -> Result<(), PublishError> {
    let store = &*state.store;
    let wx = &state.wx;
    let (name, content) = tokens::with_authorizer(store, wx, p, appid, |t| async move {
        wx.client.qrcode_jump_file(&t).await
    })
    .await?;
    store
        .put_doc(
            &Doc::new(
                JUMP_FILE,
                &name,
                p.agency_id,
                serde_json::json!({"content": content}),
            ),
            Expect::Any,
        )
        .await?;
    let prefix = format!("{}/s/{site}", wx.public_url);
    tokens::with_authorizer(store, wx, p, appid, |t| {
        let prefix = prefix.clone();
        async move { wx.client.qrcode_jump(&t, &prefix, "pages/p1/index").await }
    })
    .await?;
    Ok(())
}
