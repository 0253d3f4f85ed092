//! The plain-form endpoints that must work without JavaScript: log in, log out, pick a
//! language.
use super::session::{cookie_header, read_cookie, visitor_cookie, SessionToken};
use crate::accounts;
use crate::auth::{self, CookieName};
use crate::error::Error;
use crate::state::AppState;
use app::error::AppError;
use app::i18n::{Lang, Text};
use app::model::SessionInfo;
use axum::body::to_bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

fn login_error(code: &str, login: &str) -> Response {
    login_redirect(&[("error", code), ("login", login)])
}

fn login_redirect(query: &[(&str, &str)]) -> Response {
    let q = serde_urlencoded::to_string(query).unwrap_or_default();
    Redirect::to(&format!("/login?{q}")).into_response()
}

/// The client's address: the peer, or what a trusted proxy says it forwarded for.
pub(super) fn client_address(
    state: &AppState,
    parts: &axum::http::request::Parts,
) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| state.proxies.client_ip(peer.ip(), &parts.headers))
}

pub(super) async fn login(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, super::limits::FORM_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let form: LoginForm = serde_urlencoded::from_bytes(&bytes).unwrap_or(LoginForm {
        login: String::new(),
        password: String::new(),
    });
    let login = form.login.trim().to_lowercase();
    if login.is_empty() || form.password.is_empty() {
        return login_error("missing", &login);
    }
    let address = client_address(&state, &parts);
    // Reserved before the (slow) password check, so parallel guesses count one by one.
    let reservation = match state.throttle.reserve(&*state.store, &login, address).await {
        Ok(Ok(r)) => r,
        Ok(Err(wait)) => {
            tracing::warn!(%login, ?address, wait_secs = wait.as_secs(), "login throttled");
            let wait = (wait.as_secs_f64().ceil() as u64).to_string();
            return login_redirect(&[("error", "throttled"), ("login", &login), ("wait", &wait)]);
        }
        Err(e) => return Error::from(e).into_response(),
    };
    let found = match accounts::find_login(&*state.store, &login).await {
        Ok(found) => found,
        Err(e) => return Error::from(e).into_response(),
    };
    let named = found.clone();
    let password = form.password;
    let user = match state
        .password_checks
        .run(move || accounts::password_matches(found, &password))
        .await
    {
        Ok(user) => user,
        Err(crate::gate::Busy) => {
            tracing::warn!("too many password checks at once");
            return login_error("busy", &login);
        }
    };
    let Some(user) = user else {
        if let Some(u) = named {
            audit(&state, &u, "login_failed").await;
        }
        return login_error("invalid", &login);
    };
    if let Err(e) = state.throttle.succeeded(&*state.store, &reservation).await {
        return Error::from(e).into_response();
    }
    // The right password for a merchant its agency paused or deleted: said as such, since
    // only the holder of the password reads it.
    match accounts::sign_in_refusal(&*state.store, &user).await {
        Ok(None) => {}
        Ok(Some(why)) => return login_error(why, &login),
        Err(e) => return Error::from(e).into_response(),
    }
    // A language picked on the login page carries over to the account.
    if let Some(lang) = read_cookie(&parts.headers, state.cookie(CookieName::Lang))
        .and_then(|c| Lang::from_code(&c))
    {
        if lang != user.lang {
            let _ = accounts::set_user_lang(&*state.store, user.id, lang).await;
        }
    }
    let token = match auth::create_session(&*state.store, user.id).await {
        Ok(t) => t,
        Err(e) => return Error::from(e).into_response(),
    };
    if let Err(e) = state.store.flush().await {
        tracing::error!(error = %e, "flush after login failed");
    }
    audit(&state, &user, "login").await;
    let home = accounts::user_view(&*state.store, &user)
        .await
        .map(|u| u.home_path())
        .unwrap_or_else(|_| "/".into());
    let mut res = Redirect::to(&home).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            state.cookie(CookieName::Session),
            token,
            auth::SESSION_TTL_SECS,
            true,
            state.secure_cookies,
        ),
    );
    // A new session means a new anti-CSRF token; the visitor id (possibly planted before
    // signing in) is replaced too.
    res.headers_mut().append(
        header::SET_COOKIE,
        visitor_cookie(&state, auth::random_token()),
    );
    res
}

/// Notes a sign-in (or a failed one) of `user` in its agency's audit log; a failure to note
/// it is logged, never in the user's way.
async fn audit(state: &AppState, user: &crate::storage::User, action: &str) {
    let merchant_id = match user.role {
        crate::storage::StoredRole::Merchant { merchant_id, .. }
        | crate::storage::StoredRole::MerchantStaff { merchant_id, .. } => Some(merchant_id),
        crate::storage::StoredRole::AgencyAdmin { .. }
        | crate::storage::StoredRole::AgencyStaff { .. } => None,
    };
    let entry = crate::storage::AuditEntry {
        id: crate::storage::tree::new_id(),
        agency_id: user.role.agency_id(),
        user_id: Some(user.id),
        merchant_id,
        site_id: None,
        action: action.into(),
        detail: user.login.clone(),
        at: crate::storage::now_rfc3339(),
    };
    if let Err(e) = state.store.append_audit(&entry).await {
        tracing::error!(error = %e, "could not append to the audit log");
    }
}

pub(super) async fn logout(State(state): State<AppState>, req: Request) -> Response {
    if let Some(SessionToken(Some(token))) = req.extensions().get::<SessionToken>() {
        if let Err(e) = auth::end_session(&*state.store, token).await {
            tracing::error!(error = %e, "could not end session");
        }
        let _ = state.store.flush().await;
    }
    super::session::signed_out(&state, "/login")
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// Only same-site paths: never an open redirect.
fn local_path(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    }
}

pub(super) async fn set_lang(State(state): State<AppState>, req: Request) -> Response {
    let session = req
        .extensions()
        .get::<SessionInfo>()
        .cloned()
        .unwrap_or_default();
    let Ok(bytes) = to_bytes(req.into_body(), super::limits::FORM_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let refused = || {
        let lang = session.lang;
        let err = AppError::invalid("lang", lang.t(Text::ErrLangChoice));
        Error::from(err).into_response()
    };
    let Ok(form) = serde_urlencoded::from_bytes::<LangForm>(&bytes) else {
        return refused();
    };
    let Some(lang) = Lang::from_code(&form.lang) else {
        return refused();
    };
    if let Some(user) = &session.user {
        if let Ok(id) = ulid::Ulid::from_string(&user.id) {
            if let Err(e) = accounts::set_user_lang(&*state.store, id, lang).await {
                tracing::error!(error = %e, "could not save language");
            }
            let _ = state.store.flush().await;
        }
    }
    let mut res = Redirect::to(local_path(&form.back)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            state.cookie(CookieName::Lang),
            lang.code().to_string(),
            365 * 24 * 3600,
            false,
            state.secure_cookies,
        ),
    );
    res
}
