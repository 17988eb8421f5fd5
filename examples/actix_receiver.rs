//! A real webhook receiver on actix-web, with exactly the contract of `axum_receiver`.
//!
//! ```text
//! cargo run --example actix_receiver --features actix-web
//! ```
//!
//! Same `PORT` (default 3000, on 127.0.0.1), routes, secret variables and defaults, and one
//! stdout line per accepted delivery (`provider=<name> event_id=<id>`); logs on stderr. The
//! verifiers and the dedupe store (memory, or Redis when `REDIS_URL` is set and the example is
//! built with `--features actix-web,redis`) are built once, outside `HttpServer::new`, and
//! shared by every worker.

#[path = "shared/mod.rs"]
mod shared;

use actix_web::{web, App, HttpResponse, HttpServer};
use shared::*;
use webhook_guard::actix::VerifyWebhook;
use webhook_guard::{Verified, Verifier};

async fn handle(verified: Verified, body: web::Bytes) -> HttpResponse {
    print_delivery(&verified);
    match slack_challenge(&body) {
        Some(challenge) => HttpResponse::Ok().body(challenge),
        None => HttpResponse::Ok().body("ok"),
    }
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    // Built once, here: the factory below runs once per worker and only clones them.
    let stripe = Verifier::stripe(env_or("STRIPE_WEBHOOK_SECRET", DEMO_STRIPE)).build()?;
    let github = Verifier::github(env_or("GITHUB_WEBHOOK_SECRET", DEMO_GITHUB)).build()?;
    let standard =
        Verifier::standard_webhooks(env_or("STANDARD_WEBHOOK_SECRET", DEMO_STANDARD)).build()?;
    let slack = Verifier::slack(env_or("SLACK_SIGNING_SECRET", DEMO_SLACK)).build()?;
    let shopify = Verifier::shopify(env_or("SHOPIFY_WEBHOOK_SECRET", DEMO_SHOPIFY)).build()?;
    let dedupe = dedupe()?;
    let addr = listen_addr()?;

    let server = HttpServer::new(move || {
        let route = |path: &str, verifier: &Verifier| {
            web::resource(path)
                .wrap(VerifyWebhook::new(verifier.clone()).dedupe(dedupe.clone()))
                .route(web::post().to(handle))
        };
        App::new()
            .service(route("/webhooks/stripe", &stripe))
            .service(route("/webhooks/github", &github))
            .service(route("/webhooks/standard", &standard))
            .service(route("/webhooks/slack", &slack))
            .service(route("/webhooks/shopify", &shopify))
    })
    .bind(addr)?;
    let bound = server.addrs().first().copied().unwrap_or(addr);
    print_banner("actix_receiver", bound);
    server.run().await?;
    Ok(())
}
