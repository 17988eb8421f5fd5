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
    /// The same delivery is being handled right now (a dedupe reservation is held). `409`, with
    /// `Retry-After`: the provider should try again later, and must not count this as delivered.
    DeliveryInFlight,
    /// The dedupe store could not be reached, so the delivery cannot be handled exactly once.
    /// `503` (fail closed): the provider retries later.
    StoreUnavailable,
    /// The body is not in the form the provider's scheme needs before or after the signature
    /// check: a Twilio body that is not strict `application/x-www-form-urlencoded`, or a Linear
    /// body without its signed `webhookTimestamp`. `400`.
    MalformedBody,
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
            ErrorKind::MalformedHeader | ErrorKind::BodyReadFailed | ErrorKind::MalformedBody => {
                400
            }
            ErrorKind::MissingHeader
            | ErrorKind::InvalidSignature
            | ErrorKind::TimestampTooOld
            | ErrorKind::TimestampInFuture => 401,
            ErrorKind::BodyReadTimeout => 408,
            ErrorKind::DeliveryInFlight => 409,
            ErrorKind::BodyTooLarge => 413,
            ErrorKind::StoreUnavailable => 503,
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
            ErrorKind::DeliveryInFlight => "delivery_in_flight",
            ErrorKind::StoreUnavailable => "dedupe_store_unavailable",
            ErrorKind::MalformedBody => "malformed_body",
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
            ErrorKind::DeliveryInFlight => "this delivery is being handled; retry later",
            ErrorKind::StoreUnavailable => "the dedupe store is unavailable; retry later",
            ErrorKind::MalformedBody => "the body is not in the form the signature scheme needs",
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
    retry_after: Option<u32>,
}

impl VerifyError {
    pub(crate) const fn new(kind: ErrorKind) -> Self {
        VerifyError {
            kind,
            header: None,
            retry_after: None,
        }
    }

    pub(crate) fn with_header(kind: ErrorKind, header: &HeaderName) -> Self {
        VerifyError {
            kind,
            header: Some(header.clone()),
            retry_after: None,
        }
    }

    /// The same error, answered with a `Retry-After` of `seconds`.
    pub const fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Seconds the client should wait before retrying (the `Retry-After` header), if any.
    pub const fn retry_after(&self) -> Option<u32> {
        self.retry_after
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
    /// A dedupe lease is shorter than 1 ms, or the retention is shorter than the lease.
    #[error("the dedupe lease must be at least 1 ms and the retention at least the lease")]
    InvalidDedupeTiming,
    /// The status answered to duplicates is not 2xx.
    #[error("the duplicate status must be 2xx, not {0}")]
    InvalidDuplicateStatus(u16),
    /// A dedupe namespace is not printable ASCII without `:`.
    #[error("a dedupe namespace must be printable ASCII without `:`")]
    InvalidNamespace,
    /// A signed URL (Square, Twilio) is not an absolute `http://` or `https://` URL of printable
    /// ASCII.
    #[error("the signed URL must be an absolute http:// or https:// URL of printable ASCII")]
    InvalidUrl,
    /// A public or private Ed25519 key does not decode, is the wrong length, or is a weak
    /// (small-order) public key.
    #[error("key #{index} is not a valid Ed25519 key")]
    InvalidPublicKey {
        /// Position of the key, in the order given.
        index: usize,
    },
    /// A `whpk_`/`whsk_` Standard Webhooks key was given, but the crate was built without the
    /// `ed25519` feature.
    #[error("Ed25519 keys need the `ed25519` feature of webhook-guard")]
    Ed25519NotEnabled,
    /// A signer was requested, but the first key can only verify (an Ed25519 public key).
    #[error("the first key cannot sign: a signer needs a secret or a private key")]
    NoSigningKey,
}
