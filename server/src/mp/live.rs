//! Which version of a site its mini program talks to: the live one (the last released through
//! WeChat, or rolled back to), or before the first release the latest committed or exported one
//! in test mode (its orders and bookings are marked as tests). The site a version carried is
//! decoded once per process and kept ([`LiveCache`]); each request reads only the small
//! documents that say which version that is, so a release on another node is seen at once.
use crate::publish::versions::{self, VERSION};
use crate::storage::{Store, StoreError};
use app::model::publish::VersionKind;
use app::model::site::Site;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use ulid::Ulid;

/// A site as its mini program sees it.
#[derive(Clone, Debug)]
pub struct LiveSite {
    pub id: Ulid,
    pub agency: Ulid,
    pub merchant: Ulid,
    /// The version answering (a commit or export number).
    pub version: u64,
    /// Not released yet: orders and bookings are tests.
    pub test: bool,
    pub site: Arc<Site>,
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// No such site, or deleted.
    #[error("no such site")]
    NotFound,
    /// Never committed, exported or released: there is nothing to answer from.
    #[error("not live")]
    NotLive,
    /// Its merchant is paused by the agency.
    #[error("paused")]
    Paused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sites already decoded, by site and version (a version never changes once recorded).
#[derive(Default)]
pub struct LiveCache {
    sites: Mutex<HashMap<(Ulid, u64), Arc<Site>>>,
    /// Per site: the newest version number seen and the version test mode answers from then,
    /// so the walk back to the last commit is done once per new version.
    test_pick: Mutex<HashMap<Ulid, (u64, Option<u64>)>>,
}

/// Most sites kept decoded; past it the cache starts again (cheap: one decode per site).
const MAX_CACHED: usize = 4096;

impl LiveCache {
    async fn site(
        &self,
        store: &dyn Store,
        id: Ulid,
        n: u64,
    ) -> Result<Option<Arc<Site>>, StoreError> {
        if let Some(s) = self.sites.lock().expect("not poisoned").get(&(id, n)) {
            return Ok(Some(s.clone()));
        }
        let Some(v) = versions::get(store, id, n).await? else {
            return Ok(None);
        };
        let Some(site) = v.site else {
            return Ok(None);
        };
        let site = Arc::new(site);
        let mut sites = self.sites.lock().expect("not poisoned");
        if sites.len() >= MAX_CACHED {
            sites.clear();
        }
        sites.insert((id, n), site.clone());
        Ok(Some(site))
    }

    /// The newest commit or export of `id`, looking back from its newest version `newest`.
    async fn test_version(
        &self,
        store: &dyn Store,
        id: Ulid,
        newest: u64,
    ) -> Result<Option<u64>, StoreError> {
        if let Some((seen, pick)) = self.test_pick.lock().expect("not poisoned").get(&id) {
            if *seen == newest {
                return Ok(*pick);
            }
        }
        let mut pick = None;
        for n in (1..=newest).rev() {
            let Some(doc) = store.doc(VERSION, &format!("{id}/{n:08}")).await? else {
                continue;
            };
            let kind = doc.body["kind"].clone();
            let carries = !doc.body["site"].is_null();
            let kind: Option<VersionKind> = serde_json::from_value(kind).ok();
            if carries && matches!(kind, Some(VersionKind::Commit | VersionKind::Export)) {
                pick = Some(n);
                break;
            }
        }
        let mut picks = self.test_pick.lock().expect("not poisoned");
        if picks.len() >= MAX_CACHED {
            picks.clear();
        }
        picks.insert(id, (newest, pick));
        Ok(pick)
    }
}

/// The site `id` as its mini program sees it now.
pub async fn resolve(
    store: &dyn Store,
    cache: &LiveCache,
    id: Ulid,
) -> Result<LiveSite, LiveError> {
    let record = match store.site(id).await? {
        Some(r) if r.deleted_at.is_none() => r,
        _ => return Err(LiveError::NotFound),
    };
    let merchant = match store.merchant(record.merchant_id).await? {
        Some(m) if m.deleted_at.is_none() => m,
        _ => return Err(LiveError::NotFound),
    };
    if merchant.disabled {
        return Err(LiveError::Paused);
    }
    let (publish, _) = crate::publish::load(store, id).await?;
    let (version, test) = match publish.live {
        Some(live) => (live.version, false),
        None => {
            let newest = versions::newest(store, id).await?;
            match cache.test_version(store, id, newest).await? {
                Some(n) => (n, true),
                None => return Err(LiveError::NotLive),
            }
        }
    };
    let site = cache
        .site(store, id, version)
        .await?
        .ok_or(LiveError::NotLive)?;
    Ok(LiveSite {
        id,
        agency: merchant.agency_id,
        merchant: merchant.id,
        version,
        test,
        site,
    })
}
