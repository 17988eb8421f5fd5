//! The `webhook-guard` binary (feature `cli`) as a shell pipeline uses it.
#![cfg(feature = "cli")]

use std::io::Read;
use std::process::{Command, Stdio};

fn body_file(name: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("webhook-guard-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, br#"{"id":"evt_cli_test"}"#).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn sign_github(body: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_webhook-guard"));
    cmd.args(["sign", "github", "--secret", "cli-test-secret", "--body"])
        .arg(body)
        .args(["--id", "cli-1"]);
    cmd
}

#[test]
fn prints_the_signed_headers() {
    let body = body_file("headers");
    let output = sign_github(&body)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(&body);
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout).to_ascii_lowercase();
    assert!(text.contains("x-hub-signature-256: sha256="), "{text}");
    assert!(text.contains("x-github-delivery: cli-1"), "{text}");
    assert!(text.ends_with('\n'), "{text:?}");
}

/// `webhook-guard sign ... | head -1`: the reader closes the pipe before the signer has written
/// all its lines. The signer must still exit 0 (it did exit 101, a panic from `println!`, which
/// failed `interop/cli.sh` now and then under `set -o pipefail`).
#[test]
fn a_reader_that_stops_early_is_not_a_failure() {
    let body = body_file("pipe");
    let mut child = sign_github(&body)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Close the read end at once: the child is still starting, so every write it makes finds
    // the pipe closed.
    drop(child.stdout.take());
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let _ = std::fs::remove_file(&body);
    assert!(status.success(), "exit {status:?}, stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
