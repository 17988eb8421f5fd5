//! Twilio's canonical form: the `application/x-www-form-urlencoded` body's parameters, decoded,
//! sorted by name (then value), duplicates dropped, each written as `{name}{value}` with nothing
//! in between, after the URL.
//!
//! Parsing is strict and allocation-light: one vector of borrowed `(name, value)` slices of the
//! body; decoding happens on the fly while sorting and while feeding the MAC, through a small
//! stack buffer. A body is refused (`malformed_body`) if an item has no `=`, an item is empty, a
//! `%` is not followed by two hex digits, or a decoded name or value is not UTF-8 (Twilio sends
//! UTF-8). The signed string is not injective (`a=bc` and `ab=c` both give `abc`): that is
//! Twilio's scheme; parse the body in your handler with an equally strict parser.

use std::cmp::Ordering;

/// Why a body is not a strict form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Decodes one form-encoded component, byte by byte: `+` is a space, `%XX` a byte.
/// The input must have passed [`check`].
fn decoded(raw: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let b = *raw.get(i)?;
        i += 1;
        Some(match b {
            b'+' => b' ',
            b'%' => {
                let hi = raw.get(i).copied().and_then(hex_value).unwrap_or(0);
                let lo = raw.get(i + 1).copied().and_then(hex_value).unwrap_or(0);
                i += 2;
                hi << 4 | lo
            }
            other => other,
        })
    })
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Checks the escapes of one component and that it decodes to UTF-8.
fn check(raw: &[u8], scratch: &mut Vec<u8>) -> Result<(), Malformed> {
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b == b'%' {
            let ok = raw.get(i + 1).copied().and_then(hex_value).is_some()
                && raw.get(i + 2).copied().and_then(hex_value).is_some();
            if !ok {
                return Err(Malformed);
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    scratch.clear();
    scratch.extend(decoded(raw));
    std::str::from_utf8(scratch).map_err(|_| Malformed)?;
    Ok(())
}

fn cmp_decoded(a: &[u8], b: &[u8]) -> Ordering {
    decoded(a).cmp(decoded(b))
}

/// The parameters of a form body, sorted and deduplicated as Twilio signs them.
pub(crate) struct Form<'a> {
    pairs: Vec<(&'a [u8], &'a [u8])>,
}

impl<'a> Form<'a> {
    /// Parses `body` strictly. An empty body has no parameters.
    pub(crate) fn parse(body: &'a [u8]) -> Result<Self, Malformed> {
        let mut pairs = Vec::new();
        if !body.is_empty() {
            let mut scratch = Vec::new();
            for item in body.split(|b| *b == b'&') {
                let (name, value) = super::split_once(item, b'=').ok_or(Malformed)?;
                if name.is_empty() {
                    return Err(Malformed);
                }
                check(name, &mut scratch)?;
                check(value, &mut scratch)?;
                pairs.push((name, value));
            }
        }
        pairs.sort_by(|x, y| cmp_decoded(x.0, y.0).then_with(|| cmp_decoded(x.1, y.1)));
        pairs.dedup_by(|x, y| {
            cmp_decoded(x.0, y.0) == Ordering::Equal && cmp_decoded(x.1, y.1) == Ordering::Equal
        });
        Ok(Form { pairs })
    }

    /// Writes `{name}{value}` for every parameter, in order, through `update`.
    pub(crate) fn feed(&self, update: &mut dyn FnMut(&[u8])) {
        let mut buf = [0u8; 256];
        for (name, value) in &self.pairs {
            for part in [name, value] {
                let mut n = 0;
                for b in decoded(part) {
                    if let Some(slot) = buf.get_mut(n) {
                        *slot = b;
                        n += 1;
                    }
                    if n == buf.len() {
                        update(&buf);
                        n = 0;
                    }
                }
                update(buf.get(..n).unwrap_or_default());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(body: &str) -> Result<String, Malformed> {
        let form = Form::parse(body.as_bytes())?;
        let mut out = Vec::new();
        form.feed(&mut |c| out.extend_from_slice(c));
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn sorts_decodes_and_dedups() {
        assert_eq!(canonical("b=2&a=1").unwrap(), "a1b2");
        assert_eq!(
            canonical("To=%2B1800&Body=hi+there").unwrap(),
            "Bodyhi thereTo+1800"
        );
        // Twilio's duplicate rule: values of one name sorted, identical pairs once.
        assert_eq!(
            canonical("Digits=5678&Sid=CA&Digits=1234&Digits=5678").unwrap(),
            "Digits1234Digits5678SidCA"
        );
        assert_eq!(canonical("").unwrap(), "");
        assert_eq!(canonical("a=").unwrap(), "a");
        let long = "x".repeat(1000);
        assert_eq!(canonical(&format!("k={long}")).unwrap(), format!("k{long}"));
        assert_eq!(canonical("n=%C3%A9").unwrap(), "n\u{e9}");
    }

    #[test]
    fn is_strict() {
        for bad in [
            "a",
            "a=1&",
            "&a=1",
            "a=1&&b=2",
            "=1",
            "a=%",
            "a=%4",
            "a=%zz",
            "a=%FF",
            "%=1",
            "{\"json\":1}",
        ] {
            assert_eq!(canonical(bad), Err(Malformed), "{bad}");
        }
    }
}
