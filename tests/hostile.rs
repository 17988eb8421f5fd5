//! Hostile inputs, table-driven: every case goes through the Tower layer in a real axum router
//! and, with the `actix-web` feature, through the actix-web middleware, with the same table.
//! Each case names what it proves and expects a status, an error code and whether the handler
//! runs (with the exact bytes sent, when it does).
//!
//! About `Content-Length`: both stacks are driven in process (`oneshot`, `actix_web::test`),
//! where nothing checks the header against the body, unlike hyper's or actix's HTTP/1 codec on a
//! real socket. So the "lying Content-Length" cases prove what the guard itself does: a declared
//! length over the limit is refused before reading, and otherwise the guard counts and verifies
//! the bytes that actually arrive, whatever the header says.

mod common;

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use common::{body_with_id, P};
use futures_util::StreamExt;
use http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;
use webhook_guard::tower::VerifyWebhookLayer;
use webhook_guard::{Verified, Verifier};

/// Body size limit of the `Limit` configuration.
const LIMIT: usize = 1024;
/// Read timeout of the `Timeout` configuration.
const SHORT_TIMEOUT: Duration = Duration::from_millis(50);

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

type Headers = Vec<(String, Vec<u8>)>;

/// How the verifier (and layer) are configured for a case.
#[derive(Clone, Copy, Debug)]
enum Cfg {
    /// `tests/common` verifier, defaults.
    Default,
    /// Body limit `LIMIT`.
    Limit,
    /// GitHub with `allow_legacy_sha1`.
    Legacy,
    /// Read timeout `SHORT_TIMEOUT`.
    Timeout,
}

/// How the body arrives.
#[derive(Clone, Debug)]
enum Arrival {
    /// In one piece.
    Whole(Vec<u8>),
    /// In these chunks.
    Chunks(Vec<Vec<u8>>),
    /// This chunk, then nothing, ever.
    Stall(Vec<u8>),
    /// This chunk, then a read error (broken framing, client gone).
    Broken(Vec<u8>),
}

impl Arrival {
    fn chunks(&self) -> Vec<Vec<u8>> {
        match self {
            Arrival::Whole(b) | Arrival::Stall(b) | Arrival::Broken(b) => vec![b.clone()],
            Arrival::Chunks(c) => c.clone(),
        }
    }
    fn bytes(&self) -> Vec<u8> {
        self.chunks().concat()
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Rejected with this status and error code; the handler must not run.
    Reject(u16, &'static str),
    /// Accepted: 200 and the handler sees exactly the bytes sent.
    Pass,
}

#[derive(Clone, Debug)]
struct Case {
    name: &'static str,
    proves: &'static str,
    p: P,
    cfg: Cfg,
    headers: Headers,
    body: Arrival,
    expect: Expect,
}

fn verifier(p: P, cfg: Cfg) -> Verifier {
    let secret = p.secret(0);
    match cfg {
        Cfg::Default | Cfg::Timeout => p.verifier(std::slice::from_ref(&secret)),
        Cfg::Limit => Verifier::github(secret.as_str())
            .max_body_size(LIMIT)
            .build()
            .unwrap(),
        Cfg::Legacy => Verifier::github(secret.as_str())
            .allow_legacy_sha1()
            .build()
            .unwrap(),
    }
}

fn timeout(cfg: Cfg) -> Duration {
    match cfg {
        Cfg::Timeout => SHORT_TIMEOUT,
        _ => Duration::from_secs(30),
    }
}

// --- header editing -------------------------------------------------------------------------

fn signed(p: P, body: &[u8], ts: u64) -> Headers {
    p.sign(&p.secret(0), body, ts, "evt_1")
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect()
}

fn set(mut h: Headers, name: &str, value: impl AsRef<[u8]>) -> Headers {
    h.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    h.push((name.to_owned(), value.as_ref().to_vec()));
    h
}

fn without(mut h: Headers, name: &str) -> Headers {
    h.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    h
}

fn twice(mut h: Headers, name: &str) -> Headers {
    let found = h
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap();
    h.push(found);
    h
}

fn add(mut h: Headers, name: &str, value: impl AsRef<[u8]>) -> Headers {
    h.push((name.to_owned(), value.as_ref().to_vec()));
    h
}

fn hex_mac(p: P, body: &[u8], ts: u64) -> String {
    hex::encode(p.mac(&p.secret(0), body, ts, "evt_1"))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

// --- the table --------------------------------------------------------------------------------

fn cases() -> Vec<Case> {
    use Expect::{Pass, Reject};
    let t = now();
    let body = body_with_id("evt_1");
    let b = || Arrival::Whole(body.clone());
    let stripe = signed(P::Stripe, &body, t);
    let github = signed(P::GitHub, &body, t);
    let standard = signed(P::Standard, &body, t);
    let slack = signed(P::Slack, &body, t);
    let shopify = signed(P::Shopify, &body, t);
    let generic = signed(P::Generic, &body, t);
    let stripe_hex = hex_mac(P::Stripe, &body, t);
    let github_hex = hex_mac(P::GitHub, &body, t);
    let slack_hex = hex_mac(P::Slack, &body, t);
    let shopify_b64 = b64(&P::Shopify.mac(&P::Shopify.secret(0), &body, t, "evt_1"));
    let standard_b64 = b64(&P::Standard.mac(&P::Standard.secret(0), &body, t, "evt_1"));
    let stripe_at = |ts: &str, sig: &str| format!("t={ts},v1={sig}");
    // Correctly signed at another time (so only the clock can object).
    let stripe_signed_at = |ts: u64| signed(P::Stripe, &body, ts);
    let sha1_hex = {
        use hmac::{Hmac, Mac};
        let mut m = Hmac::<sha1::Sha1>::new_from_slice(P::GitHub.secret(0).as_bytes()).unwrap();
        m.update(&body);
        hex::encode(m.finalize().into_bytes())
    };
    let at_limit = vec![b'a'; LIMIT];
    let over_limit = vec![b'a'; LIMIT + 1];
    let gz = gzip(&body);
    let malformed = Reject(400, "malformed_header");
    let missing = Reject(401, "missing_header");
    let invalid = Reject(401, "invalid_signature");
    let case = |name, proves, p, headers: Headers, body: Arrival, expect| Case {
        name,
        proves,
        p,
        cfg: Cfg::Default,
        headers,
        body,
        expect,
    };
    let mut v = vec![
        // Missing, duplicated, empty headers.
        case("stripe: no Stripe-Signature", "the signature header is required", P::Stripe,
            without(stripe.clone(), "Stripe-Signature"), b(), missing),
        case("stripe: Stripe-Signature twice", "a duplicated signature header is ambiguous and refused, even when both copies are valid",
            P::Stripe, twice(stripe.clone(), "Stripe-Signature"), b(), malformed),
        case("stripe: empty Stripe-Signature", "an empty signature header is malformed, not missing",
            P::Stripe, set(stripe.clone(), "Stripe-Signature", ""), b(), malformed),
        case("github: no X-Hub-Signature-256", "the signature header is required", P::GitHub,
            without(github.clone(), "X-Hub-Signature-256"), b(), missing),
        case("github: X-Hub-Signature-256 twice", "a duplicated signature header is refused",
            P::GitHub, twice(github.clone(), "X-Hub-Signature-256"), b(), malformed),
        case("github: blank X-Hub-Signature-256", "whitespace only is malformed",
            P::GitHub, set(github.clone(), "X-Hub-Signature-256", " \t "), b(), malformed),
        case("standard: no webhook-id", "the signed id is required", P::Standard,
            without(standard.clone(), "webhook-id"), b(), missing),
        case("standard: no webhook-timestamp", "the signed timestamp is required", P::Standard,
            without(standard.clone(), "webhook-timestamp"), b(), missing),
        case("standard: webhook-timestamp twice", "a duplicated signed header is refused",
            P::Standard, twice(standard.clone(), "webhook-timestamp"), b(), malformed),
        case("standard: webhook-id twice", "a duplicated signed id is refused", P::Standard,
            twice(standard.clone(), "webhook-id"), b(), malformed),
        case("standard: webhook-signature with svix-id/svix-timestamp", "header families are not mixed",
            P::Standard,
            add(add(without(without(standard.clone(), "webhook-id"), "webhook-timestamp"),
                "svix-id", "evt_1"), "svix-timestamp", t.to_string()),
            b(), missing),
        case("slack: no X-Slack-Request-Timestamp", "the signed timestamp is required", P::Slack,
            without(slack.clone(), "X-Slack-Request-Timestamp"), b(), missing),
        case("shopify: no X-Shopify-Hmac-Sha256", "the signature header is required", P::Shopify,
            without(shopify.clone(), "X-Shopify-Hmac-Sha256"), b(), missing),
        case("generic: no X-Timestamp", "a configured timestamp header is required", P::Generic,
            without(generic.clone(), "X-Timestamp"), b(), missing),
        // Non-ASCII and very long values.
        case("github: non-ASCII in the signature", "bytes outside ASCII never decode",
            P::GitHub, set(github.clone(), "X-Hub-Signature-256",
                [b"sha256=\xff\xfe".as_slice(), &github_hex.as_bytes()[2..]].concat()), b(), malformed),
        case("stripe: non-ASCII timestamp", "a timestamp is ASCII digits only", P::Stripe,
            set(stripe.clone(), "Stripe-Signature",
                [b"t=\xd9\xa1\xd9\xa2,v1=".as_slice(), stripe_hex.as_bytes()].concat()), b(), malformed),
        case("github: 64 KiB signature", "a huge value is refused by length, not scanned into a buffer",
            P::GitHub, set(github.clone(), "X-Hub-Signature-256",
                format!("sha256={}", "ab".repeat(32 * 1024))), b(), malformed),
        case("stripe: 1000 v1 signatures", "too many candidates are refused, bounding the work",
            P::Stripe, set(stripe.clone(), "Stripe-Signature",
                format!("t={t}{}", format!(",v1={stripe_hex}").repeat(1000))), b(), malformed),
        // Odd-length hex, bad base64.
        case("github: odd-length hex", "hex must have an even length", P::GitHub,
            set(github.clone(), "X-Hub-Signature-256", format!("sha256={}", &github_hex[1..])), b(), malformed),
        case("slack: odd-length hex", "hex must have an even length", P::Slack,
            set(slack.clone(), "X-Slack-Signature", format!("v0={}0", slack_hex)), b(), malformed),
        case("shopify: base64 without padding", "base64 must be padded", P::Shopify,
            set(shopify.clone(), "X-Shopify-Hmac-Sha256", shopify_b64.trim_end_matches('=')), b(), malformed),
        case("shopify: base64 with extra padding", "padding must be exact", P::Shopify,
            set(shopify.clone(), "X-Shopify-Hmac-Sha256", format!("{shopify_b64}=")), b(), malformed),
        case("shopify: non-canonical base64", "unused trailing bits must be zero (no second spelling of a MAC)",
            P::Shopify, set(shopify.clone(), "X-Shopify-Hmac-Sha256", {
                // 32 bytes -> 43 characters + '='; the 43rd carries 2 unused bits: set one.
                const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                let mut s = shopify_b64.clone().into_bytes();
                let sextet = ALPHABET.iter().position(|c| *c == s[42]).unwrap();
                s[42] = ALPHABET[sextet | 1];
                s
            }), b(), malformed),
        case("standard: base64 with bad padding", "padding must be exact", P::Standard,
            set(standard.clone(), "webhook-signature", format!("v1,{}==", standard_b64.trim_end_matches('='))), b(), malformed),
        // Wrong lengths.
        case("github: SHA-1-sized MAC in the SHA-256 header", "a signature must have the algorithm's exact length",
            P::GitHub, set(github.clone(), "X-Hub-Signature-256", format!("sha256={sha1_hex}")), b(), malformed),
        case("shopify: 20-byte MAC", "a signature must have the algorithm's exact length", P::Shopify,
            set(shopify.clone(), "X-Shopify-Hmac-Sha256", b64(&[7; 20])), b(), malformed),
        case("stripe: 31-byte v1", "a truncated signature is refused", P::Stripe,
            set(stripe.clone(), "Stripe-Signature", stripe_at(&t.to_string(), &stripe_hex[..62])), b(), malformed),
        case("generic: 64-byte MAC where SHA-256 is configured", "a longer signature is refused", P::Generic,
            set(generic.clone(), "X-Signature", format!("sha256={}", hex::encode([1u8; 64]))), b(), malformed),
        // Stripe t= repeated or missing.
        case("stripe: t= twice", "exactly one timestamp", P::Stripe,
            set(stripe.clone(), "Stripe-Signature", format!("t={t},t={t},v1={stripe_hex}")), b(), malformed),
        case("stripe: no t=", "the timestamp is required", P::Stripe,
            set(stripe.clone(), "Stripe-Signature", format!("v1={stripe_hex}")), b(), malformed),
        // Timestamp syntax.
        case("stripe: t with a sign", "no sign", P::Stripe,
            set(stripe.clone(), "Stripe-Signature", stripe_at(&format!("+{t}"), &stripe_hex)), b(), malformed),
        case("slack: negative timestamp", "no sign", P::Slack,
            set(slack.clone(), "X-Slack-Request-Timestamp", "-1"), b(), malformed),
        case("standard: timestamp with a leading zero", "no leading zero (one timestamp, one spelling)",
            P::Standard, set(standard.clone(), "webhook-timestamp", format!("0{t}")), b(), malformed),
        case("slack: fractional timestamp", "no fraction", P::Slack,
            set(slack.clone(), "X-Slack-Request-Timestamp", format!("{t}.0")), b(), malformed),
        case("stripe: timestamp above i64::MAX", "no overflow", P::Stripe,
            set(stripe.clone(), "Stripe-Signature", stripe_at("9223372036854775808", &stripe_hex)), b(), malformed),
        case("generic: exponent timestamp", "no exponent", P::Generic,
            set(generic.clone(), "X-Timestamp", "1.7e9"), b(), malformed),
        // Timestamp window, correctly signed.
        case("standard: signed at the epoch", "far past is a replay", P::Standard,
            signed(P::Standard, &body, 0), b(), Reject(401, "timestamp_too_old")),
        case("stripe: signed at i64::MAX", "far future, no overflow", P::Stripe,
            stripe_signed_at(i64::MAX as u64), b(), Reject(401, "timestamp_in_future")),
        case("slack: 310 s old", "just outside the window in the past", P::Slack,
            signed(P::Slack, &body, t - 310), b(), Reject(401, "timestamp_too_old")),
        case("generic: 310 s ahead", "just outside the window in the future", P::Generic,
            signed(P::Generic, &body, t + 310), b(), Reject(401, "timestamp_in_future")),
        case("stripe: t changed after signing", "the timestamp is signed", P::Stripe,
            set(stripe.clone(), "Stripe-Signature", stripe_at(&(t - 1).to_string(), &stripe_hex)), b(), invalid),
        // Signatures that do not match.
        case("standard: webhook-id changed after signing", "the id is signed", P::Standard,
            set(standard.clone(), "webhook-id", "evt_2"), b(), invalid),
        case("slack: wrong secret", "only configured secrets count", P::Slack,
            P::Slack.sign(&P::Slack.secret(1), &body, t, "evt_1").into_iter().map(|(k, v)| (k, v.into_bytes())).collect(),
            b(), invalid),
        case("shopify: body changed by one byte", "the body is signed", P::Shopify, shopify.clone(),
            Arrival::Whole({ let mut x = body.clone(); x[5] ^= 1; x }), invalid),
        case("stripe: only a v0 signature", "other schemes are ignored, so nothing matches", P::Stripe,
            set(stripe.clone(), "Stripe-Signature", format!("t={t},v0={stripe_hex}")), b(), invalid),
        case("standard: only a v1a signature", "other versions are ignored", P::Standard,
            set(standard.clone(), "webhook-signature", format!("v1a,{standard_b64}")), b(), invalid),
        case("generic: only items with another prefix", "items of other schemes are skipped", P::Generic,
            set(generic.clone(), "X-Signature", format!("sha512={github_hex}")), b(), invalid),
        case("slack: v1= instead of v0=", "the prefix is exact", P::Slack,
            set(slack.clone(), "X-Slack-Signature", format!("v1={slack_hex}")), b(), malformed),
        case("shopify: two signatures in one header", "Shopify sends one; a list is malformed", P::Shopify,
            set(shopify.clone(), "X-Shopify-Hmac-Sha256", format!("{shopify_b64},{shopify_b64}")), b(), malformed),
        // Downgrade attempts.
        case("github: sha1= where sha256= is required", "the SHA-256 header takes only sha256=", P::GitHub,
            set(github.clone(), "X-Hub-Signature-256", format!("sha1={sha1_hex}")), b(), malformed),
        case("github: only a valid legacy sha1 header (not allowed)", "SHA-1 is off by default", P::GitHub,
            set(without(github.clone(), "X-Hub-Signature-256"), "X-Hub-Signature", format!("sha1={sha1_hex}")),
            b(), missing),
        Case { cfg: Cfg::Legacy, ..case("github legacy: valid sha1 next to a forged sha256",
            "with the SHA-256 header present, SHA-1 is never consulted (no downgrade)", P::GitHub,
            add(set(github.clone(), "X-Hub-Signature-256", format!("sha256={}", "00".repeat(32))),
                "X-Hub-Signature", format!("sha1={sha1_hex}")), b(), invalid) },
        // Body limit (1024 bytes here) and Content-Length.
        Case { cfg: Cfg::Limit, ..case("github: body one byte over the limit", "the limit is exact",
            P::GitHub, signed(P::GitHub, &over_limit, t), Arrival::Whole(over_limit.clone()), Reject(413, "body_too_large")) },
        Case { cfg: Cfg::Limit, ..case("github: streamed body over the limit, no Content-Length",
            "reading stops once the limit is passed", P::GitHub, signed(P::GitHub, &over_limit, t),
            Arrival::Chunks(over_limit.chunks(100).map(<[u8]>::to_vec).collect()), Reject(413, "body_too_large")) },
        Case { cfg: Cfg::Limit, ..case("github: Content-Length over the limit, small body",
            "a declared length over the limit is refused before reading", P::GitHub,
            add(github.clone(), "Content-Length", (LIMIT + 1).to_string()), b(), Reject(413, "body_too_large")) },
        Case { cfg: Cfg::Limit, ..case("github: Content-Length under the truth, body over the limit",
            "the bytes are counted, not the header", P::GitHub,
            add(signed(P::GitHub, &over_limit, t), "Content-Length", "10"), Arrival::Whole(over_limit.clone()),
            Reject(413, "body_too_large")) },
        // Compression: the bytes as sent are verified.
        case("github: gzip body signed over the uncompressed JSON",
            "the guard never decompresses: it verifies the bytes as sent", P::GitHub,
            add(github.clone(), "Content-Encoding", "gzip"), Arrival::Whole(gz.clone()), invalid),
        // Slow and broken bodies.
        Case { cfg: Cfg::Timeout, ..case("github: body that never finishes", "the read timeout is applied and configurable",
            P::GitHub, github.clone(), Arrival::Stall(body[..10].to_vec()), Reject(408, "body_read_timeout")) },
        case("github: body stream breaks", "a read error is a 400, not a verification", P::GitHub,
            github.clone(), Arrival::Broken(body[..10].to_vec()), Reject(400, "body_read_failed")),
    ];
    // The other presets: at least one hostile request each.
    let hmac_b64 = |secret: &str, parts: &[&[u8]]| {
        use hmac::{Hmac, Mac};
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        for part in parts {
            m.update(part);
        }
        b64(&m.finalize().into_bytes())
    };
    let gitlab = signed(P::GitLab, &body, t);
    let paddle_hex = hex_mac(P::Paddle, &body, t);
    let linear_without_ts = signed(P::Linear, &body, t);
    let zoom = signed(P::Zoom, &body, t);
    let twitch = signed(P::Twitch, &body, t);
    let twilio_body = P::Twilio.body("evt_1", t);
    let twilio = signed(P::Twilio, &twilio_body, t);
    let intercom = signed(P::Intercom, &body, t);
    let discord = signed(P::Discord, &body, t);
    let standard_ed = signed(P::StandardEd, &body, t);
    v.extend([
        case("gitlab: wrong token", "the shared token is compared in full (constant time)", P::GitLab,
            set(gitlab.clone(), "X-Gitlab-Token", format!("{}x", P::GitLab.secret(0))), b(), invalid),
        case("gitlab: token header twice", "a duplicated token header is refused", P::GitLab,
            twice(gitlab.clone(), "X-Gitlab-Token"), b(), malformed),
        case("paddle: ts= twice", "exactly one timestamp in Paddle-Signature", P::Paddle,
            set(signed(P::Paddle, &body, t), "Paddle-Signature", format!("ts={t};ts={t};h1={paddle_hex}")),
            b(), malformed),
        case("linear: signed body without webhookTimestamp",
            "Linear's timestamp is inside the signed body; a body without it is refused after the signature",
            P::Linear, linear_without_ts, b(), Reject(400, "malformed_body")),
        case("zoom: an hour old", "Zoom's timestamp header is checked", P::Zoom,
            signed(P::Zoom, &body, t - 3600), b(), Reject(401, "timestamp_too_old")),
        case("zoom: v1= instead of v0=", "the prefix is exact", P::Zoom,
            set(zoom.clone(), "x-zm-signature", format!("v1={}", hex_mac(P::Zoom, &body, t))), b(), malformed),
        case("twitch: unix seconds where RFC 3339 is signed", "Twitch timestamps are RFC 3339 only",
            P::Twitch, set(twitch.clone(), "Twitch-Eventsub-Message-Timestamp", t.to_string()), b(), malformed),
        case("square: body signed without the notification URL", "Square signs URL + body", P::Square,
            set(signed(P::Square, &body, t), "x-square-hmacsha256-signature",
                hmac_b64(&P::Square.secret(0), &[&body])), b(), invalid),
        case("twilio: body that is not a strict form", "the form is parsed strictly before its parameters are signed",
            P::Twilio, twilio.clone(), Arrival::Whole(b"CallSid=%zz&From=x".to_vec()), Reject(400, "malformed_body")),
        case("intercom: sha256= where Intercom signs sha1=", "the prefix and length are exact", P::Intercom,
            set(intercom.clone(), "X-Hub-Signature", format!("sha256={github_hex}")), b(), malformed),
        case("discord: no X-Signature-Timestamp", "the signed timestamp is required", P::Discord,
            without(discord.clone(), "X-Signature-Timestamp"), b(), missing),
        case("discord: 63-byte signature", "an Ed25519 signature is exactly 64 bytes", P::Discord,
            set(discord.clone(), "X-Signature-Ed25519", "ab".repeat(63)), b(), malformed),
        case("standard v1a: webhook-id changed after signing", "the id is signed (Ed25519)", P::StandardEd,
            set(standard_ed.clone(), "webhook-id", "evt_2"), b(), invalid),
    ]);
    // Requests that must pass: the guard is strict, not broken.
    v.extend([
        Case { cfg: Cfg::Limit, ..case("github: body exactly at the limit", "the limit is inclusive",
            P::GitHub, signed(P::GitHub, &at_limit, t), Arrival::Whole(at_limit.clone()), Pass) },
        case("github: uppercase hex", "hex is accepted in either case", P::GitHub,
            set(github.clone(), "X-Hub-Signature-256", format!("sha256={}", github_hex.to_uppercase())), b(), Pass),
        case("stripe: uppercase hex", "hex is accepted in either case", P::Stripe,
            set(stripe.clone(), "Stripe-Signature", stripe_at(&t.to_string(), &stripe_hex.to_uppercase())), b(), Pass),
        case("github: header name in capitals", "header names are case-insensitive", P::GitHub,
            github.iter().map(|(k, v)| (k.to_uppercase(), v.clone())).collect(), b(), Pass),
        Case { cfg: Cfg::Legacy, ..case("github legacy: only a valid sha1 header", "SHA-1 when allowed and alone",
            P::GitHub, set(without(github.clone(), "X-Hub-Signature-256"), "X-Hub-Signature", format!("sha1={sha1_hex}")),
            b(), Pass) },
        case("github: gzip body signed as sent", "compressed bytes verify when they are what was signed",
            P::GitHub, add(signed(P::GitHub, &gz, t), "Content-Encoding", "gzip"), Arrival::Whole(gz.clone()), Pass),
        Case { cfg: Cfg::Limit, ..case("github: Content-Length over the truth, body within the limit",
            "in process nothing enforces the header; the guard verifies the bytes that arrived", P::GitHub,
            add(github.clone(), "Content-Length", (body.len() + 100).to_string()), b(), Pass) },
        Case { cfg: Cfg::Limit, ..case("github: Content-Length beyond u64",
            "an unparsable declared length is not trusted either way: the bytes that arrive are counted and verified",
            P::GitHub, add(github.clone(), "Content-Length", "99999999999999999999999"), b(), Pass) },
        case("stripe: many small chunks", "chunking changes nothing", P::Stripe, stripe.clone(),
            Arrival::Chunks(body.chunks(3).map(<[u8]>::to_vec).collect()), Pass),
    ]);
    v
}

// --- Tower / axum -----------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Seen {
    calls: Arc<AtomicUsize>,
    body: Arc<Mutex<Vec<u8>>>,
}

async fn echo(State(seen): State<Seen>, _: Verified, body: Bytes) -> &'static str {
    seen.calls.fetch_add(1, Ordering::SeqCst);
    *seen.body.lock().unwrap() = body.to_vec();
    "handled"
}

fn tower_body(send: &Arrival) -> Body {
    type Item = Result<Bytes, std::io::Error>;
    let chunks: Vec<Item> = send
        .chunks()
        .into_iter()
        .map(|c| Ok(Bytes::from(c)))
        .collect();
    match send {
        Arrival::Whole(b) => Body::from(b.clone()),
        Arrival::Chunks(_) => Body::from_stream(futures_util::stream::iter(chunks)),
        Arrival::Stall(_) => Body::from_stream(
            futures_util::stream::iter(chunks).chain(futures_util::stream::pending::<Item>()),
        ),
        Arrival::Broken(_) => Body::from_stream(futures_util::stream::iter(
            chunks
                .into_iter()
                .chain([Err(std::io::Error::other("connection reset"))]),
        )),
    }
}

/// What one stack answered: status, JSON error code (if any), handler calls, bytes it saw.
type Outcome = (u16, Option<String>, usize, Vec<u8>);

async fn through_tower(case: &Case) -> Outcome {
    let seen = Seen::default();
    let app = Router::new()
        .route("/hook", post(echo))
        .route_layer(
            VerifyWebhookLayer::new(verifier(case.p, case.cfg))
                .read_timeout(Some(timeout(case.cfg))),
        )
        .with_state(seen.clone());
    let mut req = Request::post("/hook");
    for (k, v) in &case.headers {
        req = req.header(k.as_str(), v.as_slice());
    }
    let resp = app
        .oneshot(req.body(tower_body(&case.body)).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let code = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|j| j["error"].as_str().map(String::from));
    let calls = seen.calls.load(Ordering::SeqCst);
    let body = seen.body.lock().unwrap().clone();
    (status, code, calls, body)
}

fn check(stack: &str, case: &Case, (status, code, calls, seen): Outcome) {
    let what = format!("[{stack}] {} ({})", case.name, case.proves);
    match case.expect {
        Expect::Reject(want_status, want_code) => {
            assert_eq!(status, want_status, "{what}: status");
            assert_eq!(code.as_deref(), Some(want_code), "{what}: error code");
            assert_eq!(calls, 0, "{what}: the handler ran for a rejected request");
        }
        Expect::Pass => {
            assert_eq!(status, 200, "{what}: status (error {code:?})");
            assert_eq!(calls, 1, "{what}: handler calls");
            assert_eq!(
                seen,
                case.body.bytes(),
                "{what}: the handler saw other bytes"
            );
        }
    }
}

#[test]
fn the_table_is_big_and_distinct() {
    let cases = cases();
    let rejections = cases
        .iter()
        .filter(|c| matches!(c.expect, Expect::Reject(..)))
        .count();
    assert!(rejections >= 40, "only {rejections} rejection cases");
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names must be distinct");
    for p in common::ALL {
        assert!(
            cases
                .iter()
                .any(|c| c.p == p && matches!(c.expect, Expect::Reject(..))),
            "no rejection case for {p:?}"
        );
    }
}

#[tokio::test]
async fn hostile_requests_through_the_tower_layer() {
    for case in cases() {
        let outcome = through_tower(&case).await;
        check("tower", &case, outcome);
    }
}

// --- actix-web --------------------------------------------------------------------------------

#[cfg(feature = "actix-web")]
mod actix {
    use super::*;
    use actix_web::{test, web, App, HttpResponse};

    fn payload(send: &Arrival) -> actix_http::Payload {
        type Item = Result<Bytes, actix_http::error::PayloadError>;
        let chunks: Vec<Item> = send
            .chunks()
            .into_iter()
            .map(|c| Ok(Bytes::from(c)))
            .collect();
        let stream: futures_util::stream::LocalBoxStream<'static, Item> = match send {
            Arrival::Whole(_) | Arrival::Chunks(_) => {
                futures_util::stream::iter(chunks).boxed_local()
            }
            Arrival::Stall(_) => futures_util::stream::iter(chunks)
                .chain(futures_util::stream::pending())
                .boxed_local(),
            Arrival::Broken(_) => futures_util::stream::iter(
                chunks
                    .into_iter()
                    .chain([Err(actix_http::error::PayloadError::Incomplete(None))]),
            )
            .boxed_local(),
        };
        actix_http::Payload::from(stream)
    }

    async fn through_actix(case: &Case) -> Outcome {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (c, s) = (calls.clone(), seen.clone());
        let app = test::init_service(
            App::new().service(
                web::resource("/hook")
                    .wrap(
                        webhook_guard::actix::VerifyWebhook::new(verifier(case.p, case.cfg))
                            .read_timeout(Some(timeout(case.cfg))),
                    )
                    // `web::Payload`: the raw bytes (`web::Bytes` would decompress per
                    // Content-Encoding with actix-web's compress features).
                    .route(web::post().to(move |_: Verified, mut body: web::Payload| {
                        let (c, s) = (c.clone(), s.clone());
                        async move {
                            let mut all = Vec::new();
                            while let Some(chunk) = body.next().await {
                                all.extend_from_slice(&chunk.unwrap());
                            }
                            c.fetch_add(1, Ordering::SeqCst);
                            *s.lock().unwrap() = all;
                            HttpResponse::Ok().body("handled")
                        }
                    })),
            ),
        )
        .await;
        let mut req = test::TestRequest::post().uri("/hook").to_request();
        for (k, v) in &case.headers {
            req.headers_mut().append(
                actix_web::http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                actix_web::http::header::HeaderValue::from_bytes(v).unwrap(),
            );
        }
        let (req, _) = req.replace_payload(payload(&case.body));
        let resp = test::call_service(&app, req).await;
        let status = resp.status().as_u16();
        let bytes = test::read_body(resp).await;
        let code = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|j| j["error"].as_str().map(String::from));
        let body = seen.lock().unwrap().clone();
        (status, code, calls.load(Ordering::SeqCst), body)
    }

    #[actix_web::test]
    async fn hostile_requests_through_the_actix_middleware() {
        for case in cases() {
            let outcome = through_actix(&case).await;
            check("actix", &case, outcome);
        }
    }
}
