//! Site records and their drafts: create a site from its template's starter, load the draft,
//! save it, and build its package for export. Tenancy is checked by the callers' first step,
//! [`crate::tenancy::visible_site`] or [`crate::tenancy::visible_merchant`].
use crate::error::Result;
use crate::generator::{self, builtin_theme, GenerateError};
use crate::media::MediaCache;
use crate::storage::tree::{encode, new_id, pair_key, ulid_prefix};
use crate::storage::{
    grace_ends, now_rfc3339, unix_to_date, Draft, Site as SiteRecord, Store, StoreError,
};
use crate::tenancy::{visible_merchant, visible_site};
use app::api::rest::{DraftView, SaveDraft, Saved};
use app::api::NewSite;
use app::error::AppError;
use app::i18n::{Lang, Text};
use app::model::site::Site;
use app::model::validate::limits;
use app::model::{SiteSummary, UserView};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

/// The starter of the site's template, named after the site: where every draft begins.
pub fn starter_draft(record: &SiteRecord, lang: Lang) -> Draft {
    let mut site: Site =
        serde_json::from_str(generator::theme::starter_json(record.template, lang))
            .expect("starters parse (tested)");
    site.name = record.name.clone();
    Draft {
        version: 1,
        site,
        updated_at: now_rfc3339(),
    }
}

fn draft_of(store: &Store, record: &SiteRecord, lang: Lang) -> Result<Draft> {
    Ok(match store.drafts.get(&record.id)? {
        Some(d) => d,
        None => starter_draft(record, lang),
    })
}

pub fn summary(s: &SiteRecord) -> SiteSummary {
    SiteSummary {
        id: s.id.to_string(),
        merchant_id: s.merchant_id.to_string(),
        name: s.name.clone(),
        template: s.template,
        updated_at: s.updated_at.clone(),
        archived: s.archived,
        restorable_until: s
            .deleted_at
            .map(|at| unix_to_date(grace_ends(at, RESTORE_DAYS))),
    }
}

/// The most sites one merchant can have (a café needs one or two; a script needs a bound).
pub const MAX_SITES_PER_MERCHANT: usize = 50;

/// A new site of merchant `merchant_id`, starting as its template's starter in the creator's
/// language: the record, its index entry and its first draft in one transaction. A merchant
/// with [`MAX_SITES_PER_MERCHANT`] sites gets no more (counted just before; two racing
/// creations can pass it by one).
pub fn create(
    store: &Store,
    who: &UserView,
    merchant_id: &str,
    input: NewSite,
) -> Result<SiteSummary> {
    let merchant = visible_merchant(store, who, merchant_id)?;
    let name = crate::accounts::validate_name("name", &input.name, limits::SITE_NAME, who.lang)?;
    room_for_a_site(store, merchant.id, who.lang)?;
    let now = now_rfc3339();
    let site = SiteRecord {
        id: new_id(),
        merchant_id: merchant.id,
        name,
        template: input.template,
        created_at: now.clone(),
        updated_at: now,
        archived: false,
        deleted_at: None,
    };
    let draft = starter_draft(&site, input.locale);
    insert_site(store, &site, &draft)?;
    Ok(summary(&site))
}

/// Refuses a new site when the merchant has [`MAX_SITES_PER_MERCHANT`] (deleted ones do not
/// count).
fn room_for_a_site(store: &Store, merchant: ulid::Ulid, lang: Lang) -> Result<()> {
    if merchant_sites(store, merchant)?
        .iter()
        .filter(|s| s.deleted_at.is_none())
        .count()
        >= MAX_SITES_PER_MERCHANT
    {
        let max = MAX_SITES_PER_MERCHANT.to_string();
        let message = lang.fill(Text::ErrSiteLimit, &[("max", max)]);
        return Err(AppError::conflict("site", message).into());
    }
    Ok(())
}

/// Every site record of `merchant` (deleted ones included), oldest first.
pub fn merchant_sites(
    store: &Store,
    merchant: ulid::Ulid,
) -> std::result::Result<Vec<SiteRecord>, StoreError> {
    let mut sites = Vec::new();
    for key in store
        .sites_by_merchant
        .scan_prefix(ulid_prefix(merchant))
        .keys()
    {
        let key = key?;
        if let Some(site) = crate::storage::tree::pair_child(&key)
            .map(|id| store.sites.get(&id))
            .transpose()?
            .flatten()
        {
            sites.push(site);
        }
    }
    Ok(sites)
}

/// The record, its index entry and its draft, in one transaction.
fn insert_site(store: &Store, site: &SiteRecord, draft: &Draft) -> Result<()> {
    let (site_bytes, draft_bytes) = (encode(site)?, encode(draft)?);
    (
        store.sites.raw(),
        &store.sites_by_merchant,
        store.drafts.raw(),
    )
        .transaction(|(sites, by_merchant, drafts)| {
            sites.insert(&ulid_prefix(site.id), site_bytes.as_slice())?;
            by_merchant.insert(&pair_key(site.merchant_id, site.id)[..], Vec::<u8>::new())?;
            drafts.insert(&ulid_prefix(site.id), draft_bytes.as_slice())?;
            Ok::<_, sled::transaction::ConflictableTransactionError<StoreError>>(())
        })
        .map_err(StoreError::from)?;
    Ok(())
}

/// How long a deleted site can be restored.
pub const RESTORE_DAYS: i64 = 30;

/// What a merchant does to one of its sites from its list.
#[derive(Clone, Debug, PartialEq)]
pub enum SiteAction {
    Rename(String),
    Duplicate,
    Archive,
    Unarchive,
    /// Restorable for [`RESTORE_DAYS`].
    Delete,
    Restore,
}

impl SiteAction {
    /// From a form's `action` (and `name` for a rename); `None` for an unknown action.
    pub fn from_form(action: &str, name: String) -> Option<Self> {
        Some(match action {
            "rename" => SiteAction::Rename(name),
            "duplicate" => SiteAction::Duplicate,
            "archive" => SiteAction::Archive,
            "unarchive" => SiteAction::Unarchive,
            "delete" => SiteAction::Delete,
            "restore" => SiteAction::Restore,
            _ => return None,
        })
    }
}

/// Does `action` to site `id`, if `who` may see it; the site it leaves (the copy, for a
/// duplicate).
pub async fn manage(
    store: &Store,
    who: &UserView,
    id: &str,
    action: SiteAction,
) -> Result<SiteSummary> {
    let lang = who.lang;
    let mut record = match action {
        SiteAction::Restore => crate::tenancy::visible_site_even_deleted(store, who, id)?,
        _ => visible_site(store, who, id)?,
    };
    let now = crate::storage::now_unix();
    match action {
        SiteAction::Rename(name) => {
            let name = crate::accounts::validate_name("name", &name, limits::SITE_NAME, lang)?;
            // The mini program's name is the draft's: renamed there as a save like the
            // editor's (a new version, the record following), so an edit saved meanwhile is
            // never overwritten: a save that lost the race is tried again on the new draft.
            for _ in 0..3 {
                let draft = draft_of(store, &record, lang)?;
                let mut site = draft.site;
                site.name = name.clone();
                let save = SaveDraft {
                    base_version: draft.version,
                    site,
                };
                match save_draft(store, who, id, save).await {
                    Err(crate::error::Error::App(AppError::Conflict { field, .. }))
                        if field == "version" => {}
                    saved => {
                        saved?;
                        return Ok(summary(&visible_site(store, who, id)?));
                    }
                }
            }
            return Err(AppError::conflict("name", lang.t(Text::ErrEditConflict)).into());
        }
        SiteAction::Duplicate => {
            room_for_a_site(store, record.merchant_id, lang)?;
            let draft = draft_of(store, &record, lang)?;
            let suffix = lang.t(Text::CopySuffix);
            let keep = limits::SITE_NAME.saturating_sub(suffix.chars().count());
            let name: String = record.name.chars().take(keep).collect::<String>() + suffix;
            let stamp = now_rfc3339();
            let copy = SiteRecord {
                id: new_id(),
                name: name.clone(),
                created_at: stamp.clone(),
                updated_at: stamp.clone(),
                archived: false,
                deleted_at: None,
                ..record
            };
            let mut site = draft.site;
            site.name = name;
            let draft = Draft {
                version: 1,
                site,
                updated_at: stamp,
            };
            insert_site(store, &copy, &draft)?;
            return Ok(summary(&copy));
        }
        SiteAction::Archive => record.archived = true,
        SiteAction::Unarchive => record.archived = false,
        SiteAction::Delete => record.deleted_at = Some(now),
        SiteAction::Restore => {
            if record.deleted_at.is_none() {
                return Ok(summary(&record));
            }
            if !restorable(&record, now) {
                return Err(AppError::NotFound.into());
            }
            room_for_a_site(store, record.merchant_id, lang)?;
            record.deleted_at = None;
        }
    }
    store.sites.insert(&record.id, &record)?;
    Ok(summary(&record))
}

/// Whether a deleted site can still be restored at `now` (unix seconds).
pub fn restorable(record: &SiteRecord, now: i64) -> bool {
    record
        .deleted_at
        .is_none_or(|at| now < grace_ends(at, RESTORE_DAYS))
}

/// Removes a site for good: record, index entry and draft.
pub fn purge(store: &Store, record: &SiteRecord) -> Result<()> {
    (
        store.sites.raw(),
        &store.sites_by_merchant,
        store.drafts.raw(),
    )
        .transaction(|(sites, by_merchant, drafts)| {
            sites.remove(&ulid_prefix(record.id))?;
            by_merchant.remove(&pair_key(record.merchant_id, record.id)[..])?;
            drafts.remove(&ulid_prefix(record.id))?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })
        .map_err(StoreError::from)?;
    Ok(())
}

/// The draft as the editor sees it, if `who` may see the site.
pub fn draft_view(store: &Store, who: &UserView, id: &str) -> Result<DraftView> {
    let record = visible_site(store, who, id)?;
    let draft = draft_of(store, &record, who.lang)?;
    Ok(DraftView {
        site_id: record.id.to_string(),
        merchant_id: record.merchant_id.to_string(),
        version: draft.version,
        site: draft.site,
    })
}

/// Why a draft save was not written.
enum Refused {
    /// The draft moved on since `base_version`.
    Stale,
    Store(StoreError),
}

/// Saves a draft based on `input.base_version` as one atomic compare-and-swap: the version
/// check, the new draft and the site record's name and time are one transaction, so of any
/// number of saves racing from the same base exactly one is written. A stale base is a
/// conflict in the user's language and changes nothing.
pub async fn save_draft(
    store: &Store,
    who: &UserView,
    id: &str,
    input: SaveDraft,
) -> Result<Saved> {
    let lang = who.lang;
    let record = visible_site(store, who, id)?;
    let key = ulid_prefix(record.id);
    let now = now_rfc3339();
    let SaveDraft { base_version, site } = input;
    let draft = Draft {
        version: base_version + 1,
        site,
        updated_at: now.clone(),
    };
    let name: String = draft
        .site
        .name
        .trim()
        .chars()
        .take(limits::SITE_NAME)
        .collect();
    let draft_bytes = encode(&draft)?;
    let decode_err = |tree: &str, source| {
        ConflictableTransactionError::Abort(Refused::Store(StoreError::Decode {
            tree: tree.into(),
            source,
        }))
    };
    let written = (store.drafts.raw(), store.sites.raw()).transaction(|(drafts, sites)| {
        // No draft stored yet: the site still is its starter, version 1.
        let current = match drafts.get(key)? {
            Some(bytes) => {
                serde_json::from_slice::<Draft>(&bytes)
                    .map_err(|e| decode_err("drafts", e))?
                    .version
            }
            None => 1,
        };
        if current != base_version {
            return Err(ConflictableTransactionError::Abort(Refused::Stale));
        }
        let mut record: SiteRecord = match sites.get(key)? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| decode_err("sites", e))?,
            None => return Err(ConflictableTransactionError::Abort(Refused::Stale)),
        };
        if !name.is_empty() {
            record.name = name.clone();
        }
        record.updated_at = now.clone();
        let record_bytes =
            encode(&record).map_err(|e| ConflictableTransactionError::Abort(Refused::Store(e)))?;
        drafts.insert(&key, draft_bytes.as_slice())?;
        sites.insert(&key, record_bytes)?;
        Ok(())
    });
    match written {
        Ok(()) => {}
        Err(TransactionError::Abort(Refused::Stale)) => {
            return Err(AppError::conflict("version", lang.t(Text::ErrEditConflict)).into())
        }
        Err(TransactionError::Abort(Refused::Store(e))) => return Err(e.into()),
        Err(TransactionError::Storage(e)) => return Err(e.into()),
    }
    store.flush().await?;
    Ok(Saved {
        version: draft.version,
    })
}

/// The saved draft of a site `who` may see, for export.
pub fn saved_site(store: &Store, who: &UserView, id: &str) -> Result<(SiteRecord, Site)> {
    let record = visible_site(store, who, id)?;
    let draft = draft_of(store, &record, who.lang)?;
    Ok((record, draft.site))
}

/// Generates a site's package: validated once, in `lang` (every problem with its path), then
/// its images (from the media store) embedded, each unusable one named by its field, then
/// rendered.
pub fn build_package(
    store: &Store,
    cache: &MediaCache,
    merchant: ulid::Ulid,
    site: &Site,
    lang: Lang,
) -> std::result::Result<generator::Package, GenerateError> {
    generator::check(site, lang)?;
    let theme = builtin_theme(site.theme.template);
    let (site, images) = generator::assets::embed_images(site, cache, lang, |reference| {
        let Some(hash) = reference.strip_prefix("media/") else {
            return Err(lang.t(Text::MediaNotUploaded).into());
        };
        // Only the merchant's own uploads: another's hash is missing, whoever knows it.
        match store.merchant_media(merchant, hash) {
            Ok(Some(bytes)) => Ok(bytes.to_vec()),
            Ok(None) => Err(lang.t(Text::MediaMissing).into()),
            Err(e) => Err(e.to_string()),
        }
    })?;
    generator::package(&site, theme, images)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{create_agency, user_view};
    use app::model::ThemeKind;
    use std::sync::Arc;

    fn setup() -> (Store, UserView, SiteSummary) {
        let store = Store::temporary().unwrap();
        let (agency, admin) =
            create_agency(&store, "Agency", "admin@race.test", "password-123456").unwrap();
        let who = user_view(&store, &admin).unwrap();
        let merchant = crate::accounts::create_merchant(
            &store,
            agency.id,
            app::api::NewMerchant {
                name: "Cafe".into(),
                login: "cafe@race.test".into(),
                password: String::new(),
            },
            Lang::En,
        )
        .unwrap();
        let site = create(
            &store,
            &who,
            &merchant.merchant.id,
            NewSite {
                name: "Race".into(),
                template: ThemeKind::Shop,
                locale: Lang::En,
            },
        )
        .unwrap();
        (store, who, site)
    }

    /// Data written before images had owners: opening it gives each image to the merchants
    /// whose drafts use it, and to nobody else.
    #[tokio::test]
    async fn images_in_an_older_data_dir_go_to_the_merchants_that_use_them() {
        let (store, who, summary) = setup();
        let hash = "ab".repeat(32);
        store
            .media
            .insert(hash.as_bytes(), &b"png bytes"[..])
            .unwrap();
        let base = draft_view(&store, &who, &summary.id).unwrap();
        let mut site = base.site.clone();
        site.data.gallery = vec![format!("media/{hash}")];
        let input = SaveDraft {
            base_version: base.version,
            site,
        };
        save_draft(&store, &who, &summary.id, input).await.unwrap();
        // As schema 1 left it: no owners.
        store.media_by_merchant.clear().unwrap();
        crate::storage::schema::set_schema_version_for_test(&store.db, 1);
        crate::storage::schema::migrate(&store.db).unwrap();
        let merchant: ulid::Ulid = summary.merchant_id.parse().unwrap();
        assert!(store.merchant_media(merchant, &hash).unwrap().is_some());
        assert!(store
            .merchant_media(ulid::Ulid::new(), &hash)
            .unwrap()
            .is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn of_twenty_saves_racing_on_one_version_exactly_one_wins() {
        let (store, who, summary) = setup();
        let base = draft_view(&store, &who, &summary.id).unwrap();
        let start = Arc::new(tokio::sync::Barrier::new(20));
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let (store, who, id, start) = (
                    store.clone(),
                    who.clone(),
                    summary.id.clone(),
                    start.clone(),
                );
                let mut site = base.site.clone();
                site.name = format!("Saver {i}");
                tokio::spawn(async move {
                    start.wait().await;
                    let input = SaveDraft {
                        base_version: base.version,
                        site,
                    };
                    (i, save_draft(&store, &who, &id, input).await)
                })
            })
            .collect();
        let mut won = Vec::new();
        let mut conflicts = 0;
        for task in tasks {
            match task.await.unwrap() {
                (i, Ok(saved)) => won.push((i, saved.version)),
                (_, Err(crate::error::Error::App(AppError::Conflict { field, .. }))) => {
                    assert_eq!(field, "version");
                    conflicts += 1;
                }
                (_, Err(e)) => panic!("unexpected error: {e}"),
            }
        }
        assert_eq!(won.len(), 1, "exactly one save wins: {won:?}");
        assert_eq!(conflicts, 19);
        let (winner, version) = won[0];
        assert_eq!(version, base.version + 1);
        // What is stored is the winner's draft, and the record took its name.
        let now = draft_view(&store, &who, &summary.id).unwrap();
        assert_eq!(now.version, version);
        assert_eq!(now.site.name, format!("Saver {winner}"));
        let record = store
            .sites
            .get(&now.site_id.parse::<ulid::Ulid>().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(record.name, format!("Saver {winner}"));
    }

    #[tokio::test]
    async fn a_stale_save_changes_nothing() {
        let (store, who, summary) = setup();
        let base = draft_view(&store, &who, &summary.id).unwrap();
        let mut site = base.site.clone();
        site.name = "First".into();
        let input = SaveDraft {
            base_version: base.version,
            site: site.clone(),
        };
        save_draft(&store, &who, &summary.id, input).await.unwrap();
        site.name = "Second".into();
        let stale = SaveDraft {
            base_version: base.version,
            site,
        };
        let err = save_draft(&store, &who, &summary.id, stale)
            .await
            .unwrap_err();
        assert_eq!(err.status_code(), axum::http::StatusCode::CONFLICT);
        let now = draft_view(&store, &who, &summary.id).unwrap();
        assert_eq!(
            (now.version, now.site.name.as_str()),
            (base.version + 1, "First")
        );
    }
}
