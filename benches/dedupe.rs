//! Reserve + commit per delivery, in memory and in Redis.
//!
//! ```text
//! cargo bench --bench dedupe --features redis                 # memory only
//! REDIS_URL=redis://127.0.0.1:6379/ cargo bench --bench dedupe --features redis
//! ```
//!
//! Each iteration is what the guard does for one new delivery that the handler accepts: one
//! `reserve` of a fresh key, then one `commit`. The Redis figures include the loopback round
//! trips (two script calls).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Waker};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use webhook_guard::dedupe::{DedupeStore, MemoryStore, Reserve, Token};

const LEASE: Duration = Duration::from_secs(60);
const KEEP: Duration = Duration::from_secs(72 * 3600);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn reserve_commit<S: DedupeStore>(
    c: &mut Criterion,
    rt: Option<&tokio::runtime::Runtime>,
    name: &str,
    store: &S,
) {
    let n = AtomicU64::new(0);
    let run = std::process::id();
    c.bench_function(name, |b| {
        b.iter(|| {
            let key = format!(
                ":stripe:id:evt_{run:08}{:016}",
                n.fetch_add(1, Ordering::Relaxed)
            );
            let once = async {
                let token = Token::fresh();
                let got = store.reserve(&key, token, LEASE).await.expect("store");
                assert_eq!(got, Reserve::Reserved);
                assert!(store.commit(&key, token, KEEP).await.expect("store"));
            };
            match rt {
                Some(rt) => rt.block_on(once),
                // The memory store answers at once: poll without a runtime's overhead.
                None => {
                    let mut cx = Context::from_waker(Waker::noop());
                    assert!(std::pin::pin!(once).poll(&mut cx).is_ready());
                }
            }
        })
    });
}

fn memory(c: &mut Criterion) {
    // A store the size of a busy service's three-day window; the bench stays below it.
    let store = MemoryStore::new(1_000_000);
    reserve_commit(c, None, "dedupe/memory reserve+commit", &store);
}

#[cfg(feature = "redis")]
fn redis(c: &mut Criterion) {
    let Ok(url) = std::env::var("REDIS_URL") else {
        eprintln!("dedupe/redis: skipped (set REDIS_URL to a running Redis)");
        return;
    };
    // The connection lives on the runtime that drives it: the same one runs the bench.
    let rt = runtime();
    let store = rt
        .block_on(webhook_guard::dedupe::redis::RedisStore::connect(&url))
        .expect("REDIS_URL must point to a running Redis")
        .key_prefix("webhook-guard-bench:");
    reserve_commit(
        c,
        Some(&rt),
        "dedupe/redis reserve+commit (loopback)",
        &store,
    );
}

#[cfg(not(feature = "redis"))]
fn redis(_: &mut Criterion) {
    eprintln!("dedupe/redis: skipped (build with --features redis)");
}

criterion_group!(benches, memory, redis);
criterion_main!(benches);
