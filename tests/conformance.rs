//! One conformance suite for both adapters.
//!
//! Every case in the table (provider, guard configuration, headers, body and how it is sent, the
//! clock at which it was signed, the expected status and error code, whether the handler runs,
//! and the exact bytes and facts it sees) is sent through the Tower layer (a real axum router)
//! **and** through the actix-web middleware (a real `App`). Each adapter must meet the
//! expectation, and the two outcomes (status, content type, error code, response body, the
//! `VerifyError` in the response extensions, and what the handler saw) must be identical, so
//! any behaviour difference between axum and actix fails this test.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::{test as actix_test, web, App, HttpResponse};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use bytes::Bytes;
use common::{body_with_id, twilio_canonical, IdSource, Opts, ALL, P};
use futures_util::stream::{self, StreamExt};
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use tower::ServiceExt;
use webhook_guard::tower::VerifyWebhookLayer;
use webhook_guard::{ErrorKind, Verified, Verifier, VerifyError};

type Headers = Vec<(String, Vec<u8>)>;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// How the body travels.
#[derive(Clone, Debug)]
enum Wire {
    /// In one piece, with an honest `Content-Length` (unless the case sets its own).
    Whole(Vec<u8>),
    /// In pieces of the given size, without `Content-Length`.
    Chunked(Vec<u8>, usize),
    /// These bytes, then nothing, ever: a client that stalls.
    Stalled(Vec<u8>),
}

impl Wire {
    fn bytes(&self) -> &[u8] {
        match self {
            Wire::Whole(b) | Wire::Chunked(b, _) | Wire::Stalled(b) => b,
        }
    }

    fn chunks(&self) -> Vec<Bytes> {
        match self {
            Wire::Whole(b) | Wire::Stalled(b) => vec![Bytes::copy_from_slice(b)],
            Wire::Chunked(b, n) => b.chunks(*n).map(Bytes::copy_from_slice).collect(),
        }
    }

    /// The body as a stream of chunks, shared by both adapters; `pulled` counts the bytes the
    /// adapter actually read.
    fn stream<E: Send + 'static>(
        &self,
        pulled: &Arc<AtomicUsize>,
    ) -> std::pin::Pin<Box<dyn futures_core::Stream<Item = Result<Bytes, E>> + Send>> {
        let pulled = pulled.clone();
        let chunks = stream::iter(self.chunks()).map(move |c| {
            pulled.fetch_add(c.len(), Ordering::SeqCst);
            Ok(c)
        });
        match self {
            Wire::Stalled(_) => Box::pin(chunks.chain(stream::pending())),
            _ => Box::pin(chunks),
        }
    }

    fn content_length(&self) -> Option<usize> {
        match self {
            Wire::Whole(b) => Some(b.len()),
            _ => None,
        }
    }
}

/// The guard in front of the handler (`None`: no guard at all, a configuration mistake).
#[derive(Clone)]
struct Guard {
    verifier: Verifier,
    read_timeout: Option<Duration>,
    custom_rejection: bool,
}

impl Guard {
    fn new(verifier: Verifier) -> Self {
        Guard {
            verifier,
            read_timeout: Some(Duration::from_secs(5)),
            custom_rejection: false,
        }
    }
}

/// Bytes whose `Debug` is short: length and a prefix.
#[derive(Clone, PartialEq)]
struct Blob(Vec<u8>);

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head = &self.0[..self.0.len().min(40)];
        write!(
            f,
            "{} bytes {:?}",
            self.0.len(),
            String::from_utf8_lossy(head)
        )
    }
}

/// What the handler saw.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    body: Blob,
    provider: String,
    event_id: Option<String>,
    timestamp: Option<u64>,
    secret_index: usize,
}

impl Seen {
    fn new(v: &Verified, body: &[u8]) -> Self {
        Seen {
            body: Blob(body.to_vec()),
            provider: v.provider().name().to_string(),
            event_id: v.event_id().map(String::from),
            timestamp: v.timestamp(),
            secret_index: v.secret_index(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// 200, the handler ran once and saw exactly the bytes sent, with these facts.
    Accepted {
        event_id: Option<String>,
        secret_index: usize,
        timestamp: Option<u64>,
    },
    /// This status and JSON `error` code; the handler did not run.
    Rejected { status: u16, code: &'static str },
}

struct Case {
    name: String,
    provider: P,
    guard: Option<Guard>,
    /// Seconds between the signing time and the server's clock (negative: signed earlier).
    clock: i64,
    headers: Headers,
    wire: Wire,
    expect: Expect,
}

impl Case {
    /// A body over the limit is refused without reading the rest: nothing at all when
    /// `Content-Length` declares too much, otherwise at most the limit plus the chunk that
    /// crossed it.
    fn max_read_on_413(&self) -> usize {
        let limit = self
            .guard
            .as_ref()
            .map_or(0, |g| g.verifier.max_body_size());
        let declared = self.headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("content-length")
                && std::str::from_utf8(v)
                    .ok()
                    .and_then(|v| v.parse::<usize>().ok())
                    .is_some_and(|n| n > limit)
        });
        match &self.wire {
            _ if declared => 0,
            Wire::Chunked(_, n) => limit + n,
            Wire::Whole(b) | Wire::Stalled(b) => b.len(),
        }
    }
}

/// One adapter's answer to one case.
#[derive(Debug, PartialEq)]
struct Outcome {
    status: u16,
    content_type: Option<String>,
    error_code: Option<String>,
    error_in_extensions: Option<ErrorKind>,
    /// The response body, except for the 500 of a missing guard, whose message names the
    /// adapter's own type (checked separately).
    body: Blob,
    /// How many body bytes the adapter pulled from the client.
    pulled: usize,
    handler: Vec<Seen>,
}

fn outcome(
    status: u16,
    content_type: Option<String>,
    ext: Option<ErrorKind>,
    body: Vec<u8>,
    pulled: usize,
    handler: Vec<Seen>,
) -> Outcome {
    let error_code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"].as_str().map(String::from));
    Outcome {
        status,
        content_type,
        error_code,
        error_in_extensions: ext,
        body: Blob(if status == 500 { Vec::new() } else { body }),
        pulled,
        handler,
    }
}

/// The custom rejection both adapters are given in the `custom_rejection` cases.
fn custom_status(e: &VerifyError) -> u16 {
    if e.status() == 401 {
        403
    } else {
        400
    }
}

fn custom_body(e: &VerifyError) -> String {
    format!("rejected: {}", e.kind().code())
}

fn request_headers(case: &Case) -> Headers {
    let mut headers = case.headers.clone();
    let has_length = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
    if let (Some(n), false) = (case.wire.content_length(), has_length) {
        headers.push(("content-length".into(), n.to_string().into_bytes()));
    }
    headers
}

async fn run_axum(case: &Case) -> (Outcome, Vec<u8>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let handler = post(move |v: Verified, body: Bytes| {
        s.lock().unwrap().push(Seen::new(&v, &body));
        async move { ([("content-type", "application/octet-stream")], body) }
    });
    let mut router = Router::new().route("/hook", handler);
    if let Some(g) = &case.guard {
        let mut layer = VerifyWebhookLayer::new(g.verifier.clone()).read_timeout(g.read_timeout);
        if g.custom_rejection {
            layer = layer.on_rejection(|e| {
                let mut r =
                    http::Response::new(http_body_util::Full::new(Bytes::from(custom_body(e))));
                *r.status_mut() = http::StatusCode::from_u16(custom_status(e)).unwrap();
                r.headers_mut()
                    .insert("content-type", "text/plain".parse().unwrap());
                r
            });
        }
        router = router.route_layer(layer);
    }
    let mut req = http::Request::post("/hook");
    for (k, v) in request_headers(case) {
        req = req.header(k, http::HeaderValue::from_bytes(&v).unwrap());
    }
    let pulled = Arc::new(AtomicUsize::new(0));
    let body = axum::body::Body::from_stream(case.wire.stream::<std::io::Error>(&pulled));
    let resp = router.oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let ext = resp
        .extensions()
        .get::<VerifyError>()
        .map(VerifyError::kind);
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    let handler = seen.lock().unwrap().clone();
    (
        outcome(
            status,
            content_type,
            ext,
            body.clone(),
            pulled.load(Ordering::SeqCst),
            handler,
        ),
        body,
    )
}

async fn call_actix<S, B>(
    app: &S,
    req: actix_http::Request,
) -> (u16, Option<String>, Option<ErrorKind>, Vec<u8>)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let resp = actix_test::call_service(app, req).await;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let ext = resp
        .response()
        .extensions()
        .get::<VerifyError>()
        .map(VerifyError::kind);
    let body = actix_test::read_body(resp).await.to_vec();
    (status, content_type, ext, body)
}

async fn run_actix(case: &Case) -> (Outcome, Vec<u8>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let route = web::post().to(move |v: Verified, body: web::Bytes| {
        s.lock().unwrap().push(Seen::new(&v, &body));
        async move {
            HttpResponse::Ok()
                .content_type("application/octet-stream")
                .body(body)
        }
    });
    let mut req = actix_test::TestRequest::post().uri("/hook");
    for (k, v) in request_headers(case) {
        let value = actix_web::http::header::HeaderValue::from_bytes(&v).unwrap();
        req = req.append_header((k.as_str(), value));
    }
    let pulled = Arc::new(AtomicUsize::new(0));
    let stream: actix_http::BoxedPayloadStream = case.wire.stream(&pulled);
    let payload = actix_web::dev::Payload::Stream { payload: stream };
    let (req, _) = req.to_request().replace_payload(payload);
    // The handler's own `web::Bytes` limit (256 KiB by default) is raised above every case.
    let payload_config = web::PayloadConfig::new(4 << 20);
    let (status, content_type, ext, body) = match &case.guard {
        Some(g) => {
            let mut mw = webhook_guard::actix::VerifyWebhook::new(g.verifier.clone())
                .read_timeout(g.read_timeout);
            if g.custom_rejection {
                mw = mw.on_rejection(|e| {
                    HttpResponse::build(
                        actix_web::http::StatusCode::from_u16(custom_status(e)).unwrap(),
                    )
                    .content_type("text/plain")
                    .body(custom_body(e))
                });
            }
            let app = actix_test::init_service(
                App::new()
                    .app_data(payload_config)
                    .service(web::resource("/hook").wrap(mw).route(route)),
            )
            .await;
            call_actix(&app, req).await
        }
        None => {
            let app = actix_test::init_service(
                App::new()
                    .app_data(payload_config)
                    .service(web::resource("/hook").route(route)),
            )
            .await;
            call_actix(&app, req).await
        }
    };
    let handler = seen.lock().unwrap().clone();
    (
        outcome(
            status,
            content_type,
            ext,
            body.clone(),
            pulled.load(Ordering::SeqCst),
            handler,
        ),
        body,
    )
}

fn headers_of(pairs: Vec<(String, String)>) -> Headers {
    pairs
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect()
}

fn set(headers: &mut Headers, name: &str, value: impl Into<Vec<u8>>) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value.into()));
}

fn remove(headers: &mut Headers, name: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
}

fn get(headers: &Headers, name: &str) -> Vec<u8> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .unwrap()
}

fn rejected(status: u16, code: &'static str) -> Expect {
    Expect::Rejected { status, code }
}

/// The table. `t` is the server's clock when the table is built.
fn cases(t: u64) -> Vec<Case> {
    let mut cases = Vec::new();
    for p in ALL {
        let s0 = p.secret(0);
        let one = Guard::new(p.verifier(std::slice::from_ref(&s0)));
        let ts = |clock: i64| p.has_timestamp().then(|| t.saturating_add_signed(clock));
        let accepted = |id: Option<&str>, index: usize, clock: i64| Expect::Accepted {
            event_id: id.map(String::from),
            secret_index: index,
            timestamp: ts(clock),
        };
        let mut add = |name: &str,
                       guard: Option<Guard>,
                       clock: i64,
                       headers: Headers,
                       wire: Wire,
                       expect: Expect| {
            cases.push(Case {
                name: format!("{p:?}: {name}"),
                provider: p,
                guard,
                clock,
                headers,
                wire,
                expect,
            });
        };
        let body = p.body("evt_1", t);
        // Linear's timestamp is in the body: a body signed at another time carries that time.
        let body_at = |clock: i64| p.body("evt_1", t.saturating_add_signed(clock));
        let signed = |secret: &str, body: &[u8], clock: i64| {
            headers_of(p.sign(secret, body, t.saturating_add_signed(clock), "evt_1"))
        };
        let g = || Some(one.clone());
        // The id a JSON body of `p.body` yields, and the one other bytes yield.
        let json_id = (p.id_source() != IdSource::None).then_some("evt_1");
        let raw_id = (p.id_source() == IdSource::Header).then_some("evt_1");
        // What any other bytes get: accepted where the preset signs raw bytes, otherwise
        // accepted only if they are what the scheme needs (a Twilio form), else 400.
        let raw_expect = |bytes: &[u8]| {
            let form_ok = p == P::Twilio && twilio_canonical(bytes).is_some();
            if p.signs_raw_bytes() || form_ok {
                Expect::Accepted {
                    event_id: raw_id.map(String::from),
                    secret_index: 0,
                    timestamp: ts(0),
                }
            } else {
                rejected(400, "malformed_body")
            }
        };
        let malformed_sig = if p.is_token() {
            // A token has no syntax: any other value is just not the token.
            rejected(401, "invalid_signature")
        } else {
            rejected(400, "malformed_header")
        };

        add(
            "valid",
            g(),
            0,
            signed(&s0, &body, 0),
            Wire::Whole(body.clone()),
            accepted(json_id, 0, 0),
        );
        // Bytes that are neither UTF-8 nor JSON pass untouched; body-borne ids are then absent.
        let raw = vec![0, 159, 146, 150, 255, b'\n', b' ', b'\r'];
        add(
            "valid, non-UTF-8 body",
            g(),
            0,
            signed(&s0, &raw, 0),
            Wire::Whole(raw.clone()),
            raw_expect(&raw),
        );
        add(
            "valid, empty body",
            g(),
            0,
            signed(&s0, b"", 0),
            Wire::Whole(Vec::new()),
            raw_expect(b""),
        );
        let long: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        add(
            "valid, 10 kB streamed in 7-byte chunks",
            g(),
            0,
            signed(&s0, &long, 0),
            Wire::Chunked(long.clone(), 7),
            raw_expect(&long),
        );
        let mut big = p.body("evt_1", t);
        big.resize(600 * 1024, b' ');
        add(
            "valid, 600 KiB body under the default 1 MiB limit",
            g(),
            0,
            signed(&s0, &big, 0),
            Wire::Chunked(big.clone(), 64 * 1024),
            accepted(json_id, 0, 0),
        );

        let mut h = signed(&s0, &body, 0);
        remove(&mut h, p.signature_header());
        add(
            "signature header missing",
            g(),
            0,
            h,
            Wire::Whole(body.clone()),
            rejected(401, "missing_header"),
        );
        add(
            "no headers at all",
            g(),
            0,
            Vec::new(),
            Wire::Whole(body.clone()),
            rejected(401, "missing_header"),
        );
        let mut h = signed(&s0, &body, 0);
        set(&mut h, p.signature_header(), "");
        add(
            "signature header empty",
            g(),
            0,
            h,
            Wire::Whole(body.clone()),
            rejected(400, "malformed_header"),
        );
        let mut h = signed(&s0, &body, 0);
        set(&mut h, p.signature_header(), "sha256=");
        add(
            "signature header malformed",
            g(),
            0,
            h,
            Wire::Whole(body.clone()),
            malformed_sig.clone(),
        );
        let mut h = signed(&s0, &body, 0);
        let sig = get(&h, p.signature_header());
        h.push((p.signature_header().to_string(), sig));
        add(
            "signature header sent twice",
            g(),
            0,
            h,
            Wire::Whole(body.clone()),
            rejected(400, "malformed_header"),
        );
        let mut h = signed(&s0, &body, 0);
        let mut sig = get(&h, p.signature_header());
        sig.truncate(sig.len() - 4);
        set(&mut h, p.signature_header(), sig);
        add(
            "signature truncated",
            g(),
            0,
            h,
            Wire::Whole(body.clone()),
            malformed_sig.clone(),
        );
        let mut h = signed(&s0, &body, 0);
        let mut sig = get(&h, p.signature_header());
        sig.push(0xff);
        set(&mut h, p.signature_header(), sig);
        add(
            "signature with a non-ASCII byte",
            g(),
            0,
            h,
            Wire::Whole(body.clone()),
            malformed_sig.clone(),
        );
        add(
            "signed with another secret",
            g(),
            0,
            signed(&p.secret(1), &body, 0),
            Wire::Whole(body.clone()),
            rejected(401, "invalid_signature"),
        );
        let mut tampered = body.clone();
        tampered[3] ^= 1;
        // GitLab's token authenticates the sender only: the body is not covered.
        let forged = if p.is_token() {
            accepted(json_id, 0, 0)
        } else {
            rejected(401, "invalid_signature")
        };
        add(
            "body tampered",
            g(),
            0,
            signed(&s0, &body, 0),
            Wire::Whole(tampered),
            forged.clone(),
        );
        let mut longer = body.clone();
        longer.push(b'\n');
        add(
            "body with a byte appended",
            g(),
            0,
            signed(&s0, &body, 0),
            Wire::Whole(longer),
            forged,
        );

        if let Some(th) = p.timestamp_header() {
            let mut h = signed(&s0, &body, 0);
            remove(&mut h, th);
            add(
                "timestamp header missing",
                g(),
                0,
                h,
                Wire::Whole(body.clone()),
                rejected(401, "missing_header"),
            );
            let mut h = signed(&s0, &body, 0);
            set(&mut h, th, format!("+{t}"));
            add(
                "timestamp with a sign",
                g(),
                0,
                h,
                Wire::Whole(body.clone()),
                rejected(400, "malformed_header"),
            );
        }
        if p.has_timestamp() {
            add(
                "signed 1000 s ago",
                g(),
                -1000,
                signed(&s0, &body_at(-1000), -1000),
                Wire::Whole(body_at(-1000)),
                rejected(401, "timestamp_too_old"),
            );
            add(
                "signed 1000 s ahead",
                g(),
                1000,
                signed(&s0, &body_at(1000), 1000),
                Wire::Whole(body_at(1000)),
                rejected(401, "timestamp_in_future"),
            );
            // Within the preset's window (30 s inside it), both ways.
            let near = p.tolerance() as i64 - 30;
            add(
                &format!("signed {near} s ago"),
                g(),
                -near,
                signed(&s0, &body_at(-near), -near),
                Wire::Whole(body_at(-near)),
                accepted(json_id, 0, -near),
            );
            add(
                &format!("signed {near} s ahead"),
                g(),
                near,
                signed(&s0, &body_at(near), near),
                Wire::Whole(body_at(near)),
                accepted(json_id, 0, near),
            );
            let wide = Guard::new(p.verifier_opts(
                std::slice::from_ref(&s0),
                Opts {
                    tolerance: Some(Duration::from_secs(3600)),
                    ..Opts::default()
                },
            ));
            add(
                "signed 1000 s ago, 1 h tolerance",
                Some(wide),
                -1000,
                signed(&s0, &body_at(-1000), -1000),
                Wire::Whole(body_at(-1000)),
                accepted(json_id, 0, -1000),
            );
        }

        let two = Guard::new(p.verifier(&[s0.clone(), p.secret(1)]));
        add(
            "rotation: signed with the second secret",
            Some(two.clone()),
            0,
            signed(&p.secret(1), &body, 0),
            Wire::Whole(body.clone()),
            accepted(json_id, 1, 0),
        );
        if p.multi_signature() {
            let macs = vec![
                p.mac(&p.secret(5), &body, t, "evt_1"),
                p.mac(&p.secret(6), &body, t, "evt_1"),
                p.mac(&p.secret(1), &body, t, "evt_1"),
            ];
            add(
                "three signatures, only the last valid",
                Some(two.clone()),
                0,
                headers_of(p.headers_with_macs(&macs, t, "evt_1")),
                Wire::Whole(body.clone()),
                accepted(json_id, 1, 0),
            );
            let macs = vec![
                p.mac(&p.secret(5), &body, t, "evt_1"),
                p.mac(&p.secret(6), &body, t, "evt_1"),
            ];
            add(
                "two signatures, none valid",
                Some(two.clone()),
                0,
                headers_of(p.headers_with_macs(&macs, t, "evt_1")),
                Wire::Whole(body.clone()),
                rejected(401, "invalid_signature"),
            );
        }

        let small = Guard::new(p.verifier_opts(
            std::slice::from_ref(&s0),
            Opts {
                max_body: Some(1024),
                ..Opts::default()
            },
        ));
        let at = p.sized_body(1024, t);
        let over = p.sized_body(1025, t);
        let acc_noid = accepted(raw_id, 0, 0);
        add(
            "body exactly at the limit",
            Some(small.clone()),
            0,
            signed(&s0, &at, 0),
            Wire::Whole(at.clone()),
            acc_noid.clone(),
        );
        add(
            "body at the limit, streamed",
            Some(small.clone()),
            0,
            signed(&s0, &at, 0),
            Wire::Chunked(at.clone(), 100),
            acc_noid,
        );
        add(
            "body one byte over the limit",
            Some(small.clone()),
            0,
            signed(&s0, &over, 0),
            Wire::Whole(over.clone()),
            rejected(413, "body_too_large"),
        );
        add(
            "one byte over the limit, streamed without Content-Length",
            Some(small.clone()),
            0,
            signed(&s0, &over, 0),
            Wire::Chunked(over.clone(), 100),
            rejected(413, "body_too_large"),
        );
        // Ten times the limit: reading stops once the limit is passed.
        let huge = p.sized_body(10 * 1024, t);
        add(
            "10x the limit, streamed: reading stops at the limit",
            Some(small.clone()),
            0,
            signed(&s0, &huge, 0),
            Wire::Chunked(huge.clone(), 100),
            rejected(413, "body_too_large"),
        );
        let mut h = signed(&s0, &huge, 0);
        set(&mut h, "content-length", "999999999");
        add(
            "Content-Length over the limit: refused unread",
            Some(small.clone()),
            0,
            h,
            Wire::Chunked(huge.clone(), 100),
            rejected(413, "body_too_large"),
        );

        let mut slow = one.clone();
        slow.read_timeout = Some(Duration::from_millis(100));
        add(
            "body stalls past the read timeout",
            Some(slow),
            0,
            signed(&s0, &body, 0),
            Wire::Stalled(body[..10].to_vec()),
            rejected(408, "body_read_timeout"),
        );
        let mut untimed = one.clone();
        untimed.read_timeout = None;
        add(
            "no read timeout configured",
            Some(untimed),
            0,
            signed(&s0, &body, 0),
            Wire::Whole(body.clone()),
            accepted(json_id, 0, 0),
        );

        let mut custom = one.clone();
        custom.custom_rejection = true;
        add(
            "custom rejection, bad signature",
            Some(custom.clone()),
            0,
            signed(&p.secret(1), &body, 0),
            Wire::Whole(body.clone()),
            rejected(403, ""),
        );
        add(
            "custom rejection, valid delivery",
            Some(custom),
            0,
            signed(&s0, &body, 0),
            Wire::Whole(body.clone()),
            accepted(json_id, 0, 0),
        );
        add(
            "no guard on the route",
            None,
            0,
            signed(&s0, &body, 0),
            Wire::Whole(body.clone()),
            rejected(500, "missing_webhook_guard"),
        );
    }

    // Provider specifics.
    let body = body_with_id("evt_1");
    let gh = P::GitHub;
    let s0 = gh.secret(0);
    let sha1 = |secret: &str, body: &[u8]| {
        let mut m = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
        m.update(body);
        format!("sha1={}", hex::encode(m.finalize().into_bytes()))
    };
    let legacy = Guard::new(
        Verifier::github(s0.as_str())
            .allow_legacy_sha1()
            .build()
            .unwrap(),
    );
    let only_sha1: Headers = vec![
        ("X-Hub-Signature".into(), sha1(&s0, &body).into_bytes()),
        ("X-GitHub-Delivery".into(), b"evt_1".to_vec()),
    ];
    let gh_case = |name: &str, guard: Guard, headers: Headers, expect: Expect| Case {
        name: format!("GitHub: {name}"),
        provider: gh,
        guard: Some(guard),
        clock: 0,
        headers,
        wire: Wire::Whole(body.clone()),
        expect,
    };
    cases.push(gh_case(
        "sha1 only, legacy not enabled",
        Guard::new(gh.verifier(std::slice::from_ref(&s0))),
        only_sha1.clone(),
        rejected(401, "missing_header"),
    ));
    cases.push(gh_case(
        "sha1 only, legacy enabled",
        legacy.clone(),
        only_sha1.clone(),
        Expect::Accepted {
            event_id: Some("evt_1".into()),
            secret_index: 0,
            timestamp: None,
        },
    ));
    let mut downgrade = headers_of(gh.sign(&gh.secret(1), &body, t, "evt_1"));
    downgrade.push(("X-Hub-Signature".into(), sha1(&s0, &body).into_bytes()));
    cases.push(gh_case(
        "downgrade: bad sha256 next to a good sha1",
        legacy,
        downgrade,
        rejected(401, "invalid_signature"),
    ));
    let mut sha1_in_256: Headers = headers_of(gh.sign(&s0, &body, t, "evt_1"));
    set(&mut sha1_in_256, "X-Hub-Signature-256", sha1(&s0, &body));
    cases.push(gh_case(
        "sha1= sent in the sha256 header",
        Guard::new(gh.verifier(std::slice::from_ref(&s0))),
        sha1_in_256,
        rejected(400, "malformed_header"),
    ));

    let sw = P::Standard;
    let s0 = sw.secret(0);
    let svix: Headers = headers_of(sw.sign(&s0, &body, t, "msg_1"))
        .into_iter()
        .map(|(k, v)| (k.replace("webhook-", "svix-"), v))
        .collect();
    let sw_guard = Guard::new(sw.verifier(std::slice::from_ref(&s0)));
    let sw_case = |name: &str, headers: Headers, expect: Expect| Case {
        name: format!("Standard: {name}"),
        provider: sw,
        guard: Some(sw_guard.clone()),
        clock: 0,
        headers,
        wire: Wire::Whole(body.clone()),
        expect,
    };
    cases.push(sw_case(
        "svix-* header aliases",
        svix,
        Expect::Accepted {
            event_id: Some("msg_1".into()),
            secret_index: 0,
            timestamp: Some(t),
        },
    ));
    let mut h = headers_of(sw.sign(&s0, &body, t, "msg_1"));
    remove(&mut h, "webhook-id");
    cases.push(sw_case(
        "webhook-id missing",
        h,
        rejected(401, "missing_header"),
    ));
    let mut h = headers_of(sw.sign(&s0, &body, t, "msg_1"));
    set(&mut h, "webhook-id", "msg_2");
    cases.push(sw_case(
        "webhook-id changed",
        h,
        rejected(401, "invalid_signature"),
    ));
    let mut h = headers_of(sw.sign(&s0, &body, t, "msg_1"));
    let sig = get(&h, "webhook-signature");
    set(
        &mut h,
        "webhook-signature",
        [b"v1a,AAAA ".as_slice(), &sig].concat(),
    );
    cases.push(sw_case(
        "unknown version listed before v1",
        h,
        Expect::Accepted {
            event_id: Some("msg_1".into()),
            secret_index: 0,
            timestamp: Some(t),
        },
    ));

    let st = P::Stripe;
    let s0 = st.secret(0);
    let st_guard = Guard::new(st.verifier(std::slice::from_ref(&s0)));
    let mac = st.mac(&s0, &body, t, "");
    let st_case = |name: &str, header: String, expect: Expect| Case {
        name: format!("Stripe: {name}"),
        provider: st,
        guard: Some(st_guard.clone()),
        clock: 0,
        headers: vec![("Stripe-Signature".into(), header.into_bytes())],
        wire: Wire::Whole(body.clone()),
        expect,
    };
    cases.push(st_case(
        "v0 only",
        format!("t={t},v0={}", hex::encode(&mac)),
        rejected(401, "invalid_signature"),
    ));
    cases.push(st_case(
        "t= missing",
        format!("v1={}", hex::encode(&mac)),
        rejected(400, "malformed_header"),
    ));
    cases.push(st_case(
        "t= repeated",
        format!("t={t},t={t},v1={}", hex::encode(&mac)),
        rejected(400, "malformed_header"),
    ));
    cases.push(st_case(
        "v0 and unknown schemes around a good v1, uppercase hex",
        format!("t={t},v0=00,x9=zz,v1={}", hex::encode(&mac).to_uppercase()),
        Expect::Accepted {
            event_id: Some("evt_1".into()),
            secret_index: 0,
            timestamp: Some(t),
        },
    ));

    let sh = P::Shopify;
    let s0 = sh.secret(0);
    let mut h = headers_of(sh.sign(&s0, &body, t, "evt_1"));
    let sig = String::from_utf8(get(&h, "X-Shopify-Hmac-Sha256")).unwrap();
    set(&mut h, "X-Shopify-Hmac-Sha256", sig.trim_end_matches('='));
    cases.push(Case {
        name: "Shopify: base64 without padding".into(),
        provider: sh,
        guard: Some(Guard::new(sh.verifier(std::slice::from_ref(&s0)))),
        clock: 0,
        headers: h,
        wire: Wire::Whole(body.clone()),
        expect: rejected(400, "malformed_header"),
    });
    let b64 = base64::engine::general_purpose::STANDARD.encode(sh.mac(&s0, &body, t, ""));
    assert_eq!(b64, sig, "the test signer and the table agree");

    // Issue 7 presets: what only they have.
    let specific = |p: P, name: &str, guard: Guard, headers: Headers, wire: Vec<u8>, expect| Case {
        name: format!("{p:?}: {name}"),
        provider: p,
        guard: Some(guard),
        clock: 0,
        headers,
        wire: Wire::Whole(wire),
        expect,
    };
    let accepted_with = |id: Option<&str>, index: usize, ts: Option<u64>| Expect::Accepted {
        event_id: id.map(String::from),
        secret_index: index,
        timestamp: ts,
    };

    let tw = P::Twilio;
    let s0 = tw.secret(0);
    let tw_guard = Guard::new(tw.verifier(std::slice::from_ref(&s0)));
    let form = tw.body("evt_1", t);
    let tw_headers = headers_of(tw.sign(&s0, &form, t, "evt_1"));
    let mut reordered: Vec<&[u8]> = form.split(|b| *b == b'&').collect();
    reordered.reverse();
    cases.push(specific(
        tw,
        "parameters in another order",
        tw_guard.clone(),
        tw_headers.clone(),
        reordered.join(&b'&'),
        accepted_with(Some("evt_1"), 0, None),
    ));
    for (name, bad) in [
        ("JSON body", &br#"{"CallSid":"CA1"}"#[..]),
        ("bad percent escape", b"CallSid=CA%zz"),
        ("empty parameter", b"CallSid=CA1&&To=2"),
        ("escape decoding to non-UTF-8", b"CallSid=%FF"),
    ] {
        cases.push(specific(
            tw,
            name,
            tw_guard.clone(),
            tw_headers.clone(),
            bad.to_vec(),
            rejected(400, "malformed_body"),
        ));
    }

    let li = P::Linear;
    let s0 = li.secret(0);
    let no_ts = br#"{"type":"Issue","id":"evt_1"}"#.to_vec();
    cases.push(specific(
        li,
        "signed body without webhookTimestamp",
        Guard::new(li.verifier(std::slice::from_ref(&s0))),
        headers_of(li.sign(&s0, &no_ts, t, "evt_1")),
        no_ts,
        rejected(400, "malformed_body"),
    ));

    let pa = P::Paddle;
    let s0 = pa.secret(0);
    let pbody = pa.body("evt_1", t);
    let h1 = hex::encode(pa.mac(&s0, &pbody, t, ""));
    cases.push(specific(
        pa,
        "Stripe's comma instead of Paddle's semicolon",
        Guard::new(pa.verifier(std::slice::from_ref(&s0))),
        vec![(
            "Paddle-Signature".into(),
            format!("ts={t},h1={h1}").into_bytes(),
        )],
        pbody.clone(),
        rejected(400, "malformed_header"),
    ));
    cases.push(specific(
        pa,
        "h1 for a rolled secret, then the valid one",
        Guard::new(pa.verifier(std::slice::from_ref(&s0))),
        vec![(
            "Paddle-Signature".into(),
            format!("ts={t};h1={};h1={h1}", "ab".repeat(32)).into_bytes(),
        )],
        pbody,
        accepted_with(Some("evt_1"), 0, Some(t)),
    ));

    let twitch = P::Twitch;
    let s0 = twitch.secret(0);
    let tbody = twitch.body("evt_1", t);
    let mut h = headers_of(twitch.sign(&s0, &tbody, t, "evt_1"));
    set(&mut h, "Twitch-Eventsub-Message-Timestamp", t.to_string());
    cases.push(specific(
        twitch,
        "unix seconds instead of RFC 3339",
        Guard::new(twitch.verifier(std::slice::from_ref(&s0))),
        h,
        tbody,
        rejected(400, "malformed_header"),
    ));

    // Standard Webhooks with both kinds of keys: v1a first, v1 second.
    let (sw, ed) = (P::Standard, P::StandardEd);
    let (whsec, whsk) = (sw.secret(0), ed.secret(0));
    let mixed = Guard::new(
        Verifier::standard_webhooks(ed.verifier_key(&whsk))
            .secret(whsec.as_str())
            .build()
            .unwrap(),
    );
    let body = sw.body("msg_1", t);
    for (name, p, secret, index) in [("v1a", ed, &whsk, 0), ("v1", sw, &whsec, 1)] {
        cases.push(specific(
            p,
            &format!("v1 and v1a keys configured, {name} delivery"),
            mixed.clone(),
            headers_of(p.sign(secret, &body, t, "msg_1")),
            body.clone(),
            accepted_with(Some("msg_1"), index, Some(t)),
        ));
    }

    // A Discord PING is an ordinary verified delivery (the example servers answer PONG).
    let dc = P::Discord;
    let s0 = dc.secret(0);
    let ping = br#"{"type":1,"id":"evt_1","application_id":"1"}"#.to_vec();
    cases.push(specific(
        dc,
        "PING",
        Guard::new(dc.verifier(std::slice::from_ref(&s0))),
        headers_of(dc.sign(&s0, &ping, t, "")),
        ping,
        accepted_with(Some("evt_1"), 0, Some(t)),
    ));
    cases
}

#[actix_web::test]
async fn both_adapters_behave_identically() {
    let t = now();
    let cases = cases(t);
    assert!(
        cases.len() >= 500,
        "the table shrank: {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let (axum, axum_body) = run_axum(case).await;
        let (actix, actix_body) = run_actix(case).await;
        let sent = case.wire.bytes();
        for (adapter, got, body) in [("axum", &axum, &axum_body), ("actix", &actix, &actix_body)] {
            let problem = match &case.expect {
                Expect::Accepted {
                    event_id,
                    secret_index,
                    timestamp,
                } => {
                    let want = Seen {
                        body: Blob(sent.to_vec()),
                        provider: case.provider.name().to_string(),
                        event_id: event_id.clone(),
                        timestamp: *timestamp,
                        secret_index: *secret_index,
                    };
                    if got.status != 200 {
                        Some(format!(
                            "status {} {:?}",
                            got.status,
                            String::from_utf8_lossy(body)
                        ))
                    } else if got.handler != [want.clone()] {
                        Some(format!("handler saw {:?}, want {want:?}", got.handler))
                    } else if body != sent {
                        Some("the echoed body differs from the bytes sent".to_string())
                    } else {
                        None
                    }
                }
                Expect::Rejected { status, code } => {
                    if got.status != *status {
                        Some(format!(
                            "status {} {:?}, want {status}",
                            got.status,
                            String::from_utf8_lossy(body)
                        ))
                    } else if !got.handler.is_empty() {
                        Some("the handler ran".to_string())
                    } else if case.guard.as_ref().is_some_and(|g| g.custom_rejection) {
                        let kind = got.error_in_extensions;
                        (*body
                            != custom_body(&VerifyError::from_kind(
                                kind.unwrap_or(ErrorKind::MissingHeader),
                            ))
                            .into_bytes()
                            || kind.is_none())
                        .then(|| {
                            format!(
                                "custom rejection not used: {:?}",
                                String::from_utf8_lossy(body)
                            )
                        })
                    } else if *status == 413 && got.pulled > case.max_read_on_413() {
                        Some(format!(
                            "read {} bytes past a 413, at most {} allowed",
                            got.pulled,
                            case.max_read_on_413()
                        ))
                    } else if got.error_code.as_deref() != Some(*code) {
                        Some(format!("error code {:?}, want {code}", got.error_code))
                    } else if got.content_type.as_deref() != Some("application/json") {
                        Some(format!("content type {:?}", got.content_type))
                    } else if *status != 500
                        && got.error_in_extensions.map(ErrorKind::code) != Some(*code)
                    {
                        Some(format!(
                            "VerifyError in extensions: {:?}",
                            got.error_in_extensions
                        ))
                    } else {
                        None
                    }
                }
            };
            if let Some(p) = problem {
                failures.push(format!(
                    "[{adapter}] {} (clock {:+}): {p}",
                    case.name, case.clock
                ));
            }
        }
        if axum != actix {
            failures.push(format!(
                "{}: the adapters differ\n  axum:  {axum:?}\n  actix: {actix:?}",
                case.name
            ));
        }
        if case.guard.is_none() {
            let names = [
                (String::from_utf8_lossy(&axum_body), "VerifyWebhookLayer"),
                (String::from_utf8_lossy(&actix_body), "VerifyWebhook"),
            ];
            for (text, name) in names {
                if !text.contains(name) {
                    failures.push(format!(
                        "{}: the 500 does not name {name}: {text}",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!(
        "conformance: {} cases, each run against axum and actix-web",
        cases.len()
    );
}
