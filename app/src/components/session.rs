//! The visitor's session, known synchronously everywhere.
//!
//! The server resolves it per request (middleware → request extensions) and renders it once
//! into the page as JSON; the browser reads that back when it hydrates. No resource is shared
//! between Suspense boundaries (a pattern that can stall Leptos SSR responses).
use crate::model::SessionInfo;
use leptos::prelude::*;

/// Id of the `<script type="application/json">` carrying the session to the browser.
pub const SESSION_SCRIPT_ID: &str = "mpf-session";

#[derive(Clone)]
struct SessionCtx(SessionInfo);

/// The session as the server resolved it for this page load.
pub fn initial_session() -> SessionInfo {
    #[cfg(feature = "ssr")]
    {
        crate::api::request_session()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .get_element_by_id(SESSION_SCRIPT_ID)
            .and_then(|e| e.text_content())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }
}

/// JSON safe inside a `<script>` element: no `<`, so no `</script>`.
pub fn session_json(s: &SessionInfo) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}

pub fn provide_session(s: SessionInfo) {
    provide_context(SessionCtx(s));
}

pub fn use_session() -> SessionInfo {
    use_context::<SessionCtx>().map(|s| s.0).unwrap_or_default()
}

/// The hidden anti-CSRF field every state-changing form carries.
#[component]
pub fn CsrfField(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf_token" value=token/> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_json_cannot_close_its_script() {
        let s = SessionInfo {
            csrf: "</script><script>alert(1)</script>".into(),
            ..Default::default()
        };
        let json = session_json(&s);
        assert!(!json.contains('<'));
        let back: SessionInfo = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
