//! `/`: sends each visitor where they belong.
use crate::components::feedback::Loading;
use crate::components::session::load_session;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let s = load_session().await;
                let target = s.user.map(|u| u.home_path()).unwrap_or_else(|| "/login".into());
                view! { <Redirect path=target/> }
            })}
        </Suspense>
    }
}
