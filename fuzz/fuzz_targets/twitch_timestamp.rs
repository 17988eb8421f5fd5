//! `cargo +nightly fuzz run twitch_timestamp`: see `webhook_guard::__fuzz::twitch_timestamp` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::twitch_timestamp(data) {
        panic!("{finding}");
    }
});
