//! Numbers, not a test: the mini-program API under 64 concurrent clients over HTTP on this
//! machine (server and clients share its cores): orders and bookings per second with p50/p99
//! latency, on sled and on PostgreSQL (`MPFORGE_TEST_PG`, which `make bench` starts), and the
//! availability endpoint for a salon with 10 staff and 20 services over 14 days.
use app::i18n::Lang;
use app::model::site::{DayHours, Hours, Service, Site, Staff};
use app::model::ThemeKind;
use serde_json::{json, Value};
use server::publish::versions::{self, Version};
use server::storage::embedded::SledStore;
use server::storage::SharedStore;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ulid::Ulid;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 64;
const ORDERS: usize = 20_000;
const BOOKINGS: usize = 8_000;
const PASSWORD: &str = "a-long-password-1";

/// CPU time this process (server, clients and store threads) has used so far: user and system
/// time from `/proc/self/stat`, in clock ticks of 10 ms. `None` off Linux.
fn cpu_used() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and
    // 13th after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let ticks: u64 = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A released site of `template` for a new merchant, changed by `edit`; its id.
async fn live_site(
    store: &SharedStore,
    agency: Ulid,
    login: &str,
    template: ThemeKind,
    edit: impl FnOnce(&mut Site),
) -> Ulid {
    let m = server::accounts::create_merchant(
        &**store,
        agency,
        app::api::NewMerchant {
            name: login.into(),
            login: login.into(),
            password: PASSWORD.into(),
        },
        Lang::En,
    )
    .await
    .unwrap();
    let merchant: Ulid = m.merchant.id.parse().unwrap();
    let record = server::storage::Site {
        id: Ulid::new(),
        merchant_id: merchant,
        name: login.into(),
        template,
        created_at: server::storage::now_rfc3339(),
        updated_at: server::storage::now_rfc3339(),
        archived: false,
        deleted_at: None,
    };
    let mut site: Site =
        serde_json::from_str(server::generator::theme::starter_json(template, Lang::En)).unwrap();
    edit(&mut site);
    let draft = server::storage::Draft {
        version: 1,
        site: site.clone(),
        updated_at: server::storage::now_rfc3339(),
    };
    store.create_site(&record, &draft).await.unwrap();
    let v = Version::new(
        app::model::publish::VersionKind::Commit,
        Some(site),
        None,
        "bench",
    );
    let n = versions::record(&**store, agency, record.id, v)
        .await
        .unwrap();
    server::publish::update(&**store, agency, record.id, |s| {
        s.live = Some(app::model::publish::Live {
            version: n,
            user_version: "1.0.0".into(),
            released_at: server::storage::now_rfc3339(),
            by: "bench".into(),
        });
        Ok(())
    })
    .await
    .unwrap();
    record.id
}

/// A salon open 09:00–21:00 every day, with 10 staff who all offer 20 services of 30 minutes.
fn salon(site: &mut Site) {
    let day = DayHours {
        closed: false,
        open: "09:00".into(),
        close: "21:00".into(),
    };
    site.data.hours = Some(Hours {
        weekly: vec![day; 7],
        exceptions: Vec::new(),
    });
    site.data.staff = (0..10)
        .map(|i| Staff {
            id: format!("s{i}"),
            name: format!("Stylist {i}"),
            title: String::new(),
            photo: None,
            hours: None,
        })
        .collect();
    site.data.services = (0..20)
        .map(|i| Service {
            id: format!("svc{i}"),
            name: format!("Service {i}"),
            description: String::new(),
            duration_min: 30,
            buffer_min: 0,
            price: 10_000,
            image: None,
            staff: Vec::new(),
        })
        .collect();
}

/// `total` requests from `CLIENTS` clients, request `i` made by `make(i)`: the wall time, each
/// latency and how many answered 2xx.
async fn load(
    client: &reqwest::Client,
    total: usize,
    make: impl Fn(usize) -> (bool, String, Value) + Send + Sync + 'static,
) -> Measured {
    let make = Arc::new(make);
    let cpu_before = cpu_used();
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, make, next, ok) = (client.clone(), make.clone(), next.clone(), ok.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return times;
                    }
                    let (post, url, body) = make(i);
                    let t = Instant::now();
                    let res = if post {
                        client.post(&url).json(&body).send().await
                    } else {
                        client.get(&url).send().await
                    };
                    if let Ok(r) = res {
                        if r.status().is_success() {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        let _ = r.bytes().await;
                    }
                    times.push(t.elapsed());
                }
            })
        })
        .collect();
    let mut times = Vec::with_capacity(total);
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    Measured {
        wall: started.elapsed(),
        times,
        ok: ok.load(Ordering::Relaxed),
        cpu: cpu_used()
            .zip(cpu_before)
            .map(|(after, before)| after - before),
    }
}

/// What [`load`] saw.
struct Measured {
    wall: Duration,
    /// Each request's latency.
    times: Vec<Duration>,
    /// How many answered 2xx.
    ok: usize,
    /// CPU time used meanwhile, by the server and the clients together.
    cpu: Option<Duration>,
}

fn report(what: &str, m: Measured) {
    let Measured {
        wall,
        mut times,
        ok,
        cpu,
    } = m;
    times.sort();
    // CPU per request varies far less from run to run than the rates on a shared machine.
    let cpu = cpu.map_or(String::new(), |c| {
        format!(
            "   cpu {:.3} ms/req",
            c.as_secs_f64() * 1000.0 / times.len() as f64
        )
    });
    println!(
        "{what:<44} {:>7.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms{cpu}   ({} requests, {ok} answered 2xx)",
        times.len() as f64 / wall.as_secs_f64(),
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        times.len(),
    );
}

/// `share`: the part of [`ORDERS`] and [`BOOKINGS`] sent (PostgreSQL is measured on fewer).
async fn measure(
    engine: &str,
    store: SharedStore,
    blobs: server::storage::blobs::Blobs,
    share: usize,
) {
    let admin = format!("admin-{engine}@bench.test");
    let (agency, _) = server::accounts::create_agency(&*store, "Bench", &admin, PASSWORD)
        .await
        .unwrap();
    let agency = agency.id;
    let shop = live_site(
        &store,
        agency,
        &format!("shop-{engine}@bench.test"),
        ThemeKind::Shop,
        |s| {
            for p in &mut s.data.products {
                if p.id == "croissant" {
                    p.stock = Some(10_000_000);
                }
            }
        },
    )
    .await;
    let salon_id = live_site(
        &store,
        agency,
        &format!("salon-{engine}@bench.test"),
        ThemeKind::Booking,
        salon,
    )
    .await;
    let options = server::leptos_options("target/site", "127.0.0.1:0".parse().unwrap());
    let state = server::AppState::new(options, store, blobs, false)
        .await
        .unwrap()
        .with_mp_rates(10_000_000, 10_000_000);
    let app = server::app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    // Warm up: the site decoded once, connections open.
    let warm = format!("{base}/mp/{shop}/config");
    load(&client, 500, move |_| (false, warm.clone(), Value::Null)).await;

    let url = format!("{base}/mp/{shop}/orders");
    let orders = load(&client, ORDERS / share, move |i| {
        // Every other order takes a stock-tracked croissant (one counter for all of them).
        let lines = if i % 2 == 0 {
            json!([{"product": "americano", "variant": "", "quantity": 1, "unit_price": 2000}])
        } else {
            json!([{"product": "croissant", "variant": "", "quantity": 1, "unit_price": 1600}])
        };
        let total = if i % 2 == 0 { 2000 } else { 1600 };
        let body = json!({"client_order_id": format!("bench-order-{i:08}"), "lines": lines,
            "total": total, "name": "Bench", "phone": "13800000000"});
        (true, url.clone(), body)
    })
    .await;
    report(&format!("orders on {engine}, {CLIENTS} clients"), orders);

    let (today, _) = server::mp::shop_now();
    let url = format!("{base}/mp/{salon_id}/bookings");
    let bookings = load(&client, BOOKINGS / share, move |i| {
        // Spread over 60 days and the day's 24 start times: each time about 6 of its 10 places.
        let day = today + time::Duration::days(1 + (i % 60) as i64);
        let slot = (i / 60) % 24;
        let date = format!(
            "{:04}-{:02}-{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        );
        let body = json!({"service": format!("svc{}", i % 20), "date": date,
            "time": format!("{:02}:{:02}", 9 + slot / 2, (slot % 2) * 30),
            "name": "Bench", "phone": "13800000000"});
        (true, url.clone(), body)
    })
    .await;
    report(
        &format!("bookings on {engine}, {CLIENTS} clients"),
        bookings,
    );

    let url = format!("{base}/mp/{salon_id}/availability");
    let requests = 20 * 14 * 10;
    let availability = load(&client, requests, move |i| {
        let day = today + time::Duration::days(1 + (i % 14) as i64);
        let date = format!(
            "{:04}-{:02}-{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        );
        (
            false,
            format!("{url}?service=svc{}&date={date}", (i / 14) % 20),
            Value::Null,
        )
    })
    .await;
    report(
        &format!("availability (10 staff, 20 services, 14 days) on {engine}"),
        availability,
    );
    server.abort();
}

async fn fresh_database(url: &str) -> String {
    let db = format!("bench_{}", Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&admin)
        .await
        .unwrap();
    let mut u = url::Url::parse(url).unwrap();
    u.set_path(&db);
    u.to_string()
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sled = Arc::new(SledStore::open(dir.path()).unwrap());
        let blobs = server::storage::blobs::Blobs::in_sled(&sled).unwrap();
        measure("sled", sled, blobs, 1).await;
        match std::env::var("MPFORGE_TEST_PG") {
            Ok(url) => {
                let db = fresh_database(&url).await;
                let pg: SharedStore = Arc::new(
                    server::storage::postgres::PgStore::connect(&db)
                        .await
                        .unwrap(),
                );
                let blob_dir = tempfile::tempdir().unwrap();
                let blobs = server::storage::blobs::Blobs::open(&format!(
                    "file://{}",
                    blob_dir.path().display()
                ))
                .unwrap();
                measure("postgres", pg, blobs, 10).await;
            }
            Err(_) => println!("MPFORGE_TEST_PG is not set: PostgreSQL not measured"),
        }
    });
}
