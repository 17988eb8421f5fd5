//! `actix_request`: arbitrary requests through the actix-web middleware, with `actix_web::test`.
//!
//! One actix `System` (on a current-thread Tokio runtime whose clock is paused, so that a body
//! that never finishes meets the read timeout at once) and one initialised `App` with a
//! `VerifyWebhook`-wrapped resource per fixture, built once per thread.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::dev::{Payload, Service};
use actix_web::error::PayloadError;
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::Method;
use actix_web::{test, web, App, HttpResponse};
use arbitrary::{Arbitrary, Unstructured};
use bytes::Bytes;
use futures_util::StreamExt;

use super::adapters::{judge, prepare, Answer};
use super::input::{AdapterInput, Fault};
use super::oracle;
use super::{Finding, Outcome};
use crate::actix::VerifyWebhook;
use crate::verifier::unix_now;
use crate::Verified;

type Seen = Rc<RefCell<Vec<(Bytes, bool)>>>;

/// The request payload: the chunks, then the fault.
struct FuzzStream {
    chunks: VecDeque<Bytes>,
    fault: Fault,
    yielded: bool,
}

impl futures_util::Stream for FuzzStream {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.fault == Fault::Yield && !this.yielded && !this.chunks.is_empty() {
            this.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        this.yielded = false;
        match this.chunks.pop_front() {
            Some(chunk) => Poll::Ready(Some(Ok(chunk))),
            None => match this.fault {
                Fault::Error => Poll::Ready(Some(Err(PayloadError::Incomplete(None)))),
                Fault::Stall => Poll::Pending,
                Fault::None | Fault::Yield => Poll::Ready(None),
            },
        }
    }
}

/// One request, in terms the closure below can turn into an actix request.
struct Outgoing {
    path: String,
    method: Method,
    headers: Vec<(HeaderName, HeaderValue)>,
    stream: FuzzStream,
}

type Reply = Result<(u16, Option<Vec<u8>>, Bytes), String>;
type Sender = Rc<dyn Fn(Outgoing) -> Pin<Box<dyn Future<Output = Reply>>>>;

struct Harness {
    system: actix_web::rt::SystemRunner,
    send: Sender,
    seen: Seen,
}

async fn init(seen: Seen) -> Result<Sender, String> {
    let fixtures = oracle::fixtures().map_err(|f| f.0)?;
    let mut app = App::new();
    for (i, f) in fixtures.iter().enumerate() {
        let seen = seen.clone();
        app = app.service(
            web::resource(format!("/f{i}"))
                .wrap(
                    VerifyWebhook::new(f.verifier.clone())
                        .read_timeout(Some(Duration::from_secs(10))),
                )
                // `web::Payload`, not `web::Bytes`: the latter decompresses per
                // `Content-Encoding` (actix-web's compress features), after verification.
                .route(
                    web::route().to(move |v: Option<Verified>, mut body: web::Payload| {
                        let seen = seen.clone();
                        async move {
                            let mut all = Vec::new();
                            while let Some(chunk) = body.next().await {
                                match chunk {
                                    Ok(c) => all.extend_from_slice(&c),
                                    Err(_) => return HttpResponse::InternalServerError().finish(),
                                }
                            }
                            // `Verified`, holding exactly the bytes the handler read.
                            let kept = v.as_ref().and_then(Verified::body);
                            let verified = kept.is_some_and(|k| k[..] == all[..]);
                            seen.borrow_mut().push((Bytes::from(all), verified));
                            HttpResponse::Ok().body("handled")
                        }
                    }),
                ),
        );
    }
    let service = Rc::new(test::init_service(app).await);
    let send: Sender = Rc::new(move |out: Outgoing| {
        let service = service.clone();
        Box::pin(async move {
            let mut req = test::TestRequest::default()
                .method(out.method)
                .uri(&out.path)
                .to_request();
            for (n, v) in out.headers {
                req.headers_mut().append(n, v);
            }
            let stream: Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, PayloadError>>>> =
                Box::pin(out.stream);
            let (req, _) = req.replace_payload(Payload::from(stream));
            let response = service.call(req).await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .map(|v| v.as_bytes().to_vec());
            let body = test::try_read_body(response)
                .await
                .map_err(|e| e.to_string())?;
            Ok((status, content_type, body))
        })
    });
    Ok(send)
}

impl Harness {
    fn new() -> Result<Self, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .map_err(|e| e.to_string())?;
        let system = actix_web::rt::System::with_tokio_rt(move || rt);
        let seen = Seen::default();
        let send = system.block_on(init(seen.clone()))?;
        Ok(Harness { system, send, seen })
    }
}

thread_local! {
    // Never dropped: at thread exit, actix-web's own thread-locals may already be gone, and
    // dropping an `App` then aborts. The harness lives as long as its thread anyway.
    static HARNESS: std::mem::ManuallyDrop<Result<Harness, String>> =
        std::mem::ManuallyDrop::new(Harness::new());
}

/// Arbitrary requests through the actix-web middleware, with the same properties as the Tower
/// harness: documented statuses only, the status the transport rules and the core predict, the
/// handler only for requests the [`oracle`] accepts and with the exact bytes, 200 for a
/// correctly signed delivery with honest framing, JSON rejections without secrets.
pub fn actix_request(data: &[u8]) -> Outcome {
    let Ok(input) = AdapterInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return Ok(());
    };
    HARNESS.with(|h| match &**h {
        Ok(h) => run(h, &input).map_err(|f| Finding(format!("{f}\ninput: {input:?}"))),
        Err(e) => Err(Finding(format!("actix harness: {e}"))),
    })
}

fn run(h: &Harness, input: &AdapterInput) -> Outcome {
    let p = prepare(input, |n, v| {
        HeaderName::from_bytes(n.as_bytes()).is_ok() && HeaderValue::from_bytes(v).is_ok()
    })?;
    let headers = p
        .sent
        .iter()
        .filter_map(|(n, v)| {
            Some((
                HeaderName::from_bytes(n.as_bytes()).ok()?,
                HeaderValue::from_bytes(v).ok()?,
            ))
        })
        .collect();
    let out = Outgoing {
        path: format!("/f{}", p.built.fixture_index),
        method: Method::from_bytes(p.method.as_bytes())
            .map_err(|e| Finding(format!("method: {e}")))?,
        headers,
        stream: FuzzStream {
            chunks: p.chunks.iter().map(|c| Bytes::from(c.clone())).collect(),
            fault: p.fault,
            yielded: false,
        },
    };
    h.seen.borrow_mut().clear();
    let now_lo = unix_now();
    let reply = h.system.block_on((h.send)(out));
    let now_hi = unix_now();
    let (status, content_type, body) =
        reply.map_err(|e| Finding(format!("actix service error: {e}")))?;
    let handled = h.seen.borrow().clone();
    judge(
        &p,
        now_lo,
        now_hi,
        &Answer {
            status,
            content_type,
            body,
            handled,
        },
    )
}
