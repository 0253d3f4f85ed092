//! Storage: one contract ([`Store`]), two engines. [`embedded::SledStore`] (the default: sled in
//! the data directory, no server to install) and [`postgres::PgStore`] (several mpforge nodes
//! sharing one PostgreSQL). Picture and package bytes go to a [`blobs::Blobs`] beside it.
//!
//! The contract is made of domain operations, not raw trees: every rule that must hold across
//! nodes (a login taken once, a draft saved on the version it was based on, the login throttle,
//! a job claimed by one worker) is one atomic call, so the rule lives in the engine (a sled
//! transaction, a PostgreSQL transaction or conditional update), never in one process's memory.
//! Every test of the contract runs against both engines (`server/tests/store_contract.rs`).
//!
//! Records live in [`records`]; the sled trees in [`tree`], [`schema`] and [`embedded`]; the
//! PostgreSQL tables in `server/migrations/`; the engine-neutral dump in [`dump`].
pub mod blobs;
pub mod dump;
pub mod embedded;
mod group_flush;
pub mod postgres;
pub mod records;
pub mod schema;
pub mod tree;

pub use records::*;
pub use tree::{StoreError, Tree};

use serde_json::value::RawValue;
use std::sync::Arc;
use std::time::Duration;
use ulid::Ulid;

/// A session is stored under the SHA-256 of its token: a copy of the database opens nothing.
pub type SessionKey = [u8; 32];

/// The store every handler shares.
pub type SharedStore = Arc<dyn Store>;

/// What one key (a login name, a client address, a merchant) may do within a throttle's window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Allowance {
    /// Attempts allowed at once before delays start.
    pub free: usize,
    /// Past `free`, each attempt waits twice as long after the previous one as the one before,
    /// from `first_delay` up to this. `None`: no more attempts until the window has passed.
    pub max_delay: Option<Duration>,
    pub first_delay: Duration,
}

impl Allowance {
    /// How long one more attempt must still wait at `now_ms`, given the attempts (unix
    /// milliseconds, oldest first) still inside `window`; zero when it may go.
    pub fn wait(&self, attempts: &[i64], window: Duration, now_ms: i64) -> Duration {
        let window_ms = window.as_millis() as i64;
        let recent: Vec<i64> = attempts
            .iter()
            .copied()
            .filter(|t| now_ms - t < window_ms)
            .collect();
        if recent.len() < self.free {
            return Duration::ZERO;
        }
        let until_ms = match self.max_delay {
            Some(max) => {
                let doublings = (recent.len() - self.free).min(16) as u32;
                let delay = (self.first_delay * (1u32 << doublings)).min(max);
                recent[recent.len() - 1] + delay.as_millis() as i64
            }
            None => recent[0] + window_ms,
        };
        Duration::from_millis((until_ms - now_ms).max(0) as u64)
    }
}

/// A throttled key and the rule it is held to.
#[derive(Clone, Debug)]
pub struct ThrottleKey {
    pub key: String,
    pub rule: Allowance,
    /// Given back when the attempt succeeds (a client address: its failures count, not its
    /// successes); otherwise every attempt of the key is forgotten on success (a login).
    pub refund_on_success: bool,
}

/// An attempt recorded by [`Store::reserve_attempt`].
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub keys: Vec<(String, bool)>,
    /// When it was recorded, by the store's clock (unix milliseconds).
    pub at_ms: i64,
}

/// One image a merchant uploaded.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedMedia {
    pub hash: String,
    pub bytes: u64,
    /// Unix seconds; zero when uploaded before upload times were kept.
    pub uploaded_at: i64,
}

/// How many records of each kind a store holds (for `/healthz`, import checks and the docs).
pub type Counts = std::collections::BTreeMap<String, u64>;

/// The storage contract. Every method is one atomic step of the engine; callers combine them
/// only where a race is harmless (a rename retried on the new version, a quota passed by a
/// picture or two).
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sled in /var/lib/mpforge", "postgres at db:5432/mpforge": for logs and `/healthz`.
    fn describe(&self) -> String;
    /// Whether the engine answers (a round trip to the database).
    async fn health(&self) -> Result<(), StoreError>;
    /// Durably writes everything written so far; called before telling a user "saved".
    async fn flush(&self) -> Result<(), StoreError>;
    /// True when nothing has been stored yet (a fresh installation).
    async fn is_empty(&self) -> Result<bool, StoreError>;
    /// A random 32-byte secret named `name`, made on first use and the same for every node
    /// (two racing first uses agree on one). Kept out of dumps.
    async fn secret(&self, name: &str) -> Result<[u8; 32], StoreError>;
    /// Records of each kind, by name.
    async fn counts(&self) -> Result<Counts, StoreError>;

    // Agencies, merchants, users.
    /// The agency and its first admin; [`StoreError::LoginTaken`] if the login is.
    async fn create_agency(&self, agency: &Agency, admin: &User) -> Result<(), StoreError>;
    async fn agency(&self, id: Ulid) -> Result<Option<Agency>, StoreError>;
    async fn agencies(&self) -> Result<Vec<Agency>, StoreError>;
    /// The merchant and its login; [`StoreError::LoginTaken`] if the login is.
    async fn create_merchant(&self, merchant: &Merchant, user: &User) -> Result<(), StoreError>;
    async fn merchant(&self, id: Ulid) -> Result<Option<Merchant>, StoreError>;
    /// Replaces a merchant's record (its agency and login never change).
    async fn put_merchant(&self, merchant: &Merchant) -> Result<(), StoreError>;
    /// The agency's merchants, oldest first (deleted ones included).
    async fn agency_merchants(&self, agency: Ulid) -> Result<Vec<Merchant>, StoreError>;
    /// Removes a merchant for good: its sites and drafts, its pictures' ownership, its login,
    /// its sessions and the record, in one step.
    async fn purge_merchant(&self, merchant: &Merchant) -> Result<(), StoreError>;
    /// Another user of an existing agency or merchant (staff, a second admin);
    /// [`StoreError::LoginTaken`] if the login is.
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;
    async fn user(&self, id: Ulid) -> Result<Option<User>, StoreError>;
    async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError>;
    /// Replaces a user's record (password, language); its login never changes.
    async fn put_user(&self, user: &User) -> Result<(), StoreError>;

    // Sites and drafts.
    /// A new site with its first draft.
    async fn create_site(&self, site: &Site, draft: &Draft) -> Result<(), StoreError>;
    async fn site(&self, id: Ulid) -> Result<Option<Site>, StoreError>;
    /// Replaces a site's record (archived, deleted); never its draft.
    async fn put_site(&self, site: &Site) -> Result<(), StoreError>;
    /// The merchant's sites, oldest first (deleted ones included).
    async fn merchant_sites(&self, merchant: Ulid) -> Result<Vec<Site>, StoreError>;
    async fn draft(&self, site: Ulid) -> Result<Option<Draft>, StoreError>;
    /// Writes `draft` (version `base_version + 1`) if the stored draft is still at
    /// `base_version` (a site without a stored draft is at 1), and gives the site record
    /// `name` (unless empty) and `draft.updated_at`, in one step: of any number of saves racing
    /// from one base, on any number of nodes, exactly one is written; the others get
    /// [`StoreError::Stale`] and change nothing.
    async fn save_draft(
        &self,
        site: Ulid,
        base_version: u64,
        draft: &Draft,
        name: &str,
    ) -> Result<(), StoreError>;
    /// Removes a site for good: record and draft.
    async fn purge_site(&self, site: &Site) -> Result<(), StoreError>;

    // Sessions.
    async fn put_session(&self, key: SessionKey, session: &Session) -> Result<(), StoreError>;
    async fn session(&self, key: SessionKey) -> Result<Option<Session>, StoreError>;
    async fn delete_session(&self, key: SessionKey) -> Result<(), StoreError>;
    /// Ends every session of `user` but `keep`, and sweeps anyone's sessions that `ended` says
    /// are over; returns how many of `user`'s ended.
    async fn end_sessions(
        &self,
        user: Ulid,
        keep: Option<SessionKey>,
        ended: &(dyn for<'s> Fn(&'s Session) -> bool + Sync),
    ) -> Result<usize, StoreError>;

    // Throttling (logins, password checks, uploads), counted by the store's clock for every
    // node alike.
    /// Records an attempt for every key, unless one of them must still wait within `window`:
    /// then `Err(wait)` and nothing is recorded. Atomic: two parallel attempts, on any nodes,
    /// never both take the last free one.
    async fn reserve_attempt(
        &self,
        keys: &[ThrottleKey],
        window: Duration,
    ) -> Result<Result<Attempt, Duration>, StoreError>;
    /// The attempt succeeded: a login's failures are forgotten, an address gets it back.
    async fn attempt_succeeded(&self, attempt: &Attempt) -> Result<(), StoreError>;

    // Who may use which picture (the bytes are in the blob store, by hash).
    /// `merchant` keeps picture `hash` of `bytes` bytes, uploaded at `at` (unix seconds).
    async fn add_media(
        &self,
        merchant: Ulid,
        hash: &str,
        bytes: u64,
        at: i64,
    ) -> Result<(), StoreError>;
    async fn merchant_media(&self, merchant: Ulid) -> Result<Vec<OwnedMedia>, StoreError>;
    async fn owns_media(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError>;
    /// `merchant` no longer keeps `hash`; true when no merchant keeps it any more (its bytes
    /// can go).
    async fn drop_media(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError>;

    // Background jobs (see [`crate::jobs`]).
    /// Queues a job, unless one with the same `dedupe_key` is queued or running: then that
    /// one's id.
    async fn enqueue_job(&self, job: &NewJob) -> Result<Ulid, StoreError>;
    /// Claims up to `max` jobs for `worker`: queued ones that are due, and running ones whose
    /// lease ran out (their worker died). Each claim adds an attempt and holds the job for
    /// `lease`. Never gives one job to two workers.
    async fn claim_jobs(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Job>, StoreError>;
    /// `worker` is alive: its running jobs' leases are extended by `lease`.
    async fn heartbeat(&self, worker: &str, lease: Duration) -> Result<(), StoreError>;
    /// Records how a claimed job ended, if `worker` still holds it (false otherwise: its lease
    /// ran out and someone else has it).
    async fn finish_job(
        &self,
        id: Ulid,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<bool, StoreError>;
    async fn job(&self, id: Ulid) -> Result<Option<Job>, StoreError>;
    /// The agency's jobs, newest first.
    async fn agency_jobs(&self, agency: Ulid, limit: usize) -> Result<Vec<Job>, StoreError>;

    // Audit log.
    /// Appends an entry (its id orders it).
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The agency's entries, newest first.
    async fn agency_audit(&self, agency: Ulid, limit: usize)
        -> Result<Vec<AuditEntry>, StoreError>;

    // Documents ([`Doc`]).
    async fn doc(&self, kind: &str, key: &str) -> Result<Option<Doc>, StoreError>;
    /// Documents of `kind` whose key starts with `prefix`, by key, at most `limit`.
    async fn docs(&self, kind: &str, prefix: &str, limit: usize) -> Result<Vec<Doc>, StoreError>;
    /// Writes `doc` (its `rev` is ignored) when what is stored matches `expect`, and returns
    /// the new revision; [`StoreError::Stale`] when it does not.
    async fn put_doc(&self, doc: &Doc, expect: Expect) -> Result<u64, StoreError>;
    async fn delete_doc(&self, kind: &str, key: &str) -> Result<(), StoreError>;
    /// Changes the document `kind`/`key` of `agency` with `f` while no other writer changes
    /// it: `f` gets the stored body (`None` when there is none) and returns the body to write,
    /// or `None` to write nothing. Returns the new revision, or `None` when `f` wrote nothing.
    /// `f` may run more than once (an engine that compares and swaps runs it again over the
    /// newer body), so it only computes. PostgreSQL runs it under the row's lock, so a
    /// document many writers change at once (a shop's stock, a merchant's counter) is not
    /// read, refused and read again by each of them.
    async fn update_doc(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        f: &mut DocChange<'_>,
    ) -> Result<Option<u64>, StoreError>;
    /// Adds `by` to the whole number at `field` of the document `kind`/`key` (counting from
    /// `floor` when it is missing or lower, and creating the document when there is none),
    /// and returns the new number: one atomic step, however many writers count at once. The
    /// body's other fields stay as they are. PostgreSQL does it in one statement, so a number
    /// many writers take at once (a merchant's order numbers) holds no lock between round
    /// trips.
    async fn count_in_doc(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        field: &str,
        by: u64,
        floor: u64,
    ) -> Result<u64, StoreError>;

    // Moving data between engines ([`dump`]).
    /// Calls `sink` with every record (not secrets, not sessions' tokens in the clear: they
    /// never were), in an order that [`Store::import_record`] can replay.
    async fn export_records(
        &self,
        sink: &mut (dyn FnMut(Record) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError>;
    /// Writes one exported record as it was.
    async fn import_record(&self, record: &Record) -> Result<(), StoreError>;
}

/// What [`Store::update_doc`] runs: the stored body (`None` when there is none) to the body to
/// write (`None`: write nothing).
pub type DocChange<'f> =
    dyn for<'a> FnMut(Option<&'a RawValue>) -> Option<Box<RawValue>> + Send + 'f;

/// Changes the document `kind`/`key` of `agency` with `f`, over the latest stored one (`T`'s
/// default when there is none), through [`Store::update_doc`]: no other writer changes it
/// meanwhile (`f` may run again over a newer one). `f` refusing writes nothing.
pub async fn change_doc<T, R, E>(
    store: &dyn Store,
    kind: &str,
    key: &str,
    agency: Ulid,
    mut f: impl FnMut(&mut T) -> Result<R, E> + Send,
) -> Result<R, E>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Default,
    R: Send,
    E: From<StoreError> + Send,
{
    change_raw(store, kind, key, agency, |old| {
        let mut value: T = match old {
            Some(raw) => read_body(kind, raw)?,
            None => T::default(),
        };
        let r = f(&mut value)?;
        Ok((r, write_body(&value)?))
    })
    .await
}

/// [`change_doc`] over the raw stored body, for a body read without copying it (its type
/// borrowing from it): `f` returns its result and the body to write, or an error that writes
/// nothing.
pub async fn change_raw<R, E>(
    store: &dyn Store,
    kind: &str,
    key: &str,
    agency: Ulid,
    mut f: impl FnMut(Option<&RawValue>) -> Result<(R, Box<RawValue>), E> + Send,
) -> Result<R, E>
where
    R: Send,
    E: From<StoreError> + Send,
{
    let mut out: Option<Result<R, E>> = None;
    store
        .update_doc(kind, key, agency, &mut |old| match f(old) {
            Ok((r, body)) => {
                out = Some(Ok(r));
                Some(body)
            }
            Err(e) => {
                out = Some(Err(e));
                None
            }
        })
        .await?;
    out.expect("update_doc runs f at least once")
}

/// A stored body of `kind` read as `T`, which may borrow from it.
pub fn read_body<'a, T: serde::Deserialize<'a>>(
    kind: &str,
    raw: &'a RawValue,
) -> Result<T, StoreError> {
    serde_json::from_str(raw.get()).map_err(|source| StoreError::Decode {
        tree: format!("docs/{kind}"),
        source,
    })
}

/// `value` as a body to store.
pub fn write_body<T: serde::Serialize + ?Sized>(value: &T) -> Result<Box<RawValue>, StoreError> {
    serde_json::value::to_raw_value(value).map_err(StoreError::Encode)
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

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowance_spaces_out_attempts_past_the_free_ones() {
        let rule = Allowance {
            free: 3,
            max_delay: Some(Duration::from_secs(60)),
            first_delay: Duration::from_secs(1),
        };
        let w = Duration::from_secs(900);
        assert_eq!(rule.wait(&[0, 0], w, 0), Duration::ZERO);
        // Third failure at t=10 s: the fourth waits 1 s after it, the fifth 2 s after that.
        assert_eq!(
            rule.wait(&[0, 0, 10_000], w, 10_000),
            Duration::from_secs(1)
        );
        assert_eq!(
            rule.wait(&[0, 0, 10_000, 11_000], w, 11_500),
            Duration::from_millis(1_500)
        );
        // Attempts older than the window no longer count.
        assert_eq!(rule.wait(&[0, 0, 0], w, 900_000), Duration::ZERO);
        let hard = Allowance {
            free: 2,
            max_delay: None,
            first_delay: Duration::ZERO,
        };
        assert_eq!(
            hard.wait(&[1_000, 2_000], w, 3_000),
            Duration::from_millis(898_000)
        );
    }
}
