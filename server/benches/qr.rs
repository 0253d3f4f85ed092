//! QR codes and the public site: a 1280 px PNG with a centred logo, an SVG, the printable
//! table card, and `/s/{site}` pages per second from 16 clients for 5 s on this machine.
//! Run: `cargo bench -p server --bench qr`.
use app::api::{NewMerchant, NewSite};
use app::i18n::Lang;
use app::model::ThemeKind;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn timed(name: &str, runs: u32, mut f: impl FnMut()) {
    f();
    let mut all = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        f();
        all.push(t.elapsed());
    }
    all.sort();
    let p50 = all[all.len() / 2];
    let p99 = all[(all.len() * 99 / 100).min(all.len() - 1)];
    println!(
        "{name:<40} p50 {:>7.2} ms   p99 {:>7.2} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

async fn site_rate() {
    let store = Arc::new(server::storage::embedded::SledStore::temporary().unwrap());
    let (agency, admin) = server::accounts::create_agency(
        &*store,
        "Bench",
        "admin@bench.test",
        "correct horse battery",
    )
    .await
    .unwrap();
    let m = server::accounts::create_merchant(
        &*store,
        agency.id,
        NewMerchant {
            name: "Cafe".into(),
            login: "cafe@bench.test".into(),
            password: "correct horse battery".into(),
        },
        Lang::En,
    )
    .await
    .unwrap();
    let who = server::accounts::user_view(&*store, &admin).await.unwrap();
    let site = server::sites::create(
        &*store,
        &who,
        &m.merchant.id.to_string(),
        NewSite {
            name: "Bench Café".into(),
            template: ThemeKind::Shop,
            locale: Lang::En,
        },
    )
    .await
    .unwrap();
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let state = server::AppState::embedded(options, store, false)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::app(state);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/s/{}", site.id);
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    let until = Instant::now() + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < until {
                let r = client.get(&url).send().await.unwrap();
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
        "/s/{{site}} (the shop starter, H5)           {:>8.0} pages/s",
        total as f64 / 5.0
    );
}

fn main() {
    let link = "https://mp.example.com/s/01JD7Y3K9Q8ZB5W2N4M6P0R1TX";
    let logo = server::starter_art::picture("art/coffee-banner").expect("a starter picture");
    timed("QR PNG 1280 px with logo", 30, || {
        server::qr::png(link, 1280, Some(&logo)).unwrap();
    });
    timed("QR PNG 430 px", 100, || {
        server::qr::png(link, 430, None).unwrap();
    });
    timed("QR SVG 1280 px", 100, || {
        server::qr::svg(link, 1280, None).unwrap();
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(site_rate());
}
