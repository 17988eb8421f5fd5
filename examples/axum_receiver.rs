//! A real webhook receiver on axum.
//!
//! ```text
//! cargo run --example axum_receiver
//! ```
//!
//! Contract (other tools drive this server; `actix_receiver` follows it exactly):
//! - listens on `127.0.0.1:$PORT` (default 3000);
//! - `POST /webhooks/stripe`, `/webhooks/github`, `/webhooks/standard`, `/webhooks/slack`,
//!   `/webhooks/shopify`, `/webhooks/gitlab`, `/webhooks/paddle`, `/webhooks/linear`,
//!   `/webhooks/zoom`, `/webhooks/twitch`, `/webhooks/square`, `/webhooks/twilio`,
//!   `/webhooks/intercom`, `/webhooks/discord`;
//! - secrets from `STRIPE_WEBHOOK_SECRET`, `GITHUB_WEBHOOK_SECRET`, `STANDARD_WEBHOOK_SECRET`
//!   (`whsec_<base64>`), `SLACK_SIGNING_SECRET`, `SHOPIFY_WEBHOOK_SECRET`,
//!   `GITLAB_WEBHOOK_SECRET` (the secret token), `PADDLE_WEBHOOK_SECRET`,
//!   `LINEAR_WEBHOOK_SECRET`, `ZOOM_WEBHOOK_SECRET` (the secret token), `TWITCH_WEBHOOK_SECRET`,
//!   `SQUARE_WEBHOOK_SECRET` (the signature key), `TWILIO_AUTH_TOKEN`,
//!   `INTERCOM_WEBHOOK_SECRET` (the client secret) and `DISCORD_PUBLIC_KEY` (hex), with the demo
//!   defaults in `examples/shared/mod.rs`;
//! - Square and Twilio sign the URL they call: `PUBLIC_BASE_URL` (default
//!   `http://127.0.0.1:$PORT`) + `/webhooks/square` or `/webhooks/twilio`;
//! - handshakes (`Verifier::handshake`): Slack's and Twitch's challenges are echoed, a Discord
//!   interactions PING gets `{"type":1}` (a webhook-events PING `204`), a Zoom
//!   `endpoint.url_validation` gets its `encryptedToken`;
//! - for every accepted delivery, exactly one line on stdout:
//!   `provider=<name> event_id=<id>` (`-` when the delivery carries no id). A line that cannot
//!   be written (stdout closed) makes the answer 500, so the provider retries it;
//! - everything else (start-up help, logs) goes to stderr;
//! - each delivery is handled once: duplicates are answered without the handler (so without a
//!   stdout line), in memory, or in Redis when `REDIS_URL` is set (build with
//!   `--features axum,redis`).

#[path = "shared/mod.rs"]
mod shared;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use shared::*;
use webhook_guard::tower::VerifyWebhookLayer;
use webhook_guard::{Verified, Verifier};

/// Prints the delivery's line, then answers a handshake (Slack's and Twitch's challenges,
/// Discord's PING, Zoom's URL validation) or `ok`.
async fn handle(verifier: Verifier, verified: Verified, body: Bytes) -> Response {
    if let Err(e) = print_delivery(&verified) {
        eprintln!("could not write the delivery's line: {e}");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let Some(answer) = verifier.handshake(&verified, &body) else {
        return "ok".into_response();
    };
    let status = StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::OK);
    match answer.content_type() {
        Some(content_type) => {
            (status, [("content-type", content_type)], answer.into_body()).into_response()
        }
        None => status.into_response(),
    }
}

fn app() -> Result<Router, Box<dyn std::error::Error>> {
    let dedupe = dedupe()?;
    let route = |verifier: Verifier| {
        let answers = verifier.clone();
        post(move |verified: Verified, body: Bytes| handle(answers.clone(), verified, body))
            .route_layer(VerifyWebhookLayer::new(verifier).dedupe(dedupe.clone()))
    };
    let base = public_base_url()?;
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
        )
        .route(
            "/webhooks/gitlab",
            route(Verifier::gitlab(env_or("GITLAB_WEBHOOK_SECRET", DEMO_GITLAB)).build()?),
        )
        .route(
            "/webhooks/paddle",
            route(Verifier::paddle(env_or("PADDLE_WEBHOOK_SECRET", DEMO_PADDLE)).build()?),
        )
        .route(
            "/webhooks/linear",
            route(Verifier::linear(env_or("LINEAR_WEBHOOK_SECRET", DEMO_LINEAR)).build()?),
        )
        .route(
            "/webhooks/zoom",
            route(Verifier::zoom(env_or("ZOOM_WEBHOOK_SECRET", DEMO_ZOOM)).build()?),
        )
        .route(
            "/webhooks/twitch",
            route(Verifier::twitch(env_or("TWITCH_WEBHOOK_SECRET", DEMO_TWITCH)).build()?),
        )
        .route(
            "/webhooks/square",
            route(
                Verifier::square(
                    env_or("SQUARE_WEBHOOK_SECRET", DEMO_SQUARE),
                    format!("{base}/webhooks/square"),
                )
                .build()?,
            ),
        )
        .route(
            "/webhooks/twilio",
            route(
                Verifier::twilio(
                    env_or("TWILIO_AUTH_TOKEN", DEMO_TWILIO),
                    format!("{base}/webhooks/twilio"),
                )
                .build()?,
            ),
        )
        .route(
            "/webhooks/intercom",
            route(Verifier::intercom(env_or("INTERCOM_WEBHOOK_SECRET", DEMO_INTERCOM)).build()?),
        )
        .route(
            "/webhooks/discord",
            route(Verifier::discord(env_or("DISCORD_PUBLIC_KEY", DEMO_DISCORD_PUBLIC)).build()?),
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
