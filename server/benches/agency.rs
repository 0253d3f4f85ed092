//! Agency operations at scale, on the embedded store, on this machine:
//! - the dashboard's first page with 10,000 sites (1,000 merchants × 10), the server's time
//!   for the whole signed-in `GET /agency` (rows read, filtered, sorted, rendered), p50/p99,
//!   and the same with a search;
//! - a bulk regenerate of 1,000 typical sites (the three starters, in turn) as one job on
//!   this node's job workers: wall time;
//! - `GET /api/v1/sites/{id}` requests per second from 16 clients for 5 s.
//!
//! Run: `cargo bench -p server --bench agency`.
use app::i18n::Lang;
use app::model::ThemeKind;
use axum::body::Body;
use axum::http::Request;
use server::storage::{Draft, Merchant, Site, Store, StoredRole, User};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const MERCHANTS: usize = 1_000;
const SITES_EACH: usize = 10;

fn report(name: &str, mut all: Vec<Duration>) {
    all.sort();
    let p50 = all[all.len() / 2];
    let p99 = all[(all.len() * 99 / 100).min(all.len() - 1)];
    println!(
        "{name:<48} p50 {:>8.2} ms   p99 {:>8.2} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

/// An agency with `MERCHANTS` merchants of `SITES_EACH` starter sites each, written straight
/// to the store (the dashboard rows made by one rebuild, timed).
async fn seed(
    store: &Arc<server::storage::embedded::SledStore>,
) -> (ulid::Ulid, User, Vec<ulid::Ulid>) {
    let (agency, admin) = server::accounts::create_agency(
        &**store,
        "Bench agency",
        "admin@bench.test",
        "correct horse battery",
    )
    .await
    .unwrap();
    let hash = admin.password_hash.clone();
    let themes = [ThemeKind::Shop, ThemeKind::Booking, ThemeKind::Info];
    let mut sites = Vec::new();
    for m in 0..MERCHANTS {
        let now = server::storage::now_rfc3339();
        let user = User {
            id: ulid::Ulid::new(),
            login: format!("m{m:04}@bench.test"),
            display_name: format!("Merchant {m:04}"),
            password_hash: hash.clone(),
            role: StoredRole::Merchant {
                agency_id: agency.id,
                merchant_id: ulid::Ulid::nil(),
            },
            lang: Lang::En,
            created_at: now.clone(),
            removed: false,
        };
        let merchant = Merchant {
            id: ulid::Ulid::new(),
            agency_id: agency.id,
            name: format!("Merchant {m:04}"),
            user_id: user.id,
            created_at: now.clone(),
            disabled: false,
            deleted_at: None,
        };
        let user = User {
            role: StoredRole::Merchant {
                agency_id: agency.id,
                merchant_id: merchant.id,
            },
            ..user
        };
        store.create_merchant(&merchant, &user).await.unwrap();
        for s in 0..SITES_EACH {
            let site = Site {
                id: ulid::Ulid::new(),
                merchant_id: merchant.id,
                name: format!("Site {m:04}-{s}"),
                template: themes[(m * SITES_EACH + s) % 3],
                created_at: now.clone(),
                updated_at: now.clone(),
                archived: false,
                deleted_at: None,
            };
            let draft: Draft = server::sites::starter_draft(&site, Lang::En);
            store.create_site(&site, &draft).await.unwrap();
            sites.push(site.id);
        }
    }
    let t = Instant::now();
    let n = server::dashboard::rebuild(&**store, agency.id)
        .await
        .unwrap();
    println!(
        "dashboard rows made for {n} sites               {:>8.2} s (once per installation)",
        t.elapsed().as_secs_f64()
    );
    (agency.id, admin, sites)
}

async fn dashboard(state: &server::AppState, cookie: &str) {
    let app = server::app(state.clone());
    for (name, path) in [
        ("dashboard first page, 10,000 sites", "/agency"),
        (
            "dashboard search, 10,000 sites",
            "/agency?q=merchant+0420&sort=-updated",
        ),
        (
            "dashboard filter + page 7, 10,000 sites",
            "/agency?state=not_connected&page=7",
        ),
    ] {
        let mut all = Vec::new();
        for i in 0..60 {
            let req = Request::get(path)
                .header("cookie", cookie)
                .body(Body::empty())
                .unwrap();
            let t = Instant::now();
            let res = app.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            if i >= 5 {
                all.push(t.elapsed());
            }
            assert!(body.len() > 1000);
        }
        report(name, all);
    }
}

async fn regenerate(state: &server::AppState, agency: ulid::Ulid, sites: &[ulid::Ulid]) {
    let chosen: Vec<(ulid::Ulid, String)> = sites
        .iter()
        .take(1_000)
        .map(|s| (*s, String::new()))
        .collect();
    let workers = tokio::spawn(server::jobs::run_workers(
        state.clone(),
        2,
        Duration::from_secs(30),
    ));
    let t = Instant::now();
    let b = server::batches::start(
        &*state.store,
        agency,
        server::batches::Action::Regenerate,
        chosen,
        "bench",
    )
    .await
    .unwrap();
    loop {
        // The batch alone (its counts), as the dashboard reads it; the items once it ended.
        let (head, _) = server::batches::header(&*state.store, b.id)
            .await
            .unwrap()
            .unwrap();
        if head.finished_at.is_some() {
            let now = server::batches::load(&*state.store, b.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(now.state(), "done");
            let failed = now
                .items
                .iter()
                .filter(|i| i.state == server::batches::ItemState::Failed)
                .count();
            assert_eq!(
                failed,
                0,
                "{:?}",
                now.items.iter().find(|i| i.error.is_some())
            );
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(600),
            "the bulk regenerate never ended"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "bulk regenerate of 1,000 typical sites         {:>8.2} s wall (goal: under 10 s on 2 cores)",
        t.elapsed().as_secs_f64()
    );
    workers.abort();
}

async fn api_rate(
    state: &server::AppState,
    agency: ulid::Ulid,
    admin: &User,
    sites: &[ulid::Ulid],
) {
    let (_, token) = server::api_tokens::create(
        &*state.store,
        agency,
        "bench",
        (admin.id, &admin.login),
        Lang::En,
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = server::app(state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let client = reqwest::Client::new();
    let until = Instant::now() + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (client, token) = (client.clone(), token.clone());
        let url = format!("{base}/api/v1/sites/{}", sites[i * 37]);
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < until {
                let r = client.get(&url).bearer_auth(&token).send().await.unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    println!(
        "GET /api/v1/sites/{{id}}, 16 clients            {:>8.0} requests/s",
        total as f64 / 5.0
    );
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(server::storage::embedded::SledStore::open(dir.path()).unwrap());
        let (agency, admin, sites) = seed(&store).await;
        let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
        let mut state = server::AppState::embedded(options, store.clone(), false)
            .await
            .unwrap();
        // The bench measures the server, not the per-token limit.
        state.api_rate = Arc::new(server::http::api::ApiRate::per_second(1_000_000));
        let token = server::auth::create_session(&*store, admin.id)
            .await
            .unwrap();
        dashboard(&state, &format!("mpf_session={token}")).await;
        api_rate(&state, agency, &admin, &sites).await;
        regenerate(&state, agency, &sites).await;
    });
}
