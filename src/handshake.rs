//! Answers to the handshakes some providers send to a webhook endpoint: Slack's
//! `url_verification`, Twitch's `webhook_callback_verification`, Discord's PINGs (interactions
//! and webhook events) and Zoom's `endpoint.url_validation`.
//!
//! Each handshake is an ordinary signed delivery: it goes through the verifier (and the dedupe
//! store) like any other, and only a [`Verified`] one is answered. Call [`Verifier::handshake`]
//! in the handler before handling the delivery; `Some` means "answer this and stop".
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
//!     // Answer `answer.status()` with `answer.body()` as `answer.content_type()`, and stop.
//!     assert_eq!(answer.status(), 200);
//!     assert_eq!(answer.content_type(), Some("application/json"));
//!     let answer: serde_json::Value = serde_json::from_str(answer.body())?;
//!     assert_eq!(answer["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
//!     assert_eq!(answer["encryptedToken"].as_str().map(str::len), Some(64));
//! } else {
//!     unreachable!("a Zoom URL validation");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::json_id::at_pointer;
use crate::mac::Keys;
use crate::verifier::Verifier;
use crate::{Provider, Verified};

/// What to answer to a handshake instead of handling the delivery: a status, and a body with
/// its content type unless the status is `204`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handshake {
    /// `200` with this text (`text/plain`): Slack's and Twitch's challenges.
    Text(String),
    /// `200` with this JSON (`application/json`): Discord's interaction PONG, Zoom's
    /// validation.
    Json(String),
    /// `204 No Content`, no body: Discord's webhook-event PING.
    NoContent,
}

impl Handshake {
    /// The answer's status: `200`, or `204` for [`Handshake::NoContent`].
    pub fn status(&self) -> u16 {
        match self {
            Handshake::Text(_) | Handshake::Json(_) => 200,
            Handshake::NoContent => 204,
        }
    }

    /// The answer's `Content-Type`; `None` when there is no body.
    pub fn content_type(&self) -> Option<&'static str> {
        match self {
            Handshake::Text(_) => Some("text/plain; charset=utf-8"),
            Handshake::Json(_) => Some("application/json"),
            Handshake::NoContent => None,
        }
    }

    /// The answer's body (empty for [`Handshake::NoContent`]).
    pub fn body(&self) -> &str {
        match self {
            Handshake::Text(s) | Handshake::Json(s) => s,
            Handshake::NoContent => "",
        }
    }

    /// The answer's body, owned.
    pub fn into_body(self) -> String {
        match self {
            Handshake::Text(s) | Handshake::Json(s) => s,
            Handshake::NoContent => String::new(),
        }
    }
}

impl Verifier {
    /// The answer to a handshake, if the verified delivery is one; `None` for any other
    /// delivery (handle it as usual).
    ///
    /// - **Slack** `{"type":"url_verification","challenge":...}`: the challenge, as text.
    /// - **Twitch** `webhook_callback_verification` (a `challenge` and a subscription whose
    ///   `status` is `webhook_callback_verification_pending`, as in the payload Twitch
    ///   documents; Twitch names the message type in the `Twitch-Eventsub-Message-Type` header,
    ///   which is not looked at): the challenge, as text.
    /// - **Discord** interactions PING (`"type":1`, no `event`): the PONG, `{"type":1}`;
    ///   webhook events PING (`"type":0`): `204 No Content`. A webhook *event* (`"type":1` with
    ///   an `event`) is no handshake.
    /// - **Zoom** `{"event":"endpoint.url_validation","payload":{"plainToken":...}}`:
    ///   `{"plainToken":...,"encryptedToken":...}`, the token's HMAC-SHA256 (hex) under the secret
    ///   token that verified the delivery (so a rotation answers with the right one).
    ///
    /// `verified` must be what this verifier, or a clone of it, returned for this `body`: facts
    /// from any other verifier get `None`, even one built from the same secrets. With the Tower
    /// layer or the actix middleware, call it on a clone of the verifier you gave the layer (the
    /// example servers do). Only the fields named above are read, without building a JSON
    /// tree, and only for these four providers.
    ///
    /// A handshake is a delivery like any other: the adapters' dedupe reserves it when it
    /// carries an id (Twitch's message id, Discord's body `id`), so the same handshake sent
    /// again is answered as a duplicate, not with this answer.
    ///
    /// See the [module docs](crate::handshake) for an example.
    pub fn handshake(&self, verified: &Verified, body: &[u8]) -> Option<Handshake> {
        if verified.origin() != self.origin() {
            return None;
        }
        match self.provider() {
            Provider::Slack => {
                if at_pointer(body, "/type")? != "url_verification" {
                    return None;
                }
                at_pointer(body, "/challenge").map(Handshake::Text)
            }
            Provider::Twitch => {
                // Only the verification message carries a subscription still pending it.
                if at_pointer(body, "/subscription/status")?
                    != "webhook_callback_verification_pending"
                {
                    return None;
                }
                at_pointer(body, "/challenge").map(Handshake::Text)
            }
            Provider::Discord => match at_pointer(body, "/type")?.as_str() {
                "0" => Some(Handshake::NoContent),
                "1" if at_pointer(body, "/event/type").is_none() => {
                    Some(Handshake::Json(r#"{"type":1}"#.into()))
                }
                _ => None,
            },
            Provider::Zoom => {
                if at_pointer(body, "/event")? != "endpoint.url_validation" {
                    return None;
                }
                // A small body: parsed in full to take the token only if it is a string.
                let v = serde_json::from_slice::<serde_json::Value>(body).ok()?;
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
