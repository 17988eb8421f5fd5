//! How each provider carries its signatures: header syntaxes, parsed without allocating.

pub(crate) mod form;
pub(crate) mod simple;
pub(crate) mod standard;
pub(crate) mod stripe;

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
pub(crate) type DecodeBuf = [u8; MAX_MAC_LEN];

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
            decode_hex(input, out)?;
            Some(out)
        }
        Encoding::Base64 => {
            let out = buf.get_mut(..out_len)?;
            decode_base64(input, out)?;
            Some(out)
        }
    }
}

/// The value of a hex digit (either case), or 0xff.
#[inline(always)]
fn hex_value(c: u8) -> u8 {
    let digit = c.wrapping_sub(b'0');
    // `| 0x20` maps 'A'..='F' onto 'a'..='f' and nothing else onto that range.
    let letter = (c | 0x20).wrapping_sub(b'a');
    if digit < 10 {
        digit
    } else if letter < 6 {
        letter + 10
    } else {
        0xff
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = ONES * 0x80;

/// Eight characters at once (a little-endian word): their hex values, one per byte, and a mask
/// with 0x80 in every byte that is a hex digit (either case). Bytes with the high bit set are
/// cleared before the range checks, so no addition carries into the next byte, and reported
/// as invalid.
#[inline(always)]
fn hex_word(x: u64) -> (u64, u64) {
    let x7 = x & !HIGH;
    let range = |v: u64, lo: u8, hi: u8| {
        (v + ONES * u64::from(0x80 - lo)) & !(v + ONES * u64::from(0x7f - hi)) & HIGH
    };
    let digit = range(x7, b'0', b'9');
    let letter = range(x7 | (ONES * 0x20), b'a', b'f');
    let valid = (digit | letter) & !x;
    // '0'..='9' -> low nibble; 'a'..='f' / 'A'..='F' -> low nibble + 9.
    let value = (x7 & (ONES * 0x0f)) + (letter >> 7) * 9;
    (value, valid)
}

/// Decodes hex (either case) into `out`, which must be exactly half as long as `input`. Accepts
/// exactly what `hex::decode_to_slice` accepts. Eight characters per step (SWAR), the rest one
/// pair at a time.
fn decode_hex(input: &[u8], out: &mut [u8]) -> Option<()> {
    if input.len() != out.len().checked_mul(2)? {
        return None;
    }
    let (words, rest) = input.as_chunks::<8>();
    let (quads, out_rest) = out.as_chunks_mut::<4>();
    let mut valid = HIGH;
    for (word, four) in words.iter().zip(quads.iter_mut()) {
        let (value, ok) = hex_word(u64::from_le_bytes(*word));
        valid &= ok;
        // Byte pairs (high nibble first) into the low byte of each 16-bit lane, then the four
        // low bytes together.
        let v = ((value & 0x00ff_00ff_00ff_00ff) << 4) | ((value >> 8) & 0x00ff_00ff_00ff_00ff);
        let v = (v | (v >> 8)) & 0x0000_ffff_0000_ffff;
        let v = (v | (v >> 16)) & 0xffff_ffff;
        *four = (v as u32).to_le_bytes();
    }
    let mut bad = 0u8;
    for ([hi, lo], byte) in rest.as_chunks::<2>().0.iter().zip(out_rest.iter_mut()) {
        let (hi, lo) = (hex_value(*hi), hex_value(*lo));
        bad |= hi | lo;
        *byte = (hi << 4) | (lo & 0x0f);
    }
    (valid == HIGH && bad & 0xf0 == 0).then_some(())
}

/// The value of a character of the standard base64 alphabet, or 0xff (`=` included: padding
/// is matched explicitly).
const fn base64_value(c: u8) -> u8 {
    let upper = c.wrapping_sub(b'A');
    let lower = c.wrapping_sub(b'a');
    let digit = c.wrapping_sub(b'0');
    if upper < 26 {
        upper
    } else if lower < 26 {
        lower + 26
    } else if digit < 10 {
        digit + 52
    } else if c == b'+' {
        62
    } else if c == b'/' {
        63
    } else {
        0xff
    }
}

/// The value of every byte in the standard base64 alphabet, 0xff for the others (`=`
/// included: padding is matched explicitly).
#[allow(clippy::indexing_slicing)] // a constant: evaluated at compile time, `c < 256`
const BASE64_VALUES: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = base64_value(c as u8);
        c += 1;
    }
    table
};

/// [`BASE64_VALUES`] widened to 32 bits, every invalid byte all ones: a quad's four values
/// shifted into place and OR-ed together have a bit above the 24 data bits set exactly when
/// one of them is invalid (an all-ones value keeps bit 31 under any shift up to 18), so one OR
/// per quad collects the check. 1 KiB, of which the alphabet's 80 entries span six lines.
#[allow(clippy::indexing_slicing)] // a constant: evaluated at compile time, `c < 256`
const BASE64_WIDE: [u32; 256] = {
    let mut table = [u32::MAX; 256];
    let mut c = 0;
    while c < 256 {
        let v = BASE64_VALUES[c];
        if v != 0xff {
            table[c] = v as u32;
        }
        c += 1;
    }
    table
};

/// Decodes standard, padded base64 into `out`, accepting exactly the canonical encodings of
/// `out.len()` bytes: the length must be `out.len().div_ceil(3) * 4`, padding only where
/// canonical, and unused trailing bits zero. That is what
/// `base64::engine::general_purpose::STANDARD.decode_slice` accepts once the decoded length is
/// required to be `out.len()`, without its generic chunking and length estimation. One table
/// look-up per character, a quad at a time, then the padded quad.
fn decode_base64(input: &[u8], out: &mut [u8]) -> Option<()> {
    if input.len() != out.len().div_ceil(3).checked_mul(4)? {
        return None;
    }
    let full = out.len() / 3;
    let (body, tail) = input.split_at_checked(full * 4)?;
    let (out_body, out_tail) = out.split_at_mut_checked(full * 3)?;
    // A `u8` is always in bounds: the checks compile away.
    let value = |c: &u8| BASE64_VALUES.get(usize::from(*c)).copied().unwrap_or(0xff);
    let wide = |c: u8| BASE64_WIDE.get(usize::from(c)).copied().unwrap_or(u32::MAX);
    let mut bad = 0u8;
    let mut bad_quads = 0u32;
    let (quads, _) = body.as_chunks::<4>();
    let (threes, _) = out_body.as_chunks_mut::<3>();
    for (&[a, b, c, d], three) in quads.iter().zip(threes.iter_mut()) {
        let n = (wide(a) << 18) | (wide(b) << 12) | (wide(c) << 6) | wide(d);
        bad_quads |= n;
        let [_, x, y, z] = n.to_be_bytes();
        *three = [x, y, z];
    }
    match (tail, out_tail) {
        ([], []) => {}
        ([a, b, b'=', b'='], [x]) => {
            let (a, b) = (value(a), value(b));
            // The low four bits of `b` are unused and must be zero.
            bad |= a | b | unused_bits(b & 0x0f);
            *x = (a << 2) | (b >> 4);
        }
        ([a, b, c, b'='], [x, y]) => {
            let (a, b, c) = (value(a), value(b), value(c));
            // The low two bits of `c` are unused and must be zero.
            bad |= a | b | c | unused_bits(c & 0x03);
            *x = (a << 2) | (b >> 4);
            *y = (b << 4) | (c >> 2);
        }
        _ => return None,
    }
    // Valid values are below 64; 0xff marks an invalid character (in a full quad, any bit
    // above the 24 data bits).
    (bad & 0xc0 == 0 && bad_quads >> 24 == 0).then_some(())
}

/// 0xff (invalid) when unused trailing bits are set, else 0.
fn unused_bits(bits: u8) -> u8 {
    if bits == 0 {
        0
    } else {
        0xff
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
    let i = find_byte(value, sep)?;
    Some((value.get(..i)?, value.get(i + 1..)?))
}

/// Haystacks up to this long are searched eight bytes at a time inline; longer ones with
/// `memchr`, whose vector code wins once the call and its set-up are paid for.
const INLINE_SEARCH_MAX: usize = 128;

/// The position of the first `needle` in `haystack`. Header values are short: a word-at-a-time
/// search costs less than calling `memchr` for them.
pub(crate) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    if haystack.len() > INLINE_SEARCH_MAX {
        return memchr::memchr(needle, haystack);
    }
    let (words, rest) = haystack.as_chunks::<8>();
    let pattern = ONES * u64::from(needle);
    for (i, word) in words.iter().enumerate() {
        let x = u64::from_le_bytes(*word) ^ pattern;
        // A byte of `x` is zero where the needle is. This marks the first such byte exactly
        // (a false mark can only follow a true one, through the borrow).
        let found = x.wrapping_sub(ONES) & !x & HIGH;
        if found != 0 {
            return Some(i * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    // The last bytes: one more word, overlapping the last whole one (whose bytes hold no
    // needle, so the first mark is in the tail), or one by one in a haystack under 8 bytes.
    let tail_at = words.len() * 8;
    if rest.is_empty() {
        return None;
    }
    match haystack.last_chunk::<8>() {
        Some(last) => {
            let x = u64::from_le_bytes(*last) ^ pattern;
            let found = x.wrapping_sub(ONES) & !x & HIGH;
            (found != 0).then(|| haystack.len() - 8 + (found.trailing_zeros() / 8) as usize)
        }
        None => rest.iter().position(|b| *b == needle).map(|p| tail_at + p),
    }
}

/// `value.split(|b| *b == sep)`, finding each separator with `memchr` rather than testing
/// byte by byte: the same items, empty ones included.
pub(crate) fn split_on(value: &[u8], sep: u8) -> SplitOn<'_> {
    SplitOn {
        rest: Some(value),
        sep,
    }
}

/// The iterator of [`split_on`].
#[derive(Clone)]
pub(crate) struct SplitOn<'a> {
    /// `None` once the last item was returned.
    rest: Option<&'a [u8]>,
    sep: u8,
}

impl<'a> Iterator for SplitOn<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match split_once(rest, self.sep) {
            Some((item, after)) => {
                self.rest = Some(after);
                Some(item)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
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
    use base64::Engine as _;

    #[test]
    fn trim_handles_all_blank_and_empty() {
        assert_eq!(trim(b""), b"");
        assert_eq!(trim(b"   "), b"");
        assert_eq!(trim(b" a b\t"), b"a b");
    }

    #[test]
    fn find_byte_matches_position() {
        let mut hay: Vec<u8> = (0..300u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in 0..hay.len() {
            for needle in [0u8, 1, 0x80, 0xff, b',', b' ', b'=', hay[len / 2]] {
                let h = &hay[..len];
                assert_eq!(
                    find_byte(h, needle),
                    h.iter().position(|b| *b == needle),
                    "{len} {needle}"
                );
            }
        }
        // Runs of the needle, and bytes just above and below it.
        hay.iter_mut().for_each(|b| *b = b'a');
        for at in 0..40 {
            for other in [b'`', b'b', b'a' ^ 0x80] {
                let mut h = hay[..40].to_vec();
                h[at] = other;
                assert_eq!(find_byte(&h, other), Some(at), "{at} {other}");
                assert_eq!(find_byte(&h, b'a'), Some(usize::from(at == 0)), "{at}");
            }
        }
    }

    #[test]
    fn split_on_matches_slice_split() {
        for value in [
            &b""[..],
            b",",
            b",,",
            b"a",
            b"a,",
            b",a",
            b"a,,b",
            b"t=1, v1=aa ,v0=bb",
            b"no separator at all, well one",
        ] {
            let ours: Vec<&[u8]> = split_on(value, b',').collect();
            let std: Vec<&[u8]> = value.split(|b| *b == b',').collect();
            assert_eq!(ours, std, "{value:?}");
            assert_eq!(split_once(value, b','), {
                let i = value.iter().position(|b| *b == b',');
                i.map(|i| (&value[..i], &value[i + 1..]))
            });
        }
    }

    #[test]
    fn decode_checks_length_and_alphabet() {
        let mut buf = [0; MAX_MAC_LEN];
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
        assert!(decode(Encoding::Hex, b"", 0, &mut buf).is_some());
    }

    /// What the `base64` crate accepts, under the same exact-length rule.
    fn reference_base64(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
        if input.len() != out_len.div_ceil(3) * 4 {
            return None;
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(input)
            .ok()?;
        (bytes.len() == out_len).then_some(bytes)
    }

    #[test]
    fn base64_short_inputs_match_the_base64_crate() {
        let mut buf = [0; MAX_MAC_LEN];
        let mut check = |input: [u8; 4], out_len: usize| {
            let ours = decode(Encoding::Base64, &input, out_len, &mut buf).map(|d| d.to_vec());
            assert_eq!(
                ours,
                reference_base64(&input, out_len),
                "{input:?} {out_len}"
            );
        };
        for out_len in 1..=3 {
            // Every value of the two last characters (padding and unused bits)...
            for c in 0..=255u8 {
                for d in 0..=255u8 {
                    check([b'Q', b'x', c, d], out_len);
                }
            }
            // ...and every value of each character, in canonical and non-canonical quads.
            for base in [*b"AAAA", *b"QQ==", *b"QR==", *b"QUE=", *b"QUF=", *b"/+/+"] {
                for at in 0..4 {
                    for byte in 0..=255u8 {
                        let mut input = base;
                        input[at] = byte;
                        check(input, out_len);
                    }
                }
            }
        }
    }

    #[test]
    fn base64_mac_lengths_match_the_base64_crate_on_every_single_byte_change() {
        let mut buf = [0; MAX_MAC_LEN];
        for out_len in [20, 32, 64] {
            for seed in 0..4u8 {
                let raw: Vec<u8> = (0..out_len as u8)
                    .map(|i| i.wrapping_mul(37) ^ seed)
                    .collect();
                let good = base64::engine::general_purpose::STANDARD.encode(&raw);
                let got = decode(Encoding::Base64, good.as_bytes(), out_len, &mut buf);
                assert_eq!(got, Some(&raw[..]));
                for at in 0..good.len() {
                    for byte in 0..=255u8 {
                        let mut input = good.clone().into_bytes();
                        input[at] = byte;
                        let ours =
                            decode(Encoding::Base64, &input, out_len, &mut buf).map(|d| d.to_vec());
                        assert_eq!(ours, reference_base64(&input, out_len), "{input:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn hex_mac_lengths_match_the_hex_crate_on_every_single_byte_change() {
        let mut buf = [0; MAX_MAC_LEN];
        for out_len in [20, 32, 64] {
            let raw: Vec<u8> = (0..out_len as u8).map(|i| i.wrapping_mul(73)).collect();
            for good in [hex::encode(&raw), hex::encode_upper(&raw)] {
                let got = decode(Encoding::Hex, good.as_bytes(), out_len, &mut buf);
                assert_eq!(got, Some(&raw[..]));
                for at in 0..good.len() {
                    for byte in 0..=255u8 {
                        let mut input = good.clone().into_bytes();
                        input[at] = byte;
                        let ours =
                            decode(Encoding::Hex, &input, out_len, &mut buf).map(|d| d.to_vec());
                        assert_eq!(ours, hex::decode(&input).ok(), "{input:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn hex_decoding_matches_the_hex_crate_on_every_pair() {
        let mut buf = [0; MAX_MAC_LEN];
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let input = [b'0', a, b, b'f'];
                let ours = decode(Encoding::Hex, &input, 2, &mut buf).map(|d| d.to_vec());
                let theirs = hex::decode(input).ok();
                assert_eq!(ours, theirs, "{input:?}");
            }
        }
    }
}
