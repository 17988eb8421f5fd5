//! End-to-end HTTP load test: axum and actix-web servers on loopback, 4 KiB Stripe deliveries,
//! driven by `wrk`, server and client pinned to different cores.
//!
//! ```text
//! bash benches/http/run.sh                    # from the repository root; installs wrk if needed
//! ROUNDS=40 SECS=1 CONNS=16 bash benches/http/run.sh  # the defaults
//! ROUTES=github,github-dedupe-default FRAMEWORKS=axum bash benches/http/run.sh  # a subset
//! ```
//!
//! Modes of this binary (the script runs `run`):
//! - `http_bench run`: starts each server (`serve`), then for every round runs every route once
//!   (in the order of the tables, reversed every other round: the routes each ratio compares
//!   are neighbours, so they always run seconds apart, and each runs first as often as second),
//!   each time with a freshly signed delivery; prints the tables;
//! - `http_bench serve axum|actix PORT`: one server, one worker thread, nothing printed per
//!   request;
//! - `http_bench script ROUTE DIR`: writes the wrk script `run` uses for `ROUTE` into `DIR` and
//!   prints its path (`benches/http/profile.sh` drives `wrk` with it).
//!
//! Routes (`POST` to [`path`]`(route)`: `/<letter>-<route>`, padded with `_` to one length for
//! every route), the same handler work behind each (take the body, answer "ok"):
//! - `none`: no verification;
//! - `inline`: the handler calls `Verifier::verify` on the headers and the collected bytes
//!   itself (the floor for any middleware);
//! - `layer`: webhook-guard's Tower layer (axum) / actix middleware, handler extracts
//!   `Verified` and the bytes;
//! - `layer-body`: the same layer, the handler extracts `Verified` alone and takes the bytes
//!   from `Verified::body` (no second read of the body by a `Bytes` extractor);
//! - `layer-handler` (axum only): `layer-body`'s layer and handler, with the layer wrapping
//!   the handler itself (`post_service(layer.layer(handler.with_state(())))`) rather than the
//!   route (`route_layer`, which puts a second `Route` in front of the handler: one allocation
//!   and ~700 instructions more a request, `benches/http/callgrind.sh`);
//! - `webhook-verify` (axum only): the `webhook-verify` crate's Tower layer (behind axum's
//!   `HandleErrorLayer`, as axum requires an infallible service; body type `Full<Bytes>`);
//! - `github`: the layer with a GitHub verifier, and `github-dedupe`: the same with the
//!   in-memory dedupe store (`MemoryStore`, 4 M keys, more than a run sends). Both are driven
//!   by a script that gives every request a fresh `X-GitHub-Delivery` id (GitHub does not sign
//!   it), so each request is a new delivery: one reserve and one commit, the path every first
//!   delivery takes. Their ratio is the cost of dedupe.
//! - `github-dedupe-default`: the same with `MemoryStore::default()` (100 000 keys): after the
//!   warm-up the store is full, so every new delivery also evicts the oldest handled key, the
//!   steady state of a long-running service with the default store. `STORE_KEYS=3000` gives
//!   that route a store of 3 000 keys instead (BENCHMARKS.md: does the store's size matter?).
//!
//! - `noop-layer` and `buffer-layer` (axum only; floors, not the guard): `inline`'s handler
//!   behind `route_layer` with a layer that does nothing (`tower::layer::util::Identity`: what
//!   `route_layer` itself costs, its second `Route`), and behind a minimal layer that reads the
//!   body into `Full<Bytes>` and hands it on ([`BufferLayer`]: what any middleware that reads
//!   the body before the handler costs, with the handler reading it again). The guard's own
//!   cost is `layer` over `buffer-layer` (BENCHMARKS.md, section 5, twenty-first pass).
//!
//! To add a route: one name in `AXUM_ROUTES` / `ACTIX_ROUTES` and one `.route(..)` in
//! `axum_app` / `actix_app`; the driver, the rounds and the tables follow.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use webhook_guard::dedupe::{Dedupe, MemoryStore};
use webhook_guard::Verifier;
use webhook_guard_peers::deliveries::{delivery, unix_now, Provider};

/// Routes served by each framework, in the order of the tables and of the runs in a round:
/// the two routes of each ratio are next to each other (`inline` between `layer-body` and
/// `layer`, `layer-handler` next to `layer-body` and one further from `inline`, `layer`
/// between `inline` and `webhook-verify`, `github-dedupe-default` right after `github`).
const AXUM_ROUTES: &[&str] = &[
    "none",
    "layer-handler",
    "layer-body",
    "inline",
    "layer",
    "webhook-verify",
    "github",
    "github-dedupe-default",
    "github-dedupe",
    "noop-layer",
    "buffer-layer",
];
const ACTIX_ROUTES: &[&str] = &[
    "none",
    "layer-body",
    "inline",
    "layer",
    "github",
    "github-dedupe-default",
    "github-dedupe",
];

/// The request path of `route`: `/<letter>-<route>`, the name padded with `_` to the longest
/// route name's length, the letter its place in [`AXUM_ROUTES`] (every route; actix serves a
/// subset). Every route's path has the same length and the routers tell them apart by their
/// second byte, so no route pays more than another for its path: with the plain names
/// (`/github` against `/github-dedupe-default`) hyper's parse of the request line and axum's
/// router cost the dedupe route ~500 instructions a request more than the route it is compared
/// with (callgrind: dedupe's difference over `github` went from +1 957 to +1 452 with equal
/// paths; BENCHMARKS.md, section 5, twentieth pass). The tables still name routes by their
/// names.
fn path(route: &str) -> String {
    let letter = AXUM_ROUTES
        .iter()
        .position(|r| *r == route)
        .map_or('z', |i| char::from(b'a' + i as u8));
    let width = AXUM_ROUTES.iter().map(|r| r.len()).max().unwrap_or(0);
    format!("/{letter}-{route:_<width$}")
}

/// Keys the in-memory store of the dedupe routes holds: more than a whole run sends (15 rounds
/// of 2 s at ~100k requests/s, plus the warm-up), so the store is sized for its window, as it
/// should be in production, and never evicts.
const DEDUPE_KEYS: usize = 4_000_000;

/// The store of the `github-dedupe-default` route: `MemoryStore::default()`, or, for the
/// store-size experiment in BENCHMARKS.md, a store of `STORE_KEYS` keys (read by `serve`,
/// which `run` starts with its own environment).
fn default_store() -> MemoryStore {
    store_keys().map_or_else(MemoryStore::default, MemoryStore::new)
}

/// `STORE_KEYS`, if set to a number (anything else leaves the default store, and its label).
fn store_keys() -> Option<usize> {
    std::env::var("STORE_KEYS").ok()?.parse().ok()
}

/// Body size of every request.
const BODY: usize = 4 * 1024;

fn stripe_verifier() -> Verifier {
    Verifier::stripe(Provider::Stripe.secret(0))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn github_verifier() -> Verifier {
    Verifier::github(Provider::GitHub.secret(0))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["serve", "axum", port] => serve_axum(port.parse().expect("port")),
        ["serve", "actix", port] => serve_actix(port.parse().expect("port")),
        ["run"] | [] => run(),
        ["script", route, dir] => {
            println!("{}", script(std::path::Path::new(dir), route).display());
        }
        _ => {
            eprintln!("usage: http_bench [run] | serve axum|actix PORT | script ROUTE DIR");
            std::process::exit(2);
        }
    }
}

// ---------------------------------------------------------------------------------- axum --

fn axum_app() -> axum::Router {
    use axum::body::{to_bytes, Bytes};
    use axum::error_handling::HandleErrorLayer;
    use axum::extract::Request;
    use axum::handler::Handler;
    use axum::http::StatusCode;
    use axum::routing::{post, post_service};
    use tower::Layer;
    use webhook_guard::tower::VerifyWebhookLayer;

    const LIMIT: usize = webhook_guard::DEFAULT_MAX_BODY_SIZE;
    let verifier = stripe_verifier();
    let inline = verifier.clone();
    // Its middleware fails with a `BoxError` on body read errors; axum needs an infallible
    // service, so `HandleErrorLayer` turns those into a 400.
    let webhook_verify = tower::ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
            StatusCode::BAD_REQUEST
        }))
        // `VerifyLayer<axum::body::Body>` (as its docs suggest) is neither `Clone` nor `Sync`
        // (derived bounds on the body type), which axum requires, and its default body type
        // `Bytes` is no `http_body::Body`; `Full<Bytes>` is all three.
        .layer(webhook_verify::tower::VerifyLayer::<
            http_body_util::Full<Bytes>,
        >::new(
            webhook_verify::Provider::Stripe,
            webhook_verify::Secret::new(Provider::Stripe.secret(0)),
        ));
    // `inline`'s handler, also behind the two floors (`noop-layer`, `buffer-layer`).
    let inline_route = post(move |request: Request| {
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
    });
    axum::Router::new()
        .route(
            &path("none"),
            post(|request: Request| async move {
                match to_bytes(request.into_body(), LIMIT).await {
                    Ok(body) => (StatusCode::OK, std::hint::black_box(body).len().to_string()),
                    Err(_) => (StatusCode::BAD_REQUEST, String::new()),
                }
            }),
        )
        .route(&path("inline"), inline_route.clone())
        .route(
            &path("layer"),
            post(verified_axum).route_layer(VerifyWebhookLayer::new(verifier.clone())),
        )
        .route(
            &path("layer-body"),
            post(verified_body_axum).route_layer(VerifyWebhookLayer::new(verifier.clone())),
        )
        .route(
            &path("layer-handler"),
            post_service(
                VerifyWebhookLayer::new(verifier).layer(verified_body_axum.with_state(())),
            ),
        )
        .route(
            &path("webhook-verify"),
            post(|body: Bytes| async move { (StatusCode::OK, body.len().to_string()) })
                .route_layer(webhook_verify),
        )
        .route(
            &path("noop-layer"),
            inline_route
                .clone()
                .route_layer(tower::layer::util::Identity::new()),
        )
        .route(
            &path("buffer-layer"),
            inline_route.clone().route_layer(BufferLayer),
        )
        .route(
            &path("github"),
            post(verified_axum).route_layer(VerifyWebhookLayer::new(github_verifier())),
        )
        .route(
            &path("github-dedupe"),
            post(verified_axum).route_layer(
                VerifyWebhookLayer::new(github_verifier())
                    .dedupe(Dedupe::new(MemoryStore::new(DEDUPE_KEYS))),
            ),
        )
        .route(
            &path("github-dedupe-default"),
            post(verified_axum).route_layer(
                VerifyWebhookLayer::new(github_verifier()).dedupe(Dedupe::new(default_store())),
            ),
        )
}

/// The handler behind every axum route with the layer: take the verified facts and the bytes,
/// answer with the body's length.
async fn verified_axum(
    verified: webhook_guard::Verified,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, String) {
    std::hint::black_box(&verified);
    (axum::http::StatusCode::OK, body.len().to_string())
}

/// The same handler taking the bytes from `Verified::body` instead of a second body
/// extractor: the guard has read the body once already.
async fn verified_body_axum(verified: webhook_guard::Verified) -> (axum::http::StatusCode, String) {
    let len = verified
        .body()
        .map_or(0, |body| std::hint::black_box(body).len());
    (axum::http::StatusCode::OK, len.to_string())
}

/// A minimal Tower layer that reads the body into `Full<Bytes>` and hands the request on: the
/// usual `clone`/`mem::replace` and a boxed `async` block, nothing else (no limit but axum's
/// default, no timeout, no verification). The floor, on axum, for any middleware that must read
/// the body before the handler (route `buffer-layer`).
#[derive(Clone)]
struct BufferLayer;

impl<S> tower::Layer<S> for BufferLayer {
    type Service = Buffered<S>;

    fn layer(&self, inner: S) -> Buffered<S> {
        Buffered { inner }
    }
}

/// [`BufferLayer`]'s service.
#[derive(Clone)]
struct Buffered<S> {
    inner: S,
}

type BoxedResponse = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<axum::response::Response, std::convert::Infallible>>
            + Send,
    >,
>;

impl<S> tower::Service<axum::extract::Request> for Buffered<S>
where
    S: tower::Service<
            axum::http::Request<http_body_util::Full<bytes::Bytes>>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = BoxedResponse;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::extract::Request) -> Self::Future {
        use axum::response::IntoResponse;
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, webhook_guard::DEFAULT_MAX_BODY_SIZE).await
            else {
                return Ok(axum::http::StatusCode::BAD_REQUEST.into_response());
            };
            inner
                .call(axum::http::Request::from_parts(
                    parts,
                    http_body_util::Full::new(bytes),
                ))
                .await
        })
    }
}

/// The same for actix-web.
async fn verified_body_actix(verified: webhook_guard::Verified) -> actix_web::HttpResponse {
    let len = verified
        .body()
        .map_or(0, |body| std::hint::black_box(body).len());
    actix_web::HttpResponse::Ok().body(len.to_string())
}

/// The `layer` handler for actix-web.
async fn verified_actix(
    verified: webhook_guard::Verified,
    body: actix_web::web::Bytes,
) -> actix_web::HttpResponse {
    std::hint::black_box(&verified);
    actix_web::HttpResponse::Ok().body(body.len().to_string())
}

fn serve_axum(port: u16) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind");
        axum::serve(listener, axum_app()).await.expect("serve");
    });
}

// --------------------------------------------------------------------------------- actix --

fn serve_actix(port: u16) {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    use webhook_guard::actix::VerifyWebhook;

    // Built once, outside the per-worker factory.
    let verifier = stripe_verifier();
    let github = github_verifier();
    let dedupe = Dedupe::new(MemoryStore::new(DEDUPE_KEYS));
    let dedupe_default = Dedupe::new(default_store());
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        HttpServer::new(move || {
            let inline = verifier.clone();
            App::new()
                .route(
                    &path("none"),
                    web::post().to(|body: web::Bytes| async move {
                        HttpResponse::Ok().body(std::hint::black_box(body).len().to_string())
                    }),
                )
                .route(
                    &path("inline"),
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
                    web::resource(path("layer"))
                        .wrap(VerifyWebhook::new(verifier.clone()))
                        .route(web::post().to(verified_actix)),
                )
                .service(
                    web::resource(path("layer-body"))
                        .wrap(VerifyWebhook::new(verifier.clone()))
                        .route(web::post().to(verified_body_actix)),
                )
                .service(
                    web::resource(path("github"))
                        .wrap(VerifyWebhook::new(github.clone()))
                        .route(web::post().to(verified_actix)),
                )
                // actix matches resources in order: each pair compared in the tables (inline /
                // layer, github / github-dedupe-default) is registered next to each other, so
                // the second of a pair pays one more failed match than the first, never more
                // (`layer-body`, registered after `layer`, pays two more than `inline`).
                .service(
                    web::resource(path("github-dedupe-default"))
                        .wrap(VerifyWebhook::new(github.clone()).dedupe(dedupe_default.clone()))
                        .route(web::post().to(verified_actix)),
                )
                .service(
                    web::resource(path("github-dedupe"))
                        .wrap(VerifyWebhook::new(github.clone()).dedupe(dedupe.clone()))
                        .route(web::post().to(verified_actix)),
                )
        })
        .workers(1)
        .bind(("127.0.0.1", port))
        .expect("bind")
        .run()
        .await
        .expect("serve");
    });
}

// -------------------------------------------------------------------------------- driver --

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Sample {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    /// The server's CPU time per request (all its threads, from the scheduler's own count):
    /// less sensitive than req/s to the machine's speed drifting between runs, as it leaves
    /// out the time the server waited, and a direct measure of what each route costs.
    cpu_us: f64,
}

struct Server(Child);

impl Server {
    /// Nanoseconds the server's threads have run so far (`/proc/<pid>/task/*/schedstat`,
    /// first field), or 0 where that is not available.
    fn cpu_ns(&self) -> u64 {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.0.id())) else {
            return 0;
        };
        tasks
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
            .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .sum()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(framework: &str, port: u16, cpu: u64) -> Server {
    let exe = std::env::current_exe().expect("current exe");
    let child = Command::new("taskset")
        .args(["-c", &cpu.to_string()])
        .arg(exe)
        .args(["serve", framework, &port.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .expect("start server (is taskset installed?)");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{framework} server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// What every wrk script reports when it is done.
const DONE: &str = r#"done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"#;

/// Writes the wrk script for `route`: a freshly signed Stripe delivery, or for the `github*`
/// routes a GitHub delivery whose (unsigned) `X-GitHub-Delivery` changes with every request.
fn script(dir: &std::path::Path, route: &str) -> std::path::PathBuf {
    if route.starts_with("github") {
        return github_script(dir, route);
    }
    let d = delivery(Provider::Stripe, BODY, unix_now(), 0, 0);
    let body_path = dir.join("body.json");
    std::fs::write(&body_path, &d.body).expect("write body");
    let signature = d
        .headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .expect("signature");
    let lua = format!(
        r#"local f = assert(io.open("{body}", "rb"))
wrk.method = "POST"
wrk.path = "{path}"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Stripe-Signature"] = "{signature}"
{DONE}"#,
        body = body_path.display(),
        path = path(route)
    );
    let path = dir.join("post.lua");
    std::fs::write(&path, lua).expect("write script");
    path
}

fn github_script(dir: &std::path::Path, route: &str) -> std::path::PathBuf {
    let d = delivery(Provider::GitHub, BODY, unix_now(), 0, 0);
    let body_path = dir.join("github.json");
    std::fs::write(&body_path, &d.body).expect("write body");
    let signature = d
        .headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .expect("signature");
    // A prefix no earlier run used, so that every id is new to the store.
    let run = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let lua = format!(
        r#"local f = assert(io.open("{body}", "rb"))
wrk.method = "POST"
wrk.path = "{path}"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature-256"] = "{signature}"
local n = 0
request = function()
  n = n + 1
  wrk.headers["X-GitHub-Delivery"] = "{run}-" .. n
  return wrk.format()
end
{DONE}"#,
        body = body_path.display(),
        path = path(route)
    );
    let path = dir.join("github.lua");
    std::fs::write(&path, lua).expect("write script");
    path
}

fn wrk(
    server: &Server,
    port: u16,
    route: &str,
    dir: &std::path::Path,
    cpu: u64,
    secs: u64,
    conns: u64,
) -> Sample {
    let script = script(dir, route);
    let cpu_before = server.cpu_ns();
    let out = Command::new("taskset")
        .args(["-c", &cpu.to_string(), "wrk", "-t1"])
        .arg(format!("-c{conns}"))
        .arg(format!("-d{secs}s"))
        .arg("-s")
        .arg(&script)
        .arg(format!("http://127.0.0.1:{port}/{route}"))
        .output()
        .expect("run wrk (is it installed? apt-get install -y wrk)");
    let cpu_ns = server.cpu_ns().saturating_sub(cpu_before);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("no RESULT line from wrk:\n{text}"));
    let n: Vec<f64> = line
        .split_whitespace()
        .map(|x| x.parse().expect("number"))
        .collect();
    let (requests, duration_us, p50, p99, status_errors, socket_errors) =
        (n[0], n[1], n[2], n[3], n[4], n[5]);
    assert!(
        status_errors == 0.0 && socket_errors == 0.0,
        "/{route}: {status_errors} non-2xx answers, {socket_errors} socket errors (signature \
         rejected or server down)"
    );
    Sample {
        rps: requests / (duration_us / 1e6),
        p50_us: p50,
        p99_us: p99,
        cpu_us: cpu_ns as f64 / 1e3 / requests.max(1.0),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn run() {
    // Many short rounds: the machine's speed drifts by up to ~15 % over tens of seconds
    // (a shared VM; on a bad day by 30 % from one round to the next), so routes compared
    // within a round run seconds apart (next to each other, in turns first and second), and
    // the median needs many rounds.
    let rounds = env("ROUNDS", 40);
    let secs = env("SECS", 1);
    let conns = env("CONNS", 16);
    let server_cpu = env("SERVER_CPU", 1);
    let client_cpu = env("CLIENT_CPU", 0);
    let dir = std::env::temp_dir().join(format!("webhook-guard-http-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    eprintln!(
        "{rounds} rounds x {secs} s per route, {conns} connections, 4 KiB Stripe deliveries; \
         server on CPU {server_cpu}, wrk on CPU {client_cpu}"
    );
    let mut tables = String::new();
    // `ROUTES=github,github-dedupe-default` (say) runs only those routes, `FRAMEWORKS=axum`
    // only that server: for a quick look at one ratio. The default is everything.
    let wanted = |var: &str, name: &str| {
        std::env::var(var)
            .map(|list| list.split(',').any(|x| x.trim() == name))
            .unwrap_or(true)
    };
    for (framework, all_routes, port) in
        [("axum", AXUM_ROUTES, 38080), ("actix", ACTIX_ROUTES, 38081)]
    {
        if !wanted("FRAMEWORKS", framework) {
            continue;
        }
        let routes: Vec<&str> = all_routes
            .iter()
            .copied()
            .filter(|r| wanted("ROUTES", r))
            .collect();
        let routes = routes.as_slice();
        let server = start(framework, port, server_cpu);
        // Warm-up: one short run per route.
        for route in routes {
            wrk(&server, port, route, &dir, client_cpu, 1, conns);
        }
        let mut samples: Vec<Vec<Sample>> = routes.iter().map(|_| Vec::new()).collect();
        for round in 0..rounds as usize {
            for k in 0..routes.len() {
                // Forward, then backward: ABBA over pairs of rounds, so a steady drift
                // cancels out of every neighbouring pair's ratio.
                let i = if round % 2 == 0 {
                    k
                } else {
                    routes.len() - 1 - k
                };
                let s = wrk(&server, port, routes[i], &dir, client_cpu, secs, conns);
                eprintln!(
                    "{framework} round {} /{}: {:.0} req/s, p50 {} us, p99 {} us, server CPU \
                     {:.2} us/request",
                    round + 1,
                    routes[i],
                    s.rps,
                    s.p50_us,
                    s.p99_us,
                    s.cpu_us
                );
                samples[i].push(s);
            }
        }
        tables.push_str(&table(framework, routes, &samples));
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{tables}");
}

fn table(framework: &str, routes: &[&str], samples: &[Vec<Sample>]) -> String {
    use std::fmt::Write as _;
    let inline = routes.iter().position(|r| *r == "inline");
    let layer = routes.iter().position(|r| *r == "layer");
    // Per round: route / inline, then the median over rounds (rounds are interleaved, so each
    // ratio compares runs a few seconds apart).
    // Per round, `route i`'s figure over `route j`'s; the median over rounds, [min, max].
    let paired = |i: usize, j: usize, of: fn(&Sample, &Sample) -> f64| {
        let r: Vec<f64> = samples[i]
            .iter()
            .zip(&samples[j])
            .map(|(a, b)| of(a, b))
            .collect();
        let lo = r.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (median(r), lo, hi)
    };
    let ratio = |i: usize, j: usize| paired(i, j, |a, b| a.rps / b.rps);
    // The same comparison in server CPU per request, inverted (the baseline's CPU over the
    // route's) so that it reads like the throughput ratio: 0.95x = 5.3 % more CPU.
    let cpu_ratio = |i: usize, j: usize| paired(i, j, |a, b| b.cpu_us / a.cpu_us);
    let verdict = |m: f64| if m >= 0.95 { "met" } else { "MISSED" };
    let mut out = String::new();
    let _ = writeln!(out, "\n### {framework}\n");
    let _ = writeln!(
        out,
        "| route | req/s | p50 | p99 | req/s vs inline [min, max over rounds] | server CPU per \
         request |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (i, route) in routes.iter().enumerate() {
        let s = &samples[i];
        // Without `/inline` among the routes run (`ROUTES=...`), there is nothing to divide by.
        let vs_inline = inline.map_or_else(
            || "-".to_owned(),
            |inline| {
                let (m, lo, hi) = ratio(i, inline);
                format!("{m:.3}x [{lo:.3}, {hi:.3}]")
            },
        );
        let _ = writeln!(
            out,
            "| {route} | {:.0} | {:.0} µs | {:.0} µs | {vs_inline} | {:.2} µs |",
            median(s.iter().map(|x| x.rps).collect()),
            median(s.iter().map(|x| x.p50_us).collect()),
            median(s.iter().map(|x| x.p99_us).collect()),
            median(s.iter().map(|x| x.cpu_us).collect()),
        );
    }
    let _ = writeln!(out);
    // Each against `inline`: (route, what it is, the label before the verdict). `layer` is
    // target 5's; the other two are reported beside it.
    for (route, what, against) in [
        ("layer", "", "target >= 0.95x"),
        (
            "layer-body",
            " (the handler takes `Verified::body`, no second body read)",
            ">= 0.95x",
        ),
        (
            "layer-handler",
            " (`layer-body` with the layer around the handler, not the route)",
            ">= 0.95x",
        ),
    ] {
        if let (Some(i), Some(inline)) = (routes.iter().position(|r| *r == route), inline) {
            let (m, lo, hi) = ratio(i, inline);
            let (c, clo, chi) = cpu_ratio(i, inline);
            let _ = writeln!(
                out,
                "{route} / inline{what}: **{m:.3}x** [{lo:.3}, {hi:.3}] ({against}: {}); in \
                 server CPU per request: {c:.3}x [{clo:.3}, {chi:.3}] ({})",
                verdict(m),
                verdict(c)
            );
        }
    }
    let github = routes.iter().position(|r| *r == "github");
    let default_store = match store_keys() {
        Some(keys) => format!("`MemoryStore::new({keys})` (STORE_KEYS), full, evicting"),
        None => "`MemoryStore::default()`, full, evicting".to_owned(),
    };
    for (route, what) in [
        (
            "github-dedupe",
            "in-memory dedupe, a new delivery per request",
        ),
        ("github-dedupe-default", default_store.as_str()),
    ] {
        if let (Some(dedupe), Some(plain)) = (routes.iter().position(|r| *r == route), github) {
            let (m, lo, hi) = ratio(dedupe, plain);
            let (c, clo, chi) = cpu_ratio(dedupe, plain);
            let _ = writeln!(
                out,
                "{route} / github ({what}): **{m:.3}x** [{lo:.3}, {hi:.3}] (target >= 0.95x: \
                 {}); in server CPU per request: {c:.3}x [{clo:.3}, {chi:.3}] ({})",
                verdict(m),
                verdict(c)
            );
        }
    }
    if let (Some(wv), Some(layer)) = (routes.iter().position(|r| *r == "webhook-verify"), layer) {
        let (m, lo, hi) = ratio(layer, wv);
        let (c, clo, chi) = cpu_ratio(layer, wv);
        let better = |m: f64| if m > 1.0 { "met" } else { "MISSED" };
        let _ = writeln!(
            out,
            "layer / webhook-verify layer: **{m:.3}x** [{lo:.3}, {hi:.3}] (target > 1x: {}); in \
             server CPU per request: {c:.3}x [{clo:.3}, {chi:.3}] ({})",
            better(m),
            better(c)
        );
    }
    out
}
