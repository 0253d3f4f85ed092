//! Typed sled trees: values are JSON (readable in a dump, tolerant of added fields), keys are
//! big-endian bytes (ULIDs as 16 bytes) so a tree iterates in creation order.
use serde::{de::DeserializeOwned, Serialize};
use std::marker::PhantomData;
use ulid::Ulid;

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
    #[error("the data was written by a newer mpforge (schema {found}, this build knows {known}); upgrade mpforge")]
    TooNew { found: u32, known: u32 },
    #[error("no migration from schema {0}")]
    NoMigration(u32),
    #[error("import line {line}: {message}")]
    Import { line: usize, message: String },
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A new login is someone's already.
    #[error("the login is taken")]
    LoginTaken,
    /// A draft save was based on a version that is no longer the stored one.
    #[error("the draft changed since the version this save was based on")]
    Stale,
    #[error("database: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("database schema: {0}")]
    Migrate(String),
    #[error("blob store: {0}")]
    Blob(#[from] object_store::Error),
    /// A `--store` or `--blobs` value that names nothing usable.
    #[error("{0}")]
    Config(String),
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

    /// Every key with its value, in key order.
    pub fn entries(&self) -> impl Iterator<Item = Result<(sled::IVec, V), StoreError>> + '_ {
        self.inner.iter().map(move |r| {
            let (k, v) = r?;
            Ok((k, self.decode(&v)?))
        })
    }

    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::schema::temporary_db;
    use serde::Deserialize;

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
}
