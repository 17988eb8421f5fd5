//! Paired, interleaved ratio measurement: the figure every target is judged on.
//!
//! Criterion measures one function after another, so a burst of load from another process
//! can land on one side of a comparison only. Here two routines run in alternating batches
//! (`a b b a a b ...`, each batch about 20 µs), and the ratio is taken per round; the median
//! of those per-round ratios is what the tables report, with the quartiles to show the
//! spread. Slow drifts in machine load cancel out within a round.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// The result of [`measure`].
#[derive(Debug, Clone, Copy)]
pub struct Paired {
    /// Median over rounds of `time(b) / time(a)`.
    pub ratio: f64,
    /// First and third quartiles of the per-round ratio.
    pub q1: f64,
    pub q3: f64,
    /// Median time per call of `a` and of `b`, in nanoseconds.
    pub a_ns: f64,
    pub b_ns: f64,
    pub rounds: usize,
}

fn time(f: &mut dyn FnMut(), n: u64) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Measures `b` against `a` for about `budget` (at least 41 rounds).
pub fn measure(a: &mut dyn FnMut(), b: &mut dyn FnMut(), budget: Duration) -> Paired {
    // Batch size: one batch of `a` takes at least 20 µs.
    let mut n: u64 = 1;
    while time(a, n) < 20_000.0 && n < (1 << 24) {
        n *= 2;
    }
    // Warm-up: both sides, a tenth of the budget.
    let warm = Instant::now();
    while warm.elapsed() < budget / 10 {
        time(a, n);
        time(b, n);
    }
    let mut ta = Vec::new();
    let mut tb = Vec::new();
    let start = Instant::now();
    let mut flip = false;
    while start.elapsed() < budget || ta.len() < 41 {
        let (x, y) = if flip {
            let y = time(b, n);
            (time(a, n), y)
        } else {
            let x = time(a, n);
            (x, time(b, n))
        };
        flip = !flip;
        ta.push(x);
        tb.push(y);
    }
    let mut ratios: Vec<f64> = ta.iter().zip(&tb).map(|(x, y)| y / x).collect();
    ratios.sort_by(f64::total_cmp);
    ta.sort_by(f64::total_cmp);
    tb.sort_by(f64::total_cmp);
    Paired {
        ratio: quantile(&ratios, 0.5),
        q1: quantile(&ratios, 0.25),
        q3: quantile(&ratios, 0.75),
        a_ns: quantile(&ta, 0.5) / n as f64,
        b_ns: quantile(&tb, 0.5) / n as f64,
        rounds: ratios.len(),
    }
}

/// Time per paired comparison: `$PAIRED_SECS` seconds (default 1.5).
pub fn budget() -> Duration {
    let secs = std::env::var("PAIRED_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .unwrap_or(1.5);
    Duration::from_secs_f64(secs)
}
