//! `key=value` lists with one timestamp and any number of signatures:
//! Stripe (`Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...][,v0=<hex>]`) and Paddle Billing
//! (`Paddle-Signature: ts=<unix>;h1=<hex>[;h1=<hex>...]`).
//!
//! Stripe signs `"{t}.{body}"`, Paddle `"{ts}:{body}"`, both HMAC-SHA256 with the secret used as
//! raw bytes. Any signature of the expected scheme may match (both send one per active secret
//! while a secret is being rolled); other schemes (Stripe's `v0`) are ignored.

use super::{split_on, split_once, trim, ParseError};

/// The syntax of one provider's `key=value` list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// Between items: `,` (Stripe) or `;` (Paddle).
    pub(crate) separator: u8,
    /// The key of the timestamp item: `t` or `ts`.
    pub(crate) timestamp: &'static [u8],
    /// The key of a signature item: `v1` or `h1`.
    pub(crate) signature: &'static [u8],
}

/// Stripe's `Stripe-Signature`.
pub(crate) const STRIPE: Syntax = Syntax {
    separator: b',',
    timestamp: b"t",
    signature: b"v1",
};

/// Paddle Billing's `Paddle-Signature`.
pub(crate) const PADDLE: Syntax = Syntax {
    separator: b';',
    timestamp: b"ts",
    signature: b"h1",
};

/// A parsed header, borrowing the header value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StripeHeader<'a> {
    /// The raw timestamp value, exactly as signed.
    pub(crate) timestamp: &'a [u8],
    value: &'a [u8],
    syntax: Syntax,
}

fn items(value: &[u8], separator: u8) -> impl Iterator<Item = &[u8]> {
    split_on(value, separator).map(trim)
}

/// Parses the header: separated `key=value` items with exactly one timestamp.
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
pub(crate) fn parse(value: &[u8], syntax: Syntax) -> Result<StripeHeader<'_>, ParseError> {
    parse_with(value, syntax, |_| {})
}

/// [`parse`], handing every signature of the expected scheme (what
/// [`StripeHeader::candidates`] lists) to `signature` during the same pass. On an error some
/// signatures may already have been handed over.
#[inline(always)]
pub(crate) fn parse_with<'a>(
    value: &'a [u8],
    syntax: Syntax,
    mut signature: impl FnMut(&'a [u8]),
) -> Result<StripeHeader<'a>, ParseError> {
    let mut timestamp = None;
    for item in items(value, syntax.separator) {
        let (key, v) = split_once(item, b'=').ok_or(ParseError::Malformed)?;
        if key.is_empty() {
            return Err(ParseError::Malformed);
        }
        if key == syntax.timestamp {
            if timestamp.is_some() {
                return Err(ParseError::Malformed);
            }
            timestamp = Some(v);
        } else if key == syntax.signature {
            signature(v);
        }
    }
    Ok(StripeHeader {
        timestamp: timestamp.ok_or(ParseError::Malformed)?,
        value,
        syntax,
    })
}

impl<'a> StripeHeader<'a> {
    /// The signatures of the expected scheme, still encoded.
    pub(crate) fn candidates(&self) -> impl Iterator<Item = &'a [u8]> {
        let key = self.syntax.signature;
        items(self.value, self.syntax.separator).filter_map(move |item| {
            match split_once(item, b'=') {
                Some((k, sig)) if k == key => Some(sig),
                _ => None,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_timestamp_and_v1s() {
        let h = parse(b"t=12, v1=aa,v0=bb,v1=cc", STRIPE).unwrap();
        assert_eq!(h.timestamp, b"12");
        assert_eq!(h.candidates().collect::<Vec<_>>(), vec![&b"aa"[..], b"cc"]);
        let mut seen = Vec::new();
        let h = parse_with(b"t=12, v1=aa,v0=bb,v1=cc", STRIPE, |c| seen.push(c)).unwrap();
        assert_eq!(h.timestamp, b"12");
        assert_eq!(seen, vec![&b"aa"[..], b"cc"]);
    }

    #[test]
    fn parses_paddle() {
        let h = parse(b"ts=12;h1=aa;h1=cc", PADDLE).unwrap();
        assert_eq!(h.timestamp, b"12");
        assert_eq!(h.candidates().collect::<Vec<_>>(), vec![&b"aa"[..], b"cc"]);
        // Stripe's separator is just a byte inside a Paddle item.
        assert_eq!(
            parse(b"ts=12,h1=aa", PADDLE).unwrap().timestamp,
            b"12,h1=aa"
        );
        assert_eq!(
            parse(b"t=12;h1=aa", PADDLE).unwrap_err(),
            ParseError::Malformed
        );
    }

    #[test]
    fn refuses_bad_syntax() {
        for syntax in [STRIPE, PADDLE] {
            let t = std::str::from_utf8(syntax.timestamp).unwrap();
            let sep = syntax.separator as char;
            for bad in [
                "v1=aa".to_string(),
                format!("{t}=1{sep}{t}=2{sep}v1=aa"),
                format!("{t}=1{sep}garbage"),
                format!("{t}=1{sep}{sep}v1=aa"),
                String::new(),
            ] {
                assert_eq!(
                    parse(bad.as_bytes(), syntax).unwrap_err(),
                    ParseError::Malformed,
                    "{bad}"
                );
            }
        }
    }
}
