//! Agencies, merchants and their users: create them (each with its login, in one
//! transaction), check a login's password, and the views the UI shows of them. Who may see
//! what is decided in [`crate::tenancy`].
use crate::auth;
use crate::storage::tree::{encode, new_id, pair_key, ulid_prefix};
use crate::storage::{now_rfc3339, Agency, Merchant, Store, StoreError, StoredRole, User};
use app::api::NewMerchant;
use app::error::AppError;
use app::i18n::{Lang, Text};
use app::model::{MerchantCreated, MerchantView, Role, UserView};
use sled::transaction::{abort, ConflictableTransactionError, TransactionalTree};
use sled::Transactional;
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

type TxResult<T> = Result<T, ConflictableTransactionError<AppError>>;

fn tx_put<V: serde::Serialize>(t: &TransactionalTree, key: &[u8], v: &V) -> TxResult<()> {
    let bytes = encode(v).map_err(|_| ConflictableTransactionError::Abort(AppError::Internal))?;
    t.insert(key, bytes)?;
    Ok(())
}

fn tx_error(e: sled::transaction::TransactionError<AppError>) -> AppError {
    match e {
        sled::transaction::TransactionError::Abort(e) => e,
        sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e).into(),
    }
}

/// Inserts a user and its login index entry, refusing a taken login, in one transaction.
fn insert_user_tx(
    ubl: &TransactionalTree,
    users: &TransactionalTree,
    user: &User,
    lang: Lang,
) -> TxResult<()> {
    if ubl.get(user.login.as_bytes())?.is_some() {
        return abort(AppError::conflict("login", lang.t(Text::ErrLoginTaken)));
    }
    ubl.insert(user.login.as_bytes(), ulid_prefix(user.id).to_vec())?;
    tx_put(users, &ulid_prefix(user.id), user)
}

/// Creates an agency with its first admin (CLI and first-run seeding).
pub fn create_agency(
    store: &Store,
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
        password_hash: auth::hash_password(password),
        role: StoredRole::AgencyAdmin {
            agency_id: agency.id,
        },
        lang,
        created_at: now,
    };
    (
        &store.users_by_login,
        store.users.raw(),
        store.agencies.raw(),
    )
        .transaction(|(ubl, users, agencies)| {
            insert_user_tx(ubl, users, &user, lang)?;
            tx_put(agencies, &ulid_prefix(agency.id), &agency)
        })
        .map_err(tx_error)?;
    Ok((agency, user))
}

/// Creates a merchant of `agency_id` and its login. Validation messages are in `lang`.
pub fn create_merchant(
    store: &Store,
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
        password_hash: auth::hash_password(&password),
        role: StoredRole::Merchant {
            agency_id,
            merchant_id,
        },
        lang,
        created_at: now.clone(),
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
    (
        &store.users_by_login,
        store.users.raw(),
        store.merchants.raw(),
        &store.merchants_by_agency,
    )
        .transaction(|(ubl, users, merchants, by_agency)| {
            insert_user_tx(ubl, users, &user, lang)?;
            tx_put(merchants, &ulid_prefix(merchant.id), &merchant)?;
            by_agency.insert(&pair_key(agency_id, merchant.id)[..], Vec::<u8>::new())?;
            Ok(())
        })
        .map_err(tx_error)?;
    Ok(MerchantCreated {
        merchant: merchant_view(store, &merchant)?,
        generated_password: generated,
    })
}

/// Checks a login and password; `None` for any mismatch. CPU-heavy: call off the async runtime.
pub fn authenticate(
    store: &Store,
    login: &str,
    password: &str,
) -> Result<Option<User>, StoreError> {
    let login = login.trim().to_lowercase();
    let user = match store.users_by_login.get(login.as_bytes())? {
        Some(id) => {
            let id = Ulid::from(u128::from_be_bytes(
                id.as_ref().try_into().unwrap_or([0; 16]),
            ));
            store.users.get(&id)?
        }
        None => None,
    };
    match user {
        Some(u) if auth::verify_password(password, &u.password_hash) => Ok(Some(u)),
        Some(_) => Ok(None),
        None => {
            auth::burn_verify(password);
            Ok(None)
        }
    }
}

/// Gives merchant `merchant_id`'s login a new generated password and ends every session it
/// had; returns the login and the password (to be shown once). CPU-heavy (argon2): call off
/// the async runtime.
pub fn reset_merchant_password(
    store: &Store,
    merchant_id: Ulid,
) -> Result<(String, String), AppError> {
    let merchant = store
        .merchants
        .get(&merchant_id)?
        .ok_or(AppError::NotFound)?;
    let mut user = store
        .users
        .get(&merchant.user_id)?
        .ok_or(AppError::NotFound)?;
    let password = auth::generate_password();
    user.password_hash = auth::hash_password(&password);
    store.users.insert(&user.id, &user)?;
    auth::end_sessions_of(store, user.id, None)?;
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
pub fn manage_merchant(
    store: &Store,
    merchant_id: Ulid,
    action: MerchantAction,
    lang: Lang,
) -> Result<Merchant, AppError> {
    let mut m = store
        .merchants
        .get(&merchant_id)?
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
    store.merchants.insert(&m.id, &m)?;
    if matches!(action, MerchantAction::Pause | MerchantAction::Delete) {
        auth::end_sessions_of(store, m.user_id, None)?;
    }
    Ok(m)
}

/// Removes a deleted merchant for good: its sites, its login and the merchant.
pub fn purge_merchant(store: &Store, m: &Merchant) -> Result<(), AppError> {
    for site in crate::sites::merchant_sites(store, m.id)? {
        crate::sites::purge(store, &site)?;
    }
    auth::end_sessions_of(store, m.user_id, None)?;
    if let Some(user) = store.users.get(&m.user_id)? {
        store
            .users_by_login
            .remove(user.login.as_bytes())
            .map_err(StoreError::from)?;
        store.users.remove(&user.id)?;
    }
    store
        .merchants_by_agency
        .remove(&pair_key(m.agency_id, m.id)[..])
        .map_err(StoreError::from)?;
    store.merchants.remove(&m.id)?;
    Ok(())
}

/// Why `user` may not sign in, as the login page's error code: `paused` or `removed` for a
/// merchant its agency paused or deleted; `None` when it may.
pub fn sign_in_refusal(store: &Store, user: &User) -> Result<Option<&'static str>, StoreError> {
    let StoredRole::Merchant { merchant_id, .. } = user.role else {
        return Ok(None);
    };
    Ok(match store.merchants.get(&merchant_id)? {
        None => Some("removed"),
        Some(m) if m.deleted_at.is_some() => Some("removed"),
        Some(m) if m.disabled => Some("paused"),
        Some(_) => None,
    })
}

/// What a password change asks for.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub repeat: &'a str,
}

/// Changes `user_id`'s password after checking the current one; every refusal names its
/// field (`current_password`, `new_password`, `repeat_password`) in `lang`. CPU-heavy (two
/// argon2 runs): call off the async runtime.
pub fn change_password(
    store: &Store,
    user_id: Ulid,
    change: PasswordChange<'_>,
    lang: Lang,
) -> Result<(), AppError> {
    let mut user = store
        .users
        .get(&user_id)?
        .ok_or(AppError::Unauthenticated)?;
    if !auth::verify_password(change.current, &user.password_hash) {
        return Err(AppError::invalid(
            "current_password",
            lang.t(Text::ErrCurrentPassword),
        ));
    }
    validate_password(
        "new_password",
        change.new,
        &[&user.login, &user.display_name],
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
    user.password_hash = auth::hash_password(change.new);
    store.users.insert(&user_id, &user)?;
    Ok(())
}

pub fn set_user_lang(store: &Store, user_id: Ulid, lang: Lang) -> Result<(), StoreError> {
    if let Some(mut user) = store.users.get(&user_id)? {
        user.lang = lang;
        store.users.insert(&user_id, &user)?;
    }
    Ok(())
}

pub fn user_view(store: &Store, user: &User) -> Result<UserView, StoreError> {
    let agency_id = user.role.agency_id();
    let agency_name = store
        .agencies
        .get(&agency_id)?
        .map(|a| a.name)
        .unwrap_or_default();
    let (role, merchant_id) = match &user.role {
        StoredRole::AgencyAdmin { .. } => (Role::AgencyAdmin, None),
        StoredRole::Merchant { merchant_id, .. } => (Role::Merchant, Some(merchant_id.to_string())),
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

pub fn merchant_view(store: &Store, m: &Merchant) -> Result<MerchantView, StoreError> {
    let login = store
        .users
        .get(&m.user_id)?
        .map(|u| u.login)
        .unwrap_or_default();
    Ok(MerchantView {
        id: m.id.to_string(),
        name: m.name.clone(),
        login,
        // Deleted sites (restorable for a while) are not counted.
        site_count: crate::sites::merchant_sites(store, m.id)?
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

    #[test]
    fn a_merchant_deleted_past_its_grace_period_is_removed_with_its_login_and_sites() {
        let store = Store::temporary().unwrap();
        let (agency, admin) =
            create_agency(&store, "A", "admin@a.test", "password-123456").unwrap();
        let input = NewMerchant {
            name: "Cafe".into(),
            login: "cafe@a.test".into(),
            password: "password-123456".into(),
        };
        let created = create_merchant(&store, agency.id, input, Lang::En).unwrap();
        let id: Ulid = created.merchant.id.parse().unwrap();
        let who = user_view(&store, &admin).unwrap();
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
        .unwrap();
        let m = manage_merchant(&store, id, MerchantAction::Delete, Lang::En).unwrap();
        assert!(merchant_restorable(&m, crate::storage::now_unix()));
        let long_ago =
            crate::storage::grace_ends(crate::storage::now_unix(), MERCHANT_RESTORE_DAYS);
        assert!(!merchant_restorable(&m, long_ago));
        purge_merchant(&store, &m).unwrap();
        assert!(store.merchants.get(&id).unwrap().is_none());
        assert!(store.users.get(&m.user_id).unwrap().is_none());
        assert!(store.users_by_login.get(b"cafe@a.test").unwrap().is_none());
        let site_id: Ulid = site.id.parse().unwrap();
        assert!(store.sites.get(&site_id).unwrap().is_none());
        // The login is free again.
        let again = NewMerchant {
            name: "Cafe".into(),
            login: "cafe@a.test".into(),
            password: "password-123456".into(),
        };
        assert!(create_merchant(&store, agency.id, again, Lang::En).is_ok());
    }
}
