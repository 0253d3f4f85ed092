//! Flushing the embedded store with many writers at once (see [`GroupFlush`]).
use super::StoreError;

/// Flushes one at a time, each covering every write made before it was asked for. sled's
/// `flush_async` asked for by many tasks at once fills its IO thread pool with flushes that
/// wait for a log write needing a thread of that same pool: 64 concurrent orders stalled it for
/// good. One flush at a time never does, and serves everyone who asked while it waited.
#[derive(Default)]
pub(crate) struct GroupFlush {
    asked: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
    one: tokio::sync::Mutex<()>,
}

impl GroupFlush {
    pub(crate) async fn flush(&self, db: &sled::Db) -> Result<(), StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        // Every write of the caller happened before this ticket.
        let ticket = self.asked.fetch_add(1, SeqCst) + 1;
        let _one = self.one.lock().await;
        if self.done.load(SeqCst) >= ticket {
            return Ok(());
        }
        // This flush covers every ticket handed out so far.
        let covers = self.asked.load(SeqCst);
        db.flush_async().await?;
        self.done.store(covers, SeqCst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Bounded: a stall ends the test binary in failure after two minutes instead of hanging
    /// the suite. Without `GroupFlush` (plain `flush_async` from every writer) it stalls.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sixty_four_writers_flushing_at_once_all_finish_and_their_writes_are_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let flushes = Arc::new(GroupFlush::default());
        let tasks: Vec<_> = (0..64u32)
            .map(|i| {
                let (db, flushes) = (db.clone(), flushes.clone());
                tokio::spawn(async move {
                    for n in 0..20u32 {
                        db.insert(format!("k{i}-{n}"), vec![7u8; 512]).unwrap();
                        flushes.flush(&db).await.unwrap();
                    }
                })
            })
            .collect();
        let all = futures::future::join_all(tasks);
        let finished = tokio::time::timeout(std::time::Duration::from_secs(120), all).await;
        if finished.is_err() {
            // Stalled sled threads would hang the test binary's exit too: end it here.
            eprintln!("the flushes stalled");
            std::process::exit(101);
        }
        drop(db);
        let again = sled::Config::new().path(dir.path()).open().unwrap();
        assert_eq!(again.len(), 64 * 20);
    }
}
