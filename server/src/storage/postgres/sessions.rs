//! Sessions and the sign-in throttle on PostgreSQL: the throttle counts on the database clock,
//! so every node sees the same window.
use super::{dec, enc, id, PgStore};
use crate::storage::{Attempt, Session, SessionKey, StoreError, ThrottleKey};
use sqlx::Row;
use std::time::Duration;
use ulid::Ulid;

impl PgStore {
    pub(super) async fn save_session(
        &self,
        key: SessionKey,
        session: &Session,
    ) -> Result<(), StoreError> {
        // The session's agency is its user's (a user of no agency has no session to keep).
        sqlx::query(
            "INSERT INTO sessions (agency_id, key, user_id, doc) \
             SELECT agency_id, $1, id, $3 FROM users WHERE id = $2 \
             ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc",
        )
        .bind(&key[..])
        .bind(id(session.user_id))
        .bind(enc(session)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn get_session(&self, key: SessionKey) -> Result<Option<Session>, StoreError> {
        self.doc(
            "sessions",
            "SELECT doc FROM sessions WHERE key = $1",
            key.to_vec(),
        )
        .await
    }

    pub(super) async fn remove_session(&self, key: SessionKey) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE key = $1")
            .bind(&key[..])
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) async fn end_user_sessions(
        &self,
        user: Ulid,
        keep: Option<SessionKey>,
        ended: &(dyn for<'s> Fn(&'s Session) -> bool + Sync),
    ) -> Result<usize, StoreError> {
        let mine = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND key <> $2")
            .bind(id(user))
            .bind(keep.map(|k| k.to_vec()).unwrap_or_default())
            .execute(&self.pool)
            .await?
            .rows_affected() as usize;
        // Sweep anyone's ended sessions.
        let rows = sqlx::query("SELECT key, doc FROM sessions")
            .fetch_all(&self.pool)
            .await?;
        let mut gone: Vec<Vec<u8>> = Vec::new();
        for r in &rows {
            let s: Session = dec("sessions", r.get::<&[u8], _>("doc"))?;
            if ended(&s) {
                gone.push(r.get("key"));
            }
        }
        if !gone.is_empty() {
            sqlx::query("DELETE FROM sessions WHERE key = ANY($1)")
                .bind(&gone)
                .execute(&self.pool)
                .await?;
        }
        Ok(mine)
    }

    pub(super) async fn reserve(
        &self,
        keys: &[ThrottleKey],
        window: Duration,
    ) -> Result<Result<Attempt, Duration>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // One transaction-scoped lock per key, always in the same order: parallel attempts
        // on the same key, from any node, queue here.
        let mut names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in &names {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        let now = PgStore::now_ms(&mut tx).await?;
        let since = now - window.as_millis() as i64;
        let all: Vec<String> = keys.iter().map(|k| k.key.clone()).collect();
        // Attempts past the window count for nobody: swept for every key of this throttle
        // (keys start with its scope, `login:…`), so the table holds one window at most.
        let scope = keys
            .first()
            .and_then(|k| k.key.split(':').next())
            .unwrap_or_default();
        sqlx::query("DELETE FROM throttle_attempts WHERE at_ms <= $1 AND key LIKE $2")
            .bind(since)
            .bind(format!("{scope}:%"))
            .execute(&mut *tx)
            .await?;
        let mut wait = Duration::ZERO;
        for k in keys {
            let times: Vec<i64> = sqlx::query_scalar(
                "SELECT at_ms FROM throttle_attempts WHERE key = $1 ORDER BY at_ms",
            )
            .bind(&k.key)
            .fetch_all(&mut *tx)
            .await?;
            wait = wait.max(k.rule.wait(&times, window, now));
        }
        if !wait.is_zero() {
            tx.rollback().await?;
            return Ok(Err(wait));
        }
        sqlx::query("INSERT INTO throttle_attempts (key, at_ms) SELECT unnest($1::text[]), $2")
            .bind(&all)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(Attempt {
            keys: keys
                .iter()
                .map(|k| (k.key.clone(), k.refund_on_success))
                .collect(),
            at_ms: now,
        }))
    }

    pub(super) async fn succeeded(&self, attempt: &Attempt) -> Result<(), StoreError> {
        for (key, refund) in &attempt.keys {
            if *refund {
                sqlx::query(
                    "DELETE FROM throttle_attempts WHERE ctid IN (SELECT ctid FROM \
                     throttle_attempts WHERE key = $1 AND at_ms = $2 LIMIT 1)",
                )
                .bind(key)
                .bind(attempt.at_ms)
                .execute(&self.pool)
                .await?;
            } else {
                sqlx::query("DELETE FROM throttle_attempts WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }
}
