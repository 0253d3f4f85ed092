//! The PostgreSQL engine: several mpforge nodes share one database. Runtime queries (building
//! needs no database), a pool, and the versioned SQL files of `server/migrations/` applied on
//! start under an advisory lock (two nodes starting together migrate once). Time-based rules
//! (the throttle, job leases) use the database's clock, the same for every node.
use super::{
    Agency, Attempt, AuditEntry, Counts, Doc, DocChange, Draft, Expect, Job, JobOutcome, Merchant,
    NewJob, OwnedMedia, Record, Session, SessionKey, Site, Store, StoreError, ThrottleKey, User,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, Executor, Postgres, Row, Transaction};
use std::str::FromStr;
use std::time::Duration;
use ulid::Ulid;

mod docs;

/// The schema versions this build knows, in order: `(version, SQL)`.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../migrations/0001_init.sql")),
    (2, include_str!("../../migrations/0002_docs.sql")),
];

/// Any number fixed for mpforge: the advisory lock held while migrating.
const MIGRATION_LOCK: i64 = 0x006d_7066_6f72_6765;

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    describe: String,
}

fn id(u: Ulid) -> Vec<u8> {
    u128::from(u).to_be_bytes().to_vec()
}

fn ulid_of(bytes: &[u8]) -> Ulid {
    Ulid::from(u128::from_be_bytes(bytes.try_into().unwrap_or([0; 16])))
}

fn enc<V: serde::Serialize>(v: &V) -> Result<Vec<u8>, StoreError> {
    super::tree::encode(v)
}

fn dec<V: serde::de::DeserializeOwned>(table: &str, bytes: &[u8]) -> Result<V, StoreError> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Decode {
        tree: table.into(),
        source,
    })
}

/// The database's clock in unix milliseconds.
const NOW_MS: &str = "SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint";

impl PgStore {
    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST:PORT/DB[?sslmode=…]`), then brings
    /// the schema up to date. An unreachable server or a schema newer than this build is an
    /// error naming it.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("`--store` is not a PostgreSQL URL: {e}")))?;
        PgStore::connect_with(options).await
    }

    pub async fn connect_with(options: PgConnectOptions) -> Result<Self, StoreError> {
        let describe = format!(
            "postgres at {}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("postgres")
        );
        // One connection first: an unreachable server or a refused login is said at once, in
        // one line, instead of after the pool's retries.
        let unreachable =
            |e: sqlx::Error| StoreError::Config(format!("cannot reach {describe}: {e}"));
        let probe = tokio::time::timeout(
            Duration::from_secs(10),
            sqlx::postgres::PgConnection::connect_with(&options),
        )
        .await
        .map_err(|_| StoreError::Config(format!("cannot reach {describe}: no answer in 10 s")))?
        .map_err(unreachable)?;
        probe.close().await.map_err(unreachable)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(unreachable)?;
        let store = PgStore { pool, describe };
        store.migrate().await?;
        Ok(store)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies the migrations this database has not seen, once across nodes.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
        let result = async {
            conn.execute(
                "CREATE TABLE IF NOT EXISTS mpforge_schema (version integer PRIMARY KEY, \
                 applied_at timestamptz NOT NULL DEFAULT now())",
            )
            .await?;
            let current: Option<i32> =
                sqlx::query_scalar("SELECT max(version) FROM mpforge_schema")
                    .fetch_one(&mut *conn)
                    .await?;
            let current = current.unwrap_or(0);
            let known = MIGRATIONS.last().map_or(0, |m| m.0);
            if current > known {
                return Err(StoreError::TooNew {
                    found: current as u32,
                    known: known as u32,
                });
            }
            for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
                let mut tx = conn.begin().await?;
                tx.execute(sqlx::raw_sql(*sql))
                    .await
                    .map_err(|e| StoreError::Migrate(format!("migration {version} failed: {e}")))?;
                sqlx::query("INSERT INTO mpforge_schema (version) VALUES ($1)")
                    .bind(version)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                tracing::info!(version, "database schema migrated");
            }
            Ok(())
        }
        .await;
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
        result
    }

    async fn now_ms(tx: &mut Transaction<'_, Postgres>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(NOW_MS).fetch_one(&mut **tx).await?)
    }

    async fn insert_user(
        tx: &mut Transaction<'_, Postgres>,
        user: &User,
    ) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO users (agency_id, id, login, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (login) DO NOTHING",
        )
        .bind(id(user.role.agency_id()))
        .bind(id(user.id))
        .bind(&user.login)
        .bind(enc(user)?)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::LoginTaken);
        }
        Ok(())
    }

    async fn docs<V: serde::de::DeserializeOwned>(
        &self,
        table: &str,
        sql: &'static str,
        key: Vec<u8>,
    ) -> Result<Vec<V>, StoreError> {
        let rows = sqlx::query(sql).bind(key).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| dec(table, r.get::<&[u8], _>("doc")))
            .collect()
    }

    async fn doc<V: serde::de::DeserializeOwned>(
        &self,
        table: &str,
        sql: &'static str,
        key: Vec<u8>,
    ) -> Result<Option<V>, StoreError> {
        let row = sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| dec(table, r.get::<&[u8], _>("doc")))
            .transpose()
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

    async fn insert_job(&self, job: &Job) -> Result<bool, StoreError> {
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

#[async_trait::async_trait]
impl Store for PgStore {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    async fn health(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn flush(&self) -> Result<(), StoreError> {
        // Every statement is committed (and synced, as the server is configured) when it
        // returns.
        Ok(())
    }

    async fn is_empty(&self) -> Result<bool, StoreError> {
        let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users)")
            .fetch_one(&self.pool)
            .await?;
        Ok(!any)
    }

    async fn secret(&self, name: &str) -> Result<[u8; 32], StoreError> {
        use rand::RngCore;
        let key = format!("secret:{name}");
        let mut fresh = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut fresh);
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(&key)
            .bind(&fresh[..])
            .execute(&self.pool)
            .await?;
        let stored: Vec<u8> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(&key)
            .fetch_one(&self.pool)
            .await?;
        stored.try_into().map_err(|_| {
            StoreError::Io(std::io::Error::other(format!(
                "stored secret `{name}` is not 32 bytes"
            )))
        })
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM agencies), (SELECT count(*) FROM users), \
             (SELECT count(*) FROM merchants), (SELECT count(*) FROM sites), \
             (SELECT count(*) FROM drafts), (SELECT count(*) FROM sessions), \
             (SELECT count(*) FROM media_owners), (SELECT count(*) FROM jobs), \
             (SELECT count(*) FROM audit), (SELECT count(*) FROM docs)",
        )
        .fetch_one(&self.pool)
        .await?;
        let names = [
            "agencies",
            "users",
            "merchants",
            "sites",
            "drafts",
            "sessions",
            "media",
            "jobs",
            "audit",
            "docs",
        ];
        Ok(names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), row.get::<i64, _>(i) as u64))
            .collect())
    }

    async fn create_agency(&self, agency: &Agency, admin: &User) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        PgStore::insert_user(&mut tx, admin).await?;
        sqlx::query("INSERT INTO agencies (id, doc) VALUES ($1, $2)")
            .bind(id(agency.id))
            .bind(enc(agency)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn agency(&self, agency: Ulid) -> Result<Option<Agency>, StoreError> {
        self.doc(
            "agencies",
            "SELECT doc FROM agencies WHERE id = $1",
            id(agency),
        )
        .await
    }

    async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        let rows = sqlx::query("SELECT doc FROM agencies ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| dec("agencies", r.get::<&[u8], _>("doc")))
            .collect()
    }

    async fn create_merchant(&self, merchant: &Merchant, user: &User) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        PgStore::insert_user(&mut tx, user).await?;
        sqlx::query("INSERT INTO merchants (agency_id, id, doc) VALUES ($1, $2, $3)")
            .bind(id(merchant.agency_id))
            .bind(id(merchant.id))
            .bind(enc(merchant)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        PgStore::insert_user(&mut tx, user).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn merchant(&self, m: Ulid) -> Result<Option<Merchant>, StoreError> {
        self.doc(
            "merchants",
            "SELECT doc FROM merchants WHERE id = $1",
            id(m),
        )
        .await
    }

    async fn put_merchant(&self, m: &Merchant) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO merchants (agency_id, id, doc) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
        )
        .bind(id(m.agency_id))
        .bind(id(m.id))
        .bind(enc(m)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn agency_merchants(&self, agency: Ulid) -> Result<Vec<Merchant>, StoreError> {
        self.docs(
            "merchants",
            "SELECT doc FROM merchants WHERE agency_id = $1 ORDER BY id",
            id(agency),
        )
        .await
    }

    async fn purge_merchant(&self, m: &Merchant) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let mid = id(m.id);
        for sql in [
            "DELETE FROM drafts WHERE site_id IN (SELECT id FROM sites WHERE merchant_id = $1)",
            "DELETE FROM sites WHERE merchant_id = $1",
            "DELETE FROM media_owners WHERE merchant_id = $1",
            "DELETE FROM merchants WHERE id = $1",
        ] {
            sqlx::query(sql).bind(&mid).execute(&mut *tx).await?;
        }
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(id(m.user_id))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn user(&self, u: Ulid) -> Result<Option<User>, StoreError> {
        self.doc("users", "SELECT doc FROM users WHERE id = $1", id(u))
            .await
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT doc FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| dec("users", r.get::<&[u8], _>("doc")))
            .transpose()
    }

    async fn put_user(&self, user: &User) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET doc = $2 WHERE id = $1")
            .bind(id(user.id))
            .bind(enc(user)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_site(&self, site: &Site, draft: &Draft) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let agency: Vec<u8> = sqlx::query_scalar("SELECT agency_id FROM merchants WHERE id = $1")
            .bind(id(site.merchant_id))
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sites (agency_id, merchant_id, id, doc) VALUES ($1, $2, $3, $4)")
            .bind(&agency)
            .bind(id(site.merchant_id))
            .bind(id(site.id))
            .bind(enc(site)?)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO drafts (agency_id, site_id, version, doc) VALUES ($1, $2, $3, $4)",
        )
        .bind(&agency)
        .bind(id(site.id))
        .bind(draft.version as i64)
        .bind(enc(draft)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn site(&self, s: Ulid) -> Result<Option<Site>, StoreError> {
        self.doc("sites", "SELECT doc FROM sites WHERE id = $1", id(s))
            .await
    }

    async fn put_site(&self, site: &Site) -> Result<(), StoreError> {
        sqlx::query("UPDATE sites SET doc = $2 WHERE id = $1")
            .bind(id(site.id))
            .bind(enc(site)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn merchant_sites(&self, merchant: Ulid) -> Result<Vec<Site>, StoreError> {
        self.docs(
            "sites",
            "SELECT doc FROM sites WHERE merchant_id = $1 ORDER BY id",
            id(merchant),
        )
        .await
    }

    async fn draft(&self, site: Ulid) -> Result<Option<Draft>, StoreError> {
        self.doc(
            "drafts",
            "SELECT doc FROM drafts WHERE site_id = $1",
            id(site),
        )
        .await
    }

    async fn save_draft(
        &self,
        site: Ulid,
        base_version: u64,
        draft: &Draft,
        name: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // The site row is locked first: a save and a rename of one site queue behind each
        // other, and the version check below sees the committed draft.
        let Some(row) = sqlx::query("SELECT agency_id, doc FROM sites WHERE id = $1 FOR UPDATE")
            .bind(id(site))
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Err(StoreError::Stale);
        };
        let agency: Vec<u8> = row.get("agency_id");
        let mut record: Site = dec("sites", row.get::<&[u8], _>("doc"))?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM drafts WHERE site_id = $1")
                .bind(id(site))
                .fetch_optional(&mut *tx)
                .await?;
        if current.unwrap_or(1) as u64 != base_version {
            return Err(StoreError::Stale);
        }
        sqlx::query(
            "INSERT INTO drafts (agency_id, site_id, version, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (site_id) DO UPDATE SET version = EXCLUDED.version, doc = EXCLUDED.doc",
        )
        .bind(&agency)
        .bind(id(site))
        .bind(draft.version as i64)
        .bind(enc(draft)?)
        .execute(&mut *tx)
        .await?;
        if !name.is_empty() {
            record.name = name.to_string();
        }
        record.updated_at = draft.updated_at.clone();
        sqlx::query("UPDATE sites SET doc = $2 WHERE id = $1")
            .bind(id(site))
            .bind(enc(&record)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn purge_site(&self, site: &Site) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM drafts WHERE site_id = $1",
            "DELETE FROM sites WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id(site.id)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn put_session(&self, key: SessionKey, session: &Session) -> Result<(), StoreError> {
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

    async fn session(&self, key: SessionKey) -> Result<Option<Session>, StoreError> {
        self.doc(
            "sessions",
            "SELECT doc FROM sessions WHERE key = $1",
            key.to_vec(),
        )
        .await
    }

    async fn delete_session(&self, key: SessionKey) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE key = $1")
            .bind(&key[..])
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn end_sessions(
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

    async fn reserve_attempt(
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

    async fn attempt_succeeded(&self, attempt: &Attempt) -> Result<(), StoreError> {
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

    async fn add_media(
        &self,
        merchant: Ulid,
        hash: &str,
        bytes: u64,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO media_owners (agency_id, merchant_id, hash, bytes, uploaded_at) \
             SELECT agency_id, id, $2, $3, $4 FROM merchants WHERE id = $1 \
             ON CONFLICT (merchant_id, hash) DO UPDATE SET bytes = EXCLUDED.bytes, \
             uploaded_at = EXCLUDED.uploaded_at",
        )
        .bind(id(merchant))
        .bind(hash)
        .bind(bytes as i64)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn merchant_media(&self, merchant: Ulid) -> Result<Vec<OwnedMedia>, StoreError> {
        let rows = sqlx::query(
            "SELECT hash, bytes, uploaded_at FROM media_owners WHERE merchant_id = $1 \
             ORDER BY hash",
        )
        .bind(id(merchant))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| OwnedMedia {
                hash: r.get("hash"),
                bytes: r.get::<i64, _>("bytes") as u64,
                uploaded_at: r.get("uploaded_at"),
            })
            .collect())
    }

    async fn owns_media(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM media_owners WHERE merchant_id = $1 AND hash = $2)",
        )
        .bind(id(merchant))
        .bind(hash)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn drop_media(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError> {
        sqlx::query("DELETE FROM media_owners WHERE merchant_id = $1 AND hash = $2")
            .bind(id(merchant))
            .bind(hash)
            .execute(&self.pool)
            .await?;
        let kept: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM media_owners WHERE hash = $1)")
                .bind(hash)
                .fetch_one(&self.pool)
                .await?;
        Ok(!kept)
    }

    async fn enqueue_job(&self, new: &NewJob) -> Result<Ulid, StoreError> {
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

    async fn claim_jobs(
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

    async fn heartbeat(&self, worker: &str, lease: Duration) -> Result<(), StoreError> {
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

    async fn finish_job(
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

    async fn job(&self, job: Ulid) -> Result<Option<Job>, StoreError> {
        self.doc("jobs", "SELECT doc FROM jobs WHERE id = $1", id(job))
            .await
    }

    async fn agency_jobs(&self, agency: Ulid, limit: usize) -> Result<Vec<Job>, StoreError> {
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

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO audit (agency_id, id, doc) VALUES ($1, $2, $3)")
            .bind(id(entry.agency_id))
            .bind(id(entry.id))
            .bind(enc(entry)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn agency_audit(
        &self,
        agency: Ulid,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows =
            sqlx::query("SELECT doc FROM audit WHERE agency_id = $1 ORDER BY id DESC LIMIT $2")
                .bind(id(agency))
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| dec("audit", r.get::<&[u8], _>("doc")))
            .collect()
    }

    async fn count_in_doc(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        field: &str,
        by: u64,
        floor: u64,
    ) -> Result<u64, StoreError> {
        self.count(kind, key, agency, field, by, floor).await
    }

    async fn doc(&self, kind: &str, key: &str) -> Result<Option<Doc>, StoreError> {
        self.get_doc(kind, key).await
    }

    async fn docs(&self, kind: &str, prefix: &str, limit: usize) -> Result<Vec<Doc>, StoreError> {
        self.scan_docs(kind, prefix, limit).await
    }

    async fn put_doc(&self, doc: &Doc, expect: Expect) -> Result<u64, StoreError> {
        self.write_doc(doc, expect).await
    }

    async fn delete_doc(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        self.remove_doc(kind, key).await
    }

    async fn update_doc(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        f: &mut DocChange<'_>,
    ) -> Result<Option<u64>, StoreError> {
        self.change_doc(kind, key, agency, f).await
    }

    async fn export_records(
        &self,
        sink: &mut (dyn FnMut(Record) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        use futures::TryStreamExt;
        macro_rules! each {
            ($sql:literal, |$r:ident| $make:expr) => {{
                let mut rows = sqlx::query($sql).fetch(&self.pool);
                while let Some($r) = rows.try_next().await? {
                    sink($make)?;
                }
            }};
        }
        each!("SELECT doc FROM agencies ORDER BY id", |r| Record::Agency(
            dec("agencies", r.get::<&[u8], _>("doc"))?
        ));
        each!("SELECT doc FROM users ORDER BY id", |r| Record::User(dec(
            "users",
            r.get::<&[u8], _>("doc")
        )?));
        each!("SELECT doc FROM merchants ORDER BY id", |r| {
            Record::Merchant(dec("merchants", r.get::<&[u8], _>("doc"))?)
        });
        each!("SELECT doc FROM sites ORDER BY id", |r| Record::Site(dec(
            "sites",
            r.get::<&[u8], _>("doc")
        )?));
        each!("SELECT site_id, doc FROM drafts ORDER BY site_id", |r| {
            Record::Draft {
                site_id: ulid_of(r.get::<&[u8], _>("site_id")),
                draft: Box::new(dec("drafts", r.get::<&[u8], _>("doc"))?),
            }
        });
        each!("SELECT key, doc FROM sessions ORDER BY key", |r| {
            Record::Session {
                key: hex::encode(r.get::<&[u8], _>("key")),
                session: dec("sessions", r.get::<&[u8], _>("doc"))?,
            }
        });
        each!(
            "SELECT merchant_id, hash, bytes, uploaded_at FROM media_owners \
             ORDER BY merchant_id, hash",
            |r| Record::Media {
                merchant_id: ulid_of(r.get::<&[u8], _>("merchant_id")),
                hash: r.get("hash"),
                bytes: r.get::<i64, _>("bytes") as u64,
                uploaded_at: r.get("uploaded_at"),
            }
        );
        each!("SELECT doc FROM jobs ORDER BY id", |r| Record::Job(dec(
            "jobs",
            r.get::<&[u8], _>("doc")
        )?));
        each!("SELECT doc FROM audit ORDER BY agency_id, id", |r| {
            Record::Audit(dec("audit", r.get::<&[u8], _>("doc"))?)
        });
        each!("SELECT rev, doc FROM docs ORDER BY kind, key", |r| {
            Record::Doc(docs::doc_row(&r)?)
        });
        Ok(())
    }

    async fn import_record(&self, record: &Record) -> Result<(), StoreError> {
        match record {
            Record::Agency(a) => {
                sqlx::query("INSERT INTO agencies (id, doc) VALUES ($1, $2)")
                    .bind(id(a.id))
                    .bind(enc(a)?)
                    .execute(&self.pool)
                    .await?;
            }
            Record::User(u) => {
                let mut tx = self.pool.begin().await?;
                PgStore::insert_user(&mut tx, u).await?;
                tx.commit().await?;
            }
            Record::Merchant(m) => self.put_merchant(m).await?,
            Record::Site(s) => {
                sqlx::query(
                    "INSERT INTO sites (agency_id, merchant_id, id, doc) \
                     SELECT agency_id, id, $2, $3 FROM merchants WHERE id = $1",
                )
                .bind(id(s.merchant_id))
                .bind(id(s.id))
                .bind(enc(s)?)
                .execute(&self.pool)
                .await?;
            }
            Record::Draft { site_id, draft } => {
                sqlx::query(
                    "INSERT INTO drafts (agency_id, site_id, version, doc) \
                     SELECT agency_id, id, $2, $3 FROM sites WHERE id = $1",
                )
                .bind(id(*site_id))
                .bind(draft.version as i64)
                .bind(enc(draft)?)
                .execute(&self.pool)
                .await?;
            }
            Record::Session { key, session } => {
                let key: SessionKey = hex::decode(key)
                    .ok()
                    .and_then(|k| k.try_into().ok())
                    .ok_or_else(|| StoreError::Import {
                        line: 0,
                        message: "a session key is not 32 bytes of hex".into(),
                    })?;
                self.put_session(key, session).await?;
            }
            Record::Media {
                merchant_id,
                hash,
                bytes,
                uploaded_at,
            } => {
                self.add_media(*merchant_id, hash, *bytes, *uploaded_at)
                    .await?
            }
            Record::Job(j) => {
                self.insert_job(j).await?;
            }
            Record::Audit(e) => self.append_audit(e).await?,
            Record::Doc(d) => self.import_doc(d).await?,
        }
        Ok(())
    }
}
