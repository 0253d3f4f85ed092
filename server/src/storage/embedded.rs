//! The embedded engine: sled in the data directory (the default; one process, no server to
//! install). One tree per entity ([`tree::Tree`]), index trees of big-endian id pairs, and sled
//! transactions wherever the contract asks for one atomic step.
use super::records::trees::*;
use super::tree::{encode, pair_child, pair_key, ulid_prefix, Tree};
use super::{
    schema, Agency, Attempt, AuditEntry, Counts, Doc, DocChange, Draft, Expect, Job, JobOutcome,
    Merchant, NewJob, OwnedMedia, Record, Session, SessionKey, Site, Store, StoreError,
    ThrottleKey, User,
};
use sled::transaction::{abort, ConflictableTransactionError, TransactionalTree};
use sled::Transactional;
use std::time::Duration;
use ulid::Ulid;

mod docs;
mod jobs;
mod records;

/// Every tree of the database, opened once.
#[derive(Clone)]
pub struct SledStore {
    pub db: sled::Db,
    path: Option<std::path::PathBuf>,
    pub(crate) agencies: Tree<Agency>,
    pub(crate) merchants: Tree<Merchant>,
    pub(crate) users: Tree<User>,
    pub(crate) sites: Tree<Site>,
    pub(crate) sessions: Tree<Session>,
    /// site id -> Draft
    pub(crate) drafts: Tree<Draft>,
    /// Who may use which image: merchant id ++ hash -> size ++ upload time.
    pub(crate) media_by_merchant: sled::Tree,
    pub(crate) users_by_login: sled::Tree,
    pub(crate) merchants_by_agency: sled::Tree,
    pub(crate) sites_by_merchant: sled::Tree,
    pub(crate) throttle: sled::Tree,
    pub(crate) jobs: Tree<Job>,
    pub(crate) jobs_by_dedupe: sled::Tree,
    pub(crate) audit: Tree<AuditEntry>,
    /// kind ++ 0 ++ key -> Doc (JSON)
    pub(crate) docs: sled::Tree,
    flushes: std::sync::Arc<super::group_flush::GroupFlush>,
}

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

fn tx_put<V: serde::Serialize>(t: &TransactionalTree, key: &[u8], v: &V) -> TxResult<()> {
    let bytes = encode(v).map_err(ConflictableTransactionError::Abort)?;
    t.insert(key, bytes)?;
    Ok(())
}

/// Inserts a user and its login index entry, refusing a taken login.
fn insert_user_tx(ubl: &TransactionalTree, users: &TransactionalTree, user: &User) -> TxResult<()> {
    if ubl.get(user.login.as_bytes())?.is_some() {
        return abort(StoreError::LoginTaken);
    }
    ubl.insert(user.login.as_bytes(), ulid_prefix(user.id).to_vec())?;
    tx_put(users, &ulid_prefix(user.id), user)
}

fn media_owner_key(merchant: Ulid, hash: &str) -> Vec<u8> {
    let mut k = ulid_prefix(merchant).to_vec();
    k.extend_from_slice(hash.as_bytes());
    k
}

/// Dedupe keys are per agency.
fn dedupe_key(agency: Ulid, key: &str) -> Vec<u8> {
    let mut k = ulid_prefix(agency).to_vec();
    k.extend_from_slice(key.as_bytes());
    k
}

fn decode<V: serde::de::DeserializeOwned>(tree: &str, bytes: &[u8]) -> Result<V, StoreError> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Decode {
        tree: tree.into(),
        source,
    })
}

impl SledStore {
    pub fn new(db: sled::Db, path: Option<std::path::PathBuf>) -> Result<Self, StoreError> {
        Ok(SledStore {
            agencies: Tree::open(&db, AGENCIES)?,
            merchants: Tree::open(&db, MERCHANTS)?,
            users: Tree::open(&db, USERS)?,
            sites: Tree::open(&db, SITES)?,
            sessions: Tree::open(&db, SESSIONS)?,
            drafts: Tree::open(&db, DRAFTS)?,
            media_by_merchant: db.open_tree(MEDIA_BY_MERCHANT)?,
            users_by_login: db.open_tree(USERS_BY_LOGIN)?,
            merchants_by_agency: db.open_tree(MERCHANTS_BY_AGENCY)?,
            sites_by_merchant: db.open_tree(SITES_BY_MERCHANT)?,
            throttle: db.open_tree(THROTTLE)?,
            jobs: Tree::open(&db, JOBS)?,
            jobs_by_dedupe: db.open_tree(JOBS_BY_DEDUPE)?,
            audit: Tree::open(&db, AUDIT)?,
            docs: db.open_tree(DOCS)?,
            db,
            path,
            flushes: Default::default(),
        })
    }

    /// Opens (or creates) the database in `path`; sled's lock makes a second process fail here.
    pub fn open(path: &std::path::Path) -> Result<Self, StoreError> {
        SledStore::new(schema::open_db(path)?, Some(path.to_path_buf()))
    }

    pub fn temporary() -> Result<Self, StoreError> {
        SledStore::new(schema::temporary_db()?, None)
    }

    /// The tree the embedded blob store keeps pictures in (by hash, as always).
    pub fn media_tree(&self) -> Result<sled::Tree, StoreError> {
        Ok(self.db.open_tree(MEDIA)?)
    }

    /// The tree the embedded blob store keeps other blobs in.
    pub fn blob_tree(&self) -> Result<sled::Tree, StoreError> {
        Ok(self.db.open_tree(BLOBS)?)
    }

    fn merchant_site_ids(&self, merchant: Ulid) -> Result<Vec<Ulid>, StoreError> {
        let mut ids = Vec::new();
        for key in self
            .sites_by_merchant
            .scan_prefix(ulid_prefix(merchant))
            .keys()
        {
            if let Some(id) = pair_child(&key?) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

#[async_trait::async_trait]
impl Store for SledStore {
    fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("sled in {}", p.display()),
            None => "sled (temporary)".into(),
        }
    }

    async fn health(&self) -> Result<(), StoreError> {
        self.db.size_on_disk()?;
        Ok(())
    }

    async fn flush(&self) -> Result<(), StoreError> {
        self.flushes.flush(&self.db).await
    }

    async fn is_empty(&self) -> Result<bool, StoreError> {
        schema::is_empty(&self.db)
    }

    async fn secret(&self, name: &str) -> Result<[u8; 32], StoreError> {
        use rand::RngCore;
        let meta = self.db.open_tree(schema::META)?;
        let key = format!("secret:{name}");
        let mut fresh = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut fresh);
        let stored = match meta.compare_and_swap(key.as_bytes(), None::<&[u8]>, Some(&fresh[..]))? {
            Ok(()) => fresh.to_vec(),
            Err(current) => current.current.map(|v| v.to_vec()).unwrap_or_default(),
        };
        stored.try_into().map_err(|_| {
            StoreError::Io(std::io::Error::other(format!(
                "stored secret `{name}` is not 32 bytes"
            )))
        })
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        Ok(Counts::from([
            ("agencies".into(), self.agencies.len() as u64),
            ("users".into(), self.users.len() as u64),
            ("merchants".into(), self.merchants.len() as u64),
            ("sites".into(), self.sites.len() as u64),
            ("drafts".into(), self.drafts.len() as u64),
            ("sessions".into(), self.sessions.len() as u64),
            ("media".into(), self.media_by_merchant.len() as u64),
            ("jobs".into(), self.jobs.len() as u64),
            ("audit".into(), self.audit.len() as u64),
            ("docs".into(), self.docs.len() as u64),
        ]))
    }

    async fn create_agency(&self, agency: &Agency, admin: &User) -> Result<(), StoreError> {
        (&self.users_by_login, self.users.raw(), self.agencies.raw()).transaction(
            |(ubl, users, agencies)| {
                insert_user_tx(ubl, users, admin)?;
                tx_put(agencies, &ulid_prefix(agency.id), agency)
            },
        )?;
        Ok(())
    }

    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        (&self.users_by_login, self.users.raw())
            .transaction(|(ubl, users)| insert_user_tx(ubl, users, user))?;
        Ok(())
    }

    async fn agency(&self, id: Ulid) -> Result<Option<Agency>, StoreError> {
        self.agencies.get(&id)
    }

    async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        self.agencies.values().collect()
    }

    async fn create_merchant(&self, merchant: &Merchant, user: &User) -> Result<(), StoreError> {
        (
            &self.users_by_login,
            self.users.raw(),
            self.merchants.raw(),
            &self.merchants_by_agency,
        )
            .transaction(|(ubl, users, merchants, by_agency)| {
                insert_user_tx(ubl, users, user)?;
                tx_put(merchants, &ulid_prefix(merchant.id), merchant)?;
                by_agency.insert(
                    &pair_key(merchant.agency_id, merchant.id)[..],
                    Vec::<u8>::new(),
                )?;
                Ok(())
            })?;
        Ok(())
    }

    async fn merchant(&self, id: Ulid) -> Result<Option<Merchant>, StoreError> {
        self.merchants.get(&id)
    }

    async fn put_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        self.merchants.insert(&merchant.id, merchant)
    }

    async fn agency_merchants(&self, agency: Ulid) -> Result<Vec<Merchant>, StoreError> {
        let mut out = Vec::new();
        for key in self
            .merchants_by_agency
            .scan_prefix(ulid_prefix(agency))
            .keys()
        {
            if let Some(m) = pair_child(&key?)
                .map(|id| self.merchants.get(&id))
                .transpose()?
                .flatten()
            {
                out.push(m);
            }
        }
        Ok(out)
    }

    async fn purge_merchant(&self, m: &Merchant) -> Result<(), StoreError> {
        let sites = self.merchant_site_ids(m.id)?;
        let login = self.users.get(&m.user_id)?.map(|u| u.login);
        let media: Vec<sled::IVec> = self
            .media_by_merchant
            .scan_prefix(ulid_prefix(m.id))
            .keys()
            .collect::<Result<_, _>>()?;
        (
            self.sites.raw(),
            &self.sites_by_merchant,
            self.drafts.raw(),
            &self.users_by_login,
            self.users.raw(),
            &self.merchants_by_agency,
            self.merchants.raw(),
            &self.media_by_merchant,
        )
            .transaction(
                |(site_tree, by_merchant, drafts, ubl, users, by_agency, merchants, owners)| {
                    for id in &sites {
                        site_tree.remove(&ulid_prefix(*id))?;
                        by_merchant.remove(&pair_key(m.id, *id)[..])?;
                        drafts.remove(&ulid_prefix(*id))?;
                    }
                    if let Some(login) = &login {
                        ubl.remove(login.as_bytes())?;
                    }
                    users.remove(&ulid_prefix(m.user_id))?;
                    by_agency.remove(&pair_key(m.agency_id, m.id)[..])?;
                    merchants.remove(&ulid_prefix(m.id))?;
                    for k in &media {
                        owners.remove(k)?;
                    }
                    Ok::<_, ConflictableTransactionError<StoreError>>(())
                },
            )?;
        self.end_sessions(m.user_id, None, &|_| false).await?;
        Ok(())
    }

    async fn user(&self, id: Ulid) -> Result<Option<User>, StoreError> {
        self.users.get(&id)
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError> {
        match self.users_by_login.get(login.as_bytes())? {
            Some(id) => {
                let id = Ulid::from(u128::from_be_bytes(
                    id.as_ref().try_into().unwrap_or([0; 16]),
                ));
                self.users.get(&id)
            }
            None => Ok(None),
        }
    }

    async fn put_user(&self, user: &User) -> Result<(), StoreError> {
        self.users.insert(&user.id, user)
    }

    async fn create_site(&self, site: &Site, draft: &Draft) -> Result<(), StoreError> {
        let (site_bytes, draft_bytes) = (encode(site)?, encode(draft)?);
        (self.sites.raw(), &self.sites_by_merchant, self.drafts.raw()).transaction(
            |(sites, by_merchant, drafts)| {
                sites.insert(&ulid_prefix(site.id), site_bytes.as_slice())?;
                by_merchant.insert(&pair_key(site.merchant_id, site.id)[..], Vec::<u8>::new())?;
                drafts.insert(&ulid_prefix(site.id), draft_bytes.as_slice())?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            },
        )?;
        Ok(())
    }

    async fn site(&self, id: Ulid) -> Result<Option<Site>, StoreError> {
        self.sites.get(&id)
    }

    async fn put_site(&self, site: &Site) -> Result<(), StoreError> {
        self.sites.insert(&site.id, site)
    }

    async fn merchant_sites(&self, merchant: Ulid) -> Result<Vec<Site>, StoreError> {
        let mut sites = Vec::new();
        for id in self.merchant_site_ids(merchant)? {
            if let Some(site) = self.sites.get(&id)? {
                sites.push(site);
            }
        }
        Ok(sites)
    }

    async fn draft(&self, site: Ulid) -> Result<Option<Draft>, StoreError> {
        self.drafts.get(&site)
    }

    async fn save_draft(
        &self,
        site: Ulid,
        base_version: u64,
        draft: &Draft,
        name: &str,
    ) -> Result<(), StoreError> {
        let key = ulid_prefix(site);
        let draft_bytes = encode(draft)?;
        (self.drafts.raw(), self.sites.raw()).transaction(|(drafts, sites)| {
            // No draft stored yet: the site still is its starter, version 1.
            let current = match drafts.get(key)? {
                Some(bytes) => {
                    decode::<Draft>(DRAFTS, &bytes)
                        .map_err(ConflictableTransactionError::Abort)?
                        .version
                }
                None => 1,
            };
            if current != base_version {
                return abort(StoreError::Stale);
            }
            let mut record: Site = match sites.get(key)? {
                Some(bytes) => {
                    decode(SITES, &bytes).map_err(ConflictableTransactionError::Abort)?
                }
                None => return abort(StoreError::Stale),
            };
            if !name.is_empty() {
                record.name = name.to_string();
            }
            record.updated_at = draft.updated_at.clone();
            drafts.insert(&key, draft_bytes.as_slice())?;
            tx_put(sites, &key, &record)
        })?;
        Ok(())
    }

    async fn purge_site(&self, record: &Site) -> Result<(), StoreError> {
        (self.sites.raw(), &self.sites_by_merchant, self.drafts.raw()).transaction(
            |(sites, by_merchant, drafts)| {
                sites.remove(&ulid_prefix(record.id))?;
                by_merchant.remove(&pair_key(record.merchant_id, record.id)[..])?;
                drafts.remove(&ulid_prefix(record.id))?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            },
        )?;
        Ok(())
    }

    async fn put_session(&self, key: SessionKey, session: &Session) -> Result<(), StoreError> {
        self.sessions.insert(&key, session)
    }

    async fn session(&self, key: SessionKey) -> Result<Option<Session>, StoreError> {
        self.sessions.get(&key)
    }

    async fn delete_session(&self, key: SessionKey) -> Result<(), StoreError> {
        self.sessions.remove(&key)?;
        Ok(())
    }

    async fn end_sessions(
        &self,
        user: Ulid,
        keep: Option<SessionKey>,
        ended: &(dyn for<'s> Fn(&'s Session) -> bool + Sync),
    ) -> Result<usize, StoreError> {
        let mut count = 0;
        for item in self.sessions.entries() {
            let (key, session) = item?;
            let mine = session.user_id == user && keep.as_ref().map(|k| &k[..]) != Some(&key[..]);
            if mine || ended(&session) {
                self.sessions.raw().remove(&key)?;
                count += usize::from(mine);
            }
        }
        Ok(count)
    }

    async fn reserve_attempt(
        &self,
        keys: &[ThrottleKey],
        window: Duration,
    ) -> Result<Result<Attempt, Duration>, StoreError> {
        let now = super::now_ms();
        let window_ms = window.as_millis() as i64;
        // Bound the tree under a flood of distinct names: drop keys whose attempts aged out.
        if self.throttle.len() > 10_000 {
            for item in self.throttle.iter() {
                let (k, v) = item?;
                let times: Vec<i64> = decode(THROTTLE, &v).unwrap_or_default();
                if times.last().is_none_or(|t| now - t >= window_ms) {
                    let _ = self.throttle.compare_and_swap(&k, Some(v), None::<&[u8]>)?;
                }
            }
        }
        let outcome = self.throttle.transaction(|t| {
            let mut wait = Duration::ZERO;
            let mut lists = Vec::new();
            for k in keys {
                let mut times: Vec<i64> = match t.get(k.key.as_bytes())? {
                    Some(v) => decode(THROTTLE, &v).map_err(ConflictableTransactionError::Abort)?,
                    None => Vec::new(),
                };
                times.retain(|at| now - at < window_ms);
                wait = wait.max(k.rule.wait(&times, window, now));
                lists.push(times);
            }
            if !wait.is_zero() {
                return Ok(Err(wait));
            }
            for (k, mut times) in keys.iter().zip(lists) {
                times.push(now);
                tx_put(t, k.key.as_bytes(), &times)?;
            }
            Ok(Ok(Attempt {
                keys: keys
                    .iter()
                    .map(|k| (k.key.clone(), k.refund_on_success))
                    .collect(),
                at_ms: now,
            }))
        })?;
        Ok(outcome)
    }

    async fn attempt_succeeded(&self, attempt: &Attempt) -> Result<(), StoreError> {
        self.throttle.transaction(|t| {
            for (key, refund) in &attempt.keys {
                if *refund {
                    if let Some(v) = t.get(key.as_bytes())? {
                        let mut times: Vec<i64> =
                            decode(THROTTLE, &v).map_err(ConflictableTransactionError::Abort)?;
                        if let Some(i) = times.iter().rposition(|at| *at == attempt.at_ms) {
                            times.remove(i);
                        }
                        tx_put(t, key.as_bytes(), &times)?;
                    }
                } else {
                    t.remove(key.as_bytes())?;
                }
            }
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })?;
        Ok(())
    }

    async fn add_media(
        &self,
        merchant: Ulid,
        hash: &str,
        bytes: u64,
        at: i64,
    ) -> Result<(), StoreError> {
        let mut owned = bytes.to_be_bytes().to_vec();
        owned.extend_from_slice(&at.to_be_bytes());
        self.media_by_merchant
            .insert(media_owner_key(merchant, hash), owned)?;
        Ok(())
    }

    async fn merchant_media(&self, merchant: Ulid) -> Result<Vec<OwnedMedia>, StoreError> {
        let media = self.media_tree()?;
        let mut list = Vec::new();
        for item in self.media_by_merchant.scan_prefix(ulid_prefix(merchant)) {
            let (key, value) = item?;
            let hash = String::from_utf8_lossy(&key[16..]).into_owned();
            let (bytes, uploaded_at) = match (value.get(..8), value.get(8..16)) {
                (Some(size), Some(at)) => (
                    u64::from_be_bytes(size.try_into().expect("8 bytes")),
                    i64::from_be_bytes(at.try_into().expect("8 bytes")),
                ),
                // Owned before sizes were noted: measure it.
                _ => (media.get(hash.as_bytes())?.map_or(0, |b| b.len() as u64), 0),
            };
            list.push(OwnedMedia {
                hash,
                bytes,
                uploaded_at,
            });
        }
        Ok(list)
    }

    async fn owns_media(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError> {
        Ok(self
            .media_by_merchant
            .contains_key(media_owner_key(merchant, hash))?)
    }

    async fn drop_media(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError> {
        self.media_by_merchant
            .remove(media_owner_key(merchant, hash))?;
        for key in self.media_by_merchant.iter().keys() {
            if key?.get(16..) == Some(hash.as_bytes()) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn enqueue_job(&self, new: &NewJob) -> Result<Ulid, StoreError> {
        self.enqueue(new).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Job>, StoreError> {
        self.claim(worker, max, lease).await
    }

    async fn heartbeat(&self, worker: &str, lease: Duration) -> Result<(), StoreError> {
        self.renew_leases(worker, lease).await
    }

    async fn finish_job(
        &self,
        id: Ulid,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<bool, StoreError> {
        self.finish(id, worker, outcome).await
    }

    async fn job(&self, id: Ulid) -> Result<Option<Job>, StoreError> {
        self.get_job(id).await
    }

    async fn agency_jobs(&self, agency: Ulid, limit: usize) -> Result<Vec<Job>, StoreError> {
        self.jobs_of(agency, limit).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.audit
            .insert(&pair_key(entry.agency_id, entry.id), entry)
    }

    async fn agency_audit(
        &self,
        agency: Ulid,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit
            .raw()
            .scan_prefix(ulid_prefix(agency))
            .rev()
            .take(limit)
            .map(|item| decode(AUDIT, &item?.1))
            .collect()
    }

    async fn count_in_doc(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        field: &str,
        by: u64,
        floor: u64,
    ) -> Result<u64, StoreError> {
        self.count(kind, key, agency, field, by, floor).await
    }

    async fn doc(&self, kind: &str, key: &str) -> Result<Option<Doc>, StoreError> {
        self.get_doc(kind, key)
    }

    async fn docs(&self, kind: &str, prefix: &str, limit: usize) -> Result<Vec<Doc>, StoreError> {
        self.scan_docs(kind, prefix, limit)
    }

    async fn put_doc(&self, doc: &Doc, expect: Expect) -> Result<u64, StoreError> {
        self.write_doc(doc, expect)
    }

    async fn delete_doc(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        self.remove_doc(kind, key)
    }

    async fn update_doc(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        f: &mut DocChange<'_>,
    ) -> Result<Option<u64>, StoreError> {
        self.change_doc(kind, key, agency, f)
    }

    async fn export_records(
        &self,
        sink: &mut (dyn FnMut(Record) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        self.export(sink).await
    }

    async fn import_record(&self, record: &Record) -> Result<(), StoreError> {
        self.import(record).await
    }
}
