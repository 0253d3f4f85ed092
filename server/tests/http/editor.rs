//! The editor over HTTP (load, save, preview, uploads, export), the dashboard's plain forms,
//! the built assets and body limits.
use super::*;

#[tokio::test]
async fn the_editor_loads_saves_previews_uploads_and_exports() {
    let w = world().await;
    let mut a = Browser::new(&w.app);
    a.login("cafe@a.test", PASSWORD).await;
    let site_id = create_site(&mut a, &w.merchant_a, "Bamboo Salon", "booking").await;
    let base = format!("/api/sites/{site_id}");

    // The draft starts as the template's starter, named after the site.
    let draft = a.get(&format!("{base}/draft")).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    let draft: app::api::rest::DraftView = serde_json::from_str(&draft.body).unwrap();
    assert_eq!(
        (draft.version, draft.site.name.as_str()),
        (1, "Bamboo Salon")
    );
    assert!(
        !draft.site.data.services.is_empty(),
        "booking starter content"
    );

    // Save on version 1 → 2; a second save still based on 1 is a conflict, and loses nothing.
    let mut site = draft.site.clone();
    site.data.services[0].price = 9900;
    let body = |v: u64, s: &app::model::site::Site| {
        serde_json::to_vec(&app::api::rest::SaveDraft {
            base_version: v,
            site: s.clone(),
        })
        .unwrap()
    };
    let saved = a
        .call("PUT", &format!("{base}/draft"), body(1, &site))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("\"version\":2"), "{}", saved.body);
    let mut other = draft.site.clone();
    other.name = "Someone else".into();
    let stale = a
        .call("PUT", &format!("{base}/draft"), body(1, &other))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("changed elsewhere"), "{}", stale.body);
    let now: app::api::rest::DraftView =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    assert_eq!((now.version, now.site.data.services[0].price), (2, 9900));
    assert_eq!(now.site.name, "Bamboo Salon");

    // Another tenant cannot see or touch it.
    let mut b = Browser::new(&w.app);
    b.login("salon@b.test", PASSWORD).await;
    assert_eq!(
        b.get(&format!("{base}/draft")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.call("PUT", &format!("{base}/draft"), body(2, &other))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get(&format!("{base}/export")).await.status,
        StatusCode::NOT_FOUND
    );

    // Preview: the phone screen with every block marked for selection.
    let pv = a
        .call(
            "POST",
            &format!("{base}/preview?page=0"),
            serde_json::to_vec(&site).unwrap(),
        )
        .await;
    assert_eq!(pv.status, StatusCode::OK, "{}", pv.body);
    let pv: app::api::rest::PreviewReply = serde_json::from_str(&pv.body).unwrap();
    assert_eq!(
        pv.screen.matches("data-mpf-block=").count(),
        site.pages[0].blocks.iter().filter(|b| !b.hidden).count()
    );
    assert!(
        pv.screen.contains("¥99.00") && pv.css.contains("--primary"),
        "{}",
        pv.screen
    );
    let none = a
        .call(
            "POST",
            &format!("{base}/preview?page=9"),
            serde_json::to_vec(&site).unwrap(),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Uploads: a non-image is refused with a reason; an image is stored and served.
    let bad = a
        .call("POST", &format!("{base}/media"), b"hello".to_vec())
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("\"This is not an image"),
        "a sentence of its own: {}",
        bad.body
    );
    let up = a
        .call("POST", &format!("{base}/media"), png(640, 480))
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    let up: app::api::rest::Uploaded = serde_json::from_str(&up.body).unwrap();
    let hash = up.reference.strip_prefix("media/").unwrap();
    assert_eq!(
        a.get(&format!("{base}/media/{hash}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        b.get(&format!("{base}/media/{hash}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Export: a zip of the saved draft, with the uploaded picture in it.
    if let app::model::site::BlockKind::Banner { slides } = &mut site.pages[0].blocks[0].kind {
        slides[0].image = up.reference.clone();
    }
    let saved = a
        .call("PUT", &format!("{base}/draft"), body(2, &site))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let req = Request::get(format!("{base}/export"))
        .header(header::COOKIE, a.cookie_header())
        .body(Body::empty())
        .unwrap();
    let res = w.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/zip");
    assert!(res.headers()["x-mpforge-packages"]
        .to_str()
        .unwrap()
        .starts_with("[[\"main\","));
    // The export is the site's first version, with the site as it was exported.
    assert_eq!(res.headers()["x-mpforge-version"], "1");
    let zip = res.into_body().collect().await.unwrap().to_bytes();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    assert!(archive.by_name("app.json").is_ok());
    // Its orders and bookings go to mpforge's own API for this site: nobody typed it.
    let mut data = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("data/site.js").unwrap(), &mut data)
        .unwrap();
    let id = base.rsplit('/').next().unwrap();
    assert!(
        data.contains(&format!("/mp/{id}\"")),
        "api_base names /mp/{id}: {}",
        &data[..data.len().min(300)]
    );
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("images/") && !n.starts_with("images/tab/")),
        "{names:?}"
    );

    // An invalid draft saves (nothing typed is lost) but does not export; the reply says where.
    site.data.services[0].name.clear();
    let saved = a
        .call("PUT", &format!("{base}/draft"), body(3, &site))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let refused = a.get(&format!("{base}/export")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("data.services[0].name"),
        "{}",
        refused.body
    );

    // A picture that is not among the uploads is named by its field, in the merchant's
    // language, without the hash (which means nothing to them).
    site.data.services[0].name = "Cut & style".into();
    if let app::model::site::BlockKind::Banner { slides } = &mut site.pages[0].blocks[0].kind {
        slides[0].image = format!("media/{}", "0".repeat(64));
    }
    let saved = a
        .call("PUT", &format!("{base}/draft"), body(4, &site))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let problem = |body: &str| {
        let r: app::api::rest::ExportRefused = serde_json::from_str(body).unwrap();
        assert_eq!(r.problems.len(), 1, "{body}");
        (r.problems[0].path.clone(), r.problems[0].message.clone())
    };
    let refused = a.get(&format!("{base}/export")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem(&refused.body),
        (
            "pages[0].blocks[0].slides[0].image".to_string(),
            "this picture is missing from the uploads: upload it again".to_string()
        )
    );
    let zh = a
        .post_csrf("/settings/lang", &[("lang", "zh-CN"), ("back", "/")])
        .await;
    assert!(zh.status.is_redirection(), "{}", zh.body);
    let refused = a.get(&format!("{base}/export")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (path, message) = problem(&refused.body);
    assert_eq!(path, "pages[0].blocks[0].slides[0].image");
    assert_eq!(message, "已上传的图片中找不到这张：请重新上传");
}

#[tokio::test]
async fn a_misspelt_block_kind_is_refused_with_its_path_and_nothing_is_saved() {
    let w = world().await;
    let mut a = Browser::new(&w.app);
    a.login("cafe@a.test", PASSWORD).await;
    let site_id = create_site(&mut a, &w.merchant_a, "Lotus", "shop").await;
    let base = format!("/api/sites/{site_id}");
    let draft: serde_json::Value =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    let mut site = draft["site"].clone();
    site["pages"][0]["blocks"][1]["kind"] = "bannr".into();
    let body = serde_json::to_vec(&serde_json::json!({"base_version": 1, "site": site})).unwrap();
    let refused = a.call("PUT", &format!("{base}/draft"), body).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let err: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(err["Invalid"]["field"], "pages[0].blocks[1].kind", "{err}");
    assert!(
        err["Invalid"]["message"]
            .as_str()
            .unwrap()
            .contains("\"bannr\" is not a block type"),
        "{err}"
    );
    // The preview refuses it the same way, and the stored draft is untouched.
    let preview = a
        .call(
            "POST",
            &format!("{base}/preview?page=0"),
            serde_json::to_vec(&site).unwrap(),
        )
        .await;
    assert_eq!(
        preview.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        preview.body
    );
    let now: serde_json::Value =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    assert_eq!(now, draft);
}

#[tokio::test]
async fn the_dashboard_forms_work_as_plain_html_posts() {
    let w = world().await;
    let mut agency = Browser::new(&w.app);
    agency.login("admin@a.test", PASSWORD).await;

    // Created: the dashboard shows the merchant and its one-time password.
    let r = agency
        .post_csrf(
            "/agency",
            &[
                ("name", "Opal Bakery"),
                ("login", "opal@a.test"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Merchant created."), "{}", r.body);
    assert!(r.body.contains("class=\"secret\""));
    // The merchants' table (the dashboard's sites table comes first).
    let merchants = r
        .body
        .split("aria-label=\"Merchants\"")
        .nth(1)
        .unwrap_or_default();
    let listed = merchants.split("<tbody>").nth(1).unwrap_or_default();
    assert!(
        listed.contains("Opal Bakery"),
        "listed in the table: {listed}"
    );

    // Refused: 409, said at the login field, what was typed kept, the password not.
    let r = agency
        .post_csrf(
            "/agency",
            &[
                ("name", "Copycat"),
                ("login", "opal@a.test"),
                ("password", "secret-pass-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("id=\"m-login-err\""), "{}", r.body);
    assert!(r.body.contains("value=\"Copycat\""));
    assert!(!r.body.contains("secret-pass-1"));

    // Without the anti-CSRF token nothing happens.
    let r = agency
        .post(
            "/agency",
            &[("name", "X"), ("login", "x@a.test"), ("password", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A merchant creates a site on its own page and lands in the editor.
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let own = format!("/merchants/{}", w.merchant_a);
    let r = cafe
        .post_csrf(&own, &[("name", "Alpha Shop"), ("template", "shop")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let editor = r.location.expect("sent to the editor");
    assert!(editor.starts_with("/sites/") && editor.ends_with("/edit"));
    assert_eq!(cafe.get(&editor).await.status, StatusCode::OK);

    // An unknown template is refused next to the form, the name kept.
    let r = cafe
        .post_csrf(&own, &[("name", "Alpha Two"), ("template", "spaceship")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Choose one of the templates."));
    assert!(r.body.contains("value=\"Alpha Two\""));

    // Another tenant's merchant: not found, nothing created there.
    let theirs = format!("/merchants/{}", w.merchant_b);
    let r = cafe
        .post_csrf(&theirs, &[("name", "Sneaky"), ("template", "shop")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut salon = Browser::new(&w.app);
    salon.login("salon@b.test", PASSWORD).await;
    assert!(!salon.get(&theirs).await.body.contains("Sneaky"));
    // And a merchant cannot create merchants (as for the page itself: 403).
    let r = cafe
        .post_csrf(
            "/agency",
            &[("name", "X"), ("login", "x@a.test"), ("password", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!agency.get("/agency").await.body.contains("x@a.test"));
}

#[tokio::test]
async fn screens_without_an_island_load_no_script_and_the_editor_does() {
    let w = world().await;
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let home = cafe.get(&format!("/merchants/{}", w.merchant_a)).await;
    assert!(
        !home.body.contains("<script type=\"module\""),
        "{}",
        home.body
    );
    assert!(!home.body.contains(".wasm"));
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let editor = cafe.get(&format!("/sites/{site}/edit")).await;
    assert!(
        editor.body.contains("<leptos-island"),
        "the editor is an island"
    );
    assert!(editor.body.contains(".wasm"));
}

#[tokio::test]
async fn built_assets_are_served_precompressed_and_cached_by_their_hashed_names() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("mpforge.abc123.wasm"), b"\0asm raw").unwrap();
    std::fs::write(pkg.join("mpforge.abc123.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("mpforge.abc123.wasm.gz"), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("mpforge.xyz.css"), b"body{}").unwrap();
    std::fs::write(
        site.path().join("hash.txt"),
        "js: abc123\nwasm: abc123\ncss: xyz\n",
    )
    .unwrap();
    let root = site.path().to_str().unwrap();
    let options = server::leptos_options(root, "127.0.0.1:0".parse().unwrap());
    let app = server::app(
        AppState::embedded(options, temporary(), false)
            .await
            .unwrap(),
    );
    let get = |encoding: &'static str| {
        let app = app.clone();
        async move {
            let req = Request::get("/pkg/mpforge.abc123.wasm")
                .header(header::ACCEPT_ENCODING, encoding)
                .body(Body::empty())
                .unwrap();
            let res = app.oneshot(req).await.unwrap();
            let h = |n| {
                res.headers()
                    .get(n)
                    .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
            };
            let (enc, cache) = (h(header::CONTENT_ENCODING), h(header::CACHE_CONTROL));
            assert_eq!(h(header::VARY).as_deref(), Some("accept-encoding"));
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (enc, cache, body)
        }
    };
    let (enc, cache, body) = get("gzip, deflate, br").await;
    assert_eq!(enc.as_deref(), Some("br"));
    assert_eq!(&body[..], b"brotli bytes");
    assert!(cache.unwrap().contains("immutable"));
    let (enc, _, body) = get("gzip").await;
    assert_eq!(enc.as_deref(), Some("gzip"));
    assert_eq!(&body[..], b"gzip bytes");
    let (enc, _, body) = get("identity").await;
    assert_eq!(enc, None);
    assert_eq!(&body[..], b"\0asm raw");

    // Pages link the stylesheet by its hashed name.
    let res = app
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let page = res.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&page).contains("/pkg/mpforge.xyz.css"));
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_they_are_read() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let w = world().await;
    let mut visitor = Browser::new(&w.app);
    visitor.get("/login").await;

    // A visitor declares 16 MiB: refused at once, nothing read.
    let polled = Arc::new(AtomicBool::new(false));
    let req = Request::post("/auth/login")
        .header(header::COOKIE, visitor.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, 16 * 1024 * 1024)
        .body(watched_body(polled.clone(), 256))
        .unwrap();
    let r = visitor.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(!polled.load(Ordering::SeqCst), "the body was read");

    // No anti-CSRF cookie (not from our pages): refused before reading, whatever its size.
    let polled = Arc::new(AtomicBool::new(false));
    let req = Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(watched_body(polled.clone(), 256))
        .unwrap();
    let r = Browser::new(&w.app).send(req).await;
    assert_eq!(r.location.as_deref(), Some("/login?error=csrf"));
    assert!(!polled.load(Ordering::SeqCst), "the body was read");

    // A visitor's form that keeps growing (no declared length) is cut off at 64 KB.
    let req = Request::post("/auth/login")
        .header(header::COOKIE, visitor.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(watched_body(Arc::new(AtomicBool::new(false)), 256))
        .unwrap();
    assert_eq!(
        visitor.send(req).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // The editor's draft save: over 4 MB is refused as JSON the editor shows, declared or not.
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let path = format!("/api/sites/{site}/draft");
    let big = vec![b' '; 5 * 1024 * 1024];
    let r = cafe.call("PUT", &path, big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.body.contains("too large to send (at most 4 MB)"),
        "{}",
        r.body
    );
    let req = Request::put(&path)
        .header(header::COOKIE, cafe.cookie_header())
        .header("x-csrf-token", cafe.csrf())
        .header(header::HOST, "localhost")
        .body(watched_body(Arc::new(AtomicBool::new(false)), 80))
        .unwrap();
    let r = cafe.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("at most 4 MB"), "{}", r.body);
    // Under the limit, a save still goes through its own checks (here: not JSON, 422).
    let r = cafe.call("PUT", &path, b"{".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
