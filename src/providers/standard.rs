//! Standard Webhooks (and Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature`.
//!
//! The signature header is a space-separated list of `<version>,<signature>`; `v1` is
//! HMAC-SHA256 over `"{id}.{timestamp}.{body}"`, base64-encoded, keyed with the base64-decoded
//! part of the `whsec_<base64>` secret. Other versions (such as `v1a`, Ed25519) are ignored.
//! The `svix-id`, `svix-timestamp` and `svix-signature` names are accepted as aliases.

use super::{split_once, ParseError};

/// The `v1` signatures in a `webhook-signature` value, still encoded. Fails on an item that is
/// not `<version>,<signature>`.
pub(crate) fn candidates(value: &[u8]) -> impl Iterator<Item = Result<&[u8], ParseError>> {
    value
        .split(|b| *b == b' ')
        .filter(|item| !item.is_empty())
        .filter_map(|item| match split_once(item, b',') {
            None => Some(Err(ParseError::Malformed)),
            Some((b"v1", sig)) => Some(Ok(sig)),
            Some(_) => None,
        })
}

/// Checks the list syntax: at least one item, each `<version>,<signature>`.
pub(crate) fn check_syntax(value: &[u8]) -> Result<(), ParseError> {
    // Only spaces (or nothing): no item at all.
    if value.iter().all(|b| *b == b' ') {
        return Err(ParseError::Malformed);
    }
    candidates(value).try_for_each(|c| c.map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_v1_only() {
        let v: Vec<_> = candidates(b"v1,aa  v1a,bb v2,cc v1,dd").collect();
        assert_eq!(v, vec![Ok(&b"aa"[..]), Ok(&b"dd"[..])]);
        assert!(check_syntax(b"v1,aa nocomma").is_err());
        assert!(check_syntax(b"  ").is_err());
        assert!(check_syntax(b"v1a,xx").is_ok());
    }
}
