//! webhook-guard next to the other Rust crates that verify the same deliveries, in one run.
//!
//! ```text
//! cd benches/peers
//! cargo bench --bench peers                          # webhook-verify, svix
//! cargo bench --bench peers --features async-stripe  # + async-stripe (long build)
//! cargo bench --bench peers -- 4KiB                  # rows whose label contains "4KiB"
//! ```
//!
//! Every comparison is a paired, interleaved measurement (`../support/paired.rs`): the two
//! sides run in alternating ~20 µs batches and the table reports the median per-round ratio
//! with its quartiles. Deliveries come from `../support/deliveries.rs` (the same as the main
//! crate's `benches/verify.rs`), signed with plain `hmac`/`sha2`.
//!
//! Peers and how they are called (each with its documented API, its own secret handling):
//! - `webhook-verify` 0.1: `webhook_verify::verify(provider, &headers, body, &secret, options)`
//!   with a fixed clock (`VerifyOptions::with_clock`), for all five providers;
//! - `svix` 2.9: `Webhook::verify(body, &headers)` (Standard Webhooks). It reads the system
//!   clock, so its deliveries are signed with the current time just before the pair is
//!   measured, and webhook-guard is called through `Verifier::verify` (system clock) there;
//! - `async-stripe-webhook` 1.0.0-rc.10 (feature `async-stripe`):
//!   `Webhook::construct_event_with_timestamp(payload, signature, secret, now)`. It also parses
//!   the event (which verification alone does not), and needs the body as `&str`: the UTF-8
//!   check a caller must do is part of the measured call.

use std::hint::black_box;
use std::sync::Arc;

use webhook_guard::Verifier;
use webhook_guard_peers::deliveries::{
    delivery, keyed, limit, unix_now, Delivery, Provider, NOW, PROVIDERS, SIZES,
};
use webhook_guard_peers::paired::{self, Paired};

fn guard(provider: Provider) -> Verifier {
    let secret = provider.secret(0);
    let built = match provider {
        Provider::Stripe => Verifier::stripe(secret).build(),
        Provider::GitHub => Verifier::github(secret).build(),
        Provider::Standard => Verifier::standard_webhooks(secret).build(),
        Provider::Slack => Verifier::slack(secret).build(),
        Provider::Shopify => Verifier::shopify(secret).build(),
    };
    built.unwrap_or_else(|e| panic!("{provider:?}: {e}"))
}

struct FixedClock(u64);

impl webhook_verify::Clock for FixedClock {
    fn now(&self) -> u64 {
        self.0
    }
}

fn webhook_verify_provider(provider: Provider) -> webhook_verify::Provider {
    match provider {
        Provider::Stripe => webhook_verify::Provider::Stripe,
        Provider::GitHub => webhook_verify::Provider::GitHub,
        Provider::Standard => webhook_verify::Provider::StandardWebhooks,
        Provider::Slack => webhook_verify::Provider::Slack,
        Provider::Shopify => webhook_verify::Provider::Shopify,
    }
}

struct Row {
    label: String,
    provider: &'static str,
    peer: &'static str,
    /// `b / a`: `guard / limit` for the limit row, `peer / guard` for the others.
    p: Paired,
}

fn measure(
    rows: &mut Vec<Row>,
    label: &str,
    provider: Provider,
    peer: &'static str,
    a: &mut dyn FnMut(),
    b: &mut dyn FnMut(),
) {
    eprintln!("{label} {} {peer} ...", provider.name());
    let p = paired::measure(a, b, paired::budget());
    rows.push(Row {
        label: label.to_string(),
        provider: provider.name(),
        peer,
        p,
    });
}

fn guard_at(v: &Verifier, d: &Delivery) {
    let _ = black_box(v.verify_at(black_box(&d.headers), black_box(&d.body), NOW));
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let mut rows = Vec::new();
    for (label, size) in SIZES.into_iter().take(3) {
        if filter.as_deref().is_some_and(|f| !label.contains(f)) {
            continue;
        }
        for provider in PROVIDERS {
            let d = delivery(provider, size, NOW, 0, 0);
            let v = guard(provider);
            assert!(v.verify_at(&d.headers, &d.body, NOW).is_ok());

            // The limit: one keyed HMAC over the signed bytes.
            let key = keyed(&d.key);
            measure(
                &mut rows,
                label,
                provider,
                "limit",
                &mut || {
                    black_box(limit(&key, black_box(&d.signed)));
                },
                &mut || guard_at(&v, &d),
            );

            // webhook-verify.
            let wv = webhook_verify_provider(provider);
            let secret = webhook_verify::Secret::new(provider.secret(0));
            let options = webhook_verify::VerifyOptions::default()
                .with_clock(Some(Arc::new(FixedClock(NOW))));
            let call = |d: &Delivery| {
                webhook_verify::verify(wv, &d.headers, &d.body, &secret, options.clone())
            };
            assert_eq!(call(&d), Ok(()), "webhook-verify {provider:?} {label}");
            measure(
                &mut rows,
                label,
                provider,
                "webhook-verify",
                &mut || guard_at(&v, &d),
                &mut || {
                    let _ = black_box(call(black_box(&d)));
                },
            );

            if provider == Provider::Standard {
                // svix reads the system clock: sign with the current time.
                let fresh = delivery(provider, size, unix_now(), 0, 0);
                let wh = svix::webhooks::Webhook::new(&provider.secret(0))
                    .unwrap_or_else(|e| panic!("svix secret: {e}"));
                assert!(
                    wh.verify(&fresh.body, &fresh.headers).is_ok(),
                    "svix {label}"
                );
                assert!(v.verify(&fresh.headers, &fresh.body).is_ok());
                measure(
                    &mut rows,
                    label,
                    provider,
                    "svix",
                    &mut || {
                        let _ = black_box(v.verify(black_box(&fresh.headers), &fresh.body));
                    },
                    &mut || {
                        let _ = black_box(wh.verify(black_box(&fresh.body), &fresh.headers));
                    },
                );
                // The bound on that ratio: svix against the bare keyed HMAC over the same
                // signed bytes. No verifier that computes this HMAC (with `hmac` + `sha2`) can
                // be faster than svix by more than this.
                let fresh_key = keyed(&fresh.key);
                measure(
                    &mut rows,
                    label,
                    provider,
                    "svix (vs limit)",
                    &mut || {
                        black_box(limit(&fresh_key, black_box(&fresh.signed)));
                    },
                    &mut || {
                        let _ = black_box(wh.verify(black_box(&fresh.body), &fresh.headers));
                    },
                );
            }

            #[cfg(feature = "async-stripe")]
            if provider == Provider::Stripe {
                let signature = d
                    .headers
                    .get("stripe-signature")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let secret = provider.secret(0);
                let call = |body: &[u8]| {
                    let payload = std::str::from_utf8(body).unwrap_or_default();
                    stripe_webhook::Webhook::construct_event_with_timestamp(
                        payload, &signature, &secret, NOW as i64,
                    )
                };
                if let Err(e) = call(&d.body) {
                    panic!("async-stripe {label}: {e}");
                }
                measure(
                    &mut rows,
                    label,
                    provider,
                    "async-stripe",
                    &mut || guard_at(&v, &d),
                    &mut || {
                        let _ = black_box(call(black_box(&d.body)));
                    },
                );
            }
        }
    }
    print_table(&rows);
}

fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.3} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!("### webhook-guard and its peers, same deliveries, paired");
    println!();
    println!("`other / guard` > 1 means webhook-guard is faster; for the `limit` row the ratio is");
    println!("`guard / limit`. Median of per-round ratios, quartiles in brackets.");
    println!();
    println!("| body | provider | other | guard | other time | ratio | target |");
    println!("|---|---|---|---|---|---|---|");
    for r in rows {
        let (guard_ns, other_ns, what) = match r.peer {
            "limit" => (Some(r.p.b_ns), r.p.a_ns, "guard / limit"),
            // The limit on the `svix` row's ratio: svix's time over the bare keyed HMAC.
            "svix (vs limit)" => (None, r.p.b_ns, "svix / limit (bound)"),
            _ => (Some(r.p.a_ns), r.p.b_ns, "other / guard"),
        };
        let guard_ns = guard_ns.map_or_else(|| "-".to_string(), time);
        let target = match (r.peer, r.label.as_str()) {
            ("svix", "4KiB") => verdict(r.p.ratio >= 5.0, ">= 5x"),
            ("svix (vs limit)", _) => "-".to_string(),
            ("limit", "4KiB") => verdict(r.p.ratio <= 1.10, "<= 1.10x"),
            ("limit", "256B") => verdict(r.p.ratio <= 1.5, "<= 1.5x"),
            (_, "4KiB") => verdict(r.p.ratio > 1.0, "> 1x"),
            _ => "-".to_string(),
        };
        println!(
            "| {} | {} | {} | {} | {} | {}: **{:.2}x** [{:.2}, {:.2}] | {target} |",
            r.label,
            r.provider,
            r.peer,
            guard_ns,
            time(other_ns),
            what,
            r.p.ratio,
            r.p.q1,
            r.p.q3,
        );
    }
}

fn verdict(met: bool, target: &str) -> String {
    format!("{target} {}", if met { "met" } else { "MISSED" })
}
