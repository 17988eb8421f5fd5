//! What dedupe adds to a request through the Tower layer, in process (no HTTP, no network).
//!
//! ```text
//! cargo run --release --example dedupe_overhead [requests] [store bound]
//! ```
//!
//! Sends `requests` (default 500 000) GitHub deliveries with a 4 KiB body through
//! `VerifyWebhookLayer` around a trivial service, each with a new `X-GitHub-Delivery` id (so
//! each is a first delivery: one reserve and one commit), first without dedupe, then with
//! `Dedupe::new(MemoryStore::new(..))` sized to hold them all (or bounded at `store bound`, e.g.
//! the HTTP benchmark's 4 000 000), alternating three times, and prints the mean time per
//! request of each and the difference.

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

const SECRET: &str = "dedupe-overhead-secret";

fn run(requests: usize, bound: usize, dedupe: bool, round: usize) -> f64 {
    let Some(delivery) = GitHubDelivery::new(SECRET) else {
        return f64::NAN;
    };
    let Ok(verifier) = Verifier::github(SECRET).build() else {
        return f64::NAN;
    };
    let mut layer = VerifyWebhookLayer::new(verifier);
    if dedupe {
        layer = layer.dedupe(Dedupe::new(MemoryStore::new(bound)));
    }
    let mut service = tower::ServiceBuilder::new().layer(layer).service_fn(
        |_: http::Request<Full<Bytes>>| async {
            Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"ok"))))
        },
    );
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() else {
        return f64::NAN;
    };
    let started = Instant::now();
    runtime.block_on(async {
        for i in 0..requests {
            let Some(request) = delivery.request(format!("{round}-72d3162e-cc78-{i:012}")) else {
                return;
            };
            let ready = ServiceExt::<http::Request<Full<Bytes>>>::ready(&mut service)
                .await
                .unwrap_or_else(|never| match never {});
            match ready.call(request).await {
                Ok(response) if response.status() == 200 => {}
                _ => panic!("request {i} was not accepted"),
            }
        }
    });
    started.elapsed().as_nanos() as f64 / requests as f64
}

fn main() {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500_000);
    let bound: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(requests + 1);
    let (mut plain, mut with) = (Vec::new(), Vec::new());
    for round in 0..3 {
        plain.push(run(requests, bound, false, round));
        with.push(run(requests, bound, true, round));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "layer:          {:.0} ns per request {plain:.0?}",
        mean(&plain)
    );
    println!(
        "layer + dedupe: {:.0} ns per request {with:.0?}",
        mean(&with)
    );
    println!(
        "dedupe adds:    {:.0} ns per request",
        mean(&with) - mean(&plain)
    );
}
