//! Anything the router does not know.
use crate::components::feedback::ErrorPage;
use crate::components::session::use_session;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPage error=AppError::NotFound lang=use_session().lang/> }
}
