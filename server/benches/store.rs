//! Numbers, not a test: draft save and load latency on sled and on PostgreSQL (same machine,
//! same run), and requests per second of an authenticated page with one node and with two
//! nodes sharing PostgreSQL. PostgreSQL is the server `MPFORGE_TEST_PG` names (`make bench`
//! starts one); without it only sled is measured.
use server::storage::embedded::SledStore;
use server::storage::SharedStore;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SAVES: usize = 300;
const PASSWORD: &str = "a-long-password-1";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{what:<34} p50 {:>7.2} ms   p99 {:>7.2} ms   ({} runs)",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        times.len()
    );
}

async fn fresh_database(url: &str) -> String {
    let db = format!("bench_{}", ulid::Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&admin)
        .await
        .unwrap();
    let mut u = url::Url::parse(url).unwrap();
    u.set_path(&db);
    u.to_string()
}

/// An agency, a merchant and a shop site; returns the admin's view and the site's id.
async fn seed(store: &SharedStore) -> (app::model::UserView, String) {
    let (agency, admin) =
        server::accounts::create_agency(&**store, "Bench", "admin@bench.test", PASSWORD)
            .await
            .unwrap();
    let m = server::accounts::create_merchant(
        &**store,
        agency.id,
        app::api::NewMerchant {
            name: "Cafe".into(),
            login: "cafe@bench.test".into(),
            password: PASSWORD.into(),
        },
        app::i18n::Lang::En,
    )
    .await
    .unwrap();
    let who = server::accounts::user_view(&**store, &admin).await.unwrap();
    let site = server::sites::create(
        &**store,
        &who,
        &m.merchant.id,
        app::api::NewSite {
            name: "Bench".into(),
            template: app::model::ThemeKind::Shop,
            locale: app::i18n::Lang::En,
        },
    )
    .await
    .unwrap();
    (who, site.id)
}

async fn drafts(engine: &str, store: SharedStore) {
    let (who, site) = seed(&store).await;
    let draft = server::sites::draft_view(&*store, &who, &site)
        .await
        .unwrap();
    let bytes = serde_json::to_vec(&draft.site).unwrap().len();
    let (mut saves, mut loads) = (Vec::new(), Vec::new());
    let mut version = draft.version;
    for i in 0..SAVES {
        let mut s = draft.site.clone();
        s.name = format!("Bench {i}");
        let input = app::api::rest::SaveDraft {
            base_version: version,
            site: s,
        };
        let t = Instant::now();
        version = server::sites::save_draft(&*store, &who, &site, input)
            .await
            .unwrap()
            .version;
        saves.push(t.elapsed());
        let t = Instant::now();
        server::sites::draft_view(&*store, &who, &site)
            .await
            .unwrap();
        loads.push(t.elapsed());
    }
    report(
        &format!("draft save, {engine} ({} KB)", bytes / 1024),
        saves,
    );
    report(&format!("draft load, {engine}"), loads);
}

struct Node(Child, String);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn node(store: &str, blobs: &str) -> Node {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_mpforge"))
        .args([
            "--store",
            store,
            "--blobs",
            blobs,
            "--addr",
            &addr,
            "--no-demo",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while reqwest::get(format!("http://{addr}/healthz"))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "node never answered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Node(child, addr)
}

/// Requests per second of the merchant's home page, signed in, from 16 clients for 5 s,
/// spread over `nodes`.
async fn page_rate(nodes: &[&Node], cookie: &str, path: &str) -> f64 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (client, cookie) = (client.clone(), cookie.to_string());
        let url = format!("http://{}{path}", nodes[i % nodes.len()].1);
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < until {
                let r = client
                    .get(&url)
                    .header("cookie", &cookie)
                    .header("accept", "text/html")
                    .send()
                    .await
                    .unwrap();
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
    total as f64 / 5.0
}

async fn nodes(url: &str) {
    let db = fresh_database(url).await;
    let dir = tempfile::tempdir().unwrap();
    let blobs = format!("file://{}", dir.path().display());
    let store: SharedStore = Arc::new(
        server::storage::postgres::PgStore::connect(&db)
            .await
            .unwrap(),
    );
    seed(&store).await;
    let user = server::accounts::find_login(&*store, "cafe@bench.test")
        .await
        .unwrap()
        .unwrap();
    let token = server::auth::create_session(&*store, user.id)
        .await
        .unwrap();
    let cookie = format!("mpf_session={token}");
    let path = match user.role {
        server::storage::StoredRole::Merchant { merchant_id, .. } => {
            format!("/merchants/{merchant_id}")
        }
        _ => unreachable!(),
    };
    let a = node(&db, &blobs).await;
    let one = page_rate(&[&a], &cookie, &path).await;
    let b = node(&db, &blobs).await;
    let two = page_rate(&[&a, &b], &cookie, &path).await;
    println!("signed-in page, 1 node on postgres   {one:>8.0} requests/s");
    println!(
        "signed-in page, 2 nodes on postgres  {two:>8.0} requests/s (both on this machine's cores)"
    );
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sled: SharedStore = Arc::new(SledStore::open(dir.path()).unwrap());
        drafts("sled", sled).await;
        match std::env::var("MPFORGE_TEST_PG") {
            Ok(url) => {
                let db = fresh_database(&url).await;
                let pg: SharedStore = Arc::new(
                    server::storage::postgres::PgStore::connect(&db)
                        .await
                        .unwrap(),
                );
                drafts("postgres", pg).await;
                nodes(&url).await;
            }
            Err(_) => println!("MPFORGE_TEST_PG is not set: PostgreSQL not measured"),
        }
    });
}
