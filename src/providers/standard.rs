//! Standard Webhooks (and Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature`.
//!
//! The signature header is a space-separated list of `<version>,<signature>`; `v1` is
//! HMAC-SHA256 over `"{id}.{timestamp}.{body}"`, base64-encoded, keyed with the base64-decoded
//! part of the `whsec_<base64>` secret; `v1a` is Ed25519 over the same bytes, base64, checked
//! against `whpk_<base64>` public keys (feature `ed25519`). Versions the verifier has no key for
//! are ignored.
//! The `svix-id`, `svix-timestamp` and `svix-signature` names are accepted as aliases.

use super::{find_byte, split_on, split_once, ParseError};

/// The signatures of `version` (`v1` or `v1a`) in a `webhook-signature` value, still encoded.
/// Fails on an item that is not `<version>,<signature>`.
pub(crate) fn candidates<'a>(
    value: &'a [u8],
    version: &'a [u8],
) -> impl Iterator<Item = Result<&'a [u8], ParseError>> + 'a {
    split_on(value, b' ')
        .filter(|item| !item.is_empty())
        .filter_map(move |item| match split_once(item, b',') {
            None => Some(Err(ParseError::Malformed)),
            Some((v, sig)) if v == version => Some(Ok(sig)),
            Some(_) => None,
        })
}

/// Checks the list syntax: at least one item, each `<version>,<signature>`.
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
pub(crate) fn check_syntax(value: &[u8]) -> Result<(), ParseError> {
    check_syntax_with(value, |_| {})
}

/// [`check_syntax`], handing every `v1` signature to `v1` during the same pass. On an error
/// some signatures may already have been handed over.
///
/// The same items as [`candidates`] (non-empty runs between spaces, each split at its first
/// comma), walked without the iterator adapters: this runs on every request.
#[inline]
pub(crate) fn check_syntax_with<'a>(
    value: &'a [u8],
    mut v1: impl FnMut(&'a [u8]),
) -> Result<(), ParseError> {
    let mut rest = value;
    let mut items = 0usize;
    while let Some(start) = rest.iter().position(|b| *b != b' ') {
        let tail = rest.get(start..).unwrap_or_default();
        let (item, after) = match find_byte(tail, b' ') {
            Some(end) => (
                tail.get(..end).unwrap_or_default(),
                tail.get(end..).unwrap_or_default(),
            ),
            None => (tail, &[][..]),
        };
        items += 1;
        match split_once(item, b',') {
            None => return Err(ParseError::Malformed),
            Some((version, sig)) if version == b"v1" => v1(sig),
            Some(_) => {}
        }
        rest = after;
    }
    // Only spaces (or nothing): no item at all.
    if items == 0 {
        return Err(ParseError::Malformed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_v1_only() {
        let v: Vec<_> = candidates(b"v1,aa  v1a,bb v2,cc v1,dd", b"v1").collect();
        assert_eq!(v, vec![Ok(&b"aa"[..]), Ok(&b"dd"[..])]);
        let v: Vec<_> = candidates(b"v1,aa  v1a,bb v2,cc v1,dd", b"v1a").collect();
        assert_eq!(v, vec![Ok(&b"bb"[..])]);
        assert!(check_syntax(b"v1,aa nocomma").is_err());
        assert!(check_syntax(b"  ").is_err());
        assert!(check_syntax(b"v1a,xx").is_ok());
        let mut seen = Vec::new();
        assert!(check_syntax_with(b"v1,aa v1a,bb v1,cc", |c| seen.push(c)).is_ok());
        assert_eq!(seen, vec![&b"aa"[..], b"cc"]);
    }
}
