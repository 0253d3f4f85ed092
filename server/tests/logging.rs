//! What the server logs of a request. Its own test binary: the subscriber must be the global
//! one (tracing caches per call site whether anyone listens, across threads).
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// A writer into a shared buffer, to read what the server logs.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_request_is_logged_without_its_secrets() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let store = std::sync::Arc::new(server::storage::embedded::SledStore::temporary().unwrap());
    let password = "a-long-password-1";
    server::accounts::create_agency(&*store, "Agency L", "admin@l.test", password)
        .await
        .unwrap();
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let app = server::app(
        server::AppState::embedded(options, store, false)
            .await
            .unwrap(),
    );

    let page = app
        .clone()
        .oneshot(
            Request::get("/login?error=invalid&login=someone%40secret.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let cookie = page.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = String::from_utf8(
        page.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    let at =
        html.find(r#"name="csrf_token" value=""#).unwrap() + r#"name="csrf_token" value=""#.len();
    let token = &html[at..at + html[at..].find('"').unwrap()];
    let form = serde_urlencoded::to_string([
        ("login", "admin@l.test"),
        ("password", password),
        ("csrf_token", token),
    ])
    .unwrap();
    let res = app
        .oneshot(
            Request::post("/auth/login")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("method=GET path=/login") && text.contains("status=200"),
        "{text}"
    );
    assert!(
        text.contains("method=POST path=/auth/login") && text.contains("status=303"),
        "{text}"
    );
    assert!(text.contains("ms="), "{text}");
    let session = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    let session_value = session
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap();
    for secret in [password, "someone", token, session_value, &cookie] {
        assert!(!text.contains(secret), "{secret} logged: {text}");
    }
}
