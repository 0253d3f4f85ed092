//! The stored data's layout version and the migrations that bring an older data directory up
//! to it, run when the database is opened.
use super::tree::{encode, StoreError};
use std::path::Path;

/// The data layout this build writes. Bump it and add a [`Migration`] when records change shape.
pub const SCHEMA_VERSION: u32 = 2;

/// Moves data written by schema `from` to `from + 1`.
pub struct Migration {
    pub from: u32,
    pub describe: &'static str,
    pub run: fn(&sled::Db) -> Result<(), StoreError>,
}

/// Ordered by `from`; run in sequence on open.
pub static MIGRATIONS: &[Migration] = &[Migration {
    from: 1,
    describe: "give every uploaded image an owner: the merchants whose drafts use it",
    run: media_owners_from_drafts,
}];

/// 1 → 2: images were shared by hash; each now belongs to the merchants whose sites use it.
fn media_owners_from_drafts(db: &sled::Db) -> Result<(), StoreError> {
    use super::records::{trees, Draft, Site};
    let drafts = db.open_tree(trees::DRAFTS)?;
    let sites = db.open_tree(trees::SITES)?;
    let owners = db.open_tree(trees::MEDIA_BY_MERCHANT)?;
    let media = db.open_tree(trees::MEDIA)?;
    for item in drafts.iter() {
        let (site_key, value) = item?;
        let Some(site) = sites.get(&site_key)? else {
            continue;
        };
        let decode = |tree: &str, source| StoreError::Decode {
            tree: tree.into(),
            source,
        };
        let site: Site = serde_json::from_slice(&site).map_err(|e| decode(trees::SITES, e))?;
        let draft: Draft = serde_json::from_slice(&value).map_err(|e| decode(trees::DRAFTS, e))?;
        let json = serde_json::to_value(&draft.site).map_err(StoreError::Encode)?;
        let mut hashes = Vec::new();
        media_references(&json, &mut hashes);
        for hash in hashes {
            if media.contains_key(hash.as_bytes())? {
                let mut k = super::tree::ulid_prefix(site.merchant_id).to_vec();
                k.extend_from_slice(hash.as_bytes());
                owners.insert(k, &[])?;
            }
        }
    }
    Ok(())
}

/// Every `media/<hash>` string anywhere in `v`.
pub(crate) fn media_references(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => {
            if let Some(h) = s.strip_prefix("media/") {
                out.push(h.to_string());
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| media_references(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| media_references(x, out)),
        _ => {}
    }
}

pub(super) const META: &str = "meta";
const SCHEMA_KEY: &[u8] = b"schema_version";

/// How long opening waits for the database's lock: sled lets it go when the last of its
/// threads holding the database ends, which can be a moment after the store is dropped (a
/// store reopened in the same process). Another process keeping it is still refused, after
/// this wait.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Opens (or creates) the database and brings it to [`SCHEMA_VERSION`].
pub fn open_db(path: &Path) -> Result<sled::Db, StoreError> {
    let config = sled::Config::new()
        .path(path)
        .mode(sled::Mode::HighThroughput);
    let started = std::time::Instant::now();
    let db = loop {
        match config.open() {
            Ok(db) => break db,
            // sled says so only in its message (`Config::open`).
            Err(sled::Error::Io(e))
                if e.to_string().starts_with("could not acquire lock")
                    && started.elapsed() < LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    };
    migrate(&db)?;
    Ok(db)
}

/// A throwaway database for tests.
pub fn temporary_db() -> Result<sled::Db, StoreError> {
    let db = sled::Config::new().temporary(true).open()?;
    migrate(&db)?;
    Ok(db)
}

pub fn schema_version(db: &sled::Db) -> Result<Option<u32>, StoreError> {
    let meta = db.open_tree(META)?;
    Ok(match meta.get(SCHEMA_KEY)? {
        Some(v) => Some(
            serde_json::from_slice(&v).map_err(|source| StoreError::Decode {
                tree: META.into(),
                source,
            })?,
        ),
        None => None,
    })
}

pub(super) fn set_schema_version(db: &sled::Db, v: u32) -> Result<(), StoreError> {
    db.open_tree(META)?.insert(SCHEMA_KEY, encode(&v)?)?;
    Ok(())
}

/// True when no entity tree holds anything (a fresh data directory).
/// Puts a data directory back to an older schema, to test a migration.
#[cfg(test)]
pub(crate) fn set_schema_version_for_test(db: &sled::Db, v: u32) {
    set_schema_version(db, v).unwrap();
}

pub fn is_empty(db: &sled::Db) -> Result<bool, StoreError> {
    for name in data_tree_names(db) {
        if !db.open_tree(&name)?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

pub(super) fn data_tree_names(db: &sled::Db) -> Vec<Vec<u8>> {
    db.tree_names()
        .into_iter()
        .filter(|n| n.as_ref() != b"__sled__default" && n.as_ref() != META.as_bytes())
        .map(|n| n.to_vec())
        .collect()
}

pub fn migrate(db: &sled::Db) -> Result<(), StoreError> {
    run_migrations(db, MIGRATIONS)
}

fn run_migrations(db: &sled::Db, migrations: &[Migration]) -> Result<(), StoreError> {
    let mut version = match schema_version(db)? {
        Some(v) => v,
        None => {
            set_schema_version(db, SCHEMA_VERSION)?;
            return Ok(());
        }
    };
    let target = migrations
        .iter()
        .map(|m| m.from + 1)
        .max()
        .unwrap_or(SCHEMA_VERSION)
        .max(SCHEMA_VERSION);
    if version > target {
        return Err(StoreError::TooNew {
            found: version,
            known: target,
        });
    }
    while version < target {
        let m = migrations
            .iter()
            .find(|m| m.from == version)
            .ok_or(StoreError::NoMigration(version))?;
        tracing::info!(
            from = version,
            to = version + 1,
            "migrating data: {}",
            m.describe
        );
        (m.run)(db)?;
        version += 1;
        set_schema_version(db, version)?;
    }
    db.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database let go a moment after its store is dropped opens again; one still held is
    /// refused, naming the lock, once the wait is over.
    #[test]
    fn a_database_let_go_opens_again_and_one_still_held_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = open_db(dir.path()).unwrap();
        let refused = open_db(dir.path()).unwrap_err();
        assert!(
            refused.to_string().contains("could not acquire lock"),
            "{refused}"
        );
        // Let go from another thread a little later, as sled's own threads do.
        let letting_go = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            drop(first);
        });
        let again = open_db(dir.path()).unwrap();
        letting_go.join().unwrap();
        assert_eq!(schema_version(&again).unwrap(), Some(SCHEMA_VERSION));
    }

    #[test]
    fn fresh_db_gets_current_schema_and_newer_is_refused() {
        let db = temporary_db().unwrap();
        assert_eq!(schema_version(&db).unwrap(), Some(SCHEMA_VERSION));
        set_schema_version(&db, SCHEMA_VERSION + 5).unwrap();
        assert!(matches!(migrate(&db), Err(StoreError::TooNew { .. })));
    }

    #[test]
    fn migrations_run_in_order_and_record_the_version() {
        fn rename(db: &sled::Db) -> Result<(), StoreError> {
            let t = db.open_tree("things")?;
            t.insert("migrated", encode(&true)?)?;
            Ok(())
        }
        let db = sled::Config::new().temporary(true).open().unwrap();
        set_schema_version(&db, SCHEMA_VERSION).unwrap();
        let steps = [Migration {
            from: SCHEMA_VERSION,
            describe: "test step",
            run: rename,
        }];
        run_migrations(&db, &steps).unwrap();
        assert_eq!(schema_version(&db).unwrap(), Some(SCHEMA_VERSION + 1));
        assert!(db
            .open_tree("things")
            .unwrap()
            .get("migrated")
            .unwrap()
            .is_some());
        // A gap with no migration is an error, not a silent skip.
        set_schema_version(&db, SCHEMA_VERSION - 1).unwrap();
        assert!(matches!(
            run_migrations(&db, &steps),
            Err(StoreError::NoMigration(_))
        ));
    }
}
