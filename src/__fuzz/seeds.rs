//! Seed corpora: the published vectors of `tests/data/vectors.json`, deliveries signed here, and
//! hostile variants of both, for every harness.
//!
//! Parser harnesses take a raw header value, so their seeds are plain header values. The
//! structured harnesses take `arbitrary`-encoded inputs; [`Enc`] writes that encoding for the
//! input types here (`arbitrary` 1.x: integers little-endian, `bool` = low bit of a byte, enum
//! variant `i` of `n` = a `u32` in `[i * 2^32 / n, (i + 1) * 2^32 / n)`, collections and options
//! = a continue/`Some` byte before each element). [`check_encoding`] decodes every structured
//! seed back and compares, so a change of encoding cannot go unnoticed.
//!
//! `tests/fuzz_regressions.rs` checks that every seed listed here is committed under
//! `fuzz/corpus/<target>/` (and writes them with `WEBHOOK_GUARD_WRITE_SEEDS=1`).

use arbitrary::{Arbitrary, Unstructured};

use super::config::{BuilderInput, ConfName, ConfPart};
use super::core::{Clock, CoreInput};
use super::input::{AdapterInput, BodySize, ContentLength, Delivery, Edit, Fault, Name, Source};
use super::oracle::{self, Prov, SignWith, BASE, LIMIT, PROVS};
use super::parsers::{BODY, EXTRA, ID};
use super::{ensure, Finding, Outcome};

/// Writes the `arbitrary` encoding.
#[derive(Default)]
pub struct Enc(pub Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn bool(&mut self, v: bool) {
        self.0.push(u8::from(v));
    }
    fn le(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn variant(&mut self, i: u32, n: u32) {
        let x = (u64::from(i) << 32).div_ceil(u64::from(n));
        self.le(&u32::try_from(x).unwrap_or(u32::MAX).to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        for x in b {
            self.u8(1);
            self.u8(*x);
        }
        self.u8(0);
    }
    fn list<T>(&mut self, items: &[T], f: impl Fn(&mut Enc, &T)) {
        for it in items {
            self.u8(1);
            f(self, it);
        }
        self.u8(0);
    }
    fn option<T>(&mut self, o: &Option<T>, f: impl Fn(&mut Enc, &T)) {
        match o {
            None => self.u8(0),
            Some(x) => {
                self.u8(1);
                f(self, x);
            }
        }
    }

    fn prov(&mut self, p: Prov) {
        let i = PROVS.iter().position(|x| *x == p).unwrap_or(0);
        self.variant(i as u32, PROVS.len() as u32);
    }

    fn name(&mut self, n: &Name) {
        match n {
            Name::Known(k) => {
                self.variant(0, 2);
                self.u8(*k);
            }
            Name::Raw(r) => {
                self.variant(1, 2);
                self.bytes(r);
            }
        }
    }

    fn edit(&mut self, e: &Edit) {
        const N: u32 = 13;
        match e {
            Edit::Remove(a) => {
                self.variant(0, N);
                self.u8(*a);
            }
            Edit::Duplicate(a) => {
                self.variant(1, N);
                self.u8(*a);
            }
            Edit::Rename { at, name } => {
                self.variant(2, N);
                self.u8(*at);
                self.name(name);
            }
            Edit::Insert { name, value } => {
                self.variant(3, N);
                self.name(name);
                self.bytes(value);
            }
            Edit::Replace { at, value } => {
                self.variant(4, N);
                self.u8(*at);
                self.bytes(value);
            }
            Edit::Prefix { at, value } => {
                self.variant(5, N);
                self.u8(*at);
                self.bytes(value);
            }
            Edit::Suffix { at, value } => {
                self.variant(6, N);
                self.u8(*at);
                self.bytes(value);
            }
            Edit::Upper(a) => {
                self.variant(7, N);
                self.u8(*a);
            }
            Edit::Truncate { at, keep } => {
                self.variant(8, N);
                self.u8(*at);
                self.u8(*keep);
            }
            Edit::SetByte { at, pos, byte } => {
                self.variant(9, N);
                self.u8(*at);
                self.le(&pos.to_le_bytes());
                self.u8(*byte);
            }
            Edit::BodyByte { pos, byte } => {
                self.variant(10, N);
                self.le(&pos.to_le_bytes());
                self.u8(*byte);
            }
            Edit::BodyTruncate(n) => {
                self.variant(11, N);
                self.le(&n.to_le_bytes());
            }
            Edit::BodyExtend(b) => {
                self.variant(12, N);
                self.bytes(b);
            }
        }
    }

    fn delivery(&mut self, d: &Delivery) {
        match &d.source {
            Source::Signed {
                prov,
                style,
                signer,
                ts_offset,
                id,
                body,
            } => {
                self.variant(0, 2);
                self.prov(*prov);
                self.u8(*style);
                self.u8(*signer);
                self.le(&ts_offset.to_le_bytes());
                self.bytes(id);
                self.bytes(body);
            }
            Source::Vector(n) => {
                self.variant(1, 2);
                self.u8(*n);
            }
        }
        self.list(&d.edits, Enc::edit);
    }

    fn core(&mut self, c: &CoreInput) {
        match c.clock {
            Clock::AtSigning => self.variant(0, 3),
            Clock::Skew(s) => {
                self.variant(1, 3);
                self.le(&s.to_le_bytes());
            }
            Clock::Absolute(n) => {
                self.variant(2, 3);
                self.le(&n.to_le_bytes());
            }
        }
        self.bool(c.header_map);
        self.delivery(&c.delivery);
    }

    fn adapter(&mut self, a: &AdapterInput) {
        self.u8(a.method);
        match a.size {
            BodySize::AsIs => self.variant(0, 2),
            BodySize::NearLimit { delta, fill } => {
                self.variant(1, 2);
                self.le(&delta.to_le_bytes());
                self.u8(fill);
            }
        }
        match &a.content_length {
            ContentLength::Absent => self.variant(0, 6),
            ContentLength::Exact => self.variant(1, 6),
            ContentLength::Less(n) => {
                self.variant(2, 6);
                self.le(&n.to_le_bytes());
            }
            ContentLength::More(n) => {
                self.variant(3, 6);
                self.le(&n.to_le_bytes());
            }
            ContentLength::Twice => self.variant(4, 6),
            ContentLength::Raw(v) => {
                self.variant(5, 6);
                self.bytes(v);
            }
        }
        let fault = match a.fault {
            Fault::None => 0,
            Fault::Yield => 1,
            Fault::Error => 2,
            Fault::Stall => 3,
        };
        self.variant(fault, 4);
        self.list(&a.splits, |e, s| e.le(&s.to_le_bytes()));
        self.delivery(&a.delivery);
    }

    fn conf_name(&mut self, n: &ConfName) {
        match n {
            ConfName::Known(k) => {
                self.variant(0, 2);
                self.u8(*k);
            }
            ConfName::Raw(r) => {
                self.variant(1, 2);
                self.bytes(r);
            }
        }
    }

    fn builder(&mut self, b: &BuilderInput) {
        self.u8(b.algorithm);
        self.bool(b.allow_sha1);
        self.bool(b.base64);
        self.option(&b.header, Enc::conf_name);
        self.option(&b.prefix, |e, p| e.bytes(p));
        self.option(&b.separator, |e, s| e.u8(*s));
        self.option(&b.timestamp_header, Enc::conf_name);
        self.option(&b.event_id_header, Enc::conf_name);
        self.option(&b.pointer, |e, p| e.bytes(p));
        self.option(&b.payload, |e, parts| {
            e.list(parts, |e, p| match p {
                ConfPart::Body => e.variant(0, 5),
                ConfPart::Timestamp => e.variant(1, 5),
                ConfPart::EventId => e.variant(2, 5),
                ConfPart::Header(n) => {
                    e.variant(3, 5);
                    e.conf_name(n);
                }
                ConfPart::Literal(l) => {
                    e.variant(4, 5);
                    e.bytes(l);
                }
            })
        });
        self.option(&b.shorthand, |e, s| e.bytes(s));
        self.option(&b.tolerance, |e, t| e.le(&t.to_le_bytes()));
        self.option(&b.max_body, |e, m| e.le(&m.to_le_bytes()));
        self.bool(b.skip_timestamp);
        self.bytes(&b.name);
        self.bytes(&b.id);
        self.bytes(&b.body);
        self.list(&b.secrets, |e, s| e.bytes(s));
    }
}

/// One seed: target, file name, bytes.
pub type Seed = (&'static str, String, Vec<u8>);

fn signed_value(prov: Prov, style: u8, key_index: usize, header: &str) -> Vec<u8> {
    let key = oracle::key(prov, key_index);
    oracle::sign(&SignWith {
        prov,
        style,
        key: &key,
        ts: BASE,
        id: ID,
        extra: EXTRA,
        body: BODY,
    })
    .into_iter()
    .find(|(n, _)| n.eq_ignore_ascii_case(header))
    .map(|(_, v)| v)
    .unwrap_or_default()
}

fn vector_values(header: &str) -> Vec<Vec<u8>> {
    oracle::vector_fixtures()
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.vector.as_ref())
        .filter_map(|v| oracle::only(&v.headers, header).map(<[u8]>::to_vec))
        .collect()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn parser_seeds() -> Vec<Seed> {
    let mut out: Vec<Seed> = Vec::new();
    let mut add = |target: &'static str, name: &str, value: Vec<u8>| {
        out.push((target, name.to_owned(), value));
    };

    // Stripe.
    for (i, v) in vector_values("Stripe-Signature").into_iter().enumerate() {
        add("stripe_signature", &format!("vector-{i}"), v);
    }
    let good = signed_value(Prov::Stripe, 0, 0, "Stripe-Signature");
    let rotated = signed_value(Prov::Stripe, 0, 1, "Stripe-Signature");
    let sig = good.get(16..).unwrap_or_default().to_vec(); // after "t=1700000000,"
    let sig1 = rotated.get(16..).unwrap_or_default().to_vec();
    let t = format!("t={BASE}").into_bytes();
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("signed", good.clone()),
        ("signed-second-secret", rotated.clone()),
        ("two-v1", cat(&[&t, b",", &sig1, b",", &sig])),
        ("v0-and-unknown", cat(&[&t, b",v0=00,x=y,", &sig])),
        ("spaces-tabs", cat(&[b" ", &t, b" ,\t", &sig, b" "])),
        ("uppercase-hex", good.to_ascii_uppercase()),
        ("t-twice", cat(&[&t, b",", &t, b",", &sig])),
        ("t-missing", sig.clone()),
        ("t-signed", cat(&[b"t=+1700000000,", &sig])),
        ("t-leading-zero", cat(&[b"t=01700000000,", &sig])),
        ("t-float", cat(&[b"t=1700000000.0,", &sig])),
        ("t-huge", cat(&[b"t=99999999999999999999,", &sig])),
        ("t-i64-max", cat(&[b"t=9223372036854775807,", &sig])),
        (
            "t-i64-max-plus-one",
            cat(&[b"t=9223372036854775808,", &sig]),
        ),
        ("t-zero", cat(&[b"t=0,", &sig])),
        ("odd-hex", cat(&[&t, b",v1=abc"])),
        ("short-hex", cat(&[&t, b",v1=abcd"])),
        ("empty-v1", cat(&[&t, b",v1="])),
        ("empty-items", cat(&[&t, b",,", &sig])),
        ("no-equals", cat(&[&t, b",garbage"])),
        ("empty-key", cat(&[&t, b",=x"])),
        ("empty", Vec::new()),
        ("non-ascii", cat(&[&t, "é,".as_bytes(), &sig])),
        ("many-v1", cat(&[&t, &b",v1=00".repeat(33)])),
    ];
    for (name, value) in hostile {
        add("stripe_signature", name, value);
    }

    // Standard Webhooks.
    for (i, v) in vector_values("webhook-signature")
        .into_iter()
        .chain(vector_values("svix-signature"))
        .enumerate()
    {
        add("standard_signature", &format!("vector-{i}"), v);
    }
    let good = signed_value(Prov::Standard, 0, 0, "webhook-signature");
    let other = signed_value(Prov::Standard, 0, 1, "webhook-signature");
    let b64 = good.get(3..).unwrap_or_default().to_vec();
    let unpadded: Vec<u8> = b64.iter().copied().filter(|b| *b != b'=').collect();
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("signed", good.clone()),
        ("two", cat(&[&other, b" ", &good])),
        ("double-space", cat(&[&other, b"  ", &good, b" "])),
        ("v1a-ignored", cat(&[b"v1a,abcd ", &good])),
        ("only-v1a", b"v1a,abcd".to_vec()),
        ("no-comma", cat(&[b"v1 ", &good])),
        ("unpadded", cat(&[b"v1,", &unpadded])),
        ("double-padding", cat(&[b"v1,", &unpadded, b"=="])),
        (
            "url-safe",
            cat(&[
                b"v1,",
                &b64.iter()
                    .map(|b| match b {
                        b'+' => b'-',
                        b'/' => b'_',
                        x => *x,
                    })
                    .collect::<Vec<_>>(),
            ]),
        ),
        ("tab", cat(&[&good, b"\t"])),
        ("uppercase", good.to_ascii_uppercase()),
        ("empty-sig", b"v1,".to_vec()),
        ("blank", b"   ".to_vec()),
        ("comma-list", cat(&[&good, b",", &other])),
    ];
    for (name, value) in hostile {
        add("standard_signature", name, value);
    }

    // GitHub / Slack prefixed hex.
    for (i, v) in vector_values("X-Hub-Signature-256")
        .into_iter()
        .chain(vector_values("X-Slack-Signature"))
        .enumerate()
    {
        add("prefixed_hex", &format!("vector-{i}"), v);
    }
    let gh = signed_value(Prov::GitHub, 0, 0, "X-Hub-Signature-256");
    let sha1 = signed_value(Prov::GitHubLegacy, 1, 0, "X-Hub-Signature");
    let slack = signed_value(Prov::Slack, 0, 0, "X-Slack-Signature");
    let hex = gh.get(7..).unwrap_or_default().to_vec();
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("github-signed", gh.clone()),
        ("github-legacy-sha1-signed", sha1.clone()),
        ("slack-signed", slack.clone()),
        (
            "uppercase-hex",
            cat(&[b"sha256=", &hex.to_ascii_uppercase()]),
        ),
        ("uppercase-prefix", cat(&[b"SHA256=", &hex])),
        ("sha1-prefix-sha256-mac", cat(&[b"sha1=", &hex])),
        (
            "odd-length",
            cat(&[b"sha256=", hex.get(1..).unwrap_or_default()]),
        ),
        ("too-long", cat(&[b"sha256=", &hex, b"00"])),
        ("empty-after-prefix", b"sha256=".to_vec()),
        ("surrounding-space", cat(&[b"  ", &gh, b"\t"])),
        ("two-in-one", cat(&[&gh, b",", &gh])),
        ("non-hex", cat(&[b"sha256=", &b"zz".repeat(32)])),
        ("non-ascii", cat(&[b"sha256=", "ÿ".as_bytes(), &hex])),
        ("v0-odd", b"v0=abc".to_vec()),
    ];
    for (name, value) in hostile {
        add("prefixed_hex", name, value);
    }

    // Shopify base64.
    let good = signed_value(Prov::Shopify, 0, 0, "X-Shopify-Hmac-Sha256");
    let unpadded: Vec<u8> = good.iter().copied().filter(|b| *b != b'=').collect();
    let mut trailing_bits = good.clone();
    if let Some(b) = trailing_bits.get_mut(42) {
        // The last character before '=' carries 2 unused bits: set one.
        *b = match *b {
            b'A' => b'B',
            b'Q' => b'R',
            b'g' => b'h',
            b'w' => b'x',
            x => x,
        };
    }
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("signed", good.clone()),
        (
            "signed-second-secret",
            signed_value(Prov::Shopify, 0, 1, "X-Shopify-Hmac-Sha256"),
        ),
        ("unpadded", unpadded.clone()),
        ("extra-padding", cat(&[&good, b"="])),
        ("padding-inside", cat(&[b"=", &unpadded])),
        ("non-canonical-bits", trailing_bits),
        ("hex-instead", oracle::hex_encode(&[7; 32]).into_bytes()),
        ("sha1-length", oracle::b64_encode(&[7; 20]).into_bytes()),
        ("sha512-length", oracle::b64_encode(&[7; 64]).into_bytes()),
        ("surrounding-space", cat(&[b" ", &good, b" "])),
        ("two", cat(&[&good, b",", &good])),
        ("empty", Vec::new()),
    ];
    for (name, value) in hostile {
        add("shopify_base64", name, value);
    }

    // Generic HMAC.
    for (i, v) in vector_values("X-Signature").into_iter().enumerate() {
        add("generic_signature", &format!("vector-{i}"), v);
    }
    let good = signed_value(Prov::Generic, 0, 0, "X-Signature");
    let other = signed_value(Prov::Generic, 0, 1, "X-Signature");
    let hex = signed_value(Prov::HmacHex, 0, 0, "X-Signature");
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("signed", good.clone()),
        ("hex-signed", hex.clone()),
        ("list", cat(&[&other, b", ", &good])),
        ("list-other-schemes", cat(&[b"v0=abc,", &good, b",x"])),
        ("list-empty-items", cat(&[b",,", &good, b",,"])),
        (
            "sha256-length",
            cat(&[b"v1=", oracle::b64_encode(&[1; 32]).as_bytes()]),
        ),
        ("hex-uppercase", hex.to_ascii_uppercase()),
        ("hex-with-prefix", cat(&[b"sha256=", &hex])),
        ("many", b"v1=AAAA,".repeat(40)),
        ("no-v1", b"v2=abc".to_vec()),
    ];
    for (name, value) in hostile {
        add("generic_signature", name, value);
    }
    out
}

fn signed(prov: Prov, signer: u8, ts_offset: i16, edits: Vec<Edit>) -> Delivery {
    Delivery {
        source: Source::Signed {
            prov,
            style: 0,
            signer,
            ts_offset,
            id: b"evt_seed".to_vec(),
            body: br#"{"id":"evt_seed","event_id":"evt_seed","n":1}"#.to_vec(),
        },
        edits,
    }
}

fn core_inputs() -> Vec<(String, CoreInput)> {
    let mut out = Vec::new();
    let core = |clock, header_map, delivery| CoreInput {
        clock,
        header_map,
        delivery,
    };
    for prov in PROVS {
        let p = format!("{prov:?}").to_ascii_lowercase();
        out.push((
            format!("{p}-signed"),
            core(Clock::AtSigning, true, signed(prov, 0, 0, vec![])),
        ));
        out.push((
            format!("{p}-rotated"),
            core(Clock::Skew(-299), false, signed(prov, 1, 0, vec![])),
        ));
        out.push((
            format!("{p}-unknown-secret"),
            core(Clock::AtSigning, false, signed(prov, 2, 0, vec![])),
        ));
        out.push((
            format!("{p}-stale"),
            core(Clock::Skew(301), false, signed(prov, 0, 0, vec![])),
        ));
        out.push((
            format!("{p}-duplicated-header"),
            core(
                Clock::AtSigning,
                true,
                signed(prov, 0, 0, vec![Edit::Duplicate(0), Edit::Duplicate(1)]),
            ),
        ));
        out.push((
            format!("{p}-uppercased"),
            core(
                Clock::AtSigning,
                true,
                signed(
                    prov,
                    0,
                    0,
                    vec![Edit::Upper(0), Edit::Upper(1), Edit::Upper(2)],
                ),
            ),
        ));
    }
    out.push((
        "legacy-sha1-only".into(),
        core(
            Clock::AtSigning,
            true,
            Delivery {
                source: Source::Signed {
                    prov: Prov::GitHubLegacy,
                    style: 1,
                    signer: 0,
                    ts_offset: 0,
                    id: b"d".to_vec(),
                    body: b"{}".to_vec(),
                },
                edits: vec![],
            },
        ),
    ));
    out.push((
        "legacy-downgrade".into(),
        core(
            Clock::AtSigning,
            true,
            Delivery {
                source: Source::Signed {
                    prov: Prov::GitHubLegacy,
                    style: 2,
                    signer: 0,
                    ts_offset: 0,
                    id: b"d".to_vec(),
                    body: b"{}".to_vec(),
                },
                edits: vec![Edit::Replace {
                    at: 1,
                    value: b"sha256=00".to_vec(),
                }],
            },
        ),
    ));
    out.push((
        "svix-names".into(),
        core(
            Clock::AtSigning,
            true,
            Delivery {
                source: Source::Signed {
                    prov: Prov::Standard,
                    style: 1,
                    signer: 0,
                    ts_offset: 0,
                    id: b"msg".to_vec(),
                    body: b"{}".to_vec(),
                },
                edits: vec![],
            },
        ),
    ));
    out.push((
        "absurd-clock".into(),
        core(
            Clock::Absolute(u64::MAX),
            true,
            signed(Prov::Stripe, 0, 0, vec![]),
        ),
    ));
    out.push((
        "non-utf8-value".into(),
        core(
            Clock::AtSigning,
            false,
            signed(
                Prov::Slack,
                0,
                0,
                vec![Edit::Insert {
                    name: Name::Known(13),
                    value: vec![0xff, 0xfe, b'v', b'0', b'='],
                }],
            ),
        ),
    ));
    let vectors = oracle::vector_fixtures().map(|v| v.len()).unwrap_or(0);
    for i in 0..vectors {
        let i = u8::try_from(i).unwrap_or(u8::MAX);
        out.push((
            format!("vector-{i}"),
            core(
                Clock::AtSigning,
                true,
                Delivery {
                    source: Source::Vector(i),
                    edits: vec![],
                },
            ),
        ));
    }
    out
}

fn adapter_inputs() -> Vec<(String, AdapterInput)> {
    let mut out = Vec::new();
    let adapter = |size, content_length, fault, splits: Vec<u16>, delivery| AdapterInput {
        method: 0,
        size,
        content_length,
        fault,
        splits,
        delivery,
    };
    for prov in PROVS {
        let p = format!("{prov:?}").to_ascii_lowercase();
        out.push((
            format!("{p}-signed"),
            adapter(
                BodySize::AsIs,
                ContentLength::Exact,
                Fault::None,
                vec![],
                signed(prov, 0, 0, vec![]),
            ),
        ));
        out.push((
            format!("{p}-chunked-yielding"),
            adapter(
                BodySize::AsIs,
                ContentLength::Absent,
                Fault::Yield,
                vec![1, 5, 9, 30],
                signed(prov, 1, -100, vec![]),
            ),
        ));
        out.push((
            format!("{p}-forged"),
            adapter(
                BodySize::AsIs,
                ContentLength::Exact,
                Fault::None,
                vec![],
                signed(prov, 2, 0, vec![]),
            ),
        ));
    }
    let gh = |edits| signed(Prov::GitHub, 0, 0, edits);
    let cases: Vec<(&str, AdapterInput)> = vec![
        (
            "at-limit",
            adapter(
                BodySize::NearLimit {
                    delta: 0,
                    fill: b'a',
                },
                ContentLength::Exact,
                Fault::None,
                vec![100, 1000],
                gh(vec![]),
            ),
        ),
        (
            "over-limit",
            adapter(
                BodySize::NearLimit {
                    delta: 1,
                    fill: b'a',
                },
                ContentLength::Absent,
                Fault::None,
                vec![512],
                gh(vec![]),
            ),
        ),
        (
            "content-length-over",
            adapter(
                BodySize::AsIs,
                ContentLength::More(u16::try_from(LIMIT).unwrap_or(1024)),
                Fault::None,
                vec![],
                gh(vec![]),
            ),
        ),
        (
            "content-length-under",
            adapter(
                BodySize::NearLimit {
                    delta: 2,
                    fill: b'b',
                },
                ContentLength::Less(10),
                Fault::None,
                vec![],
                gh(vec![]),
            ),
        ),
        (
            "content-length-twice",
            adapter(
                BodySize::AsIs,
                ContentLength::Twice,
                Fault::None,
                vec![],
                gh(vec![]),
            ),
        ),
        (
            "content-length-garbage",
            adapter(
                BodySize::AsIs,
                ContentLength::Raw(b"-1".to_vec()),
                Fault::None,
                vec![],
                gh(vec![]),
            ),
        ),
        (
            "read-error",
            adapter(
                BodySize::AsIs,
                ContentLength::Absent,
                Fault::Error,
                vec![3],
                gh(vec![]),
            ),
        ),
        (
            "stalled-body",
            adapter(
                BodySize::AsIs,
                ContentLength::Exact,
                Fault::Stall,
                vec![3],
                gh(vec![]),
            ),
        ),
        (
            "gzip-encoding-header",
            adapter(
                BodySize::AsIs,
                ContentLength::Exact,
                Fault::None,
                vec![],
                gh(vec![Edit::Insert {
                    name: Name::Known(22),
                    value: b"gzip".to_vec(),
                }]),
            ),
        ),
        (
            "get-method",
            AdapterInput {
                method: 2,
                ..adapter(
                    BodySize::AsIs,
                    ContentLength::Absent,
                    Fault::None,
                    vec![],
                    gh(vec![]),
                )
            },
        ),
        (
            "vector-0",
            adapter(
                BodySize::AsIs,
                ContentLength::Exact,
                Fault::None,
                vec![],
                Delivery {
                    source: Source::Vector(0),
                    edits: vec![],
                },
            ),
        ),
    ];
    out.extend(cases.into_iter().map(|(n, i)| (n.to_owned(), i)));
    out
}

fn builder_inputs() -> Vec<(String, BuilderInput)> {
    let base = BuilderInput {
        algorithm: 1,
        allow_sha1: false,
        base64: false,
        header: Some(ConfName::Known(0)),
        prefix: None,
        separator: None,
        timestamp_header: None,
        event_id_header: None,
        pointer: None,
        payload: None,
        shorthand: None,
        tolerance: None,
        max_body: None,
        skip_timestamp: false,
        name: b"acme".to_vec(),
        id: b"evt_1".to_vec(),
        body: br#"{"id":"evt_1"}"#.to_vec(),
        secrets: vec![b"secret-one".to_vec()],
    };
    let full = BuilderInput {
        algorithm: 2,
        base64: true,
        prefix: Some(b"sha512=".to_vec()),
        separator: Some(b','),
        timestamp_header: Some(ConfName::Known(2)),
        event_id_header: Some(ConfName::Known(3)),
        pointer: Some(b"/id".to_vec()),
        payload: Some(vec![
            ConfPart::Timestamp,
            ConfPart::Literal(b".".to_vec()),
            ConfPart::EventId,
            ConfPart::Literal(b".".to_vec()),
            ConfPart::Header(ConfName::Known(4)),
            ConfPart::Literal(b".".to_vec()),
            ConfPart::Body,
        ]),
        tolerance: Some(60),
        max_body: Some(4096),
        secrets: vec![b"old".to_vec(), b"new".to_vec()],
        ..base.clone()
    };
    vec![
        ("body-only", base.clone()),
        ("everything", full.clone()),
        (
            "sha1-not-allowed",
            BuilderInput {
                algorithm: 0,
                ..base.clone()
            },
        ),
        (
            "sha1-allowed",
            BuilderInput {
                algorithm: 0,
                allow_sha1: true,
                ..base.clone()
            },
        ),
        (
            "shorthand",
            BuilderInput {
                timestamp_header: Some(ConfName::Known(2)),
                shorthand: Some(b".".to_vec()),
                ..base.clone()
            },
        ),
        (
            "space-separator",
            BuilderInput {
                separator: Some(b' '),
                prefix: Some(b"v1=".to_vec()),
                ..base.clone()
            },
        ),
        (
            "separator-in-hex-alphabet",
            BuilderInput {
                separator: Some(b'a'),
                ..base.clone()
            },
        ),
        (
            "separator-in-base64-alphabet",
            BuilderInput {
                separator: Some(b'='),
                base64: true,
                ..base.clone()
            },
        ),
        (
            "separator-non-ascii",
            BuilderInput {
                separator: Some(0xe9),
                ..base.clone()
            },
        ),
        (
            "no-signature-header",
            BuilderInput {
                header: None,
                ..base.clone()
            },
        ),
        (
            "bad-header-name",
            BuilderInput {
                header: Some(ConfName::Known(6)),
                ..base.clone()
            },
        ),
        (
            "prefix-with-space",
            BuilderInput {
                prefix: Some(b"sha 256=".to_vec()),
                ..base.clone()
            },
        ),
        (
            "empty-secret",
            BuilderInput {
                secrets: vec![b"a".to_vec(), Vec::new()],
                ..base.clone()
            },
        ),
        (
            "zero-body-limit",
            BuilderInput {
                max_body: Some(0),
                ..base.clone()
            },
        ),
        (
            "body-twice",
            BuilderInput {
                payload: Some(vec![ConfPart::Body, ConfPart::Body]),
                ..base.clone()
            },
        ),
        (
            "timestamp-without-header",
            BuilderInput {
                payload: Some(vec![ConfPart::Timestamp, ConfPart::Body]),
                ..base.clone()
            },
        ),
        (
            "event-id-without-header",
            BuilderInput {
                payload: Some(vec![ConfPart::EventId, ConfPart::Body]),
                ..base.clone()
            },
        ),
        (
            "signature-header-signed",
            BuilderInput {
                payload: Some(vec![ConfPart::Header(ConfName::Known(1)), ConfPart::Body]),
                ..base.clone()
            },
        ),
        (
            "skip-timestamp",
            BuilderInput {
                skip_timestamp: true,
                tolerance: Some(0),
                ..full.clone()
            },
        ),
        (
            "duplicate-secrets",
            BuilderInput {
                secrets: vec![b"same".to_vec(), b"other".to_vec(), b"same".to_vec()],
                ..base.clone()
            },
        ),
        (
            "odd-pointer",
            BuilderInput {
                pointer: Some(b"~2/\xff".to_vec()),
                ..base.clone()
            },
        ),
        (
            "small-limit",
            BuilderInput {
                max_body: Some(3),
                ..base
            },
        ),
    ]
    .into_iter()
    .map(|(n, i)| (n.to_owned(), i))
    .collect()
}

fn encoded<T>(items: Vec<(String, T)>, f: impl Fn(&mut Enc, &T)) -> Vec<(String, Vec<u8>)> {
    items
        .into_iter()
        .map(|(name, input)| {
            let mut e = Enc::default();
            f(&mut e, &input);
            (name, e.0)
        })
        .collect()
}

/// Every seed, for every harness compiled in.
pub fn all() -> Vec<Seed> {
    let mut out = parser_seeds();
    out.extend(super::presets::seeds());
    for (name, bytes) in encoded(core_inputs(), Enc::core) {
        out.push(("verify_any", name, bytes));
    }
    for (name, bytes) in encoded(builder_inputs(), Enc::builder) {
        out.push(("hmac_builder", name, bytes));
    }
    let adapters = encoded(adapter_inputs(), Enc::adapter);
    #[cfg(feature = "tower")]
    for (name, bytes) in &adapters {
        out.push(("tower_request", name.clone(), bytes.clone()));
    }
    #[cfg(feature = "actix-web")]
    for (name, bytes) in &adapters {
        out.push(("actix_request", name.clone(), bytes.clone()));
    }
    let _ = adapters;
    out
}

fn round_trip<T>(items: Vec<(String, T)>, f: impl Fn(&mut Enc, &T)) -> Outcome
where
    T: for<'a> Arbitrary<'a> + PartialEq + std::fmt::Debug,
{
    for (name, input) in items {
        let mut e = Enc::default();
        f(&mut e, &input);
        let back = T::arbitrary_take_rest(Unstructured::new(&e.0))
            .map_err(|err| Finding(format!("seed {name}: {err}")))?;
        ensure!(
            back == input,
            "seed {name}: encodes to {back:?}, not {input:?}"
        );
    }
    Ok(())
}

/// Decodes every structured seed and checks it is the input it was made from.
pub fn check_encoding() -> Outcome {
    round_trip(core_inputs(), Enc::core)?;
    round_trip(adapter_inputs(), Enc::adapter)?;
    round_trip(builder_inputs(), Enc::builder)
}
