//! The people of an agency and of its merchants besides the first admin and each merchant's
//! owner: agency admins and staff, merchant staff. They join by a one-time invitation link
//! (seven days, one use) and are removed (signed out everywhere; their login can no longer
//! sign in). Members are store documents `team/{agency}/{user}`; invitations are kept under
//! the SHA-256 of their token, never the token.
use crate::accounts::{
    self, hash_off_thread, login_taken, normalize_login, validate_name, validate_password,
};
use crate::error::Result;
use crate::storage::{now_rfc3339, now_unix, Doc, Expect, Store, StoreError, StoredRole, User};
use crate::tenancy::{parse_id, require_agency_admin, visible_merchant};
use app::error::AppError;
use app::i18n::Lang;
use app::model::{Role, UserView};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ulid::Ulid;

pub const MEMBER: &str = "team";
pub const INVITE: &str = "invite";
/// How long an invitation link works.
pub const INVITE_DAYS: i64 = 7;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: Ulid,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub merchant_id: Option<Ulid>,
    pub added_at: String,
    pub added_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invite {
    pub agency_id: Ulid,
    /// `AgencyAdmin`, `AgencyStaff` or `MerchantStaff`.
    pub role: Role,
    #[serde(default)]
    pub merchant_id: Option<Ulid>,
    pub invited_by: String,
    pub created_at: String,
    /// Unix seconds.
    pub expires_at: i64,
    #[serde(default)]
    pub used_by: Option<Ulid>,
}

fn member_key(agency: Ulid, user: Ulid) -> String {
    format!("{agency}/{user}")
}

fn invite_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn tr(lang: Lang, en: &str, zh: &str) -> String {
    if lang == Lang::Zh { zh } else { en }.to_string()
}

/// An invitation to join as `role` (of `merchant` for merchant staff); returns its token.
/// Agency users are invited by an agency admin; a merchant's staff by an agency admin or by
/// the merchant's owner.
pub async fn invite(
    store: &dyn Store,
    who: &UserView,
    role: Role,
    merchant: Option<&str>,
) -> Result<String> {
    let (agency, merchant_id) = match role {
        Role::AgencyAdmin | Role::AgencyStaff => (require_agency_admin(who)?, None),
        Role::MerchantStaff => {
            let m = visible_merchant(store, who, merchant.unwrap_or_default()).await?;
            if !matches!(who.role, Role::AgencyAdmin | Role::Merchant) {
                return Err(AppError::Forbidden.into());
            }
            (m.agency_id, Some(m.id))
        }
        Role::Merchant => {
            return Err(
                AppError::invalid("role", tr(who.lang, "Choose a role.", "请选择角色。")).into(),
            )
        }
    };
    let token = crate::auth::random_token();
    let invite = Invite {
        agency_id: agency,
        role,
        merchant_id,
        invited_by: who.login.clone(),
        created_at: now_rfc3339(),
        expires_at: now_unix() + INVITE_DAYS * 24 * 3600,
        used_by: None,
    };
    let body = serde_json::to_value(&invite).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(INVITE, invite_key(&token), agency, body),
            Expect::Absent,
        )
        .await?;
    store.flush().await?;
    Ok(token)
}

/// The invitation `token` opens, if it still can be used.
pub async fn open(store: &dyn Store, token: &str) -> Result<Option<(Invite, u64)>, StoreError> {
    let Some(doc) = store.doc(INVITE, &invite_key(token)).await? else {
        return Ok(None);
    };
    let invite: Invite = doc.read()?;
    if invite.used_by.is_some() || invite.expires_at <= now_unix() {
        return Ok(None);
    }
    Ok(Some((invite, doc.rev)))
}

/// What the person who follows the link fills in.
pub struct Joining {
    pub name: String,
    pub login: String,
    pub password: String,
}

/// Joins with invitation `token`: the user is made with the invitation's role and the link is
/// used up (two people racing on one link: one joins, the other is told it was used).
pub async fn accept(store: &dyn Store, token: &str, input: Joining, lang: Lang) -> Result<User> {
    let gone = || {
        AppError::conflict(
            "invite",
            tr(
                lang,
                "This invitation link was already used or has expired: ask for a new one.",
                "该邀请链接已被使用或已过期,请重新索取。",
            ),
        )
    };
    let name = validate_name("name", &input.name, accounts::NAME_MAX, lang)?;
    let login = normalize_login(&input.login, lang)?;
    validate_password("password", &input.password, &[&login, &name], lang)?;
    let (invite, rev) = open(store, token).await?.ok_or_else(gone)?;
    let user_id = crate::storage::tree::new_id();
    // The link is used up first (compare-and-swap), then the user is made; a login already
    // taken gives the link back.
    let mut used = invite.clone();
    used.used_by = Some(user_id);
    let key = invite_key(token);
    let body = serde_json::to_value(&used).map_err(StoreError::Encode)?;
    match store
        .put_doc(
            &Doc::new(INVITE, key.clone(), invite.agency_id, body),
            Expect::Rev(rev),
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::Stale) => return Err(gone().into()),
        Err(e) => return Err(e.into()),
    }
    let role = match (invite.role, invite.merchant_id) {
        (Role::AgencyAdmin, _) => StoredRole::AgencyAdmin {
            agency_id: invite.agency_id,
        },
        (Role::MerchantStaff, Some(merchant_id)) => StoredRole::MerchantStaff {
            agency_id: invite.agency_id,
            merchant_id,
        },
        _ => StoredRole::AgencyStaff {
            agency_id: invite.agency_id,
        },
    };
    let user = User {
        id: user_id,
        login,
        display_name: name,
        password_hash: hash_off_thread(input.password).await?,
        role,
        lang,
        created_at: now_rfc3339(),
        removed: false,
    };
    if let Err(e) = store.create_user(&user).await {
        let body = serde_json::to_value(&invite).map_err(StoreError::Encode)?;
        store
            .put_doc(&Doc::new(INVITE, key, invite.agency_id, body), Expect::Any)
            .await?;
        return Err(login_taken(e, lang).into());
    }
    let member = Member {
        user_id: user.id,
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        role: invite.role,
        merchant_id: invite.merchant_id,
        added_at: now_rfc3339(),
        added_by: invite.invited_by.clone(),
    };
    let body = serde_json::to_value(&member).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(
                MEMBER,
                member_key(invite.agency_id, user.id),
                invite.agency_id,
                body,
            ),
            Expect::Any,
        )
        .await?;
    store.flush().await?;
    Ok(user)
}

/// The agency's members (agency users and every merchant's staff), oldest first.
pub async fn members(store: &dyn Store, agency: Ulid) -> Result<Vec<Member>, StoreError> {
    store
        .docs(MEMBER, &format!("{agency}/"), 100_000)
        .await?
        .iter()
        .map(|d| d.read())
        .collect()
}

/// Removes member `user_id`: it can no longer sign in and is signed out everywhere. An agency
/// admin removes anyone of the agency but itself; a merchant's owner, its own staff.
pub async fn remove(store: &dyn Store, who: &UserView, user_id: &str) -> Result<Member> {
    let id = parse_id(user_id)?;
    let agency = parse_id(&who.agency_id).map_err(|_| AppError::Forbidden)?;
    let doc = store
        .doc(MEMBER, &member_key(agency, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let member: Member = doc.read()?;
    let allowed = match who.role {
        Role::AgencyAdmin => true,
        Role::Merchant => {
            member.role == Role::MerchantStaff
                && member.merchant_id.map(|m| m.to_string()) == who.merchant_id
        }
        _ => false,
    };
    if !allowed {
        return Err(AppError::NotFound.into());
    }
    if who.id == id.to_string() {
        return Err(AppError::conflict(
            "user",
            tr(who.lang, "You cannot remove yourself.", "不能移除自己。"),
        )
        .into());
    }
    if let Some(mut user) = store.user(id).await? {
        user.removed = true;
        store.put_user(&user).await?;
        crate::auth::end_sessions_of(store, user.id, None).await?;
    }
    store.delete_doc(MEMBER, &doc.key).await?;
    store.flush().await?;
    Ok(member)
}
