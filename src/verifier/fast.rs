//! The common delivery, verified without the general path's machinery.
//!
//! Nearly every delivery a preset sees has one shape: each header the scheme reads present
//! once, one signature in it, a fresh timestamp. [`Verifier::verify_fast_parts`] handles
//! exactly that shape in one straight pass (one header look-up, the signature decoded into a
//! local buffer, the MAC fed with direct calls) and hands **everything else** back to the
//! general path (`None`), which then decides the outcome as it always has: a missing, repeated
//! or blank header, an alias family (`svix-*`, GitHub's legacy header), a header carrying
//! several signatures, anything that does not parse or decode, a timestamp out of the window.
//!
//! So the fast path only ever answers in two cases, each one the general path's answer for
//! the same request: the facts of a delivery whose signature matched, or
//! [`ErrorKind::InvalidSignature`] for a clean delivery whose signature matched no secret
//! (answered here so that a forged request costs one MAC per secret, not two). The property
//! test `fast_path_agrees_with_the_general_path` (below) and the fuzz harnesses (`verify_any`,
//! `hmac_builder`, the header-syntax and Paddle targets, each through `__fuzz::core::agree`)
//! hold it to that.
//!
//! Which verifiers take it is decided once, when they are built ([`Inner::fast_eligible`]).

use super::{
    check_window, parse_timestamp, Check, EventId, Inner, Part, Scheme, TimestampFormat, Verified,
    Verifier,
};
use crate::error::{ErrorKind, VerifyError};
use crate::headers::{HeaderLookup, Lookup};
use crate::providers::{self, decode, DecodeBuf, Encoding};

impl Inner {
    /// Whether requests to this verifier may take [`Verifier::verify_fast_parts`]: an HMAC
    /// check of a payload made of the timestamp, the event id, literals and the body, with a
    /// unix timestamp, and no part of the scheme that the fast path does not read (signed
    /// headers, form parameters, URLs, a timestamp inside the body, several signatures per
    /// header).
    pub(crate) fn fast_eligible(&self) -> bool {
        let parts_ok = self.payload.iter().all(|part| {
            matches!(
                part,
                Part::Body | Part::Timestamp | Part::EventId | Part::Literal(_)
            )
        });
        let scheme_ok = match &self.scheme {
            Scheme::Simple {
                header,
                separator,
                timestamp,
                event_id,
                ..
            } => {
                // One look-up finds every name at once: they must be distinct.
                let distinct = timestamp.as_ref() != Some(header)
                    && event_id.as_ref() != Some(header)
                    && (timestamp.is_none() || timestamp != event_id);
                separator.is_none() && distinct
            }
            Scheme::Pairs { .. } | Scheme::Standard => true,
            Scheme::Token { .. } => false,
        };
        // Alias families (`svix-*`, GitHub's legacy `X-Hub-Signature`) need no test here: the
        // general path reads an alias only when the main header is missing, and the fast path
        // answers only when the main header is present once.
        matches!(self.check, Check::Hmac)
            && parts_ok
            && scheme_ok
            && !self.signs_headers
            && !self.signs_form
            && self.urls.is_empty()
            && self.body_timestamp.is_none()
            && self.timestamp_format == TimestampFormat::Unix
    }
}

/// What a header look-up found, when it is the common shape: present once, not blank.
///
/// By reference: the slots were just written a word at a time by the look-up, and copying
/// them out whole (16-byte loads) waited for those stores to land, where reading the words
/// takes them from the store buffer.
fn present<'a>(found: &Lookup<'a>) -> Option<&'a [u8]> {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    match *found {
        // A first byte that is not blank settles it (nearly every value); else every byte.
        Lookup::One(v) if v.first().is_some_and(|b| !blank(b)) || !v.iter().all(blank) => Some(v),
        _ => None,
    }
}

/// A `key=value` list that is exactly `<timestamp key>=<digits><separator><signature
/// key>=<rest>`: the timestamp's digits and the rest, which is the one signature when it
/// decodes (hex digits contain neither a separator nor a blank). The item-by-item parse reads
/// the same two values from such a value; anything else is left to it.
#[inline(always)]
fn exact_pair(value: &[u8], syntax: providers::stripe::Syntax) -> Option<(&[u8], &[u8])> {
    let rest = value.strip_prefix(syntax.timestamp)?.strip_prefix(b"=")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (timestamp, rest) = rest.split_at_checked(digits)?;
    let rest = rest.strip_prefix(&[syntax.separator])?;
    let sig = rest.strip_prefix(syntax.signature)?.strip_prefix(b"=")?;
    (digits > 0).then_some((timestamp, sig))
}

/// What the fast path found: a match, or a clean delivery whose signature matched no secret.
pub(super) enum FastAnswer<'h> {
    Matched(Matched<'h>),
    Forged(&'h http::HeaderName),
}

/// The parts of [`Verified`] that the fast path found.
pub(super) struct Matched<'h> {
    secret_index: usize,
    fingerprint: crate::mac::Fingerprint,
    timestamp: Option<u64>,
    event_id: Option<&'h [u8]>,
}

/// The general path's answer to a clean delivery whose signature matched no secret.
pub(super) fn forged(header: &http::HeaderName) -> VerifyError {
    VerifyError::with_header(ErrorKind::InvalidSignature, header)
}

/// The located parts of a common delivery.
struct Common<'h> {
    sig_header: &'h http::HeaderName,
    /// The one signature, still encoded.
    signature: &'h [u8],
    encoding: Encoding,
    timestamp: Option<&'h [u8]>,
    event_id: Option<&'h [u8]>,
}

impl Verifier {
    /// The common delivery of an eligible verifier (see the module docs): `Some` with the
    /// general path's own answer, or `None` to let the general path decide. What
    /// [`Verifier::verify_at`] does with [`verify_fast_parts`](Self::verify_fast_parts), as
    /// one function for the tests.
    #[cfg(test)]
    pub(super) fn verify_fast<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: u64,
    ) -> Option<Result<Verified, VerifyError>> {
        Some(match self.verify_fast_parts(headers, body, now)? {
            FastAnswer::Matched(m) => Ok(self.fast_verified(m)),
            FastAnswer::Forged(header) => Err(forged(header)),
        })
    }

    /// The fast path's answer for the common delivery of an eligible verifier, `None` to let
    /// the general path decide. A match comes back as its parts, and the caller builds
    /// `Verified` in its own return value ([`fast_verified`](Self::fast_verified)): built here
    /// and returned through an `Option`, it was copied twice on the way out, the event id's
    /// bytes read back right after they were written.
    #[inline(always)]
    pub(super) fn verify_fast_parts<'s, 'h, H: HeaderLookup + ?Sized>(
        &'s self,
        headers: &'h H,
        body: &[u8],
        now: u64,
    ) -> Option<FastAnswer<'h>>
    where
        's: 'h,
    {
        let inner = &*self.inner;
        let out_len = inner.keys.algorithm().output_len();
        let common = self.locate_common(headers, out_len)?;

        let payload = super::Payload {
            body,
            timestamp: common.timestamp.unwrap_or_default(),
            event_id: common.event_id.unwrap_or_default(),
            url: &[],
            form: None,
            // Never called: an eligible payload signs no header.
            header: &|_| &[],
        };
        // The one signature, decoded in place: a 64-byte buffer moved along with the other
        // parts cost a copy (and a stalled load of bytes just stored) per request.
        let mut candidate: DecodeBuf = [0; crate::mac::MAX_MAC_LEN];
        let candidate = decode(common.encoding, common.signature, out_len, &mut candidate)?;

        // The first block, gathered ahead of the timestamp's checks rather than inside the MAC:
        // its stores have time to reach the cache before the MAC reads it (`Gathered`).
        // (Gathered before the decoding too, it measured worse for Standard Webhooks.)
        let gathered = crate::mac::Gathered::new(payload.pieces(&inner.payload)?);

        // The timestamp: plain digits inside the window, or the general path says why not.
        let timestamp = match common.timestamp {
            Some(raw) => {
                let ts = parse_timestamp(raw)?;
                check_window(inner.tolerance, ts, now).ok()?;
                Some(ts)
            }
            None => None,
        };

        let mut fingerprint = [0; 16];
        let matched = inner.keys.find_match_one(
            &crate::mac::Message::Gathered(&gathered),
            candidate,
            &mut fingerprint,
        );
        Some(match matched {
            Some(secret_index) => FastAnswer::Matched(Matched {
                secret_index,
                fingerprint,
                timestamp,
                event_id: common.event_id,
            }),
            None => FastAnswer::Forged(common.sig_header),
        })
    }

    /// The facts of a delivery the fast path verified.
    #[inline(always)]
    pub(super) fn fast_verified(&self, m: Matched<'_>) -> Verified {
        let inner = &*self.inner;
        let mut v = Verified {
            provider: inner.provider.clone(),
            event_id: match (&inner.body_id, m.event_id) {
                (Some(b), None) => EventId::InBody {
                    pointer: b.pointer.clone(),
                    cell: std::sync::OnceLock::new(),
                },
                _ => EventId::None,
            },
            timestamp: m.timestamp,
            // An eligible verifier checks HMACs only: positions are the secrets' own.
            secret_index: m.secret_index,
            fingerprint: Some(m.fingerprint),
            origin: self.origin(),
            body: None,
        };
        if let Some(raw) = m.event_id {
            EventId::write_from_header(&mut v.event_id, raw);
        }
        v
    }

    /// Finds the scheme's headers in one look-up and its one signature, still encoded (the
    /// caller decodes it: `None` there too for anything that does not decode to `out_len`
    /// bytes); `None` for anything but the common shape.
    #[inline(always)]
    fn locate_common<'s, 'h, H: HeaderLookup + ?Sized>(
        &'s self,
        headers: &'h H,
        out_len: usize,
    ) -> Option<Common<'h>>
    where
        's: 'h,
    {
        let inner = &*self.inner;
        match &inner.scheme {
            Scheme::Standard => {
                let [names, _] = super::standard_names();
                let mut found = [Lookup::Missing; 3];
                headers.lookup_names(&[&names.signature, &names.id, &names.timestamp], &mut found);
                let [signature, id, ts] = &found;
                let (signature, id, ts) = (present(signature)?, present(id)?, present(ts)?);
                // Exactly one `v1` signature, nothing around it: a second signature or a blank
                // is not base64, so the decoding refuses it.
                let sig = signature.strip_prefix(b"v1,")?;
                Some(Common {
                    sig_header: &names.signature,
                    signature: sig,
                    encoding: Encoding::Base64,
                    timestamp: Some(ts),
                    event_id: Some(id),
                })
            }
            Scheme::Pairs { header, syntax } => {
                let mut found = [Lookup::Missing; 1];
                headers.lookup_names(&[header], &mut found);
                let [value] = &found;
                let value = present(value)?;
                // The shape of nearly every delivery, `t=<digits>,v1=<signature>` and nothing
                // else, is read without the item-by-item parse below. With exactly as many
                // characters as the MAC has hex digits, the rest is the one signature the parse
                // would find (a separator and a second item would not fit), so its decoding can
                // wait for the caller.
                if let Some((timestamp, sig)) = exact_pair(value, *syntax) {
                    if Some(sig.len()) == out_len.checked_mul(2) {
                        return Some(Common {
                            sig_header: header,
                            signature: sig,
                            encoding: Encoding::Hex,
                            timestamp: Some(timestamp),
                            event_id: None,
                        });
                    }
                }
                let mut count = 0usize;
                let mut first: &[u8] = &[];
                let parsed = providers::stripe::parse_with(value, *syntax, |c| {
                    count += 1;
                    if count == 1 {
                        first = c;
                    }
                })
                .ok()?;
                if count != 1 {
                    return None;
                }
                Some(Common {
                    sig_header: header,
                    signature: first,
                    encoding: Encoding::Hex,
                    timestamp: Some(parsed.timestamp),
                    event_id: None,
                })
            }
            Scheme::Simple {
                header,
                prefix,
                encoding,
                timestamp,
                event_id,
                ..
            } => {
                let mut names = [header; 3];
                let mut len = 1;
                for name in [timestamp, event_id].into_iter().flatten() {
                    if let Some(slot) = names.get_mut(len) {
                        *slot = name;
                        len += 1;
                    }
                }
                let mut found = [Lookup::Missing; 3];
                headers.lookup_names(names.get(..len).unwrap_or(&names), &mut found);
                let [sig, second, third] = &found;
                let (ts_found, id_found) = match timestamp {
                    Some(_) => (Some(second), third),
                    None => (None, second),
                };
                let value = providers::trim(present(sig)?);
                let sig = if prefix.is_empty() {
                    value
                } else {
                    value.strip_prefix(&**prefix)?
                };
                let ts = match ts_found {
                    Some(found) => Some(present(found)?),
                    None => None,
                };
                Some(Common {
                    sig_header: header,
                    signature: sig,
                    encoding: *encoding,
                    timestamp: ts,
                    // As the general path reads it: an id header sent twice is no id.
                    event_id: match id_found {
                        Lookup::One(v) if event_id.is_some() => Some(*v),
                        _ => None,
                    },
                })
            }
            Scheme::Token { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, Signed, Signer};
    use proptest::prelude::*;

    const NOW: u64 = 1_700_000_000;

    /// Every eligible shape of configuration, each with a signer for it.
    fn cases() -> Vec<(&'static str, Verifier, Signer)> {
        let hmac = || {
            Verifier::hmac("acme", "acme-secret")
                .signature_header("x-acme-signature")
                .signature_prefix("sha256=")
        };
        let mut out: Vec<(&'static str, Verifier, Signer)> = Vec::new();
        macro_rules! case {
            ($name:expr, $builder:expr) => {
                out.push((
                    $name,
                    $builder.clone().build().unwrap(),
                    $builder.build_signer().unwrap(),
                ))
            };
        }
        case!("stripe", Verifier::stripe("whsec_a").secret("whsec_b"));
        case!("github", Verifier::github("gh"));
        case!("github-legacy", Verifier::github("gh").allow_legacy_sha1());
        case!(
            "standard",
            Verifier::standard_webhooks("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        );
        case!("slack", Verifier::slack("sl"));
        case!("shopify", Verifier::shopify("sh"));
        case!("paddle", Verifier::paddle("pdl_ntfset_key"));
        case!("hmac", hmac());
        case!(
            "hmac-ts-id",
            hmac()
                .timestamp_header("x-acme-time")
                .event_id_header("x-acme-id")
                .signed_payload([
                    Signed::EventId,
                    Signed::Literal(":".into()),
                    Signed::Timestamp,
                    Signed::Literal(":".into()),
                    Signed::Body,
                ])
        );
        case!(
            "hmac-base64-sha512",
            hmac()
                .signature_prefix("")
                .encoding(Encoding::Base64)
                .algorithm(Algorithm::Sha512)
                .event_id_header("x-acme-id")
        );
        case!(
            "no-window",
            Verifier::slack("sl").dangerous().skip_timestamp_check()
        );
        out
    }

    /// One change to a delivery.
    #[derive(Debug, Clone)]
    enum Edit {
        Drop(usize),
        Repeat(usize),
        SetByte(usize, usize, u8),
        Cut(usize, usize),
        Insert(usize, usize, u8),
        Body(usize, u8),
        Rename(usize, u8),
        Extra(Vec<u8>),
        Replace(usize, Vec<u8>),
        Upper(usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (0..6usize).prop_map(Edit::Drop),
            (0..6usize).prop_map(Edit::Repeat),
            (0..6usize, 0..80usize, any::<u8>()).prop_map(|(h, at, b)| Edit::SetByte(h, at, b)),
            (0..6usize, 0..80usize).prop_map(|(h, at)| Edit::Cut(h, at)),
            (
                0..6usize,
                0..80usize,
                prop::sample::select(b" \t,=.;v1tx".to_vec())
            )
                .prop_map(|(h, at, b)| Edit::Insert(h, at, b)),
            (0..40usize, any::<u8>()).prop_map(|(at, b)| Edit::Body(at, b)),
            (0..6usize, any::<u8>()).prop_map(|(h, b)| Edit::Rename(h, b)),
            prop::collection::vec(any::<u8>(), 0..12).prop_map(Edit::Extra),
            (0..6usize, value()).prop_map(|(h, v)| Edit::Replace(h, v)),
            (0..6usize).prop_map(Edit::Upper),
        ]
    }

    /// A whole header value: arbitrary bytes, or one of the shapes a parser may take wrong
    /// (long, leading-zero or signed timestamps, extra signature items, blanks).
    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..24),
            prop::sample::select(vec![
                b"00000000000000000001".to_vec(),
                b"18446744073709551616".to_vec(),
                b"0001700000000".to_vec(),
                b"+1700000000".to_vec(),
                b"-1".to_vec(),
                b"".to_vec(),
                b" \t ".to_vec(),
                b"v1a,AAAA v1,AAAA".to_vec(),
                b"t=1700000000,v1=00,v1=00".to_vec(),
                b"ts=1700000000;h1=00;h1=00".to_vec(),
                b"sha256=".to_vec(),
                b"v0=".to_vec(),
            ]),
        ]
    }

    fn apply(headers: &mut Vec<(String, Vec<u8>)>, body: &mut [u8], edit: &Edit) {
        let n = headers.len().max(1);
        match edit {
            Edit::Drop(h) if !headers.is_empty() => {
                headers.remove(h % n);
            }
            Edit::Repeat(h) if !headers.is_empty() => {
                let copy = headers[h % n].clone();
                headers.push(copy);
            }
            Edit::SetByte(h, at, b) if !headers.is_empty() => {
                let v = &mut headers[h % n].1;
                if !v.is_empty() {
                    let i = at % v.len();
                    v[i] = *b;
                }
            }
            Edit::Cut(h, at) if !headers.is_empty() => {
                let v = &mut headers[h % n].1;
                v.truncate(at % (v.len() + 1));
            }
            Edit::Insert(h, at, b) if !headers.is_empty() => {
                let v = &mut headers[h % n].1;
                let i = at % (v.len() + 1);
                v.insert(i, *b);
            }
            Edit::Body(at, b) if !body.is_empty() => {
                let i = at % body.len();
                body[i] = *b;
            }
            Edit::Rename(h, b) if !headers.is_empty() => {
                // Another name, or the `svix-` alias of a `webhook-` one.
                let name = &mut headers[h % n].0;
                *name = match name.strip_prefix("webhook-") {
                    Some(rest) if b % 2 == 0 => format!("svix-{rest}"),
                    _ => format!("{name}{}", char::from(b'a' + b % 26)),
                };
            }
            Edit::Extra(value) => headers.push(("x-extra".into(), value.clone())),
            Edit::Replace(h, value) if !headers.is_empty() => {
                headers[h % n].1 = value.clone();
            }
            Edit::Upper(h) if !headers.is_empty() => {
                headers[h % n].1.make_ascii_uppercase();
            }
            _ => {}
        }
    }

    /// Checks one delivery through both header representations: the fast path, when it
    /// answers, answers what the general path does. Returns whether it answered.
    fn check(v: &Verifier, headers: &[(String, Vec<u8>)], body: &[u8], now: u64) -> bool {
        let mut answered = false;
        if let Some(fast) = v.verify_fast(headers, body, now) {
            let general = v.verify_general(headers, body, now);
            assert!(
                crate::verifier::same_answer(&fast, &general),
                "slice {headers:?}: {:?} vs {:?}",
                fast.as_ref().err(),
                general.as_ref().err()
            );
            answered = true;
        }
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            match (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_bytes(value),
            ) {
                (Ok(n), Ok(v)) => {
                    map.append(n, v);
                }
                _ => return answered,
            }
        }
        if let Some(fast) = v.verify_fast(&map, body, now) {
            let general = v.verify_general(&map, body, now);
            assert!(
                crate::verifier::same_answer(&fast, &general),
                "map {headers:?}: {:?} vs {:?}",
                fast.as_ref().err(),
                general.as_ref().err()
            );
            answered = true;
        }
        answered
    }

    fn delivery(signer: &Signer, body: &[u8], ts: u64) -> Vec<(String, Vec<u8>)> {
        delivery_with_id(signer, body, ts, "evt_0123456789")
    }

    fn delivery_with_id(signer: &Signer, body: &[u8], ts: u64, id: &str) -> Vec<(String, Vec<u8>)> {
        signer
            .sign(body, ts, id)
            .unwrap()
            .into_iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn every_preset_shape_is_eligible_and_its_clean_delivery_takes_the_fast_path() {
        for (name, verifier, signer) in cases() {
            assert!(verifier.inner.fast, "{name}");
            let body = br#"{"id":"evt_1","type":"ping"}"#;
            let headers = delivery(&signer, body, NOW);
            let answer = verifier.verify_fast(&headers[..], body, NOW);
            assert!(matches!(answer, Some(Ok(_))), "{name}");
            assert!(check(&verifier, &headers, body, NOW), "{name}");
            // A forged body: the fast path refuses it, as the general path does.
            let answer = verifier.verify_fast(&headers[..], b"{}", NOW);
            assert!(
                matches!(&answer, Some(Err(e)) if e.kind() == ErrorKind::InvalidSignature),
                "{name}"
            );
        }
        // Not eligible: the general path only.
        for verifier in [
            Verifier::gitlab("t").build().unwrap(),
            Verifier::twilio("tok", "https://example.com/hook")
                .build()
                .unwrap(),
            Verifier::linear("lin").build().unwrap(),
        ] {
            assert!(!verifier.inner.fast, "{:?}", verifier.provider());
        }
    }

    /// `exact_pair` reads what the item-by-item parse reads, whenever the signature it finds
    /// is all hex digits (the only case in which the fast path uses it: anything else fails to
    /// decode and takes the parse).
    fn exact_pair_agrees(value: &[u8]) -> bool {
        use crate::providers::stripe::{parse_with, PADDLE, STRIPE};
        let mut used = false;
        for syntax in [STRIPE, PADDLE] {
            let Some((ts, sig)) = exact_pair(value, syntax) else {
                continue;
            };
            if sig.is_empty() || !sig.iter().all(u8::is_ascii_hexdigit) {
                continue;
            }
            let mut seen = Vec::new();
            let parsed = parse_with(value, syntax, |c| seen.push(c));
            assert_eq!(
                parsed.map(|h| h.timestamp).ok(),
                Some(ts),
                "{:?}",
                String::from_utf8_lossy(value)
            );
            assert_eq!(seen, vec![sig], "{:?}", String::from_utf8_lossy(value));
            used = true;
        }
        used
    }

    /// `plain` most of the time, else one of `others`.
    fn part(plain: &'static str, others: &[&'static str]) -> BoxedStrategy<&'static str> {
        prop_oneof![
            4 => Just(plain),
            1 => prop::sample::select(others.to_vec()),
        ]
        .boxed()
    }

    #[test]
    fn exact_pair_takes_only_the_plain_shape() {
        for good in [&b"t=1700000000,v1=0a1B"[..], b"ts=17;h1=ff"] {
            assert!(exact_pair_agrees(good), "{good:?}");
        }
        for other in [
            &b"t=1700000000,v1=aa,v0=bb"[..],
            b"t=1700000000, v1=aa",
            b" t=1,v1=aa",
            b"t=,v1=aa",
            b"t=1,t=2,v1=aa",
            b"t=1,v1=aa,v1=bb",
            b"t=1;v1=aa",
            b"v1=aa,t=1",
            b"t=1,v1=",
        ] {
            assert!(!exact_pair_agrees(other), "{other:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn exact_pair_agrees_with_the_item_parse(
            // The plain shape, each part replaced now and then by a near miss.
            parts in (
                part("", &[" ", ",", ";", "x"]),
                part("t", &["ts", "v1", "h1", "t "]),
                part("=", &[" =", "=="]),
                part("1700000000", &["0", "", "1 ", " 1", "1a", "17=1"]),
                part(",", &[";", " ,", ", ", ",,", ";;"]),
                part("v1", &["h1", "t", "ts", "v0", " v1"]),
                part("=", &["= ", "=="]),
                part("ab", &["F9", "ab ", "ab,v0=cd", "", "ab;h1=cd", "ab,t=1"]),
                part("", &[" ", ",", ";", ",v1=ab", ";h1=ab"]),
            ),
        ) {
            let (a, b, c, d, e, f, g, h, i) = parts;
            exact_pair_agrees([a, b, c, d, e, f, g, h, i].concat().as_bytes());
        }

        #[test]
        fn fast_path_agrees_with_the_general_path(
            case in 0..11usize,
            edits in prop::collection::vec(edit(), 0..3),
            skew in prop_oneof![
                Just(0i64),
                -400i64..400,
                prop::sample::select(vec![-301i64, -300, -299, 299, 300, 301]),
            ],
            // Ids kept inline (up to 48 bytes), built on the heap, and too long to keep (256).
            id_len in prop_oneof![Just(14usize), 1usize..300],
        ) {
            let cases = cases();
            let (_, verifier, signer) = &cases[case % cases.len()];
            let mut body = br#"{"id":"evt_1","object":"event","type":"ping"}"#.to_vec();
            let id: String = "evt_0123456789abcdefghijklmnopqrstuvwxyz"
                .chars()
                .cycle()
                .take(id_len)
                .collect();
            let mut headers = delivery_with_id(signer, &body, NOW, &id);
            for e in &edits {
                apply(&mut headers, &mut body, e);
            }
            let now = NOW.saturating_add_signed(skew);
            check(verifier, &headers, &body, now);
        }
    }
}
