//! How each provider carries its signatures: header syntaxes, parsed without allocating.

pub(crate) mod form;
pub(crate) mod simple;
pub(crate) mod standard;
pub(crate) mod stripe;

use base64::Engine as _;

use crate::mac::MAX_MAC_LEN;

/// How a signature is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// Hexadecimal (either case accepted).
    Hex,
    /// Standard base64 with padding (RFC 4648 section 4).
    Base64,
}

/// Scratch space for one decoded candidate signature.
pub(crate) type DecodeBuf = [u8; MAX_MAC_LEN + 2];

/// The most signatures one header may carry. Real providers send one to three; more is refused
/// as malformed so that a hostile header cannot multiply the work.
pub(crate) const MAX_CANDIDATES: usize = 32;

/// Decodes one candidate signature, which must decode to exactly `out_len` bytes.
pub(crate) fn decode<'b>(
    encoding: Encoding,
    input: &[u8],
    out_len: usize,
    buf: &'b mut DecodeBuf,
) -> Option<&'b [u8]> {
    if out_len > MAX_MAC_LEN {
        return None;
    }
    match encoding {
        Encoding::Hex => {
            let out = buf.get_mut(..out_len)?;
            // `decode_to_slice` insists on input.len() == 2 * out.len().
            hex::decode_to_slice(input, out).ok()?;
            Some(out)
        }
        Encoding::Base64 => {
            if input.len() != out_len.div_ceil(3) * 4 {
                return None;
            }
            let n = base64::engine::general_purpose::STANDARD
                .decode_slice(input, &mut buf[..])
                .ok()?;
            if n != out_len {
                return None;
            }
            buf.get(..out_len)
        }
    }
}

/// `value` without leading and trailing ASCII spaces and tabs.
pub(crate) fn trim(value: &[u8]) -> &[u8] {
    let start = value
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| *b != b' ' && *b != b'\t')
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

/// Splits at the first `sep`.
pub(crate) fn split_once(value: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let i = value.iter().position(|b| *b == sep)?;
    Some((value.get(..i)?, value.get(i + 1..)?))
}

/// Reasons a signature header is refused before any MAC is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// Not the provider's syntax, or a signature of the expected scheme that does not decode.
    Malformed,
    /// Well-formed, but carries no signature of the expected scheme.
    NoCandidate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_handles_all_blank_and_empty() {
        assert_eq!(trim(b""), b"");
        assert_eq!(trim(b"   "), b"");
        assert_eq!(trim(b" a b\t"), b"a b");
    }

    #[test]
    fn decode_checks_length_and_alphabet() {
        let mut buf = [0; MAX_MAC_LEN + 2];
        assert!(decode(Encoding::Hex, b"00ff", 2, &mut buf).is_some());
        assert!(decode(Encoding::Hex, b"00FF", 2, &mut buf).is_some());
        assert!(decode(Encoding::Hex, b"00f", 2, &mut buf).is_none());
        assert!(decode(Encoding::Hex, b"00fg", 2, &mut buf).is_none());
        assert!(decode(Encoding::Hex, b"00ff00", 2, &mut buf).is_none());
        // 32 bytes -> 44 base64 characters with one '=' of padding.
        let good = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert!(decode(Encoding::Base64, good.as_bytes(), 32, &mut buf).is_some());
        let unpadded = good.trim_end_matches('=');
        assert!(decode(Encoding::Base64, unpadded.as_bytes(), 32, &mut buf).is_none());
        assert!(decode(Encoding::Base64, good.as_bytes(), 20, &mut buf).is_none());
        assert!(decode(Encoding::Hex, b"00", 65, &mut buf).is_none());
    }
}
