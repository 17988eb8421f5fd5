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
use crate::mac::Tokens;
use crate::mac::{Algorithm, Keys};
use crate::providers::stripe::{PADDLE, STRIPE};
use crate::providers::Encoding;
use crate::secret::Secret;
use crate::signer::{SignKey, Signer};
use crate::verifier::{
    BodyId, Check, IdPointer, Inner, Legacy, Part, Provider, Scheme, TimestampFormat, Verifier,
};

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

    /// GitLab secret-token preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct GitLab;

    /// GitLab signing-token (Standard Webhooks) preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct GitLabSigned;

    /// Paddle Billing preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct Paddle;

    /// Linear preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct Linear;

    /// Zoom preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct Zoom;

    /// Twitch EventSub preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct Twitch;

    /// Square preset settings: the signed notification URL.
    #[derive(Debug, Clone)]
    pub struct Square {
        pub(crate) url: String,
    }

    /// Twilio preset settings: the signed URL.
    #[derive(Debug, Clone)]
    pub struct Twilio {
        pub(crate) url: String,
    }

    /// Intercom preset marker.
    #[derive(Debug, Clone, Default)]
    pub struct Intercom;

    /// Discord interactions preset marker (feature `ed25519`).
    #[cfg(feature = "ed25519")]
    #[derive(Debug, Clone, Default)]
    pub struct Discord;

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
        body_id: Option<IdPointer>,
        has_timestamp: bool,
        legacy: Option<Legacy>,
    ) -> Verifier {
        Verifier::new(self.finish_inner(
            provider,
            scheme,
            keys,
            payload,
            body_id,
            has_timestamp,
            legacy,
        ))
    }

    #[allow(clippy::too_many_arguments)] // private; each call site names a whole scheme
    fn finish_inner(
        &self,
        provider: Provider,
        scheme: Scheme,
        keys: Keys,
        payload: Vec<Part>,
        body_id: Option<IdPointer>,
        has_timestamp: bool,
        legacy: Option<Legacy>,
    ) -> Inner {
        let signs_headers = payload.iter().any(|p| matches!(p, Part::Header(_)));
        let signs_form = payload.iter().any(|p| matches!(p, Part::Form));
        Inner {
            provider,
            scheme,
            keys,
            check: Check::Hmac,
            signs_headers,
            signs_form,
            payload: payload.into_boxed_slice(),
            body_id: body_id.map(|pointer| BodyId { pointer }),
            tolerance: self.tolerance_for(has_timestamp),
            max_body: self.max_body,
            legacy,
            timestamp_format: TimestampFormat::Unix,
            body_timestamp: None,
            urls: Box::new([]),
            serial: crate::verifier::next_serial(),
            fast: false,
        }
    }

    /// The first secret, for a [`Signer`] of an HMAC or token preset.
    fn first_secret(&self) -> Result<Secret, ConfigError> {
        self.secrets.first().cloned().ok_or(ConfigError::NoSecret)
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
    /// Builds a [`Signer`] from the same configuration, signing with the first secret.
    pub fn build_signer(self) -> Result<Signer, ConfigError> {
        Ok(Signer::new(self.build()?, SignKey::Hmac))
    }

    /// Builds the verifier. See [`Verifier::stripe`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        Ok(self.finish(
            Provider::Stripe,
            Scheme::Pairs {
                header: HeaderName::from_static("stripe-signature"),
                syntax: STRIPE,
            },
            keys,
            vec![Part::Timestamp, lit("."), Part::Body],
            Some(IdPointer::Static("/id")),
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

    /// Builds a [`Signer`] from the same configuration, signing with the first secret.
    pub fn build_signer(self) -> Result<Signer, ConfigError> {
        Ok(Signer::new(self.build()?, SignKey::Hmac))
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
        Ok(Verifier::new(self.standard(Provider::StandardWebhooks)?))
    }

    /// Builds a [`Signer`] that signs with the first key: `v1` for a `whsec_` secret, `v1a` for a
    /// `whsk_` private key (feature `ed25519`). A `whpk_` public key cannot sign.
    pub fn build_signer(self) -> Result<Signer, ConfigError> {
        let key = standard_sign_key(&self.first_secret()?)?;
        Ok(Signer::new(self.build()?, key))
    }
}

impl<K> Builder<K> {
    /// The Standard Webhooks scheme over this builder's keys, reported as `provider`.
    ///
    /// Each key is recognised by its prefix, as the specification asks: `whpk_` (Ed25519 public
    /// key, `v1a`), `whsk_` (Ed25519 private key, verifies `v1a` with its public half), anything
    /// else a `whsec_` HMAC secret (`v1`, prefix optional).
    fn standard(&self, provider: Provider) -> Result<Inner, ConfigError> {
        self.common_checks()?;
        let mut hmac = Vec::new();
        let mut hmac_positions = Vec::new();
        #[cfg(feature = "ed25519")]
        let mut ed = Vec::new();
        for (index, secret) in self.secrets.iter().enumerate() {
            match standard_key(secret, index)? {
                StandardKey::Hmac(key) => {
                    hmac.push(key);
                    hmac_positions.push(index);
                }
                #[cfg(feature = "ed25519")]
                StandardKey::Public(key) => ed.push((index, key)),
            }
        }
        let keys = Keys::new(Algorithm::Sha256, &hmac)?;
        #[cfg_attr(not(feature = "ed25519"), allow(unused_mut))]
        let mut inner = self.finish_inner(
            provider,
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
        );
        #[cfg(feature = "ed25519")]
        if !ed.is_empty() {
            inner.check = Check::Standard {
                ed: crate::ed25519::EdKeys::new(ed),
                hmac_positions: hmac_positions.into_boxed_slice(),
            };
        }
        #[cfg(not(feature = "ed25519"))]
        let _ = hmac_positions;
        Ok(inner)
    }
}

enum StandardKey {
    Hmac(Secret),
    #[cfg(feature = "ed25519")]
    Public(ed25519_dalek::VerifyingKey),
}

fn standard_key(secret: &Secret, index: usize) -> Result<StandardKey, ConfigError> {
    let raw = secret.expose();
    if raw.starts_with(b"whpk_") || raw.starts_with(b"whsk_") {
        #[cfg(feature = "ed25519")]
        {
            let invalid = ConfigError::InvalidPublicKey { index };
            let bytes = raw
                .get(5..)
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .map(zeroize::Zeroizing::new)
                .ok_or(invalid.clone())?;
            let key = if raw.starts_with(b"whpk_") {
                crate::ed25519::public_key(&bytes)
            } else {
                crate::ed25519::signing_key(&bytes).map(|k| k.verifying_key())
            };
            return key.map(StandardKey::Public).ok_or(invalid);
        }
        #[cfg(not(feature = "ed25519"))]
        return Err(ConfigError::Ed25519NotEnabled);
    }
    decode_standard_secret(secret)
        .map(StandardKey::Hmac)
        .ok_or(ConfigError::InvalidStandardSecret { index })
}

fn standard_sign_key(first: &Secret) -> Result<SignKey, ConfigError> {
    let raw = first.expose();
    if raw.starts_with(b"whpk_") {
        return Err(ConfigError::NoSigningKey);
    }
    if raw.starts_with(b"whsk_") {
        #[cfg(feature = "ed25519")]
        {
            let bytes = raw
                .get(5..)
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .map(zeroize::Zeroizing::new)
                .ok_or(ConfigError::InvalidPublicKey { index: 0 })?;
            return crate::ed25519::signing_key(&bytes)
                .map(|k| SignKey::Ed25519(Box::new(k)))
                .ok_or(ConfigError::InvalidPublicKey { index: 0 });
        }
        #[cfg(not(feature = "ed25519"))]
        return Err(ConfigError::Ed25519NotEnabled);
    }
    Ok(SignKey::Hmac)
}

/// Decodes `whsec_<base64>` (the prefix is optional, as in the official libraries).
fn decode_standard_secret(secret: &Secret) -> Option<Secret> {
    let raw = secret.expose();
    let b64 = raw.strip_prefix(b"whsec_").unwrap_or(raw);
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    (!bytes.is_empty()).then(|| Secret::new(bytes))
}

impl Builder<preset::Slack> {
    /// Builds a [`Signer`] from the same configuration, signing with the first secret.
    pub fn build_signer(self) -> Result<Signer, ConfigError> {
        Ok(Signer::new(self.build()?, SignKey::Hmac))
    }

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
            Some(IdPointer::Static("/event_id")),
            true,
            None,
        ))
    }
}

impl Builder<preset::Shopify> {
    /// Builds a [`Signer`] from the same configuration, signing with the first secret.
    pub fn build_signer(self) -> Result<Signer, ConfigError> {
        Ok(Signer::new(self.build()?, SignKey::Hmac))
    }

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

/// Adds `build_signer` (signing with the first secret) to HMAC presets.
macro_rules! hmac_signer {
    ($($kind:ty),*) => {$(
        impl Builder<$kind> {
            /// Builds a [`Signer`] from the same configuration, signing with the first secret.
            pub fn build_signer(self) -> Result<Signer, ConfigError> {
                Ok(Signer::new(self.build()?, SignKey::Hmac))
            }
        }
    )*};
}

hmac_signer!(
    preset::GitLabSigned,
    preset::Paddle,
    preset::Linear,
    preset::Zoom,
    preset::Twitch,
    preset::Square,
    preset::Twilio,
    preset::Intercom
);

impl Builder<preset::GitLab> {
    /// Builds the verifier. See [`Verifier::gitlab`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let mut inner = self.finish_inner(
            Provider::GitLab,
            Scheme::Token {
                header: HeaderName::from_static("x-gitlab-token"),
                event_id: Some(HeaderName::from_static("idempotency-key")),
            },
            Keys::new(Algorithm::Sha256, &[])?,
            Vec::new(),
            None,
            false,
            None,
        );
        inner.check = Check::Token(Tokens::new(&self.secrets));
        Ok(Verifier::new(inner))
    }

    /// Builds a [`Signer`] that sends the first token.
    pub fn build_signer(self) -> Result<Signer, ConfigError> {
        let token = self.first_secret()?;
        Ok(Signer::new(self.build()?, SignKey::Token(token)))
    }
}

impl Builder<preset::GitLabSigned> {
    /// Builds the verifier. See [`Verifier::gitlab_signed`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        Ok(Verifier::new(self.standard(Provider::GitLab)?))
    }
}

impl Builder<preset::Paddle> {
    /// Builds the verifier. See [`Verifier::paddle`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        Ok(self.finish(
            Provider::Paddle,
            Scheme::Pairs {
                header: HeaderName::from_static("paddle-signature"),
                syntax: PADDLE,
            },
            keys,
            vec![Part::Timestamp, lit(":"), Part::Body],
            Some(IdPointer::Static("/event_id")),
            true,
            None,
        ))
    }
}

impl Builder<preset::Linear> {
    /// Builds the verifier. See [`Verifier::linear`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        let mut inner = self.finish_inner(
            Provider::Linear,
            simple(
                "linear-signature",
                "",
                Encoding::Hex,
                None,
                Some("linear-delivery"),
            ),
            keys,
            vec![Part::Body],
            None,
            true,
            None,
        );
        inner.body_timestamp = Some(Arc::from("/webhookTimestamp"));
        Ok(Verifier::new(inner))
    }
}

impl Builder<preset::Zoom> {
    /// Builds the verifier. See [`Verifier::zoom`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        Ok(self.finish(
            Provider::Zoom,
            simple(
                "x-zm-signature",
                "v0=",
                Encoding::Hex,
                Some("x-zm-request-timestamp"),
                None,
            ),
            keys,
            vec![lit("v0:"), Part::Timestamp, lit(":"), Part::Body],
            None,
            true,
            None,
        ))
    }
}

impl Builder<preset::Twitch> {
    /// Builds the verifier. See [`Verifier::twitch`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        let mut inner = self.finish_inner(
            Provider::Twitch,
            simple(
                "twitch-eventsub-message-signature",
                "sha256=",
                Encoding::Hex,
                Some("twitch-eventsub-message-timestamp"),
                Some("twitch-eventsub-message-id"),
            ),
            keys,
            vec![Part::EventId, Part::Timestamp, Part::Body],
            None,
            true,
            None,
        );
        inner.timestamp_format = TimestampFormat::Rfc3339;
        Ok(Verifier::new(inner))
    }
}

impl Builder<preset::Square> {
    /// Builds the verifier. See [`Verifier::square`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let url = signed_url(&self.kind.url)?;
        let keys = Keys::new(Algorithm::Sha256, &self.secrets)?;
        let mut inner = self.finish_inner(
            Provider::Square,
            simple(
                "x-square-hmacsha256-signature",
                "",
                Encoding::Base64,
                None,
                None,
            ),
            keys,
            vec![Part::Url, Part::Body],
            Some(IdPointer::Static("/event_id")),
            false,
            None,
        );
        inner.urls = vec![url.as_bytes().into()].into_boxed_slice();
        Ok(Verifier::new(inner))
    }
}

impl Builder<preset::Twilio> {
    /// Builds the verifier. See [`Verifier::twilio`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let url = signed_url(&self.kind.url)?;
        let keys = Keys::new(Algorithm::Sha1, &self.secrets)?;
        let mut inner = self.finish_inner(
            Provider::Twilio,
            simple(
                "x-twilio-signature",
                "",
                Encoding::Base64,
                None,
                Some("i-twilio-idempotency-token"),
            ),
            keys,
            vec![Part::Url, Part::Form],
            None,
            false,
            None,
        );
        inner.urls = twilio_url_variants(url);
        Ok(Verifier::new(inner))
    }
}

impl Builder<preset::Intercom> {
    /// Builds the verifier. See [`Verifier::intercom`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let keys = Keys::new(Algorithm::Sha1, &self.secrets)?;
        Ok(self.finish(
            Provider::Intercom,
            simple("x-hub-signature", "sha1=", Encoding::Hex, None, None),
            keys,
            vec![Part::Body],
            Some(IdPointer::Static("/id")),
            false,
            None,
        ))
    }
}

#[cfg(feature = "ed25519")]
impl Builder<preset::Discord> {
    /// Builds the verifier. See [`Verifier::discord`].
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.common_checks()?;
        let mut keys = Vec::with_capacity(self.secrets.len());
        for (index, secret) in self.secrets.iter().enumerate() {
            let key = hex::decode(secret.expose())
                .ok()
                .and_then(|bytes| crate::ed25519::public_key(&bytes))
                .ok_or(ConfigError::InvalidPublicKey { index })?;
            keys.push((index, key));
        }
        let mut inner = self.finish_inner(
            Provider::Discord,
            simple(
                "x-signature-ed25519",
                "",
                Encoding::Hex,
                Some("x-signature-timestamp"),
                None,
            ),
            Keys::new(Algorithm::Sha256, &[])?,
            vec![Part::Timestamp, Part::Body],
            Some(IdPointer::Static("/id")),
            true,
            None,
        );
        inner.check = Check::Ed25519(crate::ed25519::EdKeys::new(keys));
        Ok(Verifier::new(inner))
    }
}

/// Checks a signed URL: `http://` or `https://`, a host, printable ASCII only. It is used
/// exactly as given (no normalisation), since the provider signs the URL as configured.
fn signed_url(url: &str) -> Result<&str, ConfigError> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        url.get(8..)
    } else if lower.starts_with("http://") {
        url.get(7..)
    } else {
        None
    };
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && printable_ascii(url) => Ok(url),
        _ => Err(ConfigError::InvalidUrl),
    }
}

/// The URL as given plus the form Twilio may also have signed: without its port if it has one,
/// with the scheme's default port if it has none (as Twilio's own libraries check).
fn twilio_url_variants(url: &str) -> Box<[Box<[u8]>]> {
    let https = url
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"));
    let scheme_len = if https { 8 } else { 7 };
    let (scheme, after) = url.split_at(scheme_len.min(url.len()));
    let authority_len = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(authority_len);
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let (userinfo, host_port) = authority.split_at(host_start);
    let bracket = host_port.rfind(']').map_or(0, |i| i + 1);
    let port_start = host_port
        .get(bracket..)
        .and_then(|tail| tail.find(':'))
        .map(|i| i + bracket);
    let other = match port_start {
        Some(i) => format!(
            "{scheme}{userinfo}{}{rest}",
            host_port.get(..i).unwrap_or(host_port)
        ),
        None => {
            let port = if https { ":443" } else { ":80" };
            format!("{scheme}{userinfo}{host_port}{port}{rest}")
        }
    };
    vec![url.as_bytes().into(), other.into_bytes().into_boxed_slice()].into_boxed_slice()
}

fn header_name(name: &str) -> Result<HeaderName, ConfigError> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ConfigError::InvalidHeaderName(name.into()))?;
    // A name parsed at run time (not one of `http`'s standard names) keeps its bytes in a
    // buffer that its first clone moves to shared storage, an allocation. The verifier clones
    // its names into every error it reports: clone once here, at build time, so that no request
    // pays for it (`tests/allocations.rs`).
    let _ = name.clone();
    Ok(name)
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

    /// Builds a [`Signer`] from the same configuration, signing with the first secret. Payloads
    /// that sign other headers ([`Signed::Header`]) cannot be signed this way.
    pub fn build_signer(self) -> Result<Signer, ConfigError> {
        Ok(Signer::new(self.build()?, SignKey::Hmac))
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
            k.event_id_pointer
                .as_deref()
                .map(|p| IdPointer::Shared(Arc::from(p)))
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
            body_id,
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

    /// GitLab's secret token: `X-Gitlab-Token: <token>`, compared in constant time (as SHA-256
    /// digests, so neither the bytes nor the length of the token shape the timing). The token is
    /// sent in clear and signs nothing: the body, the time and the id are not authenticated, so
    /// pair it with TLS and a dedupe store, or use [`Verifier::gitlab_signed`] where your GitLab
    /// offers a signing token. Event id = `Idempotency-Key` (GitLab 17.4+; stable across retries).
    pub fn gitlab(token: impl Into<Secret>) -> Builder<preset::GitLab> {
        Builder::new(preset::GitLab, token.into())
    }

    /// GitLab's signed webhooks (a *signing token*, `whsec_<base64>`): the Standard Webhooks
    /// scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`, HMAC-SHA256
    /// over `"{id}.{timestamp}.{body}"`), reported as provider `gitlab`. Timestamp checked
    /// (default 300 s); event id = `webhook-id` (GitLab's `Idempotency-Key`).
    pub fn gitlab_signed(signing_token: impl Into<Secret>) -> Builder<preset::GitLabSigned> {
        Builder::new(preset::GitLabSigned, signing_token.into())
    }

    /// Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=<hex>...]`, HMAC-SHA256 over
    /// `"{ts}:{body}"` with the notification destination's secret key (`pdl_ntfset_...`) used
    /// as-is. Any `h1` may match (Paddle sends one per secret while rotating). Tolerance
    /// **5 s** by default, as Paddle's SDKs use; widen it with [`Builder::tolerance`] if your
    /// clock or queue needs it. Event id = the body's `event_id`.
    pub fn paddle(secret_key: impl Into<Secret>) -> Builder<preset::Paddle> {
        let mut builder = Builder::new(preset::Paddle, secret_key.into());
        builder.tolerance = Duration::from_secs(5);
        builder
    }

    /// Linear: `Linear-Signature: <hex>`, HMAC-SHA256 over the body. Linear's timestamp is the
    /// body's `webhookTimestamp` (milliseconds): it is read, **after** the signature holds, from
    /// the authenticated body and must be within **60 s** (Linear's SDK rule; a body without it
    /// is `400 malformed_body`). Event id = `Linear-Delivery`.
    pub fn linear(secret: impl Into<Secret>) -> Builder<preset::Linear> {
        let mut builder = Builder::new(preset::Linear, secret.into());
        builder.tolerance = Duration::from_secs(60);
        builder
    }

    /// Zoom: `x-zm-signature: v0=<hex>`, HMAC-SHA256 over
    /// `"v0:{x-zm-request-timestamp}:{body}"` with the app's secret token. Timestamp checked
    /// (default 300 s, Zoom's sample uses 5 minutes). Zoom sends no delivery id.
    pub fn zoom(secret_token: impl Into<Secret>) -> Builder<preset::Zoom> {
        Builder::new(preset::Zoom, secret_token.into())
    }

    /// Twitch EventSub (webhook transport): `Twitch-Eventsub-Message-Signature: sha256=<hex>`,
    /// HMAC-SHA256 over `{message id}{timestamp}{body}` (no separators), where the timestamp is
    /// RFC 3339 (`Twitch-Eventsub-Message-Timestamp`, signed exactly as received). Tolerance
    /// **600 s** by default (Twitch: reject messages older than 10 minutes). Event id =
    /// `Twitch-Eventsub-Message-Id` (signed; Twitch asks you to dedupe on it).
    pub fn twitch(secret: impl Into<Secret>) -> Builder<preset::Twitch> {
        let mut builder = Builder::new(preset::Twitch, secret.into());
        builder.tolerance = Duration::from_secs(600);
        builder
    }

    /// Square: `x-square-hmacsha256-signature: <base64>`, HMAC-SHA256 over
    /// `"{notification URL}{body}"` with the subscription's signature key.
    ///
    /// `notification_url` is the public URL Square calls, **exactly** as configured in the
    /// Square Developer Console. It is fixed at build time on purpose: behind a proxy or load
    /// balancer the request's `Host` header and scheme are not what Square signed, and a
    /// client-supplied `Host` must not choose what is verified. No timestamp (pair it with a
    /// dedupe store); event id = the body's `event_id`.
    pub fn square(
        signature_key: impl Into<Secret>,
        notification_url: impl Into<String>,
    ) -> Builder<preset::Square> {
        Builder::new(
            preset::Square {
                url: notification_url.into(),
            },
            signature_key.into(),
        )
    }

    /// Twilio: `X-Twilio-Signature: <base64>`, **HMAC-SHA1** (legacy, Twilio's only scheme) over
    /// the URL followed by every form parameter of the body as `{name}{value}`, sorted by name,
    /// with the account's auth token. Form-encoded bodies only (Twilio's `bodySHA256` JSON
    /// variant is not supported); the body is parsed strictly (`400 malformed_body` otherwise).
    ///
    /// `url` is the public URL Twilio calls (with its query string), exactly as configured in
    /// the console, fixed at build time for the same reason as [`Verifier::square`]; the form
    /// with the default port added or the port removed is also accepted, as Twilio's libraries
    /// do. No timestamp; event id = `I-Twilio-Idempotency-Token`.
    pub fn twilio(
        auth_token: impl Into<Secret>,
        url: impl Into<String>,
    ) -> Builder<preset::Twilio> {
        Builder::new(preset::Twilio { url: url.into() }, auth_token.into())
    }

    /// Intercom: `X-Hub-Signature: sha1=<hex>`, **HMAC-SHA1** (legacy: Intercom signs with
    /// nothing else) over the body with the app's client secret. No timestamp (pair it with a
    /// dedupe store); event id = the body's `id`.
    pub fn intercom(client_secret: impl Into<Secret>) -> Builder<preset::Intercom> {
        Builder::new(preset::Intercom, client_secret.into())
    }

    /// Discord interactions (feature `ed25519`): `X-Signature-Ed25519: <hex>` over
    /// `"{X-Signature-Timestamp}{body}"`, checked with the application's public key (64 hex
    /// characters, from the developer portal; more keys with `.secret(..)`). Timestamp checked
    /// (default 300 s; Discord documents no window). Event id = the body's `id`. Answer
    /// `{"type":1}` to a PING (`"type":1`) yourself: the example servers show how.
    #[cfg(feature = "ed25519")]
    pub fn discord(public_key: impl Into<Secret>) -> Builder<preset::Discord> {
        Builder::new(preset::Discord, public_key.into())
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
