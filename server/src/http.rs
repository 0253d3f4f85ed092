//! HTTP: the router and its layers. Requests pass the session and anti-CSRF middleware
//! ([`session`]), then reach a plain-form endpoint ([`forms`]: login, logout, language; they work
//! without JavaScript), the editor's JSON endpoints ([`sites`], [`media`]), a server function
//! or a Leptos page.
pub mod api;
pub mod assets;
pub mod brand;
pub mod bulk;
pub mod forms;
pub mod headers;
pub mod import;
pub mod inbox;
pub mod limits;
pub mod media;
pub mod mp;
pub mod pages;
pub mod qr;
pub mod session;
pub mod sites;
pub mod team;
pub mod wechat;

use crate::state::AppState;
use app::api::BackendHandle;
use app::{shell, App};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::LazyLock;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

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
    let context = page_context(&state);
    let leptos = state.leptos.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/", get(home))
        .route("/auth/login", post(forms::login))
        .route("/auth/logout", post(forms::logout))
        .route("/settings/lang", post(forms::set_lang))
        .route("/agency", post(pages::create_merchant))
        .route("/agency/api", post(pages::api_tokens_form))
        .route("/account", post(pages::change_password))
        .route("/account/sessions", post(pages::sign_out_everywhere))
        .route("/merchants/{id}", post(pages::merchant_form))
        .merge(api::routes(&state))
        .merge(bulk::routes())
        .merge(team::routes())
        .merge(import::routes())
        .merge(brand::routes())
        .merge(sites::routes())
        .merge(wechat::routes())
        .merge(media::routes())
        .merge(mp::routes())
        .merge(inbox::routes())
        .merge(assets::routes(&state.leptos))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::session_middleware,
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
        // Each request's own bound is set by the session middleware (`limits.rs`); this is the
        // most any may send, checked first.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limits::MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(
            // One line per request: method, path (never the query: it can carry a login),
            // status and time. Never a header, a cookie or a body.
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(
                    |res: &axum::http::Response<_>, latency: Duration, _: &tracing::Span| {
                        tracing::info!(
                            status = res.status().as_u16(),
                            ms = latency.as_millis() as u64,
                            "served"
                        );
                    },
                ),
        )
        .with_state(state)
}

/// What every page render finds in its context: the backend, the options the island loader
/// needs and the built assets' names.
pub(crate) fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let backend = BackendHandle(state.backend.clone());
    let options = state.leptos.clone();
    let assets = state.assets.clone();
    move || {
        provide_context(backend.clone());
        provide_context(options.clone());
        provide_context(assets.clone());
        // The page's inline scripts carry this render's nonce; its policy names it.
        if let (Some(nonce), Some(res)) = (
            leptos::nonce::use_nonce(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            if let Ok(csp) = HeaderValue::from_str(&headers::page_csp(&nonce)) {
                res.insert_header(header::CONTENT_SECURITY_POLICY, csp);
            }
        }
    }
}

/// `/`: the signed-in user's home, else the login page.
async fn home(axum::Extension(session): axum::Extension<app::model::SessionInfo>) -> Response {
    let target = session
        .user
        .map(|u| u.home_path())
        .unwrap_or_else(|| "/login".into());
    axum::response::Redirect::to(&target).into_response()
}

/// `/healthz`: whether the store and the blob store answer (a round trip each, at most 5
/// seconds); 503 when either does not. Names the engines, never a credential.
async fn healthz(State(state): State<AppState>) -> Response {
    let within = std::time::Duration::from_secs(5);
    let store = match tokio::time::timeout(within, state.store.health()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 5 s".to_string()),
    };
    let blobs = match tokio::time::timeout(within, state.blobs.health()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 5 s".to_string()),
    };
    let part = |name: String, r: &std::result::Result<(), String>| match r {
        Ok(()) => serde_json::json!({"engine": name, "status": "ok"}),
        Err(_) => serde_json::json!({"engine": name, "status": "unavailable"}),
    };
    let ok = store.is_ok() && blobs.is_ok();
    for (what, r) in [("store", &store), ("blob store", &blobs)] {
        if let Err(e) = r {
            tracing::error!(error = %e, "health check: {what} failed");
        }
    }
    let body = serde_json::json!({
        "status": if ok { "ok" } else { "unavailable" },
        "store": part(state.store.describe(), &store),
        "blobs": part(state.blobs.describe(), &blobs),
    });
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
