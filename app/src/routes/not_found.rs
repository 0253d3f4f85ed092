//! Anything the router does not know.
use crate::components::feedback::{ErrorPage, Loading};
use crate::components::session::load_session;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let s = load_session().await;
                view! { <ErrorPage error=AppError::NotFound lang=s.lang/> }
            })}
        </Suspense>
    }
}
