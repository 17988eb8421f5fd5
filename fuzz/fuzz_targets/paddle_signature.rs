//! `cargo +nightly fuzz run paddle_signature`: see `webhook_guard::__fuzz::paddle_signature` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::paddle_signature(data) {
        panic!("{finding}");
    }
});
