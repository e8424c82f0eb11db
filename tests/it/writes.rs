//! Concurrent writes through `Store::write` (on SQLite they share one transaction, each in its
//! own savepoint, and one COMMIT answers them all): a failing write leaves the others alone, a
//! writer that goes away mid-write keeps nothing, and every answered write is committed.

use crate::harness::*;
use guichet_domain::org::OrganizationInput;
use guichet_store::counters::{self, Counter};
use guichet_store::{StoreError, Tenant, organizations};
use std::time::Duration;

/// Three independent counters: the order numbers of three days.
const W: Counter = Counter::Order(jiff::civil::date(2021, 3, 16));
const X: Counter = Counter::Order(jiff::civil::date(2021, 3, 17));
const Y: Counter = Counter::Order(jiff::civil::date(2021, 3, 18));

async fn counter(app: &TestApp, tenant: Tenant, c: Counter) -> i64 {
    app.store
        .read(|tx| Box::pin(async move { counters::current(tx, tenant, c).await }))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_commit_alone_or_together_and_failures_keep_nothing() {
    let app = spawn().await;
    let org = OrganizationInput {
        name: "Writes".into(),
        currency: "EUR".into(),
        time_zone: "Europe/Brussels".into(),
        default_language: "fr".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let tenant = app
        .store
        .write(|tx| {
            let org = org.clone();
            Box::pin(async move { organizations::create(tx, &org).await })
        })
        .await
        .unwrap();

    // 60 writers at once; every third one fails after its increment.
    let mut tasks = Vec::new();
    for i in 0..60 {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .write(|tx| {
                    Box::pin(async move {
                        let v = counters::next(tx, tenant, W).await?;
                        if i % 3 == 0 {
                            return Err(StoreError::Refused("refused_on_purpose"));
                        }
                        Ok(v)
                    })
                })
                .await
        }));
    }
    let mut answered = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(v) => answered.push(v),
            Err(StoreError::Refused("refused_on_purpose")) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    answered.sort_unstable();
    // Failed writes kept nothing, so the 40 that succeeded numbered 1..=40 without a gap, and
    // each was committed before it was answered.
    assert_eq!(answered, (1..=40).collect::<Vec<i64>>());
    assert_eq!(counter(&app, tenant, W).await, 40);

    // A writer dropped in the middle of its write (a client gone) keeps nothing, and the
    // writers around it still commit.
    let slow = {
        let store = app.store.clone();
        tokio::spawn(async move {
            store
                .write(|tx| {
                    Box::pin(async move {
                        counters::next(tx, tenant, X).await?;
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        Ok(())
                    })
                })
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut others = Vec::new();
    for _ in 0..5 {
        let store = app.store.clone();
        others.push(tokio::spawn(async move {
            store
                .write(|tx| Box::pin(async move { counters::next(tx, tenant, Y).await }))
                .await
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    slow.abort();
    let mut ys = Vec::new();
    for t in others {
        ys.push(t.await.unwrap().unwrap());
    }
    ys.sort_unstable();
    assert_eq!(ys, vec![1, 2, 3, 4, 5]);
    assert_eq!(counter(&app, tenant, Y).await, 5);
    assert_eq!(
        counter(&app, tenant, X).await,
        0,
        "the dropped write kept nothing"
    );
    // And the store goes on writing.
    let v = app
        .store
        .write(|tx| Box::pin(async move { counters::next(tx, tenant, X).await }))
        .await
        .unwrap();
    assert_eq!(v, 1);
    app.stop().await;
}
