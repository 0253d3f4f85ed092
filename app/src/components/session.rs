//! Access to the visitor's session from any component.
use crate::error::AppError;
use crate::i18n::{Lang, K};
use crate::model::SessionInfo;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct SessionCtx(pub Resource<Result<SessionInfo, AppError>>);

pub fn use_session() -> Resource<Result<SessionInfo, AppError>> {
    expect_context::<SessionCtx>().0
}

/// Waits for the session; a failed lookup counts as anonymous.
pub async fn load_session() -> SessionInfo {
    use_session().await.unwrap_or_default()
}

/// The hidden anti-CSRF field every state-changing form carries.
#[component]
pub fn CsrfField(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf_token" value=token/> }
}

/// Shorthand used across pages.
pub fn tr(lang: Lang) -> impl Fn(K) -> &'static str + Copy {
    move |k| lang.t(k)
}
