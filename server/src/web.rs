//! HTTP: the router, the session and anti-CSRF middleware, and the plain-form endpoints
//! (login, logout, language) that must work without JavaScript.
use crate::accounts::{self, Accounts};
use crate::auth::{self, LoginThrottle, CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE};
use crate::data::Store;
use app::api::BackendHandle;
use app::i18n::{Lang, K};
use app::model::SessionInfo;
use app::{shell, App};
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRef, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cookie::{Cookie, SameSite};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (image uploads included).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Everything a request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub store: Store,
    pub accounts: Arc<Accounts>,
    pub throttle: Arc<LoginThrottle>,
    /// Set the `Secure` cookie flag (when served over https).
    pub secure_cookies: bool,
    /// Serialises draft saves, so a version check and its write are one step.
    pub draft_lock: Arc<tokio::sync::Mutex<()>>,
    /// Processed images, so re-exporting does not redo work.
    pub media_cache: crate::media::MediaCache,
}

impl AppState {
    pub fn new(leptos: LeptosOptions, store: Store, secure_cookies: bool) -> Self {
        AppState {
            leptos,
            accounts: Arc::new(Accounts {
                store: store.clone(),
            }),
            store,
            throttle: Arc::new(LoginThrottle::default()),
            secure_cookies,
            draft_lock: Arc::default(),
            media_cache: crate::media::MediaCache::default(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The app's routes, listed once per process. Listing them runs the app with resource loading
/// suppressed by a process-wide flag, and a resource first polled while that flag is up never
/// loads (leptos #4773): a page rendering at that moment would hang. Tests build many apps
/// at once; listing once means no app renders while another is being listed.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The whole HTTP application; tests drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    // leptos_axum only sets the global executor when a server function runs; a page rendered
    // before that would have its tasks dropped and hang. Set it up front (idempotent).
    let _ = any_spawner::Executor::init_tokio();
    let routes = ROUTES.clone();
    let backend = BackendHandle(state.accounts.clone());
    let context = move || provide_context(backend.clone());
    let leptos = state.leptos.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/settings/lang", post(set_lang))
        .merge(crate::editor::routes())
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session_middleware,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.db.size_on_disk() {
        Ok(_) => Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "storage unavailable"})),
            )
                .into_response()
        }
    }
}

pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

fn cookie_header(
    name: &'static str,
    value: String,
    max_age_secs: i64,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let c = Cookie::build((name, value))
        .path("/")
        .http_only(http_only)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build();
    HeaderValue::from_str(&c.to_string()).expect("cookie values are url-safe")
}

/// The raw session token of this request, for logout.
#[derive(Clone)]
struct SessionToken(Option<String>);

/// Screens only a signed-in user can see.
fn requires_login(path: &str) -> bool {
    path == "/agency" || path.starts_with("/merchants/") || path.starts_with("/sites/")
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Resolves the session and language, hands out the anti-CSRF token, and refuses any
/// state-changing request that does not carry it back or that comes from another origin.
async fn session_middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cookie_csrf = read_cookie(req.headers(), CSRF_COOKIE).filter(|t| t.len() >= 32);
    let mut req = if is_safe(req.method()) {
        req
    } else {
        match check_csrf(req, cookie_csrf.as_deref()).await {
            Ok(req) => req,
            Err(refusal) => return refusal,
        }
    };

    let token = read_cookie(req.headers(), SESSION_COOKIE);
    let user = match token
        .as_deref()
        .map(|t| auth::session_user(&state.store, t))
    {
        Some(Ok(Some(u))) => accounts::user_view(&state.store, &u).ok(),
        Some(Err(e)) => {
            tracing::error!(error = %e, "session lookup failed");
            None
        }
        _ => None,
    };
    let lang = user
        .as_ref()
        .map(|u| u.lang)
        .unwrap_or_else(|| request_lang(req.headers()));
    let (csrf, new_csrf) = match cookie_csrf {
        Some(t) => (t, false),
        None => (auth::random_token(), true),
    };
    // Pages behind the login go straight to it: no render, no data loaded for nobody.
    if user.is_none() && req.method() == Method::GET && requires_login(req.uri().path()) {
        return Redirect::to("/login").into_response();
    }
    req.extensions_mut().insert(SessionInfo {
        user,
        csrf: csrf.clone(),
        lang,
    });
    req.extensions_mut().insert(SessionToken(token));
    let mut res = next.run(req).await;
    if new_csrf {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(
                CSRF_COOKIE,
                csrf,
                365 * 24 * 3600,
                true,
                state.secure_cookies,
            ),
        );
    }
    res
}

/// Double-submit check: the token in the form field `csrf_token` (or header `x-csrf-token`)
/// must equal the `mpf_csrf` cookie, which another site can neither read nor set.
async fn check_csrf(req: Request, cookie: Option<&str>) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let lang = request_lang(&parts.headers);
    let from_header = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let (given, body) = match (from_header, is_form) {
        (Some(t), _) => (Some(t), body),
        (None, true) => {
            let bytes = to_bytes(body, BODY_LIMIT)
                .await
                .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
            (form_field(&bytes, "csrf_token"), Body::from(bytes))
        }
        (None, false) => (None, body),
    };
    let valid = match (cookie, &given) {
        (Some(c), Some(g)) => bool::from(c.as_bytes().ct_eq(g.as_bytes())),
        _ => false,
    };
    if valid && same_origin(&parts.headers) {
        Ok(Request::from_parts(parts, body))
    } else {
        tracing::warn!(path = %parts.uri.path(), "refused state change without a valid anti-CSRF token");
        Err(csrf_refusal(&parts, lang))
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A browser sends `Origin` on cross-site POSTs; when present it must name this host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .split("://")
        .nth(1)
        .is_some_and(|o| o.eq_ignore_ascii_case(host))
}

fn csrf_refusal(parts: &http::request::Parts, lang: Lang) -> Response {
    let message = lang.t(K::ErrCsrf);
    if parts.uri.path() == "/auth/login" {
        return Redirect::to("/login?error=csrf").into_response();
    }
    if parts.uri.path().starts_with("/api/") {
        let err = app::error::AppError::invalid("csrf_token", message);
        return (StatusCode::FORBIDDEN, Json(err)).into_response();
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"{}\"><meta charset=\"utf-8\"><title>403</title>\
         <p role=\"alert\">{}</p><p><a href=\"/\">{}</a></p></html>",
        lang.code(),
        message,
        lang.t(K::GoHome)
    );
    (StatusCode::FORBIDDEN, Html(page)).into_response()
}

/// Language for a visitor without a stored preference: cookie, then `Accept-Language`.
fn request_lang(headers: &HeaderMap) -> Lang {
    read_cookie(headers, LANG_COOKIE)
        .and_then(|c| Lang::from_code(&c))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

fn login_error(code: &str, login: &str) -> Response {
    let q = serde_urlencoded::to_string([("error", code), ("login", login)]).unwrap_or_default();
    Redirect::to(&format!("/login?{q}")).into_response()
}

async fn login(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
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
    let mut keys = vec![format!("login:{login}")];
    if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        keys.push(format!("ip:{}", addr.ip()));
    }
    if state.throttle.is_blocked(&keys, Instant::now()) {
        tracing::warn!(%login, "login throttled");
        return login_error("throttled", &login);
    }
    let store = state.store.clone();
    let (l, p) = (login.clone(), form.password);
    let user =
        match tokio::task::spawn_blocking(move || accounts::authenticate(&store, &l, &p)).await {
            Ok(Ok(user)) => user,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "login lookup failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
    let Some(user) = user else {
        state.throttle.record_failure(&keys, Instant::now());
        return login_error("invalid", &login);
    };
    state.throttle.record_success(&keys[0]);
    // A language picked on the login page carries over to the account.
    if let Some(lang) = read_cookie(&parts.headers, LANG_COOKIE).and_then(|c| Lang::from_code(&c)) {
        if lang != user.lang {
            let _ = accounts::set_user_lang(&state.store, user.id, lang);
        }
    }
    let token = match auth::create_session(&state.store, user.id) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "could not create session");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Err(e) = state.store.flush().await {
        tracing::error!(error = %e, "flush after login failed");
    }
    let home = accounts::user_view(&state.store, &user)
        .map(|u| u.home_path())
        .unwrap_or_else(|_| "/".into());
    let mut res = Redirect::to(&home).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            SESSION_COOKIE,
            token,
            auth::SESSION_TTL_SECS,
            true,
            state.secure_cookies,
        ),
    );
    res
}

async fn logout(State(state): State<AppState>, req: Request) -> Response {
    if let Some(SessionToken(Some(token))) = req.extensions().get::<SessionToken>() {
        if let Err(e) = auth::end_session(&state.store, token) {
            tracing::error!(error = %e, "could not end session");
        }
        let _ = state.store.flush().await;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(SESSION_COOKIE, String::new(), 0, true, state.secure_cookies),
    );
    res
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

async fn set_lang(State(state): State<AppState>, req: Request) -> Response {
    let session = req
        .extensions()
        .get::<SessionInfo>()
        .cloned()
        .unwrap_or_default();
    let Ok(bytes) = to_bytes(req.into_body(), 64 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let Ok(form) = serde_urlencoded::from_bytes::<LangForm>(&bytes) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "lang: choose en or zh-CN").into_response();
    };
    let Some(lang) = Lang::from_code(&form.lang) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "lang: choose en or zh-CN").into_response();
    };
    if let Some(user) = &session.user {
        if let Ok(id) = ulid::Ulid::from_string(&user.id) {
            if let Err(e) = accounts::set_user_lang(&state.store, id, lang) {
                tracing::error!(error = %e, "could not save language");
            }
            let _ = state.store.flush().await;
        }
    }
    let mut res = Redirect::to(local_path(&form.back)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            LANG_COOKIE,
            lang.code().to_string(),
            365 * 24 * 3600,
            false,
            state.secure_cookies,
        ),
    );
    res
}
