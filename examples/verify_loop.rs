//! `verify_at` in a loop, for instruction-level profiles of the core.
//!
//! ```text
//! cargo build --release --example verify_loop --no-default-features
//! valgrind --tool=callgrind target/release/examples/verify_loop standard 20000
//! callgrind_annotate --inclusive=yes callgrind.out.*
//! ```
//!
//! Verifies the same correctly signed 256-byte delivery (`standard` for Standard Webhooks,
//! `stripe` for Stripe) `n` times on an `http::HeaderMap` that also carries five ordinary
//! headers, as the `verify` benchmark does. Under valgrind, sha2 runs its portable code (no
//! SHA extensions), so compare the instructions outside `compress256`.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use webhook_guard::Verifier;

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let which = std::env::args().nth(1).unwrap_or_else(|| "standard".into());
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|x| x.parse().ok())
        .unwrap_or(1_000_000);
    let body = vec![b'a'; 256];
    let now = 1_700_000_000u64;
    let ts = now.to_string();
    let mut headers = http::HeaderMap::new();
    for (k, v) in [
        ("content-type", "application/json"),
        ("user-agent", "bench"),
        ("accept", "*/*"),
        ("host", "example.com"),
        ("x-forwarded-for", "192.0.2.1"),
    ] {
        headers.insert(k, v.parse()?);
    }
    let verifier = match which.as_str() {
        "standard" => {
            let key = b"verify-loop-standard-key";
            let b64 = base64::engine::general_purpose::STANDARD;
            let sig = mac(key, &[b"msg_1.", ts.as_bytes(), b".", &body]);
            headers.insert("webhook-id", "msg_1".parse()?);
            headers.insert("webhook-timestamp", ts.parse()?);
            headers.insert(
                "webhook-signature",
                format!("v1,{}", b64.encode(sig)).parse()?,
            );
            Verifier::standard_webhooks(format!("whsec_{}", b64.encode(key))).build()?
        }
        "stripe" => {
            let secret = "whsec_verify_loop";
            let sig = mac(secret.as_bytes(), &[ts.as_bytes(), b".", &body]);
            let value = format!("t={ts},v1={}", hex::encode(sig));
            headers.insert("stripe-signature", value.parse()?);
            Verifier::stripe(secret).build()?
        }
        other => return Err(format!("unknown provider {other:?}: standard or stripe").into()),
    };
    let mut accepted = 0usize;
    for _ in 0..n {
        if std::hint::black_box(verifier.verify_at(&headers, &body, now)).is_ok() {
            accepted += 1;
        }
    }
    if accepted != n {
        return Err(format!("only {accepted} of {n} accepted").into());
    }
    println!("{n} deliveries verified");
    Ok(())
}
