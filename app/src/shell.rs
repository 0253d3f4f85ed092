//! The HTML document, the router and the session every page reads.
//!
//! Every screen is rendered on the server; only islands (`#[island]`, today the editor) run in
//! the browser. A page that has one renders [`IslandScripts`], so the others load no wasm.
use crate::components::layout::TopBar;
use crate::components::session::{
    initial_session, provide_session, session_json, SESSION_SCRIPT_ID,
};
use crate::routes::{
    agency::AgencyPage, login::LoginPage, merchant::MerchantPage, not_found::NotFound,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The server-rendered document around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Outside islands nothing is hydrated: no hydration markers in the HTML.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    let css = asset_names().css;
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" id="leptos" href=css/>
                <AutoReload options=options.clone()/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Pages render in `SsrMode::Async`: complete HTML (works without JavaScript) with the real
    // status code (302 to login, 404 for another tenant's ids).
    let session = initial_session();
    let json = session_json(&session);
    provide_session(session);

    view! {
        <script id=SESSION_SCRIPT_ID type="application/json" inner_html=json></script>
        <Title formatter=|title: String| if title.is_empty() { "mpforge".to_string() } else { format!("{title} · mpforge") }/>
        <Router>
            <TopBar/>
            <main id="main" class="page">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/agency") view=AgencyPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=crate::routes::account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/merchants/:id") view=MerchantPage ssr=SsrMode::Async/>
                    <Route path=path!("/sites/:id/edit") view=crate::routes::editor::EditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/sites/:id/publish") view=crate::routes::publish::PublishPage ssr=SsrMode::Async/>
                    <Route path=path!("/agency/wechat") view=crate::routes::platform::PlatformPage ssr=SsrMode::Async/>
                    <Route path=path!("/agency/api") view=crate::routes::api_tokens::ApiTokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/agency/jobs/:id") view=crate::routes::jobs::JobPage ssr=SsrMode::Async/>
                    <Route path=path!("/agency/users") view=crate::routes::team::TeamPage ssr=SsrMode::Async/>
                    <Route path=path!("/agency/audit") view=crate::routes::activity::AgencyActivityPage ssr=SsrMode::Async/>
                    <Route path=path!("/agency/import") view=crate::routes::import::ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/agency/brand") view=crate::routes::brand::BrandPage ssr=SsrMode::Async/>
                    <Route path=path!("/merchants/:id/activity") view=crate::routes::activity::MerchantActivityPage ssr=SsrMode::Async/>
                    <Route path=path!("/merchants/:id/inbox") view=crate::routes::inbox::InboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/invite/:token") view=crate::routes::invite::InvitePage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// The built stylesheet's URL (hashed in release builds), as the server found it at start.
#[derive(Clone, Debug)]
pub struct AssetNames {
    pub css: String,
}

impl Default for AssetNames {
    fn default() -> Self {
        AssetNames {
            css: "/pkg/mpforge.css".into(),
        }
    }
}

fn asset_names() -> AssetNames {
    use_context::<AssetNames>().unwrap_or_default()
}

/// Loads the wasm that hydrates this page's islands. Rendered by the pages that have one.
#[component]
pub fn IslandScripts() -> impl IntoView {
    use_context::<LeptosOptions>().map(|options| view! { <HydrationScripts options islands=true/> })
}
