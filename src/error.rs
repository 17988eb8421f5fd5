//! Errors: why a delivery was rejected ([`VerifyError`], [`ErrorKind`]) and why a
//! configuration was refused ([`ConfigError`]).
//!
//! Neither type ever carries a secret, an expected signature or a byte of the request: a
//! [`VerifyError`] names at most the *configured* header it is about, so it is safe to log and
//! safe to send back.

use std::fmt;

use http::HeaderName;

/// The reason a delivery was rejected.
///
/// Each kind maps to one HTTP status and one stable, machine-readable code (see
/// [`ErrorKind::status`] and [`ErrorKind::code`]); both adapters answer with exactly that mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A header the provider always sends (signature, timestamp, message id) is absent. `401`.
    MissingHeader,
    /// A required header is present but cannot be parsed: not ASCII, no recognised scheme, a
    /// timestamp that is not a plain non-negative integer, a signature that does not decode, or
    /// the header appears more than once. `400`.
    MalformedHeader,
    /// The headers parse, but no signature in them matches any configured secret. `401`.
    InvalidSignature,
    /// The signed timestamp is older than the tolerance allows (a replay, or a very late retry
    /// that the provider will sign anew). `401`.
    TimestampTooOld,
    /// The signed timestamp is further in the future than the tolerance allows. `401`.
    TimestampInFuture,
    /// The body is larger than the configured limit. `413`.
    BodyTooLarge,
    /// The body could not be read (the client went away, broken framing). `400`.
    BodyReadFailed,
    /// The body did not arrive within the configured read timeout. `408`.
    BodyReadTimeout,
}

impl ErrorKind {
    /// The HTTP status code every adapter answers with for this kind.
    ///
    /// ```
    /// use webhook_guard::ErrorKind;
    /// assert_eq!(ErrorKind::MalformedHeader.status(), 400);
    /// assert_eq!(ErrorKind::InvalidSignature.status(), 401);
    /// assert_eq!(ErrorKind::BodyTooLarge.status(), 413);
    /// ```
    pub const fn status(self) -> u16 {
        match self {
            ErrorKind::MalformedHeader | ErrorKind::BodyReadFailed => 400,
            ErrorKind::MissingHeader
            | ErrorKind::InvalidSignature
            | ErrorKind::TimestampTooOld
            | ErrorKind::TimestampInFuture => 401,
            ErrorKind::BodyReadTimeout => 408,
            ErrorKind::BodyTooLarge => 413,
        }
    }

    /// A stable snake_case code, used as the `error` field of the JSON rejection body.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::MissingHeader => "missing_header",
            ErrorKind::MalformedHeader => "malformed_header",
            ErrorKind::InvalidSignature => "invalid_signature",
            ErrorKind::TimestampTooOld => "timestamp_too_old",
            ErrorKind::TimestampInFuture => "timestamp_in_future",
            ErrorKind::BodyTooLarge => "body_too_large",
            ErrorKind::BodyReadFailed => "body_read_failed",
            ErrorKind::BodyReadTimeout => "body_read_timeout",
        }
    }

    /// A short human-readable description, without any request data.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorKind::MissingHeader => "a required webhook header is missing",
            ErrorKind::MalformedHeader => "a webhook header could not be parsed",
            ErrorKind::InvalidSignature => "no signature matches",
            ErrorKind::TimestampTooOld => "the signed timestamp is too old",
            ErrorKind::TimestampInFuture => "the signed timestamp is too far in the future",
            ErrorKind::BodyTooLarge => "the body exceeds the size limit",
            ErrorKind::BodyReadFailed => "the body could not be read",
            ErrorKind::BodyReadTimeout => "the body was not received in time",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A rejected delivery.
///
/// Carries its [`ErrorKind`] and, where it helps, the name of the *configured* header concerned.
/// It holds no request bytes, no secret and no expected signature, so it can be logged and its
/// [`Display`](fmt::Display) text returned to the caller.
///
/// ```
/// use webhook_guard::{ErrorKind, Verifier};
///
/// let verifier = Verifier::github("It's a Secret to Everybody").build().unwrap();
/// let headers: [(&str, &str); 0] = [];
/// let err = verifier.verify(&headers[..], b"Hello, World!").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::MissingHeader);
/// assert_eq!(err.header(), Some("x-hub-signature-256"));
/// assert_eq!(err.status(), 401);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    kind: ErrorKind,
    header: Option<HeaderName>,
}

impl VerifyError {
    pub(crate) const fn new(kind: ErrorKind) -> Self {
        VerifyError { kind, header: None }
    }

    pub(crate) fn with_header(kind: ErrorKind, header: &HeaderName) -> Self {
        VerifyError {
            kind,
            header: Some(header.clone()),
        }
    }

    /// Builds an error of the given kind, for adapters and custom stores.
    pub const fn from_kind(kind: ErrorKind) -> Self {
        VerifyError::new(kind)
    }

    /// Why the delivery was rejected.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The configured header this error is about, lower-case, if any.
    pub fn header(&self) -> Option<&str> {
        self.header.as_ref().map(HeaderName::as_str)
    }

    /// The HTTP status for this error (see [`ErrorKind::status`]).
    pub const fn status(&self) -> u16 {
        self.kind.status()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.header {
            Some(h) => write!(f, "{} (`{}`)", self.kind.description(), h),
            None => f.write_str(self.kind.description()),
        }
    }
}

impl std::error::Error for VerifyError {}

impl From<ErrorKind> for VerifyError {
    fn from(kind: ErrorKind) -> Self {
        VerifyError::new(kind)
    }
}

/// A verifier configuration that was refused by `build()`.
///
/// Configuration fails when it is built, never later at request time, and never panics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No secret was given.
    #[error("at least one secret is required")]
    NoSecret,
    /// A secret is empty.
    #[error("secret #{index} is empty")]
    EmptySecret {
        /// Position of the secret, in the order given.
        index: usize,
    },
    /// A Standard Webhooks secret is not `whsec_` followed by base64.
    #[error("secret #{index} is not a Standard Webhooks secret (`whsec_` followed by base64)")]
    InvalidStandardSecret {
        /// Position of the secret, in the order given.
        index: usize,
    },
    /// A header name is not a valid HTTP header name.
    #[error("`{0}` is not a valid header name")]
    InvalidHeaderName(String),
    /// The generic HMAC builder was not told which header carries the signature.
    #[error("no signature header configured")]
    NoSignatureHeader,
    /// The signed payload does not contain the body exactly once.
    #[error("the signed payload must contain the body exactly once")]
    BodyNotSigned,
    /// The signed payload references the timestamp, but no timestamp header is configured.
    #[error("the signed payload uses the timestamp but no timestamp header is configured")]
    NoTimestampHeader,
    /// The signed payload references the event id, but no event-id header is configured.
    #[error("the signed payload uses the event id but no event-id header is configured")]
    NoEventIdHeader,
    /// SHA-1 was selected without the explicit opt-in.
    #[error("HMAC-SHA1 is insecure and must be enabled explicitly (`allow_insecure_sha1`)")]
    Sha1NotAllowed,
    /// A signature prefix or separator is not printable ASCII, or the separator occurs in the
    /// prefix or can occur inside an encoded signature (a hex digit, a base64 character).
    #[error(
        "signature prefix and separator must be printable ASCII, and the separator must not \
         occur in the prefix or in an encoded signature"
    )]
    InvalidSignatureSyntax,
    /// The body size limit is zero.
    #[error("the body size limit must be at least 1 byte")]
    ZeroBodyLimit,
}
