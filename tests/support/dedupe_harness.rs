//! A handler whose behaviour each test scripts (succeed, fail, panic, hang, wait for a gate), and
//! the same app on both adapters, so that the dedupe tests run against axum and actix alike.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{test as actix_test, web, App, HttpResponse};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use http_body_util::BodyExt;
use tokio::sync::{Notify, Semaphore};
use tower::ServiceExt;
use webhook_guard::dedupe::Dedupe;
use webhook_guard::tower::VerifyWebhookLayer;
use webhook_guard::{Verified, Verifier};

use crate::common::{body_with_id, P};

/// The Stripe secret every dedupe test signs with.
pub const SECRET: &str = "whsec_dedupe_test_secret";

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn verifier() -> Verifier {
    Verifier::stripe(SECRET).build().unwrap()
}

/// A Stripe delivery of event `id` (the id is in the body, as Stripe sends it), signed now.
pub fn delivery(id: &str) -> Delivery {
    let body = body_with_id(id);
    Delivery {
        headers: P::Stripe.sign(SECRET, &body, now(), id),
        body,
    }
}

/// The same delivery signed with a secret the verifier does not know.
pub fn forged(id: &str) -> Delivery {
    let body = body_with_id(id);
    Delivery {
        headers: P::Stripe.sign("whsec_not_the_secret", &body, now(), id),
        body,
    }
}

/// The handler's own 200.
pub fn ok() -> Answer {
    Answer {
        status: 200,
        retry_after: None,
        duplicate: false,
        error: None,
    }
}

/// The guard's acknowledgement of a duplicate of a handled delivery.
pub fn duplicate() -> Answer {
    Answer {
        duplicate: true,
        ..ok()
    }
}

/// What the handler does on one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Perform the effect, answer 200.
    Ok,
    /// Answer 500 without the effect.
    Fail,
    /// Panic.
    Panic,
    /// Never finish.
    Hang,
    /// Wait until the test opens the gate, then perform the effect and answer 200.
    Gate,
}

/// The handler's script and what it did.
#[derive(Clone)]
pub struct Script {
    plan: Arc<Mutex<VecDeque<Mode>>>,
    pub calls: Arc<AtomicUsize>,
    pub effects: Arc<AtomicUsize>,
    pub entered: Arc<Notify>,
    pub gate: Arc<Semaphore>,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            plan: Arc::default(),
            calls: Arc::default(),
            effects: Arc::default(),
            entered: Arc::default(),
            gate: Arc::new(Semaphore::new(0)),
        }
    }
}

impl Script {
    pub fn plan(&self, modes: &[Mode]) {
        self.plan.lock().unwrap().extend(modes.iter().copied());
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn effects(&self) -> usize {
        self.effects.load(Ordering::SeqCst)
    }

    /// Runs one call and returns its status.
    async fn run(self, _verified: Verified) -> u16 {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.entered.notify_one();
        let mode = self.plan.lock().unwrap().pop_front().unwrap_or(Mode::Ok);
        match mode {
            Mode::Ok => {
                self.effects.fetch_add(1, Ordering::SeqCst);
                200
            }
            Mode::Fail => 500,
            Mode::Panic => panic!("the handler panicked (on purpose)"),
            Mode::Hang => std::future::pending().await,
            Mode::Gate => {
                let _permit = self.gate.acquire().await.unwrap();
                self.effects.fetch_add(1, Ordering::SeqCst);
                200
            }
        }
    }
}

/// A signed delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the client got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub duplicate: bool,
    pub error: Option<String>,
}

fn answer(status: u16, retry_after: Option<String>, duplicate: bool, body: &[u8]) -> Answer {
    let error = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(String::from));
    Answer {
        status,
        retry_after,
        duplicate,
        error,
    }
}

pub fn axum_app(verifier: Verifier, dedupe: Dedupe, script: &Script) -> Router {
    let s = script.clone();
    Router::new()
        .route(
            "/hook",
            post(move |v: Verified| {
                let s = s.clone();
                async move {
                    let status = s.run(v).await;
                    http::StatusCode::from_u16(status).unwrap()
                }
            }),
        )
        .route_layer(VerifyWebhookLayer::new(verifier).dedupe(dedupe))
}

pub async fn send_axum(app: &Router, d: &Delivery) -> Answer {
    let mut req = http::Request::post("/hook");
    for (k, v) in &d.headers {
        req = req.header(k, v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(axum::body::Body::from(d.body.clone())).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let h = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    answer(
        status,
        h.get("retry-after").map(|v| v.to_str().unwrap().into()),
        h.get("webhook-guard-duplicate")
            .is_some_and(|v| v == "true"),
        &body,
    )
}

pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// An actix app behind a closure (its service type cannot be named).
#[derive(Clone)]
pub struct ActixApp {
    send: Rc<dyn Fn(Delivery) -> LocalFuture<Answer>>,
}

impl ActixApp {
    pub fn send(&self, d: &Delivery) -> LocalFuture<Answer> {
        (self.send)(d.clone())
    }
}

pub async fn actix_app(verifier: Verifier, dedupe: Dedupe, script: &Script) -> ActixApp {
    let s = script.clone();
    let app = actix_test::init_service(
        App::new().service(
            web::resource("/hook")
                .wrap(webhook_guard::actix::VerifyWebhook::new(verifier).dedupe(dedupe))
                .route(web::post().to(move |v: Verified| {
                    let s = s.clone();
                    async move {
                        let status = s.run(v).await;
                        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                            .finish()
                    }
                })),
        ),
    )
    .await;
    let app = Rc::new(app);
    ActixApp {
        send: Rc::new(move |d: Delivery| {
            let app = app.clone();
            Box::pin(async move {
                let mut req = actix_test::TestRequest::post().uri("/hook");
                for (k, v) in &d.headers {
                    req = req.insert_header((k.as_str(), v.as_str()));
                }
                let resp =
                    actix_test::call_service(&*app, req.set_payload(d.body).to_request()).await;
                let status = resp.status().as_u16();
                let h = resp.headers().clone();
                let body: Bytes = actix_test::read_body(resp).await;
                answer(
                    status,
                    h.get("retry-after").map(|v| v.to_str().unwrap().into()),
                    h.get("webhook-guard-duplicate")
                        .is_some_and(|v| v == "true"),
                    &body,
                )
            })
        }),
    }
}
