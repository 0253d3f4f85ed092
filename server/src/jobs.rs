//! Background jobs on the store: queued with a dedupe key, claimed with a lease by any node's
//! workers (`--workers N`; 0 makes a web-only node), kept alive by a heartbeat, retried with
//! backoff, and taken over by another node when their worker dies (its lease runs out). Every
//! job is idempotent: a regenerate writes its package at its content address, so running it
//! twice is harmless.
use crate::state::AppState;
use crate::storage::{Job, JobOutcome, NewJob, StoreError};
use app::i18n::Lang;
use app::model::publish::Bilingual;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::task::JoinSet;
use ulid::Ulid;

/// What a job does.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// Build a site's package from its saved draft into the blob store
    /// (`packages/<site>/<sha256>.zip`).
    Regenerate { site_id: Ulid },
    /// Publish a site through its agency's WeChat platform ([`crate::publish`]).
    Publish { site_id: Ulid, run_id: String },
    /// A bulk action on many sites ([`crate::batches`]).
    Batch { batch_id: Ulid },
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Regenerate { .. } => "regenerate",
            Kind::Publish { .. } => "publish",
            Kind::Batch { .. } => "batch",
        }
    }
}

/// How long a claim holds a job without a heartbeat, unless configured otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// How often an idle worker looks for work.
const POLL: Duration = Duration::from_millis(500);

/// Queues `kind` for `agency` (once while one with the same dedupe key is pending).
pub async fn enqueue(
    store: &dyn crate::storage::Store,
    agency: Ulid,
    kind: &Kind,
    dedupe_key: Option<String>,
) -> Result<Ulid, StoreError> {
    store
        .enqueue_job(&NewJob {
            agency_id: agency,
            kind: kind.name().into(),
            payload: serde_json::to_value(kind).map_err(StoreError::Encode)?,
            dedupe_key,
            max_attempts: 5,
        })
        .await
}

/// The wait before try number `attempt + 1`: 2, 4, 8 … seconds, at most five minutes.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(2u64.saturating_pow(attempt.min(8)).min(300))
}

/// A name for this process's workers, unique across nodes and restarts.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        crate::storage::tree::new_id()
    )
}

/// Runs `slots` jobs at a time until the process ends: claims what is due, keeps the claims
/// alive with a heartbeat every third of `lease`, and records each outcome.
pub async fn run_workers(state: AppState, slots: usize, lease: Duration) {
    if slots == 0 {
        return;
    }
    let worker = worker_name();
    tracing::info!(%worker, slots, "job workers started");
    // Stopping the workers (dropping this future) stops the heartbeat too, so their jobs'
    // leases run out and another node takes them over.
    let beat = {
        let (store, worker) = (state.store.clone(), worker.clone());
        AbortOnDrop(tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                if let Err(e) = store.heartbeat(&worker, lease).await {
                    tracing::warn!(error = %e, "job heartbeat failed");
                }
            }
        }))
    };
    let mut running: JoinSet<()> = JoinSet::new();
    loop {
        let free = slots.saturating_sub(running.len());
        let claimed = if free > 0 {
            match state.store.claim_jobs(&worker, free, lease).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming jobs failed");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let idle = claimed.is_empty();
        for job in claimed {
            let (state, worker) = (state.clone(), worker.clone());
            running.spawn(async move {
                let outcome = run_one(&state, &job).await;
                match state.store.finish_job(job.id, &worker, &outcome).await {
                    Ok(true) => {
                        tracing::info!(job = %job.id, kind = %job.kind, ?outcome, "job ended")
                    }
                    Ok(false) => {
                        tracing::warn!(job = %job.id, "job lease lost before it ended")
                    }
                    Err(e) => tracing::error!(job = %job.id, error = %e, "recording a job failed"),
                }
            });
        }
        if idle || running.len() >= slots {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        while running.try_join_next().is_some() {}
        if beat.0.is_finished() {
            return;
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Does one job; its outcome says whether to try again.
pub async fn run_one(state: &AppState, job: &Job) -> JobOutcome {
    let kind: Kind = match serde_json::from_value(job.payload.clone()) {
        Ok(k) => k,
        Err(e) => return JobOutcome::Failed(format!("unreadable job: {e}")),
    };
    match kind {
        Kind::Regenerate { site_id } => regenerate(state, site_id, job.attempts).await,
        Kind::Publish { site_id, run_id } => {
            crate::publish::pipeline::run_job(state, site_id, &run_id, job.attempts).await
        }
        Kind::Batch { batch_id } => crate::batches::run_job(state, batch_id, job.attempts).await,
    }
}

/// Builds the site's package from its saved draft and keeps it at its content address.
async fn regenerate(state: &AppState, site_id: Ulid, attempt: u32) -> JobOutcome {
    match build(state, site_id).await {
        Ok(built) => JobOutcome::Done(serde_json::json!({
            "package": built.key, "bytes": built.bytes, "sha256": built.sha256
        })),
        Err(BuildError::Final(e)) => JobOutcome::Failed(e.en),
        Err(BuildError::Store(e)) => JobOutcome::Retry {
            error: e.to_string(),
            retry_in: backoff(attempt),
        },
    }
}

/// A package kept in the blob store.
pub struct Built {
    pub key: String,
    pub bytes: usize,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The site cannot be built as it is (gone, invalid): trying again will not help.
    #[error("{}", .0.en)]
    Final(Bilingual),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BuildError {
    /// What a report shows, in both languages.
    pub fn text(&self) -> Bilingual {
        match self {
            BuildError::Final(b) => b.clone(),
            BuildError::Store(e) => store_failure(e),
        }
    }
}

/// A storage failure as a report shows it (the detail is for support).
pub fn store_failure(e: impl std::fmt::Display) -> Bilingual {
    Bilingual::new(
        format!("mpforge could not read or save this site; try again. ({e})"),
        format!("mpforge 无法读取或保存该网站,请重试。({e})"),
    )
}

/// Builds the site's package from its saved draft into the blob store.
pub async fn build(state: &AppState, site_id: Ulid) -> Result<Built, BuildError> {
    let store = &*state.store;
    let record = match store.site(site_id).await? {
        Some(r) if r.deleted_at.is_none() => r,
        _ => {
            return Err(BuildError::Final(Bilingual::new(
                "The site no longer exists.",
                "该网站已不存在。",
            )))
        }
    };
    let lang = Lang::En;
    let site = match store.draft(site_id).await? {
        Some(d) => d.site,
        None => crate::sites::starter_draft(&record, lang).site,
    };
    let media = crate::sites::site_media(store, &state.blobs, record.merchant_id, &site).await?;
    let own_api = (record.id, state.wx.public_url.clone());
    let cache = state.media_cache.clone();
    let built = tokio::task::spawn_blocking(move || {
        let package = crate::sites::build_package(&cache, &media, &site, lang, Some(&own_api))?;
        package.to_zip()
    })
    .await;
    let zip = match built {
        Ok(Ok(zip)) => zip,
        Ok(Err(e)) => {
            return Err(BuildError::Final(Bilingual::new(
                e.message(Lang::En),
                e.message(Lang::Zh),
            )))
        }
        Err(_) => {
            return Err(BuildError::Final(Bilingual::new(
                "The build stopped unexpectedly; try again.",
                "生成意外中断,请重试。",
            )))
        }
    };
    use sha2::Digest;
    let sha256 = hex::encode(sha2::Sha256::digest(&zip));
    let key = package_key(site_id, &sha256);
    let bytes = zip.len();
    state.blobs.put(&key, zip).await?;
    Ok(Built { key, bytes, sha256 })
}

/// Where a site's package with content hash `sha256` is kept.
pub fn package_key(site: Ulid, sha256: &str) -> String {
    format!("packages/{site}/{sha256}.zip")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(20), Duration::from_secs(256));
        assert!(backoff(u32::MAX) <= Duration::from_secs(300));
    }
}
