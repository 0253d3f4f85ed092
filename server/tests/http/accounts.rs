//! Accounts and sites over time: passwords, signing out everywhere, quotas, site and merchant
//! management.
use super::*;

/// Every user can change their own password: the current one is required, the new one must
/// not be a common password, and the change signs out every other device.
#[tokio::test]
async fn a_user_changes_their_password_and_other_devices_are_signed_out() {
    let w = world().await;
    let mut laptop = Browser::new(&w.app);
    laptop.login("cafe@a.test", PASSWORD).await;
    let mut phone = Browser::new(&w.app);
    phone.login("cafe@a.test", PASSWORD).await;
    let page = laptop.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("cafe@a.test"), "{}", page.body);

    let change = |current: &'static str, new: &'static str, repeat: &'static str| {
        [
            ("current_password", current),
            ("new_password", new),
            ("repeat_password", repeat),
        ]
    };
    let refusals = [
        (
            change(
                "wrong-password-9",
                "a-much-better-secret-7",
                "a-much-better-secret-7",
            ),
            "current-password-err",
            "not your current password",
        ),
        (
            change(PASSWORD, "password123456", "password123456"),
            "new-password-err",
            "too easy to guess",
        ),
        (
            change(PASSWORD, "cafe@a.test1", "cafe@a.test1"),
            "new-password-err",
            "too easy to guess",
        ),
        (
            change(PASSWORD, "short", "short"),
            "new-password-err",
            "at least 10 characters",
        ),
        (
            change(PASSWORD, "a-much-better-secret-7", "a-much-better-secret-8"),
            "repeat-password-err",
            "not the same",
        ),
    ];
    for (form, at, says) in refusals {
        let r = laptop.post_csrf("/account", &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(
            r.body.contains(&format!("id=\"{at}\"")),
            "{form:?} refused at {at}"
        );
        assert!(r.body.contains(says), "{form:?}: {says}");
        assert!(
            !r.body.contains("a-much-better-secret"),
            "passwords are never echoed"
        );
    }
    // Nothing changed so far: the phone is still signed in with the old password.
    assert_eq!(phone.get("/account").await.status, StatusCode::OK);

    let ok = change(PASSWORD, "a-much-better-secret-7", "a-much-better-secret-7");
    let r = laptop.post_csrf("/account", &ok).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Password changed"), "{}", r.body);
    assert_eq!(
        laptop.get("/account").await.status,
        StatusCode::OK,
        "still signed in here"
    );
    let r = phone.get("/account").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login"),
        "the other device is signed out"
    );

    let mut b = Browser::new(&w.app);
    let r = b.login("cafe@a.test", PASSWORD).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?error=invalid&login=cafe%40a.test")
    );
    let r = b.login("cafe@a.test", "a-much-better-secret-7").await;
    assert!(!r.location.unwrap().starts_with("/login"));
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_user_only() {
    let w = world().await;
    let mut a = Browser::new(&w.app);
    a.login("admin@a.test", PASSWORD).await;
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    let mut other = Browser::new(&w.app);
    other.login("cafe@a.test", PASSWORD).await;
    let r = a.post_csrf("/account/sessions", &[]).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?notice=signed_out_everywhere")
    );
    for browser in [&mut a, &mut b] {
        assert_eq!(
            browser.get("/agency").await.location.as_deref(),
            Some("/login")
        );
    }
    assert_eq!(other.get("/account").await.status, StatusCode::OK);
    let notice = a.get("/login?notice=signed_out_everywhere").await;
    assert!(notice.body.contains("signed out on every device"));
    // Not signed in: the account page is the login page.
    assert_eq!(
        Browser::new(&w.app)
            .get("/account")
            .await
            .location
            .as_deref(),
        Some("/login")
    );
}

#[tokio::test]
async fn a_new_merchant_cannot_get_a_common_password() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("admin@a.test", PASSWORD).await;
    let r = b
        .post_csrf(
            "/agency",
            &[
                ("name", "Weak Cafe"),
                ("login", "weak@a.test"),
                ("password", "1qaz2wsx3edc"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"m-password-err\""), "{}", r.body);
    assert!(r.body.contains("Weak Cafe"), "what was typed stays");
}

/// The attack: one merchant's script uploads picture after picture to fill the disk.
#[tokio::test]
async fn a_merchants_uploads_are_rate_limited_and_kept_within_a_quota() {
    let store = temporary();
    let (agency, _) = create_agency(&*store, "Agency Q", "admin@q.test", PASSWORD)
        .await
        .unwrap();
    let nm = |name: &str, login: &str| NewMerchant {
        name: name.into(),
        login: login.into(),
        password: PASSWORD.into(),
    };
    let m = create_merchant(
        &*store,
        agency.id,
        nm("Quota Cafe", "quota@q.test"),
        Lang::En,
    )
    .await
    .unwrap();
    let merchant = ulid::Ulid::from_string(&m.merchant.id).unwrap();
    let mut st = state(store.clone(), false).await;
    st.media_quota = 1500;
    let app = server::app(st);
    let mut b = Browser::new(&app);
    b.login("quota@q.test", PASSWORD).await;
    let site = create_site(&mut b, &m.merchant.id, "Quota", "shop").await;
    let upload = format!("/api/sites/{site}/media");

    // Distinct pictures until the quota refuses one, in words, naming the sizes.
    let mut kept = Vec::new();
    let refused = loop {
        let r = b.call("POST", &upload, png(8 + kept.len() as u32, 8)).await;
        if r.status != StatusCode::OK {
            break r;
        }
        let up: app::api::rest::Uploaded = serde_json::from_str(&r.body).unwrap();
        kept.push(up.reference);
        assert!(kept.len() < 40, "the quota never refused");
    };
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused.body.contains("Your pictures already take"),
        "{}",
        refused.body
    );
    let used: u64 = store
        .merchant_media(merchant)
        .await
        .unwrap()
        .iter()
        .map(|x| x.bytes)
        .sum();
    assert!(used <= 1500, "{used} bytes kept");
    assert_eq!(
        store.merchant_media(merchant).await.unwrap().len(),
        kept.len()
    );
    // The same picture again takes no room.
    let again = b.call("POST", &upload, png(8, 8)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);

    // The first picture goes into the draft; then every picture is a day old.
    let draft: app::api::rest::DraftView =
        serde_json::from_str(&b.get(&format!("/api/sites/{site}/draft")).await.body).unwrap();
    let mut s = draft.site;
    let app::model::site::BlockKind::Banner { slides } = &mut s.pages[0].blocks[0].kind else {
        panic!("the shop starter opens with a banner");
    };
    slides[0].image = kept[0].clone();
    let body = serde_json::to_vec(&app::api::rest::SaveDraft {
        base_version: draft.version,
        site: s,
    })
    .unwrap();
    let saved = b
        .call("PUT", &format!("/api/sites/{site}/draft"), body)
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    for owned in store.merchant_media(merchant).await.unwrap() {
        let two_days_ago = server::storage::now_unix() - 2 * 24 * 3600;
        store
            .add_media(merchant, &owned.hash, owned.bytes, two_days_ago)
            .await
            .unwrap();
    }
    // Now the upload fits: unused pictures made room, the one in the draft stayed.
    let r = b.call("POST", &upload, png(200, 8)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let first = kept[0].strip_prefix("media/").unwrap();
    assert_eq!(
        b.get(&format!("{upload}/{first}")).await.status,
        StatusCode::OK,
        "the picture in the draft is kept"
    );
    let last = kept.last().unwrap().strip_prefix("media/").unwrap();
    assert_eq!(
        b.get(&format!("{upload}/{last}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Past 60 uploads in ten minutes: refused before any work, saying how long to wait.
    let mut statuses = Vec::new();
    for _ in 0..70 {
        statuses.push(b.call("POST", &upload, png(8, 8)).await.status);
    }
    let limited = statuses
        .iter()
        .position(|s| *s == StatusCode::TOO_MANY_REQUESTS);
    // Sent so far: the kept ones, the one refused by the quota, the repeat, the one after.
    let sent_before = kept.len() + 3;
    assert_eq!(limited, Some(60 - sent_before), "{statuses:?}");
    let r = b.call("POST", &upload, png(8, 8)).await;
    assert!(
        r.body.contains("many pictures in a short time"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_merchant_has_at_most_fifty_sites() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("cafe@a.test", PASSWORD).await;
    for i in 0..server::sites::MAX_SITES_PER_MERCHANT {
        create_site(&mut b, &w.merchant_a, &format!("Site {i}"), "info").await;
    }
    let page = format!("/merchants/{}", w.merchant_a);
    let r = b
        .post_csrf(&page, &[("name", "One too many"), ("template", "shop")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("already has 50 mini programs"),
        "{}",
        r.body
    );
    let list = b.get(&page).await;
    assert!(list.body.contains("Site 49"), "the page lists the sites");
    assert!(!list.body.contains("One too many"));
}

#[tokio::test]
async fn the_root_redirects_home_and_a_forbidden_page_says_so() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    let r = b.get("/").await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    b.login("cafe@a.test", PASSWORD).await;
    let r = b.get("/").await;
    let home = format!("/merchants/{}", w.merchant_a);
    assert_eq!(r.location.as_deref(), Some(home.as_str()));
    let r = b.get("/agency").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("<title>Not allowed"), "{}", r.body);
}

/// An English-speaking merchant opens a mini program for Chinese customers: the language its
/// customers see is asked at creation, not taken from the merchant's screen language.
#[tokio::test]
async fn a_new_site_speaks_the_language_chosen_for_its_customers() {
    let w = world().await;
    let mut b = Browser::new(&w.app);
    b.login("cafe@a.test", PASSWORD).await;
    let page = format!("/merchants/{}", w.merchant_a);
    let form = b.get(&page).await;
    assert!(
        form.body.contains("Language your customers see"),
        "{}",
        form.body
    );
    let r = b
        .post_csrf(
            &page,
            &[
                ("name", "茶馆"),
                ("template", "booking"),
                ("locale", "zh-CN"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let site = r.location.unwrap().split('/').nth(2).unwrap().to_string();
    let draft: app::api::rest::DraftView =
        serde_json::from_str(&b.get(&format!("/api/sites/{site}/draft")).await.body).unwrap();
    assert_eq!(draft.site.locale, Lang::Zh);
    assert!(
        draft.site.pages[0]
            .title
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "the starter's own content is Chinese too: {}",
        draft.site.pages[0].title
    );
    let r = b
        .post_csrf(
            &page,
            &[
                ("name", "Odd"),
                ("template", "booking"),
                ("locale", "klingon"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_merchant_renames_duplicates_archives_deletes_and_restores_its_sites() {
    let store = temporary();
    let (agency, _) = create_agency(&*store, "Agency S", "admin@s.test", PASSWORD)
        .await
        .unwrap();
    let nm = |name: &str, login: &str| NewMerchant {
        name: name.into(),
        login: login.into(),
        password: PASSWORD.into(),
    };
    let m = create_merchant(
        &*store,
        agency.id,
        nm("Site Cafe", "sites@s.test"),
        Lang::En,
    )
    .await
    .unwrap();
    create_merchant(&*store, agency.id, nm("Other", "other@s.test"), Lang::En)
        .await
        .unwrap();
    let app = server::app(state(store.clone(), false).await);
    let mut b = Browser::new(&app);
    b.login("sites@s.test", PASSWORD).await;
    let page = format!("/merchants/{}", m.merchant.id);
    let site = create_site(&mut b, &m.merchant.id, "Corner Cafe", "shop").await;
    b.get(&page).await;
    let act = |action: &'static str, site: &str, name: &'static str| {
        [("action", action), ("site", site), ("name", name)].map(|(k, v)| (k, v.to_string()))
    };
    async fn post(b: &mut Browser<'_>, page: &str, form: [(&'static str, String); 3]) -> Reply {
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post_csrf(page, &fields).await
    }
    let draft_of = |id: &str| {
        let key = ulid::Ulid::from_string(id).unwrap();
        let store = store.clone();
        async move { store.draft(key).await.unwrap().unwrap() }
    };

    // Rename: the list and the mini program's own name, as a new draft version.
    let before = draft_of(&site).await.version;
    let r = post(&mut b, &page, act("rename", &site, "Corner Café")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shown = b.get(r.location.as_deref().unwrap()).await;
    assert!(
        shown.body.contains("Renamed to “Corner Café”."),
        "{}",
        shown.body
    );
    assert_eq!(draft_of(&site).await.site.name, "Corner Café");
    assert_eq!(draft_of(&site).await.version, before + 1);
    let r = post(&mut b, &page, act("rename", &site, "")).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty name is refused"
    );

    // Duplicate: a copy with the same content.
    let r = post(&mut b, &page, act("duplicate", &site, "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let listed = b.get(&page).await.body;
    assert!(listed.contains("Corner Café (copy)"), "{listed}");

    // Archive, then take it out.
    post(&mut b, &page, act("archive", &site, "")).await;
    let listed = b.get(&page).await.body;
    let archived_at = listed
        .find("id=\"archived-title\"")
        .expect("an archive section");
    assert!(listed[archived_at..].contains(">Corner Café<"), "{listed}");
    post(&mut b, &page, act("unarchive", &site, "")).await;
    assert!(!b.get(&page).await.body.contains("id=\"archived-title\""));

    // Delete: gone from the editor and the API, restorable from the list.
    let r = post(&mut b, &page, act("delete", &site, "")).await;
    let shown = b.get(r.location.as_deref().unwrap()).await.body;
    assert!(
        shown.contains("was deleted. You can restore it below for 30 days"),
        "{shown}"
    );
    assert!(shown.contains("Can be restored until"), "{shown}");
    assert_eq!(
        b.get(&format!("/sites/{site}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get(&format!("/api/sites/{site}/draft")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = post(&mut b, &page, act("restore", &site, "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get(&format!("/api/sites/{site}/draft")).await.status,
        StatusCode::OK
    );

    // Another merchant can do none of this.
    let mut other = Browser::new(&app);
    other.login("other@s.test", PASSWORD).await;
    let r = post(&mut other, &page, act("delete", &site, "")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.get(&format!("/api/sites/{site}/draft")).await.status,
        StatusCode::OK
    );

    // Deleted over 30 days ago: not restorable, and removed for good when the list is shown.
    post(&mut b, &page, act("delete", &site, "")).await;
    let key = ulid::Ulid::from_string(&site).unwrap();
    let mut record = store.site(key).await.unwrap().unwrap();
    record.deleted_at = Some(server::storage::now_unix() - 31 * 24 * 3600);
    store.put_site(&record).await.unwrap();
    let r = post(&mut b, &page, act("restore", &site, "")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let listed = b.get(&page).await.body;
    assert!(!listed.contains("Recently deleted"), "{listed}");
    assert!(store.site(key).await.unwrap().is_none());
    assert!(store.draft(key).await.unwrap().is_none());
}

#[tokio::test]
async fn an_agency_gives_a_merchant_who_lost_its_password_a_new_one() {
    let w = world().await;
    let mut merchant = Browser::new(&w.app);
    merchant.login("cafe@a.test", PASSWORD).await;
    let page = format!("/merchants/{}", w.merchant_a);
    // A merchant cannot do it for itself (nor for anyone).
    let r = merchant
        .post_csrf(&page, &[("action", "reset_password")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut admin = Browser::new(&w.app);
    admin.login("admin@a.test", PASSWORD).await;
    let shown = admin.get(&page).await.body;
    assert!(
        shown.contains("<h1>Cafe Alpha") && shown.contains("cafe@a.test"),
        "{shown}"
    );
    let r = admin
        .post_csrf(&page, &[("action", "reset_password")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("cafe@a.test has a new password"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("http://localhost/login"),
        "where to sign in: {}",
        r.body
    );
    let at = r.body.find("id=\"new-merchant-password\"").unwrap();
    let value = r.body[at..].split("value=\"").nth(1).unwrap();
    let password = value[..value.find('"').unwrap()].to_string();
    assert_eq!(password.len(), 19, "{password}");
    // Shown once: not on the next visit.
    assert!(!admin.get(&page).await.body.contains(&password));
    // The merchant's session ended; the old password no longer works, the new one does.
    assert_eq!(
        merchant.get(&page).await.location.as_deref(),
        Some("/login")
    );
    let mut b = Browser::new(&w.app);
    assert!(b
        .login("cafe@a.test", PASSWORD)
        .await
        .location
        .unwrap()
        .starts_with("/login"));
    let mut b = Browser::new(&w.app);
    assert!(!b
        .login("cafe@a.test", &password)
        .await
        .location
        .unwrap()
        .starts_with("/login"));
    // Another agency's merchant: not found.
    let foreign = format!("/merchants/{}", w.merchant_b);
    let r = admin
        .post_csrf(&foreign, &[("action", "reset_password")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_agency_pauses_deletes_and_restores_a_merchant_and_only_its_own() {
    let w = world().await;
    let page = format!("/merchants/{}", w.merchant_a);
    let mut merchant = Browser::new(&w.app);
    merchant.login("cafe@a.test", PASSWORD).await;
    // A merchant cannot pause itself; another agency cannot touch it.
    let r = merchant
        .post_csrf(&page, &[("action", "pause_merchant")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut other = Browser::new(&w.app);
    other.login("admin@b.test", PASSWORD).await;
    let r = other
        .post_csrf(&page, &[("action", "delete_merchant")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Paused: its session ends and its right password says why it does not work.
    let mut admin = Browser::new(&w.app);
    admin.login("admin@a.test", PASSWORD).await;
    let r = admin
        .post_csrf(&page, &[("action", "pause_merchant")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location.unwrap().contains("done=merchant_paused"));
    assert_eq!(
        merchant.get(&page).await.location.as_deref(),
        Some("/login")
    );
    let mut b = Browser::new(&w.app);
    let to = b.login("cafe@a.test", PASSWORD).await.location.unwrap();
    assert!(to.contains("error=paused"), "{to}");
    assert!(admin.get("/agency").await.body.contains("Paused"));

    // Resumed: it signs in again.
    admin
        .post_csrf(&page, &[("action", "resume_merchant")])
        .await;
    let mut b = Browser::new(&w.app);
    let to = b.login("cafe@a.test", PASSWORD).await.location.unwrap();
    assert!(!to.starts_with("/login"), "{to}");

    // Deleted: gone from the list (listed apart, restorable), cannot sign in; restored: back.
    let r = admin
        .post_csrf(&page, &[("action", "delete_merchant")])
        .await;
    assert_eq!(
        r.location.as_deref().map(|l| l.starts_with("/agency?")),
        Some(true)
    );
    let list = admin.get("/agency").await.body;
    assert!(
        list.contains("Deleted merchants") && list.contains("restore_merchant"),
        "{list}"
    );
    assert_eq!(b.get(&page).await.location.as_deref(), Some("/login"));
    let mut c = Browser::new(&w.app);
    assert!(c
        .login("cafe@a.test", PASSWORD)
        .await
        .location
        .unwrap()
        .contains("error=removed"));
    let r = admin
        .post_csrf(&page, &[("action", "restore_merchant")])
        .await;
    assert!(r.location.unwrap().contains("done=merchant_restored"));
    assert!(!admin
        .get("/agency")
        .await
        .body
        .contains("Deleted merchants"));
    let mut d = Browser::new(&w.app);
    assert!(!d
        .login("cafe@a.test", PASSWORD)
        .await
        .location
        .unwrap()
        .starts_with("/login"));
}
