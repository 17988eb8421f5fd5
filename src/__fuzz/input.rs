//! Structured inputs shared by the core and adapter harnesses: a delivery (signed by the harness,
//! or a published vector) and a list of edits an attacker applies to it.

use arbitrary::Arbitrary;

use super::oracle::{self, Fixture, Prov, SignWith};
use super::Finding;

/// Where the request starts from.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A delivery the harness signs for one of its own fixtures.
    Signed {
        /// The verifier configuration.
        prov: Prov,
        /// Header family / legacy header choice (see [`SignWith::style`]).
        style: u8,
        /// `% 3`: 0 and 1 are configured secrets, 2 is not.
        signer: u8,
        /// Signed timestamp relative to the clock base.
        ts_offset: i16,
        /// Event id (made printable ASCII).
        id: Vec<u8>,
        /// Body.
        body: Vec<u8>,
    },
    /// The n-th (modulo) published vector of `tests/data/vectors.json`, with its own secret.
    Vector(u8),
}

/// Header names an edit can use: every name a verifier looks at, in several spellings, plus a
/// few framing headers; or raw bytes.
pub const KNOWN_NAMES: &[&str] = &[
    "Stripe-Signature",
    "stripe-signature",
    "X-Hub-Signature-256",
    "X-HUB-SIGNATURE-256",
    "X-Hub-Signature",
    "X-GitHub-Delivery",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "Webhook-Signature",
    "svix-id",
    "svix-timestamp",
    "svix-signature",
    "X-Slack-Signature",
    "X-Slack-Request-Timestamp",
    "X-Shopify-Hmac-Sha256",
    "X-Shopify-Webhook-Id",
    "X-Signature",
    "X-Timestamp",
    "X-Event-Id",
    oracle::EXTRA_HEADER,
    "Content-Length",
    "Content-Encoding",
    "Content-Type",
    "Transfer-Encoding",
];

/// A header name.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Name {
    /// `KNOWN_NAMES[n % len]`.
    Known(u8),
    /// Raw bytes (lossily made UTF-8).
    Raw(Vec<u8>),
}

impl Name {
    fn resolve(&self) -> String {
        match self {
            Name::Known(n) => KNOWN_NAMES
                .get(usize::from(*n) % KNOWN_NAMES.len())
                .copied()
                .unwrap_or_default()
                .to_owned(),
            Name::Raw(raw) => String::from_utf8_lossy(raw).into_owned(),
        }
    }
}

/// One change an attacker makes. Header positions are taken modulo the number of headers.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Drops a header.
    Remove(u8),
    /// Sends a header twice.
    Duplicate(u8),
    /// Renames a header.
    Rename {
        /// Which header.
        at: u8,
        /// New name.
        name: Name,
    },
    /// Adds a header.
    Insert {
        /// Name.
        name: Name,
        /// Value.
        value: Vec<u8>,
    },
    /// Replaces a header's value.
    Replace {
        /// Which header.
        at: u8,
        /// New value.
        value: Vec<u8>,
    },
    /// Puts bytes before a value (extra list items, whitespace, ...).
    Prefix {
        /// Which header.
        at: u8,
        /// Bytes.
        value: Vec<u8>,
    },
    /// Puts bytes after a value.
    Suffix {
        /// Which header.
        at: u8,
        /// Bytes.
        value: Vec<u8>,
    },
    /// Upper-cases a value (ASCII).
    Upper(u8),
    /// Cuts a value to `keep` bytes.
    Truncate {
        /// Which header.
        at: u8,
        /// Bytes kept.
        keep: u8,
    },
    /// Sets one byte of a value.
    SetByte {
        /// Which header.
        at: u8,
        /// Position (modulo length).
        pos: u16,
        /// New byte.
        byte: u8,
    },
    /// Sets one byte of the body.
    BodyByte {
        /// Position (modulo length).
        pos: u16,
        /// New byte.
        byte: u8,
    },
    /// Cuts the body.
    BodyTruncate(u16),
    /// Appends to the body.
    BodyExtend(Vec<u8>),
}

/// A delivery and what an attacker did to it.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Starting point.
    pub source: Source,
    /// Changes, applied in order.
    pub edits: Vec<Edit>,
}

/// A delivery turned into a request.
#[derive(Debug, Clone)]
pub struct Built {
    /// The fixture whose verifier should judge it.
    pub fixture: &'static Fixture,
    /// Index of that fixture in [`oracle::fixtures`].
    pub fixture_index: usize,
    /// Headers, in order, names as sent.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Body.
    pub body: Vec<u8>,
    /// The signed timestamp (for vectors: their `now`).
    pub ts: u64,
    /// Whether the request is exactly as the provider would send it, signed with a configured
    /// secret (a timestamp outside the window is still "canonical"; callers check the clock).
    pub canonical: bool,
    /// For vectors: whether it is published as valid.
    pub vector_valid: Option<bool>,
}

fn printable(id: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = id
        .iter()
        .copied()
        .filter(|b| (0x21..0x7f).contains(b))
        .take(64)
        .collect();
    if out.is_empty() {
        out.extend_from_slice(b"evt_fuzz");
    }
    out
}

fn at(headers: &[(String, Vec<u8>)], n: u8) -> Option<usize> {
    (!headers.is_empty()).then(|| usize::from(n) % headers.len())
}

impl Delivery {
    /// Signs (or loads) the delivery and applies the edits. `base` is the clock the signed
    /// timestamp is relative to; `body_override` replaces the body before signing.
    pub fn build(&self, base: u64, body_override: Option<Vec<u8>>) -> Result<Built, Finding> {
        let all = oracle::fixtures()?;
        let (fixture_index, mut headers, mut body, ts, canonical, vector_valid) = match &self.source
        {
            Source::Signed {
                prov,
                style,
                signer,
                ts_offset,
                id,
                body,
            } => {
                let index = all
                    .iter()
                    .position(|f| f.prov == *prov && f.vector.is_none())
                    .ok_or_else(|| Finding(format!("no fixture for {prov:?}")))?;
                let signer = usize::from(*signer % 3);
                let key = oracle::key(*prov, signer);
                let ts = base.saturating_add_signed(i64::from(*ts_offset));
                let id = printable(id);
                let body = body_override.unwrap_or_else(|| body.clone());
                let headers = oracle::sign(&SignWith {
                    prov: *prov,
                    style: *style,
                    key: &key,
                    ts,
                    id: &id,
                    extra: b"extra-value",
                    body: &body,
                });
                let canonical = signer < oracle::CONFIGURED;
                (index, headers, body, ts, canonical, None)
            }
            Source::Vector(n) => {
                let vectors: Vec<usize> = all
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.vector.is_some())
                    .map(|(i, _)| i)
                    .collect();
                let index = vectors
                    .get(usize::from(*n) % vectors.len().max(1))
                    .copied()
                    .ok_or_else(|| Finding("no vectors".into()))?;
                let vector = all
                    .get(index)
                    .and_then(|f| f.vector.as_ref())
                    .ok_or_else(|| Finding("no vector".into()))?;
                let body = body_override.unwrap_or_else(|| vector.body.clone());
                let same_body = body == vector.body;
                (
                    index,
                    vector.headers.clone(),
                    body,
                    vector.now,
                    vector.valid && same_body,
                    Some(vector.valid && same_body),
                )
            }
        };
        let fixture = all
            .get(fixture_index)
            .ok_or_else(|| Finding("fixture index".into()))?;
        for edit in &self.edits {
            apply(edit, &mut headers, &mut body);
        }
        Ok(Built {
            fixture,
            fixture_index,
            headers,
            body,
            ts,
            canonical: canonical && self.edits.is_empty(),
            vector_valid,
        })
    }
}

fn value_mut(headers: &mut [(String, Vec<u8>)], n: u8) -> Option<&mut Vec<u8>> {
    let i = at(headers, n)?;
    headers.get_mut(i).map(|(_, v)| v)
}

fn apply(edit: &Edit, headers: &mut Vec<(String, Vec<u8>)>, body: &mut Vec<u8>) {
    match edit {
        Edit::Remove(n) => {
            if let Some(i) = at(headers, *n) {
                headers.remove(i);
            }
        }
        Edit::Duplicate(n) => {
            if let Some(h) = at(headers, *n).and_then(|i| headers.get(i)).cloned() {
                headers.push(h);
            }
        }
        Edit::Rename { at: n, name } => {
            if let Some(i) = at(headers, *n) {
                if let Some(h) = headers.get_mut(i) {
                    h.0 = name.resolve();
                }
            }
        }
        Edit::Insert { name, value } => headers.push((name.resolve(), value.clone())),
        Edit::Replace { at: n, value } => {
            if let Some(v) = value_mut(headers, *n) {
                v.clone_from(value);
            }
        }
        Edit::Prefix { at: n, value } => {
            if let Some(v) = value_mut(headers, *n) {
                let mut new = value.clone();
                new.extend_from_slice(v);
                *v = new;
            }
        }
        Edit::Suffix { at: n, value } => {
            if let Some(v) = value_mut(headers, *n) {
                v.extend_from_slice(value);
            }
        }
        Edit::Upper(n) => {
            if let Some(v) = value_mut(headers, *n) {
                v.make_ascii_uppercase();
            }
        }
        Edit::Truncate { at: n, keep } => {
            if let Some(v) = value_mut(headers, *n) {
                v.truncate(usize::from(*keep));
            }
        }
        Edit::SetByte { at: n, pos, byte } => {
            if let Some(v) = value_mut(headers, *n) {
                let len = v.len();
                if let Some(b) = v.get_mut(usize::from(*pos) % len.max(1)) {
                    *b = *byte;
                }
            }
        }
        Edit::BodyByte { pos, byte } => {
            let len = body.len();
            if let Some(b) = body.get_mut(usize::from(*pos) % len.max(1)) {
                *b = *byte;
            }
        }
        Edit::BodyTruncate(n) => body.truncate(usize::from(*n)),
        Edit::BodyExtend(more) => body.extend_from_slice(more),
    }
}

/// A request through an adapter: the delivery plus transport-level choices.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct AdapterInput {
    /// Index into the adapters' list of methods (modulo): POST, PUT, GET, PATCH, DELETE,
    /// OPTIONS and an extension method.
    pub method: u8,
    /// Body size choice.
    pub size: BodySize,
    /// What `Content-Length` says.
    pub content_length: ContentLength,
    /// How the body stream ends.
    pub fault: Fault,
    /// Chunk boundaries (each modulo body length + 1).
    pub splits: Vec<u16>,
    /// The delivery (timestamps relative to the real clock).
    pub delivery: Delivery,
}

/// Body size.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySize {
    /// As the delivery has it.
    AsIs,
    /// `LIMIT + delta` bytes (delta clamped to -4..=4) of `fill`, signed as such.
    NearLimit {
        /// Distance to the limit.
        delta: i8,
        /// Filler byte.
        fill: u8,
    },
}

impl BodySize {
    /// The replacement body, if any.
    pub fn body(self) -> Option<Vec<u8>> {
        match self {
            BodySize::AsIs => None,
            BodySize::NearLimit { delta, fill } => {
                let len = oracle::LIMIT.saturating_add_signed(isize::from(delta.clamp(-4, 4)));
                Some(vec![fill; len])
            }
        }
    }
}

/// The `Content-Length` header sent.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum ContentLength {
    /// None.
    Absent,
    /// The true length.
    Exact,
    /// Less than the true length (saturating).
    Less(u16),
    /// More than the true length.
    More(u16),
    /// The true length, sent twice.
    Twice,
    /// Any bytes.
    Raw(Vec<u8>),
}

impl ContentLength {
    /// The header values to send for a body of `len` bytes.
    pub fn values(&self, len: usize) -> Vec<Vec<u8>> {
        let n = |x: usize| x.to_string().into_bytes();
        match self {
            ContentLength::Absent => vec![],
            ContentLength::Exact => vec![n(len)],
            ContentLength::Less(d) => vec![n(len.saturating_sub(usize::from(*d) + 1))],
            ContentLength::More(d) => vec![n(len.saturating_add(usize::from(*d) + 1))],
            ContentLength::Twice => vec![n(len), n(len)],
            ContentLength::Raw(v) => vec![v.clone()],
        }
    }

    /// Whether the header tells the truth (or is absent).
    pub fn honest(&self) -> bool {
        matches!(self, ContentLength::Absent | ContentLength::Exact)
    }
}

/// How the body stream behaves.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Chunks, then the end.
    None,
    /// Before each chunk, one `Pending` (woken at once).
    Yield,
    /// Chunks, then a read error.
    Error,
    /// Chunks, then nothing ever again (the read timeout must fire).
    Stall,
}
