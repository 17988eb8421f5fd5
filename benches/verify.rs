//! webhook-guard's `Verifier::verify_at` next to the physical limit: one keyed HMAC-SHA256
//! (a pre-keyed `Hmac<Sha256>` state, cloned) over the same signed bytes, with the same
//! `hmac 0.12` + `sha2 0.10` the crate uses.
//!
//! ```text
//! cargo bench --bench verify                 # everything, then the ratio tables
//! cargo bench --bench verify -- verify-4KiB  # one group (criterion filter)
//! ```
//!
//! Groups (each pairs `limit` and `guard` for one provider back to back, so that both see the
//! same machine state):
//! - `verify-<size>`: one secret, one signature, 256 B / 4 KiB / 64 KiB / 1 MiB bodies;
//! - `rotation3-<size>`: three secrets configured, the delivery signed with the **last** one
//!   (worst case: three MACs), against three keyed HMACs;
//! - `multisig3-<size>`: one secret, three signatures in the header (two decoys first),
//!   Stripe and Standard Webhooks (the providers whose header can carry several).
//!
//! Deliveries are signed in `support/deliveries.rs` with plain `hmac`/`sha2`, independently
//! of the library. The clock is fixed (`verify_at`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use webhook_guard::Verifier;

#[path = "support/deliveries.rs"]
mod deliveries;
#[path = "support/report.rs"]
mod report;

use deliveries::{delivery, keyed, limit, Provider, NOW, PROVIDERS, SIZES};

/// A verifier for `provider` with secrets `secret(0) .. secret(n - 1)`.
fn verifier(provider: Provider, n: usize) -> Verifier {
    let first = provider.secret(0);
    let built = match provider {
        Provider::Stripe => (1..n)
            .fold(Verifier::stripe(first), |b, i| b.secret(provider.secret(i)))
            .build(),
        Provider::GitHub => (1..n)
            .fold(Verifier::github(first), |b, i| b.secret(provider.secret(i)))
            .build(),
        Provider::Standard => (1..n)
            .fold(Verifier::standard_webhooks(first), |b, i| {
                b.secret(provider.secret(i))
            })
            .build(),
        Provider::Slack => (1..n)
            .fold(Verifier::slack(first), |b, i| b.secret(provider.secret(i)))
            .build(),
        Provider::Shopify => (1..n)
            .fold(Verifier::shopify(first), |b, i| {
                b.secret(provider.secret(i))
            })
            .build(),
    };
    built.unwrap_or_else(|e| panic!("{provider:?}: {e}"))
}

/// Registers `limit/<provider>` (`macs` keyed HMACs) and `guard/<provider>` back to back.
fn pair(
    c: &mut Criterion,
    group: &str,
    size: usize,
    providers: &[Provider],
    secrets: usize,
    decoys: usize,
) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(size as u64));
    if size >= 64 * 1024 {
        g.sample_size(30);
    }
    let limit_name = if secrets == 1 { "limit" } else { "limit-x3" };
    for &provider in providers {
        let d = delivery(provider, size, NOW, secrets - 1, decoys);
        let v = verifier(provider, secrets);
        let verified = v
            .verify_at(&d.headers, &d.body, NOW)
            .unwrap_or_else(|e| panic!("{provider:?} {size}: {e}"));
        assert_eq!(verified.secret_index(), secrets - 1);
        // The limit: one keyed MAC per configured secret, the last one being the right key.
        let keys: Vec<_> = (0..secrets).map(|i| keyed(&provider.key(i))).collect();
        assert_eq!(
            limit(keys.last().unwrap_or_else(|| unreachable!()), &d.signed),
            deliveries::hmac_sha256(&d.key, &d.signed)
        );
        g.bench_function(BenchmarkId::new(limit_name, provider.name()), |b| {
            b.iter(|| {
                for k in &keys {
                    black_box(limit(k, black_box(&d.signed)));
                }
            })
        });
        g.bench_function(BenchmarkId::new("guard", provider.name()), |b| {
            b.iter(|| black_box(v.verify_at(black_box(&d.headers), black_box(&d.body), NOW)))
        });
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    for (label, size) in SIZES {
        pair(c, &format!("verify-{label}"), size, &PROVIDERS, 1, 0);
    }
    for (label, size) in SIZES.into_iter().take(2) {
        pair(c, &format!("rotation3-{label}"), size, &PROVIDERS, 3, 0);
    }
    let multi: Vec<Provider> = PROVIDERS
        .into_iter()
        .filter(|p| p.multi_signature())
        .collect();
    for (label, size) in SIZES.into_iter().take(2) {
        pair(c, &format!("multisig3-{label}"), size, &multi, 1, 2);
    }
}

fn print_tables(report: &report::Report) {
    println!("\n## webhook-guard verify vs the keyed-HMAC limit (median of criterion samples)\n");
    println!("| group | provider | limit | guard | guard / limit | target | |");
    println!("|---|---|---|---|---|---|---|");
    let groups: Vec<(String, &str, f64)> = SIZES
        .iter()
        .map(|(l, s)| {
            let target = match *s {
                256 => 1.5,
                4096 => 1.10,
                _ => f64::NAN,
            };
            (format!("verify-{l}"), "limit", target)
        })
        .chain(
            SIZES
                .iter()
                .take(2)
                .map(|(l, _)| (format!("rotation3-{l}"), "limit-x3", f64::NAN)),
        )
        .chain(
            SIZES
                .iter()
                .take(2)
                .map(|(l, _)| (format!("multisig3-{l}"), "limit", f64::NAN)),
        )
        .collect();
    for (group, limit_name, target) in groups {
        for p in PROVIDERS {
            let (Some(l), Some(g)) = (
                report.median_ns(&group, limit_name, p.name()),
                report.median_ns(&group, "guard", p.name()),
            ) else {
                continue;
            };
            let ratio = g / l;
            let (t, v) = if target.is_nan() {
                ("-".to_string(), "")
            } else {
                (format!("<= {target:.2}x"), report::verdict(ratio, target))
            };
            println!(
                "| {group} | {} | {} | {} | {ratio:.3}x | {t} | {v} |",
                p.name(),
                report::time(l),
                report::time(g),
            );
        }
    }
}

criterion_group! {
    name = verify;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(60);
    targets = benches
}

fn main() {
    let report = report::Report::start(env!("CARGO_MANIFEST_DIR"));
    verify();
    Criterion::default().configure_from_args().final_summary();
    print_tables(&report);
}
