//! Memory per retained key and time per reserve+commit of the in-memory dedupe store.
//!
//! ```text
//! cargo run --release --example dedupe_footprint [keys] [threads]
//! ```
//!
//! Fills a `MemoryStore` bounded at `keys` (default 1 000 000) with that many Stripe-like keys
//! (`:stripe:id:evt_` + 24 characters, as real deliveries produce), from `threads` threads
//! (default 2), each key reserved then committed. Prints the resident memory the filled store
//! adds (from `/proc/self/status`, so Linux only) per key, and the mean time per
//! reserve+commit. Then it looks every key up again (each must be a duplicate).

use std::time::{Duration, Instant};

use webhook_guard::dedupe::{DedupeStore, MemoryStore, Reserve, Token};

fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn key(i: usize) -> String {
    format!(":stripe:id:evt_{i:0>24}")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let keys: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2).max(1);
    let lease = Duration::from_secs(60);
    let keep = Duration::from_secs(72 * 3600);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");

    // Pre-build the key strings so that their memory is not counted as the store's.
    let names: Vec<String> = (0..keys).map(key).collect();
    let before = rss_bytes();
    let store = MemoryStore::new(keys);
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let (store, names) = (&store, &names);
            s.spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    for name in names.iter().skip(t).step_by(threads) {
                        let token = Token::fresh();
                        let got = store.reserve(name, token, lease).await.expect("memory");
                        assert_eq!(got, Reserve::Reserved);
                        assert!(store.commit(name, token, keep).await.expect("memory"));
                    }
                });
            });
        }
    });
    let elapsed = started.elapsed();
    let after = rss_bytes();
    let (retained, evicted) = (store.len(), store.evicted());

    // Newest first: a miss reserves its key and so evicts an older one.
    let mut duplicates = 0usize;
    rt.block_on(async {
        for name in names.iter().rev() {
            if store.reserve(name, Token::fresh(), lease).await == Ok(Reserve::Done) {
                duplicates += 1;
            }
        }
    });

    println!("keys retained:          {retained} (bound {keys})");
    println!("evicted early:          {evicted}");
    println!("duplicates recognised:  {duplicates} of {keys}");
    println!(
        "reserve+commit:         {:.0} ns per key, {threads} threads ({:.2} M keys/s)",
        elapsed.as_nanos() as f64 * threads as f64 / keys as f64,
        keys as f64 / elapsed.as_secs_f64() / 1e6
    );
    match (before, after) {
        (Some(b), Some(a)) => println!(
            "resident memory added:  {:.1} MiB, {:.0} bytes per retained key",
            (a.saturating_sub(b)) as f64 / (1 << 20) as f64,
            a.saturating_sub(b) as f64 / retained.max(1) as f64
        ),
        _ => println!("resident memory: /proc/self/status not available"),
    }
}
