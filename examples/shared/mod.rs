//! What both example servers share: the contract's secrets, defaults, port and output line.
#![allow(dead_code)]

use std::net::SocketAddr;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use webhook_guard::dedupe::{Dedupe, MemoryStore};
use webhook_guard::Verified;

/// Demo secrets, used when the environment variable is not set. Not for production.
pub const DEMO_STRIPE: &str = "whsec_demo_stripe_secret";
pub const DEMO_GITHUB: &str = "demo-github-secret";
pub const DEMO_STANDARD: &str = "whsec_ZGVtby1zdGFuZGFyZC13ZWJob29rcy1zZWNyZXQhIQ==";
pub const DEMO_SLACK: &str = "demo-slack-signing-secret";
pub const DEMO_SHOPIFY: &str = "demo-shopify-secret";
pub const DEMO_GITLAB: &str = "demo-gitlab-token";
pub const DEMO_PADDLE: &str = "pdl_ntfset_demo_paddle_secret";
pub const DEMO_LINEAR: &str = "demo-linear-secret";
pub const DEMO_ZOOM: &str = "demo-zoom-secret-token";
pub const DEMO_TWITCH: &str = "demo-twitch-secret";
pub const DEMO_SQUARE: &str = "demo-square-signature-key";
pub const DEMO_TWILIO: &str = "demo-twilio-auth-token";
pub const DEMO_INTERCOM: &str = "demo-intercom-client-secret";
/// Discord's demo application key pair: the server verifies with the public key; sign test
/// deliveries with the private key (`webhook-guard sign discord --secret <DEMO_DISCORD_PRIVATE>`).
pub const DEMO_DISCORD_PRIVATE: &str =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
pub const DEMO_DISCORD_PUBLIC: &str =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

/// Every route the servers have, as (path name, secret variable).
pub const ROUTES: &str = "stripe,github,standard,slack,shopify,gitlab,paddle,linear,zoom,twitch,\
square,twilio,intercom,discord";

pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// The dedupe store every route shares: Redis when `REDIS_URL` is set (feature `redis`),
/// memory otherwise. Built once, before the server starts.
pub fn dedupe() -> Result<Dedupe, Box<dyn std::error::Error>> {
    match std::env::var("REDIS_URL") {
        Ok(url) => redis_dedupe(&url),
        Err(_) => {
            eprintln!("dedupe: in memory (set REDIS_URL to share it between replicas)");
            Ok(Dedupe::new(MemoryStore::default()))
        }
    }
}

#[cfg(feature = "redis")]
fn redis_dedupe(url: &str) -> Result<Dedupe, Box<dyn std::error::Error>> {
    let store = webhook_guard::dedupe::redis::RedisStore::new(url)?;
    eprintln!("dedupe: in Redis (REDIS_URL)");
    Ok(Dedupe::new(store))
}

#[cfg(not(feature = "redis"))]
fn redis_dedupe(_url: &str) -> Result<Dedupe, Box<dyn std::error::Error>> {
    Err(
        "REDIS_URL is set but this example was built without the `redis` feature: \
         add `--features redis` (for example `--features axum,redis`)"
            .into(),
    )
}

/// The public base URL the providers call, for the presets that sign the URL (Square, Twilio):
/// `PUBLIC_BASE_URL`, default `http://127.0.0.1:$PORT`. Behind a proxy, set it to the URL the
/// provider is configured with; the request's `Host` header is never used.
pub fn public_base_url() -> Result<String, String> {
    match std::env::var("PUBLIC_BASE_URL") {
        Ok(url) => Ok(url.trim_end_matches('/').to_string()),
        Err(_) => Ok(format!("http://{}", listen_addr()?)),
    }
}

/// `127.0.0.1:$PORT` (default 3000).
pub fn listen_addr() -> Result<SocketAddr, String> {
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("PORT={p:?} is not a port number"))?,
        Err(_) => 3000,
    };
    Ok(SocketAddr::from(([127, 0, 0, 1], port)))
}

/// The one stdout line per handled delivery: `provider=<name> event_id=<id or ->`.
///
/// Writing the line is this handler's work: when it cannot be written (stdout closed or
/// full), the handler answers 500, so that the reservation is released and the provider's
/// retry is handled (`println!` would panic instead).
pub fn print_delivery(verified: &Verified) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "provider={} event_id={}",
        verified.provider().name(),
        verified.event_id().unwrap_or("-")
    )?;
    stdout.flush()
}

/// Start-up help, on stderr.
pub fn print_banner(name: &str, addr: SocketAddr) {
    eprintln!("webhook-guard {name} listening on http://{addr}");
    eprintln!("routes: POST /webhooks/{{{ROUTES}}}");
    eprintln!(
        "send a correctly signed test delivery with:\n\n{}\n",
        github_curl(addr)
    );
}

/// Logs go to stderr; stdout carries only the delivery lines.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,webhook_guard=debug".into()),
        )
        .init();
}

/// A ready-to-paste `curl` line for a correctly signed GitHub delivery.
pub fn github_curl(addr: SocketAddr) -> String {
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
