//! `hmac_builder`: arbitrary generic-HMAC configurations.

use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};

use super::oracle::{self, Alg, BASE};
use super::{ensure, Finding, Outcome};
use crate::builder::Signed;
use crate::{Algorithm, ConfigError, Encoding, ErrorKind, Verifier};

/// Header names the configurations draw from, so that collisions happen; or raw bytes.
const NAMES: &[&str] = &[
    "X-Signature",
    "x-signature",
    "X-Timestamp",
    "X-Event-Id",
    "X-Extra",
    "Content-Type",
    "Bad Name",
    "",
    "x-ünicode",
];

/// A header name in a configuration.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum ConfName {
    /// `NAMES[n % len]`.
    Known(u8),
    /// Raw bytes, lossily made UTF-8.
    Raw(Vec<u8>),
}

impl ConfName {
    fn resolve(&self) -> String {
        match self {
            ConfName::Known(n) => NAMES
                .get(usize::from(*n) % NAMES.len())
                .copied()
                .unwrap_or_default()
                .to_owned(),
            ConfName::Raw(raw) => String::from_utf8_lossy(raw).into_owned(),
        }
    }
}

/// One signed part.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum ConfPart {
    /// The body.
    Body,
    /// The timestamp.
    Timestamp,
    /// The event id.
    EventId,
    /// Another header.
    Header(ConfName),
    /// Literal text.
    Literal(Vec<u8>),
}

/// Input of [`hmac_builder`]: every setting of `Verifier::hmac`, and a request to try.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct BuilderInput {
    /// `% 3`: SHA-1, SHA-256, SHA-512.
    pub algorithm: u8,
    /// `allow_insecure_sha1`.
    pub allow_sha1: bool,
    /// Base64 instead of hex.
    pub base64: bool,
    /// `signature_header`.
    pub header: Option<ConfName>,
    /// `signature_prefix`.
    pub prefix: Option<Vec<u8>>,
    /// `signature_separator` (a byte as a char, so non-ASCII Latin-1 happens too).
    pub separator: Option<u8>,
    /// `timestamp_header`.
    pub timestamp_header: Option<ConfName>,
    /// `event_id_header`.
    pub event_id_header: Option<ConfName>,
    /// `event_id_json_pointer`.
    pub pointer: Option<Vec<u8>>,
    /// `signed_payload`.
    pub payload: Option<Vec<ConfPart>>,
    /// `sign_timestamp_then_body` (after `signed_payload`).
    pub shorthand: Option<Vec<u8>>,
    /// `tolerance` (seconds).
    pub tolerance: Option<u64>,
    /// `max_body_size`.
    pub max_body: Option<u16>,
    /// `dangerous().skip_timestamp_check()`.
    pub skip_timestamp: bool,
    /// Provider name.
    pub name: Vec<u8>,
    /// Event id sent with the test request.
    pub id: Vec<u8>,
    /// Body of the test request.
    pub body: Vec<u8>,
    /// Secrets: the constructor's, then `.secrets(..)`.
    pub secrets: Vec<Vec<u8>>,
}

struct Config {
    name: String,
    secrets: Vec<Vec<u8>>,
    alg: Alg,
    allow_sha1: bool,
    base64: bool,
    header: Option<String>,
    prefix: String,
    separator: Option<char>,
    ts: Option<String>,
    id: Option<String>,
    pointer: Option<String>,
    payload: Vec<Signed>,
    max_body: Option<usize>,
}

impl BuilderInput {
    fn config(&self) -> Config {
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let mut payload = match &self.payload {
            None => vec![Signed::Body],
            Some(parts) => parts
                .iter()
                .map(|p| match p {
                    ConfPart::Body => Signed::Body,
                    ConfPart::Timestamp => Signed::Timestamp,
                    ConfPart::EventId => Signed::EventId,
                    ConfPart::Header(n) => Signed::Header(n.resolve()),
                    ConfPart::Literal(l) => Signed::Literal(lossy(l)),
                })
                .collect(),
        };
        if let Some(sep) = &self.shorthand {
            payload = vec![Signed::Timestamp, Signed::Literal(lossy(sep)), Signed::Body];
        }
        let mut secrets = self.secrets.clone();
        if secrets.is_empty() {
            secrets.push(Vec::new());
        }
        Config {
            name: lossy(&self.name),
            secrets,
            alg: match self.algorithm % 3 {
                0 => Alg::Sha1,
                1 => Alg::Sha256,
                _ => Alg::Sha512,
            },
            allow_sha1: self.allow_sha1,
            base64: self.base64,
            header: self.header.as_ref().map(ConfName::resolve),
            prefix: self.prefix.as_deref().map(lossy).unwrap_or_default(),
            separator: self.separator.map(char::from),
            ts: self.timestamp_header.as_ref().map(ConfName::resolve),
            id: self.event_id_header.as_ref().map(ConfName::resolve),
            pointer: self.pointer.as_deref().map(lossy),
            payload,
            max_body: self.max_body.map(usize::from),
        }
    }

    fn build(&self, c: &Config) -> Result<Verifier, ConfigError> {
        let (first, rest) = c.secrets.split_first().ok_or(ConfigError::NoSecret)?;
        let mut b = Verifier::hmac(c.name.clone(), first.as_slice())
            .secrets(rest.iter().map(Vec::as_slice))
            .algorithm(match c.alg {
                Alg::Sha1 => Algorithm::Sha1,
                Alg::Sha256 => Algorithm::Sha256,
                Alg::Sha512 => Algorithm::Sha512,
            })
            .encoding(if c.base64 {
                Encoding::Base64
            } else {
                Encoding::Hex
            });
        if c.allow_sha1 {
            b = b.allow_insecure_sha1();
        }
        if let Some(h) = &c.header {
            b = b.signature_header(h.clone());
        }
        if let Some(p) = &self.prefix {
            b = b.signature_prefix(String::from_utf8_lossy(p).into_owned());
        }
        if let Some(s) = c.separator {
            b = b.signature_separator(s);
        }
        if let Some(h) = &c.ts {
            b = b.timestamp_header(h.clone());
        }
        if let Some(h) = &c.id {
            b = b.event_id_header(h.clone());
        }
        if let Some(p) = &c.pointer {
            b = b.event_id_json_pointer(p.clone());
        }
        if self.payload.is_some() {
            b = b.signed_payload(c.payload.clone());
        }
        if let Some(sep) = &self.shorthand {
            b = b.sign_timestamp_then_body(&String::from_utf8_lossy(sep));
        }
        if let Some(t) = self.tolerance {
            b = b.tolerance(Duration::from_secs(t));
        }
        if let Some(m) = c.max_body {
            b = b.max_body_size(m);
        }
        if self.skip_timestamp {
            b = b.dangerous().skip_timestamp_check();
        }
        b.build()
    }
}

/// RFC 9110 token characters (what a header name may be made of).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 1 << 16
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn alphabet(base64: bool) -> &'static [u8] {
    if base64 {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    } else {
        b"0123456789abcdefABCDEF"
    }
}

/// Every documented rule the configuration breaks.
fn violations(c: &Config) -> Vec<ConfigError> {
    let mut v = Vec::new();
    for (index, s) in c.secrets.iter().enumerate() {
        if s.is_empty() {
            v.push(ConfigError::EmptySecret { index });
        }
    }
    if c.max_body == Some(0) {
        v.push(ConfigError::ZeroBodyLimit);
    }
    if c.alg == Alg::Sha1 && !c.allow_sha1 {
        v.push(ConfigError::Sha1NotAllowed);
    }
    if c.header.is_none() {
        v.push(ConfigError::NoSignatureHeader);
    }
    let mut names: Vec<&String> = c.header.iter().chain(&c.ts).chain(&c.id).collect();
    for p in &c.payload {
        if let Signed::Header(n) = p {
            names.push(n);
        }
    }
    for n in names {
        if !valid_name(n) {
            v.push(ConfigError::InvalidHeaderName(n.clone()));
        }
    }
    if !c.prefix.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        v.push(ConfigError::InvalidSignatureSyntax);
    }
    if let Some(sep) = c.separator {
        let bad = !sep.is_ascii()
            || sep.is_ascii_control()
            || c.prefix.contains(sep)
            || u8::try_from(sep).is_ok_and(|b| alphabet(c.base64).contains(&b));
        if bad {
            v.push(ConfigError::InvalidSignatureSyntax);
        }
    }
    if c.payload.iter().filter(|p| **p == Signed::Body).count() != 1 {
        v.push(ConfigError::BodyNotSigned);
    }
    if c.payload.contains(&Signed::Timestamp) && c.ts.is_none() {
        v.push(ConfigError::NoTimestampHeader);
    }
    if c.payload.contains(&Signed::EventId) && c.id.is_none() {
        v.push(ConfigError::NoEventIdHeader);
    }
    v
}

/// Any generic-HMAC configuration through `build()`.
///
/// Properties: no panic; `Err(e)` only if the configuration breaks the rule `e` names; `Ok` only
/// if it breaks none; a configuration that builds accepts a request signed as it describes
/// (rotation and several signatures in the header included) and refuses it with one MAC bit
/// flipped.
pub fn hmac_builder(data: &[u8]) -> Outcome {
    let Ok(input) = BuilderInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return Ok(());
    };
    check(&input).map_err(|f| Finding(format!("{f}\ninput: {input:?}")))
}

fn check(input: &BuilderInput) -> Outcome {
    let config = input.config();
    let broken = violations(&config);
    match input.build(&config) {
        Err(e) => ensure!(
            broken.contains(&e),
            "build() refused with {e:?}, but the rules broken are {broken:?}"
        ),
        Ok(verifier) => {
            ensure!(
                broken.is_empty(),
                "build() accepted a configuration that breaks {broken:?}"
            );
            round_trip(input, &config, &verifier)?;
        }
    }
    Ok(())
}

fn lower(n: &str) -> String {
    n.to_ascii_lowercase()
}

/// Signs a request as the configuration describes and checks the verifier's answer.
fn round_trip(input: &BuilderInput, c: &Config, verifier: &Verifier) -> Outcome {
    let sig_name = c.header.clone().unwrap_or_default();
    // Header values by (lower-case) name; later entries win, like one header map.
    let mut values: Vec<(String, Vec<u8>)> = Vec::new();
    let mut set = |name: &str, value: Vec<u8>| {
        let name = lower(name);
        values.retain(|(n, _)| *n != name);
        values.push((name, value));
    };
    for (i, p) in c.payload.iter().enumerate() {
        if let Signed::Header(n) = p {
            set(n, format!("value-{i}").into_bytes());
        }
    }
    let mut id: Vec<u8> = input
        .id
        .iter()
        .copied()
        .filter(|b| (0x21..0x7f).contains(b))
        .collect();
    if id.is_empty() {
        id.extend_from_slice(b"evt");
    }
    if let Some(h) = &c.id {
        set(h, id);
    }
    if let Some(h) = &c.ts {
        set(h, BASE.to_string().into_bytes());
    }
    // A signature header that is also a signed or timestamp header cannot be signed.
    if values.iter().any(|(n, _)| *n == lower(&sig_name)) {
        return Ok(());
    }
    let get = |name: &str| {
        let name = lower(name);
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut signed: Vec<Vec<u8>> = Vec::new();
    for p in &c.payload {
        signed.push(match p {
            Signed::Body => input.body.clone(),
            Signed::Timestamp => get(c.ts.as_deref().unwrap_or_default()),
            Signed::EventId => get(c.id.as_deref().unwrap_or_default()),
            Signed::Header(n) => get(n),
            Signed::Literal(l) => l.clone().into_bytes(),
        });
    }
    let parts: Vec<&[u8]> = signed.iter().map(Vec::as_slice).collect();
    // Signed with the last secret; the verifier reports the first secret with the same MAC
    // (HMAC keys that differ only by trailing zero bytes are the same key).
    let signer = c.secrets.len().saturating_sub(1);
    let secret = c.secrets.get(signer).cloned().unwrap_or_default();
    let tag = oracle::mac(c.alg, &secret, &parts);
    let expect_index = c
        .secrets
        .iter()
        .position(|s| oracle::mac(c.alg, s, &parts) == tag)
        .unwrap_or(signer);
    let encode = |t: &[u8]| {
        let e = if c.base64 {
            oracle::b64_encode(t)
        } else {
            oracle::hex_encode(t)
        };
        format!("{}{e}", c.prefix)
    };
    let sig_value = |t: &[u8]| match c.separator {
        // Several signatures: a well-formed one that matches nothing, then the real one.
        Some(sep) => format!("{}{sep}{}", encode(&vec![0; t.len()]), encode(t)),
        None => encode(t),
    };
    let mut headers = values.clone();
    headers.push((sig_name.clone(), sig_value(&tag).into_bytes()));
    let too_large = input.body.len() > verifier.max_body_size();

    let result = verifier.verify_at(&headers[..], &input.body, BASE);
    super::core::agree(verifier, &headers[..], &input.body, BASE, &result)?;
    match &result {
        Err(e) if too_large => ensure!(
            e.kind() == ErrorKind::BodyTooLarge,
            "oversized body refused with {:?}",
            e.kind()
        ),
        Err(e) => {
            return Err(Finding(format!(
                "built configuration refused its own signed request: {:?} ({e})",
                e.kind()
            )))
        }
        Ok(v) => {
            ensure!(!too_large, "oversized body accepted");
            ensure!(
                v.secret_index() == expect_index,
                "secret index {} instead of {expect_index}",
                v.secret_index()
            );
            ensure!(
                v.timestamp() == c.ts.as_ref().map(|_| BASE),
                "timestamp {:?}",
                v.timestamp()
            );
            ensure!(v.provider().name() == c.name, "provider name");
            let _ = v.event_id();
            let _ = v.event_id_in(&input.body);
        }
    }

    let mut flipped = tag.clone();
    if let Some(b) = flipped.first_mut() {
        *b ^= 1;
    }
    if let Some(last) = headers.last_mut() {
        last.1 = sig_value(&flipped).into_bytes();
    }
    let forged = verifier.verify_at(&headers[..], &input.body, BASE);
    ensure!(
        forged.is_err(),
        "accepted a request whose MAC has a flipped bit"
    );
    super::core::agree(verifier, &headers[..], &input.body, BASE, &forged)?;
    Ok(())
}
