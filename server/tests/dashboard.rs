//! The agency dashboard over HTTP: one row per site with where it stands, counts, search,
//! filters, pages; bulk actions from its form as durable jobs with a progress page, a report
//! and cancel; a theme change a merchant undoes; tenancy on every new route.
#[path = "wechat/support.rs"]
mod support;

use app::api::{NewMerchant, NewSite};
use app::i18n::Lang;
use app::model::ThemeKind;
use std::time::Duration;
use support::*;

async fn agency_of(env: &Env, login: &str) -> ulid::Ulid {
    server::accounts::find_login(&*env.state.store, login)
        .await
        .unwrap()
        .unwrap()
        .role
        .agency_id()
}

/// `n` more merchants of agency A with one site each; their site ids.
async fn more_sites(env: &Env, n: usize, template: ThemeKind) -> Vec<String> {
    let store = &*env.state.store;
    let agency = agency_of(env, "admin@a.test").await;
    let admin = server::accounts::find_login(store, "admin@a.test")
        .await
        .unwrap()
        .unwrap();
    let who = server::accounts::user_view(store, &admin).await.unwrap();
    let mut out = Vec::new();
    for i in 0..n {
        let m = server::accounts::create_merchant(
            store,
            agency,
            NewMerchant {
                name: format!("Bakery {i:03}"),
                login: format!("bakery{i:03}-{}@a.test", template.slug()),
                password: PASSWORD.into(),
            },
            Lang::En,
        )
        .await
        .unwrap();
        let s = server::sites::create(
            store,
            &who,
            &m.merchant.id.to_string(),
            NewSite {
                name: format!("Bakery {i:03} shop"),
                template,
                locale: Lang::En,
            },
        )
        .await
        .unwrap();
        out.push(s.id);
    }
    out
}

fn job_id(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dashboard_counts_filters_searches_and_pages_every_site() {
    let env = env().await;
    more_sites(&env, 60, ThemeKind::Booking).await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    let (status, page) = admin.get("/agency").await;
    assert_eq!(status, 200);
    let page = page.replace("<!>", "");
    // 61 sites: 50 on the first page, counted per state.
    assert!(page.contains("61 sites, page 1 of 2"), "{page}");
    assert_eq!(page.matches("name=\"site\"").count(), 50);
    assert!(
        page.contains(">Not connected <span class=\"count\">61</span>"),
        "{page}"
    );
    let (_, second) = admin.get("/agency?page=2").await;
    assert_eq!(second.matches("name=\"site\"").count(), 11);
    // Search by merchant name, and by login.
    let (_, found) = admin.get("/agency?q=bakery+007").await;
    assert!(
        found.contains("1 sites, page 1 of 1") && found.contains("Bakery 007 shop"),
        "{found}"
    );
    let (_, found) = admin.get("/agency?q=cafe%40a.test").await;
    assert!(
        found.contains("Lotus Café") && found.contains("1 sites"),
        "{found}"
    );
    // A state filter: nothing is live yet.
    let (_, live) = admin.get("/agency?state=live").await;
    assert!(live.contains("No site matches."));
    // Sorted by site name, descending order of last edit: both answer.
    assert_eq!(admin.get("/agency?sort=-updated").await.0, 200);

    // Connected and submitted: the row moves to "In review", the count follows.
    let mut b = Browser::signed_in(&env, "admin@a.test").await;
    let r = env
        .http
        .get(format!("{}/sites/{}/wechat/connect", env.base, env.site))
        .header("cookie", b.cookie_header())
        .send()
        .await
        .unwrap();
    let back = env
        .authorize(r.headers()["location"].to_str().unwrap())
        .await;
    b.get(&back[env.base.len()..]).await;
    b.post(&format!("/sites/{}/publish/start", env.site), &[])
        .await;
    b.until("the review", |v| {
        v.state
            .run
            .as_ref()
            .is_some_and(|r| r.review == app::model::publish::Review::InReview || r.error.is_some())
    })
    .await;
    let (_, page) = admin.get("/agency?state=in_review").await;
    assert!(
        page.contains("Lotus Café") && page.contains("1 sites, page 1 of 1"),
        "{page}"
    );
    assert!(page.contains(APP));
    // WeChat rejects it: the reason shows on the row.
    env.fake(
        "/fake/audit",
        serde_json::json!({"appid": APP, "result": "reject", "reason": "<b>类目不符</b>"}),
    )
    .await;
    for _ in 0..100 {
        let (_, page) = admin.get("/agency?state=rejected").await;
        if page.contains("类目不符") {
            assert!(!page.contains("<b>类目不符"), "the reason is plain text");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the rejection did not reach the dashboard");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_theme_change_on_selected_sites_is_a_job_and_one_merchant_undoes_it() {
    let env = env().await;
    let sites = more_sites(&env, 3, ThemeKind::Shop).await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    admin.get("/agency").await;
    // Nothing selected, or an invalid colour: said, nothing started.
    let r = admin
        .post(
            "/agency/bulk",
            &[("action", "theme"), ("primary", "#123456")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/agency?error="), "{to}");
    let (_, page) = admin.get(&to).await;
    assert!(page.contains("Select at least one site."), "{page}");
    let r = admin
        .post(
            "/agency/bulk",
            &[
                ("action", "theme"),
                ("primary", "blue"),
                ("site", &sites[0]),
            ],
        )
        .await;
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = admin.get(&to).await;
    assert!(page.contains("primary: "), "{page}");
    // Another agency's site in the form is not among the agency's rows: nothing starts.
    let mut other = Browser::signed_in(&env, "admin@b.test").await;
    other.get("/agency").await;
    let r = other
        .post(
            "/agency/bulk",
            &[
                ("action", "theme"),
                ("primary", "#123456"),
                ("site", &sites[0]),
            ],
        )
        .await;
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/agency?error="));

    let mut form: Vec<(&str, &str)> =
        vec![("action", "theme"), ("primary", "#123456"), ("radius", "4")];
    for s in &sites {
        form.push(("site", s));
    }
    let r = admin.post("/agency/bulk", &form).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/agency/jobs/"), "{to}");
    let job = job_id(&to);
    let (status, page) = admin.get(&to).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Theme change: 3 sites") && page.contains("job-progress.js"),
        "{page}"
    );
    let mut done = serde_json::Value::Null;
    for _ in 0..200 {
        let (status, body) = admin.get(&format!("/api/agency/jobs/{job}")).await;
        assert_eq!(status, 200);
        done = serde_json::from_str(&body).unwrap();
        if done["state"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        (done["done"].clone(), done["failed"].clone()),
        (3.into(), 0.into()),
        "{done}"
    );
    let store = &*env.state.store;
    for s in &sites {
        let d = store.draft(s.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(
            (d.site.theme.primary.as_str(), d.site.theme.radius),
            ("#123456", 4)
        );
    }
    // One merchant restores the draft kept before the change: its theme is back, the others
    // keep the change.
    let site0: ulid::Ulid = sites[0].parse().unwrap();
    let before = server::publish::versions::list(store, site0).await.unwrap();
    let kept = before
        .iter()
        .find(|v| v.kind == app::model::publish::VersionKind::BeforeChange)
        .expect("the draft before the change is a version");
    let original = kept.site.as_ref().unwrap().theme.primary.clone();
    assert_ne!(original, "#123456");
    let mut merchant = Browser::signed_in(&env, "bakery000-shop@a.test").await;
    merchant.get(&format!("/sites/{}/publish", sites[0])).await;
    let r = merchant
        .post(
            &format!("/sites/{}/versions/{}/restore", sites[0], kept.n),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let d = store.draft(site0).await.unwrap().unwrap();
    assert_eq!(d.site.theme.primary, original);
    let d1 = store
        .draft(sites[1].parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d1.site.theme.primary, "#123456");

    // The report; and the job is the agency's only.
    let (status, csv) = admin.get(&format!("/agency/jobs/{job}/report.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(
        csv.trim_start_matches('\u{feff}').lines().count(),
        4,
        "{csv}"
    );
    for path in [
        format!("/agency/jobs/{job}"),
        format!("/agency/jobs/{job}/report.csv"),
        format!("/api/agency/jobs/{job}"),
    ] {
        assert_eq!(other.get(&path).await.0, 404, "{path}");
    }
    let r = other.post(&format!("/agency/jobs/{job}/cancel"), &[]).await;
    assert_eq!(r.status(), 404);
    let mut merchant = Browser::signed_in(&env, "cafe@a.test").await;
    merchant.get("/account").await;
    assert_eq!(
        merchant.get(&format!("/api/agency/jobs/{job}")).await.0,
        403
    );
    let r = merchant
        .post(
            "/agency/bulk",
            &[("action", "regenerate"), ("site", &sites[1])],
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bulk_action_on_everything_a_filter_matches_can_be_cancelled() {
    let env = env_with(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    more_sites(&env, 12, ThemeKind::Info).await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    admin.get("/agency?q=bakery").await;
    let r = admin
        .post(
            "/agency/bulk",
            &[
                ("action", "regenerate"),
                ("all", "1"),
                ("q", "bakery"),
                ("state", ""),
                ("sort", ""),
            ],
        )
        .await;
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let job = job_id(&to);
    let (_, body) = admin.get(&format!("/api/agency/jobs/{job}")).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["total"], 12, "every bakery, not the café: {v}");
    assert_eq!(v["state"], "queued");
    // No worker has started it: cancelling cancels all of it.
    admin.get(&to).await;
    let r = admin.post(&format!("/agency/jobs/{job}/cancel"), &[]).await;
    assert_eq!(r.status(), 303);
    let (_, body) = admin.get(&format!("/api/agency/jobs/{job}")).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["state"].clone(), v["cancelled"].clone()),
        ("cancelled".into(), 12.into())
    );
    let (_, page) = admin.get(&to).await;
    assert!(!page.contains("Cancel what has not started"));
    let (_, dash) = admin.get("/agency").await;
    assert!(dash.contains("Recent bulk actions") && dash.contains(&job));
    // A worker had stopped with one item under way: once cancelled, the next look does not
    // start it again, and the job ends.
    let store = &*env.state.store;
    let items = store
        .docs(server::batches::BATCH_ITEM, &format!("{job}/"), 100)
        .await
        .unwrap();
    assert_eq!(items.len(), 12, "one document per item");
    let mut first = items[0].clone();
    first.body["state"] = "running".into();
    store
        .put_doc(&first, server::storage::Expect::Any)
        .await
        .unwrap();
    let id: ulid::Ulid = job.parse().unwrap();
    let outcome = server::batches::run_job(&env.state, id, 1).await;
    assert!(
        matches!(outcome, server::storage::JobOutcome::Done(_)),
        "{outcome:?}"
    );
    let (_, body) = admin.get(&format!("/api/agency/jobs/{job}")).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            v["state"].clone(),
            v["cancelled"].clone(),
            v["done"].clone()
        ),
        ("cancelled".into(), 12.into(), 0.into()),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_theme_change_with_a_logo_the_agency_has_not_set_says_so_in_both_languages() {
    let env = env_with(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let sites = more_sites(&env, 2, ThemeKind::Shop).await;
    let agency = agency_of(&env, "admin@a.test").await;
    let change = server::batches::ThemeChange {
        logo: true,
        ..Default::default()
    };
    let b = server::batches::start(
        &*env.state.store,
        agency,
        server::batches::Action::Theme(change),
        sites
            .iter()
            .map(|s| (s.parse().unwrap(), String::new()))
            .collect(),
        "admin@a.test",
    )
    .await
    .unwrap();
    let outcome = server::batches::run_job(&env.state, b.id, 1).await;
    assert!(
        matches!(outcome, server::storage::JobOutcome::Done(_)),
        "{outcome:?}"
    );
    let b = server::batches::load(&*env.state.store, b.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.state(), "done");
    for i in &b.items {
        assert_eq!(i.state, server::batches::ItemState::Failed);
        let e = i.error.as_ref().unwrap();
        assert!(e.en.contains("no logo yet"), "{}", e.en);
        assert!(e.zh.contains("尚未设置标志"), "{}", e.zh);
    }
    // The header's counts agree with the items (lists of jobs read only those).
    let (head, _) = server::batches::header(&*env.state.store, b.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((head.counts.failed, head.counts.done), (2, 0));
    assert!(head.finished_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn merchants_import_from_csv_after_a_check_that_creates_nothing() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    assert_eq!(admin.get("/agency/import").await.0, 200);
    let bad = "name,login,password,site,template,language\n\
               Pine Bakery,pine@a.test,,Pine shop,shop,en\n\
               Copy Café,cafe@a.test,,,,\n\
               Twin,pine@a.test,,,,\n\
               ,nameless@a.test,,,,\n\
               Oak Salon,oak@a.test,short,Oak,spa,fr\n";
    let r = admin
        .post("/agency/import", &[("mode", "import"), ("csv", bad)])
        .await;
    assert_eq!(r.status(), 422, "an import with problems is only a check");
    let page = r.text().await.unwrap().replace("<!>", "");
    assert!(page.contains("5 rows: 1 ready, 4 with problems."), "{page}");
    for said in [
        "The login cafe@a.test is already in use.",
        "The login pine@a.test is on another line of the file too.",
        "The template “spa” does not exist",
        "The language “fr” is not offered",
    ] {
        assert!(page.contains(said), "{said}");
    }
    assert!(
        !page.contains("Import these"),
        "no import button while a row is wrong"
    );
    let store = &*env.state.store;
    assert!(server::accounts::find_login(store, "pine@a.test")
        .await
        .unwrap()
        .is_none());
    // No header the import understands: said at once.
    let r = admin
        .post(
            "/agency/import",
            &[("mode", "check"), ("csv", "a,b\n1,2\n")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("at least “name” and “login”"));

    let good = "名称,登录名,密码,网站,模板,语言\n\
                Pine Bakery,pine@a.test,,Pine shop,shop,en\n\
                Oak Salon,oak@a.test,oak-salon-password-1,Oak,booking,zh\n\
                Elm Studio,elm@a.test,,,,\n";
    let r = admin
        .post("/agency/import", &[("mode", "check"), ("csv", good)])
        .await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap().replace("<!>", "");
    assert!(
        page.contains("3 rows: 3 ready, 0 with problems.")
            && page.contains("Import these 3 merchants")
    );
    let r = admin
        .post("/agency/import", &[("mode", "import"), ("csv", good)])
        .await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap().replace("<!>", "");
    assert!(page.contains("3 merchants imported."), "{page}");
    let at = page.find("/agency/import/").unwrap();
    let link = page[at..at + page[at..].find('"').unwrap()].to_string();
    let (status, csv) = admin.get(&link).await;
    assert_eq!(status, 200);
    assert_eq!(admin.get(&link).await.0, 404, "downloadable once");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "name,login,password,site_id");
    assert_eq!(lines.len(), 4);
    let pine: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("Pine"))
        .unwrap()
        .split(',')
        .collect();
    assert!(lines
        .iter()
        .any(|l| l.starts_with("Oak Salon,oak@a.test,(as given in the file)")));
    // The generated password signs Pine in, and its first site is there.
    let user = server::accounts::find_login(store, "pine@a.test")
        .await
        .unwrap()
        .unwrap();
    assert!(server::auth::verify_password(pine[2], &user.password_hash));
    let site: ulid::Ulid = pine[3].parse().unwrap();
    assert_eq!(store.site(site).await.unwrap().unwrap().name, "Pine shop");
    let oak = server::accounts::find_login(store, "oak@a.test")
        .await
        .unwrap()
        .unwrap();
    let oak_sites = store
        .merchant_sites(oak.role.merchant_id().unwrap())
        .await
        .unwrap();
    assert_eq!(oak_sites[0].template, ThemeKind::Booking);
    let elm = server::accounts::find_login(store, "elm@a.test")
        .await
        .unwrap()
        .unwrap();
    assert!(store
        .merchant_sites(elm.role.merchant_id().unwrap())
        .await
        .unwrap()
        .is_empty());
    // The dashboard lists the new sites; a merchant cannot import.
    let (_, dash) = admin.get("/agency?q=pine").await;
    assert!(dash.contains("Pine shop"));
    let mut merchant = Browser::signed_in(&env, "cafe@a.test").await;
    merchant.get("/account").await;
    let r = merchant
        .post("/agency/import", &[("mode", "import"), ("csv", good)])
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bulk_export_gives_one_zip_and_a_theme_change_can_put_the_agencys_logo_on_every_site() {
    let env = env().await;
    let sites = more_sites(&env, 2, ThemeKind::Info).await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    admin.get("/agency").await;
    let cookie = admin.cookie_header();
    let wait = |job: String| {
        let base = env.base.clone();
        let http = env.http.clone();
        let cookie = cookie.clone();
        async move {
            for _ in 0..300 {
                let v: serde_json::Value = http
                    .get(format!("{base}/api/agency/jobs/{job}"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if v["state"] == "done" {
                    return v;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("the job did not end");
        }
    };
    let r = admin
        .post(
            "/agency/bulk",
            &[
                ("action", "export"),
                ("site", &sites[0]),
                ("site", &sites[1]),
            ],
        )
        .await;
    let job = job_id(r.headers()["location"].to_str().unwrap());
    let v = wait(job.clone()).await;
    assert_eq!(
        (v["done"].clone(), v["has_packages"].clone()),
        (2.into(), true.into()),
        "{v}"
    );
    let (status, zip) = admin
        .bytes(&format!("/agency/jobs/{job}/packages.zip"))
        .await;
    assert_eq!(status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    assert_eq!(archive.len(), 2);
    let name = archive.by_index(0).unwrap().name().to_string();
    assert!(
        name.starts_with("Bakery 00") && name.ends_with(".zip"),
        "{name}"
    );
    let store = &*env.state.store;
    let versions = server::publish::versions::list(store, sites[0].parse().unwrap())
        .await
        .unwrap();
    assert_eq!(versions[0].kind, app::model::publish::VersionKind::Export);
    let (_, page) = admin.get(&format!("/agency/jobs/{job}")).await;
    assert!(page.contains("Download the packages (zip)"));

    // The agency's logo on every site: refused before there is one, then kept as each
    // merchant's picture.
    let r = admin
        .post(
            "/agency/bulk",
            &[("action", "theme"), ("logo", "1"), ("site", &sites[0])],
        )
        .await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error="));
    let mut png = Vec::new();
    image::RgbaImage::from_pixel(200, 200, image::Rgba([10, 120, 90, 255]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let r = env
        .http
        .post(format!("{}/agency/brand/logo", env.base))
        .header("cookie", admin.cookie_header())
        .header("x-csrf-token", admin.csrf.clone())
        .header("origin", env.base.clone())
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = admin
        .post(
            "/agency/bulk",
            &[
                ("action", "theme"),
                ("logo", "1"),
                ("site", &sites[0]),
                ("site", &sites[1]),
            ],
        )
        .await;
    let job = job_id(r.headers()["location"].to_str().unwrap());
    let v = wait(job).await;
    assert_eq!(v["done"], 2, "{v}");
    for s in &sites {
        let id: ulid::Ulid = s.parse().unwrap();
        let logo = store.draft(id).await.unwrap().unwrap().site.logo.unwrap();
        let hash = logo.strip_prefix("media/").unwrap();
        let merchant = store.site(id).await.unwrap().unwrap().merchant_id;
        assert!(store.owns_media(merchant, hash).await.unwrap());
    }
}
