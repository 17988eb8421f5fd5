//! actix-web middleware (feature `actix-web`): [`VerifyWebhook`] lets only verified deliveries
//! through to the wrapped `App`, `Scope` or `Resource`.
//!
//! The same steps, statuses and JSON bodies as the [Tower layer](crate::tower) (both call the
//! same core): `413` on a declared or actual body over the limit (the rest is never buffered),
//! `408` past the read timeout, then verification, then the **exact** bytes are put back as the
//! payload (`web::Bytes`, `web::Json<T>`, `web::Payload` all work in the handler) and
//! [`Verified`] is in the request extensions, and an extractor.
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
use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::error::{ErrorKind, VerifyError};
use crate::headers::{HeaderLookup, Lookup};
use crate::response::{Rejection, CONTENT_TYPE as JSON};
use crate::transport::{self, DEFAULT_READ_TIMEOUT};
use crate::verifier::{Verified, Verifier};

impl HeaderLookup for HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        let mut values = self.get_all(name);
        match (values.next(), values.next()) {
            (None, _) => Lookup::Missing,
            (Some(v), None) => Lookup::One(v.as_bytes()),
            (Some(_), Some(_)) => Lookup::Many,
        }
    }
}

/// Builds a rejection response from an error.
type RejectFn = Rc<dyn Fn(&VerifyError) -> HttpResponse>;

/// Middleware factory: `.wrap(VerifyWebhook::new(verifier))`. Cheap to clone.
#[derive(Clone)]
pub struct VerifyWebhook {
    verifier: Verifier,
    read_timeout: Option<Duration>,
    reject: Option<RejectFn>,
}

impl std::fmt::Debug for VerifyWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyWebhook")
            .field("verifier", &self.verifier)
            .field("read_timeout", &self.read_timeout)
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
        }
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
            config: self.clone(),
        }))
    }
}

/// The middleware service created by [`VerifyWebhook`].
pub struct VerifyWebhookMiddleware<S> {
    service: Rc<S>,
    config: VerifyWebhook,
}

impl<S> std::fmt::Debug for VerifyWebhookMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyWebhookMiddleware")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The rejection response, from the same mapping as the Tower layer.
fn rejection(config: &VerifyWebhook, error: VerifyError) -> HttpResponse {
    transport::log_rejection(&config.verifier, &error);
    let mut response = match &config.reject {
        Some(f) => f(&error),
        None => {
            let (status, body) = Rejection::from_error(&error).into_parts();
            HttpResponse::build(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            )
            .insert_header((CONTENT_TYPE, JSON))
            .body(body)
        }
    };
    response.extensions_mut().insert(error);
    response
}

/// Reads the payload, stopping as soon as it exceeds `max`.
async fn read_payload(mut payload: Payload, max: usize) -> Result<Bytes, VerifyError> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| VerifyError::from_kind(ErrorKind::BodyReadFailed))?;
        if buf.len().saturating_add(chunk.len()) > max {
            return Err(VerifyError::from_kind(ErrorKind::BodyTooLarge));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

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
        let config = self.config.clone();
        Box::pin(async move {
            let verifier = &config.verifier;
            let read = read_payload(req.take_payload(), verifier.max_body_size());
            let checked =
                transport::read_and_verify(verifier, req.headers(), config.read_timeout, read)
                    .await;
            let (verified, bytes) = match checked {
                Ok(v) => v,
                Err(e) => {
                    let response = rejection(&config, e);
                    return Ok(req.into_response(response).map_into_right_body());
                }
            };
            req.extensions_mut().insert(verified);
            req.set_payload(Payload::from(bytes));
            let response = service.call(req).await?;
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
        let (_, body) = Rejection::custom(500, "missing_webhook_guard", Self::MESSAGE).into_parts();
        HttpResponse::InternalServerError()
            .insert_header((CONTENT_TYPE, JSON))
            .body(body)
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
