//! Provider specifics of the presets added for issue 7 (timestamp rules, signed URLs, Twilio's
//! form, Linear's body timestamp, GitLab's token, Ed25519 keys), and the library `Signer`
//! against every preset. The shared behaviour of all presets is in `providers.rs`,
//! `conformance.rs` (both adapters) and `vectors.rs` (published vectors).

mod common;

use common::{rfc3339_nanos, ALL, NOW, P, SQUARE_URL, TWILIO_URL};
use webhook_guard::{ConfigError, ErrorKind, Verifier};

const ID: &str = "evt_preset_1";

fn kind(v: &Verifier, headers: &[(String, String)], body: &[u8], now: u64) -> ErrorKind {
    v.verify_at(headers, body, now).unwrap_err().kind()
}

fn set(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value.to_string()));
}

#[test]
fn documented_default_tolerances() {
    let cases = [
        (Verifier::paddle("k").build().unwrap(), Some(5)),
        (Verifier::linear("k").build().unwrap(), Some(60)),
        (Verifier::twitch("k").build().unwrap(), Some(600)),
        (Verifier::zoom("k").build().unwrap(), Some(300)),
        (
            Verifier::discord(P::Discord.verifier_key(&P::Discord.secret(0)))
                .build()
                .unwrap(),
            Some(300),
        ),
        (Verifier::gitlab("k").build().unwrap(), None),
        (Verifier::square("k", SQUARE_URL).build().unwrap(), None),
        (Verifier::twilio("k", TWILIO_URL).build().unwrap(), None),
        (Verifier::intercom("k").build().unwrap(), None),
    ];
    for (v, want) in cases {
        assert_eq!(v.tolerance_secs(), want, "{}", v.provider());
    }
}

#[test]
fn paddle_five_seconds_by_default() {
    let p = P::Paddle;
    let secret = p.secret(0);
    let v = Verifier::paddle(secret.as_str()).build().unwrap();
    let body = p.body(ID, NOW);
    let headers = p.sign(&secret, &body, NOW, ID);
    assert!(v.verify_at(&headers, &body, NOW + 5).is_ok());
    assert_eq!(
        kind(&v, &headers, &body, NOW + 6),
        ErrorKind::TimestampTooOld
    );
    assert_eq!(
        kind(&v, &headers, &body, NOW - 6),
        ErrorKind::TimestampInFuture
    );
    // Stripe's separator is not Paddle's.
    let sig = hex::encode(p.mac(&secret, &body, NOW, ID));
    let stripe_style = vec![("Paddle-Signature".to_string(), format!("ts={NOW},h1={sig}"))];
    assert_eq!(
        kind(&v, &stripe_style, &body, NOW),
        ErrorKind::MalformedHeader
    );
    // Event id from the body.
    assert_eq!(
        v.verify_at(&headers, &body, NOW)
            .unwrap()
            .event_id_in(&body)
            .as_deref(),
        Some(ID)
    );
}

#[test]
fn twitch_rfc3339_timestamps() {
    let p = P::Twitch;
    let secret = p.secret(0);
    let v = p.verifier(std::slice::from_ref(&secret));
    let body = p.body(ID, NOW);
    let headers = p.sign(&secret, &body, NOW, ID);
    let verified = v.verify_at(&headers, &body, NOW).unwrap();
    assert_eq!(verified.timestamp(), Some(NOW));
    assert_eq!(verified.event_id(), Some(ID));
    // Ten minutes, both ways.
    assert!(v.verify_at(&headers, &body, NOW + 600).is_ok());
    assert_eq!(
        kind(&v, &headers, &body, NOW + 601),
        ErrorKind::TimestampTooOld
    );
    // The id is signed.
    let mut other = headers.clone();
    set(&mut other, "Twitch-Eventsub-Message-Id", "evt_other");
    assert_eq!(kind(&v, &other, &body, NOW), ErrorKind::InvalidSignature);
    // The timestamp is signed exactly as received: the same instant written differently fails.
    let mut rewritten = headers.clone();
    let text = rfc3339_nanos(NOW).replace(".123456789Z", ".123456789+00:00");
    set(&mut rewritten, "Twitch-Eventsub-Message-Timestamp", &text);
    assert_eq!(
        kind(&v, &rewritten, &body, NOW),
        ErrorKind::InvalidSignature
    );
    // Unix seconds and garbage are not RFC 3339.
    for bad in [
        NOW.to_string(),
        "2023-13-01T00:00:00Z".into(),
        "yesterday".into(),
    ] {
        let mut h = headers.clone();
        set(&mut h, "Twitch-Eventsub-Message-Timestamp", &bad);
        assert_eq!(
            kind(&v, &h, &body, NOW),
            ErrorKind::MalformedHeader,
            "{bad}"
        );
    }
}

#[test]
fn linear_body_timestamp() {
    let p = P::Linear;
    let secret = p.secret(0);
    let v = Verifier::linear(secret.as_str()).build().unwrap();
    let sign = |body: &[u8]| p.sign(&secret, body, NOW, ID);
    // Checked after the signature, from the signed body; a header cannot replace it.
    for body in [
        &br#"{"type":"Issue"}"#[..],
        br#"{"webhookTimestamp":"1700000000000"}"#,
        b"not json",
    ] {
        let mut headers = sign(body);
        headers.push(("Linear-Timestamp".into(), (NOW * 1000).to_string()));
        assert_eq!(
            kind(&v, &headers, body, NOW),
            ErrorKind::MalformedBody,
            "{body:?}"
        );
    }
    let stale = p.body(ID, NOW - 61);
    assert_eq!(
        kind(&v, &sign(&stale), &stale, NOW),
        ErrorKind::TimestampTooOld
    );
    let future = p.body(ID, NOW + 61);
    assert_eq!(
        kind(&v, &sign(&future), &future, NOW),
        ErrorKind::TimestampInFuture
    );
    // A forged body is refused for its signature before its timestamp is even read.
    let fresh = p.body(ID, NOW);
    let headers = sign(&fresh);
    assert_eq!(
        kind(&v, &headers, br#"{"type":"Issue"}"#, NOW),
        ErrorKind::InvalidSignature
    );
    let verified = v.verify_at(&headers, &fresh, NOW).unwrap();
    assert_eq!(verified.timestamp(), Some(NOW));
    assert_eq!(verified.event_id(), Some(ID));
    // With the check switched off, any age passes.
    let lax = Verifier::linear(secret.as_str())
        .dangerous()
        .skip_timestamp_check()
        .build()
        .unwrap();
    assert!(lax
        .verify_at(&sign(&stale), &stale, NOW + 1_000_000)
        .is_ok());
}

#[test]
fn twilio_form_and_url() {
    let p = P::Twilio;
    let secret = p.secret(0);
    let v = p.verifier(std::slice::from_ref(&secret));
    let body = p.body(ID, NOW);
    let headers = p.sign(&secret, &body, NOW, ID);
    assert_eq!(
        v.verify_at(&headers, &body, NOW).unwrap().event_id(),
        Some(ID)
    );
    // Parameter order on the wire does not matter; Twilio sorts them.
    let reordered = "To=%2B14155550199&Digits=1&Body=hello+w%C3%B6rld&From=%2B14155550100&Digits=1&CallSid=CAevt_preset_1";
    assert!(v.verify_at(&headers, reordered.as_bytes(), NOW).is_ok());
    // A changed value, an added parameter: refused.
    for forged in [
        reordered.replace("Digits=1&B", "Digits=2&B"),
        format!("{reordered}&Extra=1"),
    ] {
        assert_eq!(
            kind(&v, &headers, forged.as_bytes(), NOW),
            ErrorKind::InvalidSignature,
            "{forged}"
        );
    }
    // Not a strict form: 400 before any MAC.
    for bad in [
        &b"{\"json\":true}"[..],
        b"a=%zz",
        b"a=1&&b=2",
        b"a=%FF",
        b"novalue",
    ] {
        assert_eq!(
            kind(&v, &headers, bad, NOW),
            ErrorKind::MalformedBody,
            "{bad:?}"
        );
    }
    // The URL is part of what is signed: another URL's verifier refuses.
    let other = Verifier::twilio(
        secret.as_str(),
        "https://hooks.example.com/webhooks/twilio?tenant=8",
    )
    .build()
    .unwrap();
    assert_eq!(
        kind(&other, &headers, &body, NOW),
        ErrorKind::InvalidSignature
    );
    // Twilio's libraries also accept the URL with the default port; so does the preset.
    let with_port = Verifier::twilio(secret.as_str(), TWILIO_URL.replace(".com/", ".com:443/"))
        .build()
        .unwrap();
    assert!(with_port.verify_at(&headers, &body, NOW).is_ok());
    // A configured port may also have been left out of what Twilio signed (its libraries
    // try the URL without the port too).
    let other_port = Verifier::twilio(secret.as_str(), TWILIO_URL.replace(".com/", ".com:8443/"))
        .build()
        .unwrap();
    assert!(
        other_port.verify_at(&headers, &body, NOW).is_ok(),
        "port removed"
    );
    let http = Verifier::twilio(secret.as_str(), TWILIO_URL.replace("https", "http"))
        .build()
        .unwrap();
    assert_eq!(
        kind(&http, &headers, &body, NOW),
        ErrorKind::InvalidSignature
    );
}

#[test]
fn square_url_is_signed() {
    let p = P::Square;
    let secret = p.secret(0);
    let body = p.body(ID, NOW);
    let headers = p.sign(&secret, &body, NOW, ID);
    let v = p.verifier(std::slice::from_ref(&secret));
    assert!(v.verify_at(&headers, &body, NOW).is_ok());
    let other = Verifier::square(
        secret.as_str(),
        "https://hooks.example.com/webhooks/square/",
    )
    .build()
    .unwrap();
    assert_eq!(
        kind(&other, &headers, &body, NOW),
        ErrorKind::InvalidSignature
    );
}

#[test]
fn gitlab_token_and_signed_form() {
    let v = Verifier::gitlab("s3cret-token")
        .secret("next-token")
        .build()
        .unwrap();
    let with = |token: &str| vec![("X-Gitlab-Token".to_string(), token.to_string())];
    assert_eq!(
        v.verify_at(&with("s3cret-token"), b"x", NOW)
            .unwrap()
            .secret_index(),
        0
    );
    assert_eq!(
        v.verify_at(&with("next-token"), b"x", NOW)
            .unwrap()
            .secret_index(),
        1
    );
    for bad in [
        "s3cret-toke",
        "s3cret-token ",
        "S3CRET-TOKEN",
        "s3cret-token\0",
        "x",
    ] {
        assert_eq!(
            kind(&v, &with(bad), b"x", NOW),
            ErrorKind::InvalidSignature,
            "{bad:?}"
        );
    }
    assert_eq!(kind(&v, &[], b"x", NOW), ErrorKind::MissingHeader);
    assert!(!format!("{v:?}").contains("s3cret"));
    // The signing token is Standard Webhooks, reported as GitLab.
    let p = P::Standard;
    let secret = p.secret(0);
    let signed = Verifier::gitlab_signed(secret.as_str()).build().unwrap();
    let body = p.body(ID, NOW);
    let verified = signed
        .verify_at(&p.sign(&secret, &body, NOW, ID), &body, NOW)
        .unwrap();
    assert_eq!(verified.provider().name(), "gitlab");
    assert_eq!(verified.event_id(), Some(ID));
    assert_eq!(signed.tolerance_secs(), Some(300));
}

#[test]
fn intercom_is_sha1_and_not_github() {
    let p = P::Intercom;
    let secret = p.secret(0);
    let body = p.body(ID, NOW);
    let headers = p.sign(&secret, &body, NOW, ID);
    assert!(p
        .verifier(std::slice::from_ref(&secret))
        .verify_at(&headers, &body, NOW)
        .is_ok());
    // A sha256= value in the same header is not Intercom's syntax.
    let mut h = headers.clone();
    set(
        &mut h,
        "X-Hub-Signature",
        &format!("sha256={}", "0".repeat(64)),
    );
    assert_eq!(
        kind(&p.verifier(&[secret]), &h, &body, NOW),
        ErrorKind::MalformedHeader
    );
}

#[test]
fn standard_webhooks_v1_and_v1a_per_configuration() {
    let (hmac, ed) = (P::Standard, P::StandardEd);
    let (whsec, whsk) = (hmac.secret(0), ed.secret(0));
    let whpk = ed.verifier_key(&whsk);
    let body = hmac.body(ID, NOW);
    let v1 = hmac.sign(&whsec, &body, NOW, ID);
    let v1a = ed.sign(&whsk, &body, NOW, ID);

    // Keys are told apart by their prefix; positions count across both kinds.
    let both = Verifier::standard_webhooks(whpk.as_str())
        .secret(whsec.as_str())
        .build()
        .unwrap();
    assert_eq!(both.verify_at(&v1a, &body, NOW).unwrap().secret_index(), 0);
    assert_eq!(both.verify_at(&v1, &body, NOW).unwrap().secret_index(), 1);

    // v1 only: a v1a signature is another scheme, ignored (no candidate).
    let only_v1 = hmac.verifier(std::slice::from_ref(&whsec));
    assert_eq!(
        kind(&only_v1, &v1a, &body, NOW),
        ErrorKind::InvalidSignature
    );
    // v1a only: v1 ignored the same way; a private key verifies with its public half.
    let only_v1a = Verifier::standard_webhooks(whpk.as_str()).build().unwrap();
    assert_eq!(
        kind(&only_v1a, &v1, &body, NOW),
        ErrorKind::InvalidSignature
    );
    let from_private = Verifier::standard_webhooks(whsk.as_str()).build().unwrap();
    assert!(from_private.verify_at(&v1a, &body, NOW).is_ok());

    // A v1a value that is not 64 bytes of base64 is malformed once v1a is configured.
    let mut short = v1a.clone();
    set(&mut short, "webhook-signature", "v1a,AAAA");
    assert_eq!(
        kind(&only_v1a, &short, &body, NOW),
        ErrorKind::MalformedHeader
    );
    // More than 8 Ed25519 candidates: refused before hashing anything.
    let sig = v1a
        .iter()
        .find(|(k, _)| k == "webhook-signature")
        .unwrap()
        .1
        .clone();
    let mut many = v1a.clone();
    set(&mut many, "webhook-signature", &[sig.as_str(); 9].join(" "));
    assert_eq!(
        kind(&only_v1a, &many, &body, NOW),
        ErrorKind::MalformedHeader
    );
    let mut eight = v1a.clone();
    set(
        &mut eight,
        "webhook-signature",
        &[sig.as_str(); 8].join(" "),
    );
    assert!(only_v1a.verify_at(&eight, &body, NOW).is_ok());
}

#[test]
fn ed25519_config_errors() {
    // The identity point is a weak (small-order) key: any signature would be forgeable.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = hex::encode(identity);
    assert_eq!(
        Verifier::discord(weak.as_str()).build().unwrap_err(),
        ConfigError::InvalidPublicKey { index: 0 }
    );
    let good = P::Discord.verifier_key(&P::Discord.secret(0));
    for bad in ["zz", "00", ""] {
        let err = Verifier::discord(good.as_str())
            .secret(bad)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidPublicKey { index: 1 } | ConfigError::EmptySecret { index: 1 }
            ),
            "{bad:?}: {err:?}"
        );
    }
    assert_eq!(
        Verifier::standard_webhooks("whpk_!!!").build().unwrap_err(),
        ConfigError::InvalidPublicKey { index: 0 }
    );
    assert_eq!(
        Verifier::standard_webhooks("whpk_AAAA")
            .build_signer()
            .unwrap_err(),
        ConfigError::NoSigningKey
    );
}

#[test]
fn url_config_errors() {
    for bad in [
        "",
        "example.com/hook",
        "ftp://example.com/",
        "https://",
        "https:///path",
        "https://exa mple.com/",
    ] {
        assert_eq!(
            Verifier::square("k", bad).build().unwrap_err(),
            ConfigError::InvalidUrl,
            "{bad:?}"
        );
        assert_eq!(
            Verifier::twilio("k", bad).build().unwrap_err(),
            ConfigError::InvalidUrl,
            "{bad:?}"
        );
    }
}

/// The library's signer, built from each preset's own configuration, produces what the
/// independent test signer produces, and what the verifier accepts.
#[test]
fn signer_matches_the_independent_signer_for_every_preset() {
    use webhook_guard::Signer;
    for p in ALL {
        let secret = p.secret(0);
        let signer = match p {
            P::Stripe => Verifier::stripe(secret.as_str()).build_signer(),
            P::GitHub => Verifier::github(secret.as_str()).build_signer(),
            P::Standard | P::StandardEd => {
                Verifier::standard_webhooks(secret.as_str()).build_signer()
            }
            P::Slack => Verifier::slack(secret.as_str()).build_signer(),
            P::Shopify => Verifier::shopify(secret.as_str()).build_signer(),
            P::Generic => Verifier::hmac("acme", secret.as_str())
                .signature_header("X-Signature")
                .signature_prefix("sha256=")
                .signature_separator(',')
                .timestamp_header("X-Timestamp")
                .sign_timestamp_then_body(".")
                .event_id_header("X-Acme-Id")
                .build_signer(),
            P::GitLab => Verifier::gitlab(secret.as_str()).build_signer(),
            P::Paddle => Verifier::paddle(secret.as_str()).build_signer(),
            P::Linear => Verifier::linear(secret.as_str()).build_signer(),
            P::Zoom => Verifier::zoom(secret.as_str()).build_signer(),
            P::Twitch => Verifier::twitch(secret.as_str()).build_signer(),
            P::Square => Verifier::square(secret.as_str(), SQUARE_URL).build_signer(),
            P::Twilio => Verifier::twilio(secret.as_str(), TWILIO_URL).build_signer(),
            P::Intercom => Verifier::intercom(secret.as_str()).build_signer(),
            P::Discord => Signer::discord(secret.as_str()),
        }
        .unwrap_or_else(|e| panic!("{p:?}: {e}"));
        assert_eq!(signer.provider().name(), p.name(), "{p:?}");
        let body = p.body(ID, NOW);
        let ours = signer.sign(&body, NOW, ID).unwrap();
        let theirs = p.sign(&secret, &body, NOW, ID);
        let sig = |h: &[(String, String)]| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(p.signature_header()))
                .unwrap()
                .1
                .clone()
        };
        let ours_text: Vec<(String, String)> = ours
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        if p != P::Twitch {
            // Twitch: the test signer writes nanoseconds, the library whole seconds.
            assert_eq!(sig(&ours_text), sig(&theirs), "{p:?}");
        }
        let verifier = p.verifier(std::slice::from_ref(&secret));
        let verified = verifier
            .verify_at(&ours, &body, NOW)
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
        assert_eq!(
            verified.timestamp(),
            p.has_timestamp().then_some(NOW),
            "{p:?}"
        );
        assert!(
            signer.verifier().verify_at(&ours, &body, NOW).is_ok(),
            "{p:?}"
        );
        assert!(!format!("{signer:?}").contains(&secret), "{p:?}");
    }
    // Twilio signs forms only.
    let twilio = Verifier::twilio("k", TWILIO_URL).build_signer().unwrap();
    assert!(twilio.sign(b"{\"json\":1}", NOW, ID).is_err());
}
