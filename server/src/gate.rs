//! A bound on heavy work running at once: password checks (argon2id takes ~19 MiB each),
//! image decoding and package builds. A few requests may wait for a slot, briefly; beyond that
//! they are answered "busy, try again" at once, so a burst can neither exhaust memory nor pile
//! up without limit.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub struct Gate {
    running: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// Too much of this work at once: try again in a moment.
#[derive(Debug, PartialEq)]
pub struct Busy;

impl Gate {
    pub fn new(at_once: usize, max_waiting: usize) -> Self {
        Gate {
            running: tokio::sync::Semaphore::new(at_once.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// One at a time per core (at least two), and four times as many waiting.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Gate::new(cores.max(2), cores.max(2) * 4)
    }

    /// Runs `work` (blocking) on a free slot, or refuses when too many already wait.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        let permit = tokio::time::timeout(Duration::from_secs(5), self.running.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let Ok(Ok(_permit)) = permit else {
            return Err(Busy);
        };
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn work_runs_a_bounded_number_at_once_and_a_flood_is_refused() {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::Arc;
        let checks = Arc::new(Gate::new(2, 3));
        let (running, peak, busy) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let open = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (checks, running, peak, busy, open) = (
                    checks.clone(),
                    running.clone(),
                    peak.clone(),
                    busy.clone(),
                    open.clone(),
                );
                tokio::spawn(async move {
                    let r = checks
                        .run(move || {
                            let n = running.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(n, Ordering::SeqCst);
                            // Held until the flood has been answered (bounded: 20 s).
                            for _ in 0..2000 {
                                if open.load(Ordering::SeqCst) {
                                    break;
                                }
                                std::thread::sleep(Duration::from_millis(10));
                            }
                            running.fetch_sub(1, Ordering::SeqCst);
                        })
                        .await;
                    if r.is_err() {
                        busy.fetch_add(1, Ordering::SeqCst);
                    }
                    r
                })
            })
            .collect();
        // Two checks run and three wait: the other fifteen are refused without waiting.
        for _ in 0..2000 {
            if busy.load(Ordering::SeqCst) >= 15 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(busy.load(Ordering::SeqCst), 15);
        open.store(true, Ordering::SeqCst);
        let done = futures_ok(tasks).await;
        assert_eq!(done, 5, "the waiting ones ran once slots were free");
        assert_eq!(
            peak.load(Ordering::SeqCst),
            2,
            "never more than two at once"
        );
    }

    async fn futures_ok(tasks: Vec<tokio::task::JoinHandle<Result<(), Busy>>>) -> usize {
        let mut ok = 0;
        for t in tasks {
            if t.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        ok
    }
}
