//! The session and anti-CSRF middleware: who is asking, in which language, and whether a
//! state-changing request really comes from our own pages.
use super::limits;
use crate::accounts;
use crate::auth::{self, CookieName};
use crate::state::AppState;
use app::i18n::{Lang, Text};
use app::model::SessionInfo;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

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

pub(super) fn cookie_header(
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
pub(super) struct SessionToken(pub(super) Option<String>);

/// Screens only a signed-in user can see.
fn requires_login(path: &str) -> bool {
    path == "/agency"
        || path.starts_with("/agency/")
        || path == "/account"
        || path.starts_with("/merchants/")
        || path.starts_with("/sites/")
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Resolves the session and language, hands out the anti-CSRF token, and refuses any
/// state-changing request that does not carry it back or that comes from another origin.
pub(super) async fn session_middleware(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    // The scripting API: bearer tokens, no cookies, so no session and no CSRF token
    // (`api.rs` authenticates each request and bounds its body).
    // The mini-program API likewise: no cookies; `mp.rs` checks and bounds each request.
    if req.uri().path().starts_with("/api/v1/") || req.uri().path().starts_with("/mp/") {
        return next.run(req).await;
    }
    let visitor =
        read_cookie(req.headers(), state.cookie(CookieName::Visitor)).filter(|t| t.len() >= 32);
    let token = read_cookie(req.headers(), state.cookie(CookieName::Session));
    let found = match token.as_deref() {
        Some(t) => Some(auth::session_user(&*state.store, t).await),
        None => None,
    };
    let user = match found {
        Some(Ok(Some(u))) => accounts::user_view(&*state.store, &u).await.ok(),
        Some(Err(e)) => {
            tracing::error!(error = %e, "session lookup failed");
            None
        }
        _ => None,
    };
    let lang = user
        .as_ref()
        .map(|u| u.lang)
        .unwrap_or_else(|| request_lang(req.headers(), state.secure_cookies));
    // The token this request must carry back: bound to the session when signed in, else to
    // the visitor cookie. No cookie at all: no token can be right.
    let expected = match (&user, &token) {
        (Some(_), Some(t)) => Some(state.csrf_key.for_session(t)),
        _ => visitor.as_deref().map(|v| state.csrf_key.for_visitor(v)),
    };

    let path = req.uri().path().to_string();
    // Bounded before a byte is read: small for forms and visitors, larger for the editor.
    let limit = limits::body_limit(req.method(), &path, user.is_some());
    // WeChat's pushes carry no cookie and no token: each is verified by its signature.
    let push = path.starts_with("/wechat/") && path.ends_with("/events");
    let mut req = if is_safe(req.method()) || push {
        req
    } else {
        if limits::declared_length(req.headers()).is_some_and(|n| n > limit) {
            return limits::too_large(&path, limit, lang);
        }
        let req = req.map(|body| limits::limited(body, limit));
        let origin = Origin {
            public: state.public_origin.clone(),
            https: state.secure_cookies,
        };
        match check_csrf(req, expected.as_deref(), limit, lang, &origin).await {
            Ok(req) => req,
            Err(refusal) => return refusal,
        }
    };

    let (csrf, new_visitor) = match expected {
        Some(t) => (t, None),
        None => {
            let visitor = auth::random_token();
            (state.csrf_key.for_visitor(&visitor), Some(visitor))
        }
    };
    // Pages behind the login go straight to it: no render, no data loaded for nobody.
    if user.is_none() && req.method() == Method::GET && requires_login(req.uri().path()) {
        return Redirect::to("/login").into_response();
    }
    // The agency's look: its users' and merchants', or the one whose domain this is.
    let agency = user.as_ref().and_then(|u| u.agency_id.parse().ok());
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let brand = crate::brand::for_request(&*state.store, agency, host.as_deref()).await;
    req.extensions_mut().insert(SessionInfo {
        user,
        csrf: csrf.clone(),
        lang,
        brand,
    });
    req.extensions_mut().insert(SessionToken(token));
    let mut res = next.run(req).await;
    // A body cut off while a handler read it: say so as the caller expects (JSON for the
    // editor), not as the framework's plain text.
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE
        && !res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    {
        res = limits::too_large(&path, limit, lang);
    }
    // A server function answers every error with 500; the error's own status is the truth
    // (unreadable arguments: the caller's mistake, not ours).
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR && path.starts_with("/api/") {
        res = with_error_status(res).await;
    }
    // A response that set its own visitor cookie (signing in rotates it) keeps that one.
    let sets_visitor = res.headers().get_all(header::SET_COOKIE).iter().any(|v| {
        v.as_bytes()
            .starts_with(format!("{}=", state.cookie(CookieName::Visitor)).as_bytes())
    });
    if let (Some(visitor), false) = (new_visitor, sets_visitor) {
        res.headers_mut()
            .append(header::SET_COOKIE, visitor_cookie(&state, visitor));
    }
    res
}

/// A redirect to `to` that also removes the session cookie (signing out).
pub(super) fn signed_out(state: &AppState, to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    let gone = cookie_header(
        state.cookie(CookieName::Session),
        String::new(),
        0,
        true,
        state.secure_cookies,
    );
    res.headers_mut().append(header::SET_COOKIE, gone);
    res
}

/// How long to wait, as a merchant reads it: whole minutes, at least one.
pub(crate) fn minutes_to_wait(wait: std::time::Duration) -> String {
    wait.as_secs().div_ceil(60).max(1).to_string()
}

/// The `Set-Cookie` of a new visitor id.
pub(super) fn visitor_cookie(state: &AppState, visitor: String) -> HeaderValue {
    cookie_header(
        state.cookie(CookieName::Visitor),
        visitor,
        365 * 24 * 3600,
        true,
        state.secure_cookies,
    )
}

/// Where our pages are served from, for the `Origin` check.
struct Origin {
    public: Option<String>,
    https: bool,
}

/// `res` with the status of the [`app::error::AppError`] its JSON body carries, if it does.
async fn with_error_status(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, limits::FORM_LIMIT).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status()) {
            if !status.is_server_error() {
                parts.status = match err {
                    // Unreadable arguments: a bad request, said with the field.
                    app::error::AppError::Invalid { ref field, .. } if field == "arguments" => {
                        StatusCode::BAD_REQUEST
                    }
                    _ => status,
                };
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The token in the form field `csrf_token` (or header `x-csrf-token`) must be `expected`:
/// the HMAC of this request's session (or visitor cookie), which only our pages know. Without
/// any cookie the request did not come from our pages: refused before its body is read.
async fn check_csrf(
    req: Request,
    expected: Option<&str>,
    limit: usize,
    lang: Lang,
    origin: &Origin,
) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    if expected.is_none() {
        tracing::warn!(path = %parts.uri.path(), "refused state change without an anti-CSRF cookie");
        return Err(csrf_refusal(&parts, lang));
    }
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
            let bytes = to_bytes(body, limit)
                .await
                .map_err(|_| limits::too_large(parts.uri.path(), limit, lang))?;
            (form_field(&bytes, "csrf_token"), Body::from(bytes))
        }
        (None, false) => (None, body),
    };
    let valid = match (expected, &given) {
        (Some(c), Some(g)) => bool::from(c.as_bytes().ct_eq(g.as_bytes())),
        _ => false,
    };
    if valid && same_origin(&parts.headers, origin.public.as_deref(), origin.https) {
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

/// A browser sends `Origin` on cross-site POSTs; when present it must be ours in full: the
/// public URL's origin when one is configured, else this host over the scheme we serve.
fn same_origin(headers: &HeaderMap, public_origin: Option<&str>, https: bool) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if let Some(ours) = public_origin {
        return origin.eq_ignore_ascii_case(ours);
    }
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let scheme = if https { "https://" } else { "http://" };
    origin
        .strip_prefix(scheme)
        .is_some_and(|o| o.eq_ignore_ascii_case(host))
}

/// `https://mp.example.com/some/path` → `https://mp.example.com`.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

fn csrf_refusal(parts: &http::request::Parts, lang: Lang) -> Response {
    let message = lang.t(Text::ErrCsrf);
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
        lang.t(Text::GoHome)
    );
    (StatusCode::FORBIDDEN, Html(page)).into_response()
}

/// Language for a visitor without a stored preference: cookie, then `Accept-Language`.
pub(crate) fn request_lang(headers: &HeaderMap, https: bool) -> Lang {
    read_cookie(headers, CookieName::Lang.name(https))
        .and_then(|c| Lang::from_code(&c))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_origin(origin: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("mp.example.com"));
        h.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        h
    }

    #[test]
    fn the_origin_must_be_ours_scheme_included() {
        let ours = origin_of("https://MP.example.com/app").unwrap();
        assert_eq!(ours, "https://mp.example.com");
        assert!(same_origin(
            &with_origin("https://mp.example.com"),
            Some(&ours),
            true
        ));
        // The same host over plain http (a downgraded or spoofed page) is not us.
        assert!(!same_origin(
            &with_origin("http://mp.example.com"),
            Some(&ours),
            true
        ));
        assert!(!same_origin(
            &with_origin("https://evil.example"),
            Some(&ours),
            true
        ));
        // Without a public URL: this host, over the scheme we serve.
        assert!(same_origin(
            &with_origin("http://mp.example.com"),
            None,
            false
        ));
        assert!(!same_origin(
            &with_origin("https://mp.example.com"),
            None,
            false
        ));
        assert!(!same_origin(
            &with_origin("http://mp.example.com.evil.example"),
            None,
            false
        ));
        assert!(
            same_origin(&HeaderMap::new(), Some(&ours), true),
            "no Origin: not a cross-site post"
        );
    }
}
