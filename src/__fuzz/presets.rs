//! The other presets' own syntaxes: Paddle's `ts=..;h1=..` header, Twilio's form body, Twitch's
//! RFC 3339 timestamp and Discord's Ed25519 signature (feature `ed25519`).
//!
//! As in [`parsers`](super::parsers), each harness holds the library's parser against a naive
//! model written here from the provider's documentation, then sends a delivery that is correctly
//! signed *by the model* through the preset's verifier and checks the outcome the model predicts:
//! the error kind, or success with the verified facts. The MACs and the Ed25519 check are
//! computed here directly with `hmac`/`sha1`/`sha2`/`ed25519-dalek`, not through the library.

use std::sync::OnceLock;

use super::oracle::{self, Alg, BASE};
use super::parsers::BODY;
use super::{ensure, Finding, Outcome};
use crate::verifier::{parse_timestamp_as, TimestampFormat};
use crate::{providers, ErrorKind, Verified, Verifier};

/// A seed: target, name, bytes.
type Seed = (&'static str, String, Vec<u8>);

const PADDLE_KEY: &str = "pdl_ntfset_fuzz_secret_key";
/// Paddle's default tolerance (its SDKs' 5 s).
const PADDLE_TOLERANCE: u64 = 5;
const TWITCH_SECRET: &str = "twitch-fuzz-secret";
const TWITCH_ID: &[u8] = b"twitch-message-fuzz";
/// Twitch's default tolerance (10 minutes).
const TWITCH_TOLERANCE: u64 = 600;
const TWILIO_TOKEN: &str = "twilio-fuzz-auth-token";
const TWILIO_URL: &str = "https://example.com/twilio/sms?tenant=7";
const TWILIO_IDEMPOTENCY: &[u8] = b"idem-fuzz";

/// The preset verifiers, built once.
struct Verifiers {
    paddle: Verifier,
    twitch: Verifier,
    twilio: Verifier,
    #[cfg(feature = "ed25519")]
    discord: Verifier,
}

fn verifiers() -> Result<&'static Verifiers, Finding> {
    static ALL: OnceLock<Result<Verifiers, String>> = OnceLock::new();
    let built = ALL.get_or_init(|| {
        let err = |e: crate::ConfigError| e.to_string();
        Ok(Verifiers {
            paddle: Verifier::paddle(PADDLE_KEY).build().map_err(err)?,
            twitch: Verifier::twitch(TWITCH_SECRET).build().map_err(err)?,
            twilio: Verifier::twilio(TWILIO_TOKEN, TWILIO_URL)
                .build()
                .map_err(err)?,
            #[cfg(feature = "ed25519")]
            discord: Verifier::discord(oracle::hex_encode(
                discord_key().verifying_key().as_bytes(),
            ))
            .build()
            .map_err(err)?,
        })
    });
    built
        .as_ref()
        .map_err(|e| Finding(format!("preset verifiers: {e}")))
}

type Headers = Vec<(String, Vec<u8>)>;

fn header(name: &str, value: &[u8]) -> (String, Vec<u8>) {
    (name.to_owned(), value.to_vec())
}

fn verify(v: &Verifier, headers: &Headers, body: &[u8], now: u64) -> Result<Verified, ErrorKind> {
    v.verify_at(&headers[..], body, now).map_err(|e| e.kind())
}

fn kind(result: &Result<Verified, ErrorKind>) -> Result<(), ErrorKind> {
    result.as_ref().map(|_| ()).map_err(|k| *k)
}

// ---------------------------------------------------------------------------------------------
// Paddle.

/// Model of Paddle's syntax: `;`-separated `key=value` items (trimmed), every key non-empty,
/// exactly one `ts`. Returns the `ts` value.
fn paddle_syntax(value: &[u8]) -> Option<&[u8]> {
    super::parsers::pairs_syntax(value, b';', b"ts")
}

/// The `h1` signatures of a Paddle value, still encoded.
fn paddle_candidates(value: &[u8]) -> Vec<&[u8]> {
    value
        .split(|b| *b == b';')
        .map(oracle::trim)
        .filter_map(|i| i.strip_prefix(b"h1="))
        .collect()
}

/// What Paddle's verifier must answer for `value` at `now` (body [`BODY`]).
fn paddle_expected(value: &[u8], now: u64) -> Result<u64, ErrorKind> {
    use ErrorKind::{InvalidSignature, MalformedHeader, TimestampInFuture, TimestampTooOld};
    if oracle::trim(value).is_empty() {
        return Err(MalformedHeader);
    }
    let raw = paddle_syntax(value).ok_or(MalformedHeader)?;
    let ts = oracle::timestamp(raw).ok_or(MalformedHeader)?;
    if ts > now.saturating_add(PADDLE_TOLERANCE) {
        return Err(TimestampInFuture);
    }
    if ts < now.saturating_sub(PADDLE_TOLERANCE) {
        return Err(TimestampTooOld);
    }
    let candidates = paddle_candidates(value);
    let decoded: Vec<Option<Vec<u8>>> = candidates.iter().map(|c| oracle::hex_decode(c)).collect();
    if candidates.len() > providers::MAX_CANDIDATES
        || !decoded
            .iter()
            .all(|d| d.as_ref().is_some_and(|d| d.len() == 32))
    {
        return Err(MalformedHeader);
    }
    if candidates.is_empty() {
        return Err(InvalidSignature);
    }
    let want = oracle::mac(Alg::Sha256, PADDLE_KEY.as_bytes(), &[raw, b":", BODY]);
    if decoded.iter().flatten().any(|d| *d == want) {
        Ok(ts)
    } else {
        Err(InvalidSignature)
    }
}

/// `Paddle-Signature` values: the library's `;`-list parser against the model, then the value
/// through `Verifier::paddle` at the signed time and just outside its 5 s window.
pub fn paddle_signature(data: &[u8]) -> Outcome {
    let parsed = providers::stripe::parse(data, providers::stripe::PADDLE);
    let model = paddle_syntax(data);
    ensure!(
        parsed.is_ok() == model.is_some(),
        "paddle parse ok {}, model {model:?}",
        parsed.is_ok()
    );
    if let (Ok(p), Some(ts)) = (parsed, model) {
        ensure!(p.timestamp == ts, "paddle timestamp");
        let got: Vec<&[u8]> = p.candidates().collect();
        ensure!(got == paddle_candidates(data), "paddle candidates {got:?}");
    }
    let v = &verifiers()?.paddle;
    let headers = [header("Paddle-Signature", data)];
    let signed_at = model.and_then(oracle::timestamp).unwrap_or(BASE);
    for now in [
        signed_at,
        signed_at.saturating_add(PADDLE_TOLERANCE + 1),
        signed_at.saturating_sub(PADDLE_TOLERANCE + 1),
    ] {
        let answer = v.verify_at(&headers[..], BODY, now);
        super::core::agree(v, &headers[..], BODY, now, &answer)?;
        let got = answer.map_err(|e| e.kind());
        let want = paddle_expected(data, now);
        ensure!(
            kind(&got) == want.map(|_| ()),
            "paddle at {now}: verifier says {:?}, model says {want:?}",
            kind(&got)
        );
        if let (Ok(verified), Ok(ts)) = (&got, want) {
            ensure!(
                verified.timestamp() == Some(ts)
                    && verified.event_id_in(BODY).as_deref() == Some("evt_fuzz"),
                "paddle facts: {verified:?}"
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Twitch.

fn twitch_headers(timestamp: &[u8], signed_timestamp: &[u8]) -> Headers {
    let mac = oracle::mac(
        Alg::Sha256,
        TWITCH_SECRET.as_bytes(),
        &[TWITCH_ID, signed_timestamp, BODY],
    );
    vec![
        header("Twitch-Eventsub-Message-Id", TWITCH_ID),
        header("Twitch-Eventsub-Message-Timestamp", timestamp),
        header(
            "Twitch-Eventsub-Message-Signature",
            format!("sha256={}", oracle::hex_encode(&mac)).as_bytes(),
        ),
    ]
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Model of the plainest RFC 3339 form, `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` with every field in
/// range (no leap second), as unix seconds; `None` for anything else, including what RFC 3339
/// also allows (offsets, lower case, other fraction lengths): the model only claims these. A
/// time before 1970 is `Some(None)`: valid, but no unix timestamp the verifier takes.
fn plain_rfc3339(raw: &[u8]) -> Option<Option<u64>> {
    let s = std::str::from_utf8(raw).ok()?;
    let (main, frac) = match s.strip_suffix('Z')?.split_once('.') {
        Some((main, frac)) => (main, Some(frac)),
        None => (s.strip_suffix('Z')?, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let b = main.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if b.len() != shape.len()
        || !b.iter().zip(shape).all(|(c, s)| match s {
            b'd' => c.is_ascii_digit(),
            other => c == other,
        })
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| main.get(r).and_then(|t| t.parse::<i64>().ok());
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > days_in_month || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let t = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec;
    Some(u64::try_from(t).ok())
}

/// `Twitch-Eventsub-Message-Timestamp` values, signed exactly as sent: the RFC 3339 parser
/// against the model where the model speaks, and the verifier's answer at the parsed time and
/// just outside the 10-minute window on either side.
pub fn twitch_timestamp(data: &[u8]) -> Outcome {
    let parsed = parse_timestamp_as(TimestampFormat::Rfc3339, data);
    if let Some(model) = plain_rfc3339(data) {
        ensure!(
            parsed == model,
            "rfc 3339 parse {parsed:?}, model {model:?}"
        );
    }
    let v = &verifiers()?.twitch;
    let headers = twitch_headers(data, data);
    match parsed {
        None => {
            let got = kind(&verify(v, &headers, BODY, BASE));
            ensure!(
                got == Err(ErrorKind::MalformedHeader),
                "twitch with an unparsed timestamp: {got:?}"
            );
        }
        Some(ts) => {
            let got = verify(v, &headers, BODY, ts);
            match &got {
                Ok(verified) => ensure!(
                    verified.timestamp() == Some(ts)
                        && verified.event_id().map(str::as_bytes) == Some(TWITCH_ID),
                    "twitch facts: {verified:?}"
                ),
                Err(k) => ensure!(false, "twitch at the signed time: {k:?}"),
            }
            let old = kind(&verify(
                v,
                &headers,
                BODY,
                ts.saturating_add(TWITCH_TOLERANCE + 1),
            ));
            ensure!(
                old == Err(ErrorKind::TimestampTooOld),
                "twitch 601 s later: {old:?}"
            );
            if let Some(before) = ts.checked_sub(TWITCH_TOLERANCE + 1) {
                let early = kind(&verify(v, &headers, BODY, before));
                ensure!(
                    early == Err(ErrorKind::TimestampInFuture),
                    "twitch 601 s earlier: {early:?}"
                );
            }
            // Signed over a different timestamp string: refused, even if it means the same time.
            let other = twitch_headers(data, b"2023-11-14T22:13:20Z");
            if data != b"2023-11-14T22:13:20Z" {
                let got = kind(&verify(v, &other, BODY, ts));
                ensure!(
                    got == Err(ErrorKind::InvalidSignature),
                    "twitch signed over another timestamp string: {got:?}"
                );
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Twilio.

/// Decodes one form component (`+` is a space, `%XX` a byte); `None` on a bad escape or a
/// result that is not UTF-8.
fn form_component(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3)?;
                let byte = oracle::hex_decode(hex)?;
                out.extend_from_slice(&byte);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).ok().map(String::into_bytes)
}

/// Model of Twilio's signed form: `&`-separated `name=value` items (every item has a `=` and a
/// non-empty name), decoded, sorted by name then value, identical pairs once, written as
/// `{name}{value}`. An empty body is an empty form.
fn twilio_canonical(body: &[u8]) -> Option<Vec<u8>> {
    let mut pairs = Vec::new();
    if !body.is_empty() {
        for item in body.split(|b| *b == b'&') {
            let eq = item.iter().position(|b| *b == b'=')?;
            let (name, value) = (item.get(..eq)?, item.get(eq + 1..)?);
            if name.is_empty() {
                return None;
            }
            pairs.push((form_component(name)?, form_component(value)?));
        }
    }
    pairs.sort();
    pairs.dedup();
    Some(
        pairs
            .into_iter()
            .flat_map(|(n, v)| [n, v])
            .flatten()
            .collect(),
    )
}

fn twilio_headers(url: &str, canonical: &[u8]) -> Headers {
    let mac = oracle::mac(
        Alg::Sha1,
        TWILIO_TOKEN.as_bytes(),
        &[url.as_bytes(), canonical],
    );
    vec![
        header("X-Twilio-Signature", oracle::b64_encode(&mac).as_bytes()),
        header("I-Twilio-Idempotency-Token", TWILIO_IDEMPOTENCY),
    ]
}

/// Twilio form bodies: the library's strict form parser and canonical string against the
/// model, then the body through `Verifier::twilio` signed over the model's canonical string
/// (accepted exactly when the model parses the body) and over another URL (refused).
pub fn twilio_form(data: &[u8]) -> Outcome {
    let model = twilio_canonical(data);
    let parsed = providers::form::Form::parse(data).map(|form| {
        let mut out = Vec::new();
        form.feed(&mut |chunk| out.extend_from_slice(chunk));
        out
    });
    ensure!(
        parsed.as_ref().ok() == model.as_ref(),
        "form parse {parsed:?}, model {model:?}"
    );
    let v = &verifiers()?.twilio;
    let signed = model.clone().unwrap_or_else(|| data.to_vec());
    let got = verify(v, &twilio_headers(TWILIO_URL, &signed), data, BASE);
    match (&got, &model) {
        (Ok(verified), Some(_)) => ensure!(
            verified.event_id().map(str::as_bytes) == Some(TWILIO_IDEMPOTENCY),
            "twilio facts: {verified:?}"
        ),
        (Err(ErrorKind::MalformedBody), None) => {}
        (got, _) => ensure!(
            false,
            "twilio: verifier says {:?}, model parses: {}",
            kind(got),
            model.is_some()
        ),
    }
    let elsewhere = kind(&verify(
        v,
        &twilio_headers("https://example.com/other", &signed),
        data,
        BASE,
    ));
    let want = if model.is_some() {
        ErrorKind::InvalidSignature
    } else {
        ErrorKind::MalformedBody
    };
    ensure!(
        elsewhere == Err(want),
        "twilio signed for another URL: {elsewhere:?}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Discord (Ed25519).

#[cfg(feature = "ed25519")]
fn discord_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[0x5a; 32])
}

/// The timestamp every Discord delivery here carries (inside the window at [`BASE`]).
#[cfg(feature = "ed25519")]
const DISCORD_TS: &[u8] = b"1700000000";

/// `X-Signature-Ed25519` values: accepted exactly when the value (trimmed) is the hex of a
/// signature that `ed25519-dalek`'s `verify` accepts for the timestamp and body (the check
/// Discord's own examples make; the key is not weak, which the verifier checks at build time),
/// refused as malformed when it is not 64 bytes of hex.
#[cfg(feature = "ed25519")]
pub fn discord_signature(data: &[u8]) -> Outcome {
    use ed25519_dalek::Signature;
    let v = &verifiers()?.discord;
    let headers = vec![
        header("X-Signature-Ed25519", data),
        header("X-Signature-Timestamp", DISCORD_TS),
    ];
    let got = kind(&verify(v, &headers, BODY, BASE));
    let trimmed = oracle::trim(data);
    let want = if trimmed.is_empty() {
        Err(ErrorKind::MalformedHeader)
    } else {
        match oracle::hex_decode(trimmed).and_then(|b| <[u8; 64]>::try_from(b).ok()) {
            None => Err(ErrorKind::MalformedHeader),
            Some(bytes) => {
                let message = [DISCORD_TS, BODY].concat();
                let sig = Signature::from_bytes(&bytes);
                let key = discord_key().verifying_key();
                match ed25519_dalek::Verifier::verify(&key, &message, &sig) {
                    Ok(()) => Ok(()),
                    Err(_) => Err(ErrorKind::InvalidSignature),
                }
            }
        }
    };
    ensure!(
        got == want,
        "discord: verifier says {got:?}, model says {want:?}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Seeds.

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Seed values for every harness here.
pub fn seeds() -> Vec<Seed> {
    let mut out: Vec<Seed> = Vec::new();
    let mut add = |target: &'static str, name: &str, value: Vec<u8>| {
        out.push((target, name.to_owned(), value));
    };

    // Paddle.
    let ts = BASE.to_string().into_bytes();
    let h1 = |key: &str| {
        let mac = oracle::mac(Alg::Sha256, key.as_bytes(), &[&ts, b":", BODY]);
        cat(&[b"h1=", oracle::hex_encode(&mac).as_bytes()])
    };
    let good = h1(PADDLE_KEY);
    let other = h1("pdl_ntfset_some_other_key");
    let t = cat(&[b"ts=", &ts]);
    for (name, value) in [
        ("signed", cat(&[&t, b";", &good])),
        ("rotating", cat(&[&t, b";", &other, b";", &good])),
        ("signature-first", cat(&[&good, b";", &t])),
        ("spaces", cat(&[b" ", &t, b" ;\t", &good, b" "])),
        ("wrong-key", cat(&[&t, b";", &other])),
        ("comma-separated", cat(&[&t, b",", &good])),
        ("ts-twice", cat(&[&t, b";", &t, b";", &good])),
        ("ts-missing", good.clone()),
        ("ts-leading-zero", cat(&[b"ts=0", &ts, b";", &good])),
        ("ts-old", cat(&[b"ts=1699999000;", &good])),
        ("no-h1", cat(&[&t, b";v1=00"])),
        ("odd-hex", cat(&[&t, b";h1=abc"])),
        ("empty-items", cat(&[&t, b";;", &good])),
        ("empty-key", cat(&[&t, b";=x"])),
        ("uppercase", cat(&[&t, b";", &good.to_ascii_uppercase()])),
        ("empty", Vec::new()),
        ("many-h1", cat(&[&t, &b";h1=00".repeat(33)])),
    ] {
        add("paddle_signature", name, value);
    }

    // Twitch.
    for (name, value) in [
        ("plain", "2023-11-14T22:13:20Z"),
        ("nanos", "2023-11-14T22:13:20.123456789Z"),
        ("micros", "2019-11-16T10:11:12.634234626Z"),
        ("offset", "2023-11-14T23:13:20+01:00"),
        ("lowercase", "2023-11-14t22:13:20z"),
        ("leap-day", "2024-02-29T00:00:00Z"),
        ("not-leap-day", "2023-02-29T00:00:00Z"),
        ("leap-second", "2016-12-31T23:59:60Z"),
        ("before-1970", "1969-12-31T23:59:59Z"),
        ("epoch", "1970-01-01T00:00:00Z"),
        ("far-future", "9999-12-31T23:59:59.999999999Z"),
        ("hour-24", "2023-11-14T24:00:00Z"),
        ("no-zone", "2023-11-14T22:13:20"),
        ("space", "2023-11-14 22:13:20Z"),
        ("unix", "1700000000"),
        ("padded", " 2023-11-14T22:13:20Z "),
        ("empty", ""),
        ("long-fraction", "2023-11-14T22:13:20.1234567890123Z"),
    ] {
        add("twitch_timestamp", name, value.as_bytes().to_vec());
    }

    // Twilio.
    for (name, value) in [
        (
            "sms",
            "AccountSid=AC123&Body=Hello+there%21&From=%2B14155550100&To=%2B14155550199",
        ),
        ("repeated", "Digits=5678&Sid=CA&Digits=1234&Digits=5678"),
        ("empty", ""),
        ("empty-value", "a="),
        ("utf8", "n=%C3%A9&m=%E2%82%AC"),
        ("sort-by-decoded", "a%2B=1&a+=2&a=3"),
        ("no-equals", "a"),
        ("trailing-amp", "a=1&"),
        ("empty-name", "=1"),
        ("bad-escape", "a=%zz"),
        ("short-escape", "a=%4"),
        ("not-utf8", "a=%FF"),
        ("json", "{\"json\":1}"),
        ("equals-in-value", "a=b=c"),
    ] {
        add("twilio_form", name, value.as_bytes().to_vec());
    }

    // Discord.
    #[cfg(feature = "ed25519")]
    {
        use ed25519_dalek::Signer;
        let sig = discord_key().sign(&[DISCORD_TS, BODY].concat());
        let hex = oracle::hex_encode(&sig.to_bytes()).into_bytes();
        let other =
            ed25519_dalek::SigningKey::from_bytes(&[0x33; 32]).sign(&[DISCORD_TS, BODY].concat());
        let mut flipped = sig.to_bytes();
        if let Some(b) = flipped.get_mut(40) {
            *b ^= 1;
        }
        for (name, value) in [
            ("signed", hex.clone()),
            ("uppercase", hex.to_ascii_uppercase()),
            ("padded", cat(&[b" ", &hex, b"\t"])),
            (
                "other-key",
                oracle::hex_encode(&other.to_bytes()).into_bytes(),
            ),
            ("flipped", oracle::hex_encode(&flipped).into_bytes()),
            ("short", hex.get(..126).unwrap_or_default().to_vec()),
            ("empty", Vec::new()),
            ("zeros", vec![b'0'; 128]),
        ] {
            add("discord_signature", name, value);
        }
    }
    out
}
