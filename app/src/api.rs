//! Server functions: the browser's only way to read and change data.
//!
//! Each is a thin shell around the [`Backend`] trait (`api/backend.rs`) that the `server` crate
//! puts into context, so this crate never depends on storage. Tenant checks live behind the
//! trait, where every caller passes through them. The editor's JSON endpoints and what they
//! exchange are in [`rest`].
use crate::error::AppError;
use crate::model::{MerchantCreated, MerchantHome, MerchantView, SiteSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod backend;
pub mod rest;
#[cfg(feature = "ssr")]
pub use backend::*;

#[server(prefix = "/api", endpoint = "merchants/list", input = leptos::server_fn::codec::GetUrl)]
pub async fn list_merchants() -> Result<Vec<MerchantView>, AppError> {
    let who = principal()?;
    reply(backend().list_merchants(&who).await)
}

#[server(prefix = "/api", endpoint = "merchants/create")]
pub async fn create_merchant(
    csrf_token: String,
    name: String,
    login: String,
    password: String,
) -> Result<MerchantCreated, AppError> {
    let _ = csrf_token; // checked by the server's middleware before we get here
    let who = principal()?;
    reply(
        backend()
            .create_merchant(
                &who,
                NewMerchant {
                    name,
                    login,
                    password,
                },
            )
            .await,
    )
}

#[server(prefix = "/api", endpoint = "merchants/home", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_merchant_home(merchant_id: String) -> Result<MerchantHome, AppError> {
    let who = principal()?;
    reply(backend().merchant_home(&who, &merchant_id).await)
}

#[server(prefix = "/api", endpoint = "sites/get_draft", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_draft(site_id: String) -> Result<crate::api::rest::DraftView, AppError> {
    let who = principal()?;
    reply(backend().load_draft(&who, &site_id).await)
}

#[server(prefix = "/api", endpoint = "sites/create")]
pub async fn create_site(
    csrf_token: String,
    merchant_id: String,
    name: String,
    template: String,
    #[server(default)] locale: Option<String>,
) -> Result<SiteSummary, AppError> {
    let _ = csrf_token;
    let who = principal()?;
    let locale = locale.unwrap_or_default();
    let input = NewSite::from_form(name, &template, &locale, who.lang).map_err(with_status)?;
    reply(backend().create_site(&who, &merchant_id, input).await)
}

#[server(prefix = "/api", endpoint = "sites/publish_view", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_publish_view(
    site_id: String,
) -> Result<crate::model::publish::PublishView, AppError> {
    let who = principal()?;
    reply(backend().publish_view(&who, &site_id).await)
}

#[server(prefix = "/api", endpoint = "agency/platform", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_platform_view() -> Result<crate::model::publish::PlatformView, AppError> {
    let who = principal()?;
    reply(backend().platform_view(&who).await)
}

#[server(prefix = "/api", endpoint = "agency/tokens", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_api_tokens() -> Result<Vec<crate::model::ApiTokenView>, AppError> {
    let who = principal()?;
    reply(backend().api_tokens(&who).await)
}

#[server(prefix = "/api", endpoint = "agency/dashboard", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_dashboard(
    #[server(default)] q: String,
    #[server(default)] state: String,
    #[server(default)] sort: String,
    #[server(default)] page: Option<usize>,
) -> Result<crate::model::dashboard::DashboardView, AppError> {
    let who = principal()?;
    let query = crate::model::dashboard::Query {
        q,
        state,
        sort,
        page,
    };
    reply(backend().dashboard(&who, query).await)
}

#[server(prefix = "/api", endpoint = "agency/job", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_job(id: String) -> Result<crate::model::dashboard::JobView, AppError> {
    let who = principal()?;
    reply(backend().job(&who, &id).await)
}

#[server(prefix = "/api", endpoint = "merchants/inbox", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_inbox(
    merchant_id: String,
    #[server(default)] tab: String,
    #[server(default)] day: String,
    #[server(default)] week: bool,
) -> Result<crate::model::inbox::InboxView, AppError> {
    let who = principal()?;
    let query = crate::model::inbox::InboxQuery {
        tab: crate::model::inbox::Tab::parse(&tab),
        day,
        week,
    };
    reply(backend().inbox(&who, &merchant_id, query).await)
}

#[server(prefix = "/api", endpoint = "agency/team", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_team() -> Result<crate::model::TeamView, AppError> {
    let who = principal()?;
    reply(backend().team(&who).await)
}

#[server(prefix = "/api", endpoint = "invite", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_invite(token: String) -> Result<crate::model::InviteView, AppError> {
    reply(backend().invite_view(&token).await)
}

#[server(prefix = "/api", endpoint = "activity", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_activity(
    #[server(default)] merchant_id: Option<String>,
    #[server(default)] action: String,
    #[server(default)] q: String,
) -> Result<Vec<crate::model::AuditLine>, AppError> {
    let who = principal()?;
    reply(backend().activity(&who, merchant_id, action, q).await)
}

#[server(prefix = "/api", endpoint = "agency/brand", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_brand() -> Result<crate::model::BrandView, AppError> {
    let who = principal()?;
    reply(backend().brand_view(&who).await)
}
