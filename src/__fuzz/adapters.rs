//! What the Tower and actix harnesses share: turning an [`AdapterInput`] into a request, and
//! judging the adapter's answer.

use bytes::Bytes;

use super::input::{AdapterInput, Built, Fault, Source};
use super::oracle::{self, TOLERANCE};
use super::{core, ensure, Finding, Outcome};
use crate::verifier::unix_now;

/// A request ready to be sent through an adapter.
pub(crate) struct Prepared {
    pub(crate) built: Built,
    pub(crate) method: &'static str,
    /// The headers actually sent (those the framework can represent), in order.
    pub(crate) sent: Vec<(String, Vec<u8>)>,
    pub(crate) chunks: Vec<Vec<u8>>,
    pub(crate) fault: Fault,
    /// Exactly as the provider sends it, inside the window, honest framing: must be 200.
    pub(crate) must_pass: bool,
}

/// What the adapter answered and what the handler saw.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<Vec<u8>>,
    pub(crate) body: Bytes,
    /// One entry per handler run: the body it read and whether `Verified` was there.
    pub(crate) handled: Vec<(Bytes, bool)>,
}

/// Builds the request. `representable` says whether the framework can carry a header.
pub(crate) fn prepare(
    input: &AdapterInput,
    representable: impl Fn(&str, &[u8]) -> bool,
) -> Result<Prepared, Finding> {
    let built = input.delivery.build(unix_now(), input.size.body())?;
    let mut wanted = built.headers.clone();
    for v in input.content_length.values(built.body.len()) {
        wanted.push(("Content-Length".to_owned(), v));
    }
    let all_sent = wanted.len();
    let sent: Vec<(String, Vec<u8>)> = wanted
        .into_iter()
        .filter(|(n, v)| representable(n, v))
        .collect();
    let in_window = match &input.delivery.source {
        // A margin for the second ticking during the call.
        Source::Signed { ts_offset, .. } => ts_offset.unsigned_abs() <= (TOLERANCE as u16) - 10,
        Source::Vector(_) => false,
    };
    let must_pass = built.canonical
        && in_window
        && sent.len() == all_sent
        && input.content_length.honest()
        && matches!(input.fault, Fault::None | Fault::Yield)
        && built.body.len() <= oracle::LIMIT;
    let method = METHODS
        .get(usize::from(input.method) % METHODS.len())
        .copied()
        .unwrap_or("POST");
    Ok(Prepared {
        chunks: chunks(&built.body, &input.splits),
        built,
        method,
        sent,
        fault: input.fault,
        must_pass,
    })
}

/// The adapter's answer against the documented behaviour.
pub(crate) fn judge(p: &Prepared, now_lo: u64, now_hi: u64, a: &Answer) -> Outcome {
    let prov = p.built.fixture.prov;
    ensure!(
        matches!(a.status, 200 | 400 | 401 | 408 | 413),
        "{prov:?}: undocumented status {}",
        a.status
    );
    ensure!(
        a.handled.len() <= 1,
        "{prov:?}: handler ran {} times",
        a.handled.len()
    );
    ensure!(
        (a.status == 200) == (a.handled.len() == 1),
        "{prov:?}: status {} but handler runs: {}",
        a.status,
        a.handled.len()
    );
    if let Some((seen, verified)) = a.handled.first() {
        ensure!(
            *verified,
            "{prov:?}: handler ran without `Verified`, or its `body()` is not the bytes it read"
        );
        ensure!(
            seen[..] == p.built.body[..],
            "{prov:?}: handler saw {} bytes, {} were sent",
            seen.len(),
            p.built.body.len()
        );
        let accepted = oracle::accepts(
            prov,
            &p.built.fixture.keys,
            &p.sent,
            &p.built.body,
            now_lo,
            now_hi,
        );
        ensure!(
            !accepted.is_empty(),
            "{prov:?}: handler ran for a request the oracle does not accept"
        );
    } else {
        ensure!(
            a.content_type.as_deref() == Some(&b"application/json"[..]),
            "{prov:?}: rejection without the JSON content type"
        );
        let json: serde_json::Value = serde_json::from_slice(&a.body)
            .map_err(|e| Finding(format!("{prov:?}: rejection body is not JSON: {e}")))?;
        ensure!(
            json.get("error").and_then(|e| e.as_str()).is_some(),
            "{prov:?}: rejection without an error code"
        );
        for n in 0..oracle::CONFIGURED {
            let secret = oracle::secret(prov, n);
            ensure!(
                !a.body.windows(secret.len()).any(|w| w == secret),
                "{prov:?}: secret in a response"
            );
        }
    }

    // The status the transport rules and the core predict.
    let declared: Vec<Vec<u8>> = oracle::values(&p.sent, "content-length")
        .map(<[u8]>::to_vec)
        .collect();
    let expected = match transport_refusal(&declared, &p.chunks, p.fault) {
        Some(status) => Some(status),
        None => {
            let verifier = &p.built.fixture.verifier;
            let early = verifier.verify_at(&p.sent[..], &p.built.body, now_lo);
            let late = verifier.verify_at(&p.sent[..], &p.built.body, now_hi);
            core::same(&early, &late).then(|| early.map_or_else(|e| e.status(), |_| 200))
        }
    };
    if let Some(expected) = expected {
        ensure!(
            a.status == expected,
            "{prov:?}: status {}, the core and transport rules say {expected}",
            a.status
        );
    }
    ensure!(
        !p.must_pass || a.status == 200,
        "{prov:?}: correctly signed delivery refused with {}",
        a.status
    );
    Ok(())
}

/// Request methods the adapters are sent.
pub const METHODS: &[&str] = &["POST", "PUT", "GET", "PATCH", "DELETE", "OPTIONS", "FUZZ"];

/// The body cut at the given split points.
pub fn chunks(body: &[u8], splits: &[u16]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = splits
        .iter()
        .map(|s| usize::from(*s) % (body.len() + 1))
        .collect();
    points.sort_unstable();
    let mut out = Vec::with_capacity(points.len() + 1);
    let mut start = 0;
    for p in points {
        out.push(body.get(start..p).unwrap_or_default().to_vec());
        start = p;
    }
    out.push(body.get(start..).unwrap_or_default().to_vec());
    out
}

/// The transport outcome the documentation promises, before verification: `Some(status)` if
/// the request is refused while reading.
pub fn transport_refusal(
    content_length: &[Vec<u8>],
    chunks: &[Vec<u8>],
    fault: Fault,
) -> Option<u16> {
    if let [declared] = content_length {
        let declared = std::str::from_utf8(declared)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        if declared.is_some_and(|d| d > oracle::LIMIT as u64) {
            return Some(413);
        }
    }
    let mut total = 0usize;
    for c in chunks {
        total = total.saturating_add(c.len());
        if total > oracle::LIMIT {
            return Some(413);
        }
    }
    match fault {
        Fault::Error => Some(400),
        Fault::Stall => Some(408),
        Fault::None | Fault::Yield => None,
    }
}
