//! Forms of the server-rendered screens, posted to the screen's own URL (they work without
//! JavaScript): the action runs here, then the screen is rendered again with its
//! [`FormOutcome`], or the browser is sent where the work continues.
use super::page_context;
use crate::accounts;
use crate::auth;
use crate::error::Error;
use crate::state::AppState;
use app::api::{Backend, NewMerchant, NewSite};
use app::components::outcome::FormOutcome;
use app::error::AppError;
use app::i18n::Text;
use app::model::SessionInfo;
use app::shell;
use axum::body::{to_bytes, Body};
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

type Form = Vec<(String, String)>;

/// The signed-in user and the submitted fields, or the response that ends the request.
pub(super) async fn read(
    parts: &Parts,
    body: Body,
) -> Result<(app::model::UserView, Form), Response> {
    let user = parts
        .extensions
        .get::<SessionInfo>()
        .and_then(|s| s.user.clone())
        .ok_or_else(|| Redirect::to("/login").into_response())?;
    let bytes = to_bytes(body, super::limits::FORM_LIMIT)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let form = serde_urlencoded::from_bytes::<Form>(&bytes).unwrap_or_default();
    Ok((user, form))
}

pub(super) fn field(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Renders the screen at the request's URL with `outcome` in context.
pub(super) async fn render(state: &AppState, parts: Parts, outcome: FormOutcome) -> Response {
    let leptos = state.leptos.clone();
    let context = page_context(state);
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            context();
            leptos::prelude::provide_context(outcome.clone());
        },
        move || shell(leptos.clone()),
    );
    handler(Request::from_parts(parts, Body::empty())).await
}

/// `POST /agency`: create a merchant; the page shows it, with its generated password once.
pub(super) async fn create_merchant(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (user, form) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let input = NewMerchant {
        name: field(&form, "name"),
        login: field(&form, "login"),
        password: field(&form, "password"),
    };
    let outcome = match state.backend.create_merchant(&user, input).await {
        Ok(created) => {
            let id = created.merchant.id.parse().ok();
            let detail = created.merchant.login.clone();
            crate::audit::note(&*state.store, &user, id, None, "merchant_created", detail).await;
            FormOutcome::MerchantCreated(created)
        }
        Err(error) => FormOutcome::refused(error, &form),
    };
    render(&state, parts, outcome).await
}

/// `POST /merchants/{id}`: create a site and open it in the editor, or (with `action` and
/// `site`) rename, duplicate, archive, delete or restore one of the merchant's sites and show
/// the list again.
pub(super) async fn merchant_form(
    State(state): State<AppState>,
    Path(merchant_id): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let (user, form) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let action = field(&form, "action");
    if action == "reset_password" {
        return reset_password(&state, parts, &user, &merchant_id, &form).await;
    }
    if action == "invite_staff" || action == "remove_staff" {
        return super::team::merchant_staff(&state, parts, &user, &merchant_id, &form).await;
    }
    if let Some(what) = crate::accounts::MerchantAction::from_form(&action) {
        return manage_merchant(&state, parts, &user, &merchant_id, &form, what).await;
    }
    if !action.is_empty() && action != "create" {
        let Some(what) = crate::sites::SiteAction::from_form(&action, field(&form, "name")) else {
            let error = AppError::invalid("action", user.lang.t(Text::ErrUnknownAction));
            return render(&state, parts, FormOutcome::refused(error, &form)).await;
        };
        let done = crate::sites::manage(&*state.store, &user, &field(&form, "site"), what)
            .await
            .map_err(AppError::from);
        return match done {
            // Flushed by `sites::manage` before it answers.
            Ok(site) => {
                let q =
                    serde_urlencoded::to_string([("done", action.as_str()), ("site", &site.name)])
                        .unwrap_or_default();
                Redirect::to(&format!("/merchants/{merchant_id}?{q}")).into_response()
            }
            Err(error) => render(&state, parts, FormOutcome::refused(error, &form)).await,
        };
    }
    let created = match NewSite::from_form(
        field(&form, "name"),
        &field(&form, "template"),
        &field(&form, "locale"),
        user.lang,
    ) {
        Ok(input) => state.backend.create_site(&user, &merchant_id, input).await,
        Err(error) => Err(error),
    };
    match created {
        Ok(site) => Redirect::to(&format!("/sites/{}/edit", site.id)).into_response(),
        Err(error) => render(&state, parts, FormOutcome::refused(error, &form)).await,
    }
}

/// `POST /account`: change the signed-in user's password. The current password is checked
/// like a login (throttled per login and address, bounded with the other password checks);
/// once changed, every other session of the user ends.
pub(super) async fn change_password(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (user, form) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let lang = user.lang;
    let Ok(user_id) = ulid::Ulid::from_string(&user.id) else {
        return Redirect::to("/login").into_response();
    };
    let address = super::forms::client_address(&state, &parts);
    let reservation = match state
        .throttle
        .reserve(&*state.store, &user.login, address)
        .await
    {
        Ok(Ok(r)) => r,
        Err(e) => return Error::from(e).into_response(),
        Ok(Err(wait)) => {
            let minutes = super::session::minutes_to_wait(wait);
            let error = AppError::Busy(lang.fill(Text::ErrThrottled, &[("minutes", minutes)]));
            return render(&state, parts, FormOutcome::refused(error, &form)).await;
        }
    };
    let change = accounts::PasswordChange {
        current: field(&form, "current_password"),
        new: field(&form, "new_password"),
        repeat: field(&form, "repeat_password"),
    };
    let changed =
        accounts::change_password(&*state.store, &state.password_checks, user_id, change, lang)
            .await;
    let outcome = match changed {
        Err(error) => {
            // Only a wrong current password counts as a failed attempt.
            if error.field() != Some("current_password") {
                if let Err(e) = state.throttle.succeeded(&*state.store, &reservation).await {
                    return Error::from(e).into_response();
                }
            }
            FormOutcome::refused(error, &form)
        }
        Ok(()) => {
            if let Err(e) = state.throttle.succeeded(&*state.store, &reservation).await {
                return Error::from(e).into_response();
            }
            let keep = parts
                .extensions
                .get::<super::session::SessionToken>()
                .and_then(|t| t.0.clone());
            if let Err(e) = auth::end_sessions_of(&*state.store, user_id, keep.as_deref()).await {
                return Error::from(e).into_response();
            }
            if let Err(e) = state.store.flush().await {
                return Error::from(e).into_response();
            }
            tracing::info!(login = %user.login, "password changed");
            FormOutcome::PasswordChanged
        }
    };
    render(&state, parts, outcome).await
}

/// `POST /account/sessions`: sign out everywhere: every session of the user ends, this one
/// included.
pub(super) async fn sign_out_everywhere(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (user, _) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let Ok(user_id) = ulid::Ulid::from_string(&user.id) else {
        return Redirect::to("/login").into_response();
    };
    match auth::end_sessions_of(&*state.store, user_id, None).await {
        Ok(ended) => tracing::info!(login = %user.login, ended, "signed out everywhere"),
        Err(e) => return Error::from(e).into_response(),
    }
    if let Err(e) = state.store.flush().await {
        return Error::from(e).into_response();
    }
    super::session::signed_out(&state, "/login?notice=signed_out_everywhere")
}

/// Pauses, resumes, deletes or restores a merchant (agency admins of its agency only), then
/// shows the agency's list (after a delete) or the merchant's page again.
async fn manage_merchant(
    state: &AppState,
    parts: Parts,
    user: &app::model::UserView,
    merchant_id: &str,
    form: &Form,
    what: crate::accounts::MerchantAction,
) -> Response {
    use crate::accounts::MerchantAction;
    let done = async {
        crate::tenancy::require_agency_admin(user)?;
        let merchant = crate::tenancy::visible_merchant(&*state.store, user, merchant_id).await?;
        crate::accounts::manage_merchant(&*state.store, merchant.id, what, user.lang).await
    }
    .await;
    match done {
        Ok(m) => {
            if let Err(e) = state.store.flush().await {
                return Error::from(e).into_response();
            }
            let key = match what {
                MerchantAction::Pause => "merchant_paused",
                MerchantAction::Resume => "merchant_resumed",
                MerchantAction::Delete => "merchant_deleted",
                MerchantAction::Restore => "merchant_restored",
            };
            crate::audit::note(&*state.store, user, Some(m.id), None, key, m.name.clone()).await;
            let q =
                serde_urlencoded::to_string([("done", key), ("name", &m.name)]).unwrap_or_default();
            let to = match what {
                MerchantAction::Delete => format!("/agency?{q}"),
                _ => format!("/merchants/{}?{q}", m.id),
            };
            Redirect::to(&to).into_response()
        }
        Err(error) => render(state, parts, FormOutcome::refused(error, form)).await,
    }
}

/// An agency admin gives one of its merchants a new password: shown once on the page, with
/// the address to sign in at; the merchant's sessions end.
async fn reset_password(
    state: &AppState,
    parts: Parts,
    user: &app::model::UserView,
    merchant_id: &str,
    form: &Form,
) -> Response {
    let merchant = match crate::tenancy::require_agency_admin(user) {
        Ok(_) => crate::tenancy::visible_merchant(&*state.store, user, merchant_id).await,
        Err(e) => Err(e),
    };
    let merchant = match merchant {
        Ok(m) => m,
        Err(error) => return render(state, parts, FormOutcome::refused(error, form)).await,
    };
    let reset = accounts::reset_merchant_password(&*state.store, merchant.id).await;
    let outcome = match reset {
        Err(error) => FormOutcome::refused(error, form),
        Ok((login, password)) => {
            if let Err(e) = state.store.flush().await {
                return Error::from(e).into_response();
            }
            tracing::info!(by = %user.login, merchant = %merchant.id, "merchant password reset");
            crate::audit::note(
                &*state.store,
                user,
                Some(merchant.id),
                None,
                "password_reset",
                login.clone(),
            )
            .await;
            FormOutcome::PasswordReset {
                login,
                password,
                login_url: format!("{}/login", our_origin(state, &parts)),
            }
        }
    };
    render(state, parts, outcome).await
}

/// Where users reach this server: the public URL's origin, else this request's host.
fn our_origin(state: &AppState, parts: &Parts) -> String {
    if let Some(origin) = &state.public_origin {
        return origin.clone();
    }
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// `POST /agency/api`: make a scripting-API token (shown once on the page rendered back) or
/// revoke one. Agency admins only; a token of another agency is not found.
pub(super) async fn api_tokens_form(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (user, form) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let agency = match crate::tenancy::require_agency_admin(&user) {
        Ok(a) => a,
        Err(error) => return render(&state, parts, FormOutcome::refused(error, &form)).await,
    };
    let store = &*state.store;
    let (action, detail, result) = match field(&form, "action").as_str() {
        "create" => {
            let user_id = user.id.parse().unwrap_or_default();
            let r = crate::api_tokens::create(
                store,
                agency,
                &field(&form, "name"),
                (user_id, &user.login),
                user.lang,
            )
            .await;
            let detail = r.as_ref().map(|(t, _)| t.name.clone()).unwrap_or_default();
            (
                "api_token_created",
                detail,
                r.map(|(t, token)| FormOutcome::TokenCreated {
                    name: t.name,
                    token,
                }),
            )
        }
        "revoke" => {
            let r = crate::api_tokens::revoke(store, agency, &field(&form, "id")).await;
            let detail = r.as_ref().map(|t| t.name.clone()).unwrap_or_default();
            return match r {
                Ok(_) => {
                    super::wechat::note(&state, &user, None, "api_token_revoked", detail).await;
                    Redirect::to("/agency/api").into_response()
                }
                Err(e) => {
                    render(
                        &state,
                        parts,
                        FormOutcome::refused(e.into_app_error(), &form),
                    )
                    .await
                }
            };
        }
        _ => {
            let error = AppError::invalid("action", user.lang.t(Text::ErrUnknownAction));
            return render(&state, parts, FormOutcome::refused(error, &form)).await;
        }
    };
    match result {
        Ok(outcome) => {
            super::wechat::note(&state, &user, None, action, detail).await;
            render(&state, parts, outcome).await
        }
        Err(e) => {
            render(
                &state,
                parts,
                FormOutcome::refused(e.into_app_error(), &form),
            )
            .await
        }
    }
}
