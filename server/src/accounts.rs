//! Agencies, merchants, their users and sites, with every tenant check in one place.
//!
//! The rule: an agency admin sees its own agency's merchants; a merchant user sees only its own
//! merchant. A foreign id answers NotFound, the same as an id that does not exist, so nobody
//! can learn which ids exist elsewhere.
use crate::auth;
use crate::data::{now_rfc3339, Agency, Merchant, Site, Store, StoredRole, User};
use crate::store::{encode, new_id, pair_child, pair_key, ulid_prefix, StoreError};
use app::api::{Backend, NewMerchant, NewSite};
use app::error::AppError;
use app::i18n::{Lang, K};
use app::model::{MerchantCreated, MerchantHome, MerchantView, Role, SiteSummary, UserView};
use sled::transaction::{abort, ConflictableTransactionError, TransactionalTree};
use sled::Transactional;
use ulid::Ulid;

pub const NAME_MAX: usize = 80;
pub const SITE_NAME_MAX: usize = 30;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        AppError::Internal
    }
}

fn validate_name(field: &str, value: &str, max: usize, lang: Lang) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, lang.t(K::ErrNameRequired)));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            lang.t(K::ErrNameTooLong).replace("{max}", &max.to_string()),
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
        Err(AppError::invalid("login", lang.t(K::ErrLoginFormat)))
    }
}

fn validate_password(password: &str, lang: Lang) -> Result<(), AppError> {
    match password.chars().count() {
        n if n < 10 => Err(AppError::invalid("password", lang.t(K::ErrPasswordShort))),
        n if n > 200 => Err(AppError::invalid("password", lang.t(K::ErrPasswordLong))),
        _ => Ok(()),
    }
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
        return abort(AppError::conflict("login", lang.t(K::ErrLoginTaken)));
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
    validate_password(password, lang)?;
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
        validate_password(&input.password, lang)?;
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

fn merchant_view(store: &Store, m: &Merchant) -> Result<MerchantView, StoreError> {
    let login = store
        .users
        .get(&m.user_id)?
        .map(|u| u.login)
        .unwrap_or_default();
    Ok(MerchantView {
        id: m.id.to_string(),
        name: m.name.clone(),
        login,
        site_count: store
            .sites_by_merchant
            .scan_prefix(ulid_prefix(m.id))
            .count(),
        created_at: m.created_at.clone(),
    })
}

fn site_summary(s: &Site) -> SiteSummary {
    SiteSummary {
        id: s.id.to_string(),
        merchant_id: s.merchant_id.to_string(),
        name: s.name.clone(),
        template: s.template,
        updated_at: s.updated_at.clone(),
    }
}

fn parse_id(id: &str) -> Result<Ulid, AppError> {
    Ulid::from_string(id).map_err(|_| AppError::NotFound)
}

fn require_agency_admin(who: &UserView) -> Result<Ulid, AppError> {
    match who.role {
        Role::AgencyAdmin => parse_id(&who.agency_id).map_err(|_| AppError::Forbidden),
        Role::Merchant => Err(AppError::Forbidden),
    }
}

/// The merchant `id` if `who` may see it; NotFound otherwise.
pub fn visible_merchant(store: &Store, who: &UserView, id: &str) -> Result<Merchant, AppError> {
    let id = parse_id(id)?;
    let merchant = store.merchants.get(&id)?.ok_or(AppError::NotFound)?;
    let allowed = match who.role {
        Role::AgencyAdmin => merchant.agency_id.to_string() == who.agency_id,
        Role::Merchant => who.merchant_id.as_deref() == Some(&merchant.id.to_string()),
    };
    if allowed {
        Ok(merchant)
    } else {
        Err(AppError::NotFound)
    }
}

/// Implements the UI's [`Backend`] over the store.
pub struct Accounts {
    pub store: Store,
}

#[async_trait::async_trait]
impl Backend for Accounts {
    async fn list_merchants(&self, who: &UserView) -> Result<Vec<MerchantView>, AppError> {
        let agency_id = require_agency_admin(who)?;
        let mut out = Vec::new();
        for item in self
            .store
            .merchants_by_agency
            .scan_prefix(ulid_prefix(agency_id))
        {
            let (key, _) = item.map_err(StoreError::from)?;
            let Some(id) = pair_child(&key) else { continue };
            if let Some(m) = self.store.merchants.get(&id)? {
                out.push(merchant_view(&self.store, &m)?);
            }
        }
        Ok(out)
    }

    async fn create_merchant(
        &self,
        who: &UserView,
        input: NewMerchant,
    ) -> Result<MerchantCreated, AppError> {
        let agency_id = require_agency_admin(who)?;
        let store = self.store.clone();
        let lang = who.lang;
        // Hashing takes tens of milliseconds of CPU: keep it off the async workers.
        let created =
            tokio::task::spawn_blocking(move || create_merchant(&store, agency_id, input, lang))
                .await
                .map_err(|_| AppError::Internal)??;
        self.store.flush().await?;
        Ok(created)
    }

    async fn merchant_home(
        &self,
        who: &UserView,
        merchant_id: &str,
    ) -> Result<MerchantHome, AppError> {
        let merchant = visible_merchant(&self.store, who, merchant_id)?;
        let mut sites = Vec::new();
        for item in self
            .store
            .sites_by_merchant
            .scan_prefix(ulid_prefix(merchant.id))
        {
            let (key, _) = item.map_err(StoreError::from)?;
            if let Some(site) = pair_child(&key)
                .map(|id| self.store.sites.get(&id))
                .transpose()?
                .flatten()
            {
                sites.push(site_summary(&site));
            }
        }
        // Newest first: the site a merchant just made is the one they want.
        sites.reverse();
        Ok(MerchantHome {
            merchant: merchant_view(&self.store, &merchant)?,
            sites,
        })
    }

    async fn create_site(
        &self,
        who: &UserView,
        merchant_id: &str,
        input: NewSite,
    ) -> Result<SiteSummary, AppError> {
        let merchant = visible_merchant(&self.store, who, merchant_id)?;
        let name = validate_name("name", &input.name, SITE_NAME_MAX, who.lang)?;
        let now = now_rfc3339();
        let site = Site {
            id: new_id(),
            merchant_id: merchant.id,
            name,
            template: input.template,
            created_at: now.clone(),
            updated_at: now,
        };
        (self.store.sites.raw(), &self.store.sites_by_merchant)
            .transaction(|(sites, by_merchant)| {
                tx_put(sites, &ulid_prefix(site.id), &site)?;
                by_merchant.insert(&pair_key(merchant.id, site.id)[..], Vec::<u8>::new())?;
                Ok(())
            })
            .map_err(tx_error)?;
        // The site starts as its template's starter, in the creator's language.
        let draft = crate::editor::starter_draft(&site, who.lang);
        (self.store.drafts.raw(),)
            .transaction(|(drafts,)| {
                tx_put(drafts, &ulid_prefix(site.id), &draft)?;
                Ok(())
            })
            .map_err(tx_error)?;
        self.store.flush().await?;
        Ok(site_summary(&site))
    }

    async fn load_draft(
        &self,
        who: &UserView,
        site_id: &str,
    ) -> Result<app::model::editor::DraftView, AppError> {
        crate::editor::draft_view(&self.store, who, site_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::Template;

    fn setup() -> (
        Accounts,
        UserView,
        UserView,
        MerchantCreated,
        MerchantCreated,
    ) {
        let store = Store::temporary().unwrap();
        let (_, admin_a) =
            create_agency(&store, "Agency A", "admin@a.test", "password-a-123").unwrap();
        let (_, admin_b) =
            create_agency(&store, "Agency B", "admin@b.test", "password-b-123").unwrap();
        let va = user_view(&store, &admin_a).unwrap();
        let vb = user_view(&store, &admin_b).unwrap();
        let agency_a = admin_a.role.agency_id();
        let agency_b = admin_b.role.agency_id();
        let ma =
            create_merchant(&store, agency_a, nm("Cafe A", "cafe@a.test", ""), Lang::En).unwrap();
        let mb = create_merchant(
            &store,
            agency_b,
            nm("Salon B", "salon@b.test", "salon-pass-1"),
            Lang::En,
        )
        .unwrap();
        (Accounts { store }, va, vb, ma, mb)
    }

    fn nm(name: &str, login: &str, password: &str) -> NewMerchant {
        NewMerchant {
            name: name.into(),
            login: login.into(),
            password: password.into(),
        }
    }

    fn merchant_user(acc: &Accounts, login: &str, password: &str) -> UserView {
        let u = authenticate(&acc.store, login, password)
            .unwrap()
            .expect("login works");
        user_view(&acc.store, &u).unwrap()
    }

    #[tokio::test]
    async fn agency_sees_only_its_merchants() {
        let (acc, va, vb, ma, mb) = setup();
        let list_a = acc.list_merchants(&va).await.unwrap();
        assert_eq!(
            list_a.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["Cafe A"]
        );
        let list_b = acc.list_merchants(&vb).await.unwrap();
        assert_eq!(
            list_b.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["Salon B"]
        );
        assert_eq!(
            acc.merchant_home(&va, &mb.merchant.id).await.unwrap_err(),
            AppError::NotFound
        );
        assert!(acc.merchant_home(&va, &ma.merchant.id).await.is_ok());
    }

    #[tokio::test]
    async fn merchant_sees_only_itself_and_cannot_list_or_create_merchants() {
        let (acc, _, _, ma, mb) = setup();
        let password = ma.generated_password.clone().unwrap();
        let cafe = merchant_user(&acc, "CAFE@a.test", &password);
        assert_eq!(cafe.role, Role::Merchant);
        assert!(acc.merchant_home(&cafe, &ma.merchant.id).await.is_ok());
        assert_eq!(
            acc.merchant_home(&cafe, &mb.merchant.id).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            acc.list_merchants(&cafe).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            acc.create_merchant(&cafe, nm("X", "x@x.test", ""))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let site = NewSite {
            name: "Mine".into(),
            template: Template::Shop,
        };
        assert_eq!(
            acc.create_site(&cafe, &mb.merchant.id, site)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            acc.merchant_home(&cafe, "not-an-id").await.unwrap_err(),
            AppError::NotFound
        );
    }

    #[tokio::test]
    async fn sites_are_listed_newest_first_and_counted() {
        let (acc, va, _, ma, _) = setup();
        for name in ["First", "Second"] {
            let site = NewSite {
                name: name.into(),
                template: Template::Booking,
            };
            acc.create_site(&va, &ma.merchant.id, site).await.unwrap();
        }
        let home = acc.merchant_home(&va, &ma.merchant.id).await.unwrap();
        assert_eq!(
            home.sites
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            ["Second", "First"]
        );
        assert_eq!(home.merchant.site_count, 2);
    }

    #[test]
    fn validation_names_the_field_in_the_users_language() {
        let (acc, va, ..) = setup();
        let agency = parse_id(&va.agency_id).unwrap();
        let err =
            create_merchant(&acc.store, agency, nm("  ", "ok@x.test", ""), Lang::Zh).unwrap_err();
        assert_eq!(err, AppError::invalid("name", "请输入名称。"));
        let err = create_merchant(&acc.store, agency, nm("N", "a b", ""), Lang::En).unwrap_err();
        assert_eq!(err.field(), Some("login"));
        let err = create_merchant(&acc.store, agency, nm("N", "new@x.test", "short"), Lang::En)
            .unwrap_err();
        assert_eq!(err.field(), Some("password"));
        let long = "店".repeat(81);
        let err =
            create_merchant(&acc.store, agency, nm(&long, "new@x.test", ""), Lang::En).unwrap_err();
        assert!(err.message(Lang::En).contains("80"), "{err:?}");
    }

    #[test]
    fn taken_login_is_refused_and_nothing_is_half_written() {
        let (acc, va, ..) = setup();
        let agency = parse_id(&va.agency_id).unwrap();
        let before = (acc.store.merchants.len(), acc.store.users.len());
        let err = create_merchant(&acc.store, agency, nm("Dup", "Cafe@A.test", ""), Lang::En)
            .unwrap_err();
        assert!(
            matches!(err, AppError::Conflict { ref field, .. } if field == "login"),
            "{err:?}"
        );
        assert_eq!((acc.store.merchants.len(), acc.store.users.len()), before);
    }

    #[test]
    fn wrong_password_and_unknown_login_both_fail() {
        let (acc, ..) = setup();
        assert!(authenticate(&acc.store, "admin@a.test", "password-a-123")
            .unwrap()
            .is_some());
        assert!(authenticate(&acc.store, "admin@a.test", "password-b-123")
            .unwrap()
            .is_none());
        assert!(authenticate(&acc.store, "nobody@a.test", "password-a-123")
            .unwrap()
            .is_none());
    }
}
