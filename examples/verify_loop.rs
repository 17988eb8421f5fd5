//! `verify_at` in a loop, for instruction-level profiles of the core.
//!
//! ```text
//! cargo build --release --example verify_loop --no-default-features
//! valgrind --tool=callgrind target/release/examples/verify_loop standard 20000
//! callgrind_annotate --inclusive=yes callgrind.out.*
//! ```
//!
//! Prints the mean time per call of the verifier, of the keyed-HMAC limit over the same signed
//! bytes, of that MAC fed in two pieces through the `hmac` crate (prefix, then body), and of the
//! limit with each MAC depending on the previous one (no overlap between iterations):
//! `taskset -c 1 target/release/examples/verify_loop stripe 3000000` for a quick timing. (The
//! verifier gathers the prefix into the MAC's first block instead, since `e63d317`:
//! `examples/mac_pieces.rs` compares the ways.) `VERIFY_LOOP_GUARD_ONLY=1` and
//! `VERIFY_LOOP_LIMIT_ONLY=1` run one loop alone, for a profile of it.
//!
//! Verifies the same correctly signed 256-byte delivery (`standard` for Standard Webhooks, with
//! the `verify` bench's 30-byte event id; `stripe` for Stripe, `slack` for Slack) `n` times on
//! an `http::HeaderMap` that also carries five ordinary headers, as the `verify` benchmark does;
//! a third argument sets another body size (`verify_loop standard 500000 4096`). Under valgrind, sha2 runs its portable code (no
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
    // Optional third argument: the body's size in bytes (default 256).
    let size: usize = std::env::args()
        .nth(3)
        .and_then(|x| x.parse().ok())
        .unwrap_or(256);
    let body = vec![b'a'; size];
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
            let sig = mac(
                key,
                &[
                    b"msg_2bT3mPqN8wK5dZr7YxVf1cLh0Ju.",
                    ts.as_bytes(),
                    b".",
                    &body,
                ],
            );
            headers.insert("webhook-id", "msg_2bT3mPqN8wK5dZr7YxVf1cLh0Ju".parse()?);
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
        "slack" => {
            let secret = "verify-loop-slack-secret";
            let sig = mac(secret.as_bytes(), &[b"v0:", ts.as_bytes(), b":", &body]);
            headers.insert("x-slack-request-timestamp", ts.parse()?);
            headers.insert(
                "x-slack-signature",
                format!("v0={}", hex::encode(sig)).parse()?,
            );
            Verifier::slack(secret).build()?
        }
        other => {
            return Err(format!("unknown provider {other:?}: standard, stripe or slack").into())
        }
    };
    // The limit: one keyed HMAC over the same signed bytes, contiguous; and the same MAC fed
    // as two pieces, signed prefix then body, through the `hmac` crate (the body is not copied).
    let signed: Vec<u8> = match which.as_str() {
        "standard" => [
            &b"msg_2bT3mPqN8wK5dZr7YxVf1cLh0Ju."[..],
            ts.as_bytes(),
            b".",
            &body,
        ]
        .concat(),
        "slack" => [&b"v0:"[..], ts.as_bytes(), b":", &body].concat(),
        _ => [ts.as_bytes(), b".", &body].concat(),
    };
    let keyed = match which.as_str() {
        "standard" => Hmac::<Sha256>::new_from_slice(b"verify-loop-standard-key")?,
        "slack" => Hmac::<Sha256>::new_from_slice(b"verify-loop-slack-secret")?,
        _ => Hmac::<Sha256>::new_from_slice(b"whsec_verify_loop")?,
    };
    let (prefix, _) = signed.split_at(signed.len() - body.len());
    let mut accepted = 0usize;
    let (mut guard_ns, mut limit_ns, mut split_ns, mut chained_ns) = (0u128, 0u128, 0u128, 0u128);
    // The limit again, each MAC keyed from a state chosen through the previous MAC's first
    // byte (always the same state, but the CPU cannot know): no two MACs overlap. In the plain
    // limit loop the next iteration's hashing can start while the previous one finishes, as it
    // cannot in the verifier's loop, with the verification's own work between two MACs.
    let keyed_twice = [keyed.clone(), keyed.clone()];
    let zero_mask = std::hint::black_box(0u8);
    // Alternating rounds, so that all three see the same machine.
    let rounds = 10;
    // `VERIFY_LOOP_GUARD_ONLY=1`: only the verifier's loop, for a profile of it alone.
    let guard_only = std::env::var_os("VERIFY_LOOP_GUARD_ONLY").is_some();
    // `VERIFY_LOOP_LIMIT_ONLY=1`: only the contiguous limit's loop, for its profile.
    let limit_only = std::env::var_os("VERIFY_LOOP_LIMIT_ONLY").is_some();
    for _ in 0..rounds {
        let start = std::time::Instant::now();
        for _ in 0..(if limit_only { 0 } else { n / rounds }) {
            if std::hint::black_box(verifier.verify_at(&headers, &body, now)).is_ok() {
                accepted += 1;
            }
        }
        guard_ns += start.elapsed().as_nanos();
        if guard_only {
            continue;
        }
        let start = std::time::Instant::now();
        for _ in 0..n / rounds {
            let mut m = keyed.clone();
            m.update(std::hint::black_box(&signed));
            std::hint::black_box(m.finalize().into_bytes());
        }
        limit_ns += start.elapsed().as_nanos();
        if limit_only {
            accepted += n / rounds;
            continue;
        }
        let start = std::time::Instant::now();
        for _ in 0..n / rounds {
            let mut m = keyed.clone();
            m.update(std::hint::black_box(prefix));
            m.update(std::hint::black_box(&body));
            std::hint::black_box(m.finalize().into_bytes());
        }
        split_ns += start.elapsed().as_nanos();
        let start = std::time::Instant::now();
        let mut at = 0usize;
        for _ in 0..n / rounds {
            let mut m = keyed_twice.get(at).unwrap_or(&keyed).clone();
            m.update(std::hint::black_box(&signed));
            let tag = m.finalize().into_bytes();
            at = usize::from(tag.first().copied().unwrap_or(0) & zero_mask);
        }
        chained_ns += start.elapsed().as_nanos();
    }
    let done = n / rounds * rounds;
    if accepted != done {
        return Err(format!("only {accepted} of {done} accepted").into());
    }
    let per = |ns: u128| ns as f64 / done.max(1) as f64;
    println!(
        "{done} deliveries verified: guard {:.1} ns, limit {:.1} ns, guard / limit {:.3}; \
         the limit fed as prefix + body: {:.1} ns; the limit with no overlap between MACs: \
         {:.1} ns",
        per(guard_ns),
        per(limit_ns),
        per(guard_ns) / per(limit_ns),
        per(split_ns),
        per(chained_ns)
    );
    Ok(())
}
