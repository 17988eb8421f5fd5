//! webhook-guard's `Verifier::verify_at` next to the physical limit: one keyed HMAC-SHA256
//! (a pre-keyed `Hmac<Sha256>` state, cloned) over the same signed bytes, with the same
//! `hmac 0.12` + `sha2 0.10` the crate uses.
//!
//! ```text
//! cargo bench --bench verify                 # everything, then the ratio tables
//! cargo bench --bench verify -- verify-4KiB  # one group (criterion filter)
//! PAIRED_SECS=3 cargo bench --bench verify   # longer paired rounds (default 1.5 s a pair)
//! PAIRED_ONLY=1 cargo bench --bench verify -- verify-256B  # the paired table only, no criterion
//! PAIRED_ONLY=1 cargo bench --bench verify -- verify-256B/standard  # one provider's row
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

use criterion::{BenchmarkId, Criterion, Throughput};
use hmac::Hmac;
use sha2::Sha256;
use webhook_guard::Verifier;

#[path = "support/deliveries.rs"]
mod deliveries;
#[path = "support/paired.rs"]
mod paired;
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

/// One comparison: `limit` (one keyed MAC per configured secret) against `guard`.
struct Job {
    group: String,
    limit_name: &'static str,
    provider: Provider,
    target: Option<f64>,
    size: usize,
    delivery: deliveries::Delivery,
    verifier: Verifier,
    keys: Vec<Hmac<Sha256>>,
}

impl Job {
    fn new(
        group: String,
        size: usize,
        provider: Provider,
        secrets: usize,
        decoys: usize,
        target: Option<f64>,
    ) -> Self {
        let delivery = delivery(provider, size, NOW, secrets - 1, decoys);
        let verifier = verifier(provider, secrets);
        let verified = verifier
            .verify_at(&delivery.headers, &delivery.body, NOW)
            .unwrap_or_else(|e| panic!("{provider:?} {size}: {e}"));
        assert_eq!(verified.secret_index(), secrets - 1);
        // The limit: one keyed MAC per configured secret, the last one being the right key.
        let keys: Vec<_> = (0..secrets).map(|i| keyed(&provider.key(i))).collect();
        assert_eq!(
            keys.last().map(|k| limit(k, &delivery.signed)),
            Some(deliveries::hmac_sha256(&delivery.key, &delivery.signed))
        );
        Job {
            group,
            limit_name: if secrets == 1 { "limit" } else { "limit-x3" },
            provider,
            target,
            size,
            delivery,
            verifier,
            keys,
        }
    }

    fn limit(&self) {
        for k in &self.keys {
            black_box(limit(k, black_box(&self.delivery.signed)));
        }
    }

    fn guard(&self) {
        let d = &self.delivery;
        let _ = black_box(
            self.verifier
                .verify_at(black_box(&d.headers), black_box(&d.body), NOW),
        );
    }
}

fn jobs() -> Vec<Job> {
    let mut jobs = Vec::new();
    for (label, size) in SIZES {
        let target = match size {
            256 => Some(1.5),
            4096 => Some(1.10),
            _ => None,
        };
        for p in PROVIDERS {
            jobs.push(Job::new(format!("verify-{label}"), size, p, 1, 0, target));
        }
    }
    for (label, size) in SIZES.into_iter().take(2) {
        for p in PROVIDERS {
            jobs.push(Job::new(format!("rotation3-{label}"), size, p, 3, 0, None));
        }
    }
    for (label, size) in SIZES.into_iter().take(2) {
        for p in PROVIDERS.into_iter().filter(|p| p.multi_signature()) {
            jobs.push(Job::new(format!("multisig3-{label}"), size, p, 1, 2, None));
        }
    }
    jobs
}

/// Registers `limit/<provider>` and `guard/<provider>` back to back, group by group.
fn register(c: &mut Criterion, jobs: &[Job]) {
    let mut i = 0;
    while let Some(first) = jobs.get(i) {
        let mut g = c.benchmark_group(&first.group);
        g.throughput(Throughput::Bytes(first.size as u64));
        if first.size >= 64 * 1024 {
            g.sample_size(30);
        }
        for job in jobs[i..].iter().take_while(|j| j.group == first.group) {
            g.bench_function(BenchmarkId::new(job.limit_name, job.provider.name()), |b| {
                b.iter(|| job.limit())
            });
            g.bench_function(BenchmarkId::new("guard", job.provider.name()), |b| {
                b.iter(|| job.guard())
            });
            i += 1;
        }
        g.finish();
    }
}

/// After criterion: the paired ratio of every pair criterion measured in this run, and the
/// table.
fn paired_tables(report: &report::Report, jobs: &[Job]) {
    let budget = paired::budget();
    let mut rows = Vec::new();
    for job in jobs {
        let name = job.provider.name();
        let crit = match (
            report.median_ns(&job.group, job.limit_name, name),
            report.median_ns(&job.group, "guard", name),
        ) {
            (Some(cl), Some(cg)) => Some(cg / cl),
            _ if paired_only().is_some() => None,
            _ => continue,
        };
        eprintln!("paired: {}/{} ...", job.group, name);
        let p = paired::measure(&mut || job.limit(), &mut || job.guard(), budget);
        rows.push((job, p, crit));
    }
    if rows.is_empty() {
        return;
    }
    println!();
    println!("### webhook-guard `verify_at` vs the keyed-HMAC limit");
    println!();
    println!(
        "guard / limit: median of the per-round ratios of paired, interleaved batches \
         (quartiles in brackets); criterion: ratio of the two criterion medians, for \
         cross-checking."
    );
    println!();
    println!("| group | provider | limit | guard | guard / limit | criterion | target |");
    println!("|---|---|---|---|---|---|---|");
    for (job, p, crit) in rows {
        let target = match job.target {
            Some(t) => format!("<= {t:.2}x {}", report::verdict(p.ratio, t)),
            None => "-".into(),
        };
        println!(
            "| {} | {} | {} | {} | **{:.3}x** [{:.3}, {:.3}] | {} | {target} |",
            job.group,
            job.provider.name(),
            report::time(p.a_ns),
            report::time(p.b_ns),
            p.ratio,
            p.q1,
            p.q3,
            crit.map_or_else(|| "-".to_string(), |c| format!("{c:.3}x")),
        );
    }
}

/// `PAIRED_ONLY=1`: skip criterion and measure only the paired table, for the jobs whose
/// `group/provider` (`verify-256B/standard`) contains the first argument that is not a flag (all
/// jobs without one).
fn paired_only() -> Option<String> {
    std::env::var_os("PAIRED_ONLY")?;
    Some(
        std::env::args()
            .skip(1)
            .find(|a| !a.starts_with('-'))
            .unwrap_or_default(),
    )
}

fn main() {
    let report = report::Report::start(env!("CARGO_MANIFEST_DIR"));
    let jobs = jobs();
    if let Some(filter) = paired_only() {
        let jobs: Vec<Job> = jobs
            .into_iter()
            .filter(|j| format!("{}/{}", j.group, j.provider.name()).contains(&filter))
            .collect();
        paired_tables(&report, &jobs);
        return;
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(60)
        .configure_from_args();
    register(&mut c, &jobs);
    c.final_summary();
    paired_tables(&report, &jobs);
}
