//! Versions of a site: every commit, export and release, with the exact site it carried, who,
//! when, and WeChat's answer. Numbered per site from 1 by a counter document written by
//! compare-and-swap, so two nodes never hand out one number twice.
use crate::storage::{now_rfc3339, Doc, Expect, Store, StoreError};
use app::model::publish::{VersionKind, VersionView};
use app::model::site::Site;
use serde::{Deserialize, Serialize};
use ulid::Ulid;

pub const VERSION: &str = "version";
const SEQ: &str = "version-seq";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Version {
    pub n: u64,
    pub kind: VersionKind,
    /// The site as it was (commits, exports and the draft kept before a restore).
    pub site: Option<Site>,
    pub of: Option<u64>,
    pub by: String,
    pub at: String,
    pub ok: bool,
    pub errcode: Option<i64>,
    pub error: Option<String>,
    pub user_version: Option<String>,
}

impl Version {
    pub fn new(kind: VersionKind, site: Option<Site>, of: Option<u64>, by: &str) -> Version {
        Version {
            n: 0,
            kind,
            site,
            of,
            by: by.into(),
            at: now_rfc3339(),
            ok: true,
            errcode: None,
            error: None,
            user_version: None,
        }
    }

    pub fn view(&self) -> VersionView {
        VersionView {
            n: self.n,
            kind: self.kind,
            of: self.of,
            by: self.by.clone(),
            at: self.at.clone(),
            ok: self.ok,
            errcode: self.errcode,
            error: self.error.clone(),
            user_version: self.user_version.clone(),
            has_snapshot: self.site.is_some(),
            changes: Vec::new(),
        }
    }
}

fn key(site: Ulid, n: u64) -> String {
    format!("{site}/{n:08}")
}

/// Records `v` as the site's next version; returns its number.
pub async fn record(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    mut v: Version,
) -> Result<u64, StoreError> {
    let n = loop {
        let seq = store.doc(SEQ, &site.to_string()).await?;
        let (next, expect) = match &seq {
            Some(d) => (d.body["n"].as_u64().unwrap_or(0) + 1, Expect::Rev(d.rev)),
            None => (1, Expect::Absent),
        };
        let doc = Doc::new(
            SEQ,
            site.to_string(),
            agency,
            serde_json::json!({"n": next}),
        );
        match store.put_doc(&doc, expect).await {
            Ok(_) => break next,
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e),
        }
    };
    v.n = n;
    let body = serde_json::to_value(&v).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(VERSION, key(site, n), agency, body),
            Expect::Absent,
        )
        .await?;
    Ok(n)
}

/// The number of the site's newest version (0: none yet).
pub async fn newest(store: &dyn Store, site: Ulid) -> Result<u64, StoreError> {
    Ok(store
        .doc(SEQ, &site.to_string())
        .await?
        .and_then(|d| d.body["n"].as_u64())
        .unwrap_or(0))
}

pub async fn get(store: &dyn Store, site: Ulid, n: u64) -> Result<Option<Version>, StoreError> {
    store
        .doc(VERSION, &key(site, n))
        .await?
        .map(|d| d.read())
        .transpose()
}

/// Updates version `n` with WeChat's answer.
pub async fn set_result(
    store: &dyn Store,
    site: Ulid,
    n: u64,
    errcode: Option<i64>,
    error: Option<String>,
) -> Result<(), StoreError> {
    let Some(doc) = store.doc(VERSION, &key(site, n)).await? else {
        return Ok(());
    };
    let mut v: Version = doc.read()?;
    v.ok = error.is_none();
    v.errcode = errcode;
    v.error = error;
    let mut next = doc.clone();
    next.body = serde_json::to_value(&v).map_err(StoreError::Encode)?;
    store.put_doc(&next, Expect::Any).await.map(|_| ())
}

/// The site's versions, newest first.
pub async fn list(store: &dyn Store, site: Ulid) -> Result<Vec<Version>, StoreError> {
    let mut all: Vec<Version> = store
        .docs(VERSION, &format!("{site}/"), 100_000)
        .await?
        .iter()
        .map(|d| d.read())
        .collect::<Result<_, _>>()?;
    all.reverse();
    Ok(all)
}

/// Forgets every version of a purged site.
pub async fn purge(store: &dyn Store, site: Ulid) -> Result<(), StoreError> {
    for d in store.docs(VERSION, &format!("{site}/"), usize::MAX).await? {
        store.delete_doc(VERSION, &d.key).await?;
    }
    store.delete_doc(SEQ, &site.to_string()).await
}
