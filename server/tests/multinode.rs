//! Two `mpforge` processes on two loopback ports sharing one PostgreSQL database and one blob
//! folder, as two nodes behind a load balancer would: sessions, the login throttle, draft saves
//! and background jobs hold across them, and a node killed in the middle of a write leaves
//! nothing torn. Needs `MPFORGE_TEST_PG` (`make unit` starts a server); without it the test
//! says it was skipped. Bounded: every wait has a deadline, and the nodes are killed when the
//! test ends, whatever happens.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "a-long-password-1";

/// A running node; killed when dropped.
struct Node {
    child: Child,
    addr: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Cluster {
    store: String,
    blobs: String,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// Starts a node (job workers: `workers`) and waits until it answers.
    async fn start(&self, workers: usize) -> Node {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_mpforge"))
            .args([
                "--store",
                &self.store,
                "--blobs",
                &self.blobs,
                "--addr",
                &addr,
                "--no-demo",
                "--workers",
                &workers.to_string(),
                "--job-lease-secs",
                "3",
                // Five failed sign-ins per login, then a wait no machine outlasts between two
                // requests: the count is what is tested, not the clock.
                "--login-free-attempts",
                "5",
                "--login-delay-secs",
                "600",
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut node = Node { child, addr };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client()
                .get(format!("http://{}/healthz", node.addr))
                .send()
                .await
            {
                if r.status() == 200 {
                    return node;
                }
            }
            if let Ok(Some(status)) = node.child.try_wait() {
                panic!("node on {} exited: {status}", node.addr);
            }
            assert!(
                Instant::now() < deadline,
                "node on {} never answered",
                node.addr
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A browser of one person, which may talk to either node: its cookies and its anti-CSRF
/// token go with it.
#[derive(Clone, Default)]
struct Browser {
    cookies: Vec<(String, String)>,
    token: Option<String>,
}

struct Reply {
    status: u16,
    location: String,
    body: String,
}

impl Browser {
    async fn send(&mut self, req: reqwest::RequestBuilder) -> Reply {
        self.try_send(req).await.unwrap()
    }

    /// As [`Browser::send`], or the error of a request cut off (its node was killed).
    async fn try_send(&mut self, req: reqwest::RequestBuilder) -> reqwest::Result<Reply> {
        let cookie = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let res = req.header("cookie", cookie).send().await?;
        for v in res.headers().get_all("set-cookie") {
            let c = cookie::Cookie::parse(v.to_str().unwrap().to_string()).unwrap();
            self.cookies.retain(|(n, _)| n != c.name());
            if c.max_age() != Some(cookie::time::Duration::ZERO) {
                self.cookies.push((c.name().into(), c.value().into()));
            }
        }
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = res.text().await?;
        if let Some(at) = body.find("name=\"csrf_token\" value=\"") {
            let rest = &body[at + 25..];
            self.token = Some(rest[..rest.find('"').unwrap()].to_string());
        }
        Ok(Reply {
            status,
            location,
            body,
        })
    }

    async fn get(&mut self, addr: &str, path: &str) -> Reply {
        let req = client()
            .get(format!("http://{addr}{path}"))
            .header("accept", "text/html");
        self.send(req).await
    }

    async fn post(&mut self, addr: &str, path: &str, form: &[(&str, &str)]) -> Reply {
        let mut fields = form.to_vec();
        let token = self.token.clone().unwrap_or_default();
        fields.push(("csrf_token", &token));
        let req = client()
            .post(format!("http://{addr}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&fields).unwrap());
        self.send(req).await
    }

    async fn put_json(&mut self, addr: &str, path: &str, body: Vec<u8>) -> Reply {
        self.try_put_json(addr, path, body).await.unwrap()
    }

    async fn try_put_json(
        &mut self,
        addr: &str,
        path: &str,
        body: Vec<u8>,
    ) -> reqwest::Result<Reply> {
        let req = client()
            .put(format!("http://{addr}{path}"))
            .header("content-type", "application/json")
            .header("x-csrf-token", self.token.clone().unwrap_or_default())
            .body(body);
        self.try_send(req).await
    }

    async fn login(&mut self, addr: &str, login: &str, password: &str) -> Reply {
        self.get(addr, "/login").await;
        let r = self
            .post(
                addr,
                "/auth/login",
                &[("login", login), ("password", password)],
            )
            .await;
        if r.status == 303 && !r.location.starts_with("/login") {
            // The page it leads to brings the session's anti-CSRF token.
            self.get(addr, &r.location.clone()).await;
        }
        r
    }
}

/// A database of its own on the test server.
async fn fresh_database() -> Option<String> {
    let Ok(url) = std::env::var("MPFORGE_TEST_PG") else {
        // In CI the real engine always runs: a missing one is a broken run, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test against PostgreSQL: run the tests through .ci/with-services (make unit)"
        );
        eprintln!("MPFORGE_TEST_PG is not set: the multi-node test is skipped");
        return None;
    };
    let name = format!("mp_{}", ulid::Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("MPFORGE_TEST_PG={url} is not reachable: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let mut parsed = url::Url::parse(&url).unwrap();
    parsed.set_path(&name);
    Some(parsed.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_sessions_throttle_drafts_and_jobs() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(store_url) = fresh_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster {
        store: store_url.clone(),
        blobs: format!("file://{}", dir.path().join("blobs").display()),
        _dir: dir,
    };
    // The data, written through the contract as the first node would.
    let store: server::storage::SharedStore = std::sync::Arc::new(
        server::storage::postgres::PgStore::connect(&store_url)
            .await
            .unwrap(),
    );
    let (agency, _) =
        server::accounts::create_agency(&*store, "Agency", "admin@multi.test", PASSWORD)
            .await
            .unwrap();
    let mut merchants = Vec::new();
    for i in 0..4 {
        let m = server::accounts::create_merchant(
            &*store,
            agency.id,
            app::api::NewMerchant {
                name: format!("Cafe {i}"),
                login: format!("cafe{i}@multi.test"),
                password: PASSWORD.into(),
            },
            app::i18n::Lang::En,
        )
        .await
        .unwrap();
        merchants.push(m.merchant);
    }
    let admin = server::accounts::find_login(&*store, "admin@multi.test")
        .await
        .unwrap()
        .unwrap();
    let who = server::accounts::user_view(&*store, &admin).await.unwrap();
    let mut sites = Vec::new();
    for (i, m) in merchants.iter().enumerate() {
        for j in 0..50 {
            let s = server::sites::create(
                &*store,
                &who,
                &m.id,
                app::api::NewSite {
                    name: format!("Site {i}-{j}"),
                    template: app::model::ThemeKind::Info,
                    locale: app::i18n::Lang::En,
                },
            )
            .await
            .unwrap();
            sites.push(s);
        }
    }

    let a = cluster.start(2).await;
    let b = cluster.start(2).await;

    // 1. A session begun on A works on B; signing out on B ends it on A.
    let mut me = Browser::default();
    let r = me.login(&a.addr, "cafe0@multi.test", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let home = r.location.clone();
    assert!(home.starts_with("/merchants/"), "{home}");
    assert_eq!(
        me.get(&b.addr, &home).await.status,
        200,
        "the session reaches B"
    );
    // The cookie as it was, to replay after signing out.
    let mut replay = me.clone();
    let out = me.post(&b.addr, "/auth/logout", &[]).await;
    assert_eq!(out.status, 303);
    let r = replay.get(&a.addr, &home).await;
    assert!(
        r.status == 303 && r.location.starts_with("/login"),
        "signed out on B means signed out on A: {} {}",
        r.status,
        r.location
    );

    // 2. Failed sign-ins on A and on B count together: 3 + 2 use the five free ones, then
    // both refuse, even the right password.
    let mut guesser = Browser::default();
    for node in [&a, &a, &a, &b, &b] {
        let r = guesser
            .login(&node.addr, "cafe1@multi.test", "wrong-password-1")
            .await;
        assert!(r.location.contains("error=invalid"), "{}", r.location);
    }
    for node in [&a, &b] {
        let r = guesser
            .login(&node.addr, "cafe1@multi.test", PASSWORD)
            .await;
        assert!(r.location.contains("error=throttled"), "{}", r.location);
    }

    // 3. Twenty saves racing on one base version across both nodes: exactly one wins.
    let mut owner = Browser::default();
    owner.login(&a.addr, "cafe2@multi.test", PASSWORD).await;
    let site = sites
        .iter()
        .find(|s| s.merchant_id == merchants[2].id)
        .unwrap();
    let draft_path = format!("/api/sites/{}/draft", site.id);
    let base: app::api::rest::DraftView =
        serde_json::from_str(&owner.get(&a.addr, &draft_path).await.body).unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let mut site = base.site.clone();
            site.name = format!("Saver {i}");
            let body = serde_json::to_vec(&app::api::rest::SaveDraft {
                base_version: base.version,
                site,
            })
            .unwrap();
            let mut owner = owner.clone();
            let addr = if i % 2 == 0 {
                a.addr.clone()
            } else {
                b.addr.clone()
            };
            let path = draft_path.clone();
            tokio::spawn(async move { owner.put_json(&addr, &path, body).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        19,
        "{statuses:?}"
    );

    // 4. A node killed in the middle of a large save, twenty times: the draft always reads
    // back whole, at the old or the new version, with the site's name agreeing.
    let mut a = a;
    let mut editor = owner.clone();
    // A large save goes through when nothing interrupts it.
    let now: app::api::rest::DraftView =
        serde_json::from_str(&editor.get(&b.addr, &draft_path).await.body).unwrap();
    let mut big = now.site.clone();
    pad_to(&mut big, 500 * 1024);
    let body = serde_json::to_vec(&app::api::rest::SaveDraft {
        base_version: now.version,
        site: big,
    })
    .unwrap();
    assert!(body.len() > 500 * 1024);
    let took = Instant::now();
    let r = editor.put_json(&a.addr, &draft_path, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Kills land anywhere from before the request is read to after it is answered.
    let span = (took.elapsed().as_millis() as u64 * 3 / 2).max(30);
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let (mut kept, mut written) = (0, 0);
    for round in 0..20 {
        let now: app::api::rest::DraftView =
            serde_json::from_str(&editor.get(&b.addr, &draft_path).await.body).unwrap();
        let mut big = now.site.clone();
        big.name = format!("Round {round}");
        pad_to(&mut big, 500 * 1024);
        let body = serde_json::to_vec(&app::api::rest::SaveDraft {
            base_version: now.version,
            site: big,
        })
        .unwrap();
        let (mut writer, addr, path) = (editor.clone(), a.addr.clone(), draft_path.clone());
        let save = tokio::spawn(async move { writer.try_put_json(&addr, &path, body).await });
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        tokio::time::sleep(Duration::from_millis(rng % span)).await;
        a.child.kill().unwrap();
        a.child.wait().unwrap();
        // Answered before the kill, or cut off by it (a panic of the request task).
        let _ = save.await;
        let after: app::api::rest::DraftView =
            serde_json::from_str(&editor.get(&b.addr, &draft_path).await.body)
                .unwrap_or_else(|e| panic!("round {round}: the draft does not read: {e}"));
        assert!(
            after.version == now.version || after.version == now.version + 1,
            "round {round}: version {} after {}",
            after.version,
            now.version
        );
        let record = store.site(site.id.parse().unwrap()).await.unwrap().unwrap();
        if after.version == now.version + 1 {
            assert_eq!(after.site.name, format!("Round {round}"));
            written += 1;
        } else {
            kept += 1;
        }
        assert_eq!(record.name, after.site.name, "round {round}");
        a = cluster.start(2).await;
        editor
            .get(&a.addr, &format!("/merchants/{}", merchants[2].id))
            .await;
    }

    eprintln!(
        "killed mid-save 20 times (within {span} ms): {written} saves landed whole, {kept} left the draft as it was"
    );
    // Back to an ordinary draft for the packages below.
    let now: app::api::rest::DraftView =
        serde_json::from_str(&editor.get(&b.addr, &draft_path).await.body).unwrap();
    let body = serde_json::to_vec(&app::api::rest::SaveDraft {
        base_version: now.version,
        site: base.site.clone(),
    })
    .unwrap();
    assert_eq!(
        editor.put_json(&b.addr, &draft_path, body).await.status,
        200
    );

    // 5. Jobs: a rebuild of every site queued; once A holds some, A dies; B finishes them all,
    // each package at its content address.
    let queued = Command::new(env!("CARGO_BIN_EXE_mpforge"))
        .args([
            "--store",
            &cluster.store,
            "--blobs",
            &cluster.blobs,
            "regenerate",
            "--agency",
            "admin@multi.test",
        ])
        .output()
        .unwrap();
    assert!(
        queued.status.success(),
        "{}",
        String::from_utf8_lossy(&queued.stderr)
    );
    let pool = sqlx::PgPool::connect(&store_url).await.unwrap();
    let a_pid = a.child.id();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let held: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM jobs WHERE state = 'running' AND worker LIKE $1",
        )
        .bind(format!("%-{a_pid}-%"))
        .fetch_one(&pool)
        .await
        .unwrap();
        if held > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "A never claimed a job");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(a);
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let open: i64 =
            sqlx::query_scalar("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")
                .fetch_one(&pool)
                .await
                .unwrap();
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} jobs never finished");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let jobs = store.agency_jobs(agency.id, 1000).await.unwrap();
    assert_eq!(jobs.len(), sites.len());
    let blobs = server::storage::blobs::Blobs::open(&cluster.blobs).unwrap();
    let mut taken_over = 0;
    for job in &jobs {
        assert_eq!(
            job.state,
            server::storage::JobState::Done,
            "{:?}",
            job.last_error
        );
        taken_over += usize::from(job.attempts > 1);
        let key = job.result.as_ref().unwrap()["package"].as_str().unwrap();
        let zip = blobs.get(key).await.unwrap().expect("package kept");
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(&zip));
        assert!(key.ends_with(&format!("{sha}.zip")), "{key} holds {sha}");
    }
    assert!(taken_over > 0, "A's claimed jobs were finished by B");
    eprintln!(
        "{} packages built across the nodes; {taken_over} jobs A had claimed were finished by B",
        jobs.len()
    );
    drop(b);
}

/// Grows `site` to about `bytes` of JSON with copies of its first block on pages of their
/// own (within the limits of blocks per page and pages per site).
fn pad_to(site: &mut app::model::site::Site, bytes: usize) {
    let block = site.pages[0].blocks[0].clone();
    let size = |s: &app::model::site::Site| serde_json::to_vec(s).unwrap().len();
    let mut n = 0;
    while size(site) < bytes {
        assert!(site.pages.len() < 30, "the padding fits in 30 pages");
        let mut page = site.pages[0].clone();
        page.id = format!("padding{}", site.pages.len());
        page.blocks = (0..250)
            .map(|_| {
                n += 1;
                let mut b = block.clone();
                b.id = format!("pad{n}");
                b
            })
            .collect();
        site.pages.push(page);
    }
}
