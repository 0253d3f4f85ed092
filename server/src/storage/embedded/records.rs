//! Export and import on sled: every record in the order an import needs it.
use super::{decode, dedupe_key, SledStore};
use crate::storage::records::trees::DOCS;
use crate::storage::tree::{pair_child, pair_key, ulid_prefix};
use crate::storage::{JobState, Record, Store, StoreError};
use ulid::Ulid;

impl SledStore {
    pub(super) async fn export(
        &self,
        sink: &mut (dyn FnMut(Record) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        for a in self.agencies.values() {
            sink(Record::Agency(a?))?;
        }
        for u in self.users.values() {
            sink(Record::User(u?))?;
        }
        for m in self.merchants.values() {
            sink(Record::Merchant(m?))?;
        }
        for s in self.sites.values() {
            sink(Record::Site(s?))?;
        }
        for item in self.drafts.entries() {
            let (key, draft) = item?;
            let site_id = Ulid::from(u128::from_be_bytes(
                key.as_ref().try_into().unwrap_or([0; 16]),
            ));
            sink(Record::Draft {
                site_id,
                draft: Box::new(draft),
            })?;
        }
        for item in self.sessions.entries() {
            let (key, session) = item?;
            sink(Record::Session {
                key: hex::encode(&key),
                session,
            })?;
        }
        let mut merchants = Vec::new();
        for key in self.merchants_by_agency.iter().keys() {
            if let Some(id) = pair_child(&key?) {
                merchants.push(id);
            }
        }
        for merchant_id in merchants {
            for m in self.merchant_media(merchant_id).await? {
                sink(Record::Media {
                    merchant_id,
                    hash: m.hash,
                    bytes: m.bytes,
                    uploaded_at: m.uploaded_at,
                })?;
            }
        }
        for j in self.jobs.values() {
            sink(Record::Job(j?))?;
        }
        for e in self.audit.values() {
            sink(Record::Audit(e?))?;
        }
        for item in self.docs.iter() {
            sink(Record::Doc(decode(DOCS, &item?.1)?))?;
        }
        Ok(())
    }

    pub(super) async fn import(&self, record: &Record) -> Result<(), StoreError> {
        match record {
            Record::Agency(a) => self.agencies.insert(&a.id, a)?,
            Record::User(u) => {
                self.users_by_login
                    .insert(u.login.as_bytes(), ulid_prefix(u.id).to_vec())?;
                self.users.insert(&u.id, u)?;
            }
            Record::Merchant(m) => {
                self.merchants_by_agency
                    .insert(&pair_key(m.agency_id, m.id)[..], Vec::<u8>::new())?;
                self.merchants.insert(&m.id, m)?;
            }
            Record::Site(s) => {
                self.sites_by_merchant
                    .insert(&pair_key(s.merchant_id, s.id)[..], Vec::<u8>::new())?;
                self.sites.insert(&s.id, s)?;
            }
            Record::Draft { site_id, draft } => self.drafts.insert(site_id, draft)?,
            Record::Session { key, session } => {
                let key = hex::decode(key).map_err(|e| StoreError::Import {
                    line: 0,
                    message: format!("session key is not hex: {e}"),
                })?;
                self.sessions.insert(&key[..], session)?;
            }
            Record::Media {
                merchant_id,
                hash,
                bytes,
                uploaded_at,
            } => {
                self.add_media(*merchant_id, hash, *bytes, *uploaded_at)
                    .await?
            }
            Record::Job(j) => {
                if let (Some(k), JobState::Queued | JobState::Running) = (&j.dedupe_key, j.state) {
                    self.jobs_by_dedupe
                        .insert(dedupe_key(j.agency_id, k), &ulid_prefix(j.id)[..])?;
                }
                self.jobs.insert(&j.id, j)?
            }
            Record::Audit(e) => self.append_audit(e).await?,
            Record::Doc(d) => {
                self.import_doc(d)?;
            }
        }
        Ok(())
    }
}
