//! [`HeaderLookup`]: how the core reads request headers, whatever the framework.
//!
//! Implemented for [`http::HeaderMap`] (http 1.x: axum, hyper, tonic), for actix-web's header map
//! (feature `actix-web`), and for slices and vectors of `(name, value)` pairs, which is handy in
//! tests and for fuzzing. Names are matched case-insensitively; values are raw bytes and need not
//! be UTF-8.

use http::HeaderName;

/// What a header lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The header is absent.
    Missing,
    /// The header appears exactly once, with this value.
    One(&'a [u8]),
    /// The header appears more than once. Signature headers sent twice are ambiguous and are
    /// rejected as malformed.
    Many,
}

/// Read access to request headers.
///
/// `name` is always lower-case ASCII and a valid header name.
///
/// ```
/// use webhook_guard::headers::{HeaderLookup, Lookup};
///
/// let headers = [("X-Hub-Signature-256", "sha256=00"), ("x-github-delivery", "abc")];
/// assert_eq!(headers[..].lookup("x-github-delivery"), Lookup::One(b"abc"));
/// assert_eq!(headers[..].lookup("x-missing"), Lookup::Missing);
/// ```
pub trait HeaderLookup {
    /// Finds the value(s) of the header `name` (lower-case).
    fn lookup(&self, name: &str) -> Lookup<'_>;

    /// The same lookup with an already parsed name, which is what the verifier holds for every
    /// header it reads. The default calls [`lookup`](Self::lookup) with `name.as_str()`;
    /// [`http::HeaderMap`] overrides it to skip re-parsing and re-validating the name on every
    /// request.
    fn lookup_name(&self, name: &HeaderName) -> Lookup<'_> {
        self.lookup(name.as_str())
    }

    /// Several lookups in one call: `found[i]` becomes what [`lookup_name`](Self::lookup_name)
    /// returns for `names[i]` (extra slots on either side are left alone). The verifier reads
    /// all the headers of a delivery this way; the default makes one lookup per name, and
    /// [`http::HeaderMap`] overrides it with one pass over its entries when there are few.
    ///
    /// ```
    /// use http::HeaderName;
    /// use webhook_guard::headers::{HeaderLookup, Lookup};
    ///
    /// let headers = [("a", "1"), ("b", "2"), ("b", "3")];
    /// let names = [
    ///     HeaderName::from_static("a"),
    ///     HeaderName::from_static("b"),
    ///     HeaderName::from_static("c"),
    /// ];
    /// let mut found = [Lookup::Missing; 3];
    /// headers[..].lookup_names(&[&names[0], &names[1], &names[2]], &mut found);
    /// assert_eq!(found, [Lookup::One(b"1"), Lookup::Many, Lookup::Missing]);
    /// ```
    fn lookup_names<'a>(&'a self, names: &[&HeaderName], found: &mut [Lookup<'a>]) {
        for (name, slot) in names.iter().zip(found.iter_mut()) {
            *slot = self.lookup_name(name);
        }
    }
}

impl<T: HeaderLookup + ?Sized> HeaderLookup for &T {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        (**self).lookup(name)
    }

    fn lookup_name(&self, name: &HeaderName) -> Lookup<'_> {
        (**self).lookup_name(name)
    }

    fn lookup_names<'a>(&'a self, names: &[&HeaderName], found: &mut [Lookup<'a>]) {
        (**self).lookup_names(names, found)
    }
}

/// Up to this many header values, [`HeaderLookup::lookup_names`] on an [`http::HeaderMap`]
/// compares names in one pass over the entries instead of hashing each name (a multiply per
/// byte) and probing: cheaper for the dozen headers a webhook delivery carries.
const SCAN_MAX: usize = 24;

/// One bit per name length below 63, the top bit for all longer ones.
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// Records one more value for a name: the first is `One`, any further makes it `Many`.
fn record<'a>(slot: &mut Lookup<'a>, value: &'a [u8]) {
    *slot = match slot {
        Lookup::Missing => Lookup::One(value),
        _ => Lookup::Many,
    };
}

/// One, none or several values.
fn classify<'a>(mut values: impl Iterator<Item = &'a http::HeaderValue>) -> Lookup<'a> {
    match (values.next(), values.next()) {
        (None, _) => Lookup::Missing,
        (Some(v), None) => Lookup::One(v.as_bytes()),
        (Some(_), Some(_)) => Lookup::Many,
    }
}

impl HeaderLookup for http::HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        classify(self.get_all(name).iter())
    }

    fn lookup_name(&self, name: &HeaderName) -> Lookup<'_> {
        classify(self.get_all(name).iter())
    }

    fn lookup_names<'a>(&'a self, names: &[&HeaderName], found: &mut [Lookup<'a>]) {
        // A small map: one pass over the entries, compiled for each number of names a scheme
        // reads at once. A larger map, or more names: one hashed look-up per name.
        match *names {
            _ if self.len() > SCAN_MAX => {}
            [a] => return scan(self, [a], found),
            [a, b] => return scan(self, [a, b], found),
            [a, b, c] => return scan(self, [a, b, c], found),
            [a, b, c, d] => return scan(self, [a, b, c, d], found),
            _ => {}
        }
        for (name, slot) in names.iter().zip(found.iter_mut()) {
            *slot = self.lookup_name(name);
        }
    }
}

/// [`HeaderLookup::lookup_names`] on a small [`http::HeaderMap`]: one pass over its entries
/// for `N` names. The names are read once, each with its last eight bytes as a word: resolving
/// them through their `HeaderName`s inside the pass put a chain of dependent loads on every
/// comparison, and a candidate of the right length is nearly always ruled out by that word.
#[inline(always)]
fn scan<'a, const N: usize>(
    map: &'a http::HeaderMap,
    names: [&HeaderName; N],
    found: &mut [Lookup<'a>],
) {
    let targets = names.map(|name| name.as_str().as_bytes());
    let tails = targets.map(tail_word);
    // The lengths of the names looked for, as a bit set: most names in the map are skipped on
    // their length alone. (Longer names share the top bit and are compared in full.)
    let lengths = targets
        .iter()
        .fold(0u64, |set, target| set | length_bit(target.len()));
    let mut out = [Lookup::Missing; N];
    for (name, value) in map {
        let name = name.as_str().as_bytes();
        if lengths & length_bit(name.len()) == 0 {
            continue;
        }
        let tail = tail_word(name);
        for ((target, target_tail), slot) in targets.iter().zip(&tails).zip(out.iter_mut()) {
            if *target_tail == tail && same_name(name, target) {
                record(slot, value.as_bytes());
            }
        }
    }
    for (slot, value) in found.iter_mut().zip(out) {
        *slot = value;
    }
}

/// A name's last eight bytes as a word, 0 for a name shorter than eight bytes: equal names
/// have equal words, so a differing word rules a candidate out with one comparison.
#[inline(always)]
fn tail_word(name: &[u8]) -> u64 {
    name.len()
        .checked_sub(8)
        .and_then(|at| name.get(at..))
        .and_then(|last| <[u8; 8]>::try_from(last).ok())
        .map_or(0, u64::from_ne_bytes)
}

/// Whether two header names are equal, compared eight bytes at a time inline: a `memcmp` call
/// per matching name was a measurable share of a look-up. Names are not secret, so the early
/// exits are fine.
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || a.last() != b.last() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    let len = a.len();
    if len < 8 {
        return a == b;
    }
    // Whole words from the start, then the last eight bytes (overlapping the last word).
    let mut at = 0;
    while at + 8 <= len {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    at == len || word(a, len - 8) == word(b, len - 8)
}

/// actix-web's header map. Its own look-ups take an `http` 0.2 name, which a `&str` becomes by
/// being parsed (and, for a custom name, copied into a new allocation) on every call; comparing
/// names while walking the map costs neither, and actix-http caps a request at 96 headers.
#[cfg(feature = "actix-web")]
impl HeaderLookup for actix_web::http::header::HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        let mut found = Lookup::Missing;
        for (n, v) in self.iter() {
            if n.as_str() == name {
                record(&mut found, v.as_bytes());
            }
        }
        found
    }

    fn lookup_names<'a>(&'a self, names: &[&HeaderName], found: &mut [Lookup<'a>]) {
        for slot in found.iter_mut().take(names.len()) {
            *slot = Lookup::Missing;
        }
        for (name, value) in self.iter() {
            let name = name.as_str().as_bytes();
            for (target, slot) in names.iter().zip(found.iter_mut()) {
                if same_name(name, target.as_str().as_bytes()) {
                    record(slot, value.as_bytes());
                }
            }
        }
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> HeaderLookup for [(N, V)] {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        let mut found = Lookup::Missing;
        for (n, v) in self {
            if n.as_ref().eq_ignore_ascii_case(name) {
                match found {
                    Lookup::Missing => found = Lookup::One(v.as_ref()),
                    _ => return Lookup::Many,
                }
            }
        }
        found
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> HeaderLookup for Vec<(N, V)> {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        self.as_slice().lookup(name)
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>, const K: usize> HeaderLookup for [(N, V); K] {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        self.as_slice().lookup(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `same_name` is `==`, at every length up to 40, for equal names and for names differing
    /// in any one byte or in length.
    #[test]
    fn same_name_is_byte_equality() {
        let base: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for len in 0..=40 {
            let a = &base[..len];
            assert!(same_name(a, a), "{len}");
            if len > 0 {
                assert!(!same_name(a, &base[..len - 1]), "{len}");
            }
            for i in 0..len {
                let mut b = a.to_vec();
                b[i] ^= 0x01;
                assert_eq!(same_name(a, &b), a == &b[..], "{len} byte {i}");
                assert!(!same_name(a, &b), "{len} byte {i}");
            }
        }
    }

    /// The one-pass scan, for every number of names it is compiled for (one to four) and
    /// past it: each slot is what `lookup_name` finds, for names repeated among those looked
    /// for, names of the same length and the same last eight bytes, short names and a
    /// standard one, each sent zero, one or two times.
    #[test]
    fn header_map_scan_agrees_with_lookup_name_for_one_to_five_names() {
        let pool: Vec<HeaderName> = [
            "x-webhook-signature",
            "y-webhook-signature",
            "webhook-id",
            "b-ts",
            "content-type",
            "absent-header",
        ]
        .into_iter()
        .map(HeaderName::from_static)
        .collect();
        for round in 0..3usize {
            let mut map = http::HeaderMap::new();
            map.append("user-agent", http::HeaderValue::from_static("bench"));
            for (k, name) in pool.iter().enumerate().take(5) {
                for v in 0..(k + round) % 3 {
                    map.append(name.clone(), http::HeaderValue::from(v));
                }
            }
            // Every sequence of up to five names from the pool whose digits in base 6 pick
            // them: with repetitions, in every order.
            for len in 1..=5u32 {
                for code in 0..6usize.pow(len) {
                    let refs: Vec<&HeaderName> =
                        (0..len).map(|i| &pool[code / 6usize.pow(i) % 6]).collect();
                    let mut found = [Lookup::Many; 6];
                    map.lookup_names(&refs, &mut found);
                    for (name, got) in refs.iter().zip(found) {
                        assert_eq!(got, map.lookup_name(name), "{refs:?} {round}");
                    }
                    assert!(
                        found[refs.len()..].iter().all(|f| *f == Lookup::Many),
                        "extra slots left alone: {refs:?}"
                    );
                }
            }
        }
    }

    /// `lookup_names` on a `HeaderMap` agrees with one `lookup_name` per name, on both sides of
    /// the scan threshold, with absent, single and repeated headers.
    #[test]
    fn header_map_lookup_names_agrees_with_lookup_name() {
        let names: Vec<HeaderName> = ["a-sig", "b-ts", "c-id", "content-type", "absent"]
            .into_iter()
            .map(HeaderName::from_static)
            .collect();
        let refs: Vec<&HeaderName> = names.iter().collect();
        for filler in [0usize, 3, SCAN_MAX - 4, SCAN_MAX, SCAN_MAX + 10] {
            for repeat in 0..3usize {
                let mut map = http::HeaderMap::new();
                for i in 0..filler {
                    map.append(
                        HeaderName::try_from(format!("x-filler-{i}")).unwrap(),
                        http::HeaderValue::from(i),
                    );
                }
                map.append("content-type", http::HeaderValue::from_static("text/plain"));
                for (k, name) in ["a-sig", "b-ts", "c-id"].into_iter().enumerate() {
                    // 0, 1 or 2 values, varying by name and round.
                    for v in 0..(k + repeat) % 3 {
                        map.append(name, http::HeaderValue::from(v));
                    }
                }
                let mut found = [Lookup::Many; 6];
                map.lookup_names(&refs, &mut found);
                for (name, got) in names.iter().zip(found) {
                    assert_eq!(got, map.lookup_name(name), "{name} {filler} {repeat}");
                }
                assert_eq!(found[5], Lookup::Many, "extra slot left alone");
                #[cfg(feature = "actix-web")]
                {
                    use actix_web::http::header as ah;
                    let mut actix = ah::HeaderMap::new();
                    for (name, value) in &map {
                        actix.append(
                            ah::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
                            ah::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
                        );
                    }
                    let mut from_actix = [Lookup::Many; 6];
                    actix.lookup_names(&refs, &mut from_actix);
                    assert_eq!(from_actix, found, "actix {filler} {repeat}");
                    for name in &names {
                        assert_eq!(actix.lookup(name.as_str()), map.lookup_name(name), "{name}");
                    }
                }
            }
        }
    }
}
