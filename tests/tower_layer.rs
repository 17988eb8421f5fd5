//! The Tower layer through a real axum router: status, whether the handler ran, and the exact
//! bytes it received.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use common::{body_with_id, ALL, P};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use webhook_guard::tower::VerifyWebhookLayer;
use webhook_guard::{Verified, Verifier};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// What the handler last saw: the body, the event id and `Verified::body`.
type LastSeen = Option<(Vec<u8>, Option<String>, Option<Bytes>)>;
/// Headers as (name, value) pairs.
type Headers = Vec<(String, String)>;

#[derive(Clone, Default)]
struct Seen {
    calls: Arc<AtomicUsize>,
    last: Arc<std::sync::Mutex<LastSeen>>,
}

async fn echo(State(seen): State<Seen>, verified: Verified, body: Bytes) -> Bytes {
    seen.calls.fetch_add(1, Ordering::SeqCst);
    *seen.last.lock().unwrap() = Some((
        body.to_vec(),
        verified.event_id().map(String::from),
        verified.body().cloned(),
    ));
    body
}

fn app(verifier: Verifier, seen: &Seen) -> Router {
    Router::new()
        .route("/hook", post(echo))
        .route_layer(VerifyWebhookLayer::new(verifier))
        .with_state(seen.clone())
}

fn request(headers: &[(String, String)], body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::post("/hook");
    for (k, v) in headers {
        b = b.header(k, v);
    }
    b.body(body.into()).unwrap()
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Bytes, http::HeaderMap) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, body, headers)
}

#[tokio::test]
async fn valid_deliveries_reach_the_handler_with_exact_bytes() {
    for p in ALL.into_iter().filter(|p| p.json_with_id()) {
        let secret = p.secret(0);
        let seen = Seen::default();
        let app = app(p.verifier(std::slice::from_ref(&secret)), &seen);
        // Bytes that are not UTF-8 and not JSON must pass through untouched, too.
        for body in [
            body_with_id("evt_42"),
            vec![0, 159, 146, 150, 255, b'\n', b' '],
        ] {
            let headers = p.sign(&secret, &body, now(), "evt_42");
            let (status, echoed, _) = send(&app, request(&headers, body.clone())).await;
            assert_eq!(status, StatusCode::OK, "{p:?}");
            assert_eq!(&echoed[..], &body[..], "{p:?}: handler saw different bytes");
            let (seen_body, seen_id, kept) = seen.last.lock().unwrap().take().unwrap();
            assert_eq!(seen_body, body, "{p:?}");
            assert_eq!(kept.as_deref(), Some(&body[..]), "{p:?}: Verified::body");
            if body.starts_with(b"{") {
                assert_eq!(seen_id.as_deref(), Some("evt_42"), "{p:?}: event id");
            }
        }
        assert_eq!(seen.calls.load(Ordering::SeqCst), 2, "{p:?}");
    }
}

#[tokio::test]
async fn body_split_into_many_chunks_is_reassembled_exactly() {
    let p = P::Stripe;
    let secret = p.secret(0);
    let seen = Seen::default();
    let app = app(p.verifier(std::slice::from_ref(&secret)), &seen);
    let body: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let headers = p.sign(&secret, &body, now(), "x");
    let chunks: Vec<Result<Bytes, std::io::Error>> = body
        .chunks(7)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let stream = Body::from_stream(futures_util_stream(chunks));
    let (status, echoed, _) = send(&app, request(&headers, stream)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&echoed[..], &body[..]);
    let (_, _, kept) = seen.last.lock().unwrap().take().unwrap();
    assert_eq!(kept.as_deref(), Some(&body[..]), "Verified::body, joined");
}

fn futures_util_stream(
    items: Vec<Result<Bytes, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    tokio_stream::iter(items)
}

struct Case {
    name: &'static str,
    status: u16,
    code: &'static str,
}

#[tokio::test]
async fn rejections_never_run_the_handler() {
    // GitLab's token has no syntax and covers no body: its rejections are in conformance.rs.
    for p in ALL
        .into_iter()
        .filter(|p| p.json_with_id() && !p.is_token())
    {
        let secret = p.secret(0);
        let seen = Seen::default();
        let app = app(p.verifier(std::slice::from_ref(&secret)), &seen);
        let body = body_with_id("evt_1");
        let t = now();
        let mut cases: Vec<(Case, Headers, Vec<u8>)> = Vec::new();

        let mut missing = p.sign(&secret, &body, t, "evt_1");
        missing.retain(|(k, _)| !k.eq_ignore_ascii_case(p.signature_header()));
        cases.push((
            Case {
                name: "missing",
                status: 401,
                code: "missing_header",
            },
            missing,
            body.clone(),
        ));

        let mut malformed = p.sign(&secret, &body, t, "evt_1");
        malformed.retain(|(k, _)| !k.eq_ignore_ascii_case(p.signature_header()));
        malformed.push((p.signature_header().into(), "sha256=".into()));
        cases.push((
            Case {
                name: "malformed",
                status: 400,
                code: "malformed_header",
            },
            malformed,
            body.clone(),
        ));

        cases.push((
            Case {
                name: "wrong secret",
                status: 401,
                code: "invalid_signature",
            },
            p.sign(&p.secret(1), &body, t, "evt_1"),
            body.clone(),
        ));
        let mut tampered = body.clone();
        tampered[3] ^= 1;
        cases.push((
            Case {
                name: "tampered",
                status: 401,
                code: "invalid_signature",
            },
            p.sign(&secret, &body, t, "evt_1"),
            tampered,
        ));
        if p.has_timestamp() {
            cases.push((
                Case {
                    name: "stale",
                    status: 401,
                    code: "timestamp_too_old",
                },
                p.sign(&secret, &body, t - 1000, "evt_1"),
                body.clone(),
            ));
            cases.push((
                Case {
                    name: "future",
                    status: 401,
                    code: "timestamp_in_future",
                },
                p.sign(&secret, &body, t + 1000, "evt_1"),
                body.clone(),
            ));
        }
        for (case, headers, body) in cases {
            let (status, resp_body, resp_headers) = send(&app, request(&headers, body)).await;
            assert_eq!(status.as_u16(), case.status, "{p:?} {}", case.name);
            assert_eq!(resp_headers["content-type"], "application/json");
            let json: serde_json::Value = serde_json::from_slice(&resp_body).unwrap();
            assert_eq!(json["error"], case.code, "{p:?} {}", case.name);
            let text = String::from_utf8_lossy(&resp_body);
            assert!(!text.contains(&secret), "secret leaked");
        }
        assert_eq!(
            seen.calls.load(Ordering::SeqCst),
            0,
            "{p:?}: handler ran for a rejected request"
        );
    }
}

#[tokio::test]
async fn rotation_and_several_signatures_through_the_layer() {
    for p in ALL.into_iter().filter(|p| p.json_with_id()) {
        let secrets = [p.secret(0), p.secret(1)];
        let seen = Seen::default();
        let app = app(p.verifier(&secrets), &seen);
        let body = body_with_id("evt_9");
        let headers = p.sign(&secrets[1], &body, now(), "evt_9");
        assert_eq!(
            send(&app, request(&headers, body.clone())).await.0,
            StatusCode::OK,
            "{p:?}"
        );
        if p.multi_signature() {
            let macs = vec![
                p.mac(&p.secret(5), &body, now(), "evt_9"),
                p.mac(&secrets[0], &body, now(), "evt_9"),
            ];
            let headers = p.headers_with_macs(&macs, now(), "evt_9");
            assert_eq!(
                send(&app, request(&headers, body.clone())).await.0,
                StatusCode::OK,
                "{p:?}"
            );
        }
    }
}

#[tokio::test]
async fn oversized_bodies_are_413_with_or_without_content_length() {
    let p = P::GitHub;
    let secret = p.secret(0);
    let seen = Seen::default();
    let verifier = Verifier::github(secret.as_str())
        .max_body_size(1024)
        .build()
        .unwrap();
    let app = app(verifier, &seen);

    let at_limit = vec![b'a'; 1024];
    let headers = p.sign(&secret, &at_limit, now(), "d");
    assert_eq!(
        send(&app, request(&headers, at_limit.clone())).await.0,
        StatusCode::OK
    );

    let over = vec![b'a'; 1025];
    let headers = p.sign(&secret, &over, now(), "d");
    // Content-Length is set by Body::from(Vec) (exact size hint) ...
    let (status, body, _) = send(&app, request(&headers, over.clone())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(String::from_utf8_lossy(&body).contains("body_too_large"));
    // ... and a declared length alone is enough to refuse without reading.
    let mut req = request(&headers, Body::empty());
    req.headers_mut()
        .insert("content-length", "999999999".parse().unwrap());
    assert_eq!(send(&app, req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // A streamed body without a length is cut off once it passes the limit.
    let chunks: Vec<Result<Bytes, std::io::Error>> = over
        .chunks(100)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let req = request(&headers, Body::from_stream(futures_util_stream(chunks)));
    assert_eq!(send(&app, req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
}

/// A verifier that accepts deliveries above axum's own default body limit (2 MB, applied by
/// axum's `Bytes`, `String` and `Json` extractors to the bytes the layer hands on): the layer
/// itself lets them through, `Verified::body()` has them all, and a handler that extracts
/// `Bytes` needs `DefaultBodyLimit` raised on its route, or axum answers `413` after the
/// delivery was verified (the README's "Body size" says so).
#[tokio::test]
async fn deliveries_above_axums_default_body_limit() {
    use axum::extract::DefaultBodyLimit;
    let p = P::GitHub;
    let secret = p.secret(0);
    let limit = 4 * 1024 * 1024;
    let verifier = Verifier::github(secret.as_str())
        .max_body_size(limit)
        .build()
        .unwrap();
    let seen = Seen::default();
    let app = Router::new()
        .route("/body", post(record_verified))
        .route("/bytes", post(echo))
        .route(
            "/bytes-raised",
            post(echo).layer(DefaultBodyLimit::max(limit)),
        )
        .route_layer(VerifyWebhookLayer::new(verifier))
        .with_state(seen.clone());
    let body = vec![b'a'; 3 * 1024 * 1024];
    let headers = p.sign(&secret, &body, now(), "big");
    let to = |path: &str| {
        let mut req = request(&headers, body.clone());
        *req.uri_mut() = path.parse().unwrap();
        req
    };

    // `Verified::body()`: the whole delivery, no second read.
    let (status, _, _) = send(&app, to("/body")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, kept) = seen.last.lock().unwrap().take().unwrap();
    assert_eq!(kept.as_deref(), Some(&body[..]));

    // `Bytes` under axum's default limit: verified, then refused by axum's extractor.
    let (status, _, _) = send(&app, to("/bytes")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(seen.last.lock().unwrap().is_none(), "the handler ran");

    // `Bytes` with the limit raised to the verifier's: the exact bytes.
    let (status, echoed, _) = send(&app, to("/bytes-raised")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&echoed[..], &body[..]);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn slow_body_times_out_with_408() {
    let p = P::GitHub;
    let secret = p.secret(0);
    let seen = Seen::default();
    let verifier = Verifier::github(secret.as_str()).build().unwrap();
    let app = Router::new()
        .route("/hook", post(echo))
        .route_layer(
            VerifyWebhookLayer::new(verifier)
                .read_timeout(Some(std::time::Duration::from_millis(50))),
        )
        .with_state(seen.clone());
    let headers = p.sign(&secret, b"{}", now(), "d");
    // A body that never finishes.
    let (_tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let req = request(
        &headers,
        Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)),
    );
    let (status, body, _) = send(&app, req).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert!(String::from_utf8_lossy(&body).contains("body_read_timeout"));
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn extractor_without_layer_is_500_naming_the_layer() {
    async fn needs(_: Verified) -> &'static str {
        "ran"
    }
    async fn maybe(v: Option<Verified>) -> String {
        format!("verified={}", v.is_some())
    }
    let app = Router::new()
        .route("/needs", post(needs))
        .route("/maybe", post(maybe));
    let resp = app
        .clone()
        .oneshot(Request::post("/needs").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(
        String::from_utf8_lossy(&body).contains("VerifyWebhookLayer"),
        "{body:?}"
    );
    let resp = app
        .oneshot(Request::post("/maybe").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"verified=false");
}

#[tokio::test]
async fn optional_extractor_sees_the_facts_behind_the_layer() {
    async fn maybe(v: Option<Verified>) -> String {
        v.map(|v| v.provider().name().to_string())
            .unwrap_or_default()
    }
    let p = P::GitHub;
    let secret = p.secret(0);
    let app = Router::new()
        .route("/hook", post(maybe))
        .route_layer(VerifyWebhookLayer::new(
            p.verifier(std::slice::from_ref(&secret)),
        ));
    let headers = p.sign(&secret, b"{}", now(), "d");
    let (status, body, _) = send(&app, request(&headers, "{}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..], b"github");
}

#[tokio::test]
async fn rejection_carries_the_error_in_extensions_and_can_be_customised() {
    let p = P::GitHub;
    let secret = p.secret(0);
    let layer =
        VerifyWebhookLayer::new(p.verifier(std::slice::from_ref(&secret))).on_rejection(|e| {
            let mut r = http::Response::new(http_body_util::Full::new(Bytes::from_static(b"nope")));
            *r.status_mut() = if e.status() == 401 {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            };
            r
        });
    let app: Router = Router::new()
        .route("/hook", post(|| async { "ran" }))
        .route_layer(layer);
    let resp = app.oneshot(request(&[], "{}")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let err = resp
        .extensions()
        .get::<webhook_guard::VerifyError>()
        .unwrap();
    assert_eq!(err.kind(), webhook_guard::ErrorKind::MissingHeader);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_verifier() {
    let p = P::Stripe;
    let secret = p.secret(0);
    let verifier = p.verifier(std::slice::from_ref(&secret));
    let layer = VerifyWebhookLayer::new(verifier.clone());
    assert!(Verifier::ptr_eq(layer.verifier(), &verifier));
    // Both requests must be inside the handler at the same time to get past the barrier.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let b = barrier.clone();
    let app: Router = Router::new()
        .route(
            "/hook",
            post(move |v: Verified| {
                let b = b.clone();
                async move {
                    b.wait().await;
                    v.event_id().unwrap_or_default().to_string()
                }
            }),
        )
        .route_layer(layer.clone());
    let mut tasks = Vec::new();
    for id in ["evt_a", "evt_b"] {
        let app = app.clone();
        let body = body_with_id(id);
        let headers = p.sign(&secret, &body, now(), id);
        tasks.push(tokio::spawn(async move {
            send(&app, request(&headers, body)).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let (status, body, _) = tokio::time::timeout(std::time::Duration::from_secs(10), t)
            .await
            .expect("requests did not run concurrently")
            .unwrap();
        assert_eq!(status, StatusCode::OK);
        ids.push(String::from_utf8(body.to_vec()).unwrap());
    }
    ids.sort();
    assert_eq!(ids, ["evt_a", "evt_b"]);
    // Still the one verifier that was built, not a per-request or per-clone copy.
    assert!(Verifier::ptr_eq(layer.verifier(), &verifier));
}

#[tokio::test]
async fn plain_tower_service_without_axum() {
    use http_body_util::Full;
    use std::convert::Infallible;
    use tower::ServiceBuilder;

    let p = P::Shopify;
    let secret = p.secret(0);
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let svc = ServiceBuilder::new()
        .layer(VerifyWebhookLayer::new(
            p.verifier(std::slice::from_ref(&secret)),
        ))
        .service_fn(move |req: Request<Full<Bytes>>| {
            let c = c.clone();
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                let id = req
                    .extensions()
                    .get::<Verified>()
                    .and_then(|v| v.event_id().map(String::from))
                    .unwrap_or_default();
                let body = req.into_body().collect().await.unwrap().to_bytes();
                let mut out = id.into_bytes();
                out.push(b'|');
                out.extend_from_slice(&body);
                Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from(out))))
            }
        });
    let body = b"raw \x00 bytes".to_vec();
    let mut req = Request::post("/");
    for (k, v) in p.sign(&secret, &body, now(), "shop-1") {
        req = req.header(k, v);
    }
    let resp = svc
        .clone()
        .oneshot(req.body(Full::new(Bytes::from(body.clone()))).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let got = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&got[..], &b"shop-1|raw \x00 bytes"[..]);

    let forged = Request::post("/")
        .header(
            "X-Shopify-Hmac-Sha256",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let resp = svc.oneshot(forged).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// The handler of [`layer_around_a_handler_instead_of_the_route`]: it reads no body (the
/// first field stays empty); the bytes come from `Verified::body`.
async fn record_verified(State(seen): State<Seen>, verified: Verified) -> StatusCode {
    seen.calls.fetch_add(1, Ordering::SeqCst);
    *seen.last.lock().unwrap() = Some((
        Vec::new(),
        verified.event_id().map(String::from),
        verified.body().cloned(),
    ));
    StatusCode::NO_CONTENT
}

/// The layer around one handler (`post_service(layer.layer(handler.with_state(..)))`, which
/// the README offers beside `route_layer`) guards it as `route_layer` does: verified deliveries
/// reach the handler with their exact bytes, anything else is refused before it, and the
/// method routing still answers 405.
#[tokio::test]
async fn layer_around_a_handler_instead_of_the_route() {
    use axum::handler::Handler;
    use axum::routing::post_service;
    use tower::Layer;

    for p in ALL
        .into_iter()
        .filter(|p| p.json_with_id() && !p.is_token())
    {
        let secret = p.secret(0);
        let seen = Seen::default();
        let layer = VerifyWebhookLayer::new(p.verifier(std::slice::from_ref(&secret)));
        let app: Router = Router::new().route(
            "/hook",
            post_service(layer.layer(record_verified.with_state(seen.clone()))),
        );
        let body = body_with_id("evt_7");
        let headers = p.sign(&secret, &body, now(), "evt_7");

        let (status, _, _) = send(&app, request(&headers, body.clone())).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{p:?}");
        let (_, seen_id, kept) = seen.last.lock().unwrap().take().unwrap();
        assert_eq!(kept.as_deref(), Some(&body[..]), "{p:?}: Verified::body");
        assert_eq!(seen_id.as_deref(), Some("evt_7"), "{p:?}: event id");

        let mut tampered = body.clone();
        tampered[3] ^= 1;
        let (status, answer, _) = send(&app, request(&headers, tampered)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{p:?}");
        let json: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(json["error"], "invalid_signature", "{p:?}");

        let get = Request::get("/hook").body(Body::empty()).unwrap();
        let (status, _, _) = send(&app, get).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{p:?}");
        assert_eq!(seen.calls.load(Ordering::SeqCst), 1, "{p:?}: handler runs");
    }
}
