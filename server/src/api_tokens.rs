//! Tokens of the scripting API (`/api/v1`): made by an agency admin (settings page or
//! `mpforge create-token`), shown once, stored only as a SHA-256, named, revocable, with the
//! time they were last used. A token is `mpf_{agency}_{id}_{secret}`: the agency and id say
//! where its record is, the secret proves it; a token only ever acts for its own agency.
use crate::storage::{now_rfc3339, now_unix, Doc, Expect, Store, StoreError};
use app::error::AppError;
use app::i18n::Lang;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use ulid::Ulid;

/// Documents: `{agency}/{id}` → [`ApiToken`].
pub const TOKEN: &str = "api-token";
/// How often `last_used_at` is written at most (a busy script is not a write per request).
const TOUCH_EVERY_SECS: i64 = 60;
pub const NAME_MAX: usize = 60;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ApiToken {
    pub id: Ulid,
    pub agency_id: Ulid,
    pub name: String,
    /// SHA-256 of the whole token, hex.
    pub hash: String,
    /// The admin who made it (its requests act with this user's name in the audit log).
    pub created_by: Ulid,
    pub created_by_login: String,
    pub created_at: String,
    #[serde(default)]
    pub last_used_at: Option<String>,
    #[serde(default)]
    pub last_used_unix: i64,
    #[serde(default)]
    pub revoked_at: Option<String>,
}

fn key(agency: Ulid, id: Ulid) -> String {
    format!("{agency}/{id}")
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A trimmed, non-empty name of at most [`NAME_MAX`] characters.
pub fn check_name(name: &str, lang: Lang) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            match lang {
                Lang::Zh => "请为令牌起个名字,例如“收银系统同步”。",
                Lang::En => "Give the token a name, such as “till sync”.",
            },
        ));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid(
            "name",
            match lang {
                Lang::Zh => format!("名称最多 {NAME_MAX} 个字符。"),
                Lang::En => format!("The name is at most {NAME_MAX} characters."),
            },
        ));
    }
    Ok(name.to_string())
}

/// Makes a token for `agency`; returns its record and the token itself (shown once).
pub async fn create(
    store: &dyn Store,
    agency: Ulid,
    name: &str,
    by: (Ulid, &str),
    lang: Lang,
) -> Result<(ApiToken, String), crate::error::Error> {
    let name = check_name(name, lang)?;
    let id = crate::storage::tree::new_id();
    let token = format!("mpf_{agency}_{id}_{}", crate::auth::random_token());
    let record = ApiToken {
        id,
        agency_id: agency,
        name,
        hash: hash(&token),
        created_by: by.0,
        created_by_login: by.1.to_string(),
        created_at: now_rfc3339(),
        last_used_at: None,
        last_used_unix: 0,
        revoked_at: None,
    };
    let body = serde_json::to_value(&record).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(TOKEN, key(agency, id), agency, body),
            Expect::Absent,
        )
        .await?;
    store.flush().await?;
    Ok((record, token))
}

/// The agency's tokens, revoked ones included, newest first.
pub async fn list(store: &dyn Store, agency: Ulid) -> Result<Vec<ApiToken>, StoreError> {
    let docs = store.docs(TOKEN, &format!("{agency}/"), 10_000).await?;
    let mut out: Vec<ApiToken> = docs.iter().map(|d| d.read()).collect::<Result<_, _>>()?;
    out.reverse();
    Ok(out)
}

/// Revokes one of the agency's tokens; `NotFound` for another agency's.
pub async fn revoke(
    store: &dyn Store,
    agency: Ulid,
    id: &str,
) -> Result<ApiToken, crate::error::Error> {
    let id: Ulid = id.parse().map_err(|_| AppError::NotFound)?;
    loop {
        let doc = store
            .doc(TOKEN, &key(agency, id))
            .await?
            .ok_or(AppError::NotFound)?;
        let mut t: ApiToken = doc.read()?;
        if t.agency_id != agency {
            return Err(AppError::NotFound.into());
        }
        if t.revoked_at.is_some() {
            return Ok(t);
        }
        t.revoked_at = Some(now_rfc3339());
        let body = serde_json::to_value(&t).map_err(StoreError::Encode)?;
        match store
            .put_doc(
                &Doc::new(TOKEN, doc.key.clone(), agency, body),
                Expect::Rev(doc.rev),
            )
            .await
        {
            Ok(_) => {
                store.flush().await?;
                return Ok(t);
            }
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The live token `token` is, if any (and notes that it was used). Unknown, malformed and
/// revoked tokens are all just `None`.
pub async fn authenticate(store: &dyn Store, token: &str) -> Result<Option<ApiToken>, StoreError> {
    let Some(rest) = token.strip_prefix("mpf_") else {
        return Ok(None);
    };
    let mut parts = rest.splitn(3, '_');
    let (Some(agency), Some(id), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (Ok(agency), Ok(id)) = (agency.parse::<Ulid>(), id.parse::<Ulid>()) else {
        return Ok(None);
    };
    let Some(doc) = store.doc(TOKEN, &key(agency, id)).await? else {
        return Ok(None);
    };
    let mut t: ApiToken = doc.read()?;
    let given = hash(token);
    if !bool::from(given.as_bytes().ct_eq(t.hash.as_bytes())) || t.revoked_at.is_some() {
        return Ok(None);
    }
    let now = now_unix();
    if now - t.last_used_unix >= TOUCH_EVERY_SECS {
        t.last_used_unix = now;
        t.last_used_at = Some(now_rfc3339());
        let body = serde_json::to_value(&t).map_err(StoreError::Encode)?;
        // Another request touching it at the same moment is as good.
        match store
            .put_doc(
                &Doc::new(TOKEN, doc.key.clone(), agency, body),
                Expect::Rev(doc.rev),
            )
            .await
        {
            Ok(_) | Err(StoreError::Stale) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(t))
}
