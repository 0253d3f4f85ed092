//! Regression: the very first request of a process being a page render (no server function
//! has run yet) must not hang. Its own test binary, so nothing else has warmed Leptos up.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use server::storage::embedded::SledStore;
use std::sync::Arc;
use tower::ServiceExt;

#[tokio::test]
async fn first_request_rendering_a_page_answers() {
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let store = Arc::new(SledStore::temporary().unwrap());
    let app = server::app(
        server::AppState::embedded(options, store, false)
            .await
            .unwrap(),
    );
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        app.oneshot(
            Request::get("/login")
                .header("accept", "text/html")
                .body(Body::empty())
                .unwrap(),
        ),
    )
    .await
    .expect("the first page render hung")
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Many concurrent renders of success and error pages all complete (a stalled SSR response
/// would hang here until the per-request limit). Bounded: 240 requests, in-process.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_page_renders_all_complete() {
    let store = Arc::new(SledStore::temporary().unwrap());
    let (own, cookie) = signed_in_merchant(&store, "a").await;
    let (foreign, _) = signed_in_merchant(&store, "b").await;
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let app = server::app(
        server::AppState::embedded(options, store, false)
            .await
            .unwrap(),
    );
    let cases = [
        (format!("/merchants/{own}"), StatusCode::OK),
        (format!("/merchants/{foreign}"), StatusCode::NOT_FOUND),
        ("/agency".to_string(), StatusCode::FORBIDDEN),
        ("/login".to_string(), StatusCode::FOUND),
    ];
    let mut tasks = Vec::new();
    for i in 0..240 {
        let (path, expected) = cases[i % cases.len()].clone();
        let (app, cookie) = (app.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            assert_eq!(render(app, &path, &cookie).await, expected, "{path}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Building an app lists its routes with resource loading suppressed process-wide (leptos
/// #4773); a page rendering meanwhile in another app must still load its data and answer.
/// Tests build many apps at once, and this once stalled a render until the 60 s limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn renders_answer_while_other_apps_are_built() {
    let store = Arc::new(SledStore::temporary().unwrap());
    let (own, cookie) = signed_in_merchant(&store, "a").await;
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let mut tasks = Vec::new();
    for i in 0..64 {
        let (store, options, cookie) = (store.clone(), options.clone(), cookie.clone());
        let path = format!("/merchants/{own}");
        tasks.push(tokio::spawn(async move {
            let app = server::app(
                server::AppState::embedded(options, store, false)
                    .await
                    .unwrap(),
            );
            assert_eq!(
                render(app, &path, &cookie).await,
                StatusCode::OK,
                "render {i}"
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// A new agency `tag` with one merchant: the merchant's id and a session cookie of its user.
async fn signed_in_merchant(store: &SledStore, tag: &str) -> (String, String) {
    use server::accounts::{create_agency, create_merchant, find_login};
    let password = "password-123";
    let (agency, _) = create_agency(store, tag, &format!("admin@{tag}.test"), password)
        .await
        .unwrap();
    let login = format!("own@{tag}.test");
    let new = app::api::NewMerchant {
        name: tag.into(),
        login: login.clone(),
        password: password.into(),
    };
    let merchant = create_merchant(store, agency.id, new, app::i18n::Lang::En)
        .await
        .unwrap()
        .merchant
        .id;
    let user = find_login(store, &login).await.unwrap().unwrap();
    let token = server::auth::create_session(store, user.id).await.unwrap();
    (merchant, format!("mpf_session={token}"))
}

/// Renders `path` as the holder of `cookie`; a render that does not answer within 30 s (a
/// stalled SSR response) fails the test instead of hanging it.
async fn render(app: axum::Router, path: &str, cookie: &str) -> StatusCode {
    let req = Request::get(path)
        .header("accept", "text/html")
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(30), app.oneshot(req))
        .await
        .unwrap_or_else(|_| panic!("render of {path} stalled"))
        .unwrap()
        .status()
}
