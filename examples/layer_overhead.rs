//! What the adapters add over verifying inline, in process (no HTTP, no network, one thread).
//!
//! ```text
//! cargo run --release --example layer_overhead --features actix-web [requests] [rounds]
//! ```
//!
//! Drives an axum `Router` (`Service::call`) and an actix-web app (`actix_web::test::init_service`,
//! `Service::call`) with the routes of the HTTP benchmark (`benches/peers/src/bin/http_bench.rs`),
//! each request a pre-built 4 KiB delivery (same headers, same bytes as the HTTP benchmark):
//!
//! - `inline`: the handler collects the body and calls `Verifier::verify` itself (Stripe);
//! - `layer`: `VerifyWebhookLayer` / `VerifyWebhook` (Stripe), the handler extracts `Verified`
//!   and the bytes;
//! - `layer-body`: the same, the handler extracts `Verified` alone and takes the bytes from
//!   `Verified::body` (no second read of the body);
//! - `github`: the same with a GitHub verifier, a new `X-GitHub-Delivery` per request;
//! - `github-dedupe`: `github` plus `Dedupe::new(MemoryStore::new(..))` sized for every key;
//! - `layer-handler` (axum only): `layer-body`'s layer and handler, the layer wrapping the
//!   handler itself (`post_service(layer.layer(handler.with_state(())))`) instead of the route
//!   (`route_layer`), which adds a second routing level per request.
//!
//! Every round runs `requests` (default 200 000) through each route in turn (the order rotates
//! each round), `rounds` (default 5) times; the table gives the mean time per request over the
//! rounds, the median of the per-round differences and ratios that the targets are about, and
//! what that difference is per request. The response bodies are read, as a server would.
//!
//! For profiling: `FRAMEWORK=axum|actix` runs one framework, `ONLY=<route>` one route, e.g.
//! `FRAMEWORK=actix ONLY=layer perf record -g target/release/examples/layer_overhead 500000 1`
//! (build with `CARGO_PROFILE_RELEASE_DEBUG=true` for symbols).

use std::time::Instant;

#[path = "../benches/support/deliveries.rs"]
mod deliveries;

use bytes::Bytes;
use deliveries::{delivery, unix_now, Provider};
use webhook_guard::dedupe::{Dedupe, MemoryStore};
use webhook_guard::Verifier;

const BODY: usize = 4 * 1024;
const ROUTES: [&str; 6] = [
    "inline",
    "layer",
    "layer-body",
    "github",
    "github-dedupe",
    "layer-handler",
];

/// Routes only axum has (actix has no second way to apply its middleware).
const AXUM_ONLY: [&str; 1] = ["layer-handler"];

/// A signed request as both frameworks get it: header list and body.
#[derive(Clone)]
struct Delivery {
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    body: Bytes,
}

fn prepared(provider: Provider) -> Delivery {
    let d = delivery(provider, BODY, unix_now(), 0, 0);
    // The delivery carries host, user-agent, content-type, content-length and accept too.
    let headers = d
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    Delivery {
        headers,
        body: Bytes::from(d.body),
    }
}

fn verifier(provider: Provider) -> Verifier {
    let built = match provider {
        Provider::GitHub => Verifier::github(provider.secret(0)).build(),
        _ => Verifier::stripe(provider.secret(0)).build(),
    };
    built.unwrap_or_else(|e| panic!("{e}"))
}

/// Unique delivery ids: a prefix per route and round, a counter per request.
fn delivery_id(route: &str, round: usize, i: usize) -> http::HeaderValue {
    http::HeaderValue::from_str(&format!("{route}-{round}-72d3162e-cc78-{i:012}"))
        .unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------------------------- axum --

mod axum_side {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::extract::Request;
    use axum::handler::Handler;
    use axum::http::StatusCode;
    use axum::routing::{post, post_service};
    use http_body_util::BodyExt;
    use tower::{Layer, Service, ServiceExt};
    use webhook_guard::tower::VerifyWebhookLayer;
    use webhook_guard::Verified;

    const LIMIT: usize = webhook_guard::DEFAULT_MAX_BODY_SIZE;

    /// The handler of `layer-body` and `layer-handler`: the bytes from `Verified::body`.
    async fn verified_body(verified: Verified) -> (StatusCode, String) {
        let len = verified.body().map_or(0, |b| std::hint::black_box(b).len());
        (StatusCode::OK, len.to_string())
    }

    pub fn app(requests: usize, rounds: usize) -> axum::Router {
        let inline = verifier(Provider::Stripe);
        axum::Router::new()
            .route(
                "/inline",
                post(move |request: Request| {
                    let verifier = inline.clone();
                    async move {
                        let (parts, body) = request.into_parts();
                        let Ok(body) = to_bytes(body, LIMIT).await else {
                            return (StatusCode::BAD_REQUEST, String::new());
                        };
                        match verifier.verify(&parts.headers, &body) {
                            Ok(verified) => {
                                std::hint::black_box(&verified);
                                (StatusCode::OK, body.len().to_string())
                            }
                            Err(_) => (StatusCode::UNAUTHORIZED, String::new()),
                        }
                    }
                }),
            )
            .route(
                "/layer",
                post(|verified: Verified, body: Bytes| async move {
                    std::hint::black_box(&verified);
                    (StatusCode::OK, body.len().to_string())
                })
                .route_layer(VerifyWebhookLayer::new(verifier(Provider::Stripe))),
            )
            .route(
                "/layer-body",
                post(verified_body)
                    .route_layer(VerifyWebhookLayer::new(verifier(Provider::Stripe))),
            )
            .route(
                "/layer-handler",
                post_service(
                    VerifyWebhookLayer::new(verifier(Provider::Stripe))
                        .layer(verified_body.with_state(())),
                ),
            )
            .route(
                "/github",
                post(|verified: Verified, body: Bytes| async move {
                    std::hint::black_box(&verified);
                    (StatusCode::OK, body.len().to_string())
                })
                .route_layer(VerifyWebhookLayer::new(verifier(Provider::GitHub))),
            )
            .route(
                "/github-dedupe",
                post(|verified: Verified, body: Bytes| async move {
                    std::hint::black_box(&verified);
                    (StatusCode::OK, body.len().to_string())
                })
                .route_layer(
                    VerifyWebhookLayer::new(verifier(Provider::GitHub))
                        .dedupe(Dedupe::new(MemoryStore::new(requests * rounds + 1))),
                ),
            )
    }

    /// Mean nanoseconds per request of `requests` requests to `route`.
    pub async fn run(
        app: &mut axum::Router,
        route: &str,
        d: &Delivery,
        requests: usize,
        round: usize,
    ) -> f64 {
        let uri: http::Uri = format!("/{route}")
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let with_id = route.starts_with("github");
        let started = Instant::now();
        for i in 0..requests {
            let mut request = Request::new(Body::from(d.body.clone()));
            *request.method_mut() = http::Method::POST;
            *request.uri_mut() = uri.clone();
            let headers = request.headers_mut();
            for (name, value) in &d.headers {
                headers.append(name.clone(), value.clone());
            }
            if with_id {
                headers.insert("x-github-delivery", delivery_id(route, round, i));
            }
            let ready = ServiceExt::<Request>::ready(app)
                .await
                .unwrap_or_else(|never| match never {});
            let response = ready
                .call(request)
                .await
                .unwrap_or_else(|never| match never {});
            assert_eq!(response.status(), 200, "{route} request {i}");
            let body = response.into_body().collect().await;
            std::hint::black_box(body.map(|b| b.to_bytes()).ok());
        }
        started.elapsed().as_nanos() as f64 / requests as f64
    }
}

// --------------------------------------------------------------------------------- actix --

mod actix_side {
    use super::*;
    use actix_web::dev::{Service, ServiceResponse};
    use actix_web::{test, web, App, HttpRequest, HttpResponse};
    use webhook_guard::actix::VerifyWebhook;
    use webhook_guard::Verified;

    pub async fn run_all(
        requests: usize,
        rounds: usize,
        stripe: &Delivery,
        github: &Delivery,
    ) -> Vec<Vec<f64>> {
        let inline = verifier(Provider::Stripe);
        let layer = verifier(Provider::Stripe);
        let layer_body = verifier(Provider::Stripe);
        let gh = verifier(Provider::GitHub);
        let dedupe = Dedupe::new(MemoryStore::new(requests * rounds + 1));
        let app = test::init_service(
            App::new()
                .route(
                    "/inline",
                    web::post().to(move |request: HttpRequest, body: web::Bytes| {
                        let verifier = inline.clone();
                        async move {
                            match verifier.verify(request.headers(), &body) {
                                Ok(verified) => {
                                    std::hint::black_box(&verified);
                                    HttpResponse::Ok().body(body.len().to_string())
                                }
                                Err(_) => HttpResponse::Unauthorized().finish(),
                            }
                        }
                    }),
                )
                .service(
                    web::resource("/layer")
                        .wrap(VerifyWebhook::new(layer))
                        .route(
                            web::post().to(|verified: Verified, body: web::Bytes| async move {
                                std::hint::black_box(&verified);
                                HttpResponse::Ok().body(body.len().to_string())
                            }),
                        ),
                )
                .service(
                    web::resource("/layer-body")
                        .wrap(VerifyWebhook::new(layer_body))
                        .route(web::post().to(|verified: Verified| async move {
                            let len = verified.body().map_or(0, |b| std::hint::black_box(b).len());
                            HttpResponse::Ok().body(len.to_string())
                        })),
                )
                .service(
                    web::resource("/github")
                        .wrap(VerifyWebhook::new(gh.clone()))
                        .route(
                            web::post().to(|verified: Verified, body: web::Bytes| async move {
                                std::hint::black_box(&verified);
                                HttpResponse::Ok().body(body.len().to_string())
                            }),
                        ),
                )
                .service(
                    web::resource("/github-dedupe")
                        .wrap(VerifyWebhook::new(gh).dedupe(dedupe))
                        .route(
                            web::post().to(|verified: Verified, body: web::Bytes| async move {
                                std::hint::black_box(&verified);
                                HttpResponse::Ok().body(body.len().to_string())
                            }),
                        ),
                ),
        )
        .await;
        let mut times = vec![Vec::new(); ROUTES.len()];
        for round in 0..rounds {
            for k in 0..ROUTES.len() {
                let r = (k + round) % ROUTES.len();
                let route = ROUTES[r];
                if !selected(route) || AXUM_ONLY.contains(&route) {
                    continue;
                }
                let d = if route.starts_with("github") {
                    github
                } else {
                    stripe
                };
                let with_id = route.starts_with("github");
                let uri = format!("/{route}");
                let started = Instant::now();
                for i in 0..requests {
                    let mut req = test::TestRequest::post().uri(&uri);
                    for (name, value) in &d.headers {
                        req = req.append_header((name.as_str(), value.as_bytes()));
                    }
                    if with_id {
                        req = req.insert_header((
                            "x-github-delivery",
                            delivery_id(route, round, i).as_bytes(),
                        ));
                    }
                    let req = req.set_payload(d.body.clone()).to_request();
                    let response: ServiceResponse = match app.call(req).await {
                        Ok(r) => r.map_into_boxed_body(),
                        Err(e) => panic!("{route}: {e}"),
                    };
                    assert_eq!(response.status(), 200, "{route} request {i}");
                    let body = actix_web::body::to_bytes(response.into_body()).await;
                    std::hint::black_box(body.ok());
                }
                times[r].push(started.elapsed().as_nanos() as f64 / requests as f64);
            }
        }
        times
    }
}

// -------------------------------------------------------------------------------- report --

/// Whether `route` runs (all, unless `ONLY` names one).
fn selected(route: &str) -> bool {
    std::env::var("ONLY").map_or(true, |only| only == route)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn report(framework: &str, times: &[Vec<f64>]) {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!("{framework}:");
    for (route, t) in ROUTES.iter().zip(times) {
        if t.is_empty() {
            continue;
        }
        println!("  {route:<14} {:>7.0} ns per request {t:.0?}", mean(t));
    }
    let pair = |a: usize, b: usize, what: &str| {
        if times[a].is_empty() || times[b].is_empty() {
            return;
        }
        let diffs: Vec<f64> = times[a].iter().zip(&times[b]).map(|(x, y)| x - y).collect();
        let ratios: Vec<f64> = times[a].iter().zip(&times[b]).map(|(x, y)| y / x).collect();
        println!(
            "  {what}: {:+.0} ns per request (median over rounds), throughput ratio {:.3}x",
            median(diffs),
            median(ratios)
        );
    };
    pair(1, 0, "layer - inline        ");
    pair(2, 0, "layer-body - inline   ");
    pair(5, 0, "layer-handler - inline");
    pair(4, 3, "github-dedupe - github");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let which = std::env::var("FRAMEWORK").unwrap_or_default();
    let stripe = prepared(Provider::Stripe);
    let github = prepared(Provider::GitHub);

    if which.is_empty() || which == "axum" {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let times = runtime.block_on(async {
            // As `axum::serve` does (`into_make_service`): handlers become routes once, not per
            // request.
            let mut app = axum_side::app(requests, rounds).with_state(());
            let mut times = vec![Vec::new(); ROUTES.len()];
            for round in 0..rounds {
                for k in 0..ROUTES.len() {
                    let r = (k + round) % ROUTES.len();
                    if !selected(ROUTES[r]) {
                        continue;
                    }
                    let d = if ROUTES[r].starts_with("github") {
                        &github
                    } else {
                        &stripe
                    };
                    let t = axum_side::run(&mut app, ROUTES[r], d, requests, round).await;
                    times[r].push(t);
                }
            }
            times
        });
        report("axum", &times);
    }
    if which.is_empty() || which == "actix" {
        let times = actix_web::rt::System::new()
            .block_on(actix_side::run_all(requests, rounds, &stripe, &github));
        report("actix", &times);
    }
}
