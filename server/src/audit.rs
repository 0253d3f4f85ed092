//! The audit log: who did what and when, per agency (sign-ins and failed ones, sites saved,
//! an agency user editing a merchant's site, publishing, releases and rollbacks, users added
//! and removed, settings changed, API tokens made). Agency admins read all of it; a merchant's
//! owner reads what concerns its merchant and its sites.
use crate::storage::{now_rfc3339, AuditEntry, Doc, Expect, Site, Store};
use crate::tenancy::{require_agency_admin, visible_merchant};
use app::error::AppError;
use app::model::{Role, UserView};
use serde::{Deserialize, Serialize};
use ulid::Ulid;

/// `{site}/{user}` → when that person's save of that site was last noted.
const SAVE_NOTED: &str = "audit-save";
/// Entries read for one page of the log (newest first).
const WINDOW: usize = 2_000;
/// A site's saves by one person are noted once in this long (autosave saves every few
/// seconds).
const SAVE_EVERY_SECS: i64 = 600;

/// Appends an entry; a failure is logged, never in the user's way.
pub async fn note(
    store: &dyn Store,
    who: &UserView,
    merchant: Option<Ulid>,
    site: Option<Ulid>,
    action: &str,
    detail: String,
) {
    let entry = AuditEntry {
        id: crate::storage::tree::new_id(),
        agency_id: who.agency_id.parse().unwrap_or_default(),
        user_id: who.id.parse().ok(),
        merchant_id: merchant.or_else(|| who.merchant_id.as_deref().and_then(|m| m.parse().ok())),
        site_id: site,
        action: action.into(),
        detail: if detail.is_empty() {
            who.login.clone()
        } else {
            format!("{}: {detail}", who.login)
        },
        at: now_rfc3339(),
    };
    if let Err(e) = store.append_audit(&entry).await {
        tracing::error!(error = %e, "could not append to the audit log");
    }
}

/// A save of `site` by `who`: `agency_edited_site` when an agency user edits a merchant's
/// site, else `site_saved`; at most once per person and site in ten minutes.
pub async fn site_saved(store: &dyn Store, who: &UserView, site: &Site) {
    let action = if who.role.is_agency() {
        "agency_edited_site"
    } else {
        "site_saved"
    };
    let Ok(agency) = who.agency_id.parse::<Ulid>() else {
        return;
    };
    // One small document per person and site says when its save was last noted: a save
    // (every few seconds while editing) reads it, not the log. Two racing saves note once.
    let key = format!("{}/{}", site.id, who.id);
    let now = crate::storage::now_unix();
    let expect = match store.doc(SAVE_NOTED, &key).await {
        Ok(Some(d)) if now - d.body["at"].as_i64().unwrap_or(0) < SAVE_EVERY_SECS => return,
        Ok(Some(d)) => Expect::Rev(d.rev),
        Ok(None) => Expect::Absent,
        Err(e) => {
            tracing::warn!(error = %e, "audit throttle not read");
            return;
        }
    };
    let mark = Doc::new(SAVE_NOTED, key, agency, serde_json::json!({"at": now}));
    let seen = store.put_doc(&mark, expect).await.is_err();
    if !seen {
        note(
            store,
            who,
            Some(site.merchant_id),
            Some(site.id),
            action,
            site.name.clone(),
        )
        .await;
    }
}

/// One line of the log as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub at: String,
    pub action: String,
    pub detail: String,
    pub site_id: Option<String>,
    pub merchant_id: Option<String>,
}

/// What the log is filtered by.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Filter {
    /// An action's name, or empty for all.
    #[serde(default)]
    pub action: String,
    /// Words in the detail (a login, a site's name).
    #[serde(default)]
    pub q: String,
}

/// The log as `who` may read it: the agency's for an admin, the merchant's for its owner
/// (`merchant` given); newest first, at most `limit` lines.
pub async fn read(
    store: &dyn Store,
    who: &UserView,
    merchant: Option<&str>,
    filter: &Filter,
    limit: usize,
) -> Result<Vec<Line>, crate::error::Error> {
    let (agency, only) = match merchant {
        None => (require_agency_admin(who)?, None),
        Some(id) => {
            let m = visible_merchant(store, who, id).await?;
            if !matches!(who.role, Role::AgencyAdmin | Role::Merchant) {
                return Err(AppError::Forbidden.into());
            }
            let sites: Vec<Ulid> = store
                .merchant_sites(m.id)
                .await?
                .iter()
                .map(|s| s.id)
                .collect();
            (m.agency_id, Some((m.id, sites)))
        }
    };
    let q = filter.q.trim().to_lowercase();
    let entries = store.agency_audit(agency, WINDOW).await?;
    Ok(entries
        .into_iter()
        .filter(|e| match &only {
            None => true,
            Some((m, sites)) => {
                e.merchant_id == Some(*m) || e.site_id.is_some_and(|s| sites.contains(&s))
            }
        })
        .filter(|e| filter.action.is_empty() || e.action == filter.action)
        .filter(|e| q.is_empty() || e.detail.to_lowercase().contains(&q))
        .take(limit)
        .map(|e| Line {
            at: e.at,
            action: e.action,
            detail: e.detail,
            site_id: e.site_id.map(|s| s.to_string()),
            merchant_id: e.merchant_id.map(|m| m.to_string()),
        })
        .collect())
}
