//! What the server refuses or keeps private: invalid colours, cached private pages, another
//! tenant's pictures, photo metadata, malformed arguments, planted cookies; pictures on S3.
use super::*;

/// The attack: CSS in a theme colour, to load outside URLs in whoever previews the site.
#[tokio::test]
async fn a_colour_that_is_not_a_colour_is_refused_on_save_and_preview() {
    let w = world().await;
    let mut a = Browser::new(&w.app);
    a.login("cafe@a.test", PASSWORD).await;
    let site_id = create_site(&mut a, &w.merchant_a, "Lotus", "shop").await;
    let base = format!("/api/sites/{site_id}");
    let draft: serde_json::Value =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    for (field, path) in [
        ("theme.primary", ("theme", "primary")),
        ("tab_bar.background", ("tab_bar", "background")),
    ] {
        let mut site = draft["site"].clone();
        site[path.0][path.1] = "red;background:url(https://evil.example/x)".into();
        let body =
            serde_json::to_vec(&serde_json::json!({"base_version": 1, "site": site})).unwrap();
        let refused = a.call("PUT", &format!("{base}/draft"), body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        let err: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
        assert_eq!(err["Invalid"]["field"], field, "{err}");
        assert!(err["Invalid"]["message"]
            .as_str()
            .unwrap()
            .contains("is not a colour"));
        let preview = a
            .call(
                "POST",
                &format!("{base}/preview?page=0"),
                serde_json::to_vec(&site).unwrap(),
            )
            .await;
        assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let now: serde_json::Value =
        serde_json::from_str(&a.get(&format!("{base}/draft")).await.body).unwrap();
    assert_eq!(now, draft, "nothing stored");
}

#[tokio::test]
async fn private_responses_are_never_stored_and_every_page_has_a_policy() {
    let w = world().await;
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let head = |app: &Router, path: String, cookies: String| {
        let app = app.clone();
        async move {
            let req = Request::get(&path)
                .header(header::COOKIE, cookies)
                .body(Body::empty())
                .unwrap();
            let res = app.oneshot(req).await.unwrap();
            let h = res.headers().clone();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (h, String::from_utf8_lossy(&body).into_owned())
        }
    };
    for path in [
        format!("/merchants/{}", w.merchant_a),
        format!("/sites/{site}/edit"),
        format!("/api/sites/{site}/draft"),
        format!("/api/sites/{site}/export"),
    ] {
        let (h, _) = head(&w.app, path.clone(), cafe.cookie_header()).await;
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
        assert!(h.contains_key(header::CONTENT_SECURITY_POLICY), "{path}");
        assert!(
            !h.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "plain http"
        );
    }
    // The editor's inline loader carries the nonce its page's policy names; nothing else runs.
    let (h, body) = head(&w.app, format!("/sites/{site}/edit"), cafe.cookie_header()).await;
    let csp = h[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(body.contains(&format!("nonce=\"{nonce}\"")), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'") && csp.contains("object-src 'none'"));
    assert!(!csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'"));
    // The phone preview is sandboxed.
    assert!(body.contains("sandbox=\"allow-same-origin\""));
    // A visitor's login page may be cached; it has a policy all the same.
    let (h, _) = head(&w.app, "/login".into(), String::new()).await;
    assert_ne!(
        h.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    assert!(h.contains_key(header::CONTENT_SECURITY_POLICY));

    // Served over https: HSTS.
    let secure = server::app(state(temporary(), true).await);
    let (h, _) = head(&secure, "/login".into(), String::new()).await;
    assert_eq!(h[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000");
}

/// The attack: a merchant learns another agency's image hash (a shared link, a leaked export)
/// and asks for it through its own site, or puts it in its own draft to export it.
#[tokio::test]
async fn another_tenants_image_is_not_found_through_any_site() {
    let w = world().await;
    let mut owner = Browser::new(&w.app);
    owner.login("salon@b.test", PASSWORD).await;
    let theirs = create_site(&mut owner, &w.merchant_b, "Beta", "shop").await;
    let up = owner
        .call("POST", &format!("/api/sites/{theirs}/media"), png(320, 200))
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    let up: app::api::rest::Uploaded = serde_json::from_str(&up.body).unwrap();
    let hash = up.reference.strip_prefix("media/").unwrap().to_string();

    let mut thief = Browser::new(&w.app);
    thief.login("cafe@a.test", PASSWORD).await;
    let own = create_site(&mut thief, &w.merchant_a, "Alpha", "shop").await;
    let base = format!("/api/sites/{own}");
    assert_eq!(
        thief.get(&format!("{base}/media/{hash}")).await.status,
        StatusCode::NOT_FOUND
    );
    // In its draft, the picture is missing: the export refuses it, nothing of theirs leaks.
    let draft: app::api::rest::DraftView =
        serde_json::from_str(&thief.get(&format!("{base}/draft")).await.body).unwrap();
    let mut site = draft.site;
    if let app::model::site::BlockKind::Banner { slides } = &mut site.pages[0].blocks[0].kind {
        slides[0].image = up.reference.clone();
    }
    let save =
        serde_json::to_vec(&serde_json::json!({"base_version": draft.version, "site": site}))
            .unwrap();
    assert_eq!(
        thief
            .call("PUT", &format!("{base}/draft"), save)
            .await
            .status,
        StatusCode::OK
    );
    let refused = thief.get(&format!("{base}/export")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("missing from the uploads"),
        "{}",
        refused.body
    );

    // Uploading the same picture makes it the thief's own as well (it had the bytes anyway).
    let again = thief
        .call("POST", &format!("{base}/media"), png(320, 200))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        thief.get(&format!("{base}/media/{hash}")).await.status,
        StatusCode::OK
    );
}

/// A phone photo carries where it was taken; what is kept and served is only its pixels.
#[tokio::test]
async fn uploaded_photos_are_kept_without_their_metadata() {
    let w = world().await;
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([x as u8 * 4, y as u8 * 5, 90])
    }));
    let mut jpeg = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut jpeg),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    let exif = b"Exif\0\0MM\0*GPSLatitude 31.2304 N";
    let mut tagged = jpeg[..2].to_vec();
    tagged.extend_from_slice(&[0xFF, 0xE1]);
    tagged.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    tagged.extend_from_slice(exif);
    tagged.extend_from_slice(&jpeg[2..]);
    let up = cafe
        .call("POST", &format!("/api/sites/{site}/media"), tagged)
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    let up: app::api::rest::Uploaded = serde_json::from_str(&up.body).unwrap();
    assert_eq!((up.width, up.height), (64, 48));
    let hash = up.reference.strip_prefix("media/").unwrap();
    let req = Request::get(format!("/api/sites/{site}/media/{hash}"))
        .header(header::COOKIE, cafe.cookie_header())
        .body(Body::empty())
        .unwrap();
    let res = w.app.clone().oneshot(req).await.unwrap();
    let served = res.into_body().collect().await.unwrap().to_bytes();
    assert!(
        !served.windows(3).any(|x| x == b"GPS"),
        "metadata served back"
    );
    assert!(image::load_from_memory(&served).is_ok());
}

/// With pictures in an S3-protocol store (moto on loopback, started by `make unit`): an upload
/// lands in the bucket under its content address and is served back to its merchant only.
#[tokio::test]
async fn pictures_go_to_an_s3_bucket_and_come_back() {
    let Ok(endpoint) = std::env::var("MPFORGE_TEST_S3") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test against an S3 server: run the tests through .ci/with-services"
        );
        eprintln!("MPFORGE_TEST_S3 is not set: skipped");
        return;
    };
    let bucket = format!("http-{}", ulid::Ulid::new().to_string().to_lowercase());
    let create = std::process::Command::new("curl")
        .args(["-sf", "-X", "PUT", &format!("{endpoint}/{bucket}")])
        .status()
        .unwrap();
    assert!(create.success());
    let spec = format!("s3://{bucket}?endpoint={endpoint}&region=us-east-1");
    let blobs = server::storage::blobs::Blobs::open(&spec).unwrap();
    let w = world_with(Some(blobs)).await;
    let mut cafe = Browser::new(&w.app);
    cafe.login("cafe@a.test", PASSWORD).await;
    let site = create_site(&mut cafe, &w.merchant_a, "Alpha", "shop").await;
    let up = cafe
        .call("POST", &format!("/api/sites/{site}/media"), png(40, 30))
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    let up: app::api::rest::Uploaded = serde_json::from_str(&up.body).unwrap();
    let hash = up.reference.strip_prefix("media/").unwrap().to_string();
    // In the bucket, seen by another client of it.
    let other = server::storage::blobs::Blobs::open(&spec).unwrap();
    let kept = other.get(&format!("media/{hash}")).await.unwrap().unwrap();
    assert!(image::load_from_memory(&kept).is_ok());
    let served = cafe.get(&format!("/api/sites/{site}/media/{hash}")).await;
    assert_eq!(served.status, StatusCode::OK);
    // Another agency's merchant does not get it, whoever knows the hash.
    let mut salon = Browser::new(&w.app);
    salon.login("salon@b.test", PASSWORD).await;
    let theirs = create_site(&mut salon, &w.merchant_b, "Beta", "shop").await;
    let r = salon
        .get(&format!("/api/sites/{theirs}/media/{hash}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Arguments a server function cannot read are the caller's mistake: 400/422 naming what is
/// wrong, never a 500.
#[tokio::test]
async fn malformed_server_function_arguments_are_a_client_error() {
    let w = world().await;
    let mut agency = Browser::new(&w.app);
    agency.login("admin@a.test", PASSWORD).await;
    // Fields missing.
    let r = agency
        .post_csrf("/api/merchants/create", &[("name", "X")])
        .await;
    assert!(
        r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{} {}",
        r.status,
        r.body
    );
    assert!(r.body.contains("Invalid"), "{}", r.body);
    // No argument at all on a GET (as a script calls it, not a browser form).
    let r = agency.call("GET", "/api/merchants/home", Vec::new()).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    // A real failure of the function keeps its own status (another tenant's merchant: 404).
    let r = agency
        .call(
            "GET",
            &format!("/api/merchants/home?merchant_id={}", w.merchant_b),
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// The attack: someone who can set a cookie for our host (a sibling subdomain, a shared
/// network) plants a visitor id or copies the cookie value into the form, hoping the token is
/// a plain double submit. The token is an HMAC under the server's secret: it cannot be made
/// from a cookie, and a signed-in session's token is bound to that session.
#[tokio::test]
async fn a_planted_csrf_cookie_does_not_make_a_valid_token() {
    let w = world().await;
    let planted = "planted-planted-planted-planted-planted-planted";
    // Before signing in: cookie and form field both the planted value.
    let mut victim = Browser::new(&w.app);
    victim.cookies.push(("mpf_csrf".into(), planted.into()));
    let r = victim
        .post(
            "/auth/login",
            &[
                ("login", "admin@a.test"),
                ("password", PASSWORD),
                ("csrf_token", planted),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/login?error=csrf"));
    assert!(victim.cookie("mpf_session").is_none());

    // Signed in: the planted cookie and its value as the token, refused too.
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    b.cookies.retain(|(n, _)| n != "mpf_csrf");
    b.cookies.push(("mpf_csrf".into(), planted.into()));
    let r = b
        .post(
            "/api/merchants/create",
            &[
                ("name", "Planted"),
                ("login", "planted@a.test"),
                ("password", ""),
                ("csrf_token", planted),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // The session's own token still works whatever the visitor cookie says.
    let r = b
        .post_csrf(
            "/api/merchants/create",
            &[
                ("name", "Honest"),
                ("login", "honest@a.test"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Signing in rotates the token: a token learnt before (from the login page) is worthless
/// after, and a second session of the same user has a token of its own.
#[tokio::test]
async fn the_csrf_token_changes_at_login_and_differs_per_session() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.get("/login").await;
    let before = b.csrf();
    let visitor_before = b.cookie("mpf_csrf").unwrap();
    b.login("admin@a.test", PASSWORD).await;
    let after = b.csrf();
    assert_ne!(before, after);
    assert_ne!(
        b.cookie("mpf_csrf").unwrap(),
        visitor_before,
        "visitor id rotated"
    );
    let mut old = vec![
        ("name", "Stale"),
        ("login", "stale@a.test"),
        ("password", ""),
    ];
    old.push(("csrf_token", before.as_str()));
    let r = b.post("/api/merchants/create", &old).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut other = Browser::new(&w.app);
    other.login("admin@a.test", PASSWORD).await;
    assert_ne!(other.csrf(), after, "each session has its own token");
    // One session's token does not work with another session's cookie.
    let mut crossed = vec![
        ("name", "Crossed"),
        ("login", "crossed@a.test"),
        ("password", ""),
    ];
    crossed.push(("csrf_token", after.as_str()));
    let r = other.post("/api/merchants/create", &crossed).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Over https every cookie is `__Host-`: Secure, for the whole site, bound to this host.
#[tokio::test]
async fn cookies_over_https_are_host_bound() {
    let store = temporary();
    create_agency(&*store, "Agency H", "admin@h.test", PASSWORD)
        .await
        .unwrap();
    let app = server::app(state(store, true).await);
    let res = app
        .clone()
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let set: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        set.iter().any(|c| c.starts_with("__Host-mpf_csrf=")),
        "{set:?}"
    );
    let mut b = Browser::new(&app);
    b.login("admin@h.test", PASSWORD).await;
    assert!(b.cookie("__Host-mpf_session").is_some(), "{:?}", b.cookies);
    assert!(b.cookie("mpf_session").is_none());
    let r = b.get("/agency").await;
    assert_eq!(r.status, StatusCode::OK, "signed in under the __Host- name");
    for c in &set {
        let c = cookie::Cookie::parse(c.as_str()).unwrap();
        assert_eq!(c.secure(), Some(true), "{c}");
        assert_eq!(c.path(), Some("/"), "{c}");
        assert!(c.domain().is_none(), "{c}");
    }
}
