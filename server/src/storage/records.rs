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
    AgencyAdmin {
        agency_id: Ulid,
    },
    /// Edits and publishes the agency's merchants' sites; no users, no settings.
    AgencyStaff {
        agency_id: Ulid,
    },
    /// The merchant's owner.
    Merchant {
        agency_id: Ulid,
        merchant_id: Ulid,
    },
    /// Edits the merchant's sites; does not publish.
    MerchantStaff {
        agency_id: Ulid,
        merchant_id: Ulid,
    },
}

impl StoredRole {
    pub fn agency_id(&self) -> Ulid {
        match self {
            StoredRole::AgencyAdmin { agency_id }
            | StoredRole::AgencyStaff { agency_id }
            | StoredRole::Merchant { agency_id, .. }
            | StoredRole::MerchantStaff { agency_id, .. } => *agency_id,
        }
    }

    /// The merchant of a merchant's user (owner or staff).
    pub fn merchant_id(&self) -> Option<Ulid> {
        match self {
            StoredRole::Merchant { merchant_id, .. }
            | StoredRole::MerchantStaff { merchant_id, .. } => Some(*merchant_id),
            _ => None,
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
    /// Removed from its agency or merchant: cannot sign in; the login stays taken.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
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

/// A job to queue (see [`crate::jobs`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct NewJob {
    pub agency_id: Ulid,
    /// What to do: [`crate::jobs::Kind`]'s name.
    pub kind: String,
    pub payload: serde_json::Value,
    /// While a job with this key is queued or running, queuing another returns it instead.
    pub dedupe_key: Option<String>,
    /// Tries before it fails for good.
    pub max_attempts: u32,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn name(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ => return None,
        })
    }
}

/// A queued, running or finished job.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Job {
    pub id: Ulid,
    pub agency_id: Ulid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub dedupe_key: Option<String>,
    pub state: JobState,
    /// Claims so far.
    pub attempts: u32,
    pub max_attempts: u32,
    /// Not claimed before this (unix milliseconds): a retry's backoff.
    pub run_at_ms: i64,
    /// The worker holding it while running, and until when (unix milliseconds).
    pub worker: Option<String>,
    pub lease_until_ms: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// What a finished job produced.
    pub result: Option<serde_json::Value>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl Job {
    /// A new job, queued and due at once.
    pub fn queued(new: &NewJob) -> Job {
        Job {
            id: super::tree::new_id(),
            agency_id: new.agency_id,
            kind: new.kind.clone(),
            payload: new.payload.clone(),
            dedupe_key: new.dedupe_key.clone(),
            state: JobState::Queued,
            attempts: 0,
            max_attempts: new.max_attempts.max(1),
            run_at_ms: 0,
            worker: None,
            lease_until_ms: 0,
            last_error: None,
            result: None,
            created_at: super::now_rfc3339(),
            finished_at: None,
        }
    }

    /// Whether a worker may claim it at `now_ms`: queued and due, or running on a lease that
    /// ran out (its worker died).
    pub fn claimable(&self, now_ms: i64) -> bool {
        match self.state {
            JobState::Queued => self.run_at_ms <= now_ms,
            JobState::Running => self.lease_until_ms <= now_ms,
            JobState::Done | JobState::Failed => false,
        }
    }

    /// `worker` holds it from `now_ms` for `lease`: one more attempt.
    pub fn claim(&mut self, worker: &str, now_ms: i64, lease: std::time::Duration) {
        self.state = JobState::Running;
        self.worker = Some(worker.to_string());
        self.lease_until_ms = now_ms + lease.as_millis() as i64;
        self.attempts += 1;
    }

    /// What `outcome` makes of it at `now_ms`.
    pub fn end(&mut self, outcome: &JobOutcome, now_ms: i64) {
        self.worker = None;
        self.lease_until_ms = 0;
        match outcome {
            JobOutcome::Done(result) => {
                self.state = JobState::Done;
                self.result = Some(result.clone());
                self.last_error = None;
                self.finished_at = Some(super::now_rfc3339());
            }
            JobOutcome::Retry { error, retry_in } if self.attempts < self.max_attempts => {
                self.state = JobState::Queued;
                self.last_error = Some(error.clone());
                self.run_at_ms = now_ms + retry_in.as_millis() as i64;
            }
            JobOutcome::Retry { error, .. } | JobOutcome::Failed(error) => {
                self.state = JobState::Failed;
                self.last_error = Some(error.clone());
                self.finished_at = Some(super::now_rfc3339());
            }
        }
    }
}

/// How a claimed job ended.
#[derive(Clone, Debug, PartialEq)]
pub enum JobOutcome {
    Done(serde_json::Value),
    /// Try again after `retry_in` (unless out of attempts).
    Retry {
        error: String,
        retry_in: std::time::Duration,
    },
    /// Failed for good.
    Failed(String),
}

/// One line of the audit log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AuditEntry {
    pub id: Ulid,
    pub agency_id: Ulid,
    /// The user who acted; `None` for a failed login naming no user.
    pub user_id: Option<Ulid>,
    pub merchant_id: Option<Ulid>,
    pub site_id: Option<Ulid>,
    /// `login`, `login_failed`, `site_saved`, ...
    pub action: String,
    pub detail: String,
    pub at: String,
}

/// A small JSON document one feature keeps (WeChat settings and tokens, publishing state,
/// versions), addressed by kind and key and owned by an agency. `rev` counts its writes, so a
/// caller can write only over the revision it read ([`Expect::Rev`]): the one primitive the
/// WeChat token refresh, the publish pipeline and the version counter need across nodes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Doc {
    pub kind: String,
    pub key: String,
    pub agency_id: Ulid,
    /// 1 for the first write; the store sets it.
    pub rev: u64,
    pub body: serde_json::Value,
}

impl Doc {
    pub fn new(
        kind: &str,
        key: impl Into<String>,
        agency_id: Ulid,
        body: serde_json::Value,
    ) -> Doc {
        Doc {
            kind: kind.into(),
            key: key.into(),
            agency_id,
            rev: 0,
            body,
        }
    }

    /// The body as `T`; a body written by another version of mpforge that no longer reads
    /// is a decode error naming the kind.
    pub fn read<T: serde::de::DeserializeOwned>(&self) -> Result<T, super::StoreError> {
        T::deserialize(&self.body).map_err(|source| super::StoreError::Decode {
            tree: format!("docs/{}", self.kind),
            source,
        })
    }
}

/// A stored document with its body left as the JSON it is: what
/// [`super::Store::update_doc`] reads and writes, so a body is parsed once, straight into its
/// own type.
#[derive(Serialize, Deserialize)]
pub struct RawDoc<'a> {
    #[serde(borrow)]
    pub kind: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub key: std::borrow::Cow<'a, str>,
    pub agency_id: Ulid,
    pub rev: u64,
    #[serde(borrow)]
    pub body: &'a serde_json::value::RawValue,
}

impl<'a> RawDoc<'a> {
    /// A stored document's bytes, its body borrowed from them.
    pub fn parse(bytes: &'a [u8]) -> Result<RawDoc<'a>, super::StoreError> {
        serde_json::from_slice(bytes).map_err(|source| super::StoreError::Decode {
            tree: "docs".into(),
            source,
        })
    }
}

/// What [`super::Store::put_doc`] expects to find before it writes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expect {
    /// Write whatever is there.
    Any,
    /// Create: refuse ([`super::StoreError::Stale`]) when the key exists.
    Absent,
    /// Replace exactly this revision, or refuse.
    Rev(u64),
}

/// One record of a dump: every engine writes and reads the same lines.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Agency(Agency),
    User(User),
    Merchant(Merchant),
    Site(Site),
    Draft {
        site_id: Ulid,
        draft: Box<Draft>,
    },
    Session {
        /// SHA-256 of the token, hex.
        key: String,
        session: Session,
    },
    Media {
        merchant_id: Ulid,
        hash: String,
        bytes: u64,
        uploaded_at: i64,
    },
    Job(Job),
    Audit(AuditEntry),
    Doc(Doc),
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
    /// Blobs other than uploaded pictures (packages, QR codes), by key.
    pub const BLOBS: &str = "blobs";
    /// Throttled key -> its recent attempts (JSON list of unix milliseconds).
    pub const THROTTLE: &str = "throttle";
    /// Job id -> Job.
    pub const JOBS: &str = "jobs";
    /// Dedupe key -> id of the queued or running job holding it.
    pub const JOBS_BY_DEDUPE: &str = "jobs_by_dedupe";
    /// Agency id ++ entry id -> AuditEntry.
    pub const AUDIT: &str = "audit";
    /// kind ++ 0 ++ key -> Doc
    pub const DOCS: &str = "docs";
}
