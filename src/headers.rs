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
}

impl<T: HeaderLookup + ?Sized> HeaderLookup for &T {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        (**self).lookup(name)
    }

    fn lookup_name(&self, name: &HeaderName) -> Lookup<'_> {
        (**self).lookup_name(name)
    }
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
