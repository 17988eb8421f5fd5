//! Idempotency with the in-memory store, through both adapters: the handler succeeds once per
//! delivery, failures and abandoned attempts never make a retry look like a duplicate, and only
//! verified deliveries reach the store.

mod common;
#[path = "support/dedupe_harness.rs"]
mod harness;

use std::time::Duration;

use common::P;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use harness::{
    actix_app, axum_app, delivery, duplicate, forged, now, ok, send_axum, verifier, Answer,
    Delivery, Mode, Script,
};
use webhook_guard::dedupe::{Dedupe, DedupeStore, KeyBy, MemoryStore, Reserve, Token};
use webhook_guard::Verifier;

fn assert_in_flight(a: &Answer) {
    assert_eq!(a.status, 409, "{a:?}");
    assert_eq!(a.error.as_deref(), Some("delivery_in_flight"));
    let secs: u64 = a.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((1..=61).contains(&secs), "Retry-After {secs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn axum_hundred_concurrent_duplicates_run_the_handler_once() {
    let script = Script::default();
    let app = axum_app(verifier(), Dedupe::new(MemoryStore::new(1000)), &script);
    script.plan(&[Mode::Gate]);
    let d = delivery("evt_concurrent");
    let mut pending: FuturesUnordered<_> = (0..100)
        .map(|_| {
            let (app, d) = (app.clone(), d.clone());
            tokio::spawn(async move { send_axum(&app, &d).await })
        })
        .collect();
    // The first one is held in the handler; all 99 others are turned away meanwhile.
    for _ in 0..99 {
        let a = tokio::time::timeout(Duration::from_secs(20), pending.next())
            .await
            .expect("duplicates must be answered while the first is in flight")
            .unwrap()
            .unwrap();
        assert_in_flight(&a);
    }
    assert_eq!(script.calls(), 1);
    script.gate.add_permits(1);
    let first = pending.next().await.unwrap().unwrap();
    assert_eq!(first, ok());
    assert_eq!((script.calls(), script.effects()), (1, 1));
    // Later duplicates are acknowledged without the handler.
    assert_eq!(send_axum(&app, &d).await, duplicate());
    assert_eq!(script.calls(), 1);
}

#[actix_web::test]
async fn actix_hundred_concurrent_duplicates_run_the_handler_once() {
    let script = Script::default();
    let app = actix_app(verifier(), Dedupe::new(MemoryStore::new(1000)), &script).await;
    script.plan(&[Mode::Gate]);
    let d = delivery("evt_concurrent");
    let mut pending: FuturesUnordered<_> = (0..100).map(|_| app.send(&d)).collect();
    for _ in 0..99 {
        let a = tokio::time::timeout(Duration::from_secs(20), pending.next())
            .await
            .expect("duplicates must be answered while the first is in flight")
            .unwrap();
        assert_in_flight(&a);
    }
    assert_eq!(script.calls(), 1);
    script.gate.add_permits(1);
    assert_eq!(pending.next().await.unwrap(), ok());
    assert_eq!((script.calls(), script.effects()), (1, 1));
    assert_eq!(app.send(&d).await, duplicate());
    assert_eq!(script.calls(), 1);
}

/// The scenarios of item 11 and the store's boundaries, written once over a `send` function.
macro_rules! scenarios {
    ($send:expr, $app:expr, $script:expr, $store:expr) => {{
        let (send, script, store) = ($send, $script, $store);

        // A failure is not remembered: the retry runs the handler again, and only the
        // successful run has an effect; after it, duplicates are acknowledged.
        script.plan(&[Mode::Fail, Mode::Ok]);
        let d = delivery("evt_fail_then_ok");
        assert_eq!(send(&d).await.status, 500);
        assert_eq!(send(&d).await, ok());
        assert_eq!(send(&d).await, duplicate());
        assert_eq!((script.calls(), script.effects()), (2, 1));

        // A panicking handler releases its reservation.
        script.plan(&[Mode::Panic, Mode::Ok]);
        let d = delivery("evt_panic");
        let caught = std::panic::AssertUnwindSafe(send(&d)).catch_unwind().await;
        assert!(caught.is_err(), "the handler was scripted to panic");
        assert_eq!(send(&d).await, ok());
        assert_eq!((script.calls(), script.effects()), (4, 2));

        // A request dropped mid-handler (the client went away) releases it too.
        script.plan(&[Mode::Hang, Mode::Ok]);
        let d = delivery("evt_dropped");
        let abandoned = tokio::time::timeout(Duration::from_millis(200), send(&d)).await;
        assert!(abandoned.is_err(), "the handler was scripted to hang");
        assert_eq!(send(&d).await, ok());
        assert_eq!((script.calls(), script.effects()), (6, 3));

        // Forged deliveries never reach the store, even with a known id.
        let before = store.len();
        let f = forged("evt_forged");
        assert_eq!(send(&f).await.status, 401);
        assert_eq!(
            store.len(),
            before,
            "an unverified request touched the store"
        );
        assert_eq!(send(&delivery("evt_forged")).await, ok());
        assert_eq!(script.calls(), 7);
    }};
}

#[tokio::test]
async fn axum_failures_panics_and_dropped_requests_release() {
    let script = Script::default();
    let store = MemoryStore::new(1000);
    let app = axum_app(verifier(), Dedupe::new(store.clone()), &script);
    // The request future itself (not a spawned task), so that dropping it abandons the request
    // as a server does when the client goes away.
    let send = |d: &Delivery| {
        let (app, d) = (app.clone(), d.clone());
        async move { send_axum(&app, &d).await }
    };
    scenarios!(send, app, &script, &store);
}

#[actix_web::test]
async fn actix_failures_panics_and_dropped_requests_release() {
    let script = Script::default();
    let store = MemoryStore::new(1000);
    let app = actix_app(verifier(), Dedupe::new(store.clone()), &script).await;
    let send = |d: &Delivery| app.send(d);
    scenarios!(send, app, &script, &store);
}

/// The same memory store behind `Arc<dyn DedupeStore>`: the adapters then go through the
/// store's futures (the path every other store takes) instead of the memory store's direct one.
fn through_the_trait(store: &MemoryStore) -> Dedupe {
    let shared: std::sync::Arc<dyn DedupeStore> = std::sync::Arc::new(store.clone());
    Dedupe::builder_arc(shared).build().unwrap()
}

#[tokio::test]
async fn axum_failures_panics_and_dropped_requests_release_through_the_store_trait() {
    let script = Script::default();
    let store = MemoryStore::new(1000);
    let app = axum_app(verifier(), through_the_trait(&store), &script);
    let send = |d: &Delivery| {
        let (app, d) = (app.clone(), d.clone());
        async move { send_axum(&app, &d).await }
    };
    scenarios!(send, app, &script, &store);
}

#[actix_web::test]
async fn actix_failures_panics_and_dropped_requests_release_through_the_store_trait() {
    let script = Script::default();
    let store = MemoryStore::new(1000);
    let app = actix_app(verifier(), through_the_trait(&store), &script).await;
    let send = |d: &Delivery| app.send(d);
    scenarios!(send, app, &script, &store);
}

#[tokio::test]
async fn a_crashed_holders_lease_expires_and_the_retry_goes_through() {
    let script = Script::default();
    let store = MemoryStore::new(1000);
    let dedupe = Dedupe::builder(store.clone())
        .lease(Duration::from_millis(300))
        .build()
        .unwrap();
    let app = axum_app(verifier(), dedupe.clone(), &script);
    // Another process reserved this delivery, then died without releasing it.
    let d = delivery("evt_crash");
    let verified = verifier().verify(&d.headers, &d.body).unwrap();
    // The core alone does not keep the body, so Stripe's body-borne id is read from it here.
    assert_eq!(verified.event_id(), None);
    assert_eq!(verified.event_id_in(&d.body).as_deref(), Some("evt_crash"));
    // `<namespace>:<provider>:id:<event id>`; the 409 below shows the adapter uses this key.
    let key = format!(":stripe:id:{}", verified.event_id_in(&d.body).unwrap());
    let crashed = Token::fresh();
    let lease = Duration::from_millis(300);
    assert_eq!(
        store.reserve(&key, crashed, lease).await.unwrap(),
        Reserve::Reserved
    );
    assert_in_flight(&send_axum(&app, &d).await);
    assert_eq!(script.calls(), 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(send_axum(&app, &d).await, ok());
    assert_eq!(script.calls(), 1);
    // The dead holder, should it come back, cannot undo the commit.
    store.release(&key, crashed).await.unwrap();
    assert_eq!(send_axum(&app, &d).await, duplicate());
}

#[tokio::test]
async fn keys_namespaces_and_duplicate_status() {
    let store = MemoryStore::new(1000);
    let script = Script::default();
    let billing = axum_app(
        verifier(),
        Dedupe::builder(store.clone())
            .namespace("billing")
            .duplicate_status(202)
            .build()
            .unwrap(),
        &script,
    );
    let other = axum_app(
        verifier(),
        Dedupe::builder(store.clone())
            .namespace("other")
            .build()
            .unwrap(),
        &script,
    );
    let d = delivery("evt_ns");
    assert_eq!(send_axum(&billing, &d).await, ok());
    let again = send_axum(&billing, &d).await;
    assert_eq!((again.status, again.duplicate), (202, true));
    // The same id in another namespace is another delivery.
    assert_eq!(send_axum(&other, &d).await, ok());
    assert_eq!(script.calls(), 2);

    // Bad settings are refused when built, not at request time.
    assert!(Dedupe::builder(store.clone())
        .duplicate_status(409)
        .build()
        .is_err());
    assert!(Dedupe::builder(store.clone())
        .namespace("a:b")
        .build()
        .is_err());
    assert!(Dedupe::builder(store.clone())
        .lease(Duration::from_secs(10))
        .retention(Duration::from_secs(1))
        .build()
        .is_err());
}

#[tokio::test]
async fn deliveries_without_an_id_pass_or_key_on_their_signature() {
    // GitHub without X-GitHub-Delivery: nothing to key on by default.
    let secret = "gh-secret";
    let gh = || Verifier::github(secret).build().unwrap();
    let body = br#"{"zen":"Non-blocking is better than blocking."}"#.to_vec();
    let mut headers = P::GitHub.sign(secret, &body, now(), "x");
    headers.retain(|(k, _)| k != "X-GitHub-Delivery");
    let d = Delivery { headers, body };

    let script = Script::default();
    let app = axum_app(gh(), Dedupe::new(MemoryStore::new(10)), &script);
    assert_eq!(send_axum(&app, &d).await, ok());
    assert_eq!(send_axum(&app, &d).await, ok());
    assert_eq!(script.calls(), 2);

    let script = Script::default();
    let dedupe = Dedupe::builder(MemoryStore::new(10))
        .key_by(KeyBy::EventIdOrSignature)
        .build()
        .unwrap();
    let app = axum_app(gh(), dedupe, &script);
    assert_eq!(send_axum(&app, &d).await, ok());
    assert_eq!(send_axum(&app, &d).await, duplicate());
    assert_eq!(script.calls(), 1);

    // Keyed on the signature, a replay under a fresh (unsigned) delivery id is caught too.
    let script = Script::default();
    let dedupe = Dedupe::builder(MemoryStore::new(10))
        .key_by(KeyBy::Signature)
        .build()
        .unwrap();
    let app = axum_app(gh(), dedupe, &script);
    let mut with_id = d.clone();
    with_id
        .headers
        .push(("X-GitHub-Delivery".into(), "one".into()));
    assert_eq!(send_axum(&app, &with_id).await, ok());
    let mut replay = d.clone();
    replay
        .headers
        .push(("X-GitHub-Delivery".into(), "two".into()));
    assert_eq!(send_axum(&app, &replay).await, duplicate());
    assert_eq!(script.calls(), 1);
}

/// A delivery recorded while every index slot of a small store is held for reservations in
/// flight (here seven whose holders never came back, the slots of a 4-key store) is still
/// found: its duplicate is not handled again. The commit comes from a holder whose own
/// reservation is already gone (its lease ran out and was swept), which records the delivery
/// anyway.
#[tokio::test]
async fn a_delivery_recorded_while_every_index_slot_is_held_is_found() {
    let store = MemoryStore::new(4);
    let (short, keep) = (Duration::from_millis(1), Duration::from_secs(3600));
    // A first delivery, so that the index exists (it is built at the first commit).
    let t = Token::fresh();
    assert_eq!(
        store.reserve("first", t, short).await.unwrap(),
        Reserve::Reserved
    );
    assert!(store.commit("first", t, keep).await.unwrap());
    for i in 0..7 {
        let key = format!("crashed:{i}");
        assert_eq!(
            store.reserve(&key, Token::fresh(), short).await.unwrap(),
            Reserve::Reserved
        );
    }
    // Past the coarse clock's tick (up to 10 ms) and the leases.
    tokio::time::sleep(Duration::from_millis(25)).await;
    assert!(store.commit("late", Token::fresh(), keep).await.unwrap());
    assert_eq!(
        store
            .reserve("late", Token::fresh(), Duration::from_secs(60))
            .await
            .unwrap(),
        Reserve::Done
    );
    // The first delivery made room for the reservations (the store holds 4 keys); "late" is
    // the one key left.
    assert_eq!(store.len(), 1);
    assert_eq!(store.evicted(), 1);
}

#[tokio::test]
async fn memory_store_stays_bounded_and_never_evicts_in_flight_reservations() {
    let max = 1000;
    let store = MemoryStore::new(max);
    let lease = Duration::from_secs(60);
    let keep = Duration::from_secs(3600);
    // Reservations in flight while the store fills up with ten times its bound.
    let held: Vec<(String, Token)> = (0..100)
        .map(|i| (format!("held:{i}"), Token::fresh()))
        .collect();
    for (k, t) in &held {
        assert_eq!(
            store.reserve(k, *t, lease).await.unwrap(),
            Reserve::Reserved
        );
    }
    for i in 0..10 * max {
        let k = format!("done:{i}");
        let t = Token::fresh();
        assert_eq!(
            store.reserve(&k, t, lease).await.unwrap(),
            Reserve::Reserved
        );
        assert!(store.commit(&k, t, keep).await.unwrap());
        assert!(store.len() <= max, "{} keys, bound {max}", store.len());
    }
    assert!(store.len() <= max);
    assert!(
        store.evicted() >= (9 * max) as u64 - 100,
        "early evictions are counted: {}",
        store.evicted()
    );
    for (k, t) in &held {
        let again = store.reserve(k, Token::fresh(), lease).await.unwrap();
        assert!(
            matches!(again, Reserve::InFlight { .. }),
            "{k} was evicted while in flight"
        );
        // ... and its holder can still commit it.
        assert!(store.commit(k, *t, keep).await.unwrap());
    }
}

/// One request over a fresh connection to a real server; returns the status line's code and
/// whether the duplicate header was set.
async fn post_raw(addr: std::net::SocketAddr, d: &Delivery) -> (u16, bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "POST /hook HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        d.body.len()
    );
    for (k, v) in &d.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&d.body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).to_lowercase();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    (status, text.contains("webhook-guard-duplicate: true"))
}

#[actix_web::test]
async fn actix_server_workers_share_one_store() {
    use actix_web::{web, App, HttpResponse, HttpServer};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    // Built once, outside the factory, as the README says; every worker gets a clone.
    let verifier = verifier();
    let dedupe = Dedupe::new(MemoryStore::new(1000));
    let calls = Arc::new(AtomicUsize::new(0));
    let workers_seen = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    let gate = Arc::new(tokio::sync::Notify::new());
    let (c, w, g) = (calls.clone(), workers_seen.clone(), gate.clone());
    let server = HttpServer::new(move || {
        let (c, w, g) = (c.clone(), w.clone(), g.clone());
        App::new()
            .service(
                web::resource("/hook")
                    .wrap(
                        webhook_guard::actix::VerifyWebhook::new(verifier.clone())
                            .dedupe(dedupe.clone()),
                    )
                    .route(web::post().to(move || {
                        let (c, g) = (c.clone(), g.clone());
                        c.fetch_add(1, Ordering::SeqCst);
                        async move {
                            g.notified().await;
                            HttpResponse::Ok().finish()
                        }
                    })),
            )
            .wrap_fn({
                let w = w.clone();
                move |req, srv| {
                    w.lock().unwrap().insert(std::thread::current().id());
                    actix_web::dev::Service::call(srv, req)
                }
            })
    })
    .workers(2)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let d = delivery("evt_workers");
    let mut pending: FuturesUnordered<_> = (0..20)
        .map(|_| {
            let d = d.clone();
            actix_web::rt::spawn(async move { post_raw(addr, &d).await })
        })
        .collect();
    for _ in 0..19 {
        let (status, _) = tokio::time::timeout(Duration::from_secs(20), pending.next())
            .await
            .expect("duplicates are answered while the first is in flight")
            .unwrap()
            .unwrap();
        assert_eq!(status, 409);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    gate.notify_one();
    assert_eq!(pending.next().await.unwrap().unwrap(), (200, false));
    assert_eq!(post_raw(addr, &d).await, (200, true));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        workers_seen.lock().unwrap().len(),
        2,
        "the requests should have been spread over both workers"
    );
    handle.stop(true).await;
}

/// The layer hands the memory store the hash of the key it composes on the stack; a caller
/// who asks `Dedupe::key_for` and uses the store's text API must name the same delivery. For
/// every kind of id: in the body (Stripe), a short header id (kept inline), a long one (boxed),
/// a non-ASCII one, one whose key is too long to be composed on the stack (the layer builds the
/// text key first), and the signature when there is no id; with and without a namespace.
#[tokio::test]
async fn the_layer_and_key_for_name_the_same_key() {
    use axum::extract::Extension;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;
    use webhook_guard::tower::VerifyWebhookLayer;
    use webhook_guard::Verified;

    let gh_secret = "gh-secret";
    let gh_body = br#"{"zen":"Keep it logically awesome."}"#.to_vec();
    let gh = |id: Option<&[u8]>| {
        let mut headers = P::GitHub.sign(gh_secret, &gh_body, now(), "unused");
        headers.retain(|(k, _)| k != "X-GitHub-Delivery");
        let mut req = http::Request::post("/hook");
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        if let Some(id) = id {
            req = req.header(
                "X-GitHub-Delivery",
                http::HeaderValue::from_bytes(id).unwrap(),
            );
        }
        req.body(axum::body::Body::from(gh_body.clone())).unwrap()
    };
    let long = "d".repeat(100);
    // The longest id kept (256 bytes): with `:github:id:` in front, past the 256-byte buffer.
    let longest = "e".repeat(256);
    let cases: Vec<(&str, Verifier, KeyBy, &str, http::Request<axum::body::Body>)> = vec![
        (
            "stripe, id in the body",
            harness::verifier(),
            KeyBy::EventId,
            "billing",
            {
                let d = delivery("evt_key_agreement");
                let mut req = http::Request::post("/hook");
                for (k, v) in &d.headers {
                    req = req.header(k, v);
                }
                req.body(axum::body::Body::from(d.body)).unwrap()
            },
        ),
        (
            "github, short id",
            Verifier::github(gh_secret).build().unwrap(),
            KeyBy::EventId,
            "",
            gh(Some(b"72d3162e-cc78-11e3-81ab-4c9367dc0958")),
        ),
        (
            "github, long id",
            Verifier::github(gh_secret).build().unwrap(),
            KeyBy::EventId,
            "ns",
            gh(Some(long.as_bytes())),
        ),
        (
            "github, id whose key does not fit on the stack",
            Verifier::github(gh_secret).build().unwrap(),
            KeyBy::EventId,
            "ns",
            gh(Some(longest.as_bytes())),
        ),
        (
            "github, non-ASCII id",
            Verifier::github(gh_secret).build().unwrap(),
            KeyBy::EventId,
            "",
            gh(Some("livraison-\u{e9}t\u{e9}".as_bytes())),
        ),
        (
            "github, no id, keyed on the signature",
            Verifier::github(gh_secret).build().unwrap(),
            KeyBy::EventIdOrSignature,
            "ns",
            gh(None),
        ),
    ];
    for (what, verifier, key_by, namespace, request) in cases {
        let store = MemoryStore::new(100);
        let mut builder = Dedupe::builder(store.clone()).key_by(key_by);
        if !namespace.is_empty() {
            builder = builder.namespace(namespace);
        }
        let dedupe = builder.build().unwrap();
        let seen: Arc<Mutex<Option<String>>> = Arc::default();
        let app = axum::Router::new()
            .route(
                "/hook",
                axum::routing::post(
                    |Extension(seen): Extension<Arc<Mutex<Option<String>>>>,
                     Extension(dedupe): Extension<Dedupe>,
                     v: Verified| async move {
                        *seen.lock().unwrap() = dedupe.key_for(&v);
                        "ok"
                    },
                ),
            )
            .route_layer(VerifyWebhookLayer::new(verifier).dedupe(dedupe.clone()))
            .layer(Extension(seen.clone()))
            .layer(Extension(dedupe));
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200, "{what}");
        let key = seen
            .lock()
            .unwrap()
            .clone()
            .unwrap_or_else(|| panic!("{what}: no key"));
        // The layer committed the delivery under its hash; the text key finds it handled.
        let lease = Duration::from_secs(60);
        assert_eq!(
            store.reserve(&key, Token::fresh(), lease).await.unwrap(),
            Reserve::Done,
            "{what}: key {key:?}"
        );
        // And a key one byte longer is another delivery.
        let other = format!("{key}x");
        assert_eq!(
            store.reserve(&other, Token::fresh(), lease).await.unwrap(),
            Reserve::Reserved,
            "{what}"
        );
    }
}
