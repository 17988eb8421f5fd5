//! `cargo +nightly fuzz run generic_signature`: see `webhook_guard::__fuzz::generic_signature` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::generic_signature(data) {
        panic!("{finding}");
    }
});
