//! `tower_request`: arbitrary requests through `VerifyWebhookLayer`, in process.
//!
//! One current-thread Tokio runtime (clock paused, so a body that never finishes meets the read
//! timeout at once and deterministically) and one layered service per fixture, built once per
//! thread. Each request is sent with `tower::ServiceExt::oneshot` on a clone of the service.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use ::tower::ServiceExt as _;
use arbitrary::{Arbitrary, Unstructured};
use bytes::Bytes;
use http::{Request, Response};
use http_body::Frame;
use http_body_util::{BodyExt, Full};
use tower_layer::Layer;
use tower_service::Service;

use super::adapters::{judge, prepare, Answer};
use super::input::{AdapterInput, Fault};
use super::oracle;
use super::{Finding, Outcome};
use crate::tower::{VerifyWebhook, VerifyWebhookLayer};
use crate::verifier::unix_now;
use crate::Verified;

type Seen = Arc<Mutex<Vec<(Bytes, bool)>>>;

/// The inner service: records what it was given, answers 200.
#[derive(Clone)]
struct Handler {
    seen: Seen,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl Service<Request<Full<Bytes>>> for Handler {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Full<Bytes>>) -> Self::Future {
        let seen = self.seen.clone();
        Box::pin(async move {
            let kept = req
                .extensions()
                .get::<Verified>()
                .map(|v| v.body().cloned());
            let body = match req.into_body().collect().await {
                Ok(c) => c.to_bytes(),
                Err(never) => match never {},
            };
            // `Verified`, holding exactly the bytes the handler read.
            let verified = kept.is_some_and(|k| k.as_ref() == Some(&body));
            if let Ok(mut s) = seen.lock() {
                s.push((body, verified));
            }
            Ok(Response::new(Full::new(Bytes::from_static(b"handled"))))
        })
    }
}

/// A request body: the chunks, then the fault.
struct FuzzBody {
    chunks: VecDeque<Bytes>,
    fault: Fault,
    yielded: bool,
}

impl http_body::Body for FuzzBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = &mut *self;
        if this.fault == Fault::Yield && !this.yielded && !this.chunks.is_empty() {
            this.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        this.yielded = false;
        match this.chunks.pop_front() {
            Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            None => match this.fault {
                Fault::Error => Poll::Ready(Some(Err(std::io::Error::other("fuzz: read error")))),
                // Never ready again, and nobody is told: only the read timeout ends this.
                Fault::Stall => Poll::Pending,
                Fault::None | Fault::Yield => Poll::Ready(None),
            },
        }
    }
}

struct Harness {
    rt: tokio::runtime::Runtime,
    services: Vec<VerifyWebhook<Handler>>,
    seen: Seen,
}

impl Harness {
    fn new() -> Result<Self, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| e.to_string())?;
        let seen = Seen::default();
        let fixtures = oracle::fixtures().map_err(|f| f.0)?;
        let services = fixtures
            .iter()
            .map(|f| {
                VerifyWebhookLayer::new(f.verifier.clone())
                    .read_timeout(Some(Duration::from_secs(10)))
                    .layer(Handler { seen: seen.clone() })
            })
            .collect();
        Ok(Harness { rt, services, seen })
    }
}

thread_local! {
    // Never dropped, like the actix harness: the harness lives as long as its thread anyway,
    // and its runtime need not be torn down at thread exit.
    static HARNESS: std::mem::ManuallyDrop<Result<Harness, String>> =
        std::mem::ManuallyDrop::new(Harness::new());
}

/// Arbitrary requests through the Tower layer.
///
/// Properties: only documented statuses (200 from the handler, 400, 401, 408, 413); the status
/// the transport rules (declared and actual length, read error, read timeout) and the core
/// predict; the handler runs at most once, only with `Verified`, only for a request the
/// [`oracle`] accepts, and sees exactly the bytes sent; a correctly signed delivery with honest
/// framing gets 200; rejections are JSON without secrets.
pub fn tower_request(data: &[u8]) -> Outcome {
    let Ok(input) = AdapterInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return Ok(());
    };
    HARNESS.with(|h| match &**h {
        Ok(h) => run(h, &input).map_err(|f| Finding(format!("{f}\ninput: {input:?}"))),
        Err(e) => Err(Finding(format!("tower harness: {e}"))),
    })
}

fn run(h: &Harness, input: &AdapterInput) -> Outcome {
    let p = prepare(input, |n, v| {
        http::HeaderName::from_bytes(n.as_bytes()).is_ok()
            && http::HeaderValue::from_bytes(v).is_ok()
    })?;
    let mut req = Request::new(FuzzBody {
        chunks: p.chunks.iter().map(|c| Bytes::from(c.clone())).collect(),
        fault: p.fault,
        yielded: false,
    });
    *req.method_mut() = http::Method::from_bytes(p.method.as_bytes())
        .map_err(|e| Finding(format!("method: {e}")))?;
    *req.uri_mut() = http::Uri::from_static("/hook");
    for (n, v) in &p.sent {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(n.as_bytes()),
            http::HeaderValue::from_bytes(v),
        ) {
            req.headers_mut().append(n, v);
        }
    }
    let svc = h
        .services
        .get(p.built.fixture_index)
        .cloned()
        .ok_or_else(|| Finding("no service".into()))?;
    if let Ok(mut s) = h.seen.lock() {
        s.clear();
    }
    let now_lo = unix_now();
    let answer = h.rt.block_on(async move {
        let response = svc.oneshot(req).await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .map(|v| v.as_bytes().to_vec());
        let body = match response.into_body().collect().await {
            Ok(c) => c.to_bytes(),
            Err(never) => match never {},
        };
        Ok::<_, Infallible>((status, content_type, body))
    });
    let now_hi = unix_now();
    let (status, content_type, body) = match answer {
        Ok(a) => a,
        Err(never) => match never {},
    };
    let handled = h.seen.lock().map(|s| s.clone()).unwrap_or_default();
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
