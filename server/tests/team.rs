//! Roles over HTTP: an agency admin invites staff and another admin, a merchant's owner
//! invites its staff; each joins by a one-time link; every permission is enforced on the
//! server (staff: no users or settings; merchant staff: no publishing); a removed member is
//! signed out and cannot sign in again.
#[path = "wechat/support.rs"]
mod support;

use std::collections::BTreeMap;
use support::*;

/// The one-time link in a page that just made it.
fn link_in(page: &str) -> String {
    let at = page.find("/invite/").expect("an invitation link");
    let end = at + page[at..].find('"').unwrap();
    page[at..end].to_string()
}

/// Someone with the link joins; they are signed in.
async fn join<'a>(env: &'a Env, link: &str, login: &str) -> Browser<'a> {
    let mut b = Browser {
        env,
        cookies: BTreeMap::new(),
        csrf: String::new(),
    };
    let (status, page) = b.get(link).await;
    assert_eq!(status, 200);
    assert!(page.contains("Agency A"), "{page}");
    let r = b
        .post(
            link,
            &[
                ("name", "New Person"),
                ("login", login),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    b.get("/account").await;
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn agency_staff_edit_and_publish_but_never_touch_users_or_settings() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    let (status, page) = admin.get("/agency/users").await;
    assert_eq!(status, 200, "{page}");
    let r = admin
        .post(
            "/agency/users",
            &[("action", "invite"), ("role", "agency_staff")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let link = link_in(&r.text().await.unwrap());
    let mut staff = join(&env, &link, "staff@a.test").await;
    // The link is used up.
    let mut late = Browser {
        env: &env,
        cookies: BTreeMap::new(),
        csrf: String::new(),
    };
    let (status, page) = late.get(&link).await;
    assert_eq!(status, 404);
    assert!(page.contains("already used or has expired"));
    let r = late
        .post(
            &link,
            &[
                ("name", "Late"),
                ("login", "late@a.test"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 404);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("already used or has expired"));
    assert!(
        server::accounts::find_login(&*env.state.store, "late@a.test")
            .await
            .unwrap()
            .is_none()
    );

    // Staff see the dashboard and every merchant's sites, and edit them.
    assert_eq!(staff.get("/agency").await.0, 200);
    assert_eq!(staff.get(&format!("/sites/{}/edit", env.site)).await.0, 200);
    assert_eq!(
        staff.get(&format!("/sites/{}/publish", env.site)).await.0,
        200
    );
    // No users, no settings, no tokens: refused on the server, whatever the page shows.
    for path in ["/agency/users", "/agency/wechat", "/agency/api"] {
        assert_eq!(staff.get(path).await.0, 403, "{path}");
    }
    for (path, form) in [
        (
            "/agency/users",
            vec![("action", "invite"), ("role", "agency_admin")],
        ),
        ("/agency/api", vec![("action", "create"), ("name", "mine")]),
        (
            "/agency/wechat",
            vec![("component_appid", "wx0000000000000000")],
        ),
        (
            "/agency",
            vec![("name", "Rogue"), ("login", "rogue@a.test")],
        ),
    ] {
        let r = staff.post(path, &form).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    // Publishing is theirs: the action runs (it says what is missing, not "not allowed").
    let r = staff
        .post(&format!("/sites/{}/publish/start", env.site), &[])
        .await;
    assert_eq!(r.status(), 303);

    // An admin invited as such can do what an admin does.
    let r = admin
        .post(
            "/agency/users",
            &[("action", "invite"), ("role", "agency_admin")],
        )
        .await;
    let link = link_in(&r.text().await.unwrap());
    let mut second = join(&env, &link, "second@a.test").await;
    assert_eq!(second.get("/agency/users").await.0, 200);

    // Removing the staff member ends its sessions and its sign-in.
    let staff_id = server::accounts::find_login(&*env.state.store, "staff@a.test")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    // Another agency's admin cannot.
    let mut other = Browser::signed_in(&env, "admin@b.test").await;
    other.get("/agency/users").await;
    let r = other
        .post(
            "/agency/users",
            &[("action", "remove"), ("user", &staff_id)],
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = second
        .post(
            "/agency/users",
            &[("action", "remove"), ("user", &staff_id)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, page) = admin.get("/agency/users").await;
    assert!(!page.contains("staff@a.test"));
    assert_eq!(staff.get("/agency").await.0, 303, "signed out");
    let mut again = Browser {
        env: &env,
        cookies: BTreeMap::new(),
        csrf: String::new(),
    };
    again.get("/login").await;
    let r = again
        .post(
            "/auth/login",
            &[("login", "staff@a.test"), ("password", PASSWORD)],
        )
        .await;
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=removed"),
        "{:?}",
        r.headers()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_merchants_staff_edit_its_sites_but_never_publish() {
    let env = env().await;
    let mut owner = Browser::signed_in(&env, "cafe@a.test").await;
    let merchant = server::accounts::find_login(&*env.state.store, "cafe@a.test")
        .await
        .unwrap()
        .unwrap()
        .role
        .merchant_id()
        .unwrap()
        .to_string();
    let (_, page) = owner.get(&format!("/merchants/{merchant}")).await;
    assert!(page.contains("Invite a staff member"));
    let r = owner
        .post(
            &format!("/merchants/{merchant}"),
            &[("action", "invite_staff")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let link = link_in(&r.text().await.unwrap());
    let mut staff = join(&env, &link, "barista@a.test").await;
    // Home is the merchant's page; the site's draft loads and saves.
    assert_eq!(staff.get(&format!("/merchants/{merchant}")).await.0, 200);
    let (status, body) = staff.get(&format!("/api/sites/{}/draft", env.site)).await;
    assert_eq!(status, 200);
    let draft: serde_json::Value = serde_json::from_str(&body).unwrap();
    let r = env
        .http
        .put(format!("{}/api/sites/{}/draft", env.base, env.site))
        .header("cookie", staff.cookie_header())
        .header("x-csrf-token", staff.csrf.clone())
        .header("origin", env.base.clone())
        .json(&serde_json::json!({"base_version": draft["version"], "site": draft["site"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // Publishing, connecting, releasing, rolling back: not theirs.
    let (_, page) = staff.get(&format!("/sites/{}/publish", env.site)).await;
    assert!(page.contains("Your merchant's owner or its agency publishes"));
    for action in ["start", "release", "rollback"] {
        let r = staff
            .post(&format!("/sites/{}/publish/{action}", env.site), &[])
            .await;
        assert_eq!(r.status(), 403, "{action}");
    }
    assert_eq!(
        staff
            .bytes(&format!("/sites/{}/wechat/connect", env.site))
            .await
            .0,
        403
    );
    // Nor the agency's screens, nor inviting.
    assert_eq!(staff.get("/agency").await.0, 403);
    let r = staff
        .post(
            &format!("/merchants/{merchant}"),
            &[("action", "invite_staff")],
        )
        .await;
    assert_eq!(r.status(), 403);
    // The owner removes them.
    let id = server::accounts::find_login(&*env.state.store, "barista@a.test")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let (_, page) = owner.get(&format!("/merchants/{merchant}")).await;
    assert!(page.contains("barista@a.test"));
    let r = owner
        .post(
            &format!("/merchants/{merchant}"),
            &[("action", "remove_staff"), ("user", &id)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(staff.get(&format!("/merchants/{merchant}")).await.0, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_activity_log_shows_who_did_what_to_whom_may_read_it() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    // The agency edits the merchant's site: noted once, however often it autosaves.
    for _ in 0..3 {
        let (_, body) = admin.get(&format!("/api/sites/{}/draft", env.site)).await;
        let draft: serde_json::Value = serde_json::from_str(&body).unwrap();
        let r = env
            .http
            .put(format!("{}/api/sites/{}/draft", env.base, env.site))
            .header("cookie", admin.cookie_header())
            .header("x-csrf-token", admin.csrf.clone())
            .header("origin", env.base.clone())
            .json(&serde_json::json!({"base_version": draft["version"], "site": draft["site"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let (status, page) = admin.get("/agency/audit").await;
    assert_eq!(status, 200);
    assert_eq!(
        page.matches("data-action=\"agency_edited_site\"").count(),
        1
    );
    assert!(page.contains("data-action=\"login\""));
    let (_, only) = admin.get("/agency/audit?action=login").await;
    assert!(!only.contains("data-action=\"agency_edited_site\""));
    assert!(only.contains("data-action=\"login\""));

    // The merchant's owner reads what concerns it, at its own page.
    let mut owner = Browser::signed_in(&env, "cafe@a.test").await;
    let merchant = server::accounts::find_login(&*env.state.store, "cafe@a.test")
        .await
        .unwrap()
        .unwrap()
        .role
        .merchant_id()
        .unwrap();
    let (status, page) = owner.get(&format!("/merchants/{merchant}/activity")).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-action=\"agency_edited_site\"") && page.contains("admin@a.test"));
    assert_eq!(owner.get("/agency/audit").await.0, 403);
    // Another agency sees nothing of it.
    let mut other = Browser::signed_in(&env, "admin@b.test").await;
    assert_eq!(
        other
            .get(&format!("/merchants/{merchant}/activity"))
            .await
            .0,
        404
    );
    let (_, theirs) = other.get("/agency/audit").await;
    assert!(!theirs.contains("data-action=\"agency_edited_site\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_agencys_white_label_shows_for_its_people_and_on_its_own_domain() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    assert_eq!(admin.get("/agency/brand").await.0, 200);
    let r = admin
        .post(
            "/agency/brand",
            &[
                ("name", "Lotus Partners"),
                ("color", "pink"),
                ("domain", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("is not a colour"));
    let r = admin
        .post(
            "/agency/brand",
            &[
                ("name", "Lotus Partners"),
                ("color", "#AA3366"),
                ("domain", "https://App.Lotus.test/"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    // Another agency cannot take the domain.
    let mut other = Browser::signed_in(&env, "admin@b.test").await;
    other.get("/agency/brand").await;
    let r = other
        .post(
            "/agency/brand",
            &[("name", "B"), ("color", ""), ("domain", "app.lotus.test")],
        )
        .await;
    assert_eq!(r.status(), 409);
    let (_, page) = other.get("/agency").await;
    assert!(!page.contains("Lotus Partners"));

    // The agency's merchant sees it; its colour is the page's.
    let mut owner = Browser::signed_in(&env, "cafe@a.test").await;
    let (_, page) = owner.get("/account").await;
    assert!(
        page.contains("Lotus Partners") && page.contains("--c-primary: #aa3366"),
        "{page}"
    );
    // The login page at the agency's domain is the agency's; at mpforge's own, mpforge's.
    let at = |host: &'static str| {
        env.http
            .get(format!("{}/login", env.base))
            .header("host", host)
            .send()
    };
    let theirs = at("app.lotus.test:443")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(theirs.contains("Log in to Lotus Partners"), "{theirs}");
    let ours = at("elsewhere.test").await.unwrap().text().await.unwrap();
    assert!(ours.contains("Log in to mpforge"));

    // A logo: checked, re-encoded, served by its content address, shown in the top bar.
    let mut png = Vec::new();
    image::RgbaImage::from_pixel(600, 300, image::Rgba([200, 30, 90, 255]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let send = |bytes: Vec<u8>| {
        env.http
            .post(format!("{}/agency/brand/logo", env.base))
            .header("cookie", admin.cookie_header())
            .header("x-csrf-token", admin.csrf.clone())
            .header("origin", env.base.clone())
            .body(bytes)
            .send()
    };
    let r = send(b"not a picture".to_vec()).await.unwrap();
    assert_eq!(r.status(), 422);
    let r = send(png).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    let url = v["logo"].as_str().unwrap().to_string();
    let logo = env
        .http
        .get(format!("{}{url}", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.headers()["content-type"], "image/png");
    let img = image::load_from_memory(&logo.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (256, 128));
    let (_, page) = owner.get("/account").await;
    assert!(page.contains(&url));
    // A merchant cannot change it.
    let r = owner
        .post(
            "/agency/brand",
            &[("name", "Mine"), ("color", ""), ("domain", "")],
        )
        .await;
    assert_eq!(r.status(), 403);
}
