//! Benchmark deliveries, signed the way each provider signs them with plain `hmac`/`sha2`
//! calls (independently of the library under test), plus the "physical limit" for each: the
//! exact signed bytes and a pre-keyed `Hmac<Sha256>` state.
//!
//! Shared (via `#[path]`) by `benches/verify.rs` and the peers crate in `benches/peers/`, so
//! every benchmark measures the same requests.
#![allow(dead_code)]

use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName, HeaderValue};
use sha2::Sha256;

/// The fixed clock of the micro-benchmarks (unix seconds).
pub const NOW: u64 = 1_700_000_000;

/// Body sizes: label and bytes.
pub const SIZES: [(&str, usize); 4] = [
    ("256B", 256),
    ("4KiB", 4 * 1024),
    ("64KiB", 64 * 1024),
    ("1MiB", 1024 * 1024),
];

/// The providers every benchmark covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Stripe,
    GitHub,
    Standard,
    Slack,
    Shopify,
}

pub const PROVIDERS: [Provider; 5] = [
    Provider::Stripe,
    Provider::GitHub,
    Provider::Standard,
    Provider::Slack,
    Provider::Shopify,
];

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Stripe => "stripe",
            Provider::GitHub => "github",
            Provider::Standard => "standard",
            Provider::Slack => "slack",
            Provider::Shopify => "shopify",
        }
    }

    /// Whether one header can carry several signatures.
    pub fn multi_signature(self) -> bool {
        matches!(self, Provider::Stripe | Provider::Standard)
    }

    /// The secret as configured (for Standard Webhooks: `whsec_<base64>`). `n` picks one of
    /// several distinct secrets (rotation).
    pub fn secret(self, n: usize) -> String {
        match self {
            Provider::Stripe => format!("whsec_bench_stripe_secret_{n}"),
            Provider::GitHub => format!("bench-github-secret-{n}"),
            Provider::Standard => format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("bench-standard-webhooks-key-{n}"))
            ),
            Provider::Slack => format!("bench-slack-signing-secret-{n}"),
            Provider::Shopify => format!("bench-shopify-secret-{n}"),
        }
    }

    /// The HMAC key behind `secret(n)`.
    pub fn key(self, n: usize) -> Vec<u8> {
        let secret = self.secret(n);
        match self {
            Provider::Standard => base64::engine::general_purpose::STANDARD
                .decode(secret.trim_start_matches("whsec_"))
                .unwrap_or_default(),
            _ => secret.into_bytes(),
        }
    }
}

/// A JSON body of exactly `size` bytes, shaped like a Stripe event (so that peers which parse
/// the event accept it), with a padding string to reach the size.
pub fn body(size: usize) -> Vec<u8> {
    let head = r#"{"id":"evt_1BenchBenchBench0001","object":"event","api_version":null,"created":1700000000,"data":{"object":{"id":"bench_obj_1","object":"bench","pad":""#;
    let tail = r#""}},"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"bench.event"}"#;
    let pad = size.saturating_sub(head.len() + tail.len());
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(head.as_bytes());
    out.extend((0..pad).map(|i| b'a' + (i % 26) as u8));
    out.extend_from_slice(tail.as_bytes());
    out
}

/// One signed request, as received, and what the limit needs.
pub struct Delivery {
    pub provider: Provider,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The exact bytes the provider's MAC covers, contiguous.
    pub signed: Vec<u8>,
    /// The key that produced the valid signature.
    pub key: Vec<u8>,
    /// The timestamp (as signed), for providers that sign one.
    pub timestamp: u64,
}

pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The bytes `provider` signs for `body` at `timestamp`.
pub fn signed_bytes(provider: Provider, body: &[u8], timestamp: u64, event_id: &str) -> Vec<u8> {
    let mut signed = match provider {
        Provider::Stripe => format!("{timestamp}.").into_bytes(),
        Provider::Standard => format!("{event_id}.{timestamp}.").into_bytes(),
        Provider::Slack => format!("v0:{timestamp}:").into_bytes(),
        Provider::GitHub | Provider::Shopify => Vec::new(),
    };
    signed.extend_from_slice(body);
    signed
}

const EVENT_ID: &str = "msg_2bT3mPqN8wK5dZr7YxVf1cLh0Ju";

/// A delivery of `size` bytes at `timestamp`, signed with `key(signed_by)`. With `decoys > 0`
/// (Stripe and Standard Webhooks only) the header also carries `decoys` signatures made with
/// other keys, placed before the valid one.
pub fn delivery(
    provider: Provider,
    size: usize,
    timestamp: u64,
    signed_by: usize,
    decoys: usize,
) -> Delivery {
    let body = body(size);
    let key = provider.key(signed_by);
    let signed = signed_bytes(provider, &body, timestamp, EVENT_ID);
    let sig = hmac_sha256(&key, &signed);
    let decoy_sigs: Vec<[u8; 32]> = (0..decoys)
        .map(|d| hmac_sha256(format!("decoy-key-{d}").as_bytes(), &signed))
        .collect();
    let hex = |s: &[u8; 32]| hex::encode(s);
    let b64 = |s: &[u8; 32]| base64::engine::general_purpose::STANDARD.encode(s);

    let mut headers: Vec<(&str, String)> = vec![
        ("host", "127.0.0.1:3000".into()),
        ("user-agent", format!("{}-Hookshot/bench", provider.name())),
        ("content-type", "application/json".into()),
        ("content-length", body.len().to_string()),
        ("accept", "*/*".into()),
    ];
    match provider {
        Provider::Stripe => {
            let mut v = format!("t={timestamp}");
            for d in &decoy_sigs {
                v.push_str(&format!(",v1={}", hex(d)));
            }
            v.push_str(&format!(",v1={}", hex(&sig)));
            headers.push(("stripe-signature", v));
        }
        Provider::GitHub => {
            assert_eq!(decoys, 0, "GitHub carries one signature");
            headers.push(("x-github-event", "push".into()));
            headers.push((
                "x-github-delivery",
                "72d3162e-cc78-11e3-81ab-4c9367dc0958".into(),
            ));
            headers.push(("x-hub-signature-256", format!("sha256={}", hex(&sig))));
        }
        Provider::Standard => {
            let mut v = String::new();
            for d in &decoy_sigs {
                v.push_str(&format!("v1,{} ", b64(d)));
            }
            v.push_str(&format!("v1,{}", b64(&sig)));
            headers.push(("webhook-id", EVENT_ID.into()));
            headers.push(("webhook-timestamp", timestamp.to_string()));
            headers.push(("webhook-signature", v));
        }
        Provider::Slack => {
            assert_eq!(decoys, 0, "Slack carries one signature");
            headers.push(("x-slack-request-timestamp", timestamp.to_string()));
            headers.push(("x-slack-signature", format!("v0={}", hex(&sig))));
        }
        Provider::Shopify => {
            assert_eq!(decoys, 0, "Shopify carries one signature");
            headers.push(("x-shopify-topic", "orders/create".into()));
            headers.push((
                "x-shopify-webhook-id",
                "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043".into(),
            ));
            headers.push(("x-shopify-hmac-sha256", b64(&sig)));
        }
    }
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_static(name);
        let value = HeaderValue::from_str(&value).unwrap_or_else(|_| unreachable!());
        map.append(name, value);
    }
    Delivery {
        provider,
        headers: map,
        body,
        signed,
        key,
        timestamp,
    }
}

/// The current unix time in seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A pre-keyed HMAC-SHA256 state: the "physical limit" clones it and hashes the signed bytes.
pub fn keyed(key: &[u8]) -> Hmac<Sha256> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

/// One keyed HMAC-SHA256 over `signed`: the least work any verifier must do.
#[inline(always)]
pub fn limit(keyed: &Hmac<Sha256>, signed: &[u8]) -> [u8; 32] {
    let mut mac = keyed.clone();
    mac.update(signed);
    mac.finalize().into_bytes().into()
}
