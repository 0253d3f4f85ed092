//! Publishing through WeChat's third-party platform, end to end over HTTP: mpforge on one
//! loopback port with its job workers, the fake platform (`server::wechat::fake`) on another,
//! pushing encrypted events back to mpforge as WeChat does. A browser-like client with cookies
//! and the CSRF token acts as the agency.
#[path = "wechat/customers.rs"]
mod customers;
#[path = "wechat/support.rs"]
mod support;

use app::i18n::Lang;
use app::model::publish::{PublishView, Review};
use server::wechat::crypto::{push_request, MsgCrypt};
use server::wechat::fake::FakeConfig;
use server::wechat::platform::{save_settings, PlatformInput};
use support::*;

async fn connect(env: &Env, admin: &mut Browser<'_>) {
    // A link (GET): a form's redirect to WeChat would be blocked by the page's policy.
    let r = env
        .http
        .get(format!("{}/sites/{}/wechat/connect", env.base, env.site))
        .header("cookie", admin.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to_wechat = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to_wechat.starts_with(&format!(
            "{}/cgi-bin/componentloginpage?component_appid=",
            env.fake_url
        )),
        "{to_wechat}"
    );
    let back = env.authorize(&to_wechat).await;
    assert!(
        back.starts_with(&format!(
            "{}/sites/{}/wechat/callback?auth_code=",
            env.base, env.site
        )),
        "{back}"
    );
    let path = back.strip_prefix(&env.base).unwrap().to_string();
    let r = admin
        .env
        .http
        .get(format!("{}{path}", env.base))
        .header("cookie", admin.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        format!("/sites/{}/publish", env.site).as_str()
    );
}

async fn publish_until_review(env: &Env, admin: &mut Browser<'_>) -> PublishView {
    let r = admin
        .post(&format!("/sites/{}/publish/start", env.site), &[])
        .await;
    assert_eq!(
        r.headers()["location"],
        format!("/sites/{}/publish", env.site).as_str(),
        "no error"
    );
    admin
        .until("the review", |v| {
            v.state
                .run
                .as_ref()
                .is_some_and(|r| r.review == Review::InReview || r.error.is_some())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connect_publish_reject_resubmit_approve_release_rollback_and_unauthorize() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    connect(&env, &mut admin).await;
    let v = admin
        .until("the connection", |v| {
            v.connection.as_ref().is_some_and(|c| c.connected)
        })
        .await;
    let c = v.connection.unwrap();
    assert_eq!(
        (c.appid.as_str(), c.nick_name.as_str()),
        (APP, "Fake Café 假咖啡")
    );
    assert!(c.permission_sets.contains(&18) && c.permission_sets.contains(&17));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);

    // First publish: WeChat's privacy scan answers 61039 twice; the code is committed once.
    let v = publish_until_review(&env, &mut admin).await;
    let run = v.state.run.clone().unwrap();
    assert_eq!(run.error, None, "{:#?}", run);
    assert!(run.checks.iter().all(|c| c.ok), "{:#?}", run.checks);
    assert_eq!(
        env.calls("/wxa/commit").await,
        1,
        "never committed again while the scan ran"
    );
    assert!(env.calls("/wxa/security/get_code_privacy_info").await >= 3);
    let fake = env.fake_state().await;
    let committed = &fake["apps"][APP]["committed"];
    assert_eq!(committed["template_id"], 1);
    assert_eq!(committed["ext"]["extAppid"], APP);
    assert_eq!(committed["ext"]["ext"]["site"]["name"], "Lotus Café");
    assert_eq!(fake["apps"][APP]["domains"][0], env.base.as_str());
    assert_eq!(
        fake["apps"][APP]["owner_setting"]["contact_email"],
        "privacy@agency.test"
    );
    let (status, trial) = admin
        .bytes(&format!("/sites/{}/qr/trial.png", env.site))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        decode_qr(&trial),
        format!("https://fake.weixin/trial/{APP}/1.0.1")
    );

    // Rejected: WeChat's reason, as plain text.
    env.fake("/fake/audit", serde_json::json!({"appid": APP, "result": "reject", "reason": "<b>类目</b>不符<br>请补充资质"})).await;
    let v = admin
        .until("the rejection", |v| {
            v.state
                .run
                .as_ref()
                .is_some_and(|r| r.review == Review::Rejected)
        })
        .await;
    assert_eq!(v.state.run.unwrap().reason, "类目不符\n请补充资质");
    // A release of a rejected version is refused with a reason.
    let r = admin
        .post(&format!("/sites/{}/publish/release", env.site), &[])
        .await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error="));

    // Fixed and resubmitted, then approved (the push arrives twice: no harm).
    let v = publish_until_review(&env, &mut admin).await;
    assert_eq!(v.state.run.as_ref().unwrap().user_version, "1.0.2");
    assert_eq!(env.calls("/wxa/commit").await, 2);
    env.fake(
        "/fake/audit",
        serde_json::json!({"appid": APP, "result": "approve"}),
    )
    .await;
    admin
        .until("the approval", |v| {
            v.state
                .run
                .as_ref()
                .is_some_and(|r| r.review == Review::Approved)
        })
        .await;

    // Released; pressed twice, WeChat is asked once.
    for _ in 0..2 {
        let r = admin
            .post(&format!("/sites/{}/publish/release", env.site), &[])
            .await;
        assert_eq!(
            r.headers()["location"],
            format!("/sites/{}/publish", env.site).as_str()
        );
    }
    let v = admin.until("the release", |v| v.state.live.is_some()).await;
    assert_eq!(v.state.live.as_ref().unwrap().user_version, "1.0.2");
    assert_eq!(env.calls("/wxa/release").await, 1);
    assert_eq!(
        env.fake_state().await["apps"][APP]["released"]["user_version"],
        "1.0.2"
    );

    // The approval pushed again (WeChat repeats pushes) moves nothing.
    let before = admin.view().await.state;
    assert_eq!(
        env.push_app_event(APP, "weapp_audit_success", "").await,
        200
    );
    assert_eq!(admin.view().await.state, before);

    // The link QR code opens the mini program in WeChat once the rule is registered: WeChat
    // fetches the verification file from the directory of the site's link first.
    let r = admin.post("/agency/wechat/link-rules", &[]).await;
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/agency/wechat?links=1&"), "{to}");
    let rule = &env.fake_state().await["apps"][APP]["rules"][0];
    assert_eq!(
        rule["prefix"],
        format!("{}/s/{}", env.base, env.site).as_str()
    );
    assert_eq!(rule["state"], 2, "published");

    // A third version goes live, then is rolled back to the second.
    let third = publish_until_review(&env, &mut admin)
        .await
        .state
        .run
        .unwrap()
        .user_version;
    assert_eq!(
        third, "1.0.4",
        "numbered after the release, which is version 3"
    );
    env.fake(
        "/fake/audit",
        serde_json::json!({"appid": APP, "result": "approve"}),
    )
    .await;
    admin
        .until("the approval", |v| {
            v.state
                .run
                .as_ref()
                .is_some_and(|r| r.review == Review::Approved)
        })
        .await;
    admin
        .post(&format!("/sites/{}/publish/release", env.site), &[])
        .await;
    let v = admin
        .until("the release", |v| {
            v.state
                .live
                .as_ref()
                .is_some_and(|l| l.user_version == third)
        })
        .await;
    let live3 = v.state.live.unwrap().version;
    let r = admin
        .post(&format!("/sites/{}/publish/rollback", env.site), &[])
        .await;
    assert_eq!(
        r.headers()["location"],
        format!("/sites/{}/publish", env.site).as_str()
    );
    let v = admin.view().await;
    let live = v.state.live.unwrap();
    assert_ne!(live.version, live3);
    assert_eq!(live.user_version, "1.0.2");
    assert_eq!(
        env.fake_state().await["apps"][APP]["released"]["user_version"],
        "1.0.2"
    );
    // Every commit, release and rollback is a version, newest first.
    let kinds: Vec<String> = v.versions.iter().map(|x| format!("{:?}", x.kind)).collect();
    assert_eq!(kinds[0], "Rollback", "{kinds:?}");
    assert_eq!(
        kinds.iter().filter(|k| *k == "Commit").count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "Release").count(),
        2,
        "{kinds:?}"
    );

    // QR codes: the official code of the released app, the site's link, and its page.
    let (status, official) = admin
        .bytes(&format!("/sites/{}/qr/official.png?size=430", env.site))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        decode_qr(&official),
        format!(
            "https://fake.weixin/release/{APP}/pages/p1/index?scene={}",
            env.site
        )
    );
    let (status, link) = admin
        .bytes(&format!("/sites/{}/qr/link.png?size=600", env.site))
        .await;
    assert_eq!(status, 200);
    assert_eq!(decode_qr(&link), format!("{}/s/{}", env.base, env.site));
    let (status, card) = admin
        .bytes(&format!("/sites/{}/qr/card.svg", env.site))
        .await;
    assert_eq!(status, 200);
    let card = String::from_utf8(card).unwrap();
    assert!(card.contains("Lotus Café") && card.contains("扫码打开 / Scan to open"));
    let public = env
        .http
        .get(format!("{}/s/{}", env.base, env.site))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 200);
    assert!(public.text().await.unwrap().contains("Lotus Café"));

    // The merchant takes the authorization back: the site says so.
    env.fake("/fake/unauthorize", serde_json::json!({"appid": APP}))
        .await;
    let v = admin
        .until("the disconnection", |v| {
            v.connection.as_ref().is_some_and(|c| !c.connected)
        })
        .await;
    assert!(!v.connection.unwrap().warnings.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushes_that_are_forged_tampered_stale_or_for_another_platform_change_nothing() {
    let env = env().await;
    let config = FakeConfig::default();
    let crypt = MsgCrypt::new(&config.token, &config.aes_key, &config.component_appid).unwrap();
    let ticket_xml = |t: &str| {
        format!("<xml><AppId>{}</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>{t}</ComponentVerifyTicket></xml>", config.component_appid)
    };
    let path = format!("/wechat/{}/events", config.component_appid);
    let send = |query: String, body: String, path: String| {
        let http = env.http.clone();
        let url = format!("{}{path}?{query}", env.base);
        async move {
            http.post(url)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let before = env
        .state
        .store
        .doc("wx-ticket", &config.component_appid)
        .await
        .unwrap()
        .unwrap();
    let now = server::storage::now_unix();
    let (query, body) = push_request(&crypt, now, "n1", &ticket_xml("forged"));
    // A wrong signature.
    assert_eq!(
        send(
            query.replace("msg_signature=", "msg_signature=0"),
            body.clone(),
            path.clone()
        )
        .await,
        403
    );
    // Tampered ciphertext (the signature no longer matches).
    assert_eq!(
        send(
            query.clone(),
            body.replace("<![CDATA[", "<![CDATA[AAAA"),
            path.clone()
        )
        .await,
        403
    );
    // Older than five minutes.
    let (old_q, old_b) = push_request(&crypt, now - 301, "n2", &ticket_xml("old"));
    assert_eq!(send(old_q, old_b, path.clone()).await, 403);
    // Encrypted for another platform (its receive id).
    let other = MsgCrypt::new(&config.token, &config.aes_key, "wxfa4e000000000002").unwrap();
    let (oq, ob) = push_request(&other, now, "n3", &ticket_xml("other"));
    assert_eq!(send(oq, ob, path.clone()).await, 403);
    // A platform nobody set up.
    assert_eq!(
        send(
            query.clone(),
            body.clone(),
            "/wechat/wx0000000000000000/events".into()
        )
        .await,
        404
    );
    // Not XML.
    assert_eq!(send(query.clone(), "{}".into(), path.clone()).await, 400);
    let after = env
        .state
        .store
        .doc("wx-ticket", &config.component_appid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before, after, "nothing changed");
    // The genuine push is taken, and it carries no cookie or CSRF token.
    assert_eq!(send(query, body, path).await, 200);
    let taken = env
        .state
        .store
        .doc("wx-ticket", &config.component_appid)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(taken.rev, before.rev);
    // An audit push for a mini program that is not connected to any site of this platform.
    let (q, b) = push_request(
        &crypt,
        now,
        "n4",
        "<xml><ToUserName>gh_x</ToUserName><Event>weapp_audit_success</Event></xml>",
    );
    assert_eq!(
        send(
            q,
            b,
            format!(
                "/wechat/{}/wx9999999999999999/events",
                config.component_appid
            )
        )
        .await,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_token_refresh_at_a_time_and_a_stale_token_is_renewed_once() {
    let env = env().await;
    let store = &*env.state.store;
    let agency = store
        .user_by_login("admin@a.test")
        .await
        .unwrap()
        .unwrap()
        .role
        .agency_id();
    let p = server::wechat::platform::open(store, &env.state.wx.sbox, agency)
        .await
        .unwrap()
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (state, p) = (env.state.clone(), p.clone());
        tasks.push(tokio::spawn(async move {
            server::wechat::tokens::component_token(&*state.store, &state.wx, &p, None)
                .await
                .unwrap()
        }));
    }
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap());
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "everyone got the same token");
    assert_eq!(
        env.calls("/cgi-bin/component/api_component_token").await,
        1,
        "one refresh"
    );
    // WeChat calls the token stale: renewed once, the call made again.
    env.fake(
        "/fake/inject",
        serde_json::json!({"path": "/cgi-bin/component/api_create_preauthcode", "errcode": 40001}),
    )
    .await;
    let code = server::wechat::tokens::with_component(store, &env.state.wx, &p, |t| {
        let (wx, appid) = (env.state.wx.clone(), p.appid.clone());
        async move { wx.client.pre_auth_code(&t, &appid).await }
    })
    .await
    .unwrap();
    assert!(code.starts_with("preauthcode@@@"));
    assert_eq!(env.calls("/cgi-bin/component/api_component_token").await, 2);
    // The stored secrets are sealed: the database holds no secret in the clear.
    let settings = store
        .doc("wx-platform", &agency.to_string())
        .await
        .unwrap()
        .unwrap();
    let text = settings.body.to_string();
    assert!(
        !text.contains("fake-component-secret")
            && !text.contains("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_agency_sees_nothing_and_a_bad_setting_is_named() {
    let env = env().await;
    let mut other = Browser::signed_in(&env, "admin@b.test").await;
    assert_eq!(
        other
            .get(&format!("/api/sites/{}/publish", env.site))
            .await
            .0,
        404
    );
    let r = other
        .post(&format!("/sites/{}/publish/start", env.site), &[])
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        other
            .bytes(&format!("/sites/{}/qr/link.png", env.site))
            .await
            .0,
        404
    );
    let mut merchant = Browser::signed_in(&env, "cafe@a.test").await;
    let r = merchant
        .post("/agency/wechat", &[("component_appid", "wx1")])
        .await;
    assert_eq!(r.status(), 403, "merchants do not set the platform");
    let store = &*env.state.store;
    let agency = store
        .user_by_login("admin@b.test")
        .await
        .unwrap()
        .unwrap()
        .role
        .agency_id();
    let err = save_settings(
        store,
        &env.state.wx.sbox,
        agency,
        PlatformInput {
            component_appid: "wxfa4e000000000001".into(),
            aes_key: Some("short".into()),
            templates: [("shop".into(), "x".into())].into(),
            ..PlatformInput::default()
        },
        Lang::Zh,
    )
    .await
    .unwrap_err()
    .to_string();
    for field in [
        "component_appid",
        "secret",
        "token",
        "aes_key",
        "template.shop",
        "contact_email",
    ] {
        assert!(err.contains(&format!("{field}:")), "{field} in {err}");
    }
    assert!(
        err.contains("其他服务商"),
        "the platform is agency A's: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_exhausted_review_quota_ends_the_publish_with_wechats_reason_and_one_commit() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    connect(&env, &mut admin).await;
    env.fake("/fake/quota", serde_json::json!({"rest": 0}))
        .await;
    let r = admin
        .post(&format!("/sites/{}/publish/start", env.site), &[])
        .await;
    assert_eq!(r.status(), 303);
    let v = admin
        .until("the refusal", |v| {
            v.state.run.as_ref().is_some_and(|r| r.error.is_some())
        })
        .await;
    let run = v.state.run.unwrap();
    assert_eq!(run.errcode, Some(85085));
    let error = run.error.unwrap();
    assert!(error.en.contains("review quota"), "{}", error.en);
    assert!(error.zh.contains("提审额度"), "{}", error.zh);
    assert_eq!(run.review, Review::NotSubmitted);
    assert_eq!(env.calls("/wxa/commit").await, 1);
    // The commit went through and is a version; the refusal is the submit's, on the run.
    let commits: Vec<_> = v
        .versions
        .iter()
        .filter(|x| x.kind == app::model::publish::VersionKind::Commit)
        .collect();
    assert_eq!(commits.len(), 1);
    assert!(commits[0].ok && commits[0].has_snapshot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_busy_wechat_is_tried_again_later_without_committing_twice() {
    let env = env().await;
    let mut admin = Browser::signed_in(&env, "admin@a.test").await;
    connect(&env, &mut admin).await;
    // "System busy" on the submit: transient, so the step waits and tries again.
    env.fake(
        "/fake/inject",
        serde_json::json!({"path": "/wxa/submit_audit", "errcode": -1}),
    )
    .await;
    let v = publish_until_review(&env, &mut admin).await;
    let run = v.state.run.unwrap();
    assert_eq!(run.error, None, "{run:#?}");
    assert_eq!(run.review, Review::InReview);
    assert_eq!(
        env.calls("/wxa/submit_audit").await,
        2,
        "refused once, then taken"
    );
    assert_eq!(env.calls("/wxa/commit").await, 1);
}
