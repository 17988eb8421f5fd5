//! [`Verifier`]: checks one request against one provider's signing scheme, and [`Verified`]: the
//! facts it hands to the handler.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::HeaderName;

#[cfg(feature = "ed25519")]
use crate::ed25519::EdKeys;
use crate::error::{ErrorKind, VerifyError};
use crate::headers::{HeaderLookup, Lookup};
use crate::mac::{Keys, Tokens};
use crate::providers::{self, decode, DecodeBuf, Encoding, ParseError};

mod fast;

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
    /// GitLab (`X-Gitlab-Token`, or its Standard Webhooks signed form).
    GitLab,
    /// Paddle Billing (`Paddle-Signature`).
    Paddle,
    /// Linear (`Linear-Signature`).
    Linear,
    /// Zoom (`x-zm-signature`).
    Zoom,
    /// Twitch EventSub (`Twitch-Eventsub-Message-Signature`).
    Twitch,
    /// Square (`x-square-hmacsha256-signature`).
    Square,
    /// Twilio (`X-Twilio-Signature`).
    Twilio,
    /// Intercom (`X-Hub-Signature`, SHA-1).
    Intercom,
    /// Discord interactions (`X-Signature-Ed25519`).
    Discord,
    /// A provider configured with the generic HMAC builder, under the name it was given.
    Custom(Arc<str>),
}

impl Provider {
    /// A short lower-case name: `stripe`, `github`, `standard-webhooks`, `slack`, `shopify`,
    /// `gitlab`, `paddle`, `linear`, `zoom`, `twitch`, `square`, `twilio`, `intercom`, `discord`,
    /// or the name given to [`Verifier::hmac`].
    pub fn name(&self) -> &str {
        match self {
            Provider::Stripe => "stripe",
            Provider::GitHub => "github",
            Provider::StandardWebhooks => "standard-webhooks",
            Provider::Slack => "slack",
            Provider::Shopify => "shopify",
            Provider::GitLab => "gitlab",
            Provider::Paddle => "paddle",
            Provider::Linear => "linear",
            Provider::Zoom => "zoom",
            Provider::Twitch => "twitch",
            Provider::Square => "square",
            Provider::Twilio => "twilio",
            Provider::Intercom => "intercom",
            Provider::Discord => "discord",
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
    /// `key=value` items with one timestamp: Stripe's `t=..,v1=..`, Paddle's `ts=..;h1=..`.
    Pairs {
        header: HeaderName,
        syntax: providers::stripe::Syntax,
    },
    /// `webhook-id` / `webhook-timestamp` / `webhook-signature`, or their `svix-` aliases.
    Standard,
    /// The header carries the shared token itself (GitLab's `X-Gitlab-Token`).
    Token {
        header: HeaderName,
        event_id: Option<HeaderName>,
    },
}

/// How a timestamp header is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimestampFormat {
    /// Unix seconds, plain digits.
    Unix,
    /// RFC 3339 (`2023-07-19T10:11:12.123456789Z`), as Twitch sends it.
    Rfc3339,
}

/// One piece of the signed payload, in order.
#[derive(Clone)]
pub(crate) enum Part {
    Body,
    Timestamp,
    EventId,
    Header(HeaderName),
    Literal(Box<[u8]>),
    /// The public URL the provider calls (Square, Twilio), given at build time.
    Url,
    /// The body's form parameters in Twilio's canonical order (instead of the raw body).
    Form,
}

/// Where the event id comes from when it is in the body.
#[derive(Clone)]
pub(crate) struct BodyId {
    pub(crate) pointer: IdPointer,
}

/// A JSON pointer to the event id: a preset's is static, so that handing it to every
/// [`Verified`] costs no reference count (an atomic increment and decrement per request).
#[derive(Clone)]
pub(crate) enum IdPointer {
    Static(&'static str),
    Shared(Arc<str>),
}

impl IdPointer {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            IdPointer::Static(p) => p,
            IdPointer::Shared(p) => p,
        }
    }
}

/// GitHub's legacy `X-Hub-Signature: sha1=<hex>`, used only when the SHA-256 header is absent.
#[derive(Clone)]
pub(crate) struct Legacy {
    pub(crate) header: HeaderName,
    pub(crate) prefix: Box<[u8]>,
    pub(crate) keys: Keys,
}

/// What a candidate signature is checked against.
#[derive(Clone)]
pub(crate) enum Check {
    /// One HMAC per secret (`Inner::keys`).
    Hmac,
    /// The header value is the token itself.
    Token(Tokens),
    /// Ed25519 public keys only (Discord).
    #[cfg(feature = "ed25519")]
    Ed25519(EdKeys),
    /// Standard Webhooks with `whpk_` keys: `v1` against `Inner::keys` (whose positions are in
    /// `hmac_positions`), `v1a` against these.
    #[cfg(feature = "ed25519")]
    Standard {
        ed: EdKeys,
        hmac_positions: Box<[usize]>,
    },
}

pub(crate) struct Inner {
    pub(crate) provider: Provider,
    pub(crate) scheme: Scheme,
    pub(crate) keys: Keys,
    pub(crate) check: Check,
    pub(crate) payload: Box<[Part]>,
    pub(crate) body_id: Option<BodyId>,
    /// `None`: the scheme signs no timestamp, or the check was switched off.
    pub(crate) tolerance: Option<u64>,
    pub(crate) max_body: usize,
    pub(crate) legacy: Option<Legacy>,
    pub(crate) timestamp_format: TimestampFormat,
    /// A JSON pointer to a signed timestamp in milliseconds inside the body (Linear's
    /// `webhookTimestamp`), checked after the signature.
    pub(crate) body_timestamp: Option<Arc<str>>,
    /// The signed URL and its accepted variants (Twilio: with and without the default port).
    pub(crate) urls: Box<[Box<[u8]>]>,
    /// Whether `payload` signs other headers or form parameters: decided when the verifier is
    /// built, so that a request for any other scheme skips those checks.
    pub(crate) signs_headers: bool,
    pub(crate) signs_form: bool,
    /// Which build this is ([`next_serial`]): recorded in every [`Verified`], so that facts can
    /// be matched to the verifier (and its clones) that produced them.
    pub(crate) serial: u64,
    /// Whether requests may take the fast path for the common delivery (`fast.rs`): set by
    /// [`Verifier::new`] from the finished configuration.
    pub(crate) fast: bool,
}

/// A number no other verifier built by this process has: one counter, incremented per build.
pub(crate) fn next_serial() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
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
            .field("algorithm", &self.inner.algorithm_name())
            .field("secrets", &"[REDACTED]")
            .field("tolerance_secs", &self.inner.tolerance)
            .field("max_body_size", &self.inner.max_body)
            .finish()
    }
}

/// Current unix time in seconds (0 if the clock is before 1970), from the coarse clock
/// (`src/clock.rs`).
pub(crate) fn unix_now() -> u64 {
    crate::clock::unix_secs()
}

/// Parses a unix timestamp: ASCII digits only, no sign, no leading zero, at most `i64::MAX`.
///
/// Nineteen digits always fit in a `u64`, so no step can overflow. The last eight digits are
/// checked and converted together (SWAR), the rest one by one.
pub(crate) fn parse_timestamp(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 || (raw.len() > 1 && raw.first() == Some(&b'0')) {
        return None;
    }
    let (head, last8) = match raw.split_last_chunk::<8>() {
        Some((head, last8)) => (head, Some(last8)),
        None => (raw, None),
    };
    let mut n: u64 = 0;
    for &b in head {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    if let Some(last8) = last8 {
        n = n * 100_000_000 + eight_digits(*last8)?;
    }
    (n <= i64::MAX as u64).then_some(n)
}

/// Eight ASCII digits as a number, or `None` if any byte is not a digit (the classic SWAR
/// conversion: pairs, then quads, then the two halves).
fn eight_digits(chunk: [u8; 8]) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = u64::from_le_bytes(chunk);
    // Every byte is 0x30..=0x39: high nibble 3, and adding 6 does not carry out of the low one.
    let high = ONES * 0xf0;
    if x & high != ONES * 0x30 || x.wrapping_add(ONES * 0x06) & high != ONES * 0x30 {
        return None;
    }
    let v = x - ONES * 0x30;
    // The first digit is in the lowest byte: each 16-bit lane becomes 10 * first + second.
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let lanes = 0x0000_00ff_0000_00ff;
    let v = (v & lanes)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & lanes).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    Some(v)
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
        // Blank (what `trim` would empty): stops at the first other byte.
        Lookup::One(v) if v.iter().all(|b| *b == b' ' || *b == b'\t') => {
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

/// The HMAC candidates of a signature header, decoded in the same pass that checks the header's
/// syntax. A candidate that does not decode is only noted here: it is reported after the
/// timestamp check, as before any MAC is computed.
struct Decoded {
    kept: [DecodeBuf; KEPT_CANDIDATES],
    /// HMAC candidates seen (any beyond [`KEPT_CANDIDATES`] are decoded again when compared).
    count: usize,
    /// Some candidate did not decode, or there were more than [`providers::MAX_CANDIDATES`].
    bad: bool,
    /// Whether candidates are decoded at all (some HMAC key is configured).
    active: bool,
    encoding: Encoding,
    out_len: usize,
}

impl Decoded {
    fn new(active: bool) -> Self {
        Decoded {
            kept: [[0; crate::mac::MAX_MAC_LEN]; KEPT_CANDIDATES],
            count: 0,
            bad: false,
            active,
            encoding: Encoding::Hex,
            out_len: 0,
        }
    }

    /// Decodes the next candidate (kept if it is among the first few, else only checked).
    fn push(&mut self, candidate: &[u8]) {
        if !self.active {
            return;
        }
        let decoded = match self.kept.get_mut(self.count) {
            Some(slot) => decode(self.encoding, candidate, self.out_len, slot).is_some(),
            // Beyond the kept ones: only checked here, decoded again when compared.
            None => {
                let mut scratch: DecodeBuf = [0; crate::mac::MAX_MAC_LEN];
                decode(self.encoding, candidate, self.out_len, &mut scratch).is_some()
            }
        };
        self.count += 1;
        if self.count > providers::MAX_CANDIDATES || !decoded {
            self.bad = true;
        }
    }
}

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
pub(crate) struct Located<'h> {
    pub(crate) sig_header: &'h HeaderName,
    pub(crate) sig_value: &'h [u8],
    pub(crate) timestamp: Option<&'h [u8]>,
    pub(crate) timestamp_header: Option<&'h HeaderName>,
    pub(crate) event_id: Option<&'h [u8]>,
    encoding: Encoding,
    kind: SigKind<'h>,
}

#[derive(Clone, Copy)]
enum SigKind<'h> {
    Simple {
        prefix: &'h [u8],
        separator: Option<u8>,
    },
    Pairs(providers::stripe::StripeHeader<'h>),
    Standard,
    Token,
}

/// Which family of candidates: HMAC (`v1`) or Ed25519 (`v1a`, Discord).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Hmac,
    #[cfg(feature = "ed25519")]
    Ed25519,
}

impl<'h> Located<'h> {
    fn for_each_candidate(&self, family: Family, f: &mut dyn FnMut(&[u8])) {
        match self.kind {
            SigKind::Simple { prefix, separator } => {
                providers::simple::candidates(self.sig_value, prefix, separator)
                    .flatten()
                    .for_each(f);
            }
            // Parsed once, when the headers were located.
            SigKind::Pairs(h) => h.candidates().for_each(f),
            SigKind::Standard => {
                let version: &[u8] = match family {
                    Family::Hmac => b"v1",
                    #[cfg(feature = "ed25519")]
                    Family::Ed25519 => b"v1a",
                };
                providers::standard::candidates(self.sig_value, version)
                    .flatten()
                    .for_each(f);
            }
            SigKind::Token => {}
        }
    }
}

/// Ed25519 signatures are 64 bytes.
#[cfg(feature = "ed25519")]
const ED25519_LEN: usize = 64;

/// Ed25519 candidates each cost a hash of the whole payload: fewer are accepted than MACs.
#[cfg(feature = "ed25519")]
const MAX_ED25519_CANDIDATES: usize = 8;

/// Parses a timestamp header value in the scheme's format, as unix seconds.
pub(crate) fn parse_timestamp_as(format: TimestampFormat, raw: &[u8]) -> Option<u64> {
    match format {
        TimestampFormat::Unix => parse_timestamp(raw),
        TimestampFormat::Rfc3339 => {
            let text = std::str::from_utf8(raw).ok()?;
            let parsed =
                time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .ok()?;
            u64::try_from(parsed.unix_timestamp()).ok()
        }
    }
}

/// Writes the signed payload through `update`: the one definition both the verifier and the
/// [`Signer`](crate::Signer) use.
pub(crate) struct Payload<'a> {
    pub(crate) body: &'a [u8],
    pub(crate) timestamp: &'a [u8],
    pub(crate) event_id: &'a [u8],
    pub(crate) url: &'a [u8],
    pub(crate) form: Option<&'a providers::form::Form<'a>>,
    pub(crate) header: &'a dyn Fn(&HeaderName) -> &'a [u8],
}

/// The pieces of a signed message, in order ([`Payload::pieces`]).
#[derive(Clone)]
pub(crate) struct Pieces<'p, 'a> {
    payload: &'p Payload<'a>,
    parts: std::slice::Iter<'p, Part>,
}

impl<'p, 'a: 'p> Iterator for Pieces<'p, 'a> {
    type Item = &'p [u8];

    #[inline]
    fn next(&mut self) -> Option<&'p [u8]> {
        let payload = self.payload;
        Some(match self.parts.next()? {
            Part::Body => payload.body,
            Part::Timestamp => payload.timestamp,
            Part::EventId => payload.event_id,
            Part::Header(name) => (payload.header)(name),
            Part::Literal(bytes) => bytes,
            Part::Url => payload.url,
            // Never listed here: a payload with a form is fed through `Payload::feed`.
            Part::Form => &[],
        })
    }
}

impl<'a> Payload<'a> {
    /// The signed message as its pieces in order, or `None` when it has to be written through a
    /// callback instead (Twilio's form parameters). The MAC is then fed with direct calls, not
    /// an indirect call per piece.
    pub(crate) fn pieces<'p>(&'p self, parts: &'p [Part]) -> Option<Pieces<'p, 'a>> {
        if self.form.is_some() && parts.iter().any(|p| matches!(p, Part::Form)) {
            return None;
        }
        Some(Pieces {
            payload: self,
            parts: parts.iter(),
        })
    }
}

impl Payload<'_> {
    pub(crate) fn feed(&self, parts: &[Part], update: &mut dyn FnMut(&[u8])) {
        for part in parts {
            match part {
                Part::Body => update(self.body),
                Part::Timestamp => update(self.timestamp),
                Part::EventId => update(self.event_id),
                Part::Header(name) => update((self.header)(name)),
                Part::Literal(bytes) => update(bytes),
                Part::Url => update(self.url),
                Part::Form => {
                    if let Some(form) = self.form {
                        form.feed(update);
                    }
                }
            }
        }
    }
}

impl Inner {
    pub(crate) fn algorithm_name(&self) -> &'static str {
        match &self.check {
            Check::Token(_) => "token",
            #[cfg(feature = "ed25519")]
            Check::Ed25519(_) => "ed25519",
            #[cfg(feature = "ed25519")]
            Check::Standard { .. } => "hmac-sha256+ed25519",
            Check::Hmac => match self.keys.algorithm() {
                crate::Algorithm::Sha1 => "hmac-sha1",
                crate::Algorithm::Sha256 => "hmac-sha256",
                crate::Algorithm::Sha512 => "hmac-sha512",
            },
        }
    }

    /// Whether HMAC candidates are looked for (some HMAC key is configured).
    fn uses_hmac(&self) -> bool {
        match &self.check {
            Check::Hmac => true,
            #[cfg(feature = "ed25519")]
            Check::Standard { hmac_positions, .. } => !hmac_positions.is_empty(),
            _ => false,
        }
    }

    #[cfg(feature = "ed25519")]
    fn ed_keys(&self) -> Option<&EdKeys> {
        match &self.check {
            Check::Ed25519(ed) => Some(ed),
            Check::Standard { ed, .. } if !ed.is_empty() => Some(ed),
            _ => None,
        }
    }

    /// Maps a position among the HMAC keys to the position among all keys given.
    fn hmac_position(&self, index: usize) -> usize {
        match &self.check {
            #[cfg(feature = "ed25519")]
            Check::Standard { hmac_positions, .. } => {
                hmac_positions.get(index).copied().unwrap_or(index)
            }
            _ => index,
        }
    }
}

impl Verifier {
    /// Wraps a finished configuration, deciding once whether its requests may take the fast
    /// path.
    pub(crate) fn new(mut inner: Inner) -> Self {
        inner.fast = inner.fast_eligible();
        Verifier {
            inner: Arc::new(inner),
        }
    }

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

    /// The build this verifier (and every clone of it) comes from, recorded in every
    /// [`Verified`] it returns, so that [`Verifier::handshake`] answers only facts from this
    /// verifier. Never reused within a process, unlike an address.
    pub(crate) fn origin(&self) -> u64 {
        self.inner.serial
    }

    /// `true` if both handles share the same underlying verifier (built once).
    pub fn ptr_eq(a: &Verifier, b: &Verifier) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// Verifies a delivery against the system clock. See [`Verifier::verify_at`].
    ///
    /// On Linux and Android the clock read is the kernel's coarse wall clock
    /// (`CLOCK_REALTIME_COARSE`, ~2 ns instead of ~25 ns): it may lag by one kernel tick (a few
    /// milliseconds), which cannot matter to a window counted in whole seconds.
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
        if inner.fast {
            match self.verify_fast_parts(headers, body, now) {
                Some(fast::FastAnswer::Matched(m)) => return Ok(self.fast_verified(m)),
                Some(fast::FastAnswer::Forged(header)) => return Err(fast::forged(header)),
                None => {}
            }
        }
        self.verify_general(headers, body, now)
    }

    /// Every check, for any configuration and any request (after the body size): the
    /// reference the fast path agrees with.
    pub(crate) fn verify_general<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, VerifyError> {
        let inner = &*self.inner;

        let mut decoded = Decoded::new(inner.uses_hmac() || inner.legacy.is_some());
        let (located, keys) = self.locate(headers, &mut decoded)?;

        // Timestamp window, before any MAC is computed.
        let timestamp = match (located.timestamp, located.timestamp_header) {
            (Some(raw), Some(ts_header)) => {
                let ts = parse_timestamp_as(inner.timestamp_format, raw).ok_or_else(|| {
                    VerifyError::with_header(ErrorKind::MalformedHeader, ts_header)
                })?;
                check_window(inner.tolerance, ts, now)
                    .map_err(|kind| VerifyError::with_header(kind, ts_header))?;
                Some(ts)
            }
            _ => None,
        };

        // Built before the MAC (from the header, never from the body): its stores have long
        // reached the cache when `Verified` is assembled, where a copy right after them missed
        // store forwarding (`perf annotate` of `verify_at`). An id too long to be kept inline
        // would need an allocation: that one is built only once the signature holds, so that
        // a request that fails verification allocates nothing here.
        let long_id = located.event_id.filter(|raw| raw.len() > INLINE_ID_LEN);
        let mut event_id = match (&inner.body_id, located.event_id) {
            (_, Some(_)) if long_id.is_some() => EventId::None,
            (_, Some(raw)) => EventId::from_header(raw),
            (Some(b), None) => EventId::InBody {
                pointer: b.pointer.clone(),
                cell: OnceLock::new(),
            },
            (None, None) => EventId::None,
        };

        // A shared token identifies no content: it leaves no fingerprint.
        let (secret_index, fingerprint) = if let Check::Token(tokens) = &inner.check {
            tokens.find(located.sig_value).map(|index| (index, None))
        } else {
            self.check_signatures(headers, body, &located, &decoded, keys)?
                .map(|(index, fingerprint)| (index, Some(fingerprint)))
        }
        .ok_or_else(|| VerifyError::with_header(ErrorKind::InvalidSignature, located.sig_header))?;

        // A timestamp inside the signed body is read only now that the body is authentic.
        let timestamp = match &inner.body_timestamp {
            Some(pointer) => {
                let ts = ms_from_json(body, pointer)
                    .ok_or_else(|| VerifyError::new(ErrorKind::MalformedBody))?;
                check_window(inner.tolerance, ts, now).map_err(VerifyError::new)?;
                Some(ts)
            }
            None => timestamp,
        };

        // Every check has passed: now the long header id (see above).
        if let Some(raw) = long_id {
            event_id = EventId::from_header(raw);
        }

        Ok(Verified {
            provider: inner.provider.clone(),
            event_id,
            timestamp,
            secret_index,
            fingerprint,
            origin: self.origin(),
            body: None,
        })
    }

    /// Decodes every candidate, then looks for a key that produced one, with the first bytes of
    /// the matching signature. `Ok(None)`: none did.
    fn check_signatures<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        located: &Located<'_>,
        decoded: &Decoded,
        keys: &Keys,
    ) -> Result<Option<(usize, crate::mac::Fingerprint)>, VerifyError> {
        let inner = &*self.inner;
        let encoding = located.encoding;
        let out_len = keys.algorithm().output_len();
        let malformed = || map_parse(ParseError::Malformed, located.sig_header);

        // Every candidate of a family we have keys for must decode; there must be at least one.
        // The HMAC candidates were decoded while the header was parsed; the first few stay
        // decoded for the comparison below, any further ones are decoded again there.
        let hmac = decoded.active;
        let hmac_count = decoded.count;
        #[cfg_attr(not(feature = "ed25519"), allow(unused_mut))]
        let (mut count, mut bad) = (hmac_count, decoded.bad);
        #[cfg(feature = "ed25519")]
        if inner.ed_keys().is_some() {
            let mut buf: DecodeBuf = [0; crate::mac::MAX_MAC_LEN];
            let mut ed_count = 0usize;
            located.for_each_candidate(Family::Ed25519, &mut |c| {
                count += 1;
                ed_count += 1;
                if ed_count > MAX_ED25519_CANDIDATES
                    || decode(encoding, c, ED25519_LEN, &mut buf).is_none()
                {
                    bad = true;
                }
            });
        }
        if bad {
            return Err(malformed());
        }
        if count == 0 {
            return Err(map_parse(ParseError::NoCandidate, located.sig_header));
        }

        // Extra signed headers must each be present once.
        if inner.signs_headers {
            for part in inner.payload.iter() {
                if let Part::Header(name) = part {
                    one(headers, name)?;
                }
            }
        }

        // Twilio signs the form parameters, not the bytes: parse strictly first.
        let form = if inner.signs_form {
            Some(
                providers::form::Form::parse(body)
                    .map_err(|_| VerifyError::new(ErrorKind::MalformedBody))?,
            )
        } else {
            None
        };

        let header = |name: &HeaderName| optional(headers, name).unwrap_or_default();
        let variants = inner.urls.len().max(1);
        for variant in 0..variants {
            let payload = Payload {
                body,
                timestamp: located.timestamp.unwrap_or_default(),
                event_id: located.event_id.unwrap_or_default(),
                url: inner.urls.get(variant).map(|u| &**u).unwrap_or_default(),
                form: form.as_ref(),
                header: &header,
            };
            let feed = |update: &mut dyn FnMut(&[u8])| payload.feed(&inner.payload, update);
            let gathered = payload
                .pieces(&inner.payload)
                .map(crate::mac::Gathered::new);
            let message = match &gathered {
                Some(gathered) => crate::mac::Message::Gathered(gathered),
                None => crate::mac::Message::Feed(&feed),
            };
            if hmac {
                let candidates = |f: &mut dyn FnMut(&[u8])| {
                    for slot in decoded.kept.iter().take(hmac_count) {
                        if let Some(decoded) = slot.get(..out_len) {
                            f(decoded);
                        }
                    }
                    if hmac_count > KEPT_CANDIDATES {
                        let mut buf: DecodeBuf = [0; crate::mac::MAX_MAC_LEN];
                        let mut index = 0usize;
                        located.for_each_candidate(Family::Hmac, &mut |c| {
                            index += 1;
                            if index > KEPT_CANDIDATES {
                                if let Some(decoded) = decode(encoding, c, out_len, &mut buf) {
                                    f(decoded);
                                }
                            }
                        });
                    }
                };
                let mut fingerprint = [0; 16];
                if let Some(index) = keys.find_match(&message, candidates, &mut fingerprint) {
                    return Ok(Some((inner.hmac_position(index), fingerprint)));
                }
            }
            #[cfg(feature = "ed25519")]
            if let Some(ed) = inner.ed_keys() {
                let candidates = |f: &mut dyn FnMut(&[u8])| {
                    let mut buf: DecodeBuf = [0; crate::mac::MAX_MAC_LEN];
                    located.for_each_candidate(Family::Ed25519, &mut |c| {
                        if let Some(decoded) = decode(encoding, c, ED25519_LEN, &mut buf) {
                            f(decoded);
                        }
                    });
                };
                if let Some(found) = ed.find(&feed, &candidates) {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    /// Finds the signature, timestamp and id headers (in one [`HeaderLookup::lookup_names`]
    /// call) and checks their syntax, decoding the HMAC candidates into `decoded` on the way.
    fn locate<'s, 'h, H: HeaderLookup + ?Sized>(
        &'s self,
        headers: &'h H,
        decoded: &mut Decoded,
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
                let mut wanted = Wanted::new(header);
                let ts_at = wanted.add(timestamp.as_ref());
                let id_at = wanted.add(event_id.as_ref());
                let found = wanted.lookup(headers);
                let [primary, ..] = found;
                // GitHub's legacy header is read only when the SHA-256 one is absent.
                let legacy = match (&inner.legacy, primary) {
                    (Some(legacy), Lookup::Missing) => match headers.lookup_name(&legacy.header) {
                        Lookup::Missing => None,
                        found => Some((legacy, found)),
                    },
                    _ => None,
                };
                let (header, prefix, keys, sig) = match legacy {
                    Some((legacy, found)) => (&legacy.header, &*legacy.prefix, &legacy.keys, found),
                    None => (header, &**prefix, &inner.keys, primary),
                };
                let sig_value = exactly_one(sig, header)?;
                decoded.encoding = *encoding;
                decoded.out_len = keys.algorithm().output_len();
                providers::simple::candidates(sig_value, prefix, *separator)
                    .try_for_each(|c| c.map(|c| decoded.push(c)))
                    .map_err(|e| map_parse(e, header))?;
                let ts = match (timestamp, Wanted::at(&found, ts_at)) {
                    (Some(name), found) => Some(exactly_one(found, name)?),
                    (None, _) => None,
                };
                let event_id = match Wanted::at(&found, id_at) {
                    Lookup::One(v) if event_id.is_some() => Some(v),
                    _ => None,
                };
                Ok((
                    Located {
                        sig_header: header,
                        sig_value,
                        timestamp: ts,
                        timestamp_header: timestamp.as_ref(),
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
            Scheme::Pairs { header, syntax } => {
                let [found, ..] = Wanted::new(header).lookup(headers);
                let sig_value = exactly_one(found, header)?;
                decoded.encoding = Encoding::Hex;
                decoded.out_len = inner.keys.algorithm().output_len();
                let parsed = providers::stripe::parse_with(sig_value, *syntax, |c| decoded.push(c))
                    .map_err(|e| map_parse(e, header))?;
                Ok((
                    Located {
                        sig_header: header,
                        sig_value,
                        timestamp: Some(parsed.timestamp),
                        timestamp_header: Some(header),
                        event_id: None,
                        encoding: Encoding::Hex,
                        kind: SigKind::Pairs(parsed),
                    },
                    &inner.keys,
                ))
            }
            Scheme::Standard => {
                let [webhook, svix] = standard_names();
                let lookup = |family: &StandardNames| {
                    let mut wanted = Wanted::new(&family.signature);
                    wanted.add(Some(&family.id));
                    wanted.add(Some(&family.timestamp));
                    wanted.lookup(headers)
                };
                // The `svix-` names are read only when `webhook-signature` is absent.
                let (family, [signature, id, ts, _]) = match lookup(webhook) {
                    [Lookup::Missing, ..] => match lookup(svix) {
                        found @ [Lookup::One(_) | Lookup::Many, ..] => (svix, found),
                        _ => (webhook, lookup(webhook)),
                    },
                    found => (webhook, found),
                };
                let id = exactly_one(id, &family.id)?;
                let ts = exactly_one(ts, &family.timestamp)?;
                let sig_value = exactly_one(signature, &family.signature)?;
                decoded.encoding = Encoding::Base64;
                decoded.out_len = inner.keys.algorithm().output_len();
                providers::standard::check_syntax_with(sig_value, |c| decoded.push(c))
                    .map_err(|e| map_parse(e, &family.signature))?;
                Ok((
                    Located {
                        sig_header: &family.signature,
                        sig_value,
                        timestamp: Some(ts),
                        timestamp_header: Some(&family.timestamp),
                        event_id: Some(id),
                        encoding: Encoding::Base64,
                        kind: SigKind::Standard,
                    },
                    &inner.keys,
                ))
            }
            Scheme::Token { header, event_id } => {
                let mut wanted = Wanted::new(header);
                let id_at = wanted.add(event_id.as_ref());
                let found = wanted.lookup(headers);
                let [sig, ..] = found;
                let sig_value = exactly_one(sig, header)?;
                let event_id = match Wanted::at(&found, id_at) {
                    Lookup::One(v) if event_id.is_some() => Some(v),
                    _ => None,
                };
                Ok((
                    Located {
                        sig_header: header,
                        sig_value,
                        timestamp: None,
                        timestamp_header: None,
                        event_id,
                        encoding: Encoding::Hex,
                        kind: SigKind::Token,
                    },
                    &inner.keys,
                ))
            }
        }
    }
}

/// The headers a scheme reads, looked up together: the signature header first.
struct Wanted<'n> {
    names: [&'n HeaderName; WANTED_MAX],
    len: usize,
}

/// The most headers a scheme reads in one go (signature, timestamp, id).
const WANTED_MAX: usize = 4;

impl<'n> Wanted<'n> {
    fn new(signature: &'n HeaderName) -> Self {
        Wanted {
            names: [signature; WANTED_MAX],
            len: 1,
        }
    }

    /// Adds a name, if there is one; its position in the lookup's result.
    fn add(&mut self, name: Option<&'n HeaderName>) -> Option<usize> {
        let name = name?;
        let at = self.len;
        *self.names.get_mut(at)? = name;
        self.len += 1;
        Some(at)
    }

    fn lookup<'h, H: HeaderLookup + ?Sized>(&self, headers: &'h H) -> [Lookup<'h>; WANTED_MAX] {
        let mut found = [Lookup::Missing; WANTED_MAX];
        let names = self.names.get(..self.len).unwrap_or(&self.names);
        headers.lookup_names(names, &mut found);
        found
    }

    /// What was found at `at` (`Missing` for a name that was not added).
    fn at<'h>(found: &[Lookup<'h>; WANTED_MAX], at: Option<usize>) -> Lookup<'h> {
        at.and_then(|i| found.get(i).copied())
            .unwrap_or(Lookup::Missing)
    }
}

/// Checks a signed timestamp against the window, both ways. Arithmetic saturates.
fn check_window(tolerance: Option<u64>, ts: u64, now: u64) -> Result<(), ErrorKind> {
    if let Some(tolerance) = tolerance {
        if ts > now.saturating_add(tolerance) {
            return Err(ErrorKind::TimestampInFuture);
        }
        if ts < now.saturating_sub(tolerance) {
            return Err(ErrorKind::TimestampTooOld);
        }
    }
    Ok(())
}

/// A non-negative integer of milliseconds at `pointer` in a JSON body, as unix seconds.
fn ms_from_json(body: &[u8], pointer: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.pointer(pointer)?.as_u64().map(|ms| ms / 1000)
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
    /// Read lazily from [`Verified::body`], once, on the first call to
    /// [`Verified::event_id`].
    InBody {
        pointer: IdPointer,
        cell: OnceLock<Option<Box<str>>>,
    },
}

/// Longest event id accepted; longer ones are treated as absent.
const MAX_EVENT_ID_LEN: usize = 256;

fn usable_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_EVENT_ID_LEN && !has_control(s)
}

/// Whether every byte is printable ASCII (`0x20..=0x7e`): such an id is UTF-8 and has no
/// control character, without a `char` walk. Eight bytes at a time (the last word overlapping
/// the one before), byte by byte only under eight bytes.
fn printable_ascii(raw: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    // A byte below 0x20 borrows (and its high bit is clear); a byte above 0x7e has its high
    // bit set after adding 1. Either marks 0x80 in its lane.
    let bad = |w: u64| ((w.wrapping_sub(ONES * 0x20) & !w) | (w.wrapping_add(ONES) | w)) & HIGH;
    let (words, rest) = raw.as_chunks::<8>();
    let mut marks = 0u64;
    for word in words {
        marks |= bad(u64::from_le_bytes(*word));
    }
    if !rest.is_empty() {
        match raw.last_chunk::<8>() {
            Some(last) => marks |= bad(u64::from_le_bytes(*last)),
            None => return !rest.iter().any(|b| *b < 0x20 || *b > 0x7e),
        }
    }
    marks == 0
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
        let mut id = EventId::None;
        EventId::write_from_header(&mut id, raw);
        id
    }

    /// [`from_header`](Self::from_header)`(raw)`, written into `slot`. In place: the fast path
    /// writes it straight into the `Verified` it returns, where an id returned by value was
    /// copied in, reading back bytes just written (paired 256 B: Standard Webhooks 1.472x ->
    /// 1.444x; BENCHMARKS.md, section 5, ninth pass).
    #[inline(never)]
    pub(crate) fn write_from_header(slot: &mut EventId, raw: &[u8]) {
        // Printable ASCII (the common case) is UTF-8 without control characters: one pass
        // decides; anything else takes the full check.
        let usable = if printable_ascii(raw) {
            !raw.is_empty() && raw.len() <= MAX_EVENT_ID_LEN
        } else {
            std::str::from_utf8(raw).is_ok_and(usable_id)
        };
        if !usable {
            *slot = EventId::None;
            return;
        }
        match u8::try_from(raw.len()) {
            Ok(len) if raw.len() <= INLINE_ID_LEN => {
                *slot = EventId::Inline {
                    len,
                    bytes: [0; INLINE_ID_LEN],
                };
                if let EventId::Inline { bytes, .. } = slot {
                    inline_copy(raw, bytes);
                }
            }
            _ => {
                *slot =
                    std::str::from_utf8(raw).map_or(EventId::None, |s| EventId::Header(s.into()));
            }
        }
    }
}

/// Copies `raw` (at most [`INLINE_ID_LEN`] bytes) to the start of `bytes` (zeroed), a word at a
/// time (the last word overlapping the one before) rather than through a `memcpy` call: the
/// MAC's [`small_copy`](crate::mac::small_copy).
fn inline_copy(raw: &[u8], bytes: &mut [u8; INLINE_ID_LEN]) {
    let len = raw.len().min(INLINE_ID_LEN);
    crate::mac::small_copy(bytes, raw.get(..len).unwrap_or_default());
}

pub(crate) fn id_from_json(body: &[u8], pointer: &str) -> Option<Box<str>> {
    let s = crate::json_id::at_pointer(body, pointer)?;
    usable_id(&s).then(|| s.into_boxed_str())
}

/// Whether two answers to the same request are the same: the same facts (every one a handler
/// can read, and the verifier they came from), or the same refusal. What holds the fast path
/// to the general path, in the property test and the fuzz harnesses.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn same_answer(
    a: &Result<Verified, VerifyError>,
    b: &Result<Verified, VerifyError>,
) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            a.provider == b.provider
                && a.event_id() == b.event_id()
                && a.timestamp == b.timestamp
                && a.secret_index == b.secret_index
                && a.fingerprint == b.fingerprint
                && a.origin == b.origin
        }
        (Err(a), Err(b)) => a == b,
        _ => false,
    }
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
    fingerprint: Option<crate::mac::Fingerprint>,
    /// Which verifier (and its clones) produced it: [`Verifier::origin`].
    origin: u64,
    /// The verified bytes, kept by the adapter that read them ([`Verified::body`]).
    body: Option<Bytes>,
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
            EventId::InBody { pointer, cell } => cell
                .get_or_init(|| {
                    self.body
                        .as_ref()
                        .and_then(|b| id_from_json(b, pointer.as_str()))
                })
                .as_deref(),
        }
    }

    /// [`event_id`](Self::event_id) as bytes, without checking again that a header id is
    /// UTF-8 (it was checked when it was read): the memory store hashes the bytes.
    #[cfg(feature = "dedupe")]
    pub(crate) fn event_id_bytes(&self) -> Option<&[u8]> {
        match &self.event_id {
            EventId::Inline { len, bytes } => bytes.get(..usize::from(*len)),
            _ => self.event_id().map(str::as_bytes),
        }
    }

    /// The event id, reading body-borne ids from `body` (which must be the verified body).
    pub fn event_id_in(&self, body: &[u8]) -> Option<String> {
        match &self.event_id {
            EventId::InBody { pointer, .. } => {
                id_from_json(body, pointer.as_str()).map(String::from)
            }
            _ => self.event_id().map(String::from),
        }
    }

    /// The verified body, exactly as it was received and verified, when an adapter (the Tower
    /// layer or the actix-web middleware) read it: the same bytes the handler's request body
    /// holds, shared (a reference count, not a copy). `None` from [`Verifier::verify`], which
    /// only borrows the body you pass it.
    ///
    /// A handler that takes the bytes from here needs no second extractor for the body, which
    /// would read the request body again (axum's `Bytes` and actix-web's `web::Bytes`
    /// collect it a second time after the guard already has).
    ///
    /// A `Verified` (or a clone) keeps those bytes alive for as long as it lives: to keep the
    /// facts of a delivery beyond its request, copy out the ones you need. The body never
    /// appears in `Debug`.
    ///
    #[cfg_attr(feature = "axum", doc = "```")]
    #[cfg_attr(not(feature = "axum"), doc = "```ignore")]
    /// use axum::{routing::post, Router};
    /// use webhook_guard::{tower::VerifyWebhookLayer, Verified, Verifier};
    ///
    /// async fn handle(verified: Verified) -> String {
    ///     // Set whenever the layer let the request through.
    ///     let body = verified.body().map(|b| b.len()).unwrap_or_default();
    ///     format!("{} bytes from {}", body, verified.provider())
    /// }
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let github = Verifier::github("It's a Secret to Everybody").build()?;
    /// let app: Router = Router::new()
    ///     .route("/webhooks/github", post(handle))
    ///     .route_layer(VerifyWebhookLayer::new(github.clone()));
    ///
    /// use tower::ServiceExt;
    /// let request = http::Request::post("/webhooks/github")
    ///     .header("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    ///     .body(axum::body::Body::from("Hello, World!"))?;
    /// let response = app.oneshot(request).await?;
    /// let text = http_body_util::BodyExt::collect(response.into_body()).await?.to_bytes();
    /// assert_eq!(&text[..], b"13 bytes from github");
    ///
    /// // Verified by hand, the body stays yours: nothing is kept.
    /// let headers = [("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")];
    /// assert!(github.verify(&headers, b"Hello, World!")?.body().is_none());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }

    /// The signed timestamp (unix seconds), for providers that sign one.
    pub fn timestamp(&self) -> Option<u64> {
        self.timestamp
    }

    /// The [`Verifier::origin`] of the verifier that produced these facts.
    pub(crate) fn origin(&self) -> u64 {
        self.origin
    }

    /// Index (in the order given to the builder) of the secret whose signature matched. During a
    /// rotation this tells you when the old secret stops being used.
    pub fn secret_index(&self) -> usize {
        self.secret_index
    }

    /// The matching signature's first bytes, in hex: identifies the signed content. `None` for
    /// a plain shared token (GitLab's `X-Gitlab-Token`), which signs nothing.
    #[cfg_attr(not(feature = "dedupe"), allow(dead_code))]
    pub(crate) fn fingerprint_hex(&self) -> Option<String> {
        self.fingerprint.map(hex::encode)
    }

    /// Keeps the verified body: for [`body`](Self::body), and so that body-borne event ids
    /// can be read lazily.
    #[cfg_attr(not(any(feature = "tower", feature = "actix-web")), allow(dead_code))]
    pub(crate) fn attach_body(&mut self, bytes: Bytes) {
        self.body = Some(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain digit-by-digit parse, as the reference.
    fn reference_timestamp(raw: &[u8]) -> Option<u64> {
        let s = std::str::from_utf8(raw).ok()?;
        if s.is_empty() || s.len() > 19 || (s.len() > 1 && s.starts_with('0')) {
            return None;
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<u64>().ok().filter(|n| *n <= i64::MAX as u64)
    }

    #[test]
    fn timestamp_parse_matches_the_reference() {
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 0..=21usize {
            for _ in 0..200 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let digits: Vec<u8> = (0..len)
                    .map(|i| b'0' + ((x >> (i % 60)) % 10) as u8)
                    .collect();
                inputs.push(digits.clone());
                // One byte changed to every value, at a position that depends on the round.
                if len > 0 {
                    let at = (x as usize) % len;
                    for byte in 0..=255u8 {
                        let mut bad = digits.clone();
                        bad[at] = byte;
                        inputs.push(bad);
                    }
                }
            }
        }
        for edge in [
            "9223372036854775807",
            "9223372036854775808",
            "9999999999999999999",
        ] {
            inputs.push(edge.as_bytes().to_vec());
        }
        for raw in &inputs {
            assert_eq!(parse_timestamp(raw), reference_timestamp(raw), "{raw:?}");
        }
        assert_eq!(
            parse_timestamp(b"9223372036854775807"),
            Some(i64::MAX as u64)
        );
        assert_eq!(parse_timestamp(b"12345678"), Some(12_345_678));
        assert_eq!(parse_timestamp(b"1700000000"), Some(1_700_000_000));
    }

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

    /// The kept body is handed out by `body()` and never shown by `Debug`.
    #[test]
    fn kept_body_is_returned_and_not_debugged() {
        let mut verified = Verified {
            provider: Provider::GitHub,
            event_id: EventId::from_header(b"id-1"),
            timestamp: None,
            secret_index: 0,
            fingerprint: None,
            origin: 0,
            body: None,
        };
        assert!(verified.body().is_none());
        verified.attach_body(Bytes::from_static(b"{\"card\":\"4242 private\"}"));
        assert_eq!(
            verified.body().map(|b| &b[..]),
            Some(&b"{\"card\":\"4242 private\"}"[..])
        );
        let shown = format!("{verified:?}");
        assert!(shown.contains("id-1"), "{shown}");
        assert!(
            !shown.contains("4242") && !shown.contains("card"),
            "{shown}"
        );
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
                fingerprint: None,
                origin: 0,
                body: None,
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

    /// The word-at-a-time check is the byte-by-byte definition, at every length up to 40
    /// and for every byte value at every position.
    #[test]
    fn printable_ascii_matches_the_byte_definition() {
        let reference = |raw: &[u8]| raw.iter().all(|b| (0x20..=0x7e).contains(b));
        for len in 0..=40usize {
            let base: Vec<u8> = (0..len).map(|i| b' ' + (i % 95) as u8).collect();
            assert!(printable_ascii(&base), "{len}");
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut raw = base.clone();
                    raw[at] = byte;
                    assert_eq!(printable_ascii(&raw), reference(&raw), "{len} {at} {byte}");
                }
            }
        }
    }

    #[test]
    fn inline_copy_keeps_the_bytes_and_zeroes_the_rest() {
        let src: Vec<u8> = (b'!'..b'!' + INLINE_ID_LEN as u8).collect();
        for len in 0..=INLINE_ID_LEN {
            let mut got = [0; INLINE_ID_LEN];
            inline_copy(&src[..len], &mut got);
            assert_eq!(&got[..len], &src[..len], "{len}");
            assert!(got[len..].iter().all(|b| *b == 0), "{len}");
            // Written over a slot that held a longer id: only the new id's bytes remain.
            let mut slot = EventId::from_header(&[b'z'; INLINE_ID_LEN]);
            EventId::write_from_header(&mut slot, &src[..len]);
            match (&slot, len) {
                (EventId::None, 0) => {}
                (EventId::Inline { len: n, bytes }, _) => {
                    assert_eq!(usize::from(*n), len);
                    assert_eq!(&bytes[..len], &src[..len], "{len}");
                    assert!(bytes[len..].iter().all(|b| *b == 0), "{len}");
                }
                _ => panic!("{len}: not kept inline"),
            }
        }
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
