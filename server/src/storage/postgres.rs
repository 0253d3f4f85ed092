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
mod jobs;
mod media;
mod records;
mod sessions;

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
        self.save_session(key, session).await
    }

    async fn session(&self, key: SessionKey) -> Result<Option<Session>, StoreError> {
        self.get_session(key).await
    }

    async fn delete_session(&self, key: SessionKey) -> Result<(), StoreError> {
        self.remove_session(key).await
    }

    async fn end_sessions(
        &self,
        user: Ulid,
        keep: Option<SessionKey>,
        ended: &(dyn for<'s> Fn(&'s Session) -> bool + Sync),
    ) -> Result<usize, StoreError> {
        self.end_user_sessions(user, keep, ended).await
    }

    async fn reserve_attempt(
        &self,
        keys: &[ThrottleKey],
        window: Duration,
    ) -> Result<Result<Attempt, Duration>, StoreError> {
        self.reserve(keys, window).await
    }

    async fn attempt_succeeded(&self, attempt: &Attempt) -> Result<(), StoreError> {
        self.succeeded(attempt).await
    }

    async fn add_media(
        &self,
        merchant: Ulid,
        hash: &str,
        bytes: u64,
        at: i64,
    ) -> Result<(), StoreError> {
        self.grant_media(merchant, hash, bytes, at).await
    }

    async fn merchant_media(&self, merchant: Ulid) -> Result<Vec<OwnedMedia>, StoreError> {
        self.media_of(merchant).await
    }

    async fn owns_media(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError> {
        self.media_owned(merchant, hash).await
    }

    async fn drop_media(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError> {
        self.revoke_media(merchant, hash).await
    }

    async fn enqueue_job(&self, new: &NewJob) -> Result<Ulid, StoreError> {
        self.enqueue(new).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Job>, StoreError> {
        self.claim(worker, max, lease).await
    }

    async fn heartbeat(&self, worker: &str, lease: Duration) -> Result<(), StoreError> {
        self.renew_leases(worker, lease).await
    }

    async fn finish_job(
        &self,
        job_id: Ulid,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<bool, StoreError> {
        self.finish(job_id, worker, outcome).await
    }

    async fn job(&self, job: Ulid) -> Result<Option<Job>, StoreError> {
        self.get_job(job).await
    }

    async fn agency_jobs(&self, agency: Ulid, limit: usize) -> Result<Vec<Job>, StoreError> {
        self.jobs_of(agency, limit).await
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
        self.export(sink).await
    }

    async fn import_record(&self, record: &Record) -> Result<(), StoreError> {
        self.import(record).await
    }
}
