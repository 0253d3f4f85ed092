//! Embedded storage on sled: a typed tree per entity, a schema version with migrations, and a
//! JSON-lines dump/restore of everything.
//!
//! Values are JSON (readable in a dump, tolerant of added fields). Keys are big-endian bytes
//! (ULIDs as 16 bytes) so a tree iterates in creation order.
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::marker::PhantomData;
use std::path::Path;
use ulid::Ulid;

/// The data layout this build writes. Bump it and add a [`Migration`] when records change shape.
pub const SCHEMA_VERSION: u32 = 1;

/// Moves data written by schema `from` to `from + 1`.
pub struct Migration {
    pub from: u32,
    pub describe: &'static str,
    pub run: fn(&sled::Db) -> Result<(), StoreError>,
}

/// Ordered by `from`; run in sequence on open.
pub static MIGRATIONS: &[Migration] = &[];

const META: &str = "meta";
const SCHEMA_KEY: &[u8] = b"schema_version";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    #[error("stored record in `{tree}` is unreadable: {source}")]
    Decode {
        tree: String,
        source: serde_json::Error,
    },
    #[error("could not encode record: {0}")]
    Encode(serde_json::Error),
    #[error("the data directory was written by a newer mpforge (schema {found}, this build knows {known}); upgrade mpforge")]
    TooNew { found: u32, known: u32 },
    #[error("no migration from schema {0}")]
    NoMigration(u32),
    #[error("import line {line}: {message}")]
    Import { line: usize, message: String },
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl From<sled::transaction::TransactionError<StoreError>> for StoreError {
    fn from(e: sled::transaction::TransactionError<StoreError>) -> Self {
        match e {
            sled::transaction::TransactionError::Abort(e) => e,
            sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
        }
    }
}

/// A new id, strictly increasing within this process even inside one millisecond, so ids
/// (and the keys made from them) sort in creation order.
pub fn new_id() -> Ulid {
    static GENERATOR: std::sync::Mutex<Option<ulid::Generator>> = std::sync::Mutex::new(None);
    let mut guard = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let generator = guard.get_or_insert_with(ulid::Generator::new);
    // Overflow needs 2^80 ids in one millisecond; fall back to a fresh random id if it happens.
    generator.generate().unwrap_or_else(|_| Ulid::new())
}

/// Something usable as a tree key.
pub trait Key {
    fn key_bytes(&self) -> Vec<u8>;
}

impl Key for Ulid {
    fn key_bytes(&self) -> Vec<u8> {
        u128::from(*self).to_be_bytes().to_vec()
    }
}

impl Key for str {
    fn key_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}

impl Key for [u8] {
    fn key_bytes(&self) -> Vec<u8> {
        self.to_vec()
    }
}

impl<const N: usize> Key for [u8; N] {
    fn key_bytes(&self) -> Vec<u8> {
        self.to_vec()
    }
}

/// Concatenates two ULIDs: an index entry `parent ++ child` that sorts children by age.
pub fn pair_key(parent: Ulid, child: Ulid) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[..16].copy_from_slice(&u128::from(parent).to_be_bytes());
    k[16..].copy_from_slice(&u128::from(child).to_be_bytes());
    k
}

/// Reads the child ULID back out of a [`pair_key`].
pub fn pair_child(key: &[u8]) -> Option<Ulid> {
    let bytes: [u8; 16] = key.get(16..32)?.try_into().ok()?;
    Some(Ulid::from(u128::from_be_bytes(bytes)))
}

pub fn ulid_prefix(id: Ulid) -> [u8; 16] {
    u128::from(id).to_be_bytes()
}

pub fn encode<V: Serialize>(v: &V) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(StoreError::Encode)
}

/// A sled tree holding values of one type.
pub struct Tree<V> {
    name: &'static str,
    inner: sled::Tree,
    _v: PhantomData<fn() -> V>,
}

impl<V> Clone for Tree<V> {
    fn clone(&self) -> Self {
        Tree {
            name: self.name,
            inner: self.inner.clone(),
            _v: PhantomData,
        }
    }
}

impl<V: Serialize + DeserializeOwned> Tree<V> {
    pub fn open(db: &sled::Db, name: &'static str) -> Result<Self, StoreError> {
        Ok(Tree {
            name,
            inner: db.open_tree(name)?,
            _v: PhantomData,
        })
    }

    pub fn raw(&self) -> &sled::Tree {
        &self.inner
    }

    fn decode(&self, bytes: &[u8]) -> Result<V, StoreError> {
        serde_json::from_slice(bytes).map_err(|source| StoreError::Decode {
            tree: self.name.to_string(),
            source,
        })
    }

    pub fn get<K: Key + ?Sized>(&self, key: &K) -> Result<Option<V>, StoreError> {
        self.inner
            .get(key.key_bytes())?
            .map(|b| self.decode(&b))
            .transpose()
    }

    pub fn insert<K: Key + ?Sized>(&self, key: &K, value: &V) -> Result<(), StoreError> {
        self.inner.insert(key.key_bytes(), encode(value)?)?;
        Ok(())
    }

    pub fn remove<K: Key + ?Sized>(&self, key: &K) -> Result<Option<V>, StoreError> {
        self.inner
            .remove(key.key_bytes())?
            .map(|b| self.decode(&b))
            .transpose()
    }

    /// Every value, in key order.
    pub fn values(&self) -> impl Iterator<Item = Result<V, StoreError>> + '_ {
        self.inner.iter().map(move |r| {
            let (_, v) = r?;
            self.decode(&v)
        })
    }

    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

/// Opens (or creates) the database and brings it to [`SCHEMA_VERSION`].
pub fn open_db(path: &Path) -> Result<sled::Db, StoreError> {
    let db = sled::Config::new()
        .path(path)
        .mode(sled::Mode::HighThroughput)
        .open()?;
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

fn set_schema_version(db: &sled::Db, v: u32) -> Result<(), StoreError> {
    db.open_tree(META)?.insert(SCHEMA_KEY, encode(&v)?)?;
    Ok(())
}

/// True when no entity tree holds anything (a fresh data directory).
pub fn is_empty(db: &sled::Db) -> Result<bool, StoreError> {
    for name in data_tree_names(db) {
        if !db.open_tree(&name)?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

fn data_tree_names(db: &sled::Db) -> Vec<Vec<u8>> {
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

#[derive(Serialize, Deserialize)]
struct ExportHeader {
    mpforge_export: u32,
    schema_version: u32,
}

/// One record. JSON values are written as JSON (readable, editable); anything else (index
/// entries holding raw ids) as hex in `raw`.
#[derive(Serialize, Deserialize)]
struct ExportLine {
    tree: String,
    key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    raw: Option<String>,
}

/// Writes every record as one JSON line; the first line names the schema. Returns the count.
pub fn export_jsonl(db: &sled::Db, mut out: impl Write) -> Result<usize, StoreError> {
    let header = ExportHeader {
        mpforge_export: 1,
        schema_version: schema_version(db)?.unwrap_or(SCHEMA_VERSION),
    };
    serde_json::to_writer(&mut out, &header).map_err(StoreError::Encode)?;
    out.write_all(b"\n")?;
    let mut count = 0;
    for name in data_tree_names(db) {
        let tree = db.open_tree(&name)?;
        let tree_name = String::from_utf8_lossy(&name).into_owned();
        for item in tree.iter() {
            let (k, v) = item?;
            let (value, raw) = match serde_json::from_slice::<serde_json::Value>(&v) {
                Ok(json) if !v.is_empty() => (Some(json), None),
                _ if v.is_empty() => (None, None),
                _ => (None, Some(hex::encode(&v))),
            };
            let line = ExportLine {
                tree: tree_name.clone(),
                key: hex::encode(&k),
                value,
                raw,
            };
            serde_json::to_writer(&mut out, &line).map_err(StoreError::Encode)?;
            out.write_all(b"\n")?;
            count += 1;
        }
    }
    out.flush()?;
    Ok(count)
}

/// Restores an export into an empty database, then migrates it. Refuses a non-empty database
/// so a restore can never mix two data sets.
pub fn import_jsonl(db: &sled::Db, input: impl BufRead) -> Result<usize, StoreError> {
    if !is_empty(db)? {
        return Err(StoreError::Import {
            line: 0,
            message: "the data directory already holds data; import into an empty one".into(),
        });
    }
    let mut lines = input.lines().enumerate();
    let header: ExportHeader = match lines.next() {
        Some((_, line)) => serde_json::from_str(&line?).map_err(|e| StoreError::Import {
            line: 1,
            message: format!("not an mpforge export header: {e}"),
        })?,
        None => {
            return Err(StoreError::Import {
                line: 1,
                message: "the file is empty".into(),
            })
        }
    };
    if header.schema_version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: header.schema_version,
            known: SCHEMA_VERSION,
        });
    }
    let mut count = 0;
    let mut batch: std::collections::BTreeMap<String, sled::Batch> = Default::default();
    for (i, line) in lines {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: ExportLine = serde_json::from_str(&line).map_err(|e| StoreError::Import {
            line: i + 1,
            message: e.to_string(),
        })?;
        if rec.tree == META || rec.tree.starts_with("__sled") {
            return Err(StoreError::Import {
                line: i + 1,
                message: format!("reserved tree `{}`", rec.tree),
            });
        }
        let key = hex::decode(&rec.key).map_err(|e| StoreError::Import {
            line: i + 1,
            message: format!("key is not hex: {e}"),
        })?;
        let value = match (rec.value, rec.raw) {
            (Some(json), None) => encode(&json)?,
            (None, Some(raw)) => hex::decode(&raw).map_err(|e| StoreError::Import {
                line: i + 1,
                message: format!("raw value is not hex: {e}"),
            })?,
            (None, None) => Vec::new(),
            (Some(_), Some(_)) => {
                return Err(StoreError::Import {
                    line: i + 1,
                    message: "both value and raw given".into(),
                })
            }
        };
        batch.entry(rec.tree).or_default().insert(key, value);
        count += 1;
    }
    for (tree, b) in batch {
        db.open_tree(tree)?.apply_batch(b)?;
    }
    set_schema_version(db, header.schema_version)?;
    migrate(db)?;
    db.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Thing {
        name: String,
    }

    #[test]
    fn typed_tree_round_trips_and_keeps_creation_order() {
        let db = temporary_db().unwrap();
        let t: Tree<Thing> = Tree::open(&db, "things").unwrap();
        let ids: Vec<Ulid> = (0..3)
            .map(|i| {
                let id = new_id();
                t.insert(
                    &id,
                    &Thing {
                        name: format!("t{i}"),
                    },
                )
                .unwrap();
                id
            })
            .collect();
        assert_eq!(t.get(&ids[1]).unwrap(), Some(Thing { name: "t1".into() }));
        let names: Vec<_> = t.values().map(|v| v.unwrap().name).collect();
        assert_eq!(names, ["t0", "t1", "t2"]);
        assert_eq!(t.remove(&ids[0]).unwrap().unwrap().name, "t0");
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn new_ids_are_strictly_increasing() {
        let ids: Vec<Ulid> = (0..1000).map(|_| new_id()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn corrupt_record_names_its_tree() {
        let db = temporary_db().unwrap();
        let t: Tree<Thing> = Tree::open(&db, "things").unwrap();
        t.raw().insert(b"k", b"not json".to_vec()).unwrap();
        let err = t.get("k").unwrap_err().to_string();
        assert!(err.contains("things"), "{err}");
    }

    #[test]
    fn pair_keys_group_children_under_parent() {
        let (p, c) = (Ulid::new(), Ulid::new());
        let k = pair_key(p, c);
        assert_eq!(&k[..16], &ulid_prefix(p));
        assert_eq!(pair_child(&k), Some(c));
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

    #[test]
    fn export_then_import_restores_everything() {
        let db = temporary_db().unwrap();
        let t: Tree<Thing> = Tree::open(&db, "things").unwrap();
        let id = Ulid::new();
        t.insert(
            &id,
            &Thing {
                name: "cafe \"lotus\" 咖啡".into(),
            },
        )
        .unwrap();
        db.open_tree("index")
            .unwrap()
            .insert(pair_key(id, id), Vec::new())
            .unwrap();
        db.open_tree("by_name")
            .unwrap()
            .insert("cafe", ulid_prefix(id).to_vec())
            .unwrap();
        let mut dump = Vec::new();
        assert_eq!(export_jsonl(&db, &mut dump).unwrap(), 3);

        let restored = temporary_db().unwrap();
        assert_eq!(import_jsonl(&restored, dump.as_slice()).unwrap(), 3);
        let raw = restored
            .open_tree("by_name")
            .unwrap()
            .get("cafe")
            .unwrap()
            .unwrap();
        assert_eq!(
            raw.as_ref(),
            &ulid_prefix(id),
            "raw (non-JSON) values survive byte for byte"
        );
        let t2: Tree<Thing> = Tree::open(&restored, "things").unwrap();
        assert_eq!(t2.get(&id).unwrap(), t.get(&id).unwrap());
        assert!(restored
            .open_tree("index")
            .unwrap()
            .get(pair_key(id, id))
            .unwrap()
            .is_some());
        // Importing twice would mix data sets: refused.
        let again = import_jsonl(&restored, dump.as_slice())
            .unwrap_err()
            .to_string();
        assert!(again.contains("already holds data"), "{again}");
    }

    #[test]
    fn import_reports_the_bad_line() {
        let db = temporary_db().unwrap();
        let input = "{\"mpforge_export\":1,\"schema_version\":1}\n{\"tree\":\"x\",\"key\":\"zz\",\"value\":1}\n";
        let err = import_jsonl(&db, input.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("hex"), "{err}");
    }
}
