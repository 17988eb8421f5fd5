//! [`Signer`]: signs test deliveries exactly as a provider would, from the same preset
//! configuration the [`Verifier`] uses, so you can exercise your endpoint without the provider
//! (the `webhook-guard sign` command, feature `cli`, is built on it).
//!
//! Signing lives next to verification but never on its path: a verifier has no signing method,
//! and a signer is only built by asking for one (`build_signer()`).
//!
//! ```
//! use webhook_guard::Verifier;
//!
//! let body = br#"{"zen":"Design for failure."}"#;
//! let signer = Verifier::github("It's a Secret to Everybody").build_signer()?;
//! let headers = signer.sign(body, 1_700_000_000, "delivery-1")?;
//! assert_eq!(headers[0].0, "x-hub-signature-256");
//!
//! // What it signs, the verifier built from the same configuration accepts.
//! let verifier = Verifier::github("It's a Secret to Everybody").build()?;
//! let verified = verifier.verify_at(&headers, body, 1_700_000_000)?;
//! assert_eq!(verified.event_id(), Some("delivery-1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use base64::Engine as _;
use http::{HeaderName, HeaderValue};

#[cfg(feature = "ed25519")]
use crate::error::ConfigError;
use crate::providers::{self, Encoding};
use crate::secret::Secret;
use crate::verifier::{Part, Payload, Provider, Scheme, TimestampFormat, Verifier};

/// The key a [`Signer`] signs with.
#[derive(Clone)]
pub(crate) enum SignKey {
    /// The verifier's first keyed HMAC state.
    Hmac,
    /// The token itself (GitLab).
    Token(Secret),
    /// An Ed25519 private key.
    #[cfg(feature = "ed25519")]
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// Why a delivery could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The event id cannot be sent as a header value (control characters, non-ASCII).
    #[error("the event id is not a valid header value")]
    InvalidEventId,
    /// The body is not what the scheme signs (Twilio: not a strict form body).
    #[error("the body is not in the form the provider signs (Twilio: application/x-www-form-urlencoded)")]
    MalformedBody,
    /// The timestamp cannot be written in the provider's format.
    #[error("the timestamp is out of range")]
    InvalidTimestamp,
    /// The generic builder's payload names other headers, whose values a signer cannot know.
    #[error("the payload signs other headers; sign it yourself")]
    UnsupportedPayload,
}

/// Signs deliveries for one preset with its first secret (or private key). See the
/// [module docs](self).
#[derive(Clone)]
pub struct Signer {
    verifier: Verifier,
    key: SignKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("provider", self.verifier.provider())
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl Signer {
    pub(crate) fn new(verifier: Verifier, key: SignKey) -> Self {
        Signer { verifier, key }
    }

    /// A Discord signer from an Ed25519 private key in hex (the 32-byte seed, or the 64-byte
    /// `seed || public key`). Its [`verifier`](Self::verifier) checks the matching public key.
    #[cfg(feature = "ed25519")]
    pub fn discord(private_key: impl Into<Secret>) -> Result<Signer, ConfigError> {
        let private_key = private_key.into();
        let bytes = zeroize::Zeroizing::new(
            hex::decode(private_key.expose())
                .map_err(|_| ConfigError::InvalidPublicKey { index: 0 })?,
        );
        let key = crate::ed25519::signing_key(&bytes)
            .ok_or(ConfigError::InvalidPublicKey { index: 0 })?;
        let public = hex::encode(key.verifying_key().as_bytes());
        let verifier = Verifier::discord(public).build()?;
        Ok(Signer::new(verifier, SignKey::Ed25519(Box::new(key))))
    }

    /// The provider whose scheme this signer writes.
    pub fn provider(&self) -> &Provider {
        self.verifier.provider()
    }

    /// A verifier with the same configuration (for Ed25519, the matching public key).
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The public key to configure on the receiving side, for Ed25519 signers: hex for Discord,
    /// `whpk_<base64>` for Standard Webhooks. `None` for shared secrets.
    pub fn public_key(&self) -> Option<String> {
        match &self.key {
            #[cfg(feature = "ed25519")]
            SignKey::Ed25519(key) => {
                let bytes = key.verifying_key().to_bytes();
                Some(match self.verifier.provider() {
                    Provider::Discord => hex::encode(bytes),
                    _ => format!(
                        "whpk_{}",
                        base64::engine::general_purpose::STANDARD.encode(bytes)
                    ),
                })
            }
            _ => None,
        }
    }

    /// The headers of `body` signed at `timestamp` (unix seconds) with delivery id `event_id`
    /// (used where the provider sends or signs one in a header), in the order a provider sends
    /// them. Body-borne ids and timestamps (Stripe's `id`, Linear's `webhookTimestamp`) are the
    /// body's business.
    pub fn sign(
        &self,
        body: &[u8],
        timestamp: u64,
        event_id: &str,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, SignError> {
        let inner = &*self.verifier.inner;
        let id_value = HeaderValue::from_str(event_id).map_err(|_| SignError::InvalidEventId)?;
        let ts_text = match inner.timestamp_format {
            TimestampFormat::Unix => timestamp.to_string(),
            TimestampFormat::Rfc3339 => i64::try_from(timestamp)
                .ok()
                .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .ok_or(SignError::InvalidTimestamp)?,
        };
        let ts_value = HeaderValue::from_str(&ts_text).map_err(|_| SignError::InvalidTimestamp)?;

        if let (SignKey::Token(token), Scheme::Token { header, event_id }) =
            (&self.key, &inner.scheme)
        {
            let value = HeaderValue::from_bytes(token.expose())
                .map_err(|_| SignError::UnsupportedPayload)?;
            let mut headers = vec![(header.clone(), value)];
            if let Some(name) = event_id {
                headers.push((name.clone(), id_value));
            }
            return Ok(headers);
        }

        if inner.payload.iter().any(|p| matches!(p, Part::Header(_))) {
            return Err(SignError::UnsupportedPayload);
        }
        let form = if inner.payload.iter().any(|p| matches!(p, Part::Form)) {
            Some(providers::form::Form::parse(body).map_err(|_| SignError::MalformedBody)?)
        } else {
            None
        };
        let no_header = |_: &HeaderName| -> &[u8] { &[] };
        let payload = Payload {
            body,
            timestamp: ts_text.as_bytes(),
            event_id: event_id.as_bytes(),
            url: inner.urls.first().map(|u| &**u).unwrap_or_default(),
            form: form.as_ref(),
            header: &no_header,
        };
        let feed = |update: &mut dyn FnMut(&[u8])| payload.feed(&inner.payload, update);
        let (signature, ed25519) = match &self.key {
            SignKey::Hmac | SignKey::Token(_) => (
                inner
                    .keys
                    .sign_first(&feed)
                    .ok_or(SignError::UnsupportedPayload)?,
                false,
            ),
            #[cfg(feature = "ed25519")]
            SignKey::Ed25519(key) => {
                let mut message = Vec::new();
                feed(&mut |chunk: &[u8]| message.extend_from_slice(chunk));
                (crate::ed25519::sign(key, &message), true)
            }
        };
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let value =
            |text: String| HeaderValue::from_str(&text).map_err(|_| SignError::UnsupportedPayload);

        let mut headers = Vec::new();
        match &inner.scheme {
            Scheme::Simple {
                header,
                prefix,
                encoding,
                timestamp,
                event_id,
                ..
            } => {
                let encoded = match encoding {
                    Encoding::Hex => hex::encode(&signature),
                    Encoding::Base64 => b64(&signature),
                };
                let prefix = String::from_utf8_lossy(prefix);
                headers.push((header.clone(), value(format!("{prefix}{encoded}"))?));
                if let Some(name) = timestamp {
                    headers.push((name.clone(), ts_value));
                }
                if let Some(name) = event_id {
                    headers.push((name.clone(), id_value));
                }
            }
            Scheme::Pairs { header, syntax } => {
                let sep = char::from(syntax.separator);
                let t = String::from_utf8_lossy(syntax.timestamp);
                let v = String::from_utf8_lossy(syntax.signature);
                let text = format!("{t}={ts_text}{sep}{v}={}", hex::encode(&signature));
                headers.push((header.clone(), value(text)?));
            }
            Scheme::Standard => {
                let version = if ed25519 { "v1a" } else { "v1" };
                headers.push((HeaderName::from_static("webhook-id"), id_value));
                headers.push((HeaderName::from_static("webhook-timestamp"), ts_value));
                headers.push((
                    HeaderName::from_static("webhook-signature"),
                    value(format!("{version},{}", b64(&signature)))?,
                ));
            }
            Scheme::Token { .. } => return Err(SignError::UnsupportedPayload),
        }
        Ok(headers)
    }
}
