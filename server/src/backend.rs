//! The UI's [`Backend`] over the store: each server function's call lands here, passes its
//! tenancy check and delegates to [`crate::accounts`] or [`crate::sites`].
use crate::accounts::{create_merchant, merchant_view};
use crate::storage::SharedStore;
use crate::tenancy::{require_agency_admin, require_agency_member, visible_merchant};
use app::api::{Backend, NewMerchant, NewSite};
use app::error::AppError;
use app::model::publish::{ConnectionView, PlatformView, PublishView};
use app::model::{MerchantCreated, MerchantHome, MerchantView, Role, SiteSummary, UserView};

/// Implements the UI's [`Backend`] over the store.
pub struct StoreBackend {
    pub store: SharedStore,
    pub blobs: crate::storage::blobs::Blobs,
    pub wx: std::sync::Arc<crate::wechat::tokens::Wx>,
}

#[async_trait::async_trait]
impl Backend for StoreBackend {
    async fn list_merchants(&self, who: &UserView) -> Result<Vec<MerchantView>, AppError> {
        let agency_id = require_agency_member(who)?;
        let store = &*self.store;
        let mut out = Vec::new();
        for m in store.agency_merchants(agency_id).await? {
            let now = crate::storage::now_unix();
            if m.deleted_at.is_some() && !crate::accounts::merchant_restorable(&m, now) {
                // Past the time it could be restored: gone for good, with its sites.
                crate::accounts::purge_merchant(store, &self.blobs, &m).await?;
                continue;
            }
            out.push(merchant_view(store, &m).await?);
        }
        Ok(out)
    }

    async fn create_merchant(
        &self,
        who: &UserView,
        input: NewMerchant,
    ) -> Result<MerchantCreated, AppError> {
        let agency_id = require_agency_admin(who)?;
        create_merchant(&*self.store, agency_id, input, who.lang).await
    }

    async fn merchant_home(
        &self,
        who: &UserView,
        merchant_id: &str,
    ) -> Result<MerchantHome, AppError> {
        let store = &*self.store;
        let merchant = visible_merchant(store, who, merchant_id).await?;
        let now = crate::storage::now_unix();
        let (mut sites, mut deleted) = (Vec::new(), Vec::new());
        for site in store.merchant_sites(merchant.id).await? {
            match site.deleted_at {
                None => sites.push(crate::sites::summary(&site)),
                Some(_) if crate::sites::restorable(&site, now) => deleted.push(site),
                // Past the time it could be restored: gone for good.
                Some(_) => crate::sites::purge(store, &site)
                    .await
                    .map_err(AppError::from)?,
            }
        }
        // Newest first: the site a merchant just made is the one they want.
        sites.reverse();
        deleted.sort_by_key(|s| std::cmp::Reverse(s.deleted_at));
        // Its staff, for those who may manage them (its owner, the agency's admins).
        let staff = if matches!(who.role, Role::Merchant | Role::AgencyAdmin) {
            crate::team::members(store, merchant.agency_id)
                .await?
                .iter()
                .filter(|m| m.merchant_id == Some(merchant.id))
                .map(member_view)
                .collect()
        } else {
            Vec::new()
        };
        let everything = crate::mp::inbox::everything(store, &merchant, false).await?;
        let today = crate::mp::inbox::date_text(crate::mp::shop_now().0);
        let counts = crate::mp::inbox::counts(&everything, &today);
        Ok(MerchantHome {
            merchant: merchant_view(store, &merchant).await?,
            sites,
            deleted: deleted.iter().map(crate::sites::summary).collect(),
            staff,
            counts,
        })
    }

    async fn inbox(
        &self,
        who: &UserView,
        merchant_id: &str,
        query: app::model::inbox::InboxQuery,
    ) -> Result<app::model::inbox::InboxView, AppError> {
        let store = &*self.store;
        let merchant = visible_merchant(store, who, merchant_id).await?;
        Ok(crate::mp::inbox::view(store, &merchant, &query, who.lang).await?)
    }

    async fn create_site(
        &self,
        who: &UserView,
        merchant_id: &str,
        input: NewSite,
    ) -> Result<SiteSummary, AppError> {
        Ok(crate::sites::create(&*self.store, who, merchant_id, input).await?)
    }

    async fn load_draft(
        &self,
        who: &UserView,
        site_id: &str,
    ) -> Result<app::api::rest::DraftView, AppError> {
        Ok(crate::sites::draft_view(&*self.store, who, site_id).await?)
    }

    async fn publish_view(&self, who: &UserView, site_id: &str) -> Result<PublishView, AppError> {
        publish_view(&self.store, &self.wx, who, site_id).await
    }

    async fn dashboard(
        &self,
        who: &UserView,
        query: app::model::dashboard::Query,
    ) -> Result<app::model::dashboard::DashboardView, AppError> {
        let agency = require_agency_member(who)?;
        let store = &*self.store;
        let page = crate::dashboard::page(store, agency, &query).await?;
        let jobs = crate::batches::list(store, agency, 5)
            .await?
            .iter()
            .map(|b| {
                let v = b.view(who.lang);
                app::model::dashboard::JobSummary {
                    id: v.id,
                    action: v.action,
                    state: v.state,
                    done: v.done,
                    failed: v.failed,
                    total: v.total,
                    created_at: v.created_at,
                }
            })
            .collect();
        Ok(app::model::dashboard::DashboardView { page, query, jobs })
    }

    async fn job(
        &self,
        who: &UserView,
        id: &str,
    ) -> Result<app::model::dashboard::JobView, AppError> {
        let agency = require_agency_admin(who)?;
        let b = crate::batches::of_agency(&*self.store, agency, id).await?;
        Ok(b.view(who.lang))
    }

    async fn activity(
        &self,
        who: &UserView,
        merchant_id: Option<String>,
        action: String,
        q: String,
    ) -> Result<Vec<app::model::AuditLine>, AppError> {
        let filter = crate::audit::Filter { action, q };
        let lines =
            crate::audit::read(&*self.store, who, merchant_id.as_deref(), &filter, 500).await?;
        Ok(lines
            .into_iter()
            .map(|l| app::model::AuditLine {
                at: l.at,
                action: l.action,
                detail: l.detail,
                site_id: l.site_id,
            })
            .collect())
    }

    async fn brand_view(&self, who: &UserView) -> Result<app::model::BrandView, AppError> {
        let agency = require_agency_admin(who)?;
        let s = crate::brand::settings(&*self.store, agency)
            .await?
            .unwrap_or_default();
        Ok(crate::brand::view(agency, &s))
    }

    async fn team(&self, who: &UserView) -> Result<app::model::TeamView, AppError> {
        let agency = require_agency_admin(who)?;
        let members = crate::team::members(&*self.store, agency).await?;
        Ok(app::model::TeamView {
            members: members.iter().map(member_view).collect(),
        })
    }

    async fn invite_view(&self, token: &str) -> Result<app::model::InviteView, AppError> {
        let store = &*self.store;
        let (invite, _) = crate::team::open(store, token)
            .await?
            .ok_or(AppError::NotFound)?;
        let agency_name = store
            .agency(invite.agency_id)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        let merchant_name = match invite.merchant_id {
            Some(m) => store.merchant(m).await?.map(|m| m.name),
            None => None,
        };
        Ok(app::model::InviteView {
            agency_name,
            merchant_name,
            role: invite.role,
            invited_by: invite.invited_by,
        })
    }

    async fn api_tokens(&self, who: &UserView) -> Result<Vec<app::model::ApiTokenView>, AppError> {
        let agency = require_agency_admin(who)?;
        let list = crate::api_tokens::list(&*self.store, agency).await?;
        Ok(list
            .into_iter()
            .map(|t| app::model::ApiTokenView {
                id: t.id.to_string(),
                name: t.name,
                created_at: t.created_at,
                created_by: t.created_by_login,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect())
    }

    async fn platform_view(&self, who: &UserView) -> Result<PlatformView, AppError> {
        let agency = require_agency_admin(who)?;
        let store = &*self.store;
        let base = &self.wx.public_url;
        let Some(s) = crate::wechat::platform::settings(store, agency).await? else {
            return Ok(PlatformView {
                events_url: format!("{base}/wechat/{{component_appid}}/events"),
                messages_url: format!("{base}/wechat/{{component_appid}}/$APPID$/events"),
                ..PlatformView::default()
            });
        };
        let ticket_at = store
            .doc(crate::wechat::platform::TICKET, &s.component_appid)
            .await?
            .and_then(|d| d.body["at"].as_i64());
        Ok(PlatformView {
            events_url: format!("{base}/wechat/{}/events", s.component_appid),
            messages_url: format!("{base}/wechat/{}/$APPID$/events", s.component_appid),
            component_appid: s.component_appid,
            secrets_set: !s.secret.is_empty(),
            templates: ["shop", "booking", "info"]
                .iter()
                .map(|t| {
                    (
                        t.to_string(),
                        s.templates
                            .get(*t)
                            .map(|i| i.to_string())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            contact_email: s.contact_email,
            contact_phone: s.contact_phone,
            auto_release: s.auto_release,
            ticket_at,
        })
    }
}

pub fn member_view(m: &crate::team::Member) -> app::model::MemberView {
    app::model::MemberView {
        user_id: m.user_id.to_string(),
        login: m.login.clone(),
        display_name: m.display_name.clone(),
        role: m.role,
        merchant_id: m.merchant_id.map(|id| id.to_string()),
        added_at: m.added_at.clone(),
        added_by: m.added_by.clone(),
    }
}

/// The publish screen of site `site_id` as `who` may see it.
pub async fn publish_view(
    store: &SharedStore,
    wx: &crate::wechat::tokens::Wx,
    who: &UserView,
    site_id: &str,
) -> Result<PublishView, AppError> {
    let store = &**store;
    let record = crate::tenancy::visible_site(store, who, site_id).await?;
    let merchant = store
        .merchant(record.merchant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let platform_ready = crate::wechat::platform::settings(store, merchant.agency_id)
        .await?
        .is_some();
    let connection = crate::wechat::platform::connection(store, record.id)
        .await?
        .map(|c| ConnectionView {
            warnings: c.warnings(who.lang),
            appid: c.appid,
            nick_name: c.nick_name,
            head_img: c.head_img,
            principal_name: c.principal_name,
            permission_sets: c.permission_sets,
            connected: c.connected,
        });
    let (state, _) = crate::publish::load(store, record.id).await?;
    let all = crate::publish::versions::list(store, record.id).await?;
    // Each snapshot's changes from the snapshot before it, in the user's words.
    let mut versions = Vec::new();
    for (i, v) in all.iter().enumerate() {
        let mut view = v.view();
        if let Some(site) = &v.site {
            if let Some(prev) = all[i + 1..].iter().find_map(|p| p.site.as_ref()) {
                view.changes = crate::publish::diff::diff(prev, site, who.lang);
            }
        }
        versions.push(view);
    }
    Ok(PublishView {
        site_id: record.id.to_string(),
        site_name: record.name.clone(),
        merchant_id: record.merchant_id.to_string(),
        platform_ready,
        connection,
        state,
        link_url: format!("{}/s/{}", wx.public_url, record.id),
        versions,
        may_publish: who.role.may_publish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{create_agency, find_login, password_matches, user_view};
    use crate::storage::embedded::SledStore;
    use crate::storage::User;
    use crate::tenancy::parse_id;
    use app::i18n::Lang;
    use app::model::{Role, ThemeKind};
    use std::sync::Arc;

    async fn setup() -> (
        StoreBackend,
        UserView,
        UserView,
        MerchantCreated,
        MerchantCreated,
    ) {
        let sled = Arc::new(SledStore::temporary().unwrap());
        let blobs = crate::storage::blobs::Blobs::in_sled(&sled).unwrap();
        let store: SharedStore = sled;
        let (_, admin_a) = create_agency(&*store, "Agency A", "admin@a.test", "password-a-123")
            .await
            .unwrap();
        let (_, admin_b) = create_agency(&*store, "Agency B", "admin@b.test", "password-b-123")
            .await
            .unwrap();
        let va = user_view(&*store, &admin_a).await.unwrap();
        let vb = user_view(&*store, &admin_b).await.unwrap();
        let agency_a = admin_a.role.agency_id();
        let agency_b = admin_b.role.agency_id();
        let ma = create_merchant(&*store, agency_a, nm("Cafe A", "cafe@a.test", ""), Lang::En)
            .await
            .unwrap();
        let mb = create_merchant(
            &*store,
            agency_b,
            nm("Salon B", "salon@b.test", "salon-pass-1"),
            Lang::En,
        )
        .await
        .unwrap();
        (
            StoreBackend {
                store,
                blobs,
                wx: Arc::new(crate::wechat::tokens::Wx::offline()),
            },
            va,
            vb,
            ma,
            mb,
        )
    }

    fn nm(name: &str, login: &str, password: &str) -> NewMerchant {
        NewMerchant {
            name: name.into(),
            login: login.into(),
            password: password.into(),
        }
    }

    async fn authenticate(store: &SharedStore, login: &str, password: &str) -> Option<User> {
        password_matches(find_login(&**store, login).await.unwrap(), password)
    }

    async fn merchant_user(acc: &StoreBackend, login: &str, password: &str) -> UserView {
        let u = authenticate(&acc.store, login, password)
            .await
            .expect("login works");
        user_view(&*acc.store, &u).await.unwrap()
    }

    #[tokio::test]
    async fn agency_sees_only_its_merchants() {
        let (acc, va, vb, ma, mb) = setup().await;
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
        let (acc, _, _, ma, mb) = setup().await;
        let password = ma.generated_password.clone().unwrap();
        let cafe = merchant_user(&acc, "CAFE@a.test", &password).await;
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
        let (acc, va, _, ma, _) = setup().await;
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

    #[tokio::test]
    async fn validation_names_the_field_in_the_users_language() {
        let (acc, va, ..) = setup().await;
        let agency = parse_id(&va.agency_id).unwrap();
        let err = create_merchant(&*acc.store, agency, nm("  ", "ok@x.test", ""), Lang::Zh)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::invalid("name", "请输入名称。"));
        let err = create_merchant(&*acc.store, agency, nm("N", "a b", ""), Lang::En)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("login"));
        let err = create_merchant(
            &*acc.store,
            agency,
            nm("N", "new@x.test", "short"),
            Lang::En,
        )
        .await
        .unwrap_err();
        assert_eq!(err.field(), Some("password"));
        let long = "店".repeat(81);
        let err = create_merchant(&*acc.store, agency, nm(&long, "new@x.test", ""), Lang::En)
            .await
            .unwrap_err();
        assert!(err.message(Lang::En).contains("80"), "{err:?}");
    }

    #[tokio::test]
    async fn taken_login_is_refused_and_nothing_is_half_written() {
        let (acc, va, ..) = setup().await;
        let agency = parse_id(&va.agency_id).unwrap();
        let before = acc.store.counts().await.unwrap();
        let err = create_merchant(&*acc.store, agency, nm("Dup", "Cafe@A.test", ""), Lang::En)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Conflict { ref field, .. } if field == "login"),
            "{err:?}"
        );
        assert_eq!(acc.store.counts().await.unwrap(), before);
    }

    #[tokio::test]
    async fn wrong_password_and_unknown_login_both_fail() {
        let (acc, ..) = setup().await;
        assert!(authenticate(&acc.store, "admin@a.test", "password-a-123")
            .await
            .is_some());
        assert!(authenticate(&acc.store, "admin@a.test", "password-b-123")
            .await
            .is_none());
        assert!(authenticate(&acc.store, "nobody@a.test", "password-a-123")
            .await
            .is_none());
    }
}
