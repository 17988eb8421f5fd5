//! `verify_any`: arbitrary deliveries through `Verifier::verify_at`.

use arbitrary::{Arbitrary, Unstructured};

use super::input::{Built, Delivery};
use super::oracle::{self, Prov, BASE, TOLERANCE};
use super::{ensure, Finding, Outcome};
use crate::headers::HeaderLookup;
use crate::{ErrorKind, Verified, Verifier, VerifyError};

/// When the verifier's clock reads.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// At the signed timestamp.
    AtSigning,
    /// The signed timestamp plus this many seconds.
    Skew(i32),
    /// Any instant, however absurd.
    Absolute(u64),
}

/// Input of [`verify_any`].
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct CoreInput {
    /// The clock.
    pub clock: Clock,
    /// Also check through an `http::HeaderMap` (when every header is representable in one).
    pub header_map: bool,
    /// The request.
    pub delivery: Delivery,
}

/// Arbitrary headers, body and clock through the core.
///
/// Properties: no panic; `Ok` only if the [`oracle`] confirms a configured secret signed the
/// request within the window (and then the reported secret index and timestamp are the
/// oracle's); a canonical signed delivery inside the window is accepted (a published vector:
/// accepted iff published as valid); errors map to 400/401/413 and never show a secret; the
/// `http::HeaderMap` and slice header lookups agree.
pub fn verify_any(data: &[u8]) -> Outcome {
    let Ok(input) = CoreInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return Ok(());
    };
    check(&input).map_err(|f| Finding(format!("{f}\ninput: {input:?}")))
}

fn now_for(clock: Clock, ts: u64) -> u64 {
    match clock {
        Clock::AtSigning => ts,
        Clock::Skew(s) => ts.saturating_add_signed(i64::from(s)),
        Clock::Absolute(n) => n,
    }
}

fn check(input: &CoreInput) -> Outcome {
    let built = input.delivery.build(BASE, None)?;
    let now = now_for(input.clock, built.ts);
    let verifier = &built.fixture.verifier;
    let result = verifier.verify_at(&built.headers[..], &built.body, now);
    judge(&built, now, now, &result)?;
    agree(verifier, &built.headers[..], &built.body, now, &result)?;

    if input.header_map {
        if let Some(map) = header_map(&built.headers) {
            let again = verifier.verify_at(&map, &built.body, now);
            ensure!(
                same(&result, &again),
                "slice and HeaderMap lookups disagree: {:?} vs {:?}",
                result.as_ref().map(Verified::secret_index),
                again.as_ref().map(Verified::secret_index)
            );
        }
    }
    Ok(())
}

/// `result`, `verify_at`'s answer (the fast path, for the common delivery), is exactly the
/// general path's: the same facts, or the same refusal. Used by every harness that sends
/// deliveries a fast-path verifier may take.
pub(crate) fn agree<H: HeaderLookup + ?Sized>(
    verifier: &Verifier,
    headers: &H,
    body: &[u8],
    now: u64,
    result: &Result<Verified, VerifyError>,
) -> Outcome {
    // The body limit is checked before either path.
    if body.len() > verifier.max_body_size() {
        return Ok(());
    }
    let general = verifier.verify_general(headers, body, now);
    ensure!(
        crate::verifier::same_answer(result, &general),
        "fast and general paths disagree: {:?} vs {:?}",
        result.as_ref().err(),
        general.as_ref().err()
    );
    Ok(())
}

/// The same outcome: both accepted with the same facts, or both refused for the same reason.
pub(crate) fn same(a: &Result<Verified, VerifyError>, b: &Result<Verified, VerifyError>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => x.secret_index() == y.secret_index() && x.timestamp() == y.timestamp(),
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

/// The headers as an `http::HeaderMap`, if every name and value is valid there.
pub(crate) fn header_map(headers: &[(String, Vec<u8>)]) -> Option<http::HeaderMap> {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        let name = http::HeaderName::from_bytes(name.as_bytes()).ok()?;
        let value = http::HeaderValue::from_bytes(value).ok()?;
        map.append(name, value);
    }
    Some(map)
}

/// Properties of one core outcome, for a clock somewhere in `now_lo..=now_hi`.
pub(crate) fn judge(
    built: &Built,
    now_lo: u64,
    now_hi: u64,
    result: &Result<Verified, VerifyError>,
) -> Outcome {
    let fixture = built.fixture;
    let prov = fixture.prov;
    match result {
        Ok(verified) => {
            let accepted = oracle::accepts(
                prov,
                &fixture.keys,
                &built.headers,
                &built.body,
                now_lo,
                now_hi,
            );
            ensure!(
                accepted
                    .iter()
                    .any(|a| a.secret_index == verified.secret_index()
                        && a.timestamp == verified.timestamp()),
                "{prov:?}: accepted (secret #{}, ts {:?}) a request the oracle does not: {:?}",
                verified.secret_index(),
                verified.timestamp(),
                accepted
            );
            check_event_id(prov, &built.headers, verified)?;
        }
        Err(error) => {
            ensure!(
                matches!(error.status(), 400 | 401 | 413),
                "{prov:?}: undocumented status {} for {:?}",
                error.status(),
                error.kind()
            );
            ensure!(
                error.kind() != ErrorKind::BodyReadFailed
                    && error.kind() != ErrorKind::BodyReadTimeout,
                "{prov:?}: transport error from the core: {:?}",
                error.kind()
            );
            let shown = format!("{error} {error:?}");
            for n in 0..oracle::CONFIGURED {
                let secret = String::from_utf8_lossy(&oracle::secret(prov, n)).into_owned();
                ensure!(
                    !shown.contains(&secret),
                    "{prov:?}: secret shown in an error"
                );
            }
            let in_window = !stamped(prov)
                || (built.ts.saturating_add(TOLERANCE) >= now_hi
                    && built.ts <= now_lo.saturating_add(TOLERANCE));
            let expect_ok = match built.vector_valid {
                // A vector is only promised to verify at its own `now`.
                Some(valid) => valid && built.canonical && now_lo == built.ts && now_hi == built.ts,
                None => built.canonical && in_window && built.body.len() <= oracle::LIMIT,
            };
            ensure!(
                !expect_ok,
                "{prov:?}: refused a correctly signed delivery: {:?}",
                error.kind()
            );
        }
    }
    Ok(())
}

fn stamped(prov: Prov) -> bool {
    oracle::schemes(prov).iter().any(|(s, _)| s.stamped)
}

fn check_event_id(prov: Prov, headers: &oracle::Headers, verified: &Verified) -> Outcome {
    let id_headers: Vec<&str> = oracle::schemes(prov)
        .iter()
        .filter_map(|(s, _)| s.id)
        .collect();
    if let (Some(id), false) = (verified.event_id(), id_headers.is_empty()) {
        ensure!(
            id_headers
                .iter()
                .any(|h| oracle::only(headers, h) == Some(id.as_bytes())),
            "{prov:?}: event id {id:?} is not the value of an id header sent once"
        );
    }
    Ok(())
}
