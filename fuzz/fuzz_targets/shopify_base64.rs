//! `cargo +nightly fuzz run shopify_base64`: see `webhook_guard::__fuzz::shopify_base64` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::shopify_base64(data) {
        panic!("{finding}");
    }
});
