//! Verify signed webhook deliveries before your handler sees them.
#![cfg_attr(all(feature = "axum", feature = "actix-web"), doc = include_str!("../README.md"))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod builder;
mod clock;
#[cfg(feature = "ed25519")]
mod ed25519;
pub mod error;
pub mod handshake;
pub mod headers;
mod json_id;
mod mac;
mod providers;
pub mod response;
pub mod secret;
pub mod signer;
mod verifier;

#[cfg(any(feature = "tower", feature = "actix-web"))]
mod transport;

#[cfg(feature = "dedupe")]
pub mod dedupe;

#[cfg(feature = "tower")]
pub mod tower;

#[cfg(feature = "actix-web")]
pub mod actix;

#[cfg(feature = "axum")]
mod axum_extract;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzz;

pub use builder::{Builder, Signed, DEFAULT_MAX_BODY_SIZE, DEFAULT_TOLERANCE};
pub use error::{ConfigError, ErrorKind, VerifyError};
pub use handshake::Handshake;
pub use headers::HeaderLookup;
pub use mac::Algorithm;
pub use providers::Encoding;
pub use secret::Secret;
pub use signer::{SignError, Signer};
pub use verifier::{Provider, Verified, Verifier};

#[cfg(feature = "axum")]
pub use axum_extract::MissingVerifyLayer;

#[cfg(feature = "actix-web")]
pub use actix::MissingVerifyMiddleware;
