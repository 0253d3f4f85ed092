//! Server-side half of the API: the backend trait and request helpers.
use crate::error::AppError;
use crate::i18n::{Lang, Text};
use crate::model::{
    MerchantCreated, MerchantHome, MerchantView, SessionInfo, SiteSummary, ThemeKind, UserView,
};
use leptos::prelude::*;
use std::sync::Arc;

pub struct NewMerchant {
    pub name: String,
    pub login: String,
    /// Empty: generate one and return it once.
    pub password: String,
}

pub struct NewSite {
    pub name: String,
    pub template: ThemeKind,
    /// The language the mini program speaks to customers (its labels and starter content).
    pub locale: Lang,
}

impl NewSite {
    /// A site from a form's fields; `template` is a theme's slug, `locale` a language code
    /// (empty: the creator's language `lang`, which also words any refusal).
    pub fn from_form(
        name: String,
        template: &str,
        locale: &str,
        lang: Lang,
    ) -> Result<Self, AppError> {
        let template = ThemeKind::from_slug(template)
            .ok_or_else(|| AppError::invalid("template", lang.t(Text::ErrTemplateUnknown)))?;
        let locale = match locale.trim() {
            "" => lang,
            code => Lang::from_code(code)
                .ok_or_else(|| AppError::invalid("locale", lang.t(Text::ErrLangChoice)))?,
        };
        Ok(NewSite {
            name,
            template,
            locale,
        })
    }
}

/// What the server fns need from the server. Every method enforces tenancy: a caller never
/// learns that another tenant's id exists (NotFound, not Forbidden, for foreign ids).
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The publish screen of a site (its connection, pipeline, versions).
    async fn publish_view(
        &self,
        who: &UserView,
        site_id: &str,
    ) -> Result<crate::model::publish::PublishView, AppError>;
    /// The agency's WeChat platform settings (agency admins only).
    async fn platform_view(
        &self,
        who: &UserView,
    ) -> Result<crate::model::publish::PlatformView, AppError>;
    async fn list_merchants(&self, who: &UserView) -> Result<Vec<MerchantView>, AppError>;
    async fn create_merchant(
        &self,
        who: &UserView,
        input: NewMerchant,
    ) -> Result<MerchantCreated, AppError>;
    async fn merchant_home(
        &self,
        who: &UserView,
        merchant_id: &str,
    ) -> Result<MerchantHome, AppError>;
    async fn create_site(
        &self,
        who: &UserView,
        merchant_id: &str,
        input: NewSite,
    ) -> Result<SiteSummary, AppError>;
    /// The agency's dashboard: one page of its sites, the counts, recent bulk jobs.
    async fn dashboard(
        &self,
        who: &UserView,
        query: crate::model::dashboard::Query,
    ) -> Result<crate::model::dashboard::DashboardView, AppError>;
    /// One of the agency's bulk jobs.
    async fn job(
        &self,
        who: &UserView,
        id: &str,
    ) -> Result<crate::model::dashboard::JobView, AppError>;
    /// The audit log: the agency's (admins), or one merchant's (`merchant_id`: its owner or an
    /// agency admin); newest first, filtered by action and words.
    async fn activity(
        &self,
        who: &UserView,
        merchant_id: Option<String>,
        action: String,
        q: String,
    ) -> Result<Vec<crate::model::AuditLine>, AppError>;
    /// The agency's white label (agency admins only).
    /// A merchant's inbox: its mini programs' orders and bookings, the calendar and each
    /// site's rules (its owner and staff, and the agency).
    async fn inbox(
        &self,
        who: &UserView,
        merchant_id: &str,
        query: crate::model::inbox::InboxQuery,
    ) -> Result<crate::model::inbox::InboxView, AppError>;
    async fn brand_view(&self, who: &UserView) -> Result<crate::model::BrandView, AppError>;
    /// The agency's team (agency admins only).
    async fn team(&self, who: &UserView) -> Result<crate::model::TeamView, AppError>;
    /// What invitation `token` offers (anyone with the link); NotFound once used or expired.
    async fn invite_view(&self, token: &str) -> Result<crate::model::InviteView, AppError>;
    /// The agency's scripting-API tokens (agency admins only).
    async fn api_tokens(&self, who: &UserView)
        -> Result<Vec<crate::model::ApiTokenView>, AppError>;
    /// The site's saved draft, for the editor.
    async fn load_draft(
        &self,
        who: &UserView,
        site_id: &str,
    ) -> Result<crate::api::rest::DraftView, AppError>;
}

/// The backend handle the server provides in every request's context.
#[derive(Clone)]
pub struct BackendHandle(pub Arc<dyn Backend>);

pub fn backend() -> Arc<dyn Backend> {
    expect_context::<BackendHandle>().0
}

/// The visitor's session, as resolved by the server's middleware for this request.
pub fn request_session() -> SessionInfo {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SessionInfo>().cloned())
        .unwrap_or_default()
}

/// The signed-in user, or `Unauthenticated` (with the matching HTTP status).
pub fn principal() -> Result<UserView, AppError> {
    request_session()
        .user
        .ok_or(AppError::Unauthenticated)
        .map_err(with_status)
}

/// Sets the HTTP status of the response to match an error, then returns it. Only for a call
/// to the server function itself: during a page render the page decides its own status.
pub fn with_status(err: AppError) -> AppError {
    let is_api_call =
        use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/api/"));
    if !is_api_call {
        return err;
    }
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(err.status()) {
            res.set_status(code);
        }
    }
    err
}

pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    result.map_err(with_status)
}
