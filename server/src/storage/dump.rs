//! A JSON-lines dump of every tree, and its restore into an empty data directory.
use super::schema::{
    data_tree_names, is_empty, migrate, schema_version, set_schema_version, META, SCHEMA_VERSION,
};
use super::tree::{encode, StoreError};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

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
    use crate::storage::schema::temporary_db;
    use crate::storage::tree::{pair_key, ulid_prefix, Tree};
    use ulid::Ulid;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Thing {
        name: String,
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
