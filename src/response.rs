//! The one mapping from a rejection to an HTTP answer, shared by every adapter.
//!
//! ```
//! use webhook_guard::{response, ErrorKind, VerifyError};
//!
//! let rejection = response::Rejection::from_error(&VerifyError::from_kind(ErrorKind::InvalidSignature));
//! assert_eq!(rejection.status(), 401);
//! assert_eq!(&rejection.body()[..], br#"{"error":"invalid_signature","message":"no signature matches"}"#);
//! ```

use bytes::Bytes;

use crate::error::VerifyError;

/// `Content-Type` of every rejection body.
pub const CONTENT_TYPE: &str = "application/json";

/// A status and a short JSON body: `{"error": "<code>", "message": "...", "header": "..."}`.
///
/// `error` is [`ErrorKind::code`](crate::ErrorKind::code) (stable); `header` names the configured
/// header concerned, when there is one. Nothing from the request, and no secret or expected
/// signature, is ever included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: u16,
    body: Bytes,
}

impl Rejection {
    /// The answer for `error`.
    pub fn from_error(error: &VerifyError) -> Self {
        let kind = error.kind();
        let mut obj = serde_json::Map::new();
        obj.insert("error".into(), kind.code().into());
        obj.insert("message".into(), kind.description().into());
        if let Some(h) = error.header() {
            obj.insert("header".into(), h.into());
        }
        let body = serde_json::to_vec(&serde_json::Value::Object(obj)).unwrap_or_default();
        Rejection {
            status: kind.status(),
            body: Bytes::from(body),
        }
    }

    /// A rejection with a given status, code and message (used for errors outside
    /// [`VerifyError`], such as a missing layer).
    pub fn custom(status: u16, code: &str, message: &str) -> Self {
        let body = serde_json::to_vec(&serde_json::json!({ "error": code, "message": message }))
            .unwrap_or_default();
        Rejection {
            status,
            body: Bytes::from(body),
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The JSON body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Splits into status and body.
    pub fn into_parts(self) -> (u16, Bytes) {
        (self.status, self.body)
    }
}
