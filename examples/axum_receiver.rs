//! A real webhook receiver on axum.
//!
//! ```text
//! cargo run --example axum_receiver
//! ```
//!
//! Contract (other tools drive this server; keep it stable):
//! - listens on `127.0.0.1:$PORT` (default 3000);
//! - `POST /webhooks/stripe`, `/webhooks/github`, `/webhooks/standard`, `/webhooks/slack`,
//!   `/webhooks/shopify`;
//! - secrets from `STRIPE_WEBHOOK_SECRET`, `GITHUB_WEBHOOK_SECRET`, `STANDARD_WEBHOOK_SECRET`
//!   (`whsec_<base64>`), `SLACK_SIGNING_SECRET`, `SHOPIFY_WEBHOOK_SECRET`, with the demo defaults
//!   below;
//! - for every accepted delivery, exactly one line on stdout:
//!   `provider=<name> event_id=<id>` (`-` when the delivery carries no id);
//! - everything else (start-up help, logs) goes to stderr.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use webhook_guard::tower::VerifyWebhookLayer;
use webhook_guard::{Verified, Verifier};

/// Demo secrets, used when the environment variable is not set. Not for production.
const DEMO_STRIPE: &str = "whsec_demo_stripe_secret";
const DEMO_GITHUB: &str = "demo-github-secret";
const DEMO_STANDARD: &str = "whsec_ZGVtby1zdGFuZGFyZC13ZWJob29rcy1zZWNyZXQhIQ==";
const DEMO_SLACK: &str = "demo-slack-signing-secret";
const DEMO_SHOPIFY: &str = "demo-shopify-secret";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// The one stdout line per handled delivery.
async fn handle(verified: Verified, body: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    println!(
        "provider={} event_id={}",
        verified.provider().name(),
        verified.event_id().unwrap_or("-")
    );
    // Slack's URL verification handshake: answer with the challenge.
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
        if v["type"] == "url_verification" {
            if let Some(challenge) = v["challenge"].as_str() {
                return challenge.to_string().into_response();
            }
        }
    }
    "ok".into_response()
}

fn route(verifier: Verifier) -> axum::routing::MethodRouter {
    post(handle).route_layer(VerifyWebhookLayer::new(verifier))
}

fn app() -> Result<Router, webhook_guard::ConfigError> {
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

/// A ready-to-paste `curl` line for a correctly signed GitHub delivery.
fn github_curl(addr: SocketAddr) -> String {
    let secret = env_or("GITHUB_WEBHOOK_SECRET", DEMO_GITHUB);
    let body = r#"{"zen":"Keep it logically awesome.","hook_id":1}"#;
    let sig = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => return String::from("(cannot sign with an empty GITHUB_WEBHOOK_SECRET)"),
    };
    format!(
        "curl -i -X POST http://{addr}/webhooks/github \\\n  -H 'Content-Type: application/json' \\\n  -H 'X-GitHub-Event: ping' -H 'X-GitHub-Delivery: demo-delivery-1' \\\n  -H 'X-Hub-Signature-256: sha256={sig}' \\\n  --data-binary '{body}'"
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,webhook_guard=debug".into()),
        )
        .init();

    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("PORT={p:?} is not a port number"))?,
        Err(_) => 3000,
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let app = app()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    eprintln!("webhook-guard axum_receiver listening on http://{addr}");
    eprintln!("routes: POST /webhooks/{{stripe,github,standard,slack,shopify}}");
    eprintln!(
        "send a correctly signed test delivery with:\n\n{}\n",
        github_curl(addr)
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
