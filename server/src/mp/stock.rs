//! Stock taken by orders: per site and live version (a new version brings the merchant's new
//! counts), one store document (`mp-stock/{site}/{version}`) with the pieces sold per product or
//! choice, changed through [`crate::storage::Store::update_doc`] (one step no other writer
//! interleaves), so no number of racing orders (on any number of nodes) sells more than the
//! live site has.
use crate::storage::{change_doc, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ulid::Ulid;

pub const STOCK: &str = "mp-stock";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sold {
    /// Pieces sold per stock key ([`super::pricing::stock_key`]).
    pub sold: BTreeMap<String, u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    /// Not enough left of `key`: `left` pieces.
    #[error("only {left} left of {key}")]
    Short { key: String, left: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn key(site: Ulid, version: u64) -> String {
    format!("{site}/{version}")
}

/// Pieces sold so far of the live `version`.
pub async fn sold(store: &dyn Store, site: Ulid, version: u64) -> Result<Sold, StoreError> {
    match store.doc(STOCK, &key(site, version)).await? {
        Some(d) => d.read(),
        None => Ok(Sold::default()),
    }
}

/// Changes the counts with `f`, reading again when another order got there first.
async fn change<T: Send>(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    version: u64,
    f: impl FnMut(&mut Sold) -> Result<T, StockError> + Send,
) -> Result<T, StockError> {
    change_doc(store, STOCK, &key(site, version), agency, f).await
}

/// Takes every line's pieces at once, or none: `wanted` is `(key, pieces, stock in the live
/// version)` as [`super::pricing::price`] finds it.
pub async fn reserve(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    version: u64,
    wanted: &[(String, u32, u32)],
) -> Result<(), StockError> {
    if wanted.is_empty() {
        return Ok(());
    }
    change(store, agency, site, version, |s| {
        for (k, n, stock) in wanted {
            let left = stock.saturating_sub(s.sold.get(k).copied().unwrap_or(0));
            if *n > left {
                return Err(StockError::Short {
                    key: k.clone(),
                    left,
                });
            }
        }
        for (k, n, _) in wanted {
            *s.sold.entry(k.clone()).or_default() += n;
        }
        Ok(())
    })
    .await
}

/// Gives back what a cancelled order took.
pub async fn restore(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    version: u64,
    taken: &[(String, u32, u32)],
) -> Result<(), StockError> {
    if taken.is_empty() {
        return Ok(());
    }
    change(store, agency, site, version, |s| {
        for (k, n, _) in taken {
            if let Some(v) = s.sold.get_mut(k) {
                *v = v.saturating_sub(*n);
            }
        }
        Ok(())
    })
    .await
}
