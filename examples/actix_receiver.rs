//! A real webhook receiver on actix-web, with exactly the contract of `axum_receiver`.
//!
//! ```text
//! cargo run --example actix_receiver --features actix-web
//! ```
//!
//! Same `PORT` (default 3000, on 127.0.0.1), `PUBLIC_BASE_URL`, routes (the fourteen presets),
//! secret variables and defaults, handshakes (`Verifier::handshake`: Slack and Twitch
//! challenges, Discord PONG, Zoom URL validation), and one stdout line per accepted delivery
//! (`provider=<name> event_id=<id>`); logs on stderr. The
//! verifiers and the dedupe store (memory, or Redis when `REDIS_URL` is set and the example is
//! built with `--features actix-web,redis`) are built once, outside `HttpServer::new`, and
//! shared by every worker.

#[path = "shared/mod.rs"]
mod shared;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, HttpServer};
use shared::*;
use webhook_guard::actix::VerifyWebhook;
use webhook_guard::{Verified, Verifier};

/// Prints the delivery's line, then answers a handshake (Slack's and Twitch's challenges,
/// Discord's PING, Zoom's URL validation) or `ok`.
async fn handle(
    verifier: web::Data<Verifier>,
    verified: Verified,
    body: web::Bytes,
) -> HttpResponse {
    if let Err(e) = print_delivery(&verified) {
        eprintln!("could not write the delivery's line: {e}");
        return HttpResponse::InternalServerError().finish();
    }
    let Some(answer) = verifier.handshake(&verified, &body) else {
        return HttpResponse::Ok().body("ok");
    };
    let status = StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::OK);
    match answer.content_type() {
        Some(content_type) => HttpResponse::build(status)
            .content_type(content_type)
            .body(answer.into_body()),
        None => HttpResponse::build(status).finish(),
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
    let base = public_base_url()?;
    let more = [
        (
            "/webhooks/gitlab",
            Verifier::gitlab(env_or("GITLAB_WEBHOOK_SECRET", DEMO_GITLAB)).build()?,
        ),
        (
            "/webhooks/paddle",
            Verifier::paddle(env_or("PADDLE_WEBHOOK_SECRET", DEMO_PADDLE)).build()?,
        ),
        (
            "/webhooks/linear",
            Verifier::linear(env_or("LINEAR_WEBHOOK_SECRET", DEMO_LINEAR)).build()?,
        ),
        (
            "/webhooks/zoom",
            Verifier::zoom(env_or("ZOOM_WEBHOOK_SECRET", DEMO_ZOOM)).build()?,
        ),
        (
            "/webhooks/twitch",
            Verifier::twitch(env_or("TWITCH_WEBHOOK_SECRET", DEMO_TWITCH)).build()?,
        ),
        (
            "/webhooks/square",
            Verifier::square(
                env_or("SQUARE_WEBHOOK_SECRET", DEMO_SQUARE),
                format!("{base}/webhooks/square"),
            )
            .build()?,
        ),
        (
            "/webhooks/twilio",
            Verifier::twilio(
                env_or("TWILIO_AUTH_TOKEN", DEMO_TWILIO),
                format!("{base}/webhooks/twilio"),
            )
            .build()?,
        ),
        (
            "/webhooks/intercom",
            Verifier::intercom(env_or("INTERCOM_WEBHOOK_SECRET", DEMO_INTERCOM)).build()?,
        ),
        (
            "/webhooks/discord",
            Verifier::discord(env_or("DISCORD_PUBLIC_KEY", DEMO_DISCORD_PUBLIC)).build()?,
        ),
    ];
    let addr = listen_addr()?;

    let server = HttpServer::new(move || {
        let route = |path: &str, verifier: &Verifier| {
            web::resource(path)
                .app_data(web::Data::new(verifier.clone()))
                .wrap(VerifyWebhook::new(verifier.clone()).dedupe(dedupe.clone()))
                .route(web::post().to(handle))
        };
        let mut app = App::new()
            .service(route("/webhooks/stripe", &stripe))
            .service(route("/webhooks/github", &github))
            .service(route("/webhooks/standard", &standard))
            .service(route("/webhooks/slack", &slack))
            .service(route("/webhooks/shopify", &shopify));
        for (path, verifier) in &more {
            app = app.service(route(path, verifier));
        }
        app
    })
    .bind(addr)?;
    let bound = server.addrs().first().copied().unwrap_or(addr);
    print_banner("actix_receiver", bound);
    server.run().await?;
    Ok(())
}
