//! Background jobs on PostgreSQL: the `jobs` table, claimed with `FOR UPDATE SKIP LOCKED`, leases
//! and outcomes on the database clock.
use super::{dec, enc, id, ulid_of, PgStore};
use crate::storage::{Job, JobOutcome, NewJob, StoreError};
use sqlx::{Postgres, Row, Transaction};
use std::time::Duration;
use ulid::Ulid;

impl PgStore {
    pub(super) async fn enqueue(&self, new: &NewJob) -> Result<Ulid, StoreError> {
        for _ in 0..3 {
            let job = Job::queued(new);
            if self.insert_job(&job).await? {
                return Ok(job.id);
            }
            let held: Option<Vec<u8>> = sqlx::query_scalar(
                "SELECT id FROM jobs WHERE agency_id = $1 AND dedupe_key = $2 \
                 AND state IN ('queued', 'running')",
            )
            .bind(id(new.agency_id))
            .bind(&new.dedupe_key)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(held) = held {
                return Ok(ulid_of(&held));
            }
            // The holder finished between the two statements: queue again.
        }
        Err(StoreError::Migrate("could not queue the job".into()))
    }

    pub(super) async fn claim(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Job>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let now = PgStore::now_ms(&mut tx).await?;
        let rows = sqlx::query(
            "SELECT doc FROM jobs WHERE (state = 'queued' AND run_at_ms <= $1) \
             OR (state = 'running' AND lease_until_ms <= $1) \
             ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
        )
        .bind(now)
        .bind(max as i64)
        .fetch_all(&mut *tx)
        .await?;
        let mut claimed = Vec::new();
        for r in &rows {
            let mut job: Job = dec("jobs", r.get::<&[u8], _>("doc"))?;
            job.claim(worker, now, lease);
            PgStore::write_job(&mut tx, &job).await?;
            claimed.push(job);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    pub(super) async fn renew_leases(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let now = PgStore::now_ms(&mut tx).await?;
        let rows =
            sqlx::query("SELECT doc FROM jobs WHERE state = 'running' AND worker = $1 FOR UPDATE")
                .bind(worker)
                .fetch_all(&mut *tx)
                .await?;
        for r in &rows {
            let mut job: Job = dec("jobs", r.get::<&[u8], _>("doc"))?;
            job.lease_until_ms = now + lease.as_millis() as i64;
            PgStore::write_job(&mut tx, &job).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn finish(
        &self,
        job_id: Ulid,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let now = PgStore::now_ms(&mut tx).await?;
        let Some(row) = sqlx::query(
            "SELECT doc FROM jobs WHERE id = $1 AND state = 'running' AND worker = $2 FOR UPDATE",
        )
        .bind(id(job_id))
        .bind(worker)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let mut job: Job = dec("jobs", row.get::<&[u8], _>("doc"))?;
        job.end(outcome, now);
        PgStore::write_job(&mut tx, &job).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn get_job(&self, job: Ulid) -> Result<Option<Job>, StoreError> {
        self.doc("jobs", "SELECT doc FROM jobs WHERE id = $1", id(job))
            .await
    }

    pub(super) async fn jobs_of(&self, agency: Ulid, limit: usize) -> Result<Vec<Job>, StoreError> {
        let rows =
            sqlx::query("SELECT doc FROM jobs WHERE agency_id = $1 ORDER BY id DESC LIMIT $2")
                .bind(id(agency))
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| dec("jobs", r.get::<&[u8], _>("doc")))
            .collect()
    }

    async fn write_job(tx: &mut Transaction<'_, Postgres>, job: &Job) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET state = $2, run_at_ms = $3, lease_until_ms = $4, worker = $5, \
             doc = $6 WHERE id = $1",
        )
        .bind(id(job.id))
        .bind(job.state.name())
        .bind(job.run_at_ms)
        .bind(job.lease_until_ms)
        .bind(&job.worker)
        .bind(enc(job)?)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(super) async fn insert_job(&self, job: &Job) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO jobs (agency_id, id, state, run_at_ms, lease_until_ms, worker, \
             dedupe_key, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(id(job.agency_id))
        .bind(id(job.id))
        .bind(job.state.name())
        .bind(job.run_at_ms)
        .bind(job.lease_until_ms)
        .bind(&job.worker)
        .bind(&job.dedupe_key)
        .bind(enc(job)?)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
