//! Export and import on PostgreSQL: every record in the order an import needs it.
use super::{dec, docs, enc, id, ulid_of, PgStore};
use crate::storage::{Record, SessionKey, Store, StoreError};
use sqlx::Row;

impl PgStore {
    pub(super) async fn export(
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

    pub(super) async fn import(&self, record: &Record) -> Result<(), StoreError> {
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
