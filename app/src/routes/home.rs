//! `/`: sends each visitor where they belong.
use crate::components::session::use_session;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let target = use_session()
        .user
        .map(|u| u.home_path())
        .unwrap_or_else(|| "/login".into());
    view! { <Redirect path=target/> }
}
