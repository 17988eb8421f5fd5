//! `cargo +nightly fuzz run prefixed_hex`: see `webhook_guard::__fuzz::prefixed_hex` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::prefixed_hex(data) {
        panic!("{finding}");
    }
});
