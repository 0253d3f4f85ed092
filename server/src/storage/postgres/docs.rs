//! Documents on PostgreSQL: one row each in `docs`, its revision in the `rev` column (the one
//! that counts: a body written with "whatever is there" does not know it). A write that expects
//! a revision is one statement; a change ([`PgStore::change_doc`]) holds the row's lock while
//! it computes, so many writers of one document queue instead of retrying.
use super::{dec, enc, id, PgStore};
use crate::storage::{Doc, DocChange, Expect, RawDoc, StoreError};
use sqlx::postgres::PgRow;
use sqlx::Row;
use ulid::Ulid;

/// A `rev, doc` row as the document it holds.
pub(super) fn doc_row(r: &PgRow) -> Result<Doc, StoreError> {
    let mut d: Doc = dec("docs", r.get::<&[u8], _>("doc"))?;
    d.rev = r.get::<i64, _>("rev") as u64;
    Ok(d)
}

impl PgStore {
    pub(super) async fn get_doc(&self, kind: &str, key: &str) -> Result<Option<Doc>, StoreError> {
        sqlx::query("SELECT rev, doc FROM docs WHERE kind = $1 AND key = $2")
            .bind(kind)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| doc_row(&r))
            .transpose()
    }

    pub(super) async fn scan_docs(
        &self,
        kind: &str,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError> {
        sqlx::query(
            "SELECT rev, doc FROM docs WHERE kind = $1 AND starts_with(key, $2) \
             ORDER BY key COLLATE \"C\" LIMIT $3",
        )
        .bind(kind)
        .bind(prefix)
        .bind(limit.min(i64::MAX as usize) as i64)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(doc_row)
        .collect()
    }

    /// One statement: the primary key settles two creators, the `rev` condition two
    /// replacers.
    pub(super) async fn write_doc(&self, doc: &Doc, expect: Expect) -> Result<u64, StoreError> {
        let mut new = doc.clone();
        let sql = match expect {
            Expect::Absent => {
                new.rev = 1;
                "INSERT INTO docs (kind, key, agency_id, rev, doc) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (kind, key) DO NOTHING RETURNING rev"
            }
            Expect::Rev(have) => {
                new.rev = have + 1;
                "UPDATE docs SET agency_id = $3, rev = $4, doc = $5 \
                 WHERE kind = $1 AND key = $2 AND rev = $4 - 1 RETURNING rev"
            }
            Expect::Any => {
                new.rev = 0;
                "INSERT INTO docs (kind, key, agency_id, rev, doc) VALUES ($1, $2, $3, 1, $5) \
                 ON CONFLICT (kind, key) DO UPDATE SET agency_id = EXCLUDED.agency_id, \
                 rev = docs.rev + 1, doc = EXCLUDED.doc WHERE $4 = $4 RETURNING rev"
            }
        };
        let rev: Option<i64> = sqlx::query_scalar(sql)
            .bind(&new.kind)
            .bind(&new.key)
            .bind(id(new.agency_id))
            .bind(new.rev as i64)
            .bind(enc(&new)?)
            .fetch_optional(&self.pool)
            .await?;
        rev.map(|r| r as u64).ok_or(StoreError::Stale)
    }

    pub(super) async fn change_doc(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        f: &mut DocChange<'_>,
    ) -> Result<Option<u64>, StoreError> {
        loop {
            let mut tx = self.pool.begin().await?;
            let row =
                sqlx::query("SELECT rev, doc FROM docs WHERE kind = $1 AND key = $2 FOR UPDATE")
                    .bind(kind)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            let old: Option<RawDoc> = row
                .as_ref()
                .map(|r| RawDoc::parse(r.get::<&[u8], _>("doc")))
                .transpose()?;
            let Some(body) = f(old.as_ref().map(|d| d.body)) else {
                return Ok(None);
            };
            let exists = row.is_some();
            let rev = row.map_or(0, |r| r.get::<i64, _>("rev") as u64) + 1;
            let new = enc(&RawDoc {
                kind: kind.into(),
                key: key.into(),
                agency_id: agency,
                rev,
                body: &body,
            })?;
            // The row is locked when it exists; two creators are settled by the primary key,
            // and the one refused runs `f` again over what the other wrote.
            let sql = if exists {
                "UPDATE docs SET agency_id = $3, rev = $4, doc = $5 WHERE kind = $1 AND key = $2"
            } else {
                "INSERT INTO docs (kind, key, agency_id, rev, doc) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (kind, key) DO NOTHING"
            };
            let written = sqlx::query(sql)
                .bind(kind)
                .bind(key)
                .bind(id(agency))
                .bind(rev as i64)
                .bind(new)
                .execute(&mut *tx)
                .await?;
            if written.rows_affected() == 1 {
                tx.commit().await?;
                return Ok(Some(rev));
            }
        }
    }

    /// One statement: the row is locked only while PostgreSQL adds (the body is JSON text;
    /// `jsonb` reads and writes it there).
    pub(super) async fn count(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        field: &str,
        by: u64,
        floor: u64,
    ) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO docs (kind, key, agency_id, rev, doc) VALUES ($1, $2, $3, 1, \
             convert_to(jsonb_build_object('kind', $1::text, 'key', $2::text, \
             'agency_id', $4::text, 'rev', 1, \
             'body', jsonb_build_object($5::text, $7::bigint + $6::bigint))::text, 'UTF8')) \
             ON CONFLICT (kind, key) DO UPDATE SET rev = docs.rev + 1, \
             doc = convert_to(jsonb_set(convert_from(docs.doc, 'UTF8')::jsonb, \
             ARRAY['body', $5::text], to_jsonb(greatest(coalesce(( \
             convert_from(docs.doc, 'UTF8')::jsonb #>> ARRAY['body', $5::text])::bigint, 0), \
             $7::bigint) + $6::bigint))::text, 'UTF8') \
             RETURNING (convert_from(doc, 'UTF8')::jsonb #>> ARRAY['body', $5::text])::bigint",
        )
        .bind(kind)
        .bind(key)
        .bind(id(agency))
        .bind(agency.to_string())
        .bind(field)
        .bind(by as i64)
        .bind(floor as i64)
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u64)
    }

    pub(super) async fn remove_doc(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM docs WHERE kind = $1 AND key = $2")
            .bind(kind)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Writes an exported document as it was, its revision included.
    pub(super) async fn import_doc(&self, d: &Doc) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO docs (kind, key, agency_id, rev, doc) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&d.kind)
        .bind(&d.key)
        .bind(id(d.agency_id))
        .bind(d.rev as i64)
        .bind(enc(d)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
