//! Site records and their drafts: create a site from its template's starter, load the draft,
//! save it, and build its package for export. Tenancy is checked by the callers' first step,
//! [`crate::tenancy::visible_site`] or [`crate::tenancy::visible_merchant`].
use crate::error::Result;
use crate::generator::{self, builtin_theme, GenerateError};
use crate::media::MediaCache;
use crate::storage::blobs::{media_key, Blobs};
use crate::storage::tree::new_id;
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

async fn draft_of(store: &dyn Store, record: &SiteRecord, lang: Lang) -> Result<Draft> {
    Ok(match store.draft(record.id).await? {
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
pub async fn create(
    store: &dyn Store,
    who: &UserView,
    merchant_id: &str,
    input: NewSite,
) -> Result<SiteSummary> {
    let merchant = visible_merchant(store, who, merchant_id).await?;
    let name = crate::accounts::validate_name("name", &input.name, limits::SITE_NAME, who.lang)?;
    room_for_a_site(store, merchant.id, who.lang).await?;
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
    store.create_site(&site, &draft).await?;
    store.flush().await?;
    crate::dashboard::touch(store, site.id).await;
    Ok(summary(&site))
}

/// Refuses a new site when the merchant has [`MAX_SITES_PER_MERCHANT`] (deleted ones do not
/// count).
async fn room_for_a_site(store: &dyn Store, merchant: ulid::Ulid, lang: Lang) -> Result<()> {
    if store
        .merchant_sites(merchant)
        .await?
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
    store: &dyn Store,
    who: &UserView,
    id: &str,
    action: SiteAction,
) -> Result<SiteSummary> {
    let lang = who.lang;
    let mut record = match action {
        SiteAction::Restore => crate::tenancy::visible_site_even_deleted(store, who, id).await?,
        _ => visible_site(store, who, id).await?,
    };
    let now = crate::storage::now_unix();
    match action {
        SiteAction::Rename(name) => {
            let name = crate::accounts::validate_name("name", &name, limits::SITE_NAME, lang)?;
            // The mini program's name is the draft's: renamed there as a save like the
            // editor's (a new version, the record following), so an edit saved meanwhile is
            // never overwritten: a save that lost the race is tried again on the new draft.
            for _ in 0..3 {
                let draft = draft_of(store, &record, lang).await?;
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
                        return Ok(summary(&visible_site(store, who, id).await?));
                    }
                }
            }
            return Err(AppError::conflict("name", lang.t(Text::ErrEditConflict)).into());
        }
        SiteAction::Duplicate => {
            room_for_a_site(store, record.merchant_id, lang).await?;
            let draft = draft_of(store, &record, lang).await?;
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
            store.create_site(&copy, &draft).await?;
            store.flush().await?;
            crate::dashboard::touch(store, copy.id).await;
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
            room_for_a_site(store, record.merchant_id, lang).await?;
            record.deleted_at = None;
        }
    }
    store.put_site(&record).await?;
    store.flush().await?;
    crate::dashboard::touch(store, record.id).await;
    Ok(summary(&record))
}

/// Whether a deleted site can still be restored at `now` (unix seconds).
pub fn restorable(record: &SiteRecord, now: i64) -> bool {
    record
        .deleted_at
        .is_none_or(|at| now < grace_ends(at, RESTORE_DAYS))
}

/// Removes a site for good: record and draft, versions, and what its mini program took.
pub async fn purge(store: &dyn Store, record: &SiteRecord) -> Result<()> {
    crate::publish::purge(store, record.id).await?;
    crate::mp::purge(store, record.id).await?;
    store.purge_site(record).await?;
    Ok(())
}

/// The draft as the editor sees it, if `who` may see the site.
pub async fn draft_view(store: &dyn Store, who: &UserView, id: &str) -> Result<DraftView> {
    let record = visible_site(store, who, id).await?;
    let draft = draft_of(store, &record, who.lang).await?;
    Ok(DraftView {
        site_id: record.id.to_string(),
        merchant_id: record.merchant_id.to_string(),
        version: draft.version,
        site: draft.site,
    })
}

/// Saves a draft based on `input.base_version` as one atomic compare-and-swap in the store
/// ([`Store::save_draft`]): of any number of saves racing from the same base, on any number of
/// nodes, exactly one is written. A stale base is a conflict in the user's language and changes
/// nothing.
pub async fn save_draft(
    store: &dyn Store,
    who: &UserView,
    id: &str,
    input: SaveDraft,
) -> Result<Saved> {
    let lang = who.lang;
    let record = visible_site(store, who, id).await?;
    let SaveDraft { base_version, site } = input;
    let draft = Draft {
        version: base_version + 1,
        site,
        updated_at: now_rfc3339(),
    };
    let name: String = draft
        .site
        .name
        .trim()
        .chars()
        .take(limits::SITE_NAME)
        .collect();
    match store
        .save_draft(record.id, base_version, &draft, &name)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Stale) => {
            return Err(AppError::conflict("version", lang.t(Text::ErrEditConflict)).into())
        }
        Err(e) => return Err(e.into()),
    }
    store.flush().await?;
    crate::dashboard::touch(store, record.id).await;
    crate::audit::site_saved(store, who, &record).await;
    Ok(Saved {
        version: draft.version,
    })
}

/// The saved draft of a site `who` may see, for export.
pub async fn saved_site(store: &dyn Store, who: &UserView, id: &str) -> Result<(SiteRecord, Site)> {
    let record = visible_site(store, who, id).await?;
    let draft = draft_of(store, &record, who.lang).await?;
    Ok((record, draft.site))
}

/// The bytes of every uploaded picture `site` uses that `merchant` owns, by hash. Another
/// merchant's picture is left out (missing), whoever knows its hash.
pub async fn site_media(
    store: &dyn Store,
    blobs: &Blobs,
    merchant: ulid::Ulid,
    site: &Site,
) -> std::result::Result<std::collections::HashMap<String, Vec<u8>>, StoreError> {
    let json = serde_json::to_value(site).map_err(StoreError::Encode)?;
    let mut hashes = Vec::new();
    crate::storage::schema::media_references(&json, &mut hashes);
    hashes.sort();
    hashes.dedup();
    let mut found = std::collections::HashMap::new();
    for hash in hashes {
        if store.owns_media(merchant, &hash).await? {
            if let Some(bytes) = blobs.get(&media_key(&hash)).await? {
                found.insert(hash, bytes);
            }
        }
    }
    Ok(found)
}

/// `site` with the address of mpforge's own API for it (`{public_url}/mp/{id}`) unless the
/// merchant named their own: the merchant never types it.
pub fn with_api_base(
    mut site: app::model::site::Site,
    id: ulid::Ulid,
    public_url: &str,
) -> app::model::site::Site {
    if site.api_base.as_deref().is_none_or(|b| b.trim().is_empty()) {
        site.api_base = Some(format!("{}/mp/{id}", public_url.trim_end_matches('/')));
    }
    site
}

/// Generates a site's package: validated once, in `lang` (every problem with its path), then
/// its images (`media`, from [`site_media`]) embedded, each unusable one named by its field,
/// then rendered. With `own_api` (the site's id and mpforge's public URL), a site that names no
/// API of its own calls mpforge's (`/mp/{id}`). CPU-heavy: call off the async workers.
pub fn build_package(
    cache: &MediaCache,
    media: &std::collections::HashMap<String, Vec<u8>>,
    site: &Site,
    lang: Lang,
    own_api: Option<&(ulid::Ulid, String)>,
) -> std::result::Result<generator::Package, GenerateError> {
    generator::check(site, lang)?;
    // After the check: the address is mpforge's own (plain http on a developer's machine).
    let with_api;
    let site = match own_api {
        Some((id, public_url)) => {
            with_api = with_api_base(site.clone(), *id, public_url);
            &with_api
        }
        None => site,
    };
    let theme = builtin_theme(site.theme.template);
    let (site, images) = generator::assets::embed_images(site, cache, lang, |reference| {
        let Some(hash) = reference.strip_prefix("media/") else {
            return Err(lang.t(Text::MediaNotUploaded).into());
        };
        match media.get(hash) {
            Some(bytes) => Ok(bytes.clone()),
            None => Err(lang.t(Text::MediaMissing).into()),
        }
    })?;
    generator::package(&site, theme, images)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{create_agency, user_view};
    use crate::storage::embedded::SledStore;
    use app::model::ThemeKind;
    use std::sync::Arc;

    async fn setup() -> (Arc<SledStore>, UserView, SiteSummary) {
        let store = Arc::new(SledStore::temporary().unwrap());
        let (agency, admin) =
            create_agency(&*store, "Agency", "admin@race.test", "password-123456")
                .await
                .unwrap();
        let who = user_view(&*store, &admin).await.unwrap();
        let merchant = crate::accounts::create_merchant(
            &*store,
            agency.id,
            app::api::NewMerchant {
                name: "Cafe".into(),
                login: "cafe@race.test".into(),
                password: String::new(),
            },
            Lang::En,
        )
        .await
        .unwrap();
        let site = create(
            &*store,
            &who,
            &merchant.merchant.id,
            NewSite {
                name: "Race".into(),
                template: ThemeKind::Shop,
                locale: Lang::En,
            },
        )
        .await
        .unwrap();
        (store, who, site)
    }

    /// Data written before images had owners: opening it gives each image to the merchants
    /// whose drafts use it, and to nobody else.
    #[tokio::test]
    async fn images_in_an_older_data_dir_go_to_the_merchants_that_use_them() {
        let (store, who, summary) = setup().await;
        let hash = "ab".repeat(32);
        store
            .media_tree()
            .unwrap()
            .insert(hash.as_bytes(), &b"png bytes"[..])
            .unwrap();
        let base = draft_view(&*store, &who, &summary.id).await.unwrap();
        let mut site = base.site.clone();
        site.data.gallery = vec![format!("media/{hash}")];
        let input = SaveDraft {
            base_version: base.version,
            site,
        };
        save_draft(&*store, &who, &summary.id, input).await.unwrap();
        // As schema 1 left it: no owners.
        store.media_by_merchant.clear().unwrap();
        crate::storage::schema::set_schema_version_for_test(&store.db, 1);
        crate::storage::schema::migrate(&store.db).unwrap();
        let merchant: ulid::Ulid = summary.merchant_id.parse().unwrap();
        assert!(store.owns_media(merchant, &hash).await.unwrap());
        assert!(!store.owns_media(ulid::Ulid::new(), &hash).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn of_twenty_saves_racing_on_one_version_exactly_one_wins() {
        let (store, who, summary) = setup().await;
        let base = draft_view(&*store, &who, &summary.id).await.unwrap();
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
                    (i, save_draft(&*store, &who, &id, input).await)
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
        let now = draft_view(&*store, &who, &summary.id).await.unwrap();
        assert_eq!(now.version, version);
        assert_eq!(now.site.name, format!("Saver {winner}"));
        let record = store
            .site(now.site_id.parse::<ulid::Ulid>().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.name, format!("Saver {winner}"));
    }

    #[tokio::test]
    async fn a_stale_save_changes_nothing() {
        let (store, who, summary) = setup().await;
        let base = draft_view(&*store, &who, &summary.id).await.unwrap();
        let mut site = base.site.clone();
        site.name = "First".into();
        let input = SaveDraft {
            base_version: base.version,
            site: site.clone(),
        };
        save_draft(&*store, &who, &summary.id, input).await.unwrap();
        site.name = "Second".into();
        let stale = SaveDraft {
            base_version: base.version,
            site,
        };
        let err = save_draft(&*store, &who, &summary.id, stale)
            .await
            .unwrap_err();
        assert_eq!(err.status_code(), axum::http::StatusCode::CONFLICT);
        let now = draft_view(&*store, &who, &summary.id).await.unwrap();
        assert_eq!(
            (now.version, now.site.name.as_str()),
            (base.version + 1, "First")
        );
    }
}
