//! A real webhook receiver on axum.
//!
//! ```text
//! cargo run --example axum_receiver
//! ```
//!
//! Contract (other tools drive this server; `actix_receiver` follows it exactly):
//! - listens on `127.0.0.1:$PORT` (default 3000);
//! - `POST /webhooks/stripe`, `/webhooks/github`, `/webhooks/standard`, `/webhooks/slack`,
//!   `/webhooks/shopify`;
//! - secrets from `STRIPE_WEBHOOK_SECRET`, `GITHUB_WEBHOOK_SECRET`, `STANDARD_WEBHOOK_SECRET`
//!   (`whsec_<base64>`), `SLACK_SIGNING_SECRET`, `SHOPIFY_WEBHOOK_SECRET`, with the demo defaults
//!   in `examples/shared/mod.rs`;
//! - for every accepted delivery, exactly one line on stdout:
//!   `provider=<name> event_id=<id>` (`-` when the delivery carries no id);
//! - everything else (start-up help, logs) goes to stderr;
//! - each delivery is handled once: duplicates are answered without the handler (so without a
//!   stdout line), in memory, or in Redis when `REDIS_URL` is set (build with
//!   `--features axum,redis`).

#[path = "shared/mod.rs"]
mod shared;

use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use shared::*;
use webhook_guard::tower::VerifyWebhookLayer;
use webhook_guard::{Verified, Verifier};

async fn handle(verified: Verified, body: Bytes) -> Response {
    print_delivery(&verified);
    match slack_challenge(&body) {
        Some(challenge) => challenge.into_response(),
        None => "ok".into_response(),
    }
}

fn app() -> Result<Router, Box<dyn std::error::Error>> {
    let dedupe = dedupe()?;
    let route = |verifier: Verifier| {
        post(handle).route_layer(VerifyWebhookLayer::new(verifier).dedupe(dedupe.clone()))
    };
    Ok(Router::new()
        .route(
            "/webhooks/stripe",
            route(Verifier::stripe(env_or("STRIPE_WEBHOOK_SECRET", DEMO_STRIPE)).build()?),
        )
        .route(
            "/webhooks/github",
            route(Verifier::github(env_or("GITHUB_WEBHOOK_SECRET", DEMO_GITHUB)).build()?),
        )
        .route(
            "/webhooks/standard",
            route(
                Verifier::standard_webhooks(env_or("STANDARD_WEBHOOK_SECRET", DEMO_STANDARD))
                    .build()?,
            ),
        )
        .route(
            "/webhooks/slack",
            route(Verifier::slack(env_or("SLACK_SIGNING_SECRET", DEMO_SLACK)).build()?),
        )
        .route(
            "/webhooks/shopify",
            route(Verifier::shopify(env_or("SHOPIFY_WEBHOOK_SECRET", DEMO_SHOPIFY)).build()?),
        ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let app = app()?;
    let listener = tokio::net::TcpListener::bind(listen_addr()?).await?;
    print_banner("axum_receiver", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
