//! Stored records and the handle to every tree.
use crate::store::{self, StoreError, Tree};
use app::i18n::Lang;
use app::model::Template;
use serde::{Deserialize, Serialize};
use ulid::Ulid;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Agency {
    pub id: Ulid,
    pub name: String,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Merchant {
    pub id: Ulid,
    pub agency_id: Ulid,
    pub name: String,
    /// The merchant's own login.
    pub user_id: Ulid,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoredRole {
    AgencyAdmin { agency_id: Ulid },
    Merchant { agency_id: Ulid, merchant_id: Ulid },
}

impl StoredRole {
    pub fn agency_id(&self) -> Ulid {
        match self {
            StoredRole::AgencyAdmin { agency_id } | StoredRole::Merchant { agency_id, .. } => {
                *agency_id
            }
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub id: Ulid,
    /// Lower-case; unique across the installation.
    pub login: String,
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: StoredRole,
    #[serde(default)]
    pub lang: Lang,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Site {
    pub id: Ulid,
    pub merchant_id: Ulid,
    pub name: String,
    pub template: Template,
    pub created_at: String,
    pub updated_at: String,
}

/// The content of a site as the editor last saved it. `version` grows by one per save; a save
/// based on an older version is refused, never silently merged.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Draft {
    pub version: u64,
    pub site: app::model::site::Site,
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Session {
    pub user_id: Ulid,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
}

/// Tree names, in one place so the dump and the code agree.
pub mod trees {
    pub const AGENCIES: &str = "agencies";
    pub const MERCHANTS: &str = "merchants";
    pub const USERS: &str = "users";
    pub const SITES: &str = "sites";
    pub const SESSIONS: &str = "sessions";
    /// login -> user id (16 bytes)
    pub const USERS_BY_LOGIN: &str = "users_by_login";
    /// agency id ++ merchant id -> ()
    pub const MERCHANTS_BY_AGENCY: &str = "merchants_by_agency";
    /// merchant id ++ site id -> ()
    pub const SITES_BY_MERCHANT: &str = "sites_by_merchant";
    pub const DRAFTS: &str = "drafts";
    pub const MEDIA: &str = "media";
}

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
        Store::new(store::open_db(path)?)
    }

    pub fn temporary() -> Result<Self, StoreError> {
        Store::new(store::temporary_db()?)
    }

    /// Durably writes everything; call before telling a user "saved".
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        store::is_empty(&self.db)
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
