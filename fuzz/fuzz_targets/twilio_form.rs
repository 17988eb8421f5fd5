//! `cargo +nightly fuzz run twilio_form`: see `webhook_guard::__fuzz::twilio_form` for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = webhook_guard::__fuzz::twilio_form(data) {
        panic!("{finding}");
    }
});
