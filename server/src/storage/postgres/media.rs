//! Who may use which picture on PostgreSQL: the `media_owners` table, one row per merchant and hash.
use super::{id, PgStore};
use crate::storage::{OwnedMedia, StoreError};
use sqlx::Row;
use ulid::Ulid;

impl PgStore {
    pub(super) async fn grant_media(
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

    pub(super) async fn media_of(&self, merchant: Ulid) -> Result<Vec<OwnedMedia>, StoreError> {
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

    pub(super) async fn media_owned(&self, merchant: Ulid, hash: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM media_owners WHERE merchant_id = $1 AND hash = $2)",
        )
        .bind(id(merchant))
        .bind(hash)
        .fetch_one(&self.pool)
        .await?)
    }

    pub(super) async fn revoke_media(
        &self,
        merchant: Ulid,
        hash: &str,
    ) -> Result<bool, StoreError> {
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
}
