//! Every visibility rule in one place. An agency admin sees its own agency's merchants and
//! their sites; a merchant user sees only its own merchant. A foreign id answers NotFound, the
//! same as an id that does not exist, so nobody can learn which ids exist elsewhere.
use crate::storage::{Merchant, Site, Store};
use app::error::AppError;
use app::model::{Role, SessionInfo, UserView};
use ulid::Ulid;

/// An id from a URL or a form; anything unreadable is simply not found.
pub fn parse_id(id: &str) -> Result<Ulid, AppError> {
    Ulid::from_string(id).map_err(|_| AppError::NotFound)
}

/// The signed-in user of a request, or `Unauthenticated`.
pub fn signed_in(session: &SessionInfo) -> Result<&UserView, AppError> {
    session.user.as_ref().ok_or(AppError::Unauthenticated)
}

/// The agency `who` administers; Forbidden for anyone else (staff included: users and
/// settings are the admins').
pub fn require_agency_admin(who: &UserView) -> Result<Ulid, AppError> {
    match who.role {
        Role::AgencyAdmin => parse_id(&who.agency_id).map_err(|_| AppError::Forbidden),
        _ => Err(AppError::Forbidden),
    }
}

/// The agency `who` works for (admin or staff); Forbidden for a merchant's user.
pub fn require_agency_member(who: &UserView) -> Result<Ulid, AppError> {
    match who.role {
        Role::AgencyAdmin | Role::AgencyStaff => {
            parse_id(&who.agency_id).map_err(|_| AppError::Forbidden)
        }
        _ => Err(AppError::Forbidden),
    }
}

/// Forbidden for a merchant's staff: connecting, publishing, releasing and rolling back are
/// the owner's and the agency's.
pub fn require_publisher(who: &UserView) -> Result<(), AppError> {
    if who.role.may_publish() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The merchant `id` if `who` may see it; NotFound otherwise.
pub async fn visible_merchant(
    store: &dyn Store,
    who: &UserView,
    id: &str,
) -> Result<Merchant, AppError> {
    let id = parse_id(id)?;
    let merchant = store.merchant(id).await?.ok_or(AppError::NotFound)?;
    let allowed = match who.role {
        Role::AgencyAdmin | Role::AgencyStaff => merchant.agency_id.to_string() == who.agency_id,
        Role::Merchant | Role::MerchantStaff => {
            merchant.agency_id.to_string() == who.agency_id
                && who.merchant_id.as_deref() == Some(&merchant.id.to_string())
        }
    };
    if allowed {
        Ok(merchant)
    } else {
        Err(AppError::NotFound)
    }
}

/// The site record `id` if `who` may see its merchant and it is not deleted; NotFound
/// otherwise.
pub async fn visible_site(store: &dyn Store, who: &UserView, id: &str) -> Result<Site, AppError> {
    let site = visible_site_even_deleted(store, who, id).await?;
    match site.deleted_at {
        None => Ok(site),
        Some(_) => Err(AppError::NotFound),
    }
}

/// The site record `id` if `who` may see its merchant, deleted or not (to restore it).
pub async fn visible_site_even_deleted(
    store: &dyn Store,
    who: &UserView,
    id: &str,
) -> Result<Site, AppError> {
    let id = parse_id(id)?;
    let site = store.site(id).await?.ok_or(AppError::NotFound)?;
    visible_merchant(store, who, &site.merchant_id.to_string()).await?;
    Ok(site)
}
