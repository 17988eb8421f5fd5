//! One harness per signature-header syntax. The input is the raw header value.
//!
//! Each harness compares the library's parser and signature decoder with a naive model of the
//! documented syntax, then sends the value through the full verifier (every other header fixed
//! and valid) and checks that the outcome, an error kind or success, is the one the model
//! predicts. Success additionally requires the independent [`oracle`] MAC check.

use super::oracle::{self, List, Prov, SignWith, Spec, BASE, TOLERANCE};
use super::{ensure, Finding, Outcome};
use crate::providers::{self, DecodeBuf, Encoding};
use crate::ErrorKind;

/// The body every parser harness signs.
pub const BODY: &[u8] = br#"{"id":"evt_fuzz","event_id":"evt_fuzz","type":"fuzz"}"#;
/// The event id header value.
pub const ID: &[u8] = b"msg_fuzz";
/// The extra signed header value (generic).
pub const EXTRA: &[u8] = b"extra-value";

/// `Stripe-Signature` values.
pub fn stripe_signature(data: &[u8]) -> Outcome {
    let spec = scheme(Prov::Stripe, 0)?;
    // Internal parser against the model.
    let parsed = providers::stripe::parse(data, providers::stripe::STRIPE);
    let model = stripe_syntax(data);
    ensure!(
        parsed.is_ok() == model.is_some(),
        "stripe::parse {:?}, model {:?}",
        parsed.map(|p| p.timestamp),
        model
    );
    if let (Ok(p), Some(t)) = (parsed, model) {
        ensure!(p.timestamp == t, "stripe::parse timestamp");
        let got: Vec<&[u8]> = p.candidates().collect();
        ensure!(
            got == oracle::candidates(List::Stripe, data),
            "stripe candidates"
        );
        // The single pass the verifier uses hands over the same signatures.
        let mut seen = Vec::new();
        let with = providers::stripe::parse_with(data, providers::stripe::STRIPE, |c| seen.push(c));
        ensure!(
            with.is_ok() && seen == got,
            "stripe::parse_with disagrees with parse + candidates"
        );
    } else {
        ensure!(
            providers::stripe::parse_with(data, providers::stripe::STRIPE, |_| {}).is_err(),
            "stripe::parse_with accepted what parse refused"
        );
    }
    // Verify at the signed time when there is one, so that the MAC is what decides.
    let now = model.and_then(oracle::timestamp).unwrap_or(BASE);
    through_verifier(Prov::Stripe, 0, &spec, data, now)
}

/// `webhook-signature` values (Standard Webhooks).
pub fn standard_signature(data: &[u8]) -> Outcome {
    let spec = scheme(Prov::Standard, 0)?;
    let syntax = providers::standard::check_syntax(data).is_ok();
    ensure!(
        syntax == words_syntax(data),
        "standard::check_syntax {syntax}, model disagrees"
    );
    if syntax {
        let got: Vec<&[u8]> = providers::standard::candidates(data, b"v1")
            .collect::<Result<_, _>>()
            .map_err(|_| Finding("standard::candidates failed after check_syntax".into()))?;
        ensure!(
            got == oracle::candidates(List::Words, data),
            "standard candidates"
        );
    }
    // The single pass the verifier uses: same verdict, same `v1` signatures.
    let mut seen = Vec::new();
    let with = providers::standard::check_syntax_with(data, |c| seen.push(c)).is_ok();
    ensure!(with == syntax, "standard::check_syntax_with verdict");
    if with {
        ensure!(
            seen == oracle::candidates(List::Words, data),
            "standard::check_syntax_with candidates"
        );
    }
    through_verifier(Prov::Standard, 0, &spec, data, BASE)
}

/// GitHub `sha256=<hex>`, GitHub legacy `sha1=<hex>` and Slack `v0=<hex>` values.
pub fn prefixed_hex(data: &[u8]) -> Outcome {
    let github = scheme(Prov::GitHub, 0)?;
    let legacy = scheme(Prov::GitHubLegacy, 1)?;
    let slack = scheme(Prov::Slack, 0)?;
    for spec in [&github, &legacy, &slack] {
        simple_parser(spec, data)?;
    }
    through_verifier(Prov::GitHub, 0, &github, data, BASE)?;
    through_verifier(Prov::GitHubLegacy, 1, &legacy, data, BASE)?;
    through_verifier(Prov::Slack, 0, &slack, data, BASE)
}

/// Shopify `<base64>` values.
pub fn shopify_base64(data: &[u8]) -> Outcome {
    let spec = scheme(Prov::Shopify, 0)?;
    simple_parser(&spec, data)?;
    through_verifier(Prov::Shopify, 0, &spec, data, BASE)
}

/// Generic HMAC values: `v1=<base64>[,v1=<base64>...]` (SHA-512) and a bare hex SHA-256.
pub fn generic_signature(data: &[u8]) -> Outcome {
    let generic = scheme(Prov::Generic, 0)?;
    let hex = scheme(Prov::HmacHex, 0)?;
    simple_parser(&generic, data)?;
    simple_parser(&hex, data)?;
    through_verifier(Prov::Generic, 0, &generic, data, BASE)?;
    through_verifier(Prov::HmacHex, 0, &hex, data, BASE)
}

fn scheme(prov: Prov, n: usize) -> Result<Spec, Finding> {
    oracle::schemes(prov)
        .get(n)
        .map(|(s, _)| *s)
        .ok_or_else(|| Finding(format!("no scheme {n} for {prov:?}")))
}

/// Model of the Stripe syntax: comma-separated `key=value` items (trimmed), every key
/// non-empty, exactly one `t`. Returns the `t` value.
fn stripe_syntax(value: &[u8]) -> Option<&[u8]> {
    pairs_syntax(value, b',', b"t")
}

/// Model of a `key=value` list (Stripe's, Paddle's): `separator`-separated items (trimmed),
/// every key non-empty, exactly one `timestamp` key. Returns its value.
pub(super) fn pairs_syntax<'v>(
    value: &'v [u8],
    separator: u8,
    timestamp: &[u8],
) -> Option<&'v [u8]> {
    let mut t = None;
    for item in value.split(|b| *b == separator).map(oracle::trim) {
        let eq = item.iter().position(|b| *b == b'=')?;
        let (key, rest) = item.split_at(eq);
        if key.is_empty() {
            return None;
        }
        if key == timestamp {
            if t.is_some() {
                return None;
            }
            t = rest.get(1..);
        }
    }
    t
}

/// Model of the Standard Webhooks syntax: at least one non-empty space-separated item, each
/// `<version>,<signature>`.
fn words_syntax(value: &[u8]) -> bool {
    let mut items = value.split(|b| *b == b' ').filter(|i| !i.is_empty());
    let mut any = false;
    items.all(|i| {
        any = true;
        i.contains(&b',')
    }) && any
}

/// The one-header syntaxes: the internal candidate list and decoder against the model.
fn simple_parser(spec: &Spec, value: &[u8]) -> Outcome {
    let (prefix, separator) = match spec.list {
        List::Single(p) => (p, None),
        List::Comma(p) => (p, Some(b',')),
        _ => return Err(Finding("not a one-header syntax".into())),
    };
    let got: Vec<_> = providers::simple::candidates(value, prefix.as_bytes(), separator).collect();
    let model = oracle::candidates(spec.list, value);
    match spec.list {
        List::Single(_) if model.is_empty() => ensure!(
            got.len() == 1 && got.iter().all(Result::is_err),
            "simple::candidates accepted a value without the prefix"
        ),
        _ => ensure!(
            got.iter().map(|r| r.ok()).collect::<Vec<_>>()
                == model.iter().map(|c| Some(*c)).collect::<Vec<_>>(),
            "simple::candidates {got:?}, model {model:?}"
        ),
    }
    for candidate in model {
        decoder(spec.base64, candidate)?;
    }
    Ok(())
}

/// The signature decoder against the independent codecs, for every MAC length.
fn decoder(base64: bool, candidate: &[u8]) -> Outcome {
    let encoding = if base64 {
        Encoding::Base64
    } else {
        Encoding::Hex
    };
    let model = if base64 {
        oracle::b64_decode(candidate)
    } else {
        oracle::hex_decode(candidate)
    };
    for len in [20, 32, 64] {
        let mut buf: DecodeBuf = [0; crate::mac::MAX_MAC_LEN];
        let got = providers::decode(encoding, candidate, len, &mut buf).map(<[u8]>::to_vec);
        let want = model.clone().filter(|m| m.len() == len);
        ensure!(
            got == want,
            "decode({encoding:?}, len {len}) = {got:?}, model {want:?}"
        );
    }
    Ok(())
}

/// What the verifier must answer for `value` in `spec.sig`, every other header valid.
fn expected(
    prov: Prov,
    spec: &Spec,
    value: &[u8],
    headers: &oracle::Headers,
    now: u64,
) -> Result<(), ErrorKind> {
    use ErrorKind::{InvalidSignature, MalformedHeader, TimestampInFuture, TimestampTooOld};
    if oracle::trim(value).is_empty() {
        return Err(MalformedHeader);
    }
    let syntax = match spec.list {
        List::Stripe => stripe_syntax(value).is_some(),
        List::Words => words_syntax(value),
        List::Single(prefix) => oracle::trim(value).starts_with(prefix.as_bytes()),
        List::Comma(_) => true,
    };
    if !syntax {
        return Err(MalformedHeader);
    }
    let ts_raw = match (spec.list, spec.ts) {
        (List::Stripe, _) => stripe_syntax(value),
        (_, Some(h)) => oracle::only(headers, h),
        (_, None) => None,
    };
    if let Some(raw) = ts_raw {
        let ts = oracle::timestamp(raw).ok_or(MalformedHeader)?;
        if ts > now.saturating_add(TOLERANCE) {
            return Err(TimestampInFuture);
        }
        if ts < now.saturating_sub(TOLERANCE) {
            return Err(TimestampTooOld);
        }
    }
    let candidates = oracle::candidates(spec.list, value);
    let decodes = |c: &&[u8]| {
        let decoded = if spec.base64 {
            oracle::b64_decode(c)
        } else {
            oracle::hex_decode(c)
        };
        decoded.is_some_and(|d| d.len() == spec.alg.mac_len())
    };
    if candidates.len() > providers::MAX_CANDIDATES || !candidates.iter().all(decodes) {
        return Err(MalformedHeader);
    }
    if candidates.is_empty() {
        return Err(InvalidSignature);
    }
    let fixture = oracle::fixture(prov).map_err(|_| InvalidSignature)?;
    if oracle::accepts(prov, &fixture.keys, headers, BODY, now, now).is_empty() {
        return Err(InvalidSignature);
    }
    Ok(())
}

/// A delivery correctly signed for `prov` (style as in [`SignWith`]) with `value` in place of
/// the signature header, through the fixture's verifier.
fn through_verifier(prov: Prov, style: u8, spec: &Spec, value: &[u8], now: u64) -> Outcome {
    let fixture = oracle::fixture(prov)?;
    let key = oracle::key(prov, 0);
    let mut headers = oracle::sign(&SignWith {
        prov,
        style,
        key: &key,
        ts: BASE,
        id: ID,
        extra: EXTRA,
        body: BODY,
    });
    let slot = headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(spec.sig))
        .ok_or_else(|| Finding(format!("{prov:?}: no {} header signed", spec.sig)))?;
    slot.1 = value.to_vec();
    let answer = fixture.verifier.verify_at(&headers[..], BODY, now);
    super::core::agree(&fixture.verifier, &headers[..], BODY, now, &answer)?;
    let got = answer.map(|_| ()).map_err(|e| e.kind());
    let want = expected(prov, spec, value, &headers, now);
    ensure!(
        got == want,
        "{prov:?} {}: verifier says {got:?}, model says {want:?}",
        spec.sig
    );
    Ok(())
}
