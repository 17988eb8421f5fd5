//! Fuzzing harness (feature `fuzzing`). **Not a public API**: hidden from the docs, outside semver.
//!
//! Every `pub fn` here takes the raw bytes libFuzzer generates and runs one property over them.
//! The targets in `fuzz/` are one-line wrappers around these functions, and
//! `tests/fuzz_regressions.rs` replays the committed seed corpora and crash inputs through the very
//! same functions, so whatever the fuzzer finds reproduces in a plain `cargo test --all-features`.
//!
//! A violated property is returned as a [`Finding`] (never a panic from here): the fuzz target
//! turns it into a crash, the regression test into a failed assertion with the message. A panic
//! that does escape comes from the library itself, which is exactly what the fuzzer looks for.
//! So the crate's lints against `unwrap`/`expect`/indexing/`panic!` hold in this module too.
//!
//! Why behind a feature rather than always compiled: the harness needs `arbitrary` (structured
//! inputs) and Tokio's `test-util` (a paused clock, so that read timeouts fire deterministically
//! and instantly), neither of which an application should pay for; and harness code has no place
//! in a production build. The adapter harnesses are compiled only with their adapter's feature.
//!
//! What the properties are, in short:
//! * header parsers ([`stripe_signature`], [`standard_signature`], [`prefixed_hex`],
//!   [`shopify_base64`], [`generic_signature`]): the internal parser and signature decoder agree
//!   with a naive model of the documented syntax written here, and the full verifier's outcome
//!   (which error kind, or success) is the one that model predicts;
//! * the other presets' own syntaxes ([`paddle_signature`], [`twitch_timestamp`] (RFC 3339),
//!   [`twilio_form`] (the form body Twilio signs), `discord_signature` (Ed25519, feature
//!   `ed25519`)): the library's parser against a model written from the provider's documentation,
//!   and a delivery the model signs through the preset's verifier, with the outcome the model
//!   predicts;
//! * [`verify_any`]: whatever the headers (duplicates, odd names, non-UTF-8 values), body and
//!   clock, `verify_at` never panics, an `Ok` is only ever given for a request that an
//!   independent HMAC computation here ([`oracle`]) confirms is signed by a configured secret
//!   within the window, and a correctly signed request is accepted;
//! * [`hmac_builder`]: any generic-HMAC configuration builds or returns the `ConfigError` naming
//!   a rule it breaks; every configuration that builds accepts a request signed the way it
//!   describes and refuses the same request with one bit of the MAC flipped;
//! * [`tower_request`] and [`actix_request`]: arbitrary requests (method, headers, chunking,
//!   lying `Content-Length`, body errors, bodies that never finish) through each adapter: only
//!   documented statuses, the status the core and the transport rules predict, and the handler
//!   runs only for validly signed requests, with the exact bytes.

#[cfg(any(feature = "tower", feature = "actix-web"))]
mod adapters;
mod config;
mod core;
mod input;
pub mod oracle;
mod parsers;
mod presets;
pub mod seeds;

#[cfg(feature = "tower")]
mod tower;

#[cfg(feature = "actix-web")]
mod actix;

pub use self::config::{hmac_builder, BuilderInput};
pub use self::core::{verify_any, CoreInput};
pub use self::input::{AdapterInput, Delivery, Edit, Name, Source};
pub use self::parsers::{
    generic_signature, prefixed_hex, shopify_base64, standard_signature, stripe_signature,
};
#[cfg(feature = "ed25519")]
pub use self::presets::discord_signature;
pub use self::presets::{paddle_signature, twilio_form, twitch_timestamp};

#[cfg(feature = "tower")]
pub use self::tower::tower_request;

#[cfg(feature = "actix-web")]
pub use self::actix::actix_request;

use std::fmt;

/// A violated property, with enough context to understand the failing input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding(pub String);

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Finding {}

/// What a harness returns: `Ok(())` when every property held.
pub type Outcome = Result<(), Finding>;

/// `return Err(Finding(..))` unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::__fuzz::Finding(format!($($fmt)+)));
        }
    };
}
pub(crate) use ensure;

/// A harness entry point: name and function. `fuzz/` has one target per entry, with the same
/// name, and its corpus under `fuzz/corpus/<name>/`.
pub type Harness = (&'static str, fn(&[u8]) -> Outcome);

/// Every harness compiled in with the current features.
pub fn harnesses() -> Vec<Harness> {
    #[allow(unused_mut)] // mutated only with the adapter features
    let mut all: Vec<Harness> = vec![
        ("stripe_signature", stripe_signature),
        ("standard_signature", standard_signature),
        ("prefixed_hex", prefixed_hex),
        ("shopify_base64", shopify_base64),
        ("generic_signature", generic_signature),
        ("paddle_signature", paddle_signature),
        ("twitch_timestamp", twitch_timestamp),
        ("twilio_form", twilio_form),
        ("verify_any", verify_any),
        ("hmac_builder", hmac_builder),
    ];
    #[cfg(feature = "ed25519")]
    all.push(("discord_signature", discord_signature));
    #[cfg(feature = "tower")]
    all.push(("tower_request", tower_request));
    #[cfg(feature = "actix-web")]
    all.push(("actix_request", actix_request));
    all
}
