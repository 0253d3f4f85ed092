//! The job queue's contract: claims, leases, retries, take-overs, and outcomes under heartbeats.
use super::*;

pub(super) fn new_job(agency: Ulid, dedupe: Option<&str>) -> NewJob {
    NewJob {
        agency_id: agency,
        kind: "regenerate".into(),
        payload: serde_json::json!({"kind": "regenerate", "site_id": Ulid::new()}),
        dedupe_key: dedupe.map(String::from),
        max_attempts: 2,
    }
}

contract!(
    jobs_are_claimed_once_leased_retried_and_taken_over,
    |store| {
        let a = Ulid::new();
        // Dedupe: a pending job with the same key is the same job; another agency's is not.
        let first = store.enqueue_job(&new_job(a, Some("k"))).await.unwrap();
        assert_eq!(
            store.enqueue_job(&new_job(a, Some("k"))).await.unwrap(),
            first
        );
        let elsewhere = store
            .enqueue_job(&new_job(Ulid::new(), Some("k")))
            .await
            .unwrap();
        assert_ne!(elsewhere, first);
        for _ in 0..5 {
            store.enqueue_job(&new_job(a, None)).await.unwrap();
        }
        // Two workers at once: disjoint claims covering everything.
        let lease = Duration::from_secs(60);
        let (s1, s2) = (store.clone(), store.clone());
        let (c1, c2) = tokio::join!(
            async move { s1.claim_jobs("w1", 4, lease).await.unwrap() },
            async move { s2.claim_jobs("w2", 4, lease).await.unwrap() }
        );
        let mut ids: Vec<Ulid> = c1.iter().chain(&c2).map(|j| j.id).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!((n, ids.len()), (7, 7), "every job once");
        assert!(c1
            .iter()
            .all(|j| j.state == JobState::Running && j.attempts == 1));
        assert!(store.claim_jobs("w3", 10, lease).await.unwrap().is_empty());
        // A finish by a worker that does not hold the job is refused.
        let job = c1.iter().find(|j| j.id != first).unwrap().id;
        assert!(!store
            .finish_job(job, "w2", &JobOutcome::Done(serde_json::json!(1)))
            .await
            .unwrap());
        // Retry: back in the queue after its backoff, not before.
        assert!(store
            .finish_job(
                job,
                "w1",
                &JobOutcome::Retry {
                    error: "busy".into(),
                    retry_in: Duration::from_secs(3600),
                },
            )
            .await
            .unwrap());
        let retried = store.job(job).await.unwrap().unwrap();
        assert_eq!(
            (retried.state, retried.last_error.as_deref()),
            (JobState::Queued, Some("busy"))
        );
        assert!(store.claim_jobs("w3", 10, lease).await.unwrap().is_empty());
        // A worker that stops beating loses its jobs to another once the lease runs out.
        let short = Duration::from_millis(1);
        let held = store.claim_jobs("w4", 1, short).await.unwrap();
        assert!(held.is_empty(), "the retried job is not due yet");
        store.heartbeat("w2", short).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let taken = store.claim_jobs("w5", 10, lease).await.unwrap();
        assert_eq!(taken.len(), c2.len(), "w2's jobs, and only those");
        assert!(taken
            .iter()
            .all(|j| j.attempts == 2 && j.worker.as_deref() == Some("w5")));
        let lost = taken.iter().find(|j| j.id != first).unwrap().id;
        assert!(!store
            .finish_job(lost, "w2", &JobOutcome::Failed("late".into()))
            .await
            .unwrap());
        // Out of attempts: a retry fails for good.
        assert!(store
            .finish_job(
                lost,
                "w5",
                &JobOutcome::Retry {
                    error: "again".into(),
                    retry_in: Duration::ZERO,
                },
            )
            .await
            .unwrap());
        assert_eq!(
            store.job(lost).await.unwrap().unwrap().state,
            JobState::Failed
        );
        // Done: the dedupe key is free again.
        let keyed = c1
            .iter()
            .chain(&c2)
            .find(|j| j.id == first)
            .map(|j| j.worker.clone().unwrap())
            .unwrap();
        let holder = if keyed == "w2" { "w5" } else { "w1" };
        assert!(store
            .finish_job(
                first,
                holder,
                &JobOutcome::Done(serde_json::json!({"ok": true}))
            )
            .await
            .unwrap());
        let done = store.job(first).await.unwrap().unwrap();
        assert_eq!(done.state, JobState::Done);
        assert_eq!(done.result, Some(serde_json::json!({"ok": true})));
        assert_ne!(
            store.enqueue_job(&new_job(a, Some("k"))).await.unwrap(),
            first
        );
        let listed = store.agency_jobs(a, 100).await.unwrap();
        assert_eq!(listed.len(), 7);
        assert!(listed.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    }
);

contract!(
    a_heartbeat_at_the_same_moment_never_loses_how_a_job_ended,
    |store| {
        let a = Ulid::new();
        for _ in 0..100 {
            store.enqueue_job(&new_job(a, None)).await.unwrap();
        }
        let lease = Duration::from_secs(60);
        let jobs = store.claim_jobs("w1", 100, lease).await.unwrap();
        assert_eq!(jobs.len(), 100);
        // The worker's heartbeat renews its leases while it records outcomes, as it does in
        // production: every outcome is recorded all the same.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let beat = {
            let (store, stop) = (store.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    store.heartbeat("w1", lease).await.unwrap();
                    tokio::task::yield_now().await;
                }
            })
        };
        for job in &jobs {
            let outcome = JobOutcome::Retry {
                error: "busy".into(),
                retry_in: Duration::from_secs(3600),
            };
            assert!(store.finish_job(job.id, "w1", &outcome).await.unwrap());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        beat.await.unwrap();
        for job in &jobs {
            let now = store.job(job.id).await.unwrap().unwrap();
            assert_eq!((now.state, now.worker), (JobState::Queued, None));
        }
    }
);
