//! Documents: writes over the revision read, changes no other writer interleaves, and numbers
//! counted at once, under races on every engine.
use super::*;

contract!(
    documents_are_written_over_the_revision_read_even_under_races,
    |store| {
        let agency = new_id();
        let first = Doc::new("counter", "site/1", agency, serde_json::json!({"n": 0}));
        assert_eq!(store.put_doc(&first, Expect::Absent).await.unwrap(), 1);
        assert!(matches!(
            store.put_doc(&first, Expect::Absent).await,
            Err(StoreError::Stale)
        ));
        assert!(matches!(
            store.put_doc(&first, Expect::Rev(7)).await,
            Err(StoreError::Stale)
        ));
        // 16 writers each add one by read, compare and swap: none is lost.
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    let d = store.doc("counter", "site/1").await.unwrap().unwrap();
                    let mut next = d.clone();
                    next.body["n"] = (d.body["n"].as_u64().unwrap() + 1).into();
                    match store.put_doc(&next, Expect::Rev(d.rev)).await {
                        Ok(_) => break,
                        Err(StoreError::Stale) => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let d = store.doc("counter", "site/1").await.unwrap().unwrap();
        assert_eq!((d.rev, d.body["n"].as_u64()), (17, Some(16)));
        // Prefix lists are ordered by key and bounded; other kinds and keys stay apart.
        for key in ["site/3", "site/2", "sitex/1"] {
            store
                .put_doc(
                    &Doc::new("counter", key, agency, serde_json::json!({})),
                    Expect::Any,
                )
                .await
                .unwrap();
        }
        store
            .put_doc(
                &Doc::new("other", "site/9", agency, serde_json::json!({})),
                Expect::Any,
            )
            .await
            .unwrap();
        let keys: Vec<String> = store
            .docs("counter", "site/", 10)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.key)
            .collect();
        assert_eq!(keys, ["site/1", "site/2", "site/3"]);
        assert_eq!(store.docs("counter", "site/", 2).await.unwrap().len(), 2);
        store.delete_doc("counter", "site/2").await.unwrap();
        assert!(store.doc("counter", "site/2").await.unwrap().is_none());
        assert_eq!(store.counts().await.unwrap()["docs"], 4);
    }
);

contract!(
    a_document_changed_by_many_writers_at_once_loses_none,
    |store| {
        use serde_json::value::{to_raw_value, RawValue};
        let agency = new_id();
        // `f` sees what is stored (nothing yet) and writing nothing leaves nothing.
        let mut seen = Vec::new();
        let none = store
            .update_doc("counter", "hot", agency, &mut |old: Option<&RawValue>| {
                seen.push(old.map(|r| r.get().to_string()));
                None
            })
            .await
            .unwrap();
        assert_eq!((none, seen), (None, vec![None]));
        assert!(store.doc("counter", "hot").await.unwrap().is_none());
        // 32 writers, the first ones racing to create it, each add one: none is lost, and each
        // write is one revision.
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .update_doc("counter", "hot", agency, &mut |old: Option<&RawValue>| {
                        let n = old.map_or(0, |r| {
                            serde_json::from_str::<serde_json::Value>(r.get()).unwrap()["n"]
                                .as_u64()
                                .unwrap()
                        });
                        Some(to_raw_value(&serde_json::json!({"n": n + 1})).unwrap())
                    })
                    .await
                    .unwrap()
                    .unwrap()
            }));
        }
        let mut revs = Vec::new();
        for t in tasks {
            revs.push(t.await.unwrap());
        }
        revs.sort();
        assert_eq!(revs, (1..=32).collect::<Vec<u64>>());
        let d = store.doc("counter", "hot").await.unwrap().unwrap();
        assert_eq!(
            (d.rev, d.body["n"].as_u64(), d.agency_id),
            (32, Some(32), agency)
        );
        // A write expecting the revision it read still works over it, and the next change sees it.
        let mut next = d.clone();
        next.body["n"] = 100.into();
        assert_eq!(store.put_doc(&next, Expect::Rev(32)).await.unwrap(), 33);
        let rev = store
            .update_doc("counter", "hot", agency, &mut |old: Option<&RawValue>| {
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(old.unwrap().get()).unwrap()["n"],
                    100
                );
                Some(to_raw_value(&serde_json::json!({"n": 101})).unwrap())
            })
            .await
            .unwrap();
        assert_eq!(rev, Some(34));
        assert!(matches!(
            store.put_doc(&next, Expect::Rev(33)).await,
            Err(StoreError::Stale)
        ));
        // "Whatever is there" counts on from the stored revision.
        assert_eq!(store.put_doc(&next, Expect::Any).await.unwrap(), 35);
        assert_eq!(store.doc("counter", "hot").await.unwrap().unwrap().rev, 35);
    }
);

contract!(numbers_counted_at_once_are_each_given_once, |store| {
    let agency = new_id();
    // 32 writers take a number at once, counting from 1000: each gets its own.
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .count_in_doc("seq", "m1", agency, "orders", 1, 1000)
                .await
                .unwrap()
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap());
    }
    got.sort();
    assert_eq!(got, (1001..=1032).collect::<Vec<u64>>());
    // Another field counts on its own; the document reads back whole, a revision per count.
    assert_eq!(
        store
            .count_in_doc("seq", "m1", agency, "changes", 5, 0)
            .await
            .unwrap(),
        5
    );
    let d = store.doc("seq", "m1").await.unwrap().unwrap();
    assert_eq!(d.body, serde_json::json!({"orders": 1032, "changes": 5}));
    assert_eq!((d.rev, d.agency_id), (33, agency));
    // A floor above the count moves it up, and the body's other fields stay.
    let mut next = d.clone();
    next.body["note"] = "kept".into();
    store.put_doc(&next, Expect::Rev(33)).await.unwrap();
    assert_eq!(
        store
            .count_in_doc("seq", "m1", agency, "orders", 1, 5000)
            .await
            .unwrap(),
        5001
    );
    let d = store.doc("seq", "m1").await.unwrap().unwrap();
    assert_eq!((d.rev, &d.body["note"]), (35, &serde_json::json!("kept")));
});
