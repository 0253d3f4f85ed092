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
    /// SHA-256 of an uploaded image -> its original bytes (content-addressed, shared).
    pub media: sled::Tree,
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

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        schema::is_empty(&self.db)
    }
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
