//! The harness's own idea of a correctly signed request, written from the providers' documented
//! schemes and independent of the library's parsers: its own header lookup, list splitting,
//! timestamp rule, hex and base64 codecs, and a direct `hmac`/`sha2`/`sha1` computation. It signs
//! deliveries and judges whether a request is validly signed.
//!
//! It is deliberately *lenient* where leniency cannot let a forgery through (for example it
//! accepts either header family of Standard Webhooks), because it is used for soundness: the
//! library may accept a request only if the oracle does.

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use hmac::{Hmac, Mac};

use super::Finding;
use crate::builder::Signed;
use crate::{Algorithm, Encoding, Verifier};

/// Body size limit of every verifier the harnesses build (small, so that bodies around the limit
/// are cheap to generate).
pub const LIMIT: usize = 1024;

/// Timestamp tolerance of every harness verifier (the default).
pub const TOLERANCE: u64 = 300;

/// A fixed "now" (unix seconds) for the core harnesses.
pub const BASE: u64 = 1_700_000_000;

/// Header carrying the extra signed value of the generic fixture.
pub const EXTRA_HEADER: &str = "X-Fuzz-Extra";

/// The verifier configurations the harnesses exercise.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prov {
    /// `Verifier::stripe`.
    Stripe,
    /// `Verifier::github`.
    GitHub,
    /// `Verifier::github(..).allow_legacy_sha1()`.
    GitHubLegacy,
    /// `Verifier::standard_webhooks` (`webhook-*` or `svix-*` headers).
    Standard,
    /// `Verifier::slack`.
    Slack,
    /// `Verifier::shopify`.
    Shopify,
    /// Generic: SHA-512, base64, `X-Signature: v1=<b64>[,v1=<b64>]` over
    /// `"{ts}:{id}:{X-Fuzz-Extra}:{body}"`.
    Generic,
    /// Generic: SHA-256, hex, `X-Signature: <hex>` over the body (as in `tests/data`).
    HmacHex,
}

/// Every [`Prov`], in declaration order.
pub const PROVS: [Prov; 8] = [
    Prov::Stripe,
    Prov::GitHub,
    Prov::GitHubLegacy,
    Prov::Standard,
    Prov::Slack,
    Prov::Shopify,
    Prov::Generic,
    Prov::HmacHex,
];

/// The secrets in the form the provider hands them out; the verifier knows the first
/// `CONFIGURED`, the others are "an attacker's".
pub fn secret(prov: Prov, n: usize) -> Vec<u8> {
    let raw = format!("fuzz-secret-{n}-{prov:?}");
    match prov {
        Prov::Standard => format!("whsec_{}", b64_encode(raw.as_bytes())).into_bytes(),
        _ => raw.into_bytes(),
    }
}

/// The HMAC key behind [`secret`] (Standard Webhooks decodes its `whsec_` form).
pub fn key(prov: Prov, n: usize) -> Vec<u8> {
    match prov {
        Prov::Standard => format!("fuzz-secret-{n}-{prov:?}").into_bytes(),
        _ => secret(prov, n),
    }
}

/// How many secrets each harness verifier is configured with.
pub const CONFIGURED: usize = 2;

/// A verifier under test with the HMAC keys it should accept.
pub struct Fixture {
    /// What it implements.
    pub prov: Prov,
    /// The verifier.
    pub verifier: Verifier,
    /// HMAC keys, in the verifier's secret order.
    pub keys: Vec<Vec<u8>>,
    /// For fixtures made from `tests/data/vectors.json`: the published delivery.
    pub vector: Option<Vector>,
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture")
            .field("prov", &self.prov)
            .field("verifier", &self.verifier)
            .field("keys", &"[REDACTED]")
            .field("vector", &self.vector.is_some())
            .finish()
    }
}

/// One published vector from `tests/data/vectors.json`.
#[derive(Debug, Clone)]
pub struct Vector {
    /// Its headers, in file order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Its body.
    pub body: Vec<u8>,
    /// When to verify it (`BASE` where the provider signs no timestamp).
    pub now: u64,
    /// Whether it is expected to verify.
    pub valid: bool,
}

fn build(prov: Prov, secrets: &[Vec<u8>]) -> Result<Verifier, crate::ConfigError> {
    let (first, rest) = secrets.split_first().ok_or(crate::ConfigError::NoSecret)?;
    let first = first.as_slice();
    let rest = rest.iter().map(Vec::as_slice);
    match prov {
        Prov::Stripe => Verifier::stripe(first)
            .secrets(rest)
            .max_body_size(LIMIT)
            .build(),
        Prov::GitHub => Verifier::github(first)
            .secrets(rest)
            .max_body_size(LIMIT)
            .build(),
        Prov::GitHubLegacy => Verifier::github(first)
            .secrets(rest)
            .max_body_size(LIMIT)
            .allow_legacy_sha1()
            .build(),
        Prov::Standard => Verifier::standard_webhooks(first)
            .secrets(rest)
            .max_body_size(LIMIT)
            .build(),
        Prov::Slack => Verifier::slack(first)
            .secrets(rest)
            .max_body_size(LIMIT)
            .build(),
        Prov::Shopify => Verifier::shopify(first)
            .secrets(rest)
            .max_body_size(LIMIT)
            .build(),
        Prov::Generic => Verifier::hmac("fuzz-generic", first)
            .secrets(rest)
            .max_body_size(LIMIT)
            .algorithm(Algorithm::Sha512)
            .signature_header("X-Signature")
            .signature_prefix("v1=")
            .encoding(Encoding::Base64)
            .signature_separator(',')
            .timestamp_header("X-Timestamp")
            .event_id_header("X-Event-Id")
            .signed_payload([
                Signed::Timestamp,
                Signed::Literal(":".into()),
                Signed::EventId,
                Signed::Literal(":".into()),
                Signed::Header(EXTRA_HEADER.into()),
                Signed::Literal(":".into()),
                Signed::Body,
            ])
            .build(),
        Prov::HmacHex => Verifier::hmac("hmac-sha256-hex", first)
            .secrets(rest)
            .max_body_size(LIMIT)
            .signature_header("X-Signature")
            .encoding(Encoding::Hex)
            .build(),
    }
}

fn load_vectors() -> Result<Vec<(Prov, Vec<u8>, Vector)>, String> {
    let raw = include_str!("../../tests/data/vectors.json");
    let doc: serde_json::Value = serde_json::from_str(raw).map_err(|e| e.to_string())?;
    let list = doc
        .get("vectors")
        .and_then(|v| v.as_array())
        .ok_or("vectors.json: no `vectors` array")?;
    let mut out = Vec::new();
    for v in list {
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default();
        let prov = match field("provider") {
            "stripe" => Prov::Stripe,
            "github" => Prov::GitHub,
            "standard" => Prov::Standard,
            "slack" => Prov::Slack,
            "shopify" => Prov::Shopify,
            "hmac-sha256-hex" => Prov::HmacHex,
            // Providers this oracle does not model (their vectors run in tests/vectors.rs).
            _ => continue,
        };
        // Standard Webhooks `v1a` public keys are Ed25519, which this oracle does not model.
        if prov == Prov::Standard && !field("secret").starts_with("whsec_") {
            continue;
        }
        let headers = v
            .get("headers")
            .and_then(|h| h.as_object())
            .map(|h| {
                h.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().unwrap_or_default().as_bytes().to_vec(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let vector = Vector {
            headers,
            body: field("body").as_bytes().to_vec(),
            now: v.get("now").and_then(|n| n.as_u64()).unwrap_or(BASE),
            valid: field("expect") == "valid",
        };
        out.push((prov, field("secret").as_bytes().to_vec(), vector));
    }
    Ok(out)
}

fn make_fixtures() -> Result<Vec<Fixture>, String> {
    let mut all = Vec::new();
    for prov in PROVS {
        let secrets: Vec<Vec<u8>> = (0..CONFIGURED).map(|n| secret(prov, n)).collect();
        let verifier = build(prov, &secrets).map_err(|e| format!("{prov:?}: {e}"))?;
        let keys = (0..CONFIGURED).map(|n| key(prov, n)).collect();
        all.push(Fixture {
            prov,
            verifier,
            keys,
            vector: None,
        });
    }
    for (prov, secret, vector) in load_vectors()? {
        let verifier = build(prov, std::slice::from_ref(&secret)).map_err(|e| e.to_string())?;
        let key = match prov {
            Prov::Standard => {
                let b64 = secret.strip_prefix(b"whsec_").unwrap_or(&secret);
                b64_decode(b64).ok_or("vectors.json: bad Standard Webhooks secret")?
            }
            _ => secret,
        };
        all.push(Fixture {
            prov,
            verifier,
            keys: vec![key],
            vector: Some(vector),
        });
    }
    Ok(all)
}

/// The fixtures, built once: one per [`Prov`] (index = position in [`PROVS`]), then one per
/// published vector.
pub fn fixtures() -> Result<&'static [Fixture], Finding> {
    static ALL: OnceLock<Result<Vec<Fixture>, String>> = OnceLock::new();
    match ALL.get_or_init(make_fixtures) {
        Ok(v) => Ok(v),
        Err(e) => Err(Finding(format!("fixtures: {e}"))),
    }
}

/// The fixture for `prov` with the harness's own secrets.
pub fn fixture(prov: Prov) -> Result<&'static Fixture, Finding> {
    fixtures()?
        .iter()
        .find(|f| f.prov == prov && f.vector.is_none())
        .ok_or_else(|| Finding(format!("no fixture for {prov:?}")))
}

/// The vector fixtures.
pub fn vector_fixtures() -> Result<Vec<&'static Fixture>, Finding> {
    Ok(fixtures()?.iter().filter(|f| f.vector.is_some()).collect())
}

// ---------------------------------------------------------------------------------------------
// Independent codecs and MACs.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let sextet = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(B64.get(sextet).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Strict standard base64: padded, canonical (re-encoding gives the input back).
pub fn b64_decode(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let mut bits: Vec<u8> = Vec::with_capacity(text.len());
    let mut pad = 0;
    for &c in text {
        if c == b'=' {
            pad += 1;
            continue;
        }
        if pad > 0 {
            return None;
        }
        bits.push(B64.iter().position(|&x| x == c)? as u8);
    }
    if pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(bits.len() * 3 / 4);
    for group in bits.chunks(4) {
        let mut n: u32 = 0;
        for (i, s) in group.iter().enumerate() {
            n |= u32::from(*s) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        let take = group.len().saturating_sub(1);
        out.extend(bytes.iter().skip(1).take(take));
    }
    (b64_encode(&out).as_bytes() == text).then_some(out)
}

/// Lower-case hex.
pub fn hex_encode(data: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(data.len() * 2);
    for b in data {
        for nibble in [b >> 4, b & 15] {
            out.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    out
}

/// Hex in either case, even length.
pub fn hex_decode(text: &[u8]) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|p| match p {
            [h, l] => Some((nibble(*h)? << 4) | nibble(*l)?),
            _ => None,
        })
        .collect()
}

/// The MAC algorithms the oracle computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Alg {
    /// MAC length in bytes.
    pub fn mac_len(self) -> usize {
        match self {
            Alg::Sha1 => 20,
            Alg::Sha256 => 32,
            Alg::Sha512 => 64,
        }
    }
}

/// HMAC of the concatenated `parts`.
pub fn mac(alg: Alg, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        match <M as hmac::digest::KeyInit>::new_from_slice(key) {
            Ok(mut m) => {
                for p in parts {
                    m.update(p);
                }
                m.finalize().into_bytes().to_vec()
            }
            // HMAC takes keys of any length; an empty result never matches a real MAC.
            Err(_) => Vec::new(),
        }
    }
    match alg {
        Alg::Sha1 => run::<Hmac<sha1::Sha1>>(key, parts),
        Alg::Sha256 => run::<Hmac<sha2::Sha256>>(key, parts),
        Alg::Sha512 => run::<Hmac<sha2::Sha512>>(key, parts),
    }
}

// ---------------------------------------------------------------------------------------------
// The providers' schemes.

/// How signatures are listed in the signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// Stripe: `t=<ts>,v1=<sig>,...` (items trimmed of spaces and tabs).
    Stripe,
    /// Standard Webhooks: space-separated `v1,<sig>` items.
    Words,
    /// One `<prefix><sig>` (trimmed).
    Single(&'static str),
    /// Comma-separated `<prefix><sig>` items (trimmed); other items ignored.
    Comma(&'static str),
}

/// One piece of the signed payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// The timestamp, as sent.
    Ts,
    /// The event id header, as sent.
    Id,
    /// The [`EXTRA_HEADER`] value, as sent.
    Extra,
    /// The body.
    Body,
    /// Literal bytes.
    Lit(&'static str),
}

/// A provider's signing scheme.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// MAC.
    pub alg: Alg,
    /// `true`: base64; `false`: hex.
    pub base64: bool,
    /// Header carrying the signatures.
    pub sig: &'static str,
    /// Their syntax.
    pub list: List,
    /// Header carrying the timestamp (Stripe: inside the signature header).
    pub ts: Option<&'static str>,
    /// Header carrying the event id.
    pub id: Option<&'static str>,
    /// What is signed.
    pub payload: &'static [Piece],
    /// Whether a timestamp is signed and checked.
    pub stamped: bool,
}

const fn spec(
    alg: Alg,
    base64: bool,
    sig: &'static str,
    list: List,
    ts: Option<&'static str>,
    id: Option<&'static str>,
    payload: &'static [Piece],
) -> Spec {
    Spec {
        alg,
        base64,
        sig,
        list,
        ts,
        id,
        payload,
        stamped: matches!(list, List::Stripe) || ts.is_some(),
    }
}

const STRIPE: Spec = spec(
    Alg::Sha256,
    false,
    "Stripe-Signature",
    List::Stripe,
    None,
    None,
    &[Piece::Ts, Piece::Lit("."), Piece::Body],
);
const GITHUB: Spec = spec(
    Alg::Sha256,
    false,
    "X-Hub-Signature-256",
    List::Single("sha256="),
    None,
    Some("X-GitHub-Delivery"),
    &[Piece::Body],
);
const GITHUB_SHA1: Spec = spec(
    Alg::Sha1,
    false,
    "X-Hub-Signature",
    List::Single("sha1="),
    None,
    Some("X-GitHub-Delivery"),
    &[Piece::Body],
);
const STANDARD_PAYLOAD: &[Piece] = &[
    Piece::Id,
    Piece::Lit("."),
    Piece::Ts,
    Piece::Lit("."),
    Piece::Body,
];
const STANDARD: Spec = spec(
    Alg::Sha256,
    true,
    "webhook-signature",
    List::Words,
    Some("webhook-timestamp"),
    Some("webhook-id"),
    STANDARD_PAYLOAD,
);
const SVIX: Spec = spec(
    Alg::Sha256,
    true,
    "svix-signature",
    List::Words,
    Some("svix-timestamp"),
    Some("svix-id"),
    STANDARD_PAYLOAD,
);
const SLACK: Spec = spec(
    Alg::Sha256,
    false,
    "X-Slack-Signature",
    List::Single("v0="),
    Some("X-Slack-Request-Timestamp"),
    None,
    &[Piece::Lit("v0:"), Piece::Ts, Piece::Lit(":"), Piece::Body],
);
const SHOPIFY: Spec = spec(
    Alg::Sha256,
    true,
    "X-Shopify-Hmac-Sha256",
    List::Single(""),
    None,
    Some("X-Shopify-Webhook-Id"),
    &[Piece::Body],
);
const GENERIC: Spec = spec(
    Alg::Sha512,
    true,
    "X-Signature",
    List::Comma("v1="),
    Some("X-Timestamp"),
    Some("X-Event-Id"),
    &[
        Piece::Ts,
        Piece::Lit(":"),
        Piece::Id,
        Piece::Lit(":"),
        Piece::Extra,
        Piece::Lit(":"),
        Piece::Body,
    ],
);
const HMAC_HEX: Spec = spec(
    Alg::Sha256,
    false,
    "X-Signature",
    List::Single(""),
    None,
    None,
    &[Piece::Body],
);

/// The schemes a verifier for `prov` may accept a request under, and what must hold for each:
/// `(scheme, headers that must be absent for it to apply)`.
pub fn schemes(prov: Prov) -> &'static [(Spec, &'static [&'static str])] {
    match prov {
        Prov::Stripe => &[(STRIPE, &[])],
        Prov::GitHub => &[(GITHUB, &[])],
        // The legacy header only counts when the SHA-256 header is absent (no downgrade).
        Prov::GitHubLegacy => &[(GITHUB, &[]), (GITHUB_SHA1, &["X-Hub-Signature-256"])],
        Prov::Standard => &[(STANDARD, &[]), (SVIX, &[])],
        Prov::Slack => &[(SLACK, &[])],
        Prov::Shopify => &[(SHOPIFY, &[])],
        Prov::Generic => &[(GENERIC, &[])],
        Prov::HmacHex => &[(HMAC_HEX, &[])],
    }
}

/// Headers as the oracle sees them: raw names and values.
pub type Headers = [(String, Vec<u8>)];

/// Values of every header called `name` (any case).
pub fn values<'a>(headers: &'a Headers, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// The value of `name` if it is sent exactly once.
pub fn only<'a>(headers: &'a Headers, name: &'a str) -> Option<&'a [u8]> {
    let mut it = values(headers, name);
    match (it.next(), it.next()) {
        (Some(v), None) => Some(v),
        _ => None,
    }
}

/// Trims ASCII spaces and tabs.
pub fn trim(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

/// A unix timestamp as the documentation defines it: plain decimal digits, no sign, no leading
/// zero, no fraction, at most `i64::MAX`.
pub fn timestamp(raw: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(raw).ok()?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = s.parse().ok()?;
    (n.to_string() == s && i64::try_from(n).is_ok()).then_some(n)
}

/// The signatures (still encoded) written in a signature header value, per the scheme.
pub fn candidates(list: List, value: &[u8]) -> Vec<&[u8]> {
    match list {
        List::Stripe => value
            .split(|b| *b == b',')
            .map(trim)
            .filter_map(|i| i.strip_prefix(b"v1="))
            .collect(),
        List::Words => value
            .split(|b| *b == b' ')
            .filter_map(|i| i.strip_prefix(b"v1,"))
            .collect(),
        List::Single(prefix) => trim(value)
            .strip_prefix(prefix.as_bytes())
            .into_iter()
            .collect(),
        List::Comma(prefix) => value
            .split(|b| *b == b',')
            .map(trim)
            .filter_map(|i| i.strip_prefix(prefix.as_bytes()))
            .collect(),
    }
}

/// The Stripe `t=` value, if exactly one item is `t=...`.
pub fn stripe_t(value: &[u8]) -> Option<&[u8]> {
    let mut ts = value
        .split(|b| *b == b',')
        .map(trim)
        .filter_map(|i| i.strip_prefix(b"t="));
    match (ts.next(), ts.next()) {
        (Some(t), None) => Some(t),
        _ => None,
    }
}

/// Why the oracle accepts a request under one scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The first configured secret whose MAC is among the signatures.
    pub secret_index: usize,
    /// The signed timestamp, if the scheme signs one.
    pub timestamp: Option<u64>,
    /// The signature header used.
    pub sig_header: &'static str,
}

/// Every way the request is validly signed by one of `keys` when the clock reads anything in
/// `now_lo..=now_hi`. Empty: not validly signed.
pub fn accepts(
    prov: Prov,
    keys: &[Vec<u8>],
    headers: &Headers,
    body: &[u8],
    now_lo: u64,
    now_hi: u64,
) -> Vec<Accepted> {
    let mut out = Vec::new();
    if body.len() > LIMIT {
        return out;
    }
    for (spec, must_be_absent) in schemes(prov) {
        if must_be_absent
            .iter()
            .any(|h| values(headers, h).next().is_some())
        {
            continue;
        }
        if let Some(a) = accepts_under(spec, keys, headers, body, now_lo, now_hi) {
            out.push(a);
        }
    }
    out
}

fn accepts_under(
    spec: &Spec,
    keys: &[Vec<u8>],
    headers: &Headers,
    body: &[u8],
    now_lo: u64,
    now_hi: u64,
) -> Option<Accepted> {
    let sig = only(headers, spec.sig)?;
    let ts_raw = match (spec.list, spec.ts) {
        (List::Stripe, _) => Some(stripe_t(sig)?),
        (_, Some(h)) => Some(only(headers, h)?),
        (_, None) => None,
    };
    let ts = match ts_raw {
        Some(raw) => {
            let ts = timestamp(raw)?;
            if spec.stamped
                && (ts.saturating_add(TOLERANCE) < now_lo || ts > now_hi.saturating_add(TOLERANCE))
            {
                return None;
            }
            Some(ts)
        }
        None => None,
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for piece in spec.payload {
        parts.push(match piece {
            Piece::Ts => ts_raw?,
            Piece::Id => only(headers, spec.id?)?,
            Piece::Extra => only(headers, EXTRA_HEADER)?,
            Piece::Body => body,
            Piece::Lit(s) => s.as_bytes(),
        });
    }
    let candidates = candidates(spec.list, sig);
    let secret_index = keys.iter().position(|key| {
        let tag = mac(spec.alg, key, &parts);
        candidates.iter().any(|c| {
            if spec.base64 {
                *c == b64_encode(&tag).as_bytes()
            } else {
                c.eq_ignore_ascii_case(hex_encode(&tag).as_bytes())
            }
        })
    })?;
    Some(Accepted {
        secret_index,
        timestamp: ts,
        sig_header: spec.sig,
    })
}

/// What to sign a delivery with.
#[derive(Debug, Clone)]
pub struct SignWith<'a> {
    /// Provider.
    pub prov: Prov,
    /// Which header family or legacy header to use: Standard: odd = `svix-*`; GitHubLegacy:
    /// `% 3` 0 = SHA-256, 1 = SHA-1 only, 2 = both.
    pub style: u8,
    /// The HMAC key.
    pub key: &'a [u8],
    /// Timestamp.
    pub ts: u64,
    /// Event id.
    pub id: &'a [u8],
    /// The extra signed header value (generic).
    pub extra: &'a [u8],
    /// Body.
    pub body: &'a [u8],
}

/// The headers of a delivery signed exactly as the provider documents.
pub fn sign(w: &SignWith<'_>) -> Vec<(String, Vec<u8>)> {
    let chosen: Vec<&Spec> = match w.prov {
        Prov::Standard if w.style % 2 == 1 => vec![&SVIX],
        Prov::GitHubLegacy => match w.style % 3 {
            0 => vec![&GITHUB],
            1 => vec![&GITHUB_SHA1],
            _ => vec![&GITHUB, &GITHUB_SHA1],
        },
        p => schemes(p).iter().take(1).map(|(s, _)| s).collect(),
    };
    let ts = w.ts.to_string();
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    let mut push = |name: &str, value: Vec<u8>| {
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            headers.push((name.to_owned(), value));
        }
    };
    for spec in chosen {
        let parts: Vec<&[u8]> = spec
            .payload
            .iter()
            .map(|p| match p {
                Piece::Ts => ts.as_bytes(),
                Piece::Id => w.id,
                Piece::Extra => w.extra,
                Piece::Body => w.body,
                Piece::Lit(s) => s.as_bytes(),
            })
            .collect();
        let tag = mac(spec.alg, w.key, &parts);
        let encoded = if spec.base64 {
            b64_encode(&tag)
        } else {
            hex_encode(&tag)
        };
        let value = match spec.list {
            List::Stripe => format!("t={ts},v1={encoded}"),
            List::Words => format!("v1,{encoded}"),
            List::Single(prefix) | List::Comma(prefix) => format!("{prefix}{encoded}"),
        };
        if let Some(h) = spec.ts {
            push(h, ts.clone().into_bytes());
        }
        if let Some(h) = spec.id {
            push(h, w.id.to_vec());
        }
        if spec.payload.contains(&Piece::Extra) {
            push(EXTRA_HEADER, w.extra.to_vec());
        }
        push(spec.sig, value.into_bytes());
    }
    headers
}
