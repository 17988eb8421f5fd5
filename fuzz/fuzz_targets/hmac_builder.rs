//! `cargo +nightly fuzz run hmac_builder`: see `webhook_guard::__fuzz::hmac_builder` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::hmac_builder(data) {
        panic!("{finding}");
    }
});
