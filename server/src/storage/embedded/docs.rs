//! Documents on sled: `kind ++ 0 ++ key -> Doc` (JSON) in one tree, each write a
//! compare-and-swap of the bytes read.
use super::{decode, SledStore};
use crate::storage::records::trees::DOCS;
use crate::storage::tree::encode;
use crate::storage::{change_doc, Doc, DocChange, Expect, RawDoc, StoreError};
use ulid::Ulid;

fn doc_key(kind: &str, key: &str) -> Vec<u8> {
    let mut k = kind.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(key.as_bytes());
    k
}

/// A stored document's revision, read without building its body.
#[derive(serde::Deserialize)]
struct Rev {
    rev: u64,
}

impl SledStore {
    pub(super) fn get_doc(&self, kind: &str, key: &str) -> Result<Option<Doc>, StoreError> {
        self.docs
            .get(doc_key(kind, key))?
            .map(|b| decode(DOCS, &b))
            .transpose()
    }

    pub(super) fn scan_docs(
        &self,
        kind: &str,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError> {
        self.docs
            .scan_prefix(doc_key(kind, prefix))
            .take(limit)
            .map(|item| decode(DOCS, &item?.1))
            .collect()
    }

    pub(super) fn write_doc(&self, doc: &Doc, expect: Expect) -> Result<u64, StoreError> {
        let key = doc_key(&doc.kind, &doc.key);
        loop {
            let old = self.docs.get(&key)?;
            let old_rev = match &old {
                Some(b) => Some(decode::<Rev>(DOCS, b)?.rev),
                None => None,
            };
            match (expect, old_rev) {
                (Expect::Any, _) | (Expect::Absent, None) => {}
                (Expect::Rev(want), Some(have)) if want == have => {}
                _ => return Err(StoreError::Stale),
            }
            let mut new = doc.clone();
            new.rev = old_rev.unwrap_or(0) + 1;
            if self
                .docs
                .compare_and_swap(&key, old.as_ref(), Some(encode(&new)?))?
                .is_ok()
            {
                return Ok(new.rev);
            }
        }
    }

    /// sled has no row lock: `f` runs over the bytes read and the write swaps exactly those,
    /// or `f` runs again over what another writer put there.
    pub(super) fn change_doc(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        f: &mut DocChange<'_>,
    ) -> Result<Option<u64>, StoreError> {
        let k = doc_key(kind, key);
        loop {
            let old = self.docs.get(&k)?;
            let doc: Option<RawDoc> = old.as_deref().map(RawDoc::parse).transpose()?;
            let Some(body) = f(doc.as_ref().map(|d| d.body)) else {
                return Ok(None);
            };
            let new = RawDoc {
                kind: kind.into(),
                key: key.into(),
                agency_id: agency,
                rev: doc.map_or(0, |d| d.rev) + 1,
                body: &body,
            };
            let bytes = encode(&new)?;
            if self
                .docs
                .compare_and_swap(&k, old.as_ref(), Some(bytes))?
                .is_ok()
            {
                return Ok(Some(new.rev));
            }
        }
    }

    /// sled's count is a change like any other (compare-and-swap, again on a conflict).
    pub(super) async fn count(
        &self,
        kind: &str,
        key: &str,
        agency: Ulid,
        field: &str,
        by: u64,
        floor: u64,
    ) -> Result<u64, StoreError> {
        change_doc(
            self,
            kind,
            key,
            agency,
            |body: &mut serde_json::Map<String, serde_json::Value>| {
                let n = body.get(field).and_then(|v| v.as_u64()).unwrap_or(0);
                let n = n.max(floor) + by;
                body.insert(field.to_string(), n.into());
                Ok::<u64, StoreError>(n)
            },
        )
        .await
    }

    /// Writes an exported document as it was, its revision included.
    pub(super) fn import_doc(&self, doc: &Doc) -> Result<(), StoreError> {
        self.docs
            .insert(doc_key(&doc.kind, &doc.key), encode(doc)?)?;
        Ok(())
    }

    pub(super) fn remove_doc(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        self.docs.remove(doc_key(kind, key))?;
        Ok(())
    }
}
