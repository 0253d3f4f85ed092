//! Embedded storage on sled: the [`Store`] handle to every tree. Typed trees live in
//! [`tree`], the records in [`records`], the schema version and migrations in [`schema`], the
//! JSON-lines dump and restore in [`dump`].
pub mod dump;
pub mod records;
pub mod schema;
pub mod tree;

pub use records::*;
pub use tree::{StoreError, Tree};

/// Every tree of the database, opened once.
#[derive(Clone)]
pub struct Store {
    pub db: sled::Db,
    pub agencies: Tree<Agency>,
    pub merchants: Tree<Merchant>,
    pub users: Tree<User>,
    pub sites: Tree<Site>,
    pub sessions: Tree<Session>,
    /// site id -> Draft
    pub drafts: Tree<Draft>,
    /// SHA-256 of an uploaded image -> its original bytes (content-addressed: stored once).
    pub media: sled::Tree,
    /// Who may use which image: merchant id ++ hash. An image is reachable only through a
    /// merchant that uploaded it.
    pub media_by_merchant: sled::Tree,
    pub users_by_login: sled::Tree,
    pub merchants_by_agency: sled::Tree,
    pub sites_by_merchant: sled::Tree,
}

impl Store {
    pub fn new(db: sled::Db) -> Result<Self, StoreError> {
        use trees::*;
        Ok(Store {
            agencies: Tree::open(&db, AGENCIES)?,
            merchants: Tree::open(&db, MERCHANTS)?,
            users: Tree::open(&db, USERS)?,
            sites: Tree::open(&db, SITES)?,
            sessions: Tree::open(&db, SESSIONS)?,
            drafts: Tree::open(&db, DRAFTS)?,
            media: db.open_tree(MEDIA)?,
            media_by_merchant: db.open_tree(MEDIA_BY_MERCHANT)?,
            users_by_login: db.open_tree(USERS_BY_LOGIN)?,
            merchants_by_agency: db.open_tree(MERCHANTS_BY_AGENCY)?,
            sites_by_merchant: db.open_tree(SITES_BY_MERCHANT)?,
            db,
        })
    }

    pub fn open(path: &std::path::Path) -> Result<Self, StoreError> {
        Store::new(schema::open_db(path)?)
    }

    pub fn temporary() -> Result<Self, StoreError> {
        Store::new(schema::temporary_db()?)
    }

    /// Durably writes everything; call before telling a user "saved".
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// Stores an uploaded image (once, by its hash) as `merchant`'s, noting its size and
    /// when it was uploaded.
    pub fn put_media(
        &self,
        merchant: ulid::Ulid,
        hash: &str,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        self.media.insert(hash.as_bytes(), bytes)?;
        let mut owned = (bytes.len() as u64).to_be_bytes().to_vec();
        owned.extend_from_slice(&now_unix().to_be_bytes());
        self.media_by_merchant
            .insert(media_owner_key(merchant, hash), owned)?;
        Ok(())
    }

    /// The images `merchant` uploaded: hash, size in bytes and upload time (unix seconds;
    /// zero when uploaded before times were kept).
    pub fn merchant_media_list(&self, merchant: ulid::Ulid) -> Result<Vec<OwnedMedia>, StoreError> {
        let mut list = Vec::new();
        for item in self
            .media_by_merchant
            .scan_prefix(tree::ulid_prefix(merchant))
        {
            let (key, value) = item?;
            let hash = String::from_utf8_lossy(&key[16..]).into_owned();
            let (bytes, uploaded_at) = match (value.get(..8), value.get(8..16)) {
                (Some(size), Some(at)) => (
                    u64::from_be_bytes(size.try_into().expect("8 bytes")),
                    i64::from_be_bytes(at.try_into().expect("8 bytes")),
                ),
                // Owned before sizes were noted: measure it.
                _ => (
                    self.media
                        .get(hash.as_bytes())?
                        .map_or(0, |b| b.len() as u64),
                    0,
                ),
            };
            list.push(OwnedMedia {
                hash,
                bytes,
                uploaded_at,
            });
        }
        Ok(list)
    }

    /// `merchant` no longer has the image `hash`; the image itself is deleted when no other
    /// merchant has it either.
    pub fn forget_media(&self, merchant: ulid::Ulid, hash: &str) -> Result<(), StoreError> {
        self.media_by_merchant
            .remove(media_owner_key(merchant, hash))?;
        let mut still_owned = false;
        for key in self.media_by_merchant.iter().keys() {
            if key?.get(16..) == Some(hash.as_bytes()) {
                still_owned = true;
                break;
            }
        }
        if !still_owned {
            self.media.remove(hash.as_bytes())?;
        }
        Ok(())
    }

    /// The image `hash`, if `merchant` uploaded it; `None` for anyone else's, as for a missing one.
    pub fn merchant_media(
        &self,
        merchant: ulid::Ulid,
        hash: &str,
    ) -> Result<Option<sled::IVec>, StoreError> {
        if !self
            .media_by_merchant
            .contains_key(media_owner_key(merchant, hash))?
        {
            return Ok(None);
        }
        Ok(self.media.get(hash.as_bytes())?)
    }

    /// A random 32-byte secret named `name`, made on first use and the same for every process
    /// sharing this store (two racing first uses agree on one). Kept out of dumps.
    pub fn secret(&self, name: &str) -> Result<[u8; 32], StoreError> {
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

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        schema::is_empty(&self.db)
    }
}

/// One image a merchant uploaded.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedMedia {
    pub hash: String,
    pub bytes: u64,
    /// Unix seconds; zero when uploaded before upload times were kept.
    pub uploaded_at: i64,
}

fn media_owner_key(merchant: ulid::Ulid, hash: &str) -> Vec<u8> {
    let mut k = tree::ulid_prefix(merchant).to_vec();
    k.extend_from_slice(hash.as_bytes());
    k
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// When something deleted at `deleted_at` stops being restorable after `days` (unix seconds).
pub fn grace_ends(deleted_at: i64, days: i64) -> i64 {
    deleted_at + days * 24 * 3600
}

/// The day of unix time `at` (`YYYY-MM-DD`, UTC).
pub fn unix_to_date(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .map(|d| d.date().to_string())
        .unwrap_or_default()
}

pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
