//! Moving data between stores: `export-data` writes every record of any engine, and every
//! blob, as JSON lines; `import-data` replays them into an empty store of any engine, checking
//! each blob's SHA-256 and, at the end, the count of each kind of record against the trailer
//! the export wrote. Version 1 files (sled trees, before the store contract) still import.
use super::blobs::Blobs;
use super::schema::{is_empty, migrate, set_schema_version, META, SCHEMA_VERSION};
use super::tree::{encode, StoreError};
use super::{Counts, Record, Store};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};

#[derive(Serialize, Deserialize)]
struct V1Header {
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

/// Restores a version-1 export (sled trees, written before the store contract) into an empty
/// sled database, then migrates it. Refuses a non-empty database so a restore can never mix
/// two data sets.
pub fn import_v1(db: &sled::Db, input: impl BufRead) -> Result<usize, StoreError> {
    if !is_empty(db)? {
        return Err(StoreError::Import {
            line: 0,
            message: "the data directory already holds data; import into an empty one".into(),
        });
    }
    let mut lines = input.lines().enumerate();
    let header: V1Header = match lines.next() {
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

/// The first line of a version-2 export.
#[derive(Serialize, Deserialize)]
struct Header {
    mpforge_export: u32,
    /// The engine it came from, for the reader.
    from: String,
}

/// A blob's line: its key, its SHA-256 and its bytes.
#[derive(Serialize, Deserialize)]
struct BlobLine {
    blob: String,
    sha256: String,
    base64: String,
}

/// The last line: what came before it, to check the import against.
#[derive(Serialize, Deserialize, Debug, Default, PartialEq)]
pub struct Summary {
    /// Records of each kind.
    pub records: Counts,
    pub blobs: u64,
    pub blob_bytes: u64,
}

#[derive(Serialize, Deserialize)]
struct Trailer {
    end: Summary,
}

fn kind_of(r: &Record) -> &'static str {
    match r {
        Record::Agency(_) => "agencies",
        Record::User(_) => "users",
        Record::Merchant(_) => "merchants",
        Record::Site(_) => "sites",
        Record::Draft { .. } => "drafts",
        Record::Session { .. } => "sessions",
        Record::Media { .. } => "media",
        Record::Job(_) => "jobs",
        Record::Audit(_) => "audit",
        Record::Doc(_) => "docs",
    }
}

fn line(out: &mut impl Write, v: &impl Serialize) -> Result<(), StoreError> {
    serde_json::to_writer(&mut *out, v).map_err(StoreError::Encode)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes every record of `store` and every blob of `blobs` (when given) to `out`; returns
/// what it wrote.
pub async fn export(
    store: &dyn Store,
    blobs: Option<&Blobs>,
    mut out: impl Write + Send,
) -> Result<Summary, StoreError> {
    line(
        &mut out,
        &Header {
            mpforge_export: 2,
            from: store.describe(),
        },
    )?;
    let mut summary = Summary::default();
    store
        .export_records(&mut |r: Record| {
            *summary.records.entry(kind_of(&r).into()).or_default() += 1;
            line(&mut out, &r)
        })
        .await?;
    if let Some(blobs) = blobs {
        for key in blobs.keys().await? {
            let Some(bytes) = blobs.get(&key).await? else {
                continue;
            };
            summary.blobs += 1;
            summary.blob_bytes += bytes.len() as u64;
            line(
                &mut out,
                &BlobLine {
                    sha256: hex::encode(Sha256::digest(&bytes)),
                    base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
                    blob: key,
                },
            )?;
        }
    }
    line(
        &mut out,
        &Trailer {
            end: Summary {
                records: summary.records.clone(),
                blobs: summary.blobs,
                blob_bytes: summary.blob_bytes,
            },
        },
    )?;
    out.flush()?;
    Ok(summary)
}

/// Replays an export into `store` (which must be empty) and its blobs into `blobs`; checks
/// every blob's hash and the counts against the export's last line. A version-1 file (sled
/// trees) is read through a temporary sled database first.
pub async fn import(
    store: &dyn Store,
    blobs: &Blobs,
    input: impl BufRead,
) -> Result<Summary, StoreError> {
    if !store.is_empty().await? {
        return Err(StoreError::Import {
            line: 0,
            message: format!(
                "{} already holds data; import into an empty store",
                store.describe()
            ),
        });
    }
    let mut lines = input.lines().enumerate();
    let first = match lines.next() {
        Some((_, l)) => l?,
        None => {
            return Err(StoreError::Import {
                line: 1,
                message: "the file is empty".into(),
            })
        }
    };
    let version = serde_json::from_str::<serde_json::Value>(&first)
        .ok()
        .and_then(|v| v.get("mpforge_export").and_then(|n| n.as_u64()));
    match version {
        Some(1) => {
            // Old trees into a scratch sled database, then through the contract like any
            // other store.
            let scratch = super::embedded::SledStore::temporary()?;
            let rest = lines.map(|(_, l)| l.unwrap_or_default());
            let text = std::iter::once(first)
                .chain(rest)
                .collect::<Vec<_>>()
                .join("\n");
            import_v1(&scratch.db, text.as_bytes())?;
            let mut buffer = Vec::new();
            export(&scratch, Some(&Blobs::in_sled(&scratch)?), &mut buffer).await?;
            return Box::pin(import(store, blobs, buffer.as_slice())).await;
        }
        Some(2) => {}
        _ => {
            return Err(StoreError::Import {
                line: 1,
                message: "not an mpforge export (its first line names no known version)".into(),
            })
        }
    }
    let mut seen = Summary::default();
    let mut trailer = None;
    for (i, text) in lines {
        let text = text?;
        let n = i + 1;
        let bad = |message: String| StoreError::Import { line: n, message };
        if text.trim().is_empty() {
            continue;
        }
        if trailer.is_some() {
            return Err(bad("lines after the export's last line".into()));
        }
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if value.get("end").is_some() {
            let t: Trailer = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            trailer = Some(t.end);
        } else if value.get("blob").is_some() {
            let b: BlobLine = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&b.base64)
                .map_err(|e| bad(format!("blob {} is not base64: {e}", b.blob)))?;
            if hex::encode(Sha256::digest(&bytes)) != b.sha256 {
                return Err(bad(format!("blob {} does not match its SHA-256", b.blob)));
            }
            seen.blobs += 1;
            seen.blob_bytes += bytes.len() as u64;
            blobs.put(&b.blob, bytes).await?;
        } else {
            let r: Record = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            *seen.records.entry(kind_of(&r).into()).or_default() += 1;
            store
                .import_record(&r)
                .await
                .map_err(|e| bad(e.to_string()))?;
        }
    }
    let Some(expected) = trailer else {
        return Err(StoreError::Import {
            line: 0,
            message: "the export ends early (no last line with its counts): copy it again".into(),
        });
    };
    if expected != seen {
        return Err(StoreError::Import {
            line: 0,
            message: format!("the export says {expected:?} but holds {seen:?}"),
        });
    }
    store.flush().await?;
    let stored = store.counts().await?;
    for (kind, n) in &seen.records {
        if stored.get(kind).copied().unwrap_or(0) != *n {
            return Err(StoreError::Import {
                line: 0,
                message: format!(
                    "{kind}: {n} imported but {} stored",
                    stored.get(kind).copied().unwrap_or(0)
                ),
            });
        }
    }
    Ok(seen)
}
