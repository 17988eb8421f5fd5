//! Reading one value at a JSON pointer without building the whole document.
//!
//! Event ids inside bodies (Stripe's `id`, Slack's `event_id`, a generic provider's pointer) are
//! read with a serde visitor that descends only along the pointer and skips everything else
//! with `IgnoredAny`: no `serde_json::Value` tree, no allocation for the parts not asked for.
//! The result is the same as `serde_json::Value::pointer` on the parsed body: a string, or a
//! number's text; the last of duplicated keys wins; malformed JSON yields nothing.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The string or number at `pointer` (RFC 6901) in `body`, if `body` is valid JSON.
pub(crate) fn at_pointer(body: &[u8], pointer: &str) -> Option<String> {
    let tokens: Vec<String> = if pointer.is_empty() {
        Vec::new()
    } else {
        let rest = pointer.strip_prefix('/')?;
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect()
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let found = Seek { path: &tokens }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    found
}

/// Finds `path` in the value being deserialized.
struct Seek<'p> {
    path: &'p [String],
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.path.is_empty().then(|| v.to_owned()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.path.is_empty().then(|| v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.path.is_empty().then(|| v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self
            .path
            .is_empty()
            .then(|| serde_json::Number::from_f64(v).map(|n| n.to_string()))
            .flatten())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match self.path.split_first() {
                Some((first, rest)) if *first == *key => {
                    // A later duplicate replaces an earlier one, as in a parsed `Value`.
                    found = map.next_value_seed(Seek { path: rest })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let wanted = match self.path.split_first() {
            // RFC 6901 array indices: digits, no leading zero.
            Some((first, rest))
                if !first.is_empty()
                    && first.bytes().all(|b| b.is_ascii_digit())
                    && (first.len() == 1 || !first.starts_with('0')) =>
            {
                first.parse::<usize>().ok().map(|i| (i, rest))
            }
            _ => None,
        };
        let mut found = None;
        let mut index = 0usize;
        loop {
            match wanted {
                Some((i, rest)) if i == index => {
                    match seq.next_element_seed(Seek { path: rest })? {
                        Some(v) => found = v,
                        None => break,
                    }
                }
                _ => {
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                }
            }
            index = index.saturating_add(1);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `serde_json::Value::pointer` says, for comparison.
    fn reference(body: &[u8], pointer: &str) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        match v.pointer(pointer)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    #[test]
    fn agrees_with_value_pointer() {
        let bodies: [&[u8]; 9] = [
            br#"{"id":"evt_1","data":{"object":{"id":"pi_1","n":[1,2,{"x":"y"}]}}}"#,
            br#"{"id":7,"event_id":-3,"f":1.5,"b":true,"z":null}"#,
            br#"{"id":"a","id":"b"}"#,
            br#"{"a/b":{"m~n":"esc"},"":"empty key"}"#,
            br#"[{"id":"first"},{"id":"second"}]"#,
            br#"{"id":"\u00e9\n\"q\""}"#,
            br#"{"id":"x"} trailing"#,
            b"not json",
            br#"{"id":{"nested":"object"}}"#,
        ];
        let pointers = [
            "/id",
            "/event_id",
            "/f",
            "/b",
            "/z",
            "/data/object/id",
            "/data/object/n/2/x",
            "/data/object/n/01",
            "/data/object/n/1",
            "/a~1b/m~0n",
            "/",
            "/0/id",
            "/1/id",
            "/2/id",
            "",
            "id",
            "/missing",
        ];
        for body in bodies {
            for pointer in pointers {
                assert_eq!(
                    at_pointer(body, pointer),
                    reference(body, pointer),
                    "{} at {pointer:?}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    }
}
