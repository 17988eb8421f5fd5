//! Building a [`Verifier`]: provider presets and the generic HMAC builder.
//!
//! Every preset starts from [`Verifier`]'s constructors and shares the settings on [`Builder`]:
//! more secrets (rotation), timestamp tolerance, body limit. `build()` checks the configuration
//! and derives the keyed HMAC state once; it never panics.
//!
//! ```
//! use std::time::Duration;
//! use webhook_guard::Verifier;
//!
//! let stripe = Verifier::stripe("whsec_old")
//!     .secret("whsec_new") // rotation: either secret is accepted
//!     .tolerance(Duration::from_secs(600))
//!     .max_body_size(256 * 1024)
//!     .build()?;
//! assert_eq!(stripe.tolerance_secs(), Some(600));
//! # Ok::<(), webhook_guard::ConfigError>(())
//! ```

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use http::HeaderName;

use crate::error::ConfigError;
use crate::mac::{Algorithm, Keys};
use crate::providers::Encoding;
use crate::secret::Secret;
use crate::verifier::{BodyId, Inner, Legacy, Part, Provider, Scheme, Verifier};

/// Default timestamp tolerance: 300 seconds, in the past and in the future.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
/// Default body size limit: 1 MiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;

/// Provider kinds a [`Builder`] can be for. Each has the settings its provider allows.
pub mod preset {
    use super::{Algorithm, Encoding, Signed};

    /// Stripe preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct Stripe;

    /// GitHub preset settings.
    #[derive(Debug, Clone, Default)]
    pub struct GitHub {
        pub(crate) legacy_sha1: bool,
    }

    /// Standard Webhooks / Svix preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct StandardWebhooks;

    /// Slack preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct Slack;

    /// Shopify preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct Shopify;

    /// Generic HMAC settings.
    #[derive(Debug, Clone)]
    pub struct Hmac {
        pub(crate) name: String,
        pub(crate) algorithm: Algorithm,
        pub(crate) allow_sha1: bool,
        pub(crate) header: Option<String>,
        pub(crate) prefix: String,
        pub(crate) encoding: Encoding,
        pub(crate) separator: Option<char>,
        pub(crate) timestamp_header: Option<String>,
        pub(crate) event_id_header: Option<String>,
        pub(crate) event_id_pointer: Option<String>,
        pub(crate) payload: Vec<Signed>,
    }
}

/// One piece of what the generic HMAC signs, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signed {
    /// The raw request body. Must appear exactly once.
    Body,
    /// The timestamp header's value, exactly as received.
    Timestamp,
    /// The event-id header's value, exactly as received.
    EventId,
    /// The value of another header, exactly as received (it must be present).
    Header(String),
    /// Literal bytes, such as a separator.
    Literal(String),
}

/// Builds a [`Verifier`]. Obtained from [`Verifier::stripe`], [`Verifier::github`],
/// [`Verifier::standard_webhooks`], [`Verifier::slack`], [`Verifier::shopify`] or
/// [`Verifier::hmac`].
#[derive(Debug, Clone)]
#[must_use = "call .build() to get a Verifier"]
pub struct Builder<K> {
    kind: K,
    secrets: Vec<Secret>,
    tolerance: Duration,
    check_timestamp: bool,
    max_body: usize,
}

/// Settings that weaken verification, reached through [`Builder::dangerous`].
#[derive(Debug)]
#[must_use = "a dangerous setting does nothing until you call one of its methods"]
pub struct Dangerous<K>(Builder<K>, PhantomData<K>);

impl<K> Dangerous<K> {
    /// Accepts any signed timestamp, however old. Replays of captured requests then succeed for
    /// ever unless a dedupe store catches them. For tests and migrations only.
    pub fn skip_timestamp_check(mut self) -> Builder<K> {
        self.0.check_timestamp = false;
        self.0
    }
}

impl<K> Builder<K> {
    fn new(kind: K, secret: Secret) -> Self {
        Builder {
            kind,
            secrets: vec![secret],
            tolerance: DEFAULT_TOLERANCE,
            check_timestamp: true,
            max_body: DEFAULT_MAX_BODY_SIZE,
        }
    }

    /// Adds another accepted secret (rotation). A delivery passes if any secret matches any
    /// signature in its header; [`Verified::secret_index`](crate::Verified::secret_index) says
    /// which one did.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Adds several accepted secrets.
    pub fn secrets<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Secret>,
    {
        self.secrets.extend(secrets.into_iter().map(Into::into));
        self
    }

    /// How far the signed timestamp may be from the server's clock, in the past and in the
    /// future (whole seconds). Default: 300 s. Ignored by providers that sign no timestamp.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The largest body accepted, in bytes. Default: 1 MiB. Larger bodies are answered with 413
    /// without being read to the end.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Settings that weaken verification, each named for what it gives up.
    pub fn dangerous(self) -> Dangerous<K> {
        Dangerous(self, PhantomData)
    }

    fn common_checks(&self) -> Result<(), ConfigError> {
        if self.secrets.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        if let Some(index) = self.secrets.iter().position(Secret::is_empty) {
            return Err(ConfigError::EmptySecret { index });
        }
        if self.max_body == 0 {
            return Err(ConfigError::ZeroBodyLimit);
        }
        Ok(())
    }

    fn tolerance_for(&self, has_timestamp: bool) -> Option<u64> {
        (has_timestamp && self.check_timestamp).then_some(self.tolerance.as_secs())
    }

    #[allow(clippy::too_many_arguments)] // private; each call site names a whole scheme
    fn finish(
        &self,
        provider: Provider,
        scheme: Scheme,
        keys: Keys,
        payload: Vec<Part>,
        body_id: Option<&str>,
        has_timestamp: bool,
        legacy: Option<Legacy>,
    ) -> Verifier {
        Verifier {
            inner: Arc::new(Inner {
                provider,
                scheme,
                keys,
                payload: payload.into_boxed_slice(),
                body_id: body_id.map(|p| BodyId { pointer: p.into() }),
                tolerance: self.tolerance_for(has_timestamp),
                max_body: self.max_body,
                legacy,
            }),
        }
    }
}

fn lit(s: &str) -> Part {
    Part::Literal(s.as_bytes().into())
}

fn simple(
    header: &'static str,
    prefix: &str,
    encoding: Encoding,
    timestamp: Option<&'static str>,
    event_id: Option<&'static str>,
) -> Scheme {
    Scheme::Simple {
        header: HeaderName::from_static(header),
        prefix: prefix.as_bytes().into(),
        encoding,
        separator: None,
        timestamp: timestamp.map(HeaderName::from_static),
        event_id: event_id.map(HeaderName::from_static),
    }
}

impl Builder<preset::Stripe> {
    /// Builds the verifier. See [`Verifier::stripe`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        Ok(self.finish(
            Provider::Stripe,
            Scheme::Stripe,
            keys,
            vec![Part::Timestamp, lit("."), Part::Body],
            Some("/id"),
            true,
            None,
        ))
    }
}

impl Builder<preset::GitHub> {
    /// Also accepts the legacy `X-Hub-Signature: sha1=<hex>` header, **only** when
    /// `X-Hub-Signature-256` is absent (a request carrying both is checked with SHA-256 only, so
    /// an attacker cannot downgrade it). Off by default: GitHub sends both headers.
    pub fn allow_legacy_sha1(mut self) -> Self {
        self.kind.legacy_sha1 = true;
        self
    }

    /// Builds the verifier. See [`Verifier::github`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        let legacy = if self.kind.legacy_sha1 {
            Some(Legacy {
                header: HeaderName::from_static("x-hub-signature"),
                prefix: b"sha1=".to_vec().into_boxed_slice(),
                keys: Keys::new(Algorithm::Sha1, &self.secrets)?,
            })
        } else {
            None
        };
        Ok(self.finish(
            Provider::GitHub,
            simple(
                "x-hub-signature-256",
                "sha256=",
                Encoding::Hex,
                None,
                Some("x-github-delivery"),
            ),
            keys,
            vec![Part::Body],
            None,
            false,
            legacy,
        ))
    }
}

impl Builder<preset::StandardWebhooks> {
    /// Builds the verifier. See [`Verifier::standard_webhooks`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let decoded = self
            .secrets
            .iter()
            .enumerate()
            .map(|(index, s)| {
                decode_standard_secret(s).ok_or(ConfigError::InvalidStandardSecret { index })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let keys = Keys::new(Algorithm::Sha256, &decoded)?;
        Ok(self.finish(
            Provider::StandardWebhooks,
            Scheme::Standard,
            keys,
            vec![
                Part::EventId,
                lit("."),
                Part::Timestamp,
                lit("."),
                Part::Body,
            ],
            None,
            true,
            None,
        ))
    }
}

/// Decodes `whsec_<base64>` (the prefix is optional, as in the official libraries).
fn decode_standard_secret(secret: &Secret) -> Option<Secret> {
    let raw = secret.expose();
    let b64 = raw.strip_prefix(b"whsec_").unwrap_or(raw);
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    (!bytes.is_empty()).then(|| Secret::new(bytes))
}

impl Builder<preset::Slack> {
    /// Builds the verifier. See [`Verifier::slack`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        Ok(self.finish(
            Provider::Slack,
            simple(
                "x-slack-signature",
                "v0=",
                Encoding::Hex,
                Some("x-slack-request-timestamp"),
                None,
            ),
            keys,
            vec![lit("v0:"), Part::Timestamp, lit(":"), Part::Body],
            Some("/event_id"),
            true,
            None,
        ))
    }
}

impl Builder<preset::Shopify> {
    /// Builds the verifier. See [`Verifier::shopify`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        Ok(self.finish(
            Provider::Shopify,
            simple(
                "x-shopify-hmac-sha256",
                "",
                Encoding::Base64,
                None,
                Some("x-shopify-webhook-id"),
            ),
            keys,
            vec![Part::Body],
            None,
            false,
            None,
        ))
    }
}

fn header_name(name: &str) -> Result<HeaderName, ConfigError> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| ConfigError::InvalidHeaderName(name.into()))
}

/// Whether `c` can occur inside an encoded signature.
fn in_alphabet(encoding: Encoding, c: char) -> bool {
    match encoding {
        Encoding::Hex => c.is_ascii_hexdigit(),
        Encoding::Base64 => c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='),
    }
}

fn printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x21..0x7f).contains(&b))
}

impl Builder<preset::Hmac> {
    /// The hash: [`Algorithm::Sha256`] (default), [`Algorithm::Sha512`], or
    /// [`Algorithm::Sha1`] together with [`allow_insecure_sha1`](Self::allow_insecure_sha1).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.kind.algorithm = algorithm;
        self
    }

    /// Permits [`Algorithm::Sha1`], for providers that still sign with it.
    pub fn allow_insecure_sha1(mut self) -> Self {
        self.kind.allow_sha1 = true;
        self
    }

    /// The header carrying the signature (required).
    pub fn signature_header(mut self, name: impl Into<String>) -> Self {
        self.kind.header = Some(name.into());
        self
    }

    /// A prefix before the signature, such as `sha256=` (default: none). Case-sensitive.
    pub fn signature_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.kind.prefix = prefix.into();
        self
    }

    /// How the signature is encoded: [`Encoding::Hex`] (default) or [`Encoding::Base64`].
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.kind.encoding = encoding;
        self
    }

    /// The header may carry several `<prefix><signature>` items separated by `separator` (for
    /// example `,` or ` `); items with another prefix are ignored. Default: exactly one.
    ///
    /// The separator must be printable ASCII (or a space), must not occur in the prefix, and
    /// must not be a character of the encoding (a hex digit, or a base64 character or `=`),
    /// since it would split genuine signatures; `build()` refuses it otherwise.
    pub fn signature_separator(mut self, separator: char) -> Self {
        self.kind.separator = Some(separator);
        self
    }

    /// A header carrying the signed unix timestamp (seconds), checked against the tolerance.
    /// Setting it does not by itself put the timestamp in the signed payload: see
    /// [`signed_payload`](Self::signed_payload) and
    /// [`sign_timestamp_then_body`](Self::sign_timestamp_then_body).
    pub fn timestamp_header(mut self, name: impl Into<String>) -> Self {
        self.kind.timestamp_header = Some(name.into());
        self
    }

    /// A header carrying the provider's id for the delivery (for
    /// [`Verified::event_id`](crate::Verified::event_id) and deduplication).
    pub fn event_id_header(mut self, name: impl Into<String>) -> Self {
        self.kind.event_id_header = Some(name.into());
        self
    }

    /// An RFC 6901 JSON pointer (such as `/id`) to the delivery id inside a JSON body, read
    /// lazily. Used when no event-id header is configured.
    pub fn event_id_json_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.kind.event_id_pointer = Some(pointer.into());
        self
    }

    /// What is signed, in order. Default: `[Signed::Body]`.
    pub fn signed_payload(mut self, parts: impl IntoIterator<Item = Signed>) -> Self {
        self.kind.payload = parts.into_iter().collect();
        self
    }

    /// Shorthand for signing `{timestamp}{separator}{body}`.
    pub fn sign_timestamp_then_body(self, separator: &str) -> Self {
        self.signed_payload([
            Signed::Timestamp,
            Signed::Literal(separator.into()),
            Signed::Body,
        ])
    }

    /// Builds the verifier, checking that the configuration is complete and consistent.
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let k = &self.kind;
        if k.algorithm == Algorithm::Sha1 && !k.allow_sha1 {
            return Err(ConfigError::Sha1NotAllowed);
        }
        let header = header_name(k.header.as_deref().ok_or(ConfigError::NoSignatureHeader)?)?;
        if !k.prefix.is_empty() && !printable_ascii(&k.prefix) {
            return Err(ConfigError::InvalidSignatureSyntax);
        }
        let separator = match k.separator {
            None => None,
            Some(c)
                if c.is_ascii()
                    && !c.is_ascii_control()
                    && !k.prefix.contains(c)
                    && !in_alphabet(k.encoding, c) =>
            {
                Some(c as u8)
            }
            Some(_) => return Err(ConfigError::InvalidSignatureSyntax),
        };
        let timestamp = k.timestamp_header.as_deref().map(header_name).transpose()?;
        let event_id = k.event_id_header.as_deref().map(header_name).transpose()?;
        if k.payload.iter().filter(|p| **p == Signed::Body).count() != 1 {
            return Err(ConfigError::BodyNotSigned);
        }
        let mut payload = Vec::with_capacity(k.payload.len());
        for part in &k.payload {
            payload.push(match part {
                Signed::Body => Part::Body,
                Signed::Timestamp if timestamp.is_none() => {
                    return Err(ConfigError::NoTimestampHeader)
                }
                Signed::Timestamp => Part::Timestamp,
                Signed::EventId if event_id.is_none() => return Err(ConfigError::NoEventIdHeader),
                Signed::EventId => Part::EventId,
                Signed::Header(name) => Part::Header(header_name(name)?),
                Signed::Literal(s) => lit(s),
            });
        }
        let keys = Keys::new(k.algorithm, &self.secrets)?;
        let has_timestamp = timestamp.is_some();
        let body_id = if event_id.is_none() {
            k.event_id_pointer.clone()
        } else {
            None
        };
        let provider = Provider::Custom(Arc::from(k.name.as_str()));
        let scheme = Scheme::Simple {
            header,
            prefix: k.prefix.as_bytes().into(),
            encoding: k.encoding,
            separator,
            timestamp,
            event_id,
        };
        Ok(self.finish(
            provider,
            scheme,
            keys,
            payload,
            body_id.as_deref(),
            has_timestamp,
            None,
        ))
    }
}

impl Verifier {
    /// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>...`, HMAC-SHA256 over `"{t}.{body}"`, with
    /// the endpoint's `whsec_...` secret used as-is. Timestamp checked; event id = the body's
    /// `id`.
    pub fn stripe(secret: impl Into<Secret>) -> Builder<preset::Stripe> {
        Builder::new(preset::Stripe, secret.into())
    }

    /// GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body. GitHub signs no timestamp, so
    /// a captured delivery can be replayed: pair it with a dedupe store. Event id =
    /// `X-GitHub-Delivery`.
    pub fn github(secret: impl Into<Secret>) -> Builder<preset::GitHub> {
        Builder::new(preset::GitHub::default(), secret.into())
    }

    /// Standard Webhooks / Svix: `webhook-id`, `webhook-timestamp`, `webhook-signature` (or the
    /// `svix-` names), HMAC-SHA256 over `"{id}.{timestamp}.{body}"`, base64. The secret is the
    /// `whsec_<base64>` string; it is decoded by `build()`. Event id = `webhook-id`.
    pub fn standard_webhooks(secret: impl Into<Secret>) -> Builder<preset::StandardWebhooks> {
        Builder::new(preset::StandardWebhooks, secret.into())
    }

    /// Slack: `X-Slack-Signature: v0=<hex>` over `"v0:{X-Slack-Request-Timestamp}:{body}"`, with
    /// the app's signing secret. Event id = the body's `event_id` (Events API).
    pub fn slack(secret: impl Into<Secret>) -> Builder<preset::Slack> {
        Builder::new(preset::Slack, secret.into())
    }

    /// Shopify: `X-Shopify-Hmac-Sha256: <base64>` over the body. No timestamp. Event id =
    /// `X-Shopify-Webhook-Id`.
    pub fn shopify(secret: impl Into<Secret>) -> Builder<preset::Shopify> {
        Builder::new(preset::Shopify, secret.into())
    }

    /// Any other HMAC provider, named `name` (see [`Provider::Custom`]).
    ///
    /// ```
    /// use webhook_guard::{Algorithm, Encoding, Verifier};
    ///
    /// // "X-Signature: sha512=<base64>" over "{X-Timestamp}.{body}".
    /// let verifier = Verifier::hmac("acme", "s3cret")
    ///     .algorithm(Algorithm::Sha512)
    ///     .signature_header("X-Signature")
    ///     .signature_prefix("sha512=")
    ///     .encoding(Encoding::Base64)
    ///     .timestamp_header("X-Timestamp")
    ///     .sign_timestamp_then_body(".")
    ///     .event_id_header("X-Delivery-Id")
    ///     .build()?;
    /// assert_eq!(verifier.provider().name(), "acme");
    /// # Ok::<(), webhook_guard::ConfigError>(())
    /// ```
    pub fn hmac(name: impl Into<String>, secret: impl Into<Secret>) -> Builder<preset::Hmac> {
        Builder::new(
            preset::Hmac {
                name: name.into(),
                algorithm: Algorithm::Sha256,
                allow_sha1: false,
                header: None,
                prefix: String::new(),
                encoding: Encoding::Hex,
                separator: None,
                timestamp_header: None,
                event_id_header: None,
                event_id_pointer: None,
                payload: vec![Signed::Body],
            },
            secret.into(),
        )
    }
}
