//! Replays every committed fuzz input through the harness functions the fuzz targets call
//! (`webhook_guard::__fuzz`, feature `fuzzing`): the seed corpora under `fuzz/corpus/<target>/`
//! and the crash/regression inputs under `fuzz/regressions/<target>/`. A property the fuzzer
//! once broke stays fixed, in plain `cargo test --all-features`, without a nightly toolchain.

use std::fs;
use std::path::{Path, PathBuf};

use webhook_guard::__fuzz;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Files directly in `dir` (none if it does not exist), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

#[test]
fn seed_encoding_round_trips() {
    __fuzz::seeds::check_encoding().unwrap_or_else(|f| panic!("{f}"));
}

/// Every generated seed is committed, byte for byte. `WEBHOOK_GUARD_WRITE_SEEDS=1` writes them.
#[test]
fn seed_corpora_are_committed() {
    let write = std::env::var_os("WEBHOOK_GUARD_WRITE_SEEDS").is_some();
    let seeds = __fuzz::seeds::all();
    assert!(seeds.len() > 100, "only {} seeds", seeds.len());
    let mut missing = Vec::new();
    for (target, name, bytes) in seeds {
        let path = fuzz_dir()
            .join("corpus")
            .join(target)
            .join(format!("seed-{name}"));
        if write {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &bytes).unwrap();
        } else if fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
            missing.push(path.display().to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "seed files missing or stale (regenerate with WEBHOOK_GUARD_WRITE_SEEDS=1 cargo test \
         --all-features --test fuzz_regressions): {missing:#?}"
    );
}

/// Every harness has a fuzz target of the same name, and a non-empty corpus.
#[test]
fn every_harness_has_a_target_and_a_corpus() {
    for (name, _) in __fuzz::harnesses() {
        let target = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let source =
            fs::read_to_string(&target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        assert!(
            source.contains(&format!("__fuzz::{name}(")),
            "{} does not call __fuzz::{name}",
            target.display()
        );
        let corpus = files(&fuzz_dir().join("corpus").join(name));
        assert!(!corpus.is_empty(), "no corpus for {name}");
    }
}

/// The corpora and the regression inputs pass every property.
#[test]
fn replay_corpora_and_regressions() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (name, harness) in __fuzz::harnesses() {
        for kind in ["corpus", "regressions"] {
            for path in files(&fuzz_dir().join(kind).join(name)) {
                let data = fs::read(&path).unwrap();
                replayed += 1;
                if let Err(finding) = harness(&data) {
                    failures.push(format!("{}: {finding}", path.display()));
                }
            }
        }
    }
    assert!(replayed > 100, "only {replayed} inputs replayed");
    assert!(failures.is_empty(), "{failures:#?}");
}
