//! Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...][,v0=<hex>]`.
//!
//! Signed payload: `"{t}.{body}"`, HMAC-SHA256, the `whsec_...` secret used as raw bytes. Any
//! `v1` may match (Stripe sends one per active secret while a secret is being rolled); `v0` and
//! unknown schemes are ignored.

use super::{split_once, trim, ParseError};

/// A parsed `Stripe-Signature` header, borrowing the header value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StripeHeader<'a> {
    /// The raw `t=` value, exactly as signed.
    pub(crate) timestamp: &'a [u8],
    value: &'a [u8],
}

fn items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|b| *b == b',').map(trim)
}

/// Parses the header: comma-separated `key=value` items with exactly one `t`.
pub(crate) fn parse(value: &[u8]) -> Result<StripeHeader<'_>, ParseError> {
    let mut timestamp = None;
    for item in items(value) {
        let (key, v) = split_once(item, b'=').ok_or(ParseError::Malformed)?;
        if key.is_empty() {
            return Err(ParseError::Malformed);
        }
        if key == b"t" {
            if timestamp.is_some() {
                return Err(ParseError::Malformed);
            }
            timestamp = Some(v);
        }
    }
    Ok(StripeHeader {
        timestamp: timestamp.ok_or(ParseError::Malformed)?,
        value,
    })
}

impl<'a> StripeHeader<'a> {
    /// The `v1` signatures, still encoded.
    pub(crate) fn candidates(&self) -> impl Iterator<Item = &'a [u8]> {
        items(self.value).filter_map(|item| match split_once(item, b'=') {
            Some((b"v1", sig)) => Some(sig),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_timestamp_and_v1s() {
        let h = parse(b"t=12, v1=aa,v0=bb,v1=cc").unwrap();
        assert_eq!(h.timestamp, b"12");
        assert_eq!(h.candidates().collect::<Vec<_>>(), vec![&b"aa"[..], b"cc"]);
    }

    #[test]
    fn refuses_bad_syntax() {
        assert_eq!(parse(b"v1=aa").unwrap_err(), ParseError::Malformed);
        assert_eq!(parse(b"t=1,t=2,v1=aa").unwrap_err(), ParseError::Malformed);
        assert_eq!(parse(b"t=1,garbage").unwrap_err(), ParseError::Malformed);
        assert_eq!(parse(b"t=1,,v1=aa").unwrap_err(), ParseError::Malformed);
        assert_eq!(parse(b"").unwrap_err(), ParseError::Malformed);
    }
}
