//! The agency dashboard: one row per site (its merchant, connected mini program, live version,
//! review state and reason, whether the draft changed since the live version, last published,
//! open problems), kept as a store document per site under `{agency}/{site}` so the agency's
//! rows are one range read, whatever the number of merchants. A row is recomputed from the
//! records whenever one of them changes ([`touch`]); it is a cache, never the truth, and
//! [`rebuild`] makes every row of an agency again.
use crate::storage::{Doc, Expect, Store, StoreError};
use app::i18n::Lang;
pub use app::model::dashboard::{Page, Query, Row, State, PAGE};
use app::model::publish::Review;
use sha2::{Digest, Sha256};
use ulid::Ulid;

pub const ROW: &str = "site-row";
/// Marks an agency whose rows have all been made (older installations get them on first view).
const BUILT: &str = "site-rows-built";

fn key(agency: Ulid, site: Ulid) -> String {
    format!("{agency}/{site}")
}

fn digest(site: &app::model::site::Site) -> Result<[u8; 32], StoreError> {
    let json = serde_json::to_vec(site).map_err(StoreError::Encode)?;
    Ok(Sha256::digest(json).into())
}

/// The row of `site` as its records say now; `None` when it should not be shown (deleted,
/// or its merchant deleted).
pub async fn compute(store: &dyn Store, site: Ulid) -> Result<Option<(Ulid, Row)>, StoreError> {
    let Some(record) = store.site(site).await? else {
        return Ok(None);
    };
    let Some(merchant) = store.merchant(record.merchant_id).await? else {
        return Ok(None);
    };
    if record.deleted_at.is_some() || merchant.deleted_at.is_some() {
        return Ok(Some((merchant.agency_id, gone(site))));
    }
    let login = store
        .user(merchant.user_id)
        .await?
        .map(|u| u.login)
        .unwrap_or_default();
    let draft = match store.draft(site).await? {
        Some(d) => d.site,
        None => crate::sites::starter_draft(&record, Lang::En).site,
    };
    let conn = crate::wechat::platform::connection(store, site).await?;
    let (ps, _) = crate::publish::load(store, site).await?;
    let run = ps.run.as_ref();
    let connected = conn.as_ref().is_some_and(|c| c.connected);
    let state = match run {
        _ if !connected => State::NotConnected,
        Some(r) if r.error.is_some() => State::Failed,
        Some(r) if r.released => State::Live,
        Some(r) => match r.review {
            Review::InReview | Review::Delayed => State::InReview,
            Review::Approved => State::Approved,
            Review::Rejected | Review::Withdrawn => State::Rejected,
            Review::NotSubmitted if r.is_active() => State::Publishing,
            Review::NotSubmitted => State::Failed,
        },
        None if ps.live.is_some() => State::Live,
        None => State::Draft,
    };
    // A rejected or failed newer version does not take the live one down: the state says
    // what needs attention, the live columns what customers see.
    let draft_changed = match &ps.live {
        Some(live) => match crate::publish::versions::get(store, site, live.version).await? {
            Some(v) => match &v.site {
                Some(snapshot) => digest(snapshot)? != digest(&draft)?,
                None => true,
            },
            None => true,
        },
        None => false,
    };
    let row = Row {
        site_id: site.to_string(),
        merchant_id: merchant.id.to_string(),
        merchant_name: merchant.name.clone(),
        merchant_login: login,
        merchant_paused: merchant.disabled,
        site_name: record.name.clone(),
        template: record.template.slug().to_string(),
        archived: record.archived,
        appid: conn.as_ref().map(|c| c.appid.clone()),
        mini_program: conn.as_ref().map(|c| c.nick_name.clone()),
        state,
        live_version: ps.live.as_ref().map(|l| l.version),
        live_user_version: ps.live.as_ref().map(|l| l.user_version.clone()),
        released_at: ps.live.as_ref().map(|l| l.released_at.clone()),
        review_reason: run
            .filter(|r| matches!(r.review, Review::Rejected | Review::Delayed))
            .map(|r| r.reason.clone())
            .filter(|r| !r.is_empty()),
        error: run
            .and_then(|r| r.error.as_ref())
            .map(|e| (e.en.clone(), e.zh.clone())),
        draft_changed,
        problems: draft.validate(Lang::En).len(),
        updated_at: record.updated_at.clone(),
    };
    Ok(Some((merchant.agency_id, row)))
}

/// A placeholder meaning "remove this row".
fn gone(site: Ulid) -> Row {
    Row {
        site_id: site.to_string(),
        merchant_id: String::new(),
        merchant_name: String::new(),
        merchant_login: String::new(),
        merchant_paused: false,
        site_name: String::new(),
        template: String::new(),
        archived: false,
        appid: None,
        mini_program: None,
        state: State::Draft,
        live_version: None,
        live_user_version: None,
        released_at: None,
        review_reason: None,
        error: None,
        draft_changed: false,
        problems: 0,
        updated_at: String::new(),
    }
}

/// Recomputes the row of `site` and stores it (or removes it).
pub async fn refresh(store: &dyn Store, site: Ulid) -> Result<(), StoreError> {
    match compute(store, site).await? {
        Some((agency, row)) if row.merchant_id.is_empty() => {
            store.delete_doc(ROW, &key(agency, site)).await
        }
        Some((agency, row)) => {
            let body = serde_json::to_value(&row).map_err(StoreError::Encode)?;
            store
                .put_doc(&Doc::new(ROW, key(agency, site), agency, body), Expect::Any)
                .await
                .map(|_| ())
        }
        None => Ok(()),
    }
}

/// [`refresh`], for callers whose own change already succeeded: a failure is logged, and the
/// row is made right by the next change or [`rebuild`].
pub async fn touch(store: &dyn Store, site: Ulid) {
    if let Err(e) = refresh(store, site).await {
        tracing::warn!(%site, error = %e, "dashboard row not refreshed");
    }
}

/// Every row of the merchant's sites (its name or state changed).
pub async fn touch_merchant(store: &dyn Store, merchant: Ulid) {
    match store.merchant_sites(merchant).await {
        Ok(sites) => {
            for s in sites {
                touch(store, s.id).await;
            }
        }
        Err(e) => tracing::warn!(%merchant, error = %e, "dashboard rows not refreshed"),
    }
}

/// Makes every row of the agency again; returns how many sites it has.
pub async fn rebuild(store: &dyn Store, agency: Ulid) -> Result<usize, StoreError> {
    let mut n = 0;
    for m in store.agency_merchants(agency).await? {
        for s in store.merchant_sites(m.id).await? {
            refresh(store, s.id).await?;
            n += 1;
        }
    }
    store
        .put_doc(
            &Doc::new(
                BUILT,
                agency.to_string(),
                agency,
                serde_json::json!({"sites": n}),
            ),
            Expect::Any,
        )
        .await?;
    Ok(n)
}

/// The agency's rows (made first when they never were).
pub async fn rows(store: &dyn Store, agency: Ulid) -> Result<Vec<Row>, StoreError> {
    if store.doc(BUILT, &agency.to_string()).await?.is_none() {
        rebuild(store, agency).await?;
    }
    let docs = store.docs(ROW, &format!("{agency}/"), 1_000_000).await?;
    docs.iter().map(|d| d.read()).collect()
}

/// One page of the agency's dashboard.
pub async fn page(store: &dyn Store, agency: Ulid, query: &Query) -> Result<Page, StoreError> {
    let all = rows(store, agency).await?;
    let mut counts: Vec<(State, usize)> = State::ALL.iter().map(|s| (*s, 0)).collect();
    for r in &all {
        if let Some(c) = counts.iter_mut().find(|(s, _)| *s == r.state) {
            c.1 += 1;
        }
    }
    let changed = all.iter().filter(|r| r.draft_changed).count();
    let with_problems = all.iter().filter(|r| r.problems > 0).count();
    let n_all = all.len();
    let selected = query.select(all);
    let total = selected.len();
    let pages = total.div_ceil(PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let rows = selected
        .into_iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .collect();
    Ok(Page {
        rows,
        total,
        page,
        pages,
        counts,
        changed,
        with_problems,
        all: n_all,
    })
}
