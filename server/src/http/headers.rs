//! Security headers on every response: a Content-Security-Policy the app really runs under,
//! `no-store` on whatever a signed-in user is shown, HSTS when served over https.
//!
//! Leptos pages get a policy with the page's nonce (`page_csp`, set while rendering: the island
//! loader is an inline module script carrying it); everything else gets [`DEFAULT_CSP`], which
//! allows no script at all outside our own files.
use app::model::SessionInfo;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Scripts only from our origin (and wasm compiled from them); styles also inline (the phone
/// preview renders the theme's styles); no plugins, no other site may frame us or receive our
/// forms.
const POLICY: &str =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/// Everything but rendered pages: [`POLICY`] with scripts from our own files only.
pub const DEFAULT_CSP: &str = "default-src 'self'; img-src 'self' data: blob:; \
     style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'self'; script-src 'self' 'wasm-unsafe-eval'";

/// The policy of a rendered page whose inline scripts carry `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!("{POLICY}; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")
}

pub(super) async fn security_headers(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let signed_in = req
        .extensions()
        .get::<SessionInfo>()
        .is_some_and(|s| s.user.is_some());
    // Built files are the same for everyone and named by their content.
    let public_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_CSP));
    if signed_in && !public_asset {
        // A handler that chose deliberately keeps its choice: content-addressed images stay in
        // the user's own browser (`private`), template thumbnails are the same for everyone
        // (`public`). Everything else a signed-in user sees is never stored.
        let chosen = h.get(header::CACHE_CONTROL).is_some_and(|v| {
            v.to_str()
                .is_ok_and(|v| v.starts_with("private") || v.starts_with("public"))
        });
        if !chosen {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    if state.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}
