//! Loading states, error pages and inline messages.
use crate::error::AppError;
use crate::i18n::{Lang, Text};
use leptos::prelude::*;
use leptos_meta::Title;

/// Placeholder while a page's data loads, announced to screen readers in the user's language.
#[component]
pub fn Loading() -> impl IntoView {
    let label = crate::components::session::use_session()
        .lang
        .t(Text::Loading);
    view! { <p class="loading" role="status" aria-live="polite">{label}</p> }
}

/// Sets the HTTP status of a server-rendered page (no-op in the browser).
pub fn set_http_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(code)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        res.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// A whole-page error (not found, forbidden, …) with the right HTTP status.
#[component]
pub fn ErrorPage(error: AppError, lang: Lang) -> impl IntoView {
    set_http_status(error.status());
    let title = match error {
        AppError::NotFound => lang.t(Text::NotFoundTitle),
        AppError::Forbidden => lang.t(Text::ForbiddenTitle),
        _ => lang.t(Text::ErrorTitle),
    };
    view! {
        <Title text=title/>
        <section class="card narrow error-page" aria-labelledby="error-title">
            <h1 id="error-title">{title}</h1>
            <p>{error.message(lang)}</p>
            <a class="btn" href="/">{lang.t(Text::GoHome)}</a>
        </section>
    }
}

/// An inline alert for a failed action.
#[component]
pub fn ErrorAlert(error: AppError, lang: Lang) -> impl IntoView {
    view! { <p class="alert alert-error" role="alert">{error.message(lang)}</p> }
}
