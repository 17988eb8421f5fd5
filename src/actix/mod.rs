//! actix-web middleware (feature `actix-web`): [`VerifyWebhook`] lets only verified deliveries
//! through to the wrapped `App`, `Scope` or `Resource`.
//!
//! The same steps, statuses and JSON bodies as the [Tower layer](crate::tower) (both call the
//! same core): `413` on a declared or actual body over the limit (the rest is never buffered),
//! `408` past the read timeout, then verification, then the **exact** bytes are put back as the
//! payload (`web::Bytes`, `web::Json<T>`, `web::Payload` all work in the handler) and
//! [`Verified`] is in the request extensions, and an extractor. [`Verified::body`] holds the
//! same bytes: a handler that takes them from there reads no payload a second time, nor meets
//! actix's own `web::Bytes` limit (256 KiB, `web::PayloadConfig`), which applies to the verified
//! bytes: with a larger `max_body_size`, raise it on the resource or use [`Verified::body`].
//!
//! Build the verifier once, **outside** `HttpServer::new(move || ...)`: the factory closure runs
//! once per worker thread, and cloning a built [`Verifier`] shares it.
//!
//! ```
//! use actix_web::{test, web, App, HttpResponse};
//! use webhook_guard::{actix::VerifyWebhook, Verified, Verifier};
//!
//! async fn handle(verified: Verified, body: web::Bytes) -> HttpResponse {
//!     HttpResponse::Ok().body(format!("{} {}", verified.provider(), body.len()))
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let github = Verifier::github("It's a Secret to Everybody").build().unwrap();
//! let app = test::init_service(
//!     App::new().service(
//!         web::resource("/webhooks/github")
//!             .wrap(VerifyWebhook::new(github.clone()))
//!             .route(web::post().to(handle)),
//!     ),
//! )
//! .await;
//! let req = test::TestRequest::post()
//!     .uri("/webhooks/github")
//!     .insert_header(("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"))
//!     .set_payload("Hello, World!")
//!     .to_request();
//! let resp = test::call_service(&app, req).await;
//! assert_eq!(resp.status(), 200);
//! # });
//! ```

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::dedupe::{self, Dedupe, Gate};
use crate::error::{ErrorKind, VerifyError};
use crate::response::Rejection;
use crate::transport::{self, Admitted, DEFAULT_READ_TIMEOUT};
use crate::verifier::{Verified, Verifier};

/// Builds a rejection response from an error.
type RejectFn = Rc<dyn Fn(&VerifyError) -> HttpResponse>;

/// Middleware factory: `.wrap(VerifyWebhook::new(verifier))`. Cheap to clone.
#[derive(Clone)]
pub struct VerifyWebhook {
    verifier: Verifier,
    read_timeout: Option<Duration>,
    reject: Option<RejectFn>,
    dedupe: Option<Dedupe>,
}

impl std::fmt::Debug for VerifyWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyWebhook")
            .field("verifier", &self.verifier)
            .field("read_timeout", &self.read_timeout)
            .field("dedupe", &self.dedupe)
            .finish_non_exhaustive()
    }
}

impl VerifyWebhook {
    /// Verifies every request with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        VerifyWebhook {
            verifier,
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            reject: None,
            dedupe: None,
        }
    }

    /// Lets each verified delivery reach the handler successfully once (see
    /// [the dedupe module](crate::dedupe)): `409` with `Retry-After` while a duplicate is in flight,
    /// `200` with `webhook-guard-duplicate: true` after it was handled, `503` if the store is
    /// down. Off by default. Build the [`Dedupe`] once, outside `HttpServer::new`, so that every
    /// worker shares one store.
    pub fn dedupe(mut self, dedupe: Dedupe) -> Self {
        self.dedupe = Some(dedupe);
        self
    }

    /// How long the whole body may take to arrive (default 30 s); `None` disables the timeout.
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Replaces the default JSON rejection with your own response. The function receives the
    /// error (never request data) and must not leak anything the attacker should not learn. The
    /// [`VerifyError`] is still added to the response extensions.
    ///
    /// The factory closure of `HttpServer::new` runs once per worker, so this function is
    /// installed per worker too; it need not be `Send`.
    pub fn on_rejection<F>(mut self, f: F) -> Self
    where
        F: Fn(&VerifyError) -> HttpResponse + 'static,
    {
        self.reject = Some(Rc::new(f));
        self
    }

    /// The verifier this middleware uses.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }
}

impl<S, B> Transform<S, ServiceRequest> for VerifyWebhook
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = VerifyWebhookMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(VerifyWebhookMiddleware {
            service: Rc::new(service),
            config: Rc::new(self.clone()),
        }))
    }
}

/// The middleware service created by [`VerifyWebhook`].
pub struct VerifyWebhookMiddleware<S> {
    service: Rc<S>,
    config: Rc<VerifyWebhook>,
}

impl<S> std::fmt::Debug for VerifyWebhookMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyWebhookMiddleware")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The guard's own answer as an actix response.
fn to_response(answer: Rejection) -> HttpResponse {
    let (status, headers, body) = answer.into_parts();
    let mut response = HttpResponse::build(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    for header in headers {
        response.insert_header(header);
    }
    response.body(body)
}

/// The rejection response, from the same mapping as the Tower layer. Out of line (`#[cold]`),
/// as the Tower layer's is (BENCHMARKS.md, section 5, eighteenth pass).
#[cold]
#[inline(never)]
fn rejection(config: &VerifyWebhook, error: VerifyError) -> HttpResponse {
    transport::log_rejection(&config.verifier, &error);
    let mut response = match &config.reject {
        Some(f) => f(&error),
        None => to_response(Rejection::from_error(&error)),
    };
    response.extensions_mut().insert(error);
    response
}

/// The request answered with `answer` instead of the wrapped service's response.
#[cold]
#[inline(never)]
fn refuse<B>(req: ServiceRequest, answer: HttpResponse) -> ServiceResponse<EitherBody<B>> {
    req.into_response(answer).map_into_right_body()
}

/// The answer to a duplicate of a handled delivery.
#[cold]
#[inline(never)]
fn duplicate(status: u16) -> HttpResponse {
    to_response(Rejection::duplicate(status))
}

/// Reads the payload, stopping as soon as it exceeds `max`.
async fn read_payload(
    mut payload: Payload,
    max: usize,
    declared: Option<u64>,
) -> Result<Bytes, VerifyError> {
    // A body that arrives in one chunk (the usual case for webhooks) is kept as it is; only
    // several chunks are copied into one buffer.
    let mut first: Option<Bytes> = None;
    let mut buf: Option<BytesMut> = None;
    let mut total = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| VerifyError::from_kind(ErrorKind::BodyReadFailed))?;
        total = total.saturating_add(chunk.len());
        if total > max {
            return Err(VerifyError::from_kind(ErrorKind::BodyTooLarge));
        }
        match (&mut buf, first.take()) {
            (Some(buf), _) => buf.extend_from_slice(&chunk),
            (None, None) => first = Some(chunk),
            (None, Some(head)) => {
                let capacity = transport::join_capacity(declared, total, max);
                let mut joined = BytesMut::with_capacity(capacity);
                joined.extend_from_slice(&head);
                joined.extend_from_slice(&chunk);
                buf = Some(joined);
            }
        }
    }
    Ok(match (buf, first) {
        (Some(buf), _) => buf.freeze(),
        (None, Some(head)) => head,
        (None, None) => Bytes::new(),
    })
}

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// The verified body, handed back to the handler as a payload of one chunk (what `web::Bytes`,
/// `web::Json` and `web::Payload` read), without the channel and buffer of a fresh HTTP/1
/// payload.
struct OneChunk(Option<Bytes>);

impl futures_util::Stream for OneChunk {
    type Item = Result<Bytes, actix_web::error::PayloadError>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.take().map(Ok))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::from(self.0.is_some());
        (n, Some(n))
    }
}

/// `Content-Length` of an actix request (looked up with actix's own parsed name: one hash
/// look-up of a standard header).
fn declared_length(headers: &actix_web::http::header::HeaderMap) -> Option<u64> {
    use crate::headers::Lookup;
    let mut values = headers.get_all(actix_web::http::header::CONTENT_LENGTH);
    transport::parse_length(match (values.next(), values.next()) {
        (None, _) => Lookup::Missing,
        (Some(v), None) => Lookup::One(v.as_bytes()),
        (Some(_), Some(_)) => Lookup::Many,
    })
}

impl<S, B> Service<ServiceRequest> for VerifyWebhookMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let config = Rc::clone(&self.config);
        // One async block, no inner async fn: its captures are used in place, not copied into
        // another state machine's locals.
        Box::pin(async move {
            let verifier = &config.verifier;
            let declared = declared_length(req.headers());
            if let Err(e) = transport::check_declared(verifier, declared) {
                return Ok(refuse(req, rejection(&config, e)));
            }
            let read = read_payload(req.take_payload(), verifier.max_body_size(), declared);
            let bytes = match transport::read_within(config.read_timeout, read).await {
                Ok(bytes) => bytes,
                Err(e) => return Ok(refuse(req, rejection(&config, e))),
            };
            let insert = |verified| {
                req.extensions_mut().insert(verified);
            };
            let dedupe = config.dedupe.as_ref();
            let reservation =
                match transport::admit(verifier, dedupe, req.headers(), &bytes, insert) {
                    Admitted::Open(reservation) => reservation,
                    Admitted::Refused(e) => return Ok(refuse(req, rejection(&config, e))),
                    Admitted::Duplicate(status) => return Ok(refuse(req, duplicate(status))),
                    Admitted::Ask(dedupe, verified) => {
                        match transport::ask(dedupe, verified, insert).await {
                            Gate::Open(reservation) => reservation,
                            Gate::Refused(e) => return Ok(refuse(req, rejection(&config, e))),
                            Gate::Duplicate(status) => return Ok(refuse(req, duplicate(status))),
                        }
                    }
                };
            req.set_payload(Payload::Stream {
                payload: Box::pin(OneChunk(Some(bytes))),
            });
            // An error, a panic or a dropped future drops the reservation: it is released.
            let response = service.call(req).await?;
            if let Some(settling) = dedupe::settle(reservation, response.status().as_u16()) {
                settling.await;
            }
            Ok(response.map_into_left_body())
        })
    }
}

/// Error of the [`Verified`] extractor when no [`VerifyWebhook`] middleware wraps the route: a
/// configuration mistake, answered with `500` and a message naming the missing middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingVerifyMiddleware;

impl MissingVerifyMiddleware {
    const MESSAGE: &'static str = "`Verified` extractor used without \
        `webhook_guard::actix::VerifyWebhook` middleware on this route: add \
        `.wrap(VerifyWebhook::new(verifier))`";
}

impl std::fmt::Display for MissingVerifyMiddleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl ResponseError for MissingVerifyMiddleware {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!("{}", Self::MESSAGE);
        to_response(Rejection::custom(
            500,
            "missing_webhook_guard",
            Self::MESSAGE,
        ))
    }
}

impl FromRequest for Verified {
    type Error = MissingVerifyMiddleware;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Verified>()
                .cloned()
                .ok_or(MissingVerifyMiddleware),
        )
    }
}
