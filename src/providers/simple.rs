//! One header holding `<prefix><signature>` (GitHub `sha256=<hex>`, Slack `v0=<hex>`, Shopify
//! `<base64>`, and the generic HMAC builder), optionally several separated by a delimiter.

use super::{trim, ParseError};

/// The signatures in `value`, still encoded, with `prefix` removed.
///
/// Without a separator the whole value must start with the prefix. With one, items that do not
/// start with the prefix are other schemes and are skipped.
pub(crate) fn candidates<'a>(
    value: &'a [u8],
    prefix: &'a [u8],
    separator: Option<u8>,
) -> impl Iterator<Item = Result<&'a [u8], ParseError>> + 'a {
    let single = separator.is_none();
    let items = value
        .split(move |b| Some(*b) == separator)
        .map(trim)
        .filter(move |i| single || !i.is_empty());
    items.filter_map(move |item| match item.strip_prefix(prefix) {
        Some(sig) => Some(Ok(sig)),
        None if single => Some(Err(ParseError::Malformed)),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_required_for_a_single_value() {
        let got: Vec<_> = candidates(b"sha256=ab", b"sha256=", None).collect();
        assert_eq!(got, vec![Ok(&b"ab"[..])]);
        let got: Vec<_> = candidates(b"sha1=ab", b"sha256=", None).collect();
        assert_eq!(got, vec![Err(ParseError::Malformed)]);
    }

    #[test]
    fn lists_skip_other_schemes() {
        let got: Vec<_> = candidates(b"sha1=aa, sha256=bb,,", b"sha256=", Some(b',')).collect();
        assert_eq!(got, vec![Ok(&b"bb"[..])]);
    }
}
