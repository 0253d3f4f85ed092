//! The UI's [`Backend`] over the store: each server function's call lands here, passes its
//! tenancy check and delegates to [`crate::accounts`] or [`crate::sites`].
use crate::accounts::{create_merchant, merchant_view};
use crate::storage::tree::{pair_child, ulid_prefix};
use crate::storage::{Store, StoreError};
use crate::tenancy::{require_agency_admin, visible_merchant};
use app::api::{Backend, NewMerchant, NewSite};
use app::error::AppError;
use app::model::{MerchantCreated, MerchantHome, MerchantView, SiteSummary, UserView};

/// Implements the UI's [`Backend`] over the store.
pub struct StoreBackend {
    pub store: Store,
}

#[async_trait::async_trait]
impl Backend for StoreBackend {
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
            let Some(m) = self.store.merchants.get(&id)? else {
                continue;
            };
            let now = crate::storage::now_unix();
            if m.deleted_at.is_some() && !crate::accounts::merchant_restorable(&m, now) {
                // Past the time it could be restored: gone for good, with its sites.
                crate::accounts::purge_merchant(&self.store, &m)?;
                continue;
            }
            out.push(merchant_view(&self.store, &m)?);
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
        let now = crate::storage::now_unix();
        let (mut sites, mut deleted) = (Vec::new(), Vec::new());
        for site in
            crate::sites::merchant_sites(&self.store, merchant.id).map_err(AppError::from)?
        {
            match site.deleted_at {
                None => sites.push(crate::sites::summary(&site)),
                Some(_) if crate::sites::restorable(&site, now) => deleted.push(site),
                // Past the time it could be restored: gone for good.
                Some(_) => crate::sites::purge(&self.store, &site).map_err(AppError::from)?,
            }
        }
        // Newest first: the site a merchant just made is the one they want.
        sites.reverse();
        deleted.sort_by_key(|s| std::cmp::Reverse(s.deleted_at));
        Ok(MerchantHome {
            merchant: merchant_view(&self.store, &merchant)?,
            sites,
            deleted: deleted.iter().map(crate::sites::summary).collect(),
        })
    }

    async fn create_site(
        &self,
        who: &UserView,
        merchant_id: &str,
        input: NewSite,
    ) -> Result<SiteSummary, AppError> {
        let site = crate::sites::create(&self.store, who, merchant_id, input)?;
        self.store.flush().await?;
        Ok(site)
    }

    async fn load_draft(
        &self,
        who: &UserView,
        site_id: &str,
    ) -> Result<app::api::rest::DraftView, AppError> {
        Ok(crate::sites::draft_view(&self.store, who, site_id)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{authenticate, create_agency, user_view};
    use crate::tenancy::parse_id;
    use app::i18n::Lang;
    use app::model::{Role, ThemeKind};

    fn setup() -> (
        StoreBackend,
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
        (StoreBackend { store }, va, vb, ma, mb)
    }

    fn nm(name: &str, login: &str, password: &str) -> NewMerchant {
        NewMerchant {
            name: name.into(),
            login: login.into(),
            password: password.into(),
        }
    }

    fn merchant_user(acc: &StoreBackend, login: &str, password: &str) -> UserView {
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
            template: ThemeKind::Shop,
            locale: app::i18n::Lang::En,
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
                template: ThemeKind::Booking,
                locale: app::i18n::Lang::En,
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
