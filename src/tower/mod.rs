//! Tower middleware (feature `tower`): [`VerifyWebhookLayer`] wraps a service so that only
//! verified deliveries reach it. Works with axum (`Router::route_layer`, or around one handler:
//! `post_service(layer.layer(handler.with_state(state)))`; see the README's "Where to put the
//! layer"), hyper and tonic.
//!
//! For each request the service:
//! 1. answers `413` at once if `Content-Length` exceeds the limit, otherwise reads the body, and
//!    stops with `413` as soon as more than the limit has arrived (the rest is never buffered);
//!    answers `408` if the body has not arrived within the read timeout (default 30 s);
//! 2. verifies headers and body with the [`Verifier`];
//! 3. on success inserts [`Verified`](crate::Verified) into the request extensions, puts the **exact** bytes back
//!    as the body (`http_body_util::Full<Bytes>`), and only then calls the inner service. The
//!    same bytes are in [`Verified::body`](crate::Verified::body) (shared, not copied): a
//!    handler that takes them from there does not read the body a second time, nor meets
//!    axum's own 2 MB limit (`DefaultBodyLimit`), which axum's `Bytes` extractor applies to
//!    the verified bytes: with a larger `max_body_size`, raise it on the route or use
//!    `Verified::body`;
//! 4. on failure answers with the status and JSON body of [`Rejection`] (the [`VerifyError`] is
//!    also in the response extensions, for outer logging layers). A rejection is a response,
//!    never a `Service::Error`.
//!
//! ```
//! use axum::{routing::post, Router, body::Bytes};
//! use webhook_guard::{tower::VerifyWebhookLayer, Verified, Verifier};
//!
//! async fn handle(verified: Verified, body: Bytes) -> &'static str {
//!     println!("{} delivery {:?}, {} bytes", verified.provider(), verified.event_id(), body.len());
//!     "ok"
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let github = Verifier::github("It's a Secret to Everybody").build()?;
//! let app: Router = Router::new()
//!     .route("/webhooks/github", post(handle))
//!     .route_layer(VerifyWebhookLayer::new(github));
//!
//! use tower::ServiceExt;
//! let request = http::Request::post("/webhooks/github")
//!     .header("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
//!     .body(axum::body::Body::from("Hello, World!"))?;
//! let response = app.clone().oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//!
//! let forged = http::Request::post("/webhooks/github")
//!     .header("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
//!     .body(axum::body::Body::from("Hello, World?"))?;
//! assert_eq!(app.oneshot(forged).await?.status(), 401);
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(run()).unwrap();
//! ```

mod body;
mod future;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{Full, LengthLimitError};
use tower_layer::Layer;
use tower_service::Service;

pub use self::body::ResponseBody;
pub use self::future::ResponseFuture;
use crate::dedupe::{self, Dedupe, Gate};
use crate::error::{ErrorKind, VerifyError};
use crate::response::Rejection;
use crate::transport::{self, Admitted};
use crate::verifier::Verifier;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub use crate::transport::DEFAULT_READ_TIMEOUT;

/// Builds a rejection response from an error.
type RejectFn = Arc<dyn Fn(&VerifyError) -> Response<Full<Bytes>> + Send + Sync>;

/// Applies [`VerifyWebhook`] to a service. Cheap to clone; build it once per endpoint.
#[derive(Clone)]
pub struct VerifyWebhookLayer {
    // Shared with every service the layer makes: `layer` (which axum calls once per route, and
    // per request on a router that is called without `with_state`) is one reference count.
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    verifier: Verifier,
    read_timeout: Option<Duration>,
    reject: Option<RejectFn>,
    dedupe: Option<Dedupe>,
}

impl fmt::Debug for VerifyWebhookLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyWebhookLayer")
            .field("verifier", &self.config.verifier)
            .field("read_timeout", &self.config.read_timeout)
            .field("dedupe", &self.config.dedupe)
            .finish_non_exhaustive()
    }
}

impl VerifyWebhookLayer {
    /// A layer that verifies every request with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        VerifyWebhookLayer {
            config: Arc::new(Config {
                verifier,
                read_timeout: Some(DEFAULT_READ_TIMEOUT),
                reject: None,
                dedupe: None,
            }),
        }
    }

    /// Lets each verified delivery reach the inner service successfully once (see
    /// [the dedupe module](crate::dedupe)): `409` with `Retry-After` while a duplicate is in flight,
    /// `200` with `webhook-guard-duplicate: true` after it was handled, `503` if the store is
    /// down. Off by default.
    pub fn dedupe(mut self, dedupe: Dedupe) -> Self {
        Arc::make_mut(&mut self.config).dedupe = Some(dedupe);
        self
    }

    /// How long the whole body may take to arrive (default 30 s); `None` disables the timeout.
    /// The timeout needs a Tokio runtime; outside one it is not applied.
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        Arc::make_mut(&mut self.config).read_timeout = timeout;
        self
    }

    /// Replaces the default JSON rejection with your own response. The function receives the
    /// error (never request data) and must not leak anything the attacker should not learn.
    pub fn on_rejection<F>(mut self, f: F) -> Self
    where
        F: Fn(&VerifyError) -> Response<Full<Bytes>> + Send + Sync + 'static,
    {
        Arc::make_mut(&mut self.config).reject = Some(Arc::new(f));
        self
    }

    /// The verifier this layer uses.
    pub fn verifier(&self) -> &Verifier {
        &self.config.verifier
    }
}

impl<S> Layer<S> for VerifyWebhookLayer {
    type Service = VerifyWebhook<S>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyWebhook {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// Middleware that lets only verified webhook deliveries through. See the [module docs](self).
#[derive(Clone)]
pub struct VerifyWebhook<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> fmt::Debug for VerifyWebhook<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyWebhook")
            .field("verifier", &self.config.verifier)
            .finish_non_exhaustive()
    }
}

impl<S> VerifyWebhook<S> {
    /// The verifier this service uses.
    pub fn verifier(&self) -> &Verifier {
        &self.config.verifier
    }
}

/// The guard's own answer as an http response.
pub(crate) fn to_response(answer: Rejection) -> Response<Full<Bytes>> {
    let (status, headers, body) = answer.into_parts();
    let mut response = Response::new(Full::new(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The rejection response for `error`, with the error in the response extensions.
///
/// Out of line (`#[cold]`), as are the body read's error and joining paths below: every
/// accepted request runs the layer's code cold in the instruction cache (the server's own path
/// is several times larger than that cache), so the code it skips should not sit between the
/// code it runs (BENCHMARKS.md, section 5, eighteenth pass).
#[cold]
#[inline(never)]
fn reject<B>(config: &Config, error: VerifyError) -> Response<ResponseBody<B>> {
    transport::log_rejection(&config.verifier, &error);
    let response = match &config.reject {
        Some(f) => f(&error),
        None => to_response(Rejection::from_error(&error)),
    };
    let (mut parts, body) = response.into_parts();
    parts.extensions.insert(error);
    Response::from_parts(parts, ResponseBody::rejection(body))
}

pin_project_lite::pin_project! {
    /// Reads the whole body, stopping as soon as a data frame takes it past `max` (what
    /// `http_body_util::Limited` does, without its boxed error). A body that arrives in one
    /// frame (the usual case for webhooks) is kept as it is; only several frames are joined,
    /// into one buffer sized from `declared` (`Content-Length`). Trailers are ignored.
    struct ReadBody<B> {
        #[pin]
        body: B,
        max: usize,
        declared: Option<u64>,
        total: usize,
        first: Option<Bytes>,
        joined: Option<BytesMut>,
    }
}

impl<B> ReadBody<B> {
    fn new(body: B, max: usize, declared: Option<u64>) -> Self {
        ReadBody {
            body,
            max,
            declared,
            total: 0,
            first: None,
            joined: None,
        }
    }
}

impl<B> Future for ReadBody<B>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    type Output = Result<Bytes, VerifyError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let frame = match this.body.as_mut().poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => break,
                Poll::Ready(Some(Ok(frame))) => frame,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(read_failed(e.into()))),
            };
            let Ok(mut data) = frame.into_data() else {
                continue;
            };
            let len = data.remaining();
            *this.total = this.total.saturating_add(len);
            if *this.total > *this.max {
                return Poll::Ready(Err(VerifyError::from_kind(ErrorKind::BodyTooLarge)));
            }
            if this.joined.is_none() && this.first.is_none() {
                *this.first = Some(data.copy_to_bytes(len));
            } else {
                let head = this.first.take();
                join(
                    this.joined,
                    head,
                    data,
                    *this.declared,
                    *this.total,
                    *this.max,
                );
            }
        }
        Poll::Ready(Ok(match (this.joined.take(), this.first.take()) {
            (Some(buf), _) => buf.freeze(),
            (None, Some(head)) => head,
            (None, None) => Bytes::new(),
        }))
    }
}

/// A body read's error: a length limit enforced further out (tower-http's
/// `RequestBodyLimit`) is a 413 too.
#[cold]
#[inline(never)]
fn read_failed(e: BoxError) -> VerifyError {
    let kind = match e.downcast_ref::<LengthLimitError>() {
        Some(_) => ErrorKind::BodyTooLarge,
        None => ErrorKind::BodyReadFailed,
    };
    VerifyError::from_kind(kind)
}

/// A body's second frame and any after it: joined into one buffer, sized from the declared
/// length when the second frame arrives (`head` is the first frame then).
#[cold]
#[inline(never)]
fn join<D: Buf>(
    joined: &mut Option<BytesMut>,
    head: Option<Bytes>,
    data: D,
    declared: Option<u64>,
    total: usize,
    max: usize,
) {
    match joined {
        Some(buf) => buf.put(data),
        None => {
            let mut buf = BytesMut::with_capacity(transport::join_capacity(declared, total, max));
            if let Some(head) = head {
                buf.put(head);
            }
            buf.put(data);
            *joined = Some(buf);
        }
    }
}

/// The answer to a duplicate of a handled delivery.
#[cold]
#[inline(never)]
fn duplicate<B>(status: u16) -> Response<ResponseBody<B>> {
    to_response(Rejection::duplicate(status)).map(ResponseBody::rejection)
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for VerifyWebhook<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: http_body::Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
    ResBody: Send + 'static,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The clone that was driven to readiness handles this request (tower's usual dance).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = Arc::clone(&self.config);
        let (mut parts, body) = request.into_parts();
        let declared = transport::declared_length(&parts.headers);
        // One async block, no inner async fn: its captures are used in place, not copied into
        // another state machine's locals, so the parts take their room once.
        ResponseFuture {
            inner: Box::pin(async move {
                let verifier = &config.verifier;
                if let Err(e) = transport::check_declared(verifier, declared) {
                    return Ok(reject(&config, e));
                }
                let read = ReadBody::new(body, verifier.max_body_size(), declared);
                let bytes = match transport::read_within(config.read_timeout, read).await {
                    Ok(bytes) => bytes,
                    Err(e) => return Ok(reject(&config, e)),
                };
                let mut insert = |verified| {
                    parts.extensions.insert(verified);
                };
                let dedupe = config.dedupe.as_ref();
                let reservation =
                    match transport::admit(verifier, dedupe, &parts.headers, &bytes, &mut insert) {
                        Admitted::Open(reservation) => reservation,
                        Admitted::Refused(e) => return Ok(reject(&config, e)),
                        Admitted::Duplicate(status) => return Ok(duplicate(status)),
                        Admitted::Ask(dedupe, verified) => {
                            match transport::ask(dedupe, verified, &mut insert).await {
                                Gate::Open(reservation) => reservation,
                                Gate::Refused(e) => return Ok(reject(&config, e)),
                                Gate::Duplicate(status) => return Ok(duplicate(status)),
                            }
                        }
                    };
                // An error, a panic or a dropped future drops the reservation: it is released.
                let response = inner
                    .call(Request::from_parts(parts, Full::new(bytes)))
                    .await?;
                if let Some(settling) = dedupe::settle(reservation, response.status().as_u16()) {
                    settling.await;
                }
                Ok(response.map(ResponseBody::service))
            }),
        }
    }
}
