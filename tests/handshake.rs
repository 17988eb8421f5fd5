//! `Verifier::handshake`: the answers to Slack's, Twitch's, Discord's and Zoom's endpoint
//! handshakes, for verified deliveries only, and `None` for everything else.

mod common;

use common::{NOW, P};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use webhook_guard::{Handshake, Verified, Verifier};

const ID: &str = "evt_handshake_1";

/// `body` signed for `p` with secret `n` and verified by a verifier holding secrets 0 and 1.
fn verified(p: P, n: usize, body: &[u8]) -> (Verifier, Verified) {
    let secrets = [p.secret(0), p.secret(1)];
    let v = p.verifier(&secrets);
    let headers = p.sign(&secrets[n], body, NOW, ID);
    let verified = v.verify_at(&headers, body, NOW).unwrap();
    assert_eq!(verified.secret_index(), n);
    (v, verified)
}

#[test]
fn slack_url_verification_echoes_the_challenge() {
    let body = br#"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let (v, ok) = verified(P::Slack, 0, body);
    let answer = v.handshake(&ok, body).unwrap();
    assert_eq!(
        answer,
        Handshake::Text("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into())
    );
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.content_type(), Some("text/plain; charset=utf-8"));
    // An event callback is no handshake, even with a `challenge` field.
    let event = br#"{"type":"event_callback","challenge":"nope","event":{}}"#;
    let (v, ok) = verified(P::Slack, 0, event);
    assert_eq!(v.handshake(&ok, event), None);
}

#[test]
fn twitch_callback_verification_echoes_the_challenge() {
    let body = br#"{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"webhook_callback_verification_pending"}}"#;
    let (v, ok) = verified(P::Twitch, 0, body);
    assert_eq!(
        v.handshake(&ok, body).map(Handshake::into_body).as_deref(),
        Some("pogchamp-kappa-360noscope-vohiyo")
    );
    let notification = br#"{"subscription":{"id":"x","status":"enabled"},"event":{"user_id":"1"}}"#;
    let (v, ok) = verified(P::Twitch, 0, notification);
    assert_eq!(v.handshake(&ok, notification), None);
    // A `challenge` field alone (an event's own data, say) is no handshake.
    let lookalike = br#"{"challenge":"c","subscription":{"id":"x","status":"enabled"}}"#;
    let (v, ok) = verified(P::Twitch, 0, lookalike);
    assert_eq!(v.handshake(&ok, lookalike), None);
}

/// Interactions: a PING (`type` 1) gets PONG, a command (`type` 2) nothing.
#[test]
fn discord_interaction_ping_gets_a_pong() {
    let ping = br#"{"id":"1","type":1,"token":"t","application_id":"2","version":1}"#;
    let (v, ok) = verified(P::Discord, 0, ping);
    let answer = v.handshake(&ok, ping).unwrap();
    assert_eq!(answer, Handshake::Json(r#"{"type":1}"#.into()));
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.content_type(), Some("application/json"));
    let command = br#"{"id":"1","type":2,"data":{"name":"hello"}}"#;
    let (v, ok) = verified(P::Discord, 0, command);
    assert_eq!(v.handshake(&ok, command), None);
}

/// Webhook events (same signature, same key): their PING is `type` 0 and wants `204`; `type` 1
/// is a real event there, which must reach the handler, not be answered with a PONG.
#[test]
fn discord_webhook_events_ping_gets_204_and_events_are_no_handshake() {
    let ping = br#"{"version":1,"application_id":"1234560123453231555","type":0}"#;
    let (v, ok) = verified(P::Discord, 0, ping);
    let answer = v.handshake(&ok, ping).unwrap();
    assert_eq!(answer, Handshake::NoContent);
    assert_eq!(
        (answer.status(), answer.content_type(), answer.body()),
        (204, None, "")
    );
    let event = br#"{"version":1,"application_id":"1","type":1,"event":{"type":"APPLICATION_AUTHORIZED","timestamp":"2024-10-18T14:42:53.064834","data":{}}}"#;
    let (v, ok) = verified(P::Discord, 0, event);
    assert_eq!(v.handshake(&ok, event), None);
}

/// Zoom's answer: the plain token and its HMAC-SHA256 (hex) under the secret token that
/// verified the request: the second one during a rotation.
#[test]
fn zoom_url_validation_uses_the_matching_secret() {
    let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    for n in [0, 1] {
        let (v, ok) = verified(P::Zoom, n, body);
        let answer = v.handshake(&ok, body).unwrap();
        assert_eq!(answer.content_type(), Some("application/json"));
        let json: serde_json::Value = serde_json::from_str(answer.body()).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(P::Zoom.secret(n).as_bytes()).unwrap();
        mac.update(b"qgg8vlvZRS6UYooatFL8Aw");
        let want = hex::encode(mac.finalize().into_bytes());
        assert_eq!(json["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
        assert_eq!(
            json["encryptedToken"].as_str(),
            Some(want.as_str()),
            "secret {n}"
        );
        assert_eq!(json.as_object().map(|o| o.len()), Some(2));
    }
    // Facts from another Zoom verifier (even with the same secrets) are not answered; a clone
    // of the verifier that produced them answers.
    let (v, ok) = verified(P::Zoom, 0, body);
    let other = P::Zoom.verifier(&[P::Zoom.secret(0), P::Zoom.secret(1)]);
    assert_eq!(other.handshake(&ok, body), None);
    assert!(v.clone().handshake(&ok, body).is_some());
    for other in [
        &br#"{"event":"meeting.started","payload":{"plainToken":"x"}}"#[..],
        br#"{"event":"endpoint.url_validation","payload":{}}"#,
        br#"{"event":"endpoint.url_validation","payload":{"plainToken":7}}"#,
        b"not json",
    ] {
        let (v, ok) = verified(P::Zoom, 0, other);
        assert_eq!(v.handshake(&ok, other), None);
    }
}

#[test]
fn other_providers_and_foreign_facts_get_none() {
    let ping = br#"{"type":1,"challenge":"c","event":"endpoint.url_validation","payload":{"plainToken":"t"}}"#;
    for p in [P::Stripe, P::GitHub, P::Standard, P::Shopify, P::Paddle] {
        let body = p.body(ID, NOW);
        let (v, ok) = verified(p, 0, &body);
        assert_eq!(v.handshake(&ok, &body), None, "{}", p.name());
        // Facts from another provider's verifier are not answered.
        let (zoom, _) = verified(P::Zoom, 0, ping);
        assert_eq!(zoom.handshake(&ok, ping), None, "{}", p.name());
    }
}
