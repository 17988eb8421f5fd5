//! [`Secret`]: key material that never shows itself.

use std::fmt;

use zeroize::Zeroizing;

/// A webhook signing secret.
///
/// The bytes are zeroized when the value is dropped. `Debug` prints `Secret([REDACTED])`;
/// there is deliberately no `Display`, `Serialize`, `PartialEq` or accessor, so a secret cannot
/// end up in a log line, an error or a response by accident.
///
/// A secret is built from whatever form the provider hands out: `&str`, `String`, `&[u8]` or
/// `Vec<u8>`. How its bytes are used depends on the provider: Stripe, GitHub, Slack, Shopify and
/// the generic HMAC use them as the raw HMAC key; Standard Webhooks decodes the `whsec_<base64>`
/// form when the verifier is built.
///
/// ```
/// use webhook_guard::Secret;
///
/// let secret = Secret::from("whsec_do_not_print_me");
/// assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
/// ```
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps raw secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(Zeroizing::new(bytes.into()))
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s.as_bytes())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s.into_bytes())
    }
}

impl From<&String> for Secret {
    fn from(s: &String) -> Self {
        Secret::new(s.as_bytes())
    }
}

impl From<&[u8]> for Secret {
    fn from(b: &[u8]) -> Self {
        Secret::new(b)
    }
}

impl From<Vec<u8>> for Secret {
    fn from(b: Vec<u8>) -> Self {
        Secret::new(b)
    }
}

impl<const N: usize> From<&[u8; N]> for Secret {
    fn from(b: &[u8; N]) -> Self {
        Secret::new(&b[..])
    }
}
