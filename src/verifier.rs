//! [`Verifier`]: checks one request against one provider's signing scheme, and [`Verified`]: the
//! facts it hands to the handler.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderName;

use crate::error::{ErrorKind, VerifyError};
use crate::headers::{HeaderLookup, Lookup};
use crate::mac::{Keys, MAX_MAC_LEN};
use crate::providers::{self, decode, DecodeBuf, Encoding, ParseError};

/// Which provider's scheme a verifier implements.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Stripe (`Stripe-Signature`).
    Stripe,
    /// GitHub (`X-Hub-Signature-256`).
    GitHub,
    /// Standard Webhooks, which Svix implements (`webhook-*` / `svix-*` headers).
    StandardWebhooks,
    /// Slack (`X-Slack-Signature`).
    Slack,
    /// Shopify (`X-Shopify-Hmac-Sha256`).
    Shopify,
    /// A provider configured with the generic HMAC builder, under the name it was given.
    Custom(Arc<str>),
}

impl Provider {
    /// A short lower-case name: `stripe`, `github`, `standard-webhooks`, `slack`, `shopify`, or
    /// the name given to [`Verifier::hmac`].
    pub fn name(&self) -> &str {
        match self {
            Provider::Stripe => "stripe",
            Provider::GitHub => "github",
            Provider::StandardWebhooks => "standard-webhooks",
            Provider::Slack => "slack",
            Provider::Shopify => "shopify",
            Provider::Custom(name) => name,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the signature (and, for some providers, the timestamp) is carried.
#[derive(Clone)]
pub(crate) enum Scheme {
    /// `<prefix><sig>[<sep><prefix><sig>...]` in one header; optional timestamp header.
    Simple {
        header: HeaderName,
        prefix: Box<[u8]>,
        encoding: Encoding,
        separator: Option<u8>,
        timestamp: Option<HeaderName>,
        event_id: Option<HeaderName>,
    },
    /// `Stripe-Signature: t=..,v1=..`.
    Stripe,
    /// `webhook-id` / `webhook-timestamp` / `webhook-signature`, or their `svix-` aliases.
    Standard,
}

/// One piece of the signed payload, in order.
#[derive(Clone)]
pub(crate) enum Part {
    Body,
    Timestamp,
    EventId,
    Header(HeaderName),
    Literal(Box<[u8]>),
}

/// Where the event id comes from when it is in the body.
#[derive(Clone)]
pub(crate) struct BodyId {
    pub(crate) pointer: Arc<str>,
}

/// GitHub's legacy `X-Hub-Signature: sha1=<hex>`, used only when the SHA-256 header is absent.
#[derive(Clone)]
pub(crate) struct Legacy {
    pub(crate) header: HeaderName,
    pub(crate) prefix: Box<[u8]>,
    pub(crate) keys: Keys,
}

pub(crate) struct Inner {
    pub(crate) provider: Provider,
    pub(crate) scheme: Scheme,
    pub(crate) keys: Keys,
    pub(crate) payload: Box<[Part]>,
    pub(crate) body_id: Option<BodyId>,
    /// `None`: the scheme signs no timestamp, or the check was switched off.
    pub(crate) tolerance: Option<u64>,
    pub(crate) max_body: usize,
    pub(crate) legacy: Option<Legacy>,
}

/// Verifies webhook deliveries for one provider and one set of secrets.
///
/// Build it once (keyed HMAC state is derived from every secret at build time) and share it:
/// cloning is an `Arc` increment, and it is `Send + Sync`. Each request then costs one HMAC per
/// secret over the signed bytes and a constant-time comparison with every signature in the
/// header.
///
/// What is checked, in this order (the first failure is reported):
/// 1. the body is within the size limit (default 1 MiB) — `413`;
/// 2. the provider's headers are present (`401`) and parse (`400`);
/// 3. the signed timestamp, if the provider signs one, is within the tolerance (default 300 s)
///    in the past **and** in the future — `401`;
/// 4. some configured secret produced some signature in the header — `401`.
///
/// ```
/// use webhook_guard::{Provider, Verifier};
///
/// // GitHub's documented example.
/// let verifier = Verifier::github("It's a Secret to Everybody").build()?;
/// let headers = [(
///     "X-Hub-Signature-256",
///     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
/// )];
/// let verified = verifier.verify(&headers, b"Hello, World!")?;
/// assert_eq!(verified.provider(), &Provider::GitHub);
/// assert_eq!(verified.secret_index(), 0);
///
/// // One changed byte and it is refused.
/// assert!(verifier.verify(&headers, b"Hello, World?").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("provider", &self.inner.provider)
            .field("algorithm", &self.inner.keys.algorithm())
            .field("secrets", &"[REDACTED]")
            .field("tolerance_secs", &self.inner.tolerance)
            .field("max_body_size", &self.inner.max_body)
            .finish()
    }
}

/// Current unix time in seconds (0 if the clock is before 1970).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Parses a unix timestamp: ASCII digits only, no sign, no leading zero, at most `i64::MAX`.
pub(crate) fn parse_timestamp(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 || (raw.len() > 1 && raw.first() == Some(&b'0')) {
        return None;
    }
    let mut n: u64 = 0;
    for &b in raw {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    (n <= i64::MAX as u64).then_some(n)
}

fn one<'h, H: HeaderLookup + ?Sized>(
    headers: &'h H,
    name: &HeaderName,
) -> Result<&'h [u8], VerifyError> {
    exactly_one(headers.lookup_name(name), name)
}

/// [`one`] for a lookup already made.
fn exactly_one<'h>(found: Lookup<'h>, name: &HeaderName) -> Result<&'h [u8], VerifyError> {
    match found {
        Lookup::One(v) if providers::trim(v).is_empty() => {
            Err(VerifyError::with_header(ErrorKind::MalformedHeader, name))
        }
        Lookup::One(v) => Ok(v),
        Lookup::Missing => Err(VerifyError::with_header(ErrorKind::MissingHeader, name)),
        Lookup::Many => Err(VerifyError::with_header(ErrorKind::MalformedHeader, name)),
    }
}

fn optional<'h, H: HeaderLookup + ?Sized>(headers: &'h H, name: &HeaderName) -> Option<&'h [u8]> {
    match headers.lookup_name(name) {
        Lookup::One(v) => Some(v),
        _ => None,
    }
}

fn map_parse(e: ParseError, header: &HeaderName) -> VerifyError {
    match e {
        ParseError::Malformed => VerifyError::with_header(ErrorKind::MalformedHeader, header),
        ParseError::NoCandidate => VerifyError::with_header(ErrorKind::InvalidSignature, header),
    }
}

/// How many decoded candidate signatures are kept on the stack between the syntax check and the
/// comparison (providers send one to three); any beyond are decoded a second time.
const KEPT_CANDIDATES: usize = 3;

static STRIPE_SIGNATURE: HeaderName = HeaderName::from_static("stripe-signature");

struct StandardNames {
    id: HeaderName,
    timestamp: HeaderName,
    signature: HeaderName,
}

fn standard_names() -> &'static [StandardNames; 2] {
    static NAMES: OnceLock<[StandardNames; 2]> = OnceLock::new();
    NAMES.get_or_init(|| {
        [
            StandardNames {
                id: HeaderName::from_static("webhook-id"),
                timestamp: HeaderName::from_static("webhook-timestamp"),
                signature: HeaderName::from_static("webhook-signature"),
            },
            StandardNames {
                id: HeaderName::from_static("svix-id"),
                timestamp: HeaderName::from_static("svix-timestamp"),
                signature: HeaderName::from_static("svix-signature"),
            },
        ]
    })
}

/// Everything located in the headers, before any cryptography.
struct Located<'h> {
    sig_header: &'h HeaderName,
    sig_value: &'h [u8],
    timestamp: Option<&'h [u8]>,
    event_id: Option<&'h [u8]>,
    encoding: Encoding,
    kind: SigKind<'h>,
}

#[derive(Clone, Copy)]
enum SigKind<'h> {
    Simple {
        prefix: &'h [u8],
        separator: Option<u8>,
    },
    Stripe(providers::stripe::StripeHeader<'h>),
    Standard,
}

impl<'h> Located<'h> {
    fn for_each_candidate(&self, f: &mut dyn FnMut(&[u8])) {
        match self.kind {
            SigKind::Simple { prefix, separator } => {
                providers::simple::candidates(self.sig_value, prefix, separator)
                    .flatten()
                    .for_each(f);
            }
            SigKind::Stripe(h) => h.candidates().for_each(f),
            SigKind::Standard => {
                providers::standard::candidates(self.sig_value)
                    .flatten()
                    .for_each(f);
            }
        }
    }
}

impl Verifier {
    /// The provider this verifier implements.
    pub fn provider(&self) -> &Provider {
        &self.inner.provider
    }

    /// The body size limit in bytes (default 1 MiB). Adapters stop reading past it.
    pub fn max_body_size(&self) -> usize {
        self.inner.max_body
    }

    /// The timestamp tolerance in seconds, or `None` if the provider signs no timestamp or the
    /// check was switched off.
    pub fn tolerance_secs(&self) -> Option<u64> {
        self.inner.tolerance
    }

    /// `true` if both handles share the same underlying verifier (built once).
    pub fn ptr_eq(a: &Verifier, b: &Verifier) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// Verifies a delivery against the system clock. See [`Verifier::verify_at`].
    pub fn verify<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Verified, VerifyError> {
        self.verify_at(headers, body, unix_now())
    }

    /// Verifies a delivery as if the current time were `now` (unix seconds).
    ///
    /// `body` must be the exact bytes received, before any decoding or re-serialisation.
    pub fn verify_at<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, VerifyError> {
        let inner = &*self.inner;
        if body.len() > inner.max_body {
            return Err(VerifyError::new(ErrorKind::BodyTooLarge));
        }

        let (located, keys) = self.locate(headers)?;

        // Timestamp window, before any MAC is computed.
        let timestamp = match located.timestamp {
            Some(raw) => {
                let ts = parse_timestamp(raw).ok_or_else(|| {
                    VerifyError::with_header(
                        ErrorKind::MalformedHeader,
                        self.timestamp_header(&located),
                    )
                })?;
                if let Some(tolerance) = inner.tolerance {
                    if ts > now.saturating_add(tolerance) {
                        return Err(VerifyError::with_header(
                            ErrorKind::TimestampInFuture,
                            self.timestamp_header(&located),
                        ));
                    }
                    if ts < now.saturating_sub(tolerance) {
                        return Err(VerifyError::with_header(
                            ErrorKind::TimestampTooOld,
                            self.timestamp_header(&located),
                        ));
                    }
                }
                Some(ts)
            }
            None => None,
        };

        // Every candidate must decode; there must be at least one. The first few stay decoded
        // for the comparison below; any further ones are decoded again there.
        let out_len = keys.algorithm().output_len();
        let encoding = located.encoding;
        let mut kept: [DecodeBuf; KEPT_CANDIDATES] = [[0; MAX_MAC_LEN]; KEPT_CANDIDATES];
        let mut scratch: DecodeBuf = [0; MAX_MAC_LEN];
        let mut count = 0usize;
        let mut malformed = false;
        located.for_each_candidate(&mut |c| {
            let buf = kept.get_mut(count).unwrap_or(&mut scratch);
            count += 1;
            if count > providers::MAX_CANDIDATES || decode(encoding, c, out_len, buf).is_none() {
                malformed = true;
            }
        });
        if malformed {
            return Err(map_parse(ParseError::Malformed, located.sig_header));
        }
        if count == 0 {
            return Err(map_parse(ParseError::NoCandidate, located.sig_header));
        }

        // Extra signed headers must each be present once.
        for part in inner.payload.iter() {
            if let Part::Header(name) = part {
                one(headers, name)?;
            }
        }

        let feed = |update: &mut dyn FnMut(&[u8])| {
            for part in inner.payload.iter() {
                match part {
                    Part::Body => update(body),
                    Part::Timestamp => update(located.timestamp.unwrap_or_default()),
                    Part::EventId => update(located.event_id.unwrap_or_default()),
                    Part::Header(name) => update(optional(headers, name).unwrap_or_default()),
                    Part::Literal(bytes) => update(bytes),
                }
            }
        };
        let candidates = |f: &mut dyn FnMut(&[u8])| {
            for buf in kept.iter().take(count) {
                if let Some(decoded) = buf.get(..out_len) {
                    f(decoded);
                }
            }
            if count > KEPT_CANDIDATES {
                let mut buf: DecodeBuf = [0; MAX_MAC_LEN];
                let mut index = 0usize;
                located.for_each_candidate(&mut |c| {
                    index += 1;
                    if index > KEPT_CANDIDATES {
                        if let Some(decoded) = decode(encoding, c, out_len, &mut buf) {
                            f(decoded);
                        }
                    }
                });
            }
        };
        let secret_index = keys.find_match(feed, candidates).ok_or_else(|| {
            VerifyError::with_header(ErrorKind::InvalidSignature, located.sig_header)
        })?;

        let event_id = match (&inner.body_id, located.event_id) {
            (_, Some(raw)) => EventId::from_header(raw),
            (Some(b), None) => EventId::InBody {
                pointer: b.pointer.clone(),
                body: None,
                cell: OnceLock::new(),
            },
            (None, None) => EventId::None,
        };

        Ok(Verified {
            provider: inner.provider.clone(),
            event_id,
            timestamp,
            secret_index,
        })
    }

    fn timestamp_header<'a>(&'a self, located: &Located<'a>) -> &'a HeaderName {
        match &self.inner.scheme {
            Scheme::Simple {
                timestamp: Some(t), ..
            } => t,
            Scheme::Standard => {
                let [webhook, svix] = standard_names();
                if *located.sig_header == svix.signature {
                    &svix.timestamp
                } else {
                    &webhook.timestamp
                }
            }
            _ => located.sig_header,
        }
    }

    /// Finds the signature, timestamp and id headers and checks their syntax.
    fn locate<'s, 'h, H: HeaderLookup + ?Sized>(
        &'s self,
        headers: &'h H,
    ) -> Result<(Located<'h>, &'s Keys), VerifyError>
    where
        's: 'h,
    {
        let inner = &*self.inner;
        match &inner.scheme {
            Scheme::Simple {
                header,
                prefix,
                encoding,
                separator,
                timestamp,
                event_id,
            } => {
                let primary = headers.lookup_name(header);
                let legacy = match (&inner.legacy, primary) {
                    (Some(legacy), Lookup::Missing) => match headers.lookup_name(&legacy.header) {
                        Lookup::Missing => None,
                        found => Some((legacy, found)),
                    },
                    _ => None,
                };
                let (header, prefix, keys, found) = match legacy {
                    Some((legacy, found)) => (&legacy.header, &*legacy.prefix, &legacy.keys, found),
                    None => (header, &**prefix, &inner.keys, primary),
                };
                let sig_value = exactly_one(found, header)?;
                providers::simple::candidates(sig_value, prefix, *separator)
                    .try_for_each(|c| c.map(|_| ()))
                    .map_err(|e| map_parse(e, header))?;
                let ts = match timestamp {
                    Some(name) => Some(one(headers, name)?),
                    None => None,
                };
                let event_id = event_id.as_ref().and_then(|name| optional(headers, name));
                Ok((
                    Located {
                        sig_header: header,
                        sig_value,
                        timestamp: ts,
                        event_id,
                        encoding: *encoding,
                        kind: SigKind::Simple {
                            prefix,
                            separator: *separator,
                        },
                    },
                    keys,
                ))
            }
            Scheme::Stripe => {
                let header = &STRIPE_SIGNATURE;
                let sig_value = one(headers, header)?;
                let parsed =
                    providers::stripe::parse(sig_value).map_err(|e| map_parse(e, header))?;
                Ok((
                    Located {
                        sig_header: header,
                        sig_value,
                        timestamp: Some(parsed.timestamp),
                        event_id: None,
                        encoding: Encoding::Hex,
                        kind: SigKind::Stripe(parsed),
                    },
                    &inner.keys,
                ))
            }
            Scheme::Standard => {
                let names = standard_names();
                let [webhook, svix] = names;
                let (family, signature) = match headers.lookup_name(&webhook.signature) {
                    Lookup::Missing => match headers.lookup_name(&svix.signature) {
                        Lookup::Missing => (webhook, Lookup::Missing),
                        found => (svix, found),
                    },
                    found => (webhook, found),
                };
                let id = one(headers, &family.id)?;
                let ts = one(headers, &family.timestamp)?;
                let sig_value = exactly_one(signature, &family.signature)?;
                providers::standard::check_syntax(sig_value)
                    .map_err(|e| map_parse(e, &family.signature))?;
                Ok((
                    Located {
                        sig_header: &family.signature,
                        sig_value,
                        timestamp: Some(ts),
                        event_id: Some(id),
                        encoding: Encoding::Base64,
                        kind: SigKind::Standard,
                    },
                    &inner.keys,
                ))
            }
        }
    }
}

/// Header ids up to this many bytes are kept inline, without an allocation per request (UUIDs,
/// Standard Webhooks `msg_` ids); longer ones are boxed.
const INLINE_ID_LEN: usize = 48;

/// The id of a delivery, as the provider assigns it.
#[derive(Clone)]
enum EventId {
    None,
    /// A header id of at most [`INLINE_ID_LEN`] bytes, already checked to be UTF-8.
    Inline {
        len: u8,
        bytes: [u8; INLINE_ID_LEN],
    },
    Header(Box<str>),
    InBody {
        pointer: Arc<str>,
        body: Option<Bytes>,
        cell: OnceLock<Option<Box<str>>>,
    },
}

/// Longest event id accepted; longer ones are treated as absent.
const MAX_EVENT_ID_LEN: usize = 256;

fn usable_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_EVENT_ID_LEN && !has_control(s)
}

/// `s.chars().any(char::is_control)`, with a byte scan for the ASCII controls (C0 and DEL) and
/// the `char` walk only for non-ASCII strings (which may hold C1 controls).
fn has_control(s: &str) -> bool {
    // A fold rather than `any`: no early exit, so it compiles to vector code.
    let ascii_control = s
        .bytes()
        .fold(false, |found, b| found | (b < 0x20) | (b == 0x7f));
    ascii_control || (!s.is_ascii() && s.chars().any(char::is_control))
}

impl EventId {
    fn from_header(raw: &[u8]) -> Self {
        match std::str::from_utf8(raw) {
            Ok(s) if usable_id(s) => {
                let mut bytes = [0; INLINE_ID_LEN];
                match (u8::try_from(raw.len()), bytes.get_mut(..raw.len())) {
                    (Ok(len), Some(inline)) => {
                        inline.copy_from_slice(raw);
                        EventId::Inline { len, bytes }
                    }
                    _ => EventId::Header(s.into()),
                }
            }
            _ => EventId::None,
        }
    }
}

pub(crate) fn id_from_json(body: &[u8], pointer: &str) -> Option<Box<str>> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let found = value.pointer(pointer)?;
    let s: Box<str> = match found {
        serde_json::Value::String(s) => s.as_str().into(),
        serde_json::Value::Number(n) => n.to_string().into(),
        _ => return None,
    };
    usable_id(&s).then_some(s)
}

/// The facts established about a delivery that passed verification.
///
/// The adapters insert it into the request extensions before calling the handler; in axum it is
/// an extractor (feature `axum`).
#[derive(Clone)]
pub struct Verified {
    provider: Provider,
    event_id: EventId,
    timestamp: Option<u64>,
    secret_index: usize,
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("provider", &self.provider)
            .field("event_id", &self.event_id())
            .field("timestamp", &self.timestamp)
            .field("secret_index", &self.secret_index)
            .finish()
    }
}

impl Verified {
    /// The provider whose signature matched.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// The provider's id for this delivery, if it sends one.
    ///
    /// Header ids (GitHub `X-GitHub-Delivery`, Standard Webhooks `webhook-id`, Shopify
    /// `X-Shopify-Webhook-Id`) are always available. Ids inside the JSON body (Stripe `id`, Slack
    /// `event_id`) are read lazily, on the first call, from the body the adapter kept; when you
    /// call [`Verifier::verify`] yourself, use [`Verified::event_id_in`] with the same body.
    ///
    /// Note that GitHub's and Shopify's id headers are not covered by their signatures.
    pub fn event_id(&self) -> Option<&str> {
        match &self.event_id {
            EventId::None => None,
            EventId::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|id| std::str::from_utf8(id).ok()),
            EventId::Header(id) => Some(id),
            EventId::InBody {
                pointer,
                body,
                cell,
            } => cell
                .get_or_init(|| body.as_ref().and_then(|b| id_from_json(b, pointer)))
                .as_deref(),
        }
    }

    /// The event id, reading body-borne ids from `body` (which must be the verified body).
    pub fn event_id_in(&self, body: &[u8]) -> Option<String> {
        match &self.event_id {
            EventId::InBody { pointer, .. } => id_from_json(body, pointer).map(String::from),
            _ => self.event_id().map(String::from),
        }
    }

    /// The signed timestamp (unix seconds), for providers that sign one.
    pub fn timestamp(&self) -> Option<u64> {
        self.timestamp
    }

    /// Index (in the order given to the builder) of the secret whose signature matched. During a
    /// rotation this tells you when the old secret stops being used.
    pub fn secret_index(&self) -> usize {
        self.secret_index
    }

    /// Keeps the verified body so that body-borne event ids can be read lazily.
    #[cfg_attr(not(any(feature = "tower", feature = "actix-web")), allow(dead_code))]
    pub(crate) fn attach_body(&mut self, bytes: Bytes) {
        if let EventId::InBody { body, .. } = &mut self.event_id {
            *body = Some(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_strict() {
        assert_eq!(parse_timestamp(b"0"), Some(0));
        assert_eq!(parse_timestamp(b"1649367553"), Some(1_649_367_553));
        assert_eq!(
            parse_timestamp(b"9223372036854775807"),
            Some(i64::MAX as u64)
        );
        for bad in [
            &b""[..],
            b"-1",
            b"+1",
            b"01",
            b"1.5",
            b"1e9",
            b" 1",
            b"9223372036854775808",
            b"99999999999999999999",
            b"\xff",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn header_ids_inline_or_boxed_read_back_the_same() {
        for id in [
            "a".to_string(),
            "72d3162e-cc78-11e3-81ab-4c9367dc0958".to_string(),
            "x".repeat(INLINE_ID_LEN),
            "y".repeat(INLINE_ID_LEN + 1),
            "é".repeat(30),
            "z".repeat(MAX_EVENT_ID_LEN),
        ] {
            let verified = Verified {
                provider: Provider::GitHub,
                event_id: EventId::from_header(id.as_bytes()),
                timestamp: None,
                secret_index: 0,
            };
            assert_eq!(verified.event_id(), Some(id.as_str()));
        }
        for bad in [&b""[..], b"a\x01", b"a\x7f", "a\u{85}".as_bytes(), b"\xff"] {
            assert!(
                matches!(EventId::from_header(bad), EventId::None),
                "{bad:?}"
            );
        }
        let long = "z".repeat(MAX_EVENT_ID_LEN + 1);
        assert!(matches!(
            EventId::from_header(long.as_bytes()),
            EventId::None
        ));
    }

    #[test]
    fn has_control_matches_char_is_control() {
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            let s = format!("ab{c}cd");
            assert_eq!(has_control(&s), s.chars().any(char::is_control), "{c:?}");
        }
    }

    #[test]
    fn json_ids() {
        assert_eq!(
            id_from_json(br#"{"id":"evt_1"}"#, "/id").as_deref(),
            Some("evt_1")
        );
        assert_eq!(id_from_json(br#"{"id":7}"#, "/id").as_deref(), Some("7"));
        assert_eq!(id_from_json(br#"{"id":""}"#, "/id"), None);
        assert_eq!(id_from_json(b"not json", "/id"), None);
        assert_eq!(
            id_from_json(br#"{"x":{"id":"a"}}"#, "/x/id").as_deref(),
            Some("a")
        );
    }
}
