//! Between engines and blob stores: moving every record and blob, refusing a newer schema,
//! and what each blob store keeps.
use super::*;
use jobs::new_job;

/// Export from each engine, import into each other, and compare what comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn everything_moves_between_engines_with_counts_and_hashes_checked() {
    let sources = engines().await;
    for (from, source) in &sources {
        let (a, m, site, _) = world(source).await;
        let mut d = source.draft(site.id).await.unwrap().unwrap();
        d.version = 2;
        d.site.name = "Moved café".into();
        source
            .save_draft(site.id, 1, &d, "Moved café")
            .await
            .unwrap();
        source
            .add_media(m.id, &"ef".repeat(32), 3, 7)
            .await
            .unwrap();
        source.enqueue_job(&new_job(a.id, Some("x"))).await.unwrap();
        source
            .put_doc(
                &Doc::new(
                    "wx-conn",
                    site.id.to_string(),
                    a.id,
                    serde_json::json!({"appid": "wx1"}),
                ),
                Expect::Absent,
            )
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let source_blobs = Blobs::open(&format!("file://{}/a", dir.path().display())).unwrap();
        source_blobs
            .put(&format!("media/{}", "ef".repeat(32)), vec![1, 2, 3])
            .await
            .unwrap();
        let mut dump = Vec::new();
        let written = server::storage::dump::export(&**source, Some(&source_blobs), &mut dump)
            .await
            .unwrap();
        assert_eq!(written.blobs, 1);
        for (to, target) in engines().await {
            eprintln!("{from} -> {to}");
            let target_blobs =
                Blobs::open(&format!("file://{}/{to}", dir.path().display())).unwrap();
            let read = server::storage::dump::import(&*target, &target_blobs, dump.as_slice())
                .await
                .unwrap();
            assert_eq!(read, written);
            assert_eq!(
                target.counts().await.unwrap(),
                source.counts().await.unwrap()
            );
            let moved = target.draft(site.id).await.unwrap().unwrap();
            assert_eq!((moved.version, moved.site.name.as_str()), (2, "Moved café"));
            assert_eq!(
                target.site(site.id).await.unwrap().unwrap().name,
                "Moved café"
            );
            assert_eq!(
                target_blobs
                    .get(&format!("media/{}", "ef".repeat(32)))
                    .await
                    .unwrap(),
                Some(vec![1, 2, 3])
            );
            // The moved store keeps its rules: the login is still taken, the draft still
            // refuses a stale save.
            let (m2, mut u2) = merchant_of(&a, "x@x.test");
            u2.login = source.user(m.user_id).await.unwrap().unwrap().login;
            assert!(matches!(
                target.create_merchant(&m2, &u2).await,
                Err(StoreError::LoginTaken)
            ));
            assert!(matches!(
                target.save_draft(site.id, 1, &d, "").await,
                Err(StoreError::Stale)
            ));
            // A second import would mix two data sets: refused.
            let again = server::storage::dump::import(&*target, &target_blobs, dump.as_slice())
                .await
                .unwrap_err();
            assert!(again.to_string().contains("empty store"), "{again}");
        }
        // A damaged export is refused, naming what is wrong.
        let text = String::from_utf8(dump.clone()).unwrap();
        let tampered = text.replacen("\"AQID\"", "\"AQIE\"", 1);
        let target = SledStore::temporary().unwrap();
        let blobs = Blobs::in_sled(&target).unwrap();
        let err = server::storage::dump::import(&target, &blobs, tampered.as_bytes())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("SHA-256"), "{err}");
        let cut: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        let target = SledStore::temporary().unwrap();
        let err = server::storage::dump::import(&target, &blobs, cut.as_bytes())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("ends early"), "{err}");
    }
}

#[tokio::test]
async fn postgres_refuses_a_schema_newer_than_this_build_and_names_an_unreachable_server() {
    let err = PgStore::connect("postgres://nobody@127.0.0.1:1/none")
        .await
        .err()
        .expect("nothing listens on port 1");
    let line = err.to_string();
    assert!(
        line.contains("cannot reach postgres at 127.0.0.1:1/none"),
        "{line}"
    );
    assert!(!line.contains('\n'), "one line: {line}");
    let Ok(url) = std::env::var("MPFORGE_TEST_PG") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test against PostgreSQL: run the tests through .ci/with-services"
        );
        eprintln!("MPFORGE_TEST_PG is not set: skipped");
        return;
    };
    let schema = format!("t_{}", Ulid::new().to_string().to_lowercase());
    let options = || {
        sqlx::postgres::PgConnectOptions::from_str(&url)
            .unwrap()
            .options([("search_path", schema.as_str())])
    };
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let store = PgStore::connect_with(options()).await.unwrap();
    // Connecting again migrates nothing and works.
    drop(PgStore::connect_with(options()).await.unwrap());
    sqlx::query("INSERT INTO mpforge_schema (version) VALUES (999)")
        .execute(store.pool())
        .await
        .unwrap();
    let err = PgStore::connect_with(options()).await.err().unwrap();
    assert!(
        matches!(err, StoreError::TooNew { found: 999, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade mpforge"), "{err}");
}

/// The blob stores, each the same way: the sled trees, a folder, and S3 when a server is given.
#[tokio::test]
async fn every_blob_store_keeps_lists_and_deletes() {
    let sled = SledStore::temporary().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut stores = vec![
        Blobs::in_sled(&sled).unwrap(),
        Blobs::open(&format!("file://{}", dir.path().display())).unwrap(),
    ];
    match std::env::var("MPFORGE_TEST_S3") {
        Ok(endpoint) => {
            let bucket = format!("mpforge-{}", Ulid::new().to_string().to_lowercase());
            create_bucket(&endpoint, &bucket).await;
            stores.push(
                Blobs::open(&format!(
                    "s3://{bucket}?endpoint={endpoint}&region=us-east-1"
                ))
                .unwrap(),
            );
        }
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must test against an S3 server: run the tests through .ci/with-services"
            );
            eprintln!("MPFORGE_TEST_S3 is not set: the S3 store is skipped")
        }
    }
    for blobs in &stores {
        eprintln!("blobs {}", blobs.describe());
        blobs.health().await.unwrap();
        let media = format!("media/{}", "ab".repeat(32));
        let package = format!("packages/{}/{}.zip", Ulid::new(), "cd".repeat(32));
        assert_eq!(blobs.get(&media).await.unwrap(), None);
        blobs.put(&media, vec![7; 10]).await.unwrap();
        // Large enough to be more than one network packet.
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        blobs.put(&package, big.clone()).await.unwrap();
        assert_eq!(blobs.get(&media).await.unwrap(), Some(vec![7; 10]));
        assert_eq!(blobs.get(&package).await.unwrap(), Some(big));
        assert!(blobs.exists(&package).await.unwrap());
        assert_eq!(blobs.keys().await.unwrap(), {
            let mut k = vec![media.clone(), package.clone()];
            k.sort();
            k
        });
        blobs.delete(&media).await.unwrap();
        blobs.delete(&media).await.unwrap();
        assert!(!blobs.exists(&media).await.unwrap());
    }
    // Values that name nothing usable are refused with the reason.
    for bad in ["ftp://x", "s3://", "s3://b?bucket=x", "file://"] {
        let err = Blobs::open(bad).err().unwrap().to_string();
        assert!(err.contains(bad), "{err}");
    }
}

/// Creates a bucket on an S3-protocol test server (moto accepts unsigned requests).
async fn create_bucket(endpoint: &str, bucket: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = endpoint.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(host)
        .await
        .unwrap_or_else(|e| panic!("MPFORGE_TEST_S3={endpoint} is not reachable: {e}"));
    let req = format!(
        "PUT /{bucket} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    conn.write_all(req.as_bytes()).await.unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}
