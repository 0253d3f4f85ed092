//! The store contract, once, against every engine: sled (a temporary database) and PostgreSQL
//! (a fresh schema per test, on the server `MPFORGE_TEST_PG` names; `make unit` starts one).
//! When `MPFORGE_TEST_PG` is set an unreachable server fails the run; unset (a laptop without
//! PostgreSQL), the PostgreSQL half says it was skipped. The blob stores likewise: the sled
//! trees, a folder, and S3 on the server `MPFORGE_TEST_S3` names (moto on loopback).
use server::storage::blobs::Blobs;
use server::storage::embedded::SledStore;
use server::storage::postgres::PgStore;
use server::storage::tree::new_id;
use server::storage::{
    Agency, Allowance, AuditEntry, Doc, Draft, Expect, JobOutcome, JobState, Merchant, NewJob,
    Session, SharedStore, Site, StoreError, StoredRole, ThrottleKey, User,
};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use ulid::Ulid;

/// A PostgreSQL store in a schema of its own (dropped with the server at the end of the run).
async fn postgres() -> Option<SharedStore> {
    let Ok(url) = std::env::var("MPFORGE_TEST_PG") else {
        // In CI the real engine always runs: a missing one is a broken run, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test against PostgreSQL: run the tests through .ci/with-services (make unit)"
        );
        eprintln!("MPFORGE_TEST_PG is not set: the PostgreSQL half of this test is skipped");
        return None;
    };
    let schema = format!("t_{}", Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("MPFORGE_TEST_PG={url} is not reachable: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let options = sqlx::postgres::PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    Some(Arc::new(PgStore::connect_with(options).await.unwrap()))
}

/// Every engine this run can reach, by name.
async fn engines() -> Vec<(&'static str, SharedStore)> {
    let mut all: Vec<(&'static str, SharedStore)> =
        vec![("sled", Arc::new(SledStore::temporary().unwrap()))];
    if let Some(pg) = postgres().await {
        all.push(("postgres", pg));
    }
    all
}

/// A test of the contract, run once per engine.
macro_rules! contract {
    ($name:ident, |$store:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            for (engine, $store) in engines().await {
                eprintln!("{}: {engine}", stringify!($name));
                let $store: SharedStore = $store;
                $body
            }
        }
    };
}

fn agency(name: &str) -> Agency {
    Agency {
        id: new_id(),
        name: name.into(),
        created_at: "2026-11-30T00:00:00Z".into(),
    }
}

fn admin(agency: &Agency, login: &str) -> User {
    User {
        id: new_id(),
        login: login.into(),
        display_name: "Admin".into(),
        password_hash: "x".into(),
        role: StoredRole::AgencyAdmin {
            agency_id: agency.id,
        },
        lang: Default::default(),
        created_at: "2026-11-30T00:00:00Z".into(),
        removed: false,
    }
}

fn merchant_of(agency: &Agency, login: &str) -> (Merchant, User) {
    let id = new_id();
    let user = User {
        id: new_id(),
        login: login.into(),
        display_name: "Cafe".into(),
        password_hash: "x".into(),
        role: StoredRole::Merchant {
            agency_id: agency.id,
            merchant_id: id,
        },
        lang: Default::default(),
        created_at: "2026-11-30T00:00:00Z".into(),
        removed: false,
    };
    let merchant = Merchant {
        id,
        agency_id: agency.id,
        name: "Cafe".into(),
        user_id: user.id,
        created_at: "2026-11-30T00:00:00Z".into(),
        disabled: false,
        deleted_at: None,
    };
    (merchant, user)
}

fn site_of(merchant: &Merchant) -> (Site, Draft) {
    let site = Site {
        id: new_id(),
        merchant_id: merchant.id,
        name: "Corner".into(),
        template: app::model::ThemeKind::Shop,
        created_at: "2026-11-30T00:00:00Z".into(),
        updated_at: "2026-11-30T00:00:00Z".into(),
        archived: false,
        deleted_at: None,
    };
    let starter: app::model::site::Site = serde_json::from_str(
        server::generator::theme::starter_json(site.template, app::i18n::Lang::En),
    )
    .unwrap();
    let draft = Draft {
        version: 1,
        site: starter,
        updated_at: "2026-11-30T00:00:00Z".into(),
    };
    (site, draft)
}

/// An agency with one merchant and one site.
async fn world(store: &SharedStore) -> (Agency, Merchant, Site, Draft) {
    let a = agency("Agency");
    store
        .create_agency(&a, &admin(&a, &format!("admin-{}@a.test", a.id)))
        .await
        .unwrap();
    let (m, u) = merchant_of(&a, &format!("cafe-{}@a.test", a.id));
    store.create_merchant(&m, &u).await.unwrap();
    let (s, d) = site_of(&m);
    store.create_site(&s, &d).await.unwrap();
    (a, m, s, d)
}

contract!(
    a_taken_login_is_refused_and_nothing_is_half_written,
    |store| {
        assert!(store.is_empty().await.unwrap());
        let a = agency("A");
        store
            .create_agency(&a, &admin(&a, "admin@a.test"))
            .await
            .unwrap();
        assert!(!store.is_empty().await.unwrap());
        let (m, u) = merchant_of(&a, "cafe@a.test");
        store.create_merchant(&m, &u).await.unwrap();
        let before = store.counts().await.unwrap();
        let b = agency("B");
        let err = store
            .create_agency(&b, &admin(&b, "cafe@a.test"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::LoginTaken), "{err}");
        let (m2, u2) = merchant_of(&a, "admin@a.test");
        let err = store.create_merchant(&m2, &u2).await.unwrap_err();
        assert!(matches!(err, StoreError::LoginTaken), "{err}");
        assert_eq!(store.counts().await.unwrap(), before);
        assert!(store.agency(b.id).await.unwrap().is_none());
        assert!(store.merchant(m2.id).await.unwrap().is_none());
        // What was written reads back.
        assert_eq!(
            store.user_by_login("cafe@a.test").await.unwrap(),
            Some(u.clone())
        );
        assert_eq!(store.agency_merchants(a.id).await.unwrap(), vec![m.clone()]);
        assert_eq!(store.agencies().await.unwrap(), vec![a.clone()]);
        let mut paused = m.clone();
        paused.disabled = true;
        store.put_merchant(&paused).await.unwrap();
        assert!(store.merchant(m.id).await.unwrap().unwrap().disabled);
        let mut renamed = u.clone();
        renamed.display_name = "Café".into();
        store.put_user(&renamed).await.unwrap();
        assert_eq!(
            store.user(u.id).await.unwrap().unwrap().display_name,
            "Café"
        );
        // Staff: another user of the agency, once per login, racing or not.
        let mut staff = admin(&a, "staff@a.test");
        staff.role = StoredRole::AgencyStaff { agency_id: a.id };
        let mut twin = admin(&a, "staff@a.test");
        twin.role = staff.role.clone();
        let (one, two) = tokio::join!(store.create_user(&staff), store.create_user(&twin));
        assert_eq!(
            [one.is_ok(), two.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "one of two racing creations wins"
        );
        let kept = store.user_by_login("staff@a.test").await.unwrap().unwrap();
        assert_eq!(kept.role, StoredRole::AgencyStaff { agency_id: a.id });
        let err = store
            .create_user(&admin(&a, "cafe@a.test"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::LoginTaken), "{err}");
    }
);

contract!(
    of_twenty_racing_saves_on_one_version_exactly_one_is_written,
    |store| {
        let (_, _, site, draft) = world(&store).await;
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let store = store.clone();
                let mut d = draft.clone();
                d.version = 2;
                d.site.name = format!("Saver {i}");
                tokio::spawn(async move {
                    let name = d.site.name.clone();
                    (i, store.save_draft(site.id, 1, &d, &name).await)
                })
            })
            .collect();
        let mut won = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                (i, Ok(())) => won.push(i),
                (_, Err(StoreError::Stale)) => {}
                (_, Err(e)) => panic!("unexpected: {e}"),
            }
        }
        assert_eq!(won.len(), 1, "{won:?}");
        let stored = store.draft(site.id).await.unwrap().unwrap();
        assert_eq!(stored.version, 2);
        assert_eq!(stored.site.name, format!("Saver {}", won[0]));
        // The record took the winner's name in the same step.
        assert_eq!(
            store.site(site.id).await.unwrap().unwrap().name,
            format!("Saver {}", won[0])
        );
        // A save on the old base changes nothing; one on the new base goes through.
        let mut d = draft.clone();
        d.version = 2;
        assert!(matches!(
            store.save_draft(site.id, 1, &d, "Late").await,
            Err(StoreError::Stale)
        ));
        d.version = 3;
        store.save_draft(site.id, 2, &d, "").await.unwrap();
        assert_eq!(store.draft(site.id).await.unwrap().unwrap().version, 3);
        // An empty name leaves the record's name alone.
        assert_eq!(
            store.site(site.id).await.unwrap().unwrap().name,
            format!("Saver {}", won[0])
        );
        // A site that does not exist cannot be saved into.
        assert!(matches!(
            store.save_draft(Ulid::new(), 1, &d, "x").await,
            Err(StoreError::Stale)
        ));
    }
);

contract!(sessions_end_one_by_one_or_all_but_one, |store| {
    let (_, m, _, _) = world(&store).await;
    let session = |user| Session {
        user_id: user,
        created_at: 1,
        expires_at: 2,
        last_seen: 1,
    };
    let key = |n: u8| [n; 32];
    store
        .put_session(key(1), &session(m.user_id))
        .await
        .unwrap();
    store
        .put_session(key(2), &session(m.user_id))
        .await
        .unwrap();
    store
        .put_session(key(3), &session(m.user_id))
        .await
        .unwrap();
    let a = agency("Other");
    let someone = admin(&a, &format!("other-{}@a.test", a.id));
    store.create_agency(&a, &someone).await.unwrap();
    let other = someone.id;
    store.put_session(key(4), &session(other)).await.unwrap();
    let mut touched = session(m.user_id);
    touched.last_seen = 5;
    store.put_session(key(1), &touched).await.unwrap();
    assert_eq!(store.session(key(1)).await.unwrap(), Some(touched));
    store.delete_session(key(2)).await.unwrap();
    assert_eq!(store.session(key(2)).await.unwrap(), None);
    assert_eq!(
        store
            .end_sessions(m.user_id, Some(key(3)), &|_| false)
            .await
            .unwrap(),
        1
    );
    assert!(store.session(key(1)).await.unwrap().is_none());
    assert!(store.session(key(3)).await.unwrap().is_some());
    assert!(store.session(key(4)).await.unwrap().is_some());
    // Anyone's ended sessions are swept on the way.
    assert_eq!(
        store
            .end_sessions(m.user_id, Some(key(3)), &|s| s.user_id == other)
            .await
            .unwrap(),
        0
    );
    assert!(store.session(key(4)).await.unwrap().is_none());
});

fn key(name: &str, free: usize, max_delay: Option<u64>, refund: bool) -> ThrottleKey {
    ThrottleKey {
        key: format!("{name}-{}", Ulid::new()),
        rule: Allowance {
            free,
            max_delay: max_delay.map(Duration::from_secs),
            first_delay: Duration::from_secs(300),
        },
        refund_on_success: refund,
    }
}

contract!(
    the_throttle_counts_every_attempt_once_under_concurrency,
    |store| {
        let window = Duration::from_secs(900);
        // Ten attempts at once on a key with three free: exactly three go.
        let login = key("login", 3, Some(600), false);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (store, login) = (store.clone(), login.clone());
                tokio::spawn(async move { store.reserve_attempt(&[login], window).await.unwrap() })
            })
            .collect();
        let mut passed = Vec::new();
        for t in tasks {
            if let Ok(a) = t.await.unwrap() {
                passed.push(a);
            }
        }
        assert_eq!(passed.len(), 3);
        // The fourth waits (the progressive delay), and says for how long.
        let wait = store
            .reserve_attempt(std::slice::from_ref(&login), window)
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            wait > Duration::from_secs(200) && wait <= Duration::from_secs(300),
            "{wait:?}"
        );
        // Success forgets the key's failures.
        store.attempt_succeeded(&passed[0]).await.unwrap();
        assert!(store
            .reserve_attempt(std::slice::from_ref(&login), window)
            .await
            .unwrap()
            .is_ok());

        // An address: its attempt comes back on success; a fixed number of failures otherwise.
        let address = key("ip", 2, None, true);
        let other = key("login", 10, None, false);
        let first = store
            .reserve_attempt(&[other.clone(), address.clone()], window)
            .await
            .unwrap()
            .unwrap();
        store.attempt_succeeded(&first).await.unwrap();
        for _ in 0..2 {
            store
                .reserve_attempt(&[other.clone(), address.clone()], window)
                .await
                .unwrap()
                .unwrap();
        }
        // Both of the address's failures are used: refused, and nothing is recorded for the
        // other key either.
        assert!(store
            .reserve_attempt(&[other.clone(), address.clone()], window)
            .await
            .unwrap()
            .is_err());
        let fresh = key("login", 3, None, false);
        assert!(store
            .reserve_attempt(&[fresh, address], window)
            .await
            .unwrap()
            .is_err());
    }
);

contract!(a_picture_is_kept_while_any_merchant_keeps_it, |store| {
    let (a, m, _, _) = world(&store).await;
    let (m2, u2) = merchant_of(&a, &format!("second-{}@a.test", a.id));
    store.create_merchant(&m2, &u2).await.unwrap();
    let hash = "ab".repeat(32);
    store.add_media(m.id, &hash, 400, 10).await.unwrap();
    store.add_media(m2.id, &hash, 400, 20).await.unwrap();
    assert!(store.owns_media(m.id, &hash).await.unwrap());
    assert!(!store.owns_media(Ulid::new(), &hash).await.unwrap());
    let list = store.merchant_media(m.id).await.unwrap();
    assert_eq!(
        (list.len(), list[0].bytes, list[0].uploaded_at),
        (1, 400, 10)
    );
    assert!(
        !store.drop_media(m.id, &hash).await.unwrap(),
        "m2 still keeps it"
    );
    assert!(
        store.drop_media(m2.id, &hash).await.unwrap(),
        "nobody keeps it"
    );
});

contract!(
    purging_a_merchant_removes_its_sites_login_and_pictures,
    |store| {
        let (a, m, site, _) = world(&store).await;
        store.add_media(m.id, &"cd".repeat(32), 1, 1).await.unwrap();
        let user = store.user(m.user_id).await.unwrap().unwrap();
        store
            .put_session(
                [9; 32],
                &Session {
                    user_id: user.id,
                    created_at: 1,
                    expires_at: i64::MAX,
                    last_seen: 1,
                },
            )
            .await
            .unwrap();
        store.purge_merchant(&m).await.unwrap();
        assert!(store.merchant(m.id).await.unwrap().is_none());
        assert!(store.site(site.id).await.unwrap().is_none());
        assert!(store.draft(site.id).await.unwrap().is_none());
        assert!(store.user_by_login(&user.login).await.unwrap().is_none());
        assert!(store.session([9; 32]).await.unwrap().is_none());
        assert!(store.merchant_media(m.id).await.unwrap().is_empty());
        assert!(store.agency_merchants(a.id).await.unwrap().is_empty());
        // The login is free again.
        let (m2, mut u2) = merchant_of(&a, &user.login);
        u2.login = user.login.clone();
        store.create_merchant(&m2, &u2).await.unwrap();
    }
);

contract!(
    sites_are_listed_oldest_first_and_put_away_in_place,
    |store| {
        let (_, m, first, _) = world(&store).await;
        let (second, d) = site_of(&m);
        store.create_site(&second, &d).await.unwrap();
        let ids: Vec<Ulid> = store
            .merchant_sites(m.id)
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, vec![first.id, second.id]);
        let mut archived = second.clone();
        archived.archived = true;
        store.put_site(&archived).await.unwrap();
        assert!(store.site(second.id).await.unwrap().unwrap().archived);
        assert_eq!(store.draft(second.id).await.unwrap(), Some(d));
        store.purge_site(&first).await.unwrap();
        assert_eq!(store.merchant_sites(m.id).await.unwrap().len(), 1);
    }
);

contract!(the_audit_log_is_kept_per_agency_newest_first, |store| {
    let (a, b) = (Ulid::new(), Ulid::new());
    for (i, agency) in [a, a, b, a].into_iter().enumerate() {
        let entry = AuditEntry {
            id: server::storage::tree::new_id(),
            agency_id: agency,
            user_id: None,
            merchant_id: None,
            site_id: None,
            action: "login".into(),
            detail: format!("{i}"),
            at: "2026-11-30T00:00:00Z".into(),
        };
        store.append_audit(&entry).await.unwrap();
    }
    let details: Vec<String> = store
        .agency_audit(a, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert_eq!(details, ["3", "1", "0"]);
    assert_eq!(store.agency_audit(a, 2).await.unwrap().len(), 2);
    assert_eq!(store.agency_audit(b, 10).await.unwrap().len(), 1);
});

contract!(a_secret_is_made_once_and_agreed_on, |store| {
    let (s1, s2) = (store.clone(), store.clone());
    let (x, y) = tokio::join!(
        async move { s1.secret("csrf").await.unwrap() },
        async move { s2.secret("csrf").await.unwrap() }
    );
    assert_eq!(x, y);
    assert_ne!(store.secret("other").await.unwrap(), x);
    store.health().await.unwrap();
});

// Declared after `contract!` so that they can use it.
#[path = "store_contract/docs.rs"]
mod docs;
#[path = "store_contract/engines.rs"]
mod engines;
#[path = "store_contract/jobs.rs"]
mod jobs;
#[path = "store_contract/mp.rs"]
mod mp;
