//! Customers signed in from a mini program: `wx.login`'s code exchanged through the agency's
//! platform for the customer's openid, and a token the mini program sends back
//! (`Authorization: Bearer …`) to see its own orders and bookings. The token is signed, not
//! stored: `{site}.{openid}.{expires}.{mac}`, HMAC-SHA256 with a secret every node shares
//! through the store, so any node checks it without a read.
use super::live::LiveSite;
use super::{say, MpError, Refused};
use crate::storage::{now_unix, Store, StoreError};
use crate::wechat::tokens::Wx;
use crate::wechat::{platform, tokens};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use ulid::Ulid;

/// How long a customer stays signed in: 30 days.
pub const LIFETIME_SECS: i64 = 30 * 24 * 3600;

/// The key customer tokens are signed with.
#[derive(Clone)]
pub struct CustomerKey([u8; 32]);

impl CustomerKey {
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        Ok(CustomerKey(store.secret("mp-customer").await?))
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(b"mp-customer\0");
        mac.update(payload.as_bytes());
        mac
    }

    /// A token for `openid` on `site`, valid until `expires` (unix seconds).
    pub fn issue(&self, site: Ulid, openid: &str, expires: i64) -> String {
        let payload = format!("{site}.{openid}.{expires}");
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(self.mac(&payload).finalize().into_bytes());
        format!("{payload}.{sig}")
    }

    /// The openid `token` names on `site`, if it is genuine and not expired.
    pub fn check(&self, site: Ulid, token: &str, now: i64) -> Option<String> {
        let (payload, sig) = token.rsplit_once('.')?;
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sig)
            .ok()?;
        self.mac(payload).verify_slice(&sig).ok()?;
        let mut parts = payload.splitn(3, '.');
        let (for_site, openid, expires) = (parts.next()?, parts.next()?, parts.next()?);
        let expires: i64 = expires.parse().ok()?;
        (for_site == site.to_string() && expires > now && !openid.is_empty())
            .then(|| openid.to_string())
    }
}

/// An openid as WeChat makes them: letters, digits, `-` and `_`.
fn plain(openid: &str) -> bool {
    !openid.is_empty()
        && openid.len() <= 64
        && openid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Signs a customer in with `wx.login`'s `code`: their token and when it expires.
pub async fn sign_in(
    store: &dyn Store,
    wx: &Wx,
    key: &CustomerKey,
    live: &LiveSite,
    code: &str,
) -> Result<(String, i64), MpError> {
    let lang = live.site.locale;
    if code.is_empty() || code.len() > 128 {
        return Err(Refused::field(
            "code",
            say(
                lang,
                "Signing in failed: please try again.",
                "登录失败,请重试。",
            ),
        )
        .into());
    }
    let not_connected = || {
        MpError::from(Refused::new(
            409,
            "not_connected",
            say(
                lang,
                "This shop's mini program is not connected yet, so signing in is not possible.",
                "本店小程序尚未接入,暂时无法登录。",
            ),
        ))
    };
    let p = platform::open(store, &wx.sbox, live.agency)
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the agency's platform cannot be opened");
            None
        })
        .ok_or_else(not_connected)?;
    let conn = platform::connection(store, live.id)
        .await?
        .filter(|c| c.connected)
        .ok_or_else(not_connected)?;
    let openid = tokens::with_component(store, wx, &p, |ct| {
        let (p, conn) = (&p, &conn);
        async move {
            wx.client
                .code_to_openid(&ct, &p.appid, &conn.appid, code)
                .await
        }
    })
    .await
    .map_err(|e| match e.code() {
        Some(40029) | Some(40163) => MpError::from(Refused::field(
            "code",
            say(
                lang,
                "Signing in expired: please try again.",
                "登录已过期,请重试。",
            ),
        )),
        _ => {
            tracing::warn!(error = %e, "a customer could not sign in");
            MpError::from(Refused::new(
                502,
                "wechat_unavailable",
                say(
                    lang,
                    "WeChat did not answer: please try again in a moment.",
                    "微信暂未响应,请稍后重试。",
                ),
            ))
        }
    })?;
    if !plain(&openid) {
        tracing::error!("WeChat sent an openid of unexpected characters");
        return Err(Refused::new(
            502,
            "wechat_unavailable",
            say(
                lang,
                "Signing in failed: please try again.",
                "登录失败,请重试。",
            ),
        )
        .into());
    }
    let expires = now_unix() + LIFETIME_SECS;
    Ok((key.issue(live.id, &openid, expires), expires))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_good_for_its_site_until_it_expires_and_not_when_changed() {
        let key = CustomerKey([7; 32]);
        let other = CustomerKey([8; 32]);
        let (site, elsewhere) = (Ulid::new(), Ulid::new());
        let t = key.issue(site, "oAbC-123_x", 1_000);
        assert_eq!(key.check(site, &t, 999).as_deref(), Some("oAbC-123_x"));
        assert_eq!(key.check(site, &t, 1_000), None, "expired");
        assert_eq!(key.check(elsewhere, &t, 999), None, "another site");
        assert_eq!(other.check(site, &t, 999), None, "another key");
        let forged = t.replace("oAbC-123_x", "oSomeoneElse");
        assert_eq!(key.check(site, &forged, 999), None, "changed");
        assert_eq!(key.check(site, "nonsense", 999), None);
    }
}
