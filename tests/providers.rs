//! Each provider through `verify_at`: accepted round trip and every rejection path.

mod common;

use common::{IdSource, ALL, NOW, P};
use webhook_guard::{ErrorKind, Verifier};

const ID: &str = "evt_test_1";

fn set(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value.to_string()));
}

fn kind(v: &Verifier, headers: &[(String, String)], body: &[u8], now: u64) -> ErrorKind {
    v.verify_at(headers, body, now).unwrap_err().kind()
}

#[test]
fn round_trip_accepted_with_facts() {
    for p in ALL {
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = p.body(ID, NOW);
        let headers = p.sign(&secret, &body, NOW, ID);
        let verified = v
            .verify_at(&headers, &body, NOW)
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
        assert_eq!(verified.secret_index(), 0, "{p:?}");
        assert_eq!(
            verified.timestamp(),
            p.has_timestamp().then_some(NOW),
            "{p:?}"
        );
        assert_eq!(verified.provider().name(), p.name(), "{p:?}");
        // Every preset knows where its id is; core callers read body ids with `event_id_in`.
        let want = (p.id_source() != IdSource::None).then_some(ID);
        assert_eq!(verified.event_id_in(&body).as_deref(), want, "{p:?}");
    }
}

#[test]
fn missing_signature_header_is_401() {
    for p in ALL {
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = p.body(ID, NOW);
        let mut headers = p.sign(&secret, &body, NOW, ID);
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(p.signature_header()));
        let err = v.verify_at(&headers, &body, NOW).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingHeader, "{p:?}");
        assert_eq!(err.status(), 401);
        assert_eq!(
            err.header(),
            Some(p.signature_header().to_ascii_lowercase().as_str()),
            "{p:?}"
        );
    }
}

#[test]
fn missing_timestamp_header_is_401() {
    for p in ALL {
        let Some(ts) = p.timestamp_header() else {
            continue;
        };
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = p.body(ID, NOW);
        let mut headers = p.sign(&secret, &body, NOW, ID);
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(ts));
        assert_eq!(
            kind(&v, &headers, &body, NOW),
            ErrorKind::MissingHeader,
            "{p:?}"
        );
    }
}

#[test]
fn malformed_signature_header_is_400() {
    for p in ALL {
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = p.body(ID, NOW);
        for bad in ["garbage", "", "sha256=zz", "v1=", "\u{e9}t\u{e9}"] {
            if p == P::Generic && !bad.is_empty() && !bad.starts_with("sha256=") {
                // In a list of `<prefix><sig>` items, an item with another prefix is another
                // scheme: skipped, leaving no candidate (401, checked below).
                continue;
            }
            if p.is_token() && !bad.is_empty() {
                // A token has no syntax: any other value is simply not the token (401).
                assert_eq!(
                    kind(
                        &v,
                        &p.sign(&p.secret(0).replace("0", bad), &body, NOW, ID),
                        &body,
                        NOW
                    ),
                    ErrorKind::InvalidSignature
                );
                continue;
            }
            let mut headers = p.sign(&secret, &body, NOW, ID);
            set(&mut headers, p.signature_header(), bad);
            let err = v.verify_at(&headers, &body, NOW).unwrap_err();
            assert_eq!(err.status(), 400, "{p:?} {bad:?}: {err}");
            assert_eq!(err.kind(), ErrorKind::MalformedHeader, "{p:?} {bad:?}");
        }
    }
}

#[test]
fn list_without_the_expected_scheme_is_401() {
    let p = P::Generic;
    let secret = p.secret(0);
    let v = p.verifier(std::slice::from_ref(&secret));
    let mut headers = p.sign(&secret, b"{}", NOW, ID);
    set(&mut headers, "X-Signature", "sha1=abcd,garbage");
    assert_eq!(kind(&v, &headers, b"{}", NOW), ErrorKind::InvalidSignature);
}

#[test]
fn duplicated_signature_header_is_400() {
    for p in ALL {
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = p.body(ID, NOW);
        let mut headers = p.sign(&secret, &body, NOW, ID);
        let sig = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(p.signature_header()))
            .unwrap()
            .clone();
        headers.push(sig);
        assert_eq!(
            kind(&v, &headers, &body, NOW),
            ErrorKind::MalformedHeader,
            "{p:?}"
        );
    }
}

#[test]
fn wrong_secret_is_401() {
    for p in ALL {
        let v = p.verifier(&[p.secret(0)]);
        let body = p.body(ID, NOW);
        let headers = p.sign(&p.secret(1), &body, NOW, ID);
        let err = v.verify_at(&headers, &body, NOW).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidSignature, "{p:?}");
        assert_eq!(err.status(), 401);
    }
}

#[test]
fn tampered_body_is_401() {
    for p in ALL {
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = p.body(ID, NOW);
        let headers = p.sign(&secret, &body, NOW, ID);
        let tampered = String::from_utf8(body.clone())
            .unwrap()
            .replace(ID, "evt_test_2");
        let mut appended = body.clone();
        // Trailing whitespace a proxy might add is a different body.
        appended.push(b'\n');
        for other in [tampered.as_bytes(), &appended] {
            if p.is_token() {
                // GitLab's token authenticates the sender only, never the body.
                assert!(v.verify_at(&headers, other, NOW).is_ok());
                continue;
            }
            assert_eq!(
                kind(&v, &headers, other, NOW),
                ErrorKind::InvalidSignature,
                "{p:?}"
            );
        }
    }
}

#[test]
fn stale_and_future_timestamps_are_401_at_the_boundary() {
    for p in ALL {
        if !p.has_timestamp() {
            continue;
        }
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = p.body(ID, NOW);
        let headers = p.sign(&secret, &body, NOW, ID);
        let tol = p.tolerance();
        assert_eq!(v.tolerance_secs(), Some(tol), "{p:?}");
        // Exactly at the tolerance, both ways: accepted.
        assert!(v.verify_at(&headers, &body, NOW + tol).is_ok(), "{p:?}");
        assert!(v.verify_at(&headers, &body, NOW - tol).is_ok(), "{p:?}");
        // One second past it: rejected (before any MAC is computed for header timestamps).
        assert_eq!(
            kind(&v, &headers, &body, NOW + tol + 1),
            ErrorKind::TimestampTooOld,
            "{p:?}"
        );
        assert_eq!(
            kind(&v, &headers, &body, NOW - tol - 1),
            ErrorKind::TimestampInFuture,
            "{p:?}"
        );
        // Saturating arithmetic at the ends of the clock.
        assert_eq!(
            kind(&v, &headers, &body, 0),
            ErrorKind::TimestampInFuture,
            "{p:?}"
        );
        assert_eq!(
            kind(&v, &headers, &body, u64::MAX),
            ErrorKind::TimestampTooOld,
            "{p:?}"
        );
    }
}

#[test]
fn custom_tolerance_applies() {
    let secret = P::Stripe.secret(0);
    let v = Verifier::stripe(secret.as_str())
        .tolerance(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let headers = P::Stripe.sign(&secret, b"{}", NOW, ID);
    assert!(v.verify_at(&headers, b"{}", NOW + 10).is_ok());
    assert_eq!(
        kind(&v, &headers, b"{}", NOW + 11),
        ErrorKind::TimestampTooOld
    );
    let lax = Verifier::stripe(secret.as_str())
        .dangerous()
        .skip_timestamp_check()
        .build()
        .unwrap();
    assert!(lax.verify_at(&headers, b"{}", NOW + 1_000_000).is_ok());
}

#[test]
fn bad_timestamps_are_400() {
    for p in ALL {
        if !p.has_timestamp() || p == P::Linear {
            continue; // Linear's is in the body: `linear_body_timestamp` below
        }
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        for bad in [
            "-1700000000",
            "+1700000000",
            "01700000000",
            "1700000000.0",
            "1e9",
            "abc",
            "99999999999999999999",
            "",
        ] {
            let mut headers = p.sign(&secret, b"{}", NOW, ID);
            match p {
                P::Stripe => {
                    let sig = hex::encode(p.mac(&secret, b"{}", NOW, ID));
                    set(
                        &mut headers,
                        "Stripe-Signature",
                        &format!("t={bad},v1={sig}"),
                    );
                }
                P::Paddle => {
                    let sig = hex::encode(p.mac(&secret, b"{}", NOW, ID));
                    set(
                        &mut headers,
                        "Paddle-Signature",
                        &format!("ts={bad};h1={sig}"),
                    );
                }
                _ => set(&mut headers, p.timestamp_header().unwrap(), bad),
            }
            assert_eq!(
                kind(&v, &headers, b"{}", NOW),
                ErrorKind::MalformedHeader,
                "{p:?} {bad:?}"
            );
        }
    }
}

#[test]
fn rotation_accepts_the_second_secret() {
    for p in ALL {
        let secrets = [p.secret(0), p.secret(1)];
        let v = p.verifier(&secrets);
        let body = p.body(ID, NOW);
        let headers = p.sign(&secrets[1], &body, NOW, ID);
        let verified = v
            .verify_at(&headers, &body, NOW)
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
        assert_eq!(verified.secret_index(), 1, "{p:?}");
        // A third, unknown secret is still refused.
        let headers = p.sign(&p.secret(2), &body, NOW, ID);
        assert_eq!(
            kind(&v, &headers, &body, NOW),
            ErrorKind::InvalidSignature,
            "{p:?}"
        );
    }
}

#[test]
fn several_signatures_only_the_last_valid() {
    for p in ALL {
        if !p.multi_signature() {
            continue;
        }
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = p.body(ID, NOW);
        let macs = vec![
            p.mac(&p.secret(7), &body, NOW, ID),
            p.mac(&p.secret(8), &body, NOW, ID),
            p.mac(&secret, &body, NOW, ID),
        ];
        let headers = p.headers_with_macs(&macs, NOW, ID);
        assert!(v.verify_at(&headers, &body, NOW).is_ok(), "{p:?}");
        let headers = p.headers_with_macs(&macs[..2], NOW, ID);
        assert_eq!(
            kind(&v, &headers, &body, NOW),
            ErrorKind::InvalidSignature,
            "{p:?}"
        );
    }
}

#[test]
fn valid_signature_found_at_any_position_up_to_the_candidate_limit() {
    for p in ALL {
        if !p.multi_signature() {
            continue;
        }
        // HMAC signatures are capped at 32 per header, Ed25519 ones (costlier) at 8.
        let limit = if matches!(p, P::StandardEd | P::Discord) {
            8
        } else {
            32
        };
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let decoy = p.mac(&p.secret(9), b"{}", NOW, ID);
        let valid = p.mac(&secret, b"{}", NOW, ID);
        for at in [0, 1, 3, 4, 5, limit - 1] {
            let mut macs = vec![decoy.clone(); limit];
            macs[at] = valid.clone();
            let headers = p.headers_with_macs(&macs, NOW, ID);
            let verified = v
                .verify_at(&headers, b"{}", NOW)
                .unwrap_or_else(|e| panic!("{p:?} valid at {at}: {e}"));
            assert_eq!(verified.secret_index(), 0);
        }
        let macs = vec![decoy.clone(); limit];
        let headers = p.headers_with_macs(&macs, NOW, ID);
        assert_eq!(
            kind(&v, &headers, b"{}", NOW),
            ErrorKind::InvalidSignature,
            "{p:?}"
        );
        let mut macs = vec![decoy.clone(); limit + 1];
        macs[0] = valid.clone();
        let headers = p.headers_with_macs(&macs, NOW, ID);
        assert_eq!(
            kind(&v, &headers, b"{}", NOW),
            ErrorKind::MalformedHeader,
            "{p:?} more than {limit} signatures"
        );
    }
}

#[test]
fn body_limit_is_413() {
    let secret = P::GitHub.secret(0);
    let v = Verifier::github(secret.as_str())
        .max_body_size(16)
        .build()
        .unwrap();
    let ok = [b'a'; 16];
    let headers = P::GitHub.sign(&secret, &ok, NOW, ID);
    assert!(v.verify_at(&headers, &ok, NOW).is_ok());
    let big = [b'a'; 17];
    let headers = P::GitHub.sign(&secret, &big, NOW, ID);
    let err = v.verify_at(&headers, &big, NOW).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge);
    assert_eq!(err.status(), 413);
}

#[test]
fn github_sha1_only_when_enabled_and_never_as_a_downgrade() {
    use hmac::{Hmac, Mac};
    let secret = "legacy";
    let body = b"{}";
    let mut m = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(body);
    let sha1 = format!("sha1={}", hex::encode(m.finalize().into_bytes()));
    let only_sha1 = vec![("X-Hub-Signature".to_string(), sha1.clone())];

    let strict = Verifier::github(secret).build().unwrap();
    assert_eq!(
        kind(&strict, &only_sha1, body, NOW),
        ErrorKind::MissingHeader
    );

    let legacy = Verifier::github(secret)
        .allow_legacy_sha1()
        .build()
        .unwrap();
    assert!(legacy.verify_at(&only_sha1, body, NOW).is_ok());

    // Both headers present with a bad SHA-256: the valid SHA-1 must not rescue it.
    let mut both = only_sha1.clone();
    both.push((
        "X-Hub-Signature-256".into(),
        format!("sha256={}", "0".repeat(64)),
    ));
    assert_eq!(kind(&legacy, &both, body, NOW), ErrorKind::InvalidSignature);
    // sha1= sent in the SHA-256 header: refused.
    let downgrade = vec![("X-Hub-Signature-256".to_string(), sha1)];
    assert_eq!(
        kind(&legacy, &downgrade, body, NOW),
        ErrorKind::MalformedHeader
    );
}

#[test]
fn standard_webhooks_svix_aliases_and_missing_id() {
    let p = P::Standard;
    let secret = p.secret(0);
    let v = p.verifier(std::slice::from_ref(&secret));
    let headers: Vec<(String, String)> = p
        .sign(&secret, b"{}", NOW, ID)
        .into_iter()
        .map(|(k, val)| (k.replace("webhook-", "svix-"), val))
        .collect();
    let verified = v.verify_at(&headers, b"{}", NOW).unwrap();
    assert_eq!(verified.event_id(), Some(ID));
    let mut no_id = p.sign(&secret, b"{}", NOW, ID);
    no_id.retain(|(k, _)| k != "webhook-id");
    assert_eq!(kind(&v, &no_id, b"{}", NOW), ErrorKind::MissingHeader);
    // The id is signed: changing it breaks the signature.
    let mut other_id = p.sign(&secret, b"{}", NOW, ID);
    set(&mut other_id, "webhook-id", "msg_other");
    assert_eq!(kind(&v, &other_id, b"{}", NOW), ErrorKind::InvalidSignature);
}

#[test]
fn stripe_v0_only_is_not_enough() {
    let p = P::Stripe;
    let secret = p.secret(0);
    let v = p.verifier(std::slice::from_ref(&secret));
    let sig = hex::encode(p.mac(&secret, b"{}", NOW, ID));
    let headers = vec![("Stripe-Signature".to_string(), format!("t={NOW},v0={sig}"))];
    assert_eq!(kind(&v, &headers, b"{}", NOW), ErrorKind::InvalidSignature);
}

#[test]
fn config_errors_not_panics() {
    use webhook_guard::{Algorithm, ConfigError, Signed};
    assert_eq!(
        Verifier::github("").build().unwrap_err(),
        ConfigError::EmptySecret { index: 0 }
    );
    assert_eq!(
        Verifier::github("a").secret("").build().unwrap_err(),
        ConfigError::EmptySecret { index: 1 }
    );
    assert_eq!(
        Verifier::standard_webhooks("whsec_!!!")
            .build()
            .unwrap_err(),
        ConfigError::InvalidStandardSecret { index: 0 }
    );
    assert_eq!(
        Verifier::hmac("x", "k").build().unwrap_err(),
        ConfigError::NoSignatureHeader
    );
    assert!(matches!(
        Verifier::hmac("x", "k")
            .signature_header("bad header")
            .build()
            .unwrap_err(),
        ConfigError::InvalidHeaderName(_)
    ));
    assert_eq!(
        Verifier::hmac("x", "k")
            .signature_header("x-sig")
            .algorithm(Algorithm::Sha1)
            .build()
            .unwrap_err(),
        ConfigError::Sha1NotAllowed
    );
    assert_eq!(
        Verifier::hmac("x", "k")
            .signature_header("x-sig")
            .signed_payload([Signed::Timestamp])
            .build()
            .unwrap_err(),
        ConfigError::BodyNotSigned
    );
    assert_eq!(
        Verifier::hmac("x", "k")
            .signature_header("x-sig")
            .sign_timestamp_then_body(".")
            .build()
            .unwrap_err(),
        ConfigError::NoTimestampHeader
    );
    assert_eq!(
        Verifier::github("k").max_body_size(0).build().unwrap_err(),
        ConfigError::ZeroBodyLimit
    );
}

/// Found by the `hmac_builder` fuzz target: a separator that can occur inside an encoded
/// signature used to be accepted, and then split genuine signatures apart, so correctly signed
/// deliveries were refused at request time. It is now a configuration error.
#[test]
fn separator_inside_the_signature_alphabet_is_a_config_error() {
    use webhook_guard::{ConfigError, Encoding};
    let build = |encoding, sep| {
        Verifier::hmac("x", "k")
            .signature_header("x-sig")
            .encoding(encoding)
            .signature_separator(sep)
            .build()
    };
    for sep in ['a', 'F', '0', '9'] {
        assert_eq!(
            build(Encoding::Hex, sep).unwrap_err(),
            ConfigError::InvalidSignatureSyntax,
            "{sep:?}"
        );
    }
    for sep in ['a', 'Z', '5', '+', '/', '='] {
        assert_eq!(
            build(Encoding::Base64, sep).unwrap_err(),
            ConfigError::InvalidSignatureSyntax,
            "{sep:?}"
        );
    }
    // Characters outside the alphabet still work, and then several signatures do too.
    for (encoding, sep) in [
        (Encoding::Hex, ','),
        (Encoding::Hex, ' '),
        (Encoding::Hex, 'g'),
        (Encoding::Base64, ','),
        (Encoding::Base64, ';'),
    ] {
        assert!(build(encoding, sep).is_ok(), "{encoding:?} {sep:?}");
    }
    let v = build(Encoding::Hex, 'g').unwrap();
    let mac = {
        use hmac::{Hmac, Mac};
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
        m.update(b"{}");
        hex::encode(m.finalize().into_bytes())
    };
    let headers = [("x-sig", format!("{}g{mac}", "00".repeat(32)))];
    assert!(v.verify_at(&headers, b"{}", 0).is_ok());
}

#[test]
fn errors_and_debug_never_show_secrets_or_signatures() {
    for p in ALL {
        let secret = p.secret(0);
        let v = p.verifier(std::slice::from_ref(&secret));
        let body = &p.body(ID, NOW);
        let good = p.mac(&secret, body, NOW, ID);
        let headers = p.sign(&p.secret(1), body, NOW, ID);
        let err = v.verify_at(&headers, body, NOW).unwrap_err();
        let rejection = webhook_guard::response::Rejection::from_error(&err);
        let texts = [
            format!("{err}"),
            format!("{err:?}"),
            format!("{v:?}"),
            String::from_utf8(rejection.body().to_vec()).unwrap(),
        ];
        for t in &texts {
            assert!(!t.contains(&secret), "{p:?}: secret leaked in {t}");
            assert!(
                !t.contains(&hex::encode(&good)),
                "{p:?}: expected MAC leaked in {t}"
            );
            assert!(
                !t.contains(&p.encode_sig(&good)),
                "{p:?}: expected MAC leaked in {t}"
            );
        }
    }
}
