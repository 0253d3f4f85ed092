//! Background jobs on sled: one tree by id, a dedupe index (agency ++ key -> job id), each
//! claim, lease renewal and outcome a compare-and-swap of the job read.
use super::{decode, dedupe_key, SledStore};
use crate::storage::records::trees::JOBS;
use crate::storage::tree::{encode, ulid_prefix};
use crate::storage::{now_ms, Job, JobOutcome, JobState, NewJob, StoreError};
use sled::transaction::ConflictableTransactionError;
use sled::Transactional;
use std::time::Duration;
use ulid::Ulid;

impl SledStore {
    pub(super) async fn enqueue(&self, new: &NewJob) -> Result<Ulid, StoreError> {
        let job = Job::queued(new);
        let bytes = encode(&job)?;
        let id = (self.jobs.raw(), &self.jobs_by_dedupe).transaction(|(jobs, dedupe)| {
            if let Some(k) = &job.dedupe_key {
                let k = dedupe_key(job.agency_id, k);
                if let Some(held) = dedupe.get(k.as_slice())? {
                    if let Some(existing) = jobs.get(&held)? {
                        let existing: Job =
                            decode(JOBS, &existing).map_err(ConflictableTransactionError::Abort)?;
                        if matches!(existing.state, JobState::Queued | JobState::Running) {
                            return Ok(existing.id);
                        }
                    }
                }
                dedupe.insert(k.as_slice(), &ulid_prefix(job.id)[..])?;
            }
            jobs.insert(&ulid_prefix(job.id), bytes.as_slice())?;
            Ok::<_, ConflictableTransactionError<StoreError>>(job.id)
        })?;
        Ok(id)
    }

    pub(super) async fn claim(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Job>, StoreError> {
        let mut claimed = Vec::new();
        let now = now_ms();
        for item in self.jobs.raw().iter() {
            if claimed.len() >= max {
                break;
            }
            let (key, bytes) = item?;
            let mut job: Job = decode(JOBS, &bytes)?;
            if !job.claimable(now) {
                continue;
            }
            job.claim(worker, now, lease);
            // Claimed only if nobody changed it meanwhile.
            if self
                .jobs
                .raw()
                .compare_and_swap(&key, Some(bytes), Some(encode(&job)?))?
                .is_ok()
            {
                claimed.push(job);
            }
        }
        Ok(claimed)
    }

    pub(super) async fn renew_leases(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<(), StoreError> {
        let until = now_ms() + lease.as_millis() as i64;
        for item in self.jobs.raw().iter() {
            let (key, bytes) = item?;
            let mut job: Job = decode(JOBS, &bytes)?;
            if job.state == JobState::Running && job.worker.as_deref() == Some(worker) {
                job.lease_until_ms = until;
                let _ = self
                    .jobs
                    .raw()
                    .compare_and_swap(&key, Some(bytes), Some(encode(&job)?))?;
            }
        }
        Ok(())
    }

    pub(super) async fn finish(
        &self,
        id: Ulid,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<bool, StoreError> {
        let key = ulid_prefix(id);
        // Read again when the heartbeat renewed the lease in between: the job is still ours.
        loop {
            let Some(bytes) = self.jobs.raw().get(key)? else {
                return Ok(false);
            };
            let mut job: Job = decode(JOBS, &bytes)?;
            if job.state != JobState::Running || job.worker.as_deref() != Some(worker) {
                return Ok(false);
            }
            job.end(outcome, now_ms());
            let written = self
                .jobs
                .raw()
                .compare_and_swap(key, Some(bytes), Some(encode(&job)?))?
                .is_ok();
            if !written {
                continue;
            }
            if matches!(job.state, JobState::Done | JobState::Failed) {
                self.release_dedupe(&job)?;
            }
            return Ok(true);
        }
    }

    pub(super) async fn get_job(&self, id: Ulid) -> Result<Option<Job>, StoreError> {
        self.jobs.get(&id)
    }

    pub(super) async fn jobs_of(&self, agency: Ulid, limit: usize) -> Result<Vec<Job>, StoreError> {
        let mut out = Vec::new();
        for job in self.jobs.raw().iter().rev() {
            let (_, bytes) = job?;
            let job: Job = decode(JOBS, &bytes)?;
            if job.agency_id == agency {
                out.push(job);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Releases a job's dedupe key if it still points at the job.
    fn release_dedupe(&self, job: &Job) -> Result<(), StoreError> {
        if let Some(k) = &job.dedupe_key {
            let _ = self.jobs_by_dedupe.compare_and_swap(
                dedupe_key(job.agency_id, k),
                Some(&ulid_prefix(job.id)[..]),
                None::<&[u8]>,
            )?;
        }
        Ok(())
    }
}
