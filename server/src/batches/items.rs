//! What one item of a batch does: start (and follow) a publish, release, roll back, build a
//! package, export, or change a draft's theme.
use super::{Action, Batch, Item, ItemState, ThemeChange};
use crate::jobs::store_failure;
use crate::publish::{self, PublishError};
use crate::state::AppState;
use crate::storage::{now_rfc3339, StoreError};
use app::i18n::Lang;
use app::model::publish::{Bilingual, Review, VersionKind};
use ulid::Ulid;

/// How one item's action ended: `None` while a publish is still on its way.
pub(super) type Outcome = Result<Option<String>, (Bilingual, Option<i64>)>;

fn failed(e: &PublishError) -> (Bilingual, Option<i64>) {
    let code = match e {
        PublishError::WeChat(w) => w.code(),
        _ => None,
    };
    (
        Bilingual::new(e.message(Lang::En), e.message(Lang::Zh)),
        code,
    )
}

pub(super) async fn act(
    state: &AppState,
    agency: Ulid,
    action: &Action,
    site: Ulid,
    run_id: Option<&str>,
    by: &str,
) -> Outcome {
    match action {
        Action::Publish => {
            let run_id = run_id.unwrap_or_default();
            publish::start_as(state, agency, site, by, run_id)
                .await
                .map(|()| None)
                .map_err(|e| failed(&e))
        }
        Action::Release => publish::release(state, agency, site, by)
            .await
            .map(|()| Some("released".into()))
            .map_err(|e| failed(&e)),
        Action::Rollback => publish::rollback(state, agency, site, by)
            .await
            .map(|v| Some(format!("live version {v}")))
            .map_err(|e| failed(&e)),
        Action::Regenerate => crate::jobs::build(state, site)
            .await
            .map(|built| Some(built.key))
            .map_err(|e| (e.text(), None)),
        Action::Export => export(state, agency, site, by).await,
        Action::Theme(change) => theme(state, agency, site, change, by)
            .await
            .map(|v| Some(format!("draft version {v}")))
            .map_err(|e| (e, None)),
    }
}

/// Applies `change` to the site's draft, keeping the draft before it as a version the
/// merchant can restore (one undoable step).
/// Builds the site's package (recorded as an export version, like a download).
async fn export(state: &AppState, agency: Ulid, site: Ulid, by: &str) -> Outcome {
    let snapshot = match state.store.draft(site).await {
        Ok(d) => d.map(|d| d.site),
        Err(e) => return Err((store_failure(e), None)),
    };
    let built = match crate::jobs::build(state, site).await {
        Ok(b) => b,
        Err(e) => return Err((e.text(), None)),
    };
    let v = publish::versions::Version::new(VersionKind::Export, snapshot, None, by);
    if let Err(e) = publish::versions::record(&*state.store, agency, site, v).await {
        return Err((store_failure(e), None));
    }
    Ok(Some(built.key))
}

/// Where an export's zip of packages is kept.
pub fn export_key(agency: Ulid, batch: Ulid) -> String {
    format!("exports/{agency}/{batch}.zip")
}

/// One zip of every package an export built, named after each site.
pub(super) async fn bundle(state: &AppState, b: &Batch) -> Result<String, StoreError> {
    use std::io::Write;
    let mut entries = Vec::new();
    for i in b.items.iter().filter(|i| i.state == ItemState::Done) {
        if let Some(key) = &i.result {
            if let Some(bytes) = state.blobs.get(key).await? {
                let safe: String = i
                    .name
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || c == ' ' || c == '-' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
                entries.push((format!("{} {}.zip", safe.trim(), i.site_id), bytes));
            }
        }
    }
    let zip = tokio::task::spawn_blocking(move || {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in entries {
            out.start_file(name, opts).map_err(|e| e.to_string())?;
            out.write_all(&bytes).map_err(|e| e.to_string())?;
        }
        out.finish()
            .map(|c| c.into_inner())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?
    .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
    let key = export_key(b.agency_id, b.id);
    state.blobs.put(&key, zip).await?;
    Ok(key)
}

async fn theme(
    state: &AppState,
    agency: Ulid,
    site: Ulid,
    change: &ThemeChange,
    by: &str,
) -> Result<u64, Bilingual> {
    let store = &*state.store;
    let gone = || Bilingual::new("The site no longer exists.", "该网站已不存在。");
    // The agency's logo becomes one of the merchant's pictures (kept once, by its hash).
    let logo = if change.logo {
        let record = store
            .site(site)
            .await
            .map_err(store_failure)?
            .ok_or_else(gone)?;
        let hash = crate::brand::settings(store, agency)
            .await
            .map_err(store_failure)?
            .and_then(|s| s.logo)
            .ok_or_else(|| {
                Bilingual::new(
                    "The agency has no logo yet: add one under White label.",
                    "代理商尚未设置标志:请在“品牌”中上传。",
                )
            })?;
        let bytes = state
            .blobs
            .get(&crate::brand::logo_key(agency, &hash))
            .await
            .map_err(store_failure)?
            .ok_or_else(|| {
                Bilingual::new(
                    "The agency's logo is missing from storage: upload it again.",
                    "代理商标志文件丢失:请重新上传。",
                )
            })?;
        crate::uploads::keep(store, &state.blobs, record.merchant_id, &hash, bytes)
            .await
            .map_err(store_failure)?;
        Some(format!("media/{hash}"))
    } else {
        None
    };
    loop {
        let record = store
            .site(site)
            .await
            .map_err(store_failure)?
            .filter(|r| r.deleted_at.is_none())
            .ok_or_else(gone)?;
        let current = match store.draft(site).await.map_err(store_failure)? {
            Some(d) => d,
            None => crate::sites::starter_draft(&record, Lang::En),
        };
        let mut next = current.site.clone();
        change.apply(&mut next.theme);
        if let Some(l) = &logo {
            next.logo = Some(l.clone());
        }
        if next == current.site {
            return Ok(current.version);
        }
        let keep = publish::versions::Version::new(
            VersionKind::BeforeChange,
            Some(current.site.clone()),
            None,
            by,
        );
        let draft = crate::storage::Draft {
            version: current.version + 1,
            site: next,
            updated_at: now_rfc3339(),
        };
        match store.save_draft(site, current.version, &draft, "").await {
            Ok(()) => {
                publish::versions::record(store, agency, site, keep)
                    .await
                    .map_err(store_failure)?;
                crate::dashboard::touch(store, site).await;
                return Ok(draft.version);
            }
            // The merchant saved meanwhile: apply over what they saved.
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(store_failure(e)),
        }
    }
}

/// Where a publish item stands, from its run (`Ok(None)`: still on its way).
pub(super) async fn follow_publish(
    state: &AppState,
    b: &Batch,
    item: &Item,
) -> Result<Outcome, StoreError> {
    let store = &*state.store;
    let Some(run_id) = item.run_id.clone() else {
        return Ok(Err((Bilingual::new("interrupted", "已中断"), None)));
    };
    let (ps, _) = publish::load(store, item.site_id).await?;
    let again = || {
        act(
            state,
            b.agency_id,
            &Action::Publish,
            item.site_id,
            Some(&run_id),
            &b.by,
        )
    };
    Ok(match ps.run.as_ref() {
        Some(run) if run.id == run_id => {
            if let Some(e) = &run.error {
                Err((e.clone(), run.errcode))
            } else if run.released {
                Ok(Some("released".into()))
            } else {
                match run.review {
                    Review::InReview | Review::Delayed => Ok(Some("in_review".into())),
                    Review::Approved => Ok(Some("approved".into())),
                    Review::Rejected => Err((
                        Bilingual::new(
                            format!("Rejected by WeChat: {}", run.reason),
                            format!("微信审核未通过:{}", run.reason),
                        ),
                        None,
                    )),
                    // Not moved at all: perhaps its job was never queued (stopped in
                    // between); asking again queues it once.
                    _ if run
                        .steps
                        .iter()
                        .all(|s| s.state == app::model::publish::StepState::Pending) =>
                    {
                        again().await
                    }
                    _ => Ok(None),
                }
            }
        }
        // Marked started, but its run never began (the worker stopped in between): begin it
        // now, with the same id. Another publish under way meanwhile refuses it.
        _ => again().await,
    })
}
