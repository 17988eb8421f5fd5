//! What dedupe adds to a request through the Tower layer when the caches are cold, in process.
//!
//! ```text
//! cargo run --release --example dedupe_cold -- [code blocks] [data KiB] [batches]
//! taskset -c 1 target/release/examples/dedupe_cold 6 0 400    # ~60 KB of other code a request
//! ```
//!
//! In a real server each request runs ~100 KB of other code (hyper, tokio, axum, the kernel):
//! `CACHE=1 bash benches/http/callgrind.sh` counts ~1 460 first-level instruction-cache misses a
//! request for the `inline` route. That evicts dedupe's code from the first-level cache between
//! two requests, which `dedupe_overhead`'s tight loop never does. This program runs, before every
//! request, `code blocks` blocks of 256 distinct functions (~10 KB of code each) and writes
//! `data KiB` of a buffer, then sends the same GitHub deliveries (4 KiB, a new id each) through
//! the layer without and with `Dedupe::new(MemoryStore::default())`, in alternating batches of
//! 500 requests (the order swapped every batch), and prints the median of the per-batch
//! differences with its quartiles. The default store fills after 100 000 requests and then
//! evicts, as in the HTTP benchmark's `github-dedupe-default` route.

use std::convert::Infallible;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use tower::{Service, ServiceExt};
use webhook_guard::dedupe::{Dedupe, MemoryStore};
use webhook_guard::tower::VerifyWebhookLayer;
use webhook_guard::Verifier;

#[path = "github_delivery/mod.rs"]
mod github_delivery;
use github_delivery::GitHubDelivery;

const SECRET: &str = "dedupe-cold-secret";
const BATCH: usize = 500;

/// A stand-in for the rest of a server's request path, run before every request (both
/// sides): `code` blocks of 256 distinct functions each (~10 KB of code a block), and one byte
/// written per cache line of a `data_kb` KiB buffer.
mod thrash {
    /// One distinct function per `N`: its constants make each a separate piece of code.
    #[inline(never)]
    fn step<const N: u64>(x: u64) -> u64 {
        (x ^ N)
            .wrapping_mul(N | 1)
            .rotate_left((N % 61) as u32 + 1)
            .wrapping_add(N >> 3)
    }

    macro_rules! calls {
        ($x:ident, $base:expr, [$($i:literal)*]) => {
            $( $x = step::<{ $base + $i }>($x); )*
        };
    }

    macro_rules! block {
        ($name:ident, $base:expr) => {
            #[inline(never)]
            fn $name(mut x: u64) -> u64 {
                calls!(x, $base, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 16, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 32, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 48, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 64, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 80, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 96, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 112, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 128, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 144, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 160, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 176, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 192, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 208, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 224, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                calls!(x, $base + 240, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]);
                x
            }
        };
    }

    block!(b0, 0);
    block!(b1, 256);
    block!(b2, 512);
    block!(b3, 768);
    block!(b4, 1024);
    block!(b5, 1280);
    block!(b6, 1536);
    block!(b7, 1792);
    block!(b8, 2048);
    block!(b9, 2304);
    block!(b10, 2560);
    block!(b11, 2816);
    block!(b12, 3072);
    block!(b13, 3328);
    block!(b14, 3584);
    block!(b15, 3840);

    const BLOCKS: [fn(u64) -> u64; 16] = [
        b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15,
    ];

    /// What runs between two requests.
    pub struct Thrash {
        code: usize,
        data: Vec<u8>,
    }

    impl Thrash {
        /// `code` blocks (16 at most) and `data_kb` KiB of data.
        pub fn new(code: usize, data_kb: usize) -> Self {
            Thrash {
                code: code.min(BLOCKS.len()),
                data: vec![0; data_kb * 1024],
            }
        }

        /// Runs the configured code and touches the configured data.
        pub fn run(&mut self, seed: u64) -> u64 {
            let mut x = seed;
            for block in BLOCKS.iter().take(self.code) {
                x = block(x);
            }
            for line in self.data.chunks_mut(64) {
                if let Some(b) = line.first_mut() {
                    *b = b.wrapping_add(x as u8);
                }
            }
            x
        }
    }
}

/// The layer around a trivial handler, with or without dedupe.
type Guarded = webhook_guard::tower::VerifyWebhook<
    tower::util::ServiceFn<
        fn(
            http::Request<Full<Bytes>>,
        ) -> std::future::Ready<Result<http::Response<Full<Bytes>>, Infallible>>,
    >,
>;

fn handler(
    _: http::Request<Full<Bytes>>,
) -> std::future::Ready<Result<http::Response<Full<Bytes>>, Infallible>> {
    std::future::ready(Ok(http::Response::new(Full::new(Bytes::from_static(
        b"ok",
    )))))
}

/// Mean nanoseconds per request of one batch of new deliveries, each after the thrash.
fn batch(
    runtime: &tokio::runtime::Runtime,
    service: &mut Guarded,
    thrash: &mut thrash::Thrash,
    delivery: &GitHubDelivery,
    next_id: &mut u64,
) -> f64 {
    let started = Instant::now();
    runtime.block_on(async {
        for _ in 0..BATCH {
            std::hint::black_box(thrash.run(*next_id));
            *next_id += 1;
            let Some(request) = delivery.request(format!("72d3162e-cc78-{next_id:012}")) else {
                return;
            };
            let ready = ServiceExt::<http::Request<Full<Bytes>>>::ready(&mut *service)
                .await
                .unwrap_or_else(|never| match never {});
            match ready.call(request).await {
                Ok(response) if response.status() == 200 => {}
                _ => panic!("request {next_id} was not accepted"),
            }
        }
    });
    started.elapsed().as_nanos() as f64 / BATCH as f64
}

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let (code, data_kb, batches) = (arg(1, 6), arg(2, 0), arg(3, 400));
    let Some(delivery) = GitHubDelivery::new(SECRET) else {
        return;
    };
    let Ok(verifier) = Verifier::github(SECRET).build() else {
        return;
    };
    let handler: fn(_) -> _ = handler;
    let layer = VerifyWebhookLayer::new(verifier);
    let mut plain: Guarded = tower::ServiceBuilder::new()
        .layer(layer.clone())
        .service_fn(handler);
    let mut deduped: Guarded = tower::ServiceBuilder::new()
        .layer(layer.dedupe(Dedupe::new(MemoryStore::default())))
        .service_fn(handler);
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() else {
        return;
    };
    let mut thrash = thrash::Thrash::new(code, data_kb);
    let mut next_id = 0u64;
    let mut requests = |service: &mut Guarded, thrash: &mut thrash::Thrash| -> f64 {
        batch(&runtime, service, thrash, &delivery, &mut next_id)
    };
    // Fill the default store (100 000 keys) first: the HTTP route runs in its evicting state.
    for _ in 0..(100_000 / BATCH + 1) {
        requests(&mut deduped, &mut thrash);
    }
    let (mut base, mut diffs) = (Vec::new(), Vec::new());
    for b in 0..batches {
        let (p, d) = if b % 2 == 0 {
            let p = requests(&mut plain, &mut thrash);
            (p, requests(&mut deduped, &mut thrash))
        } else {
            let d = requests(&mut deduped, &mut thrash);
            (requests(&mut plain, &mut thrash), d)
        };
        base.push(p);
        diffs.push(d - p);
    }
    let quartiles = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            v.get((v.len().saturating_sub(1) as f64 * q) as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        (at(0.25), at(0.5), at(0.75))
    };
    let (_, plain_ns, _) = quartiles(&mut base);
    let (q1, median, q3) = quartiles(&mut diffs);
    println!(
        "code blocks {code}, data {data_kb} KiB: layer {plain_ns:.0} ns a request; dedupe adds {median:.0} ns [quartiles {q1:.0}, {q3:.0}] ({batches} batches of {BATCH})"
    );
}
