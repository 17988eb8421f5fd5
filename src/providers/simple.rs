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
    // Without a separator the whole value is the one item, and is not scanned.
    let items = match separator {
        Some(sep) => Either::Many(super::split_on(value, sep)),
        None => Either::One(Some(value)),
    }
    .map(trim)
    .filter(move |i| single || !i.is_empty());
    items.filter_map(move |item| match strip_prefix(item, prefix) {
        Some(sig) => Some(Ok(sig)),
        None if single => Some(Err(ParseError::Malformed)),
        None => None,
    })
}

/// The items of a value: the whole value, or its pieces between separators.
enum Either<'a> {
    One(Option<&'a [u8]>),
    Many(super::SplitOn<'a>),
}

impl<'a> Iterator for Either<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            Either::One(value) => value.take(),
            Either::Many(items) => items.next(),
        }
    }
}

/// `item` without `prefix`. An empty prefix is handled without calling `memcmp`: the empty
/// prefix of a preset is a dangling pointer, and glibc's AVX-512 `memcmp` reads it with a masked
/// load whose fault suppression costs a microcode assist (about 80 ns) on some CPUs.
fn strip_prefix<'a>(item: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    if prefix.is_empty() {
        Some(item)
    } else {
        item.strip_prefix(prefix)
    }
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
