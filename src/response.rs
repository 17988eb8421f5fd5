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

/// Header set on the answer to a delivery that was already handled (see
/// [`Rejection::duplicate`]).
pub const DUPLICATE_HEADER: &str = "webhook-guard-duplicate";

/// What the guard answers instead of calling the handler: a status, a few headers and a short
/// JSON body, `{"error": "<code>", "message": "...", "header": "..."}` for rejections.
///
/// `error` is [`ErrorKind::code`](crate::ErrorKind::code) (stable); `header` names the configured
/// header concerned, when there is one. Nothing from the request, and no secret or expected
/// signature, is ever included. Both adapters turn this into their own response type, so they
/// answer byte for byte the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: u16,
    headers: Vec<(&'static str, String)>,
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
        let mut headers = vec![("content-type", CONTENT_TYPE.to_string())];
        if let Some(seconds) = error.retry_after() {
            headers.push(("retry-after", seconds.to_string()));
        }
        Rejection {
            status: kind.status(),
            headers,
            body: Bytes::from(body),
        }
    }

    /// The answer to a delivery that was already handled successfully: `status` (2xx, 200 by
    /// default), a `webhook-guard-duplicate: true` header and `{"duplicate":true}`. The provider
    /// sees success and stops retrying; the handler is not called again.
    pub fn duplicate(status: u16) -> Self {
        Rejection {
            status,
            headers: vec![
                ("content-type", CONTENT_TYPE.to_string()),
                (DUPLICATE_HEADER, "true".to_string()),
            ],
            body: Bytes::from_static(br#"{"duplicate":true}"#),
        }
    }

    /// A rejection with a given status, code and message (used for errors outside
    /// [`VerifyError`], such as a missing layer).
    pub fn custom(status: u16, code: &str, message: &str) -> Self {
        let body = serde_json::to_vec(&serde_json::json!({ "error": code, "message": message }))
            .unwrap_or_default();
        Rejection {
            status,
            headers: vec![("content-type", CONTENT_TYPE.to_string())],
            body: Bytes::from(body),
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers to send (`content-type`, and `retry-after` or `webhook-guard-duplicate`
    /// where they apply), as lower-case names and ASCII values.
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }

    /// The JSON body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Splits into status, headers and body.
    pub fn into_parts(self) -> (u16, Vec<(&'static str, String)>, Bytes) {
        (self.status, self.headers, self.body)
    }
}
