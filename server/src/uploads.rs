//! What a merchant may keep uploading: a number of pictures per window (see
//! [`crate::auth::Throttle::uploads`]) and a total size of pictures kept (the quota). When an
//! upload would pass the quota, pictures none of the merchant's drafts uses any more, and that
//! were uploaded over a day ago, are deleted first, oldest first.
//!
//! Two uploads racing for the last room can both fit: the quota can be passed by at most
//! what the image workers hold at once (a few pictures), never without bound.
use crate::storage::blobs::{media_key, Blobs};
use crate::storage::{now_unix, Store, StoreError};
use std::collections::HashSet;
use ulid::Ulid;

/// Pictures a merchant may keep, in bytes, unless configured otherwise.
pub const DEFAULT_QUOTA: u64 = 200 * 1024 * 1024;
/// A picture no draft uses is kept this long before it may be reclaimed: an editor still open
/// can bring it back with undo.
pub const UNUSED_GRACE_SECS: i64 = 24 * 3600;

/// Whether an upload fits.
#[derive(Debug, PartialEq)]
pub enum Room {
    /// It fits (`reclaimed` bytes of unused pictures were deleted to make room).
    Fits { reclaimed: u64 },
    /// It does not, even after reclaiming: `used` of `quota` bytes are in use.
    Full { used: u64, quota: u64 },
}

/// The hashes of every picture `merchant`'s drafts refer to (deleted sites' too: they can
/// still be restored).
pub async fn in_use(store: &dyn Store, merchant: Ulid) -> Result<HashSet<String>, StoreError> {
    let mut hashes = Vec::new();
    for site in store.merchant_sites(merchant).await? {
        if let Some(draft) = store.draft(site.id).await? {
            let json = serde_json::to_value(&draft.site).map_err(StoreError::Encode)?;
            crate::storage::schema::media_references(&json, &mut hashes);
        }
    }
    Ok(hashes.into_iter().collect())
}

/// Makes room for a picture of `bytes` bytes with hash `hash` under `quota`, reclaiming unused
/// pictures if needed.
pub async fn make_room(
    store: &dyn Store,
    blobs: &Blobs,
    merchant: Ulid,
    hash: &str,
    bytes: u64,
    quota: u64,
) -> Result<Room, StoreError> {
    let mut owned = store.merchant_media(merchant).await?;
    if owned.iter().any(|m| m.hash == hash) {
        // Already kept: uploading it again takes no room.
        return Ok(Room::Fits { reclaimed: 0 });
    }
    let mut used: u64 = owned.iter().map(|m| m.bytes).sum();
    if used + bytes <= quota {
        return Ok(Room::Fits { reclaimed: 0 });
    }
    let keep = in_use(store, merchant).await?;
    let cutoff = now_unix() - UNUSED_GRACE_SECS;
    owned.sort_by_key(|m| m.uploaded_at);
    let mut reclaimed = 0;
    for m in owned {
        if used + bytes <= quota {
            break;
        }
        if m.uploaded_at <= cutoff && !keep.contains(&m.hash) {
            forget(store, blobs, merchant, &m.hash).await?;
            used -= m.bytes;
            reclaimed += m.bytes;
        }
    }
    if reclaimed > 0 {
        tracing::info!(%merchant, reclaimed, "unused pictures deleted to make room");
    }
    Ok(if used + bytes <= quota {
        Room::Fits { reclaimed }
    } else {
        Room::Full { used, quota }
    })
}

/// Stores an uploaded picture (once, by its hash) as `merchant`'s.
pub async fn keep(
    store: &dyn Store,
    blobs: &Blobs,
    merchant: Ulid,
    hash: &str,
    bytes: Vec<u8>,
) -> Result<(), StoreError> {
    let size = bytes.len() as u64;
    blobs.put(&media_key(hash), bytes).await?;
    store.add_media(merchant, hash, size, now_unix()).await
}

/// `merchant` no longer keeps `hash`; its bytes go when no merchant keeps it.
pub async fn forget(
    store: &dyn Store,
    blobs: &Blobs,
    merchant: Ulid,
    hash: &str,
) -> Result<(), StoreError> {
    if store.drop_media(merchant, hash).await? {
        blobs.delete(&media_key(hash)).await?;
    }
    Ok(())
}

/// The bytes of picture `hash` if `merchant` keeps it; `None` for anyone else's, as for a
/// missing one.
pub async fn fetch(
    store: &dyn Store,
    blobs: &Blobs,
    merchant: Ulid,
    hash: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    if !store.owns_media(merchant, hash).await? {
        return Ok(None);
    }
    blobs.get(&media_key(hash)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::embedded::SledStore;

    #[tokio::test]
    async fn the_quota_counts_a_merchants_pictures_and_reclaims_only_old_unused_ones() {
        let store = SledStore::temporary().unwrap();
        let blobs = Blobs::in_sled(&store).unwrap();
        let (m, other) = (Ulid::new(), Ulid::new());
        let hash = |c: char| c.to_string().repeat(64);
        let put = |who: Ulid, h: String, age: i64| {
            let (store, blobs) = (&store, &blobs);
            async move {
                blobs.put(&media_key(&h), vec![0; 400]).await.unwrap();
                store
                    .add_media(who, &h, 400, now_unix() - age)
                    .await
                    .unwrap();
            }
        };
        put(m, hash('a'), 0).await;
        put(m, hash('b'), 0).await;
        put(other, hash('b'), 0).await;
        // 800 of 1000 used: 200 more fit, 201 do not (both pictures are recent).
        assert_eq!(
            make_room(&store, &blobs, m, &hash('c'), 200, 1000)
                .await
                .unwrap(),
            Room::Fits { reclaimed: 0 }
        );
        assert_eq!(
            make_room(&store, &blobs, m, &hash('c'), 201, 1000)
                .await
                .unwrap(),
            Room::Full {
                used: 800,
                quota: 1000
            }
        );
        // A picture already kept fits whatever its size.
        assert_eq!(
            make_room(&store, &blobs, m, &hash('a'), 5000, 1000)
                .await
                .unwrap(),
            Room::Fits { reclaimed: 0 }
        );
        // Once older than the grace period and used by no draft, they are reclaimed, oldest
        // first, only as many as needed.
        put(m, hash('a'), UNUSED_GRACE_SECS + 20).await;
        put(m, hash('b'), UNUSED_GRACE_SECS + 10).await;
        assert_eq!(
            make_room(&store, &blobs, m, &hash('c'), 300, 1000)
                .await
                .unwrap(),
            Room::Fits { reclaimed: 400 }
        );
        let left: Vec<_> = store
            .merchant_media(m)
            .await
            .unwrap()
            .into_iter()
            .map(|x| x.hash)
            .collect();
        assert_eq!(left, vec![hash('b')]);
        assert!(
            !blobs.exists(&media_key(&hash('a'))).await.unwrap(),
            "deleted"
        );
        // b is another merchant's too: reclaiming it from m keeps the bytes for them.
        assert_eq!(
            make_room(&store, &blobs, m, &hash('c'), 1000, 1000)
                .await
                .unwrap(),
            Room::Fits { reclaimed: 400 }
        );
        assert!(fetch(&store, &blobs, other, &hash('b'))
            .await
            .unwrap()
            .is_some());
    }
}
