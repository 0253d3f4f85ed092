//! One module per screen.
pub mod account;
pub mod activity;
pub mod agency;
pub mod api_tokens;
pub mod brand;
pub mod dashboard;
pub mod editor;
pub mod import;
pub mod inbox;
pub mod invite;
pub mod jobs;
pub mod login;
pub mod merchant;
pub mod not_found;
pub mod platform;
pub mod publish;
pub mod team;

use crate::components::feedback::ErrorPage;
use crate::error::AppError;
use crate::model::{Role, SessionInfo, UserView};
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The signed-in agency admin of an admins-only screen (users, settings, tokens, import);
/// else what to show instead: the login page for nobody, "not allowed" for anyone else.
pub(crate) fn agency_admin(s: &SessionInfo) -> Result<UserView, AnyView> {
    match &s.user {
        None => Err(view! { <Redirect path="/login"/> }.into_any()),
        Some(u) if u.role == Role::AgencyAdmin => Ok(u.clone()),
        Some(_) => {
            let lang = s.lang;
            Err(view! { <ErrorPage error=AppError::Forbidden lang/> }.into_any())
        }
    }
}
