//! Reads criterion's estimates back after a run and prints the ratio tables (markdown).
//!
//! Criterion writes `<target>/criterion/<group>/<function>/<parameter>/new/estimates.json`;
//! `<target>` is `$CRITERION_HOME`, else `$CARGO_TARGET_DIR`, else this package's `target/`.
//! Only estimates written by the current run are used, so a filtered run never mixes in stale
//! figures.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::SystemTime;

pub struct Report {
    root: PathBuf,
    started: SystemTime,
}

impl Report {
    /// Call before the benchmarks run. `manifest_dir` is `env!("CARGO_MANIFEST_DIR")`.
    pub fn start(manifest_dir: &str) -> Self {
        let root = if let Some(home) = std::env::var_os("CRITERION_HOME") {
            PathBuf::from(home)
        } else if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
            PathBuf::from(target).join("criterion")
        } else {
            PathBuf::from(manifest_dir).join("target").join("criterion")
        };
        Report {
            root,
            started: SystemTime::now(),
        }
    }

    /// Median time in nanoseconds of `group/function/parameter`, if this run measured it.
    pub fn median_ns(&self, group: &str, function: &str, parameter: &str) -> Option<f64> {
        let path = self
            .root
            .join(group)
            .join(function)
            .join(parameter)
            .join("new")
            .join("estimates.json");
        let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
        if modified < self.started {
            return None;
        }
        let text = std::fs::read_to_string(&path).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json.pointer("/median/point_estimate")?.as_f64()
    }
}

/// `1.234 µs`-style formatting.
pub fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.3} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// `✓`/`✗` against a maximum ratio.
pub fn verdict(ratio: f64, max: f64) -> &'static str {
    if ratio <= max {
        "met"
    } else {
        "MISSED"
    }
}
