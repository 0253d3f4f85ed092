//! The platform's tokens, kept in the store (sealed) with their expiry, so every node and every
//! restart shares them. One writer refreshes a token at a time, across nodes: a lock document
//! taken by compare-and-swap, then a second look (another node may have refreshed meanwhile),
//! then the fetch. WeChat invalidates the previous token when a new one is issued, so two
//! nodes refreshing at once would each break the other's.
//!
//! | kind | key | body |
//! |---|---|---|
//! | `wx-token` | `c:{component}` / `a:{component}:{authorizer}` | token, expiry, refresh token |
//! | `wx-lock` | the same | holder and lease end |
use super::client::Client;
use super::errors::WxError;
use super::platform::{Platform, TICKET};
use crate::sealed::SecretBox;
use crate::storage::{now_ms, Doc, Expect, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::time::Duration;

pub const TOKEN: &str = "wx-token";
pub const LOCK: &str = "wx-lock";
/// How long a refresher holds the lock at most (a refresh is one HTTP call with a 20 s timeout).
const LOCK_LEASE_MS: i64 = 30_000;
/// How long a caller waits for another node's refresh before giving up.
const WAIT_MS: i64 = 40_000;

/// Everything a token call needs.
#[derive(Clone, Debug)]
pub struct Wx {
    pub client: Client,
    pub sbox: SecretBox,
    /// `scheme://host[:port]` mpforge is reached at (links, QR codes, images in ext.json).
    pub public_url: String,
}

impl Wx {
    /// WeChat's real hosts, a key that lives as long as the process, the default address
    /// (tests, seeding; `main` builds the configured one).
    pub fn offline() -> Wx {
        Wx {
            client: Client::new(
                super::client::DEFAULT_API_BASE,
                super::client::DEFAULT_OPEN_BASE,
            ),
            sbox: SecretBox::ephemeral(),
            public_url: "http://127.0.0.1:3000".into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Stored {
    token: String,
    issued_ms: i64,
    expires_ms: i64,
    #[serde(default)]
    refresh: Option<String>,
}

/// A token as fetched, in the clear.
pub struct Fresh {
    pub token: String,
    pub expires_in: i64,
    pub refresh: Option<String>,
}

fn store_err(e: StoreError) -> WxError {
    WxError::Setup(format!("storage: {e}"))
}

/// Still good for a while: refreshed ahead of expiry, by a quarter of its life or 10 minutes.
fn is_fresh(s: &Stored, now: i64) -> bool {
    let margin = ((s.expires_ms - s.issued_ms) / 4).min(600_000);
    now < s.expires_ms - margin
}

/// The token under `key`, fetched by `fetch` (given the stored refresh token) when missing,
/// near expiry, or equal to `stale` (a token WeChat just refused).
async fn get_or_refresh<F, Fut>(
    store: &dyn Store,
    wx: &Wx,
    p: &Platform,
    key: &str,
    stale: Option<&str>,
    fetch: F,
) -> Result<String, WxError>
where
    F: FnOnce(Option<String>) -> Fut,
    Fut: Future<Output = Result<Fresh, WxError>>,
{
    let read = || async {
        let doc = store.doc(TOKEN, key).await.map_err(store_err)?;
        let Some(doc) = doc else {
            return Ok::<_, WxError>(None);
        };
        let s: Stored = doc.read().map_err(store_err)?;
        let token = wx
            .sbox
            .open(&s.token)
            .map_err(|e| WxError::Setup(e.to_string()))?;
        let refresh = match &s.refresh {
            Some(r) => Some(wx.sbox.open(r).map_err(|e| WxError::Setup(e.to_string()))?),
            None => None,
        };
        Ok(Some((s, token, refresh)))
    };
    let usable = |cur: &Option<(Stored, String, Option<String>)>| match cur {
        Some((s, token, _)) if is_fresh(s, now_ms()) && Some(token.as_str()) != stale => {
            Some(token.clone())
        }
        _ => None,
    };
    let started = now_ms();
    let holder = crate::storage::tree::new_id().to_string();
    loop {
        let cur = read().await?;
        if let Some(t) = usable(&cur) {
            return Ok(t);
        }
        let lock = store.doc(LOCK, key).await.map_err(store_err)?;
        let held = lock
            .as_ref()
            .is_some_and(|l| l.body["until"].as_i64().unwrap_or(0) > now_ms());
        if held {
            if now_ms() - started > WAIT_MS {
                return Err(WxError::Setup(
                    "another node is still renewing the WeChat token".into(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let expect = lock.map(|l| Expect::Rev(l.rev)).unwrap_or(Expect::Absent);
        let mine = Doc::new(
            LOCK,
            key,
            p.agency_id,
            serde_json::json!({"holder": holder, "until": now_ms() + LOCK_LEASE_MS}),
        );
        let rev = match store.put_doc(&mine, expect).await {
            Ok(rev) => rev,
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(store_err(e)),
        };
        // Double check: someone may have refreshed between our read and our lock.
        let cur = read().await?;
        let result = match usable(&cur) {
            Some(t) => Ok(t),
            None => {
                let refresh = cur.and_then(|(_, _, r)| r);
                match fetch(refresh).await {
                    Ok(f) => {
                        let now = now_ms();
                        let stored = Stored {
                            token: wx.sbox.seal(&f.token),
                            issued_ms: now,
                            expires_ms: now + f.expires_in.max(1) * 1000,
                            refresh: f.refresh.as_deref().map(|r| wx.sbox.seal(r)),
                        };
                        let body = serde_json::to_value(&stored).expect("serialises");
                        store
                            .put_doc(&Doc::new(TOKEN, key, p.agency_id, body), Expect::Any)
                            .await
                            .map_err(store_err)?;
                        Ok(f.token)
                    }
                    Err(e) => Err(e),
                }
            }
        };
        let mut release = mine.clone();
        release.body["until"] = 0.into();
        let _ = store.put_doc(&release, Expect::Rev(rev)).await;
        return result;
    }
}

fn component_key(p: &Platform) -> String {
    format!("c:{}", p.appid)
}

fn authorizer_key(p: &Platform, appid: &str) -> String {
    format!("a:{}:{appid}", p.appid)
}

/// Keeps the latest `component_verify_ticket` (valid 12 h; pushed every 10 minutes).
pub async fn put_ticket(
    store: &dyn Store,
    wx: &Wx,
    p: &Platform,
    ticket: &str,
) -> Result<(), StoreError> {
    store
        .put_doc(
            &Doc::new(
                TICKET,
                &p.appid,
                p.agency_id,
                serde_json::json!({"ticket": wx.sbox.seal(ticket), "at": crate::storage::now_unix()}),
            ),
            Expect::Any,
        )
        .await
        .map(|_| ())
}

pub async fn component_token(
    store: &dyn Store,
    wx: &Wx,
    p: &Platform,
    stale: Option<&str>,
) -> Result<String, WxError> {
    get_or_refresh(store, wx, p, &component_key(p), stale, |_| async {
        let ticket = store
            .doc(TICKET, &p.appid)
            .await
            .map_err(store_err)?
            .and_then(|d| d.body["ticket"].as_str().map(str::to_string))
            .ok_or_else(|| {
                WxError::Setup("WeChat has not sent the platform's verify ticket yet: check that the authorization events address in the WeChat Open Platform is this server's /wechat/{component_appid}/events (tickets arrive every 10 minutes)".into())
            })?;
        let ticket = wx.sbox.open(&ticket).map_err(|e| WxError::Setup(e.to_string()))?;
        let t = wx.client.component_token(&p.appid, &p.secret, &ticket).await?;
        Ok(Fresh {
            token: t.component_access_token,
            expires_in: t.expires_in,
            refresh: None,
        })
    })
    .await
}

/// Runs `call` with the component token; a token WeChat calls stale is renewed once and
/// the call made again.
pub async fn with_component<T, F, Fut>(
    store: &dyn Store,
    wx: &Wx,
    p: &Platform,
    call: F,
) -> Result<T, WxError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, WxError>>,
{
    let token = component_token(store, wx, p, None).await?;
    match call(token.clone()).await {
        Err(e) if e.is_token_error() => {
            let token = component_token(store, wx, p, Some(&token)).await?;
            call(token).await
        }
        other => other,
    }
}

/// Stores the authorizer's tokens from `api_query_auth`.
pub async fn put_authorizer(
    store: &dyn Store,
    wx: &Wx,
    p: &Platform,
    appid: &str,
    token: &str,
    expires_in: i64,
    refresh: &str,
) -> Result<(), StoreError> {
    let now = now_ms();
    let stored = Stored {
        token: wx.sbox.seal(token),
        issued_ms: now,
        expires_ms: now + expires_in.max(1) * 1000,
        refresh: Some(wx.sbox.seal(refresh)),
    };
    store
        .put_doc(
            &Doc::new(
                TOKEN,
                authorizer_key(p, appid),
                p.agency_id,
                serde_json::to_value(&stored).expect("serialises"),
            ),
            Expect::Any,
        )
        .await
        .map(|_| ())
}

/// Forgets the authorizer's tokens (it was unauthorized).
pub async fn forget_authorizer(
    store: &dyn Store,
    p: &Platform,
    appid: &str,
) -> Result<(), StoreError> {
    store.delete_doc(TOKEN, &authorizer_key(p, appid)).await
}

pub async fn authorizer_token(
    store: &dyn Store,
    wx: &Wx,
    p: &Platform,
    appid: &str,
    stale: Option<&str>,
) -> Result<String, WxError> {
    get_or_refresh(
        store,
        wx,
        p,
        &authorizer_key(p, appid),
        stale,
        |refresh| async move {
            let refresh = refresh.ok_or_else(|| {
                WxError::Setup("the mini program is not connected: connect it again".into())
            })?;
            let t = with_component(store, wx, p, |ct| {
                let refresh = refresh.clone();
                async move {
                    wx.client
                        .authorizer_token(&ct, &p.appid, appid, &refresh)
                        .await
                }
            })
            .await?;
            // WeChat may rotate the refresh token: keep whichever it sent.
            let rotated = if t.authorizer_refresh_token.is_empty() {
                refresh
            } else {
                t.authorizer_refresh_token
            };
            Ok(Fresh {
                token: t.authorizer_access_token,
                expires_in: t.expires_in,
                refresh: Some(rotated),
            })
        },
    )
    .await
}

/// Runs `call` with the authorizer token of `appid`, renewing a stale token once.
pub async fn with_authorizer<T, F, Fut>(
    store: &dyn Store,
    wx: &Wx,
    p: &Platform,
    appid: &str,
    call: F,
) -> Result<T, WxError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, WxError>>,
{
    let token = authorizer_token(store, wx, p, appid, None).await?;
    match call(token.clone()).await {
        Err(e) if e.is_token_error() => {
            let token = authorizer_token(store, wx, p, appid, Some(&token)).await?;
            call(token).await
        }
        other => other,
    }
}
