//! `cargo +nightly fuzz run verify_any`: see `webhook_guard::__fuzz::verify_any` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::verify_any(data) {
        panic!("{finding}");
    }
});
