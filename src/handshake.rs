//! Answers to the handshakes some providers send to a webhook endpoint: Slack's
//! `url_verification`, Twitch's `webhook_callback_verification`, Discord's PING and Zoom's
//! `endpoint.url_validation`.
//!
//! Each handshake is an ordinary signed delivery: it goes through the verifier like any other,
//! and only a [`Verified`] one is answered. Call [`Verifier::handshake`] first thing in the
//! handler; `Some` means "answer this and stop".
//!
//! ```
//! use webhook_guard::Verifier;
//! # use hmac::{Hmac, Mac};
//! # let secret_token = "zoom-secret-token";
//! # let body = br#"{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1700000000000}"#;
//! # let now = 1_700_000_000u64;
//! # let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret_token.as_bytes())?;
//! # mac.update(format!("v0:{now}:").as_bytes());
//! # mac.update(body);
//! # let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
//! # let headers = [
//! #     ("x-zm-request-timestamp", now.to_string()),
//! #     ("x-zm-signature", signature),
//! # ];
//! let verifier = Verifier::zoom(secret_token).build()?;
//! let verified = verifier.verify_at(&headers[..], body, now)?;
//! if let Some(answer) = verifier.handshake(&verified, body) {
//!     // Answer 200 with `answer.body()` as `answer.content_type()`, and stop.
//!     assert_eq!(answer.content_type(), "application/json");
//!     let answer: serde_json::Value = serde_json::from_str(answer.body())?;
//!     assert_eq!(answer["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
//!     assert_eq!(answer["encryptedToken"].as_str().map(str::len), Some(64));
//! } else {
//!     unreachable!("a Zoom URL validation");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::mac::Keys;
use crate::verifier::Verifier;
use crate::{Provider, Verified};

/// What to answer to a handshake, with status `200`, instead of handling the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handshake {
    /// Answer with this text (`text/plain`): Slack's and Twitch's challenges.
    Text(String),
    /// Answer with this JSON (`application/json`): Discord's PONG, Zoom's validation.
    Json(String),
}

impl Handshake {
    /// The answer's `Content-Type`.
    pub fn content_type(&self) -> &'static str {
        match self {
            Handshake::Text(_) => "text/plain; charset=utf-8",
            Handshake::Json(_) => "application/json",
        }
    }

    /// The answer's body.
    pub fn body(&self) -> &str {
        match self {
            Handshake::Text(s) | Handshake::Json(s) => s,
        }
    }

    /// The answer's body, owned.
    pub fn into_body(self) -> String {
        match self {
            Handshake::Text(s) | Handshake::Json(s) => s,
        }
    }
}

impl Verifier {
    /// The answer to a handshake, if the verified delivery is one; `None` for any other
    /// delivery (handle it as usual).
    ///
    /// `verified` must come from this verifier and `body` must be the delivery's body:
    /// - **Slack** `{"type":"url_verification","challenge":...}`: the challenge, as text;
    /// - **Twitch** `webhook_callback_verification` (a body with a top-level `challenge`): the
    ///   challenge, as text;
    /// - **Discord** PING (`"type":1`): the PONG, `{"type":1}`;
    /// - **Zoom** `{"event":"endpoint.url_validation","payload":{"plainToken":...}}`:
    ///   `{"plainToken":...,"encryptedToken":...}`, the token's HMAC-SHA256 (hex) with the secret
    ///   token that verified the delivery (so a rotation answers with the right one).
    ///
    /// The body is parsed only for these four providers. See the [module docs](crate::handshake)
    /// for an example.
    pub fn handshake(&self, verified: &Verified, body: &[u8]) -> Option<Handshake> {
        if verified.provider() != self.provider() {
            return None;
        }
        let json = || serde_json::from_slice::<serde_json::Value>(body).ok();
        match self.provider() {
            Provider::Slack => {
                let v = json()?;
                if v.get("type")?.as_str()? != "url_verification" {
                    return None;
                }
                Some(Handshake::Text(v.get("challenge")?.as_str()?.to_owned()))
            }
            Provider::Twitch => Some(Handshake::Text(
                json()?.get("challenge")?.as_str()?.to_owned(),
            )),
            Provider::Discord => (json()?.get("type")?.as_u64()? == 1)
                .then(|| Handshake::Json(r#"{"type":1}"#.into())),
            Provider::Zoom => {
                let v = json()?;
                if v.get("event")?.as_str()? != "endpoint.url_validation" {
                    return None;
                }
                let plain = v.get("payload")?.get("plainToken")?.as_str()?;
                let Keys::Sha256(keys) = &self.inner.keys else {
                    return None;
                };
                let mac = keys.get(verified.secret_index())?;
                let encrypted = crate::mac::hex_tag(mac, plain.as_bytes());
                // `Value`'s `Display` writes the token as an escaped JSON string.
                let plain = serde_json::Value::from(plain);
                Some(Handshake::Json(format!(
                    r#"{{"plainToken":{plain},"encryptedToken":"{encrypted}"}}"#
                )))
            }
            _ => None,
        }
    }
}
