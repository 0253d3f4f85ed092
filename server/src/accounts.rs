//! Agencies, merchants and their users: create them (each with its login, in one
//! transaction), check a login's password, and the views the UI shows of them. Who may see
//! what is decided in [`crate::tenancy`].
use crate::auth;
use crate::storage::tree::new_id;
use crate::storage::{now_rfc3339, Agency, Merchant, Store, StoreError, StoredRole, User};
use app::api::NewMerchant;
use app::error::AppError;
use app::i18n::{Lang, Text};
use app::model::{MerchantCreated, MerchantView, Role, UserView};
use ulid::Ulid;

pub const NAME_MAX: usize = 80;

pub fn validate_name(field: &str, value: &str, max: usize, lang: Lang) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, lang.t(Text::ErrNameRequired)));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            lang.t(Text::ErrNameTooLong)
                .replace("{max}", &max.to_string()),
        ));
    }
    Ok(v.to_string())
}

/// Logins are case-insensitive: stored lower-case.
pub fn normalize_login(login: &str, lang: Lang) -> Result<String, AppError> {
    let l = login.trim().to_lowercase();
    let ok = (3..=64).contains(&l.len())
        && l.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c));
    if ok {
        Ok(l)
    } else {
        Err(AppError::invalid("login", lang.t(Text::ErrLoginFormat)))
    }
}

/// Passwords common enough to be guessed early that the English-centric dictionaries of
/// `zxcvbn` miss: the Chinese favourites seen at the top of public leak analyses.
const COMMON_ELSEWHERE: &[&str] = &[
    "woaini",
    "wodemima",
    "5201314",
    "1314520",
    "woaini1314",
    "iloveyou",
    "zhang",
    "wang",
    "li",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "qq123456",
    "a123456",
    "abc123",
    "1qaz2wsx",
    "qazwsx",
    "asdfghjkl",
    "zxcvbnm",
    "88888888",
    "66666666",
    "147258369",
    "159357",
    "123qwe",
    "mpforge",
    "wechat",
    "weixin",
    "xiaochengxu",
];

/// At least 10 characters, at most 200, and not easy to guess: `zxcvbn` must estimate at
/// least 10^8 guesses (score 2), with the login, name and common Chinese passwords among the
/// words it tries. `field` is the form field the refusal is about.
pub fn validate_password(
    field: &str,
    password: &str,
    personal: &[&str],
    lang: Lang,
) -> Result<(), AppError> {
    match password.chars().count() {
        n if n < 10 => return Err(AppError::invalid(field, lang.t(Text::ErrPasswordShort))),
        n if n > 200 => return Err(AppError::invalid(field, lang.t(Text::ErrPasswordLong))),
        _ => {}
    }
    let mut words: Vec<&str> = COMMON_ELSEWHERE.to_vec();
    words.extend(
        personal
            .iter()
            .flat_map(|p| p.split(['@', '.', ' ', '-', '_'])),
    );
    words.extend_from_slice(personal);
    if (zxcvbn::zxcvbn(password, &words).score() as u8) < 2 {
        return Err(AppError::invalid(field, lang.t(Text::ErrPasswordCommon)));
    }
    Ok(())
}

/// A taken login as the user's error; anything else as it was.
pub(crate) fn login_taken(e: StoreError, lang: Lang) -> AppError {
    match e {
        StoreError::LoginTaken => AppError::conflict("login", lang.t(Text::ErrLoginTaken)),
        e => e.into(),
    }
}

/// Hashes off the async workers (argon2 takes tens of milliseconds of CPU).
pub(crate) async fn hash_off_thread(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|_| AppError::Internal)
}

/// Creates an agency with its first admin (CLI and first-run seeding).
pub async fn create_agency(
    store: &dyn Store,
    name: &str,
    login: &str,
    password: &str,
) -> Result<(Agency, User), AppError> {
    let lang = Lang::En;
    let name = validate_name("name", name, NAME_MAX, lang)?;
    let login = normalize_login(login, lang)?;
    validate_password("password", password, &[&login, &name], lang)?;
    let now = now_rfc3339();
    let agency = Agency {
        id: new_id(),
        name: name.clone(),
        created_at: now.clone(),
    };
    let user = User {
        id: new_id(),
        login,
        display_name: name,
        password_hash: hash_off_thread(password.to_string()).await?,
        role: StoredRole::AgencyAdmin {
            agency_id: agency.id,
        },
        lang,
        created_at: now,
        removed: false,
    };
    store
        .create_agency(&agency, &user)
        .await
        .map_err(|e| login_taken(e, lang))?;
    Ok((agency, user))
}

/// Creates a merchant of `agency_id` and its login. Validation messages are in `lang`.
pub async fn create_merchant(
    store: &dyn Store,
    agency_id: Ulid,
    input: NewMerchant,
    lang: Lang,
) -> Result<MerchantCreated, AppError> {
    let name = validate_name("name", &input.name, NAME_MAX, lang)?;
    let login = normalize_login(&input.login, lang)?;
    let (password, generated) = if input.password.is_empty() {
        let p = auth::generate_password();
        (p.clone(), Some(p))
    } else {
        validate_password("password", &input.password, &[&login, &name], lang)?;
        (input.password, None)
    };
    let now = now_rfc3339();
    let merchant_id = new_id();
    let user = User {
        id: new_id(),
        login,
        display_name: name.clone(),
        password_hash: hash_off_thread(password).await?,
        role: StoredRole::Merchant {
            agency_id,
            merchant_id,
        },
        lang,
        created_at: now.clone(),
        removed: false,
    };
    let merchant = Merchant {
        id: merchant_id,
        agency_id,
        name,
        user_id: user.id,
        created_at: now,
        disabled: false,
        deleted_at: None,
    };
    store
        .create_merchant(&merchant, &user)
        .await
        .map_err(|e| login_taken(e, lang))?;
    store.flush().await?;
    Ok(MerchantCreated {
        merchant: merchant_view(store, &merchant).await?,
        generated_password: generated,
    })
}

/// The user of `login` (any case), if any.
pub async fn find_login(store: &dyn Store, login: &str) -> Result<Option<User>, StoreError> {
    store.user_by_login(&login.trim().to_lowercase()).await
}

/// Whether `password` is `user`'s (`None`: no such login, checked against a dummy hash so the
/// two take the same time). CPU-heavy: call off the async runtime.
pub fn password_matches(user: Option<User>, password: &str) -> Option<User> {
    match user {
        Some(u) if auth::verify_password(password, &u.password_hash) => Some(u),
        Some(_) => None,
        None => {
            auth::burn_verify(password);
            None
        }
    }
}

/// Gives merchant `merchant_id`'s login a new generated password and ends every session it
/// had; returns the login and the password (to be shown once).
pub async fn reset_merchant_password(
    store: &dyn Store,
    merchant_id: Ulid,
) -> Result<(String, String), AppError> {
    let merchant = store
        .merchant(merchant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut user = store
        .user(merchant.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let password = auth::generate_password();
    user.password_hash = hash_off_thread(password.clone()).await?;
    store.put_user(&user).await?;
    auth::end_sessions_of(store, user.id, None).await?;
    Ok((user.login, password))
}

/// How long a deleted merchant (with its sites) can be restored.
pub const MERCHANT_RESTORE_DAYS: i64 = 30;

/// What an agency does to one of its merchants' accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MerchantAction {
    /// Its users cannot sign in (signed-in sessions end); everything is kept.
    Pause,
    Resume,
    /// Gone from the agency's list and unable to sign in; restorable for
    /// [`MERCHANT_RESTORE_DAYS`], then removed with its sites.
    Delete,
    Restore,
}

impl MerchantAction {
    pub fn from_form(action: &str) -> Option<Self> {
        Some(match action {
            "pause_merchant" => MerchantAction::Pause,
            "resume_merchant" => MerchantAction::Resume,
            "delete_merchant" => MerchantAction::Delete,
            "restore_merchant" => MerchantAction::Restore,
            _ => return None,
        })
    }
}

/// Whether a deleted merchant can still be restored at `now` (unix seconds).
pub fn merchant_restorable(m: &Merchant, now: i64) -> bool {
    m.deleted_at
        .is_some_and(|at| now < crate::storage::grace_ends(at, MERCHANT_RESTORE_DAYS))
}

/// Applies `action` to merchant `merchant_id` (the caller has checked it is the agency's).
/// Pausing or deleting ends every session of the merchant's login at once.
pub async fn manage_merchant(
    store: &dyn Store,
    merchant_id: Ulid,
    action: MerchantAction,
    lang: Lang,
) -> Result<Merchant, AppError> {
    let mut m = store
        .merchant(merchant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = crate::storage::now_unix();
    match action {
        MerchantAction::Pause => m.disabled = true,
        MerchantAction::Resume => m.disabled = false,
        MerchantAction::Delete => m.deleted_at = Some(now),
        MerchantAction::Restore if merchant_restorable(&m, now) => m.deleted_at = None,
        MerchantAction::Restore => {
            return Err(AppError::conflict(
                "merchant",
                lang.t(Text::ErrMerchantGone),
            ))
        }
    }
    store.put_merchant(&m).await?;
    if matches!(action, MerchantAction::Pause | MerchantAction::Delete) {
        auth::end_sessions_of(store, m.user_id, None).await?;
    }
    crate::dashboard::touch_merchant(store, m.id).await;
    Ok(m)
}

/// Removes a deleted merchant for good: its pictures (the bytes too, unless another merchant
/// keeps them), its sites, its login and the merchant.
pub async fn purge_merchant(
    store: &dyn Store,
    blobs: &crate::storage::blobs::Blobs,
    m: &Merchant,
) -> Result<(), AppError> {
    for picture in store.merchant_media(m.id).await? {
        crate::uploads::forget(store, blobs, m.id, &picture.hash).await?;
    }
    store.purge_merchant(m).await?;
    Ok(())
}

/// Why `user` may not sign in, as the login page's error code: `paused` or `removed` for a
/// merchant its agency paused or deleted; `None` when it may.
pub async fn sign_in_refusal(
    store: &dyn Store,
    user: &User,
) -> Result<Option<&'static str>, StoreError> {
    if user.removed {
        return Ok(Some("removed"));
    }
    let Some(merchant_id) = user.role.merchant_id() else {
        return Ok(None);
    };
    Ok(match store.merchant(merchant_id).await? {
        None => Some("removed"),
        Some(m) if m.deleted_at.is_some() => Some("removed"),
        Some(m) if m.disabled => Some("paused"),
        Some(_) => None,
    })
}

/// What a password change asks for.
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub repeat: String,
}

/// Changes `user_id`'s password after checking the current one; every refusal names its
/// field (`current_password`, `new_password`, `repeat_password`) in `lang`. The password work
/// (two argon2 runs) waits for a slot of `gate`; a full gate is [`AppError::Busy`].
pub async fn change_password(
    store: &dyn Store,
    gate: &crate::gate::Gate,
    user_id: Ulid,
    change: PasswordChange,
    lang: Lang,
) -> Result<(), AppError> {
    let mut user = store
        .user(user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let stored = user.password_hash.clone();
    let personal = [user.login.clone(), user.display_name.clone()];
    user.password_hash = gate
        .run(move || check_change(&stored, &change, &personal, lang))
        .await
        .map_err(|_| AppError::Busy(lang.t(Text::ErrBusy).into()))??;
    store.put_user(&user).await?;
    Ok(())
}

/// The new password's hash, once the current one matches and the new one is acceptable.
fn check_change(
    stored: &str,
    change: &PasswordChange,
    personal: &[String; 2],
    lang: Lang,
) -> Result<String, AppError> {
    if !auth::verify_password(&change.current, stored) {
        return Err(AppError::invalid(
            "current_password",
            lang.t(Text::ErrCurrentPassword),
        ));
    }
    validate_password(
        "new_password",
        &change.new,
        &[&personal[0], &personal[1]],
        lang,
    )?;
    if change.new == change.current {
        return Err(AppError::invalid(
            "new_password",
            lang.t(Text::ErrPasswordSame),
        ));
    }
    if change.new != change.repeat {
        return Err(AppError::invalid(
            "repeat_password",
            lang.t(Text::ErrPasswordsDiffer),
        ));
    }
    Ok(auth::hash_password(&change.new))
}

pub async fn set_user_lang(store: &dyn Store, user_id: Ulid, lang: Lang) -> Result<(), StoreError> {
    if let Some(mut user) = store.user(user_id).await? {
        user.lang = lang;
        store.put_user(&user).await?;
    }
    Ok(())
}

pub async fn user_view(store: &dyn Store, user: &User) -> Result<UserView, StoreError> {
    let agency_id = user.role.agency_id();
    let agency_name = store
        .agency(agency_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let (role, merchant_id) = match &user.role {
        StoredRole::AgencyAdmin { .. } => (Role::AgencyAdmin, None),
        StoredRole::AgencyStaff { .. } => (Role::AgencyStaff, None),
        StoredRole::Merchant { merchant_id, .. } => (Role::Merchant, Some(merchant_id.to_string())),
        StoredRole::MerchantStaff { merchant_id, .. } => {
            (Role::MerchantStaff, Some(merchant_id.to_string()))
        }
    };
    Ok(UserView {
        id: user.id.to_string(),
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        role,
        agency_id: agency_id.to_string(),
        agency_name,
        merchant_id,
        lang: user.lang,
    })
}

pub async fn merchant_view(store: &dyn Store, m: &Merchant) -> Result<MerchantView, StoreError> {
    let login = store
        .user(m.user_id)
        .await?
        .map(|u| u.login)
        .unwrap_or_default();
    Ok(MerchantView {
        id: m.id.to_string(),
        name: m.name.clone(),
        login,
        // Deleted sites (restorable for a while) are not counted.
        site_count: store
            .merchant_sites(m.id)
            .await?
            .iter()
            .filter(|s| s.deleted_at.is_none())
            .count(),
        created_at: m.created_at.clone(),
        paused: m.disabled,
        restorable_until: m.deleted_at.map(|at| {
            crate::storage::unix_to_date(crate::storage::grace_ends(at, MERCHANT_RESTORE_DAYS))
        }),
    })
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    #[tokio::test]
    async fn a_merchant_deleted_past_its_grace_period_is_removed_with_its_login_and_sites() {
        let store = crate::storage::embedded::SledStore::temporary().unwrap();
        let (agency, admin) = create_agency(&store, "A", "admin@a.test", "password-123456")
            .await
            .unwrap();
        let input = NewMerchant {
            name: "Cafe".into(),
            login: "cafe@a.test".into(),
            password: "password-123456".into(),
        };
        let created = create_merchant(&store, agency.id, input, Lang::En)
            .await
            .unwrap();
        let id: Ulid = created.merchant.id.parse().unwrap();
        let who = user_view(&store, &admin).await.unwrap();
        let site = crate::sites::create(
            &store,
            &who,
            &created.merchant.id,
            app::api::NewSite {
                name: "Cafe".into(),
                template: app::model::ThemeKind::Shop,
                locale: Lang::En,
            },
        )
        .await
        .unwrap();
        let m = manage_merchant(&store, id, MerchantAction::Delete, Lang::En)
            .await
            .unwrap();
        assert!(merchant_restorable(&m, crate::storage::now_unix()));
        let long_ago =
            crate::storage::grace_ends(crate::storage::now_unix(), MERCHANT_RESTORE_DAYS);
        assert!(!merchant_restorable(&m, long_ago));
        let blobs = crate::storage::blobs::Blobs::in_sled(&store).unwrap();
        let picture = "ab".repeat(32);
        crate::uploads::keep(&store, &blobs, m.id, &picture, vec![1, 2, 3])
            .await
            .unwrap();
        purge_merchant(&store, &blobs, &m).await.unwrap();
        let key = crate::storage::blobs::media_key(&picture);
        assert!(
            !blobs.exists(&key).await.unwrap(),
            "its picture's bytes are gone"
        );
        assert!(store.merchant(id).await.unwrap().is_none());
        assert!(store.user(m.user_id).await.unwrap().is_none());
        assert!(store.user_by_login("cafe@a.test").await.unwrap().is_none());
        let site_id: Ulid = site.id.parse().unwrap();
        assert!(store.site(site_id).await.unwrap().is_none());
        // The login is free again.
        let again = NewMerchant {
            name: "Cafe".into(),
            login: "cafe@a.test".into(),
            password: "password-123456".into(),
        };
        assert!(create_merchant(&store, agency.id, again, Lang::En)
            .await
            .is_ok());
    }
}
