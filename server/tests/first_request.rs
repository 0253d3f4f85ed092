//! Regression: the very first request of a process being a page render (no server function
//! has run yet) must not hang. Its own test binary, so nothing else has warmed Leptos up.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use server::data::Store;
use tower::ServiceExt;

#[tokio::test]
async fn first_request_rendering_a_page_answers() {
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let app = server::app(server::AppState::new(
        options,
        Store::temporary().unwrap(),
        false,
    ));
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
