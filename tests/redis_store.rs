//! The Redis dedupe store against a real `redis-server`.
//!
//! `.ci/run` installs `redis-server`, starts one on a loopback port and sets `REDIS_URL`; the
//! tests use it, and start private servers of their own where they must stop and restart one.
//! Outside CI, without a `redis-server` binary, these tests are skipped with a loud message; in
//! CI (`CI` set) a missing server is a failure.

mod common;
#[path = "support/dedupe_harness.rs"]
mod harness;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::stream::{FuturesUnordered, StreamExt};
use harness::{actix_app, axum_app, delivery, duplicate, ok, send_axum, verifier, Mode, Script};
use webhook_guard::dedupe::redis::RedisStore;
use webhook_guard::dedupe::{Dedupe, DedupeStore, Reserve, Token};

/// A prefix no other run shares, so that runs against one server never see each other's keys.
fn unique(tag: &str) -> String {
    format!(
        "wg-test:{tag}:{}:{}:",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// `None` (after a loud message) when there is no Redis to test against outside CI.
fn skip_without_redis(what: &str) -> bool {
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but redis-server is not installed: .ci/run must install it"
    );
    eprintln!(
        "\n\n*** SKIPPED {what}: no redis-server on PATH (install it, e.g. apt-get install \
         redis-server; CI does) ***\n"
    );
    true
}

/// A private redis-server on a free loopback port, with an append-only file so that it keeps
/// its data across a restart, killed when dropped.
struct Server {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl Server {
    fn start() -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(unique("dir").replace(':', "_"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut s = Server {
            child: None,
            port,
            dir,
        };
        s.restart();
        s
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The server the tests share: CI's (`REDIS_URL`), or a private one.
fn shared_redis() -> (String, Option<Server>) {
    match std::env::var("REDIS_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let s = Server::start();
            (s.url(), Some(s))
        }
    }
}

#[tokio::test]
async fn store_semantics_on_a_real_redis() {
    if std::env::var_os("REDIS_URL").is_none() && skip_without_redis("store_semantics") {
        return;
    }
    let (url, _server) = shared_redis();
    let store = RedisStore::connect(&url)
        .await
        .unwrap()
        .key_prefix(unique("sem"));
    let lease = Duration::from_secs(30);
    let keep = Duration::from_secs(300);
    let (a, b) = (Token::fresh(), Token::fresh());
    assert_eq!(
        store.reserve("k", a, lease).await.unwrap(),
        Reserve::Reserved
    );
    match store.reserve("k", b, lease).await.unwrap() {
        Reserve::InFlight { retry_after } => {
            assert!(retry_after <= lease && retry_after > Duration::from_secs(25))
        }
        other => panic!("{other:?}"),
    }
    // Token-checked: b cannot release or commit a's reservation.
    store.release("k", b).await.unwrap();
    assert!(!store.commit("k", b, keep).await.unwrap());
    assert!(matches!(
        store.reserve("k", b, lease).await.unwrap(),
        Reserve::InFlight { .. }
    ));
    store.release("k", a).await.unwrap();
    assert_eq!(
        store.reserve("k", b, lease).await.unwrap(),
        Reserve::Reserved
    );
    assert!(store.commit("k", b, keep).await.unwrap());
    assert_eq!(store.reserve("k", a, lease).await.unwrap(), Reserve::Done);
    store.release("k", b).await.unwrap();
    assert_eq!(store.reserve("k", a, lease).await.unwrap(), Reserve::Done);

    // An expired lease is free again, and the old holder cannot touch the new one's.
    let short = Duration::from_millis(150);
    assert_eq!(
        store.reserve("e", a, short).await.unwrap(),
        Reserve::Reserved
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        store.reserve("e", b, lease).await.unwrap(),
        Reserve::Reserved
    );
    store.release("e", a).await.unwrap();
    assert!(!store.commit("e", a, keep).await.unwrap());
    assert!(store.commit("e", b, short).await.unwrap());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        store.reserve("e", a, lease).await.unwrap(),
        Reserve::Reserved,
        "retention expired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_app_instances_sharing_redis_run_the_handler_once() {
    if std::env::var_os("REDIS_URL").is_none() && skip_without_redis("two_app_instances") {
        return;
    }
    let (url, _server) = shared_redis();
    let prefix = unique("two");
    // Two replicas: separate apps, separate connections, one Redis, one handler effect counter.
    let script = Script::default();
    let replica = || {
        let store = RedisStore::new(&url).unwrap().key_prefix(prefix.clone());
        axum_app(verifier(), Dedupe::new(store), &script)
    };
    let (a, b) = (replica(), replica());
    script.plan(&[Mode::Gate]);
    let d = delivery("evt_replicas");
    let mut pending: FuturesUnordered<_> = (0..100)
        .map(|i| {
            let app = if i % 2 == 0 { a.clone() } else { b.clone() };
            let d = d.clone();
            tokio::spawn(async move { send_axum(&app, &d).await })
        })
        .collect();
    for _ in 0..99 {
        let got = tokio::time::timeout(Duration::from_secs(20), pending.next())
            .await
            .expect("duplicates must be answered while the first is in flight")
            .unwrap()
            .unwrap();
        assert_eq!(got.status, 409, "{got:?}");
        assert!(got.retry_after.is_some());
    }
    assert_eq!(script.calls(), 1);
    script.gate.add_permits(1);
    assert_eq!(pending.next().await.unwrap().unwrap(), ok());
    assert_eq!(send_axum(&a, &d).await, duplicate());
    assert_eq!(send_axum(&b, &d).await, duplicate());
    assert_eq!((script.calls(), script.effects()), (1, 1));
}

#[actix_web::test]
async fn actix_with_redis_fails_then_succeeds_once() {
    if std::env::var_os("REDIS_URL").is_none() && skip_without_redis("actix_with_redis") {
        return;
    }
    let (url, _server) = shared_redis();
    let store = RedisStore::new(&url).unwrap().key_prefix(unique("actix"));
    let script = Script::default();
    let app = actix_app(verifier(), Dedupe::new(store), &script).await;
    script.plan(&[Mode::Fail, Mode::Ok]);
    let d = delivery("evt_actix_redis");
    assert_eq!(app.send(&d).await.status, 500);
    assert_eq!(app.send(&d).await, ok());
    assert_eq!(app.send(&d).await, duplicate());
    assert_eq!((script.calls(), script.effects()), (2, 1));
}

#[tokio::test]
async fn redis_restart_answers_503_while_down_then_recovers_losing_nothing() {
    if skip_without_redis("redis_restart") {
        return;
    }
    let mut server = Server::start();
    let store = RedisStore::new(&server.url())
        .unwrap()
        .op_timeout(Duration::from_millis(500));
    let script = Script::default();
    let app = axum_app(verifier(), Dedupe::new(store), &script);
    let (first, second) = (delivery("evt_before"), delivery("evt_during"));
    assert_eq!(send_axum(&app, &first).await, ok());

    server.kill();
    for d in [&second, &first] {
        let got = send_axum(&app, d).await;
        assert_eq!(got.status, 503, "{got:?}");
        assert_eq!(got.error.as_deref(), Some("dedupe_store_unavailable"));
        assert!(got.retry_after.is_some());
    }
    assert_eq!(script.calls(), 1, "nothing may run while the store is down");

    server.restart();
    // The provider keeps retrying; once Redis is back the retry is handled...
    let deadline = Instant::now() + Duration::from_secs(15);
    let got = loop {
        let got = send_axum(&app, &second).await;
        if got.status != 503 || Instant::now() > deadline {
            break got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(got, ok(), "the delivery refused during the outage was lost");
    // ... and what was handled before the outage is still known (append-only file).
    assert_eq!(send_axum(&app, &first).await, duplicate());
    assert_eq!(send_axum(&app, &second).await, duplicate());
    assert_eq!((script.calls(), script.effects()), (2, 2));
}

#[tokio::test]
async fn unreachable_redis_fails_closed_unless_told_to_fail_open() {
    // Nothing listens on this port: no redis-server is needed for this test.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}/");
    let store = || {
        RedisStore::new(&url)
            .unwrap()
            .op_timeout(Duration::from_millis(300))
    };
    assert!(RedisStore::connect(&url).await.is_err());

    let script = Script::default();
    let closed = axum_app(verifier(), Dedupe::new(store()), &script);
    let got = send_axum(&closed, &delivery("evt_x")).await;
    assert_eq!(
        (got.status, got.error.as_deref()),
        (503, Some("dedupe_store_unavailable"))
    );
    assert_eq!(script.calls(), 0);

    let open = axum_app(
        verifier(),
        Dedupe::builder(store()).fail_open().build().unwrap(),
        &script,
    );
    assert_eq!(send_axum(&open, &delivery("evt_x")).await, ok());
    assert_eq!(script.calls(), 1);
    // The error never shows the URL (it could carry a password).
    let err = RedisStore::connect("redis://:hunter2@127.0.0.1:1/")
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{:?}", store()).contains(&port.to_string()));
}
