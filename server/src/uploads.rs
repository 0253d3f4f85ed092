//! What a merchant may keep uploading: a number of pictures per window (see
//! [`crate::auth::Throttle::uploads`]) and a total size of pictures kept (the quota). When an
//! upload would pass the quota, pictures none of the merchant's drafts uses any more, and that
//! were uploaded over a day ago, are deleted first, oldest first.
//!
//! Two uploads racing for the last room can both fit: the quota can be passed by at most
//! what the image workers hold at once (a few pictures), never without bound.
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
pub fn in_use(store: &Store, merchant: Ulid) -> Result<HashSet<String>, StoreError> {
    let mut hashes = Vec::new();
    for site in crate::sites::merchant_sites(store, merchant)? {
        if let Some(draft) = store.drafts.get(&site.id)? {
            let json = serde_json::to_value(&draft.site).map_err(StoreError::Encode)?;
            crate::storage::schema::media_references(&json, &mut hashes);
        }
    }
    Ok(hashes.into_iter().collect())
}

/// Makes room for a picture of `bytes` bytes with hash `hash` under `quota`, reclaiming unused
/// pictures if needed.
pub fn make_room(
    store: &Store,
    merchant: Ulid,
    hash: &str,
    bytes: u64,
    quota: u64,
) -> Result<Room, StoreError> {
    let mut owned = store.merchant_media_list(merchant)?;
    if owned.iter().any(|m| m.hash == hash) {
        // Already kept: uploading it again takes no room.
        return Ok(Room::Fits { reclaimed: 0 });
    }
    let mut used: u64 = owned.iter().map(|m| m.bytes).sum();
    if used + bytes <= quota {
        return Ok(Room::Fits { reclaimed: 0 });
    }
    let keep = in_use(store, merchant)?;
    let cutoff = now_unix() - UNUSED_GRACE_SECS;
    owned.sort_by_key(|m| m.uploaded_at);
    let mut reclaimed = 0;
    for m in owned {
        if used + bytes <= quota {
            break;
        }
        if m.uploaded_at <= cutoff && !keep.contains(&m.hash) {
            store.forget_media(merchant, &m.hash)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn age(store: &Store, merchant: Ulid, hash: &str, secs: i64) {
        let mut key = crate::storage::tree::ulid_prefix(merchant).to_vec();
        key.extend_from_slice(hash.as_bytes());
        let v = store.media_by_merchant.get(&key).unwrap().unwrap();
        let mut v = v.to_vec();
        v[8..16].copy_from_slice(&(now_unix() - secs).to_be_bytes());
        store.media_by_merchant.insert(key, v).unwrap();
    }

    #[test]
    fn the_quota_counts_a_merchants_pictures_and_reclaims_only_old_unused_ones() {
        let store = Store::temporary().unwrap();
        let (m, other) = (Ulid::new(), Ulid::new());
        let hash = |c: char| c.to_string().repeat(64);
        store.put_media(m, &hash('a'), &[0; 400]).unwrap();
        store.put_media(m, &hash('b'), &[0; 400]).unwrap();
        store.put_media(other, &hash('b'), &[0; 400]).unwrap();
        // 800 of 1000 used: 200 more fit, 201 do not (both pictures are recent).
        assert_eq!(
            make_room(&store, m, &hash('c'), 200, 1000).unwrap(),
            Room::Fits { reclaimed: 0 }
        );
        assert_eq!(
            make_room(&store, m, &hash('c'), 201, 1000).unwrap(),
            Room::Full {
                used: 800,
                quota: 1000
            }
        );
        // A picture already kept fits whatever its size.
        assert_eq!(
            make_room(&store, m, &hash('a'), 5000, 1000).unwrap(),
            Room::Fits { reclaimed: 0 }
        );
        // Once older than the grace period and used by no draft, they are reclaimed, oldest
        // first, only as many as needed.
        age(&store, m, &hash('a'), UNUSED_GRACE_SECS + 20);
        age(&store, m, &hash('b'), UNUSED_GRACE_SECS + 10);
        assert_eq!(
            make_room(&store, m, &hash('c'), 300, 1000).unwrap(),
            Room::Fits { reclaimed: 400 }
        );
        let left: Vec<_> = store
            .merchant_media_list(m)
            .unwrap()
            .into_iter()
            .map(|x| x.hash)
            .collect();
        assert_eq!(left, vec![hash('b')]);
        assert!(
            store.media.get(hash('a').as_bytes()).unwrap().is_none(),
            "deleted"
        );
        // b is another merchant's too: reclaiming it from m keeps the bytes for them.
        assert_eq!(
            make_room(&store, m, &hash('c'), 1000, 1000).unwrap(),
            Room::Fits { reclaimed: 400 }
        );
        assert!(store.merchant_media(other, &hash('b')).unwrap().is_some());
    }
}
