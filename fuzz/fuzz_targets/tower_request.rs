//! `cargo +nightly fuzz run tower_request`: see `webhook_guard::__fuzz::tower_request` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::tower_request(data) {
        panic!("{finding}");
    }
});
