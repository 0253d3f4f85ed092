//! The records mpforge stores, one tree per entity, and the names of those trees.
use app::i18n::Lang;
use app::model::ThemeKind;
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
    /// Paused by the agency: its users cannot sign in; nothing is removed.
    #[serde(default)]
    pub disabled: bool,
    /// When the agency deleted it (unix seconds): restorable for
    /// [`crate::accounts::MERCHANT_RESTORE_DAYS`], then removed with its sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
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
    pub template: ThemeKind,
    pub created_at: String,
    pub updated_at: String,
    /// Put away: listed apart, still editable.
    #[serde(default)]
    pub archived: bool,
    /// When it was deleted (unix seconds): restorable for [`crate::sites::RESTORE_DAYS`],
    /// then gone. A deleted site is not found anywhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
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
    /// When the session was last used (unix seconds; refreshed at most every few minutes).
    /// Zero in sessions stored before idle timeouts: read as `created_at`.
    #[serde(default)]
    pub last_seen: i64,
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
    /// merchant id ++ media hash (64 hex characters) -> size (u64) ++ upload time (i64, unix
    /// seconds), big-endian; empty when stored before sizes were kept: the images each
    /// merchant uploaded.
    pub const MEDIA_BY_MERCHANT: &str = "media_by_merchant";
}
